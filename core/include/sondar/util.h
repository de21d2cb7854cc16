// Small deterministic helpers shared by the core, the CLI and the collector.
#ifndef SONDAR_UTIL_H_
#define SONDAR_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sondar {

// "2026-11-22T09:04:01.123Z" (UTC, millisecond precision).
std::string FormatTimestamp(std::int64_t unix_ms);
// Parses RFC 3339 timestamps: "2026-11-22T09:04:01Z", with optional fraction
// and a "Z" or
// "+hh:mm" offset. nullopt when malformed.
std::optional<std::int64_t> ParseTimestamp(std::string_view text);
// "2026-11-22" for the UTC day holding `unix_ms`.
std::string FormatDay(std::int64_t unix_ms);

// 64-bit FNV-1a over the bytes: identical on every platform, which sticky
// sampling needs.
std::uint64_t Fnv1a64(std::string_view bytes);
// The visitor's sampling bucket for a survey, 0..9999; stable forever for the
// same pair.
int SamplingBucket(std::string_view visitor_id, std::string_view survey_id);

// Lower-case UUID version 4, e.g. from crypto.randomUUID(). Upper case is
// accepted too.
bool IsUuidV4(std::string_view text);
// The one spelling of a UUID that ids are compared in: lower case. Upper and
// lower case name the same UUID (RFC 9562), so a receiver must not store them
// as two responses.
std::string CanonicalUuid(std::string_view text);

// Origin + path of a page URL: query, fragment and user:password@ are removed,
// because they often carry e-mail addresses, order numbers or tokens.
std::string StripUrl(std::string_view url);

// Names kept as one string of words separated by single spaces ("show
// no_trigger ..."): the shop's module then holds the text once and no table of
// pointers to it. NthWord is the word at `index`, "" past the last; WordIndex
// the position of `word` among them, -1 when it is not one (always for "").
// An enum named this way lists its names in the order of its enumerators.
std::string_view NthWord(std::string_view words, std::size_t index);
int WordIndex(std::string_view words, std::string_view word);

}  // namespace sondar

#endif  // SONDAR_UTIL_H_
