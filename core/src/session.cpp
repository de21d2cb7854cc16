#include "sondar/session.h"

#include "answers.h"
#include "flow.h"
#include "json_reader.h"
#include "response_internal.h"
#include "sondar/scoring.h"
#include "sondar/util.h"

namespace sondar {

using internal::PathKey;

namespace {

bool IsRightToLeft(std::string_view locale) {
  const std::string_view language = locale.substr(0, locale.find('-'));
  for (const char* rtl : {"ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb"}) {
    if (EqualsIgnoreCase(language, rtl)) return true;
  }
  return false;
}

}  // namespace

Result<SessionStart> ParseSessionStart(const Json& doc) {
  Errors errors;
  internal::Reader r(&errors);
  SessionStart s;
  if (!r.ExpectObject(doc, "")) return errors;
  r.CheckKeys(
      doc, "",
      "responseId visitorId locale trigger page hidden attributes startedAt");
  if (auto v = r.String(doc, "", "responseId", true)) s.response_id = *v;
  if (auto v = r.String(doc, "", "visitorId", true)) s.visitor_id = *v;
  if (auto v = r.String(doc, "", "locale")) s.locale = *v;
  if (auto v = r.String(doc, "", "trigger")) s.trigger = *v;
  if (auto v = r.String(doc, "", "page")) s.page_url = *v;
  if (const Json* h = r.Object(doc, "", "hidden")) s.hidden = *h;
  if (const Json* a = r.Object(doc, "", "attributes")) s.attributes = *a;
  if (auto v = r.Integer(doc, "", "startedAt", true)) s.started_at_ms = *v;
  if (!errors.empty()) return errors;
  return s;
}

Session::Session(SurveyPtr survey, SessionStart start)
    : survey_(std::move(survey)), start_(std::move(start)) {}

Result<Session> Session::Start(SurveyPtr survey, SessionStart start) {
  Errors errors;
  if (!survey)
    return Status(ErrorCode::kMissingField, "survey",
                  SONDAR_MESSAGE("is required"));
  if (!IsUuidV4(start.response_id)) {
    AddError(&errors, ErrorCode::kInvalidValue, "responseId",
             SONDAR_MESSAGE(
                 "must be a UUID v4 such as crypto.randomUUID() makes (got " +
                 internal::Describe(Json(start.response_id)) + ")"));
  }
  if (start.visitor_id.empty() || start.visitor_id.size() > kMaxIdLength) {
    AddError(&errors, ErrorCode::kInvalidValue, "visitorId",
             SONDAR_MESSAGE("must be 1-" + internal::Str(kMaxIdLength) +
                            " characters"));
  }
  if (!start.locale.empty() && !IsLocaleTag(start.locale)) {
    AddError(&errors, ErrorCode::kInvalidValue, "locale",
             SONDAR_MESSAGE("must be a language tag such as \"fr-CA\" (got " +
                            internal::Describe(Json(start.locale)) + ")"));
  }
  if (start.trigger.size() > kMaxIdLength) {
    AddError(&errors, ErrorCode::kTooLong, "trigger",
             SONDAR_MESSAGE("is longer than 128 characters"));
  }
  Status hidden = internal::CheckHidden(*survey, start.hidden);
  errors.insert(errors.end(), hidden.errors().begin(), hidden.errors().end());
  if (!errors.empty()) return errors;

  start.page_url = StripUrl(start.page_url);
  Session session(survey, std::move(start));
  session.locale_ = (!session.start_.locale.empty() &&
                     survey->Supports(session.start_.locale))
                        ? session.start_.locale
                        : survey->locale;
  internal::Step first =
      internal::FirstVisibleFrom(*survey, 0, internal::LookupIn(Answers()));
  // Validation forbids showIf on the first question (nothing precedes it), so
  // this holds.
  session.path_.push_back(first.question);
  // A sticky shuffle: the same response id always sees the same order.
  session.answers_.resize(survey->questions.size());
  session.other_.resize(survey->questions.size());
  session.order_.resize(survey->questions.size());
  for (std::size_t i = 0; i < survey->questions.size(); ++i) {
    const Question& q = survey->questions[i];
    if (!q.shuffle) continue;
    std::vector<std::size_t>& order = session.order_[i];
    for (std::size_t k = 0; k < q.options.size(); ++k) order.push_back(k);
    // Fisher-Yates driven by splitmix64, seeded with the response and the
    // question; "other" stays last.
    std::uint64_t state = Fnv1a64(session.start_.response_id + "\n" + q.id);
    const std::size_t fixed = q.OtherIndex() >= 0;
    for (std::size_t k = order.size() - fixed; k > 1; --k) {
      std::uint64_t z = (state += 0x9e3779b97f4a7c15u);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
      z ^= z >> 31;
      std::swap(order[k - 1], order[z % k]);
    }
  }
  return session;
}

std::optional<std::size_t> Session::current() const {
  if (state_ != SessionState::kInProgress) return std::nullopt;
  return path_.back();
}

Answers Session::PathAnswers() const {
  Answers out;
  for (std::size_t index : path_) {
    if (!answers_[index].is_null())
      out.emplace(survey_->questions[index].id, answers_[index]);
  }
  return out;
}

Status Session::Answer(std::string_view question_id, const Json& value) {
  if (state_ != SessionState::kInProgress) {
    return Status(ErrorCode::kFinished, "",
                  SONDAR_MESSAGE("the survey is already finished"));
  }
  const std::size_t index = path_.back();
  const Question& q = survey_->questions[index];
  const std::string path = PathKey("answers", question_id);
  if (q.id != question_id) {
    return Status(ErrorCode::kNotCurrent, path,
                  SONDAR_MESSAGE("is not the question on screen (that is \"" +
                                 q.id + "\")"));
  }
  if (internal::IsBlank(value)) {  // clearing a text box un-answers
    answers_[index] = nullptr;
    return Status();
  }
  Status check = CheckAnswer(q, value, path);
  if (!check.ok()) return check;
  answers_[index] = value;
  return Status();
}

Status Session::AnswerOther(std::string_view question_id,
                            std::string_view text) {
  if (state_ != SessionState::kInProgress) {
    return Status(ErrorCode::kFinished, "",
                  SONDAR_MESSAGE("the survey is already finished"));
  }
  const std::size_t index = path_.back();
  const Question& q = survey_->questions[index];
  const std::string path = PathKey("other", question_id);
  if (q.id != question_id) {
    return Status(ErrorCode::kNotCurrent, path,
                  SONDAR_MESSAGE("is not the question on screen (that is \"" +
                                 q.id + "\")"));
  }
  if (q.OtherIndex() < 0) {
    return Status(
        ErrorCode::kInvalidValue, path,
        SONDAR_MESSAGE("question \"" + q.id + "\" has no \"other\" option"));
  }
  Status check = internal::CheckOther(text, path);
  if (!check.ok()) return check;
  other_[index] = std::string(text);
  return Status();
}

Status Session::Next() {
  if (state_ != SessionState::kInProgress) {
    return Status(ErrorCode::kFinished, "",
                  SONDAR_MESSAGE("the survey is already finished"));
  }
  const Question& q = survey_->questions[path_.back()];
  if (q.required && answers_[path_.back()].is_null()) {
    return Status(ErrorCode::kRequired, PathKey("answers", q.id),
                  SONDAR_MESSAGE("needs an answer"));
  }
  const Answers answers = PathAnswers();
  const Lookup lookup = internal::LookupIn(answers);
  internal::Step step = internal::After(*survey_, path_.back(), lookup);
  if (step.finished) {
    state_ = SessionState::kComplete;
    ending_ = internal::ChooseEnding(*survey_, lookup, step.ending);
  } else {
    path_.push_back(step.question);
  }
  return Status();
}

Status Session::Back() {
  if (state_ != SessionState::kInProgress) {
    return Status(ErrorCode::kFinished, "",
                  SONDAR_MESSAGE("the survey is already finished"));
  }
  if (path_.size() < 2) {
    return Status(ErrorCode::kInvalidValue, "",
                  SONDAR_MESSAGE("already at the first question"));
  }
  path_.pop_back();
  return Status();
}

Status Session::Dismiss() {
  if (state_ != SessionState::kInProgress) {
    return Status(ErrorCode::kFinished, "",
                  SONDAR_MESSAGE("the survey is already finished"));
  }
  state_ = SessionState::kDismissed;
  return Status();
}

std::optional<std::string> Session::Recall(const RecallField& field,
                                           const Answers& answers) const {
  const auto plain = [](const Json* v) -> std::optional<std::string> {
    if (!v || v->is_null() || v->is_array() || v->is_object())
      return std::nullopt;
    return v->is_string() ? v->as_string() : v->dump();
  };
  if (field.source == "hidden") return plain(start_.hidden.find(field.name));
  if (field.source == "attributes")
    return plain(start_.attributes.find(field.name));
  auto answer = answers.find(field.name);
  const int index = survey_->QuestionIndex(field.name);
  if (answer == answers.end() || index < 0) return std::nullopt;
  // Choices read as the visitor saw them: their labels, in this locale.
  const Question& q = survey_->questions[static_cast<std::size_t>(index)];
  const auto label = [&](const Json& id) {
    const int o = id.is_string() ? q.OptionIndex(id.as_string()) : -1;
    return o < 0 ? std::string()
                 : q.options[static_cast<std::size_t>(o)].label.Resolve(
                       locale_, survey_->locale);
  };
  if (q.options.empty()) return plain(&answer->second);
  if (!answer->second.is_array()) return label(answer->second);
  std::string out;
  for (const Json& id : answer->second.as_array())
    out += (out.empty() ? "" : ", ") + label(id);
  return out;
}

Json Session::View() const {
  const Survey& s = *survey_;
  const Answers answers = PathAnswers();
  auto text = [&](const LocalizedText& t) -> Json {
    if (t.empty()) return nullptr;
    const std::string& raw = t.Resolve(locale_, s.locale);
    // Values go in as they are and are never read for fields again.
    std::string out;
    std::optional<std::string> error;
    std::size_t from = 0, at, length;
    for (RecallField f; NextRecall(raw, from, &at, &length, &f, &error);
         from = at + length) {
      out.append(raw, from, at - from);
      std::optional<std::string> value = Recall(f, answers);
      out += value && !value->empty() ? *value : std::string(f.fallback);
    }
    return out.append(raw, from);
  };
  Json view = Json::object();
  view["surveyId"] = s.id;
  view["locale"] = locale_;
  view["dir"] = IsRightToLeft(locale_) ? "rtl" : "ltr";
  view["title"] = text(s.title);
  if (state_ == SessionState::kDismissed) {
    view["state"] = "dismissed";
    return view;
  }
  if (state_ == SessionState::kComplete) {
    view["state"] = "ending";
    if (ending_ < 0) {
      view["ending"] = nullptr;  // the widget's built-in, localised thank-you
    } else {
      const Ending& e = s.endings[static_cast<std::size_t>(ending_)];
      Json ending = Json::object();
      ending["id"] = e.id;
      ending["title"] = text(e.title);
      ending["body"] = text(e.body);
      Json& link = ending["link"];
      if (!e.link_url.empty()) {
        link["url"] = e.link_url;
        link["label"] = text(e.link_label);
      }
      view["ending"] = std::move(ending);
    }
    return view;
  }
  const std::size_t index = path_.back();
  const Question& q = s.questions[index];
  Json question = Json::object();
  question["id"] = q.id;
  question["type"] = TypeName(q.type);
  question["prompt"] = text(q.prompt);
  question["description"] = text(q.description);
  question["required"] = q.required;
  if (q.scale) {
    Json& scale = question["scale"];
    scale["min"] = q.scale->min;
    scale["max"] = q.scale->max;
    scale["display"] = DisplayName(q.scale->display);
    scale["lowLabel"] = text(q.scale->low_label);
    scale["highLabel"] = text(q.scale->high_label);
  }
  if (!q.options.empty()) {
    Json options = Json::array();
    const std::vector<std::size_t>& order = order_[index];
    for (std::size_t k = 0; k < q.options.size(); ++k) {
      const Option& o = q.options[order.empty() ? k : order[k]];
      Json option = Json::object();
      option["id"] = o.id;
      option["label"] = text(o.label);
      if (o.other) option["other"] = true;
      options.push_back(std::move(option));
    }
    question["options"] = std::move(options);
    if (q.OtherIndex() >= 0) {
      question["other"] =
          other_[index].empty() ? Json(nullptr) : Json(other_[index]);
    }
    if (q.type == QuestionType::kMultiChoice)
      question["maxSelect"] = q.max_select;
  }
  if (q.type == QuestionType::kText) question["maxLength"] = q.max_length;
  if (q.type == QuestionType::kText || q.type == QuestionType::kContact)
    question["placeholder"] = text(q.placeholder);
  if (q.type == QuestionType::kContact) question["email"] = q.ask_email;
  view["state"] = "question";
  view["question"] = std::move(question);
  view["answer"] = answers_[index];

  // Remaining questions if the visitor goes on with the answers given so far:
  // an estimate that firms up as logic resolves, which is what a progress bar
  // can honestly show.
  const Lookup lookup = internal::LookupIn(answers);
  std::size_t remaining = 0;
  internal::Step step = internal::After(s, index, lookup);
  view["isLast"] = step.finished;
  while (!step.finished) {
    ++remaining;
    step = internal::After(s, step.question, lookup);
  }
  Json& progress = view["progress"];
  progress["index"] = path_.size();
  progress["total"] = path_.size() + remaining;
  view["canBack"] = path_.size() > 1;
  return view;
}

Json Session::Payload(std::int64_t now_ms) const {
  const Answers answers = PathAnswers();
  Json answer_json = Json::object();
  for (const auto& [id, value] : answers) answer_json[id] = value;
  const char* status = state_ == SessionState::kComplete    ? "complete"
                       : state_ == SessionState::kDismissed ? "dismissed"
                                                            : "partial";
  Json other = Json::object(), order = Json::object();
  // Only for questions on the path whose answer still chooses "other".
  for (std::size_t index : path_) {
    const Question& q = survey_->questions[index];
    if (!other_[index].empty() && !answers_[index].is_null() &&
        q.ChoosesOther(answers_[index])) {
      other[q.id] = other_[index];
    }
  }
  for (std::size_t index : path_) {
    const Question& q = survey_->questions[index];
    if (order_[index].empty()) continue;
    Json ids = Json::array();
    for (std::size_t k : order_[index]) ids.push_back(q.options[k].id);
    order[q.id] = std::move(ids);
  }
  Json payload = Json::object();
  payload["schema"] = kResponseSchema;
  payload["responseId"] = start_.response_id;
  payload["surveyId"] = survey_->id;
  payload["surveyVersion"] = survey_->version;
  payload["visitorId"] = start_.visitor_id;
  payload["status"] = status;
  payload["answers"] = std::move(answer_json);
  payload["scores"] = ScoreAnswers(*survey_, answers);
  payload["locale"] = locale_;
  Json& trigger = payload["trigger"];
  if (!start_.trigger.empty()) trigger = start_.trigger;
  payload["hidden"] = start_.hidden;
  payload["page"] = start_.page_url;
  payload["startedAt"] = FormatTimestamp(start_.started_at_ms);
  payload["submittedAt"] = FormatTimestamp(now_ms);
  // Only when used, so payloads of surveys without them stay as they were.
  if (!other.empty()) payload["other"] = std::move(other);
  if (!order.empty()) payload["optionOrder"] = std::move(order);
  return payload;
}

}  // namespace sondar
