// The embedded default: one SQLite file in WAL mode. Several processes on one
// machine may open the same file at once (not over a network file system: WAL
// needs shared memory).
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <thread>
#include <tuple>
#include <vector>

#include "store.h"

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
  void BindOrNull(int i, const std::string* s) {
    if (s)
      Bind(i, *s);
    else
      sqlite3_bind_null(stmt_, i);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// " AND (instr(payload, ?N) > 0 OR ...)" per list of texts (Store::Needles),
// numbered from `first`; BindContains binds them.
std::string ContainsSql(const Store::Needles& contains, int first) {
  std::string sql;
  for (const auto& any : contains) {
    sql += " AND (0";
    for (std::size_t i = 0; i < any.size(); ++i)
      sql += " OR instr(payload, ?" + std::to_string(first++) + ") > 0";
    sql += ")";
  }
  return sql;
}

void BindContains(Statement* statement, const Store::Needles& contains,
                  int first) {
  for (const auto& any : contains)
    for (const std::string& text : any) statement->Bind(first++, text);
}

// The column's text, valid until the statement steps again.
std::string_view TextView(sqlite3_stmt* stmt, int column) {
  const unsigned char* t = sqlite3_column_text(stmt, column);
  return std::string_view(t ? reinterpret_cast<const char*>(t) : "",
                          sqlite3_column_bytes(stmt, column));
}

std::string Text(sqlite3_stmt* stmt, int column) {
  return std::string(TextView(stmt, column));
}

// 1 when the response was erased, 0 not, -1 failure.
int IsErased(sqlite3* db, const std::string& response_id) {
  Statement find(db, "SELECT 1 FROM erased WHERE response_id = ?");
  if (!find) return -1;
  find.Bind(1, response_id);
  const int step = sqlite3_step(find.get());
  return step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : -1;
}

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, sqlite3* read_db, std::string path)
      : db_(db), read_db_(read_db), path_(std::move(path)) {}
  ~SqliteStore() override {
    sqlite3_close(read_db_);
    sqlite3_close(db_);
  }
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Writes from concurrent callers share one transaction (group commit).
  Outcome Upsert(const Version& version) override;
  std::map<std::string, std::int64_t> FirstSeen(
      const std::vector<std::string>& survey_ids) override;
  bool ForEach(const std::string& survey_id, const TimeRange& range,
               const std::function<bool(const std::string&)>& fn, int batch,
               const Needles& contains) override;
  bool Comments(const CommentQuery& query,
                std::vector<CommentRow>* rows) override;
  bool Find(const std::string& response_id,
            std::optional<std::string>* payload) override;
  bool ForEachRecord(
      const std::string& survey_id, const TimeRange& range,
      const std::function<bool(std::string_view, std::string_view)>& fn,
      int batch, const RolledFn* rolled) override;
  std::int64_t DeriveOld(
      const std::function<std::optional<Derived>(const std::string&)>& derive,
      const std::function<bool()>& stop) override;
  std::int64_t ForgetCommentedRecords(std::int64_t since_ms) override;
  std::string Meta(const std::string& key) override;
  bool SetMeta(const std::string& key, const std::string& value) override;
  std::int64_t Underived() override;
  std::int64_t Count() override;
  std::int64_t CountComplete(const std::string& survey_id,
                             int per_client) override;
  std::int64_t StoredBytes(const std::string& survey_id) override;
  bool Probe(std::size_t bytes) override;
  std::string Secret() override;
  Published Publish(const Document& document, int expected_latest) override;
  std::int64_t DocumentCount() override;
  bool Documents(const std::function<void(Document)>& fn) override;
  bool AddWebhook(const Webhook& webhook) override;
  bool Webhooks(std::vector<Webhook>* webhooks) override;
  int DeleteWebhook(const std::string& id) override;
  bool Deliveries(const std::string& webhook_id, const std::string& state,
                  int limit, std::vector<Delivery>* deliveries) override;
  bool Claim(std::int64_t now_ms, std::int64_t lease_ms, int limit,
             std::vector<Delivery>* claimed) override;
  int Enqueue(const AlertWrite& delivery, const std::string& key) override;
  int HasDelivery(const std::string& webhook_id,
                  const std::string& key) override;
  bool Settle(const std::vector<Attempt>& attempts) override;
  int Retry(const std::string& webhook_id, const std::string& delivery_id,
            std::int64_t now_ms, std::int64_t window_ms) override;
  bool Cases(const CaseQuery& query, std::vector<Case>* cases) override;
  bool CaseCounts(const std::string& survey_id,
                  std::map<std::string, std::int64_t>* counts) override;
  bool FindCase(const std::string& response_id, std::optional<Case>* found,
                std::vector<CaseEvent>* history) override;
  CaseResult UpdateCase(const std::string& response_id, const CaseEvent& change,
                        Case* after) override;
  bool ForEachRepeatRecord(
      const std::string& survey_id,
      const std::function<void(std::string_view, std::string_view)>& fn)
      override;

  bool OfVisitor(const std::string& visitor_id,
                 const std::function<void(const std::string&,
                                          const std::string&)>& fn) override;
  std::int64_t Erase(const std::vector<std::string>& response_ids,
                     std::int64_t now_ms) override;
  bool DeliveriesOf(const std::string& response_id,
                    std::vector<Delivery>* deliveries) override;
  std::int64_t RollUpDay(
      const std::string& survey_id, std::int64_t before_ms,
      const std::function<Rolled(std::string_view, std::string_view)>& kind_of)
      override;
  int AddToken(const Token& token) override;
  bool Tokens(std::vector<Token>* tokens) override;
  int RevokeToken(const std::string& name, std::int64_t now_ms) override;
  bool AddAudit(const AuditEntry& entry) override;
  bool Audit(std::int64_t before_id, int limit,
             std::vector<AuditEntry>* entries) override;

  bool ForEachHiddenKind(const std::string& survey_id, const TimeRange& range,
                         const HiddenValues& hidden, const Needles& contains,
                         const KindFn& fn) override;

  bool Exec(const char* sql);
  bool AddColumns();

 private:
  // One caller's write, waiting for the batch that holds it.
  struct Write {
    const Version* version;
    Outcome outcome = Outcome::kFailed;
    bool done = false;
  };
  void WriteBatch(const std::vector<Write*>& batch);  // mu_ held
  Outcome Apply(const Version& version);  // mu_ held, in a transaction
  // mu_ held, in a transaction: the response's comments become `comments`.
  bool WriteComments(const std::string& response_id,
                     const std::string& survey_id, std::int64_t submitted_at_ms,
                     const std::vector<Comment>& comments);
  // mu_ held, in a transaction: the response's hidden values become those of
  // `hidden`, with `record` (none without one: its payload is read instead).
  bool WriteHidden(const std::string& response_id, const std::string& survey_id,
                   std::int64_t submitted_at_ms, const std::string* record,
                   const HiddenValues* hidden);
  // mu_ held, in a transaction: what the stored version means for each
  // webhook.
  // `fresh`: the response was just inserted, so nothing is held for it.
  bool WriteAlerts(const std::string& response_id, const std::string& survey_id,
                   const std::vector<AlertWrite>& alerts, bool fresh);
  // mu_ held, in a transaction: deletes a response and everything kept
  // because of it; adds 1 to `deleted` if it was there.
  // `comments` (if given) counts the comments deleted with it.
  bool DeleteResponse(const std::string& response_id, std::int64_t* deleted,
                      std::int64_t* comments = nullptr);
  // A read-only connection of its own in a read transaction (one WAL
  // snapshot), or nullptr.
  using Connection = std::unique_ptr<sqlite3, int (*)(sqlite3*)>;
  Connection Snapshot() const;
  // One number from the read connection, or -1.
  std::int64_t ReadNumber(const char* sql, const std::string& survey_id,
                          std::int64_t extra = 0);

  sqlite3* db_;
  // One writing connection, serialised; SQLite has a single writer anyway.
  std::mutex mu_;
  // Reads (summary, export, counts) on a connection of their own: in WAL
  // mode they see a snapshot and never wait for, nor hold up, a write.
  sqlite3* read_db_;
  std::mutex read_mu_;
  const std::string path_;
  // Guards queue_, writing_ and every Write's done/outcome.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Write*> queue_;
  bool writing_ = false;
};

}  // namespace

