#include "sondar/text.h"

#include "sondar/status.h"

namespace sondar {

namespace {
char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsAlnum(char c) { return IsAlpha(c) || (c >= '0' && c <= '9'); }
}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool IsLocaleTag(std::string_view tag) {
  std::size_t start = 0;
  bool first = true;
  while (start <= tag.size()) {
    std::size_t end = tag.find('-', start);
    if (end == std::string_view::npos) end = tag.size();
    std::string_view part = tag.substr(start, end - start);
    if (first) {
      if (part.size() < 2 || part.size() > 3) return false;
      for (char c : part)
        if (!IsAlpha(c)) return false;
    } else {
      if (part.empty() || part.size() > 8) return false;
      for (char c : part)
        if (!IsAlnum(c)) return false;
    }
    first = false;
    start = end + 1;
  }
  return true;
}

std::string_view ParentLocale(std::string_view tag) {
  const std::size_t dash = tag.rfind('-');
  return dash == std::string_view::npos ? std::string_view()
                                        : tag.substr(0, dash);
}

std::vector<std::string> LocaleChain(std::string_view locale) {
  std::vector<std::string> chain;
  for (auto tag = locale; !tag.empty(); tag = ParentLocale(tag))
    chain.emplace_back(tag);
  return chain;
}

void LocalizedText::Set(std::string locale, std::string text) {
  for (auto& entry : entries_) {
    if (EqualsIgnoreCase(entry.first, locale)) {
      entry.second = std::move(text);
      return;
    }
  }
  entries_.emplace_back(std::move(locale), std::move(text));
}

const std::string* LocalizedText::Find(std::string_view locale) const {
  for (const auto& entry : entries_) {
    if (EqualsIgnoreCase(entry.first, locale)) return &entry.second;
  }
  return nullptr;
}

bool LocalizedText::Has(std::string_view locale) const {
  return Find(locale) != nullptr;
}

const std::string& LocalizedText::Resolve(
    std::string_view locale, std::string_view default_locale) const {
  static const std::string kEmpty;
  for (auto tag = locale; !tag.empty(); tag = ParentLocale(tag)) {
    if (const std::string* s = Find(tag)) return *s;
  }
  for (auto tag = default_locale; !tag.empty(); tag = ParentLocale(tag)) {
    if (const std::string* s = Find(tag)) return *s;
  }
  return entries_.empty() ? kEmpty : entries_.front().second;
}

bool NextRecall(std::string_view text, std::size_t from, std::size_t* at,
                std::size_t* length, RecallField* f,
                std::optional<std::string>* error) {
  const std::size_t open = text.find("{{", from);
  if (open == std::string_view::npos) return false;
  const std::size_t close = text.find("}}", open + 2);
  if (close == std::string_view::npos) {
    *error = SONDAR_MESSAGE("has \"{{\" without a closing \"}}\"");
    return false;
  }
  std::string_view inner = text.substr(open + 2, close - open - 2);
  const std::size_t bar = inner.find('|');
  f->fallback = bar == std::string_view::npos ? std::string_view()
                                              : inner.substr(bar + 1);
  const std::string_view field = inner.substr(0, bar);
  const std::size_t dot = field.find('.');
  f->source = field.substr(0, dot);
  f->name = dot == std::string_view::npos ? std::string_view()
                                          : field.substr(dot + 1);
  if ((f->source != "hidden" && f->source != "answers" &&
       f->source != "attributes") ||
      f->name.empty() || f->fallback.find("{{") != std::string_view::npos) {
    *error = SONDAR_MESSAGE(
        "has \"{{" + std::string(inner) +
        "}}\", not a field such as {{hidden.name}}, {{answers.question}} "
        "or {{attributes.name|fallback}}");
    return false;
  }
  *at = open;
  *length = close + 2 - open;
  return true;
}

bool IsUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    // The ranges of the second byte that keep a sequence well-formed.
    std::size_t length;
    unsigned char low = 0x80, high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;   // overlong
      if (c == 0xED) high = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;   // overlong
      if (c == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (second < low || second > high) return false;
    for (std::size_t k = 2; k < length; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80)
        return false;
    i += length;
  }
  return true;
}

}  // namespace sondar
