// sondar: validate survey definitions and report on collected responses.
//   sondar validate SURVEY.json
//   sondar report --survey SURVEY.json [--survey V2.json ...] RESPONSES.jsonl
//                 [--json] [--threads N] [--from DAY --to DAY --trigger T
//                 --segment S --category C ... --hidden NAME=VALUE]
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "report.h"

namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return true;
}

// The survey at `path`, valid or not; nullopt (after saying so) when it cannot
// be read.
std::optional<sondar::Result<sondar::Survey>> ReadSurvey(
    const std::string& path) {
  std::string text;
  if (!ReadFile(path, &text)) {
    std::cerr << "sondar: cannot read " << path << "\n";
    return std::nullopt;
  }
  return sondar::ParseSurvey(text);
}

// Exit codes: 0 success, 1 invalid input (survey errors), 2 usage or I/O
// problems.
int Validate(const std::string& path) {
  auto survey = ReadSurvey(path);
  if (!survey) return 2;
  if (!survey->ok()) {
    for (const sondar::Error& e : survey->errors())
      std::cout << e.ToString() << "\n";
    const std::size_t n = survey->errors().size();
    std::cerr << path << ": " << n << (n == 1 ? " error\n" : " errors\n");
    return 1;
  }
  const sondar::Survey& s = survey->value();
  std::cout << path << ": valid survey \"" << s.id << "\" v" << s.version
            << ", " << s.questions.size()
            << (s.questions.size() == 1 ? " question\n" : " questions\n");
  return 0;
}

