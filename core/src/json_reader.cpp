#include "json_reader.h"

#include <array>
#include <cmath>
#include <limits>

#include "sondar/survey.h"
#include "sondar/util.h"

namespace sondar::internal {

namespace {

bool IsIdentifier(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string Str(std::int64_t value) {
  char digits[24];
  int n = 0;
  std::uint64_t v = value < 0 ? 0 - static_cast<std::uint64_t>(value)
                              : static_cast<std::uint64_t>(value);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  std::string out(value < 0 ? "-" : "");
  while (n > 0) out.push_back(digits[--n]);
  return out;
}

std::string PathKey(const std::string& path, std::string_view key) {
  std::string out = path;
  if (IsIdentifier(key)) {
    if (!out.empty()) out += '.';
    out += key;
  } else {
    out += '[';
    out += Json(key).dump();
    out += ']';
  }
  return out;
}

std::string PathIndex(const std::string& path, std::size_t index) {
  return path + "[" + Str(static_cast<std::int64_t>(index)) + "]";
}

std::string_view TypeOf(const Json& value) {
  switch (value.type()) {
    case Json::Type::kNull:
      return "null";
    case Json::Type::kBool:
      return "boolean";
    case Json::Type::kInt:
    case Json::Type::kDouble:
      return "number";
    case Json::Type::kString:
      return "string";
    case Json::Type::kArray:
      return "array";
    case Json::Type::kObject:
      return "object";
  }
  return "value";
}

std::string Describe(const Json& value) {
  if (value.is_array() || value.is_object())
    return std::string("an ") + std::string(TypeOf(value));
  std::string shown = value.dump();
  if (shown.size() > 40) shown = shown.substr(0, 37) + "...";
  return shown;
}

void Reader::Fail(ErrorCode code, std::string path, std::string message) {
  errors_->push_back(
      {code, std::move(path), SONDAR_MESSAGE(std::move(message))});
}
#ifdef SONDAR_NO_MESSAGES
void Reader::Fail(ErrorCode code, std::string path, NoMessage) {
  AddError(errors_, code, std::move(path), NoMessage());
}
#endif

bool Reader::ExpectObject(const Json& value, const std::string& path) {
  if (value.is_object()) return true;
  Fail(ErrorCode::kWrongType, path,
       SONDAR_MESSAGE("must be an object (got " + Describe(value) + ")"));
  return false;
}

bool Reader::ExpectArray(const Json& value, const std::string& path) {
  if (value.is_array()) return true;
  Fail(ErrorCode::kWrongType, path,
       SONDAR_MESSAGE("must be an array (got " + Describe(value) + ")"));
  return false;
}

void Reader::CheckKeys(const Json& object, const std::string& path,
                       std::string_view allowed) {
  for (const auto& [key, value] : object.as_object()) {
    if (key.rfind("x-", 0) == 0) continue;
    if (WordIndex(allowed, key) < 0)
      Fail(ErrorCode::kUnknownField, PathKey(path, key),
           SONDAR_MESSAGE("unknown field"));
  }
}

const Json* Reader::Field(const Json& object, const std::string& path,
                          std::string_view key, bool required) {
  const Json* value = object.find(key);
  if (!value && required)
    Fail(ErrorCode::kMissingField, PathKey(path, key),
         SONDAR_MESSAGE("is required"));
  return value;
}

const std::string* Reader::String(const Json& object, const std::string& path,
                                  std::string_view key, bool required) {
  const Json* v = Field(object, path, key, required);
  if (!v) return nullptr;
  if (!v->is_string()) {
    Fail(ErrorCode::kWrongType, PathKey(path, key),
         SONDAR_MESSAGE("must be a string (got " + Describe(*v) + ")"));
    return nullptr;
  }
  return &v->as_string();
}

std::optional<bool> Reader::Bool(const Json& object, const std::string& path,
                                 std::string_view key, bool required) {
  const Json* v = Field(object, path, key, required);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    Fail(ErrorCode::kWrongType, PathKey(path, key),
         SONDAR_MESSAGE("must be true or false (got " + Describe(*v) + ")"));
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<double> Reader::Number(const Json& object,
                                     const std::string& path,
                                     std::string_view key, bool required) {
  const Json* v = Field(object, path, key, required);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    Fail(ErrorCode::kWrongType, PathKey(path, key),
         SONDAR_MESSAGE("must be a number (got " + Describe(*v) + ")"));
    return std::nullopt;
  }
  return v->as_double();
}

std::optional<std::int64_t> Reader::Integer(const Json& object,
                                            const std::string& path,
                                            std::string_view key,
                                            bool required) {
  const Json* v = Field(object, path, key, required);
  if (!v) return std::nullopt;
  auto i = AsInteger(*v);
  if (!i) {
    Fail(ErrorCode::kWrongType, PathKey(path, key),
         SONDAR_MESSAGE("must be a whole number (got " + Describe(*v) + ")"));
  }
  return i;
}

const Json* Reader::Array(const Json& object, const std::string& path,
                          std::string_view key, bool required) {
  const Json* v = Field(object, path, key, required);
  // The path is made only for the error.
  if (!v || v->is_array()) return v;
  ExpectArray(*v, PathKey(path, key));
  return nullptr;
}

const Json* Reader::Object(const Json& object, const std::string& path,
                           std::string_view key, bool required) {
  const Json* v = Field(object, path, key, required);
  if (!v || v->is_object()) return v;
  ExpectObject(*v, PathKey(path, key));
  return nullptr;
}

bool IsBlank(const Json& value) {
  if (value.is_null()) return true;
  if (value.is_string()) return value.as_string().empty();
  if (value.is_array()) return value.empty();
  return false;
}

std::optional<std::int64_t> AsInteger(const Json& value) {
  if (value.is_number_integer()) return value.as_int();
  if (value.is_number_float()) {
    double d = value.as_double();
    // 2^53: beyond it doubles stop being exact integers.
    if (std::isfinite(d) && std::trunc(d) == d &&
        std::fabs(d) <= 9007199254740992.0)
      return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

std::optional<std::size_t> Utf8Length(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xE  ? 3
                      : (c >> 3) == 0x1E ? 4
                                         : 0;
    if (len == 0 || i + len > text.size()) return std::nullopt;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80)
        return std::nullopt;
    }
    i += len;
    ++count;
  }
  return count;
}

}  // namespace sondar::internal
