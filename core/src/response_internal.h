// Pieces of response validation shared by the DOM validator (response.cpp)
// and the line scanner (response_scan.cpp).
#ifndef SONDAR_SRC_RESPONSE_INTERNAL_H_
#define SONDAR_SRC_RESPONSE_INTERNAL_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "flow.h"
#include "json_reader.h"
#include "sondar/condition.h"
#include "sondar/response.h"
#include "sondar/survey.h"

namespace sondar::internal {

// Checks every answer against its question and the survey's routing (answers
// only on the visitor's path; a complete response answers every required
// question on it) and appends the record's values. Routing is checked only
// while `errors` is empty. `record->status` must be set.
void CheckAnswers(const Survey& survey, const Json& answers, Reader& r,
                  Errors& errors, ResponseRecord* record);

// The same over any list of (question id, value) members in key order, as a
// parsed "answers" object holds them, with `lookup` finding a member's value:
// the scanner keeps its members in an array instead of a document.
template <typename Members>
void CheckAnswerList(const Survey& survey, const Members& members,
                     const Lookup& lookup, Reader& r, Errors& errors,
                     ResponseRecord* record) {
  std::vector<std::size_t> answered;  // question indices, in member order
  answered.reserve(members.size());
  record->values.reserve(members.size());
  for (const auto& [id, value] : members) {
    const int index = survey.QuestionIndex(id);
    if (index < 0) {
      r.Fail(
          ErrorCode::kUnknownReference, PathKey("answers", id),
          SONDAR_MESSAGE("is not a question of survey \"" + survey.id + "\""));
      continue;
    }
    const Question& q = survey.questions[static_cast<std::size_t>(index)];
    if (IsBlank(value)) {
      r.Fail(ErrorCode::kInvalidValue, PathKey("answers", id),
             SONDAR_MESSAGE("is empty; leave unanswered questions out"));
      continue;
    }
    // Paths are built only for answers that fail: this runs for every line of
    // an export.
    if (!CheckAnswer(q, value, std::string()).ok()) {
      Status check = CheckAnswer(q, value, PathKey("answers", id));
      errors.insert(errors.end(), check.errors().begin(), check.errors().end());
      continue;
    }
    answered.push_back(static_cast<std::size_t>(index));
  }
  if (!errors.empty()) return;
  // Replay the survey with these answers: every answer must lie on the
  // visitor's path, and a complete response must answer every required
  // question on it.
  const std::vector<std::size_t> path = Replay(survey, lookup, nullptr);
  for (std::size_t i : answered) {
    // The path is ascending: jumps only go forward.
    if (!std::binary_search(path.begin(), path.end(), i)) {
      r.Fail(
          ErrorCode::kNotOnPath, PathKey("answers", survey.questions[i].id),
          SONDAR_MESSAGE("answers a question that these answers route around"));
    }
  }
  if (record->status == ResponseStatus::kComplete) {
    for (std::size_t i : path) {
      const Question& q = survey.questions[i];
      if (q.required && !lookup(q.id)) {
        r.Fail(ErrorCode::kRequired, PathKey("answers", q.id),
               SONDAR_MESSAGE("is required and the response is complete"));
      }
    }
  }
  for (std::size_t qi : answered) {
    const Question& q = survey.questions[qi];
    const Json& value = *lookup(q.id);
    const auto key = static_cast<std::uint16_t>(qi);
    switch (q.type) {
      case QuestionType::kSingleChoice:
        record->values.emplace_back(
            key, static_cast<std::int16_t>(q.OptionIndex(value.as_string())));
        break;
      case QuestionType::kMultiChoice:
        for (const Json& v : value.as_array()) {
          record->values.emplace_back(
              key, static_cast<std::int16_t>(q.OptionIndex(v.as_string())));
        }
        break;
      case QuestionType::kText:
        record->values.emplace_back(key, 0);
        break;
      case QuestionType::kContact:
        record->values.emplace_back(
            key, static_cast<std::int16_t>(value.find("consent")->as_bool()));
        break;
      default:
        record->values.emplace_back(
            key, static_cast<std::int16_t>(*AsInteger(value)));
        break;
    }
  }
}

// The text of an "other" option: valid UTF-8 of at most kMaxOtherLength
// characters ("" clears it in a session).
Status CheckOther(std::string_view text, const std::string& path);

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
