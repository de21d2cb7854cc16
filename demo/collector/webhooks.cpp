#include "webhooks.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>

#include "hex.h"

namespace sondar::collector {

namespace {

constexpr int kClaimBatch = 64;
constexpr std::int64_t kLookMs = 1000;    // how often due deliveries are sought
constexpr std::int64_t kReloadMs = 2000;  // how often rules are re-read
constexpr std::size_t kMaxErrorBytes = 300;

std::string Base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                data, static_cast<int>(size));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

std::string Unbase64(const std::string& text) {
  std::string out(3 * (text.size() / 4) + 3, '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size()));
  if (n < 0) return "";
  // EVP_DecodeBlock counts the padding's zero bytes too.
  std::size_t size = static_cast<std::size_t>(n);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --size;
  out.resize(size);
  return out;
}

std::string RandomHex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    // Not for secrets (NewSecret checks its own draw); an id only needs to
    // be unique.
    std::random_device device;
    for (unsigned char& b : raw) b = static_cast<unsigned char>(device());
  }
  return Hex(raw.data(), raw.size());
}

bool InV4(std::uint32_t a, std::uint32_t net, int bits) {
  const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
  return (a & mask) == (net & mask);
}

bool IsPublicV4(std::uint32_t a) {
  static const struct {
    std::uint32_t net;
    int bits;
  } kNotPublic[] = {
      {0x00000000, 8},   // "this" network
      {0x0A000000, 8},   // private
      {0x64400000, 10},  // shared address space (CGNAT)
      {0x7F000000, 8},   // loopback
      {0xA9FE0000, 16},  // link-local (cloud metadata lives here)
      {0xAC100000, 12},  // private
      {0xC0000000, 24},  // IETF protocol assignments
      {0xC0000200, 24},  // documentation
      {0xC0A80000, 16},  // private
      {0xC6120000, 15},  // benchmarking
      {0xC6336400, 24},  // documentation
      {0xCB007100, 24},  // documentation
      {0xE0000000, 4},   // multicast
      {0xF0000000, 4},   // reserved, and broadcast
  };
  for (const auto& range : kNotPublic)
    if (InV4(a, range.net, range.bits)) return false;
  return true;
}

// Per transfer: what the socket check found, for the attempt's error.
struct Transfer {
  const Delivery* delivery = nullptr;
  const ActiveWebhook* webhook = nullptr;
  bool allow_private = false;
  std::string refused;  // the address refused, if any
  std::string body;
  std::vector<std::string> headers;
  curl_slist* header_list = nullptr;
  curl_slist* recipients = nullptr;  // e-mail
  curl_mime* mime = nullptr;         // e-mail
  char error[CURL_ERROR_SIZE] = {0};
};

// One plain address: local@domain, the characters RFC 5321 allows unquoted,
// so that nothing in it can end a header or an SMTP command.
bool PlainAddress(const std::string& a) {
  const auto at = a.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= a.size() ||
      a.size() > 254 || a.find('@', at + 1) != std::string::npos)
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char c = a[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9');
    if (i < at ? !(alnum || std::strchr(".!#$%&'*+/=?^_`{|}~-", c))
               : !(alnum || c == '.' || c == '-'))
      if (i != at) return false;
  }
  return a[at + 1] != '.' && a.back() != '.';
}

// "Name <address>" -> "address"; a bare address is itself.
std::string AddressOf(const std::string& from) {
  const auto open = from.rfind('<');
  const auto close = from.rfind('>');
  if (open != std::string::npos && close != std::string::npos && close > open)
    return from.substr(open + 1, close - open - 1);
  return from;
}

// RFC 2047 encoded words for a UTF-8 header, cut at character boundaries
// so each word stays within 75 characters, folded onto lines of their own.
std::string EncodedHeader(const std::string& text) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = std::min(text.size(), at + 45);
    while (end < text.size() && end > at &&
           (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
      --end;
    const std::string chunk = text.substr(at, end - at);
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" +
           Base64(reinterpret_cast<const unsigned char*>(chunk.data()),
                  chunk.size()) +
           "?=";
    at = end;
  }
  return out;
}

// RFC 5322's date, in UTC.
std::string MailDate(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed",
                                "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000",
                kDays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return text;
}

