// Typed, non-throwing access to untrusted JSON. Every getter checks the type
// before reading (with JSON_NOEXCEPTION a wrong-typed get<> aborts) and records
// a path-qualified error.
#ifndef SONDAR_SRC_JSON_READER_H_
#define SONDAR_SRC_JSON_READER_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "sondar/status.h"

namespace sondar::internal {

using nlohmann::json;

// Parses `text`, rejecting documents over `max_bytes` or nested deeper than
// `max_depth` before nlohmann sees them (its serialiser recurses, so depth must
// be bounded up front).
Result<json> ParseJson(std::string_view text, std::size_t max_bytes,
                       int max_depth);

// Serialises without aborting on invalid UTF-8 (replaced by U+FFFD).
std::string Dump(const json& value, int indent = -1);

// Decimal text of an integer. std::to_string would pull printf into the wasm
// build.
std::string Str(std::int64_t value);

std::string PathKey(const std::string& path, std::string_view key);
std::string PathIndex(const std::string& path, std::size_t index);
// "a string", "the number 4.5", ... for error messages; long values are cut.
std::string Describe(const json& value);
std::string_view TypeOf(const json& value);

class Reader {
 public:
  explicit Reader(Errors* errors) : errors_(errors) {}

  void Fail(ErrorCode code, std::string path, std::string message);
  bool failed() const { return !errors_->empty(); }
  std::size_t error_count() const { return errors_->size(); }

  bool ExpectObject(const json& value, const std::string& path);
  bool ExpectArray(const json& value, const std::string& path);
  // Flags keys of `object` not in `allowed`; keys starting with "x-" are
  // extensions, allowed.
  void CheckKeys(const json& object, const std::string& path,
                 std::initializer_list<std::string_view> allowed);

  // Field accessors: absent -> nullopt (plus missing_field when required);
  // wrong type -> nullopt plus wrong_type. `object` must already be known to be
  // an object.
  const json* Field(const json& object, const std::string& path,
                    std::string_view key, bool required);
  // Points into `object`; valid while it lives.
  const std::string* String(const json& object, const std::string& path,
                            std::string_view key, bool required = false);
  std::optional<bool> Bool(const json& object, const std::string& path,
                           std::string_view key, bool required = false);
  std::optional<double> Number(const json& object, const std::string& path,
                               std::string_view key, bool required = false);
  std::optional<std::int64_t> Integer(const json& object,
                                      const std::string& path,
                                      std::string_view key,
                                      bool required = false);
  const json* Array(const json& object, const std::string& path,
                    std::string_view key, bool required = false);
  const json* Object(const json& object, const std::string& path,
                     std::string_view key, bool required = false);

 private:
  Errors* errors_;
};

// No answer at all: null, "" or []. (nlohmann's empty() is false for every
// string.)
bool IsBlank(const json& value);

// Exact integer value of a JSON number (5 and 5.0 both), or nullopt.
std::optional<std::int64_t> AsInteger(const json& value);

// Unicode code points in valid UTF-8, or nullopt for invalid UTF-8.
std::optional<std::size_t> Utf8Length(std::string_view text);

}  // namespace sondar::internal

#endif  // SONDAR_SRC_JSON_READER_H_
