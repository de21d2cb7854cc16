// Who a request comes from: the admin token the collector starts with (from
// --admin-token-file or SONDAR_ADMIN_TOKEN), or a named token made with
// `sondar-collector token create`, each with a role. Named tokens are kept in
// the database as SHA-256 hashes only, so a copy of the database opens
// nothing.
#ifndef SONDAR_DEMO_COLLECTOR_ACCESS_H_
#define SONDAR_DEMO_COLLECTOR_ACCESS_H_

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "store.h"

namespace sondar::collector {

// admin: everything. viewer: scores, trends, comments and cases without
// personal data; no publishing, exports, privacy operations, webhooks or
// case changes.
enum class Role { kViewer, kAdmin };
std::string_view RoleName(Role role);
std::optional<Role> RoleFromName(std::string_view name);

// What the audit log and case history call the start-up token.
inline constexpr std::string_view kStartupTokenName = "admin-token";

struct Principal {
  std::string name;  // the token's; kStartupTokenName for the start-up one
  Role role = Role::kViewer;
};

// "sdr_" and 64 hex digits of 32 random bytes; empty if the system's random
// source failed.
std::string NewToken();
// Hex SHA-256. A token holds 256 random bits, so a fast hash is enough: no
// guess can be tried against it faster than against the collector itself.
std::string TokenHash(std::string_view token);
// A token name: 1-64 of letters, digits, . _ - @.
bool IsTokenName(std::string_view name);

// The tokens in use, read from the store every few seconds (so a token made
// or revoked by the CLI takes effect that soon on every collector) and
// looked up in memory on each request: a flood of forged tokens costs a hash
// each, never a query.
class AccessList {
 public:
  AccessList(Store* store, std::string admin_token);
  // From an Authorization header; nullopt for none or an unknown token.
  std::optional<Principal> Who(std::string_view authorization) const;
  // False when the store could not be read (the last list stays).
  bool Reload();

 private:
  Store* store_;
  const std::string admin_token_;
  // How old the list may get before named tokens stop working.
  static constexpr std::chrono::seconds kStale{30};
  mutable std::mutex mu_;
  std::map<std::string, Principal> by_hash_;
  std::chrono::steady_clock::time_point read_at_{};
};

}  // namespace sondar::collector

#endif  // SONDAR_DEMO_COLLECTOR_ACCESS_H_
