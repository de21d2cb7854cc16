// The survey parser (survey_parser.h), part: what deciding needs: trigger,
// targeting, sampling, recontact, schedule, closeAfter.
#include <algorithm>
#include <cmath>
#include <map>

#include "json_reader.h"
#include "sondar/util.h"
#include "survey_parser.h"

namespace sondar::internal {

void Parser::ParseRulesOnly(const Json& doc, Survey* s) {
  survey_ = s;
  if (!r_.ExpectObject(doc, "")) return;
  ParseId(doc);
  ParseRules(doc);
}

void Parser::ParseRules(const Json& doc) {
  if (const Json* trigger = r_.Object(doc, "", "trigger"))
    ParseTrigger(*trigger);
  if (const Json* targeting = r_.Field(doc, "", "targeting", false)) {
    survey_->targeting = ParseCondition(
        *targeting, "targeting", {Subject::Kind::kAttribute, Subject::kAny});
  }
  if (const Json* sampling = r_.Object(doc, "", "sampling")) {
    r_.CheckKeys(*sampling, "sampling", "percent");
    if (auto p = r_.Number(*sampling, "sampling", "percent", true)) {
      if (*p < 0 || *p > 100) {
        r_.Fail(ErrorCode::kInvalidValue, "sampling.percent",
                SONDAR_MESSAGE("must be from 0 to 100 (got " +
                               Describe(Json(*p)) + ")"));
      } else {
        survey_->sampling_percent = *p;
      }
    }
  }
  if (const Json* recontact = r_.Object(doc, "", "recontact"))
    ParseRecontact(*recontact);
  if (const Json* schedule = r_.Object(doc, "", "schedule"))
    ParseSchedule(*schedule);
  if (auto n = r_.Integer(doc, "", "closeAfter")) {
    if (*n < 0 || *n > 1000000000) {
      r_.Fail(ErrorCode::kInvalidValue, "closeAfter",
              SONDAR_MESSAGE(
                  "must be 0 (never) or a positive whole number of responses"));
    } else {
      survey_->close_after = static_cast<int>(*n);
    }
  }
}

void Parser::ParseSchedule(const Json& t) {
  r_.CheckKeys(t, "schedule", "startsAt endsAt");
  auto at = [&](const char* key, std::int64_t* into) {
    if (auto v = r_.String(t, "schedule", key)) {
      auto ms = ParseTimestamp(*v);
      if (!ms || *ms <= 0) {
        r_.Fail(ErrorCode::kInvalidValue, PathKey("schedule", key),
                SONDAR_MESSAGE("must be an RFC 3339 time such as "
                               "\"2026-12-01T00:00:00Z\" (got \"" +
                               *v + "\")"));
      } else {
        *into = *ms;
      }
    }
  };
  at("startsAt", &survey_->starts_at_ms);
  at("endsAt", &survey_->ends_at_ms);
  if (survey_->starts_at_ms && survey_->ends_at_ms &&
      survey_->ends_at_ms <= survey_->starts_at_ms) {
    r_.Fail(ErrorCode::kInvalidValue, "schedule.endsAt",
            SONDAR_MESSAGE("must be later than schedule.startsAt"));
  }
}

void Parser::ParseTrigger(const Json& t) {
  r_.CheckKeys(t, "trigger",
               "events clicks urls delaySeconds scrollPercent exitIntent "
               "pageViews secondsOnSite");
  Trigger& out = survey_->trigger;
  if (const Json* events = r_.Array(t, "trigger", "events")) {
    for (std::size_t i = 0; i < events->size(); ++i) {
      const Json& e = (*events)[i];
      std::string path = PathIndex("trigger.events", i);
      if (!e.is_string() || !IsId(e.as_string())) {
        r_.Fail(
            e.is_string() ? ErrorCode::kInvalidValue : ErrorCode::kWrongType,
            path,
            SONDAR_MESSAGE(
                "must be an event name of 1-64 letters, digits, _ - . : (got " +
                Describe(e) + ")"));
        continue;
      }
      out.events.push_back(e.as_string());
    }
  }
  if (const Json* clicks = r_.Array(t, "trigger", "clicks")) {
    for (std::size_t i = 0; i < clicks->size(); ++i) {
      const Json& c = (*clicks)[i];
      // The browser checks the selector's syntax; here only its shape.
      if (!c.is_string() || c.as_string().empty() ||
          c.as_string().size() > 200) {
        r_.Fail(
            c.is_string() ? ErrorCode::kInvalidValue : ErrorCode::kWrongType,
            PathIndex("trigger.clicks", i),
            SONDAR_MESSAGE("must be a CSS selector of 1-200 characters (got " +
                           Describe(c) + ")"));
        continue;
      }
      out.clicks.push_back(c.as_string());
    }
  }
  if (const Json* urls = r_.Array(t, "trigger", "urls")) {
    for (std::size_t i = 0; i < urls->size(); ++i) {
      std::string path = PathIndex("trigger.urls", i);
      const Json& u = (*urls)[i];
      if (!r_.ExpectObject(u, path)) continue;
      r_.CheckKeys(u, path, "match value not");
      UrlRule rule;
      if (auto negate = r_.Bool(u, path, "not")) rule.negate = *negate;
      auto match = r_.String(u, path, "match", true);
      auto value = r_.String(u, path, "value", true);
      if (!match || !value) continue;
      // UrlRule::Match's enumerators in order.
      const int m = WordIndex("exact prefix contains suffix glob", *match);
      if (m < 0) {
        r_.Fail(
            ErrorCode::kInvalidValue, PathKey(path, "match"),
            SONDAR_MESSAGE(
                "must be one of exact, prefix, contains, suffix, glob (got \"" +
                *match + "\")"));
        continue;
      }
      rule.match = static_cast<UrlRule::Match>(m);
      if (value->empty()) {
        r_.Fail(ErrorCode::kInvalidValue, PathKey(path, "value"),
                SONDAR_MESSAGE("must not be empty"));
        continue;
      }
      rule.value = *value;
      out.urls.push_back(std::move(rule));
    }
  }
  auto non_negative = [&](const char* key, double max, double* into) {
    if (auto v = r_.Number(t, "trigger", key)) {
      if (*v < 0 || *v > max) {
        r_.Fail(ErrorCode::kInvalidValue, PathKey("trigger", key),
                SONDAR_MESSAGE("must be from 0 to " + Describe(Json(max)) +
                               " (got " + Describe(Json(*v)) + ")"));
      } else {
        *into = *v;
      }
    }
  };
  non_negative("delaySeconds", 86400, &out.delay_seconds);
  non_negative("scrollPercent", 100, &out.scroll_percent);
  non_negative("secondsOnSite", 86400, &out.seconds_on_site);
  if (auto n = r_.Integer(t, "trigger", "pageViews")) {
    if (*n < 0 || *n > 1000) {
      r_.Fail(ErrorCode::kInvalidValue, "trigger.pageViews",
              SONDAR_MESSAGE("must be a whole number from 0 to 1000"));
    } else {
      out.page_views = static_cast<int>(*n);
    }
  }
  if (auto exit = r_.Bool(t, "trigger", "exitIntent")) out.exit_intent = *exit;
}

void Parser::ParseRecontact(const Json& r) {
  r_.CheckKeys(r, "recontact",
               "afterDisplayDays afterDismissDays afterCompleteDays "
               "globalCooldownDays maxDisplays");
  Recontact& out = survey_->recontact;
  auto days = [&](const char* key, double* into) {
    if (auto v = r_.Number(r, "recontact", key)) {
      if (*v < 0 || *v > 3650) {
        r_.Fail(ErrorCode::kInvalidValue, PathKey("recontact", key),
                SONDAR_MESSAGE("must be from 0 to 3650 days (got " +
                               Describe(Json(*v)) + ")"));
      } else {
        *into = *v;
      }
    }
  };
  days("afterDisplayDays", &out.after_display_days);
  days("afterDismissDays", &out.after_dismiss_days);
  days("afterCompleteDays", &out.after_complete_days);
  days("globalCooldownDays", &out.global_cooldown_days);
  if (auto m = r_.Integer(r, "recontact", "maxDisplays")) {
    if (*m < 0 || *m > 1000000) {
      r_.Fail(ErrorCode::kInvalidValue, "recontact.maxDisplays",
              SONDAR_MESSAGE("must be 0 (no cap) or a positive whole number"));
    } else {
      out.max_displays = static_cast<int>(*m);
    }
  }
}

}  // namespace sondar::internal
