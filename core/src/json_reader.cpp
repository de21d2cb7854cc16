#include "json_reader.h"

#include <array>
#include <cmath>
#include <limits>

#include "sondar/survey.h"

namespace sondar::internal {

namespace {

// Deepest nesting of arrays/objects, found without building anything; strings
// are skipped so brackets inside them do not count. Stops early once `limit` is
// exceeded.
int NestingDepth(std::string_view text, int limit) {
  enum : unsigned char { kPlain, kQuote, kBackslash, kOpen, kClose };
  static const auto kClass = [] {
    std::array<unsigned char, 256> table{};
    table['"'] = kQuote;
    table['\\'] = kBackslash;
    table['['] = table['{'] = kOpen;
    table[']'] = table['}'] = kClose;
    return table;
  }();
  int depth = 0, deepest = 0;
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    switch (kClass[static_cast<unsigned char>(text[i++])]) {
      case kQuote:  // skip the string; brackets inside it do not nest
        while (i < n && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
        ++i;
        break;
      case kOpen:
        if (++depth > deepest && (deepest = depth) > limit) return deepest;
        break;
      case kClose:
        --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

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

Result<json> ParseJson(std::string_view text, std::size_t max_bytes,
                       int max_depth) {
  if (text.size() > max_bytes) {
    return Status(ErrorCode::kTooLarge, "",
                  "document is " + Str(text.size()) + " bytes, the limit is " +
                      Str(max_bytes));
  }
  if (NestingDepth(text, max_depth) > max_depth) {
    return Status(ErrorCode::kTooDeep, "",
                  "document nests deeper than " + Str(max_depth) + " levels");
  }
  json value = json::parse(text.begin(), text.end(), nullptr,
                           /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return Status(ErrorCode::kInvalidJson, "", "not valid JSON");
  }
  return value;
}

std::string Dump(const json& value, int indent) {
  return value.dump(indent, ' ', false, json::error_handler_t::replace);
}

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
    out += Dump(json(std::string(key)));
    out += ']';
  }
  return out;
}

std::string PathIndex(const std::string& path, std::size_t index) {
  return path + "[" + Str(static_cast<std::int64_t>(index)) + "]";
}

std::string_view TypeOf(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "number";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    default:
      return "value";
  }
}

std::string Describe(const json& value) {
  if (value.is_array() || value.is_object())
    return std::string("an ") + std::string(TypeOf(value));
  std::string shown = Dump(value);
  if (shown.size() > 40) shown = shown.substr(0, 37) + "...";
  return shown;
}

void Reader::Fail(ErrorCode code, std::string path, std::string message) {
  errors_->push_back({code, std::move(path), std::move(message)});
}

bool Reader::ExpectObject(const json& value, const std::string& path) {
  if (value.is_object()) return true;
  Fail(ErrorCode::kWrongType, path,
       "must be an object (got " + Describe(value) + ")");
  return false;
}

bool Reader::ExpectArray(const json& value, const std::string& path) {
  if (value.is_array()) return true;
  Fail(ErrorCode::kWrongType, path,
       "must be an array (got " + Describe(value) + ")");
  return false;
}

void Reader::CheckKeys(const json& object, const std::string& path,
                       std::initializer_list<std::string_view> allowed) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& key = it.key();
    if (key.rfind("x-", 0) == 0) continue;
    bool known = false;
    for (std::string_view a : allowed) known = known || key == a;
    if (!known)
      Fail(ErrorCode::kUnknownField, PathKey(path, key), "unknown field");
  }
}

const json* Reader::Field(const json& object, const std::string& path,
                          std::string_view key, bool required) {
  auto it = object.find(key);  // transparent lookup: no temporary string
  if (it == object.end()) {
    if (required)
      Fail(ErrorCode::kMissingField, PathKey(path, key), "is required");
    return nullptr;
  }
  return &*it;
}

const std::string* Reader::String(const json& object, const std::string& path,
                                  std::string_view key, bool required) {
  const json* v = Field(object, path, key, required);
  if (!v) return nullptr;
  if (!v->is_string()) {
    Fail(ErrorCode::kWrongType, PathKey(path, key),
         "must be a string (got " + Describe(*v) + ")");
    return nullptr;
  }
  return &v->get_ref<const std::string&>();
}

std::optional<bool> Reader::Bool(const json& object, const std::string& path,
                                 std::string_view key, bool required) {
  const json* v = Field(object, path, key, required);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    Fail(ErrorCode::kWrongType, PathKey(path, key),
         "must be true or false (got " + Describe(*v) + ")");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<double> Reader::Number(const json& object,
                                     const std::string& path,
                                     std::string_view key, bool required) {
  const json* v = Field(object, path, key, required);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    Fail(ErrorCode::kWrongType, PathKey(path, key),
         "must be a number (got " + Describe(*v) + ")");
    return std::nullopt;
  }
  return v->get<double>();
}

std::optional<std::int64_t> Reader::Integer(const json& object,
                                            const std::string& path,
                                            std::string_view key,
                                            bool required) {
  const json* v = Field(object, path, key, required);
  if (!v) return std::nullopt;
  auto i = AsInteger(*v);
  if (!i) {
    Fail(ErrorCode::kWrongType, PathKey(path, key),
         "must be a whole number (got " + Describe(*v) + ")");
  }
  return i;
}

const json* Reader::Array(const json& object, const std::string& path,
                          std::string_view key, bool required) {
  const json* v = Field(object, path, key, required);
  if (!v) return nullptr;
  return ExpectArray(*v, PathKey(path, key)) ? v : nullptr;
}

const json* Reader::Object(const json& object, const std::string& path,
                           std::string_view key, bool required) {
  const json* v = Field(object, path, key, required);
  if (!v) return nullptr;
  return ExpectObject(*v, PathKey(path, key)) ? v : nullptr;
}

bool IsBlank(const json& value) {
  if (value.is_null()) return true;
  if (value.is_string()) return value.get_ref<const std::string&>().empty();
  if (value.is_array()) return value.empty();
  return false;
}

std::optional<std::int64_t> AsInteger(const json& value) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_unsigned()) {
    auto u = value.get<std::uint64_t>();
    if (u >
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (value.is_number_float()) {
    double d = value.get<double>();
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

namespace sondar {

json ErrorsToJson(const Errors& errors) {
  json out = json::array();
  for (const Error& e : errors) {
    out.push_back({{"code", std::string(CodeName(e.code))},
                   {"path", e.path},
                   {"message", e.message}});
  }
  return out;
}

}  // namespace sondar
