// embind glue: JSON strings in, JSON envelopes out, every decision made by the
// core. Envelope: {"ok": true, "value": ...} or {"ok": false, "errors":
// [{"code", "path", "message"}]}. Handles (Survey, Session, Aggregate) are
// embind classes; the JS wrapper (web/src/core.js) deletes them explicitly and
// through a FinalizationRegistry.
//
// Built twice: the full module for "sondar/core" (receivers, dashboards) and,
// with SONDAR_WIDGET_ONLY, the module a shop page downloads, which binds only
// what a visitor's browser needs (survey, decide, session) so link-time
// optimisation drops the rest.
#include <emscripten/bind.h>

#include <memory>
#include <string>
#include <string_view>

#include "sondar/sondar.h"

namespace sondar::wasm {
namespace {

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string Ok(const json& value) {
  return Dump({{"ok", true}, {"value", value}});
}
std::string Fail(const Errors& errors) {
  return Dump({{"ok", false}, {"errors", ErrorsToJson(errors)}});
}
std::string Fail(const Status& status) { return Fail(status.errors()); }

// Parses a JSON argument coming from JS (already produced by JSON.stringify,
// but checked).
Result<json> Arg(const std::string& text, const char* what) {
  // Through string_view iterators, as the core parses, so nlohmann's parser is
  // instantiated once.
  const std::string_view view(text);
  json value = json::parse(view.begin(), view.end(), nullptr, false);
  if (value.is_discarded())
    return Status(ErrorCode::kInvalidJson, what, "is not valid JSON");
  return value;
}

}  // namespace

class SurveyHandle {
 public:
  explicit SurveyHandle(const std::string& text) {
    auto parsed = ParseSurvey(text);
    if (parsed.ok()) {
      survey_ = std::make_shared<const Survey>(std::move(parsed).value());
    } else {
      status_ = parsed.status();
    }
  }

  // The parse outcome; on success, what the widget needs to know without asking
  // again.
  std::string result() const {
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

  std::string decide(const std::string& context_json) const {
    if (!survey_) return Fail(status_);
    auto doc = Arg(context_json, "context");
    if (!doc.ok()) return Fail(doc.status());
    auto context = ParseDecideContext(doc.value());
    if (!context.ok()) return Fail(context.status());
    return Ok(Decide(*survey_, context.value()).ToJson());
  }

#ifndef SONDAR_WIDGET_ONLY
  // A receiver's check: the payload normalised (scores recomputed) or every
  // error.
  std::string validateResponse(const std::string& payload_text) const {
    if (!survey_) return Fail(status_);
    auto doc = internal_parse(payload_text);
    if (!doc.ok()) return Fail(doc.status());
    auto record = ValidateResponse(*survey_, doc.value());
    if (!record.ok()) return Fail(record.status());
    return Ok(NormalizeResponse(*survey_, doc.value()));
  }

#endif

  const std::shared_ptr<const Survey>& survey() const { return survey_; }
  const Status& status() const { return status_; }

 private:
#ifndef SONDAR_WIDGET_ONLY
  static Result<json> internal_parse(const std::string& text) {
    // Same limits as ValidateResponseText, which a payload from the network
    // also goes through.
    if (text.size() > kMaxResponseBytes) {
      return Status(ErrorCode::kTooLarge, "",
                    "payload is larger than the limit");
    }
    return Arg(text, "");
  }
#endif

  std::shared_ptr<const Survey> survey_;
  Status status_;
};

class SessionHandle {
 public:
  SessionHandle(const SurveyHandle& survey, const std::string& start_json) {
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

  std::string result() const {
    return session_ ? Ok(session_->View()) : Fail(status_);
  }

  std::string answer(const std::string& question_id,
                     const std::string& value_json) {
    if (!session_) return Fail(status_);
    auto value = Arg(value_json, "value");
    if (!value.ok()) return Fail(value.status());
    return Step(session_->Answer(question_id, value.value()));
  }
  std::string next() {
    return session_ ? Step(session_->Next()) : Fail(status_);
  }
  std::string back() {
    return session_ ? Step(session_->Back()) : Fail(status_);
  }
  std::string dismiss() {
    return session_ ? Step(session_->Dismiss()) : Fail(status_);
  }
  std::string view() const {
    return session_ ? Ok(session_->View()) : Fail(status_);
  }
  // `now_ms` is a double because JS numbers are; whole milliseconds are exact
  // up to 2^53.
  std::string payload(double now_ms) const {
    return session_ ? Ok(session_->Payload(static_cast<std::int64_t>(now_ms)))
                    : Fail(status_);
  }

 private:
  // After a step the UI needs the new screen, so it comes back with the
  // outcome.
  std::string Step(const Status& status) const {
    return status.ok() ? Ok(session_->View()) : Fail(status);
  }

  std::unique_ptr<Session> session_;
  Status status_;
};

#ifndef SONDAR_WIDGET_ONLY
class AggregateHandle {
 public:
  explicit AggregateHandle(const SurveyHandle& survey)
      : survey_(survey.survey()) {
    if (survey_) aggregate_ = std::make_unique<Aggregate>(*survey_);
  }

