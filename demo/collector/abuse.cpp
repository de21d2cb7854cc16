#include "abuse.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cmath>

#include "hex.h"

namespace sondar::collector {

namespace {

constexpr std::size_t kVisitorSlots = std::size_t{1} << 20;
// Buckets kept before full ones (a client that has not posted for a while)
// are swept out.
constexpr std::size_t kMaxBuckets = 100'000;

// FNV-1a from a secret start, then splitmix64's finaliser so every bit of
// the seed reaches the slot index.
std::uint64_t SeededHash(std::uint64_t seed, const std::string& text) {
  std::uint64_t hash = 1469598103934665603ull ^ seed;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ull;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebull;
  return hash ^ (hash >> 31);
}

}  // namespace

std::string AddressPrefix(const std::string& address) {
  boost::system::error_code ec;
  const auto parsed = boost::asio::ip::make_address(address, ec);
  if (ec || !parsed.is_v6()) return address;
  auto bytes = parsed.to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

std::string ClientKey(const std::string& secret, const std::string& prefix) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(prefix.data()),
            prefix.size(), mac, &length))
    return "";
  return Hex(mac, std::min<unsigned int>(length, 16));
}

int RateLimiter::Take(const std::string& key, std::int64_t now_ms) {
  if (rate_ <= 0) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  const auto refill = [&](Bucket& b) {
    b.tokens = std::min(burst_, b.tokens + (now_ms - b.at_ms) * rate_ / 1000);
    b.at_ms = now_ms;
  };
  if (buckets_.size() >= kMaxBuckets && !buckets_.count(key)) {
    // A full bucket is the same as no bucket.
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      refill(it->second);
      it = it->second.tokens >= burst_ ? buckets_.erase(it) : std::next(it);
    }
    // Still full: more clients are posting at their limit than this keeps.
    if (buckets_.size() >= kMaxBuckets / 2) buckets_.clear();
  }
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now_ms});
  Bucket& bucket = it->second;
  if (!fresh) refill(bucket);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1 - bucket.tokens) / rate_)));
}

VisitorCap::VisitorCap(int per_window, int window_s, std::uint64_t seed)
    : per_window_(per_window),
      window_ms_(std::int64_t{std::max(1, window_s)} * 1000),
      seed_(seed) {
  if (per_window_ > 0) slots_.resize(kVisitorSlots);
}

VisitorCap::Slot& VisitorCap::SlotOf(const std::string& visitor_id) {
  return slots_[SeededHash(seed_, visitor_id) & (kVisitorSlots - 1)];
}

bool VisitorCap::Allows(const std::string& visitor_id, std::int64_t now_ms) {
  if (per_window_ <= 0) return true;
  std::lock_guard<std::mutex> lock(mu_);
  const Slot& slot = SlotOf(visitor_id);
  return slot.window != static_cast<std::uint32_t>(now_ms / window_ms_) ||
         slot.count < static_cast<std::uint32_t>(per_window_);
}

void VisitorCap::Count(const std::string& visitor_id, std::int64_t now_ms) {
  if (per_window_ <= 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  Slot& slot = SlotOf(visitor_id);
  const auto window = static_cast<std::uint32_t>(now_ms / window_ms_);
  if (slot.window != window) slot = Slot{window, 0};
  ++slot.count;
}

int VisitorCap::RetryAfter(std::int64_t now_ms) const {
  return static_cast<int>((window_ms_ - now_ms % window_ms_ + 999) / 1000);
}

}  // namespace sondar::collector
