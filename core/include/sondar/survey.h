// The survey definition, schema "sondar.survey/1", parsed and validated in one
// pass.
#ifndef SONDAR_SURVEY_H_
#define SONDAR_SURVEY_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sondar/condition.h"
#include "sondar/shared.h"
#include "sondar/status.h"
#include "sondar/text.h"

namespace sondar {

inline constexpr std::string_view kSurveySchema = "sondar.survey/1";
// Limits on what ParseSurvey accepts; larger documents are rejected as
// too_large / too_deep.
inline constexpr std::size_t kMaxSurveyBytes = 256 * 1024;
inline constexpr int kMaxJsonDepth = 32;
inline constexpr std::size_t kMaxQuestions = 100;
inline constexpr std::size_t kMaxOptions = 50;
inline constexpr int kMaxScalePoints = 11;
inline constexpr int kDefaultTextMaxLength = 1000;
inline constexpr int kMaxTextMaxLength = 10000;
// Longest "other" text and e-mail address, in Unicode code points / bytes.
inline constexpr int kMaxOtherLength = 1000;
inline constexpr std::size_t kMaxEmailLength = 254;

enum class QuestionType {
  kNps,
  kCsat,
  kCes,
  kRating,
  kSingleChoice,
  kMultiChoice,
  kText,
  kContact  // "may we contact you?": consent, and an e-mail address if asked
};
enum class ScaleDisplay { kNumber, kStar, kEmoji, kThumbs };
// The schema's names of both, in the enumerators' order (util.h NthWord).
inline constexpr std::string_view kTypeNames =
    "nps csat ces rating single_choice multi_choice text contact";
inline constexpr std::string_view kDisplayNames = "number star emoji thumbs";

std::string_view TypeName(QuestionType type);
std::string_view DisplayName(ScaleDisplay display);

struct Scale {
  int min = 0;
  int max = 0;
  ScaleDisplay display = ScaleDisplay::kNumber;
  LocalizedText low_label;
  LocalizedText high_label;
  // csat: lowest "satisfied" point (satisfiedMin); ces: lowest "agree" point
  // (agreeMin). Default for both: every point strictly above the scale's
  // midpoint (4-5 on 1-5, 5-7 on 1-7).
  int threshold = 0;

  int points() const { return max - min + 1; }
};

struct Option {
  std::string id;
  LocalizedText label;
  // "Other": choosing it opens a free-text field; its text travels in the
  // payload's "other" map. At most one per question, always shown last.
  bool other = false;
};

struct Jump {
  Condition when;
  std::string target;  // question id or ending id
  bool to_ending = false;
  std::size_t target_index = 0;  // into questions or endings
};

struct Question {
  std::string id;
  QuestionType type = QuestionType::kText;
  LocalizedText prompt;
  LocalizedText description;
  bool required = false;
  std::optional<Scale> scale;   // nps csat ces rating
  std::vector<Option> options;  // single_choice multi_choice
  // Options in a random order per response (the "other" option stays last);
  // the order shown travels in the payload's "optionOrder".
  bool shuffle = false;
  int max_select = 0;                      // multi_choice; 0 = no limit
  bool ask_email = false;                  // contact
  int max_length = kDefaultTextMaxLength;  // text, in Unicode code points
  LocalizedText placeholder;               // text
  std::optional<Condition> show_if;
  std::vector<Jump> logic;

