// Responses in PostgreSQL, for more than one collector process (or machine)
// writing to one database. The rules are SQLite's: a responseId belongs to the
// survey and visitor of its first post, and sondar::Supersedes decides which
// version stays. Concurrency is PostgreSQL's: a new id is one INSERT ... ON
// CONFLICT DO NOTHING, and a known id is re-read FOR UPDATE in a transaction,
// so two collectors posting versions of one response at once queue on its row
// and leave exactly one row holding the winning version.
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store.h"

namespace sondar::collector {

namespace {

constexpr int kMaxConnections = 8;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// A statement with text parameters; nullptr-safe status checks below.
ResultPtr Run(PGconn* conn, const char* sql,
              const std::vector<std::string>& params = {}) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& p : params) values.push_back(p.c_str());
  return ResultPtr(PQexecParams(conn, sql, static_cast<int>(values.size()),
                                nullptr, values.data(), nullptr, nullptr, 0));
}

bool Ok(const ResultPtr& r) {
  return r && (PQresultStatus(r.get()) == PGRES_COMMAND_OK ||
               PQresultStatus(r.get()) == PGRES_TUPLES_OK);
}

// The days of `survey_id` in [from, to) that retention aggregated, oldest
// first, given to `rolled`, in the caller's transaction (the rows' snapshot,
// so a day rolled up meanwhile is counted once).
bool ReadRolled(PGconn* c, const std::vector<std::string>& survey_from_to,
                const Store::RolledFn& rolled) {
  ResultPtr days = Run(c,
                       "SELECT kind, count FROM rollups WHERE survey_id = $1"
                       " AND day_ms >= $2::bigint AND day_ms < $3::bigint"
                       " ORDER BY day_ms, kind",
                       survey_from_to);
  if (!Ok(days)) return false;
  for (int i = 0; i < PQntuples(days.get()); ++i)
    rolled(std::string_view(PQgetvalue(days.get(), i, 0),
                            PQgetlength(days.get(), i, 0)),
           std::stoll(PQgetvalue(days.get(), i, 1)));
  return true;
}

// " AND (strpos(payload, $N) > 0 OR ...)" per list of texts (Store::Needles),
// each text appended to `params` as the parameter it names.
std::string ContainsSql(const Store::Needles& contains,
                        std::vector<std::string>* params) {
  std::string sql;
  for (const auto& any : contains) {
    sql += " AND (false";
    for (const std::string& text : any) {
      params->push_back(text);
      sql += " OR strpos(payload, $" + std::to_string(params->size()) + ") > 0";
    }
    sql += ")";
  }
  return sql;
}

// Each (kind, count) row of `kinds` to `fn`; false once `fn` stopped.
bool GiveKinds(const ResultPtr& kinds, const Store::KindFn& fn) {
  for (int i = 0; i < PQntuples(kinds.get()); ++i) {
    if (!fn(std::string_view(PQgetvalue(kinds.get(), i, 0),
                             PQgetlength(kinds.get(), i, 0)),
            std::stoll(PQgetvalue(kinds.get(), i, 1)), {}))
      return false;
  }
  return true;
}

// Each payload of an open cursor of them as a row without a kind, until `fn`
// stops or the rows end; false on failure.
bool FetchPayloads(PGconn* c, const std::string& cursor,
                   const Store::KindFn& fn) {
  const std::string fetch = "FETCH 1000 FROM " + cursor;
  for (;;) {
    ResultPtr rows = Run(c, fetch.c_str());
    if (!Ok(rows)) return false;
    const int n = PQntuples(rows.get());
    for (int i = 0; i < n; ++i) {
      if (!fn({}, 1,
              std::string_view(PQgetvalue(rows.get(), i, 0),
                               PQgetlength(rows.get(), i, 0))))
        return true;
    }
    if (n < 1000) return true;
  }
}

// A transaction that writes responses: the table's write lock first, before
// any row lock, in every writer (see Upsert). False, rolled back, on failure.
bool BeginWriting(PGconn* c) {
  if (Ok(Run(c, "BEGIN")) &&
      Ok(Run(c, "LOCK TABLE responses IN ROW EXCLUSIVE MODE")))
    return true;
  Run(c, "ROLLBACK");
  return false;
}

// The kind stored beside a record (sondar::RecordKind); "" for none.
std::string KindOf(const std::string& encoded) {
  std::string kind;
  return !encoded.empty() && RecordKind(encoded, &kind) ? kind : std::string();
}

// The indexes of tables that grow with traffic. They are not built in the
// start-up transaction, where an index new in an upgrade would hold every
// collector's writes to its table for as long as it takes to build over
// millions of rows, but after start by BuildIndexes(), with CREATE INDEX
// CONCURRENTLY, which lets writes through. Queries are right without them,
// only slower, until they are there.
struct IndexDef {
  const char* name;
  const char* on;
};
constexpr IndexDef kIndexes[] = {
    {"responses_by_seq", "responses(seq)"},
    {"responses_by_survey", "responses(survey_id, seq)"},
    // Summaries and exports read a survey's rows by time; with the kind in
    // the index a summary groups them without reading the rows.
    {"responses_by_time_kind",
     "responses(survey_id, submitted_at_ms, seq) INCLUDE (kind)"},
    // Rows DeriveOld has still to give a record and a kind.
    {"responses_unkinded", "responses(seq) WHERE kind IS NULL"},
    // Rows the index of hidden values does not answer for (no kind yet, or
    // written by a collector from before it): a hidden-field filter reads
    // their payloads, DeriveOld indexes them. A plain IS NULL, so the
    // planner's statistics know how few they are.
    {"responses_unindexed",
     "responses(survey_id, submitted_at_ms) WHERE hidden_for IS NULL"},
    {"responses_unindexed_seq", "responses(seq) WHERE hidden_for IS NULL"},
    // A summary filtered by hidden.NAME=VALUE groups one range of it.
    {"hidden_by_value",
     "hidden_values(survey_id, name, value, submitted_at_ms) INCLUDE (kind)"},
    {"responses_by_visitor",
     "responses(survey_id, visitor_id, submitted_at_ms)"},
    {"comments_by_response", "comments(response_id)"},
    {"comments_by_time", "comments(survey_id, submitted_at_ms, id)"},
    {"comments_words", "comments USING GIN (words)"},
    {"deliveries_due",
     "deliveries(next_at_ms) WHERE state IN ('held', 'pending')"},
    {"deliveries_by_webhook", "deliveries(webhook_id, created_ms)"},
    {"deliveries_by_response", "deliveries(response_id)"},
    {"cases_by_survey", "cases(survey_id, created_ms, response_id)"},
    {"case_events_by_case", "case_events(response_id, id)"},
};

// Session settings every connection gets, whatever the server's defaults: a
// 201 tells the widget to forget its copy, so commits wait for the WAL flush;
// and no statement may hold a request worker forever.
constexpr const char* kSessionOptions =
    "-c synchronous_commit=on -c statement_timeout=10000 "
    "-c lock_timeout=10000 "
    // This collector writes each row's kind with its record (the kind
    // trigger below drops the kind an older collector leaves stale).
    "-c sondar.writes_kinds=on";

