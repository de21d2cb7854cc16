// Baseline for report_bench.sh: reads JSONL the way `sondar report` does and
// only parses each line, so the report's own cost shows as the difference.
// --nlohmann parses with nlohmann::json instead of the core's parser, to
// compare the two on the same file.
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "sondar/sondar.h"

int main(int argc, char** argv) {
  const bool nlohmann = argc == 3 && std::strcmp(argv[1], "--nlohmann") == 0;
  if (argc != 2 && !nlohmann) {
    std::cerr << "usage: sondar_parse_only [--nlohmann] FILE.jsonl\n";
    return 2;
  }
  std::ifstream in(argv[argc - 1], std::ios::binary);
  std::string line;
  std::uint64_t ok = 0, bad = 0;
  while (std::getline(in, line)) {
    bool parsed;
    if (nlohmann) {
      parsed = !nlohmann::json::parse(line, nullptr, false).is_discarded();
    } else {
      parsed = sondar::ParseJson(line, sondar::kMaxResponseBytes,
                                 sondar::kMaxResponseDepth)
                   .ok();
    }
    (parsed ? ok : bad)++;
  }
  std::cout << ok << " parsed, " << bad << " not JSON\n";
  return 0;
}
