// Follow-up cases: a response someone in the shop acts on (an alert opens
// one; anyone can open one on any response), its state, who has it, and the
// notes of what was done. Also the figure that says whether following up
// works: detractors who answered again and scored higher.
#ifndef SONDAR_CASES_H_
#define SONDAR_CASES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sondar/json.h"
#include "sondar/response.h"
#include "sondar/status.h"
#include "sondar/survey.h"
#include "sondar/versions.h"

namespace sondar {

enum class CaseState { kOpen, kContacted, kResolved };
std::string_view CaseStateName(CaseState state);
std::optional<CaseState> CaseStateFromName(std::string_view name);

inline constexpr std::size_t kMaxCaseNoteBytes = 4000;
inline constexpr std::size_t kMaxCaseNameBytes = 100;

// A change to a case: {"state", "assignee", "note", "by"}, at least one of
// state, assignee and note. Any state may follow any other (a resolved case
// is reopened when the customer writes again). An assignee of "" takes the
// case from whoever had it. `by` names who made the change.
struct CaseUpdate {
  std::optional<CaseState> state;
  std::optional<std::string> assignee;
  std::string note;
  std::string by;
};
// Errors at the member: `note: is longer than 4000 bytes`.
Result<CaseUpdate> ParseCaseUpdate(const Json& body);

// The e-mail address a response's "may we contact you?" answer gives, with
// consent; "" when it gives none.
std::string ContactOf(const Survey& version, const Json& payload);

// Detractors (the unhappy category of a survey's first scored question:
// NPS detractor, CSAT not satisfied, CES not agree) who answered the same
// survey again later, and those whose later answer scored higher. Responses
// are added per visitor in time order (the collector reads them so);
// mergeable, so shards can be counted apart.
class RecoveryCount {
 public:
  explicit RecoveryCount(const SurveyVersions* versions)
      : versions_(versions) {}
  // One stored record (EncodeRecord) of `visitor`, after that visitor's
  // earlier ones.
  void Add(std::string_view visitor, std::string_view encoded_record);
  std::int64_t detractors() const { return detractors_; }
  std::int64_t answered_again() const { return answered_again_; }
  std::int64_t recovered() const { return recovered_; }
  // {"detractors", "answeredAgain", "recovered", "share"}: share is
  // recovered / answeredAgain, null without any.
  Json ToJson() const;

 private:
  const SurveyVersions* versions_;
  std::string current_visitor_;
  // The current visitor's last score when it was unhappy (a reply is
  // compared with it), else -1.
  int pending_ = -1;
  std::int64_t detractors_ = 0, answered_again_ = 0, recovered_ = 0;
};

}  // namespace sondar

#endif  // SONDAR_CASES_H_
