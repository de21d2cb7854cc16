// The collector's routes: what each public and admin request does, with the
// abuse controls in front of the store. The HTTP server (http_server.h) calls
// it; survey publishing, workspace queries and webhooks go beside these.
#ifndef SONDAR_DEMO_COLLECTOR_COLLECTOR_H_
#define SONDAR_DEMO_COLLECTOR_COLLECTOR_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "abuse.h"
#include "access.h"
#include "catalog.h"
#include "http_server.h"
#include "sondar/sondar.h"
#include "store.h"
#include "webhooks.h"

namespace sondar::collector {

struct Config {
  std::string bind = "127.0.0.1";
  int port = 8787;
  std::string db = "sondar.db";
  std::string surveys = "demo/surveys";
  std::vector<std::string> origins;
  std::vector<std::string> mounts;  // "PREFIX=DIR"
  std::vector<std::string> trusted_proxies;
  std::string admin_token_file;
  std::string page_csp =
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
      "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
      "object-src 'none'; base-uri 'none'; form-action 'self'; "
      "frame-ancestors 'none'";
  double request_timeout_s = 10;
  double write_timeout_s = 30;
  std::size_t max_connections_per_client = 256;
  // How far ahead of the collector's clock a submittedAt may be.
  int max_clock_skew_s = 300;
  // How long before this database first saw a survey a response of it may
  // have been submitted (it may have waited in a visitor's outbox, or been
  // collected elsewhere before).
  int max_backdate_days = 30;
  // Abuse controls; 0 turns each off.
  double post_rate = 10;         // posts a second per client address
  double post_burst = 60;        // posts at once per client address
  int max_new_per_visitor = 20;  // new responses of a visitor in a window
  int visitor_window_s = 3600;
  std::size_t max_extension_bytes = 2048;  // x- members of one response
  double max_survey_mb = 1024;             // stored payloads of one survey
  // Complete responses of one client address closeAfter counts (at least 1).
  int close_after_per_client = 3;
  // Responses older than this many days are deleted, their days kept as
  // aggregates (Store::RollUpDay); 0 keeps everything.
  int retention_days = 0;
  WebhookConfig webhooks;
};

// A folder served under a URL prefix. Only regular files whose real path
// (after every symlink) lies inside the folder are served.
struct Mount {
  std::string prefix;          // "/" or "/dist", no trailing slash but for "/"
  std::filesystem::path root;  // canonical
};

class Collector final : public http::Application {
 public:
  // `catalog` reads from and publishes to `store`.
  Collector(Config config, std::unique_ptr<Store> store,
            std::unique_ptr<Catalog> catalog, std::string admin_token,
            std::vector<Mount> mounts);
  ~Collector() override;

  http::Lane LaneFor(const http::Request& request) const override;
  void Handle(const http::Request& request, http::Response& response) override;
  void Decorate(const http::Request* request,
                http::Response& response) const override;
  std::size_t BodyLimit(std::string_view method,
                        std::string_view authorization) const override;

