// The workspace's queries (admin): a filtered summary, the comments inbox, one
// response in full and the CSV export. Every figure and every decision (which
// response a filter keeps, what a comment is, how a cell reads) is the
// core's; this file reads the store and writes the answer.
#include <csv.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <set>
#include <unordered_map>

#include "collector.h"
#include "http_codes.h"
#include "reply.h"

namespace sondar::collector {

namespace {

using http::Request;
using http::Response;

constexpr int kDefaultCommentLimit = 25;
constexpr int kMaxCommentLimit = 100;
// Rows of comments one request may look at while a filter drops them: a page
// can come back shorter than asked, with a cursor to go on from, instead of
// one request reading every stored comment.
constexpr int kMaxCommentsScanned = 2000;

// One stored response read back against the version it names.
struct Stored {
  const Survey* version = nullptr;
  ResponseRecord record;
  Json payload;  // parsed only when asked for
};

// Its comments are tagged with `themes`, the list the query uses.
bool Read(const SurveyVersions& versions, const std::vector<Theme>& themes,
          const std::string& text, Stored* out) {
  auto payload = ParseJson(text, kMaxResponseBytes, kMaxResponseDepth);
  if (!payload.ok()) return false;
  auto version = versions.For(payload.value());
  if (!version.ok()) return false;
  auto record = ValidateResponse(*version.value(), payload.value());
  if (!record.ok()) return false;
  out->version = version.value();
  out->record = std::move(record).value();
  out->record.themes = ThemesOf(themes, *out->version, payload.value());
  out->payload = std::move(payload).value();
  return true;
}

// "1764500000000.42": the submittedAt and id of the last row a page looked
// at.
std::string Cursor(const Store::CommentRow& row) {
  return std::to_string(row.submitted_at_ms) + "." + std::to_string(row.id);
}

bool ParseCursor(const std::string& text, Store::CommentQuery* query) {
  const auto dot = text.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == text.size() ||
      text.size() > 40)
    return false;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (i != dot && (text[i] < '0' || text[i] > '9')) return false;
  query->before_ms = std::strtoll(text.c_str(), nullptr, 10);
  query->before_id = std::strtoll(text.c_str() + dot + 1, nullptr, 10);
  return true;
}

// A field quoted by libcsv: always in double quotes, inner quotes doubled
// (RFC 4180), so commas, quotes and line breaks in a cell stay in it.
void AppendCsvRow(const std::vector<std::string>& cells, std::string* out) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) *out += ',';
    const std::string& cell = cells[i];
    const std::size_t size = csv_write(nullptr, 0, cell.data(), cell.size());
    const std::size_t at = out->size();
    out->resize(at + size);
    csv_write(&(*out)[at], size, cell.data(), cell.size());
  }
  *out += "\r\n";
}

}  // namespace

// The survey a query names, or a 404 already answered.
const SurveyVersions* Collector::Queried(const Request& req, Response& res,
                                         std::shared_ptr<const Snapshot>* hold,
                                         ResponseFilter* filter) {
  *hold = catalog_->Now();
  const std::string id = req.Param("survey");
  auto history = (*hold)->surveys.find(id);
  if (history == (*hold)->surveys.end()) {
    Refuse(res, 404, HttpCode::kUnknownSurvey, "survey",
           "no survey \"" + id + "\" here");
    return nullptr;
  }
  auto parsed = ParseFilter(req.query);
  if (!parsed.ok()) {
    Reply(res, 400, {{"errors", ErrorsToJson(parsed.errors())}});
    return nullptr;
  }
  *filter = std::move(parsed).value();
  return &history->second.versions;
}

// A viewer may not filter by personal data (sondar::ViewerMayFilter).
bool MayFilter(const Principal& who, const SurveyVersions& versions,
               const ResponseFilter& filter, Response& res) {
  if (who.role == Role::kAdmin) return true;
  const Status allowed = ViewerMayFilter(versions, filter);
  if (allowed.ok()) return true;
  Reply(res, 403, {{"errors", ErrorsToJson(allowed.errors())}});
  return false;
}

