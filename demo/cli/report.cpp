#include "report.h"

#include <cstdio>
#include <istream>
#include <unordered_map>

namespace sondar::cli {

namespace {
constexpr std::size_t kKeptErrors = 20;

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// "+32.0 (95% CI +26.1 to +37.7)" or "no answers" when the figure is null.
std::string Figure(const json& s, const char* format, const char* unit) {
  if (s.is_null() || s["score"].is_null()) return "no answers";
  std::string out = Fmt(format, s["score"].get<double>()) + unit;
  if (!s["ci_low"].is_null()) {
    out += "  [" + Fmt(format, s["ci_low"].get<double>()) + unit + " .. " +
           Fmt(format, s["ci_high"].get<double>()) + unit + "]";
  }
  return out + "  n=" + std::to_string(s["n"].get<std::uint64_t>());
}

std::string Headlines(const json& group, const std::string& indent) {
  std::string out;
  if (!group["nps"].is_null()) {
    const json& n = group["nps"];
    out += indent + "NPS   " + Figure(n, "%+.1f", "");
    if (n["n"].get<std::uint64_t>() > 0) {
      const double total = n["n"].get<double>();
      out +=
          Fmt("  promoters %.1f%%",
              100 * n["promoters"].get<double>() / total) +
          Fmt("  passives %.1f%%", 100 * n["passives"].get<double>() / total) +
          Fmt("  detractors %.1f%%",
              100 * n["detractors"].get<double>() / total);
    }
    out += "\n";
  }
  if (!group["csat"].is_null())
    out += indent + "CSAT  " + Figure(group["csat"], "%.1f", "%") + "\n";
  if (!group["ces"].is_null()) {
    out += indent + "CES   " + Figure(group["ces"], "%.2f", "");
    if (!group["ces"]["agreePercent"].is_null()) {
      out += Fmt("  agree %.1f%%", group["ces"]["agreePercent"].get<double>());
    }
    out += "\n";
  }
  return out;
}

}  // namespace

ReportInput ReadResponses(const Survey& survey, std::istream& in,
                          const ValidateOptions& options,
                          Aggregate* aggregate) {
  ReportInput input;
  std::unordered_map<std::string, ResponseRecord> latest;
  std::string line;
  std::uint64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    input.bytes += line.size() + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++input.lines;
    auto record = ValidateResponseText(survey, line, options);
    if (!record.ok()) {
      const Error& first = record.errors().front();
      (first.code == ErrorCode::kInvalidJson ||
               first.code == ErrorCode::kTooDeep ||
               first.code == ErrorCode::kTooLarge
           ? input.invalid_json
           : input.invalid)++;
      if (input.first_errors.size() < kKeptErrors) {
        input.first_errors.push_back({number, first.ToString()});
      }
      continue;
    }
    ++input.valid;
    auto [it, inserted] =
        latest.try_emplace(record->response_id, std::move(record).value());
    if (!inserted) {
      ++input.superseded;
      if (Supersedes(record.value(), it->second))
        it->second = std::move(record).value();
    }
  }
  for (const auto& [id, r] : latest) aggregate->Add(r);
  return input;
}

json ReportJson(const ReportInput& input, const json& summary) {
  json out = summary;
  out["input"] = {{"lines", input.lines},
                  {"valid", input.valid},
                  {"invalidJson", input.invalid_json},
                  {"invalid", input.invalid},
                  {"superseded", input.superseded}};
  return out;
}

std::string ReportText(const Survey& survey, const ReportInput& input,
                       const json& summary) {
  const json& r = summary["responses"];
  std::string out =
      "Survey " + survey.id + " v" + std::to_string(survey.version) + ": " +
      std::to_string(r["total"].get<std::uint64_t>()) + " responses (" +
      std::to_string(r["complete"].get<std::uint64_t>()) + " complete, " +
      std::to_string(r["partial"].get<std::uint64_t>()) + " partial, " +
      std::to_string(r["dismissed"].get<std::uint64_t>()) + " dismissed)\n";
  out += "Input: " + std::to_string(input.lines) + " lines, " +
         std::to_string(input.valid) + " valid, " +
         std::to_string(input.invalid_json) + " not JSON, " +
         std::to_string(input.invalid) + " invalid, " +
         std::to_string(input.superseded) +
         " superseded by a later version of the same response\n";
  out += "Intervals at " +
         Fmt("%.0f", 100 * summary["confidence"].get<double>()) +
         "% confidence; unanswered questions are not counted.\n\n";
  out += Headlines(summary, "");
  out += "\nQuestions\n";
  for (const Question& q : survey.questions) {
    const json& s = summary["questions"][q.id];
    out += "  " + q.id + " (" + std::string(TypeName(q.type)) +
           ", n=" + std::to_string(s["n"].get<std::uint64_t>()) + ")";
    if (s.contains("distribution")) {
      out += ":";
      for (const json& d : s["distribution"]) {
        out += " " + std::to_string(d["value"].get<int>()) + ":" +
               std::to_string(d["count"].get<std::uint64_t>());
      }
    } else if (s.contains("counts")) {
      out += ":";
      for (auto it = s["counts"].begin(); it != s["counts"].end(); ++it) {
        out += " " + it.key() + ":" + std::to_string(it->get<std::uint64_t>());
      }
    }
    out += "\n";
  }
  for (const char* section : {"byTrigger", "bySegment", "byDay"}) {
    if (summary[section].empty()) continue;
    out += std::string("\n") +
           (section[2] == 'T'   ? "By trigger"
            : section[2] == 'S' ? "By segment"
                                : "By day") +
           "\n";
    for (auto it = summary[section].begin(); it != summary[section].end();
         ++it) {
      out += "  " + it.key() + " (" +
             std::to_string((*it)["responses"]["total"].get<std::uint64_t>()) +
             " responses)\n";
      out += Headlines(*it, "    ");
    }
  }
  return out;
}

}  // namespace sondar::cli
