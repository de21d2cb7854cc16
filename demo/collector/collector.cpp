#include "collector.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <optional>
#include <random>

#include "http_codes.h"
#include "reply.h"

namespace sondar::collector {

namespace {

namespace fs = std::filesystem;
using http::Lane;
using http::Request;
using http::Response;

constexpr auto kCountsEvery = std::chrono::seconds(5);
constexpr auto kUsageEvery = std::chrono::seconds(30);
constexpr auto kProbeEvery = std::chrono::seconds(30);
// While storage fails, how often to try again, and what a client is told.
constexpr auto kProbeFailingEvery = std::chrono::seconds(1);
// Stored bytes are recounted every 30 s; a quota is raised by a restart.
constexpr const char* kQuotaRetryAfter = "300";
// How often a collector looks for publishes made through another collector
// on the same database. A response naming a survey or version not seen yet
// looks at once (a 422 would make the widget drop it): one count of a small
// table. After a burst of 20, misses look once per kCatalogOnMiss, so a flood
// of posts naming versions that do not exist costs the database 20 counts a
// second; a miss past the pace gets a 503 the widget retries, never a 422
// from a snapshot that may be older than the publish it names.
constexpr auto kCatalogEvery = std::chrono::seconds(2);
// How soon a token made or revoked by the CLI counts on every collector.
constexpr auto kTokensEvery = std::chrono::seconds(2);
// Retention runs at start and then hourly; one run deletes whole days.
constexpr auto kRetainEvery = std::chrono::hours(1);
// A theme publish is seen by the other collectors on the database within
// kCatalogEvery; the rows they tagged with the old list until then, and the
// posts in flight at the publish, are tagged again this long after it.
constexpr auto kRetagAgain = std::chrono::seconds(5);
constexpr std::int64_t kRetagMarginMs = 5000;
// The meta key naming the theme list version the stored records carry.
constexpr const char* kThemesTaggedKey = "themes_tagged";
constexpr auto kCatalogOnMiss = std::chrono::milliseconds(50);
// How long a shopper's browser (or a CDN) may keep the manifest and a survey
// before asking again (with If-None-Match): a publish reaches every page
// within this, twice it behind a cache that ignores Age.
constexpr const char* kPublicCacheControl = "public, max-age=30";

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(c));
  return s;
}

std::string MimeType(const fs::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".wasm", "application/wasm"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"},
  };
  auto it = kTypes.find(Lower(file.extension().string()));
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

// If-Match: "3" (or 3): the version an edit started from. nullopt when absent;
// -1 when it is not a version number (so it matches nothing).
std::optional<int> IfMatch(const Request& req) {
  std::string value = req.Header("If-Match");
  if (value.empty()) return std::nullopt;
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    value = value.substr(1, value.size() - 2);
  if (value.empty() || value.size() > 9) return -1;
  for (char c : value)
    if (c < '0' || c > '9') return -1;
  return std::stoi(value);
}

std::string IsoTime(std::int64_t ms) { return FormatTimestamp(ms); }

// A comma-separated list of header names, as a preflight asks for them: only
// tokens, so what is echoed back cannot carry anything else.
bool IsHeaderList(std::string_view list) {
  if (list.size() > 1024) return false;
  for (char c : list) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
          c == ',' || c == ' '))
      return false;
  }
  return true;
}

// The routes privacy_routes.cpp answers.
bool IsPrivacyPath(const std::string& path) {
  return path.rfind("/api/visitors/", 0) == 0 ||
         path.rfind("/api/privacy/", 0) == 0 || path == "/api/audit" ||
         path == "/api/tokens";
}

}  // namespace

Collector::Collector(Config config, std::unique_ptr<Store> store,
                     std::unique_ptr<Catalog> catalog, std::string admin_token,
                     std::vector<Mount> mounts)
    : config_(std::move(config)),
      store_(std::move(store)),
      catalog_(std::move(catalog)),
      origins_(config_.origins.begin(), config_.origins.end()),
      access_(store_.get(), std::move(admin_token)),
      mounts_(std::move(mounts)),
      post_limit_(config_.post_rate, config_.post_burst),
      visitor_cap_(
          config_.max_new_per_visitor, config_.visitor_window_s,
          std::random_device{}() * 0x100000001ull ^ std::random_device{}()) {
  std::vector<std::string> ids;
  for (const auto& [id, history] : catalog_->Now()->surveys) ids.push_back(id);
  first_seen_ = store_->FirstSeen(ids);
  secret_ = store_->Secret();
  webhooks_ = std::make_unique<WebhookSender>(store_.get(), config_.webhooks);
  webhooks_->SetDigests(
      [this](const std::string& survey, std::int64_t day) {
        return DigestBody(survey, day);
      },
      [this] {
        std::vector<std::string> ids;
        for (const auto& [id, history] : catalog_->Now()->surveys)
          ids.push_back(id);
        return ids;
      });
  refresher_ = std::thread([this] { Refresh(); });
  // Upkeep on a thread of its own, so neither the start nor counts, probes
  // and tokens wait for it: rows from before records and comments were kept
  // get them (summaries read those rows' payloads meanwhile, the same
  // figures, slower), then retention runs, at once and hourly.
  maintainer_ = std::thread([this] { Maintain(); });
}

