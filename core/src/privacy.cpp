#include "sondar/privacy.h"

#include <algorithm>
#include <cctype>

#include "answers.h"
#include "json_reader.h"
#include "survey_parser.h"

namespace sondar {

namespace {

std::string Folded(std::string_view text) {
  while (!text.empty() &&
         std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A hidden value as text, the way a host's string "1001" and number 1001
// name the same order.
std::string ScalarText(const Json& value) {
  if (value.is_string()) return value.as_string();
  if (value.is_boolean()) return value.as_bool() ? "true" : "false";
  if (value.is_number()) return value.dump();
  return "";
}

}  // namespace

Json Subject::ToJson() const {
  Json out = Json::object();
  switch (key) {
    case Key::kVisitor:
      out["visitorId"] = value;
      break;
    case Key::kEmail:
      out["email"] = value;
      break;
    case Key::kHidden:
      out["hidden"][field] = value;
      break;
  }
  return out;
}

std::string Subject::KeyName() const {
  switch (key) {
    case Key::kVisitor:
      return "visitorId";
    case Key::kEmail:
      return "email";
    case Key::kHidden:
      return "hidden." + field;
  }
  return "";
}

Result<Subject> ParseSubject(const Json& body) {
  Errors errors;
  internal::Reader r(&errors);
  if (!r.ExpectObject(body, "")) return errors;
  r.CheckKeys(body, "", "visitorId email hidden");
  const int keys = (body.find("visitorId") != nullptr) +
                   (body.find("email") != nullptr) +
                   (body.find("hidden") != nullptr);
  if (keys != 1) {
    r.Fail(keys ? ErrorCode::kInvalidValue : ErrorCode::kMissingField, "",
           SONDAR_MESSAGE(
               "needs exactly one of \"visitorId\", \"email\" and \"hidden\""));
    return errors;
  }
  Subject subject;
  auto bounded = [&](const std::string& value, const std::string& path) {
    if (value.empty()) {
      r.Fail(ErrorCode::kInvalidValue, path, SONDAR_MESSAGE("is empty"));
    } else if (value.size() > kMaxSubjectValueBytes) {
      r.Fail(ErrorCode::kTooLong, path,
             SONDAR_MESSAGE("is longer than " +
                            std::to_string(kMaxSubjectValueBytes) + " bytes"));
    }
  };
  if (const std::string* visitor = r.String(body, "", "visitorId")) {
    subject.value = *visitor;
    bounded(subject.value, "visitorId");
  } else if (const std::string* email = r.String(body, "", "email")) {
    subject.key = Subject::Key::kEmail;
    subject.value = Folded(*email);
    bounded(subject.value, "email");
    if (!r.failed() && !IsEmail(subject.value))
      r.Fail(ErrorCode::kInvalidValue, "email",
             SONDAR_MESSAGE("is not an e-mail address"));
  } else if (const Json* hidden = r.Object(body, "", "hidden")) {
    subject.key = Subject::Key::kHidden;
    if (hidden->size() != 1) {
      r.Fail(ErrorCode::kInvalidValue, "hidden",
             SONDAR_MESSAGE(
                 "needs exactly one field, e.g. {\"orderId\": \"A-1001\"}"));
    } else {
      const auto& [name, value] = *hidden->as_object().begin();
      const std::string path = "hidden." + name;
      subject.field = name;
      if (!(value.is_string() || value.is_number() || value.is_boolean())) {
        r.Fail(ErrorCode::kWrongType, path,
               SONDAR_MESSAGE("must be a string, number or boolean (got " +
                              internal::Describe(value) + ")"));
      } else {
        subject.value = ScalarText(value);
        bounded(subject.value, path);
      }
      if (!internal::IsId(name))
        r.Fail(ErrorCode::kInvalidValue, "hidden",
               SONDAR_MESSAGE(
                   "names no hidden field (1-64 letters, digits, _ - . :)"));
    }
  }
  if (r.failed()) return errors;
  return subject;
}

bool IsAbout(const Subject& subject, const Json& payload) {
  switch (subject.key) {
    case Subject::Key::kVisitor: {
      const Json* visitor = payload.find("visitorId");
      return visitor && visitor->is_string() &&
             visitor->as_string() == subject.value;
    }
    case Subject::Key::kEmail: {
      // A contact answer is the only answer that is an object with an
      // "email": no survey version is needed to find one.
      const Json* answers = payload.find("answers");
      if (!answers || !answers->is_object()) return false;
      for (const auto& [id, answer] : answers->as_object()) {
        if (!answer.is_object()) continue;
        const Json* email = answer.find("email");
        if (email && email->is_string() &&
            Folded(email->as_string()) == subject.value)
          return true;
      }
      return false;
    }
    case Subject::Key::kHidden: {
      const Json* hidden = payload.find("hidden");
      const Json* value =
          hidden && hidden->is_object() ? hidden->find(subject.field) : nullptr;
      return value && !value->is_null() && ScalarText(*value) == subject.value;
    }
  }
  return false;
}

bool IsPersonalField(const SurveyVersions& versions, std::string_view name) {
  for (int number : versions.Numbers()) {
    const Survey* version = versions.Find(number);
    if (version && std::find(version->personal_hidden.begin(),
                             version->personal_hidden.end(),
                             name) != version->personal_hidden.end())
      return true;
  }
  return false;
}

Json WithoutPersonalData(const SurveyVersions& versions, const Survey& version,
                         Json payload) {
  if (Json* answers = payload.find("answers");
      answers && answers->is_object()) {
    for (const Question& q : version.questions) {
      if (q.type != QuestionType::kContact) continue;
      if (Json* answer = answers->find(q.id); answer && answer->is_object())
        answer->erase("email");
    }
  }
  if (Json* hidden = payload.find("hidden"); hidden && hidden->is_object()) {
    std::vector<std::string> personal;
    for (const auto& [name, value] : hidden->as_object())
      if (IsPersonalField(versions, name)) personal.push_back(name);
    for (const std::string& name : personal) hidden->erase(name);
  }
  std::vector<std::string> extensions;
  for (const auto& [key, value] : payload.as_object())
    if (key.rfind("x-", 0) == 0) extensions.push_back(key);
  for (const std::string& key : extensions) payload.erase(key);
  return payload;
}

Status ViewerMayFilter(const SurveyVersions& versions,
                       const ResponseFilter& filter) {
  Errors errors;
  for (const auto& [name, value] : filter.hidden) {
    if (IsPersonalField(versions, name))
      errors.push_back(
          {ErrorCode::kInvalidValue, "hidden." + name,
           SONDAR_MESSAGE("is personal data (\"pii\": true); a viewer may not "
                          "filter by it")});
  }
  if (filter.segment &&
      IsPersonalField(versions, ValidateOptions{}.segment_field))
    errors.push_back(
        {ErrorCode::kInvalidValue, "segment",
         SONDAR_MESSAGE("comes from a personal hidden field; a viewer may not "
                        "filter by it")});
  return Status(std::move(errors));
}

Json WithoutPersonalBreakdowns(const SurveyVersions& versions, Json summary) {
  if (!IsPersonalField(versions, ValidateOptions{}.segment_field))
    return summary;
  summary["bySegment"] = Json::object();
  if (Json* apart = summary.find("reportedApart"); apart && apart->is_array())
    for (std::size_t i = 0; i < apart->size(); ++i)
      (*apart)[i]["bySegment"] = Json::object();
  return summary;
}

std::int64_t RetentionStart(std::int64_t now_ms, int days) {
  constexpr std::int64_t kDay = 24 * 3600 * 1000;
  const std::int64_t today = now_ms - ((now_ms % kDay) + kDay) % kDay;
  return today - std::int64_t{days} * kDay;
}

}  // namespace sondar