void Collector::Summary(const Request& req, Response& res,
                        const Principal& who) {
  std::shared_ptr<const Snapshot> hold;
  ResponseFilter filter;
  const SurveyVersions* versions = Queried(req, res, &hold, &filter);
  if (!versions || !MayFilter(who, *versions, filter, res)) return;
  double confidence = kDefaultConfidence;
  if (req.HasParam("confidence"))
    confidence = std::atof(req.Param("confidence").c_str());
  if (!(confidence > 0.5 && confidence < 0.9999))
    confidence = kDefaultConfidence;
  Json summary;
  // Figures over part of the responses would look like real ones.
  if (!Summarise(*versions, filter, confidence, &summary)) {
    res.Set("Retry-After", kStorageRetryAfter);
    return Refuse(res, 503, HttpCode::kStorage, "", "could not read; retry");
  }
  if (who.role != Role::kAdmin)
    summary = WithoutPersonalBreakdowns(*versions, std::move(summary));
  Reply(res, 200, summary);
}

namespace {

// What a payload must hold to meet the filter's hidden fields.
Store::Needles NeedlesOf(const ResponseFilter& filter) {
  Store::Needles out;
  for (const auto& [name, value] : filter.hidden)
    out.push_back(HiddenNeedles(name, value));
  return out;
}

}  // namespace

