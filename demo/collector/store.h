// Where the collector keeps responses: one row per responseId. Which version
// of a response wins is the core's rule (sondar::Supersedes); a store only
// applies it atomically. SQLite (a file, the embedded default) and PostgreSQL
// (several collector processes on several machines) keep the same rules.
#ifndef SONDAR_DEMO_COLLECTOR_STORE_H_
#define SONDAR_DEMO_COLLECTOR_STORE_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sondar/query.h"
#include "sondar/response.h"

namespace sondar::collector {

// One webhook's delivery for a response, as a stored version decides it.
struct AlertWrite {
  enum class Action { kFire, kHold, kWithdraw };
  Action action = Action::kFire;
  std::string webhook_id;
  std::string delivery_id;  // used if this write creates the delivery
  std::string body;
  // kFire: now; kHold: when the held alert is sent if nothing replaces it.
  std::int64_t next_at_ms = 0;
  std::int64_t expires_ms = 0;  // retried until then, then dead
};

// A webhook as stored: its rule is sondar::ParseAlertRule's input.
struct Webhook {
  std::string id;
  std::string definition;  // {"url", "when", "template", "surveys"} as JSON
  std::string secret;      // whsec_...
  std::int64_t created_ms = 0;
  std::int64_t disabled_ms = 0;       // 0: enabled
  std::int64_t last_success_ms = 0;   // 0: never
  std::int64_t failing_since_ms = 0;  // 0: its last attempt succeeded
  std::int64_t failures = 0;          // attempts that failed, ever
};

struct Delivery {
  std::string id, webhook_id, response_id, body;
  // held (a partial's, waiting), pending, delivered, dead
  std::string state;
  std::int64_t created_ms = 0, next_at_ms = 0, expires_ms = 0, delivered_ms = 0;
  int attempts = 0;
  int last_status = 0;  // the receiver's HTTP status, 0: none
  std::string last_error;
};

// How one attempt went.
struct Attempt {
  std::string delivery_id, webhook_id;
  bool ok = false;
  int status = 0;
  std::string error;
  std::int64_t at_ms = 0;
  std::int64_t retry_at_ms = 0;  // on failure; past expires_ms: dead
  // A failing endpoint is disabled once it has failed without a success for
  // this long.
  std::int64_t disable_after_ms = 0;
};

// A follow-up case on a response (sondar/cases.h).
struct Case {
  std::string response_id, survey_id;
  std::string state;     // open, contacted, resolved
  std::string assignee;  // "" nobody
  std::string source;    // "alert" (a webhook's rule opened it) or "manual"
  std::int64_t created_ms = 0, updated_ms = 0;
  std::int64_t notes = 0;
  std::string payload;  // the response, as stored
};
// One change to a case, as its history shows it.
struct CaseEvent {
  std::int64_t at_ms = 0;
  std::string by;
  std::optional<std::string> state, assignee;  // nullopt: unchanged
  std::string note;
};

// A named API token as stored: only the SHA-256 of the secret is kept.
struct Token {
  std::string name;
  std::string role;  // admin or viewer
  std::string hash;  // hex SHA-256 of the token
  std::int64_t created_ms = 0;
  std::int64_t revoked_ms = 0;  // 0: in use
};

// One admin action: who (a token's name), what, on what, when.
struct AuditEntry {
  std::int64_t id = 0;  // the store's, newest highest
  std::int64_t at_ms = 0;
  std::string actor, action, target;
  std::string detail;  // a JSON object
};

class Store {
 public:
  // A response's hidden fields as filters compare them (name, text:
  // sondar::HiddenValuesOf).
  using HiddenValues = std::vector<std::pair<std::string, std::string>>;

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
    kNotNew,        // a new responseId, and `may_insert` was false
    kErased,        // the responseId was erased (Erase): never stored again
    kFailed,
  };
  // One posted version of a response.
  struct Version {
    const ResponseRecord& record;
    const std::string& survey_id;
    const std::string& visitor_id;
    const std::string& payload;
    // Who posted it (a keyed hash of the address, see abuse.h): closeAfter
    // counts only a few complete responses of each.
    const std::string& client_key;
    // False: store it only if it is a version of a response already stored.
    bool may_insert = true;
    // The customer's words in it (sondar::CommentsOf), indexed for search
    // with the row and replaced with it.
    const std::vector<Comment>* comments = nullptr;
    // sondar::EncodeRecord of `record`, kept beside the payload for
    // summaries.
    const std::string* encoded = nullptr;
    // What each webhook's rule decided for this version (sondar::DecideAlert),
    // written in the same transaction only if the version is stored.
    const std::vector<AlertWrite>* alerts = nullptr;
    // Its hidden fields, indexed with the row (ForEachHiddenKind) when it
    // has a record; nullptr: not indexed, read through its payload.
    const HiddenValues* hidden = nullptr;
  };
  // Stores the version's payload unless the stored version of the same
  // response supersedes it. A responseId belongs to the survey and the
  // visitor of its first post, forever. Returns once the write is durably
  // committed.
  virtual Outcome Upsert(const Version& version) = 0;