std::unique_ptr<Store> OpenSqlite(const std::string& path, std::string* error) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    *error = std::string("cannot open ") + path + ": " + sqlite3_errmsg(db);
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3* read_db = nullptr;
  if (sqlite3_open(path.c_str(), &read_db) != SQLITE_OK) {
    *error =
        std::string("cannot open ") + path + ": " + sqlite3_errmsg(read_db);
    sqlite3_close(read_db);
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(read_db, 5000);
  auto store = std::make_unique<SqliteStore>(db, read_db, path);
  sqlite3_busy_timeout(db, 5000);
  // Switching to WAL and creating the schema can meet another process doing
  // the same; SQLite then answers SQLITE_BUSY at once, without waiting in the
  // busy handler, because waiting could deadlock. So start-up retries
  // itself, for as long as the busy timeout.
  // FULL: a 200 tells the widget to forget its copy, so the row must survive a
  // crash.
  const char* schema =
      "BEGIN IMMEDIATE;"
      "CREATE TABLE IF NOT EXISTS responses ("
      " response_id TEXT PRIMARY KEY,"
      " survey_id TEXT NOT NULL,"
      " status TEXT NOT NULL,"
      " submitted_at_ms INTEGER NOT NULL,"
      " received_at_ms INTEGER NOT NULL,"
      " payload TEXT NOT NULL);"
      "CREATE INDEX IF NOT EXISTS responses_by_survey ON "
      "responses(survey_id);"
      "CREATE TABLE IF NOT EXISTS surveys ("
      " survey_id TEXT PRIMARY KEY,"
      " first_seen_ms INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS meta ("
      " key TEXT PRIMARY KEY,"
      " value TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS documents ("
      " kind TEXT NOT NULL,"
      " id TEXT NOT NULL,"
      " version INTEGER NOT NULL,"
      " content TEXT NOT NULL,"
      " published_at_ms INTEGER NOT NULL,"
      " source TEXT NOT NULL,"
      " from_version INTEGER NOT NULL,"
      " PRIMARY KEY (kind, id, version));"
      "INSERT OR IGNORE INTO meta (key, value)"
      " VALUES ('secret', lower(hex(randomblob(32))));"
      // The customer's words, one row per comment, searched through FTS5
      // (its unicode61 tokenizer folds case in every script and keeps
      // diacritics, as PostgreSQL's 'simple' configuration does).
      "CREATE TABLE IF NOT EXISTS comments ("
      " id INTEGER PRIMARY KEY,"
      " response_id TEXT NOT NULL,"
      " survey_id TEXT NOT NULL,"
      " question TEXT NOT NULL,"
      " kind TEXT NOT NULL,"
      " submitted_at_ms INTEGER NOT NULL,"
      " text TEXT NOT NULL);"
      "CREATE INDEX IF NOT EXISTS comments_by_response ON "
      "comments(response_id);"
      "CREATE INDEX IF NOT EXISTS comments_by_time ON "
      "comments(survey_id, submitted_at_ms, id);"
      "CREATE VIRTUAL TABLE IF NOT EXISTS comments_fts USING fts5(text,"
      " content='comments', content_rowid='id',"
      " tokenize='unicode61 remove_diacritics 0');"
      "CREATE TRIGGER IF NOT EXISTS comments_added AFTER INSERT ON comments"
      " BEGIN INSERT INTO comments_fts (rowid, text)"
      " VALUES (new.id, new.text); END;"
      "CREATE TRIGGER IF NOT EXISTS comments_removed AFTER DELETE ON comments"
      " BEGIN INSERT INTO comments_fts (comments_fts, rowid, text)"
      " VALUES ('delete', old.id, old.text); END;"
      // Webhooks and their deliveries: a delivery is written with the
      // response that caused it, at most one per webhook and response.
      "CREATE TABLE IF NOT EXISTS webhooks ("
      " id TEXT PRIMARY KEY,"
      " definition TEXT NOT NULL,"
      " secret TEXT NOT NULL,"
      " created_ms INTEGER NOT NULL,"
      " disabled_ms INTEGER,"
      " last_success_ms INTEGER,"
      " failing_since_ms INTEGER,"
      " failures INTEGER NOT NULL DEFAULT 0);"
      "CREATE TABLE IF NOT EXISTS deliveries ("
      " id TEXT PRIMARY KEY,"
      " webhook_id TEXT NOT NULL,"
      " response_id TEXT NOT NULL,"
      " body TEXT NOT NULL,"
      " state TEXT NOT NULL,"
      " created_ms INTEGER NOT NULL,"
      " next_at_ms INTEGER NOT NULL,"
      " expires_ms INTEGER NOT NULL,"
      " delivered_ms INTEGER,"
      " attempts INTEGER NOT NULL DEFAULT 0,"
      " last_status INTEGER,"
      " last_error TEXT,"
      " UNIQUE (webhook_id, response_id));"
      "CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(next_at_ms)"
      " WHERE state IN ('held', 'pending');"
      "CREATE INDEX IF NOT EXISTS deliveries_by_webhook ON"
      " deliveries(webhook_id, created_ms);"
      "CREATE INDEX IF NOT EXISTS deliveries_by_response ON"
      " deliveries(response_id);"
      // Follow-up cases and their history. `touched`: a person changed it,
      // so a withdrawn alert leaves it in place.
      "CREATE TABLE IF NOT EXISTS cases ("
      " response_id TEXT PRIMARY KEY,"
      " survey_id TEXT NOT NULL,"
      " state TEXT NOT NULL,"
      " assignee TEXT NOT NULL DEFAULT '',"
      " source TEXT NOT NULL,"
      " created_ms INTEGER NOT NULL,"
      " updated_ms INTEGER NOT NULL,"
      " touched INTEGER NOT NULL DEFAULT 0);"
      "CREATE INDEX IF NOT EXISTS cases_by_survey ON"
      " cases(survey_id, created_ms, response_id);"
      "CREATE TABLE IF NOT EXISTS case_events ("
      " id INTEGER PRIMARY KEY,"
      " response_id TEXT NOT NULL,"
      " at_ms INTEGER NOT NULL,"
      " by TEXT NOT NULL,"
      " state TEXT,"
      " assignee TEXT,"
      " note TEXT NOT NULL);"
      "CREATE INDEX IF NOT EXISTS case_events_by_case ON"
      " case_events(response_id, id);"
      // Privacy: the ids of erased responses (no data: a resent one is
      // refused), days aggregated by retention (record kinds and counts:
      // no visitor, no words), named tokens (only their hashes) and the
      // audit log of admin actions.
      // Each response's hidden fields (sondar::HiddenValuesOf) with its
      // record, in the order a filter on one reads them: a summary filtered
      // by hidden.NAME=VALUE reads one range of this table, no payloads.
      // The record is a copy, kept by triggers (AddColumns).
      "CREATE TABLE IF NOT EXISTS hidden_values ("
      " survey_id TEXT NOT NULL,"
      " name TEXT NOT NULL,"
      " value TEXT NOT NULL,"
      " submitted_at_ms INTEGER NOT NULL,"
      " response_id TEXT NOT NULL,"
      " record TEXT,"
      " PRIMARY KEY (survey_id, name, value, submitted_at_ms, response_id))"
      " WITHOUT ROWID;"
      "CREATE INDEX IF NOT EXISTS hidden_by_response ON"
      " hidden_values(response_id, name, value);"
      "CREATE TABLE IF NOT EXISTS erased ("
      " response_id TEXT PRIMARY KEY,"
      " erased_ms INTEGER NOT NULL) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS rollups ("
      " survey_id TEXT NOT NULL,"
      " day_ms INTEGER NOT NULL,"
      " kind TEXT NOT NULL,"
      " count INTEGER NOT NULL,"
      " PRIMARY KEY (survey_id, day_ms, kind));"
      // The complete responses those days held, per client key (closeAfter
      // counts a few of each); '' for rows without one, each counting.
      "CREATE TABLE IF NOT EXISTS rolled_clients ("
      " survey_id TEXT NOT NULL,"
      " client_key TEXT NOT NULL,"
      " complete INTEGER NOT NULL,"
      " PRIMARY KEY (survey_id, client_key));"
      "CREATE TABLE IF NOT EXISTS tokens ("
      " name TEXT PRIMARY KEY,"
      " role TEXT NOT NULL,"
      " hash TEXT NOT NULL UNIQUE,"
      " created_ms INTEGER NOT NULL,"
      " revoked_ms INTEGER);"
      "CREATE TABLE IF NOT EXISTS audit ("
      " id INTEGER PRIMARY KEY,"
      " at_ms INTEGER NOT NULL,"
      " actor TEXT NOT NULL,"
      " action TEXT NOT NULL,"
      " target TEXT NOT NULL,"
      " detail TEXT NOT NULL);"
      "COMMIT;";
  bool ready = false;
  for (int attempt = 0; attempt < 100 && !ready; ++attempt) {
    if (attempt) {
      store->Exec("ROLLBACK");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    // secure_delete: an erased response's bytes are overwritten, not left
    // in free pages.
    ready = store->Exec(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                " PRAGMA secure_delete=ON;") &&
            store->Exec(schema) && store->AddColumns();
  }
  if (!ready) {
    *error = std::string("cannot prepare ") + path + ": " + sqlite3_errmsg(db);
    return nullptr;
  }
  return store;
}

// Databases made before responses were bound to their visitor get the column,
// filled from the stored payloads; before client keys, an empty column (those
// rows count one client each).
bool SqliteStore::AddColumns() {
  const auto has = [this](const char* column) -> int {
    Statement columns(db_,
                      "SELECT 1 FROM pragma_table_info('responses')"
                      " WHERE name = ?");
    if (!columns) return -1;
    columns.Bind(1, std::string(column));
    const int step = sqlite3_step(columns.get());
    return step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : -1;
  };
  int visitor = has("visitor_id");
  if (visitor < 0) return false;
  if (!visitor && !Exec("BEGIN IMMEDIATE;"
                        "ALTER TABLE responses ADD COLUMN visitor_id TEXT;"
                        "UPDATE responses SET visitor_id = "
                        "json_extract(payload, '$.visitorId');"
                        "COMMIT;"))
    return false;
  int client = has("client_key");
  if (client < 0) return false;
  if (!client && !Exec("ALTER TABLE responses ADD COLUMN client_key TEXT"))
    return false;
  // Each row's record (sondar::EncodeRecord), what summaries read; rows from
  // before it are derived at start (DeriveOld), found by a partial index.
  int record = has("record");
  if (record < 0) return false;
  if (!record && !Exec("ALTER TABLE responses ADD COLUMN record TEXT"))
    return false;
  // The record a row's hidden_values were written with: a row whose record
  // is another (no record yet, rows from before the index, a row written by
  // an older collector) is not answered for by the index, and DeriveOld
  // writes its values again.
  int hidden = has("hidden_for");
  if (hidden < 0) return false;
  if (!hidden && !Exec("ALTER TABLE responses ADD COLUMN hidden_for TEXT"))
    return false;
  // Summaries and exports read a survey's rows by time; with the record in
  // the index a summary never touches the table's rows (their payloads).
  return Exec(
      "CREATE INDEX IF NOT EXISTS responses_underived ON responses(survey_id)"
      " WHERE record IS NULL;"
      "CREATE INDEX IF NOT EXISTS responses_by_time ON "
      "responses(survey_id, submitted_at_ms, record);"
      // The recovered figure reads the responses of visitors who answered
      // more than once.
      "CREATE INDEX IF NOT EXISTS responses_by_visitor ON"
      " responses(survey_id, visitor_id, submitted_at_ms);"
      // A collector from before records (a rolling deploy, a rollback)
      // replaces a payload and leaves its record: the record is dropped, the
      // summary reads the payload, and the next start derives it again.
      // This collector writes both, and a replacing version always has
      // another record (a later time or a stronger status).
      "CREATE TRIGGER IF NOT EXISTS responses_rederive AFTER UPDATE OF payload"
      " ON responses WHEN new.record IS old.record AND new.record IS NOT NULL"
      " BEGIN UPDATE responses SET record = NULL WHERE rowid = new.rowid; "
      "END;"
      // The rows the index of hidden values does not answer for: filters
      // read their payloads, DeriveOld indexes them.
      "CREATE INDEX IF NOT EXISTS responses_unindexed ON"
      " responses(survey_id, submitted_at_ms)"
      " WHERE record IS NULL OR hidden_for IS NOT record;"
      // Whoever changes a record (this collector, an older one, the trigger
      // above), the copies follow; they are trusted only while written for
      // it. An older collector's erasure deletes them too.
      "CREATE TRIGGER IF NOT EXISTS hidden_follow AFTER UPDATE OF record,"
      " hidden_for ON responses BEGIN UPDATE hidden_values SET record ="
      " CASE WHEN new.record IS new.hidden_for THEN new.record END"
      " WHERE response_id = new.response_id; END;"
      "CREATE TRIGGER IF NOT EXISTS hidden_removed AFTER DELETE ON responses"
      " BEGIN DELETE FROM hidden_values WHERE response_id = old.response_id;"
      " END;");
}

bool SqliteStore::Exec(const char* sql) {
  return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

// Group commit: the posts that arrive while a transaction is being written wait
// together, and the first of them writes them all in the next transaction, one
// fsync for the lot. Each caller returns only once the transaction holding its
// write has committed, so an acknowledged response is on disk as before.
Store::Outcome SqliteStore::Upsert(const Version& version) {
  Write write{&version};
  std::unique_lock<std::mutex> queue_lock(queue_mu_);
  queue_.push_back(&write);
  // Wait while another thread writes; then either our write is done or we
  // lead the next batch.
  queue_cv_.wait(queue_lock, [&] { return write.done || !writing_; });
  if (write.done) return write.outcome;
  writing_ = true;
  std::vector<Write*> batch(queue_.begin(), queue_.end());
  queue_.clear();
  queue_lock.unlock();
  {
    std::lock_guard<std::mutex> lock(mu_);
    WriteBatch(batch);
  }
  queue_lock.lock();
  for (Write* w : batch) w->done = true;
  writing_ = false;
  queue_cv_.notify_all();
  return write.outcome;
}

void SqliteStore::WriteBatch(const std::vector<Write*>& batch) {
  if (!Exec("BEGIN IMMEDIATE")) {
    for (Write* w : batch) w->outcome = Outcome::kFailed;
    return;
  }
  for (Write* w : batch) {
    // One failed write must not take the others with it.
    Exec("SAVEPOINT one");
    w->outcome = Apply(*w->version);
    if (w->outcome == Outcome::kFailed) Exec("ROLLBACK TO one");
    Exec("RELEASE one");
  }
  if (!Exec("COMMIT")) {
    Exec("ROLLBACK");
    for (Write* w : batch) w->outcome = Outcome::kFailed;
  }
}

Store::Outcome SqliteStore::Apply(const Version& version) {
  const ResponseRecord& record = version.record;
  const std::string& survey_id = version.survey_id;
  const std::string& visitor_id = version.visitor_id;
  const std::string& payload = version.payload;
  Outcome outcome = Outcome::kFailed;
  {
    Statement find(
        db_,
        "SELECT status, submitted_at_ms, survey_id, visitor_id FROM responses"
        " WHERE response_id = ?");
    find.Bind(1, record.response_id);
    const int step = sqlite3_step(find.get());
    if (step == SQLITE_ROW) {
      ResponseRecord stored;
      const auto* status = sqlite3_column_text(find.get(), 0);
      stored.status =
          StatusFromName(status ? reinterpret_cast<const char*>(status) : "");
      stored.submitted_at_ms = sqlite3_column_int64(find.get(), 1);
      const auto* stored_survey = sqlite3_column_text(find.get(), 2);
      const auto* stored_visitor = sqlite3_column_text(find.get(), 3);
      if (survey_id !=
          (stored_survey ? reinterpret_cast<const char*>(stored_survey) : "")) {
        outcome = Outcome::kOtherSurvey;
      } else if (stored_visitor &&
                 visitor_id != reinterpret_cast<const char*>(stored_visitor)) {
        outcome = Outcome::kOtherVisitor;
      } else if (!Supersedes(record, stored)) {
        outcome = Outcome::kKept;
      } else {
        Statement update(
            db_,
            "UPDATE responses SET status = ?, submitted_at_ms = ?, payload = ?,"
            " received_at_ms = ?, record = ?, hidden_for = ?"
            " WHERE response_id = ?");
        update.Bind(1, std::string(StatusName(record.status)));
        update.Bind(2, record.submitted_at_ms);
        update.Bind(3, payload);
        update.Bind(4, NowMs());
        update.BindOrNull(5, version.encoded);
        update.BindOrNull(6, version.hidden ? version.encoded : nullptr);
        update.Bind(7, record.response_id);
        outcome = sqlite3_step(update.get()) == SQLITE_DONE ? Outcome::kReplaced
                                                            : Outcome::kFailed;
        if (outcome == Outcome::kReplaced &&
            !WriteHidden(record.response_id, survey_id, record.submitted_at_ms,
                         version.encoded, version.hidden))
          outcome = Outcome::kFailed;
        if (outcome == Outcome::kReplaced && version.comments &&
            !WriteComments(record.response_id, survey_id,
                           record.submitted_at_ms, *version.comments))
          outcome = Outcome::kFailed;
        if (outcome == Outcome::kReplaced && version.alerts &&
            !WriteAlerts(record.response_id, survey_id, *version.alerts, false))
          outcome = Outcome::kFailed;
      }
    } else if (step != SQLITE_DONE) {
      outcome = Outcome::kFailed;
    } else if (int erased = IsErased(db_, record.response_id); erased != 0) {
      outcome = erased > 0 ? Outcome::kErased : Outcome::kFailed;
    } else if (!version.may_insert) {
      outcome = Outcome::kNotNew;
    } else {
      Statement insert(db_,
                       "INSERT INTO responses (response_id, survey_id, status, "
                       "submitted_at_ms, received_at_ms, payload, visitor_id,"
                       " client_key, record, hidden_for) VALUES (?, ?, ?, ?,"
                       " ?, ?, ?, NULLIF(?, ''), ?, ?)");
      insert.Bind(1, record.response_id);
      insert.Bind(2, survey_id);
      insert.Bind(3, std::string(StatusName(record.status)));
      insert.Bind(4, record.submitted_at_ms);
      insert.Bind(5, NowMs());
      insert.Bind(6, payload);
      insert.Bind(7, visitor_id);
      insert.Bind(8, version.client_key);
      insert.BindOrNull(9, version.encoded);
      insert.BindOrNull(10, version.hidden ? version.encoded : nullptr);
      outcome = sqlite3_step(insert.get()) == SQLITE_DONE ? Outcome::kInserted
                                                          : Outcome::kFailed;
      if (outcome == Outcome::kInserted &&
          !WriteHidden(record.response_id, survey_id, record.submitted_at_ms,
                       version.encoded, version.hidden))
        outcome = Outcome::kFailed;
      if (outcome == Outcome::kInserted && version.comments &&
          !WriteComments(record.response_id, survey_id, record.submitted_at_ms,
                         *version.comments))
        outcome = Outcome::kFailed;
      if (outcome == Outcome::kInserted && version.alerts &&
          !WriteAlerts(record.response_id, survey_id, *version.alerts, true))
        outcome = Outcome::kFailed;
    }
  }
  return outcome;
}

std::map<std::string, std::int64_t> SqliteStore::FirstSeen(
    const std::vector<std::string>& survey_ids) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, std::int64_t> seen;
  const std::int64_t now = NowMs();
  for (const std::string& id : survey_ids) {
    Statement add(db_,
                  "INSERT OR IGNORE INTO surveys (survey_id, first_seen_ms)"
                  " VALUES (?, ?)");
    add.Bind(1, id);
    add.Bind(2, now);
    sqlite3_step(add.get());
    Statement get(db_, "SELECT first_seen_ms FROM surveys WHERE survey_id = ?");
    get.Bind(1, id);
    seen[id] = sqlite3_step(get.get()) == SQLITE_ROW
                   ? sqlite3_column_int64(get.get(), 0)
                   : now;
  }
  return seen;
}

bool SqliteStore::WriteHidden(const std::string& response_id,
                              const std::string& survey_id,
                              std::int64_t submitted_at_ms,
                              const std::string* record,
                              const HiddenValues* hidden) {
  Statement remove(db_, "DELETE FROM hidden_values WHERE response_id = ?");
  remove.Bind(1, response_id);
  if (sqlite3_step(remove.get()) != SQLITE_DONE) return false;
  if (!hidden || !record) return true;
  for (const auto& [name, value] : *hidden) {
    Statement add(db_,
                  "INSERT OR IGNORE INTO hidden_values (survey_id, name, value,"
                  " submitted_at_ms, response_id, record)"
                  " VALUES (?, ?, ?, ?, ?, ?)");
    add.Bind(1, survey_id);
    add.Bind(2, name);
    add.Bind(3, value);
    add.Bind(4, submitted_at_ms);
    add.Bind(5, response_id);
    add.Bind(6, *record);
    if (sqlite3_step(add.get()) != SQLITE_DONE) return false;
  }
  return true;
}

bool SqliteStore::WriteComments(const std::string& response_id,
                                const std::string& survey_id,
                                std::int64_t submitted_at_ms,
                                const std::vector<Comment>& comments) {
  Statement remove(db_, "DELETE FROM comments WHERE response_id = ?");
  remove.Bind(1, response_id);
  if (sqlite3_step(remove.get()) != SQLITE_DONE) return false;
  for (const Comment& c : comments) {
    Statement add(db_,
                  "INSERT INTO comments (response_id, survey_id, question,"
                  " kind, submitted_at_ms, text) VALUES (?, ?, ?, ?, ?, ?)");
    add.Bind(1, response_id);
    add.Bind(2, survey_id);
    add.Bind(3, c.question);
    add.Bind(4, c.kind);
    add.Bind(5, submitted_at_ms);
    add.Bind(6, c.text);
    if (sqlite3_step(add.get()) != SQLITE_DONE) return false;
  }
  return true;
}

bool SqliteStore::Comments(const CommentQuery& q,
                           std::vector<CommentRow>* rows) {
  // Each term as an FTS5 prefix query: "term"*, all of them required. The
  // terms are letters and digits only (sondar::SearchTerms), so quoting them
  // cannot change the query's meaning.
  std::string match;
  for (const std::string& term : q.terms)
    match += (match.empty() ? "\"" : " \"") + term + "\"*";
  const std::string sql =
      std::string(
          "SELECT c.id, c.response_id, c.question, c.kind, c.text,"
          " c.submitted_at_ms, r.payload FROM comments c"
          " JOIN responses r ON r.response_id = c.response_id"
          " WHERE c.survey_id = ?1 AND c.submitted_at_ms >= ?2"
          " AND c.submitted_at_ms < ?3 AND (c.submitted_at_ms, c.id) < (?4, "
          "?5)") +
      (match.empty() ? ""
                     : " AND c.id IN (SELECT rowid FROM comments_fts"
                       " WHERE comments_fts MATCH ?7)") +
      " ORDER BY c.submitted_at_ms DESC, c.id DESC LIMIT ?6";
  std::lock_guard<std::mutex> lock(read_mu_);
  Statement select(read_db_, sql.c_str());
  if (!select) return false;
  select.Bind(1, q.survey_id);
  select.Bind(2, q.range.from_ms);
  select.Bind(3, q.range.to_ms);
  select.Bind(4, q.before_ms);
  select.Bind(5, q.before_id);
  select.Bind(6, static_cast<std::int64_t>(q.limit));
  if (!match.empty()) select.Bind(7, match);
  auto text = [&](int column) {
    const unsigned char* t = sqlite3_column_text(select.get(), column);
    return std::string(t ? reinterpret_cast<const char*>(t) : "",
                       sqlite3_column_bytes(select.get(), column));
  };
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
    CommentRow row;
    row.id = sqlite3_column_int64(select.get(), 0);
    row.response_id = text(1);
    row.question = text(2);
    row.kind = text(3);
    row.text = text(4);
    row.submitted_at_ms = sqlite3_column_int64(select.get(), 5);
    row.payload = text(6);
    rows->push_back(std::move(row));
  }
  return step == SQLITE_DONE;
}

