#include "sondar/query.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "json_reader.h"
#include "response_internal.h"
#include "sondar/scoring.h"
#include "sondar/session.h"
#include "sondar/text.h"
#include "sondar/themes.h"
#include "sondar/util.h"

namespace sondar {
namespace {

constexpr std::int64_t kDayMs = 24 * 60 * 60 * 1000;
constexpr std::size_t kMaxTerms = 8;
constexpr std::size_t kMaxTermBytes = 64;

// "2026-11-22" as the Unix ms of that day's start, UTC.
std::optional<std::int64_t> ParseDay(std::string_view day) {
  if (day.size() != 10 || day[4] != '-' || day[7] != '-') return std::nullopt;
  return ParseTimestamp(std::string(day) + "T00:00:00Z");
}

// Which question type a category belongs to.
std::optional<QuestionType> CategoryType(std::string_view category) {
  if (category == "promoter" || category == "passive" ||
      category == "detractor")
    return QuestionType::kNps;
  if (category == "satisfied" || category == "not_satisfied")
    return QuestionType::kCsat;
  if (category == "agree" || category == "not_agree") return QuestionType::kCes;
  return std::nullopt;
}

bool LocaleMatches(std::string_view wanted, std::string_view locale) {
  if (locale.size() < wanted.size()) return false;
  return EqualsIgnoreCase(locale.substr(0, wanted.size()), wanted) &&
         (locale.size() == wanted.size() || locale[wanted.size()] == '-');
}

std::string HiddenText(const Json& value) {
  return value.is_string() ? value.as_string() : value.dump();
}

const std::string& Label(const Survey& survey, const Question& q,
                         std::string_view option_id) {
  const int i = q.OptionIndex(option_id);
  if (i < 0) return q.options.empty() ? q.id : q.options[0].id;  // unreachable
  return q.options[i].label.Resolve(survey.locale, survey.locale);
}

}  // namespace

bool ResponseFilter::empty() const {
  return from_ms == std::numeric_limits<std::int64_t>::min() &&
         to_ms == std::numeric_limits<std::int64_t>::max() && !trigger &&
         !segment && !locale && !status && !category && !version && !theme &&
         hidden.empty();
}

Json ResponseFilter::ToJson() const {
  Json out = Json::object();
  if (from_ms != std::numeric_limits<std::int64_t>::min())
    out["from"] = FormatDay(from_ms);
  if (to_ms != std::numeric_limits<std::int64_t>::max())
    out["to"] = FormatDay(to_ms - kDayMs);
  if (trigger) out["trigger"] = *trigger;
  if (segment) out["segment"] = *segment;
  if (locale) out["locale"] = *locale;
  if (status) out["status"] = std::string(StatusName(*status));
  if (category) out["category"] = *category;
  if (version) out["version"] = *version;
  if (theme) out["theme"] = *theme;
  for (const auto& [name, value] : hidden) out["hidden." + name] = value;
  return out;
}

Result<ResponseFilter> ParseFilter(
    const std::multimap<std::string, std::string>& params) {
  ResponseFilter f;
  Errors errors;
  auto fail = [&](ErrorCode code, const std::string& path, std::string msg) {
    errors.push_back({code, path, SONDAR_MESSAGE(std::move(msg))});
  };
  // Text that is not UTF-8 reaches no store (PostgreSQL would refuse it).
  for (const auto& [name, value] : params) {
    if (!IsUtf8(name) || !IsUtf8(value)) {
      fail(ErrorCode::kInvalidValue, IsUtf8(name) ? name : "",
           SONDAR_MESSAGE("query parameters must be UTF-8 text"));
      return errors;
    }
  }
  // Only the first of a repeated name counts, as Request::Param reads it.
  for (auto it = params.begin(); it != params.end();
       it = params.upper_bound(it->first)) {
    const std::string& name = it->first;
    const std::string& value = it->second;
    if (name == "from" || name == "to") {
      auto day = ParseDay(value);
      if (!day) {
        fail(ErrorCode::kInvalidValue, name,
             SONDAR_MESSAGE("must be a day such as 2026-11-22 (got \"" + value +
                            "\")"));
      } else if (name == "from") {
        f.from_ms = *day;
      } else {
        f.to_ms = *day + kDayMs;
      }
    } else if (name == "trigger" || name == "segment") {
      if (value.size() > kMaxIdLength) {
        fail(ErrorCode::kTooLong, name,
             SONDAR_MESSAGE("is longer than 128 characters"));
      } else {
        (name == "trigger" ? f.trigger : f.segment) = value;
      }
    } else if (name == "locale") {
      if (!IsLocaleTag(value)) {
        fail(ErrorCode::kInvalidValue, name,
             SONDAR_MESSAGE("is not a language tag (got \"" + value + "\")"));
      } else {
        f.locale = value;
      }
    } else if (name == "status") {
      if (value == "complete") {
        f.status = ResponseStatus::kComplete;
      } else if (value == "partial") {
        f.status = ResponseStatus::kPartial;
      } else if (value == "dismissed") {
        f.status = ResponseStatus::kDismissed;
      } else {
        fail(ErrorCode::kInvalidValue, name,
             SONDAR_MESSAGE("must be complete, partial or dismissed (got \"" +
                            value + "\")"));
      }
    } else if (name == "category") {
      if (!CategoryType(value)) {
        fail(ErrorCode::kInvalidValue, name,
             SONDAR_MESSAGE("must be promoter, passive, detractor, satisfied, "
                            "not_satisfied, "
                            "agree or not_agree (got \"" +
                            value + "\")"));
      } else {
        f.category = value;
      }
    } else if (name == "version") {
      const bool digits = !value.empty() && value.size() <= 9 &&
                          std::all_of(value.begin(), value.end(), [](char c) {
                            return c >= '0' && c <= '9';
                          });
      const long n = digits ? std::strtol(value.c_str(), nullptr, 10) : 0;
      if (n < 1) {
        fail(ErrorCode::kInvalidValue, name,
             SONDAR_MESSAGE("must be a version number such as 2 (got \"" +
                            value + "\")"));
      } else {
        f.version = static_cast<int>(n);
      }
    } else if (name == "theme") {
      if (value.empty() || value.size() > 64) {
        fail(ErrorCode::kInvalidValue, name,
             SONDAR_MESSAGE("must name a theme: theme=delivery"));
      } else {
        f.theme = value;
      }
    } else if (name.rfind("hidden.", 0) == 0) {
      const std::string field = name.substr(7);
      if (field.empty() || field.size() > kMaxIdLength) {
        fail(ErrorCode::kInvalidValue, name,
             SONDAR_MESSAGE("must name a hidden field: hidden.orderId=A-1001"));
      } else {
        f.hidden.emplace_back(field, value);
      }
    }
  }
  if (f.from_ms != std::numeric_limits<std::int64_t>::min() &&
      f.to_ms != std::numeric_limits<std::int64_t>::max() &&
      f.to_ms <= f.from_ms) {
    fail(ErrorCode::kInvalidValue, "to", SONDAR_MESSAGE("is before from"));
  }
  if (!errors.empty()) return errors;
  return f;
}

std::vector<std::string> HiddenNeedles(std::string_view name,
                                       std::string_view value) {
  const std::string key = Json(std::string(name)).dump() + ":";
  return {key + Json(std::string(value)).dump(), key + std::string(value)};
}

std::vector<std::pair<std::string, std::string>> HiddenValuesOf(
    const Json& payload) {
  std::vector<std::pair<std::string, std::string>> out;
  const Json* hidden = payload.find("hidden");
  if (!hidden || !hidden->is_object()) return out;
  for (const auto& [name, value] : hidden->as_object())
    if (!value.is_null()) out.emplace_back(name, HiddenText(value));
  return out;
}

bool Matches(const ResponseFilter& f, const Survey& version,
             const ResponseRecord& record, const Json* payload) {
  if (record.submitted_at_ms < f.from_ms || record.submitted_at_ms >= f.to_ms)
    return false;
  if (f.status && record.status != *f.status) return false;
  if (f.version && version.version != *f.version) return false;
  if (f.trigger &&
      (record.trigger.empty() ? "(none)" : record.trigger) != *f.trigger)
    return false;
  if (f.segment &&
      (record.segment.empty() ? "(none)" : record.segment) != *f.segment)
    return false;
  if (f.locale && !LocaleMatches(*f.locale, record.locale)) return false;
  if (f.category) {
    const QuestionType type = *CategoryType(*f.category);
    auto q = std::find_if(version.questions.begin(), version.questions.end(),
                          [&](const Question& q) { return q.type == type; });
    if (q == version.questions.end()) return false;
    const auto index =
        static_cast<std::uint16_t>(q - version.questions.begin());
    auto value = std::find_if(record.values.begin(), record.values.end(),
                              [&](const auto& v) { return v.first == index; });
    if (value == record.values.end()) return false;
    auto score = ScoreAnswer(*q, Json(value->second));
    if (!score || score->category != *f.category) return false;
  }
  if (f.theme && !MentionsTheme(record.themes, *f.theme)) return false;
  if (!f.hidden.empty()) {
    if (!payload) return false;
    const Json* hidden = payload->find("hidden");
    for (const auto& [name, value] : f.hidden) {
      const Json* field = hidden ? hidden->find(name) : nullptr;
      if (!field || HiddenText(*field) != value) return false;
    }
  }
  return true;
}

// "r1;3;c;1796105932110;15:order_confirmed;3:vip;2:en;10:c,delivery;0:9,2:1":
// a tag, the version, the status, submittedAt, four length-prefixed strings
// (trigger, segment, locale, themes; any bytes may be in them) and the values
// as question:value pairs.
std::string EncodeRecord(const ResponseRecord& r, int version) {
  std::string out = "r1;";
  out += std::to_string(version);
  out += r.status == ResponseStatus::kComplete    ? ";c;"
         : r.status == ResponseStatus::kDismissed ? ";d;"
                                                  : ";p;";
  out += std::to_string(r.submitted_at_ms);
  for (const std::string* s : {&r.trigger, &r.segment, &r.locale, &r.themes}) {
    out += ';';
    out += std::to_string(s->size());
    out += ':';
    out += *s;
  }
  out += ';';
  for (std::size_t i = 0; i < r.values.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(r.values[i].first);
    out += ':';
    out += std::to_string(r.values[i].second);
  }
  return out;
}

namespace {

// Reads a decimal integer (with an optional '-') up to `stop`, or up to the
// end of `text` when `or_end`; `*at` moves past the stop.
bool ReadInt(std::string_view text, std::size_t* at, char stop,
             std::int64_t* out, bool or_end = false) {
  std::size_t i = *at;
  const bool negative = i < text.size() && text[i] == '-';
  if (negative) ++i;
  const std::size_t digits = i;
  std::int64_t v = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - digits < 18)
    v = v * 10 + (text[i++] - '0');
  if (i == digits) return false;
  if (i == text.size() ? !or_end : text[i] != stop) return false;
  *out = negative ? -v : v;
  *at = i + 1;
  return true;
}

}  // namespace

