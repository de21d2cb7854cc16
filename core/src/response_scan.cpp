// The line scanner behind ValidateResponseText's fast path. A report reads a
// million lines; building a document for each one's top level (fourteen
// members, most of them strings copied out and freed again) cost more than
// everything else the report does. The scanner reads the top level in place,
// hands the nested values (answers, hidden, scores) to the real parser, and
// applies the same checks as ValidateResponse through the same helpers. It
// accepts only what it is sure of; everything else goes to the full validator
// (response.cpp), so the two cannot disagree on what is valid.
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <new>
#include <optional>
#include <string_view>
#include <utility>

#include "answers.h"
#include "flow.h"
#include "json_reader.h"
#include "response_internal.h"
#include "sondar/session.h"
#include "sondar/text.h"
#include "sondar/util.h"

namespace sondar::internal {
namespace {

constexpr std::size_t kMaxPageLength = 2048;  // as response.cpp

enum Field : unsigned {
  kSchema,
  kResponseId,
  kSurveyId,
  kSurveyVersion,
  kVisitorId,
  kStatus,
  kAnswers,
  kScores,
  kLocale,
  kTrigger,
  kHidden,
  kPage,
  kStartedAt,
  kSubmittedAt,
  kFieldCount,
  kExtension,  // "x-...": allowed, ignored
  kUnknown,
};

constexpr std::string_view kFieldNames[kFieldCount] = {
    "schema", "responseId", "surveyId",  "surveyVersion", "visitorId",
    "status", "answers",    "scores",    "locale",        "trigger",
    "hidden", "page",       "startedAt", "submittedAt"};

constexpr unsigned kRequired =
    1u << kSchema | 1u << kResponseId | 1u << kSurveyId | 1u << kSurveyVersion |
    1u << kVisitorId | 1u << kStatus | 1u << kAnswers | 1u << kStartedAt |
    1u << kSubmittedAt;

Field FieldOf(std::string_view key) {
  if (key.size() >= 2 && key[0] == 'x' && key[1] == '-') return kExtension;
  // One comparison per key: the names differ in length or first letter but
  // for three pairs.
  for (unsigned f = 0; f < kFieldCount; ++f) {
    const std::string_view name = kFieldNames[f];
    if (name.size() == key.size() && name[0] == key[0] && name == key)
      return static_cast<Field>(f);
  }
  return kUnknown;
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  void Space() {
    while (!AtEnd()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
      ++pos_;
    }
  }
  bool Take(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }

  // A string of printable ASCII without escapes: its text, in place. Anything
  // else is left to the parser, which knows escapes and UTF-8.
  bool PlainString(std::string_view* out) {
    if (!Take('"')) return false;
    const std::size_t start = pos_;
    // Many bytes at a time while none of them is a quote, a backslash, a
    // control character or non-ASCII: most of a line is such text.
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i slash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (pos_ + 16 <= text_.size()) {
      const __m128i x = _mm_loadu_si128(
          reinterpret_cast<const __m128i*>(text_.data() + pos_));
      // Signed compare: bytes >= 0x80 are negative, so "less than 0x20"
      // catches control characters and non-ASCII at once.
      const __m128i special = _mm_or_si128(
          _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, slash)),
          _mm_cmplt_epi8(x, space));
      const int mask = _mm_movemask_epi8(special);
      if (mask != 0) {
        pos_ += static_cast<std::size_t>(
            __builtin_ctz(static_cast<unsigned>(mask)));
        break;
      }
      pos_ += 16;
    }
#else
    constexpr std::uint64_t kOnes = 0x0101010101010101u;
    constexpr std::uint64_t kHigh = 0x8080808080808080u;
    while (pos_ + 8 <= text_.size()) {
      std::uint64_t x;
      std::memcpy(&x, text_.data() + pos_, 8);
      const std::uint64_t q = x ^ (kOnes * '"');
      const std::uint64_t b = x ^ (kOnes * '\\');
      const std::uint64_t special =
          ((q - kOnes) & ~q) | ((b - kOnes) & ~b) | (x - kOnes * 0x20) | x;
      if (special & kHigh) break;
      pos_ += 8;
    }
#endif
    for (; !AtEnd(); ++pos_) {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        *out = text_.substr(start, pos_ - start);
        ++pos_;
        return true;
      }
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;
    }
    return false;
  }

  // A small integer without sign, fraction or exponent ("3", not "3.0").
  bool PlainInteger(std::int64_t* out) {
    const std::size_t start = pos_;
    std::int64_t v = 0;
    while (!AtEnd() && text_[pos_] >= '0' && text_[pos_] <= '9' &&
           pos_ - start < 9) {
      v = v * 10 + (text_[pos_++] - '0');
    }
    const std::size_t digits = pos_ - start;
    if (digits == 0 || (digits > 1 && text_[start] == '0')) return false;
    const char next = Peek();
    if (next == '.' || next == 'e' || next == 'E' ||
        (next >= '0' && next <= '9'))
      return false;
    *out = v;
    return true;
  }

  // A value made only of plain strings, plain integers, literals, objects and
  // arrays, nesting at most to `max_depth` (counted as the parser counts):
  // all of them valid JSON to the parser too. Builds nothing.
  bool SkipPlain(int depth, int max_depth) {
    std::string_view ignored;
    std::int64_t number;
    switch (Peek()) {
      case '"':
        return PlainString(&ignored);
      case 't':
        return Word("true");
      case 'f':
        return Word("false");
      case 'n':
        return Word("null");
      case '{':
      case '[': {
        const char close = Peek() == '{' ? '}' : ']';
        const bool object = close == '}';
        if (++depth > max_depth) return false;
        ++pos_;
        Space();
        if (Take(close)) return true;
        for (;;) {
          if (object) {
            if (!PlainString(&ignored)) return false;
            Space();
            if (!Take(':')) return false;
            Space();
          }
          if (!SkipPlain(depth, max_depth)) return false;
          Space();
          if (Take(close)) return true;
          if (!Take(',')) return false;
          Space();
        }
      }
      default:
        return PlainInteger(&number);
    }
  }

  bool Word(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  std::size_t pos() const { return pos_; }
  void Seek(std::size_t pos) { pos_ = pos; }

  // Any value, parsed by the real parser as a member of an object at nesting
  // level `depth` (1: the top level).
  bool Parsed(Json* out, int depth = 1) {
    std::size_t consumed = 0;
    if (!ParseValuePrefix(text_.substr(pos_), depth, kMaxResponseDepth, out,
                          &consumed))
      return false;
    pos_ += consumed;
    return true;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// The members of an "answers" object in an array rather than a document:
// keys in place, values parsed, sorted by key as a parsed object would be.
class AnswerMembers {
 public:
  using Member = std::pair<std::string_view, Json>;
  static constexpr std::size_t kMax = 16;

  AnswerMembers() = default;
  AnswerMembers(const AnswerMembers&) = delete;
  AnswerMembers& operator=(const AnswerMembers&) = delete;
  // Only the members in use are ever constructed or destroyed: sixteen empty
  // documents made and unmade per line showed up in the report's profile.
  ~AnswerMembers() {
    for (std::size_t i = 0; i < count_; ++i) items()[i].~Member();
  }

  bool full() const { return count_ == kMax; }
  Member& Add() { return *new (items() + count_++) Member(); }
  Member* items() { return std::launder(reinterpret_cast<Member*>(storage_)); }
  const Member* begin() const {
    return std::launder(reinterpret_cast<const Member*>(storage_));
  }
  const Member* end() const { return begin() + count_; }
  std::size_t size() const { return count_; }

  Lookup Finder() const {
    return {this, [](const void* source, const std::string& subject) {
              const auto* members = static_cast<const AnswerMembers*>(source);
              for (const auto& [key, value] : *members) {
                if (key == subject) return &value;
              }
              return static_cast<const Json*>(nullptr);
            }};
  }

 private:
  alignas(Member) unsigned char storage_[kMax * sizeof(Member)];
  std::size_t count_ = 0;
};

// "answers" with plain keys, at most AnswerMembers::kMax of them, none
// repeated; each value parsed by the real parser at its nesting level.
bool ScanAnswers(Scanner& s, AnswerMembers* a) {
  if (!s.Take('{')) return false;
  s.Space();
  if (s.Take('}')) return true;
  for (;;) {
    if (a->full()) return false;
    AnswerMembers::Member& member = a->Add();
    if (!s.PlainString(&member.first)) return false;
    s.Space();
    if (!s.Take(':')) return false;
    s.Space();
    if (!s.Parsed(&member.second, 2)) return false;
    // Into key order (insertion: a handful of members); a repeated key is
    // left to the parser's rule.
    AnswerMembers::Member* items = a->items();
    std::size_t i = a->size() - 1;
    for (; i > 0 && items[i].first < items[i - 1].first; --i) {
      std::swap(items[i], items[i - 1]);
    }
    if (i > 0 && items[i].first == items[i - 1].first) return false;
    s.Space();
    if (s.Take('}')) return true;
    if (!s.Take(',')) return false;
    s.Space();
  }
}

// What the top level holds, as found.
struct Found {
  unsigned seen = 0;
  std::string_view schema, response_id, survey_id, visitor_id, status, locale,
      page, started_at, submitted_at, trigger;
  std::int64_t survey_version = 0;
  bool scores_object = false;
  bool plain_hidden = false;     // checked while read; segment found below
  bool scanned_answers = false;  // in `members`, else in `answers`
  AnswerMembers members;
  std::string_view segment;
  Json answers, hidden;
};

// The usual "hidden": an object of plain strings, each a declared field and
// not too long, which is all CheckHidden asks of strings. Anything else (other
// value types, repeated keys, escapes) is left to the parser and CheckHidden.
bool PlainHidden(Scanner& s, const Survey& survey,
                 const std::string& segment_field, Found* f) {
  if (!s.Take('{') || survey.hidden.size() > 64) return false;
  std::uint64_t seen = 0;
  s.Space();
  if (s.Take('}')) return true;
  for (;;) {
    std::string_view key, value;
    if (!s.PlainString(&key)) return false;
    std::size_t index = 0;
    while (index < survey.hidden.size() && survey.hidden[index] != key) ++index;
    if (index == survey.hidden.size() || (seen >> index & 1)) return false;
    seen |= std::uint64_t{1} << index;
    s.Space();
    if (!s.Take(':')) return false;
    s.Space();
    if (!s.PlainString(&value) || value.size() > kMaxHiddenValueLength)
      return false;
    if (key == segment_field) f->segment = value;
    s.Space();
    if (s.Take('}')) return true;
    if (!s.Take(',')) return false;
    s.Space();
  }
}

bool ReadMember(Scanner& s, const Survey& survey,
                const ValidateOptions& options, Field field, Found* f) {
  switch (field) {
    case kSchema:
      return s.PlainString(&f->schema);
    case kResponseId:
      return s.PlainString(&f->response_id);
    case kSurveyId:
      return s.PlainString(&f->survey_id);
    case kSurveyVersion:
      return s.PlainInteger(&f->survey_version);
    case kVisitorId:
      return s.PlainString(&f->visitor_id);
    case kStatus:
      return s.PlainString(&f->status);
    case kLocale:
      return s.PlainString(&f->locale);
    case kPage:
      return s.PlainString(&f->page);
    case kStartedAt:
      return s.PlainString(&f->started_at);
    case kSubmittedAt:
      return s.PlainString(&f->submitted_at);
    case kTrigger:
      if (s.Peek() == 'n') {
        f->seen &= ~(1u << kTrigger);  // null: as if absent
        return s.Word("null");
      }
      return s.PlainString(&f->trigger);
    case kAnswers: {
      const std::size_t start = s.pos();
      f->scanned_answers = ScanAnswers(s, &f->members);
      if (f->scanned_answers) return true;
      s.Seek(start);
      return s.Parsed(&f->answers);
    }
    case kHidden: {
      const std::size_t start = s.pos();
      f->segment = {};
      f->plain_hidden = PlainHidden(s, survey, options.segment_field, f);
      if (f->plain_hidden) return true;
      s.Seek(start);
      return s.Parsed(&f->hidden);
    }
    case kScores:  // type-checked, then ignored (as ValidateResponse does)
      f->scores_object = s.Peek() == '{';
      return s.SkipPlain(1, kMaxResponseDepth);
    case kExtension: {
      Json ignored;
      return s.Parsed(&ignored);
    }
    default:
      return false;
  }
}

bool Has(const Found& f, Field field) { return f.seen & (1u << field); }

}  // namespace

bool ScanResponse(const Survey& survey, std::string_view text,
                  const ValidateOptions& options, ResponseRecord* record) {
  if (text.size() > kMaxResponseBytes) return false;
  record->segment.clear();
  record->locale.clear();
  record->values.clear();
  Scanner s(text);
  Found f;
  s.Space();
  if (!s.Take('{')) return false;
  s.Space();
  if (s.Peek() == '}') return false;  // {} lacks every required field
  for (;;) {
    std::string_view key;
    if (!s.PlainString(&key)) return false;
    const Field field = FieldOf(key);
    if (field == kUnknown) return false;
    if (field < kFieldCount) {
      if (Has(f, field)) return false;  // duplicates: the parser's rule
      f.seen |= 1u << field;
    }
    s.Space();
    if (!s.Take(':')) return false;
    s.Space();
    if (!ReadMember(s, survey, options, field, &f)) return false;
    s.Space();
    if (s.Take('}')) break;
    if (!s.Take(',')) return false;
    s.Space();
  }
  s.Space();
  if (!s.AtEnd() || (f.seen & kRequired) != kRequired) return false;

  // The checks of ValidateResponse, in the same terms.
  if (f.schema != kResponseSchema || !IsUuidV4(f.response_id) ||
      f.survey_id != survey.id || f.survey_version != survey.version ||
      f.visitor_id.empty() || f.visitor_id.size() > kMaxIdLength) {
    return false;
  }
  if (f.status == "complete") {
    record->status = ResponseStatus::kComplete;
  } else if (f.status == "dismissed") {
    record->status = ResponseStatus::kDismissed;
  } else if (f.status == "partial") {
    record->status = ResponseStatus::kPartial;
  } else {
    return false;
  }
  if (Has(f, kScores) && !f.scores_object) return false;
  if (Has(f, kLocale) && !IsLocaleTag(f.locale)) return false;
  record->locale.assign(f.locale);
  if (f.trigger.size() > kMaxIdLength) return false;
  if (Has(f, kPage) && f.page.size() > kMaxPageLength) return false;
  const std::optional<std::int64_t> started = ParseTimestamp(f.started_at);
  const std::optional<std::int64_t> submitted = ParseTimestamp(f.submitted_at);
  if (!started || !submitted || *submitted < *started) return false;
  if (Has(f, kHidden) && f.plain_hidden) {
    record->segment.assign(f.segment);
  } else if (Has(f, kHidden)) {
    if (!CheckHidden(survey, f.hidden).ok()) return false;
    record->segment = SegmentOf(f.hidden, options.segment_field);
  }
  Errors errors;
  Reader r(&errors);
  if (f.scanned_answers) {
    CheckAnswerList(survey, f.members, f.members.Finder(), r, errors, record);
  } else {
    if (!f.answers.is_object()) return false;
    CheckAnswers(survey, f.answers, r, errors, record);
  }
  if (!errors.empty()) return false;
  // Assigned in place: a caller that reuses `record` keeps its capacity.
  record->response_id.assign(f.response_id);
  for (char& c : record->response_id) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  record->trigger.assign(f.trigger);
  record->submitted_at_ms = *submitted;
  return true;
}

}  // namespace sondar::internal
