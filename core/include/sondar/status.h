// Error reporting for the whole core. Nothing in sondar throws: every operation
// that can fail returns a Status or a Result<T> carrying every problem found,
// each with a stable code and the JSON path of the offending value, so a survey
// author sees all their mistakes at once.
#ifndef SONDAR_STATUS_H_
#define SONDAR_STATUS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sondar {

enum class ErrorCode {
  kInvalidJson,       // text is not JSON
  kTooLarge,          // document or value exceeds a documented limit
  kTooDeep,           // nesting deeper than the limit
  kWrongType,         // a value has the wrong JSON type
  kMissingField,      // a required field is absent
  kUnknownField,      // a field the schema does not define (catches typos)
  kInvalidValue,      // right type, value not allowed (bad enum, bad format)
  kUnknownType,       // question type not in the schema
  kDuplicateId,       // two questions, options or endings share an id
  kUnknownReference,  // a condition or jump names an id that does not exist
  kForwardReference,  // a condition reads a question that is not answered yet
  kLoop,              // logic could revisit a question
  kInvalidScale,      // empty scale, min >= max, more than 11 points
  kMissingText,       // no text for the survey's default locale
  kOutOfRange,        // answer outside the question's scale
  kNotAnOption,       // answer names an option the question does not have
  kTooLong,           // text answer longer than maxLength
  kRequired,          // a required question was left unanswered
  kNotCurrent,        // a session call about a question that is not on screen
  kFinished,          // the session is already complete or dismissed
  kSchemaMismatch,    // wrong "schema" marker
  kMismatch,          // payload does not belong to this survey / version
  kNotOnPath,         // an answer to a question the visitor could not have seen
  kIncompatible,      // aggregates of different surveys cannot merge
};

// Stable snake_case name of a code, e.g. "out_of_range"; part of the JS and
// HTTP contracts.
std::string_view CodeName(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string path;  // JSON path such as "questions[2].scale.max"; empty for
                     // the document
  std::string message;

  // "questions[2].scale.max: must be greater than min (got 1)"
  std::string ToString() const;
};

using Errors = std::vector<Error>;

class Status {
 public:
  Status() = default;
  explicit Status(Errors errors) : errors_(std::move(errors)) {}
  Status(ErrorCode code, std::string path, std::string message) {
    errors_.push_back({code, std::move(path), std::move(message)});
  }

  bool ok() const { return errors_.empty(); }
  const Errors& errors() const { return errors_; }
  // All errors, one per line.
  std::string ToString() const;

 private:
  Errors errors_;
};

template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT
  Result(Errors errors) : status_(std::move(errors)) {}  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  const Errors& errors() const { return status_.errors(); }
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace sondar

#endif  // SONDAR_STATUS_H_
