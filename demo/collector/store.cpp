#include "store.h"

#include <sqlite3.h>

#include <chrono>
#include <vector>

namespace sondar::collector {

namespace {

// Owns a prepared statement for one scope.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() const { return stmt_; }
  explicit operator bool() const { return stmt_ != nullptr; }
  void Bind(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()),
                      SQLITE_TRANSIENT);
  }
  void Bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ResponseStatus StatusFromText(const unsigned char* text) {
  const std::string s = text ? reinterpret_cast<const char*>(text) : "";
  return s == "complete"    ? ResponseStatus::kComplete
         : s == "dismissed" ? ResponseStatus::kDismissed
                            : ResponseStatus::kPartial;
}

}  // namespace

std::unique_ptr<Store> Store::Open(const std::string& path,
                                   std::string* error) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    *error = std::string("cannot open ") + path + ": " + sqlite3_errmsg(db);
    sqlite3_close(db);
    return nullptr;
  }
  std::unique_ptr<Store> store(new Store(db));
  sqlite3_busy_timeout(db, 5000);
  // FULL: a 200 tells the widget to forget its copy, so the row must survive a
  // crash.
  if (!store->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;") ||
      !store->Exec("CREATE TABLE IF NOT EXISTS responses ("
                   " response_id TEXT PRIMARY KEY,"
                   " survey_id TEXT NOT NULL,"
                   " status TEXT NOT NULL,"
                   " submitted_at_ms INTEGER NOT NULL,"
                   " received_at_ms INTEGER NOT NULL,"
                   " payload TEXT NOT NULL);"
                   "CREATE INDEX IF NOT EXISTS responses_by_survey ON "
                   "responses(survey_id);")) {
    *error = std::string("cannot prepare ") + path + ": " + sqlite3_errmsg(db);
    return nullptr;
  }
  return store;
}

Store::~Store() { sqlite3_close(db_); }

bool Store::Exec(const char* sql) {
  return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

Store::Outcome Store::Upsert(const ResponseRecord& record,
                             const std::string& survey_id,
                             const std::string& payload) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!Exec("BEGIN IMMEDIATE")) return Outcome::kFailed;
  Outcome outcome = Outcome::kFailed;
  {
    Statement find(
        db_,
        "SELECT status, submitted_at_ms FROM responses WHERE response_id = ?");
    find.Bind(1, record.response_id);
    const int step = sqlite3_step(find.get());
    if (step == SQLITE_ROW) {
      ResponseRecord stored;
      stored.status = StatusFromText(sqlite3_column_text(find.get(), 0));
      stored.submitted_at_ms = sqlite3_column_int64(find.get(), 1);
      if (!Supersedes(record, stored)) {
        outcome = Outcome::kKept;
      } else {
        Statement update(
            db_,
            "UPDATE responses SET status = ?, submitted_at_ms = ?, payload = ?,"
            " received_at_ms = ? WHERE response_id = ?");
        update.Bind(1, std::string(StatusName(record.status)));
        update.Bind(2, record.submitted_at_ms);
        update.Bind(3, payload);
        update.Bind(4, NowMs());
        update.Bind(5, record.response_id);
        outcome = sqlite3_step(update.get()) == SQLITE_DONE ? Outcome::kReplaced
                                                            : Outcome::kFailed;
      }
    } else if (step == SQLITE_DONE) {
      Statement insert(db_,
                       "INSERT INTO responses (response_id, survey_id, status, "
                       "submitted_at_ms,"
                       " received_at_ms, payload) VALUES (?, ?, ?, ?, ?, ?)");
      insert.Bind(1, record.response_id);
      insert.Bind(2, survey_id);
      insert.Bind(3, std::string(StatusName(record.status)));
      insert.Bind(4, record.submitted_at_ms);
      insert.Bind(5, NowMs());
      insert.Bind(6, payload);
      outcome = sqlite3_step(insert.get()) == SQLITE_DONE ? Outcome::kInserted
                                                          : Outcome::kFailed;
    }
  }
  if (outcome == Outcome::kFailed || !Exec("COMMIT")) {
    Exec("ROLLBACK");
    return Outcome::kFailed;
  }
  return outcome;
}

void Store::ForEach(const std::string& survey_id,
                    const std::function<void(const std::string&)>& fn,
                    int batch) {
  std::int64_t after = 0;
  for (;;) {
    std::vector<std::pair<std::int64_t, std::string>> rows;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Statement select(db_, survey_id.empty()
                                ? "SELECT rowid, payload FROM responses WHERE "
                                  "rowid > ? ORDER BY rowid LIMIT ?"
                                : "SELECT rowid, payload FROM responses WHERE "
                                  "rowid > ? AND survey_id = ?"
                                  " ORDER BY rowid LIMIT ?");
      select.Bind(1, after);
      if (survey_id.empty()) {
        select.Bind(2, static_cast<std::int64_t>(batch));
      } else {
        select.Bind(2, survey_id);
        select.Bind(3, static_cast<std::int64_t>(batch));
      }
      while (sqlite3_step(select.get()) == SQLITE_ROW) {
        const auto* text =
            reinterpret_cast<const char*>(sqlite3_column_text(select.get(), 1));
        rows.emplace_back(sqlite3_column_int64(select.get(), 0),
                          text ? text : "");
      }
    }
    for (const auto& row : rows) fn(row.second);
    if (rows.size() < static_cast<std::size_t>(batch)) return;
    after = rows.back().first;
  }
}

std::int64_t Store::Count() {
  std::lock_guard<std::mutex> lock(mu_);
  Statement count(db_, "SELECT COUNT(*) FROM responses");
  return sqlite3_step(count.get()) == SQLITE_ROW
             ? sqlite3_column_int64(count.get(), 0)
             : -1;
}

}  // namespace sondar::collector