bool SqliteStore::Find(const std::string& response_id,
                       std::optional<std::string>* payload) {
  std::lock_guard<std::mutex> lock(read_mu_);
  Statement select(read_db_,
                   "SELECT payload FROM responses WHERE response_id = ?");
  if (!select) return false;
  select.Bind(1, response_id);
  const int step = sqlite3_step(select.get());
  if (step == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(select.get(), 0);
    *payload = std::string(t ? reinterpret_cast<const char*>(t) : "");
  } else {
    payload->reset();
  }
  return step == SQLITE_ROW || step == SQLITE_DONE;
}

std::int64_t SqliteStore::DeriveOld(
    const std::function<std::optional<Derived>(const std::string&)>& derive,
    const std::function<bool()>& stop) {
  // In batches, each its own transaction, so posts keep being written in
  // between; a row written meanwhile has its record already.
  std::int64_t derived = 0;
  while (!stop()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!Exec("BEGIN IMMEDIATE")) return -1;
    // Each batch leaves the set (a row no version reads gets "" for both),
    // so no order is needed: the partial index gives the next ones.
    Statement select(db_,
                     "SELECT rowid, response_id, survey_id, submitted_at_ms,"
                     " payload FROM responses INDEXED BY responses_unindexed"
                     " WHERE record IS NULL OR hidden_for IS NOT record"
                     " LIMIT 500");
    int step, n = 0;
    bool ok = static_cast<bool>(select);
    while (ok && (step = sqlite3_step(select.get())) == SQLITE_ROW) {
      ++n;
      auto column = [&](int i) {
        const unsigned char* t = sqlite3_column_text(select.get(), i);
        return std::string(t ? reinterpret_cast<const char*>(t) : "");
      };
      const auto got = derive(column(4));
      Statement mark(db_,
                     "UPDATE responses SET record = ?1, hidden_for = ?1"
                     " WHERE rowid = ?2");
      mark.Bind(1, got ? got->record : std::string());
      mark.Bind(2, sqlite3_column_int64(select.get(), 0));
      const std::int64_t submitted = sqlite3_column_int64(select.get(), 3);
      ok = sqlite3_step(mark.get()) == SQLITE_DONE &&
           (got ? WriteComments(column(1), column(2), submitted,
                                got->comments) &&
                      WriteHidden(column(1), column(2), submitted, &got->record,
                                  &got->hidden)
                : WriteHidden(column(1), column(2), submitted, nullptr,
                              nullptr));
      if (got) ++derived;
    }
    if (!ok || step != SQLITE_DONE) {
      Exec("ROLLBACK");
      return -1;
    }
    if (!Exec("COMMIT")) return -1;
    if (n == 0) return derived;
  }
  return derived;
}

