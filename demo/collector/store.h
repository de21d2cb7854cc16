// Responses in SQLite, one row per responseId. Which version of a response wins
// is the core's rule (sondar::Supersedes); this class only applies it inside a
// transaction.
#ifndef SONDAR_DEMO_COLLECTOR_STORE_H_
#define SONDAR_DEMO_COLLECTOR_STORE_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sondar/response.h"

struct sqlite3;

namespace sondar::collector {

class Store {
 public:
  // Opens (creating if needed) the database in WAL mode; nullptr with `error`
  // set on failure. Several processes on one machine may open the same file
  // at once (not over a network file system: WAL needs shared memory).
  static std::unique_ptr<Store> Open(const std::string& path,
                                     std::string* error);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  enum class Outcome {
    kInserted,
    kReplaced,
    kKept,
    kOtherSurvey,   // the responseId belongs to another survey
    kOtherVisitor,  // the responseId belongs to another visitor
    kFailed,
  };
  // Stores `payload` unless the stored version of the same response supersedes
  // it. A responseId belongs to the survey and the visitor of its first post,
  // forever. Returns once the write is committed; writes from concurrent
  // callers share one transaction (group commit).
  Outcome Upsert(const ResponseRecord& record, const std::string& survey_id,
                 const std::string& visitor_id, const std::string& payload);

  // When this database first saw each survey id (registering the ones it has
  // not seen as now), in Unix milliseconds.
  std::map<std::string, std::int64_t> FirstSeen(
      const std::vector<std::string>& survey_ids);

  // Calls `fn` with each stored payload of `survey_id` (all surveys when
  // empty), in rowid order, `batch` rows per lock so a long export does not
  // block writers.
  void ForEach(const std::string& survey_id,
               const std::function<void(const std::string&)>& fn,
               int batch = 500);
  std::int64_t Count();

 private:
  explicit Store(sqlite3* db) : db_(db) {}
  // One caller's write, waiting for the batch that holds it.
  struct Write {
    const ResponseRecord* record;
    const std::string* survey_id;
    const std::string* visitor_id;
    const std::string* payload;
    Outcome outcome = Outcome::kFailed;
    bool done = false;
  };
  bool Exec(const char* sql);
  bool AddVisitorColumn();
  void WriteBatch(const std::vector<Write*>& batch);  // mu_ held
  Outcome Apply(const ResponseRecord& record, const std::string& survey_id,
                const std::string& visitor_id,
                const std::string& payload);  // mu_ held, in a transaction

  sqlite3* db_;
  std::mutex
      mu_;  // one connection, serialised; SQLite has a single writer anyway
  std::mutex
      queue_mu_;  // guards queue_, writing_ and every Write's done/outcome
  std::condition_variable queue_cv_;
  std::deque<Write*> queue_;
  bool writing_ = false;
};

}  // namespace sondar::collector

#endif  // SONDAR_DEMO_COLLECTOR_STORE_H_
