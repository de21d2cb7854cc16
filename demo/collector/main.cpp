// sondar-collector: the reference receiver. Validates every posted response
// against its survey with the core (a forged nps 42 gets 422), upserts by
// responseId into SQLite, and serves summaries, a JSONL export, the surveys,
// the demo shop and the widget build.
//   sondar-collector --surveys demo/surveys --db sondar.db --port 8787
// Anyone may post a response (browsers do); reading what was stored needs the
// admin token. See "Deploying the collector" in the README.
#include <httplib.h>
#include <signal.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "guarded_server.h"
#include "sondar/sondar.h"
#include "store.h"

namespace {

using sondar::Json;
namespace fs = std::filesystem;

struct Config {
  std::string bind = "127.0.0.1";
  int port = 8787;
  std::string db = "sondar.db";
  std::string surveys = "demo/surveys";
  std::vector<std::string> origins;
  std::vector<std::string> mounts;  // "PREFIX=DIR"
  std::string admin_token_file;
  std::string page_csp =
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
      "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
      "object-src 'none'; base-uri 'none'; form-action 'self'; "
      "frame-ancestors 'none'";
  double request_timeout_s = 10;
  std::size_t max_connections_per_client = 256;
  // How far ahead of the collector's clock a submittedAt may be.
  int max_clock_skew_s = 300;
  // How long before this database first saw a survey a response of it may
  // have been submitted (it may have waited in a visitor's outbox, or been
  // collected elsewhere before).
  int max_backdate_days = 30;
};

// Compares in time that depends only on the length of the secret, so the
// reply time tells an attacker nothing about how much of a guess was right.
bool SameSecret(std::string_view given, std::string_view secret) {
  unsigned char diff = given.size() == secret.size() ? 0 : 1;
  for (std::size_t i = 0; i < secret.size(); ++i) {
    const char g = i < given.size() ? given[i] : 0;
    diff |= static_cast<unsigned char>(g ^ secret[i]);
  }
  return diff == 0;
}

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

// A folder served under a URL prefix. Only regular files whose real path
// (after every symlink) lies inside the folder are served.
struct Mount {
  std::string prefix;  // "/" or "/dist", no trailing slash but for "/"
  fs::path root;       // canonical
};

void Reply(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

// The same {"errors": [...]} shape as the core's, for failures the collector
// finds itself.
void Refuse(httplib::Response& res, int status, const char* code,
            const char* path, const std::string& message) {
  Reply(res, status,
        {{"errors", {{{"code", code}, {"path", path}, {"message", message}}}}});
}

// 413 for too large, 400 for text that is not a usable JSON document, 422 for
// a document that is not a valid response.
int StatusFor(const sondar::Errors& errors) {
  const auto code = errors.front().code;
  if (code == sondar::ErrorCode::kTooLarge) return 413;
  if (code == sondar::ErrorCode::kTooDeep ||
      code == sondar::ErrorCode::kInvalidJson)
    return 400;
  return 422;
}

class Collector {
 public:
  Collector(
      Config config,
      std::map<std::string, std::shared_ptr<const sondar::Survey>> surveys,
      std::map<std::string, std::string> survey_texts,
      std::unique_ptr<sondar::collector::Store> store, std::string admin_token,
      std::vector<Mount> mounts)
      : config_(std::move(config)),
        surveys_(std::move(surveys)),
        survey_texts_(std::move(survey_texts)),
        store_(std::move(store)),
        origins_(config_.origins.begin(), config_.origins.end()),
        admin_token_(std::move(admin_token)),
        mounts_(std::move(mounts)) {
    std::vector<std::string> ids;
    for (const auto& [id, survey] : surveys_) ids.push_back(id);
    first_seen_ = store_->FirstSeen(ids);
  }

  void Routes(httplib::Server& server) {
    // cpp-httplib writes headers and body separately; with Nagle on, every
    // response waited for the client's delayed ACK (~40 ms per POST from
    // browsers and Node).
    server.set_tcp_nodelay(true);
    server.set_default_headers({{"X-Content-Type-Options", "nosniff"}});
    server.set_pre_routing_handler(
        [this](const httplib::Request& req, httplib::Response& res) {
          Cors(req, res);
          if (req.method == "OPTIONS") {
            res.status = 204;
            return httplib::Server::HandlerResponse::Handled;
          }
          return httplib::Server::HandlerResponse::Unhandled;
        });
    // Nothing the API answers is a page: it may not run or embed anything.
    server.set_post_routing_handler(
        [](const httplib::Request&, httplib::Response& res) {
          if (!res.has_header("Content-Security-Policy")) {
            res.set_header("Content-Security-Policy",
                           "default-src 'none'; frame-ancestors 'none'");
          }
        });
    server.Post("/api/responses",
                [this](const httplib::Request& req, httplib::Response& res) {
                  Post(req, res);
                });
    // What closeAfter needs, for the surveys that set it (their owners made
    // that number public); the other surveys' counts stay the owner's.
    server.Get("/api/responses/counts",
               [this](const httplib::Request& req, httplib::Response& res) {
                 Counts(req, res);
               });
    server.Get("/api/summary",
               [this](const httplib::Request& req, httplib::Response& res) {
                 if (Admin(req, res)) Summary(req, res);
               });
    server.Get("/api/export.jsonl",
               [this](const httplib::Request& req, httplib::Response& res) {
                 if (Admin(req, res)) Export(req, res);
               });
    server.Get("/api/surveys",
               [this](const httplib::Request& req, httplib::Response& res) {
                 if (!Admin(req, res)) return;
                 Json list = Json::array();
                 for (const auto& [id, survey] : surveys_)
                   list.push_back({{"id", id}, {"version", survey->version}});
                 Reply(res, 200, list);
               });
    server.Get(R"(/api/surveys/([A-Za-z0-9_.:-]+)\.json)",
               [this](const httplib::Request& req, httplib::Response& res) {
                 auto it = survey_texts_.find(req.matches[1]);
                 if (it == survey_texts_.end())
                   return Refuse(res, 404, "unknown_survey", "",
                                 "no such survey");
                 res.set_content(it->second, "application/json");
               });
    // How many responses there are is the owner's business.
    server.Get("/api/health",
               [this](const httplib::Request& req, httplib::Response& res) {
                 Json health = {{"ok", true}};
                 if (SameSecret(Bearer(req), admin_token_))
                   health["responses"] = store_->Count();
                 Reply(res, 200, health);
               });
    // Last, so the API's routes win.
    server.Get(".*", [this](const httplib::Request& req,
                            httplib::Response& res) { Static(req, res); });
  }

 private:
  void Cors(const httplib::Request& req, httplib::Response& res) {
    const std::string origin = req.get_header_value("Origin");
    if (origin.empty() || !(origins_.count("*") || origins_.count(origin)))
      return;
    res.set_header("Access-Control-Allow-Origin",
                   origins_.count("*") ? "*" : origin);
    res.set_header("Vary", "Origin");
    res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    res.set_header("Access-Control-Allow-Headers",
                   "Content-Type, Idempotency-Key");
    res.set_header("Access-Control-Max-Age", "600");
  }

  static std::string Bearer(const httplib::Request& req) {
    const std::string value = req.get_header_value("Authorization");
    constexpr std::string_view kScheme = "Bearer ";
    if (value.size() <= kScheme.size() ||
        Lower(value.substr(0, kScheme.size())) != "bearer ")
      return "";
    return value.substr(kScheme.size());
  }

  // Exports and summaries hold visitor ids, hidden fields and free text.
  bool Admin(const httplib::Request& req, httplib::Response& res) {
    if (SameSecret(Bearer(req), admin_token_)) return true;
    res.set_header("WWW-Authenticate", "Bearer realm=\"sondar\"");
    Refuse(res, 401, "unauthorized", "",
           "this needs the admin token: Authorization: Bearer <token>");
    return false;
  }

  // A browser names the page's origin on every cross-site POST. Same-origin
  // posts (the Origin's host is the Host asked for) and the --origin list may
  // post; a request without Origin is not from a browser page, and the core
  // checks it like any other.
  bool OriginMayPost(const httplib::Request& req) const {
    const std::string origin = req.get_header_value("Origin");
    if (origin.empty() || origins_.count("*") || origins_.count(origin))
      return true;
    const auto scheme = origin.find("://");
    return scheme != std::string::npos &&
           Lower(origin.substr(scheme + 3)) ==
               Lower(req.get_header_value("Host"));
  }

  void Post(const httplib::Request& req, httplib::Response& res) {
    if (!OriginMayPost(req)) {
      return Refuse(res, 403, "origin_not_allowed", "",
                    "pages of " + req.get_header_value("Origin") +
                        " may not post here (see --origin)");
    }
    // application/json needs a CORS preflight from another site; text/plain
    // (what a plain HTML form or sendBeacon of a string sends) would not.
    const std::string type = req.get_header_value("Content-Type");
    if (Lower(type.substr(0, type.find(';'))) != "application/json") {
      return Refuse(res, 415, "unsupported_media_type", "",
                    "send Content-Type: application/json");
    }
    // The core's limits apply before anything else looks at the body.
    auto parsed = sondar::ParseJson(req.body, sondar::kMaxResponseBytes,
                                    sondar::kMaxResponseDepth);
    if (!parsed.ok()) {
      return Reply(res, StatusFor(parsed.errors()),
                   {{"errors", sondar::ErrorsToJson(parsed.errors())}});
    }
    const Json& payload = parsed.value();
    if (!payload.is_object()) {
      return Refuse(res, 400, "invalid_json", "",
                    "the body is not a JSON object");
    }
    const Json* id = payload.find("surveyId");
    const std::string survey_id = id ? id->as_string() : "";
    auto survey = surveys_.find(survey_id);
    if (survey == surveys_.end()) {
      return Refuse(res, 422, "unknown_survey", "surveyId",
                    "no survey \"" + survey_id + "\" here");
    }
    auto record = sondar::ValidateResponse(*survey->second, payload);
    if (!record.ok()) {
      return Reply(res, StatusFor(record.errors()),
                   {{"errors", sondar::ErrorsToJson(record.errors())}});
    }
    Json normalized = sondar::NormalizeResponse(*survey->second, payload);
    const std::int64_t now = sondar::collector::NowMs();
    const sondar::TimeBounds bounds{
        now,
        first_seen_.at(survey_id) -
            std::int64_t{config_.max_backdate_days} * 24 * 3600 * 1000,
        std::int64_t{config_.max_clock_skew_s} * 1000};
    sondar::BoundTimestamps(bounds, &normalized, &record.value());
    switch (store_->Upsert(record.value(), survey_id,
                           payload.find("visitorId")->as_string(),
                           normalized.dump())) {
      case sondar::collector::Store::Outcome::kInserted:
        return Reply(
            res, 201,
            {{"responseId", record->response_id}, {"stored", "inserted"}});
      case sondar::collector::Store::Outcome::kReplaced:
        return Reply(
            res, 200,
            {{"responseId", record->response_id}, {"stored", "replaced"}});
      case sondar::collector::Store::Outcome::kKept:
        // Not an error: an older version of a response we already hold a better
        // one of.
        return Reply(
            res, 200,
            {{"responseId", record->response_id}, {"stored", "kept_newer"}});
      case sondar::collector::Store::Outcome::kOtherSurvey:
        return Refuse(res, 409, "conflict", "responseId",
                      "is already a response to another survey");
      case sondar::collector::Store::Outcome::kOtherVisitor:
        return Refuse(res, 409, "conflict", "visitorId",
                      "differs from the visitor this response belongs to");
      case sondar::collector::Store::Outcome::kFailed:
        return Refuse(res, 503, "storage", "", "could not store; retry");
    }
  }

  void Static(const httplib::Request& req, httplib::Response& res) {
    const std::string& path = req.path;  // percent-decoded by httplib
    for (unsigned char c : path) {
      // A NUL would cut the file name short of the extension the type was
      // chosen by; no file here has control characters or backslashes.
      if (c < 0x20 || c == 0x7f || c == '\\') {
        return Refuse(res, 400, "bad_path", "",
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
      std::ifstream in(real, std::ios::binary);
      std::stringstream body;
      body << in.rdbuf();
      if (!in) continue;
      res.set_content(body.str(), MimeType(real));
      res.set_header("Content-Security-Policy", config_.page_csp);
      res.set_header("Cache-Control", "no-cache");
      return;
    }
    Refuse(res, 404, "not_found", "", "no such file");
  }

  void Summary(const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.get_param_value("survey");
    auto survey = surveys_.find(id);
    if (survey == surveys_.end()) {
      return Refuse(res, 404, "unknown_survey", "survey",
                    "no survey \"" + id + "\" here");
    }
    double confidence = sondar::kDefaultConfidence;
    if (req.has_param("confidence"))
      confidence = std::atof(req.get_param_value("confidence").c_str());
    if (!(confidence > 0.5 && confidence < 0.9999))
      confidence = sondar::kDefaultConfidence;
    sondar::Aggregate aggregate(*survey->second);
    const bool read = store_->ForEach(id, [&](const std::string& payload) {
      auto record = sondar::ValidateResponseText(*survey->second, payload);
      if (record.ok()) aggregate.Add(record.value());
    });
    // Figures over part of the responses would look like real ones.
    if (!read) return Refuse(res, 503, "storage", "", "could not read; retry");
    Reply(res, 200, aggregate.Summary(confidence));
  }

  void Export(const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.get_param_value("survey");
    res.set_chunked_content_provider(
        "application/x-ndjson",
        [this, id](std::size_t, httplib::DataSink& sink) {
          const bool read =
              store_->ForEach(id, [&](const std::string& payload) {
                sink.write(payload.data(), payload.size());
                sink.write("\n", 1);
              });
          // A failed read cuts the stream instead of ending it cleanly, so
          // the client cannot take a partial export for a whole one.
          if (!read) return false;
          sink.done();
          return true;
        });
  }

  Config config_;
  void Counts(const httplib::Request& req, httplib::Response& res) {
    const std::string wanted = req.get_param_value("surveys");
    Json counts = Json::object();
    std::size_t asked = 0;
    for (std::size_t at = 0; at <= wanted.size() && asked < 50; ++asked) {
      std::size_t end = wanted.find(',', at);
      if (end == std::string::npos) end = wanted.size();
      const std::string id = wanted.substr(at, end - at);
      at = end + 1;
      auto survey = surveys_.find(id);
      if (survey == surveys_.end() || survey->second->close_after <= 0)
        continue;
      const std::int64_t n = CachedCount(id);
      if (n >= 0) counts[id] = n;
    }
    Reply(res, 200, counts);
  }

  // Every page view of a capped survey asks: the database counts at most once
  // per survey every few seconds, however many ask.
  std::int64_t CachedCount(const std::string& id) {
    const std::int64_t now = sondar::collector::NowMs();
    {
      std::lock_guard<std::mutex> lock(counts_mu_);
      auto hit = counts_.find(id);
      if (hit != counts_.end() && now - hit->second.second < 5000)
        return hit->second.first;
    }
    const std::int64_t n = store_->Count(id);
    std::lock_guard<std::mutex> lock(counts_mu_);
    if (n >= 0) counts_[id] = {n, now};
    return n;
  }

  std::map<std::string, std::shared_ptr<const sondar::Survey>> surveys_;
  std::mutex counts_mu_;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>>
      counts_;  // n, at
  std::map<std::string, std::string> survey_texts_;
  std::unique_ptr<sondar::collector::Store> store_;
  std::set<std::string> origins_;
  std::string admin_token_;
  std::vector<Mount> mounts_;
  std::map<std::string, std::int64_t> first_seen_;
};

// From --admin-token-file, else SONDAR_ADMIN_TOKEN, else a new random one
// for this run, printed once. Empty on error.
std::string AdminToken(const Config& config) {
  std::string token;
  if (!config.admin_token_file.empty()) {
    std::ifstream in(config.admin_token_file);
    if (!in) {
      std::cerr << "sondar-collector: cannot read --admin-token-file "
                << config.admin_token_file << "\n";
      return "";
    }
    std::getline(in, token);
  } else if (const char* env = std::getenv("SONDAR_ADMIN_TOKEN")) {
    token = env;
  } else {
    std::random_device random;  // /dev/urandom
    static const char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 32; ++i) token += kHex[random() % 16];
    std::cout << "admin token for this run (--admin-token-file keeps one): "
              << token << std::endl;
  }
  while (!token.empty() &&
         std::isspace(static_cast<unsigned char>(token.back())))
    token.pop_back();
  if (token.size() < 16) {
    std::cerr << "sondar-collector: the admin token must be at least 16 "
                 "characters\n";
    return "";
  }
  return token;
}

// Every connection is a file descriptor; the usual soft limit (1024) would
// cap the collector far below what its event loop can hold.
std::size_t RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return static_cast<std::size_t>(limit.rlim_cur);
}

// A database URL for the log, without its password.
std::string Redacted(const std::string& db) {
  const std::size_t scheme = db.find("://");
  if (scheme == std::string::npos) return db;
  const std::size_t at = db.find('@', scheme);
  const std::size_t colon = db.find(':', scheme + 3);
  if (at == std::string::npos || colon == std::string::npos || colon > at)
    return db;
  return db.substr(0, colon + 1) + "***" + db.substr(at);
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  CLI::App app{
      "sondar-collector: receives, validates and stores survey responses"};
  app.add_option("--bind", config.bind, "Address to listen on")
      ->capture_default_str();
  app.add_option("--port", config.port, "Port (0 picks a free one)")
      ->capture_default_str();
  app.add_option("--db", config.db,
                 "SQLite database file, or postgres://user@host/database"
                 " (several collectors may share one)")
      ->capture_default_str();
  app.add_option("--surveys", config.surveys, "Folder of survey JSON files")
      ->capture_default_str();
  app.add_option("--origin", config.origins,
                 "Origin allowed to POST cross-site (repeat; * for any)");
  app.add_option("--mount", config.mounts,
                 "Serve a folder: PREFIX=DIR (repeat)");
  app.add_option("--admin-token-file", config.admin_token_file,
                 "File holding the token that summary, export and the survey "
                 "list need (else $SONDAR_ADMIN_TOKEN, else a random one)");
  app.add_option("--page-csp", config.page_csp,
                 "Content-Security-Policy of the files --mount serves")
      ->capture_default_str();
  app.add_option("--request-timeout", config.request_timeout_s,
                 "Seconds a client has to send a whole request")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--max-connections-per-client",
                 config.max_connections_per_client,
                 "Open connections one client address may hold")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--max-clock-skew", config.max_clock_skew_s,
                 "Seconds a submittedAt may be ahead of this server's clock")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  std::map<std::string, std::shared_ptr<const sondar::Survey>> surveys;
  std::map<std::string, std::string> texts;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(config.surveys, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto survey = sondar::ParseSurvey(text.str());
    if (!survey.ok()) {
      std::cerr << entry.path().string() << " is not a valid survey:\n"
                << survey.status().ToString() << "\n";
      return 1;
    }
    const std::string id = survey->id;  // read before the move below
    texts[id] = text.str();
    surveys[id] =
        std::make_shared<const sondar::Survey>(std::move(survey).value());
  }
  if (ec || surveys.empty()) {
    std::cerr << "sondar-collector: no surveys in " << config.surveys << "\n";
    return 1;
  }
  const std::string token = AdminToken(config);
  if (token.empty()) return 2;
  std::vector<Mount> mounts;
  for (const std::string& mount : config.mounts) {
    const auto eq = mount.find('=');
    std::error_code error;
    Mount m;
    if (eq != std::string::npos) {
      m.prefix = mount.substr(0, eq);
      while (m.prefix.size() > 1 && m.prefix.back() == '/') m.prefix.pop_back();
      m.root = fs::canonical(mount.substr(eq + 1), error);
    }
    if (eq == std::string::npos || m.prefix.empty() || m.prefix[0] != '/' ||
        error || !fs::is_directory(m.root)) {
      std::cerr << "sondar-collector: bad --mount " << mount
                << " (PREFIX=DIR, DIR must exist)\n";
      return 2;
    }
    mounts.push_back(std::move(m));
  }
  // The most specific prefix first: /dist/x is not looked for under /.
  std::stable_sort(mounts.begin(), mounts.end(),
                   [](const Mount& a, const Mount& b) {
                     return a.prefix.size() > b.prefix.size();
                   });
  std::string error;
  auto store = sondar::collector::Store::Open(config.db, &error);
  if (!store) {
    std::cerr << "sondar-collector: " << error << "\n";
    return 1;
  }

