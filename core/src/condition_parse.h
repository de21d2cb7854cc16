// Reading the operator and operand of a condition leaf, shared by the
// survey's conditions (showIf, logic, endings, targeting) and alert rules.
#ifndef SONDAR_SRC_CONDITION_PARSE_H_
#define SONDAR_SRC_CONDITION_PARSE_H_

#include <string>

#include "json_reader.h"
#include "sondar/condition.h"

namespace sondar::internal {

// Sets out->op from `op_name` and out->value from the leaf's "value",
// recording errors at `path`.op / `path`.value. `presence` names the operator
// that tests presence here ("answered", "exists"). False on an error.
bool ParseOperation(Reader& r, const Json& leaf, const std::string& path,
                    const std::string& op_name, const char* presence,
                    Condition* out);

}  // namespace sondar::internal

#endif  // SONDAR_SRC_CONDITION_PARSE_H_
