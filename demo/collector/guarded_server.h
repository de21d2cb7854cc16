// An httplib::Server that can face the open internet.
//
// Debian's cpp-httplib (0.11) gives one worker thread to each connection from
// accept to close, reads headers without a count limit, buffers chunked and
// length-less bodies whole before any size check, and serves multi-range
// requests. Its limits are compile-time macros baked into the shared library,
// so they cannot be changed from here. This class keeps httplib for what it
// does well (parsing a request, routing, writing the response) and takes over
// the socket before that:
//   - one epoll thread reads every connection; a worker thread only sees a
//     request once all of it has arrived, so slow clients cost a file
//     descriptor and a few KiB, never a worker;
//   - the request head has a size cap, a header-count cap and, with the body,
//     one deadline for the whole request (a byte every few seconds does not
//     keep it alive);
//   - bodies are capped while they are read, whatever the framing: a
//     Content-Length over the cap is refused before its first byte, a chunked
//     body as soon as it passes the cap, and a request with neither has none;
//   - connections are capped in all and per client address;
//   - Range headers are dropped (everything served here is small), so one
//     request can never turn into many;
//   - the listen backlog is really applied.
#ifndef SONDAR_DEMO_COLLECTOR_GUARDED_SERVER_H_
#define SONDAR_DEMO_COLLECTOR_GUARDED_SERVER_H_

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace sondar::collector {

struct ServerLimits {
  std::size_t max_head_bytes = 16 * 1024;
  std::size_t max_header_count = 100;
  std::size_t max_body_bytes = 64 * 1024;
  // From the first byte of a request to its last.
  std::chrono::milliseconds request_timeout{10'000};
  // How long an open connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{5'000};
  // Writing one whole response.
  std::chrono::milliseconds write_timeout{30'000};
  std::size_t max_connections = 4096;
  std::size_t max_connections_per_client = 256;
  int workers = 16;
  int backlog = 512;
};

class GuardedServer : public httplib::Server {
 public:
  explicit GuardedServer(ServerLimits limits);
  ~GuardedServer() override;

  // Binds like bind_to_port / bind_to_any_port, then listens with the
  // configured backlog. Returns the port, or -1.
  int Bind(const std::string& host, int port);
  // Serves until stop(); then finishes the requests workers hold.
  bool Run();

  // The listen backlog the kernel reports for our socket (for tests and logs).
  int backlog() const { return limits_.backlog; }

 private:
  struct Connection;
  enum class Framed { kNeedMore, kReady, kRefused };

  // httplib calls this on its own small pool for each accepted socket; we hand
  // the socket to the event loop and return at once.
  bool process_and_close_socket(socket_t sock) override;

  void Loop();
  void Work();
  void OnReadable(Connection* c);
  Framed Frame(Connection* c);
  void Serve(Connection* c);
  // Writes a short error reply itself; the caller then moves `c` to draining:
  // what the client still sends is read and dropped for a moment, so it reads
  // the reply instead of a reset.
  void Refuse(Connection* c, int status, const char* code,
              const std::string& message);
  void Arm(Connection* c);
  void Close(Connection* c);  // mu_ held
  void ExpireDeadlines();

  ServerLimits limits_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread loop_;
  std::vector<std::thread> workers_;

  std::mutex mu_;  // guards connections_, per_client_, ready_
  std::condition_variable ready_cv_;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  std::map<std::string, std::size_t> per_client_;
  std::deque<Connection*> ready_;
};

}  // namespace sondar::collector

#endif  // SONDAR_DEMO_COLLECTOR_GUARDED_SERVER_H_
