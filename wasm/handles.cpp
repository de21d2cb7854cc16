#include "handles.h"

#include <utility>

namespace sondar::wasm {
namespace {

std::string Ok(const Json& value) {
  return Json{{"ok", true}, {"value", value}}.dump();
}
std::string Fail(const Errors& errors) {
  return Json{{"ok", false}, {"errors", ErrorsToJson(errors)}}.dump();
}
std::string Fail(const Status& status) { return Fail(status.errors()); }
// The envelope JS reads: {ok, value} or {ok, errors}.
std::string Envelope(const Result<Json>& result) {
  return result.ok() ? Ok(result.value()) : Fail(result.status());
}

// A JSON argument from JS (made by JSON.stringify, but checked); errors name
// the argument.
Result<Json> Arg(const std::string& text, const char* what) {
  auto value = ParseJson(text);
  if (!value.ok()) {
    const Error& e = value.errors().front();
    return Status(e.code, what, e.message);
  }
  return value;
}

const Status kNoSurvey(ErrorCode::kMissingField, "survey", "is not valid");

}  // namespace

SurveyHandle::SurveyHandle(const std::string& text) {
  auto parsed = ParseSurvey(text);
  if (parsed.ok()) {
    survey_ = std::make_shared<const Survey>(std::move(parsed).value());
  } else {
    status_ = parsed.status();
  }
}

std::string SurveyHandle::result() const {
  if (!survey_) return Fail(status_);
  const Survey& s = *survey_;
  return Ok({{"id", s.id},
             {"version", s.version},
             {"locale", s.locale},
             {"locales", s.complete_locales},
             {"events", s.trigger.events},
             {"hidden", s.hidden},
             {"questions", s.questions.size()}});
}

std::string SurveyHandle::decide(const std::string& context_json) const {
  return Envelope([&]() -> Result<Json> {
    if (!survey_) return status_;
    SONDAR_ASSIGN_OR_RETURN(const Json doc, Arg(context_json, "context"));
    SONDAR_ASSIGN_OR_RETURN(const DecideContext context,
                            ParseDecideContext(doc));
    return Decide(*survey_, context).ToJson();
  }());
}

std::string SurveyHandle::validateResponse(
    const std::string& payload_text) const {
  return Envelope([&]() -> Result<Json> {
    if (!survey_) return status_;
    // The limits a payload from the network gets (ValidateResponseText's).
    SONDAR_ASSIGN_OR_RETURN(
        const Json doc,
        ParseJson(payload_text, kMaxResponseBytes, kMaxResponseDepth));
    SONDAR_RETURN_IF_ERROR(ValidateResponse(*survey_, doc).status());
    return NormalizeResponse(*survey_, doc);
  }());
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
    site_ =
        SiteOfOne(std::make_shared<const Survey>(std::move(survey).value()));
  } else {
    status_ = survey.status();
  }
}

std::string SiteHandle::result() const {
  if (!site_) return Fail(status_);
  Json surveys = Json::array();
  for (const SiteEntry& e : site_->surveys) {
    surveys.push_back({{"id", e.survey->id},
                       {"url", e.url},
                       {"clicks", e.survey->trigger.clicks},
                       {"closeAfter", e.survey->close_after}});
  }
  return Ok({{"surveys", std::move(surveys)}});
}

std::string SiteHandle::decide(const std::string& context_json) const {
  return Envelope([&]() -> Result<Json> {
    if (!site_) return status_;
    SONDAR_ASSIGN_OR_RETURN(const Json doc, Arg(context_json, "context"));
    SONDAR_ASSIGN_OR_RETURN(const DecideContext context,
                            ParseDecideContext(doc));
    return DecideSite(*site_, context).ToJson(*site_);
  }());
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
  auto session = [&]() -> Result<Session> {
    if (!survey.survey()) return survey.status();
    SONDAR_ASSIGN_OR_RETURN(const Json doc, Arg(start_json, "start"));
    SONDAR_ASSIGN_OR_RETURN(SessionStart start, ParseSessionStart(doc));
    return Session::Start(survey.survey(), std::move(start));
  }();
  if (session.ok()) {
    session_ = std::make_unique<Session>(std::move(session).value());
  } else {
    status_ = std::move(session).status();
  }
}

std::string SessionHandle::result() const {
  return session_ ? Ok(session_->View()) : Fail(status_);
}

std::string SessionHandle::answer(const std::string& question_id,
                                  const std::string& value_json) {
  return Envelope([&]() -> Result<Json> {
    if (!session_) return status_;
    SONDAR_ASSIGN_OR_RETURN(const Json value, Arg(value_json, "value"));
    SONDAR_RETURN_IF_ERROR(session_->Answer(question_id, value));
    return session_->View();
  }());
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
  return Envelope([&]() -> Result<Json> {
    if (!aggregate_) return kNoSurvey;
    SONDAR_ASSIGN_OR_RETURN(const ResponseRecord record,
                            ValidateResponseText(*survey_, payload_text));
    aggregate_->Add(record);
    return Json(aggregate_->responses());
  }());
}

std::string AggregateHandle::merge(const std::string& aggregate_json) {
  return Envelope([&]() -> Result<Json> {
    if (!aggregate_) return kNoSurvey;
    SONDAR_ASSIGN_OR_RETURN(const Json doc, Arg(aggregate_json, "aggregate"));
    SONDAR_ASSIGN_OR_RETURN(const Aggregate other,
                            Aggregate::FromJson(*survey_, doc));
    SONDAR_RETURN_IF_ERROR(aggregate_->Merge(other));
    return Json(aggregate_->responses());
  }());
}

std::string AggregateHandle::toJson() const {
  return aggregate_ ? Ok(aggregate_->ToJson()) : Fail(kNoSurvey);
}

std::string AggregateHandle::summary(double confidence) const {
  return aggregate_ ? Ok(aggregate_->Summary(confidence)) : Fail(kNoSurvey);
}

}  // namespace sondar::wasm