bool SqliteStore::ForEachRecord(
    const std::string& survey_id, const TimeRange& range,
    const std::function<bool(std::string_view, std::string_view)>& fn,
    int /*batch*/, const RolledFn* rolled) {
  // A read-only connection of its own, for one statement over the covering
  // index in its order: no paging (which would sort or rescan), no lock on
  // the shared read connection. One read transaction: the aggregated days
  // and the rows are one snapshot, so a day rolled up meanwhile is counted
  // once.
  const auto db = Snapshot();
  if (!db) return false;
  sqlite3* raw = db.get();
  if (rolled) {
    Statement days(raw,
                   "SELECT kind, count FROM rollups WHERE survey_id = ?1"
                   " AND day_ms >= ?2 AND day_ms < ?3 ORDER BY day_ms, kind");
    if (!days) return false;
    days.Bind(1, survey_id);
    days.Bind(2, range.from_ms);
    days.Bind(3, range.to_ms);
    int step;
    while ((step = sqlite3_step(days.get())) == SQLITE_ROW)
      (*rolled)(Text(days.get(), 0), sqlite3_column_int64(days.get(), 1));
    if (step != SQLITE_DONE) return false;
  }
  Statement select(raw,
                   "SELECT record, rowid FROM responses"
                   " INDEXED BY responses_by_time WHERE survey_id = ?1"
                   " AND submitted_at_ms >= ?2 AND submitted_at_ms < ?3"
                   " ORDER BY submitted_at_ms, record");
  if (!select) return false;
  select.Bind(1, survey_id);
  select.Bind(2, range.from_ms);
  select.Bind(3, range.to_ms);
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(select.get(), 0);
    const std::string_view record(t ? reinterpret_cast<const char*>(t) : "",
                                  sqlite3_column_bytes(select.get(), 0));
    if (!record.empty()) {
      if (!fn(record, {})) return true;
      continue;
    }
    // A row without a record (from before records, or unreadable) is read
    // whole; they are few.
    Statement payload(raw, "SELECT payload FROM responses WHERE rowid = ?");
    payload.Bind(1, sqlite3_column_int64(select.get(), 1));
    if (sqlite3_step(payload.get()) != SQLITE_ROW) return false;
    const unsigned char* p = sqlite3_column_text(payload.get(), 0);
    if (!fn({}, std::string_view(p ? reinterpret_cast<const char*>(p) : "",
                                 sqlite3_column_bytes(payload.get(), 0))))
      return true;
  }
  return step == SQLITE_DONE;
}

SqliteStore::Connection SqliteStore::Snapshot() const {
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(raw);
    return Connection(nullptr, sqlite3_close);
  }
  Connection db(raw, sqlite3_close);
  sqlite3_busy_timeout(raw, 5000);
  if (sqlite3_exec(raw, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK)
    db.reset();
  return db;
}

bool SqliteStore::ForEachHiddenKind(const std::string& survey_id,
                                    const TimeRange& range,
                                    const HiddenValues& hidden,
                                    const Needles& contains, const KindFn& fn) {
  if (hidden.empty()) return false;
  // Both parts in one snapshot: a row indexed meanwhile comes once.
  const auto db = Snapshot();
  if (!db) return false;
  // The first pair is a range of the index in time order; every other one
  // a lookup of the same response.
  std::string sql =
      "SELECT h.record FROM hidden_values h WHERE h.survey_id = ?1"
      " AND h.name = ?2 AND h.value = ?3 AND h.submitted_at_ms >= ?4"
      " AND h.submitted_at_ms < ?5 AND h.record IS NOT NULL";
  for (std::size_t i = 1; i < hidden.size(); ++i) {
    sql +=
        " AND EXISTS (SELECT 1 FROM hidden_values o WHERE"
        " o.response_id = h.response_id AND o.name = ?" +
        std::to_string(4 + 2 * i) + " AND o.value = ?" +
        std::to_string(5 + 2 * i) + ")";
  }
  sql += " ORDER BY h.submitted_at_ms";
  Statement indexed(db.get(), sql.c_str());
  if (!indexed) return false;
  indexed.Bind(1, survey_id);
  indexed.Bind(2, hidden[0].first);
  indexed.Bind(3, hidden[0].second);
  indexed.Bind(4, range.from_ms);
  indexed.Bind(5, range.to_ms);
  for (std::size_t i = 1; i < hidden.size(); ++i) {
    indexed.Bind(static_cast<int>(4 + 2 * i), hidden[i].first);
    indexed.Bind(static_cast<int>(5 + 2 * i), hidden[i].second);
  }
  std::string kind;
  int step;
  while ((step = sqlite3_step(indexed.get())) == SQLITE_ROW) {
    const std::string_view record = TextView(indexed.get(), 0);
    if (!(RecordKind(record, &kind) ? fn(kind, 1, {}) : fn({}, 1, {})))
      return true;
  }
  if (step != SQLITE_DONE) return false;
  // The rows the index does not answer for: usually none or a few (a
  // start's DeriveOld indexes them); the texts narrow the payloads read.
  std::string rest =
      "SELECT payload FROM responses INDEXED BY responses_unindexed"
      " WHERE survey_id = ?1 AND submitted_at_ms >= ?2"
      " AND submitted_at_ms < ?3"
      " AND (record IS NULL OR hidden_for IS NOT record)";
  rest += ContainsSql(contains, 4);
  rest += " ORDER BY submitted_at_ms";
  Statement unindexed(db.get(), rest.c_str());
  if (!unindexed) return false;
  unindexed.Bind(1, survey_id);
  unindexed.Bind(2, range.from_ms);
  unindexed.Bind(3, range.to_ms);
  BindContains(&unindexed, contains, 4);
  while ((step = sqlite3_step(unindexed.get())) == SQLITE_ROW) {
    if (!fn({}, 1, TextView(unindexed.get(), 0))) return true;
  }
  return step == SQLITE_DONE;
}