void Collector::Maintain() {
  if (!store_->BuildIndexes([this] { return Stopping(); }))
    std::fprintf(stderr,
                 "sondar-collector: could not build the database's "
                 "indexes (queries are right, and slower); the next start "
                 "tries again\n");
  DeriveOld();
  // A theme list published or imported whose re-tag never finished (its
  // collector stopped first, or it came from --surveys): tagged now. The
  // database says which list the stored records were last tagged with.
  const std::string tagged = store_->Meta(kThemesTaggedKey);
  if ((tagged.empty() ? "0" : tagged) != std::to_string(ThemesVersion()))
    RetagSoon();
  using Clock = std::chrono::steady_clock;
  auto retain_at = Clock::now();
  std::unique_lock<std::mutex> lock(refresh_mu_);
  while (!stopping_) {
    const auto now = Clock::now();
    if (retag_ != RetagStep::kNone && now >= retag_at_) {
      const bool last = retag_ == RetagStep::kRecent;
      const std::int64_t since =
          last ? retag_since_ms_ : std::numeric_limits<std::int64_t>::min();
      const int version = retag_version_;
      if (last) {
        retag_ = RetagStep::kNone;
      } else {
        retag_ = RetagStep::kRecent;
        retag_at_ = now + kRetagAgain;
      }
      lock.unlock();
      const bool done = Retag(since);
      lock.lock();
      // Finished, and no newer list asked for meanwhile.
      if (done && last && retag_ == RetagStep::kNone) {
        lock.unlock();
        store_->SetMeta(kThemesTaggedKey, std::to_string(version));
        lock.lock();
      }
      continue;
    }
    if (config_.retention_days > 0 && now >= retain_at) {
      lock.unlock();
      const std::int64_t rolled = Retain(NowMs());
      if (rolled < 0)
        std::cerr << "sondar-collector: retention could not run; it tries "
                     "again in an hour\n";
      else if (rolled > 0)
        std::cerr << "sondar-collector: retention deleted " << rolled
                  << " responses older than " << config_.retention_days
                  << " days, keeping their days' aggregates\n";
      lock.lock();
      retain_at = Clock::now() + kRetainEvery;
      continue;
    }
    auto wake = config_.retention_days > 0 ? retain_at : now + kRetainEvery;
    if (retag_ != RetagStep::kNone) wake = std::min(wake, retag_at_);
    retain_cv_.wait_until(lock, wake);
  }
}

void Collector::RetagSoon() {
  {
    std::lock_guard<std::mutex> lock(refresh_mu_);
    // A publish during a re-tag starts it over: every row again.
    retag_ = RetagStep::kAll;
    retag_at_ = std::chrono::steady_clock::now();
    retag_since_ms_ = NowMs() - kRetagMarginMs;
    retag_version_ = ThemesVersion();
  }
  retain_cv_.notify_all();
}

int Collector::ThemesVersion() const {
  const auto catalog = catalog_->Now();
  return catalog->themes_versions.empty()
             ? 0
             : catalog->themes_versions.back().version;
}

bool Collector::Retag(std::int64_t since_ms) {
  const std::int64_t forgot = store_->ForgetCommentedRecords(since_ms);
  if (forgot < 0) {
    // The rows forgotten so far are derived again below; the others keep the
    // old tags until the next start or publish tries again.
    std::cerr << "sondar-collector: could not tag every stored comment with "
                 "the new theme list; the next start tries again\n";
  }
  DeriveOld();
  return forgot >= 0;
}

bool Collector::Stopping() {
  std::lock_guard<std::mutex> lock(refresh_mu_);
  return stopping_;
}

Collector::~Collector() {
  {
    std::lock_guard<std::mutex> lock(refresh_mu_);
    stopping_ = true;
  }
  refresh_cv_.notify_all();
  retain_cv_.notify_all();
  refresher_.join();
  maintainer_.join();
}

Lane Collector::LaneFor(const Request& req) const {
  if (req.method == "POST" && req.path == "/api/responses") return Lane::kWrite;
  // Publishing writes to the database (and may re-read what it holds).
  if ((req.method == "PUT" || req.method == "POST") &&
      (req.path.rfind("/api/surveys/", 0) == 0 ||
       req.path.rfind("/api/site", 0) == 0 ||
       req.path.rfind("/api/themes", 0) == 0))
    return Lane::kWrite;
  // The theme list says how many rows wait for their new tags: a query.
  if (req.path == "/api/themes") return Lane::kRead;
  if (req.path == "/api/webhooks" || req.path.rfind("/api/webhooks/", 0) == 0 ||
      req.path == "/api/cases" || req.path.rfind("/api/cases/", 0) == 0 ||
      IsPrivacyPath(req.path))
    return req.method == "GET" || req.method == "HEAD" ? Lane::kRead
                                                       : Lane::kWrite;
  if (req.path == "/api/summary" || req.path == "/api/export.jsonl" ||
      req.path == "/api/export.csv" || req.path == "/api/comments" ||
      (req.path.rfind("/api/responses/", 0) == 0 &&
       req.path != "/api/responses/counts"))
    return Lane::kRead;
  // With the token, health counts the stored rows: a query, not for the I/O
  // thread. Without it, health answers from memory.
  if (req.path == "/api/health" && IsAdmin(req)) return Lane::kRead;
  return Lane::kInline;  // answers from memory, and files
}