bool DecodeRecord(std::string_view text, ResponseRecord* r, int* version) {
  if (text.substr(0, 3) != "r1;") return false;
  std::size_t at = 3;
  std::int64_t n = 0;
  if (!ReadInt(text, &at, ';', &n) || n < 1 || n > 1'000'000'000) return false;
  *version = static_cast<int>(n);
  if (at + 2 > text.size() || text[at + 1] != ';') return false;
  switch (text[at]) {
    case 'c':
      r->status = ResponseStatus::kComplete;
      break;
    case 'd':
      r->status = ResponseStatus::kDismissed;
      break;
    case 'p':
      r->status = ResponseStatus::kPartial;
      break;
    default:
      return false;
  }
  at += 2;
  if (!ReadInt(text, &at, ';', &r->submitted_at_ms)) return false;
  for (std::string* s : {&r->trigger, &r->segment, &r->locale, &r->themes}) {
    if (!ReadInt(text, &at, ':', &n) || n < 0 ||
        static_cast<std::size_t>(n) > text.size() - at ||
        at + static_cast<std::size_t>(n) >= text.size() ||
        text[at + static_cast<std::size_t>(n)] != ';')
      return false;
    s->assign(text.substr(at, static_cast<std::size_t>(n)));
    at += static_cast<std::size_t>(n) + 1;
  }
  r->response_id.clear();
  r->values.clear();
  while (at < text.size()) {
    std::int64_t q = 0, v = 0;
    if (!ReadInt(text, &at, ':', &q) || q < 0 || q > 65535) return false;
    if (!ReadInt(text, &at, ',', &v, /*or_end=*/true) || v < -32768 ||
        v > 32767)
      return false;
    r->values.emplace_back(static_cast<std::uint16_t>(q),
                           static_cast<std::int16_t>(v));
    // A trailing comma promised one more pair.
    if (at == text.size() && text.back() == ',') return false;
  }
  return true;
}

bool RecordKind(std::string_view encoded, std::string* kind) {
  // "r1;<version>;<status>;<ms>;..."
  if (encoded.substr(0, 3) != "r1;") return false;
  const std::size_t status = encoded.find(';', 3);
  if (status == std::string_view::npos || status + 3 > encoded.size())
    return false;
  std::size_t at = status + 3;
  std::int64_t ms = 0;
  if (!ReadInt(encoded, &at, ';', &ms)) return false;
  const std::int64_t day = (ms >= 0 ? ms : ms - (kDayMs - 1)) / kDayMs * kDayMs;
  kind->assign(encoded.substr(0, status + 3));
  *kind += std::to_string(day);
  kind->append(encoded.substr(at - 1));
  return true;
}

std::vector<Comment> CommentsOf(const Survey& version, const Json& payload) {
  std::vector<Comment> out;
  const Json* answers = payload.find("answers");
  const Json* other = payload.find("other");
  for (const Question& q : version.questions) {
    if (q.type == QuestionType::kText && answers) {
      const Json* a = answers->find(q.id);
      if (a && a->is_string() && !a->as_string().empty())
        out.push_back({q.id, "text", a->as_string()});
    }
    if (other) {
      const Json* t = other->find(q.id);
      if (t && t->is_string() && !t->as_string().empty())
        out.push_back({q.id, "other", t->as_string()});
    }
  }
  return out;
}

std::vector<std::string> SearchTerms(std::string_view query) {
  std::vector<std::string> terms;
  std::string term;
  bool full = false;
  auto flush = [&] {
    if (!term.empty() && terms.size() < kMaxTerms &&
        std::find(terms.begin(), terms.end(), term) == terms.end())
      terms.push_back(term);
    term.clear();
    full = false;
  };
  for (std::size_t i = 0; i < query.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(query[i]);
    const bool word = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                      (c >= 'A' && c <= 'Z') || c >= 0x80;
    if (!word) {
      flush();
      continue;
    }
    // A word longer than the limit is searched by its first 64 bytes, cut
    // before a character, never inside one; the rest of it is skipped.
    if (c < 0x80 || c >= 0xC0) {
      std::size_t length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      full = full || term.size() + length > kMaxTermBytes;
    } else {
      full = full || term.size() >= kMaxTermBytes;  // not UTF-8: bounded too
    }
    if (full) continue;
    term += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  flush();
  return terms;
}

std::string NeutralizeCell(std::string_view cell) {
  if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' ||
                        cell[0] == '@' || cell[0] == '\t' || cell[0] == '\r'))
    return "'" + std::string(cell);
  return std::string(cell);
}

