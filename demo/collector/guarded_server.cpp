#include "guarded_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>

#include "sondar/json.h"

namespace sondar::collector {

namespace {

using Clock = std::chrono::steady_clock;

// After refusing a request we read and discard what the client still sends,
// for this long and up to this many bytes, so it sees our reply rather than a
// connection reset (the same idea as nginx's lingering close).
constexpr auto kDrainTime = std::chrono::milliseconds(2000);
constexpr std::size_t kDrainBytes = std::size_t{64} << 20;
constexpr std::size_t kReadChunk = 16 * 1024;
// A chunk-size line longer than this is not one a real client sends.
constexpr std::size_t kMaxChunkLine = 256;
constexpr int kMaxRequestsPerConnection = 1000;

const char* Reason(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
  }
  return "Error";
}

// Best effort: the socket is non-blocking and the reply small; a client that
// does not read it loses nothing of ours.
void SendNow(int fd, const std::string& text) {
  ::send(fd, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

std::string ErrorReply(int status, const char* code,
                       const std::string& message) {
  const std::string body =
      Json{{"errors", {{{"code", code}, {"path", ""}, {"message", message}}}}}
          .dump();
  return "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) +
         "\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) +
         "\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n" +
         body;
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(c));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

struct GuardedServer::Connection {
  enum class State { kReading, kBusy, kDraining };
  enum class Body { kNone, kLength, kChunked };
  enum class Chunk { kSize, kData, kDataEnd, kTrailer };

  int fd = -1;
  std::string ip;
  int port = 0;
  State state = State::kReading;
  Clock::time_point deadline;
  int served = 0;
  std::size_t drained = 0;
  std::string in;  // bytes read and not yet consumed

  // The request being read.
  bool started = false;  // a byte of it has arrived
  bool head_done = false;
  std::size_t head_scan = 0;
  std::string request;  // the head as httplib will see it, then the body
  Body body = Body::kNone;
  std::size_t length = 0;
  Chunk chunk = Chunk::kSize;
  std::size_t chunk_left = 0;
  std::size_t trailers = 0;
  std::string content;

  void Reset() {
    started = !in.empty();
    head_done = false;
    head_scan = 0;
    request.clear();
    body = Body::kNone;
    length = 0;
    chunk = Chunk::kSize;
    chunk_left = 0;
    trailers = 0;
    content.clear();
  }
};

namespace {

// The text form of a socket's own (`peer` false) or remote address.
bool Address(int fd, bool peer, std::string* ip, int* port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  auto* any = reinterpret_cast<sockaddr*>(&addr);
  if ((peer ? ::getpeername(fd, any, &len) : ::getsockname(fd, any, &len)) != 0)
    return false;
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof(text));
    *port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof(text));
    *port = ntohs(a->sin6_port);
  } else {
    return false;
  }
  *ip = text;
  return true;
}

// What httplib reads one request from, and writes its response to.
class RequestStream : public httplib::Stream {
 public:
  RequestStream(const std::string& request, int fd, const std::string& ip,
                int port, Clock::time_point deadline)
      : request_(request), fd_(fd), ip_(ip), port_(port), deadline_(deadline) {}

  bool is_readable() const override { return pos_ < request_.size(); }
  bool is_writable() const override { return !failed_; }
  ssize_t read(char* ptr, size_t size) override {
    const std::size_t n = std::min(size, request_.size() - pos_);
    std::memcpy(ptr, request_.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    std::size_t done = 0;
    while (done < size && !failed_) {
      const ssize_t n = ::send(fd_, ptr + done, size - done, MSG_NOSIGNAL);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline_ - Clock::now())
                              .count();
        pollfd p{fd_, POLLOUT, 0};
        if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0)
          failed_ = true;
      } else {
        failed_ = true;
      }
    }
    return failed_ ? -1 : static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = ip_;
    port = port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    if (!Address(fd_, false, &ip, &port)) ip.clear(), port = 0;
  }
  socket_t socket() const override { return fd_; }
  bool failed() const { return failed_; }

 private:
  const std::string& request_;
  std::size_t pos_ = 0;
  int fd_;
  const std::string& ip_;
  int port_;
  Clock::time_point deadline_;
  bool failed_ = false;
};

}  // namespace

GuardedServer::GuardedServer(ServerLimits limits) : limits_(limits) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  // httplib's own pool only hands sockets over to us.
  new_task_queue = [] { return new httplib::ThreadPool(2); };
  set_payload_max_length(limits_.max_body_bytes);
  set_keep_alive_max_count(kMaxRequestsPerConnection);
  set_keep_alive_timeout(std::max<time_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(limits_.idle_timeout)
             .count()));
}