void Collector::Handle(const Request& req, Response& res) {
  const std::string& path = req.path;
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (req.method == "OPTIONS") {
    res.status = 204;
  } else if (path == "/api/responses") {
    if (req.method == "POST") {
      Post(req, res);
    } else {
      Refuse(res, 405, HttpCode::kMethodNotAllowed, "", "POST a response here");
      res.Set("Allow", "POST, OPTIONS");
    }
  } else if (path.rfind("/api/surveys", 0) == 0) {
    Surveys(req, res);
  } else if (path == "/api/site" || path.rfind("/api/site/", 0) == 0) {
    Site(req, res);
  } else if (path == "/api/themes" || path.rfind("/api/themes/", 0) == 0) {
    Themes(req, res);
  } else if (path == "/api/webhooks" || path.rfind("/api/webhooks/", 0) == 0) {
    Webhooks(req, res);
  } else if (path == "/api/cases" || path.rfind("/api/cases/", 0) == 0) {
    Cases(req, res);
  } else if (IsPrivacyPath(path)) {
    Privacy(req, res);
  } else if (!get) {
    Refuse(res, 405, HttpCode::kMethodNotAllowed, "", "only GET and HEAD here");
    res.Set("Allow", "GET, HEAD, OPTIONS");
  } else if (path == "/api/responses/counts") {
    // What closeAfter needs, for the surveys that set it (their owners made
    // that number public); the other surveys' counts stay the owner's.
    Counts(req, res);
  } else if (path == "/api/summary") {
    if (const auto who = Reader(req, res)) Summary(req, res, *who);
  } else if (path == "/api/export.jsonl") {
    if (Admin(req, res)) Export(req, res);
  } else if (path == "/api/export.csv") {
    if (Admin(req, res)) ExportCsv(req, res);
  } else if (path == "/api/comments") {
    if (const auto who = Reader(req, res)) Comments(req, res, *who);
  } else if (path.rfind("/api/responses/", 0) == 0) {
    if (const auto who = Reader(req, res))
      OneResponse(path.substr(15), res, *who);
  } else if (path == "/api/me") {
    // Who the token names, so the workspace offers only what its role may
    // do (the routes check it again).
    if (const auto who = Reader(req, res))
      Reply(res, 200,
            {{"name", who->name}, {"role", std::string(RoleName(who->role))}});
  } else if (path == "/api/health") {
    Health(req, res);
  } else {
    Static(req, res);
  }
  Decorate(&req, res);
}

void Collector::Decorate(const Request* req, Response& res) const {
  res.Set("X-Content-Type-Options", "nosniff");
  // Nothing the API answers is a page: it may not run or embed anything.
  if (!res.Has("Content-Security-Policy"))
    res.Set("Content-Security-Policy",
            "default-src 'none'; frame-ancestors 'none'");
  if (req) Cors(*req, res);
}

// Every answer may differ by Origin (CORS headers, 403 for posts), so every
// answer says so to caches.
void Collector::Cors(const Request& req, Response& res) const {
  res.Set("Vary", req.method == "OPTIONS"
                      ? "Origin, Access-Control-Request-Headers"
                      : "Origin");
  const std::string origin = req.Header("Origin");
  if (origin.empty() || !(origins_.count("*") || origins_.count(origin)))
    return;
  res.Set("Access-Control-Allow-Origin", origins_.count("*") ? "*" : origin);
  res.Set("Access-Control-Allow-Methods", "GET, POST, PUT, OPTIONS");
  // The widget's `headers` option may add any header: an allowed origin gets
  // the ones its preflight asks for.
  const std::string asked = req.Header("Access-Control-Request-Headers");
  res.Set("Access-Control-Allow-Headers",
          !asked.empty() && IsHeaderList(asked)
              ? asked
              : "Content-Type, Idempotency-Key");
  res.Set("Access-Control-Max-Age", "600");
}

bool Collector::IsAdmin(const Request& req) const {
  return IsAdminAuthorization(req.Header("Authorization"));
}

bool Collector::IsAdminAuthorization(std::string_view authorization) const {
  const auto who = access_.Who(authorization);
  return who && who->role == Role::kAdmin;
}

// Only the admin may send a survey or a manifest (up to the manifest's
// limit); anyone else's body stops at the server's limit, before it is read.
std::size_t Collector::BodyLimit(std::string_view method,
                                 std::string_view authorization) const {
  return method == "PUT" && IsAdminAuthorization(authorization) ? kMaxSiteBytes
                                                                : 0;
}

// Exports and summaries hold visitor ids, hidden fields and free text.
std::optional<Principal> Collector::Reader(const Request& req,
                                           Response& res) const {
  auto who = Who(req);
  if (!who) {
    res.Set("WWW-Authenticate", "Bearer realm=\"sondar\"");
    Refuse(res, 401, HttpCode::kUnauthorized, "",
           "this needs a token: Authorization: Bearer <token>");
  }
  return who;
}

bool Collector::Admin(const Request& req, Response& res) const {
  const auto who = Reader(req, res);
  if (!who) return false;
  if (who->role == Role::kAdmin) return true;
  Refuse(
      res, 403, HttpCode::kForbidden, "",
      "token \"" + who->name + "\" is a viewer's; this needs an admin token");
  return false;
}

void Collector::Audit(const Request& req, const std::string& action,
                      const std::string& target, const Json& detail) {
  const auto who = Who(req);
  AuditEntry entry;
  entry.at_ms = NowMs();
  entry.actor = who ? who->name : "";
  entry.action = action;
  entry.target = target;
  entry.detail = detail.dump();
  if (!store_->AddAudit(entry))
    std::cerr << "sondar-collector: could not write the audit entry: "
              << entry.actor << " " << action << " " << target << "\n";
}