bool SqliteStore::ForEach(const std::string& survey_id, const TimeRange& range,
                          const std::function<bool(const std::string&)>& fn,
                          int batch, const Needles& contains) {
  std::string sql =
      "SELECT rowid, payload FROM responses WHERE rowid > ?1"
      " AND (?2 = '' OR survey_id = ?2)"
      " AND submitted_at_ms >= ?3 AND submitted_at_ms < ?4";
  sql += ContainsSql(contains, 6);
  sql += " ORDER BY rowid LIMIT ?5";
  std::int64_t after = 0;
  for (;;) {
    std::vector<std::pair<std::int64_t, std::string>> rows;
    {
      std::lock_guard<std::mutex> lock(read_mu_);
      Statement select(read_db_, sql.c_str());
      if (!select) return false;
      select.Bind(1, after);
      select.Bind(2, survey_id);
      select.Bind(3, range.from_ms);
      select.Bind(4, range.to_ms);
      select.Bind(5, static_cast<std::int64_t>(batch));
      BindContains(&select, contains, 6);
      int step;
      while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
        const auto* text =
            reinterpret_cast<const char*>(sqlite3_column_text(select.get(), 1));
        rows.emplace_back(sqlite3_column_int64(select.get(), 0),
                          text ? text : "");
      }
      // A failed step (a corrupt page, an I/O error) is not the end of the
      // rows.
      if (step != SQLITE_DONE) return false;
    }
    for (const auto& row : rows)
      if (!fn(row.second)) return true;
    if (rows.size() < static_cast<std::size_t>(batch)) return true;
    after = rows.back().first;
  }
}

std::int64_t SqliteStore::ReadNumber(const char* sql,
                                     const std::string& survey_id,
                                     std::int64_t extra) {
  std::lock_guard<std::mutex> lock(read_mu_);
  Statement query(read_db_, sql);
  if (!query) return -1;
  if (!survey_id.empty()) query.Bind(1, survey_id);
  if (extra) query.Bind(2, extra);
  return sqlite3_step(query.get()) == SQLITE_ROW
             ? sqlite3_column_int64(query.get(), 0)
             : -1;
}

std::int64_t SqliteStore::ForgetCommentedRecords(std::int64_t since_ms) {
  std::int64_t forgot = 0, after = 0;
  for (;;) {
    // A batch at a time, each its own write: posts wait for one batch, not
    // for all of them.
    std::lock_guard<std::mutex> lock(mu_);
    Statement forget(db_,
                     "UPDATE responses SET record = NULL WHERE rowid IN"
                     " (SELECT rowid FROM responses WHERE rowid > ?2"
                     " AND record <> '' AND received_at_ms >= ?1"
                     " AND response_id IN (SELECT response_id FROM comments)"
                     " ORDER BY rowid LIMIT 5000) RETURNING rowid");
    if (!forget) return -1;
    forget.Bind(1, since_ms);
    forget.Bind(2, after);
    int step, n = 0;
    while ((step = sqlite3_step(forget.get())) == SQLITE_ROW) {
      after =
          std::max<std::int64_t>(after, sqlite3_column_int64(forget.get(), 0));
      ++n;
    }
    if (step != SQLITE_DONE) return -1;
    forgot += n;
    if (n == 0) return forgot;
  }
}

std::string SqliteStore::Meta(const std::string& key) {
  std::lock_guard<std::mutex> lock(read_mu_);
  Statement get(read_db_, "SELECT value FROM meta WHERE key = ?");
  if (!get) return "";
  get.Bind(1, key);
  if (sqlite3_step(get.get()) != SQLITE_ROW) return "";
  const auto* text =
      reinterpret_cast<const char*>(sqlite3_column_text(get.get(), 0));
  return text ? text : "";
}

bool SqliteStore::SetMeta(const std::string& key, const std::string& value) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement set(db_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
  if (!set) return false;
  set.Bind(1, key);
  set.Bind(2, value);
  return sqlite3_step(set.get()) == SQLITE_DONE;
}

std::int64_t SqliteStore::Underived() {
  return ReadNumber("SELECT COUNT(*) FROM responses WHERE record IS NULL", "");
}

std::int64_t SqliteStore::Count() {
  return ReadNumber("SELECT COUNT(*) FROM responses", "");
}

std::int64_t SqliteStore::CountComplete(const std::string& survey_id,
                                        int per_client) {
  return ReadNumber(
      "SELECT COALESCE(SUM(CASE WHEN k = '' THEN n ELSE MIN(n, ?2) END), 0)"
      " FROM (SELECT k, SUM(n) AS n FROM ("
      "  SELECT COALESCE(client_key, response_id) AS k, COUNT(*) AS n"
      "  FROM responses WHERE survey_id = ?1 AND status = 'complete'"
      "  GROUP BY 1"
      // Days past retention: what their rows counted, per client.
      "  UNION ALL SELECT client_key, complete FROM rolled_clients"
      "  WHERE survey_id = ?1) GROUP BY k)",
      survey_id, per_client);
}

std::int64_t SqliteStore::StoredBytes(const std::string& survey_id) {
  return ReadNumber(
      "SELECT COALESCE(SUM(LENGTH(CAST(payload AS BLOB))), 0) FROM responses"
      " WHERE survey_id = ?1",
      survey_id);
}

bool SqliteStore::Probe(std::size_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement probe(db_,
                  "INSERT OR REPLACE INTO meta (key, value) VALUES"
                  " ('probe', ?)");
  if (!probe) return false;
  probe.Bind(1, ProbeText(bytes));
  return sqlite3_step(probe.get()) == SQLITE_DONE;
}

std::string SqliteStore::Secret() {
  std::lock_guard<std::mutex> lock(read_mu_);
  Statement get(read_db_, "SELECT value FROM meta WHERE key = 'secret'");
  if (!get || sqlite3_step(get.get()) != SQLITE_ROW) return "";
  const auto* text =
      reinterpret_cast<const char*>(sqlite3_column_text(get.get(), 0));
  return text ? text : "";
}

}  // namespace sondar::collector

namespace sondar::collector {

Store::Published SqliteStore::Publish(const Document& d, int expected) {
  std::lock_guard<std::mutex> lock(mu_);
  // One statement: the version is written only over the expected latest, and
  // the primary key turns a racing writer's same number into a no-op.
  Statement insert(db_,
                   "INSERT INTO documents (kind, id, version, content,"
                   " published_at_ms, source, from_version)"
                   " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7"
                   " WHERE (SELECT COALESCE(MAX(version), 0) FROM documents"
                   "  WHERE kind = ?1 AND id = ?2) = ?8 AND ?3 > ?8"
                   " ON CONFLICT DO NOTHING");
  if (!insert) return Published::kFailed;
  insert.Bind(1, d.kind);
  insert.Bind(2, d.id);
  insert.Bind(3, std::int64_t{d.version});
  insert.Bind(4, d.content);
  insert.Bind(5, d.published_at_ms);
  insert.Bind(6, d.source);
  insert.Bind(7, std::int64_t{d.from_version});
  insert.Bind(8, std::int64_t{expected});
  if (sqlite3_step(insert.get()) != SQLITE_DONE) return Published::kFailed;
  return sqlite3_changes(db_) == 1 ? Published::kPublished
                                   : Published::kConflict;
}

std::int64_t SqliteStore::DocumentCount() {
  return ReadNumber("SELECT COUNT(*) FROM documents", "");
}

bool SqliteStore::Documents(const std::function<void(Document)>& fn) {
  std::lock_guard<std::mutex> lock(read_mu_);
  Statement select(read_db_,
                   "SELECT kind, id, version, content, published_at_ms,"
                   " source, from_version FROM documents"
                   " ORDER BY published_at_ms, kind, id, version");
  if (!select) return false;
  int step;
  auto text = [&](int column) {
    const unsigned char* t = sqlite3_column_text(select.get(), column);
    return std::string(t ? reinterpret_cast<const char*>(t) : "",
                       sqlite3_column_bytes(select.get(), column));
  };
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
    Document d;
    d.kind = text(0);
    d.id = text(1);
    d.version = sqlite3_column_int(select.get(), 2);
    d.content = text(3);
    d.published_at_ms = sqlite3_column_int64(select.get(), 4);
    d.source = text(5);
    d.from_version = sqlite3_column_int(select.get(), 6);
    fn(std::move(d));
  }
  return step == SQLITE_DONE;
}

namespace {

constexpr const char* kDeliveryColumns =
    "id, webhook_id, response_id, body, state, created_ms, next_at_ms,"
    " expires_ms, COALESCE(delivered_ms, 0), attempts,"
    " COALESCE(last_status, 0), COALESCE(last_error, '')";

Delivery ReadDelivery(sqlite3_stmt* stmt) {
  Delivery d;
  d.id = Text(stmt, 0);
  d.webhook_id = Text(stmt, 1);
  d.response_id = Text(stmt, 2);
  d.body = Text(stmt, 3);
  d.state = Text(stmt, 4);
  d.created_ms = sqlite3_column_int64(stmt, 5);
  d.next_at_ms = sqlite3_column_int64(stmt, 6);
  d.expires_ms = sqlite3_column_int64(stmt, 7);
  d.delivered_ms = sqlite3_column_int64(stmt, 8);
  d.attempts = sqlite3_column_int(stmt, 9);
  d.last_status = sqlite3_column_int(stmt, 10);
  d.last_error = Text(stmt, 11);
  return d;
}

}  // namespace

