// sondar-collector: the reference receiver. Validates every posted response
// against its survey with the core (a forged nps 42 gets 422), upserts by
// responseId into SQLite or PostgreSQL, and serves summaries, a JSONL export,
// the surveys, the demo shop and the widget build.
//   sondar-collector --surveys demo/surveys --db sondar.db --port 8787
// Anyone may post a response (browsers do); reading what was stored needs the
// admin token. See "Deploying the collector" in the README. The routes are in
// collector.cpp, HTTP in http_server.cpp.
#include <arpa/inet.h>
#include <curl/curl.h>
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
#include <random>
#include <sstream>
#include <thread>

#include "admin_commands.h"
#include "collector.h"
#include "http_server.h"
#include "sondar/sondar.h"
#include "store.h"

namespace {

using sondar::collector::Config;
using sondar::collector::Mount;
namespace fs = std::filesystem;

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
  app.add_option("--surveys", config.surveys,
                 "Folder of survey JSON files (and a site manifest) to publish "
                 "at start: each file that differs from its latest version "
                 "becomes a new one (\"\": none)")
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
  app.add_option("--write-timeout", config.write_timeout_s,
                 "Seconds a client has to read each answer (or each piece of "
                 "an export)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--max-clock-skew", config.max_clock_skew_s,
                 "Seconds a submittedAt may be ahead of this server's clock")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400));
  app.add_option("--trusted-proxy", config.trusted_proxies,
                 "Address of a reverse proxy whose X-Forwarded-For names the "
                 "client (repeat)");
  app.add_option("--post-rate", config.post_rate,
                 "Posts a second one client address may send (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e9));
  app.add_option("--post-burst", config.post_burst,
                 "Posts one client address may send at once")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e9));
  app.add_option("--max-new-per-visitor", config.max_new_per_visitor,
                 "New responses one visitorId may start an hour (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  app.add_option("--visitor-window", config.visitor_window_s,
                 "Seconds of the window --max-new-per-visitor counts in")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400 * 7));
  app.add_option("--max-extension-bytes", config.max_extension_bytes,
                 "Bytes of x- members one response may carry (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65536));
  app.add_option("--max-survey-mb", config.max_survey_mb,
                 "MiB of stored responses per survey; past it posts get 503 "
                 "(0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e9));
  app.add_option("--close-after-per-client", config.close_after_per_client,
                 "Complete responses of one client address that count toward "
                 "closeAfter")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_flag("--allow-private-webhooks", config.webhooks.allow_private,
               "Let webhooks target http: URLs and loopback or private "
               "addresses (tests, the demo, a receiver on your network)");
  app.add_option("--public-url", config.webhooks.public_url,
                 "The collector's address as people reach it, for the "
                 "workspace links in alerts (default: the address it "
                 "listens on)");
  double hold_minutes = 30;
  app.add_option("--alert-partial-after", hold_minutes,
                 "Minutes a partial response that matches a webhook's rule "
                 "waits for its final version before the alert is sent")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 7.0 * 24 * 60));
  double disable_days = 5;
  app.add_option("--webhook-disable-after", disable_days,
                 "Days an endpoint may fail without a success before it is "
                 "disabled (a retry of one of its deliveries enables it)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 365.0));
  double retry_hours = 72;
  app.add_option("--webhook-retry-for", retry_hours,
                 "Hours a delivery is retried before it is dead (listed, and "
                 "sent again by POST .../retry)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 24.0 * 30));
  app.add_option("--webhook-first-retry", config.webhooks.first_retry_s,
                 "Seconds before a failed delivery's first retry; each next "
                 "retry waits 4 times longer, up to 6 hours")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--webhook-timeout", config.webhooks.timeout_s,
                 "Seconds a receiver has to answer a delivery")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 60.0));
  app.add_option("--smtp-url", config.webhooks.smtp_url,
                 "Where e-mail alerts and digests are sent: smtp://host:587 "
                 "(STARTTLS) or smtps://host:465");
  app.add_option("--smtp-from", config.webhooks.smtp_from,
                 "The From of alert e-mails, e.g. \"Shop feedback "
                 "<feedback@shop.example>\"");
  app.add_option("--smtp-user", config.webhooks.smtp_user,
                 "SMTP user name, if the server asks for one");
  std::string smtp_password_file;
  app.add_option("--smtp-password-file", smtp_password_file,
                 "File whose first line is the SMTP password");
  app.add_option("--smtp-tls", config.webhooks.smtp_tls,
                 "For smtp:// URLs: starttls (required) or none (plain text, "
                 "only for a relay on this machine)")
      ->capture_default_str()
      ->check(CLI::IsMember({"starttls", "none"}));
  app.add_option("--smtp-ca-file", config.webhooks.smtp_ca_file,
                 "CA certificates (PEM) to verify the SMTP server with, "
                 "instead of the system's (a private relay's own CA)");
  app.add_option("--digest-hour", config.webhooks.digest_hour,
                 "UTC hour at which each digest webhook gets the day "
                 "before's digest")
      ->capture_default_str()
      ->check(CLI::Range(0, 23));
  app.add_option("--max-backdate-days", config.max_backdate_days,
                 "How many days before this database first saw a survey a "
                 "response to it may say it was submitted (an outbox's wait, "
                 "an import of older answers); earlier ones are stored as "
                 "submitted now")
      ->capture_default_str()
      ->check(CLI::Range(0, 36500));
  app.add_option("--retention-days", config.retention_days,
                 "Delete responses older than this many days (hourly, whole "
                 "UTC days), with their comments, cases and deliveries; "
                 "scores and trends stay exact from daily aggregates "
                 "(0: keep everything)")
      ->capture_default_str()
      ->check(CLI::Range(0, 36500));
  // Every option can come from a file too (TOML or INI: smtp-url = "..."),
  // so a secret need not be on the command line.
  app.set_config("--config", "", "Read options from this file (TOML/INI)");
  // Operations on the database (--db) instead of serving: named tokens and
  // a person's data. They work beside running collectors.
  sondar::collector::AdminCommands commands;
  commands.Add(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (commands.Chosen()) return commands.Run(config.db);
  if (!smtp_password_file.empty()) {
    std::ifstream in(smtp_password_file);
    if (!std::getline(in, config.webhooks.smtp_password)) {
      std::cerr << "sondar-collector: cannot read --smtp-password-file "
                << smtp_password_file << "\n";
      return 2;
    }
  }
  if (!config.webhooks.smtp_url.empty() && config.webhooks.smtp_from.empty()) {
    std::cerr << "sondar-collector: --smtp-url needs --smtp-from\n";
    return 2;
  }
  config.webhooks.hold_partial_ms =
      static_cast<std::int64_t>(hold_minutes * 60 * 1000);
  config.webhooks.retry_window_ms =
      static_cast<std::int64_t>(retry_hours * 3600 * 1000);
  config.webhooks.disable_after_ms =
      static_cast<std::int64_t>(disable_days * 24 * 3600 * 1000);
  // Before any thread: libcurl's global set-up is not thread-safe.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const std::string token = AdminToken(config);
  if (token.empty()) return 2;
  std::vector<Mount> mounts;
  // (The server compares them in canonical form; here they only must be
  // addresses.)
  for (const std::string& proxy : config.trusted_proxies) {
    unsigned char bytes[16];
    const int family =
        proxy.find(':') == std::string::npos ? AF_INET : AF_INET6;
    if (inet_pton(family, proxy.c_str(), bytes) != 1) {
      std::cerr << "sondar-collector: bad --trusted-proxy " << proxy
                << " (an IP address)\n";
      return 2;
    }
  }
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
  // Client keys are keyed with it; without it they would differ between
  // collectors and restarts.
  if (store->Secret().empty()) {
    std::cerr << "sondar-collector: cannot read the database's secret\n";
    return 1;
  }
  // Published surveys live in the database; the folder adds a version of each
  // file that differs from its latest.
  auto catalog = std::make_unique<sondar::collector::Catalog>(store.get());
  if (!config.surveys.empty()) {
    const sondar::Status imported = catalog->Import(config.surveys);
    if (!imported.ok()) {
      std::cerr << "sondar-collector: --surveys " << config.surveys << ": "
                << imported.errors().front().message << "\n";
      return 1;
    }
  } else if (!catalog->Load()) {
    std::cerr << "sondar-collector: cannot read the published surveys\n";
    return 1;
  }
  if (catalog->Now()->site.empty()) {
    std::cerr << "sondar-collector: no site manifest is published, so no "
                 "survey is served to shoppers (/api/surveys/ID.json answers "
                 "404); put a sondar.site/1 file in --surveys or PUT "
                 "/api/site\n";
  }

  // Signals are taken by one thread with sigwait, which may call stop() safely;
  // a plain handler could not.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  sondar::collector::http::Limits limits;
  limits.max_body_bytes = sondar::kMaxResponseBytes;
  // A manifest published with the admin token (Collector::BodyLimit).
  limits.max_trusted_body_bytes = sondar::kMaxSiteBytes;
  limits.request_timeout = std::chrono::milliseconds(
      static_cast<std::int64_t>(config.request_timeout_s * 1000));
  limits.write_timeout = std::chrono::milliseconds(
      static_cast<std::int64_t>(config.write_timeout_s * 1000));
  limits.max_connections_per_client = config.max_connections_per_client;
  // A connection may hold a file it is sending besides its socket.
  // (Refused connections lingering before they close, up to 1,024, come on
  // top.)
  const std::size_t files = RaiseFileLimit();
  limits.max_connections =
      std::min(limits.max_connections,
               files > 2048 ? (files - 64 - 1024) / 2 : std::size_t{64});
  const std::vector<std::string> proxies = config.trusted_proxies;
  sondar::collector::Collector collector(
      config, std::move(store), std::move(catalog), token, std::move(mounts));
  sondar::collector::http::Server server(limits, collector, proxies);

  const int port = server.Bind(config.bind, config.port);
  if (port < 0) {
    std::cerr << "sondar-collector: cannot listen on " << config.bind << ":"
              << config.port << "\n";
    return 1;
  }
  collector.SetPublicUrl("http://" +
                         (config.bind.find(':') != std::string::npos
                              ? "[" + config.bind + "]"
                              : config.bind) +
                         ":" + std::to_string(port));
  std::thread stopper([&server, signals]() {
    int signal = 0;
    sigwait(&signals, &signal);
    server.Stop();
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