// A browser names the page's origin on every cross-site POST. Same-origin
// posts (the Origin's host is the Host asked for) and the --origin list may
// post; a request without Origin is not from a browser page, and the core
// checks it like any other.
bool Collector::OriginMayPost(const Request& req) const {
  const std::string origin = req.Header("Origin");
  if (origin.empty() || origins_.count("*") || origins_.count(origin))
    return true;
  const auto scheme = origin.find("://");
  return scheme != std::string::npos &&
         EqualsIgnoreCase(std::string_view(origin).substr(scheme + 3),
                          req.Header("Host"));
}

void Collector::Post(const Request& req, Response& res) {
  if (!OriginMayPost(req)) {
    return Refuse(res, 403, HttpCode::kOriginNotAllowed, "",
                  "pages of " + req.Header("Origin") +
                      " may not post here (see --origin)");
  }
  // application/json needs a CORS preflight from another site; text/plain
  // (what a plain HTML form or sendBeacon of a string sends) would not.
  const std::string type = req.Header("Content-Type");
  if (!EqualsIgnoreCase(std::string_view(type).substr(0, type.find(';')),
                        "application/json")) {
    return Refuse(res, 415, HttpCode::kUnsupportedMediaType, "",
                  "send Content-Type: application/json");
  }
  // An import with the admin token (the demo's seeding, a backfill) is not
  // an anonymous poster.
  const bool admin = IsAdmin(req);
  const std::int64_t now = NowMs();
  const std::string client = AddressPrefix(req.client);
  // Before any parsing: a flood costs a bucket look-up a post.
  if (!admin) {
    const auto steady = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now().time_since_epoch());
    if (const int wait = post_limit_.Take(client, steady.count())) {
      res.Set("Retry-After", std::to_string(wait));
      return Refuse(res, 429, HttpCode::kRateLimited, "",
                    "too many posts from this address; retry after " +
                        std::to_string(wait) + " s (--post-rate)");
    }
  }
  // The core's limits apply before anything else looks at the body.
  auto parsed = ParseJson(req.body, kMaxResponseBytes, kMaxResponseDepth);
  if (!parsed.ok()) {
    return Reply(res, StatusFor(parsed.errors()),
                 {{"errors", ErrorsToJson(parsed.errors())}});
  }
  const Json& payload = parsed.value();
  if (!payload.is_object()) {
    return Refuse(res, 400, ErrorCode::kInvalidJson, "",
                  "the body is not a JSON object");
  }
  const Json* id = payload.find("surveyId");
  const std::string survey_id = id ? id->as_string() : "";
  // The version the response names, as published here; one published through
  // another collector a moment ago may not have been seen yet.
  auto catalog = catalog_->Now();
  auto version = [&]() -> Result<SurveyPtr> {
    auto history = catalog->surveys.find(survey_id);
    if (history == catalog->surveys.end() ||
        (!admin && !catalog->MayAnswer(survey_id))) {
      return Status(ErrorCode::kMismatch, "surveyId", "no such survey");
    }
    SONDAR_ASSIGN_OR_RETURN(const Survey* named,
                            history->second.versions.For(payload));
    return history->second.versions.Shared(named->version);
  };
  auto found = version();
  if (!found.ok()) {
    const Catalog::Look look =
        catalog_->Refresh(kCatalogOnMiss, /*on_miss=*/true);
    catalog = catalog_->Now();
    found = version();
    // Not known, and the database could not say (or was not asked) whether
    // it was published: the widget is asked to retry rather than drop it.
    if (!found.ok() && look != Catalog::Look::kLooked) {
      const bool failed = look == Catalog::Look::kFailed;
      res.Set("Retry-After", failed ? kStorageRetryAfter : "1");
      return Refuse(res, 503, failed ? HttpCode::kStorage : HttpCode::kBusy, "",
                    failed ? "could not read the published surveys; retry"
                           : "looking for that survey version; retry");
    }
  }
  if (!found.ok()) {
    if (found.errors().front().path == "surveyId") {
      return Refuse(res, 422, HttpCode::kUnknownSurvey, "surveyId",
                    "no survey \"" + survey_id + "\" here");
    }
    return Reply(res, 422, {{"errors", ErrorsToJson(found.errors())}});
  }
  const SurveyPtr survey = std::move(found).value();
  auto record = ValidateResponse(*survey, payload);
  if (!record.ok()) {
    return Reply(res, StatusFor(record.errors()),
                 {{"errors", ErrorsToJson(record.errors())}});
  }
  if (config_.max_extension_bytes > 0) {
    const Status extensions =
        CheckExtensions(payload, config_.max_extension_bytes);
    if (!extensions.ok()) {
      return Reply(res, StatusFor(extensions.errors()),
                   {{"errors", ErrorsToJson(extensions.errors())}});
    }
  }
  Json normalized = NormalizeResponse(*survey, payload);
  const TimeBounds bounds{
      now,
      FirstSeen(survey_id) -
          std::int64_t{config_.max_backdate_days} * 24 * 3600 * 1000,
      std::int64_t{config_.max_clock_skew_s} * 1000};
  BoundTimestamps(bounds, &normalized, &record.value());
  // A day past retention is an aggregate now: a response of it arriving
  // late (or again, from an outbox) is not stored, which would count it
  // twice.
  if (config_.retention_days > 0) {
    if (record->submitted_at_ms < RetentionStart(now, config_.retention_days)) {
      return Refuse(res, 410, HttpCode::kPastRetention, "submittedAt",
                    "is before the " + std::to_string(config_.retention_days) +
                        " days this collector keeps responses "
                        "(--retention-days)");
    }
  }
  const std::string text = normalized.dump();
  // Past the quota nothing is acknowledged: the widget keeps the response and
  // retries, so raising the quota (or erasing old responses) loses nothing.
  const std::int64_t quota =
      static_cast<std::int64_t>(config_.max_survey_mb * 1024 * 1024);
  if (quota > 0) {
    const std::int64_t used = UsageOf(survey_id);
    if (used >= 0 && used + static_cast<std::int64_t>(text.size()) > quota) {
      res.Set("Retry-After", kQuotaRetryAfter);
      return Refuse(res, 503, HttpCode::kQuotaExceeded, "surveyId",
                    "survey \"" + survey_id +
                        "\" has used its storage quota (--max-survey-mb); "
                        "retry later");
    }
  }
  const std::string& visitor = payload.find("visitorId")->as_string();
  const bool may_insert = admin || visitor_cap_.Allows(visitor, now);
  // An import with the token is one address posting for many clients: it
  // has no client key, and each of its rows counts for itself.
  const std::string client_key = admin ? "" : ClientKey(secret_, client);
  const std::vector<Comment> comments = CommentsOf(*survey, normalized);
  record.value().themes = ThemesOf(*catalog->themes, comments);
  const std::string encoded = EncodeRecord(record.value(), survey->version);
  // Alerts are decided on what is stored, and written with it.
  const std::vector<AlertWrite> alerts =
      webhooks_->For(survey_id, *survey, normalized, record.value().themes);
  const Store::HiddenValues hidden = IndexedHidden(normalized);
  Store::Version stored{record.value(), survey_id,  visitor,   text,
                        client_key,     may_insert, &comments, &encoded};
  stored.alerts = &alerts;
  stored.hidden = &hidden;
  const auto outcome = store_->Upsert(stored);
  if ((outcome == Store::Outcome::kInserted ||
       outcome == Store::Outcome::kReplaced) &&
      std::any_of(alerts.begin(), alerts.end(), [](const AlertWrite& a) {
        return a.action == AlertWrite::Action::kFire;
      }))
    webhooks_->Wake();
  if (outcome == Store::Outcome::kFailed) {
    StorageFailed();
    res.Set("Retry-After", kStorageRetryAfter);
    return Refuse(res, 503, HttpCode::kStorage, "", "could not store; retry");
  }
  const std::string& rid = record->response_id;
  switch (outcome) {
    case Store::Outcome::kInserted:
      // Only a row written proves that writes go through again (a kept or
      // refused version commits nothing).
      storage_ok_ = true;
      if (!admin) visitor_cap_.Count(visitor, now);
      Wrote(survey_id, text.size());
      return Reply(res, 201, {{"responseId", rid}, {"stored", "inserted"}});
    case Store::Outcome::kReplaced:
      // Its size less the old version's is not known here: the next recount
      // (30 s) has it.
      storage_ok_ = true;
      return Reply(res, 200, {{"responseId", rid}, {"stored", "replaced"}});
    case Store::Outcome::kKept:
      // Not an error: an older version of a response we already hold a
      // better one of.
      return Reply(res, 200, {{"responseId", rid}, {"stored", "kept_newer"}});
    case Store::Outcome::kOtherSurvey:
      return Refuse(res, 409, HttpCode::kConflict, "responseId",
                    "is already a response to another survey");
    case Store::Outcome::kOtherVisitor:
      return Refuse(res, 409, HttpCode::kConflict, "visitorId",
                    "differs from the visitor this response belongs to");
    case Store::Outcome::kNotNew: {
      const int wait = visitor_cap_.RetryAfter(now);
      res.Set("Retry-After", std::to_string(wait));
      return Refuse(res, 429, HttpCode::kVisitorLimit, "visitorId",
                    "this visitor has started " +
                        std::to_string(config_.max_new_per_visitor) +
                        " responses in " +
                        std::to_string(config_.visitor_window_s) +
                        " s (--max-new-per-visitor); retry after " +
                        std::to_string(wait) + " s");
    }
    case Store::Outcome::kErased:
      // Final: the widget drops its copy and does not send it again.
      return Refuse(res, 410, HttpCode::kErased, "responseId",
                    "was erased on request; it is not stored again");
    case Store::Outcome::kFailed:
      break;  // answered above
  }
}

