#include "sondar/response.h"

#include <algorithm>
#include <set>

#include "answers.h"
#include "flow.h"
#include "json_reader.h"
#include "response_internal.h"
#include "sondar/scoring.h"
#include "sondar/session.h"
#include "sondar/util.h"

namespace sondar {

using internal::Describe;
using internal::PathKey;

namespace {

constexpr std::size_t kMaxPageLength = 2048;

int Rank(ResponseStatus s) {
  switch (s) {
    case ResponseStatus::kPartial:
      return 0;
    case ResponseStatus::kDismissed:
      return 1;
    case ResponseStatus::kComplete:
      return 2;
  }
  return 0;
}

}  // namespace

std::string_view StatusName(ResponseStatus status) {
  switch (status) {
    case ResponseStatus::kPartial:
      return "partial";
    case ResponseStatus::kComplete:
      return "complete";
    case ResponseStatus::kDismissed:
      return "dismissed";
  }
  return "partial";
}

namespace internal {

void CheckAnswers(const Survey& survey, const Json& answers, Reader& r,
                  Errors& errors, ResponseRecord* record) {
  CheckAnswerList(survey, answers.as_object(), LookupInObject(answers), r,
                  errors, record);
}

Status CheckOther(std::string_view text, const std::string& path) {
  auto length = Utf8Length(text);
  if (!length)
    return Status(ErrorCode::kInvalidValue, path,
                  SONDAR_MESSAGE("is not valid UTF-8"));
  if (*length > static_cast<std::size_t>(kMaxOtherLength)) {
    return Status(
        ErrorCode::kTooLong, path,
        SONDAR_MESSAGE("is " + Str(static_cast<std::int64_t>(*length)) +
                       " characters; at most " + Str(kMaxOtherLength) +
                       " are allowed"));
  }
  return Status();
}

std::string SegmentOf(const Json& hidden, const std::string& field) {
  const Json* segment = hidden.find(field);
  if (!segment) return std::string();
  return segment->is_string() ? segment->as_string() : segment->dump();
}

}  // namespace internal

Result<ResponseRecord> ValidateResponse(const Survey& survey, const Json& p,
                                        const ValidateOptions& options) {
  Errors errors;
  internal::Reader r(&errors);
  ResponseRecord record;
  if (!r.ExpectObject(p, "")) return errors;
  r.CheckKeys(p, "",
              "schema responseId surveyId surveyVersion visitorId status "
              "answers scores locale trigger hidden page startedAt submittedAt "
              "other optionOrder");
  if (auto v = r.String(p, "", "schema", true); v && *v != kResponseSchema) {
    r.Fail(ErrorCode::kSchemaMismatch, "schema",
           SONDAR_MESSAGE("must be \"" + std::string(kResponseSchema) +
                          "\" (got \"" + *v + "\")"));
  }
  if (auto v = r.String(p, "", "responseId", true)) {
    if (!IsUuidV4(*v)) {
      r.Fail(
          ErrorCode::kInvalidValue, "responseId",
          SONDAR_MESSAGE("must be a UUID v4 (got " + Describe(Json(*v)) + ")"));
    }
    record.response_id = CanonicalUuid(*v);
  }
  if (auto v = r.String(p, "", "surveyId", true); v && *v != survey.id) {
    r.Fail(ErrorCode::kMismatch, "surveyId",
           SONDAR_MESSAGE("is \"" + *v + "\" but the survey is \"" + survey.id +
                          "\""));
  }
  if (auto v = r.Integer(p, "", "surveyVersion", true);
      v && *v != survey.version) {
    r.Fail(ErrorCode::kMismatch, "surveyVersion",
           SONDAR_MESSAGE("is " + internal::Str(*v) +
                          " but the survey is at version " +
                          internal::Str(survey.version)));
  }
  if (auto v = r.String(p, "", "visitorId", true);
      v && (v->empty() || v->size() > kMaxIdLength)) {
    r.Fail(ErrorCode::kInvalidValue, "visitorId",
           SONDAR_MESSAGE("must be 1-128 characters"));
  }
  if (auto v = r.String(p, "", "status", true)) {
    if (*v == "complete") {
      record.status = ResponseStatus::kComplete;
    } else if (*v == "dismissed") {
      record.status = ResponseStatus::kDismissed;
    } else if (*v == "partial") {
      record.status = ResponseStatus::kPartial;
    } else {
      r.Fail(ErrorCode::kInvalidValue, "status",
             SONDAR_MESSAGE("must be partial, complete or dismissed (got \"" +
                            *v + "\")"));
    }
  }
  r.Object(p, "", "scores");  // type-checked, then ignored: scores are
                              // recomputed, not trusted
  if (auto v = r.String(p, "", "locale"); v && !IsLocaleTag(*v)) {
    r.Fail(ErrorCode::kInvalidValue, "locale",
           SONDAR_MESSAGE("is not a language tag"));
  } else if (v) {
    record.locale = *v;
  }
  if (const Json* t = r.Field(p, "", "trigger", false); t && !t->is_null()) {
    if (!t->is_string()) {
      r.Fail(ErrorCode::kWrongType, "trigger",
             SONDAR_MESSAGE("must be a string or null (got " + Describe(*t) +
                            ")"));
    } else if (t->as_string().size() > kMaxIdLength) {
      r.Fail(ErrorCode::kTooLong, "trigger",
             SONDAR_MESSAGE("is longer than 128 characters"));
    } else {
      record.trigger = t->as_string();
    }
  }
  if (const Json* hidden = r.Field(p, "", "hidden", false)) {
    Status h = internal::CheckHidden(survey, *hidden);
    errors.insert(errors.end(), h.errors().begin(), h.errors().end());
    if (h.ok())
      record.segment = internal::SegmentOf(*hidden, options.segment_field);
  }
  if (auto v = r.String(p, "", "page"); v && v->size() > kMaxPageLength) {
    r.Fail(ErrorCode::kTooLong, "page",
           SONDAR_MESSAGE("is longer than " + internal::Str(kMaxPageLength) +
                          " bytes"));
  }
  std::optional<std::int64_t> started, submitted;
  for (auto [key, into] : {std::pair{"startedAt", &started},
                           std::pair{"submittedAt", &submitted}}) {
    if (auto v = r.String(p, "", key, true)) {
      *into = ParseTimestamp(*v);
      if (!*into) {
        r.Fail(ErrorCode::kInvalidValue, key,
               SONDAR_MESSAGE("must be an RFC 3339 timestamp such as "
                              "2026-11-22T09:04:01.123Z "
                              "(got " +
                              Describe(Json(*v)) + ")"));
      }
    }
  }
  if (started && submitted && *submitted < *started) {
    r.Fail(ErrorCode::kInvalidValue, "submittedAt",
           SONDAR_MESSAGE("is earlier than startedAt"));
  }
  if (submitted) record.submitted_at_ms = *submitted;

  const Json* answers = r.Object(p, "", "answers", true);
  if (answers) internal::CheckAnswers(survey, *answers, r, errors, &record);
  if (const Json* other = r.Object(p, "", "other")) {
    for (const auto& [id, text] : other->as_object()) {
      const std::string path = PathKey("other", id);
      const int q = survey.QuestionIndex(id);
      const Json* answer = answers ? answers->find(id) : nullptr;
      if (q < 0) {
        r.Fail(ErrorCode::kUnknownReference, path,
               SONDAR_MESSAGE("is not a question of survey \"" + survey.id +
                              "\""));
      } else if (!text.is_string() || text.as_string().empty()) {
        r.Fail(ErrorCode::kWrongType, path,
               SONDAR_MESSAGE("must be a non-empty string (got " +
                              Describe(text) + ")"));
      } else if (!answer ||
                 !survey.questions[static_cast<std::size_t>(q)].ChoosesOther(
                     *answer)) {
        r.Fail(ErrorCode::kInvalidValue, path,
               SONDAR_MESSAGE(
                   "belongs to an answer that chooses the \"other\" option"));
      } else {
        Status check = internal::CheckOther(text.as_string(), path);
        errors.insert(errors.end(), check.errors().begin(),
                      check.errors().end());
      }
    }
  }
  if (const Json* order = r.Object(p, "", "optionOrder")) {
    for (const auto& [id, ids] : order->as_object()) {
      const std::string path = PathKey("optionOrder", id);
      const int q = survey.QuestionIndex(id);
      if (q < 0 || !survey.questions[static_cast<std::size_t>(q)].shuffle) {
        r.Fail(ErrorCode::kInvalidValue, path,
               SONDAR_MESSAGE("is not a question with shuffled options"));
        continue;
      }
      const Question& question = survey.questions[static_cast<std::size_t>(q)];
      std::uint64_t seen = 0;
      for (const Json& option : ids.as_array()) {
        const int k =
            option.is_string() ? question.OptionIndex(option.as_string()) : -1;
        if (k >= 0) seen |= std::uint64_t{1} << k;
      }
      if (!ids.is_array() || ids.size() != question.options.size() ||
          seen + 1 != std::uint64_t{1} << question.options.size()) {
        r.Fail(
            ErrorCode::kInvalidValue, path,
            SONDAR_MESSAGE("must list each option id of \"" + id + "\" once"));
      }
    }
  }
  if (!errors.empty()) return errors;
  return record;
}

Result<ResponseRecord> ValidateResponseText(const Survey& survey,
                                            std::string_view text,
                                            const ValidateOptions& options) {
  ResponseRecord record;
  Status status = ValidateResponseTextInto(survey, text, options, &record);
  if (!status.ok()) return status;
  return record;
}

Status ValidateResponseTextInto(const Survey& survey, std::string_view text,
                                const ValidateOptions& options,
                                ResponseRecord* record) {
  // Most lines of an export take the scanner's way; whatever it is unsure of
  // (or rejects) is judged, with its errors, on the whole document.
  if (internal::ScanResponse(survey, text, options, record)) return Status();
  auto doc = ParseJson(text, kMaxResponseBytes, kMaxResponseDepth);
  if (!doc.ok()) return doc.status();
  auto whole = ValidateResponse(survey, doc.value(), options);
  if (!whole.ok()) return whole.status();
  *record = std::move(whole).value();
  return Status();
}

namespace {

void MeasureExtensions(const Json& value, const std::string& path,
                       std::size_t* total, std::size_t* largest,
                       std::string* largest_path) {
  if (value.is_object()) {
    for (const auto& [key, member] : value.as_object()) {
      const std::string at = internal::PathKey(path, key);
      if (key.rfind("x-", 0) == 0) {
        const std::size_t bytes = key.size() + member.dump().size();
        *total += bytes;
        if (bytes > *largest) *largest = bytes, *largest_path = at;
      } else {
        MeasureExtensions(member, at, total, largest, largest_path);
      }
    }
  } else if (value.is_array()) {
    const auto& items = value.as_array();
    for (std::size_t i = 0; i < items.size(); ++i)
      MeasureExtensions(items[i], internal::PathIndex(path, i), total, largest,
                        largest_path);
  }
}

}  // namespace

Status CheckExtensions(const Json& payload, std::size_t max_bytes) {
  std::size_t total = 0, largest = 0;
  std::string largest_path;
  MeasureExtensions(payload, "", &total, &largest, &largest_path);
  if (total <= max_bytes) return Status();
  return Status(ErrorCode::kTooLarge, largest_path,
                SONDAR_MESSAGE("x- members take " + std::to_string(total) +
                               " bytes in all; at most " +
                               std::to_string(max_bytes) + " are stored"));
}

Json NormalizeResponse(const Survey& survey, const Json& payload) {
  Json out = payload;
  Answers answers;
  if (const Json* given = payload.find("answers")) {
    for (const auto& [id, value] : given->as_object())
      answers.emplace(id, value);
  }
  out["scores"] = ScoreAnswers(survey, answers);
  if (const Json* id = payload.find("responseId"); id && id->is_string()) {
    out["responseId"] = CanonicalUuid(id->as_string());
  }
  if (const Json* page = payload.find("page"); page && page->is_string()) {
    out["page"] = StripUrl(page->as_string());
  }
  return out;
}

bool BoundTimestamps(const TimeBounds& bounds, Json* payload,
                     ResponseRecord* record) {
  const std::int64_t submitted = record->submitted_at_ms;
  if (submitted >= bounds.earliest_ms &&
      submitted <= bounds.received_ms + bounds.max_skew_ms) {
    return false;
  }
  record->submitted_at_ms = bounds.received_ms;
  (*payload)["submittedAt"] = FormatTimestamp(bounds.received_ms);
  // startedAt <= submittedAt must still hold for the stored payload.
  if (const Json* started = payload->find("startedAt");
      started && started->is_string()) {
    auto ms = ParseTimestamp(started->as_string());
    if (!ms || *ms > bounds.received_ms || *ms < bounds.earliest_ms)
      (*payload)["startedAt"] = FormatTimestamp(bounds.received_ms);
  }
  return true;
}

bool Supersedes(const ResponseRecord& incoming, const ResponseRecord& stored) {
  if (Rank(incoming.status) != Rank(stored.status)) {
    return Rank(incoming.status) > Rank(stored.status);
  }
  return incoming.submitted_at_ms > stored.submitted_at_ms;
}

}  // namespace sondar
