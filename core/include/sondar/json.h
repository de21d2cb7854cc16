// The JSON value every part of the core reads and writes.
//
// Why not nlohmann::json: the widget downloads the core as WebAssembly, and
// nlohmann's DOM, lexer and serializer plus the libc they pull in (printf for
// \u escapes, strtod's long-double arithmetic) were 60 of the module's 127 KB
// of code. This type does only what the core needs: objects are vectors sorted
// by key (the order nlohmann's std::map gave, so documents serialise the same),
// integers and doubles are kept apart, and parsing reports where it failed.
// nlohmann remains the reference the tests and fuzzers check this against.
#ifndef SONDAR_JSON_H_
#define SONDAR_JSON_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "sondar/status.h"

namespace sondar {

class Json {
 public:
  enum class Type : std::uint8_t {
    kNull,
    kBool,
    kInt,
    kDouble,
    kString,
    kArray,
    kObject
  };
  using Array = std::vector<Json>;
  using Member = std::pair<std::string, Json>;
  using Object = std::vector<Member>;  // sorted by key, keys unique

  Json() noexcept { u_.i = 0; }
  Json(std::nullptr_t) noexcept : Json() {}  // NOLINT: implicit by design
  Json(bool b) noexcept : type_(Type::kBool) { u_.b = b; }  // NOLINT
  template <typename T,
            std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>,
                             int> = 0>
  Json(T i) noexcept {  // NOLINT
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
      if (i > static_cast<T>(std::numeric_limits<std::int64_t>::max())) {
        type_ = Type::kDouble;
        u_.d = static_cast<double>(i);
        return;
      }
    }
    type_ = Type::kInt;
    u_.i = static_cast<std::int64_t>(i);
  }
  Json(double d) noexcept : type_(Type::kDouble) { u_.d = d; }  // NOLINT
  Json(std::string s);                                          // NOLINT
  Json(std::string_view s) : Json(std::string(s)) {}            // NOLINT
  Json(const char* s) : Json(std::string(s)) {}                 // NOLINT
  Json(Array a);                                                // NOLINT
  template <typename T, std::enable_if_t<!std::is_same_v<T, Json>, int> = 0>
  Json(const std::vector<T>& items)  // NOLINT: [1, 2, 3] from a vector
      : Json(Array(items.begin(), items.end())) {}
  // Like nlohmann: a list of [string, value] pairs is an object, anything else
  // an array. {{"a", 1}, {"b", 2}} is {"a":1,"b":2}; {1, 2} is [1,2].
  Json(std::initializer_list<Json> items);  // NOLINT

  static Json array() { return Json(Array{}); }
  // Always an array, even of [string, value] pairs.
  static Json array(std::initializer_list<Json> items) {
    return Json(Array(items));
  }
  static Json object();

  Json(const Json& other);
  Json(Json&& other) noexcept : type_(other.type_), u_(other.u_) {
    other.type_ = Type::kNull;
  }
  // By value, so `j = {{"a", 1}}` has one candidate.
  Json& operator=(Json other) noexcept;
  ~Json() { Release(); }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_boolean() const { return type_ == Type::kBool; }
  bool is_number() const {
    return type_ == Type::kInt || type_ == Type::kDouble;
  }
  bool is_number_integer() const { return type_ == Type::kInt; }
  bool is_number_float() const { return type_ == Type::kDouble; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // Typed reads. On a value of another type they return false / 0 / an empty
  // string, array or object rather than aborting: callers check the type
  // first, and a slip must not take a host page down.
  bool as_bool() const { return type_ == Type::kBool && u_.b; }
  std::int64_t as_int() const;  // a double is truncated
  double as_double() const;
  const std::string& as_string() const;
  const Array& as_array() const;
  const Object& as_object() const;
  Array& as_array();    // turns null into []
  Object& as_object();  // turns null into {}

  // Elements of an array or members of an object; 0 for everything else.
  std::size_t size() const;
  // nlohmann's meaning: null and empty containers are empty, a "" is not.
  bool empty() const;

  // Member lookup (binary search); nullptr when absent or not an object.
  const Json* find(std::string_view key) const;
  Json* find(std::string_view key);
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  // Inserts null when absent; a null value becomes an object first.
  Json& operator[](std::string_view key);
  Json& operator[](const char* key) { return (*this)[std::string_view(key)]; }
  // Read-only: null when absent.
  const Json& operator[](std::string_view key) const;
  const Json& operator[](const char* key) const {
    return (*this)[std::string_view(key)];
  }
  const Json& operator[](std::size_t index) const;  // null when out of range
  Json& operator[](std::size_t index);              // grows the array
  // Integer literals would otherwise be ambiguous with the key overloads.
  template <typename I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  const Json& operator[](I index) const {
    return (*this)[static_cast<std::size_t>(index)];
  }
  template <typename I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
  Json& operator[](I index) {
    return (*this)[static_cast<std::size_t>(index)];
  }
  bool erase(std::string_view key);
  // A null value becomes an array first. Returns the element added.
  Json& push_back(Json value);

  // Compact without an indent, else one member per line. Invalid UTF-8 in
  // strings comes out as U+FFFD; NaN and infinities as null.
  std::string dump(int indent = -1) const;
  void DumpTo(std::string* out, int indent = -1) const;

  // Numbers compare by value (9 == 9.0); objects by their members.
  friend bool operator==(const Json& a, const Json& b);
  friend bool operator!=(const Json& a, const Json& b) { return !(a == b); }

 private:
  void Release() noexcept;
  // Compact and indented writers apart, so a build that only writes compact
  // JSON (the shop's module) does not carry the indenting.
  template <bool kIndented>
  void Dump(std::string* out, int indent, int level) const;

  Type type_ = Type::kNull;
  union {
    bool b;
    std::int64_t i;
    double d;
    std::string* s;
    Array* a;
    Object* o;
  } u_;
};

// Parses a whole document. Fails with invalid_json (message names the problem,
// line and column), too_large when `text` is over `max_bytes`, too_deep when
// arrays and objects nest deeper than `max_depth`. Strings must be valid
// UTF-8; duplicate keys keep the last value, as JSON.parse does; a leading
// UTF-8 byte order mark is skipped.
Result<Json> ParseJson(std::string_view text,
                       std::size_t max_bytes = std::size_t(-1),
                       int max_depth = 64);

}  // namespace sondar

#endif  // SONDAR_JSON_H_
