#include "http_server.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <future>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include "abuse.h"
#include "http_codes.h"
#include "sondar/text.h"

namespace sondar::collector::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// After refusing a request we read and discard what the client still sends,
// for this long and up to this many bytes, so it reads our answer rather than
// a connection reset (nginx's lingering close).
constexpr auto kDrainTime = std::chrono::milliseconds(2000);
constexpr std::size_t kDrainBytes = std::size_t{64} << 20;
constexpr std::size_t kReadChunk = 16 * 1024;
// Refused connections still lingering; past this they are closed at once.
constexpr std::size_t kMaxLingering = 1024;
// How long a stopping server lets answers under way finish.
constexpr auto kStopGrace = std::chrono::milliseconds(2000);

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// An address as text, IPv4-mapped IPv6 addresses as plain IPv4, so one client
// is one key whichever way the socket was opened.
std::string AddressText(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6())
        .to_string();
  }
  return address.to_string();
}

// A valid address as AddressText writes it, or "". Proxies may write an
// address with its port: "[2001:db8::1]:4711", "192.0.2.1:4711".
std::string CanonicalAddress(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return "";
    text = text.substr(1, close - 1);
  } else if (const std::size_t colon = text.find(':');
             colon != std::string_view::npos &&
             text.find(':', colon + 1) == std::string_view::npos) {
    text = text.substr(0, colon);  // IPv4 with a port
  }
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(std::string(text), ec);
  return ec ? "" : AddressText(address);
}

struct CurlText {
  char* text = nullptr;
  ~CurlText() { curl_free(text); }
};

// Decodes one query component ('+' is a space in a query, RFC 1866).
bool Unescape(std::string_view in, std::string* out) {
  std::string plus(in);
  for (char& c : plus)
    if (c == '+') c = ' ';
  int length = 0;
  CurlText decoded{curl_easy_unescape(nullptr, plus.data(),
                                      static_cast<int>(plus.size()), &length)};
  if (!decoded.text) return false;
  out->assign(decoded.text, static_cast<std::size_t>(length));
  return true;
}

// The decoded path and query of an origin-form target ("/a/b?x=1"), by
// libcurl's URL parser. False for anything else, or a path that decodes to a
// NUL.
bool ParseTarget(std::string_view target, Request* request) {
  if (target.empty() || target.front() != '/') return false;
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> url(curl_url(),
                                                          curl_url_cleanup);
  if (!url) return false;
  const std::string absolute = "http://collector" + std::string(target);
  if (curl_url_set(url.get(), CURLUPART_URL, absolute.c_str(), 0) != CURLUE_OK)
    return false;
  CurlText path;
  if (curl_url_get(url.get(), CURLUPART_PATH, &path.text, CURLU_URLDECODE) !=
      CURLUE_OK)
    return false;
  request->path = path.text;
  CurlText query;
  if (curl_url_get(url.get(), CURLUPART_QUERY, &query.text, 0) != CURLUE_OK)
    return true;  // no query
  std::string_view rest = query.text;
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? "" : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    std::string name, value;
    if (!Unescape(pair.substr(0, eq), &name)) return false;
    if (eq != std::string_view::npos && !Unescape(pair.substr(eq + 1), &value))
      return false;
    request->query.emplace(std::move(name), std::move(value));
  }
  return true;
}

}  // namespace

std::string Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (EqualsIgnoreCase(key, name)) return value;
  return "";
}

std::string Request::Param(std::string_view name) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? "" : it->second;
}

bool Request::HasParam(std::string_view name) const {
  return query.count(std::string(name)) > 0;
}