curl_socket_t OpenSocket(void* user, curlsocktype purpose,
                         curl_sockaddr* address) {
  auto* transfer = static_cast<Transfer*>(user);
  if (purpose == CURLSOCKTYPE_IPCXN && !transfer->allow_private &&
      !IsPublicAddress(&address->addr)) {
    char text[INET6_ADDRSTRLEN] = "?";
    if (address->family == AF_INET) {
      inet_ntop(AF_INET,
                &reinterpret_cast<const sockaddr_in*>(&address->addr)->sin_addr,
                text, sizeof text);
    } else if (address->family == AF_INET6) {
      inet_ntop(
          AF_INET6,
          &reinterpret_cast<const sockaddr_in6*>(&address->addr)->sin6_addr,
          text, sizeof text);
    }
    transfer->refused = text;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

// A receiver's answer is not read: only its status matters.
std::size_t Discard(char*, std::size_t size, std::size_t n, void*) {
  return size * n;
}

// An SMTP transfer of the stored e-mail (sondar::Email as JSON): a
// multipart/alternative message of its text and HTML parts, built and
// encoded by libcurl's MIME API.
CURL* MailHandle(const WebhookConfig& config_, Transfer* t,
                 const std::string& url) {
  if (config_.smtp_url.empty()) return nullptr;
  auto stored = ParseJson(t->body);
  Email email;
  if (!stored.ok() || !Email::FromJson(stored.value(), &email)) return nullptr;
  const std::vector<std::string> to = MailtoAddresses(url);
  CURL* easy = curl_easy_init();
  if (!easy) return nullptr;
  curl_easy_setopt(easy, CURLOPT_URL, config_.smtp_url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  if (config_.smtp_tls != "none")
    curl_easy_setopt(easy, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!config_.smtp_ca_file.empty())
    curl_easy_setopt(easy, CURLOPT_CAINFO, config_.smtp_ca_file.c_str());
  if (!config_.smtp_user.empty()) {
    curl_easy_setopt(easy, CURLOPT_USERNAME, config_.smtp_user.c_str());
    curl_easy_setopt(easy, CURLOPT_PASSWORD, config_.smtp_password.c_str());
  }
  const std::string from = AddressOf(config_.smtp_from);
  t->headers = {
      "Date: " + MailDate(NowMs()),
      "From: " + config_.smtp_from,
      "Subject: " + EncodedHeader(email.subject),
      // The delivery's id: the same on every retry, so a mailbox that got
      // it twice can tell.
      "Message-ID: <" + t->delivery->id + "@sondar>",
  };
  std::string to_header = "To: ";
  for (std::size_t i = 0; i < to.size(); ++i) {
    to_header += (i ? ", " : "") + to[i];
    t->recipients =
        curl_slist_append(t->recipients, ("<" + to[i] + ">").c_str());
  }
  t->headers.push_back(to_header);
  for (const std::string& h : t->headers)
    t->header_list = curl_slist_append(t->header_list, h.c_str());
  curl_easy_setopt(easy, CURLOPT_MAIL_FROM, ("<" + from + ">").c_str());
  curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, t->recipients);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->header_list);
  t->mime = curl_mime_init(easy);
  curl_mime* alternative = curl_mime_init(easy);
  struct {
    const std::string* data;
    const char* type;
  } parts[] = {{&email.text, "text/plain; charset=utf-8"},
               {&email.html, "text/html; charset=utf-8"}};
  for (const auto& p : parts) {
    curl_mimepart* part = curl_mime_addpart(alternative);
    curl_mime_data(part, p.data->data(), p.data->size());
    curl_mime_type(part, p.type);
    curl_mime_encoder(part, "quoted-printable");
  }
  curl_mimepart* whole = curl_mime_addpart(t->mime);
  curl_mime_subparts(whole, alternative);
  curl_mime_type(whole, "multipart/alternative");
  curl_easy_setopt(easy, CURLOPT_MIMEPOST, t->mime);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(config_.timeout_s * 3000));
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_PROXY, "");
  return easy;
}

}  // namespace