  // Signals are taken by one thread with sigwait, which may call stop() safely;
  // a plain handler could not.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  sondar::collector::ServerLimits limits;
  limits.max_body_bytes = sondar::kMaxResponseBytes;
  limits.request_timeout = std::chrono::milliseconds(
      static_cast<std::int64_t>(config.request_timeout_s * 1000));
  limits.max_connections_per_client = config.max_connections_per_client;
  const std::size_t files = RaiseFileLimit();
  limits.max_connections =
      std::min(limits.max_connections, files > 128 ? files - 64 : 64);
  sondar::collector::GuardedServer server(limits);
  Collector collector(config, std::move(surveys), std::move(texts),
                      std::move(store), token, std::move(mounts));
  collector.Routes(server);

  const int port = server.Bind(config.bind, config.port);
  if (port < 0) {
    std::cerr << "sondar-collector: cannot listen on " << config.bind << ":"
              << config.port << "\n";
    return 1;
  }
  std::thread stopper([&server, signals]() {
    int signal = 0;
    sigwait(&signals, &signal);
    server.stop();
  });
  std::cout << "sondar-collector listening on http://" << config.bind << ":"
            << port << " (database " << Redacted(config.db) << ")" << std::endl;
  server.Run();
  // Wake the signal thread if the server stopped on its own.
  if (stopper.joinable()) {
    pthread_kill(stopper.native_handle(), SIGTERM);
    stopper.join();
  }
  std::cout << "sondar-collector stopped" << std::endl;
  return 0;  // the Store closes the database (and checkpoints the WAL) on
             // destruction
}
