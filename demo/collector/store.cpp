#include "store.h"

#include <chrono>

namespace sondar::collector {

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ResponseStatus StatusFromName(std::string_view name) {
  for (ResponseStatus s :
       {ResponseStatus::kComplete, ResponseStatus::kDismissed}) {
    if (name == StatusName(s)) return s;
  }
  return ResponseStatus::kPartial;
}

// Varied, so no page compression or deduplication makes a probe smaller than
// a response of that size.
std::string ProbeText(std::size_t bytes) {
  std::string text = std::to_string(NowMs());
  std::uint64_t x = static_cast<std::uint64_t>(NowMs()) | 1;
  while (text.size() < bytes) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64
    text += static_cast<char>('!' + x % 90);
  }
  return text;
}

bool Store::ForEachKind(const std::string& survey_id, const TimeRange& range,
                        const KindFn& fn, const RolledFn* rolled) {
  std::string kind;
  return ForEachRecord(
      survey_id, range,
      [&](std::string_view record, std::string_view payload) {
        if (!record.empty() && RecordKind(record, &kind))
          return fn(kind, 1, {});
        // No record yet (its payload is given), or one of another shape.
        return fn({}, 1, record.empty() ? payload : std::string_view());
      },
      5000, rolled);
}

std::unique_ptr<Store> Store::Open(const std::string& where,
                                   std::string* error) {
  if (where.rfind("postgres://", 0) == 0 ||
      where.rfind("postgresql://", 0) == 0)
    return OpenPostgres(where, error);
  return OpenSqlite(where, error);
}

}  // namespace sondar::collector
