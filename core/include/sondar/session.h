// One visitor taking one survey: a deterministic state machine. Time and the
// response id are inputs, so the same calls always give the same payload.
#ifndef SONDAR_SESSION_H_
#define SONDAR_SESSION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sondar/survey.h"

namespace sondar {

inline constexpr std::string_view kResponseSchema = "sondar.response/1";
// Longest visitorId and trigger name a session or a payload may carry.
inline constexpr std::size_t kMaxIdLength = 128;

struct SessionStart {
  std::string
      response_id;  // UUID v4 from the caller (crypto.randomUUID in the widget)
  std::string visitor_id;
  std::string locale;    // the visitor's; empty = the survey's default
  std::string trigger;   // event that showed the survey; empty for a page view
  std::string page_url;  // stored as origin + path only
  Json hidden =
      Json::object();  // values for the survey's declared hidden fields
  // The host's facts on the visitor, only for recall in texts; never sent.
  Json attributes = Json::object();
  std::int64_t started_at_ms = 0;
};

// Reads a SessionStart from {"responseId", "visitorId", "locale", "trigger",
// "page", "hidden", "attributes", "startedAt" (ms since the epoch)}; used by
// the wasm glue.
Result<SessionStart> ParseSessionStart(const Json& document);

enum class SessionState { kInProgress, kComplete, kDismissed };

class Session {
 public:
  static Result<Session> Start(SurveyPtr survey, SessionStart start);

  SessionState state() const { return state_; }
  // Question on screen; nullopt once complete or dismissed.
  std::optional<std::size_t> current() const;
  // Ending index once complete; -1 = the built-in thank-you screen.
  int ending() const { return ending_; }
  // Locale the texts are shown in: the visitor's when the survey is fully
  // translated into it, otherwise the survey default (never a mix of languages
  // on one screen).
  const std::string& locale() const { return locale_; }

  // Records an answer to the question on screen; null, "" or [] clears it.
  Status Answer(std::string_view question_id, const Json& value);
  // The free text of the "other" option of the question on screen; "" clears
  // it. Sent only while the answer chooses that option.
  Status AnswerOther(std::string_view question_id, std::string_view text);
  // Moves on; fails with `required` if the question on screen needs an answer.
  Status Next();
  Status Back();
  Status Dismiss();

  // What the UI renders now: texts resolved to `locale()`, the current answer,
  // progress.
  Json View() const;
  // The sondar.response/1 payload; status partial until complete or dismissed.
  Json Payload(std::int64_t now_ms) const;
  // Answers to the questions on the visitor's path (earlier answers to
  // questions the visitor then routed around are left out).
  Answers PathAnswers() const;

 private:
  Session(SurveyPtr survey, SessionStart start);
  // A recall field's value in texts: "{{answers.q}}" and the like.
  std::optional<std::string> Recall(const RecallField& field,
                                    const Answers& answers) const;

  SurveyPtr survey_;
  SessionStart start_;
  std::string locale_;
  SessionState state_ = SessionState::kInProgress;
  std::vector<std::size_t>
      path_;  // visited questions; back() is on screen while in progress
  // By question index: null is unanswered, "" no "other" text. Vectors, not
  // maps by id: the questions are known and few, and a map's erase is code the
  // shop's module would carry for this alone.
  std::vector<Json> answers_;
  std::vector<std::string> other_;
  // Per question: the order its options are shown in (shuffle), else empty.
  std::vector<std::vector<std::size_t>> order_;
  int ending_ = -1;
};

}  // namespace sondar

#endif  // SONDAR_SESSION_H_
