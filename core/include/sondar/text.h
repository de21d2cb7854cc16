// Localised text: every user-visible string in a survey is either a plain
// string (in the survey's default locale) or a {locale: text} map. Lookup falls
// back fr-CA -> fr -> survey default.
#ifndef SONDAR_TEXT_H_
#define SONDAR_TEXT_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sondar {

class LocalizedText {
 public:
  LocalizedText() = default;

  void Set(std::string locale, std::string text);
  bool empty() const { return entries_.empty(); }
  bool Has(std::string_view locale) const;  // exact tag, case-insensitive
  const std::vector<std::pair<std::string, std::string>>& entries() const {
    return entries_;
  }
  // Best text for `locale`, walking its fallback chain, then `default_locale`,
  // then any text.
  const std::string& Resolve(std::string_view locale,
                             std::string_view default_locale) const;

 private:
  const std::string* Find(std::string_view locale) const;
  std::vector<std::pair<std::string, std::string>>
      entries_;  // few locales: a vector wins
};

// The fallback chain of a BCP 47 tag, most specific first: "zh-Hant-TW" ->
// {"zh-Hant-TW", "zh-Hant", "zh"}.
std::vector<std::string> LocaleChain(std::string_view locale);
// The next tag of that chain: "zh-Hant-TW" -> "zh-Hant" -> "zh" -> "". Walking
// it needs no vector of strings:
//   for (auto tag = locale; !tag.empty(); tag = ParentLocale(tag)) ...
std::string_view ParentLocale(std::string_view tag);

// Loose BCP 47 shape check: a 2-3 letter language, then subtags of 1-8 letters
// or digits.
bool IsLocaleTag(std::string_view tag);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF).
bool IsUtf8(std::string_view text);

// Recall fields in texts: "{{hidden.product}}", "{{answers.nps}}",
// "{{attributes.first_name}}", with an optional fallback after "|":
// "Hi {{attributes.first_name|there}}".
struct RecallField {
  std::string_view source;  // hidden, answers or attributes
  std::string_view name;
  std::string_view fallback;
};

// The next field in `text` at or after `from`: its position and length, or
// false when there is none, or when a "{{" there does not open a well-formed
// field (then `error` is set, to why; empty in a build without messages).
bool NextRecall(std::string_view text, std::size_t from, std::size_t* at,
                std::size_t* length, RecallField* field,
                std::optional<std::string>* error);

}  // namespace sondar

#endif  // SONDAR_TEXT_H_