std::int64_t Collector::FirstSeen(const std::string& survey_id) {
  {
    std::lock_guard<std::mutex> lock(first_seen_mu_);
    auto it = first_seen_.find(survey_id);
    if (it != first_seen_.end()) return it->second;
  }
  // A survey published since start: asked on this worker, outside the lock
  // (other posts do not wait for it), and remembered once the database
  // answered.
  auto seen = store_->FirstSeen({survey_id});
  auto it = seen.find(survey_id);
  if (it == seen.end()) return NowMs();
  std::lock_guard<std::mutex> lock(first_seen_mu_);
  return first_seen_.emplace(survey_id, it->second).first->second;
}

void Collector::Counts(const Request& req, Response& res) {
  const std::string wanted = req.Param("surveys");
  Json counts = Json::object();
  const auto catalog = catalog_->Now();  // drafts' counts stay the owner's
  std::lock_guard<std::mutex> lock(stats_mu_);
  std::size_t asked = 0;
  for (std::size_t at = 0; at <= wanted.size() && asked < 50; ++asked) {
    std::size_t end = wanted.find(',', at);
    if (end == std::string::npos) end = wanted.size();
    const std::string id = wanted.substr(at, end - at);
    at = end + 1;
    // Unknown counts cap nothing: the widget shows the survey.
    auto count = counts_.find(id);
    if (count != counts_.end() && catalog->MayAnswer(id))
      counts[id] = count->second;
  }
  Reply(res, 200, counts);
}

