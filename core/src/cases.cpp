#include "sondar/cases.h"

#include "json_reader.h"
#include "sondar/query.h"
#include "sondar/scoring.h"

namespace sondar {

namespace {

constexpr std::pair<CaseState, std::string_view> kStates[] = {
    {CaseState::kOpen, "open"},
    {CaseState::kContacted, "contacted"},
    {CaseState::kResolved, "resolved"},
};

bool Unhappy(std::string_view category) {
  return category == "detractor" || category == "not_satisfied" ||
         category == "not_agree";
}

// A name a person types: one line, no control characters.
bool PlainLine(const std::string& text) {
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7F) return false;
  return true;
}

}  // namespace

std::string_view CaseStateName(CaseState state) {
  for (const auto& [s, name] : kStates)
    if (s == state) return name;
  return "open";
}

std::optional<CaseState> CaseStateFromName(std::string_view name) {
  for (const auto& [s, n] : kStates)
    if (n == name) return s;
  return std::nullopt;
}

Result<CaseUpdate> ParseCaseUpdate(const Json& body) {
  Errors errors;
  internal::Reader r(&errors);
  CaseUpdate update;
  if (!r.ExpectObject(body, "")) return errors;
  r.CheckKeys(body, "", "state assignee note by");
  if (const std::string* state = r.String(body, "", "state")) {
    update.state = CaseStateFromName(*state);
    if (!update.state)
      r.Fail(ErrorCode::kInvalidValue, "state",
             SONDAR_MESSAGE("must be open, contacted or resolved"));
  }
  auto name = [&](const char* key) -> std::optional<std::string> {
    const std::string* value = r.String(body, "", key);
    if (!value) return std::nullopt;
    if (value->size() > kMaxCaseNameBytes || !PlainLine(*value) ||
        !internal::Utf8Length(*value)) {
      r.Fail(
          ErrorCode::kInvalidValue, key,
          SONDAR_MESSAGE("must be one line of at most " +
                         internal::Str(kMaxCaseNameBytes) + " bytes of UTF-8"));
      return std::nullopt;
    }
    return *value;
  };
  update.assignee = name("assignee");
  update.by = name("by").value_or("");
  if (const std::string* note = r.String(body, "", "note")) {
    if (note->size() > kMaxCaseNoteBytes) {
      r.Fail(ErrorCode::kTooLong, "note",
             SONDAR_MESSAGE("is longer than " +
                            internal::Str(kMaxCaseNoteBytes) + " bytes"));
    } else if (!internal::Utf8Length(*note)) {
      r.Fail(ErrorCode::kInvalidValue, "note", SONDAR_MESSAGE("is not UTF-8"));
    } else {
      update.note = *note;
    }
  }
  if (errors.empty() && !update.state && !update.assignee &&
      update.note.empty()) {
    r.Fail(ErrorCode::kMissingField, "",
           SONDAR_MESSAGE(
               "says nothing to change: give a state, an assignee or a note"));
  }
  if (!errors.empty()) return errors;
  return update;
}

std::string ContactOf(const Survey& version, const Json& payload) {
  const Json* answers = payload.find("answers");
  if (!answers) return "";
  for (const Question& q : version.questions) {
    if (q.type != QuestionType::kContact) continue;
    const Json* answer = answers->find(q.id);
    if (!answer || !answer->is_object()) continue;
    const Json* consent = answer->find("consent");
    const Json* email = answer->find("email");
    if (consent && consent->as_bool() && email && email->is_string() &&
        !email->as_string().empty())
      return email->as_string();
  }
  return "";
}

void RecoveryCount::Add(std::string_view visitor,
                        std::string_view encoded_record) {
  if (visitor != current_visitor_) {
    current_visitor_ = std::string(visitor);
    pending_ = -1;
  }
  ResponseRecord record;
  int number = 0;
  if (!DecodeRecord(encoded_record, &record, &number)) return;
  const Survey* version = versions_->Find(number);
  const Survey* latest = versions_->Latest();
  if (!version || !latest) return;
  // The latest version's first scored question, found by id in older ones.
  const Question* scored = nullptr;
  for (const Question& q : latest->questions) {
    if (q.scored()) {
      scored = &q;
      break;
    }
  }
  if (!scored) return;
  const int index = version->QuestionIndex(scored->id);
  if (index < 0) return;
  const Question& question =
      version->questions[static_cast<std::size_t>(index)];
  std::optional<AnswerScore> score;
  for (const auto& [q, value] : record.values) {
    if (q == index) score = ScoreAnswer(question, Json(value));
  }
  if (!score) return;
  if (pending_ >= 0) {
    ++answered_again_;
    if (score->value > pending_) ++recovered_;
  }
  if (Unhappy(score->category)) {
    ++detractors_;
    pending_ = score->value;
  } else {
    pending_ = -1;
  }
}

Json RecoveryCount::ToJson() const {
  return {
      {"detractors", detractors_},
      {"answeredAgain", answered_again_},
      {"recovered", recovered_},
      {"share", answered_again_ > 0 ? Json(static_cast<double>(recovered_) /
                                           static_cast<double>(answered_again_))
                                    : Json(nullptr)}};
}

}  // namespace sondar
