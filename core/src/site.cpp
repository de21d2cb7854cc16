#include "sondar/site.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "json_reader.h"

namespace sondar {

using internal::Describe;
using internal::PathIndex;
using internal::PathKey;

namespace {

constexpr double kMsPerDay = 86400000.0;

// Errors of a nested document, re-rooted under `prefix`.
void AddUnder(const std::string& prefix, const Errors& from, Errors* to) {
  for (const Error& e : from) {
    std::string path = prefix;
    if (!e.path.empty() && e.path[0] != '[') path += '.';
    AddError(to, e.code, path + e.path, SONDAR_MESSAGE(e.message));
  }
}

void ParseRules(internal::Reader& r, const Json& rules, SiteRules* out) {
  r.CheckKeys(rules, "rules", "maxPerPageView cooldownDays maxPerPeriod");
  if (auto n = r.Integer(rules, "rules", "maxPerPageView")) {
    if (*n < 0 || *n > 100) {
      r.Fail(
          ErrorCode::kInvalidValue, "rules.maxPerPageView",
          SONDAR_MESSAGE("must be 0 (no limit) or a whole number up to 100"));
    } else {
      out->max_per_page_view = static_cast<int>(*n);
    }
  }
  auto days = [&](const Json& object, const std::string& path,
                  std::string_view key, bool required, double* into) {
    if (auto v = r.Number(object, path, key, required)) {
      if (*v < 0 || *v > 3650) {
        r.Fail(ErrorCode::kInvalidValue, PathKey(path, key),
               SONDAR_MESSAGE("must be from 0 to 3650 days (got " +
                              Describe(Json(*v)) + ")"));
      } else {
        *into = *v;
      }
    }
  };
  days(rules, "rules", "cooldownDays", false, &out->cooldown_days);
  if (const Json* period = r.Object(rules, "rules", "maxPerPeriod")) {
    const std::string path = "rules.maxPerPeriod";
    r.CheckKeys(*period, path, "surveys days");
    if (auto n = r.Integer(*period, path, "surveys", true)) {
      if (*n < 1 || *n > 1000) {
        r.Fail(ErrorCode::kInvalidValue, PathKey(path, "surveys"),
               SONDAR_MESSAGE("must be a whole number from 1 to 1000"));
      } else {
        out->max_per_period = static_cast<int>(*n);
      }
    }
    days(*period, path, "days", true, &out->period_days);
  }
}

void ParseEntry(internal::Reader& r, const Json& entry, const std::string& path,
                SiteEntry* out, Errors* errors) {
  if (!r.ExpectObject(entry, path)) return;
  r.CheckKeys(entry, path,
              "survey url priority id trigger targeting sampling recontact "
              "schedule closeAfter preload");
  if (auto p = r.Integer(entry, path, "priority")) {
    if (*p < -1000 || *p > 1000) {
      r.Fail(ErrorCode::kInvalidValue, PathKey(path, "priority"),
             SONDAR_MESSAGE("must be a whole number from -1000 to 1000"));
    } else {
      out->priority = static_cast<int>(*p);
    }
  }
  const Json* inline_survey = entry.find("survey");
  const std::string* url = r.String(entry, path, "url");
  if (inline_survey && entry.find("url")) {
    r.Fail(ErrorCode::kInvalidValue, path,
           SONDAR_MESSAGE("has both \"survey\" and \"url\": give one"));
    return;
  }
  if (inline_survey) {
    // An inline survey carries its own rules; a second copy beside it could
    // only disagree.
    for (const auto& [key, value] : entry.as_object()) {
      if (key == "preload") {
        r.Fail(ErrorCode::kInvalidValue, PathKey(path, key),
               SONDAR_MESSAGE(
                   "applies only to a survey given by \"url\" (an inline one "
                   "arrives with the manifest)"));
      } else if (key != "survey" && key != "priority" &&
                 key.rfind("x-", 0) != 0) {
        r.Fail(ErrorCode::kInvalidValue, PathKey(path, key),
               SONDAR_MESSAGE("belongs inside the inline survey"));
      }
    }
    if (!r.ExpectObject(*inline_survey, PathKey(path, "survey"))) return;
    auto survey = ParseSurveyDocument(*inline_survey);
    if (!survey.ok()) {
      AddUnder(PathKey(path, "survey"), survey.errors(), errors);
      return;
    }
    out->survey = SurveyPtr::Make(std::move(survey).value());
    return;
  }
  if (!url) {
    if (!entry.find("url"))
      r.Fail(ErrorCode::kMissingField, path,
             SONDAR_MESSAGE(
                 "needs \"survey\" (inline) or \"url\" (fetched when chosen)"));
    return;
  }
  if (url->empty() || url->size() > 2048) {
    r.Fail(ErrorCode::kInvalidValue, PathKey(path, "url"),
           SONDAR_MESSAGE("must be a URL of 1-2048 characters"));
    return;
  }
  out->url = *url;
  if (auto preload = r.Bool(entry, path, "preload")) out->preload = *preload;
  auto rules = ParseSurveyRules(entry);
  if (!rules.ok()) {
    AddUnder(path, rules.errors(), errors);
    return;
  }
  out->survey = SurveyPtr::Make(std::move(rules).value());
}

// Insertion sorts: stable, and a few hundred bytes of wasm where std::sort and
// std::stable_sort cost kilobytes; the lists are short (50 surveys; displays
// within one period).
void OrderByPriority(Site* site) {
  std::vector<std::size_t>& order = site->order;
  for (std::size_t i = 0; i < site->surveys.size(); ++i) {
    std::size_t at = i;
    order.push_back(i);
    for (; at > 0 &&
           site->surveys[order[at - 1]].priority < site->surveys[i].priority;
         --at) {
      order[at] = order[at - 1];
    }
    order[at] = i;
  }
}

}  // namespace

Result<Site> ParseSiteDocument(const Json& doc) {
  Errors errors;
  internal::Reader r(&errors);
  Site site;
  if (!r.ExpectObject(doc, "")) return errors;
  r.CheckKeys(doc, "", "$schema schema surveys rules");
  if (auto schema = r.String(doc, "", "schema", true);
      schema && *schema != kSiteSchema) {
    r.Fail(ErrorCode::kSchemaMismatch, "schema",
           SONDAR_MESSAGE("must be \"" + std::string(kSiteSchema) +
                          "\" (got \"" + *schema + "\")"));
  }
  if (const Json* rules = r.Object(doc, "", "rules"))
    ParseRules(r, *rules, &site.rules);
  const Json* surveys = r.Array(doc, "", "surveys", true);
  if (surveys && (surveys->empty() || surveys->size() > kMaxSiteSurveys)) {
    r.Fail(surveys->empty() ? ErrorCode::kInvalidValue : ErrorCode::kTooLarge,
           "surveys",
           SONDAR_MESSAGE("must hold 1 to " + internal::Str(kMaxSiteSurveys) +
                          " surveys (got " + internal::Str(surveys->size()) +
                          ")"));
  } else if (surveys) {
    std::vector<std::pair<std::string, std::string>> seen;  // id, path
    for (std::size_t i = 0; i < surveys->size(); ++i) {
      const std::string path = PathIndex("surveys", i);
      SiteEntry entry;
      ParseEntry(r, (*surveys)[i], path, &entry, &errors);
      if (!entry.survey) continue;
      const std::string id_path =
          PathKey(entry.url.empty() ? PathKey(path, "survey") : path, "id");
      for (const auto& [id, first] : seen) {
        if (id == entry.survey->id) {
          r.Fail(ErrorCode::kDuplicateId, id_path,
                 SONDAR_MESSAGE("\"" + id + "\" is already used at " + first));
        }
      }
      seen.emplace_back(entry.survey->id, id_path);
      site.surveys.push_back(std::move(entry));
    }
  }
  if (!errors.empty()) return errors;
  OrderByPriority(&site);
  return site;
}

Result<Site> ParseSite(std::string_view text) {
  auto doc = ParseJson(text, kMaxSiteBytes, kMaxJsonDepth);
  if (!doc.ok()) return doc.status();
  return ParseSiteDocument(doc.value());
}

Result<SurveyPtr> SiteSurvey(const Site& site, std::size_t index,
                             std::string_view text) {
  if (index >= site.surveys.size()) {
    return Status(ErrorCode::kInvalidValue, "index",
                  SONDAR_MESSAGE("is not a survey of the site"));
  }
  const SiteEntry& entry = site.surveys[index];
  if (entry.url.empty()) return entry.survey;
  const std::string where = PathKey(PathIndex("surveys", index), "url");
  auto survey = ParseSurvey(text);
  if (!survey.ok()) {
    Errors errors;
    for (const Error& e : survey.errors())
      AddError(&errors, e.code, where,
               SONDAR_MESSAGE(entry.url + ": " + e.path + " " + e.message));
    return errors;
  }
  if (survey.value().id != entry.survey->id) {
    return Status(ErrorCode::kInvalidValue, where,
                  SONDAR_MESSAGE(
                      entry.url + " holds survey \"" + survey.value().id +
                      "\", the manifest expects \"" + entry.survey->id + "\""));
  }
  return SurveyPtr::Make(std::move(survey).value());
}

const std::vector<std::string>& SurveyRuleKeys() {
  static const std::vector<std::string> keys = {"trigger",  "targeting",
                                                "sampling", "recontact",
                                                "schedule", "closeAfter"};
  return keys;
}

Json WithRulesOf(Json entry, const Json& survey) {
  // An inline survey carries its own rules.
  if (!entry.is_object() || !survey.is_object() || entry.find("survey"))
    return entry;
  for (const std::string& key : SurveyRuleKeys()) {
    entry.erase(key);
    if (const Json* rule = survey.find(key)) entry[key] = *rule;
  }
  return entry;
}

Site SiteOfOne(SurveyPtr survey) {
  Site site;
  site.rules.max_per_page_view = 0;
  SiteEntry entry;
  entry.survey = std::move(survey);
  site.surveys.push_back(std::move(entry));
  OrderByPriority(&site);
  return site;
}

SiteDecision DecideSite(const Site& site, const DecideContext& c) {
  const SiteRules& rules = site.rules;
  // The site's own refusal, the same for every survey that would show.
  Decision held{false, Reason::kShow, "", 0};
  const auto after = [&](double days) {
    return static_cast<std::int64_t>(days * kMsPerDay);
  };
  // Displays of any survey: the latest, and those within the period, oldest
  // first.
  std::int64_t latest = INT64_MIN;
  std::vector<std::int64_t> recent;
  const std::int64_t since = c.now_ms - after(rules.period_days);
  for (const HistoryEntry& h : c.history) {
    if (h.kind != HistoryKind::kDisplay) continue;
    latest = std::max(latest, h.at_ms);
    if (h.at_ms <= since) continue;
    std::size_t at = recent.size();
    recent.push_back(h.at_ms);
    for (; at > 0 && recent[at - 1] > h.at_ms; --at)
      recent[at] = recent[at - 1];
    recent[at] = h.at_ms;
  }
  const auto days = [](double d) { return Json(d).dump(); };
  if (rules.max_per_page_view > 0 &&
      c.shown_this_page >= rules.max_per_page_view) {
    held = {false, Reason::kPageCap,
            SONDAR_MESSAGE(internal::Str(c.shown_this_page) +
                           " shown on this page; the site allows " +
                           internal::Str(rules.max_per_page_view)),
            0};
  } else if (rules.cooldown_days > 0 && latest != INT64_MIN &&
             latest + after(rules.cooldown_days) > c.now_ms) {
    held = {false, Reason::kCooldown,
            SONDAR_MESSAGE("a survey was shown within the site's " +
                           days(rules.cooldown_days) + " days cooldown"),
            latest + after(rules.cooldown_days)};
  } else if (rules.max_per_period > 0 &&
             recent.size() >= static_cast<std::size_t>(rules.max_per_period)) {
    // Asking again helps once enough of those displays leave the period.
    held = {
        false, Reason::kSiteCap,
        SONDAR_MESSAGE(internal::Str(recent.size()) + " shown in the last " +
                       days(rules.period_days) + " days; the site allows " +
                       internal::Str(rules.max_per_period)),
        recent[recent.size() - rules.max_per_period] +
            after(rules.period_days)};
  }

  SiteDecision out;
  out.decisions.reserve(site.order.size());
  for (std::size_t index : site.order) {
    const SiteEntry& entry = site.surveys[index];
    Decision d = Decide(*entry.survey, c);
    if (d.show && held.reason != Reason::kShow) {
      d = held;
    } else if (d.show && out.chosen >= 0) {
      const SiteEntry& first = site.surveys[out.chosen];
      d = {
          false, Reason::kOutranked,
          SONDAR_MESSAGE("\"" + first.survey->id + "\" comes first (priority " +
                         internal::Str(first.priority) + ")"),
          0};
    } else if (d.show) {
      out.chosen = static_cast<int>(index);
    }
    out.decisions.push_back(std::move(d));
  }
  return out;
}

Json SiteDecision::ToJson(const Site& site) const {
  Json list = Json::array();
  bool waiting = false;
  std::int64_t retry_at = 0;
  for (std::size_t k = 0; k < decisions.size(); ++k) {
    const Decision& d = decisions[k];
    waiting |= d.reason == Reason::kTooEarly ||
               d.reason == Reason::kNotScrolled ||
               d.reason == Reason::kNoExitIntent;
    if (d.reason == Reason::kTooEarly &&
        (!retry_at || d.retry_at_ms < retry_at))
      retry_at = d.retry_at_ms;
    const SiteEntry& entry = site.surveys[site.order[k]];
    Json one = d.ToJson();
    one["survey"] = entry.survey->id;
    one["priority"] = entry.priority;
    list.push_back(std::move(one));
  }
  Json out = Json::object();
  Json& show = out["show"];
  if (chosen >= 0) show = site.surveys[chosen].survey->id;
  out["index"] = chosen;
  out["waiting"] = waiting;
  Json& retry = out["retryAt"];
  if (retry_at) retry = retry_at;
  out["surveys"] = std::move(list);
  return out;
}

}  // namespace sondar