CsvTable::CsvTable(const SurveyVersions& versions) {
  header_ = {"responseId", "submittedAt", "status", "surveyVersion",
             "trigger",    "locale",      "page",   "visitorId"};
  std::vector<int> numbers = versions.Numbers();
  std::reverse(numbers.begin(), numbers.end());  // newest first
  std::set<std::string, std::less<>> seen_hidden, seen_questions;
  std::set<std::string, std::less<>> with_other;
  for (int n : numbers) {
    for (const std::string& h : versions.Find(n)->hidden)
      if (seen_hidden.insert(h).second) hidden_.push_back(h);
    for (const Question& q : versions.Find(n)->questions)
      if (q.OtherIndex() >= 0) with_other.insert(q.id);
  }
  for (const std::string& h : hidden_) header_.push_back("hidden." + h);
  for (int n : numbers) {
    const Survey& s = *versions.Find(n);
    for (const Question& q : s.questions) {
      if (!seen_questions.insert(q.id).second) continue;
      const std::string& prompt = q.prompt.Resolve(s.locale, s.locale);
      columns_.push_back({Column::kAnswer, q.id});
      header_.push_back(prompt + " [" + q.id + "]");
      if (q.scored()) {
        columns_.push_back({Column::kCategory, q.id});
        header_.push_back(prompt + " [" + q.id + " category]");
      }
      if (with_other.count(q.id)) {
        columns_.push_back({Column::kOther, q.id});
        header_.push_back(prompt + " [" + q.id + " other]");
      }
    }
  }
}

