// The collector's HTTP/1.1 server, on Boost.Beast and Asio. Beast owns the
// framing (request line, fields, Content-Length, chunked bodies); this file
// owns the limits a server on the open internet needs, each a public setting:
//   - one I/O thread reads and writes every connection; a route runs on a
//     worker only once its whole request has arrived, and a worker never
//     writes to a socket, so neither a slow sender nor a slow reader can hold
//     one (a slow reader costs its socket and the answer it has not read);
//   - the request head is capped in bytes and in fields, the body while it is
//     read whatever the framing, and the whole request has one deadline;
//   - writing each answer has a deadline;
//   - a connection serves one request at a time: pipelined requests wait in
//     its bounded read buffer, then in the kernel, then in the client;
//   - connections are capped in all and per client address;
//   - Range is never honoured (every answer is whole).
// Routes see a Request with the path and query decoded by libcurl's URL
// parser, never hand-rolled.
#ifndef SONDAR_DEMO_COLLECTOR_HTTP_SERVER_H_
#define SONDAR_DEMO_COLLECTOR_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sondar::collector::http {

struct Limits {
  std::size_t max_head_bytes = 16 * 1024;
  std::size_t max_header_count = 100;
  std::size_t max_body_bytes = 64 * 1024;
  // The largest body Application::BodyLimit may allow a request it trusts.
  std::size_t max_trusted_body_bytes = 0;
  // From the first byte of a request to its last.
  std::chrono::milliseconds request_timeout{10'000};
  // How long an open connection may wait for the first byte of its next
  // request.
  std::chrono::milliseconds idle_timeout{5'000};
  // Writing one whole answer (or one piece of a streamed one).
  std::chrono::milliseconds write_timeout{30'000};
  std::size_t max_connections = 4096;
  std::size_t max_connections_per_client = 256;
  int max_requests_per_connection = 1000;
  // Threads for routes that write to the store (they wait for a group
  // commit), and for long reads (summary, export), kept apart so a slow
  // export never delays a post.
  int write_workers = 16;
  int read_workers = 2;
  int backlog = 512;
};

// Where a route runs: on the I/O thread (answers from memory, files), or on a
// worker pool.
enum class Lane { kInline, kWrite, kRead };

struct Request {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // as sent
  std::string path;    // percent-decoded, dot segments removed
  std::multimap<std::string, std::string> query;  // decoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The address the connection came from, and the client's address: the same,
  // unless the connection came from a trusted proxy that named the client.
  std::string peer;
  std::string client;

  // The first field of that name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
  // The first query parameter of that name, or "".
  std::string Param(std::string_view name) const;
  bool HasParam(std::string_view name) const;
};

// Where a streamed answer goes. Write blocks until the piece is on its way
// to the client, and answers false once the client is gone or too slow (the
// write deadline passed): the producer then stops.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual bool Write(std::string_view piece) = 0;
};

struct Response {
  int status = 200;
  std::string content_type;  // empty: no body
  std::string body;
  // When set, the body is this file (read as it is sent, not held).
  std::filesystem::path file;
  // When set, the body is streamed (chunked) from a read worker. Returning
  // false cuts the connection without the last chunk, so a client can never
  // take a part for the whole.
  std::function<bool(Sink&)> stream;
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;  // end the connection after this answer

  void Set(std::string name, std::string value);
  bool Has(std::string_view name) const;
};

// What the server serves.
class Application {
 public:
  virtual ~Application() = default;
  // Called on the I/O thread with the whole request; must not block.
  virtual Lane LaneFor(const Request& request) const = 0;
  // Called on the lane's thread.
  virtual void Handle(const Request& request, Response& response) = 0;
  // How large a body this request may send, decided from its head before the
  // body is read (so only a caller the application trusts may send more);
  // 0: Limits::max_body_bytes. Called on the I/O thread; must not block.
  virtual std::size_t BodyLimit(std::string_view /*method*/,
                                std::string_view /*authorization*/) const {
    return 0;
  }
  // An answer the server made itself (a refused request: 400, 408, 413, 431,
  // 503), so the application can add its own headers (CORS, CSP).
  virtual void Decorate(const Request* request, Response& response) const = 0;
};

class Server {
 public:
  // `trusted_proxies`: peer addresses whose X-Forwarded-For is believed.
  Server(Limits limits, Application& app,
         std::vector<std::string> trusted_proxies);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Listens with the configured backlog. Returns the port, or -1.
  int Bind(const std::string& host, int port);
  // Serves until Stop(); then lets the workers finish what they hold.
  void Run();
  // Safe from any thread.
  void Stop();

 private:
  class Session;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sondar::collector::http

#endif  // SONDAR_DEMO_COLLECTOR_HTTP_SERVER_H_