GuardedServer::~GuardedServer() {
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

int GuardedServer::Bind(const std::string& host, int port) {
  const int bound = port == 0 ? bind_to_any_port(host)
                              : (bind_to_port(host, port) ? port : -1);
  if (bound < 0) return -1;
  // httplib listened with the backlog compiled into the shared library (5);
  // listening again on a listening socket only changes the backlog.
  if (::listen(svr_sock_, limits_.backlog) != 0) return -1;
  return bound;
}

bool GuardedServer::Run() {
  loop_ = std::thread([this] { Loop(); });
  for (int i = 0; i < limits_.workers; ++i)
    workers_.emplace_back([this] { Work(); });
  const bool ok = listen_after_bind();
  stopping_ = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof(one));
  loop_.join();
  ready_cv_.notify_all();
  for (auto& t : workers_) t.join();
  std::lock_guard<std::mutex> lock(mu_);
  while (!connections_.empty()) Close(connections_.begin()->second.get());
  return ok;
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  std::string ip;
  int port = 0;
  if (!Address(sock, true, &ip, &port)) {
    ::close(sock);
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto& mine = per_client_[ip];
  if (stopping_ || connections_.size() >= limits_.max_connections ||
      mine >= limits_.max_connections_per_client) {
    if (mine == 0) per_client_.erase(ip);
    SendNow(sock,
            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n");
    ::close(sock);
    return false;
  }
  ::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) | O_NONBLOCK);
  const int on = 1;
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  auto c = std::make_unique<Connection>();
  c->fd = sock;
  c->ip = ip;
  c->port = port;
  c->deadline = Clock::now() + limits_.request_timeout;
  ++mine;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.fd = sock;
  connections_[sock] = std::move(c);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, sock, &ev);
  return true;
}

void GuardedServer::Arm(Connection* c) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.fd = c->fd;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd, &ev);
}

void GuardedServer::Close(Connection* c) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd, nullptr);
  ::close(c->fd);
  auto it = per_client_.find(c->ip);
  if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
  connections_.erase(c->fd);  // destroys c
}

void GuardedServer::Loop() {
  std::vector<epoll_event> events(128);
  while (!stopping_) {
    const int n = ::epoll_wait(epoll_fd_, events.data(),
                               static_cast<int>(events.size()), 250);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) continue;
      Connection* c = nullptr;
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = connections_.find(fd);
        if (it == connections_.end() ||
            it->second->state == Connection::State::kBusy)
          continue;
        c = it->second.get();
      }
      // One-shot events: until re-armed, this thread alone owns `c`.
      OnReadable(c);
    }
    ExpireDeadlines();
  }
}

