// Links a survey shows, read the way a browser's URL parser (WHATWG) will
// read them: whatever it would strip or rewrite is refused, so what the core
// accepted is what the visitor follows.
#include <cstdint>

#include "sondar/survey.h"
#include "sondar/text.h"

namespace sondar {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsHostChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c == '-' || c == '.';
}

// A WHATWG parser reads a host whose last label is a number (decimal, or
// 0x... hex) as an IPv4 address, and fails on most such hosts: only the
// canonical dotted form (four decimal parts, 0-255, no leading zeros) is
// taken.
bool EndsInNumber(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  const std::size_t dot = host.rfind('.');
  std::string_view last =
      dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (last.empty()) return false;
  if (last.size() >= 2 && last[0] == '0' &&
      (last[1] == 'x' || last[1] == 'X')) {
    for (char c : last.substr(2))
      if (!IsHex(c)) return false;
    return true;
  }
  for (char c : last)
    if (!IsDigit(c)) return false;
  return true;
}

bool IsDottedQuad(std::string_view host) {
  int parts = 0;
  std::size_t at = 0;
  while (at <= host.size()) {
    std::size_t end = host.find('.', at);
    if (end == std::string_view::npos) end = host.size();
    const std::string_view part = host.substr(at, end - at);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0'))
      return false;
    int value = 0;
    for (char c : part) {
      if (!IsDigit(c)) return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
    ++parts;
    at = end + 1;
  }
  return parts == 4;
}

bool IsPlainHost(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host)
    if (!IsHostChar(c)) return false;
  // Punycode labels go through IDNA, which refuses many of them.
  for (std::size_t at = 0; at < host.size();) {
    std::size_t end = host.find('.', at);
    if (end == std::string_view::npos) end = host.size();
    if (end - at >= 4 && EqualsIgnoreCase(host.substr(at, 4), "xn--"))
      return false;
    at = end + 1;
  }
  return !EndsInNumber(host) || IsDottedQuad(host);
}

bool IsPort(std::string_view port) {
  if (port.size() > 5) return false;
  std::int32_t value = 0;
  for (char c : port) {
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  return value <= 65535;
}

}  // namespace

bool IsSafeLink(std::string_view url) {
  if (url.empty() || url.size() > kMaxLinkLength) return false;
  for (unsigned char c : url) {
    // Spaces, tabs, newlines and control characters are stripped or
    // removed by the parser, and a backslash is read as a slash.
    if (c <= 0x20 || c == 0x7f || c == '\\') return false;
  }
  if (url[0] == '/') return url.size() == 1 || url[1] != '/';
  auto after = [&](std::string_view scheme) -> std::string_view {
    if (url.size() < scheme.size() ||
        !EqualsIgnoreCase(url.substr(0, scheme.size()), scheme))
      return {};
    return url.substr(scheme.size());
  };
  std::string_view rest = after("https://");
  if (rest.empty()) rest = after("http://");
  if (rest.empty()) return false;
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  std::string_view host = authority;
  const std::size_t colon = authority.find(':');
  if (colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    if (!IsPort(authority.substr(colon + 1))) return false;
  }
  return IsPlainHost(host);
}

namespace {

void Strip(Json& value) {
  if (value.is_array()) {
    for (Json& item : value.as_array()) Strip(item);
  } else if (value.is_object()) {
    std::vector<std::string> extensions;
    for (auto& [key, member] : value.as_object()) {
      if (key.rfind("x-", 0) == 0)
        extensions.push_back(key);
      else
        Strip(member);
    }
    for (const std::string& key : extensions) value.erase(key);
  }
}

}  // namespace

Json WithoutExtensions(const Json& document) {
  Json copy = document;
  Strip(copy);
  return copy;
}

}  // namespace sondar
