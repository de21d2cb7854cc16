// The work behind `sondar report`: read a JSONL export, validate each line
// against the survey with the core, keep one version per responseId
// (Supersedes), aggregate, and render.
#ifndef SONDAR_DEMO_CLI_REPORT_H_
#define SONDAR_DEMO_CLI_REPORT_H_

#include <cstdint>
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
  // Valid lines of a responseId seen before (replacing it or not).
  std::uint64_t superseded = 0;
  // Responses whose newest version the filter left out (ReadOptions::filter).
  std::uint64_t filtered_out = 0;
  std::uint64_t bytes = 0;
  std::vector<LineError> first_errors;  // the first few, in line order
  unsigned threads = 1;                 // threads that read the input
};

struct ReadOptions {
  ValidateOptions validate;
  unsigned threads = 0;  // 0: one per core
  // A thread reads at least this much of a file: below it, starting threads
  // costs more than it saves. Tests lower it to split small files.
  std::uint64_t min_run_bytes = 1 << 20;
  // What the reader may hold of the valid lines (64 bytes each) before it
  // moves them to unnamed temporary files in `temp_dir` ($TMPDIR, else
  // /tmp), so memory stays bounded whatever the file's length.
  std::uint64_t memory_budget = std::uint64_t{64} << 20;
  std::string temp_dir;
  // Only responses whose newest version matches count (sondar::Matches, the
  // collector's /api/summary filters); nullptr: every response.
  const ResponseFilter* filter = nullptr;
  // The theme list a theme filter reads comments with (the site's published
  // one, sondar.themes/1); nullptr: the core's default list.
  const std::vector<Theme>* themes = nullptr;
};

// Reads the JSONL responses behind `fd` into `aggregate`; never stops at a bad
// line: it is counted. A regular file is split into one run of whole lines per
// thread; anything else (a pipe) is read by one thread. The result is the same
// for every thread count: the same lines are counted, the same version of
// each response wins and the aggregate is added in first-seen order.
// `aggregate` must be empty. Returns false with `error` set when `fd` cannot
// be read.
bool ReadResponses(const Survey& survey, int fd, const ReadOptions& options,
                   Aggregate* aggregate, ReportInput* input,
                   std::string* error);
// The same over every version of a survey: each line is checked against the
// version it names and added to its version's group (core/README.md,
// "Versions"); `aggregate` is an empty VersionedAggregate of `versions`.
bool ReadResponses(const SurveyVersions& versions, int fd,
                   const ReadOptions& options, VersionedAggregate* aggregate,
                   ReportInput* input, std::string* error);

// `filter`: the filter as understood, echoed as the collector's summary does.
Json ReportJson(const ReportInput& input, const Json& summary,
                const ResponseFilter* filter = nullptr);
std::string ReportText(const Survey& survey, const ReportInput& input,
                       const Json& summary);

}  // namespace sondar::cli

#endif  // SONDAR_DEMO_CLI_REPORT_H_
