// What the workspace asks of stored responses, answered the same way by the
// collector and the report: which responses a view covers (a filter read from
// a query string), the comments a response holds, a response as a spreadsheet
// row, and the words of a comment search.
#ifndef SONDAR_QUERY_H_
#define SONDAR_QUERY_H_

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sondar/json.h"
#include "sondar/response.h"
#include "sondar/status.h"
#include "sondar/survey.h"
#include "sondar/versions.h"

namespace sondar {

// Every condition is optional; a response matches when it meets all given.
struct ResponseFilter {
  // submittedAt in [from_ms, to_ms): from the first day's start to the end of
  // the last day, UTC (the days of the aggregates' byDay).
  std::int64_t from_ms = std::numeric_limits<std::int64_t>::min();
  std::int64_t to_ms = std::numeric_limits<std::int64_t>::max();
  // As the breakdowns name them: "(none)" is a response without one.
  std::optional<std::string> trigger;
  std::optional<std::string> segment;
  // A language tag; "de" also matches "de-CH" (case-insensitive).
  std::optional<std::string> locale;
  std::optional<ResponseStatus> status;
  // promoter | passive | detractor (the survey's first nps question),
  // satisfied | not_satisfied (first csat), agree | not_agree (first ces).
  std::optional<std::string> category;
  std::optional<int> version;
  // A theme id its comments mention (ResponseRecord::themes).
  std::optional<std::string> theme;
  // hidden.NAME=VALUE: the hidden field NAME is VALUE.
  std::vector<std::pair<std::string, std::string>> hidden;

  // Whether Matches needs the response's payload (for hidden fields).
  bool NeedsPayload() const { return !hidden.empty(); }
  bool empty() const;
  // The filter as it was understood, for the answer that applied it.
  Json ToJson() const;
};

// Reads from, to (YYYY-MM-DD), trigger, segment, locale, status, category,
// version, theme and hidden.NAME from query parameters, ignoring other names.
// Each error's path is the parameter's name, e.g. `to: is before from`.
Result<ResponseFilter> ParseFilter(
    const std::multimap<std::string, std::string>& params);

// What a stored payload (the core's canonical dump, as the collector stores
// it) contains when its hidden field `name` reads as `value` (the text filters
// and erasure compare): `"name":"value"` escaped as a JSON string, or
// `"name":value` for a number or a boolean. A store may narrow a scan to
// payloads holding one of them; Matches (or IsAbout) still decides, so the
// needles may find more than they should, never less.
std::vector<std::string> HiddenNeedles(std::string_view name,
                                       std::string_view value);

// The hidden fields of a validated payload as filters compare them: each
// field's name and its text (a string as it is, a number or a boolean as
// JSON writes it), in the payload's order. A store may index them beside the
// row: then `hidden.NAME=VALUE` is a lookup of the pair (NAME, VALUE), the
// same answer Matches gives from the payload.
std::vector<std::pair<std::string, std::string>> HiddenValuesOf(
    const Json& payload);

// Whether `record`, validated against `version`, meets `filter`. `payload`
// (the stored response) is needed when filter.NeedsPayload(); without it such
// a filter matches nothing.
bool Matches(const ResponseFilter& filter, const Survey& version,
             const ResponseRecord& record, const Json* payload = nullptr);

// A validated record and the version it was checked against, as compact text
// a store keeps beside the payload: a summary reads it back without parsing
// or validating the payload again (a version never changes, so what was
// valid stays valid). Lossless for everything Aggregate and Matches read;
// the response id is left out. DecodeRecord is false for text EncodeRecord
// did not write (then read the payload).
std::string EncodeRecord(const ResponseRecord& record, int version);
bool DecodeRecord(std::string_view text, ResponseRecord* record, int* version);
// The same text with submittedAt moved to the start of its day (UTC): records
// of one kind are alike for aggregation and for filters by day, so a reader
// counts each kind and adds it once (Aggregate::Add's `times`). False for
// text EncodeRecord did not write.
bool RecordKind(std::string_view encoded, std::string* kind);

// A customer's own words in a response: a text question's answer or the text
// of an "other" option.
struct Comment {
  std::string question;  // question id
  std::string kind;      // "text" or "other"
  std::string text;
};
// The comments of a validated response, in question order.
std::vector<Comment> CommentsOf(const Survey& version, const Json& payload);

// The terms a comment search looks for: runs of letters and digits (any
// script; every non-ASCII character counts as a letter), ASCII folded to lower
// case, at most 8 terms of at most 64 bytes. A stored comment matches when it
// holds a word starting with each term. The terms contain nothing a full-text
// query language treats as syntax, so a store may quote them as they are.
std::vector<std::string> SearchTerms(std::string_view query);

// A cell a spreadsheet would run as a formula (it begins with =, +, -, @, a
// tab or a carriage return) gets a leading apostrophe, which spreadsheets
// show as text and do not evaluate (OWASP's advice for CSV injection).
std::string NeutralizeCell(std::string_view cell);

// One row per response and one column per question over every version of a
// survey: the columns of the latest version in its order, then the questions
// only older versions asked. Choices are their labels in the version's own
// default locale; every cell that holds text a poster or an author wrote
// goes through NeutralizeCell (numbers are written by the core and are not
// touched). Quoting is the writer's: the collector uses libcsv.
class CsvTable {
 public:
  // responseId, submittedAt, status, surveyVersion, trigger, locale, page,
  // visitorId; then hidden.NAME per hidden field, then the questions.
  static constexpr std::size_t kFixedColumns = 8;

  explicit CsvTable(const SurveyVersions& versions);
  // Where the question columns begin (after the fixed and hidden ones).
  std::size_t FirstQuestionColumn() const {
    return kFixedColumns + hidden_.size();
  }
  // `neutralize` false: the same cells for a screen, which runs no formulas.
  std::vector<std::string> Header(bool neutralize = true) const;
  // Cells of a response validated against `version`, one per header column.
  std::vector<std::string> Row(const Survey& version, const Json& payload,
                               bool neutralize = true) const;

 private:
  struct Column {
    enum Kind { kAnswer, kOther, kCategory } kind;
    std::string question;
  };
  std::vector<std::string> header_;
  std::vector<std::string> hidden_;  // hidden field names, in column order
  std::vector<Column> columns_;      // after the fixed and hidden columns
};

}  // namespace sondar

#endif  // SONDAR_QUERY_H_