void GuardedServer::OnReadable(Connection* c) {
  char buf[kReadChunk];
  for (;;) {
    const ssize_t n = ::recv(c->fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {  // closed by the client, or an error
      std::lock_guard<std::mutex> lock(mu_);
      Close(c);
      return;
    }
    if (c->state == Connection::State::kDraining) {
      c->drained += static_cast<std::size_t>(n);
      if (c->drained > kDrainBytes) {
        std::lock_guard<std::mutex> lock(mu_);
        Close(c);
        return;
      }
      continue;
    }
    if (!c->started) {
      c->started = true;
      c->deadline = Clock::now() + limits_.request_timeout;
    }
    c->in.append(buf, static_cast<std::size_t>(n));
    const Framed framed = Frame(c);
    if (framed == Framed::kReady) {
      std::lock_guard<std::mutex> lock(mu_);
      c->state = Connection::State::kBusy;
      ready_.push_back(c);
      ready_cv_.notify_one();
      return;
    }
    if (framed == Framed::kRefused) {
      std::lock_guard<std::mutex> lock(mu_);
      c->state = Connection::State::kDraining;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  Arm(c);
}

void GuardedServer::Refuse(Connection* c, int status, const char* code,
                           const std::string& message) {
  SendNow(c->fd, ErrorReply(status, code, message));
  ::shutdown(c->fd, SHUT_WR);
  c->deadline = Clock::now() + kDrainTime;
  c->in.clear();
  c->drained = 0;
}

GuardedServer::Framed GuardedServer::Frame(Connection* c) {
  std::string& in = c->in;
  if (!c->head_done) {
    // Some clients send a stray CRLF after a body; it is not a request.
    std::size_t skip = 0;
    while (in.size() >= skip + 2 && in.compare(skip, 2, "\r\n") == 0) skip += 2;
    if (skip) in.erase(0, skip), c->head_scan = 0;
    const std::size_t from = c->head_scan > 3 ? c->head_scan - 3 : 0;
    const std::size_t end = in.find("\r\n\r\n", from);
    if (end == std::string::npos || end + 4 > limits_.max_head_bytes) {
      c->head_scan = in.size();
      if (in.size() > limits_.max_head_bytes) {
        Refuse(c, 431, "header_too_large",
               "the request head is over " +
                   std::to_string(limits_.max_head_bytes) + " bytes");
        return Framed::kRefused;
      }
      return Framed::kNeedMore;
    }
    const std::string_view head(in.data(), end + 2);  // each line ends CRLF
    if (head.find('\0') != std::string_view::npos) {
      Refuse(c, 400, "bad_request", "a NUL byte in the request head");
      return Framed::kRefused;
    }
    bool expect_continue = false;
    std::optional<std::uint64_t> length;
    bool chunked = false;
    std::size_t count = 0;
    std::size_t line_start = 0;
    bool first = true;
    while (line_start < head.size()) {
      const std::size_t eol = head.find("\r\n", line_start);
      const std::string_view line = head.substr(line_start, eol - line_start);
      line_start = eol + 2;
      // A bare CR or LF lets two parsers disagree on where a line ends.
      if (line.find_first_of("\r\n") != std::string_view::npos) {
        Refuse(c, 400, "bad_request", "a bare CR or LF in the request head");
        return Framed::kRefused;
      }
      if (first) {
        first = false;
        c->request.assign(line).append("\r\n");
        continue;
      }
      if (++count > limits_.max_header_count) {
        Refuse(c, 431, "too_many_headers",
               "more than " + std::to_string(limits_.max_header_count) +
                   " header fields");
        return Framed::kRefused;
      }
      const std::size_t colon = line.find(':');
      if (colon == 0 || colon == std::string_view::npos ||
          !std::all_of(line.begin(), line.begin() + colon, IsTokenChar)) {
        Refuse(c, 400, "bad_request", "a malformed header field");
        return Framed::kRefused;
      }
      const std::string name = Lower(line.substr(0, colon));
      const std::string_view value = Trim(line.substr(colon + 1));
      if (name == "content-length") {
        if (value.empty() || value.size() > 18 ||
            !std::all_of(value.begin(), value.end(),
                         [](char ch) { return ch >= '0' && ch <= '9'; })) {
          Refuse(c, 400, "bad_request", "Content-Length is not a number");
          return Framed::kRefused;
        }
        const std::uint64_t v = std::stoull(std::string(value));
        if (length && *length != v) {
          Refuse(c, 400, "bad_request", "two different Content-Length values");
          return Framed::kRefused;
        }
        length = v;
      } else if (name == "transfer-encoding") {
        if (Lower(value) != "chunked" || chunked) {
          Refuse(c, 501, "unsupported_encoding",
                 "only one Transfer-Encoding: chunked is supported");
          return Framed::kRefused;
        }
        chunked = true;
      } else if (name == "expect") {
        expect_continue = Lower(value) == "100-continue";
      } else if (name != "range" && name != "if-range") {
        c->request.append(line).append("\r\n");
      }
    }
    if (chunked && length) {
      Refuse(c, 400, "bad_request",
             "both Content-Length and Transfer-Encoding were sent");
      return Framed::kRefused;
    }
    if (length && *length > limits_.max_body_bytes) {
      Refuse(c, 413, "too_large",
             "the body is over " + std::to_string(limits_.max_body_bytes) +
                 " bytes");
      return Framed::kRefused;
    }
    in.erase(0, end + 4);
    c->head_done = true;
    c->body = chunked  ? Connection::Body::kChunked
              : length ? Connection::Body::kLength
                       : Connection::Body::kNone;
    c->length = length.value_or(0);
    if (expect_continue && (chunked || c->length > 0))
      SendNow(c->fd, "HTTP/1.1 100 Continue\r\n\r\n");
  }

  switch (c->body) {
    case Connection::Body::kNone:
      break;
    case Connection::Body::kLength:
      if (in.size() < c->length) return Framed::kNeedMore;
      c->content.assign(in, 0, c->length);
      in.erase(0, c->length);
      break;
    case Connection::Body::kChunked: {
      std::size_t pos = 0;
      bool done = false;
      while (!done) {
        if (c->chunk == Connection::Chunk::kSize ||
            c->chunk == Connection::Chunk::kTrailer) {
          const std::size_t eol = in.find("\r\n", pos);
          const std::size_t cap = c->chunk == Connection::Chunk::kSize
                                      ? kMaxChunkLine
                                      : limits_.max_head_bytes;
          if (eol == std::string::npos || eol - pos > cap) {
            if (in.size() - pos > cap) {
              Refuse(c, c->chunk == Connection::Chunk::kSize ? 400 : 431,
                     "bad_request", "a chunk line is too long");
              return Framed::kRefused;
            }
            break;
          }
          const std::string_view line(in.data() + pos, eol - pos);
          pos = eol + 2;
          if (c->chunk == Connection::Chunk::kTrailer) {
            if (line.empty()) {
              done = true;
            } else if (++c->trailers > limits_.max_header_count) {
              Refuse(c, 431, "too_many_headers", "too many trailer fields");
              return Framed::kRefused;
            }
            continue;
          }
          const std::string_view digits = line.substr(0, line.find(';'));
          if (digits.empty() || digits.size() > 8 ||
              !std::all_of(digits.begin(), digits.end(), [](char ch) {
                return std::isxdigit(static_cast<unsigned char>(ch));
              })) {
            Refuse(c, 400, "bad_request", "a malformed chunk size");
            return Framed::kRefused;
          }
          const std::size_t size = std::stoul(std::string(digits), nullptr, 16);
          if (c->content.size() + size > limits_.max_body_bytes) {
            Refuse(c, 413, "too_large",
                   "the body is over " +
                       std::to_string(limits_.max_body_bytes) + " bytes");
            return Framed::kRefused;
          }
          c->chunk_left = size;
          c->chunk =
              size ? Connection::Chunk::kData : Connection::Chunk::kTrailer;
        } else if (c->chunk == Connection::Chunk::kData) {
          const std::size_t n = std::min(c->chunk_left, in.size() - pos);
          c->content.append(in, pos, n);
          pos += n;
          c->chunk_left -= n;
          if (c->chunk_left > 0) break;
          c->chunk = Connection::Chunk::kDataEnd;
        } else {  // kDataEnd
          if (in.size() - pos < 2) break;
          if (in.compare(pos, 2, "\r\n") != 0) {
            Refuse(c, 400, "bad_request", "a chunk does not end with CRLF");
            return Framed::kRefused;
          }
          pos += 2;
          c->chunk = Connection::Chunk::kSize;
        }
      }
      in.erase(0, pos);
      if (!done) return Framed::kNeedMore;
      break;
    }
  }
  c->request.append("Content-Length: ")
      .append(std::to_string(c->content.size()))
      .append("\r\n\r\n")
      .append(c->content);
  c->content.clear();
  return Framed::kReady;
}

void GuardedServer::Work() {
  for (;;) {
    Connection* c = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ready_cv_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
      if (ready_.empty()) return;
      c = ready_.front();
      ready_.pop_front();
    }
    Serve(c);
  }
}

void GuardedServer::Serve(Connection* c) {
  for (;;) {
    const bool last = stopping_ || ++c->served >= kMaxRequestsPerConnection;
    bool client_closes = false;
    RequestStream stream(c->request, c->fd, c->ip, c->port,
                         Clock::now() + limits_.write_timeout);
    const bool written = process_request(stream, last, client_closes, {});
    if (!written || stream.failed() || last || client_closes) {
      std::lock_guard<std::mutex> lock(mu_);
      Close(c);
      return;
    }
    c->Reset();
    c->deadline = Clock::now() +
                  (c->started ? limits_.request_timeout : limits_.idle_timeout);
    const Framed framed = c->in.empty() ? Framed::kNeedMore : Frame(c);
    if (framed == Framed::kReady) continue;  // pipelined: it is all here
    std::lock_guard<std::mutex> lock(mu_);
    c->state = framed == Framed::kNeedMore ? Connection::State::kReading
                                           : Connection::State::kDraining;
    Arm(c);
    return;
  }
}

void GuardedServer::ExpireDeadlines() {
  const auto now = Clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Connection*> expired;
  for (auto& [fd, c] : connections_) {
    if (c->state != Connection::State::kBusy && c->deadline <= now)
      expired.push_back(c.get());
  }
  for (Connection* c : expired) {
    if (c->state == Connection::State::kReading && c->started) {
      SendNow(c->fd, ErrorReply(408, "request_timeout",
                                "the request did not arrive in time"));
    }
    Close(c);
  }
}

}  // namespace sondar::collector