bool Collector::Summarise(const SurveyVersions& survey,
                          const ResponseFilter& filter, double confidence,
                          Json* out) {
  const SurveyVersions* versions = &survey;
  // Every version's responses: each checked against its own version, and
  // summarised with the versions of its shape (core/README.md, "Versions").
  VersionedAggregate aggregate(*versions);
  // One list for the whole summary, though a publish may come meanwhile.
  const auto theme_list = catalog_->Now()->themes;
  ThemeAggregate themes(*versions, *theme_list);
  std::uint64_t unreadable = 0;
  // Responses of days retention aggregated (--retention-days): counted
  // from their kinds, or left out by a hidden-field filter, which needs
  // payloads they no longer have.
  std::int64_t aggregated = 0, left_out = 0;
  Stored stored;
  bool read = true;
  const Store::TimeRange range{filter.from_ms, filter.to_ms};
  if (filter.NeedsPayload()) {
    const Store::RolledFn count_left_out =
        [&](std::string_view, std::int64_t count) { left_out += count; };
    // Only the aggregated days are wanted here: the row callback stops at
    // once.
    read = store_->ForEachRecord(
        versions->id(), range,
        [](std::string_view, std::string_view) { return false; }, 1,
        &count_left_out);
  }
  // The hidden values a filter names are looked up in the database's index
  // of them (Store::ForEachHiddenKind), except a value the index cannot hold:
  // then the database reads through the payloads for the filter's texts, so
  // only rows that may match are parsed here.
  if (filter.NeedsPayload() && !IndexAnswers(filter.hidden)) {
    read =
        read && store_->ForEach(
                    versions->id(), range,
                    [&](const std::string& text) {
                      if (!Read(*versions, *theme_list, text, &stored))
                        ++unreadable;
                      else if (Matches(filter, *stored.version, stored.record,
                                       &stored.payload)) {
                        aggregate.Add(stored.version->version, stored.record);
                        themes.Add(stored.version->version, stored.record);
                      }
                      return true;
                    },
                    500, NeedlesOf(filter));
  } else {
    // Each row's record, written with it, read back without its payload
    // (rows from before records were kept are validated), and counted by
    // kind: the rows of one day alike in everything a summary reads are
    // filtered and added once. Kinds are added in the order they first
    // appear, so breakdowns past kMaxGroupKeys fold the same keys as adding
    // row by row would.
    // Rows come in time order, so the kinds of one day are added when the
    // next day begins: memory holds one day's kinds, not the range's.
    // The hidden conditions are the index's (and, for a row it does not
    // answer for, its payload's), not the kinds'.
    ResponseFilter of_kinds = filter, of_payloads;
    of_kinds.hidden.clear();
    of_payloads.hidden = filter.hidden;
    std::unordered_map<std::string, std::uint64_t> index;  // kind -> slot
    std::vector<std::pair<const std::string*, std::uint64_t>> kinds;
    std::string kind;
    std::int64_t day = std::numeric_limits<std::int64_t>::min();
    auto add_kinds = [&] {
      for (const auto& [text, times] : kinds) {
        int version = 0;
        if (!DecodeRecord(*text, &stored.record, &version) ||
            !(stored.version = versions->Find(version))) {
          unreadable += times;
        } else if (Matches(of_kinds, *stored.version, stored.record)) {
          aggregate.Add(version, stored.record, times);
          themes.Add(version, stored.record, times);
        }
      }
      kinds.clear();
      index.clear();
    };
    // `kind` holds a kind seen `times` times.
    auto count_kind = [&](std::uint64_t times) {
      // The kind's day, as RecordKind wrote it: "r1;N;s;<day>;". An
      // aggregated day's kind comes from the database: one of another shape
      // is unreadable, not read past its end.
      const std::size_t semi = kind.find(';', 3);
      if (kind.compare(0, 3, "r1;") != 0 || semi == std::string::npos ||
          semi + 3 >= kind.size()) {
        unreadable += times;
        return;
      }
      const std::size_t at = semi + 3;
      const std::int64_t this_day =
          std::strtoll(kind.c_str() + at, nullptr, 10);
      if (this_day != day) {
        add_kinds();
        day = this_day;
      }
      auto [slot, added] = index.try_emplace(kind, kinds.size());
      if (added) kinds.emplace_back(&slot->first, 0);
      kinds[slot->second].second += times;
    };
    // Aggregated days come first, oldest first, as older rows would.
    const Store::RolledFn count_rolled = [&](std::string_view rolled,
                                             std::int64_t count) {
      aggregated += count;
      if (rolled.empty()) {
        unreadable += count;
        return;
      }
      kind = rolled;
      count_kind(count);
    };
    const Store::KindFn count_row = [&](std::string_view counted,
                                        std::int64_t times,
                                        std::string_view payload) {
      if (!counted.empty()) {
        kind = counted;
      } else if (payload.empty() ||
                 !Read(*versions, *theme_list, std::string(payload), &stored)) {
        unreadable += static_cast<std::uint64_t>(times);
        return true;
      } else if (!of_payloads.hidden.empty() &&
                 !Matches(of_payloads, *stored.version, stored.record,
                          &stored.payload)) {
        return true;
      } else {
        RecordKind(EncodeRecord(stored.record, stored.version->version), &kind);
      }
      count_kind(static_cast<std::uint64_t>(times));
      return true;
    };
    if (filter.hidden.empty()) {
      read =
          store_->ForEachKind(versions->id(), range, count_row, &count_rolled);
    } else {
      read = read &&
             store_->ForEachHiddenKind(versions->id(), range, filter.hidden,
                                       NeedlesOf(filter), count_row);
    }
    add_kinds();
  }
  if (!read) return false;
  Json summary = aggregate.Summary(confidence);
  // Themes of the commented responses among those the filter keeps, with
  // labels in the survey's own language.
  summary["themes"] = themes.Summary(versions->Latest()->locale, confidence);
  summary["filter"] = filter.ToJson();
  // Stored rows no version accepts (a version removed by hand from the
  // database): counted, never silently dropped.
  summary["unreadable"] = unreadable;
  if (aggregated || left_out) {
    summary["retention"] = Json::object();
    summary["retention"]["aggregated"] = aggregated;
    summary["retention"]["leftOut"] = left_out;
  }
  *out = std::move(summary);
  return true;
}