bool SqliteStore::WriteAlerts(const std::string& response_id,
                              const std::string& survey_id,
                              const std::vector<AlertWrite>& alerts,
                              bool fresh) {
  for (const AlertWrite& a : alerts) {
    if (a.action == AlertWrite::Action::kWithdraw) {
      if (fresh) continue;
      Statement remove(db_,
                       "DELETE FROM deliveries WHERE webhook_id = ?"
                       " AND response_id = ? AND state = 'held'");
      remove.Bind(1, a.webhook_id);
      remove.Bind(2, response_id);
      if (sqlite3_step(remove.get()) != SQLITE_DONE) return false;
      // The case the alert opened goes with its last alert, unless someone
      // has worked on it.
      Statement unopen(db_,
                       "DELETE FROM cases WHERE response_id = ?1"
                       " AND source = 'alert' AND touched = 0 AND NOT EXISTS"
                       " (SELECT 1 FROM deliveries WHERE response_id = ?1)");
      unopen.Bind(1, response_id);
      if (sqlite3_step(unopen.get()) != SQLITE_DONE) return false;
      continue;
    }
    Statement open(db_,
                   "INSERT INTO cases (response_id, survey_id, state, source,"
                   " created_ms, updated_ms) SELECT ?1, ?2, 'open', 'alert',"
                   " ?3, ?3 WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = ?4)"
                   " ON CONFLICT DO NOTHING");
    open.Bind(1, response_id);
    open.Bind(2, survey_id);
    open.Bind(3, NowMs());
    open.Bind(4, a.webhook_id);
    if (sqlite3_step(open.get()) != SQLITE_DONE) return false;
    // Only a held (not yet sent) alert is replaced: one sent, or being
    // sent, stays the response's only one.
    const bool fire = a.action == AlertWrite::Action::kFire;
    Statement upsert(
        db_, fire ? "INSERT INTO deliveries (id, webhook_id, response_id, body,"
                    " state, created_ms, next_at_ms, expires_ms)"
                    " SELECT ?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?7"
                    " WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = ?2)"
                    " ON CONFLICT (webhook_id, response_id) DO UPDATE SET"
                    " body = excluded.body, state = 'pending',"
                    " next_at_ms = excluded.next_at_ms,"
                    " expires_ms = excluded.expires_ms"
                    " WHERE deliveries.state = 'held'"
                  : "INSERT INTO deliveries (id, webhook_id, response_id, body,"
                    " state, created_ms, next_at_ms, expires_ms)"
                    " SELECT ?1, ?2, ?3, ?4, 'held', ?5, ?6, ?7"
                    " WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = ?2)"
                    " ON CONFLICT (webhook_id, response_id) DO UPDATE SET"
                    " body = excluded.body WHERE deliveries.state = 'held'");
    upsert.Bind(1, a.delivery_id);
    upsert.Bind(2, a.webhook_id);
    upsert.Bind(3, response_id);
    upsert.Bind(4, a.body);
    upsert.Bind(5, NowMs());
    upsert.Bind(6, a.next_at_ms);
    upsert.Bind(7, a.expires_ms);
    if (sqlite3_step(upsert.get()) != SQLITE_DONE) return false;
  }
  return true;
}

bool SqliteStore::AddWebhook(const Webhook& w) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement insert(db_,
                   "INSERT INTO webhooks (id, definition, secret, created_ms)"
                   " VALUES (?, ?, ?, ?)");
  insert.Bind(1, w.id);
  insert.Bind(2, w.definition);
  insert.Bind(3, w.secret);
  insert.Bind(4, w.created_ms);
  return sqlite3_step(insert.get()) == SQLITE_DONE;
}

bool SqliteStore::Webhooks(std::vector<Webhook>* webhooks) {
  std::lock_guard<std::mutex> lock(read_mu_);
  Statement select(read_db_,
                   "SELECT id, definition, secret, created_ms,"
                   " COALESCE(disabled_ms, 0), COALESCE(last_success_ms, 0),"
                   " COALESCE(failing_since_ms, 0), failures FROM webhooks"
                   " ORDER BY created_ms, id");
  if (!select) return false;
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
    Webhook w;
    w.id = Text(select.get(), 0);
    w.definition = Text(select.get(), 1);
    w.secret = Text(select.get(), 2);
    w.created_ms = sqlite3_column_int64(select.get(), 3);
    w.disabled_ms = sqlite3_column_int64(select.get(), 4);
    w.last_success_ms = sqlite3_column_int64(select.get(), 5);
    w.failing_since_ms = sqlite3_column_int64(select.get(), 6);
    w.failures = sqlite3_column_int64(select.get(), 7);
    webhooks->push_back(std::move(w));
  }
  return step == SQLITE_DONE;
}

int SqliteStore::DeleteWebhook(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!Exec("BEGIN IMMEDIATE")) return -1;
  Statement deliveries(db_, "DELETE FROM deliveries WHERE webhook_id = ?");
  deliveries.Bind(1, id);
  Statement webhook(db_, "DELETE FROM webhooks WHERE id = ?");
  webhook.Bind(1, id);
  if (sqlite3_step(deliveries.get()) != SQLITE_DONE ||
      sqlite3_step(webhook.get()) != SQLITE_DONE) {
    Exec("ROLLBACK");
    return -1;
  }
  const int deleted = sqlite3_changes(db_);
  if (!Exec("COMMIT")) {
    Exec("ROLLBACK");
    return -1;
  }
  return deleted > 0 ? 1 : 0;
}

bool SqliteStore::Deliveries(const std::string& webhook_id,
                             const std::string& state, int limit,
                             std::vector<Delivery>* deliveries) {
  std::lock_guard<std::mutex> lock(read_mu_);
  const std::string sql = std::string("SELECT ") + kDeliveryColumns +
                          " FROM deliveries WHERE webhook_id = ?1"
                          " AND (?2 = '' OR state = ?2)"
                          " ORDER BY created_ms DESC, id DESC LIMIT ?3";
  Statement select(read_db_, sql.c_str());
  if (!select) return false;
  select.Bind(1, webhook_id);
  select.Bind(2, state);
  select.Bind(3, std::int64_t{limit});
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW)
    deliveries->push_back(ReadDelivery(select.get()));
  return step == SQLITE_DONE;
}

bool SqliteStore::Claim(std::int64_t now_ms, std::int64_t lease_ms, int limit,
                        std::vector<Delivery>* claimed) {
  std::lock_guard<std::mutex> lock(mu_);
  // One statement, so atomic also against other processes on the file.
  const std::string sql =
      std::string(
          "UPDATE deliveries SET state = 'pending', next_at_ms = ?2"
          " WHERE id IN (SELECT d.id FROM deliveries d JOIN webhooks w"
          " ON w.id = d.webhook_id WHERE d.state IN ('held', 'pending')"
          " AND d.next_at_ms <= ?1 AND w.disabled_ms IS NULL"
          " ORDER BY d.next_at_ms LIMIT ?3) RETURNING ") +
      kDeliveryColumns;
  Statement update(db_, sql.c_str());
  if (!update) return false;
  update.Bind(1, now_ms);
  update.Bind(2, now_ms + lease_ms);
  update.Bind(3, std::int64_t{limit});
  int step;
  while ((step = sqlite3_step(update.get())) == SQLITE_ROW)
    claimed->push_back(ReadDelivery(update.get()));
  return step == SQLITE_DONE;
}

int SqliteStore::Enqueue(const AlertWrite& a, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement insert(db_,
                   "INSERT INTO deliveries (id, webhook_id, response_id, body,"
                   " state, created_ms, next_at_ms, expires_ms)"
                   " SELECT ?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?7"
                   " WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = ?2)"
                   " ON CONFLICT DO NOTHING");
  insert.Bind(1, a.delivery_id);
  insert.Bind(2, a.webhook_id);
  insert.Bind(3, key);
  insert.Bind(4, a.body);
  insert.Bind(5, NowMs());
  insert.Bind(6, a.next_at_ms);
  insert.Bind(7, a.expires_ms);
  if (sqlite3_step(insert.get()) != SQLITE_DONE) return -1;
  return sqlite3_changes(db_) > 0 ? 1 : 0;
}

int SqliteStore::HasDelivery(const std::string& webhook_id,
                             const std::string& key) {
  std::lock_guard<std::mutex> lock(read_mu_);
  Statement select(read_db_,
                   "SELECT 1 FROM deliveries WHERE webhook_id = ?"
                   " AND response_id = ?");
  if (!select) return -1;
  select.Bind(1, webhook_id);
  select.Bind(2, key);
  const int step = sqlite3_step(select.get());
  return step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : -1;
}

bool SqliteStore::Settle(const std::vector<Attempt>& attempts) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!Exec("BEGIN IMMEDIATE")) return false;
  for (const Attempt& a : attempts) {
    Statement delivery(db_,
                       a.ok ? "UPDATE deliveries SET state = 'delivered',"
                              " delivered_ms = ?2, attempts = attempts + 1,"
                              " last_status = ?3, last_error = NULL"
                              " WHERE id = ?1 AND state = 'pending'"
                            : "UPDATE deliveries SET attempts = attempts + 1,"
                              " last_status = NULLIF(?3, 0), last_error = ?4,"
                              " state = CASE WHEN ?5 >= expires_ms THEN 'dead'"
                              "  ELSE 'pending' END, next_at_ms = ?5"
                              " WHERE id = ?1 AND state = 'pending'");
    delivery.Bind(1, a.delivery_id);
    delivery.Bind(2, a.at_ms);
    delivery.Bind(3, std::int64_t{a.status});
    if (!a.ok) {
      delivery.Bind(4, a.error);
      delivery.Bind(5, a.retry_at_ms);
    }
    Statement webhook(
        db_, a.ok ? "UPDATE webhooks SET last_success_ms = ?2,"
                    " failing_since_ms = NULL WHERE id = ?1"
                  : "UPDATE webhooks SET failures = failures + 1,"
                    " disabled_ms = CASE WHEN ?2 - COALESCE(failing_since_ms,"
                    " ?2) >= ?3 THEN ?2 ELSE disabled_ms END,"
                    " failing_since_ms = COALESCE(failing_since_ms, ?2)"
                    " WHERE id = ?1");
    webhook.Bind(1, a.webhook_id);
    webhook.Bind(2, a.at_ms);
    if (!a.ok) webhook.Bind(3, a.disable_after_ms);
    if (sqlite3_step(delivery.get()) != SQLITE_DONE ||
        sqlite3_step(webhook.get()) != SQLITE_DONE) {
      Exec("ROLLBACK");
      return false;
    }
  }
  if (!Exec("COMMIT")) {
    Exec("ROLLBACK");
    return false;
  }
  return true;
}

