// The survey model's own questions (names, indices, locales) and the entry
// points of the parser, whose parts are survey_parse.cpp (the document),
// survey_questions.cpp, survey_logic.cpp (conditions, jumps, endings) and
// survey_rules.cpp (what deciding needs).
#include "sondar/survey.h"

#include "sondar/util.h"
#include "survey_parser.h"

namespace sondar {

std::string_view TypeName(QuestionType type) {
  return NthWord(kTypeNames, static_cast<std::size_t>(type));
}

std::string_view DisplayName(ScaleDisplay display) {
  return NthWord(kDisplayNames, static_cast<std::size_t>(display));
}

int Question::OtherIndex() const {
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (options[i].other) return static_cast<int>(i);
  }
  return -1;
}

bool Question::ChoosesOther(const Json& value) const {
  const int other = OtherIndex();
  if (other < 0) return false;
  const std::string& id = options[static_cast<std::size_t>(other)].id;
  if (value.is_string()) return value.as_string() == id;
  for (const Json& v : value.as_array()) {
    if (v.is_string() && v.as_string() == id) return true;
  }
  return false;
}

int Question::OptionIndex(std::string_view option_id) const {
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (options[i].id == option_id) return static_cast<int>(i);
  }
  return -1;
}

int Survey::QuestionIndex(std::string_view question_id) const {
  for (std::size_t i = 0; i < questions.size(); ++i) {
    if (questions[i].id == question_id) return static_cast<int>(i);
  }
  return -1;
}

int Survey::EndingIndex(std::string_view ending_id) const {
  for (std::size_t i = 0; i < endings.size(); ++i) {
    if (endings[i].id == ending_id) return static_cast<int>(i);
  }
  return -1;
}

bool Survey::Supports(std::string_view visitor_locale) const {
  if (visitor_locale.empty()) return true;
  for (auto tag = visitor_locale; !tag.empty(); tag = ParentLocale(tag)) {
    for (const std::string& have : complete_locales) {
      if (EqualsIgnoreCase(tag, have)) return true;
    }
  }
  return false;
}

using internal::Parser;

Result<Survey> ParseSurveyDocument(const Json& document) {
  Errors errors;
  Survey survey;
  Parser(&errors).Parse(document, &survey);
  if (!errors.empty()) return errors;
  return survey;
}

Result<Survey> ParseSurveyRules(const Json& object) {
  Errors errors;
  Survey survey;
  Parser(&errors).ParseRulesOnly(object, &survey);
  if (!errors.empty()) return errors;
  return survey;
}

Result<Survey> ParseSurvey(std::string_view text) {
  auto doc = ParseJson(text, kMaxSurveyBytes, kMaxJsonDepth);
  if (!doc.ok()) return doc.status();
  return ParseSurveyDocument(doc.value());
}

}  // namespace sondar
