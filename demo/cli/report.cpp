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
std::string Figure(const Json& s, const char* format, const char* unit) {
  if (s.is_null() || s["score"].is_null()) return "no answers";
  std::string out = Fmt(format, s["score"].as_double()) + unit;
  if (!s["ci_low"].is_null()) {
    out += "  [" + Fmt(format, s["ci_low"].as_double()) + unit + " .. " +
           Fmt(format, s["ci_high"].as_double()) + unit + "]";
  }
  return out + "  n=" + std::to_string(s["n"].as_int());
}

std::string Headlines(const Json& group, const std::string& indent) {
  std::string out;
  if (!group["nps"].is_null()) {
    const Json& n = group["nps"];
    out += indent + "NPS   " + Figure(n, "%+.1f", "");
    if (n["n"].as_int() > 0) {
      const double total = n["n"].as_double();
      out +=
          Fmt("  promoters %.1f%%", 100 * n["promoters"].as_double() / total) +
          Fmt("  passives %.1f%%", 100 * n["passives"].as_double() / total) +
          Fmt("  detractors %.1f%%", 100 * n["detractors"].as_double() / total);
    }
    out += "\n";
  }
  if (!group["csat"].is_null())
    out += indent + "CSAT  " + Figure(group["csat"], "%.1f", "%") + "\n";
  if (!group["ces"].is_null()) {
    out += indent + "CES   " + Figure(group["ces"], "%.2f", "");
    if (!group["ces"]["agreePercent"].is_null()) {
      out += Fmt("  agree %.1f%%", group["ces"]["agreePercent"].as_double());
    }
    out += "\n";
  }
  return out;
}

}  // namespace

namespace {

// A kept response, smaller than a ResponseRecord: its id lives in the index key
// and its trigger and segment are interned, so a million of them cost one
// allocation each (the values).
struct Kept {
  ResponseStatus status;
  std::int64_t submitted_at_ms;
  std::uint32_t trigger, segment;
  std::vector<std::pair<std::uint16_t, std::int16_t>> values;
};

struct Id {
  std::uint64_t hi, lo;
  bool operator==(const Id& o) const { return hi == o.hi && lo == o.lo; }
};

// responseId -> position, open addressing with linear probing. A node-based map
// spent most of the report's own time chasing bucket chains through cache
// misses at a million entries; this is one probe into a flat array. UUID v4
// bits are random, so they serve as the hash.
class IdIndex {
 public:
  IdIndex() { Resize(1 << 16); }

  // The position stored for `id`, or nullptr after storing `position` for a new
  // id.
  std::uint32_t* FindOrInsert(const Id& id, std::uint32_t position) {
    if (2 * (size_ + 1) > slots_.size()) Resize(2 * slots_.size());
    for (std::size_t i = (id.hi ^ id.lo) & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.position == kEmpty) {
        s = {id, position};
        ++size_;
        return nullptr;
      }
      if (s.id == id) return &s.position;
    }
  }

 private:
  static constexpr std::uint32_t kEmpty = 0xffffffff;
  struct Slot {
    Id id;
    std::uint32_t position = kEmpty;
  };

