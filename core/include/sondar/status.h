// Error reporting for the whole core. Nothing in sondar throws: every operation
// that can fail returns a Status or a Result<T> carrying every problem found,
// each with a stable code and the JSON path of the offending value, so a survey
// author sees all their mistakes at once.
#ifndef SONDAR_STATUS_H_
#define SONDAR_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The human text of an error. The widget's module for shop pages is built with
// SONDAR_NO_MESSAGES: there every message is empty (the code and the JSON path
// stay) and neither the text nor the code composing it is in the module. The
// operand stays, unevaluated, so nothing it names goes unused.
// There it is a NoMessage, which the sinks that take one (Status, Reader::Fail,
// the decisions' details) accept without making an empty string at every call
// site (~1 KB of the module); anywhere else it turns into "".
#ifdef SONDAR_NO_MESSAGES
namespace sondar {
struct NoMessage {
  operator std::string() const { return {}; }  // NOLINT: "" where a text goes
};
}  // namespace sondar
#define SONDAR_MESSAGE(...) \
  (static_cast<void>(sizeof(__VA_ARGS__)), ::sondar::NoMessage())
#else
#define SONDAR_MESSAGE(...) ::std::string(__VA_ARGS__)
#endif

namespace sondar {

// Every code, with what it means, is in core/error_codes.json.
enum class ErrorCode {
#define SONDAR_ERROR_CODE(name, text) name,
#include "sondar/error_codes.inc"
#undef SONDAR_ERROR_CODE
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

// Appends one error. The checks call this rather than push_back({...}) so the
// lean build makes no empty message at each site.
inline void AddError(Errors* errors, ErrorCode code, std::string path,
                     std::string message) {
  errors->push_back({code, std::move(path), std::move(message)});
}
#ifdef SONDAR_NO_MESSAGES
void AddError(Errors* errors, ErrorCode code, std::string path, NoMessage);
#endif

class [[nodiscard]] Status {
 public:
  Status() = default;
  explicit Status(Errors errors) : errors_(std::move(errors)) {}
  Status(ErrorCode code, std::string path, std::string message) {
    errors_.push_back({code, std::move(path), std::move(message)});
  }
#ifdef SONDAR_NO_MESSAGES
  Status(ErrorCode code, std::string path, NoMessage);
#endif

  bool ok() const { return errors_.empty(); }
  const Errors& errors() const { return errors_; }
  // All errors, one per line.
  std::string ToString() const;

 private:
  Errors errors_;
};

class Json;
// [{"code": "out_of_range", "path": "answers.nps", "message": "..."}]: how
// errors cross into JS and HTTP answers (status.cpp; needs sondar/json.h).
Json ErrorsToJson(const Errors& errors);

namespace internal {
// The failure half of every Result<T>, made out of line: one copy of that code
// for all T, not one per Result type.
class ResultStatus {
 protected:
  ResultStatus() = default;
  // An OK status has no value to go with it: that is a bug in the caller, kept
  // as an `internal` error rather than a Result that lies.
  explicit ResultStatus(Status status);
  explicit ResultStatus(Errors errors);

  Status status_;
};
}  // namespace internal

// A value or the errors that kept it from being made, never both and never
// neither (absl::StatusOr's rule).
template <typename T>
class [[nodiscard]] Result : private internal::ResultStatus {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  // A failure; see internal::ResultStatus.
  Result(Status status) : ResultStatus(std::move(status)) {}  // NOLINT
  Result(Errors errors) : ResultStatus(std::move(errors)) {}  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const& { return status_; }
  Status status() && { return std::move(status_); }
  const Errors& errors() const { return status_.errors(); }
  // Only after ok(); a debug build stops on a failure's value().
  const T& value() const& { return Checked(), *value_; }
  T& value() & { return Checked(), *value_; }
  T&& value() && { return Checked(), std::move(*value_); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  void Checked() const { assert(value_.has_value() && "value() of a failure"); }

  std::optional<T> value_;
};

}  // namespace sondar

#define SONDAR_STATUS_CONCAT_INNER(a, b) a##b
#define SONDAR_STATUS_CONCAT(a, b) SONDAR_STATUS_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function when it failed.
#define SONDAR_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::sondar::Status sondar_status_ = (expr);        \
    if (!sondar_status_.ok()) return sondar_status_; \
  } while (0)

// `lhs = value of expr`, or returns its failure (as a Status, or whatever
// the enclosing function's return type is made from one) when it failed:
//   SONDAR_ASSIGN_OR_RETURN(Json doc, ParseJson(text));
#define SONDAR_ASSIGN_OR_RETURN(lhs, expr)                                     \
  SONDAR_ASSIGN_OR_RETURN_IMPL(SONDAR_STATUS_CONCAT(sondar_result_, __LINE__), \
                               lhs, expr)
#define SONDAR_ASSIGN_OR_RETURN_IMPL(result, lhs, expr) \
  SONDAR_ASSIGN_OR_RETURN_WITH_IMPL(result, lhs, expr, )

// The same, returning `wrap(status)` instead: the wasm glue wraps failures
// in its JSON envelope.
#define SONDAR_ASSIGN_OR_RETURN_WITH(lhs, expr, wrap) \
  SONDAR_ASSIGN_OR_RETURN_WITH_IMPL(                  \
      SONDAR_STATUS_CONCAT(sondar_result_, __LINE__), lhs, expr, wrap)
#define SONDAR_ASSIGN_OR_RETURN_WITH_IMPL(result, lhs, expr, wrap) \
  auto result = (expr);                                            \
  if (!result.ok()) return wrap(std::move(result).status());       \
  lhs = std::move(result).value()

#endif  // SONDAR_STATUS_H_
