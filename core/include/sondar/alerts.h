// Alert rules: which stored responses a webhook is sent for, and what it
// says. The collector stores a rule and, in the transaction that stores a
// response, writes the delivery the core decides on; it only transports it.
#ifndef SONDAR_ALERTS_H_
#define SONDAR_ALERTS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sondar/condition.h"
#include "sondar/json.h"
#include "sondar/response.h"
#include "sondar/status.h"
#include "sondar/survey.h"

namespace sondar {

// json and slack POST to an https: URL; email and digest go to mailto:
// addresses (email: an alert per response; digest: once a day per survey,
// no rule).
enum class AlertTemplate { kJson, kSlack, kEmail, kDigest };
std::string_view AlertTemplateName(AlertTemplate format);

inline constexpr std::size_t kMaxAlertRuleBytes = 16 * 1024;
inline constexpr std::size_t kMaxAlertSurveys = 100;
inline constexpr std::size_t kMaxAlertUrlBytes = 2048;

// A webhook's rule. Leaves of `when` name what they test with one key:
//   {"question": id, ...}  the answer (as in showIf; "answered" tests presence)
//   {"category": id, ...}  the category of a scored answer (promoter,
//                          passive, detractor, satisfied, ...)
//   {"hidden": name, ...}  a hidden field ("exists" tests presence)
//   {"field": "trigger" | "locale" | "status" | "theme", ...}
//                          what the response was shown for, its language,
//                          its status, a theme its comments mention
// with "op" and "value" as in every condition, grouped by "all" / "any".
struct AlertRule {
  std::string url;  // checked by the sender, which owns URL parsing
  Condition when;
  Json when_json;  // as given, for what is sent
  AlertTemplate format = AlertTemplate::kJson;
  std::vector<std::string> surveys;  // empty: every survey
};

// Reads {"url", "when", "template", "surveys"} ("when" is required but for
// a digest, which takes none); errors name the member, e.g.
// `when.all[1].op`. `known` are the surveys here (their latest versions): a
// new rule may only name those, and its questions must be questions of one
// of them (of every one when it names surveys). nullptr skips those checks,
// for a rule read back from storage that was checked when it was made.
Result<AlertRule> ParseAlertRule(const Json& body,
                                 const std::vector<const Survey*>* known);

// What a stored version of a response means for one rule. A rule fires once
// per response: on the first stored version that is complete or dismissed
// (someone who scored 2 and closed the survey is the one to call) and
// matches. A partial that matches is held for `hold` (see the collector's
// --alert-partial-after): if the visitor goes on, the final version decides
// instead; if not, the held alert is sent when the time is up. Once sent, no
// later version sends another.
enum class AlertAction {
  kNone,      // not for this rule's surveys
  kFire,      // matches and is final: send (replacing a held alert)
  kHold,      // matches and is partial: hold (replacing a held alert)
  kWithdraw,  // does not match: drop an alert still held for it
};
AlertAction DecideAlert(const AlertRule& rule, const std::string& survey_id,
                        const Json& response, std::string_view themes);

// The body sent for a response. `response` is the stored payload, `themes`
// its ThemesOf, `link` where the workspace shows it.
struct AlertInput {
  const Survey& version;
  const Json& response;
  std::string_view themes;
  std::string_view webhook_id;
  std::string_view link;
};
// email: sondar::AlertEmail as {"subject", "text", "html"} (email.h).
// json: {"type": "response.alert", "webhookId", "rule": {"when": ...},
// "response": <stored payload>, "themes": [...], "link"}. slack: an incoming
// webhook message (text and blocks) with the scores, the comments, the
// segment, the customer id and the link, escaped so that a comment cannot
// mention a channel or forge a link.
std::string AlertBody(const AlertRule& rule, const AlertInput& input);

}  // namespace sondar

#endif  // SONDAR_ALERTS_H_
