#include "admin_commands.h"

#include <cstdlib>
#include <iostream>

#include "access.h"
#include "privacy.h"
#include "sondar/text.h"
#include "sondar/util.h"
#include "store.h"

namespace sondar::collector {

namespace {

std::string Actor() {
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user && *user ? user : "unknown");
}

void Audit(Store& store, const std::string& action, const std::string& target,
           const Json& detail) {
  AuditEntry entry;
  entry.at_ms = NowMs();
  entry.actor = Actor();
  entry.action = action;
  entry.target = target;
  entry.detail = detail.dump();
  if (!store.AddAudit(entry))
    std::cerr << "sondar-collector: could not write the audit entry\n";
}

}  // namespace

void AdminCommands::Add(CLI::App& app) {
  // Options after a subcommand (--db) still reach the main command.
  app.fallthrough();
  CLI::App* token = app.add_subcommand(
      "token", "Named API tokens: each admin or viewer, stored hashed");
  token->require_subcommand(1);
  token_create_ = token->add_subcommand(
      "create", "Make a token and print it (once: only its hash is kept)");
  token_create_->add_option("name", name_, "Who or what uses it")->required();
  token_create_
      ->add_option("--role", role_,
                   "admin (everything) or viewer (scores, trends, comments; "
                   "no personal data, publishing, exports or erasure)")
      ->capture_default_str()
      ->check(CLI::IsMember({"admin", "viewer"}));
  token_revoke_ = token->add_subcommand(
      "revoke", "Stop a token working (within 2 s on every collector)");
  token_revoke_->add_option("name", name_, "The token's name")->required();
  token_list_ = token->add_subcommand("list", "The tokens, made and revoked");
  erase_ = app.add_subcommand(
      "erase",
      "Erase every response about one person, with its comments, cases and "
      "deliveries; a resent one is refused");
  access_ = app.add_subcommand(
      "access", "Print everything stored about one person, as JSON");
  for (CLI::App* command : {erase_, access_}) {
    CLI::Option_group* subject =
        command->add_option_group("subject", "Who: exactly one of these");
    subject->add_option("--visitor", visitor_, "The widget's visitor id");
    subject->add_option("--email", email_,
                        "An e-mail address given in a contact answer");
    subject->add_option("--hidden", hidden_,
                        "A hidden field's value: NAME=VALUE (orderId=A-1001)");
    subject->require_option(1);
  }
}

bool AdminCommands::Chosen() const {
  return token_create_->parsed() || token_revoke_->parsed() ||
         token_list_->parsed() || erase_->parsed() || access_->parsed();
}

int AdminCommands::Run(const std::string& db) {
  std::string error;
  auto store = Store::Open(db, &error);
  if (!store) {
    std::cerr << "sondar-collector: " << error << "\n";
    return 1;
  }
  if (token_create_->parsed()) {
    if (!IsTokenName(name_)) {
      std::cerr << "sondar-collector: a token name is 1-64 letters, digits, "
                   ". _ - @, other than admin-token\n";
      return 2;
    }
    const std::string secret = NewToken();
    if (secret.empty()) {
      std::cerr << "sondar-collector: the system gave no random bytes\n";
      return 1;
    }
    const int added =
        store->AddToken({name_, role_, TokenHash(secret), NowMs(), 0});
    if (added <= 0) {
      std::cerr << "sondar-collector: "
                << (added == 0 ? "a token named \"" + name_ +
                                     "\" exists (names are never reused)"
                               : std::string("could not store the token"))
                << "\n";
      return 1;
    }
    Audit(*store, "token.create", name_, {{"role", role_}});
    std::cout << secret << std::endl;
    std::cerr << "token \"" << name_ << "\" (" << role_
              << "): keep it now, it is not shown again\n";
    return 0;
  }
  if (token_revoke_->parsed()) {
    const int revoked = store->RevokeToken(name_, NowMs());
    if (revoked <= 0) {
      std::cerr << "sondar-collector: "
                << (revoked == 0 ? "no token \"" + name_ + "\" in use"
                                 : std::string("could not revoke"))
                << "\n";
      return 1;
    }
    Audit(*store, "token.revoke", name_, Json::object());
    return 0;
  }
  if (token_list_->parsed()) {
    std::vector<Token> tokens;
    if (!store->Tokens(&tokens)) {
      std::cerr << "sondar-collector: could not read the tokens\n";
      return 1;
    }
    for (const Token& t : tokens)
      std::cout << t.name << "\t" << t.role << "\tcreated "
                << FormatTimestamp(t.created_ms)
                << (t.revoked_ms ? "\trevoked " + FormatTimestamp(t.revoked_ms)
                                 : std::string())
                << "\n";
    return 0;
  }
  Json body = Json::object();
  if (!visitor_.empty()) body["visitorId"] = visitor_;
  if (!email_.empty()) body["email"] = email_;
  if (!hidden_.empty()) {
    const auto eq = hidden_.find('=');
    if (eq == std::string::npos) {
      std::cerr << "sondar-collector: --hidden takes NAME=VALUE\n";
      return 2;
    }
    body["hidden"][hidden_.substr(0, eq)] = hidden_.substr(eq + 1);
  }
  auto subject = ParseSubject(body);
  if (!subject.ok()) {
    std::cerr << "sondar-collector: " << subject.status().ToString() << "\n";
    return 2;
  }
  if (erase_->parsed()) {
    const std::int64_t erased = EraseSubject(*store, subject.value());
    if (erased < 0) {
      std::cerr << "sondar-collector: could not erase; nothing or part was "
                   "erased, run it again\n";
      return 1;
    }
    Audit(*store, "erase", subject->KeyName(), {{"erased", erased}});
    std::cout << Json{{"erased", erased}}.dump() << std::endl;
    return 0;
  }
  const auto document = AccessDocument(*store, subject.value());
  if (!document) {
    std::cerr << "sondar-collector: could not read the database\n";
    return 1;
  }
  Audit(*store, "access", subject->KeyName(),
        {{"responses", (*document)["responses"].size()}});
  std::cout << document->dump() << std::endl;
  return 0;
}

}  // namespace sondar::collector
