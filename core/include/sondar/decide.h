// Eligibility: should this visitor see this survey now? The browser supplies
// the facts (event, page, time on page, scroll, attributes, history, now); the
// answer comes with a reason code.
#ifndef SONDAR_DECIDE_H_
#define SONDAR_DECIDE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sondar/survey.h"

namespace sondar {

enum class HistoryKind { kDisplay, kDismiss, kComplete };

struct HistoryEntry {
  std::string survey_id;
  HistoryKind kind = HistoryKind::kDisplay;
  std::int64_t at_ms = 0;
};

struct DecideContext {
  std::string event;    // empty: a page view or a timer/scroll re-check
  std::string clicked;  // the trigger.clicks selector a click matched
  std::string url;
  double seconds_on_page = 0;
  double scroll_percent = 0;
  bool exit_intent = false;
  // This visit: pages seen (this one included) and time since it began.
  int page_views = 1;
  double seconds_on_site = 0;
  // Surveys already shown in this page view (a site's maxPerPageView).
  int shown_this_page = 0;
  // Responses the collector holds per survey id, for closeAfter; a survey
  // missing here is not capped (the collector could not be asked).
  std::map<std::string, std::int64_t, std::less<>> response_counts;
  std::string visitor_id;
  std::string locale;
  Json attributes = Json::object();
  std::vector<HistoryEntry> history;
  std::int64_t now_ms = 0;
};

// Reads a context from {"event", "clicked", "url", "secondsOnPage",
// "scrollPercent", "exitIntent", "pageViews", "secondsOnSite", "shownThisPage",
// "responseCounts": {survey: n}, "visitorId" (required), "locale",
// "attributes", "history": [{"survey", "kind": "display|dismiss|complete",
// "at" (ms)}], "now" (ms, required)}.
Result<DecideContext> ParseDecideContext(const Json& document);

// ReasonName (decide.cpp) names these by position: add new ones at the end of
// its list too, in the same order.
enum class Reason {
  kShow,
  kNoTrigger,          // the event is not one the survey listens to
  kPageMismatch,       // the URL matches none of trigger.urls
  kTooEarly,           // trigger.delaySeconds not reached yet
  kNotScrolled,        // trigger.scrollPercent not reached yet
  kNoExitIntent,       // waits for exit intent
  kLocaleUnavailable,  // localeFallback is false and the visitor's language is
                       // missing
  kNotTargeted,        // targeting conditions fail on the visitor's attributes
  kDisplayCap,         // recontact.maxDisplays reached
  kRecontactWait,  // this survey was shown / dismissed / completed too recently
  kCooldown,       // another survey was shown too recently
  kSampledOut,     // the visitor's sticky bucket is outside sampling.percent
  kNotStarted,     // before schedule.startsAt
  kEnded,          // after schedule.endsAt
  kClosed,         // the collector holds closeAfter responses
  kFewPageViews,   // trigger.pageViews not reached in this visit
  // Site rules (DecideSite), for a survey that would otherwise show:
  kPageCap,    // the site's maxPerPageView surveys were shown on this page
  kSiteCap,    // the site's maxPerPeriod surveys were shown in its window
  kOutranked,  // another eligible survey comes first by priority
};

std::string_view ReasonName(Reason reason);

struct Decision {
  bool show = false;
  Reason reason = Reason::kNoTrigger;
  std::string detail;  // human-readable, for debug logs
  std::int64_t retry_at_ms =
      0;  // for time-based refusals: when asking again can succeed

  // {"show": false, "reason": "recontact_wait", "detail": "...", "retryAt":
  // 1767225600000}
  Json ToJson() const;
};

Decision Decide(const Survey& survey, const DecideContext& context);

// URL rule matching as trigger.urls uses it: values starting with "/" match the
// page's path and query, others the whole URL; glob understands "*" as any run
// of characters.
bool MatchUrl(const UrlRule& rule, std::string_view url);

}  // namespace sondar

#endif  // SONDAR_DECIDE_H_