void Response::Set(std::string name, std::string value) {
  for (auto& [key, v] : headers) {
    if (EqualsIgnoreCase(key, name)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

bool Response::Has(std::string_view name) const {
  for (const auto& [key, v] : headers)
    if (EqualsIgnoreCase(key, name)) return true;
  return false;
}

struct Server::Impl {
  Impl(Limits l, Application& a, std::vector<std::string> proxies)
      : limits(l),
        app(a),
        trusted(proxies.begin(), proxies.end()),
        acceptor(io),
        writes(static_cast<std::size_t>(l.write_workers)),
        reads(static_cast<std::size_t>(l.read_workers)) {}

  void Accept();
  // Counts a new connection from `peer` in; false when a cap is reached.
  bool Admit(const std::string& peer, bool trusted_peer);
  void Release(const std::string& peer, bool trusted_peer);
  // The client a request is from: the peer, or when the peer is a trusted
  // proxy, the nearest untrusted address of X-Forwarded-For.
  std::string ClientOf(const std::string& peer,
                       std::string_view forwarded) const;

  const Limits limits;
  Application& app;
  const std::set<std::string> trusted;
  std::atomic<bool> stopping{false};

  // Declared before the io_context: sessions it still holds when it is
  // destroyed give their counts back here.
  std::mutex mu;
  std::size_t open = 0;
  std::size_t lingering = 0;
  std::unordered_map<std::string, std::size_t> per_client;
  // The admitted sessions, so a stop can end the idle ones at once.
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

  asio::io_context io{1};
  tcp::acceptor acceptor;
  asio::steady_timer accept_pause{io};
  asio::steady_timer grace{io};
  asio::steady_timer drained{io};
  // While stopping: ends the I/O loop as soon as no connection is left
  // (else at the end of the grace period).
  void WaitForDrain();
  asio::thread_pool writes;
  asio::thread_pool reads;
};

class Server::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Impl& server, std::string peer, bool trusted,
          bool admitted)
      : server_(server),
        stream_(std::move(socket)),
        timer_(stream_.get_executor()),
        buffer_(server.limits.max_head_bytes + server.limits.max_body_bytes +
                kReadChunk),
        peer_(std::move(peer)),
        trusted_(trusted),
        admitted_(admitted) {}

  ~Session() {
    if (admitted_) {
      {
        std::lock_guard<std::mutex> lock(server_.mu);
        server_.sessions.erase(this);
      }
      // Connections are counted per party: one IPv6 /64 is one client.
      server_.Release(AddressPrefix(peer_), trusted_);
    }
  }

  void Start() {
    {
      std::lock_guard<std::mutex> lock(server_.mu);
      server_.sessions[this] = weak_from_this();
    }
    boost::system::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    ReadNext();
  }

  // On the I/O thread, when the server stops: a keep-alive connection
  // waiting for its next request ends now; one with a request under way
  // ends after its answer (ReadNext).
  void EndIfIdle() {
    if (state_ != State::kIdle) return;
    boost::system::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_receive, ignored);
    stream_.socket().cancel(ignored);
  }

  // A connection over a cap: 503 and a Retry-After, nothing read first.
  void RefuseConnection() {
    Response res;
    res.status = 503;
    Refusal(res, HttpCode::kBusy, "too many connections; retry");
    res.Set("Retry-After", "1");
    state_ = State::kRequest;  // so the answer is written, then lingered on
    Send(std::move(res), nullptr);
  }

 private:
  enum class State { kIdle, kRequest, kDone };

  void Arm(std::chrono::milliseconds after) {
    timed_out_ = false;
    timer_.expires_after(after);
    // A wait that had already fired when it was cancelled still runs: the
    // generation tells it that it belongs to a phase that is over.
    const unsigned generation = ++generation_;
    timer_.async_wait([self = shared_from_this(),
                       generation](boost::system::error_code ec) {
      if (ec || generation != self->generation_) return;
      self->timed_out_ = true;
      // Cancelling stops the read under way; shutting the receiving side
      // makes any read Beast issues after it end at once too, so the
      // deadline cannot be slipped past between two reads.
      boost::system::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_receive, ignored);
      self->stream_.socket().cancel(ignored);
    });
  }

  // The read finished (or failed) in time: its deadline is over.
  void Disarm() {
    ++generation_;
    timer_.cancel();
  }

  void ReadNext() {
    if (server_.stopping ||
        served_ >= server_.limits.max_requests_per_connection)
      return Shutdown();
    head_only_ = false;
    parser_.emplace();
    parser_->header_limit(
        static_cast<std::uint32_t>(server_.limits.max_head_bytes));
    // Beast checks a Content-Length against this as soon as the head is
    // read, before OnHead can ask the application: so the largest any
    // request may send, and OnHead narrows it per request.
    parser_->body_limit(std::max(server_.limits.max_body_bytes,
                                 server_.limits.max_trusted_body_bytes));
    buffer_.max_size(BufferFor(server_.limits.max_body_bytes));
    if (buffer_.size() > 0) return ReadHead();
    // An idle keep-alive connection holds no more than a fresh one.
    buffer_.shrink_to_fit();
    state_ = State::kIdle;
    Arm(server_.limits.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](boost::system::error_code ec,
                                    std::size_t n) {
          self->buffer_.commit(n);
          if (ec) {
            self->Disarm();
            return self->Close();  // idle too long, or closed by the client
          }
          self->ReadHead();
        });
  }

  std::size_t BufferFor(std::size_t body_limit) const {
    return server_.limits.max_head_bytes + body_limit + kReadChunk;
  }

  void ReadHead() {
    state_ = State::kRequest;
    // One deadline for the whole request: a byte every few seconds does not
    // keep it alive. (Armed once the first byte is here; the idle wait had
    // its own.)
    Arm(server_.limits.request_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
          self->OnHead(ec);
        });
  }

  void OnHead(boost::system::error_code ec) {
    if (ec) return Fail(ec);
    const auto& head = parser_->get();
    // Beast adds a chunked body's trailer fields to the same fields; a route
    // sees only what came in the head.
    head_fields_.clear();
    for (const auto& field : head)
      head_fields_.emplace_back(std::string(field.name_string()),
                                std::string(field.value()));
    if (static_cast<std::size_t>(std::distance(head.begin(), head.end())) >
        server_.limits.max_header_count) {
      return Refuse(431, HttpCode::kTooManyHeaders,
                    "more than " +
                        std::to_string(server_.limits.max_header_count) +
                        " header fields");
    }
    const auto authorization = head.find(bhttp::field::authorization);
    const std::size_t body_limit = server_.app.BodyLimit(
        std::string_view(head.method_string().data(),
                         head.method_string().size()),
        authorization == head.end()
            ? std::string_view()
            : std::string_view(authorization->value().data(),
                               authorization->value().size()));
    const std::size_t allowed =
        std::min(std::max(body_limit, server_.limits.max_body_bytes),
                 std::max(server_.limits.max_body_bytes,
                          server_.limits.max_trusted_body_bytes));
    const auto length = parser_->content_length();
    if (length && *length > allowed) {
      return Refuse(413, ErrorCode::kTooLarge,
                    "the body is over " + std::to_string(allowed) + " bytes");
    }
    parser_->body_limit(allowed);  // what a chunked body may add up to
    buffer_.max_size(BufferFor(allowed));
    // Beast reads a body that ends in chunked; anything layered under it
    // (gzip, chunked) is not something a widget sends, and nothing here
    // could decode it.
    const auto encoding = head.find(bhttp::field::transfer_encoding);
    if (encoding != head.end() &&
        !EqualsIgnoreCase(Trim(encoding->value()), "chunked")) {
      return Refuse(501, HttpCode::kUnsupportedEncoding,
                    "only Transfer-Encoding: chunked is understood");
    }
    const auto expect = head.find(bhttp::field::expect);
    if (expect != head.end() &&
        EqualsIgnoreCase(expect->value(), "100-continue") &&
        !parser_->is_done()) {
      auto go_on = std::make_shared<bhttp::response<bhttp::empty_body>>(
          bhttp::status::continue_, 11);
      return bhttp::async_write(stream_, *go_on,
                                [self = shared_from_this(), go_on](
                                    boost::system::error_code ec, std::size_t) {
                                  if (ec) return self->Close();
                                  self->ReadBody();
                                });
    }
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
          self->Disarm();
          if (ec) return self->Fail(ec);
          self->Dispatch();
        });
  }

  // Why a read ended early, as the answer a client can act on.
  void Fail(boost::system::error_code ec) {
    Disarm();
    if (timed_out_) {
      return Refuse(408, HttpCode::kTimeout,
                    "the request did not arrive within " +
                        std::to_string(server_.limits.request_timeout.count()) +
                        " ms");
    }
    if (ec == bhttp::error::header_limit ||
        (ec == bhttp::error::buffer_overflow && !parser_->is_header_done())) {
      return Refuse(431, HttpCode::kHeaderTooLarge,
                    "the request head is over " +
                        std::to_string(server_.limits.max_head_bytes) +
                        " bytes");
    }
    if (ec == bhttp::error::body_limit || ec == bhttp::error::buffer_overflow) {
      return Refuse(413, ErrorCode::kTooLarge,
                    "the body is over " +
                        std::to_string(server_.limits.max_body_bytes) +
                        " bytes");
    }
    if (ec.category() ==
            bhttp::make_error_code(bhttp::error::end_of_stream).category() &&
        ec != bhttp::error::end_of_stream &&
        ec != bhttp::error::partial_message) {
      return Refuse(400, HttpCode::kBadRequest,
                    "the request is not valid HTTP/1.1 (" + ec.message() + ")");
    }
    Close();  // the client went away
  }

  void Dispatch() {
    auto request = std::make_shared<Request>();
    auto message = parser_->release();
    request->method = std::string(message.method_string());
    request->target = std::string(message.target());
    request->headers = std::move(head_fields_);
    request->body = std::move(message.body());
    request->peer = peer_;
    if (trusted_) {
      // Every X-Forwarded-For line in order: a proxy may add a line of its
      // own rather than append to the client's.
      std::string forwarded;
      for (const auto& [name, value] : request->headers) {
        if (!EqualsIgnoreCase(name, "X-Forwarded-For")) continue;
        if (!forwarded.empty()) forwarded += ',';
        forwarded += value;
      }
      request->client = server_.ClientOf(peer_, forwarded);
    } else {
      request->client = peer_;
    }
    keep_alive_ = message.keep_alive();
    head_only_ = message.method() == bhttp::verb::head;
    if (!ParseTarget(request->target, request.get())) {
      return Refuse(400, HttpCode::kBadPath,
                    "the request target is not a valid path", request.get());
    }
    ++served_;
    last_ = served_ >= server_.limits.max_requests_per_connection;
    const Lane lane = server_.app.LaneFor(*request);
    if (lane == Lane::kInline) {
      Response res;
      server_.app.Handle(*request, res);
      return Send(std::move(res), request);
    }
    auto& pool = lane == Lane::kWrite ? server_.writes : server_.reads;
    asio::post(pool, [self = shared_from_this(), request]() {
      auto res = std::make_shared<Response>();
      self->server_.app.Handle(*request, *res);
      asio::post(self->stream_.get_executor(), [self, res, request]() {
        self->Send(std::move(*res), request);
      });
    });
  }

  void Refusal(Response& res, AnyCode code, const std::string& message) {
    res.content_type = "application/json";
    res.body = ErrorBody(code, "", message);
    res.close = true;
  }

  void Refuse(int status, AnyCode code, const std::string& message,
              const Request* request = nullptr) {
    Disarm();
    Response res;
    res.status = status;
    Refusal(res, code, message);
    // A page's script can read a refusal (and its Retry-After) only with the
    // CORS headers its Origin gets: give the application the fields read so
    // far.
    Request head;
    // (A Content-Length over the limit is refused as the head ends, before
    // Beast calls it done: its fields are all there.)
    if (!request && parser_) {
      head.method = std::string(parser_->get().method_string());
      head.target = std::string(parser_->get().target());
      for (const auto& field : parser_->get())
        head.headers.emplace_back(std::string(field.name_string()),
                                  std::string(field.value()));
      request = &head;
    }
    server_.app.Decorate(request, res);
    Send(std::move(res), nullptr);
  }

  template <class Message>
  void Head(Message& msg, const Response& res) {
    for (const auto& [name, value] : res.headers) msg.insert(name, value);
    if (!res.content_type.empty())
      msg.set(bhttp::field::content_type, res.content_type);
    // The last answer a connection gives says so, and is lingered on like a
    // refusal, so pipelined bytes behind it cannot reset it at the client.
    msg.keep_alive(keep_alive_ && !res.close && !server_.stopping && !last_);
  }

  template <class Message>
  void Write(std::shared_ptr<Message> msg) {
    stream_.expires_after(server_.limits.write_timeout);
    bhttp::async_write(stream_, *msg,
                       [self = shared_from_this(), msg](
                           boost::system::error_code ec, std::size_t) {
                         self->Written(ec, msg->keep_alive());
                       });
  }

  void Send(Response res, std::shared_ptr<Request> request) {
    if (res.close) keep_alive_ = false;
    const auto status = static_cast<bhttp::status>(res.status);
    if (res.stream && head_only_) {
      // The head of a streamed answer: its length is not known, so the
      // connection ends after it.
      auto msg =
          std::make_shared<bhttp::response<bhttp::empty_body>>(status, 11);
      Head(*msg, res);
      msg->keep_alive(false);
      return Write(msg);
    }
    if (res.stream) return Stream(std::move(res), status);
    if (!res.file.empty()) {
      bhttp::file_body::value_type file;
      boost::system::error_code ec;
      file.open(res.file.c_str(), beast::file_mode::scan, ec);
      if (ec) {
        // Gone between the route's check and now.
        Response missing;
        missing.status = 404;
        Refusal(missing, HttpCode::kNotFound, "no such file");
        missing.close = false;
        server_.app.Decorate(request.get(), missing);
        return Send(std::move(missing), request);
      }
      if (head_only_) {
        auto msg =
            std::make_shared<bhttp::response<bhttp::empty_body>>(status, 11);
        Head(*msg, res);
        msg->content_length(file.size());
        return Write(msg);
      }
      auto msg =
          std::make_shared<bhttp::response<bhttp::file_body>>(status, 11);
      Head(*msg, res);
      msg->body() = std::move(file);
      msg->prepare_payload();
      return Write(msg);
    }
    if (head_only_) {
      auto msg =
          std::make_shared<bhttp::response<bhttp::empty_body>>(status, 11);
      Head(*msg, res);
      msg->content_length(res.body.size());
      return Write(msg);
    }
    auto msg =
        std::make_shared<bhttp::response<bhttp::string_body>>(status, 11);
    Head(*msg, res);
    msg->body() = std::move(res.body);
    msg->prepare_payload();
    Write(msg);
  }

  void Written(boost::system::error_code ec, bool keep_alive) {
    stream_.expires_never();
    if (ec) return Close();  // too slow a reader, or gone
    if (!keep_alive) return Linger();
    ReadNext();
  }

  // A streamed answer: the head from here, the pieces from a read worker,
  // each written from here under the write deadline.
  class StreamSink final : public Sink {
   public:
    explicit StreamSink(std::shared_ptr<Session> session)
        : session_(std::move(session)) {}
    bool Write(std::string_view piece) override {
      if (failed_ || session_->server_.stopping) return false;
      auto done = std::make_shared<std::promise<bool>>();
      auto result = done->get_future();
      // A copy: when the server stops, this call returns before the write
      // may have run.
      auto copy = std::make_shared<std::string>(piece);
      asio::post(session_->stream_.get_executor(), [s = session_, copy,
                                                    done]() {
        s->stream_.expires_after(s->server_.limits.write_timeout);
        asio::async_write(s->stream_, bhttp::make_chunk(asio::buffer(*copy)),
                          [done, copy](boost::system::error_code ec,
                                       std::size_t) { done->set_value(!ec); });
      });
      // The I/O thread answers within the write deadline; when the server
      // stops it may never run the write, so look up now and then.
      while (result.wait_for(std::chrono::milliseconds(100)) !=
             std::future_status::ready) {
        if (session_->server_.stopping) return !(failed_ = true);
      }
      failed_ = !result.get();
      return !failed_;
    }

   private:
    std::shared_ptr<Session> session_;
    bool failed_ = false;
  };

  void Stream(Response res, bhttp::status status) {
    auto msg = std::make_shared<bhttp::response<bhttp::empty_body>>(status, 11);
    Head(*msg, res);
    msg->chunked(true);
    auto serializer =
        std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*msg);
    auto produce =
        std::make_shared<std::function<bool(Sink&)>>(std::move(res.stream));
    stream_.expires_after(server_.limits.write_timeout);
    bhttp::async_write_header(
        stream_, *serializer,
        [self = shared_from_this(), msg, serializer, produce](
            boost::system::error_code ec, std::size_t) {
          if (ec) return self->Close();
          asio::post(self->server_.reads, [self, msg, produce]() {
            StreamSink sink(self);
            const bool whole = (*produce)(sink);
            asio::post(self->stream_.get_executor(), [self, msg, whole]() {
              // A part must never look like the whole: no last chunk.
              if (!whole) return self->Close();
              self->stream_.expires_after(self->server_.limits.write_timeout);
              asio::async_write(
                  self->stream_, bhttp::make_chunk_last(),
                  [self, msg](boost::system::error_code ec, std::size_t) {
                    self->Written(ec, msg->keep_alive());
                  });
            });
          });
        });
  }

  // After a refusal: stop sending, read and drop what the client still
  // sends for a moment, then close.
  void Linger() {
    state_ = State::kDone;
    boost::system::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(kDrainTime);
    Drain();
  }

  void Drain() {
    auto sink = std::make_shared<std::array<char, kReadChunk>>();
    stream_.async_read_some(asio::buffer(*sink),
                            [self = shared_from_this(), sink](
                                boost::system::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kDrainBytes)
                                return self->Close();
                              self->Drain();
                            });
  }

  void Shutdown() {
    boost::system::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    Close();
  }

  void Close() {
    Disarm();
    boost::system::error_code ec;
    stream_.socket().close(ec);
  }

  Impl& server_;
  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  const std::string peer_;
  const bool trusted_;
  const bool admitted_;
  State state_ = State::kIdle;
  bool timed_out_ = false;
  bool keep_alive_ = true;
  bool head_only_ = false;
  bool last_ = false;  // the connection's last request
  std::vector<std::pair<std::string, std::string>> head_fields_;
  unsigned generation_ = 0;
  int served_ = 0;
  std::size_t drained_ = 0;
};

