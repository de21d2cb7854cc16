// A site manifest, schema "sondar.site/1": every survey one script tag serves,
// with priorities and the rules that hold across them. The core picks at most
// one survey per decision, and says why each other one did not show.
#ifndef SONDAR_SITE_H_
#define SONDAR_SITE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sondar/decide.h"
#include "sondar/survey.h"

namespace sondar {

inline constexpr std::string_view kSiteSchema = "sondar.site/1";
inline constexpr std::size_t kMaxSiteBytes = 1024 * 1024;
inline constexpr std::size_t kMaxSiteSurveys = 50;

struct SiteEntry {
  // Empty: the survey is inline and complete. Otherwise where to fetch it
  // once chosen; `survey` then holds only its rules (ParseSurveyRules).
  std::string url;
  // The widget fetches `url` as soon as it has read the manifest, before the
  // core has chosen: the author's hint for the survey a page is likely to show.
  bool preload = false;
  int priority = 0;  // higher first; ties keep manifest order
  SurveyPtr survey;
};

struct SiteRules {
  int max_per_page_view = 1;  // 0: no limit
  double cooldown_days = 0;   // after any survey was shown
  int max_per_period = 0;     // at most this many shown per period_days
  double period_days = 0;
};

struct Site {
  std::vector<SiteEntry> surveys;
  SiteRules rules;
  // Indices into `surveys`, in the order the decision tries them.
  std::vector<std::size_t> order;
};

// Parses and validates a manifest; errors carry paths such as
// "surveys[2].survey.questions[0].type" or "rules.cooldownDays".
Result<Site> ParseSite(std::string_view text);
Result<Site> ParseSiteDocument(const Json& document);

// The survey at `index` to show: an inline one as parsed; one given by URL
// from `text`, the document fetched from there, which must be a valid survey
// with the id the manifest gives (errors at "surveys[i].url", or "index").
Result<SurveyPtr> SiteSurvey(const Site& site, std::size_t index,
                             std::string_view text);

// The members of a survey that decide whether it shows (trigger, targeting,
// sampling, recontact, schedule, closeAfter). A manifest entry given by URL
// carries its own copy of them, because the widget decides before it fetches.
const std::vector<std::string>& SurveyRuleKeys();

// `entry` (a manifest entry given by URL) with its rules replaced by those of
// `survey` (the survey's document): what a collector that publishes both
// serves, so a survey published with a new trigger is decided by it without a
// manifest publish, and the manifest's copy can never disagree.
Json WithRulesOf(Json entry, const Json& survey);

// One survey as a site of one, without site-wide rules: what the widget runs
// when given a single survey.
Site SiteOfOne(SurveyPtr survey);

struct SiteDecision {
  int chosen = -1;  // index into Site::surveys, or -1
  // In Site::order: each survey's own decision, or why the site held it back.
  std::vector<Decision> decisions;

  // {"show": "order-nps" or null, "index": 1 or -1, "waiting", "retryAt",
  // "surveys": [{"survey", "priority", "show", "reason", "detail",
  // "retryAt"}]}: "waiting" when a survey waits for something later on this
  // page (time, scroll, exit intent) and "retryAt" the earliest time to ask
  // again for one waiting on time.
  Json ToJson(const Site& site) const;
};

// Decides for every survey of the site at once: each survey's own rules
// first, then the site's (page cap, cooldown, period cap), then priority.
SiteDecision DecideSite(const Site& site, const DecideContext& context);

}  // namespace sondar

#endif  // SONDAR_SITE_H_
