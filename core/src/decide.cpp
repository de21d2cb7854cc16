#include "sondar/decide.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <tuple>

#include "json_reader.h"
#include "sondar/util.h"

namespace sondar {

using internal::PathIndex;
using internal::PathKey;

namespace {

constexpr double kMsPerDay = 86400000.0;
constexpr std::size_t kMaxHistory = 1000;

// Glob with "*" only; iterative with one backtrack point, so linear-ish and
// stack-free.
bool Glob(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// "/checkout?step=2" from "https://shop.example/checkout?step=2#top".
std::string_view PathAndQuery(std::string_view url) {
  url = url.substr(0, url.find('#'));
  std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return url;
  std::size_t path = url.find_first_of("/?", scheme + 3);
  return path == std::string_view::npos ? std::string_view("/")
                                        : url.substr(path);
}

Decision No(Reason reason, std::string detail, std::int64_t retry_at = 0) {
  return {false, reason, std::move(detail), retry_at};
}
#ifdef SONDAR_NO_MESSAGES
Decision No(Reason reason, NoMessage, std::int64_t retry_at = 0) {
  return {false, reason, {}, retry_at};
}
#endif

// 30 -> "30", 0.5 -> "0.5"; nlohmann's shortest round-trip formatting, no
// printf.
[[maybe_unused]] std::string Days(double days) { return Json(days).dump(); }

}  // namespace

std::string_view ReasonName(Reason reason) {
  // In the order of the enum (decide.h), so the reason is the index.
  constexpr std::string_view kNames =
      "show no_trigger page_mismatch too_early not_scrolled no_exit_intent "
      "locale_unavailable not_targeted display_cap recontact_wait cooldown "
      "sampled_out not_started ended closed few_page_views page_cap site_cap "
      "outranked";
  const std::string_view name =
      NthWord(kNames, static_cast<std::size_t>(reason));
  return name.empty() ? "unknown" : name;
}

Json Decision::ToJson() const {
  Json out = Json::object();
  out["show"] = show;
  out["reason"] = ReasonName(reason);
  out["detail"] = detail;
  Json& retry_at = out["retryAt"];
  if (retry_at_ms) retry_at = retry_at_ms;
  return out;
}

bool MatchUrl(const UrlRule& rule, std::string_view url) {
  std::string_view subject =
      (!rule.value.empty() && rule.value[0] == '/') ? PathAndQuery(url) : url;
  std::string_view v = rule.value;
  switch (rule.match) {
    case UrlRule::Match::kExact:
      return subject == v;
    case UrlRule::Match::kPrefix:
      return subject.substr(0, v.size()) == v;
    case UrlRule::Match::kContains:
      return subject.find(v) != std::string_view::npos;
    case UrlRule::Match::kSuffix:
      return subject.size() >= v.size() &&
             subject.substr(subject.size() - v.size()) == v;
    case UrlRule::Match::kGlob:
      return Glob(v, subject);
  }
  return false;
}

Result<DecideContext> ParseDecideContext(const Json& doc) {
  Errors errors;
  internal::Reader r(&errors);
  DecideContext c;
  if (!r.ExpectObject(doc, "")) return errors;
  r.CheckKeys(doc, "",
              "event clicked url secondsOnPage scrollPercent exitIntent "
              "pageViews secondsOnSite shownThisPage responseCounts visitorId "
              "locale attributes history now");
  if (auto v = r.String(doc, "", "event")) c.event = *v;
  if (auto v = r.String(doc, "", "clicked")) c.clicked = *v;
  if (auto v = r.Number(doc, "", "secondsOnSite")) c.seconds_on_site = *v;
  auto count = [&](const Json& object, const std::string& path,
                   std::string_view key, std::int64_t* into) {
    if (auto v = r.Integer(object, path, key)) {
      if (*v < 0) {
        r.Fail(ErrorCode::kInvalidValue, PathKey(path, key),
               SONDAR_MESSAGE("must not be negative"));
      } else {
        *into = *v;
      }
    }
  };
  std::int64_t page_views = 1, shown = 0;
  count(doc, "", "pageViews", &page_views);
  count(doc, "", "shownThisPage", &shown);
  c.page_views = static_cast<int>(std::min<std::int64_t>(page_views, 1 << 30));
  c.shown_this_page = static_cast<int>(std::min<std::int64_t>(shown, 1 << 30));
  if (const Json* counts = r.Object(doc, "", "responseCounts")) {
    for (const auto& [id, n] : counts->as_object()) {
      std::int64_t value = 0;
      count(*counts, "responseCounts", id, &value);
      c.response_counts[id] = value;
    }
  }
  if (auto v = r.String(doc, "", "url")) c.url = *v;
  if (auto v = r.Number(doc, "", "secondsOnPage")) c.seconds_on_page = *v;
  if (auto v = r.Number(doc, "", "scrollPercent")) c.scroll_percent = *v;
  if (auto v = r.Bool(doc, "", "exitIntent")) c.exit_intent = *v;
  if (auto v = r.String(doc, "", "visitorId", true)) {
    if (v->empty())
      r.Fail(ErrorCode::kInvalidValue, "visitorId",
             SONDAR_MESSAGE("must not be empty"));
    c.visitor_id = *v;
  }
  if (auto v = r.String(doc, "", "locale")) c.locale = *v;
  if (const Json* a = r.Object(doc, "", "attributes")) c.attributes = *a;
  if (auto v = r.Integer(doc, "", "now", true)) c.now_ms = *v;
  if (const Json* history = r.Array(doc, "", "history")) {
    if (history->size() > kMaxHistory) {
      r.Fail(ErrorCode::kTooLarge, "history",
             SONDAR_MESSAGE("holds more than " + internal::Str(kMaxHistory) +
                            " entries"));
    } else {
      for (std::size_t i = 0; i < history->size(); ++i) {
        const Json& h = (*history)[i];
        const std::string path = PathIndex("history", i);
        if (!r.ExpectObject(h, path)) continue;
        r.CheckKeys(h, path, "survey kind at");
        HistoryEntry e;
        auto survey = r.String(h, path, "survey", true);
        auto kind = r.String(h, path, "kind", true);
        auto at = r.Integer(h, path, "at", true);
        if (!survey || !kind || !at) continue;
        // HistoryKind's enumerators in order.
        const int k = WordIndex("display dismiss complete", *kind);
        if (k >= 0) {
          e.kind = static_cast<HistoryKind>(k);
        } else {
          r.Fail(ErrorCode::kInvalidValue, PathKey(path, "kind"),
                 SONDAR_MESSAGE("must be display, dismiss or complete (got \"" +
                                *kind + "\")"));
          continue;
        }
        e.survey_id = *survey;
        e.at_ms = *at;
        c.history.push_back(std::move(e));
      }
    }
  }
  if (!errors.empty()) return errors;
  return c;
}

Decision Decide(const Survey& s, const DecideContext& c) {
  if (s.starts_at_ms && c.now_ms < s.starts_at_ms) {
    return No(
        Reason::kNotStarted,
        SONDAR_MESSAGE("scheduled from " + FormatTimestamp(s.starts_at_ms)),
        s.starts_at_ms);
  }
  if (s.ends_at_ms && c.now_ms >= s.ends_at_ms) {
    return No(Reason::kEnded,
              SONDAR_MESSAGE("ended at " + FormatTimestamp(s.ends_at_ms)));
  }
  if (s.close_after > 0) {
    auto n = c.response_counts.find(s.id);
    if (n != c.response_counts.end() && n->second >= s.close_after) {
      return No(Reason::kClosed, SONDAR_MESSAGE("the collector holds " +
                                                internal::Str(n->second) +
                                                " responses; closeAfter is " +
                                                internal::Str(s.close_after)));
    }
  }
  const Trigger& t = s.trigger;
  auto has = [](const std::vector<std::string>& list, const std::string& x) {
    return !x.empty() && std::find(list.begin(), list.end(), x) != list.end();
  };
  if ((!t.events.empty() || !t.clicks.empty()) && !has(t.events, c.event) &&
      !has(t.clicks, c.clicked)) {
    return No(
        Reason::kNoTrigger,
        SONDAR_MESSAGE(!c.clicked.empty() ? "does not listen to clicks on \"" +
                                                c.clicked + "\""
                       : c.event.empty()
                           ? "waits for an event or a click"
                           : "does not listen to \"" + c.event + "\""));
  }
  bool any_positive = false, matched = false;
  for (std::size_t i = 0; i < t.urls.size(); ++i) {
    const UrlRule& rule = t.urls[i];
    const bool match = MatchUrl(rule, c.url);
    if (rule.negate && match) {
      return No(Reason::kPageMismatch,
                SONDAR_MESSAGE("trigger.urls[" + internal::Str(i) +
                               "] excludes this page"));
    }
    any_positive |= !rule.negate;
    matched |= !rule.negate && match;
  }
  if (any_positive && !matched) {
    return No(Reason::kPageMismatch,
              SONDAR_MESSAGE("no trigger.urls rule matches this page"));
  }
  if (c.page_views < t.page_views) {
    return No(
        Reason::kFewPageViews,
        SONDAR_MESSAGE("waits for page view " + internal::Str(t.page_views) +
                       " of the visit (this is " + internal::Str(c.page_views) +
                       ")"));
  }
  // Both clocks run together: the later one decides when to ask again.
  const double wait = std::max(t.delay_seconds - c.seconds_on_page,
                               t.seconds_on_site - c.seconds_on_site);
  if (wait > 0) {
    return No(Reason::kTooEarly,
              SONDAR_MESSAGE("waits " + Days(wait) +
                             (t.delay_seconds - c.seconds_on_page >= wait
                                  ? " more seconds on the page"
                                  : " more seconds on the site")),
              c.now_ms + static_cast<std::int64_t>(std::ceil(wait * 1000)));
  }
  if (c.scroll_percent < t.scroll_percent) {
    return No(Reason::kNotScrolled,
              SONDAR_MESSAGE("waits for " + Days(t.scroll_percent) +
                             "% scroll depth"));
  }
  if (t.exit_intent && !c.exit_intent) {
    return No(Reason::kNoExitIntent, SONDAR_MESSAGE("waits for exit intent"));
  }
  if (!s.locale_fallback && !s.Supports(c.locale)) {
    return No(Reason::kLocaleUnavailable,
              SONDAR_MESSAGE("not translated into \"" + c.locale +
                             "\" and localeFallback is false"));
  }
  if (s.targeting) {
    if (!Evaluate(*s.targeting, LookupInObject(c.attributes))) {
      return No(
          Reason::kNotTargeted,
          SONDAR_MESSAGE("the visitor's attributes do not match targeting"));
    }
  }

  const Recontact& rc = s.recontact;
  int displays = 0;
  std::int64_t last_display = INT64_MIN, last_dismiss = INT64_MIN,
               last_complete = INT64_MIN, last_any_display = INT64_MIN;
  for (const HistoryEntry& h : c.history) {
    if (h.kind == HistoryKind::kDisplay)
      last_any_display = std::max(last_any_display, h.at_ms);
    if (h.survey_id != s.id) continue;
    switch (h.kind) {
      case HistoryKind::kDisplay:
        ++displays;
        last_display = std::max(last_display, h.at_ms);
        break;
      case HistoryKind::kDismiss:
        last_dismiss = std::max(last_dismiss, h.at_ms);
        break;
      case HistoryKind::kComplete:
        last_complete = std::max(last_complete, h.at_ms);
        break;
    }
  }
  if (rc.max_displays > 0 && displays >= rc.max_displays) {
    return No(
        Reason::kDisplayCap,
        SONDAR_MESSAGE("shown " + internal::Str(displays) +
                       " times; the cap is " + internal::Str(rc.max_displays)));
  }
  // The latest end of any wait wins: completing after a dismissal restarts the
  // longer clock.
  std::int64_t wait_until = INT64_MIN;
  std::string why;
  for (auto [at, days, what] :
       {std::tuple{last_complete, rc.after_complete_days, "completed"},
        std::tuple{last_dismiss, rc.after_dismiss_days, "dismissed"},
        std::tuple{last_display, rc.after_display_days, "shown"}}) {
    if (at == INT64_MIN) continue;
    const auto until = at + static_cast<std::int64_t>(days * kMsPerDay);
    if (until > c.now_ms && until > wait_until) {
      wait_until = until;
      why = SONDAR_MESSAGE(std::string(what) + " within the last " +
                           Days(days) + " days");
    }
  }
  if (wait_until != INT64_MIN)
    return No(Reason::kRecontactWait, why, wait_until);
  if (rc.global_cooldown_days > 0 && last_any_display != INT64_MIN) {
    const auto until =
        last_any_display +
        static_cast<std::int64_t>(rc.global_cooldown_days * kMsPerDay);
    if (until > c.now_ms) {
      return No(Reason::kCooldown,
                SONDAR_MESSAGE("a survey was shown within the last " +
                               Days(rc.global_cooldown_days) + " days"),
                until);
    }
  }
  if (s.sampling_percent < 100) {
    const int bucket = SamplingBucket(c.visitor_id, s.id);
    if (bucket >= static_cast<int>(std::lround(s.sampling_percent * 100))) {
      return No(Reason::kSampledOut,
                SONDAR_MESSAGE("visitor bucket " + internal::Str(bucket) +
                               " is outside the " + Days(s.sampling_percent) +
                               "% sample"));
    }
  }
  return {true, Reason::kShow, "", 0};
}

}  // namespace sondar