  // When this database first saw each survey id (registering the ones it has
  // not seen as now), in Unix milliseconds.
  virtual std::map<std::string, std::int64_t> FirstSeen(
      const std::vector<std::string>& survey_ids) = 0;

  // submittedAt in [from_ms, to_ms).
  struct TimeRange {
    std::int64_t from_ms = std::numeric_limits<std::int64_t>::min();
    std::int64_t to_ms = std::numeric_limits<std::int64_t>::max();
  };
  // Calls `fn` with each stored payload of `survey_id` (all surveys when
  // empty) submitted in `range`, in the order rows were first stored, `batch`
  // rows per query, on a connection of its own so a long export does not hold
  // up writers; `fn` returns false to stop. False if the database failed
  // part-way (the rows given so far are not all there are).
  // `contains`, unless empty, narrows the rows in the database: a payload
  // comes only if, for every list, it holds one of the list's texts
  // (sondar::HiddenNeedles), so a filter on a hidden field parses only the
  // rows that may match instead of every one.
  using Needles = std::vector<std::vector<std::string>>;
  virtual bool ForEach(const std::string& survey_id, const TimeRange& range,
                       const std::function<bool(const std::string&)>& fn,
                       int batch, const Needles& contains) = 0;
  bool ForEach(const std::string& survey_id, const TimeRange& range,
               const std::function<bool(const std::string&)>& fn, int batch) {
    return ForEach(survey_id, range, fn, batch, Needles{});
  }
  bool ForEach(const std::string& survey_id,
               const std::function<bool(const std::string&)>& fn) {
    return ForEach(survey_id, TimeRange{}, fn, 500);
  }

  // The stored payload of a response, nullopt when there is none; false on
  // failure.
  virtual bool Find(const std::string& response_id,
                    std::optional<std::string>* payload) = 0;

  // One stored comment with its response's payload.
  struct CommentRow {
    std::int64_t id = 0;  // the store's, for the cursor
    std::string response_id, question, kind, text;
    std::int64_t submitted_at_ms = 0;
    std::string payload;
  };
  struct CommentQuery {
    std::string survey_id;
    TimeRange range;
    // Every term must begin a word of the comment (sondar::SearchTerms; the
    // terms hold no query syntax). Empty: every comment.
    std::vector<std::string> terms;
    // Only rows before this one in the order newest first (submittedAt, then
    // id, both descending): the cursor of the previous page.
    std::int64_t before_ms = std::numeric_limits<std::int64_t>::max();
    std::int64_t before_id = std::numeric_limits<std::int64_t>::max();
    int limit = 50;
  };
  // The comments matching `query`, newest first; false on failure.
  virtual bool Comments(const CommentQuery& query,
                        std::vector<CommentRow>* rows) = 0;
  // Like ForEach, but in time order with each row's record
  // (Version::encoded), and its payload only where the record is empty: a
  // row stored before records were kept, or one no version reads.
  // `rolled`, unless nullptr, is called first, in the same snapshot, with the
  // kinds and counts of the days in `range` that retention aggregated
  // (RollUpDay), oldest day first.
  using RolledFn =
      std::function<void(std::string_view kind, std::int64_t count)>;
  virtual bool ForEachRecord(
      const std::string& survey_id, const TimeRange& range,
      const std::function<bool(std::string_view record,
                               std::string_view payload)>& fn,
      int batch, const RolledFn* rolled) = 0;