void Collector::Export(const Request& req, Response& res) {
  const std::string id = req.Param("survey");
  Audit(req, "export", "/api/export.jsonl", {{"survey", id}});
  res.content_type = "application/x-ndjson";
  res.stream = [this, id](http::Sink& sink) {
    // Pieces of about 64 KiB: one hand-over to the I/O thread each, not one
    // per row.
    std::string piece;
    bool open = true;
    const bool read = store_->ForEach(id, [&](const std::string& payload) {
      piece += payload;
      piece += '\n';
      if (piece.size() >= 64 * 1024) {
        open = sink.Write(piece);
        piece.clear();
      }
      return open;
    });
    // A failed read cuts the stream instead of ending it cleanly, so the
    // client cannot take a partial export for a whole one.
    if (!read || !open) return false;
    return piece.empty() || sink.Write(piece);
  };
}

// A public read: the latest version without x- members, revalidated cheaply.
void Collector::ServePublic(const PublicDocument& doc, const Request& req,
                            Response& res) {
  res.Set("ETag", doc.etag);
  res.Set("Cache-Control", kPublicCacheControl);
  const std::string match = req.Header("If-None-Match");
  if (!match.empty() &&
      (match == "*" || match.find(doc.etag) != std::string::npos)) {
    res.status = 304;
    return;
  }
  res.content_type = "application/json";
  res.body = doc.body;
}

// .../versions: the list, newest first; .../versions/N: one version as
// stored (x- members included), for the editor's diff and rollback.
// The admin sub-routes of a survey or the manifest (the caller checked the
// token): POST .../rollback, GET .../versions (newest first), and
// .../versions/N, one version as stored (x- members included), for the
// editor's diff.
void Collector::History(const std::vector<VersionInfo>& infos,
                        const std::string& rest, const Request& req,
                        Response& res,
                        const std::function<Answer(const Json&)>& rollback) {
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (rest == "rollback") {
    if (req.method != "POST") {
      Refuse(res, 405, HttpCode::kMethodNotAllowed, "", "POST here");
      return res.Set("Allow", "POST, OPTIONS");
    }
    auto body = ParseJson(req.body, kMaxResponseBytes, 8);
    const Answer a = rollback(body.ok() ? body.value() : Json::object());
    if (a.status == 201)
      Audit(req, "rollback", req.path.substr(0, req.path.rfind('/')),
            {{"version", a.body["version"]}});
    return Reply(res, a.status, a.body);
  }
  if (rest != "versions" && rest.rfind("versions/", 0) != 0)
    return Refuse(res, 404, HttpCode::kNotFound, "", "no such path");
  if (!get) {
    Refuse(res, 405, HttpCode::kMethodNotAllowed, "", "only GET here");
    return res.Set("Allow", "GET, HEAD, OPTIONS");
  }
  const std::string number = rest == "versions" ? "" : rest.substr(9);
  if (number.empty()) {
    Json list = Json::array();
    for (auto it = infos.rbegin(); it != infos.rend(); ++it) {
      Json item = {{"version", it->version},
                   {"publishedAt", IsoTime(it->published_at_ms)},
                   {"source", it->source},
                   {"bytes", static_cast<std::int64_t>(it->content.size())}};
      if (it->from_version) item["fromVersion"] = it->from_version;
      list.push_back(std::move(item));
    }
    return Reply(res, 200, list);
  }
  for (const VersionInfo& info : infos) {
    if (std::to_string(info.version) != number) continue;
    res.Set("ETag", Etag(info.version));
    res.Set("Cache-Control", "no-store");
    res.content_type = "application/json";
    res.body = info.content;
    return;
  }
  Refuse(res, 404, HttpCode::kUnknownVersion, "", "no version " + number);
}

// A publish's answer; a new version also says where it lives.
void Collector::Published(const Request& req, const Answer& a,
                          const std::string& route, Response& res) {
  if (a.status == 201) {
    const int version = static_cast<int>(a.body["version"].as_int());
    Audit(req, "publish", route, {{"version", version}});
    res.Set("Location", route + "/versions/" + std::to_string(version));
    res.Set("ETag", Etag(version));
  }
  Reply(res, a.status, a.body);
}

