// What the core accepts as hidden field values, for a session's start, a
// posted response and the report's lines alike. (CheckAnswer and IsEmail, the
// public half of answers.cpp, are declared in sondar/survey.h.)
#ifndef SONDAR_SRC_ANSWERS_H_
#define SONDAR_SRC_ANSWERS_H_

#include <cstddef>

#include "sondar/json.h"
#include "sondar/status.h"
#include "sondar/survey.h"

namespace sondar::internal {

// Hidden fields as the host passed them: declared names, scalar values, bounded
// strings.
inline constexpr std::size_t kMaxHiddenValueLength = 1000;  // bytes
Status CheckHidden(const Survey& survey, const Json& hidden);

}  // namespace sondar::internal

#endif  // SONDAR_SRC_ANSWERS_H_