  // The rows of `survey_id` in `range` as a summary reads them: fn(kind,
  // times, payload) with a record kind (sondar::RecordKind: a row less its
  // id and time of day) that `times` rows have, the kinds of each day in the
  // order of their first row; or, for a row without a record yet, kind empty
  // and its payload; both empty: `times` rows no version reads. `rolled` as
  // in ForEachRecord. The rows come in time order, kinds counted one by one
  // (ForEachRecord), unless a store counts them itself (PostgreSQL groups
  // them in the database, sending thousands of kinds for a million rows).
  using KindFn = std::function<bool(std::string_view kind, std::int64_t times,
                                    std::string_view payload)>;
  virtual bool ForEachKind(const std::string& survey_id, const TimeRange& range,
                           const KindFn& fn, const RolledFn* rolled);
  // The rows of `survey_id` in `range` whose hidden fields hold every pair in
  // `hidden`, as ForEachKind gives them: first the kinds of rows the
  // database's index of hidden values answers for (written with the row and
  // its record), in time order; then the payloads of the rows in range it
  // does not answer for (no record yet, or written by a collector from before
  // the index), which the caller checks itself, narrowed by `contains` as in
  // ForEach. Aggregated days are not given: their rows no longer have
  // hidden values.
  virtual bool ForEachHiddenKind(const std::string& survey_id,
                                 const TimeRange& range,
                                 const HiddenValues& hidden,
                                 const Needles& contains, const KindFn& fn) = 0;
  // What a write derives from a payload: its record and its comments.
  struct Derived {
    std::string record;
    std::vector<Comment> comments;
    HiddenValues hidden;
  };
  // Builds the indexes that are not built at open (PostgreSQL: those of tables
  // that grow with traffic, concurrently, so writes go on), asking `stop`
  // before each; false when the database failed. SQLite builds its own at open.
  virtual bool BuildIndexes(const std::function<bool()>& stop) {
    (void)stop;
    return true;
  }
  // Rows stored before records, comments and the hidden values' index were
  // kept (or written by a collector from before them) get them, in batches
  // that let writes through in between; `derive` gives nullopt for a payload
  // no version reads (its record is then "" and it is not asked again);
  // `stop` is asked before each batch. The rows derived, or -1 on failure.
  virtual std::int64_t DeriveOld(
      const std::function<std::optional<Derived>(const std::string& payload)>&
          derive,
      const std::function<bool()>& stop) = 0;
  // A new theme list re-tags stored comments: the rows of responses with a
  // comment, received at or after `since_ms`, lose their record, a few
  // thousand rows per transaction (posts go through in between), so
  // summaries read those rows' payloads (tagged with the list they are given)
  // until DeriveOld gives them a new one. Rows without a comment have no
  // themes to change. The rows, or -1.
  virtual std::int64_t ForgetCommentedRecords(std::int64_t since_ms) = 0;
  // Rows DeriveOld has still to give a record, or -1.
  virtual std::int64_t Underived() = 0;
  // Stored responses, or -1 when the database cannot be asked.
  virtual std::int64_t Count() = 0;
  // Complete responses of a survey, counting at most `per_client` of each
  // client_key (rows stored before client keys count one each); -1 on
  // failure.
  virtual std::int64_t CountComplete(const std::string& survey_id,
                                     int per_client) = 0;
  // Bytes of stored payloads of a survey, or -1.
  virtual std::int64_t StoredBytes(const std::string& survey_id) = 0;
  // Whether a write of `bytes` can be committed now (it writes one row of
  // about that size, kept apart from the responses).
  virtual bool Probe(std::size_t bytes) = 0;
  // A random secret this database keeps (made on first use), so every
  // collector on it keys client addresses the same way. Empty on failure.
  virtual std::string Secret() = 0;
  // A value the collectors keep in the database ("" when none or on failure),
  // e.g. the theme list version the stored records were tagged with.
  virtual std::string Meta(const std::string& key) = 0;
  virtual bool SetMeta(const std::string& key, const std::string& value) = 0;