bool Server::Impl::Admit(const std::string& peer, bool trusted_peer) {
  std::lock_guard<std::mutex> lock(mu);
  if (open >= limits.max_connections) return false;
  // Behind a proxy every connection comes from the proxy, which caps its
  // own clients.
  if (!trusted_peer) {
    std::size_t& mine = per_client[peer];
    if (mine >= limits.max_connections_per_client) return false;
    ++mine;
  }
  ++open;
  return true;
}

void Server::Impl::Release(const std::string& peer, bool trusted_peer) {
  std::lock_guard<std::mutex> lock(mu);
  --open;
  if (trusted_peer) return;
  auto it = per_client.find(peer);
  if (it != per_client.end() && --it->second == 0) per_client.erase(it);
}

std::string Server::Impl::ClientOf(const std::string& peer,
                                   std::string_view forwarded) const {
  // Each proxy appends the address it got the request from; the rightmost
  // address no trusted proxy wrote is the client's. Anything to its left was
  // written by the client itself and proves nothing.
  while (!forwarded.empty()) {
    const std::size_t comma = forwarded.rfind(',');
    const std::string_view last = comma == std::string_view::npos
                                      ? forwarded
                                      : forwarded.substr(comma + 1);
    forwarded =
        comma == std::string_view::npos ? "" : forwarded.substr(0, comma);
    const std::string address = CanonicalAddress(last);
    if (address.empty()) break;
    if (!trusted.count(address)) return address;
  }
  return peer;
}

