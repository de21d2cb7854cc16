// The work behind `sondar report`: read a JSONL export, validate each line
// against the survey with the core, keep one version per responseId
// (Supersedes), aggregate, and render.
#ifndef SONDAR_DEMO_CLI_REPORT_H_
#define SONDAR_DEMO_CLI_REPORT_H_

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "sondar/sondar.h"

namespace sondar::cli {

struct LineError {
  std::uint64_t line = 0;
  std::string message;  // "path: message", first error of the line
};

struct ReportInput {
  std::uint64_t lines = 0;  // non-blank lines read
  std::uint64_t valid = 0;  // lines that passed validation
  std::uint64_t invalid_json = 0;
  std::uint64_t invalid = 0;  // JSON, but not a valid response to this survey
  std::uint64_t superseded =
      0;  // valid lines replaced by a later version of the same response
  std::uint64_t bytes = 0;
  std::vector<LineError>
      first_errors;  // the first few, for the user to look at
};

// Reads `in` line by line into `aggregate`. Never stops at a bad line: it is
// counted.
ReportInput ReadResponses(const Survey& survey, std::istream& in,
                          const ValidateOptions& options, Aggregate* aggregate);

Json ReportJson(const ReportInput& input, const Json& summary);
std::string ReportText(const Survey& survey, const ReportInput& input,
                       const Json& summary);

}  // namespace sondar::cli

#endif  // SONDAR_DEMO_CLI_REPORT_H_