std::optional<std::string> Collector::DigestBody(const std::string& survey_id,
                                                 std::int64_t day_ms) {
  const auto catalog = catalog_->Now();
  auto history = catalog->surveys.find(survey_id);
  if (history == catalog->surveys.end()) return std::nullopt;
  const SurveyVersions& versions = history->second.versions;
  constexpr std::int64_t kDay = 24 * 3600 * 1000;
  ResponseFilter day, before;
  day.from_ms = day_ms;
  day.to_ms = day_ms + kDay;
  before.from_ms = day_ms - kDay;
  before.to_ms = day_ms;
  Json current, previous;
  if (!Summarise(versions, day, kDefaultConfidence, &current) ||
      !Summarise(versions, before, kDefaultConfidence, &previous))
    return std::nullopt;
  // A day without responses sends nothing: a digest of zeros every morning
  // teaches people to ignore it.
  if (current["responses"]["total"].as_int() == 0) return std::string();
  // The day's comments, newest first, for the lowest-scored: a bounded
  // read (the digest quotes five).
  Store::CommentQuery query;
  query.survey_id = survey_id;
  query.range = {day.from_ms, day.to_ms};
  query.limit = 500;
  std::vector<Store::CommentRow> rows;
  if (!store_->Comments(query, &rows)) return std::nullopt;
  std::vector<Json> commented;
  std::set<std::string> seen;
  for (const Store::CommentRow& row : rows) {
    if (!seen.insert(row.response_id).second) continue;
    auto payload = ParseJson(row.payload);
    if (payload.ok()) commented.push_back(std::move(payload).value());
  }
  const std::string link = webhooks_->PublicUrl();
  const Email email = DigestEmail(
      {versions, current, previous, FormatTimestamp(day_ms).substr(0, 10),
       commented,
       link.empty() ? ""
                    : link + "/workspace/?survey=" + survey_id +
                          "&from=" + FormatTimestamp(day_ms).substr(0, 10) +
                          "&to=" + FormatTimestamp(day_ms).substr(0, 10)});
  return email.ToJson().dump();
}

void Collector::Comments(const Request& req, Response& res,
                         const Principal& who) {
  std::shared_ptr<const Snapshot> hold;
  ResponseFilter filter;
  const SurveyVersions* versions = Queried(req, res, &hold, &filter);
  if (!versions || !MayFilter(who, *versions, filter, res)) return;
  int limit = 0;
  if (!Limit(req, res, kDefaultCommentLimit, kMaxCommentLimit, &limit)) return;
  Store::CommentQuery query;
  query.survey_id = versions->id();
  query.range = {filter.from_ms, filter.to_ms};
  const std::vector<std::string> terms = SearchTerms(req.Param("q"));
  query.terms = terms;
  if (req.HasParam("cursor") && !ParseCursor(req.Param("cursor"), &query)) {
    return Refuse(res, 400, ErrorCode::kInvalidValue, "cursor",
                  "is not a cursor this collector gave");
  }
  // The rows come newest first in batches; the core's filter keeps some.
  query.limit = filter.empty() ? limit + 1 : std::min(4 * limit, 200);
  Json items = Json::array();
  std::optional<std::string> next;
  int scanned = 0;
  Stored stored;
  for (bool done = false; !done;) {
    std::vector<Store::CommentRow> rows;
    if (!store_->Comments(query, &rows)) {
      res.Set("Retry-After", kStorageRetryAfter);
      return Refuse(res, 503, HttpCode::kStorage, "", "could not read; retry");
    }
    const bool last_batch = rows.size() < static_cast<std::size_t>(query.limit);
    for (const Store::CommentRow& row : rows) {
      if (static_cast<int>(items.size()) == limit) {
        // One more row exists: the page ends at the one before it.
        done = true;
        break;
      }
      ++scanned;
      next = Cursor(row);
      if (!Read(*versions, *hold->themes, row.payload, &stored) ||
          !Matches(filter, *stored.version, stored.record, &stored.payload))
        continue;
      const bool viewer = who.role != Role::kAdmin;
      if (viewer)
        stored.payload = WithoutPersonalData(*versions, *stored.version,
                                             std::move(stored.payload));
      const Question* q = nullptr;
      if (int i = stored.version->QuestionIndex(row.question); i >= 0)
        q = &stored.version->questions[i];
      Json item = {
          {"responseId", row.response_id},
          {"question", row.question},
          {"kind", row.kind},
          {"text", row.text},
          {"submittedAt", FormatTimestamp(row.submitted_at_ms)},
          {"status", std::string(StatusName(stored.record.status))},
          {"surveyVersion", stored.version->version},
          {"prompt",
           q ? q->prompt.Resolve(stored.version->locale, stored.version->locale)
             : row.question},
      };
      for (const char* key :
           {"trigger", "locale", "page", "hidden", "scores", "visitorId"}) {
        if (const Json* v = stored.payload.find(key)) item[key] = *v;
      }
      if (!stored.record.segment.empty() &&
          !(viewer &&
            IsPersonalField(*versions, ValidateOptions{}.segment_field)))
        item["segment"] = stored.record.segment;
      // "c,delivery,price" as ["delivery", "price"]
      Json themes = Json::array();
      std::string_view rest = stored.record.themes;
      for (std::size_t comma;
           (comma = rest.find(',')) != std::string_view::npos;) {
        rest.remove_prefix(comma + 1);
        themes.push_back(std::string(rest.substr(0, rest.find(','))));
      }
      item["themes"] = std::move(themes);
      items.push_back(std::move(item));
    }
    if (done) break;
    if (last_batch) {
      // Every matching row is on this page.
      if (static_cast<int>(items.size()) <= limit) next.reset();
      break;
    }
    if (scanned >= kMaxCommentsScanned) break;
    query.before_ms = rows.back().submitted_at_ms;
    query.before_id = rows.back().id;
  }
  Json body = {{"items", std::move(items)}, {"terms", Json(terms)}};
  body["next"] = next ? Json(*next) : Json(nullptr);
  body["filter"] = filter.ToJson();
  Reply(res, 200, body);
}