  bool scored() const {
    return type == QuestionType::kNps || type == QuestionType::kCsat ||
           type == QuestionType::kCes;
  }
  // Index of option `id`, or -1.
  int OptionIndex(std::string_view id) const;
  // Index of the "other" option, or -1.
  int OtherIndex() const;
  // Whether `value`, a valid answer, chooses the "other" option.
  bool ChoosesOther(const Json& value) const;
};

struct Ending {
  std::string id;
  LocalizedText title;
  LocalizedText body;
  std::string link_url;
  LocalizedText link_label;
  std::optional<Condition> when;
};

struct UrlRule {
  enum class Match { kExact, kPrefix, kContains, kSuffix, kGlob };
  Match match = Match::kContains;
  std::string value;
  bool negate = false;  // "not": true, a page the survey must never show on
};

struct Trigger {
  // Empty events and clicks: shows on page view. Otherwise one of the events,
  // or a click on an element matching one of the CSS selectors in `clicks`.
  std::vector<std::string> events;
  std::vector<std::string> clicks;
  // Empty: any page. Otherwise the page must match one rule without "not"
  // (if there is any) and none with "not".
  std::vector<UrlRule> urls;
  double delay_seconds = 0;
  // This visit (a visit ends after 30 idle minutes; the browser counts):
  int page_views = 0;          // at least this many pages seen
  double seconds_on_site = 0;  // at least this long since it began
  double scroll_percent = 0;
  bool exit_intent = false;
};

struct Recontact {
  // Days to wait after this visitor last saw / dismissed / completed this
  // survey.
  double after_display_days = 1;
  double after_dismiss_days = 30;
  double after_complete_days = 90;
  // Days to wait after the visitor was shown any sondar survey.
  double global_cooldown_days = 0;
  int max_displays = 0;  // 0 = no cap
};

struct Survey {
  std::string id;
  int version = 1;
  std::string locale = "en";
  bool locale_fallback =
      true;  // false: hide from visitors whose language is not translated
  LocalizedText title;
  std::vector<Question> questions;
  std::vector<Ending> endings;
  Trigger trigger;
  std::optional<Condition> targeting;
  double sampling_percent = 100;
  Recontact recontact;
  // schedule.startsAt / endsAt as Unix ms; 0: no bound.
  std::int64_t starts_at_ms = 0;
  std::int64_t ends_at_ms = 0;
  // Stop showing once the collector counts this many responses; 0: never.
  int close_after = 0;
  std::vector<std::string> hidden;  // names of host-supplied hidden fields
  // The hidden fields marked "pii": personal data, kept from viewers.
  std::vector<std::string> personal_hidden;
  // Locales every text of the survey is translated into (always holds
  // `locale`).
  std::vector<std::string> complete_locales;

  // Index of question `id`, or -1.
  int QuestionIndex(std::string_view id) const;
  int EndingIndex(std::string_view id) const;
  // True if `visitor_locale` (or a less specific form of it) is fully
  // translated.
  bool Supports(std::string_view visitor_locale) const;
};

// A visitor's answers by question id. Values are as in the response payload: an
// integer for scales, an option id for single_choice, an array of option ids
// for multi_choice, a string for text.
using Answers = std::map<std::string, Json, std::less<>>;

// A plausible e-mail address: one "@" between a local part and a domain with
// a dot, no spaces or control characters, at most 254 bytes. Whether it
// reaches anyone only sending mail can tell.
bool IsEmail(std::string_view text);

// Checks one answer against its question; `path` prefixes the error (e.g.
// "answers.q1"). A contact answer is {"consent": true|false, "email"}.
Status CheckAnswer(const Question& question, const Json& value,
                   const std::string& path);

// Whether a link a survey shows (an ending's link) may be followed: an
// absolute http: or https: URL whose host is plain ASCII (letters, digits,
// '-' and '.', or a dotted IPv4 address; no user name, no IDN), or a path
// that stays on the page's origin after a browser's URL parser has read it.
// Anything a WHATWG parser strips or rewrites (spaces, tabs, newlines,
// control characters, backslashes) is refused rather than guessed at.
// tests/wasm/links.test.mjs holds this against Node's URL.
inline constexpr std::size_t kMaxLinkLength = 2048;
bool IsSafeLink(std::string_view url);

// `document` without the members whose names start with "x-", at any depth:
// the owner's notes, kept by the collector and not served to shoppers.
Json WithoutExtensions(const Json& document);

// Parses and validates a survey document. On failure returns every error found.
Result<Survey> ParseSurvey(std::string_view text);
Result<Survey> ParseSurveyDocument(const Json& document);

// Reads only what deciding needs ("id", "trigger", "targeting", "sampling",
// "recontact", "schedule", "closeAfter") from `object`, ignoring its other
// keys: a site manifest's entry for a survey fetched only once it is chosen.
// Error paths are relative to `object`.
Result<Survey> ParseSurveyRules(const Json& object);

// How sessions, sites and version lists hold a parsed survey.
using SurveyPtr = Shared<const Survey>;

}  // namespace sondar

#endif  // SONDAR_SURVEY_H_
