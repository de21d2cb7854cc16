#include "sondar/util.h"

#include <algorithm>

namespace sondar {

namespace {

constexpr std::int64_t kMsPerDay = 86400000;

// Days since 1970-01-01 of a proleptic Gregorian date; era arithmetic after H.
// Hinnant's public-domain "chrono-compatible low-level date algorithms".
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void CivilFromDays(std::int64_t z, std::int64_t* year, unsigned* month,
                   unsigned* day) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = static_cast<std::int64_t>(yoe) + era * 400 + (*month <= 2);
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

bool IsLeap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned DaysInMonth(std::int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30,
                                   31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at `pos`.
bool Digits(std::string_view s, std::size_t pos, std::size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

}  // namespace

namespace {

// Zero-padded decimal; hand-written so neither the CLI's hot loop nor the wasm
// build pulls in printf.
void AppendPadded(std::string* out, std::int64_t value, int width) {
  char digits[24];
  int n = 0;
  const bool negative = value < 0;
  std::uint64_t v = negative ? 0 - static_cast<std::uint64_t>(value)
                             : static_cast<std::uint64_t>(value);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  if (negative) out->push_back('-');
  for (int i = n; i < width; ++i) out->push_back('0');
  while (n > 0) out->push_back(digits[--n]);
}

}  // namespace

namespace {

// "YYYY-MM-DD" of the UTC day holding `unix_ms`; returns the day's first ms.
std::int64_t AppendDate(std::string* out, std::int64_t unix_ms) {
  const std::int64_t days = FloorDiv(unix_ms, kMsPerDay);
  std::int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  AppendPadded(out, y, 4);
  out->push_back('-');
  AppendPadded(out, m, 2);
  out->push_back('-');
  AppendPadded(out, d, 2);
  return days * kMsPerDay;
}

}  // namespace

std::string FormatTimestamp(std::int64_t unix_ms) {
  std::string out;
  out.reserve(24);
  const std::int64_t in_day = unix_ms - AppendDate(&out, unix_ms);
  out += 'T';
  AppendPadded(&out, in_day / 3600000, 2);
  out += ':';
  AppendPadded(&out, in_day / 60000 % 60, 2);
  out += ':';
  AppendPadded(&out, in_day / 1000 % 60, 2);
  out += '.';
  AppendPadded(&out, in_day % 1000, 3);
  out += 'Z';
  return out;
}

std::string FormatDay(std::int64_t unix_ms) {
  // Once per aggregated response: no detour through the whole timestamp.
  std::string out;
  AppendDate(&out, unix_ms);
  return out;
}

std::optional<std::int64_t> ParseTimestamp(std::string_view s) {
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, &year) || s.size() < 20 || s[4] != '-' ||
      !Digits(s, 5, 2, &month) || s[7] != '-' || !Digits(s, 8, 2, &day) ||
      (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, &hour) ||
      s[13] != ':' || !Digits(s, 14, 2, &minute) || s[16] != ':' ||
      !Digits(s, 17, 2, &second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) >
          DaysInMonth(year, static_cast<unsigned>(month)) ||
      hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  int millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    std::size_t start = ++pos;
    int scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;  // digits past milliseconds are dropped
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 9) return std::nullopt;
  }
  std::int64_t offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() ||
        s[pos + 3] != ':' || !Digits(s, pos + 4, 2, &om) || oh > 23 ||
        om > 59) {
      return std::nullopt;
    }
    offset_minutes = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    pos += 6;
  } else {
    return std::nullopt;  // RFC 3339 requires an offset
  }
  if (pos != s.size()) return std::nullopt;
  const std::int64_t days = DaysFromCivil(year, static_cast<unsigned>(month),
                                          static_cast<unsigned>(day));
  return days * kMsPerDay + hour * 3600000LL + minute * 60000LL +
         second * 1000LL + millis - offset_minutes * 60000LL;
}

std::uint64_t Fnv1a64(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

int SamplingBucket(std::string_view visitor_id, std::string_view survey_id) {
  std::string key;
  key.reserve(visitor_id.size() + survey_id.size() + 1);
  key.append(visitor_id);
  key.push_back(
      '\x1f');  // unit separator: ("ab","c") and ("a","bc") must not collide
  key.append(survey_id);
  return static_cast<int>(Fnv1a64(key) % 10000);
}

bool IsUuidV4(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!IsHex(s[i])) {
      return false;
    }
  }
  const char variant = s[19];
  return s[14] == '4' && (variant == '8' || variant == '9' || variant == 'a' ||
                          variant == 'b' || variant == 'A' || variant == 'B');
}

std::string CanonicalUuid(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string StripUrl(std::string_view url) {
  std::size_t cut = url.find_first_of("?#");
  std::string_view head = url.substr(0, cut);
  std::size_t scheme = head.find("://");
  if (scheme == std::string_view::npos) return std::string(head);
  std::size_t authority_start = scheme + 3;
  std::size_t path_start = head.find('/', authority_start);
  std::string_view authority =
      head.substr(authority_start, path_start == std::string_view::npos
                                       ? std::string_view::npos
                                       : path_start - authority_start);
  std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string out(head.substr(0, authority_start));
  out.append(authority);
  if (path_start != std::string_view::npos) out.append(head.substr(path_start));
  return out;
}

std::string_view NthWord(std::string_view words, std::size_t index) {
  std::size_t from = 0;
  for (; index > 0 && from < words.size(); --index) {
    from = words.find(' ', from);
    if (from == std::string_view::npos) return {};
    ++from;
  }
  if (from >= words.size()) return {};
  return words.substr(from, words.find(' ', from) - from);
}

int WordIndex(std::string_view words, std::string_view word) {
  int index = 0;
  for (std::size_t from = 0; from < words.size(); ++index) {
    const std::size_t end = std::min(words.find(' ', from), words.size());
    if (!word.empty() && words.substr(from, end - from) == word) return index;
    from = end + 1;
  }
  return -1;
}

}  // namespace sondar
