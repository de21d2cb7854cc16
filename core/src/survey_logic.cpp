// The survey parser (survey_parser.h), part: conditions, jumps and endings:
// what can be reached, and never loops.
#include <algorithm>
#include <cmath>
#include <map>

#include "condition_parse.h"
#include "json_reader.h"
#include "sondar/util.h"
#include "survey_parser.h"

namespace sondar::internal {

void Parser::ParseJump(const Json& j, const std::string& path, int index,
                       Question* out) {
  if (!r_.ExpectObject(j, path)) return;
  r_.CheckKeys(j, path, "if goto");
  Jump jump;
  const Json* when = r_.Field(j, path, "if", true);
  if (when) {
    auto c = ParseCondition(*when, PathKey(path, "if"),
                            {Subject::Kind::kQuestion, index});
    if (c) jump.when = std::move(*c);
  }
  auto target = r_.String(j, path, "goto", true);
  if (!target) return;
  jump.target = *target;
  std::string here = PathKey(path, "goto");
  if (auto q = question_ids_.find(*target); q != question_ids_.end()) {
    if (q->second <= index) {
      r_.Fail(ErrorCode::kLoop, here,
              SONDAR_MESSAGE(
                  "jumps back to \"" + *target +
                  "\"; a jump may only go forward, or the survey could loop"));
      return;
    }
    jump.target_index = static_cast<std::size_t>(q->second);
  } else if (ending_ids_.count(*target)) {
    jump.to_ending = true;
  } else {
    r_.Fail(ErrorCode::kUnknownReference, here,
            SONDAR_MESSAGE(
                "\"" + *target +
                "\" is neither a question nor an ending of this survey"));
    return;
  }
  if (when) out->logic.push_back(std::move(jump));
}

void Parser::ParseEnding(const Json& e, const std::string& path, Ending* out) {
  recall_limit_ = Subject::kAny;
  if (!r_.ExpectObject(e, path)) return;
  r_.CheckKeys(e, path, "id title body link if");
  if (auto id = r_.String(e, path, "id", true)) {
    if (!IsId(*id)) {
      r_.Fail(
          ErrorCode::kInvalidValue, PathKey(path, "id"),
          SONDAR_MESSAGE(
              "must be 1-64 characters of letters, digits, _ - . : (got \"" +
              *id + "\")"));
    }
    out->id = *id;
  }
  out->title = Text(e, path, "title", true);
  out->body = Text(e, path, "body", false);
  if (const Json* link = r_.Object(e, path, "link")) {
    std::string here = PathKey(path, "link");
    r_.CheckKeys(*link, here, "url label");
    if (auto url = r_.String(*link, here, "url", true)) {
      if (!IsSafeLink(*url)) {
        r_.Fail(
            ErrorCode::kInvalidValue, PathKey(here, "url"),
            SONDAR_MESSAGE(
                "must be an absolute http(s) URL with a plain host, or a path "
                "starting with a single /, without spaces, control characters "
                "or backslashes (got " +
                Json(*url).dump() + ")"));
      } else {
        out->link_url = *url;
      }
    }
    out->link_label = Text(*link, here, "label", true);
  }
  if (const Json* when = r_.Field(e, path, "if", false)) {
    out->when = ParseCondition(*when, PathKey(path, "if"),
                               {Subject::Kind::kQuestion, Subject::kAny});
  }
}

std::optional<Condition> Parser::ParseCondition(const Json& c,
                                                const std::string& path,
                                                Subject subject) {
  if (!r_.ExpectObject(c, path)) return std::nullopt;
  Condition out;
  for (auto [key, kind] :
       {std::pair<const char*, Condition::Kind>{"all", Condition::Kind::kAll},
        {"any", Condition::Kind::kAny}}) {
    if (!c.contains(key)) continue;
    r_.CheckKeys(c, path, key);
    out.kind = kind;
    const Json* list = r_.Array(c, path, key);
    if (!list) return std::nullopt;
    std::string here = PathKey(path, key);
    if (list->empty()) {
      r_.Fail(ErrorCode::kInvalidValue, here,
              SONDAR_MESSAGE("must hold at least one condition"));
      return std::nullopt;
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      auto child = ParseCondition((*list)[i], PathIndex(here, i), subject);
      if (child) out.children.push_back(std::move(*child));
    }
    return out;
  }
  const bool on_question = subject.kind == Subject::Kind::kQuestion;
  const char* subject_key = on_question ? "question" : "attribute";
  r_.CheckKeys(c, path,
               on_question ? "question op value" : "attribute op value");
  auto name = r_.String(c, path, subject_key, true);
  auto op_name = r_.String(c, path, "op", true);
  if (!name || !op_name) return std::nullopt;
  out.subject = *name;
  if (!internal::ParseOperation(r_, c, path, *op_name,
                                on_question ? "answered" : "exists", &out))
    return std::nullopt;
  if (on_question) CheckQuestionLeaf(out, path, subject.max_index);
  return out;
}

void Parser::CheckQuestionLeaf(const Condition& c, const std::string& path,
                               int max_index) {
  const std::string subject_path = PathKey(path, "question");
  auto it = question_ids_.find(c.subject);
  if (it == question_ids_.end()) {
    r_.Fail(ErrorCode::kUnknownReference, subject_path,
            SONDAR_MESSAGE("\"" + c.subject +
                           "\" is not a question of this survey"));
    return;
  }
  if (it->second > max_index) {
    r_.Fail(ErrorCode::kForwardReference, subject_path,
            SONDAR_MESSAGE("\"" + c.subject +
                           "\" is asked later, so it has no answer yet here"));
    return;
  }
  if (c.op == Op::kAnswered) return;
  if (it->second >= static_cast<int>(typed_.size()) ||
      !typed_[static_cast<std::size_t>(it->second)]) {
    return;  // that question has its own error already
  }
  const Question& q = survey_->questions[static_cast<std::size_t>(it->second)];
  const std::string value_path = PathKey(path, "value");
  const std::string op_path = PathKey(path, "op");
  std::vector<const Json*> values;
  if (c.value.is_array()) {
    for (const Json& v : c.value.as_array()) values.push_back(&v);
  } else {
    values.push_back(&c.value);
  }
  if (q.type == QuestionType::kText) {
    r_.Fail(
        ErrorCode::kInvalidValue, op_path,
        SONDAR_MESSAGE("a text question can only be tested with \"answered\""));
    return;
  }
  if (q.scale) {
    for (const Json* v : values) {
      auto n = internal::AsInteger(*v);
      if (!v->is_number()) {
        r_.Fail(ErrorCode::kWrongType, value_path,
                SONDAR_MESSAGE("must be a number for a " +
                               std::string(TypeName(q.type)) +
                               " question (got " + Describe(*v) + ")"));
      } else if (!n || *n < q.scale->min || *n > q.scale->max) {
        r_.Fail(ErrorCode::kOutOfRange, value_path,
                SONDAR_MESSAGE(Describe(*v) + " is not a point of the scale " +
                               internal::Str(q.scale->min) + "-" +
                               internal::Str(q.scale->max)));
      }
    }
    return;
  }
  // Choice questions: equality and membership on option ids only.
  if (c.op != Op::kEq && c.op != Op::kNeq && c.op != Op::kIn) {
    r_.Fail(
        ErrorCode::kInvalidValue, op_path,
        SONDAR_MESSAGE(
            "a choice question can be tested with eq, neq, in or answered"));
    return;
  }
  for (const Json* v : values) {
    if (!v->is_string() || q.OptionIndex(v->as_string()) < 0) {
      r_.Fail(
          ErrorCode::kNotAnOption, value_path,
          SONDAR_MESSAGE(Describe(*v) + " is not an option id of question \"" +
                         q.id + "\""));
    }
  }
}

}  // namespace sondar::internal
