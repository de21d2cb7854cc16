#include "privacy.h"

#include <set>

#include "reply.h"
#include "sondar/response.h"

namespace sondar::collector {

bool ResponsesAbout(Store& store, const Subject& subject,
                    std::vector<std::pair<std::string, std::string>>* found) {
  if (subject.key == Subject::Key::kVisitor) {
    return store.OfVisitor(
        subject.value, [&](const std::string& id, const std::string& payload) {
          found->emplace_back(id, payload);
        });
  }
  // A hidden value: the database reads through every payload for it, and
  // only those that hold it are parsed here (IsAbout decides).
  Store::Needles needles;
  if (subject.key == Subject::Key::kHidden)
    needles.push_back(HiddenNeedles(subject.field, subject.value));
  return store.ForEach(
      "", {},
      [&](const std::string& text) {
        auto payload = ParseJson(text);
        if (!payload.ok() || !IsAbout(subject, payload.value())) return true;
        const Json* id = payload.value().find("responseId");
        if (id && id->is_string()) found->emplace_back(id->as_string(), text);
        return true;
      },
      1000, needles);
}

std::int64_t EraseSubject(Store& store, const Subject& subject) {
  std::vector<std::pair<std::string, std::string>> found;
  if (!ResponsesAbout(store, subject, &found)) return -1;
  std::vector<std::string> ids;
  for (const auto& [id, payload] : found) ids.push_back(id);
  // In batches, so one person's thousand responses do not hold writes up
  // in one long transaction.
  std::int64_t erased = 0;
  for (std::size_t at = 0; at < ids.size(); at += 500) {
    const std::vector<std::string> batch(
        ids.begin() + static_cast<std::ptrdiff_t>(at),
        ids.begin() +
            static_cast<std::ptrdiff_t>(std::min(at + 500, ids.size())));
    const std::int64_t n = store.Erase(batch, NowMs());
    if (n < 0) return -1;
    erased += n;
  }
  return erased;
}

std::optional<Json> AccessDocument(Store& store, const Subject& subject) {
  std::vector<std::pair<std::string, std::string>> found;
  if (!ResponsesAbout(store, subject, &found)) return std::nullopt;
  Json responses = Json::array(), cases = Json::array(),
       deliveries = Json::array();
  std::set<std::string> visitors;
  for (const auto& [id, text] : found) {
    auto payload = ParseJson(text);
    if (payload.ok()) {
      if (const Json* v = payload.value().find("visitorId");
          v && v->is_string())
        visitors.insert(v->as_string());
      responses.push_back(std::move(payload).value());
    } else {
      responses.push_back(text);  // as stored, whatever it is
    }
    std::optional<Case> found_case;
    std::vector<CaseEvent> history;
    if (!store.FindCase(id, &found_case, &history)) return std::nullopt;
    if (found_case) {
      cases.push_back({{"responseId", id},
                       {"state", found_case->state},
                       {"assignee", found_case->assignee},
                       {"openedAt", TimeOrNull(found_case->created_ms)},
                       {"history", HistoryToJson(history)}});
    }
    std::vector<Delivery> sent;
    if (!store.DeliveriesOf(id, &sent)) return std::nullopt;
    for (const Delivery& d : sent) {
      auto body = ParseJson(d.body);
      deliveries.push_back({{"responseId", id},
                            {"webhookId", d.webhook_id},
                            {"state", d.state},
                            {"createdAt", TimeOrNull(d.created_ms)},
                            {"deliveredAt", TimeOrNull(d.delivered_ms)},
                            {"body", body.ok() ? body.value() : Json(d.body)}});
    }
  }
  Json ids = Json::array();
  for (const std::string& v : visitors) ids.push_back(v);
  return Json{
      {"subject", subject.ToJson()},  {"exportedAt", FormatTimestamp(NowMs())},
      {"visitorIds", std::move(ids)}, {"responses", std::move(responses)},
      {"cases", std::move(cases)},    {"deliveries", std::move(deliveries)}};
}

Json HistoryToJson(const std::vector<CaseEvent>& history) {
  Json events = Json::array();
  for (const CaseEvent& e : history) {
    Json event = {{"at", TimeOrNull(e.at_ms)}, {"by", e.by}};
    if (e.state) event["state"] = *e.state;
    if (e.assignee) event["assignee"] = *e.assignee;
    if (!e.note.empty()) event["note"] = e.note;
    events.push_back(std::move(event));
  }
  return events;
}

Json AuditToJson(const AuditEntry& entry) {
  auto detail = ParseJson(entry.detail);
  return {{"id", entry.id},
          {"at", TimeOrNull(entry.at_ms)},
          {"actor", entry.actor},
          {"action", entry.action},
          {"target", entry.target},
          {"detail", detail.ok() ? detail.value() : Json::object()}};
}

}  // namespace sondar::collector
