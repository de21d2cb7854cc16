// Webhooks: the rules (sondar::AlertRule) a collector holds in memory, the
// deliveries a stored response writes with it (Store::Version::alerts), and
// the worker that sends them: libcurl, signed per the Standard Webhooks
// specification, retried with backoff, public addresses only.
#ifndef SONDAR_DEMO_COLLECTOR_WEBHOOKS_H_
#define SONDAR_DEMO_COLLECTOR_WEBHOOKS_H_

#include <sys/socket.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sondar/sondar.h"
#include "store.h"

namespace sondar::collector {

struct WebhookConfig {
  // http: and loopback, private and link-local addresses as targets (tests,
  // the demo, a receiver on the same network).
  bool allow_private = false;
  // Where the workspace is, for the link in an alert; empty: no link.
  std::string public_url;
  // How long a matching partial waits for its final version.
  std::int64_t hold_partial_ms = 30 * 60 * 1000;
  // How long a delivery is retried before it is dead.
  std::int64_t retry_window_ms = std::int64_t{3} * 24 * 3600 * 1000;
  // An endpoint failing this long without a success is disabled.
  std::int64_t disable_after_ms = std::int64_t{5} * 24 * 3600 * 1000;
  double timeout_s = 10;
  // The wait before the first retry; each next one waits 4 times longer, up
  // to 6 hours.
  double first_retry_s = 5;
  // E-mail (mailto: targets): an smtp:// or smtps:// URL; empty: none.
  std::string smtp_url;
  std::string smtp_user, smtp_password;
  std::string smtp_from;  // "Name <address>" or "address"
  // smtp://: "starttls" (required) or "none" (plain text, a local relay).
  std::string smtp_tls = "starttls";
  std::string smtp_ca_file;  // CAs to trust instead of the system's
  int digest_hour = 7;       // UTC hour the day before's digest is sent
};

// A webhook's rule, read once.
struct ActiveWebhook {
  Webhook stored;
  AlertRule rule;
};

// Whether a connection to `address` may carry a webhook: not loopback,
// private, link-local, shared (CGNAT), multicast, reserved or unspecified,
// IPv4 or IPv6 (IPv4-mapped and NAT64 addresses are judged by their IPv4
// part).
bool IsPublicAddress(const sockaddr* address);

// The URL a webhook may target, or an error naming what is wrong with it:
// https (http too with `allow_private`), a host, no user name or password,
// and no private address literal unless allowed. Names are checked after
// DNS, when each connection is made. mailto: takes 1-10 plain addresses
// (comma-separated), nothing that could add a header or a recipient.
std::string CheckTarget(const std::string& url, bool allow_private);
// The addresses of a mailto: URL CheckTarget accepted.
std::vector<std::string> MailtoAddresses(const std::string& url);

// Standard Webhooks: "v1," + base64 HMAC-SHA256 of "id.timestamp.body" under
// the secret's key (the base64 after "whsec_").
std::string Sign(const std::string& secret, const std::string& id,
                 std::int64_t timestamp_s, const std::string& body);
std::string NewSecret();
// "prefix" + 32 random hex digits.
std::string NewId(const char* prefix);

class WebhookSender {
 public:
  WebhookSender(Store* store, WebhookConfig config);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  bool allow_private() const { return config_.allow_private; }
  bool can_mail() const { return !config_.smtp_url.empty(); }
  std::string PublicUrl();
  // How a digest's body is made: DigestBody's contract (collector.h).
  using DigestMaker = std::function<std::optional<std::string>(
      const std::string& survey_id, std::int64_t day_ms)>;
  // `surveys` gives the ids a digest without "surveys" covers.
  void SetDigests(DigestMaker make,
                  std::function<std::vector<std::string>()> surveys);
  std::int64_t retry_window_ms() const { return config_.retry_window_ms; }
  // Where the workspace is, for links; a --public-url given wins.
  void SetPublicUrl(const std::string& url);

  // The rules as last read from the store (every 2 s, and after Changed).
  std::shared_ptr<const std::vector<ActiveWebhook>> Active();
  // Re-read the rules now (a webhook was added or deleted here).
  void Changed();

  // What a stored response means for each rule: the writes Store::Upsert
  // makes with it.
  std::vector<AlertWrite> For(const std::string& survey_id,
                              const Survey& version, const Json& response,
                              const std::string& themes);
  // A delivery is due now: send without waiting for the next look.
  void Wake();

 private:
  void Run();
  void Reload();
  // Sends what is due, one batch; true when the batch was full.
  bool SendDue();
  // Fills a failed attempt's retry time (backoff after `attempts_before`
  // attempts) and the disabling rule.
  void Failed(int attempts_before, Attempt* attempt) const;
  // Writes the day before's digest of each digest webhook, once its hour
  // has come (once across collectors: the day is the delivery's key).
  void QueueDigests();

  Store* const store_;
  const WebhookConfig config_;
  std::mutex mu_;  // guards active_, public_url_, wake_, stopping_
  std::string public_url_;
  DigestMaker make_digest_;
  std::function<std::vector<std::string>()> digest_surveys_;
  std::set<std::string> digests_done_;  // worker only: "webhook/key"
  std::condition_variable cv_;
  std::shared_ptr<const std::vector<ActiveWebhook>> active_;
  bool wake_ = false;
  bool digests_due_ = false;  // a webhook changed: look for digests now
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace sondar::collector

#endif  // SONDAR_DEMO_COLLECTOR_WEBHOOKS_H_
