// /api/webhooks: the admin API of alerts. The secret is shown once, in the
// answer that creates the webhook; deliveries are listed per webhook, dead
// ones can be sent again.
#include <algorithm>

#include "collector.h"
#include "http_codes.h"
#include "reply.h"

namespace sondar::collector {

namespace {

using http::Request;
using http::Response;

constexpr int kDefaultDeliveryLimit = 50;
constexpr int kMaxDeliveryLimit = 500;
constexpr std::size_t kMaxWebhooks = 200;

Json DescribeWebhook(const Webhook& w) {
  Json out = Json::object();
  if (auto definition = ParseJson(w.definition); definition.ok())
    out = std::move(definition).value();
  out["id"] = w.id;
  out["createdAt"] = TimeOrNull(w.created_ms);
  out["disabled"] = w.disabled_ms > 0;
  out["disabledAt"] = TimeOrNull(w.disabled_ms);
  out["lastSuccessAt"] = TimeOrNull(w.last_success_ms);
  out["failingSince"] = TimeOrNull(w.failing_since_ms);
  out["failures"] = w.failures;
  return out;
}

Json DescribeDelivery(const Delivery& d) {
  return {
      {"id", d.id},
      {"responseId", d.response_id},
      {"state", d.state},
      {"createdAt", TimeOrNull(d.created_ms)},
      {"nextAttemptAt", d.state == "held" || d.state == "pending"
                            ? TimeOrNull(d.next_at_ms)
                            : Json(nullptr)},
      {"expiresAt", TimeOrNull(d.expires_ms)},
      {"deliveredAt", TimeOrNull(d.delivered_ms)},
      {"attempts", d.attempts},
      {"lastStatus", d.last_status ? Json(d.last_status) : Json(nullptr)},
      {"lastError", d.last_error.empty() ? Json(nullptr) : Json(d.last_error)}};
}

}  // namespace

void Collector::Webhooks(const Request& req, Response& res) {
  if (!Admin(req, res)) return;
  // /api/webhooks[/ID[/deliveries[/DELIVERY/retry]]]
  std::vector<std::string> parts;
  for (std::size_t at = std::string("/api/webhooks").size();
       at < req.path.size();) {
    const std::size_t next = req.path.find('/', at + 1);
    parts.push_back(req.path.substr(
        at + 1, next == std::string::npos ? std::string::npos : next - at - 1));
    at = next == std::string::npos ? req.path.size() : next;
  }
  const bool get = req.method == "GET" || req.method == "HEAD";
  auto wrong_method = [&](const char* allow) {
    res.Set("Allow", allow);
    Refuse(res, 405, HttpCode::kMethodNotAllowed, "",
           std::string("use ") + allow + " here");
  };
  if (parts.empty()) {
    if (get) {
      std::vector<Webhook> all;
      if (!store_->Webhooks(&all)) {
        res.Set("Retry-After", kStorageRetryAfter);
        return Refuse(res, 503, HttpCode::kStorage, "",
                      "could not read the webhooks; retry");
      }
      Json list = Json::array();
      for (const Webhook& w : all) list.push_back(DescribeWebhook(w));
      return Reply(res, 200, {{"webhooks", list}});
    }
    if (req.method != "POST") return wrong_method("GET, POST");
    auto parsed = ParseJson(req.body, kMaxResponseBytes, kMaxResponseDepth);
    if (!parsed.ok()) {
      return Reply(res, StatusFor(parsed.errors()),
                   {{"errors", ErrorsToJson(parsed.errors())}});
    }
    // Rules name the surveys as they are now (their latest versions).
    const auto catalog = catalog_->Now();
    std::vector<const Survey*> surveys;
    for (const auto& [id, history] : catalog->surveys)
      surveys.push_back(history.versions.Latest());
    auto rule = ParseAlertRule(parsed.value(), &surveys);
    if (!rule.ok()) {
      return Reply(res, 422, {{"errors", ErrorsToJson(rule.errors())}});
    }
    const std::string target =
        CheckTarget(rule->url, webhooks_->allow_private());
    if (!target.empty())
      return Refuse(res, 422, ErrorCode::kInvalidValue, "url", target);
    if (rule->url.rfind("mailto:", 0) == 0 && !webhooks_->can_mail())
      return Refuse(res, 422, ErrorCode::kInvalidValue, "url",
                    "this collector sends no e-mail: start it with "
                    "--smtp-url (and --smtp-from)");
    std::vector<Webhook> stored;
    if (!store_->Webhooks(&stored)) {
      res.Set("Retry-After", kStorageRetryAfter);
      return Refuse(res, 503, HttpCode::kStorage, "",
                    "could not read the webhooks; retry");
    }
    if (stored.size() >= kMaxWebhooks) {
      return Refuse(res, 409, HttpCode::kWebhookLimit, "",
                    "this collector holds " + std::to_string(kMaxWebhooks) +
                        " webhooks already; delete one first");
    }
    Webhook w;
    w.id = NewId("wh_");
    w.secret = NewSecret();
    w.created_ms = NowMs();
    Json definition = {
        {"url", rule->url},
        {"when", rule->when_json},
        {"template", std::string(AlertTemplateName(rule->format))},
        {"surveys", rule->surveys}};
    // A digest has no rule; its definition has no "when" to read back.
    if (rule->format == AlertTemplate::kDigest) definition.erase("when");
    w.definition = definition.dump();
    if (w.secret.empty() || !store_->AddWebhook(w)) {
      res.Set("Retry-After", kStorageRetryAfter);
      return Refuse(res, 503, HttpCode::kStorage, "",
                    "could not store the webhook; retry");
    }
    webhooks_->Changed();
    Audit(req, "webhook.create", "/api/webhooks/" + w.id, Json::object());
    Json answer = DescribeWebhook(w);
    answer["secret"] = w.secret;
    res.Set("Location", "/api/webhooks/" + w.id);
    return Reply(res, 201, answer);
  }
  const std::string& id = parts[0];
  // Ids are ASCII; PostgreSQL refuses text that is not UTF-8 (a failure, not
  // a miss), so anything else is simply not found.
  if (std::any_of(parts.begin(), parts.end(),
                  [](const std::string& p) { return !IsUtf8(p); }))
    return Refuse(res, 404, HttpCode::kNotFound, "", "no such webhook");
  if (parts.size() == 1) {
    if (req.method != "DELETE") return wrong_method("DELETE");
    const int deleted = store_->DeleteWebhook(id);
    if (deleted < 0) {
      res.Set("Retry-After", kStorageRetryAfter);
      return Refuse(res, 503, HttpCode::kStorage, "",
                    "could not delete the webhook; retry");
    }
    if (deleted == 0)
      return Refuse(res, 404, HttpCode::kNotFound, "", "no such webhook");
    webhooks_->Changed();
    Audit(req, "webhook.delete", "/api/webhooks/" + id, Json::object());
    res.status = 204;
    return;
  }
  if (parts[1] != "deliveries" || parts.size() == 3 || parts.size() > 4 ||
      (parts.size() == 4 && parts[3] != "retry"))
    return Refuse(res, 404, HttpCode::kNotFound, "", "no such route");
  if (parts.size() == 2) {
    if (!get) return wrong_method("GET");
    std::vector<Webhook> all;
    if (!store_->Webhooks(&all)) {
      res.Set("Retry-After", kStorageRetryAfter);
      return Refuse(res, 503, HttpCode::kStorage, "",
                    "could not read the webhooks; retry");
    }
    if (std::none_of(all.begin(), all.end(),
                     [&](const Webhook& w) { return w.id == id; }))
      return Refuse(res, 404, HttpCode::kNotFound, "", "no such webhook");
    const std::string state = req.Param("state");
    if (!state.empty() && state != "held" && state != "pending" &&
        state != "delivered" && state != "dead") {
      return Refuse(res, 400, ErrorCode::kInvalidValue, "state",
                    "must be held, pending, delivered or dead");
    }
    int limit = 0;
    if (!Limit(req, res, kDefaultDeliveryLimit, kMaxDeliveryLimit, &limit))
      return;
    std::vector<Delivery> deliveries;
    if (!store_->Deliveries(id, state, limit, &deliveries)) {
      res.Set("Retry-After", kStorageRetryAfter);
      return Refuse(res, 503, HttpCode::kStorage, "",
                    "could not read the deliveries; retry");
    }
    Json list = Json::array();
    for (const Delivery& d : deliveries) list.push_back(DescribeDelivery(d));
    return Reply(res, 200, {{"deliveries", list}});
  }
  if (req.method != "POST") return wrong_method("POST");
  const int retried =
      store_->Retry(id, parts[2], NowMs(), webhooks_->retry_window_ms());
  if (retried < 0) {
    res.Set("Retry-After", kStorageRetryAfter);
    return Refuse(res, 503, HttpCode::kStorage, "",
                  "could not schedule the delivery; retry");
  }
  if (retried == 0)
    return Refuse(res, 404, HttpCode::kNotFound, "",
                  "no such delivery of this webhook");
  webhooks_->Changed();
  return Reply(res, 202, {{"id", parts[2]}, {"state", "pending"}});
}

}  // namespace sondar::collector
