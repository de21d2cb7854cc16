// Navigation through a survey: which question comes next given the answers so
// far. Shared by Session (live) and response validation (replaying a submitted
// payload), so both agree on what a visitor could have seen.
#ifndef SONDAR_SRC_FLOW_H_
#define SONDAR_SRC_FLOW_H_

#include <cstddef>
#include <optional>
#include <vector>

#include "sondar/survey.h"

namespace sondar::internal {

struct Step {
  bool finished = false;
  std::size_t question = 0;  // when !finished
  std::optional<std::size_t>
      ending;  // when finished and a logic jump named an ending
};

bool Visible(const Survey& survey, std::size_t question, const Lookup& answers);
// First visible question at or after `from`, else finished.
Step FirstVisibleFrom(const Survey& survey, std::size_t from,
                      const Lookup& answers);
// Where the visitor goes after `question`: the first matching logic jump, else
// the next visible question, else the end.
Step After(const Survey& survey, std::size_t question, const Lookup& answers);
// The ending shown when the survey finishes: a jump's ending, else the first
// ending whose condition holds (an ending without one always does); -1 for the
// built-in thank-you.
int ChooseEnding(const Survey& survey, const Lookup& answers,
                 std::optional<std::size_t> forced);
// Questions a visitor walks through when answering forward with `answers`.
std::vector<std::size_t> Replay(const Survey& survey, const Lookup& answers,
                                Step* last);

// Answer lookups over a session's Answers or a payload's "answers" object (no
// copies).
Lookup LookupIn(const Answers& answers);

}  // namespace sondar::internal

#endif  // SONDAR_SRC_FLOW_H_