void Server::Impl::Accept() {
  acceptor.async_accept(
      asio::make_strand(io),
      [this](boost::system::error_code ec, tcp::socket socket) {
        if (!acceptor.is_open()) return;
        if (!ec) {
          boost::system::error_code peer_ec;
          const auto endpoint = socket.remote_endpoint(peer_ec);
          if (!peer_ec) {
            const std::string peer = AddressText(endpoint.address());
            const bool trusted_peer = trusted.count(peer) > 0;
            if (Admit(AddressPrefix(peer), trusted_peer)) {
              std::make_shared<Session>(std::move(socket), *this, peer,
                                        trusted_peer, true)
                  ->Start();
            } else {
              std::unique_lock<std::mutex> lock(mu);
              if (lingering < kMaxLingering) {
                ++lingering;
                lock.unlock();
                // Counted out again when the session is gone.
                auto refused = std::shared_ptr<Session>(
                    new Session(std::move(socket), *this, peer, trusted_peer,
                                false),
                    [this](Session* s) {
                      delete s;
                      std::lock_guard<std::mutex> l(mu);
                      --lingering;
                    });
                refused->RefuseConnection();
              }
            }
          }
        } else if (ec == asio::error::no_descriptors ||
                   ec == asio::error::no_buffer_space ||
                   ec == asio::error::no_memory || ec.value() == ENFILE) {
          // Out of descriptors or memory: the connection waits in the
          // backlog; try again in a moment, without holding the I/O thread.
          accept_pause.expires_after(std::chrono::milliseconds(50));
          accept_pause.async_wait([this](boost::system::error_code) {
            if (acceptor.is_open()) Accept();
          });
          return;
        }
        Accept();
      });
}

