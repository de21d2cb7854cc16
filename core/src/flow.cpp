#include "flow.h"

#include <cstdint>

#include "json_reader.h"

namespace sondar {

namespace internal {

Lookup LookupIn(const Answers& answers) {
  return {&answers,
          [](const void* source, const std::string& id) -> const Json* {
            const auto& all = *static_cast<const Answers*>(source);
            auto it = all.find(id);
            return it == all.end() ? nullptr : &it->second;
          }};
}

bool Visible(const Survey& survey, std::size_t question,
             const Lookup& answers) {
  const Question& q = survey.questions[question];
  return !q.show_if || Evaluate(*q.show_if, answers);
}

Step FirstVisibleFrom(const Survey& survey, std::size_t from,
                      const Lookup& answers) {
  for (std::size_t i = from; i < survey.questions.size(); ++i) {
    if (Visible(survey, i, answers)) return {false, i, std::nullopt};
  }
  return {true, 0, std::nullopt};
}

Step After(const Survey& survey, std::size_t question, const Lookup& answers) {
  for (const Jump& jump : survey.questions[question].logic) {
    if (!Evaluate(jump.when, answers)) continue;
    if (jump.to_ending) return {true, 0, jump.target_index};
    // Landing on a hidden question moves on to the next visible one.
    return FirstVisibleFrom(survey, jump.target_index, answers);
  }
  return FirstVisibleFrom(survey, question + 1, answers);
}

int ChooseEnding(const Survey& survey, const Lookup& answers,
                 std::optional<std::size_t> forced) {
  if (forced) return static_cast<int>(*forced);
  for (std::size_t i = 0; i < survey.endings.size(); ++i) {
    const Ending& e = survey.endings[i];
    if (!e.when || Evaluate(*e.when, answers)) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::size_t> Replay(const Survey& survey, const Lookup& answers,
                                Step* last) {
  std::vector<std::size_t> path;
  path.reserve(survey.questions.size());
  Step step = FirstVisibleFrom(survey, 0, answers);
  // Jumps only go forward (validation rejects the rest), so this ends within N
  // steps.
  while (!step.finished) {
    path.push_back(step.question);
    step = After(survey, step.question, answers);
  }
  if (last) *last = step;
  return path;
}

}  // namespace internal

}  // namespace sondar
