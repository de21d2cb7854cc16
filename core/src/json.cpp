#include "sondar/json.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "json_reader.h"

#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
// Numbers outside the exact fast path (over 15 significant digits or a large
// exponent) go to the JS engine's correctly rounded parser: musl's strtod would
// add ~15 KB of long-double arithmetic to the widget's download. Formatting
// asks for the shortest digits that read back to `x`, as "1.2345e+2" (what
// Number.prototype.toExponential() gives): a dtoa of our own would cost ~2 KB.
// Both are defined once, in web/src/numbers.js: the embind module has it as a
// --pre-js, and the standalone widget module gets them as imports.
EM_JS(double, sondar_parse_number, (const char* text, int length),
      { return sondarParseNumber(HEAPU8, text, length); });
EM_JS(int, sondar_format_number, (double x, char* out),
      { return sondarFormatNumber(HEAPU8, x, out); });
#else
#include <charconv>
#endif

namespace sondar {

namespace {

const std::string kEmptyString;
const Json::Array kEmptyArray;
const Json::Object kEmptyObject;
const Json kNull;

bool KeyLess(const Json::Member& m, std::string_view key) {
  return std::string_view(m.first) < key;
}

// Stable bottom-up merge sort by key. Hand-written because std::stable_sort
// costs ~3 KB of wasm, a visible share of the widget's download.
void SortByKey(Json::Object* members) {
  const std::size_t n = members->size();
  Json::Object merged(n);
  for (std::size_t width = 1; width < n; width *= 2) {
    for (std::size_t lo = 0; lo < n; lo += 2 * width) {
      const std::size_t mid = std::min(lo + width, n);
      const std::size_t hi = std::min(lo + 2 * width, n);
      std::size_t left = lo, right = mid, out = lo;
      while (left < mid || right < hi) {
        // Ties take the left element: equal keys keep their order.
        bool take_right =
            left == mid ||
            (right < hi && (*members)[right].first < (*members)[left].first);
        merged[out++] = std::move((*members)[take_right ? right++ : left++]);
      }
    }
    members->swap(merged);
  }
}

// Sorts members by key; of duplicate keys the last one stays (JSON.parse's
// rule).
void Normalize(Json::Object* members) {
  auto by_key = [](const Json::Member& a, const Json::Member& b) {
    return a.first < b.first;
  };
  if (!std::is_sorted(members->begin(), members->end(), by_key))
    SortByKey(members);
  std::size_t kept = 0;
  const std::size_t n = members->size();
  for (std::size_t r = 0; r < n; ++r) {
    if (r + 1 < n && (*members)[r + 1].first == (*members)[r].first) continue;
    if (kept != r) (*members)[kept] = std::move((*members)[r]);
    ++kept;
  }
  members->resize(kept);
}

// ---- serialising ----------------------------------------------------------

void AppendCodePoint(std::string* out, std::uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Length of the well-formed UTF-8 sequence at text[i] (Unicode table 3-7:
// no overlong forms, no surrogates, nothing past U+10FFFF), or 0.
std::size_t Utf8SequenceLength(std::string_view text, std::size_t i) {
  auto at = [&](std::size_t k) -> unsigned {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
  };
  auto in = [](unsigned c, unsigned lo, unsigned hi) {
    return c >= lo && c <= hi;
  };
  const unsigned c = at(0);
  if (c < 0x80) return 1;
  if (in(c, 0xC2, 0xDF)) return in(at(1), 0x80, 0xBF) ? 2 : 0;
  if (in(c, 0xE0, 0xEF)) {
    unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return in(at(1), lo, hi) && in(at(2), 0x80, 0xBF) ? 3 : 0;
  }
  if (in(c, 0xF0, 0xF4)) {
    unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return in(at(1), lo, hi) && in(at(2), 0x80, 0xBF) && in(at(3), 0x80, 0xBF)
               ? 4
               : 0;
  }
  return 0;
}

void DumpString(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      std::size_t len = Utf8SequenceLength(s, i);
      if (len == 0) {
        out->append("\xEF\xBF\xBD");  // U+FFFD for a byte that starts nothing
        ++i;
      } else {
        out->append(s.data() + i, len);
        i += len;
      }
      continue;
    }
    ++i;
    // The characters with a short escape, and the letter each escapes to.
    const std::size_t e = std::string_view("\"\\\b\f\n\r\t").find(c);
    if (e != std::string_view::npos) {
      out->push_back('\\');
      out->push_back("\"\\bfnrt"[e]);
    } else if (c < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xF]);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

// |d| (finite, above 0) as the fewest digits that read back to it, in
// scientific notation ("1.2345e+2"); `text` holds 32 characters. Both ways give
// the shortest digits closest to the value, so native and wasm agree.
int Scientific(double d, char* text) {
#ifdef __EMSCRIPTEN__
  return sondar_format_number(d, text);
#else
  return static_cast<int>(
      std::to_chars(text, text + 32, d, std::chars_format::scientific).ptr -
      text);
#endif
}

// Like printf's %g with the shortest round-trip digits, and a ".0" on whole
// numbers so they stay floats: the layout nlohmann's serializer used, kept so
// documents serialise as before (5.0, 0.001, 1e-05, 1.5e+20).
void DumpNumber(std::string* out, double d) {
  if (!std::isfinite(d)) {
    out->append("null");
    return;
  }
  if (std::signbit(d)) {
    out->push_back('-');
    d = -d;
  }
  if (d == 0) {
    out->append("0.0");
    return;
  }
  char text[32];
  const int length = Scientific(d, text);
  std::string digits;
  int i = 0;
  for (; i < length && text[i] != 'e'; ++i) {
    if (text[i] != '.') digits.push_back(text[i]);
  }
  const bool negative = i + 1 < length && text[i + 1] == '-';
  int exponent = 0;
  for (i += 2; i < length; ++i) exponent = exponent * 10 + (text[i] - '0');
  if (negative) exponent = -exponent;
  // The point goes after `point` digits; k digits in all.
  const int k = static_cast<int>(digits.size());
  const int point = exponent + 1;
  if (k <= point && point <= 15) {  // 1500.0
    out->append(digits);
    out->append(static_cast<std::size_t>(point - k), '0');
    out->append(".0");
  } else if (0 < point && point <= 15) {  // 12.34
    out->append(digits, 0, static_cast<std::size_t>(point));
    out->push_back('.');
    out->append(digits, static_cast<std::size_t>(point));
  } else if (-4 < point && point <= 0) {  // 0.001234
    out->append("0.");
    out->append(static_cast<std::size_t>(-point), '0');
    out->append(digits);
  } else {  // 1.234e+20, 1e-05
    out->push_back(digits[0]);
    if (k > 1) {
      out->push_back('.');
      out->append(digits, 1);
    }
    out->append(exponent < 0 ? "e-" : "e+");
    if (std::abs(exponent) < 10) out->push_back('0');
    out->append(internal::Str(std::abs(exponent)));
  }
}

// ---- parsing --------------------------------------------------------------

class Parser {
 public:
  Parser(std::string_view text, int max_depth)
      : text_(text), max_depth_(max_depth) {}

  // One value at the start of the text, entered at nesting level `depth` as
  // if it were a member at that level; `consumed` is how far it reached.
  bool Prefix(int depth, Json* out, std::size_t* consumed) {
    if (!Value(out, depth)) return false;
    *consumed = pos_;
    return true;
  }

  Result<Json> Document() {
    Json value;
    // A UTF-8 byte order mark, as editors on Windows write, is not content.
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    SkipSpace();
    if (Value(&value, 0)) {
      SkipSpace();
      if (pos_ == text_.size()) return value;
      Fail("unexpected text after the value");
    }
    if (too_deep_) {
      return Status(ErrorCode::kTooDeep, "",
                    SONDAR_MESSAGE("document nests deeper than " +
                                   internal::Str(max_depth_) + " levels"));
    }
    // Line and column of the failure, counted in bytes from 1.
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < error_pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return Status(
        ErrorCode::kInvalidJson, "",
        SONDAR_MESSAGE("not valid JSON: " + std::string(error_) + " at line " +
                       internal::Str(static_cast<std::int64_t>(line)) +
                       ", column " +
                       internal::Str(static_cast<std::int64_t>(column))));
  }

 private:
  bool Fail([[maybe_unused]] const char* what) {
#ifndef SONDAR_NO_MESSAGES
    error_ = what;
#endif
    error_pos_ = pos_;
    return false;
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  void SkipSpace() {
    while (!AtEnd()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
      ++pos_;
    }
  }

  bool Value(Json* out, int depth) {
    if (AtEnd()) return Fail("unexpected end of input");
    switch (text_[pos_]) {
      case '{':
        return ObjectValue(out, depth + 1);
      case '[':
        return ArrayValue(out, depth + 1);
      case '"': {
        std::string s;
        if (!String(&s)) return false;
        *out = Json(std::move(s));
        return true;
      }
      case 't':
        return Literal("true", Json(true), out);
      case 'f':
        return Literal("false", Json(false), out);
      case 'n':
        return Literal("null", Json(), out);
      default:
        return Number(out);
    }
  }

  bool Literal(std::string_view word, Json value, Json* out) {
    if (text_.substr(pos_, word.size()) != word)
      return Fail("unknown literal (expected true, false or null)");
    pos_ += word.size();
    *out = std::move(value);
    return true;
  }

  bool Enter(int depth) {
    if (depth <= max_depth_) return true;
    too_deep_ = true;
    return false;
  }

  bool ArrayValue(Json* out, int depth) {
    if (!Enter(depth)) return false;
    ++pos_;  // [
    Json::Array items;
    SkipSpace();
    if (Peek() == ']') {
      ++pos_;
      *out = Json(std::move(items));
      return true;
    }
    for (;;) {
      items.emplace_back();
      SkipSpace();
      if (!Value(&items.back(), depth)) return false;
      SkipSpace();
      char c = Peek();
      ++pos_;
      if (c == ']') break;
      if (c != ',') {
        --pos_;
        return Fail("expected ',' or ']'");
      }
    }
    *out = Json(std::move(items));
    return true;
  }

  bool ObjectValue(Json* out, int depth) {
    if (!Enter(depth)) return false;
    ++pos_;  // {
    Json::Object members;
    SkipSpace();
    if (Peek() == '}') {
      ++pos_;
      *out = Json::object();
      return true;
    }
    for (;;) {
      SkipSpace();
      if (Peek() != '"') return Fail("expected a string key");
      members.emplace_back();
      if (!String(&members.back().first)) return false;
      SkipSpace();
      if (Peek() != ':') return Fail("expected ':' after the key");
      ++pos_;
      SkipSpace();
      if (!Value(&members.back().second, depth)) return false;
      SkipSpace();
      char c = Peek();
      ++pos_;
      if (c == '}') break;
      if (c != ',') {
        --pos_;
        return Fail("expected ',' or '}'");
      }
    }
    Normalize(&members);
    *out = Json::object();
    out->as_object() = std::move(members);
    return true;
  }

  int Hex4() {
    if (pos_ + 4 > text_.size()) return -1;
    int v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = text_[pos_ + k];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    pos_ += 4;
    return v;
  }

  bool String(std::string* out) {
    ++pos_;  // opening quote
    for (;;) {
      // Copy the run of plain ASCII in one go.
      std::size_t run = pos_;
      while (run < text_.size()) {
        auto c = static_cast<unsigned char>(text_[run]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++run;
      }
      out->append(text_.data() + pos_, run - pos_);
      pos_ = run;
      if (AtEnd()) return Fail("unterminated string");
      auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return Fail("control character in a string (escape it)");
      if (c >= 0x80) {
        std::size_t len = Utf8SequenceLength(text_, pos_);
        if (len == 0) return Fail("invalid UTF-8 in a string");
        out->append(text_.data() + pos_, len);
        pos_ += len;
        continue;
      }
      ++pos_;  // backslash
      char e = Peek();
      ++pos_;
      // The one-letter escapes and the characters they stand for.
      const std::size_t simple = std::string_view("\"\\/bfnrt").find(e);
      if (simple != std::string_view::npos) {
        out->push_back("\"\\/\b\f\n\r\t"[simple]);
        continue;
      }
      if (e != 'u') {
        --pos_;
        return Fail("unknown escape in a string");
      }
      int cp = Hex4();
      if (cp < 0) return Fail("\\u needs four hex digits");
      if (cp >= 0xDC00 && cp <= 0xDFFF)
        return Fail("\\u escape holds a lone low surrogate");
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (text_.substr(pos_, 2) != "\\u")
          return Fail("\\u escape holds a lone high surrogate");
        pos_ += 2;
        int low = Hex4();
        if (low < 0xDC00 || low > 0xDFFF)
          return Fail("\\u escape holds a lone high surrogate");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      }
      AppendCodePoint(out, static_cast<std::uint32_t>(cp));
    }
  }

  static bool Digit(char c) { return c >= '0' && c <= '9'; }

  bool Number(Json* out) {
    const std::size_t start = pos_;
    bool negative = Peek() == '-';
    if (negative) ++pos_;
    if (!Digit(Peek())) return Fail("unexpected character");
    // Significant digits go into `mantissa` while it stays exact in a double
    // (below 2^53); `exponent` scales it.
    std::uint64_t mantissa = 0;
    int exponent = 0;
    bool exact = true;  // every digit fitted into mantissa
    auto digit = [&](char c, bool fraction) {
      if (mantissa < (std::uint64_t{1} << 53) / 10) {
        mantissa = mantissa * 10 + static_cast<unsigned>(c - '0');
        if (fraction) --exponent;
      } else {
        if (c != '0') exact = false;
        if (!fraction) ++exponent;
      }
    };
    if (Peek() == '0') {
      ++pos_;
      if (Digit(Peek())) return Fail("a number may not start with 0");
    } else {
      while (Digit(Peek())) digit(text_[pos_++], false);
    }
    bool integral = true;
    if (Peek() == '.') {
      integral = false;
      ++pos_;
      if (!Digit(Peek())) return Fail("expected a digit after '.'");
      while (Digit(Peek())) digit(text_[pos_++], true);
    }
    if (Peek() == 'e' || Peek() == 'E') {
      integral = false;
      ++pos_;
      bool minus = Peek() == '-';
      if (Peek() == '+' || Peek() == '-') ++pos_;
      if (!Digit(Peek())) return Fail("expected a digit in the exponent");
      int e = 0;
      while (Digit(Peek())) {
        if (e < 100000) e = e * 10 + (text_[pos_] - '0');
        ++pos_;
      }
      exponent += minus ? -e : e;
    }
    if (integral && exact && exponent == 0) {  // the usual case: done above
      const auto v = static_cast<std::int64_t>(mantissa);
      *out = Json(negative ? -v : v);
      return true;
    }
    if (integral) {
      // Longer integers are read exactly when they fit an int64, as nlohmann
      // did.
      std::uint64_t magnitude = 0;
      bool fits = true;
      for (std::size_t i = start + (negative ? 1 : 0); i < pos_; ++i) {
        auto d = static_cast<unsigned>(text_[i] - '0');
        if (magnitude > (UINT64_MAX - d) / 10) {
          fits = false;
          break;
        }
        magnitude = magnitude * 10 + d;
      }
      const std::uint64_t limit = std::uint64_t{1}
                                  << 63;  // |INT64_MIN|; INT64_MAX is one less
      if (fits && magnitude < limit + (negative ? 1 : 0)) {
        *out = Json(negative ? static_cast<std::int64_t>(0 - magnitude)
                             : static_cast<std::int64_t>(magnitude));
        return true;
      }
    }
    static const double kPow10[] = {
        1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    double value;
    if (exact && exponent >= -22 && exponent <= 22) {
      // Clinger's fast path: both operands are exact doubles, so the one
      // rounding of * or / gives the correctly rounded result.
      value = static_cast<double>(mantissa);
      value =
          exponent < 0 ? value / kPow10[-exponent] : value * kPow10[exponent];
      if (negative) value = -value;
    } else {
      value = SlowNumber(text_.substr(start, pos_ - start));
    }
    if (!std::isfinite(value)) {
      pos_ = start;
      return Fail("number is too large for a double");
    }
    *out = Json(value);
    return true;
  }

  static double SlowNumber(std::string_view digits) {
#ifdef __EMSCRIPTEN__
    return sondar_parse_number(digits.data(), static_cast<int>(digits.size()));
#else
    std::string copy(digits);  // strtod needs a terminator
    return std::strtod(copy.c_str(), nullptr);
#endif
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int max_depth_;
  bool too_deep_ = false;
  const char* error_ = "";
  std::size_t error_pos_ = 0;
};

}  // namespace

// ---- the value ------------------------------------------------------------

Json::Json(std::string s) : type_(Type::kString) {
  u_.s = new std::string(std::move(s));
}

Json::Json(Array a) : type_(Type::kArray) { u_.a = new Array(std::move(a)); }

Json Json::object() {
  Json j;
  j.type_ = Type::kObject;
  j.u_.o = new Object();
  return j;
}

Json::Json(std::initializer_list<Json> items) {
  bool pairs = true;
  for (const Json& item : items) {
    pairs = pairs && item.is_array() && item.size() == 2 &&
            item.as_array()[0].is_string();
  }
  if (pairs && items.size() > 0) {
    *this = object();
    Object& members = *u_.o;
    members.reserve(items.size());
    for (const Json& item : items) {
      const Array& kv = item.as_array();
      members.emplace_back(kv[0].as_string(), kv[1]);
    }
    Normalize(&members);
  } else {
    *this = Json(Array(items));
  }
}

Json::Json(const Json& other) : type_(other.type_), u_(other.u_) {
  switch (type_) {
    case Type::kString:
      u_.s = new std::string(*other.u_.s);
      break;
    case Type::kArray:
      u_.a = new Array(*other.u_.a);
      break;
    case Type::kObject:
      u_.o = new Object(*other.u_.o);
      break;
    default:
      break;
  }
}

Json& Json::operator=(Json other) noexcept {
  std::swap(type_, other.type_);
  std::swap(u_, other.u_);
  return *this;
}

void Json::Release() noexcept {
  switch (type_) {
    case Type::kString:
      delete u_.s;
      break;
    case Type::kArray:
      delete u_.a;
      break;
    case Type::kObject:
      delete u_.o;
      break;
    default:
      break;
  }
  type_ = Type::kNull;
}

std::int64_t Json::as_int() const {
  if (type_ == Type::kInt) return u_.i;
  if (type_ == Type::kDouble && std::fabs(u_.d) < 9223372036854775808.0)
    return static_cast<std::int64_t>(u_.d);
  return 0;
}

double Json::as_double() const {
  if (type_ == Type::kDouble) return u_.d;
  if (type_ == Type::kInt) return static_cast<double>(u_.i);
  return 0;
}

const std::string& Json::as_string() const {
  return type_ == Type::kString ? *u_.s : kEmptyString;
}

const Json::Array& Json::as_array() const {
  return type_ == Type::kArray ? *u_.a : kEmptyArray;
}

const Json::Object& Json::as_object() const {
  return type_ == Type::kObject ? *u_.o : kEmptyObject;
}

Json::Array& Json::as_array() {
  if (type_ != Type::kArray) *this = array();
  return *u_.a;
}

Json::Object& Json::as_object() {
  if (type_ != Type::kObject) *this = object();
  return *u_.o;
}

std::size_t Json::size() const {
  if (type_ == Type::kArray) return u_.a->size();
  if (type_ == Type::kObject) return u_.o->size();
  return 0;
}

bool Json::empty() const {
  return type_ == Type::kNull ||
         ((type_ == Type::kArray || type_ == Type::kObject) && size() == 0);
}

const Json* Json::find(std::string_view key) const {
  if (type_ != Type::kObject) return nullptr;
  auto it = std::lower_bound(u_.o->begin(), u_.o->end(), key, KeyLess);
  return it != u_.o->end() && it->first == key ? &it->second : nullptr;
}

Json* Json::find(std::string_view key) {
  return const_cast<Json*>(static_cast<const Json&>(*this).find(key));
}

Json& Json::operator[](std::string_view key) {
  Object& members = as_object();
  auto it = std::lower_bound(members.begin(), members.end(), key, KeyLess);
  if (it != members.end() && it->first == key) return it->second;
  return members.emplace(it, std::string(key), Json())->second;
}

const Json& Json::operator[](std::string_view key) const {
  const Json* value = find(key);
  return value ? *value : kNull;
}

const Json& Json::operator[](std::size_t index) const {
  const Array& items = as_array();
  return index < items.size() ? items[index] : kNull;
}

Json& Json::operator[](std::size_t index) {
  Array& items = as_array();
  if (index >= items.size()) items.resize(index + 1);
  return items[index];
}

bool Json::erase(std::string_view key) {
  if (type_ != Type::kObject) return false;
  auto it = std::lower_bound(u_.o->begin(), u_.o->end(), key, KeyLess);
  if (it == u_.o->end() || it->first != key) return false;
  u_.o->erase(it);
  return true;
}

Json& Json::push_back(Json value) {
  return as_array().emplace_back(std::move(value));
}

std::string Json::dump(int indent) const {
  std::string out;
  DumpTo(&out, indent);
  return out;
}

void Json::DumpTo(std::string* out, int indent) const {
  if (indent < 0) {
    Dump<false>(out, 0, 0);
  } else {
    Dump<true>(out, indent, 0);
  }
}

template <bool kIndented>
void Json::Dump(std::string* out, int indent, int level) const {
  auto newline = [&](int depth) {
    if (!kIndented) return;
    out->push_back('\n');
    out->append(static_cast<std::size_t>(indent) * depth, ' ');
  };
  switch (type_) {
    case Type::kNull:
      out->append("null");
      return;
    case Type::kBool:
      out->append(u_.b ? "true" : "false");
      return;
    case Type::kInt:
      out->append(internal::Str(u_.i));
      return;
    case Type::kDouble:
      DumpNumber(out, u_.d);
      return;
    case Type::kString:
      DumpString(out, *u_.s);
      return;
    case Type::kArray: {
      if (u_.a->empty()) {
        out->append("[]");
        return;
      }
      out->push_back('[');
      bool first = true;
      for (const Json& item : *u_.a) {
        if (!first) out->push_back(',');
        first = false;
        newline(level + 1);
        item.Dump<kIndented>(out, indent, level + 1);
      }
      newline(level);
      out->push_back(']');
      return;
    }
    case Type::kObject: {
      if (u_.o->empty()) {
        out->append("{}");
        return;
      }
      out->push_back('{');
      bool first = true;
      for (const Member& m : *u_.o) {
        if (!first) out->push_back(',');
        first = false;
        newline(level + 1);
        DumpString(out, m.first);
        out->append(kIndented ? ": " : ":");
        m.second.Dump<kIndented>(out, indent, level + 1);
      }
      newline(level);
      out->push_back('}');
      return;
    }
  }
}

bool operator==(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_number_integer() && b.is_number_integer()) return a.u_.i == b.u_.i;
    return a.as_double() == b.as_double();
  }
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case Json::Type::kNull:
      return true;
    case Json::Type::kBool:
      return a.u_.b == b.u_.b;
    case Json::Type::kString:
      return *a.u_.s == *b.u_.s;
    case Json::Type::kArray:
      return *a.u_.a == *b.u_.a;
    case Json::Type::kObject:
      return *a.u_.o == *b.u_.o;
    default:
      return false;
  }
}

Result<Json> ParseJson(std::string_view text, std::size_t max_bytes,
                       int max_depth) {
  if (text.size() > max_bytes) {
    return Status(
        ErrorCode::kTooLarge, "",
        SONDAR_MESSAGE("document is " +
                       internal::Str(static_cast<std::int64_t>(text.size())) +
                       " bytes, the limit is " +
                       internal::Str(static_cast<std::int64_t>(max_bytes))));
  }
  return Parser(text, max_depth).Document();
}

namespace internal {

bool ParseValuePrefix(std::string_view text, int depth, int max_depth,
                      Json* out, std::size_t* consumed) {
  return Parser(text, max_depth).Prefix(depth, out, consumed);
}

}  // namespace internal

}  // namespace sondar
