#include "access.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cctype>
#include <chrono>
#include <vector>

#include "hex.h"
#include "sondar/text.h"

namespace sondar::collector {

namespace {

// Compares in time that depends only on the secret's length.
bool SameSecret(std::string_view given, std::string_view secret) {
  unsigned char diff = given.size() == secret.size() ? 0 : 1;
  for (std::size_t i = 0; i < secret.size(); ++i) {
    const char g = i < given.size() ? given[i] : 0;
    diff |= static_cast<unsigned char>(g ^ secret[i]);
  }
  return diff == 0;
}

std::string_view Bearer(std::string_view value) {
  constexpr std::string_view kScheme = "Bearer ";
  if (value.size() <= kScheme.size() ||
      !EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme))
    return "";
  return value.substr(kScheme.size());
}

}  // namespace

std::string_view RoleName(Role role) {
  return role == Role::kAdmin ? "admin" : "viewer";
}

std::optional<Role> RoleFromName(std::string_view name) {
  if (name == "admin") return Role::kAdmin;
  if (name == "viewer") return Role::kViewer;
  return std::nullopt;
}

std::string NewToken() {
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) return "";
  return "sdr_" + Hex(raw, sizeof raw);
}

std::string TokenHash(std::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(token.data(), token.size(), digest, &size, EVP_sha256(),
                 nullptr) != 1)
    return "";
  return Hex(digest, size);
}

bool IsTokenName(std::string_view name) {
  // The start-up token's name is taken: the audit log must tell them apart.
  if (name.empty() || name.size() > 64 || name == kStartupTokenName)
    return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
          c == '-' || c == '@'))
      return false;
  return true;
}

AccessList::AccessList(Store* store, std::string admin_token)
    : store_(store), admin_token_(std::move(admin_token)) {
  Reload();
}

std::optional<Principal> AccessList::Who(std::string_view authorization) const {
  const std::string_view token = Bearer(authorization);
  if (token.empty()) return std::nullopt;
  if (SameSecret(token, admin_token_))
    return Principal{std::string(kStartupTokenName), Role::kAdmin};
  // Named tokens are looked up by their hash: what the map's comparisons
  // could reveal is a prefix of a SHA-256 digest, which gives no hint
  // toward any token.
  if (token.size() > 200) return std::nullopt;
  const std::string hash = TokenHash(token);
  std::lock_guard<std::mutex> lock(mu_);
  // A list not read for a while may hold tokens revoked since: named tokens
  // stop working until the store answers again (the start-up token works).
  if (std::chrono::steady_clock::now() - read_at_ > kStale) return std::nullopt;
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return std::nullopt;
  return it->second;
}

bool AccessList::Reload() {
  std::vector<Token> tokens;
  if (!store_->Tokens(&tokens)) return false;
  std::map<std::string, Principal> by_hash;
  for (const Token& t : tokens) {
    const auto role = RoleFromName(t.role);
    if (t.revoked_ms || !role) continue;
    by_hash[t.hash] = Principal{t.name, *role};
  }
  std::lock_guard<std::mutex> lock(mu_);
  by_hash_ = std::move(by_hash);
  read_at_ = std::chrono::steady_clock::now();
  return true;
}

}  // namespace sondar::collector