// One response in full, with each answer as the CSV export reads it (choices
// by their labels), for the inbox's detail view.
void Collector::OneResponse(const std::string& response_id, Response& res,
                            const Principal& who) {
  // Ids are UTF-8 (the core checks them); PostgreSQL would refuse other text.
  if (!IsUtf8(response_id)) {
    return Refuse(res, 404, HttpCode::kNotFound, "", "no such response here");
  }
  std::optional<std::string> text;
  if (!store_->Find(response_id, &text)) {
    res.Set("Retry-After", kStorageRetryAfter);
    return Refuse(res, 503, HttpCode::kStorage, "", "could not read; retry");
  }
  auto payload = text ? ParseJson(*text) : Result<Json>(Json());
  const Json* survey_id =
      payload.ok() ? payload.value().find("surveyId") : nullptr;
  if (!text || !survey_id || !survey_id->is_string()) {
    return Refuse(res, 404, HttpCode::kNotFound, "",
                  "no response \"" + response_id + "\" here");
  }
  const auto catalog = catalog_->Now();
  auto history = catalog->surveys.find(survey_id->as_string());
  const Survey* version = nullptr;
  if (history != catalog->surveys.end()) {
    auto found = history->second.versions.For(payload.value());
    if (found.ok()) version = found.value();
  }
  // A viewer sees no personal data; a response no version reads could hold
  // any, so a viewer does not see it at all.
  if (who.role != Role::kAdmin) {
    if (!version)
      return Refuse(res, 403, HttpCode::kForbidden, "",
                    "no version of its survey reads this response; only an "
                    "admin may see it");
    payload.value() = WithoutPersonalData(history->second.versions, *version,
                                          std::move(payload.value()));
  }
  Json body = {{"response", payload.value()}};
  if (version) {
    const CsvTable table(history->second.versions);
    const auto cells = table.Row(*version, payload.value(), false);
    const auto header = table.Header(false);
    Json answers = Json::array();
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i < table.FirstQuestionColumn() || cells[i].empty()) continue;
      answers.push_back({{"label", header[i]}, {"value", cells[i]}});
    }
    body["answers"] = std::move(answers);
  }
  Reply(res, 200, body);
}