Server::Server(Limits limits, Application& app,
               std::vector<std::string> trusted_proxies)
    : impl_(std::make_unique<Impl>(limits, app, [&] {
        // Compared with peers in the same form (IPv4-mapped as IPv4).
        for (std::string& proxy : trusted_proxies) {
          const std::string canonical = CanonicalAddress(proxy);
          if (!canonical.empty()) proxy = canonical;
        }
        return std::move(trusted_proxies);
      }())) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

Server::~Server() {
  Stop();
  impl_->writes.join();
  impl_->reads.join();
}

int Server::Bind(const std::string& host, int port) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return -1;
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(impl_->limits.backlog, ec);
  if (ec) return -1;
  return acceptor.local_endpoint().port();
}

void Server::Run() {
  impl_->Accept();
  impl_->io.run();
  // What the workers hold was received whole: let them finish it (their
  // answers are not sent; a client retries what it was not told).
  impl_->writes.join();
  impl_->reads.join();
}

void Server::Stop() {
  if (impl_->stopping.exchange(true)) return;
  // No new connections; connections end after the answer they are writing
  // (ReadNext sees `stopping`); what is still open after a grace period
  // (idle keep-alives, slow readers) is dropped.
  asio::post(impl_->io, [impl = impl_.get()]() {
    boost::system::error_code ec;
    impl->acceptor.close(ec);
    impl->accept_pause.cancel();
    impl->grace.expires_after(kStopGrace);
    impl->grace.async_wait(
        [impl](boost::system::error_code) { impl->io.stop(); });
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      for (const auto& [raw, weak] : impl->sessions)
        if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    for (const auto& session : live) session->EndIfIdle();
    live.clear();
    impl->WaitForDrain();
  });
}

void Server::Impl::WaitForDrain() {
  drained.expires_after(std::chrono::milliseconds(20));
  drained.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (open == 0 && lingering == 0) return io.stop();
    }
    WaitForDrain();
  });
}

}  // namespace sondar::collector::http
