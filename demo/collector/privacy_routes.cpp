// The privacy routes (admin): erasure and access by visitor id
// (/api/visitors/ID) or by any key (/api/privacy/erase, /api/privacy/access),
// the audit log and the list of named tokens. Tokens are made and revoked
// with the command line only: a leaked admin token cannot mint more.
#include <string>

#include "collector.h"
#include "http_codes.h"
#include "privacy.h"
#include "reply.h"

namespace sondar::collector {

namespace {

using http::Request;
using http::Response;

constexpr int kDefaultAuditLimit = 50;
constexpr int kMaxAuditLimit = 500;

void StorageError(Response& res) {
  res.Set("Retry-After", kStorageRetryAfter);
  Refuse(res, 503, HttpCode::kStorage, "", "could not read or write; retry");
}

}  // namespace

void Collector::Privacy(const Request& req, Response& res) {
  if (!Admin(req, res)) return;
  const std::string& path = req.path;
  const bool get = req.method == "GET" || req.method == "HEAD";
  auto wrong_method = [&](const char* allowed) {
    res.Set("Allow", allowed);
    Refuse(res, 405, HttpCode::kMethodNotAllowed, "",
           std::string("use ") + allowed + " here");
  };
  // What a request is about: the visitor in the path, or a subject body.
  std::optional<Subject> subject;
  std::string action;
  if (path.rfind("/api/visitors/", 0) == 0) {
    const std::string visitor = path.substr(14);
    if (req.method == "DELETE") {
      action = "erase";
    } else if (get) {
      action = "access";
    } else {
      return wrong_method("GET, DELETE");
    }
    Json body = {{"visitorId", visitor}};
    auto parsed = ParseSubject(body);
    // A visitor id that is not UTF-8 names no stored response.
    if (!parsed.ok() || !IsUtf8(visitor))
      return Refuse(res, 404, HttpCode::kNotFound, "", "no such visitor");
    subject = std::move(parsed).value();
  } else if (path == "/api/privacy/erase" || path == "/api/privacy/access") {
    if (req.method != "POST") return wrong_method("POST");
    action = path == "/api/privacy/erase" ? "erase" : "access";
    auto body = ParseJson(req.body, kMaxResponseBytes, 4);
    if (!body.ok())
      return Reply(res, StatusFor(body.errors()),
                   {{"errors", ErrorsToJson(body.errors())}});
    auto parsed = ParseSubject(body.value());
    if (!parsed.ok())
      return Reply(res, 422, {{"errors", ErrorsToJson(parsed.errors())}});
    if (!IsUtf8(parsed->value) || !IsUtf8(parsed->field))
      return Refuse(res, 422, ErrorCode::kInvalidValue,
                    parsed->KeyName().c_str(), "is not UTF-8");
    subject = std::move(parsed).value();
  } else if (path == "/api/audit") {
    if (!get) return wrong_method("GET");
    int limit = 0;
    if (!Limit(req, res, kDefaultAuditLimit, kMaxAuditLimit, &limit)) return;
    std::int64_t before = std::numeric_limits<std::int64_t>::max();
    if (req.HasParam("cursor")) {
      const std::string cursor = req.Param("cursor");
      if (cursor.empty() || cursor.size() > 18 ||
          cursor.find_first_not_of("0123456789") != std::string::npos)
        return Refuse(res, 400, ErrorCode::kInvalidValue, "cursor",
                      "is not a cursor this collector gave");
      before = std::stoll(cursor);
    }
    std::vector<AuditEntry> entries;
    if (!store_->Audit(before, limit + 1, &entries)) return StorageError(res);
    Json items = Json::array();
    Json next = nullptr;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (static_cast<int>(i) == limit) {
        next = std::to_string(entries[i - 1].id);
        break;
      }
      items.push_back(AuditToJson(entries[i]));
    }
    return Reply(res, 200, {{"items", std::move(items)}, {"next", next}});
  } else if (path == "/api/tokens") {
    if (!get) return wrong_method("GET");
    std::vector<Token> tokens;
    if (!store_->Tokens(&tokens)) return StorageError(res);
    Json list = Json::array();
    for (const Token& t : tokens)
      list.push_back({{"name", t.name},
                      {"role", t.role},
                      {"createdAt", TimeOrNull(t.created_ms)},
                      {"revokedAt", TimeOrNull(t.revoked_ms)}});
    return Reply(res, 200, {{"tokens", std::move(list)}});
  } else {
    return Refuse(res, 404, HttpCode::kNotFound, "", "no such path");
  }
  // The audit log names the key, never its value: it would keep the very
  // data an erasure removes.
  if (action == "erase") {
    const std::int64_t erased = EraseSubject(*store_, *subject);
    if (erased < 0) return StorageError(res);
    Audit(req, "erase", subject->KeyName(), {{"erased", erased}});
    return Reply(res, 200, {{"erased", erased}});
  }
  const auto document = AccessDocument(*store_, *subject);
  if (!document) return StorageError(res);
  Audit(req, "access", subject->KeyName(),
        {{"responses", (*document)["responses"].size()}});
  res.Set("Cache-Control", "no-store");
  Reply(res, 200, *document);
}

}  // namespace sondar::collector