  void Resize(std::size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    size_ = 0;
    for (const Slot& s : old) {
      if (s.position != kEmpty) FindOrInsert(s.id, s.position);
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

int HexValue(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

// Validated UUID text -> 128 bits (case-insensitive, so "A" and "a" are one
// response).
Id ParseId(const std::string& uuid) {
  Id id{0, 0};
  int nibble = 0;
  for (char c : uuid) {
    if (c == '-') continue;
    std::uint64_t& half = nibble++ < 16 ? id.hi : id.lo;
    half = (half << 4) | static_cast<std::uint64_t>(HexValue(c));
  }
  return id;
}

class Interner {
 public:
  std::uint32_t Intern(const std::string& s) {
    auto [it, inserted] =
        ids_.try_emplace(s, static_cast<std::uint32_t>(names_.size()));
    if (inserted) names_.push_back(s);
    return it->second;
  }
  const std::string& Name(std::uint32_t id) const { return names_[id]; }

 private:
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::string> names_;
};

}  // namespace

ReportInput ReadResponses(const Survey& survey, std::istream& in,
                          const ValidateOptions& options,
                          Aggregate* aggregate) {
  ReportInput input;
  IdIndex index;  // responseId -> position in `kept`
  std::vector<Kept> kept;
  Interner strings;
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
    ResponseRecord& r = record.value();
    if (std::uint32_t* position = index.FindOrInsert(
            ParseId(r.response_id), static_cast<std::uint32_t>(kept.size()))) {
      ++input.superseded;
      Kept& old = kept[*position];
      ResponseRecord stored;  // only what Supersedes reads
      stored.status = old.status;
      stored.submitted_at_ms = old.submitted_at_ms;
      if (!Supersedes(r, stored)) continue;
      old = {r.status, r.submitted_at_ms, strings.Intern(r.trigger),
             strings.Intern(r.segment), std::move(r.values)};
      continue;
    }
    kept.push_back({r.status, r.submitted_at_ms, strings.Intern(r.trigger),
                    strings.Intern(r.segment), std::move(r.values)});
  }
  ResponseRecord scratch;
  for (Kept& k : kept) {
    scratch.status = k.status;
    scratch.submitted_at_ms = k.submitted_at_ms;
    scratch.trigger = strings.Name(k.trigger);
    scratch.segment = strings.Name(k.segment);
    scratch.values = std::move(k.values);
    aggregate->Add(scratch);
  }
  return input;
}

Json ReportJson(const ReportInput& input, const Json& summary) {
  Json out = summary;
  out["input"] = {{"lines", input.lines},
                  {"valid", input.valid},
                  {"invalidJson", input.invalid_json},
                  {"invalid", input.invalid},
                  {"superseded", input.superseded}};
  return out;
}

std::string ReportText(const Survey& survey, const ReportInput& input,
                       const Json& summary) {
  const Json& r = summary["responses"];
  std::string out = "Survey " + survey.id + " v" +
                    std::to_string(survey.version) + ": " +
                    std::to_string(r["total"].as_int()) + " responses (" +
                    std::to_string(r["complete"].as_int()) + " complete, " +
                    std::to_string(r["partial"].as_int()) + " partial, " +
                    std::to_string(r["dismissed"].as_int()) + " dismissed)\n";
  out += "Input: " + std::to_string(input.lines) + " lines, " +
         std::to_string(input.valid) + " valid, " +
         std::to_string(input.invalid_json) + " not JSON, " +
         std::to_string(input.invalid) + " invalid, " +
         std::to_string(input.superseded) +
         " superseded by a later version of the same response\n";
  out += "Intervals at " +
         Fmt("%.0f", 100 * summary["confidence"].as_double()) +
         "% confidence; unanswered questions are not counted.\n\n";
  out += Headlines(summary, "");
  out += "\nQuestions\n";
  for (const Question& q : survey.questions) {
    const Json& s = summary["questions"][q.id];
    out += "  " + q.id + " (" + std::string(TypeName(q.type)) +
           ", n=" + std::to_string(s["n"].as_int()) + ")";
    if (s.contains("distribution")) {
      out += ":";
      for (const Json& d : s["distribution"].as_array()) {
        out += " " + std::to_string(d["value"].as_int()) + ":" +
               std::to_string(d["count"].as_int());
      }
    } else if (s.contains("counts")) {
      out += ":";
      for (const auto& [option, count] : s["counts"].as_object())
        out += " " + option + ":" + std::to_string(count.as_int());
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
    for (const auto& [name, group] : summary[section].as_object()) {
      out += "  " + name + " (" +
             std::to_string(group["responses"]["total"].as_int()) +
             " responses)\n";
      out += Headlines(group, "    ");
    }
  }
  return out;
}

}  // namespace sondar::cli
