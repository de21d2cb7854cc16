#include "store.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

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

namespace {

// A PostgreSQL text holds no NUL; a long value would make an index entry (with
// the kind beside it) approach the B-tree's limit of about 2.7 KB.
bool Indexable(const std::pair<std::string, std::string>& field) {
  constexpr std::size_t kMaxIndexedValue = 200;  // bytes
  return field.second.size() <= kMaxIndexedValue &&
         field.first.find('\0') == std::string::npos &&
         field.second.find('\0') == std::string::npos;
}

}  // namespace

Store::HiddenValues IndexedHidden(const Json& payload) {
  Store::HiddenValues values = HiddenValuesOf(payload);
  values.erase(
      std::remove_if(values.begin(), values.end(),
                     [](const auto& field) { return !Indexable(field); }),
      values.end());
  return values;
}

bool IndexAnswers(const Store::HiddenValues& conditions) {
  return std::all_of(conditions.begin(), conditions.end(), Indexable);
}

namespace {

// Rows as the reading thread hands them on: their texts one after another.
struct KindBatch {
  std::string text;
  std::vector<std::size_t> ends;  // where each row's text ends
  std::vector<bool> payload;      // a row's text is its payload (no record)
};

}  // namespace

// The database's reading (SQLite steps through its index) and the kinds'
// counting run on two threads, so a million rows cost about the longer of
// the two instead of their sum; a few batches are held between them.
bool Store::ForEachKind(const std::string& survey_id, const TimeRange& range,
                        const KindFn& fn, const RolledFn* rolled) {
  constexpr std::size_t kRows = 4096, kQueued = 4;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<KindBatch> ready;
  std::vector<std::pair<std::string, std::int64_t>> rolled_days;
  bool done = false, stop = false, read = false;
  std::thread reader([&] {
    KindBatch batch;
    auto push = [&] {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return ready.size() < kQueued || stop; });
      if (stop) return false;
      ready.push_back(std::move(batch));
      batch = KindBatch{};
      cv.notify_all();
      return true;
    };
    // Called before any row, so they are all there when the first batch is.
    const RolledFn keep = [&](std::string_view kind, std::int64_t count) {
      rolled_days.emplace_back(std::string(kind), count);
    };
    const bool ok = ForEachRecord(
        survey_id, range,
        [&](std::string_view record, std::string_view payload) {
          batch.payload.push_back(record.empty());
          batch.text.append(record.empty() ? payload : record);
          batch.ends.push_back(batch.text.size());
          return batch.ends.size() < kRows || push();
        },
        5000, rolled ? &keep : nullptr);
    if (!batch.ends.empty()) push();
    std::lock_guard<std::mutex> lock(mu);
    read = ok;
    done = true;
    cv.notify_all();
  });
  bool first = true, more = true;
  std::string kind;
  while (more) {
    KindBatch batch;
    bool finished = false;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return !ready.empty() || done; });
      if (!ready.empty()) {
        batch = std::move(ready.front());
        ready.pop_front();
        cv.notify_all();
      } else {
        finished = true;
      }
    }
    if (first && rolled) {
      for (const auto& [day_kind, count] : rolled_days)
        (*rolled)(day_kind, count);
    }
    first = false;
    std::size_t start = 0;
    for (std::size_t i = 0; more && i < batch.ends.size(); ++i) {
      const std::string_view text(batch.text.data() + start,
                                  batch.ends[i] - start);
      start = batch.ends[i];
      if (batch.payload[i]) {
        more = fn({}, 1, text);  // no record yet: its payload
      } else if (RecordKind(text, &kind)) {
        more = fn(kind, 1, {});
      } else {
        more = fn({}, 1, {});  // a record of another shape
      }
    }
    if (finished) break;
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    stop = true;
    cv.notify_all();
  }
  reader.join();
  // Stopped by `fn`: what was read is all that was asked for.
  return read || !more;
}

std::unique_ptr<Store> Store::Open(const std::string& where,
                                   std::string* error) {
  if (where.rfind("postgres://", 0) == 0 ||
      where.rfind("postgresql://", 0) == 0)
    return OpenPostgres(where, error);
  return OpenSqlite(where, error);
}

}  // namespace sondar::collector
