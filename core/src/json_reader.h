// Typed access to untrusted JSON: every getter checks the type before reading
// and records a path-qualified error.
#ifndef SONDAR_SRC_JSON_READER_H_
#define SONDAR_SRC_JSON_READER_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "sondar/json.h"
#include "sondar/status.h"

namespace sondar::internal {

// Decimal text of an integer. std::to_string would pull printf into the wasm
// build.
std::string Str(std::int64_t value);

std::string PathKey(const std::string& path, std::string_view key);
std::string PathIndex(const std::string& path, std::size_t index);
// "a string", "the number 4.5", ... for error messages; long values are cut.
std::string Describe(const Json& value);
std::string_view TypeOf(const Json& value);

class Reader {
 public:
  explicit Reader(Errors* errors) : errors_(errors) {}

  void Fail(ErrorCode code, std::string path, std::string message);
#ifdef SONDAR_NO_MESSAGES
  void Fail(ErrorCode code, std::string path, NoMessage);
#endif
  bool failed() const { return !errors_->empty(); }
  std::size_t error_count() const { return errors_->size(); }

  bool ExpectObject(const Json& value, const std::string& path);
  bool ExpectArray(const Json& value, const std::string& path);
  // Flags keys of `object` not in `allowed`, the known keys separated by
  // spaces ("id title body"); keys starting with "x-" are extensions, allowed.
  // One string, not a list of them: a list is a table of pointers in the shop's
  // module for every object the widget checks.
  void CheckKeys(const Json& object, const std::string& path,
                 std::string_view allowed);

  // Field accessors: absent -> nullopt (plus missing_field when required);
  // wrong type -> nullopt plus wrong_type. `object` must already be known to be
  // an object.
  const Json* Field(const Json& object, const std::string& path,
                    std::string_view key, bool required);
  // Points into `object`; valid while it lives.
  const std::string* String(const Json& object, const std::string& path,
                            std::string_view key, bool required = false);
  std::optional<bool> Bool(const Json& object, const std::string& path,
                           std::string_view key, bool required = false);
  std::optional<double> Number(const Json& object, const std::string& path,
                               std::string_view key, bool required = false);
  std::optional<std::int64_t> Integer(const Json& object,
                                      const std::string& path,
                                      std::string_view key,
                                      bool required = false);
  const Json* Array(const Json& object, const std::string& path,
                    std::string_view key, bool required = false);
  const Json* Object(const Json& object, const std::string& path,
                     std::string_view key, bool required = false);

 private:
  Errors* errors_;
};

// Parses the one JSON value at the start of `text` as the parser would parse
// it at nesting level `depth` of a document limited to `max_depth` levels
// (1: a member of the top-level object). False when it is not valid JSON;
// else `consumed` is the length of the value.
bool ParseValuePrefix(std::string_view text, int depth, int max_depth,
                      Json* out, std::size_t* consumed);

// No answer at all: null, "" or [].
bool IsBlank(const Json& value);

// Exact integer value of a JSON number (5 and 5.0 both), or nullopt.
std::optional<std::int64_t> AsInteger(const Json& value);

// Unicode code points in valid UTF-8, or nullopt for invalid UTF-8.
std::optional<std::size_t> Utf8Length(std::string_view text);

}  // namespace sondar::internal

#endif  // SONDAR_SRC_JSON_READER_H_