 private:
  void Post(const http::Request& req, http::Response& res);
  void Counts(const http::Request& req, http::Response& res);
  // queries.cpp: the workspace's reads.
  const SurveyVersions* Queried(const http::Request& req, http::Response& res,
                                std::shared_ptr<const Snapshot>* hold,
                                ResponseFilter* filter);
  void Summary(const http::Request& req, http::Response& res,
               const Principal& who);
  // The summary the workspace shows, for any caller; false when the store
  // could not be read whole.
  bool Summarise(const SurveyVersions& versions, const ResponseFilter& filter,
                 double confidence, Json* summary);
  // The digest e-mail (sondar::DigestEmail as JSON) of a survey for the UTC
  // day starting at `day_ms`; "" for a day without responses, nullopt when
  // it cannot be made now.
  std::optional<std::string> DigestBody(const std::string& survey_id,
                                        std::int64_t day_ms);
  void Comments(const http::Request& req, http::Response& res,
                const Principal& who);
  void OneResponse(const std::string& response_id, http::Response& res,
                   const Principal& who);
  void ExportCsv(const http::Request& req, http::Response& res);
  void DeriveOld();  // on maintainer_
  void Export(const http::Request& req, http::Response& res);
  void Health(const http::Request& req, http::Response& res);
  // webhook_routes.cpp: /api/webhooks...
  void Webhooks(const http::Request& req, http::Response& res);
  // case_routes.cpp: /api/cases...
  void Cases(const http::Request& req, http::Response& res);
  // /api/surveys..., /api/site...: public reads and the admin publishing API.
  void Surveys(const http::Request& req, http::Response& res);
  void Site(const http::Request& req, http::Response& res);
  // /api/themes: the site's comment themes, published like the manifest.
  void Themes(const http::Request& req, http::Response& res);
  void History(const std::vector<VersionInfo>& infos, const std::string& rest,
               const http::Request& req, http::Response& res,
               const std::function<Answer(const Json&)>& rollback);
  void Published(const http::Request& req, const Answer& answer,
                 const std::string& route, http::Response& res);
  void ServePublic(const PublicDocument& doc, const http::Request& req,
                   http::Response& res);
  std::int64_t FirstSeen(const std::string& survey_id);
  void Static(const http::Request& req, http::Response& res);
  void Cors(const http::Request& req, http::Response& res) const;
  // Admin-only routes: true for an admin token, else 401 (no or an unknown
  // token) or 403 (a viewer's) answered.
  bool Admin(const http::Request& req, http::Response& res) const;
  // Routes a viewer may read: who asks, or nullopt with a 401 answered.
  std::optional<Principal> Reader(const http::Request& req,
                                  http::Response& res) const;
  std::optional<Principal> Who(const http::Request& req) const {
    return access_.Who(req.Header("Authorization"));
  }
  bool IsAdmin(const http::Request& req) const;
  bool IsAdminAuthorization(std::string_view authorization) const;
  // Appends an admin action to the audit log, as done by whoever `req`'s
  // token names; a failure is logged, never silent.
  void Audit(const http::Request& req, const std::string& action,
             const std::string& target, const Json& detail);
  // privacy_routes.cpp: /api/visitors/ID, /api/privacy/..., /api/audit.
  void Privacy(const http::Request& req, http::Response& res);
  // Deletes responses past --retention-days, keeping their days as
  // aggregates; the rows rolled up, or -1. Stops early when the collector
  // stops.
  std::int64_t Retain(std::int64_t now_ms);
  // On maintainer_: indexes, DeriveOld, then re-tagging when asked and
  // retention at once and hourly.
  void Maintain();
  // After a theme list is published here: the stored comments are tagged
  // again by the maintainer, at once and, for the rows that came in while
  // collectors still held the old list, a few seconds later.
  void RetagSoon();
  // True when every row in range was forgotten (and derived again).
  bool Retag(std::int64_t since_ms);
  int ThemesVersion() const;  // 0: the core's default list
  bool Stopping();

 public:
  // Where alerts link to (the workspace), once the port is known.
  void SetPublicUrl(const std::string& url) { webhooks_->SetPublicUrl(url); }

 private:
  bool OriginMayPost(const http::Request& req) const;

  // Counts for closeAfter, stored bytes per survey and whether the store
  // takes writes are refreshed here, one query at a time, never on a
  // request's path.
  void Refresh();
  // Bytes a survey holds, as last counted plus what was written since; -1
  // before the first count.
  std::int64_t UsageOf(const std::string& survey_id);
  void Wrote(const std::string& survey_id, std::size_t bytes);
  void StorageFailed();

  const Config config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Catalog> catalog_;         // uses store_
  std::unique_ptr<WebhookSender> webhooks_;  // uses store_
  const std::set<std::string> origins_;
  AccessList access_;  // uses store_
  const std::vector<Mount> mounts_;
  std::mutex first_seen_mu_;
  std::map<std::string, std::int64_t> first_seen_;
  std::string secret_;

  RateLimiter post_limit_;
  VisitorCap visitor_cap_;

  std::mutex stats_mu_;                         // guards counts_, usage_
  std::map<std::string, std::int64_t> counts_;  // closeAfter counts
  struct Usage {
    std::int64_t counted = -1;
    std::int64_t since = 0;
    bool over = false;  // logged once per crossing
  };
  std::map<std::string, Usage> usage_;
  // False from a failed write until a write of a response's full size goes
  // through again.
  std::atomic<bool> storage_ok_{true};

  std::mutex refresh_mu_;
  std::condition_variable refresh_cv_;
  bool stopping_ = false;
  std::thread refresher_;
  // With refresh_mu_: wakes the maintainer to stop or to re-tag.
  std::condition_variable retain_cv_;
  std::thread maintainer_;  // Maintain()
  // Re-tagging asked for (guarded by refresh_mu_): none, every commented row,
  // or those received since retag_since_ms_; due at retag_at_.
  enum class RetagStep { kNone, kAll, kRecent } retag_ = RetagStep::kNone;
  std::chrono::steady_clock::time_point retag_at_{};
  std::int64_t retag_since_ms_ = 0;
  int retag_version_ = 0;  // the list it tags with
};

}  // namespace sondar::collector

#endif  // SONDAR_DEMO_COLLECTOR_COLLECTOR_H_