void Collector::Surveys(const Request& req, Response& res) {
  const std::string& path = req.path;
  const bool get = req.method == "GET" || req.method == "HEAD";
  const auto catalog = catalog_->Now();
  if (path == "/api/surveys") {
    if (!get) {
      Refuse(res, 405, HttpCode::kMethodNotAllowed, "", "only GET here");
      return res.Set("Allow", "GET, HEAD, OPTIONS");
    }
    if (!Reader(req, res)) return;
    Json list = Json::array();
    for (const auto& [id, history] : catalog->surveys) {
      const VersionInfo& latest = history.infos.back();
      list.push_back({{"id", id},
                      {"version", latest.version},
                      {"versions", history.infos.size()},
                      {"publishedAt", IsoTime(latest.published_at_ms)},
                      {"public", catalog->public_surveys.count(id) > 0}});
    }
    return Reply(res, 200, list);
  }
  // /api/surveys/ID.json, /api/surveys/ID, /api/surveys/ID/versions[/N],
  // /api/surveys/ID/rollback
  std::string rest = path.substr(std::string_view("/api/surveys/").size());
  if (path.size() <= 13 || path[12] != '/') {
    return Refuse(res, 404, HttpCode::kNotFound, "", "no such path");
  }
  const std::size_t slash = rest.find('/');
  std::string id = rest.substr(0, slash);
  rest = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (slash == std::string::npos && id.size() > 5 &&
      id.compare(id.size() - 5, 5, ".json") == 0) {
    id.resize(id.size() - 5);
    if (!get) {
      Refuse(res, 405, HttpCode::kMethodNotAllowed, "", "only GET here");
      return res.Set("Allow", "GET, HEAD, OPTIONS");
    }
    // Unknown and unpublished are one answer: which drafts exist is the
    // owner's business.
    auto it = catalog->public_surveys.find(id);
    if (it == catalog->public_surveys.end())
      return Refuse(res, 404, HttpCode::kUnknownSurvey, "", "no such survey");
    return ServePublic(it->second, req, res);
  }
  // A viewer may read what was published; only an admin changes it.
  if (get ? !Reader(req, res) : !Admin(req, res)) return;
  auto history = catalog->surveys.find(id);
  if (slash == std::string::npos) {
    if (req.method != "PUT") {
      Refuse(res, 405, HttpCode::kMethodNotAllowed, "",
             "PUT a survey here; GET /api/surveys/" + id +
                 ".json or "
                 "/api/surveys/" +
                 id + "/versions");
      return res.Set("Allow", "PUT, OPTIONS");
    }
    return Published(req, catalog_->PublishSurvey(id, req.body, IfMatch(req)),
                     "/api/surveys/" + id, res);
  }
  if (history == catalog->surveys.end()) {
    return Refuse(res, 404, HttpCode::kUnknownSurvey, "",
                  "no survey \"" + id + "\" here");
  }
  History(history->second.infos, rest, req, res,
          [&](const Json& body) { return catalog_->RollbackSurvey(id, body); });
}

void Collector::Site(const Request& req, Response& res) {
  const bool get = req.method == "GET" || req.method == "HEAD";
  const auto catalog = catalog_->Now();
  if (req.path == "/api/site") {
    if (get) {
      if (!catalog->public_site) {
        return Refuse(res, 404, HttpCode::kNotFound, "",
                      "no site manifest is published");
      }
      return ServePublic(*catalog->public_site, req, res);
    }
    if (req.method != "PUT") {
      Refuse(res, 405, HttpCode::kMethodNotAllowed, "", "GET or PUT here");
      return res.Set("Allow", "GET, HEAD, PUT, OPTIONS");
    }
    if (!Admin(req, res)) return;
    return Published(req, catalog_->PublishSite(req.body, IfMatch(req)),
                     "/api/site", res);
  }
  const std::string rest =
      req.path.substr(std::string_view("/api/site/").size());
  if (get ? !Reader(req, res) : !Admin(req, res)) return;
  History(catalog->site, rest, req, res,
          [&](const Json& body) { return catalog_->RollbackSite(body); });
}

void Collector::Themes(const Request& req, Response& res) {
  const bool get = req.method == "GET" || req.method == "HEAD";
  const auto catalog = catalog_->Now();
  if (req.path == "/api/themes") {
    if (get) {
      if (!Reader(req, res)) return;
      const std::vector<VersionInfo>& infos = catalog->themes_versions;
      const int version = infos.empty() ? 0 : infos.back().version;
      Json document = DefaultThemesDocument();
      if (version) {
        auto held = ParseJson(infos.back().content);
        if (held.ok()) document = std::move(held).value();
      }
      bool asked;
      {
        std::lock_guard<std::mutex> lock(refresh_mu_);
        asked = retag_ != RetagStep::kNone;
      }
      // Version 0 is the core's default list: nothing published yet.
      res.Set("ETag", Etag(version));
      res.Set("Cache-Control", "no-store");
      return Reply(
          res, 200,
          {{"version", version},
           {"document", std::move(document)},
           {"retag", {{"running", asked}, {"rowsLeft", store_->Underived()}}}});
    }
    if (req.method != "PUT") {
      Refuse(res, 405, HttpCode::kMethodNotAllowed, "", "GET or PUT here");
      return res.Set("Allow", "GET, HEAD, PUT, OPTIONS");
    }
    if (!Admin(req, res)) return;
    const Answer a = catalog_->PublishThemes(req.body, IfMatch(req));
    if (a.status == 201) RetagSoon();
    return Published(req, a, "/api/themes", res);
  }
  const std::string rest =
      req.path.substr(std::string_view("/api/themes/").size());
  if (get ? !Reader(req, res) : !Admin(req, res)) return;
  History(catalog->themes_versions, rest, req, res, [&](const Json& body) {
    Answer a = catalog_->RollbackThemes(body);
    if (a.status == 201) RetagSoon();
    return a;
  });
}

