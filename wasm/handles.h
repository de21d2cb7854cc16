// What JavaScript holds on to: a parsed survey, a visitor's session, an
// aggregate. JSON text in, a JSON envelope out, every decision made by the
// core:
//   {"ok": true, "value": ...} or {"ok": false, "errors": [{code, path,
//   message}]}
// Two bindings expose these: bindings.cpp (embind, the "sondar/core" module)
// and widget.cpp (plain C exports, the module a shop page downloads).
#ifndef SONDAR_WASM_HANDLES_H_
#define SONDAR_WASM_HANDLES_H_

#include <memory>
#include <optional>
#include <string>

#include "sondar/sondar.h"

namespace sondar::wasm {

class SurveyHandle {
 public:
  explicit SurveyHandle(const std::string& text);
  SurveyHandle(SurveyPtr survey, Status status)
      : survey_(std::move(survey)), status_(std::move(status)) {}

  // The parse outcome; on success, what the widget needs to know without
  // asking again.
  std::string result() const;
  std::string decide(const std::string& context_json) const;
  // A receiver's check: the payload normalised (scores recomputed) or every
  // error.
  std::string validateResponse(const std::string& payload_text) const;

  const SurveyPtr& survey() const { return survey_; }
  const Status& status() const { return status_; }

 private:
  SurveyPtr survey_;
  Status status_;
};

// Every survey one script tag serves (a sondar.site/1 manifest, or one survey
// as a site of one), decided across in one call.
class SiteHandle {
 public:
  // `single`: `text` is one survey rather than a manifest.
  SiteHandle(const std::string& text, bool single);

  // The parse outcome; on success {"surveys": [{"id", "url", "clicks",
  // "closeAfter"}]} in manifest order.
  std::string result() const;
  std::string decide(const std::string& context_json) const;
  // The survey at `index` to show: an inline one as parsed; one given by URL
  // from `text`, the document fetched from there, which must be that survey.
  SurveyHandle survey(std::size_t index, const std::string& text) const;

 private:
  std::optional<Site> site_;
  Status status_;
};

class SessionHandle {
 public:
  SessionHandle(const SurveyHandle& survey, const std::string& start_json);

  std::string result() const;
  std::string answer(const std::string& question_id,
                     const std::string& value_json);
  std::string other(const std::string& question_id, const std::string& text);
  std::string next();
  std::string back();
  std::string dismiss();
  std::string view() const;
  // `now_ms` is a double because JS numbers are; whole milliseconds are exact
  // up to 2^53.
  std::string payload(double now_ms) const;

 private:
  // After a step the UI needs the new screen, so it comes back with the
  // outcome.
  std::string Step(const Status& status) const;

  std::unique_ptr<Session> session_;
  Status status_;
};

class AggregateHandle {
 public:
  explicit AggregateHandle(const SurveyHandle& survey);

  // Validates a payload as a receiver would, then counts it.
  std::string add(const std::string& payload_text);
  std::string merge(const std::string& aggregate_json);
  std::string toJson() const;
  std::string summary(double confidence) const;

 private:
  SurveyPtr survey_;
  std::unique_ptr<Aggregate> aggregate_;
};

}  // namespace sondar::wasm

#endif  // SONDAR_WASM_HANDLES_H_
