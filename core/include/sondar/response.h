// Receiving responses: validating a sondar.response/1 payload against its
// survey (as a collector must, never trusting the client), and the compact
// record aggregation works on.
#ifndef SONDAR_RESPONSE_H_
#define SONDAR_RESPONSE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sondar/survey.h"

namespace sondar {

inline constexpr std::size_t kMaxResponseBytes = 64 * 1024;
inline constexpr int kMaxResponseDepth = 8;

enum class ResponseStatus { kPartial, kComplete, kDismissed };
std::string_view StatusName(ResponseStatus status);

// What aggregation needs of one response, small enough to keep a million in
// memory.
struct ResponseRecord {
  std::string response_id;
  ResponseStatus status = ResponseStatus::kPartial;
  std::string trigger;
  std::string segment;  // value of the breakdown hidden field, if any
  std::int64_t submitted_at_ms = 0;
  // (question index, value): scale point, or option index for choices (one
  // entry per chosen option), or 0 for an answered text question.
  std::vector<std::pair<std::uint16_t, std::int16_t>> values;
  std::string locale;  // the visitor's language tag, if given
  // What its comments mention (sondar::ThemesOf): set by a reader that tags
  // comments, empty otherwise.
  std::string themes;
};

struct ValidateOptions {
  // Hidden field whose value becomes ResponseRecord::segment ("segment" by
  // default).
  std::string segment_field = "segment";
};

// Checks `payload` against `survey`: schema, ids, status, timestamps, every
// answer in range, answers only to questions the visitor could have reached,
// required questions answered when complete, hidden fields declared. Any
// "scores" in the payload are ignored: the caller recomputes them
// (NormalizeResponse) rather than trusting the client.
Result<ResponseRecord> ValidateResponse(const Survey& survey,
                                        const Json& payload,
                                        const ValidateOptions& options = {});
// The same for JSON text, with the size (kMaxResponseBytes) and depth limits
// applied first.
Result<ResponseRecord> ValidateResponseText(
    const Survey& survey, std::string_view text,
    const ValidateOptions& options = {});

// The same, into a record the caller keeps from line to line: its strings and
// values keep their capacity, so a reader of many lines allocates nothing per
// valid line. `record` is meaningful only when the result is ok.
Status ValidateResponseTextInto(const Survey& survey, std::string_view text,
                                const ValidateOptions& options,
                                ResponseRecord* record);

// A validated payload with its "scores" recomputed from its answers and "page"
// stripped.
Json NormalizeResponse(const Survey& survey, const Json& payload);

// Receivers store "x-" members (the schema's extension point, allowed at any
// depth) verbatim. OK when their serialised sizes add up to at most
// `max_bytes`; otherwise kTooLarge at the path of the largest one, so whoever
// added it can find it.
Status CheckExtensions(const Json& payload, std::size_t max_bytes);

// What a receiver believes of the client's clock. A submittedAt before
// `earliest_ms` (the survey did not exist yet) or more than `max_skew_ms` after
// the moment the receiver got the response cannot be true; it would let a
// client choose which version of a response wins and put impossible days into
// breakdowns.
struct TimeBounds {
  std::int64_t received_ms = 0;
  std::int64_t earliest_ms = 0;
  std::int64_t max_skew_ms = 5 * 60 * 1000;
};
// Replaces an out-of-bounds submittedAt (in `payload`, a validated response,
// and in `record`) by the receive time, and a startedAt that no longer fits
// with it. The response is kept: refusing it would lose the answers of every
// visitor whose device clock is wrong. Returns whether anything changed.
bool BoundTimestamps(const TimeBounds& bounds, Json* payload,
                     ResponseRecord* record);

// True when `incoming` should replace `stored` for the same responseId:
// complete beats dismissed beats partial, and within a status the later
// submittedAt wins. A late partial therefore never overwrites a complete
// response.
bool Supersedes(const ResponseRecord& incoming, const ResponseRecord& stored);

}  // namespace sondar

#endif  // SONDAR_RESPONSE_H_
