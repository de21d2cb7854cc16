// The collector's subcommands: `token create|revoke|list`, `erase` and
// `access`. They open the database themselves, so they work with or without
// collectors running on it, and write the audit log as "cli:$USER".
#ifndef SONDAR_DEMO_COLLECTOR_ADMIN_COMMANDS_H_
#define SONDAR_DEMO_COLLECTOR_ADMIN_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <string>

namespace sondar::collector {

class AdminCommands {
 public:
  // Adds the subcommands to `app` (whose --db they use).
  void Add(CLI::App& app);
  // Whether one was given.
  bool Chosen() const;
  // Runs it on database `db`: the process's exit status.
  int Run(const std::string& db);

 private:
  CLI::App* token_create_ = nullptr;
  CLI::App* token_revoke_ = nullptr;
  CLI::App* token_list_ = nullptr;
  CLI::App* erase_ = nullptr;
  CLI::App* access_ = nullptr;
  std::string name_, role_ = "viewer";
  std::string visitor_, email_, hidden_;
};

}  // namespace sondar::collector

#endif  // SONDAR_DEMO_COLLECTOR_ADMIN_COMMANDS_H_