PGconn* Connect(const std::string& url) {
  // Earlier keywords are defaults: what the URL itself says wins.
  const char* keys[] = {"connect_timeout", "application_name", "options",
                        "dbname", nullptr};
  const char* values[] = {"5", "sondar-collector", kSessionOptions, url.c_str(),
                          nullptr};
  return PQconnectdbParams(keys, values, /*expand_dbname=*/1);
}

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(std::string url) : url_(std::move(url)) {}
  ~PostgresStore() override {
    for (PGconn* c : idle_) PQfinish(c);
  }

  // A connection from the pool for one scope; a broken one is dropped on
  // return and the next caller connects afresh (the server may have
  // restarted).
  class Lease {
   public:
    Lease(PostgresStore* store, PGconn* conn) : store_(store), conn_(conn) {}
    ~Lease() {
      if (conn_) store_->Return(conn_);
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    PGconn* get() const { return conn_; }

   private:
    PostgresStore* store_;
    PGconn* conn_;
  };

  Lease Acquire(std::string* error = nullptr) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < kMaxConnections; });
    if (!idle_.empty()) {
      PGconn* c = idle_.back();
      idle_.pop_back();
      return Lease(this, c);
    }
    ++open_;
    lock.unlock();
    PGconn* c = Connect(url_);
    if (PQstatus(c) != CONNECTION_OK) {
      if (error) *error = PQerrorMessage(c);
      PQfinish(c);
      lock.lock();
      --open_;
      cv_.notify_one();
      return Lease(this, nullptr);
    }
    return Lease(this, c);
  }

  bool Prepare(std::string* error) {
    Lease lease = Acquire(error);
    if (!lease.get()) return false;
    // Two collectors may start at once; CREATE ... IF NOT EXISTS alone can then
    // collide in the catalog, so schema changes take a lock of their own.
    ResultPtr r(PQexec(
        lease.get(),
        "BEGIN;"
        // Waiting for another collector's schema change may take longer than
        // the sessions' statement timeout (indexes are built later).
        "SET LOCAL statement_timeout = 0;"
        "SELECT pg_advisory_xact_lock(7363756);"  // any fixed number of ours
        "CREATE TABLE IF NOT EXISTS responses ("
        " seq BIGSERIAL NOT NULL,"
        " response_id TEXT PRIMARY KEY,"
        " survey_id TEXT NOT NULL,"
        " visitor_id TEXT,"
        " status TEXT NOT NULL,"
        " submitted_at_ms BIGINT NOT NULL,"
        " received_at_ms BIGINT NOT NULL,"
        " payload TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS surveys ("
        " survey_id TEXT PRIMARY KEY,"
        " first_seen_ms BIGINT NOT NULL);"
        // Tables made before client keys get the column (older rows count
        // one client each). ALTER TABLE locks the table even when there is
        // nothing to add, so only when there is.
        "DO $$ BEGIN"
        " IF NOT EXISTS (SELECT 1 FROM information_schema.columns"
        "  WHERE table_schema = current_schema() AND table_name = 'responses'"
        "  AND column_name = 'client_key') THEN"
        "  ALTER TABLE responses ADD COLUMN client_key TEXT;"
        " END IF; END $$;"
        "CREATE TABLE IF NOT EXISTS meta ("
        " key TEXT PRIMARY KEY,"
        " value TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS documents ("
        " kind TEXT NOT NULL,"
        " id TEXT NOT NULL,"
        " version INTEGER NOT NULL,"
        " content TEXT NOT NULL,"
        " published_at_ms BIGINT NOT NULL,"
        " source TEXT NOT NULL,"
        " from_version INTEGER NOT NULL,"
        " PRIMARY KEY (kind, id, version));"
        // gen_random_uuid draws from a strong random source (random() does
        // not).
        "INSERT INTO meta (key, value) VALUES ('secret',"
        " replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))"
        " ON CONFLICT (key) DO NOTHING;"
        // The customer's words, one row per comment, searched through a
        // tsvector with the 'simple' configuration: lower case, no stemming,
        // because comments come in every language.
        "CREATE TABLE IF NOT EXISTS comments ("
        " id BIGSERIAL PRIMARY KEY,"
        " response_id TEXT NOT NULL,"
        " survey_id TEXT NOT NULL,"
        " question TEXT NOT NULL,"
        " kind TEXT NOT NULL,"
        " submitted_at_ms BIGINT NOT NULL,"
        " text TEXT NOT NULL,"
        // ASCII punctuation becomes a space first: PostgreSQL's parser would
        // keep a URL or an e-mail address as one token, which FTS5 splits.
        " words tsvector GENERATED ALWAYS AS"
        "  (to_tsvector('simple'::regconfig,"
        "   regexp_replace(text, '[!-/:-@[-`{-~]+', ' ', 'g'))) STORED);"
        // Each row's record (sondar::EncodeRecord), what summaries read;
        // rows from before it are derived at start (DeriveOld), found by a
        // partial index (kIndexes).
        "DO $$ BEGIN"
        " IF NOT EXISTS (SELECT 1 FROM information_schema.columns"
        "  WHERE table_schema = current_schema() AND table_name = 'responses'"
        "  AND column_name = 'record') THEN"
        "  ALTER TABLE responses ADD COLUMN record TEXT;"
        " END IF; END $$;"
        // And its kind (sondar::RecordKind), written with it: summaries count
        // the rows of each kind in the database. Rows from before it have
        // none and are derived again at start.
        "DO $$ BEGIN"
        " IF NOT EXISTS (SELECT 1 FROM information_schema.columns"
        "  WHERE table_schema = current_schema() AND table_name = 'responses'"
        "  AND column_name = 'kind') THEN"
        "  ALTER TABLE responses ADD COLUMN kind TEXT;"
        " END IF; END $$;"
        // Each response's hidden fields (sondar::HiddenValuesOf) with a copy
        // of its kind, which triggers keep: a filter on one groups a range
        // of hidden_by_value, no payloads. `hidden_for` is md5 of the record
        // they were written with (every stored version has another record:
        // a later time or a stronger status); NULL when the row's record is
        // another (an older collector wrote it) or there is none yet: the
        // row is not answered for, and DeriveOld writes them again.
        "CREATE TABLE IF NOT EXISTS hidden_values ("
        " response_id TEXT NOT NULL,"
        " name TEXT NOT NULL,"
        " value TEXT NOT NULL,"
        " survey_id TEXT NOT NULL,"
        " submitted_at_ms BIGINT NOT NULL,"
        " kind TEXT,"
        " PRIMARY KEY (response_id, name));"
        "DO $$ BEGIN"
        " IF NOT EXISTS (SELECT 1 FROM information_schema.columns"
        "  WHERE table_schema = current_schema() AND table_name = 'responses'"
        "  AND column_name = 'hidden_for') THEN"
        "  ALTER TABLE responses ADD COLUMN hidden_for TEXT;"
        " END IF; END $$;"
        // Whoever writes a row (this collector, an older one, the rederive
        // triggers below: they fire first, by name), its hidden_for stays
        // only if it
        // is its record's; the copies of the kind follow, blank unless
        // trusted; whoever deletes a response (erasure, retention, an older
        // collector) deletes them.
        "CREATE OR REPLACE FUNCTION sondar_hidden_trust() RETURNS trigger AS"
        " $$ BEGIN IF NEW.record IS NULL OR NEW.kind IS NULL"
        " OR NEW.hidden_for IS DISTINCT FROM md5(NEW.record) THEN"
        " NEW.hidden_for := NULL; END IF; RETURN NEW; END $$"
        " LANGUAGE plpgsql;"
        "CREATE OR REPLACE FUNCTION sondar_hidden_follow() RETURNS trigger AS"
        " $$ BEGIN IF TG_OP = 'DELETE' THEN"
        " DELETE FROM hidden_values WHERE response_id = OLD.response_id;"
        " ELSE UPDATE hidden_values SET kind = CASE WHEN NEW.hidden_for IS"
        " NOT NULL THEN NEW.kind END"
        " WHERE response_id = NEW.response_id; END IF;"
        " RETURN NULL; END $$ LANGUAGE plpgsql;"
        "DO $$ BEGIN"
        " IF NOT EXISTS (SELECT 1 FROM pg_trigger"
        "  WHERE tgname = 'responses_hidden_follow'"
        "  AND tgrelid = 'responses'::regclass) THEN"
        "  CREATE TRIGGER responses_trust_hidden"
        "  BEFORE INSERT OR UPDATE ON responses FOR EACH ROW"
        "  EXECUTE FUNCTION sondar_hidden_trust();"
        "  CREATE TRIGGER responses_hidden_follow"
        "  AFTER UPDATE ON responses FOR EACH ROW"
        "  WHEN (OLD.kind IS DISTINCT FROM NEW.kind"
        "   OR OLD.hidden_for IS DISTINCT FROM NEW.hidden_for)"
        "  EXECUTE FUNCTION sondar_hidden_follow();"
        "  CREATE TRIGGER responses_hidden_removed"
        "  AFTER DELETE ON responses FOR EACH ROW"
        "  EXECUTE FUNCTION sondar_hidden_follow();"
        " END IF; END $$;"
        // A collector from before records (a rolling deploy, a rollback)
        // replaces a payload and leaves its record: the record is dropped,
        // the summary reads the payload, and the next start derives it
        // again. This collector writes both, and a replacing version always
        // has another record (a later time or a stronger status).
        "CREATE OR REPLACE FUNCTION sondar_rederive() RETURNS trigger AS $$"
        " BEGIN IF NEW.record IS NOT DISTINCT FROM OLD.record THEN"
        " NEW.record := NULL; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;"
        // The same for kinds, in a function of its own (an older collector
        // starting again puts its own body back into sondar_rederive): a
        // row left without a record has no kind either, and a collector from
        // before kinds (its sessions do not say sondar.writes_kinds) that
        // replaces a row leaves the old kind, which is dropped. Triggers fire
        // by name: this one after responses_rederive.
        "CREATE OR REPLACE FUNCTION sondar_rederive_kind() RETURNS trigger AS "
        "$$"
        " BEGIN IF NEW.record IS NULL OR (current_setting("
        "'sondar.writes_kinds', true) IS DISTINCT FROM 'on'"
        " AND NEW.kind IS NOT DISTINCT FROM OLD.kind) THEN NEW.kind := NULL;"
        " END IF; RETURN NEW; END $$ LANGUAGE plpgsql;"
        "DO $$ BEGIN"
        " IF NOT EXISTS (SELECT 1 FROM pg_trigger"
        "  WHERE tgname = 'responses_rederive_kind'"
        "  AND tgrelid = 'responses'::regclass) THEN"
        "  CREATE TRIGGER responses_rederive_kind"
        "  BEFORE UPDATE OF payload ON responses FOR EACH ROW"
        "  EXECUTE FUNCTION sondar_rederive_kind();"
        " END IF; END $$;"
        // A trigger's DDL locks the table against writes (SHARE ROW
        // EXCLUSIVE), waiting behind every open write: only when it is new.
        "DO $$ BEGIN"
        " IF NOT EXISTS (SELECT 1 FROM pg_trigger"
        "  WHERE tgname = 'responses_rederive'"
        "  AND tgrelid = 'responses'::regclass) THEN"
        "  CREATE TRIGGER responses_rederive"
        "  BEFORE UPDATE OF payload ON responses FOR EACH ROW"
        "  EXECUTE FUNCTION sondar_rederive();"
        " END IF; END $$;"
        // Webhooks and their deliveries: a delivery is written with the
        // response that caused it, at most one per webhook and response.
        "CREATE TABLE IF NOT EXISTS webhooks ("
        " id TEXT PRIMARY KEY,"
        " definition TEXT NOT NULL,"
        " secret TEXT NOT NULL,"
        " created_ms BIGINT NOT NULL,"
        " disabled_ms BIGINT,"
        " last_success_ms BIGINT,"
        " failing_since_ms BIGINT,"
        " failures BIGINT NOT NULL DEFAULT 0);"
        "CREATE TABLE IF NOT EXISTS deliveries ("
        " id TEXT PRIMARY KEY,"
        " webhook_id TEXT NOT NULL,"
        " response_id TEXT NOT NULL,"
        " body TEXT NOT NULL,"
        " state TEXT NOT NULL,"
        " created_ms BIGINT NOT NULL,"
        " next_at_ms BIGINT NOT NULL,"
        " expires_ms BIGINT NOT NULL,"
        " delivered_ms BIGINT,"
        " attempts INTEGER NOT NULL DEFAULT 0,"
        " last_status INTEGER,"
        " last_error TEXT,"
        " UNIQUE (webhook_id, response_id));"
        // Follow-up cases and their history. `touched`: a person changed it,
        // so a withdrawn alert leaves it in place.
        "CREATE TABLE IF NOT EXISTS cases ("
        " response_id TEXT PRIMARY KEY,"
        " survey_id TEXT NOT NULL,"
        " state TEXT NOT NULL,"
        " assignee TEXT NOT NULL DEFAULT '',"
        " source TEXT NOT NULL,"
        " created_ms BIGINT NOT NULL,"
        " updated_ms BIGINT NOT NULL,"
        " touched BOOLEAN NOT NULL DEFAULT false);"
        "CREATE TABLE IF NOT EXISTS case_events ("
        " id BIGSERIAL PRIMARY KEY,"
        " response_id TEXT NOT NULL,"
        " at_ms BIGINT NOT NULL,"
        " by TEXT NOT NULL,"
        " state TEXT,"
        " assignee TEXT,"
        " note TEXT NOT NULL);"
        // Privacy: erased ids (no data), days aggregated by retention,
        // named tokens (hashes only), the audit log.
        "CREATE TABLE IF NOT EXISTS erased ("
        " response_id TEXT PRIMARY KEY,"
        " erased_ms BIGINT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS rollups ("
        " survey_id TEXT NOT NULL,"
        " day_ms BIGINT NOT NULL,"
        " kind TEXT NOT NULL,"
        " count BIGINT NOT NULL,"
        " PRIMARY KEY (survey_id, day_ms, kind));"
        "CREATE TABLE IF NOT EXISTS rolled_clients ("
        " survey_id TEXT NOT NULL,"
        " client_key TEXT NOT NULL,"
        " complete BIGINT NOT NULL,"
        " PRIMARY KEY (survey_id, client_key));"
        "CREATE TABLE IF NOT EXISTS tokens ("
        " name TEXT PRIMARY KEY,"
        " role TEXT NOT NULL,"
        " hash TEXT NOT NULL UNIQUE,"
        " created_ms BIGINT NOT NULL,"
        " revoked_ms BIGINT);"
        "CREATE TABLE IF NOT EXISTS audit ("
        " id BIGSERIAL PRIMARY KEY,"
        " at_ms BIGINT NOT NULL,"
        " actor TEXT NOT NULL,"
        " action TEXT NOT NULL,"
        " target TEXT NOT NULL,"
        " detail TEXT NOT NULL);"
        "COMMIT;"));
    if (!Ok(r)) {
      *error = PQerrorMessage(lease.get());
      Run(lease.get(), "ROLLBACK");
      return false;
    }
    return true;
  }

  Outcome Upsert(const Version& version) override {
    const ResponseRecord& record = version.record;
    Lease lease = Acquire();
    PGconn* c = lease.get();
    if (!c) return Outcome::kFailed;
    const std::string status(StatusName(record.status));
    const std::string submitted = std::to_string(record.submitted_at_ms);
    // Comments and alerts are written in the response's transaction; a
    // response without either is a single statement.
    const bool has_comments = version.comments && !version.comments->empty();
    const std::string encoded = version.encoded ? *version.encoded : "";
    const std::string kind = KindOf(encoded);
    // The hidden values this row is indexed with: none without a kind (its
    // payload is read).
    const HiddenValues* hidden = kind.empty() ? nullptr : version.hidden;
    // Whether this write indexes the row (hidden_for = md5 of its record).
    const std::string hidden_for = hidden ? "1" : "";
    const std::string hidden_json = HiddenJson(hidden);
    const bool has_alerts = version.alerts && !version.alerts->empty();
    // A new response has no held alert to withdraw: only what fires or
    // holds needs a transaction there.
    const bool opens_alerts =
        has_alerts &&
        std::any_of(version.alerts->begin(), version.alerts->end(),
                    [](const AlertWrite& a) {
                      return a.action != AlertWrite::Action::kWithdraw;
                    });
    // What a stored version writes besides its row.
    auto extras = [&](bool fresh) {
      return (!has_comments ||
              WriteComments(c, record.response_id, version.survey_id, submitted,
                            *version.comments)) &&
             (!has_alerts ||
              WriteAlerts(c, record.response_id, version.survey_id,
                          *version.alerts, fresh));
    };
    bool in_transaction = false;
    if (version.may_insert) {
      // An id never seen: one statement, committed on its own.
      if (has_comments || opens_alerts) {
        if (!Ok(Run(c, "BEGIN"))) return Outcome::kFailed;
        in_transaction = true;
      }
      // The row and its hidden values in one statement (the commonest post
      // stays one round trip).
      ResultPtr inserted = Run(
          c,
          "WITH stored AS (INSERT INTO responses (response_id, survey_id,"
          " visitor_id, status, submitted_at_ms, received_at_ms, payload,"
          " client_key, record, kind, hidden_for)"
          " SELECT $1, $2, $3, $4, $5::bigint, $6::bigint, $7, NULLIF($8, ''),"
          " NULLIF($9, ''), NULLIF($10, ''),"
          " CASE WHEN $11 <> '' THEN md5($9) END"
          " WHERE NOT EXISTS (SELECT 1 FROM erased WHERE response_id = $1)"
          " ON CONFLICT (response_id) DO NOTHING RETURNING response_id),"
          " hidden AS (INSERT INTO hidden_values (response_id, name, value,"
          " survey_id, submitted_at_ms, kind) SELECT s.response_id, v.name,"
          " v.value, $2, $5::bigint, $10 FROM stored s,"
          " jsonb_to_recordset($12::jsonb) AS v(name text, value text))"
          " SELECT count(*) FROM stored",
          {record.response_id, version.survey_id, version.visitor_id, status,
           submitted, std::to_string(NowMs()), version.payload,
           version.client_key, encoded, kind, hidden_for, hidden_json});
      if (!Ok(inserted) || PQntuples(inserted.get()) != 1) {
        if (in_transaction) Run(c, "ROLLBACK");
        return Outcome::kFailed;
      }
      if (std::string(PQgetvalue(inserted.get(), 0, 0)) == "1") {
        if (!in_transaction) return Outcome::kInserted;
        if (extras(true) && Ok(Run(c, "COMMIT"))) return Outcome::kInserted;
        Run(c, "ROLLBACK");
        return Outcome::kFailed;
      }
    }
    // A known id: lock its row, let the core decide, then write or keep.
    // The table's write lock comes first, as in every writer of responses:
    // taken after the row lock, it could wait on an erasure that waits on
    // the row (a deadlock).
    if (!in_transaction &&
        (!Ok(Run(c, "BEGIN")) ||
         !Ok(Run(c, "LOCK TABLE responses IN ROW EXCLUSIVE MODE")))) {
      Run(c, "ROLLBACK");
      return Outcome::kFailed;
    }
    Outcome outcome = Decide(c, record, version.survey_id, version.visitor_id,
                             version.payload, status, submitted,
                             version.may_insert, encoded, hidden_for);
    if (outcome == Outcome::kReplaced &&
        !(extras(false) &&
          WriteHidden(c, record.response_id, version.survey_id, submitted,
                      hidden ? kind : "", hidden_json)))
      outcome = Outcome::kFailed;
    if (outcome == Outcome::kFailed || !Ok(Run(c, "COMMIT"))) {
      Run(c, "ROLLBACK");
      return Outcome::kFailed;
    }
    return outcome;
  }

  std::map<std::string, std::int64_t> FirstSeen(
      const std::vector<std::string>& survey_ids) override {
    std::map<std::string, std::int64_t> seen;
    const std::int64_t now = NowMs();
    Lease lease = Acquire();
    for (const std::string& id : survey_ids) {
      seen[id] = now;
      if (!lease.get()) continue;
      ResultPtr r = Run(lease.get(),
                        "INSERT INTO surveys (survey_id, first_seen_ms)"
                        " VALUES ($1, $2) ON CONFLICT (survey_id) DO NOTHING",
                        {id, std::to_string(now)});
      ResultPtr get = Run(lease.get(),
                          "SELECT first_seen_ms FROM surveys"
                          " WHERE survey_id = $1",
                          {id});
      if (Ok(get) && PQntuples(get.get()) == 1)
        seen[id] = std::stoll(PQgetvalue(get.get(), 0, 0));
    }
    return seen;
  }

  // One snapshot for the whole export, read through a cursor: PostgreSQL
  // readers do not block writers, and rows committed meanwhile by any
  // collector are neither half-seen nor skipped by paging.
  bool ForEach(const std::string& survey_id, const TimeRange& range,
               const std::function<bool(const std::string&)>& fn, int batch,
               const Needles& contains) override {
    Lease lease = Acquire();
    PGconn* c = lease.get();
    if (!c || !Ok(Run(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")))
      return false;
    std::vector<std::string> params = {std::to_string(range.from_ms),
                                       std::to_string(range.to_ms)};
    std::string sql =
        "DECLARE export NO SCROLL CURSOR FOR"
        " SELECT payload FROM responses WHERE submitted_at_ms >= $1::bigint"
        " AND submitted_at_ms < $2::bigint";
    if (!survey_id.empty()) {
      params.push_back(survey_id);
      sql += " AND survey_id = $3";
    }
    sql += ContainsSql(contains, &params);
    sql += " ORDER BY seq";
    ResultPtr declared = Run(c, sql.c_str(), params);
    bool ok = Ok(declared);
    const std::string fetch = "FETCH " + std::to_string(batch) + " FROM export";
    while (ok) {
      ResultPtr rows = Run(c, fetch.c_str());
      if (!Ok(rows)) {
        ok = false;
        break;
      }
      const int n = PQntuples(rows.get());
      bool more = true;
      for (int i = 0; i < n && more; ++i)
        more = fn(PQgetvalue(rows.get(), i, 0));
      if (!more || n < batch) break;
    }
    Run(c, ok ? "COMMIT" : "ROLLBACK");
    return ok;
  }

  bool Comments(const CommentQuery& q, std::vector<CommentRow>* rows) override {
    // Each term a prefix lexeme, all required: 'term':* & ... The terms are
    // letters and digits only (sondar::SearchTerms) and hold no quote.
    std::string query;
    for (const std::string& term : q.terms)
      query += (query.empty() ? "'" : " & '") + term + "':*";
    std::vector<std::string> params = {q.survey_id,
                                       std::to_string(q.range.from_ms),
                                       std::to_string(q.range.to_ms),
                                       std::to_string(q.before_ms),
                                       std::to_string(q.before_id),
                                       std::to_string(q.limit)};
    if (!query.empty()) params.push_back(query);
    const std::string sql =
        std::string(
            "SELECT c.id, c.response_id, c.question, c.kind, c.text,"
            " c.submitted_at_ms, r.payload FROM comments c"
            " JOIN responses r ON r.response_id = c.response_id"
            " WHERE c.survey_id = $1 AND c.submitted_at_ms >= $2::bigint"
            " AND c.submitted_at_ms < $3::bigint"
            " AND (c.submitted_at_ms, c.id) < ($4::bigint, $5::bigint)") +
        (query.empty()
             ? ""
             : " AND c.words @@ to_tsquery('simple'::regconfig, $7)") +
        " ORDER BY c.submitted_at_ms DESC, c.id DESC LIMIT $6::int";
    Lease lease = Acquire();
    if (!lease.get()) return false;
    ResultPtr r = Run(lease.get(), sql.c_str(), params);
    if (!Ok(r)) return false;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      CommentRow row;
      row.id = std::stoll(PQgetvalue(r.get(), i, 0));
      row.response_id = PQgetvalue(r.get(), i, 1);
      row.question = PQgetvalue(r.get(), i, 2);
      row.kind = PQgetvalue(r.get(), i, 3);
      row.text = PQgetvalue(r.get(), i, 4);
      row.submitted_at_ms = std::stoll(PQgetvalue(r.get(), i, 5));
      row.payload = PQgetvalue(r.get(), i, 6);
      rows->push_back(std::move(row));
    }
    return true;
  }

  bool Find(const std::string& response_id,
            std::optional<std::string>* payload) override {
    Lease lease = Acquire();
    if (!lease.get()) return false;
    ResultPtr r =
        Run(lease.get(), "SELECT payload FROM responses WHERE response_id = $1",
            {response_id});
    if (!Ok(r)) return false;
    if (PQntuples(r.get()) == 1)
      *payload = std::string(PQgetvalue(r.get(), 0, 0));
    else
      payload->reset();
    return true;
  }

  bool ForEachRecord(
      const std::string& survey_id, const TimeRange& range,
      const std::function<bool(std::string_view, std::string_view)>& fn,
      int batch, const RolledFn* rolled) override {
    Lease lease = Acquire();
    PGconn* c = lease.get();
    if (!c || !Ok(Run(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")))
      return false;
    if (rolled && !ReadRolled(c,
                              {survey_id, std::to_string(range.from_ms),
                               std::to_string(range.to_ms)},
                              *rolled)) {
      Run(c, "ROLLBACK");
      return false;
    }
    bool ok = Ok(Run(c,
                     "DECLARE records NO SCROLL CURSOR FOR"
                     " SELECT record, seq FROM responses WHERE survey_id = $1"
                     " AND submitted_at_ms >= $2::bigint"
                     " AND submitted_at_ms < $3::bigint"
                     " ORDER BY submitted_at_ms, seq",
                     {survey_id, std::to_string(range.from_ms),
                      std::to_string(range.to_ms)}));
    const std::string fetch =
        "FETCH " + std::to_string(batch) + " FROM records";
    while (ok) {
      ResultPtr rows = Run(c, fetch.c_str());
      if (!Ok(rows)) {
        ok = false;
        break;
      }
      const int n = PQntuples(rows.get());
      // Rows without a record (from before records, unreadable, or waiting
      // for new theme tags after a publish, when they may be most of them)
      // are read whole: the batch's payloads in one query, not one each.
      std::string seqs = "{";
      for (int i = 0; i < n; ++i) {
        if (PQgetlength(rows.get(), i, 0) > 0) continue;
        if (seqs.size() > 1) seqs += ',';
        seqs += PQgetvalue(rows.get(), i, 1);
      }
      seqs += '}';
      ResultPtr payloads;
      std::map<std::string_view, std::string_view> payload_of;
      if (seqs.size() > 2) {
        payloads = Run(c,
                       "SELECT seq::text, payload FROM responses"
                       " WHERE seq = ANY($1::bigint[])",
                       {seqs});
        if (!Ok(payloads)) {
          ok = false;
          break;
        }
        for (int i = 0; i < PQntuples(payloads.get()); ++i)
          payload_of.emplace(
              std::string_view(PQgetvalue(payloads.get(), i, 0),
                               PQgetlength(payloads.get(), i, 0)),
              std::string_view(PQgetvalue(payloads.get(), i, 1),
                               PQgetlength(payloads.get(), i, 1)));
      }
      bool more = true;
      for (int i = 0; i < n && more; ++i) {
        const std::string_view record(PQgetvalue(rows.get(), i, 0),
                                      PQgetlength(rows.get(), i, 0));
        if (!record.empty()) {
          more = fn(record, {});
          continue;
        }
        auto payload = payload_of.find(std::string_view(
            PQgetvalue(rows.get(), i, 1), PQgetlength(rows.get(), i, 1)));
        // Deleted since the cursor's snapshot cannot be (one transaction);
        // a missing one is a failed read, not a row to skip.
        if (payload == payload_of.end()) {
          ok = false;
          break;
        }
        more = fn({}, payload->second);
      }
      if (!more || n < batch) break;
    }
    Run(c, ok ? "COMMIT" : "ROLLBACK");
    return ok;
  }

  // The kinds counted by the database: for a million rows a few thousand
  // kinds cross the wire instead of a million records. Each kind comes in the
  // order of its first row (so by day, then first seen), then the rows
  // without a kind yet (from before kinds, or waiting for new theme tags),
  // with their payloads, in time order.
  bool ForEachKind(const std::string& survey_id, const TimeRange& range,
                   const KindFn& fn, const RolledFn* rolled) override {
    Lease lease = Acquire();
    PGconn* c = lease.get();
    if (!c || !Ok(Run(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")))
      return false;
    const std::vector<std::string> params = {
        survey_id, std::to_string(range.from_ms), std::to_string(range.to_ms)};
    auto fail = [&] {
      Run(c, "ROLLBACK");
      return false;
    };
    if (rolled && !ReadRolled(c, params, *rolled)) return fail();
    ResultPtr kinds = Run(c,
                          "SELECT kind, count(*) FROM responses"
                          " WHERE survey_id = $1"
                          " AND submitted_at_ms >= $2::bigint"
                          " AND submitted_at_ms < $3::bigint"
                          " AND kind IS NOT NULL GROUP BY kind"
                          " ORDER BY min(submitted_at_ms), min(seq)",
                          params);
    if (!Ok(kinds)) return fail();
    // `fn` returning false stops the reading, not a failure.
    bool more = GiveKinds(kinds, fn);
    kinds.reset();
    bool ok =
        !more || Ok(Run(c,
                        "DECLARE unkinded NO SCROLL CURSOR FOR"
                        " SELECT payload FROM responses WHERE survey_id = $1"
                        " AND submitted_at_ms >= $2::bigint"
                        " AND submitted_at_ms < $3::bigint AND kind IS NULL"
                        " ORDER BY submitted_at_ms, seq",
                        params));
    if (!ok || (more && !FetchPayloads(c, "unkinded", fn))) return fail();
    Run(c, "COMMIT");
    return true;
  }

  // The kinds of the indexed rows counted by the database from one range of
  // hidden_by_value (each further pair a lookup of the same response), then
  // the payloads of the rows the index does not answer for, in one snapshot.
  bool ForEachHiddenKind(const std::string& survey_id, const TimeRange& range,
                         const HiddenValues& hidden, const Needles& contains,
                         const KindFn& fn) override {
    if (hidden.empty()) return false;
    Lease lease = Acquire();
    PGconn* c = lease.get();
    if (!c || !Ok(Run(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")))
      return false;
    auto fail = [&] {
      Run(c, "ROLLBACK");
      return false;
    };
    std::vector<std::string> params = {survey_id, std::to_string(range.from_ms),
                                       std::to_string(range.to_ms)};
    std::string sql =
        "SELECT kind, count(*) FROM hidden_values h WHERE h.survey_id = $1"
        " AND h.submitted_at_ms >= $2::bigint AND h.submitted_at_ms < "
        "$3::bigint"
        " AND h.kind IS NOT NULL";
    for (std::size_t i = 0; i < hidden.size(); ++i) {
      params.push_back(hidden[i].first);
      params.push_back(hidden[i].second);
      const std::string name = "$" + std::to_string(params.size() - 1);
      const std::string value = "$" + std::to_string(params.size());
      sql += i == 0 ? " AND h.name = " + name + " AND h.value = " + value
                    : " AND EXISTS (SELECT 1 FROM hidden_values o WHERE"
                      " o.response_id = h.response_id AND o.name = " +
                          name + " AND o.value = " + value + ")";
    }
    sql += " GROUP BY kind ORDER BY min(submitted_at_ms)";
    ResultPtr kinds = Run(c, sql.c_str(), params);
    if (!Ok(kinds)) return fail();
    bool more = GiveKinds(kinds, fn);
    kinds.reset();
    params.resize(3);
    std::string rest =
        "DECLARE unindexed NO SCROLL CURSOR FOR"
        " SELECT payload FROM responses WHERE survey_id = $1"
        " AND submitted_at_ms >= $2::bigint AND submitted_at_ms < $3::bigint"
        " AND hidden_for IS NULL";
    rest += ContainsSql(contains, &params);
    rest += " ORDER BY submitted_at_ms, seq";
    if (more && (!Ok(Run(c, rest.c_str(), params)) ||
                 !FetchPayloads(c, "unindexed", fn)))
      return fail();
    Run(c, "COMMIT");
    return true;
  }

  // One collector at a time (a session advisory lock; the others leave it to
  // that one), index by index: a missing one is built concurrently, an invalid
  // one (a concurrent build that was interrupted) dropped and built again.
  bool BuildIndexes(const std::function<bool()>& stop) override {
    Lease lease = Acquire();
    PGconn* c = lease.get();
    if (!c) return false;
    ResultPtr lock = Run(c, "SELECT pg_try_advisory_lock(7363757)");
    if (!Ok(lock) || PQntuples(lock.get()) != 1) return false;
    if (std::string(PQgetvalue(lock.get(), 0, 0)) != "t") return true;
    // A build may take long (no statement timeout), but each of its waits for
    // older transactions is a lock wait: bounded, so a long export or summary
    // elsewhere makes an attempt fail instead of holding this thread (and a
    // stop) for its whole length; the index is then tried again.
    bool alive = Ok(Run(c, "SET statement_timeout = 0")) &&
                 Ok(Run(c, "SET lock_timeout = 5000"));
    bool ok = alive;
    for (const IndexDef& index : kIndexes) {
      bool built = false;
      for (int attempt = 0; alive && !built && attempt < 60 && !stop();
           ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(std::chrono::seconds(2));
        ResultPtr valid = Run(c,
                              "SELECT i.indisvalid FROM pg_class c"
                              " JOIN pg_index i ON i.indexrelid = c.oid"
                              " JOIN pg_namespace n ON n.oid = c.relnamespace"
                              " WHERE c.relname = $1"
                              " AND n.nspname = current_schema()",
                              {index.name});
        if (!Ok(valid)) {
          alive = false;  // the database went away: the next start tries again
          break;
        }
        const int found = PQntuples(valid.get());
        if (found == 1 && std::string(PQgetvalue(valid.get(), 0, 0)) == "t") {
          built = true;
          break;
        }
        // An invalid index (an attempt that failed) is still written to on
        // every change: drop it before building again.
        if (found == 1 && !Ok(Run(c, ("DROP INDEX CONCURRENTLY IF EXISTS " +
                                      std::string(index.name))
                                         .c_str())))
          continue;
        built = Ok(Run(c, ("CREATE INDEX CONCURRENTLY IF NOT EXISTS " +
                           std::string(index.name) + " ON " + index.on)
                              .c_str()));
      }
      // One index that cannot be built now does not keep the others back.
      if (!built && !stop()) ok = false;
    }
    // The connection goes back to the pool as it came.
    ok = Ok(Run(c, "RESET statement_timeout")) &&
         Ok(Run(c, "RESET lock_timeout")) && ok;
    ok = Ok(Run(c, "SELECT pg_advisory_unlock(7363757)")) && ok;
    return ok;
  }

  // In batches by seq, each its own transaction; a row written meanwhile has
  // its record already, and SKIP LOCKED leaves rows another collector is
  // deriving to it.
  std::int64_t DeriveOld(
      const std::function<std::optional<Derived>(const std::string&)>& derive,
      const std::function<bool()>& stop) override {
    Lease lease = Acquire();
    PGconn* c = lease.get();
    if (!c) return -1;
    std::int64_t derived = 0;
    // Rows with a record and no kind (written before kinds were kept): the
    // kind comes from the record alone, thousands of rows per statement.
    while (!stop()) {
      if (!BeginWriting(c)) return -1;
      ResultPtr rows = Run(c,
                           "SELECT seq, record FROM responses"
                           " WHERE kind IS NULL AND record IS NOT NULL"
                           " ORDER BY seq LIMIT 5000 FOR UPDATE SKIP LOCKED");
      bool ok = Ok(rows);
      const int n = ok ? PQntuples(rows.get()) : 0;
      Json kinds = Json::array();
      for (int i = 0; i < n; ++i) {
        kinds.push_back({{"seq", static_cast<std::int64_t>(
                                     std::stoll(PQgetvalue(rows.get(), i, 0)))},
                         {"kind", KindOf(PQgetvalue(rows.get(), i, 1))}});
      }
      ok = ok &&
           (n == 0 || Ok(Run(c,
                             "UPDATE responses AS r SET kind = v.kind FROM"
                             " jsonb_to_recordset($1::jsonb) AS v(seq bigint,"
                             " kind text) WHERE r.seq = v.seq",
                             {kinds.dump()})));
      if (!ok || !Ok(Run(c, "COMMIT"))) {
        Run(c, "ROLLBACK");
        return -1;
      }
      derived += n;
      if (n == 0) break;
    }
    // Rows without a record, or not indexed by their hidden values: derived
    // from their payloads. Each batch leaves the set (a payload no version
    // reads gets "" for record and kind, and md5 of "").
    while (!stop()) {
      if (!BeginWriting(c)) return -1;
      ResultPtr rows = Run(c,
                           "SELECT seq, response_id, survey_id,"
                           " submitted_at_ms, payload FROM responses"
                           " WHERE hidden_for IS NULL ORDER BY seq LIMIT 500"
                           " FOR UPDATE SKIP LOCKED");
      bool ok = Ok(rows);
      const int n = ok ? PQntuples(rows.get()) : 0;
      for (int i = 0; ok && i < n; ++i) {
        const auto got = derive(PQgetvalue(rows.get(), i, 4));
        const std::string kind = got ? KindOf(got->record) : std::string();
        ok = Ok(Run(c,
                    "UPDATE responses SET record = $1, kind = $2,"
                    " hidden_for = md5($1) WHERE seq = $3::bigint",
                    {got ? got->record : std::string(), kind,
                     PQgetvalue(rows.get(), i, 0)})) &&
             (!got ||
              WriteComments(c, PQgetvalue(rows.get(), i, 1),
                            PQgetvalue(rows.get(), i, 2),
                            PQgetvalue(rows.get(), i, 3), got->comments)) &&
             WriteHidden(c, PQgetvalue(rows.get(), i, 1),
                         PQgetvalue(rows.get(), i, 2),
                         PQgetvalue(rows.get(), i, 3), kind,
                         HiddenJson(got ? &got->hidden : nullptr));
        if (got) ++derived;
      }
      if (!ok || !Ok(Run(c, "COMMIT"))) {
        Run(c, "ROLLBACK");
        return -1;
      }
      if (n == 0) break;
    }
    // After many rows changed at once (an upgrade, a theme publish) the
    // planner's counts of rows without a kind are stale until autovacuum
    // comes: a summary would then scan every row for the few left (seconds at
    // a million) instead of taking the partial index.
    if (derived >= 10000) Run(c, "ANALYZE responses");
    return derived;
  }

  std::int64_t ForgetCommentedRecords(std::int64_t since_ms) override {
    Lease lease = Acquire();
    PGconn* c = lease.get();
    if (!c) return -1;
    std::int64_t forgot = 0;
    std::string after = "0";
    for (;;) {
      // A batch per transaction: a statement over every commented row of a
      // big database would outlast the statement timeout.
      if (!BeginWriting(c)) return -1;
      ResultPtr r = Run(c,
                        "WITH batch AS (SELECT seq FROM responses"
                        " WHERE seq > $2::bigint AND record <> ''"
                        " AND received_at_ms >= $1::bigint AND response_id IN"
                        " (SELECT response_id FROM comments)"
                        " ORDER BY seq LIMIT 5000)"
                        " UPDATE responses SET record = NULL, kind = NULL"
                        " WHERE seq IN (SELECT seq FROM batch)"
                        " RETURNING seq",
                        {std::to_string(since_ms), after});
      if (!Ok(r) || !Ok(Run(c, "COMMIT"))) {
        Run(c, "ROLLBACK");
        return -1;
      }
      const int n = PQntuples(r.get());
      for (int i = 0; i < n; ++i) {
        const std::string seq = PQgetvalue(r.get(), i, 0);
        if (std::stoll(seq) > std::stoll(after)) after = seq;
      }
      forgot += n;
      if (n == 0) return forgot;
    }
  }

  std::string Meta(const std::string& key) override {
    Lease lease = Acquire();
    if (!lease.get()) return "";
    ResultPtr r =
        Run(lease.get(), "SELECT value FROM meta WHERE key = $1", {key});
    return Ok(r) && PQntuples(r.get()) == 1 ? PQgetvalue(r.get(), 0, 0) : "";
  }

  bool SetMeta(const std::string& key, const std::string& value) override {
    Lease lease = Acquire();
    return lease.get() &&
           Ok(Run(lease.get(),
                  "INSERT INTO meta (key, value) VALUES ($1, $2)"
                  " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                  {key, value}));
  }

  std::int64_t Underived() override {
    return Number("SELECT count(*) FROM responses WHERE kind IS NULL", {});
  }

  std::int64_t Count() override {
    return Number("SELECT count(*) FROM responses", {});
  }

  std::int64_t CountComplete(const std::string& survey_id,
                             int per_client) override {
    return Number(
        "SELECT COALESCE(SUM(CASE WHEN k = '' THEN n ELSE LEAST(n,"
        " $2::bigint) END), 0) FROM (SELECT k, SUM(n) AS n FROM ("
        "  SELECT COALESCE(client_key, response_id) AS k, count(*) AS n"
        "  FROM responses WHERE survey_id = $1 AND status = 'complete'"
        "  GROUP BY 1"
        // Days past retention: what their rows counted, per client.
        "  UNION ALL SELECT client_key, complete FROM rolled_clients"
        "  WHERE survey_id = $1) AS counted GROUP BY k) AS per_client",
        {survey_id, std::to_string(per_client)});
  }

  std::int64_t StoredBytes(const std::string& survey_id) override {
    return Number(
        "SELECT COALESCE(SUM(octet_length(payload)), 0) FROM responses"
        " WHERE survey_id = $1",
        {survey_id});
  }

  bool Probe(std::size_t bytes) override {
    Lease lease = Acquire();
    return lease.get() &&
           Ok(Run(lease.get(),
                  "INSERT INTO meta (key, value) VALUES ('probe', $1)"
                  " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                  {ProbeText(bytes)}));
  }

  std::string Secret() override {
    Lease lease = Acquire();
    if (!lease.get()) return "";
    ResultPtr r =
        Run(lease.get(), "SELECT value FROM meta WHERE key = 'secret'");
    return Ok(r) && PQntuples(r.get()) == 1 ? PQgetvalue(r.get(), 0, 0) : "";
  }

  // The next version or nothing. Under READ COMMITTED two inserts can both
  // see the same latest version, and the primary key parts them only when
  // they chose the same number (an import keeps its file's number): a lock
  // per (kind, id) for the transaction makes check and insert one step for
  // every collector.
  Published Publish(const Document& d, int expected) override {
    Lease lease = Acquire();
    PGconn* c = lease.get();
    if (!c) return Published::kFailed;
    if (!Ok(Run(c, "BEGIN")) ||
        !Ok(Run(c, "SELECT pg_advisory_xact_lock(7363757, hashtext($1))",
                {d.kind + "/" + d.id}))) {
      Run(c, "ROLLBACK");
      return Published::kFailed;
    }
    ResultPtr r =
        Run(c,
            "INSERT INTO documents (kind, id, version, content,"
            " published_at_ms, source, from_version)"
            " SELECT $1, $2, $3::int, $4, $5::bigint, $6, $7::int"
            " WHERE (SELECT COALESCE(MAX(version), 0) FROM documents"
            "  WHERE kind = $1 AND id = $2) = $8::int"
            " AND $3::int > $8::int"
            " ON CONFLICT DO NOTHING",
            {d.kind, d.id, std::to_string(d.version), d.content,
             std::to_string(d.published_at_ms), d.source,
             std::to_string(d.from_version), std::to_string(expected)});
    if (!Ok(r) || !Ok(Run(c, "COMMIT"))) {
      Run(c, "ROLLBACK");
      return Published::kFailed;
    }
    return std::string(PQcmdTuples(r.get())) == "1" ? Published::kPublished
                                                    : Published::kConflict;
  }

  std::int64_t DocumentCount() override {
    return Number("SELECT count(*) FROM documents", {});
  }

  bool Documents(const std::function<void(Document)>& fn) override {
    Lease lease = Acquire();
    if (!lease.get()) return false;
    ResultPtr r = Run(lease.get(),
                      "SELECT kind, id, version, content, published_at_ms,"
                      " source, from_version FROM documents"
                      " ORDER BY published_at_ms, kind, id, version");
    if (!Ok(r)) return false;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      Document d;
      d.kind = PQgetvalue(r.get(), i, 0);
      d.id = PQgetvalue(r.get(), i, 1);
      d.version = std::stoi(PQgetvalue(r.get(), i, 2));
      d.content = PQgetvalue(r.get(), i, 3);
      d.published_at_ms = std::stoll(PQgetvalue(r.get(), i, 4));
      d.source = PQgetvalue(r.get(), i, 5);
      d.from_version = std::stoi(PQgetvalue(r.get(), i, 6));
      fn(std::move(d));
    }
    return true;
  }

  bool AddWebhook(const Webhook& w) override {
    Lease lease = Acquire();
    return lease.get() &&
           Ok(Run(
               lease.get(),
               "INSERT INTO webhooks (id, definition, secret, created_ms)"
               " VALUES ($1, $2, $3, $4::bigint)",
               {w.id, w.definition, w.secret, std::to_string(w.created_ms)}));
  }

  bool Webhooks(std::vector<Webhook>* webhooks) override {
    Lease lease = Acquire();
    if (!lease.get()) return false;
    ResultPtr r = Run(lease.get(),
                      "SELECT id, definition, secret, created_ms,"
                      " COALESCE(disabled_ms, 0), COALESCE(last_success_ms, 0),"
                      " COALESCE(failing_since_ms, 0), failures FROM webhooks"
                      " ORDER BY created_ms, id");
    if (!Ok(r)) return false;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      Webhook w;
      w.id = PQgetvalue(r.get(), i, 0);
      w.definition = PQgetvalue(r.get(), i, 1);
      w.secret = PQgetvalue(r.get(), i, 2);
      w.created_ms = std::stoll(PQgetvalue(r.get(), i, 3));
      w.disabled_ms = std::stoll(PQgetvalue(r.get(), i, 4));
      w.last_success_ms = std::stoll(PQgetvalue(r.get(), i, 5));
      w.failing_since_ms = std::stoll(PQgetvalue(r.get(), i, 6));
      w.failures = std::stoll(PQgetvalue(r.get(), i, 7));
      webhooks->push_back(std::move(w));
    }
    return true;
  }

  int DeleteWebhook(const std::string& id) override {
    Lease lease = Acquire();
    PGconn* c = lease.get();
    if (!c || !Ok(Run(c, "BEGIN"))) return -1;
    ResultPtr deliveries =
        Run(c, "DELETE FROM deliveries WHERE webhook_id = $1", {id});
    ResultPtr webhook = Run(c, "DELETE FROM webhooks WHERE id = $1", {id});
    if (!Ok(deliveries) || !Ok(webhook) || !Ok(Run(c, "COMMIT"))) {
      Run(c, "ROLLBACK");
      return -1;
    }
    return std::string(PQcmdTuples(webhook.get())) == "1" ? 1 : 0;
  }

  bool Deliveries(const std::string& webhook_id, const std::string& state,
                  int limit, std::vector<Delivery>* deliveries) override {
    Lease lease = Acquire();
    if (!lease.get()) return false;
    const std::string sql = std::string("SELECT ") + kDeliveryColumns +
                            " FROM deliveries WHERE webhook_id = $1"
                            " AND ($2 = '' OR state = $2)"
                            " ORDER BY created_ms DESC, id DESC LIMIT $3::int";
    ResultPtr r = Run(lease.get(), sql.c_str(),
                      {webhook_id, state, std::to_string(limit)});
    if (!Ok(r)) return false;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      deliveries->push_back(ReadDelivery(r.get(), i));
    return true;
  }

  // SKIP LOCKED: collectors claiming at the same moment take different
  // rows instead of queueing on the same ones.
  bool Claim(std::int64_t now_ms, std::int64_t lease_ms, int limit,
             std::vector<Delivery>* claimed) override {
    Lease lease = Acquire();
    if (!lease.get()) return false;
    const std::string sql =
        std::string(
            "UPDATE deliveries SET state = 'pending', next_at_ms = $2::bigint"
            " WHERE id IN (SELECT d.id FROM deliveries d JOIN webhooks w"
            " ON w.id = d.webhook_id WHERE d.state IN ('held', 'pending')"
            " AND d.next_at_ms <= $1::bigint AND w.disabled_ms IS NULL"
            " ORDER BY d.next_at_ms LIMIT $3::int FOR UPDATE OF d SKIP LOCKED)"
            " RETURNING ") +
        kDeliveryColumns;
    ResultPtr r =
        Run(lease.get(), sql.c_str(),
            {std::to_string(now_ms), std::to_string(now_ms + lease_ms),
             std::to_string(limit)});
    if (!Ok(r)) return false;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      claimed->push_back(ReadDelivery(r.get(), i));
    return true;
  }

  int Enqueue(const AlertWrite& a, const std::string& key) override {
    Lease lease = Acquire();
    if (!lease.get()) return -1;
    ResultPtr r =
        Run(lease.get(),
            "INSERT INTO deliveries (id, webhook_id, response_id,"
            " body, state, created_ms, next_at_ms, expires_ms)"
            " SELECT $1, $2, $3, $4, 'pending', $5::bigint,"
            " $6::bigint, $7::bigint"
            " WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = $2)"
            " ON CONFLICT DO NOTHING",
            {a.delivery_id, a.webhook_id, key, a.body, std::to_string(NowMs()),
             std::to_string(a.next_at_ms), std::to_string(a.expires_ms)});
    if (!Ok(r)) return -1;
    return std::string(PQcmdTuples(r.get())) == "1" ? 1 : 0;
  }

  int HasDelivery(const std::string& webhook_id,
                  const std::string& key) override {
    Lease lease = Acquire();
    if (!lease.get()) return -1;
    ResultPtr r = Run(lease.get(),
                      "SELECT 1 FROM deliveries WHERE webhook_id = $1"
                      " AND response_id = $2",
                      {webhook_id, key});
    if (!Ok(r)) return -1;
    return PQntuples(r.get()) > 0 ? 1 : 0;
  }

  bool Settle(const std::vector<Attempt>& attempts) override {
    Lease lease = Acquire();
    PGconn* c = lease.get();
    if (!c || !Ok(Run(c, "BEGIN"))) return false;
    for (const Attempt& a : attempts) {
      const std::string at = std::to_string(a.at_ms);
      ResultPtr delivery =
          a.ok ? Run(c,
                     "UPDATE deliveries SET state = 'delivered',"
                     " delivered_ms = $2::bigint, attempts = attempts + 1,"
                     " last_status = $3::int, last_error = NULL"
                     " WHERE id = $1 AND state = 'pending'",
                     {a.delivery_id, at, std::to_string(a.status)})
               : Run(c,
                     // (Every parameter is used: PostgreSQL cannot type
                     // one that is not.)
                     "UPDATE deliveries SET attempts = attempts + 1,"
                     " last_status = NULLIF($2::int, 0), last_error = $3,"
                     " state = CASE WHEN $4::bigint >= expires_ms THEN 'dead'"
                     "  ELSE 'pending' END, next_at_ms = $4::bigint"
                     " WHERE id = $1 AND state = 'pending'",
                     {a.delivery_id, std::to_string(a.status), a.error,
                      std::to_string(a.retry_at_ms)});
      ResultPtr webhook =
          a.ok
              ? Run(c,
                    "UPDATE webhooks SET last_success_ms = $2::bigint,"
                    " failing_since_ms = NULL WHERE id = $1",
                    {a.webhook_id, at})
              : Run(c,
                    "UPDATE webhooks SET failures = failures + 1,"
                    " disabled_ms = CASE WHEN $2::bigint -"
                    " COALESCE(failing_since_ms, $2::bigint) >= $3::bigint"
                    " THEN $2::bigint ELSE disabled_ms END,"
                    " failing_since_ms = COALESCE(failing_since_ms, $2::bigint)"
                    " WHERE id = $1",
                    {a.webhook_id, at, std::to_string(a.disable_after_ms)});
      if (!Ok(delivery) || !Ok(webhook)) {
        Run(c, "ROLLBACK");
        return false;
      }
    }
    if (!Ok(Run(c, "COMMIT"))) {
      Run(c, "ROLLBACK");
      return false;
    }
    return true;
  }

  int Retry(const std::string& webhook_id, const std::string& delivery_id,
            std::int64_t now_ms, std::int64_t window_ms) override {
    Lease lease = Acquire();
    PGconn* c = lease.get();
    if (!c || !Ok(Run(c, "BEGIN"))) return -1;
    ResultPtr delivery =
        Run(c,
            "UPDATE deliveries SET state = 'pending', next_at_ms = $3::bigint,"
            " expires_ms = $4::bigint, attempts = 0"
            " WHERE id = $1 AND webhook_id = $2",
            {delivery_id, webhook_id, std::to_string(now_ms),
             std::to_string(now_ms + window_ms)});
    const bool changed =
        Ok(delivery) && std::string(PQcmdTuples(delivery.get())) == "1";
    if (!Ok(delivery) ||
        (changed && !Ok(Run(c,
                            // Failing counts again from the next failure:
                            // one more would disable it again at once.
                            "UPDATE webhooks SET disabled_ms = NULL,"
                            " failing_since_ms = NULL WHERE id = $1",
                            {webhook_id}))) ||
        !Ok(Run(c, "COMMIT"))) {
      Run(c, "ROLLBACK");
      return -1;
    }
    return changed ? 1 : 0;
  }

  bool Cases(const CaseQuery& q, std::vector<Case>* cases) override {
    Lease lease = Acquire();
    if (!lease.get()) return false;
    const std::string sql =
        std::string("SELECT ") + kCaseColumns +
        " FROM cases c JOIN responses r ON r.response_id = c.response_id"
        " WHERE c.survey_id = $1 AND ($2 = '' OR c.state = $2)"
        " AND ($3 = '0' OR c.assignee = $4)"
        " AND ($6 = '' OR c.created_ms < $5::bigint OR"
        " (c.created_ms = $5::bigint AND c.response_id < $6))"
        " ORDER BY c.created_ms DESC, c.response_id DESC LIMIT $7::int";
    ResultPtr r = Run(
        lease.get(), sql.c_str(),
        {q.survey_id, q.state, q.assignee ? "1" : "0", q.assignee.value_or(""),
         std::to_string(q.before_ms), q.before_id, std::to_string(q.limit)});
    if (!Ok(r)) return false;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      cases->push_back(ReadCase(r.get(), i));
    return true;
  }

  bool CaseCounts(const std::string& survey_id,
                  std::map<std::string, std::int64_t>* counts) override {
    Lease lease = Acquire();
    if (!lease.get()) return false;
    ResultPtr r = Run(lease.get(),
                      "SELECT state, count(*) FROM cases WHERE survey_id = $1"
                      " GROUP BY state",
                      {survey_id});
    if (!Ok(r)) return false;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      (*counts)[PQgetvalue(r.get(), i, 0)] =
          std::stoll(PQgetvalue(r.get(), i, 1));
    return true;
  }

  bool FindCase(const std::string& response_id, std::optional<Case>* found,
                std::vector<CaseEvent>* history) override {
    Lease lease = Acquire();
    PGconn* c = lease.get();
    if (!c || !Ok(Run(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")))
      return false;
    const std::string sql =
        std::string("SELECT ") + kCaseColumns +
        " FROM cases c JOIN responses r ON r.response_id = c.response_id"
        " WHERE c.response_id = $1";
    ResultPtr row = Run(c, sql.c_str(), {response_id});
    ResultPtr events = Run(c,
                           "SELECT at_ms, by, state, assignee, note FROM"
                           " case_events WHERE response_id = $1 ORDER BY id",
                           {response_id});
    Run(c, "COMMIT");
    if (!Ok(row) || !Ok(events)) return false;
    if (PQntuples(row.get()) == 1) *found = ReadCase(row.get(), 0);
    for (int i = 0; *found && i < PQntuples(events.get()); ++i) {
      CaseEvent e;
      e.at_ms = std::stoll(PQgetvalue(events.get(), i, 0));
      e.by = PQgetvalue(events.get(), i, 1);
      if (!PQgetisnull(events.get(), i, 2))
        e.state = PQgetvalue(events.get(), i, 2);
      if (!PQgetisnull(events.get(), i, 3))
        e.assignee = PQgetvalue(events.get(), i, 3);
      e.note = PQgetvalue(events.get(), i, 4);
      history->push_back(std::move(e));
    }
    return true;
  }

  CaseResult UpdateCase(const std::string& response_id, const CaseEvent& change,
                        Case* after) override {
    Lease lease = Acquire();
    PGconn* c = lease.get();
    if (!c || !Ok(Run(c, "BEGIN"))) return CaseResult::kFailed;
    auto fail = [&](CaseResult result) {
      Run(c, "ROLLBACK");
      return result;
    };
    // The response stays while its case changes: an erasure (which deletes
    // the response first) waits for this, then takes the change with it.
    ResultPtr exists = Run(c,
                           "SELECT 1 FROM responses WHERE response_id = $1"
                           " FOR KEY SHARE",
                           {response_id});
    if (!Ok(exists)) return fail(CaseResult::kFailed);
    if (PQntuples(exists.get()) != 1) return fail(CaseResult::kNoResponse);
    const std::string at = std::to_string(change.at_ms);
    ResultPtr opened =
        Run(c,
            "INSERT INTO cases (response_id, survey_id, state, source,"
            " created_ms, updated_ms) SELECT response_id, survey_id, 'open',"
            " 'manual', $2::bigint, $2::bigint FROM responses"
            " WHERE response_id = $1 ON CONFLICT DO NOTHING",
            {response_id, at});
    if (!Ok(opened)) return fail(CaseResult::kFailed);
    // libpq sends a null for a nullptr parameter; Run takes strings, so the
    // unchanged fields are passed as flags.
    ResultPtr updated = Run(
        c,
        "UPDATE cases SET state = CASE WHEN $2 = '1' THEN $3 ELSE state END,"
        " assignee = CASE WHEN $4 = '1' THEN $5 ELSE assignee END,"
        " updated_ms = $6::bigint, touched = true WHERE response_id = $1",
        {response_id, change.state ? "1" : "0", change.state.value_or(""),
         change.assignee ? "1" : "0", change.assignee.value_or(""), at});
    if (!Ok(updated)) return fail(CaseResult::kFailed);
    if (std::string(PQcmdTuples(updated.get())) != "1")
      return fail(CaseResult::kNoResponse);
    ResultPtr event =
        Run(c,
            "INSERT INTO case_events (response_id, at_ms, by, state, assignee,"
            " note) VALUES ($1, $2::bigint, $3, CASE WHEN $4 = '1' THEN $5 END,"
            " CASE WHEN $6 = '1' THEN $7 END, $8)",
            {response_id, at, change.by, change.state ? "1" : "0",
             change.state.value_or(""), change.assignee ? "1" : "0",
             change.assignee.value_or(""), change.note});
    if (!Ok(event)) return fail(CaseResult::kFailed);
    const std::string sql =
        std::string("SELECT ") + kCaseColumns +
        " FROM cases c JOIN responses r ON r.response_id = c.response_id"
        " WHERE c.response_id = $1";
    ResultPtr row = Run(c, sql.c_str(), {response_id});
    if (!Ok(row) || PQntuples(row.get()) != 1 || !Ok(Run(c, "COMMIT")))
      return fail(CaseResult::kFailed);
    *after = ReadCase(row.get(), 0);
    return std::string(PQcmdTuples(opened.get())) == "1" ? CaseResult::kOpened
                                                         : CaseResult::kUpdated;
  }

  bool ForEachRepeatRecord(
      const std::string& survey_id,
      const std::function<void(std::string_view, std::string_view)>& fn)
      override {
    Lease lease = Acquire();
    if (!lease.get()) return false;
    ResultPtr r =
        Run(lease.get(),
            "SELECT visitor_id, record FROM responses WHERE survey_id = $1"
            " AND record IS NOT NULL AND visitor_id IN (SELECT visitor_id FROM"
            " responses WHERE survey_id = $1 AND visitor_id IS NOT NULL"
            " GROUP BY visitor_id HAVING count(*) > 1)"
            " ORDER BY visitor_id, submitted_at_ms",
            {survey_id});
    if (!Ok(r)) return false;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      fn(PQgetvalue(r.get(), i, 0), PQgetvalue(r.get(), i, 1));
    return true;
  }

  bool OfVisitor(const std::string& visitor_id,
                 const std::function<void(const std::string&,
                                          const std::string&)>& fn) override {
    Lease lease = Acquire();
    if (!lease.get()) return false;
    // By survey through responses_by_visitor.
    ResultPtr r = Run(lease.get(),
                      "SELECT response_id, payload FROM responses"
                      " WHERE survey_id IN (SELECT survey_id FROM surveys"
                      " UNION SELECT id FROM documents WHERE kind = 'survey')"
                      " AND visitor_id = $1 ORDER BY submitted_at_ms, seq",
                      {visitor_id});
    if (!Ok(r)) return false;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      fn(PQgetvalue(r.get(), i, 0), PQgetvalue(r.get(), i, 1));
    return true;
  }

  std::int64_t Erase(const std::vector<std::string>& response_ids,
                     std::int64_t now_ms) override {
    Lease lease = Acquire();
    PGconn* c = lease.get();
    if (!c || !Ok(Run(c, "BEGIN"))) return -1;
    // Posts wait while an erasure runs (milliseconds): a post's statement
    // then takes its snapshot after the erasure committed and sees the
    // tombstones, so no version of an erased response slips in between.
    // (Every writer of responses takes its table lock before any row lock,
    // so none can hold a row this waits for while waiting for this.)
    const std::string ids = IdList(response_ids);
    std::int64_t deleted = 0;
    if (!Ok(Run(c, "LOCK TABLE responses IN SHARE ROW EXCLUSIVE MODE")) ||
        !Ok(Run(c,
                "INSERT INTO erased (response_id, erased_ms)"
                " SELECT jsonb_array_elements_text($1::jsonb), $2::bigint ON "
                "CONFLICT DO NOTHING",
                {ids, std::to_string(now_ms)})) ||
        !DeleteResponses(c, ids, &deleted) || !Ok(Run(c, "COMMIT"))) {
      Run(c, "ROLLBACK");
      return -1;
    }
    return deleted;
  }

  bool DeliveriesOf(const std::string& response_id,
                    std::vector<Delivery>* deliveries) override {
    Lease lease = Acquire();
    if (!lease.get()) return false;
    const std::string sql = std::string("SELECT ") + kDeliveryColumns +
                            " FROM deliveries WHERE response_id = $1"
                            " ORDER BY created_ms, id";
    ResultPtr r = Run(lease.get(), sql.c_str(), {response_id});
    if (!Ok(r)) return false;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      deliveries->push_back(ReadDelivery(r.get(), i));
    return true;
  }

  std::int64_t RollUpDay(
      const std::string& survey_id, std::int64_t before_ms,
      const std::function<Rolled(std::string_view, std::string_view)>& kind_of)
      override {
    constexpr std::int64_t kDay = 24 * 3600 * 1000;
    constexpr int kBatch = 2000;
    Lease lease = Acquire();
    PGconn* c = lease.get();
    // The table's write lock before any row lock (see Upsert).
    if (!c || !Ok(Run(c, "BEGIN"))) return -1;
    if (!Ok(Run(c, "LOCK TABLE responses IN ROW EXCLUSIVE MODE"))) {
      Run(c, "ROLLBACK");
      return -1;
    }
    auto fail = [&] {
      Run(c, "ROLLBACK");
      return std::int64_t{-1};
    };
    ResultPtr oldest = Run(c,
                           "SELECT MIN(submitted_at_ms) FROM responses"
                           " WHERE survey_id = $1 AND submitted_at_ms < $2",
                           {survey_id, std::to_string(before_ms)});
    if (!Ok(oldest) || PQntuples(oldest.get()) != 1) return fail();
    if (PQgetisnull(oldest.get(), 0, 0)) {
      Run(c, "ROLLBACK");
      return 0;
    }
    const std::int64_t first = std::stoll(PQgetvalue(oldest.get(), 0, 0));
    const std::int64_t day = first - ((first % kDay) + kDay) % kDay;
    // Locked: a version posted meanwhile waits, and then finds its row gone
    // (an old response past retention is not stored again: see Post).
    ResultPtr rows =
        Run(c,
            "SELECT response_id, COALESCE(record, ''), CASE WHEN"
            " COALESCE(record, '') = '' THEN payload ELSE '' END,"
            " COALESCE(client_key, '') FROM responses"
            " WHERE survey_id = $1 AND submitted_at_ms >= $2::bigint"
            " AND submitted_at_ms < $3::bigint LIMIT $4::bigint FOR UPDATE",
            {survey_id, std::to_string(day),
             std::to_string(std::min(day + kDay, before_ms)),
             std::to_string(kBatch)});
    if (!Ok(rows)) return fail();
    std::map<std::string, std::int64_t> kinds, clients;
    std::vector<std::string> ids;
    auto text = [&](int i, int column) {
      return std::string_view(PQgetvalue(rows.get(), i, column),
                              PQgetlength(rows.get(), i, column));
    };
    for (int i = 0; i < PQntuples(rows.get()); ++i) {
      ids.emplace_back(text(i, 0));
      const Rolled rolled = kind_of(text(i, 1), text(i, 2));
      ++kinds[rolled.kind];
      if (rolled.complete) ++clients[std::string(text(i, 3))];
    }
    for (const auto& [kind, count] : kinds) {
      if (!Ok(Run(
              c,
              "INSERT INTO rollups (survey_id, day_ms, kind, count)"
              " VALUES ($1, $2::bigint, $3, $4::bigint)"
              " ON CONFLICT (survey_id, day_ms, kind) DO UPDATE"
              " SET count = rollups.count + excluded.count",
              {survey_id, std::to_string(day), kind, std::to_string(count)})))
        return fail();
    }
    for (const auto& [client, count] : clients) {
      if (!Ok(Run(c,
                  "INSERT INTO rolled_clients (survey_id, client_key,"
                  " complete) VALUES ($1, $2, $3::bigint)"
                  " ON CONFLICT (survey_id, client_key) DO UPDATE"
                  " SET complete = rolled_clients.complete"
                  " + excluded.complete",
                  {survey_id, client, std::to_string(count)})))
        return fail();
    }
    std::int64_t deleted = 0;
    if (!DeleteResponses(c, IdList(ids), &deleted) || !Ok(Run(c, "COMMIT")))
      return fail();
    return deleted;
  }

  int AddToken(const Token& token) override {
    Lease lease = Acquire();
    if (!lease.get()) return -1;
    ResultPtr r = Run(
        lease.get(),
        "INSERT INTO tokens (name, role, hash, created_ms)"
        " VALUES ($1, $2, $3, $4::bigint) ON CONFLICT DO NOTHING",
        {token.name, token.role, token.hash, std::to_string(token.created_ms)});
    if (!Ok(r)) return -1;
    return std::string(PQcmdTuples(r.get())) == "1" ? 1 : 0;
  }

  bool Tokens(std::vector<Token>* tokens) override {
    Lease lease = Acquire();
    if (!lease.get()) return false;
    ResultPtr r = Run(lease.get(),
                      "SELECT name, role, hash, created_ms,"
                      " COALESCE(revoked_ms, 0) FROM tokens"
                      " ORDER BY created_ms, name");
    if (!Ok(r)) return false;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      tokens->push_back({PQgetvalue(r.get(), i, 0), PQgetvalue(r.get(), i, 1),
                         PQgetvalue(r.get(), i, 2),
                         std::stoll(PQgetvalue(r.get(), i, 3)),
                         std::stoll(PQgetvalue(r.get(), i, 4))});
    return true;
  }

  int RevokeToken(const std::string& name, std::int64_t now_ms) override {
    Lease lease = Acquire();
    if (!lease.get()) return -1;
    ResultPtr r = Run(lease.get(),
                      "UPDATE tokens SET revoked_ms = $2::bigint"
                      " WHERE name = $1 AND revoked_ms IS NULL",
                      {name, std::to_string(now_ms)});
    if (!Ok(r)) return -1;
    return std::string(PQcmdTuples(r.get())) == "1" ? 1 : 0;
  }

  bool AddAudit(const AuditEntry& entry) override {
    Lease lease = Acquire();
    if (!lease.get()) return false;
    return Ok(Run(lease.get(),
                  "INSERT INTO audit (at_ms, actor, action, target, detail)"
                  " VALUES ($1::bigint, $2, $3, $4, $5)",
                  {std::to_string(entry.at_ms), entry.actor, entry.action,
                   entry.target, entry.detail}));
  }

  bool Audit(std::int64_t before_id, int limit,
             std::vector<AuditEntry>* entries) override {
    Lease lease = Acquire();
    if (!lease.get()) return false;
    ResultPtr r = Run(lease.get(),
                      "SELECT id, at_ms, actor, action, target, detail"
                      " FROM audit WHERE id < $1::bigint ORDER BY id DESC"
                      " LIMIT $2::bigint",
                      {std::to_string(before_id), std::to_string(limit)});
    if (!Ok(r)) return false;
    for (int i = 0; i < PQntuples(r.get()); ++i)
      entries->push_back({std::stoll(PQgetvalue(r.get(), i, 0)),
                          std::stoll(PQgetvalue(r.get(), i, 1)),
                          PQgetvalue(r.get(), i, 2), PQgetvalue(r.get(), i, 3),
                          PQgetvalue(r.get(), i, 4),
                          PQgetvalue(r.get(), i, 5)});
    return true;
  }

 private:
  static constexpr const char* kCaseColumns =
      "c.response_id, c.survey_id, c.state, c.assignee, c.source,"
      " c.created_ms, c.updated_ms, (SELECT count(*) FROM case_events e"
      " WHERE e.response_id = c.response_id AND e.note != ''), r.payload";

  static Case ReadCase(PGresult* r, int i) {
    Case c;
    c.response_id = PQgetvalue(r, i, 0);
    c.survey_id = PQgetvalue(r, i, 1);
    c.state = PQgetvalue(r, i, 2);
    c.assignee = PQgetvalue(r, i, 3);
    c.source = PQgetvalue(r, i, 4);
    c.created_ms = std::stoll(PQgetvalue(r, i, 5));
    c.updated_ms = std::stoll(PQgetvalue(r, i, 6));
    c.notes = std::stoll(PQgetvalue(r, i, 7));
    c.payload = PQgetvalue(r, i, 8);
    return c;
  }

  static constexpr const char* kDeliveryColumns =
      "id, webhook_id, response_id, body, state, created_ms, next_at_ms,"
      " expires_ms, COALESCE(delivered_ms, 0), attempts,"
      " COALESCE(last_status, 0), COALESCE(last_error, '')";

  static Delivery ReadDelivery(PGresult* r, int i) {
    Delivery d;
    d.id = PQgetvalue(r, i, 0);
    d.webhook_id = PQgetvalue(r, i, 1);
    d.response_id = PQgetvalue(r, i, 2);
    d.body = PQgetvalue(r, i, 3);
    d.state = PQgetvalue(r, i, 4);
    d.created_ms = std::stoll(PQgetvalue(r, i, 5));
    d.next_at_ms = std::stoll(PQgetvalue(r, i, 6));
    d.expires_ms = std::stoll(PQgetvalue(r, i, 7));
    d.delivered_ms = std::stoll(PQgetvalue(r, i, 8));
    d.attempts = std::stoi(PQgetvalue(r, i, 9));
    d.last_status = std::stoi(PQgetvalue(r, i, 10));
    d.last_error = PQgetvalue(r, i, 11);
    return d;
  }

  // In the caller's transaction: what the stored version means for each
  // webhook. Only a held (not yet sent) alert is replaced or withdrawn: one
  // sent, or being sent, stays the response's only one.
  // `fresh`: the response was just inserted, so nothing is held for it.
  static bool WriteAlerts(PGconn* c, const std::string& response_id,
                          const std::string& survey_id,
                          const std::vector<AlertWrite>& alerts, bool fresh) {
    for (const AlertWrite& a : alerts) {
      if (a.action == AlertWrite::Action::kWithdraw) {
        if (fresh) continue;
        if (!Ok(Run(c,
                    "DELETE FROM deliveries WHERE webhook_id = $1"
                    " AND response_id = $2 AND state = 'held'",
                    {a.webhook_id, response_id})))
          return false;
        // The case the alert opened goes with its last alert, unless
        // someone has worked on it.
        if (!Ok(Run(c,
                    "DELETE FROM cases WHERE response_id = $1"
                    " AND source = 'alert' AND NOT touched AND NOT EXISTS"
                    " (SELECT 1 FROM deliveries WHERE response_id = $1)",
                    {response_id})))
          return false;
        continue;
      }
      if (!Ok(Run(
              c,
              "INSERT INTO cases (response_id, survey_id, state, source,"
              " created_ms, updated_ms) SELECT $1, $2, 'open', 'alert',"
              " $3::bigint, $3::bigint"
              " WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = $4)"
              " ON CONFLICT DO NOTHING",
              {response_id, survey_id, std::to_string(NowMs()), a.webhook_id})))
        return false;
      const bool fire = a.action == AlertWrite::Action::kFire;
      if (!Ok(Run(c,
                  fire
                      ? "INSERT INTO deliveries (id, webhook_id, response_id,"
                        " body, state, created_ms, next_at_ms, expires_ms)"
                        " SELECT $1, $2, $3, $4, 'pending', $5::bigint,"
                        " $6::bigint, $7::bigint"
                        " WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = $2)"
                        " ON CONFLICT (webhook_id, response_id) DO UPDATE SET"
                        " body = excluded.body, state = 'pending',"
                        " next_at_ms = excluded.next_at_ms,"
                        " expires_ms = excluded.expires_ms"
                        " WHERE deliveries.state = 'held'"
                      : "INSERT INTO deliveries (id, webhook_id, response_id,"
                        " body, state, created_ms, next_at_ms, expires_ms)"
                        " SELECT $1, $2, $3, $4, 'held', $5::bigint,"
                        " $6::bigint, $7::bigint"
                        " WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = $2)"
                        " ON CONFLICT (webhook_id, response_id) DO UPDATE SET"
                        " body = excluded.body WHERE deliveries.state = 'held'",
                  {a.delivery_id, a.webhook_id, response_id, a.body,
                   std::to_string(NowMs()), std::to_string(a.next_at_ms),
                   std::to_string(a.expires_ms)})))
        return false;
    }
    return true;
  }

  // The ids as one JSON array parameter: Json quotes them, and PostgreSQL
  // reads them back with jsonb_array_elements_text.
  static std::string IdList(const std::vector<std::string>& ids) {
    Json list = Json::array();
    for (const std::string& id : ids) list.push_back(id);
    return list.dump();
  }

  // In the caller's transaction: responses (an IdList) and everything
  // kept because of them; adds the responses deleted to `deleted`.
  static bool DeleteResponses(PGconn* c, const std::string& ids,
                              std::int64_t* deleted) {
    // The digests of their days that may quote their words; then the rows
    // themselves before what hangs on them, so a case change that committed
    // meanwhile (it locks the response first) is seen and deleted too.
    ResultPtr digests = Run(
        c,
        "DELETE FROM deliveries WHERE response_id IN (SELECT 'digest:' ||"
        " r.survey_id || ':' || to_char(to_timestamp(r.submitted_at_ms /"
        " 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM responses r WHERE"
        " r.response_id IN (SELECT jsonb_array_elements_text($1::jsonb)) AND"
        " EXISTS (SELECT 1 FROM comments m WHERE m.response_id ="
        " r.response_id))",
        {ids});
    if (!Ok(digests)) return false;
    ResultPtr r = Run(c,
                      "DELETE FROM responses WHERE response_id IN (SELECT "
                      "jsonb_array_elements_text($1::jsonb))",
                      {ids});
    if (!Ok(r)) return false;
    *deleted += std::stoll(PQcmdTuples(r.get()));
    static const char* const kDeletes[] = {
        "DELETE FROM comments WHERE response_id IN (SELECT "
        "jsonb_array_elements_text($1::jsonb))",
        "DELETE FROM deliveries WHERE response_id IN (SELECT "
        "jsonb_array_elements_text($1::jsonb))",
        "DELETE FROM case_events WHERE response_id IN (SELECT "
        "jsonb_array_elements_text($1::jsonb))",
        "DELETE FROM cases WHERE response_id IN (SELECT "
        "jsonb_array_elements_text($1::jsonb))"};
    for (const char* sql : kDeletes)
      if (!Ok(Run(c, sql, {ids}))) return false;
    return true;
  }

  std::int64_t Number(const char* sql, const std::vector<std::string>& params) {
    Lease lease = Acquire();
    if (!lease.get()) return -1;
    ResultPtr r = Run(lease.get(), sql, params);
    return Ok(r) && PQntuples(r.get()) == 1
               ? std::stoll(PQgetvalue(r.get(), 0, 0))
               : -1;
  }

  Outcome Decide(PGconn* c, const ResponseRecord& record,
                 const std::string& survey_id, const std::string& visitor_id,
                 const std::string& payload, const std::string& status,
                 const std::string& submitted, bool may_insert,
                 const std::string& encoded, const std::string& hidden_for) {
    ResultPtr row = Run(c,
                        "SELECT status, submitted_at_ms, survey_id, visitor_id"
                        " FROM responses WHERE response_id = $1 FOR UPDATE",
                        {record.response_id});
    if (!Ok(row)) return Outcome::kFailed;
    // No row: an erased id, a new id the caller may not insert (or,
    // inserted just now and gone again, a failure).
    if (PQntuples(row.get()) != 1) {
      ResultPtr erased = Run(c, "SELECT 1 FROM erased WHERE response_id = $1",
                             {record.response_id});
      if (!Ok(erased)) return Outcome::kFailed;
      if (PQntuples(erased.get()) == 1) return Outcome::kErased;
      return may_insert ? Outcome::kFailed : Outcome::kNotNew;
    }
    ResponseRecord stored;
    stored.status = StatusFromName(PQgetvalue(row.get(), 0, 0));
    stored.submitted_at_ms = std::stoll(PQgetvalue(row.get(), 0, 1));
    if (survey_id != PQgetvalue(row.get(), 0, 2)) return Outcome::kOtherSurvey;
    if (!PQgetisnull(row.get(), 0, 3) &&
        visitor_id != PQgetvalue(row.get(), 0, 3))
      return Outcome::kOtherVisitor;
    if (!Supersedes(record, stored)) return Outcome::kKept;
    ResultPtr updated =
        Run(c,
            "UPDATE responses SET status = $1, submitted_at_ms = $2,"
            " payload = $3, received_at_ms = $4, record = NULLIF($6, ''),"
            " kind = NULLIF($7, ''),"
            " hidden_for = CASE WHEN $8 <> '' THEN md5($6) END"
            " WHERE response_id = $5",
            {status, submitted, payload, std::to_string(NowMs()),
             record.response_id, encoded, KindOf(encoded), hidden_for});
    return Ok(updated) ? Outcome::kReplaced : Outcome::kFailed;
  }

  // [{"name", "value"}] for jsonb_to_recordset; [] for none.
  static std::string HiddenJson(const HiddenValues* hidden) {
    Json rows = Json::array();
    if (hidden) {
      for (const auto& [name, value] : *hidden)
        rows.push_back({{"name", name}, {"value", value}});
    }
    return rows.dump();
  }

  // In the caller's transaction: the response's hidden values become those
  // of `rows` (HiddenJson), with `kind` ("": none, its payload is read).
  static bool WriteHidden(PGconn* c, const std::string& response_id,
                          const std::string& survey_id,
                          const std::string& submitted, const std::string& kind,
                          const std::string& rows) {
    return Ok(Run(c, "DELETE FROM hidden_values WHERE response_id = $1",
                  {response_id})) &&
           (kind.empty() ||
            Ok(Run(c,
                   "INSERT INTO hidden_values (response_id, name, value,"
                   " survey_id, submitted_at_ms, kind) SELECT $1, v.name,"
                   " v.value, $2, $3::bigint, $4"
                   " FROM jsonb_to_recordset($5::jsonb) AS v(name text,"
                   " value text)",
                   {response_id, survey_id, submitted, kind, rows})));
  }

  // In the caller's transaction: the response's comments become `comments`.
  static bool WriteComments(PGconn* c, const std::string& response_id,
                            const std::string& survey_id,
                            const std::string& submitted,
                            const std::vector<Comment>& comments) {
    if (!Ok(Run(c, "DELETE FROM comments WHERE response_id = $1",
                {response_id})))
      return false;
    for (const Comment& comment : comments) {
      if (!Ok(Run(c,
                  "INSERT INTO comments (response_id, survey_id, question,"
                  " kind, submitted_at_ms, text)"
                  " VALUES ($1, $2, $3, $4, $5::bigint, $6)",
                  {response_id, survey_id, comment.question, comment.kind,
                   submitted, comment.text})))
        return false;
    }
    return true;
  }

  void Return(PGconn* c) {
    std::lock_guard<std::mutex> lock(mu_);
    if (PQstatus(c) == CONNECTION_OK &&
        PQtransactionStatus(c) == PQTRANS_IDLE) {
      idle_.push_back(c);
    } else {
      PQfinish(c);
      --open_;
    }
    cv_.notify_one();
  }

  const std::string url_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<PGconn*> idle_;
  int open_ = 0;  // connections out of the pool or idle in it
};

}  // namespace

std::unique_ptr<Store> OpenPostgres(const std::string& url,
                                    std::string* error) {
  auto store = std::make_unique<PostgresStore>(url);
  std::string why;
  if (!store->Prepare(&why)) {
    // libpq's messages end with a newline.
    while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
      why.pop_back();
    *error = "cannot use PostgreSQL database: " + why;
    return nullptr;
  }
  return store;
}

}  // namespace sondar::collector