  // Published documents: every version of every survey ("survey", its id)
  // and of the site manifest ("site", id "site"), never changed once written.
  struct Document {
    std::string kind;
    std::string id;
    int version = 0;
    std::string content;  // JSON text, with its assigned "version" in it
    std::int64_t published_at_ms = 0;
    std::string source;    // "import", "publish" or "rollback"
    int from_version = 0;  // what it was edited from, or rolled back to
  };
  enum class Published { kPublished, kConflict, kFailed };
  // Writes `document` if the latest version of its kind and id is
  // `expected_latest` (0: none yet) and its version is above that; kConflict
  // when another version came first. Atomic across every collector on the
  // database.
  virtual Published Publish(const Document& document, int expected_latest) = 0;
  // Documents stored, or -1: rows are never deleted, so a change means new
  // versions.
  virtual std::int64_t DocumentCount() = 0;
  // Every document, oldest first; false on failure.
  virtual bool Documents(const std::function<void(Document)>& fn) = 0;

  // Webhooks. Deleting one deletes its deliveries: nothing is sent for a
  // webhook once it is gone.
  virtual bool AddWebhook(const Webhook& webhook) = 0;
  virtual bool Webhooks(std::vector<Webhook>* webhooks) = 0;
  // 1 deleted, 0 no such webhook, -1 failure.
  virtual int DeleteWebhook(const std::string& id) = 0;
  // A webhook's deliveries, newest first; `state` empty for every state.
  virtual bool Deliveries(const std::string& webhook_id,
                          const std::string& state, int limit,
                          std::vector<Delivery>* deliveries) = 0;
  // Takes up to `limit` deliveries due at `now_ms` (held or pending, of an
  // enabled webhook) for this process: each becomes pending with next_at
  // `now_ms + lease_ms`, so no other collector on the database takes it
  // while it is being sent, and a collector that dies sending it leaves it
  // to be sent again after the lease.
  virtual bool Claim(std::int64_t now_ms, std::int64_t lease_ms, int limit,
                     std::vector<Delivery>* claimed) = 0;
  // A delivery not caused by a response (a digest): `key` stands where a
  // response id would, so one key gives one delivery per webhook whichever
  // collector writes it first. 1 written, 0 there already, -1 failure.
  virtual int Enqueue(const AlertWrite& delivery, const std::string& key) = 0;
  // Whether the webhook has a delivery under `key`: 1 yes, 0 no, -1
  // failure.
  virtual int HasDelivery(const std::string& webhook_id,
                          const std::string& key) = 0;
  // Records attempts on their deliveries and webhooks, in one transaction
  // (one fsync for a batch of sends).
  virtual bool Settle(const std::vector<Attempt>& attempts) = 0;
  // A delivery (dead or not) is due again now, for another `window_ms` of
  // retries on a fresh schedule (its attempts count from 0), and its webhook
  // enabled with its failing time cleared. 1 done, 0 no such delivery, -1
  // failure.
  virtual int Retry(const std::string& webhook_id,
                    const std::string& delivery_id, std::int64_t now_ms,
                    std::int64_t window_ms) = 0;