  // Validates a payload as a receiver would, then counts it.
  std::string add(const std::string& payload_text) {
    if (!aggregate_)
      return Fail(Status(ErrorCode::kMissingField, "survey", "is not valid"));
    auto record = ValidateResponseText(*survey_, payload_text);
    if (!record.ok()) return Fail(record.status());
    aggregate_->Add(record.value());
    return Ok(aggregate_->responses());
  }

  std::string merge(const std::string& aggregate_json) {
    if (!aggregate_)
      return Fail(Status(ErrorCode::kMissingField, "survey", "is not valid"));
    auto doc = Arg(aggregate_json, "aggregate");
    if (!doc.ok()) return Fail(doc.status());
    auto other = Aggregate::FromJson(*survey_, doc.value());
    if (!other.ok()) return Fail(other.status());
    Status merged = aggregate_->Merge(other.value());
    return merged.ok() ? Ok(aggregate_->responses()) : Fail(merged);
  }

  std::string toJson() const {
    return aggregate_ ? Ok(aggregate_->ToJson())
                      : Fail(Status(ErrorCode::kMissingField, "survey",
                                    "is not valid"));
  }
  std::string summary(double confidence) const {
    return aggregate_ ? Ok(aggregate_->Summary(confidence))
                      : Fail(Status(ErrorCode::kMissingField, "survey",
                                    "is not valid"));
  }

 private:
  std::shared_ptr<const Survey> survey_;
  std::unique_ptr<Aggregate> aggregate_;
};

#endif

int samplingBucket(const std::string& visitor_id,
                   const std::string& survey_id) {
  return SamplingBucket(visitor_id, survey_id);
}

EMSCRIPTEN_BINDINGS(sondar) {
  using emscripten::class_;
  using emscripten::constructor;
  class_<SurveyHandle>("Survey")
      .constructor<const std::string&>()
      .function("result", &SurveyHandle::result)
      .function("decide", &SurveyHandle::decide)
#ifndef SONDAR_WIDGET_ONLY
      .function("validateResponse", &SurveyHandle::validateResponse)
#endif
      ;
  class_<SessionHandle>("Session")
      .constructor<const SurveyHandle&, const std::string&>()
      .function("result", &SessionHandle::result)
      .function("answer", &SessionHandle::answer)
      .function("next", &SessionHandle::next)
      .function("back", &SessionHandle::back)
      .function("dismiss", &SessionHandle::dismiss)
      .function("view", &SessionHandle::view)
      .function("payload", &SessionHandle::payload);
#ifndef SONDAR_WIDGET_ONLY
  class_<AggregateHandle>("Aggregate")
      .constructor<const SurveyHandle&>()
      .function("add", &AggregateHandle::add)
      .function("merge", &AggregateHandle::merge)
      .function("toJson", &AggregateHandle::toJson)
      .function("summary", &AggregateHandle::summary);
#endif
  emscripten::function("samplingBucket", &samplingBucket);
}

}  // namespace sondar::wasm