void Collector::ExportCsv(const Request& req, Response& res) {
  std::shared_ptr<const Snapshot> hold;
  ResponseFilter filter;
  const SurveyVersions* versions = Queried(req, res, &hold, &filter);
  if (!versions) return;
  // The filters' names, never their values: a hidden value is often the
  // very order number an erasure later removes.
  Json filters = Json::array();
  for (const auto& [name, value] : req.query)
    if (name != "survey") filters.push_back(name);
  Audit(req, "export", "/api/export.csv",
        {{"survey", versions->id()}, {"filters", std::move(filters)}});
  res.content_type = "text/csv; charset=utf-8";
  res.Set("Content-Disposition",
          "attachment; filename=\"" + versions->id() + ".csv\"");
  res.stream = [this, hold, versions, filter](http::Sink& sink) {
    const CsvTable table(*versions);
    // A byte order mark first: without it Excel reads UTF-8 as the
    // system's code page.
    std::string piece = "\xEF\xBB\xBF";
    AppendCsvRow(table.Header(), &piece);
    bool open = true;
    Stored stored;
    const bool read = store_->ForEach(
        versions->id(), {filter.from_ms, filter.to_ms},
        [&](const std::string& text) {
          if (Read(*versions, *hold->themes, text, &stored) &&
              Matches(filter, *stored.version, stored.record,
                      &stored.payload)) {
            AppendCsvRow(table.Row(*stored.version, stored.payload), &piece);
          }
          if (piece.size() >= 64 * 1024) {
            open = sink.Write(piece);
            piece.clear();
          }
          return open;
        },
        500, NeedlesOf(filter));
    // A failed read cuts the stream instead of ending it cleanly, so the
    // client cannot take a partial export for a whole one.
    if (!read || !open) return false;
    return piece.empty() || sink.Write(piece);
  };
}

// Rows stored before records and comments were kept get them once, at start.
void Collector::DeriveOld() {
  const std::int64_t derived = store_->DeriveOld(
      [&](const std::string& text) -> std::optional<Store::Derived> {
        // Asked for each row: a theme list published meanwhile (here or by
        // another collector) tags the rows derived after it.
        const auto catalog = catalog_->Now();
        auto payload = ParseJson(text, kMaxResponseBytes, kMaxResponseDepth);
        if (!payload.ok()) return std::nullopt;
        const Json* id = payload.value().find("surveyId");
        if (!id || !id->is_string()) return std::nullopt;
        auto history = catalog->surveys.find(id->as_string());
        if (history == catalog->surveys.end()) return std::nullopt;
        auto version = history->second.versions.For(payload.value());
        if (!version.ok()) return std::nullopt;
        auto record = ValidateResponse(*version.value(), payload.value());
        if (!record.ok()) return std::nullopt;
        std::vector<Comment> comments =
            CommentsOf(*version.value(), payload.value());
        record.value().themes = ThemesOf(*catalog->themes, comments);
        return Store::Derived{
            EncodeRecord(record.value(), version.value()->version),
            std::move(comments), IndexedHidden(payload.value())};
      },
      [this] { return Stopping(); });
  if (derived < 0) {
    std::cerr << "could not index the stored responses for the workspace; "
                 "summaries read their payloads until the next start\n";
  } else if (derived > 0) {
    std::cerr << "indexed " << derived
              << " stored responses for the workspace (records, comments)\n";
  }
}

std::int64_t Collector::Retain(std::int64_t now_ms) {
  if (config_.retention_days <= 0) return 0;
  const std::int64_t before = RetentionStart(now_ms, config_.retention_days);
  const auto catalog = catalog_->Now();
  std::int64_t rolled = 0;
  for (const auto& [id, history] : catalog->surveys) {
    const SurveyVersions& versions = history.versions;
    Stored stored;
    const auto kind_of = [&](std::string_view record,
                             std::string_view payload) {
      Store::Rolled out;
      std::string encoded;
      if (record.empty()) {
        if (!Read(versions, *catalog->themes, std::string(payload), &stored))
          return out;
        encoded = EncodeRecord(stored.record, stored.version->version);
        record = encoded;
      }
      ResponseRecord decoded;
      int version = 0;
      if (RecordKind(record, &out.kind) &&
          DecodeRecord(record, &decoded, &version))
        out.complete = decoded.status == ResponseStatus::kComplete;
      else
        out.kind.clear();
      return out;
    };
    while (!Stopping()) {
      const std::int64_t n = store_->RollUpDay(id, before, kind_of);
      if (n < 0) return -1;
      if (n == 0) break;
      rolled += n;
    }
  }
  return rolled;
}

}  // namespace sondar::collector