  // Cases, newest first (by when they were opened, then response id).
  struct CaseQuery {
    std::string survey_id;
    std::string state;                    // "" every state
    std::optional<std::string> assignee;  // "" nobody's
    // The previous page's last case; before_id "" is the first page.
    std::int64_t before_ms = 0;
    std::string before_id;
    int limit = 25;
  };
  virtual bool Cases(const CaseQuery& query, std::vector<Case>* cases) = 0;
  // Cases of a survey per state.
  virtual bool CaseCounts(const std::string& survey_id,
                          std::map<std::string, std::int64_t>* counts) = 0;
  // The case of a response with its history, oldest first; `found` nullopt
  // when the response has none.
  virtual bool FindCase(const std::string& response_id,
                        std::optional<Case>* found,
                        std::vector<CaseEvent>* history) = 0;
  enum class CaseResult { kUpdated, kOpened, kNoResponse, kFailed };
  // Applies `change` to the response's case, opening one (manual) if it has
  // none, and appends it to the history, in one transaction; `after` is the
  // case as it then is.
  virtual CaseResult UpdateCase(const std::string& response_id,
                                const CaseEvent& change, Case* after) = 0;
  // The records of a survey's visitors who answered it more than once, by
  // visitor and then in time order.
  virtual bool ForEachRepeatRecord(
      const std::string& survey_id,
      const std::function<void(std::string_view visitor,
                               std::string_view record)>& fn) = 0;

  // Privacy. The stored responses of a visitor (id, payload), oldest first.
  virtual bool OfVisitor(
      const std::string& visitor_id,
      const std::function<void(const std::string& response_id,
                               const std::string& payload)>& fn) = 0;
  // Deletes the responses with their comments (and so their search index
  // entries), their deliveries (sent or not), cases and case history, in one
  // transaction, and remembers each id so a later post of it (a visitor's
  // outbox resending it) is kErased. The responses deleted, or -1.
  virtual std::int64_t Erase(const std::vector<std::string>& response_ids,
                             std::int64_t now_ms) = 0;
  // A response's deliveries, oldest first.
  virtual bool DeliveriesOf(const std::string& response_id,
                            std::vector<Delivery>* deliveries) = 0;

  // Retention. What a row becomes in its day's aggregate: its record kind
  // (sondar::RecordKind; "" for a row no version reads) and whether it is
  // complete (closeAfter counts it).
  struct Rolled {
    std::string kind;
    bool complete = false;
  };
  // The rows of `survey_id` submitted on the oldest UTC day before
  // `before_ms` (a day's start) are counted by kind into that day's
  // aggregate and deleted with everything Erase deletes, in one transaction:
  // a crash leaves either the rows or their counts, never both. The rows
  // rolled up (0: none left before `before_ms`), or -1.
  virtual std::int64_t RollUpDay(
      const std::string& survey_id, std::int64_t before_ms,
      const std::function<Rolled(std::string_view record,
                                 std::string_view payload)>& kind_of) = 0;
  // Named tokens. 1 added, 0 the name is taken (names are never reused: the
  // audit log names them), -1 failure.
  virtual int AddToken(const Token& token) = 0;
  virtual bool Tokens(std::vector<Token>* tokens) = 0;
  // 1 revoked, 0 no such token in use, -1 failure.
  virtual int RevokeToken(const std::string& name, std::int64_t now_ms) = 0;
  // The audit log: appended to, never changed.
  virtual bool AddAudit(const AuditEntry& entry) = 0;
  // Newest first, with ids below `before_id`.
  virtual bool Audit(std::int64_t before_id, int limit,
                     std::vector<AuditEntry>* entries) = 0;
};

// Shared by the stores: the wall clock in Unix milliseconds, and a status as
// stored (its StatusName; anything else reads as partial, the weakest).
std::int64_t NowMs();
ResponseStatus StatusFromName(std::string_view name);
// What Probe(bytes) writes: `bytes` of varied text that no compression makes
// much smaller.
std::string ProbeText(std::size_t bytes);
// The hidden values a store indexes for a validated payload:
// sondar::HiddenValuesOf less any longer than 200 bytes or holding a NUL (a
// filter on such a value reads payloads: IndexAnswers).
Store::HiddenValues IndexedHidden(const Json& payload);
// Whether the index answers a filter's hidden conditions.
bool IndexAnswers(const Store::HiddenValues& conditions);

std::unique_ptr<Store> OpenSqlite(const std::string& path, std::string* error);
std::unique_ptr<Store> OpenPostgres(const std::string& url, std::string* error);

}  // namespace sondar::collector

#endif  // SONDAR_DEMO_COLLECTOR_STORE_H_
