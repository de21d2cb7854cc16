// Where the collector keeps responses: one row per responseId. Which version
// of a response wins is the core's rule (sondar::Supersedes); a store only
// applies it atomically. SQLite (a file, the embedded default) and PostgreSQL
// (several collector processes on several machines) keep the same rules.
#ifndef SONDAR_DEMO_COLLECTOR_STORE_H_
#define SONDAR_DEMO_COLLECTOR_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sondar/response.h"

namespace sondar::collector {

class Store {
 public:
  // `where` is a PostgreSQL URL (postgres://... or postgresql://...) or else
  // an SQLite file, created if needed. nullptr with `error` set on failure.
  static std::unique_ptr<Store> Open(const std::string& where,
                                     std::string* error);
  virtual ~Store() = default;

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
  // forever. Returns once the write is durably committed.
  virtual Outcome Upsert(const ResponseRecord& record,
                         const std::string& survey_id,
                         const std::string& visitor_id,
                         const std::string& payload) = 0;

  // When this database first saw each survey id (registering the ones it has
  // not seen as now), in Unix milliseconds.
  virtual std::map<std::string, std::int64_t> FirstSeen(
      const std::vector<std::string>& survey_ids) = 0;

  // Calls `fn` with each stored payload of `survey_id` (all surveys when
  // empty), in the order rows were first stored, `batch` rows per query so a
  // long export does not hold up writers. False if the database failed
  // part-way (rows given so far were sent).
  virtual bool ForEach(const std::string& survey_id,
                       const std::function<void(const std::string&)>& fn,
                       int batch = 500) = 0;
  // Stored responses (complete ones of `complete_of` when it is given), or -1
  // when the database cannot be asked.
  virtual std::int64_t Count(const std::string& complete_of = "") = 0;
};

// Shared by the stores: the wall clock in Unix milliseconds, and a status as
// stored (its StatusName; anything else reads as partial, the weakest).
std::int64_t NowMs();
ResponseStatus StatusFromName(std::string_view name);

std::unique_ptr<Store> OpenSqlite(const std::string& path, std::string* error);
std::unique_ptr<Store> OpenPostgres(const std::string& url, std::string* error);

}  // namespace sondar::collector

#endif  // SONDAR_DEMO_COLLECTOR_STORE_H_
