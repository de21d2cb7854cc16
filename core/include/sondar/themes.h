// Themes: what customers' comments are about (delivery, price, ...), found by a
// deterministic keyword tagger, so the collector, the report and the
// workspace agree and no text leaves the shop's collector. Each theme's share
// of commented responses and its effect on the scores are computed against
// the other commented responses (core/README.md, "Themes").
#ifndef SONDAR_THEMES_H_
#define SONDAR_THEMES_H_

#include <string>
#include <string_view>
#include <vector>

#include "sondar/json.h"
#include "sondar/query.h"
#include "sondar/response.h"
#include "sondar/status.h"
#include "sondar/text.h"
#include "sondar/versions.h"

namespace sondar {

inline constexpr std::string_view kThemesSchema = "sondar.themes/1";
inline constexpr std::size_t kMaxThemes = 50;
inline constexpr std::size_t kMaxThemeWords = 500;

struct Theme {
  std::string id;
  LocalizedText label;
  // Lower-case keywords in any language. A word matches a whole word of the
  // comment; "deliver*" any word that starts so; a keyword in a script
  // written without spaces or with attached articles (Arabic, Chinese,
  // Japanese) matches anywhere in the text.
  std::vector<std::string> words;
  // The words as TagThemes looks for them, made once by ParseThemes.
  std::vector<std::string> needles;
};

// {"schema": "sondar.themes/1", "themes": [{"id", "label", "words"}]}; every
// error at its JSON path.
Result<std::vector<Theme>> ParseThemes(const Json& document);
// The default list for shops: delivery, price, product quality, size and
// fit, checkout and payment, returns, support, website, with labels and
// keywords in the widget's ten UI languages.
const std::vector<Theme>& DefaultThemes();
const Json& DefaultThemesDocument();

// Ids of the themes `text` mentions, in the list's order. Letters are
// compared in lower case (ASCII and Latin-1).
std::vector<std::string> TagThemes(const std::vector<Theme>& themes,
                                   std::string_view text);
// The themes of a response's comments (CommentsOf) as ResponseRecord::themes
// holds them: "" without a comment; "c" for a comment, then ",id" for each
// theme it mentions.
std::string ThemesOf(const std::vector<Theme>& themes, const Survey& version,
                     const Json& payload);
// The same from comments already found (CommentsOf), for a caller that keeps
// them too.
std::string ThemesOf(const std::vector<Theme>& themes,
                     const std::vector<Comment>& comments);
// Whether a record's themes (ThemesOf) name `id`; and whether it commented.
bool MentionsTheme(std::string_view themes, std::string_view id);
inline bool Commented(std::string_view themes) { return !themes.empty(); }

// Per theme: how many commented responses mention it, their share, and their
// scores against the other commented responses (Aggregate's vsRest), for the
// latest version's group of versions.
class ThemeAggregate {
 public:
  ThemeAggregate(const SurveyVersions& versions, std::vector<Theme> themes);
  void Add(int version, const ResponseRecord& record, std::uint64_t times = 1);
  // [{id, label (in `locale`), comments, share (% of commented responses),
  //   nps|csat|ces (of those mentioning it), vsRest}], in the list's order.
  Json Summary(std::string_view locale,
               double confidence = kDefaultConfidence) const;

 private:
  std::vector<Theme> themes_;
  // One per theme: each commented response under the segment "mentions" or
  // "rest", so the aggregate's own comparison gives the effect.
  std::vector<VersionedAggregate> by_theme_;
  std::uint64_t commented_ = 0;
};

}  // namespace sondar

#endif  // SONDAR_THEMES_H_