int Report(const std::vector<std::string>& survey_paths,
           const std::string& responses_path, bool as_json, double confidence,
           const std::string& segment_field, bool strict, unsigned threads,
           std::uint64_t memory_mib, const std::string& temp_dir,
           const std::multimap<std::string, std::string>& filter_params,
           const std::string& themes_path) {
  // The same filters as the collector's /api/summary, read by the same core
  // function, so its errors name the parameter (e.g. "to: is before from").
  auto filter = sondar::ParseFilter(filter_params);
  if (!filter.ok()) {
    for (const sondar::Error& e : filter.errors()) {
      // The parameter's name is the error's path; hidden.NAME is --hidden.
      const bool hidden = e.path.rfind("hidden.", 0) == 0;
      std::cerr << "sondar report: --"
                << (hidden ? "hidden " + e.path.substr(7) : e.path) << ": "
                << e.message << "\n";
    }
    return 2;
  }
  // Every version given (--survey once per version, e.g. the collector's
  // /api/surveys/ID/versions/N): each line is read against the one it names.
  sondar::SurveyVersions versions;
  for (const std::string& path : survey_paths) {
    auto parsed = ReadSurvey(path);
    if (!parsed) return 2;
    if (!parsed->ok()) {
      std::cerr << path << " is not a valid survey:\n"
                << parsed->status().ToString() << "\n";
      return 1;
    }
    const sondar::Status added =
        versions.Add(sondar::SurveyPtr::Make(std::move(*parsed).value()));
    if (!added.ok()) {
      std::cerr << path << ": " << added.ToString() << "\n";
      return 1;
    }
  }
  // The site's theme list, as the collector publishes it
  // (/api/themes/versions/N), so --theme reads comments as it does.
  std::optional<std::vector<sondar::Theme>> themes;
  if (!themes_path.empty()) {
    std::string text;
    if (!ReadFile(themes_path, &text)) {
      std::cerr << "sondar: cannot read " << themes_path << "\n";
      return 2;
    }
    auto doc = sondar::ParseJson(text);
    auto parsed =
        doc.ok() ? sondar::ParseThemes(doc.value())
                 : sondar::Result<std::vector<sondar::Theme>>(doc.status());
    if (!parsed.ok()) {
      std::cerr << themes_path << " is not a theme list (sondar.themes/1):\n"
                << parsed.status().ToString() << "\n";
      return 1;
    }
    themes = std::move(parsed).value();
  }
  const sondar::Survey& survey = *versions.Latest();
  int fd = 0;  // "-": standard input
  if (responses_path != "-") {
    fd = ::open(responses_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::cerr << "sondar: cannot read " << responses_path << ": "
                << std::strerror(errno) << "\n";
      return 2;
    }
  }
  sondar::VersionedAggregate aggregate(versions);
  sondar::cli::ReadOptions options;
  options.validate.segment_field = segment_field;
  options.threads = threads;
  options.memory_budget = memory_mib << 20;
  options.temp_dir = temp_dir;
  if (!filter_params.empty()) options.filter = &filter.value();
  if (themes) options.themes = &*themes;
  sondar::cli::ReportInput input;
  std::string error;
  const bool read = sondar::cli::ReadResponses(versions, fd, options,
                                               &aggregate, &input, &error);
  if (fd != 0) ::close(fd);
  if (!read) {
    std::cerr << "sondar: cannot read " << responses_path << ": " << error
              << "\n";
    return 2;
  }
  for (const auto& e : input.first_errors) {
    std::cerr << responses_path << ":" << e.line << ": " << e.message << "\n";
  }
  const std::uint64_t bad = input.invalid + input.invalid_json;
  if (bad > input.first_errors.size()) {
    std::cerr << "... and " << bad - input.first_errors.size()
              << " more bad lines\n";
  }
  const sondar::Json summary = aggregate.Summary(confidence);
  if (as_json) {
    std::cout << sondar::cli::ReportJson(input, summary, options.filter).dump(2)
              << "\n";
  } else {
    std::cout << sondar::cli::ReportText(survey, input, summary);
  }
  return strict && bad > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sondar: survey definitions and response reports"};
  app.require_subcommand(1);

  std::string survey_file;
  auto* validate = app.add_subcommand(
      "validate", "Check a survey definition (sondar.survey/1)");
  validate->add_option("survey", survey_file, "Survey JSON file")->required();

  std::string responses_file;
  bool as_json = false, strict = false;
  double confidence = sondar::kDefaultConfidence;
  std::string segment_field = "segment";
  auto* report =
      app.add_subcommand("report", "Scores with intervals from a JSONL export");
  std::vector<std::string> survey_files;
  report
      ->add_option("--survey", survey_files,
                   "Survey JSON file; repeat it with each version of the "
                   "survey to report on responses of every version")
      ->required()
      // One file per --survey, so the responses file may follow it, then
      // more flags.
      ->allow_extra_args(false);
  report
      ->add_option("responses", responses_file,
                   "Responses, one JSON per line (- for stdin)")
      ->required();
  report->add_flag("--json", as_json, "Print the aggregates as JSON");
  report
      ->add_option("--confidence", confidence, "Confidence level of intervals")
      ->check(CLI::Range(0.5, 0.999));
  report->add_option("--segment-field", segment_field,
                     "Hidden field to break results down by");
  unsigned threads = 0;
  report
      ->add_option("--threads", threads,
                   "Threads reading the responses (default: one per core)")
      ->check(CLI::Range(0u, 256u));
  std::uint64_t memory_mib = 64;
  report
      ->add_option("--memory", memory_mib,
                   "MiB of responses held before the rest goes to temporary "
                   "files")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 20));
  std::string temp_dir;
  report->add_option("--temp-dir", temp_dir,
                     "Folder for those files (default: $TMPDIR, else /tmp)");
  report->add_flag("--strict", strict,
                   "Exit 1 if any line is not a valid response");
  // Filters, as /api/summary takes them: only responses whose newest version
  // matches every one given count.
  std::map<std::string, std::string> filters;
  for (const auto& [name, help] :
       std::vector<std::pair<std::string, std::string>>{
           {"from", "First day, YYYY-MM-DD (UTC)"},
           {"to", "Last day, YYYY-MM-DD (UTC)"},
           {"trigger", "Trigger (touchpoint), as the breakdowns name it"},
           {"segment", "Segment, as the breakdowns name it"},
           {"locale", "Language tag (de also matches de-CH)"},
           {"status", "complete, partial or dismissed"},
           {"category",
            "promoter|passive|detractor, satisfied|not_satisfied, "
            "agree|not_agree"},
           {"version", "Survey version"},
           {"theme",
            "A theme its comments mention (the default list, or --themes)"}}) {
    report->add_option("--" + name, filters[name], help);
  }
  std::string themes_file;
  report->add_option("--themes", themes_file,
                     "Theme list (sondar.themes/1) for --theme, e.g. the "
                     "collector's /api/themes/versions/N");
  std::vector<std::string> hidden_filters;
  report->add_option("--hidden", hidden_filters,
                     "NAME=VALUE: the hidden field NAME is VALUE (repeatable)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (*validate) return Validate(survey_file);
  std::multimap<std::string, std::string> filter_params;
  for (const auto& [name, value] : filters)
    if (report->count("--" + name)) filter_params.emplace(name, value);
  for (const std::string& h : hidden_filters) {
    const std::size_t eq = h.find('=');
    if (eq == std::string::npos) {
      std::cerr << "sondar report: --hidden: must be NAME=VALUE (got \"" << h
                << "\")\n";
      return 2;
    }
    filter_params.emplace("hidden." + h.substr(0, eq), h.substr(eq + 1));
  }
  return Report(survey_files, responses_file, as_json, confidence,
                segment_field, strict, threads, memory_mib, temp_dir,
                filter_params, themes_file);
}
