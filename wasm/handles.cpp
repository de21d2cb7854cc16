#include "handles.h"

#include <utility>

namespace sondar::wasm {
namespace {

// The envelopes are written around the dumped value rather than built as Json
// objects: no copy of the value, and less code in the shop's module.
std::string Ok(const Json& value) {
  std::string out = "{\"ok\":true,\"value\":";
  value.DumpTo(&out);
  return out += '}';
}
std::string Fail(const Errors& errors) {
  std::string out = "{\"errors\":";
  ErrorsToJson(errors).DumpTo(&out);
  return out += ",\"ok\":false}";
}
std::string Fail(const Status& status) { return Fail(status.errors()); }
// `lhs = value of expr`, or return its failure as an envelope.
#define ASSIGN_OR_FAIL(lhs, expr) SONDAR_ASSIGN_OR_RETURN_WITH(lhs, expr, Fail)

// A JSON argument from JS (made by JSON.stringify, but checked); errors name
// the argument.
Result<Json> Arg(const std::string& text, const char* what) {
  auto value = ParseJson(text);
  if (!value.ok()) {
    const Error& e = value.errors().front();
    return Status(e.code, what, SONDAR_MESSAGE(e.message));
  }
  return value;
}

// Made when needed, not as a static: a static's constructor would run (and be
// linked) in the shop's module, which has no aggregates.
Status NoSurvey() {
  return Status(ErrorCode::kMissingField, "survey",
                SONDAR_MESSAGE("is not valid"));
}

}  // namespace

SurveyHandle::SurveyHandle(const std::string& text) {
  auto parsed = ParseSurvey(text);
  if (parsed.ok()) {
    survey_ = SurveyPtr::Make(std::move(parsed).value());
  } else {
    status_ = parsed.status();
  }
}

std::string SurveyHandle::result() const {
  if (!survey_) return Fail(status_);
  const Survey& s = *survey_;
  Json info = Json::object();
  info["id"] = s.id;
  info["version"] = s.version;
  info["locale"] = s.locale;
  info["locales"] = s.complete_locales;
  info["events"] = s.trigger.events;
  info["hidden"] = s.hidden;
  info["questions"] = s.questions.size();
  return Ok(info);
}

std::string SurveyHandle::decide(const std::string& context_json) const {
  if (!survey_) return Fail(status_);
  ASSIGN_OR_FAIL(const Json doc, Arg(context_json, "context"));
  ASSIGN_OR_FAIL(const DecideContext context, ParseDecideContext(doc));
  return Ok(Decide(*survey_, context).ToJson());
}

std::string SurveyHandle::validateResponse(
    const std::string& payload_text) const {
  if (!survey_) return Fail(status_);
  // The limits a payload from the network gets (ValidateResponseText's).
  ASSIGN_OR_FAIL(const Json doc,
                 ParseJson(payload_text, kMaxResponseBytes, kMaxResponseDepth));
  ASSIGN_OR_FAIL(const ResponseRecord record, ValidateResponse(*survey_, doc));
  (void)record;  // valid: what is kept is the normalised payload
  return Ok(NormalizeResponse(*survey_, doc));
}

SiteHandle::SiteHandle(const std::string& text, bool single) {
  if (!single) {
    auto site = ParseSite(text);
    if (site.ok()) {
      site_ = std::move(site).value();
    } else {
      status_ = site.status();
    }
    return;
  }
  auto survey = ParseSurvey(text);
  if (survey.ok()) {
    site_ = SiteOfOne(SurveyPtr::Make(std::move(survey).value()));
  } else {
    status_ = survey.status();
  }
}

std::string SiteHandle::result() const {
  if (!site_) return Fail(status_);
  Json surveys = Json::array();
  for (const SiteEntry& e : site_->surveys) {
    Json& one = surveys.push_back(Json::object());
    one["id"] = e.survey->id;
    one["url"] = e.url;
    one["clicks"] = e.survey->trigger.clicks;
    one["closeAfter"] = e.survey->close_after;
  }
  Json info = Json::object();
  info["surveys"] = std::move(surveys);
  return Ok(info);
}

std::string SiteHandle::decide(const std::string& context_json) const {
  if (!site_) return Fail(status_);
  ASSIGN_OR_FAIL(const Json doc, Arg(context_json, "context"));
  ASSIGN_OR_FAIL(const DecideContext context, ParseDecideContext(doc));
  return Ok(DecideSite(*site_, context).ToJson(*site_));
}

SurveyHandle SiteHandle::survey(std::size_t index,
                                const std::string& text) const {
  if (!site_) return SurveyHandle(nullptr, status_);
  auto survey = SiteSurvey(*site_, index, text);
  return survey.ok() ? SurveyHandle(std::move(survey).value(), Status())
                     : SurveyHandle(nullptr, survey.status());
}

SessionHandle::SessionHandle(const SurveyHandle& survey,
                             const std::string& start_json) {
  if (!survey.survey()) {
    status_ = survey.status();
    return;
  }
  auto doc = Arg(start_json, "start");
  if (!doc.ok()) {
    status_ = doc.status();
    return;
  }
  auto start = ParseSessionStart(doc.value());
  if (!start.ok()) {
    status_ = start.status();
    return;
  }
  auto session = Session::Start(survey.survey(), std::move(start).value());
  if (!session.ok()) {
    status_ = session.status();
    return;
  }
  session_ = std::make_unique<Session>(std::move(session).value());
}

std::string SessionHandle::result() const {
  return session_ ? Ok(session_->View()) : Fail(status_);
}

std::string SessionHandle::answer(const std::string& question_id,
                                  const std::string& value_json) {
  if (!session_) return Fail(status_);
  ASSIGN_OR_FAIL(const Json value, Arg(value_json, "value"));
  return Step(session_->Answer(question_id, value));
}

std::string SessionHandle::other(const std::string& question_id,
                                 const std::string& text) {
  return session_ ? Step(session_->AnswerOther(question_id, text))
                  : Fail(status_);
}

std::string SessionHandle::next() {
  return session_ ? Step(session_->Next()) : Fail(status_);
}
std::string SessionHandle::back() {
  return session_ ? Step(session_->Back()) : Fail(status_);
}
std::string SessionHandle::dismiss() {
  return session_ ? Step(session_->Dismiss()) : Fail(status_);
}
std::string SessionHandle::view() const {
  return session_ ? Ok(session_->View()) : Fail(status_);
}

std::string SessionHandle::payload(double now_ms) const {
  return session_ ? Ok(session_->Payload(static_cast<std::int64_t>(now_ms)))
                  : Fail(status_);
}

std::string SessionHandle::Step(const Status& status) const {
  return status.ok() ? Ok(session_->View()) : Fail(status);
}

AggregateHandle::AggregateHandle(const SurveyHandle& survey)
    : survey_(survey.survey()) {
  if (survey_) aggregate_ = std::make_unique<Aggregate>(*survey_);
}

std::string AggregateHandle::add(const std::string& payload_text) {
  if (!aggregate_) return Fail(NoSurvey());
  ASSIGN_OR_FAIL(const ResponseRecord record,
                 ValidateResponseText(*survey_, payload_text));
  aggregate_->Add(record);
  return Ok(aggregate_->responses());
}

std::string AggregateHandle::merge(const std::string& aggregate_json) {
  if (!aggregate_) return Fail(NoSurvey());
  ASSIGN_OR_FAIL(const Json doc, Arg(aggregate_json, "aggregate"));
  ASSIGN_OR_FAIL(const Aggregate other, Aggregate::FromJson(*survey_, doc));
  Status merged = aggregate_->Merge(other);
  return merged.ok() ? Ok(aggregate_->responses()) : Fail(merged);
}

std::string AggregateHandle::toJson() const {
  return aggregate_ ? Ok(aggregate_->ToJson()) : Fail(NoSurvey());
}

std::string AggregateHandle::summary(double confidence) const {
  return aggregate_ ? Ok(aggregate_->Summary(confidence)) : Fail(NoSurvey());
}

}  // namespace sondar::wasm
