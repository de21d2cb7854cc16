// Pieces of response validation shared by the DOM validator (response.cpp)
// and the line scanner (response_scan.cpp).
#ifndef SONDAR_SRC_RESPONSE_INTERNAL_H_
#define SONDAR_SRC_RESPONSE_INTERNAL_H_

#include <string>
#include <string_view>

#include "json_reader.h"
#include "sondar/response.h"

namespace sondar::internal {

// Checks every answer against its question and the survey's routing (answers
// only on the visitor's path; a complete response answers every required
// question on it) and appends the record's values. Routing is checked only
// while `errors` is empty. `record->status` must be set.
void CheckAnswers(const Survey& survey, const Json& answers, Reader& r,
                  Errors& errors, ResponseRecord* record);

// The breakdown value of a valid "hidden" object: the field's string, else
// its JSON text; empty when absent.
std::string SegmentOf(const Json& hidden, const std::string& field);

// A fast path for ValidateResponseText that builds no document for the
// payload's top level. True with `record` filled only when the payload is
// certainly valid, and then `record` equals ValidateResponse's. False when it
// is invalid or the scanner is not sure (escapes, non-ASCII text, unusual
// number forms, duplicate or extension keys...): the caller then validates
// the whole document, which also words the errors.
bool ScanResponse(const Survey& survey, std::string_view text,
                  const ValidateOptions& options, ResponseRecord* record);

}  // namespace sondar::internal

#endif  // SONDAR_SRC_RESPONSE_INTERNAL_H_
