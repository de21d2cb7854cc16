// The survey parser, shared by its parts (survey_parse.cpp,
// survey_questions.cpp, survey_logic.cpp, survey_rules.cpp): one pass over a
// sondar.survey/1 document that reports every error with its JSON path.
// Internal: the API is ParseSurvey* in sondar/survey.h.
#ifndef SONDAR_SRC_SURVEY_PARSER_H_
#define SONDAR_SRC_SURVEY_PARSER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json_reader.h"
#include "sondar/survey.h"
#include "sondar/util.h"

namespace sondar::internal {

// The question types as a message lists them: "nps, csat, ces, ...".
inline std::string TypeList() {
  std::string out;
  for (std::size_t i = 0; !NthWord(kTypeNames, i).empty(); ++i)
    out.append(i ? ", " : "").append(NthWord(kTypeNames, i));
  return out;
}

inline std::optional<QuestionType> ParseType(std::string_view s) {
  const int index = WordIndex(kTypeNames, s);
  if (index < 0) return std::nullopt;
  return static_cast<QuestionType>(index);
}

inline std::optional<ScaleDisplay> ParseDisplay(std::string_view s) {
  const int index = WordIndex(kDisplayNames, s);
  if (index < 0) return std::nullopt;
  return static_cast<ScaleDisplay>(index);
}

// Ids are used in payload keys, CSS-free DOM ids and URLs: keep them plain.
inline bool IsId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
              c == ':';
    if (!ok) return false;
  }
  return true;
}

struct Subject {
  enum class Kind { kQuestion, kAttribute };
  Kind kind;
  // For questions: the highest question index the condition may read
  // (inclusive).
  int max_index;
  static constexpr int kAny = 1 << 30;
};

class Parser {
 public:
  explicit Parser(Errors* errors) : r_(errors) {}

  // A whole survey (survey_parse.cpp).
  void Parse(const Json& doc, Survey* s);
  // Only its id and what deciding needs, as a site manifest's entry by URL
  // holds them (survey_rules.cpp).
  void ParseRulesOnly(const Json& doc, Survey* s);

 private:
  // survey_rules.cpp
  void ParseRules(const Json& doc);
  void ParseSchedule(const Json& t);
  void ParseTrigger(const Json& t);
  void ParseRecontact(const Json& r);

  // survey_parse.cpp
  void ParseId(const Json& doc);
  // First pass: which ids exist, so conditions anywhere can be checked against
  // them.
  void CollectIds(const Json* questions, const Json* endings);

  LocalizedText Text(const Json& object, const std::string& path,
                     std::string_view key, bool required);

  // Every text, as it is parsed: its locales narrow complete_locales, and its
  // recall fields are checked. Hidden fields and ids are known by then.
  void Keep(const LocalizedText& text, const std::string& path);

  // Recall fields name what exists: a declared hidden field, a question
  // asked before the text shows (answers), any attribute.
  void CheckRecalls(const LocalizedText& text, const std::string& path);
  void ParseHidden(const Json& hidden);

  // survey_questions.cpp
  void ParseQuestion(const Json& q, const std::string& path, int index,
                     Question* out);

  std::optional<Scale> ParseScale(const Json& q, const std::string& path,
                                  QuestionType t);

  void ParseOptions(const Json& q, const std::string& path, Question* out);

  // survey_logic.cpp
  void ParseJump(const Json& j, const std::string& path, int index,
                 Question* out);

  void ParseEnding(const Json& e, const std::string& path, Ending* out);

  std::optional<Condition> ParseCondition(const Json& c,
                                          const std::string& path,
                                          Subject subject);

  // Checks that a condition on an answer can ever be true: the question exists,
  // comes early enough, and the operator and values suit its type.
  void CheckQuestionLeaf(const Condition& c, const std::string& path,
                         int max_index);

  Reader r_;
  Survey* survey_ = nullptr;
  // Id -> index. The map types are those DecideContext and Session hold, so the
  // shop's module has one copy of each map's code, not one per key/value pair.
  using Ids = std::map<std::string, std::int64_t, std::less<>>;
  Ids question_ids_;
  Ids ending_ids_;
  // The locales other than the default that every text so far has (plain
  // strings count for the default only, so one untranslated prompt makes the
  // survey default-only), in the first text's order.
  std::vector<std::string> other_locales_;
  bool seen_text_ = false;
  std::vector<bool> typed_;  // per parsed question: did its type parse?
  // How many questions come before the text being parsed (what it may recall).
  int recall_limit_ = 0;
};

}  // namespace sondar::internal

#endif  // SONDAR_SRC_SURVEY_PARSER_H_