bool IsPublicAddress(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return IsPublicV4(ntohl(v4->sin_addr.s_addr));
  }
  if (address->sa_family != AF_INET6) return false;
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
  const unsigned char* b = v6->sin6_addr.s6_addr;
  auto v4_at = [&](int at) {
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
           (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
  };
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0,    0,
                                            0, 0, 0, 0, 0xff, 0xff};
  static const unsigned char kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0,
                                           0, 0,    0,    0,    0, 0};
  if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kNat64, 12) == 0)
    return IsPublicV4(v4_at(12));
  // Only global unicast (2000::/3) is public; within it, documentation
  // (2001:db8::/32), 6to4 relays and Teredo are refused too.
  if ((b[0] & 0xE0) != 0x20) return false;
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
    return false;
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00)
    return false;                                  // Teredo
  if (b[0] == 0x20 && b[1] == 0x02) return false;  // 6to4
  return true;
}

std::vector<std::string> MailtoAddresses(const std::string& url) {
  std::vector<std::string> out;
  if (url.rfind("mailto:", 0) != 0) return out;
  std::size_t at = 7;
  while (at <= url.size()) {
    const std::size_t comma = std::min(url.find(',', at), url.size());
    out.push_back(url.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

std::string CheckTarget(const std::string& url, bool allow_private) {
  if (url.rfind("mailto:", 0) == 0) {
    // No ?subject=, no %-escapes: the addresses only.
    const std::vector<std::string> addresses = MailtoAddresses(url);
    if (addresses.size() > 10) return "names more than 10 addresses";
    for (const std::string& a : addresses)
      if (!PlainAddress(a))
        return "\"" + a.substr(0, 100) +
               "\" is not a plain e-mail address "
               "(mailto:a@b.example,c@d.example)";
    return "";
  }
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(),
                                                             curl_url_cleanup);
  if (!parsed ||
      curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
    return "is not a URL";
  struct Part {
    char* text = nullptr;
    ~Part() { curl_free(text); }
  } scheme, host, user, password;
  curl_url_get(parsed.get(), CURLUPART_SCHEME, &scheme.text, 0);
  curl_url_get(parsed.get(), CURLUPART_HOST, &host.text, 0);
  curl_url_get(parsed.get(), CURLUPART_USER, &user.text, 0);
  curl_url_get(parsed.get(), CURLUPART_PASSWORD, &password.text, 0);
  const std::string s = scheme.text ? scheme.text : "";
  if (s != "https" && !(allow_private && s == "http"))
    return allow_private ? "must be an https: or http: URL"
                         : "must be an https: URL (http: only with "
                           "--allow-private-webhooks)";
  if (!host.text || !*host.text) return "has no host";
  if (user.text || password.text)
    return "must not hold a user name or password (they would be sent in "
           "every delivery's log line)";
  if (allow_private) return "";
  std::string literal = host.text;
  if (literal.size() > 2 && literal.front() == '[') {
    literal = literal.substr(1, literal.size() - 2);
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    const auto zone = literal.find('%');
    if (inet_pton(AF_INET6, literal.substr(0, zone).c_str(), &v6.sin6_addr) ==
            1 &&
        !IsPublicAddress(reinterpret_cast<const sockaddr*>(&v6)))
      return "names a private address (--allow-private-webhooks)";
  } else {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    if (inet_pton(AF_INET, literal.c_str(), &v4.sin_addr) == 1 &&
        !IsPublicAddress(reinterpret_cast<const sockaddr*>(&v4)))
      return "names a private address (--allow-private-webhooks)";
  }
  return "";
}

std::string Sign(const std::string& secret, const std::string& id,
                 std::int64_t timestamp_s, const std::string& body) {
  const std::string key =
      Unbase64(secret.rfind("whsec_", 0) == 0 ? secret.substr(6) : secret);
  const std::string content =
      id + "." + std::to_string(timestamp_s) + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(content.data()),
            content.size(), mac, &size))
    return "";
  return "v1," + Base64(mac, size);
}

std::string NewSecret() {
  unsigned char raw[24];
  if (RAND_bytes(raw, sizeof raw) != 1) return "";
  return "whsec_" + Base64(raw, sizeof raw);
}

std::string NewId(const char* prefix) { return prefix + RandomHex(16); }

WebhookSender::WebhookSender(Store* store, WebhookConfig config)
    : store_(store),
      config_(std::move(config)),
      public_url_(config_.public_url),
      active_(std::make_shared<const std::vector<ActiveWebhook>>()) {
  Reload();
  worker_ = std::thread([this] { Run(); });
}

WebhookSender::~WebhookSender() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

std::shared_ptr<const std::vector<ActiveWebhook>> WebhookSender::Active() {
  std::lock_guard<std::mutex> lock(mu_);
  return active_;
}

void WebhookSender::SetPublicUrl(const std::string& url) {
  std::lock_guard<std::mutex> lock(mu_);
  if (config_.public_url.empty()) public_url_ = url;
}

std::string WebhookSender::PublicUrl() {
  std::lock_guard<std::mutex> lock(mu_);
  std::string url = public_url_;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

void WebhookSender::SetDigests(
    DigestMaker make, std::function<std::vector<std::string>()> surveys) {
  std::lock_guard<std::mutex> lock(mu_);
  make_digest_ = std::move(make);
  digest_surveys_ = std::move(surveys);
}

void WebhookSender::QueueDigests() {
  DigestMaker make;
  std::function<std::vector<std::string>()> all_surveys;
  {
    std::lock_guard<std::mutex> lock(mu_);
    make = make_digest_;
    all_surveys = digest_surveys_;
  }
  if (!make) return;
  constexpr std::int64_t kDay = 24 * 3600 * 1000;
  const std::int64_t now = NowMs();
  const std::int64_t today = now - now % kDay;
  // Before the hour, the day before yesterday's was the last one due.
  if (now - today < std::int64_t{config_.digest_hour} * 3600 * 1000) return;
  const std::int64_t day = today - kDay;
  const std::string date = FormatTimestamp(day).substr(0, 10);
  const auto active = Active();
  for (const ActiveWebhook& w : *active) {
    if (w.rule.format != AlertTemplate::kDigest) continue;
    const std::vector<std::string> surveys =
        w.rule.surveys.empty() ? all_surveys() : w.rule.surveys;
    for (const std::string& survey : surveys) {
      const std::string key = "digest:" + survey + ":" + date;
      if (digests_done_.count(w.stored.id + "/" + key)) continue;
      const int has = store_->HasDelivery(w.stored.id, key);
      if (has < 0) continue;  // asked again at the next look
      if (has == 0) {
        std::optional<std::string> body = make(survey, day);
        if (!body) continue;
        if (!body->empty()) {
          AlertWrite write;
          write.webhook_id = w.stored.id;
          write.delivery_id = NewId("msg_");
          write.body = *body;
          write.next_at_ms = now;
          write.expires_ms = now + config_.retry_window_ms;
          if (store_->Enqueue(write, key) < 0) continue;
        }
      }
      digests_done_.insert(w.stored.id + "/" + key);
    }
  }
}

void WebhookSender::Changed() {
  Reload();
  {
    std::lock_guard<std::mutex> lock(mu_);
    digests_due_ = true;
  }
  Wake();
}

void WebhookSender::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void WebhookSender::Reload() {
  std::vector<Webhook> stored;
  // On a failed read the rules stay as they were: a database hiccup must
  // not switch alerts off.
  if (!store_->Webhooks(&stored)) return;
  auto active = std::make_shared<std::vector<ActiveWebhook>>();
  for (Webhook& w : stored) {
    auto definition = ParseJson(w.definition);
    if (!definition.ok()) continue;
    auto rule = ParseAlertRule(definition.value(), nullptr);
    if (!rule.ok()) {
      std::fprintf(stderr, "webhook %s: its stored rule no longer reads: %s\n",
                   w.id.c_str(), rule.status().ToString().c_str());
      continue;
    }
    active->push_back({std::move(w), std::move(rule).value()});
  }
  std::lock_guard<std::mutex> lock(mu_);
  active_ = std::move(active);
}

std::vector<AlertWrite> WebhookSender::For(const std::string& survey_id,
                                           const Survey& version,
                                           const Json& response,
                                           const std::string& themes) {
  std::vector<AlertWrite> writes;
  const auto active = Active();
  std::string base;
  {
    std::lock_guard<std::mutex> lock(mu_);
    base = public_url_;
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::int64_t now = NowMs();
  const Json* id = response.find("responseId");
  for (const ActiveWebhook& w : *active) {
    const AlertAction action = DecideAlert(w.rule, survey_id, response, themes);
    if (action == AlertAction::kNone) continue;
    AlertWrite write;
    write.webhook_id = w.stored.id;
    if (action == AlertAction::kWithdraw) {
      write.action = AlertWrite::Action::kWithdraw;
      writes.push_back(std::move(write));
      continue;
    }
    write.action = action == AlertAction::kFire ? AlertWrite::Action::kFire
                                                : AlertWrite::Action::kHold;
    write.delivery_id = NewId("msg_");
    const std::string link =
        base.empty() || !id || !id->is_string()
            ? ""
            : base + "/workspace/?view=responses&survey=" + survey_id +
                  "&response=" + id->as_string();
    write.body =
        AlertBody(w.rule, {version, response, themes, w.stored.id, link});
    write.next_at_ms =
        action == AlertAction::kFire ? now : now + config_.hold_partial_ms;
    write.expires_ms = write.next_at_ms + config_.retry_window_ms;
    writes.push_back(std::move(write));
  }
  return writes;
}

void WebhookSender::Run() {
  auto last_reload = std::chrono::steady_clock::now();
  // The first look for due digests comes a moment after start.
  auto last_digest =
      std::chrono::steady_clock::now() - std::chrono::seconds(28);
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::milliseconds(kLookMs),
                 [&] { return stopping_ || wake_; });
    if (stopping_) break;
    wake_ = false;
    const bool digests_due = digests_due_;
    digests_due_ = false;
    lock.unlock();
    // Other collectors add and delete webhooks too.
    if (std::chrono::steady_clock::now() - last_reload >=
        std::chrono::milliseconds(kReloadMs)) {
      Reload();
      last_reload = std::chrono::steady_clock::now();
    }
    if (digests_due || std::chrono::steady_clock::now() - last_digest >=
                           std::chrono::seconds(30)) {
      QueueDigests();
      last_digest = std::chrono::steady_clock::now();
    }
    // A full batch means more are due: take the next at once (a few, then
    // look at the rules and the clock again).
    for (int i = 0; i < 8 && SendDue(); ++i) {
    }
    lock.lock();
  }
}

void WebhookSender::Failed(int attempts_before, Attempt* attempt) const {
  if (attempt->error.size() > kMaxErrorBytes)
    attempt->error.resize(kMaxErrorBytes);
  // 5 s, 20 s, 80 s, ... ×4 up to 6 h (by default), each ±20%, so that
  // receivers coming back are not met by every sender at once.
  const int n = std::min(attempts_before, 12);
  double delay = config_.first_retry_s * 1000;
  for (int i = 0; i < n; ++i) delay *= 4;
  delay = std::min(delay, 6.0 * 3600 * 1000);
  static thread_local std::mt19937 jitter{std::random_device{}()};
  delay *= std::uniform_real_distribution<double>(0.8, 1.2)(jitter);
  attempt->retry_at_ms = attempt->at_ms + static_cast<std::int64_t>(delay);
  attempt->disable_after_ms = config_.disable_after_ms;
}

bool WebhookSender::SendDue() {
  std::vector<Delivery> due;
  // A delivery being sent is this process's for longer than its transfer
  // may take (an e-mail's timeout is 3 times a webhook's) and 10 s more: no
  // other collector sends it meanwhile, and one this process dies sending
  // is sent again soon after.
  const auto lease =
      static_cast<std::int64_t>(config_.timeout_s * 3000) + 10000;
  if (!store_->Claim(NowMs(), lease, kClaimBatch, &due) || due.empty())
    return false;
  auto active = Active();
  for (const Delivery& d : due) {
    if (std::none_of(active->begin(), active->end(),
                     [&](const ActiveWebhook& a) {
                       return a.stored.id == d.webhook_id;
                     })) {
      // Made on another collector since this one last read the rules.
      Reload();
      active = Active();
      break;
    }
  }
  std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi(
      curl_multi_init(), curl_multi_cleanup);
  std::vector<std::unique_ptr<Transfer>> transfers;
  std::vector<CURL*> handles;
  const std::int64_t timestamp = NowMs() / 1000;
  for (const Delivery& d : due) {
    auto w = std::find_if(
        active->begin(), active->end(),
        [&](const ActiveWebhook& a) { return a.stored.id == d.webhook_id; });
    if (w == active->end()) {
      // Deleted meanwhile (its deliveries go with it), or its stored rule no
      // longer reads: a failed attempt, so it ends dead rather than being
      // claimed for ever.
      Attempt attempt;
      attempt.delivery_id = d.id;
      attempt.webhook_id = d.webhook_id;
      attempt.at_ms = NowMs();
      attempt.error = "its webhook's stored rule cannot be read";
      Failed(d.attempts, &attempt);
      store_->Settle({attempt});
      continue;
    }
    auto t = std::make_unique<Transfer>();
    t->delivery = &d;
    t->webhook = &*w;
    t->allow_private = config_.allow_private;
    t->body = d.body;
    CURL* easy = nullptr;
    if (w->rule.url.rfind("mailto:", 0) == 0) {
      easy = MailHandle(config_, t.get(), w->rule.url);
      if (!easy) {
        // Not mail this collector can send: recorded as a failed attempt,
        // retried (another collector may have --smtp-url) until it is dead.
        Attempt attempt;
        attempt.delivery_id = d.id;
        attempt.webhook_id = d.webhook_id;
        attempt.at_ms = NowMs();
        attempt.error = config_.smtp_url.empty()
                            ? "this collector has no --smtp-url to send mail"
                            : "the stored e-mail could not be read";
        Failed(d.attempts, &attempt);
        store_->Settle({attempt});
        continue;
      }
      curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error);
      curl_easy_setopt(easy, CURLOPT_PRIVATE, t.get());
      curl_multi_add_handle(multi.get(), easy);
      handles.push_back(easy);
      transfers.push_back(std::move(t));
      continue;
    }
    t->headers = {
        "Content-Type: application/json",
        "webhook-id: " + d.id,
        "webhook-timestamp: " + std::to_string(timestamp),
        "webhook-signature: " + Sign(w->stored.secret, d.id, timestamp, d.body),
    };
    easy = curl_easy_init();
    if (!easy) continue;
    for (const std::string& h : t->headers)
      t->header_list = curl_slist_append(t->header_list, h.c_str());
    curl_easy_setopt(easy, CURLOPT_URL, w->rule.url.c_str());
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->body.c_str());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(t->body.size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->header_list);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "sondar-webhooks/1");
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR,
                     config_.allow_private ? "http,https" : "https");
    // A redirect is a failure (3xx is not 2xx), never followed: it could
    // lead anywhere, the checks above included.
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    // Environment proxies would carry deliveries past the address check.
    curl_easy_setopt(easy, CURLOPT_PROXY, "");
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(config_.timeout_s * 1000));
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, t.get());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, Discard);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, t.get());
    curl_multi_add_handle(multi.get(), easy);
    handles.push_back(easy);
    transfers.push_back(std::move(t));
  }
  // Each attempt is recorded as soon as its transfer ends: a slow receiver
  // does not keep the others' results (and leases) waiting.
  auto settle_done = [&] {
    std::vector<Attempt> done;  // the transfers that ended since last asked
    CURLMsg* message;
    int left = 0;
    while ((message = curl_multi_info_read(multi.get(), &left))) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      Transfer* t = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &t);
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      Attempt attempt;
      attempt.delivery_id = t->delivery->id;
      attempt.webhook_id = t->delivery->webhook_id;
      attempt.at_ms = NowMs();
      attempt.status = static_cast<int>(status);
      attempt.ok =
          message->data.result == CURLE_OK && status >= 200 && status < 300;
      if (!attempt.ok) {
        if (!t->refused.empty()) {
          attempt.error = "refused to connect to " + t->refused +
                          ": not a public address (--allow-private-webhooks)";
        } else if (message->data.result != CURLE_OK) {
          attempt.error =
              *t->error ? t->error : curl_easy_strerror(message->data.result);
        } else {
          attempt.error = "the receiver answered " + std::to_string(status);
        }
        Failed(t->delivery->attempts, &attempt);
      }
      done.push_back(std::move(attempt));
    }
    if (!done.empty() && !store_->Settle(done)) {
      // Left pending under their leases: sent again once those are over.
      std::fprintf(stderr, "webhooks: could not record %zu attempts\n",
                   done.size());
    }
  };
  int running = 0;
  do {
    if (curl_multi_perform(multi.get(), &running) != CURLM_OK) break;
    settle_done();
    if (running) curl_multi_poll(multi.get(), nullptr, 0, 200, nullptr);
  } while (running);
  settle_done();
  for (CURL* easy : handles) {
    curl_multi_remove_handle(multi.get(), easy);
    curl_easy_cleanup(easy);
  }
  for (auto& t : transfers) {
    curl_slist_free_all(t->header_list);
    curl_slist_free_all(t->recipients);
    curl_mime_free(t->mime);
  }
  return due.size() == static_cast<std::size_t>(kClaimBatch);
}

}  // namespace sondar::collector