void Collector::Health(const Request& req, Response& res) {
  const bool ok = storage_ok_;
  Json health = {{"ok", ok}};
  // How many responses there are is the owner's business (asked on a read
  // worker: see LaneFor).
  if (IsAdmin(req)) health["responses"] = store_->Count();
  if (!ok) {
    health["errors"] = Json::array();
    health["errors"].push_back({{"code", "storage"},
                                {"path", ""},
                                {"message", "responses cannot be stored now"}});
    res.Set("Retry-After", kStorageRetryAfter);
  }
  Reply(res, ok ? 200 : 503, health);
}

void Collector::Static(const Request& req, Response& res) {
  const std::string& path = req.path;  // percent-decoded
  for (unsigned char c : path) {
    // No file here has control characters or backslashes.
    if (c < 0x20 || c == 0x7f || c == '\\') {
      return Refuse(res, 400, HttpCode::kBadPath, "",
                    "the path has a control character or a backslash");
    }
  }
  for (const Mount& mount : mounts_) {
    const bool root = mount.prefix == "/";
    if (!root && path != mount.prefix &&
        path.compare(0, mount.prefix.size() + 1, mount.prefix + "/") != 0)
      continue;
    std::string rel = path.substr(root ? 1 : mount.prefix.size());
    while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
    if (rel.empty() || rel.back() == '/') rel += "index.html";
    std::error_code ec;
    fs::path real = fs::canonical(mount.root / rel, ec);
    if (!ec && fs::is_directory(real, ec))
      real = fs::canonical(real / "index.html", ec);
    if (ec) continue;
    const std::string inside = mount.root.string() + "/";
    if (real.string().compare(0, inside.size(), inside) != 0 ||
        !fs::is_regular_file(real, ec)) {
      continue;  // a symlink out of the folder, or not a file
    }
    res.file = real;
    res.content_type = MimeType(real);
    res.Set("Content-Security-Policy", config_.page_csp);
    res.Set("Cache-Control", "no-cache");
    return;
  }
  Refuse(res, 404, HttpCode::kNotFound, "", "no such file");
}

std::int64_t Collector::UsageOf(const std::string& survey_id) {
  std::int64_t used;
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    auto it = usage_.find(survey_id);
    if (it == usage_.end() || it->second.counted < 0) return -1;
    used = it->second.counted + it->second.since;
    const std::int64_t quota =
        static_cast<std::int64_t>(config_.max_survey_mb * 1024 * 1024);
    if (used <= quota || it->second.over) return used;
    it->second.over = true;
  }
  {
    std::cerr << "sondar-collector: survey " << survey_id
              << " is over its storage quota (" << used << " bytes stored); "
              << "new responses get 503 until --max-survey-mb is raised\n";
  }
  return used;
}

void Collector::Wrote(const std::string& survey_id, std::size_t bytes) {
  std::lock_guard<std::mutex> lock(stats_mu_);
  usage_[survey_id].since += static_cast<std::int64_t>(bytes);
}

void Collector::StorageFailed() {
  if (storage_ok_.exchange(false)) {
    std::cerr << "sondar-collector: a write failed; /api/health answers 503 "
                 "until writes go through again\n";
  }
  refresh_cv_.notify_all();  // start probing now
}

void Collector::Refresh() {
  using Clock = std::chrono::steady_clock;
  Clock::time_point counted{}, measured{},
      probed = Clock::now(), tokens_read = Clock::now(), retained{};
  std::unique_lock<std::mutex> lock(refresh_mu_);
  while (!stopping_) {
    lock.unlock();
    const auto now = Clock::now();
    catalog_->Refresh(kCatalogEvery);
    const auto catalog = catalog_->Now();
    if (now - tokens_read >= kTokensEvery) {
      access_.Reload();
      tokens_read = now;
    }

    if (now - counted >= kCountsEvery) {
      for (const std::string& id : catalog->close_after_ids) {
        const std::int64_t n =
            store_->CountComplete(id, config_.close_after_per_client);
        std::lock_guard<std::mutex> stats(stats_mu_);
        if (n >= 0) counts_[id] = n;
      }
      counted = now;
    }
    if (config_.max_survey_mb > 0 && now - measured >= kUsageEvery) {
      for (const auto& [id, history] : catalog->surveys) {
        // Writes during the count are in it or in `since`: a little too
        // much, never too little.
        std::int64_t since;
        {
          std::lock_guard<std::mutex> stats(stats_mu_);
          since = usage_[id].since;
        }
        const std::int64_t bytes = store_->StoredBytes(id);
        std::lock_guard<std::mutex> stats(stats_mu_);
        Usage& usage = usage_[id];
        if (bytes < 0) continue;
        usage.counted = bytes;
        usage.since -= since;
        const std::int64_t quota =
            static_cast<std::int64_t>(config_.max_survey_mb * 1024 * 1024);
        if (usage.counted + usage.since <= quota) usage.over = false;
      }
      measured = now;
    }
    const bool ok = storage_ok_;
    if (now - probed >= (ok ? kProbeEvery : kProbeFailingEvery)) {
      if (ok) {
        // A database that has gone away fails even a small write.
        if (!store_->Probe(0)) StorageFailed();
      } else if (store_->Probe(kMaxResponseBytes)) {
        // Only a write of a whole response's size proves that posts fit
        // again.
        if (!storage_ok_.exchange(true))
          std::cerr << "sondar-collector: writes go through again\n";
      }
      probed = now;
    }
    lock.lock();
    refresh_cv_.wait_for(lock, storage_ok_ ? std::chrono::milliseconds(1000)
                                           : std::chrono::milliseconds(250));
  }
}

}  // namespace sondar::collector