int SqliteStore::Retry(const std::string& webhook_id,
                       const std::string& delivery_id, std::int64_t now_ms,
                       std::int64_t window_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!Exec("BEGIN IMMEDIATE")) return -1;
  Statement delivery(
      db_,
      "UPDATE deliveries SET state = 'pending', next_at_ms = ?3,"
      " expires_ms = ?4, attempts = 0 WHERE id = ?1 AND webhook_id = ?2");
  delivery.Bind(1, delivery_id);
  delivery.Bind(2, webhook_id);
  delivery.Bind(3, now_ms);
  delivery.Bind(4, now_ms + window_ms);
  const bool ok = sqlite3_step(delivery.get()) == SQLITE_DONE;
  const int changed = sqlite3_changes(db_);
  Statement webhook(db_,
                    "UPDATE webhooks SET disabled_ms = NULL,"
                    " failing_since_ms = NULL WHERE id = ?1");
  webhook.Bind(1, webhook_id);
  if (!ok || (changed && sqlite3_step(webhook.get()) != SQLITE_DONE) ||
      !Exec("COMMIT")) {
    Exec("ROLLBACK");
    return -1;
  }
  return changed > 0 ? 1 : 0;
}

namespace {

constexpr const char* kCaseColumns =
    "c.response_id, c.survey_id, c.state, c.assignee, c.source, c.created_ms,"
    " c.updated_ms, (SELECT COUNT(*) FROM case_events e WHERE"
    " e.response_id = c.response_id AND e.note != ''), r.payload";

Case ReadCase(sqlite3_stmt* stmt) {
  Case c;
  c.response_id = Text(stmt, 0);
  c.survey_id = Text(stmt, 1);
  c.state = Text(stmt, 2);
  c.assignee = Text(stmt, 3);
  c.source = Text(stmt, 4);
  c.created_ms = sqlite3_column_int64(stmt, 5);
  c.updated_ms = sqlite3_column_int64(stmt, 6);
  c.notes = sqlite3_column_int64(stmt, 7);
  c.payload = Text(stmt, 8);
  return c;
}

}  // namespace

bool SqliteStore::Cases(const CaseQuery& q, std::vector<Case>* cases) {
  std::lock_guard<std::mutex> lock(read_mu_);
  const std::string sql =
      std::string("SELECT ") + kCaseColumns +
      " FROM cases c JOIN responses r ON r.response_id = c.response_id"
      " WHERE c.survey_id = ?1 AND (?2 = '' OR c.state = ?2)"
      " AND (?3 = 0 OR c.assignee = ?4)"
      " AND (?6 = '' OR c.created_ms < ?5 OR"
      " (c.created_ms = ?5 AND c.response_id < ?6))"
      " ORDER BY c.created_ms DESC, c.response_id DESC LIMIT ?7";
  Statement select(read_db_, sql.c_str());
  if (!select) return false;
  select.Bind(1, q.survey_id);
  select.Bind(2, q.state);
  select.Bind(3, std::int64_t{q.assignee.has_value()});
  select.Bind(4, q.assignee.value_or(""));
  select.Bind(5, q.before_ms);
  select.Bind(6, q.before_id);
  select.Bind(7, std::int64_t{q.limit});
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW)
    cases->push_back(ReadCase(select.get()));
  return step == SQLITE_DONE;
}

bool SqliteStore::CaseCounts(const std::string& survey_id,
                             std::map<std::string, std::int64_t>* counts) {
  std::lock_guard<std::mutex> lock(read_mu_);
  Statement select(read_db_,
                   "SELECT state, COUNT(*) FROM cases WHERE survey_id = ?"
                   " GROUP BY state");
  if (!select) return false;
  select.Bind(1, survey_id);
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW)
    (*counts)[Text(select.get(), 0)] = sqlite3_column_int64(select.get(), 1);
  return step == SQLITE_DONE;
}

bool SqliteStore::FindCase(const std::string& response_id,
                           std::optional<Case>* found,
                           std::vector<CaseEvent>* history) {
  std::lock_guard<std::mutex> lock(read_mu_);
  // One read transaction: the case and its history from the same moment.
  if (sqlite3_exec(read_db_, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK)
    return false;
  bool ok = true;
  {
    const std::string sql =
        std::string("SELECT ") + kCaseColumns +
        " FROM cases c JOIN responses r ON r.response_id = c.response_id"
        " WHERE c.response_id = ?";
    Statement select(read_db_, sql.c_str());
    select.Bind(1, response_id);
    const int step = select ? sqlite3_step(select.get()) : SQLITE_ERROR;
    if (step == SQLITE_ROW) *found = ReadCase(select.get());
    ok = step == SQLITE_ROW || step == SQLITE_DONE;
  }
  if (ok && *found) {
    Statement events(read_db_,
                     "SELECT at_ms, by, state, assignee, note FROM case_events"
                     " WHERE response_id = ? ORDER BY id");
    events.Bind(1, response_id);
    int step;
    while ((step = sqlite3_step(events.get())) == SQLITE_ROW) {
      CaseEvent e;
      e.at_ms = sqlite3_column_int64(events.get(), 0);
      e.by = Text(events.get(), 1);
      if (sqlite3_column_type(events.get(), 2) != SQLITE_NULL)
        e.state = Text(events.get(), 2);
      if (sqlite3_column_type(events.get(), 3) != SQLITE_NULL)
        e.assignee = Text(events.get(), 3);
      e.note = Text(events.get(), 4);
      history->push_back(std::move(e));
    }
    ok = step == SQLITE_DONE;
  }
  sqlite3_exec(read_db_, "COMMIT", nullptr, nullptr, nullptr);
  return ok;
}

Store::CaseResult SqliteStore::UpdateCase(const std::string& response_id,
                                          const CaseEvent& change,
                                          Case* after) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!Exec("BEGIN IMMEDIATE")) return CaseResult::kFailed;
  auto fail = [&](CaseResult result) {
    Exec("ROLLBACK");
    return result;
  };
  Statement open(db_,
                 "INSERT INTO cases (response_id, survey_id, state, source,"
                 " created_ms, updated_ms) SELECT response_id, survey_id,"
                 " 'open', 'manual', ?2, ?2 FROM responses"
                 " WHERE response_id = ?1 ON CONFLICT DO NOTHING");
  open.Bind(1, response_id);
  open.Bind(2, change.at_ms);
  if (sqlite3_step(open.get()) != SQLITE_DONE) return fail(CaseResult::kFailed);
  const bool opened = sqlite3_changes(db_) > 0;
  Statement update(db_,
                   "UPDATE cases SET state = COALESCE(?2, state),"
                   " assignee = COALESCE(?3, assignee), updated_ms = ?4,"
                   " touched = 1 WHERE response_id = ?1");
  update.Bind(1, response_id);
  update.BindOrNull(2, change.state ? &*change.state : nullptr);
  update.BindOrNull(3, change.assignee ? &*change.assignee : nullptr);
  update.Bind(4, change.at_ms);
  if (sqlite3_step(update.get()) != SQLITE_DONE)
    return fail(CaseResult::kFailed);
  if (sqlite3_changes(db_) == 0) return fail(CaseResult::kNoResponse);
  Statement event(db_,
                  "INSERT INTO case_events (response_id, at_ms, by, state,"
                  " assignee, note) VALUES (?, ?, ?, ?, ?, ?)");
  event.Bind(1, response_id);
  event.Bind(2, change.at_ms);
  event.Bind(3, change.by);
  event.BindOrNull(4, change.state ? &*change.state : nullptr);
  event.BindOrNull(5, change.assignee ? &*change.assignee : nullptr);
  event.Bind(6, change.note);
  if (sqlite3_step(event.get()) != SQLITE_DONE)
    return fail(CaseResult::kFailed);
  {
    const std::string sql =
        std::string("SELECT ") + kCaseColumns +
        " FROM cases c JOIN responses r ON r.response_id = c.response_id"
        " WHERE c.response_id = ?";
    Statement select(db_, sql.c_str());
    select.Bind(1, response_id);
    if (sqlite3_step(select.get()) != SQLITE_ROW)
      return fail(CaseResult::kFailed);
    *after = ReadCase(select.get());
  }
  if (!Exec("COMMIT")) return fail(CaseResult::kFailed);
  return opened ? CaseResult::kOpened : CaseResult::kUpdated;
}

bool SqliteStore::ForEachRepeatRecord(
    const std::string& survey_id,
    const std::function<void(std::string_view, std::string_view)>& fn) {
  std::lock_guard<std::mutex> lock(read_mu_);
  Statement select(
      read_db_,
      "SELECT visitor_id, record FROM responses WHERE survey_id = ?1"
      " AND record IS NOT NULL AND visitor_id IN (SELECT visitor_id FROM"
      " responses WHERE survey_id = ?1 AND visitor_id IS NOT NULL"
      " GROUP BY visitor_id HAVING COUNT(*) > 1)"
      " ORDER BY visitor_id, submitted_at_ms");
  if (!select) return false;
  select.Bind(1, survey_id);
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW)
    fn(Text(select.get(), 0), Text(select.get(), 1));
  return step == SQLITE_DONE;
}