std::vector<std::string> CsvTable::Header(bool neutralize) const {
  if (!neutralize) return header_;
  std::vector<std::string> out;
  out.reserve(header_.size());
  for (const std::string& cell : header_) out.push_back(NeutralizeCell(cell));
  return out;
}

std::vector<std::string> CsvTable::Row(const Survey& version,
                                       const Json& payload,
                                       bool neutralize) const {
  auto NeutralizeCell = [neutralize](std::string_view cell) {
    return neutralize ? sondar::NeutralizeCell(cell) : std::string(cell);
  };
  std::vector<std::string> row;
  row.reserve(header_.size());
  auto text = [&](std::string_view key) {
    const Json* v = payload.find(key);
    row.push_back(v && v->is_string() ? NeutralizeCell(v->as_string()) : "");
  };
  text("responseId");
  text("submittedAt");
  text("status");
  row.push_back(internal::Str(version.version));
  text("trigger");
  text("locale");
  text("page");
  text("visitorId");
  const Json* hidden = payload.find("hidden");
  for (const std::string& h : hidden_) {
    const Json* v = hidden ? hidden->find(h) : nullptr;
    row.push_back(v && !v->is_null() ? NeutralizeCell(HiddenText(*v)) : "");
  }
  const Json* answers = payload.find("answers");
  const Json* other = payload.find("other");
  for (const Column& c : columns_) {
    const int qi = version.QuestionIndex(c.question);
    const Json* a = answers ? answers->find(c.question) : nullptr;
    if (qi < 0) {
      row.emplace_back();
      continue;
    }
    const Question& q = version.questions[qi];
    if (c.kind == Column::kOther) {
      const Json* t = other ? other->find(c.question) : nullptr;
      row.push_back(t && t->is_string() ? NeutralizeCell(t->as_string()) : "");
      continue;
    }
    if (!a) {
      row.emplace_back();
      continue;
    }
    if (c.kind == Column::kCategory) {
      auto score = ScoreAnswer(q, *a);
      row.push_back(score ? std::string(score->category) : "");
      continue;
    }
    switch (q.type) {
      case QuestionType::kNps:
      case QuestionType::kCsat:
      case QuestionType::kCes:
      case QuestionType::kRating:
        row.push_back(a->is_number() ? internal::Str(a->as_int()) : "");
        break;
      case QuestionType::kSingleChoice:
        row.push_back(a->is_string()
                          ? NeutralizeCell(Label(version, q, a->as_string()))
                          : "");
        break;
      case QuestionType::kMultiChoice: {
        std::string labels;
        if (a->is_array()) {
          for (const Json& id : a->as_array()) {
            if (!id.is_string()) continue;
            if (!labels.empty()) labels += "; ";
            labels += Label(version, q, id.as_string());
          }
        }
        row.push_back(NeutralizeCell(labels));
        break;
      }
      case QuestionType::kText:
        row.push_back(a->is_string() ? NeutralizeCell(a->as_string()) : "");
        break;
      case QuestionType::kContact: {
        const Json* consent = a->find("consent");
        const Json* email = a->find("email");
        if (!consent || !consent->as_bool()) {
          row.push_back("no");
        } else if (email && email->is_string() && !email->as_string().empty()) {
          row.push_back(NeutralizeCell(email->as_string()));
        } else {
          row.push_back("yes");
        }
        break;
      }
    }
  }
  return row;
}

}  // namespace sondar
