// Baseline for report_bench.sh: reads JSONL the way `sondar report` does and
// only parses each line with nlohmann, so the report's own cost shows as the
// difference.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: sondar_parse_only FILE.jsonl\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::string line;
  std::uint64_t ok = 0, bad = 0;
  while (std::getline(in, line)) {
    auto doc = nlohmann::json::parse(line, nullptr, false);
    (doc.is_discarded() ? bad : ok)++;
  }
  std::cout << ok << " parsed, " << bad << " not JSON\n";
  return 0;
}
