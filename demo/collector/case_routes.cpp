// /api/cases: the follow-up inbox. A webhook's rule opens a case on each
// response it alerts on; anyone with the token can open one on any response
// (PUT), assign it, move it open -> contacted -> resolved and leave notes.
#include <algorithm>

#include "collector.h"
#include "http_codes.h"
#include "privacy.h"
#include "reply.h"

namespace sondar::collector {

namespace {

using http::Request;
using http::Response;

constexpr int kDefaultCaseLimit = 25;
constexpr int kMaxCaseLimit = 100;

// What the inbox shows of a case: the case, and of its response what the
// person following up needs (score, words, who, how to reach them).
Json DescribeCase(const Case& c, const Snapshot& catalog,
                  const Principal& who) {
  Json out = {{"responseId", c.response_id},
              {"surveyId", c.survey_id},
              {"state", c.state},
              {"assignee", c.assignee},
              {"source", c.source},
              {"openedAt", TimeOrNull(c.created_ms)},
              {"updatedAt", TimeOrNull(c.updated_ms)},
              {"notes", c.notes}};
  auto payload = ParseJson(c.payload);
  if (!payload.ok()) return out;
  Json& p = payload.value();
  auto history = catalog.surveys.find(c.survey_id);
  const Survey* version = nullptr;
  if (history != catalog.surveys.end()) {
    auto found = history->second.versions.For(p);
    if (found.ok()) version = found.value();
  }
  // A viewer sees the case and the words, not who the customer is.
  const bool viewer = who.role != Role::kAdmin;
  if (viewer) {
    if (!version) return out;
    p = WithoutPersonalData(history->second.versions, *version, std::move(p));
  }
  for (const char* key : {"submittedAt", "status", "scores", "hidden",
                          "visitorId", "locale", "trigger", "surveyVersion"}) {
    if (const Json* v = p.find(key)) out[key] = *v;
  }
  Json comments = Json::array();
  if (version) {
    const std::string locale = p.find("locale") && p.find("locale")->is_string()
                                   ? p.find("locale")->as_string()
                                   : "";
    for (const Comment& comment : CommentsOf(*version, p)) {
      const int index = version->QuestionIndex(comment.question);
      comments.push_back(
          {{"question", comment.question},
           {"prompt", index < 0
                          ? std::string()
                          : version->questions[static_cast<std::size_t>(index)]
                                .prompt.Resolve(locale, version->locale)},
           {"text", comment.text}});
    }
    const std::string contact = viewer ? "" : ContactOf(*version, p);
    out["contact"] = contact.empty() ? Json(nullptr) : Json(contact);
  }
  out["comments"] = comments;
  return out;
}

}  // namespace

void Collector::Cases(const Request& req, Response& res) {
  const auto who = Reader(req, res);
  if (!who) return;
  const std::string rest = req.path.size() > 11
                               ? req.path.substr(11)
                               : std::string();  // "/api/cases/"
  const auto catalog = catalog_->Now();
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (req.path == "/api/cases") {
    if (!get) {
      res.Set("Allow", "GET");
      return Refuse(res, 405, HttpCode::kMethodNotAllowed, "", "use GET here");
    }
    const std::string survey = req.Param("survey");
    auto history = catalog->surveys.find(survey);
    if (history == catalog->surveys.end()) {
      return Refuse(res, 404, HttpCode::kUnknownSurvey, "survey",
                    survey.empty() ? "give ?survey=ID"
                                   : "no survey \"" + survey + "\" here");
    }
    Store::CaseQuery query;
    query.survey_id = survey;
    query.state = req.Param("state");
    if (!query.state.empty() && !CaseStateFromName(query.state)) {
      return Refuse(res, 400, ErrorCode::kInvalidValue, "state",
                    "must be open, contacted or resolved");
    }
    if (req.HasParam("assignee")) {
      query.assignee = req.Param("assignee");
      // PostgreSQL refuses text that is not UTF-8 (as a failure, not a miss).
      if (!IsUtf8(*query.assignee))
        return Refuse(res, 400, ErrorCode::kInvalidValue, "assignee",
                      "is not UTF-8");
    }
    if (!Limit(req, res, kDefaultCaseLimit, kMaxCaseLimit, &query.limit))
      return;
    if (req.HasParam("cursor")) {
      // "<openedAt ms>.<responseId>", as the previous page gave it.
      const std::string cursor = req.Param("cursor");
      const auto dot = cursor.find('.');
      const std::string ms = cursor.substr(0, dot);
      if (dot == std::string::npos || ms.empty() || ms.size() > 18 ||
          !std::all_of(ms.begin(), ms.end(),
                       [](char ch) { return ch >= '0' && ch <= '9'; }) ||
          dot + 1 >= cursor.size() || !IsUtf8(cursor)) {
        return Refuse(res, 400, ErrorCode::kInvalidValue, "cursor",
                      "is not a cursor this collector gave");
      }
      query.before_ms = std::stoll(ms);
      query.before_id = cursor.substr(dot + 1);
    }
    // One more than asked: whether there is a next page.
    const int asked = query.limit;
    ++query.limit;
    std::vector<Case> cases;
    std::map<std::string, std::int64_t> counts;
    RecoveryCount recovery(&history->second.versions);
    // The figure reads every repeat visitor's responses: once per inbox,
    // on its first page, not on every page after.
    const bool first_page = !req.HasParam("cursor");
    if (!store_->Cases(query, &cases) || !store_->CaseCounts(survey, &counts) ||
        !(!first_page ||
          store_->ForEachRepeatRecord(
              survey, [&](std::string_view visitor, std::string_view record) {
                recovery.Add(visitor, record);
              }))) {
      res.Set("Retry-After", kStorageRetryAfter);
      return Refuse(res, 503, HttpCode::kStorage, "",
                    "could not read the cases; retry");
    }
    Json items = Json::array();
    Json next = nullptr;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      if (static_cast<int>(i) == asked) {
        const Case& last = cases[i - 1];
        next = std::to_string(last.created_ms) + "." + last.response_id;
        break;
      }
      items.push_back(DescribeCase(cases[i], *catalog, *who));
    }
    Json by_state = Json::object();
    for (const char* state : {"open", "contacted", "resolved"})
      by_state[state] = counts.count(state) ? counts[state] : 0;
    return Reply(res, 200,
                 {{"items", items},
                  {"counts", by_state},
                  {"recovered", first_page ? recovery.ToJson() : Json(nullptr)},
                  {"next", next}});
  }
  // Response ids are kept in lower case.
  std::string response_id = rest;
  for (char& ch : response_id)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  if (response_id.empty() || response_id.find('/') != std::string::npos ||
      !IsUtf8(response_id))
    return Refuse(res, 404, HttpCode::kNotFound, "", "no such response");
  if (get) {
    std::optional<Case> found;
    std::vector<CaseEvent> events;
    if (!store_->FindCase(response_id, &found, &events)) {
      res.Set("Retry-After", kStorageRetryAfter);
      return Refuse(res, 503, HttpCode::kStorage, "",
                    "could not read the case; retry");
    }
    if (!found) {
      return Refuse(res, 404, HttpCode::kNotFound, "",
                    "this response has no case (PUT one to open it)");
    }
    Json out = DescribeCase(*found, *catalog, *who);
    out["history"] = HistoryToJson(events);
    return Reply(res, 200, out);
  }
  if (req.method != "PUT") {
    res.Set("Allow", "GET, PUT");
    return Refuse(res, 405, HttpCode::kMethodNotAllowed, "",
                  "use GET or PUT here");
  }
  // Following up means reaching the customer: a viewer may only read.
  if (!Admin(req, res)) return;
  auto parsed = ParseJson(req.body, kMaxResponseBytes, kMaxResponseDepth);
  if (!parsed.ok()) {
    return Reply(res, StatusFor(parsed.errors()),
                 {{"errors", ErrorsToJson(parsed.errors())}});
  }
  auto update = ParseCaseUpdate(parsed.value());
  if (!update.ok())
    return Reply(res, 422, {{"errors", ErrorsToJson(update.errors())}});
  CaseEvent change;
  change.at_ms = NowMs();
  // A named token says who; the shared start-up token leaves it to the
  // name typed in.
  change.by = who->name == kStartupTokenName ? update->by : who->name;
  if (update->state) change.state = std::string(CaseStateName(*update->state));
  change.assignee = update->assignee;
  change.note = update->note;
  Case after;
  switch (store_->UpdateCase(response_id, change, &after)) {
    case Store::CaseResult::kFailed:
      res.Set("Retry-After", kStorageRetryAfter);
      return Refuse(res, 503, HttpCode::kStorage, "",
                    "could not change the case; retry");
    case Store::CaseResult::kNoResponse:
      return Refuse(res, 404, HttpCode::kNotFound, "", "no such response");
    case Store::CaseResult::kOpened:
      return Reply(res, 201, DescribeCase(after, *catalog, *who));
    case Store::CaseResult::kUpdated:
      return Reply(res, 200, DescribeCase(after, *catalog, *who));
  }
}

}  // namespace sondar::collector