bool SqliteStore::OfVisitor(
    const std::string& visitor_id,
    const std::function<void(const std::string&, const std::string&)>& fn) {
  std::lock_guard<std::mutex> lock(read_mu_);
  // By survey through responses_by_visitor: a visitor's rows without an
  // index of their own (one more for every post to keep).
  Statement select(read_db_,
                   "SELECT response_id, payload FROM responses"
                   " WHERE survey_id IN (SELECT survey_id FROM surveys"
                   " UNION SELECT id FROM documents WHERE kind = 'survey')"
                   " AND visitor_id = ? ORDER BY submitted_at_ms, rowid");
  if (!select) return false;
  select.Bind(1, visitor_id);
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW)
    fn(Text(select.get(), 0), Text(select.get(), 1));
  return step == SQLITE_DONE;
}

bool SqliteStore::DeleteResponse(const std::string& response_id,
                                 std::int64_t* deleted,
                                 std::int64_t* comments) {
  // The copies of a day's digest, which may quote the response's words
  // (the digest of its day, if it has any); then its comments, whose trigger
  // takes them out of the search index.
  static const char* const kDeletes[] = {
      "DELETE FROM deliveries WHERE response_id = (SELECT 'digest:' ||"
      " survey_id || ':' || strftime('%Y-%m-%d', submitted_at_ms / 1000,"
      " 'unixepoch') FROM responses WHERE response_id = ?1 AND EXISTS"
      " (SELECT 1 FROM comments WHERE response_id = ?1))",
      "DELETE FROM comments WHERE response_id = ?",
      "DELETE FROM deliveries WHERE response_id = ?",
      "DELETE FROM case_events WHERE response_id = ?",
      "DELETE FROM cases WHERE response_id = ?",
      "DELETE FROM responses WHERE response_id = ?"};
  for (const char* sql : kDeletes) {
    Statement remove(db_, sql);
    remove.Bind(1, response_id);
    if (sqlite3_step(remove.get()) != SQLITE_DONE) return false;
    if (comments && sql == kDeletes[1]) *comments += sqlite3_changes(db_);
  }
  *deleted += sqlite3_changes(db_);
  return true;
}

std::int64_t SqliteStore::Erase(const std::vector<std::string>& response_ids,
                                std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!Exec("BEGIN IMMEDIATE")) return -1;
  std::int64_t deleted = 0, comments = 0;
  for (const std::string& id : response_ids) {
    Statement remember(db_,
                       "INSERT OR IGNORE INTO erased (response_id, erased_ms)"
                       " VALUES (?, ?)");
    remember.Bind(1, id);
    remember.Bind(2, now_ms);
    if (!DeleteResponse(id, &deleted, &comments) ||
        sqlite3_step(remember.get()) != SQLITE_DONE) {
      Exec("ROLLBACK");
      return -1;
    }
  }
  if (!Exec("COMMIT")) {
    Exec("ROLLBACK");
    return -1;
  }
  // secure_delete zeroed the freed space; FTS5 keeps a deleted comment's
  // words in its older segments until they merge, and the WAL keeps old
  // pages until a checkpoint: both are done now, so the words are gone from
  // the files too. (Failures here leave them unreadable through the API.)
  // Rewriting the index holds the write lock: only when words went.
  if (comments > 0)
    Exec("INSERT INTO comments_fts (comments_fts) VALUES ('optimize');");
  if (deleted > 0) Exec("PRAGMA wal_checkpoint(TRUNCATE);");
  return deleted;
}

bool SqliteStore::DeliveriesOf(const std::string& response_id,
                               std::vector<Delivery>* deliveries) {
  std::lock_guard<std::mutex> lock(read_mu_);
  const std::string sql = std::string("SELECT ") + kDeliveryColumns +
                          " FROM deliveries WHERE response_id = ?"
                          " ORDER BY created_ms, id";
  Statement select(read_db_, sql.c_str());
  if (!select) return false;
  select.Bind(1, response_id);
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW)
    deliveries->push_back(ReadDelivery(select.get()));
  return step == SQLITE_DONE;
}

std::int64_t SqliteStore::RollUpDay(
    const std::string& survey_id, std::int64_t before_ms,
    const std::function<Rolled(std::string_view, std::string_view)>& kind_of) {
  constexpr std::int64_t kDay = 24 * 3600 * 1000;
  // Rows per transaction: the write lock is held while they are counted.
  constexpr int kBatch = 2000;
  std::lock_guard<std::mutex> lock(mu_);
  if (!Exec("BEGIN IMMEDIATE")) return -1;
  auto fail = [&] {
    Exec("ROLLBACK");
    return std::int64_t{-1};
  };
  Statement oldest(db_,
                   "SELECT MIN(submitted_at_ms) FROM responses"
                   " WHERE survey_id = ? AND submitted_at_ms < ?");
  oldest.Bind(1, survey_id);
  oldest.Bind(2, before_ms);
  if (sqlite3_step(oldest.get()) != SQLITE_ROW) return fail();
  if (sqlite3_column_type(oldest.get(), 0) == SQLITE_NULL) {
    Exec("ROLLBACK");
    return 0;
  }
  const std::int64_t first = sqlite3_column_int64(oldest.get(), 0);
  const std::int64_t day = first - ((first % kDay) + kDay) % kDay;
  Statement select(db_,
                   "SELECT response_id, COALESCE(record, ''), CASE WHEN"
                   " COALESCE(record, '') = '' THEN payload ELSE '' END,"
                   " COALESCE(client_key, '') FROM responses"
                   " WHERE survey_id = ? AND submitted_at_ms >= ?"
                   " AND submitted_at_ms < ? LIMIT ?");
  select.Bind(1, survey_id);
  select.Bind(2, day);
  select.Bind(3, std::min(day + kDay, before_ms));
  select.Bind(4, std::int64_t{kBatch});
  std::map<std::string, std::int64_t> kinds, clients;
  std::vector<std::string> ids;
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
    ids.push_back(Text(select.get(), 0));
    const Rolled rolled = kind_of(Text(select.get(), 1), Text(select.get(), 2));
    ++kinds[rolled.kind];
    if (rolled.complete) ++clients[Text(select.get(), 3)];
  }
  if (step != SQLITE_DONE) return fail();
  for (const auto& [kind, count] : kinds) {
    Statement add(db_,
                  "INSERT INTO rollups (survey_id, day_ms, kind, count)"
                  " VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE"
                  " SET count = count + excluded.count");
    add.Bind(1, survey_id);
    add.Bind(2, day);
    add.Bind(3, kind);
    add.Bind(4, count);
    if (sqlite3_step(add.get()) != SQLITE_DONE) return fail();
  }
  for (const auto& [client, count] : clients) {
    Statement add(db_,
                  "INSERT INTO rolled_clients (survey_id, client_key, complete)"
                  " VALUES (?, ?, ?) ON CONFLICT DO UPDATE"
                  " SET complete = complete + excluded.complete");
    add.Bind(1, survey_id);
    add.Bind(2, client);
    add.Bind(3, count);
    if (sqlite3_step(add.get()) != SQLITE_DONE) return fail();
  }
  std::int64_t deleted = 0;
  for (const std::string& id : ids)
    if (!DeleteResponse(id, &deleted)) return fail();
  if (!Exec("COMMIT")) return fail();
  return deleted;
}

int SqliteStore::AddToken(const Token& token) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement insert(db_,
                   "INSERT OR IGNORE INTO tokens (name, role, hash, created_ms)"
                   " VALUES (?, ?, ?, ?)");
  if (!insert) return -1;
  insert.Bind(1, token.name);
  insert.Bind(2, token.role);
  insert.Bind(3, token.hash);
  insert.Bind(4, token.created_ms);
  if (sqlite3_step(insert.get()) != SQLITE_DONE) return -1;
  return sqlite3_changes(db_) == 1 ? 1 : 0;
}

bool SqliteStore::Tokens(std::vector<Token>* tokens) {
  std::lock_guard<std::mutex> lock(read_mu_);
  Statement select(read_db_,
                   "SELECT name, role, hash, created_ms,"
                   " COALESCE(revoked_ms, 0) FROM tokens ORDER BY created_ms,"
                   " name");
  if (!select) return false;
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
    tokens->push_back({Text(select.get(), 0), Text(select.get(), 1),
                       Text(select.get(), 2),
                       sqlite3_column_int64(select.get(), 3),
                       sqlite3_column_int64(select.get(), 4)});
  }
  return step == SQLITE_DONE;
}

int SqliteStore::RevokeToken(const std::string& name, std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement update(db_,
                   "UPDATE tokens SET revoked_ms = ? WHERE name = ?"
                   " AND revoked_ms IS NULL");
  if (!update) return -1;
  update.Bind(1, now_ms);
  update.Bind(2, name);
  if (sqlite3_step(update.get()) != SQLITE_DONE) return -1;
  return sqlite3_changes(db_) == 1 ? 1 : 0;
}

bool SqliteStore::AddAudit(const AuditEntry& entry) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement insert(db_,
                   "INSERT INTO audit (at_ms, actor, action, target, detail)"
                   " VALUES (?, ?, ?, ?, ?)");
  if (!insert) return false;
  insert.Bind(1, entry.at_ms);
  insert.Bind(2, entry.actor);
  insert.Bind(3, entry.action);
  insert.Bind(4, entry.target);
  insert.Bind(5, entry.detail);
  return sqlite3_step(insert.get()) == SQLITE_DONE;
}

bool SqliteStore::Audit(std::int64_t before_id, int limit,
                        std::vector<AuditEntry>* entries) {
  std::lock_guard<std::mutex> lock(read_mu_);
  Statement select(read_db_,
                   "SELECT id, at_ms, actor, action, target, detail FROM audit"
                   " WHERE id < ? ORDER BY id DESC LIMIT ?");
  if (!select) return false;
  select.Bind(1, before_id);
  select.Bind(2, std::int64_t{limit});
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
    entries->push_back({sqlite3_column_int64(select.get(), 0),
                        sqlite3_column_int64(select.get(), 1),
                        Text(select.get(), 2), Text(select.get(), 3),
                        Text(select.get(), 4), Text(select.get(), 5)});
  }
  return step == SQLITE_DONE;
}

}  // namespace sondar::collector
