// What one anonymous poster may cost the collector: a token bucket of posts
// per client address, a cap on new responses per visitor per hour, and the
// key a client's address is stored under. Every figure is a flag of the
// collector (README, "Deploying the collector").
#ifndef SONDAR_DEMO_COLLECTOR_ABUSE_H_
#define SONDAR_DEMO_COLLECTOR_ABUSE_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace sondar::collector {

// The part of an address one party controls: an IPv4 address, or the /64 of
// an IPv6 address (one home or phone gets a whole /64 to pick from).
std::string AddressPrefix(const std::string& address);

// A keyed hash (HMAC-SHA-256, 128 bits in hex) of an AddressPrefix, so the
// database can tell clients apart without holding their addresses.
std::string ClientKey(const std::string& secret, const std::string& prefix);

// Posts per client: `rate` tokens a second up to `burst`; each post takes
// one. A rate of 0 turns it off. `now_ms` is a steady clock's (a wall clock
// stepped back would empty every bucket). At most 100,000 clients are kept:
// past that, those whose buckets are full again are forgotten, and if that is
// not enough all are (the limit fails open rather than grow without bound).
class RateLimiter {
 public:
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}
  // 0 when the post may go ahead, else whole seconds until a token is there.
  int Take(const std::string& key, std::int64_t now_ms);

 private:
  struct Bucket {
    double tokens;
    std::int64_t at_ms;
  };
  const double rate_;
  const double burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// New responses per visitor in each fixed window of time (an hour by
// default), in a fixed table indexed by a hash of the visitor id seeded with a
// random number per process: memory stays the same however many visitor ids
// an attacker makes up, and picking ids that collide with someone else's needs
// the seed. Two visitors that share a slot by chance share a count, which
// only ever makes the cap stricter for them. Allows and Count are separate
// steps, so posts racing each other can pass the cap by a few. A cap of 0
// turns it off.
class VisitorCap {
 public:
  VisitorCap(int per_window, int window_s, std::uint64_t seed);
  bool Allows(const std::string& visitor_id, std::int64_t now_ms);
  void Count(const std::string& visitor_id, std::int64_t now_ms);
  // Seconds until the next window starts, when counts start again.
  int RetryAfter(std::int64_t now_ms) const;

 private:
  struct Slot {
    std::uint32_t window = 0;  // which window (time / window length)
    std::uint32_t count = 0;
  };
  Slot& SlotOf(const std::string& visitor_id);  // mu_ held
  const int per_window_;
  const std::int64_t window_ms_;
  const std::uint64_t seed_;
  std::mutex mu_;
  std::vector<Slot> slots_;
};

}  // namespace sondar::collector

#endif  // SONDAR_DEMO_COLLECTOR_ABUSE_H_
