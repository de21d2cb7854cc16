// Every published version of one survey, as the collector keeps them and the
// report reads them. A response is validated against the version it names;
// versions whose questions have the same shape (Aggregate::SameShape) are
// summarised together and the others apart, never mixed (core/README.md,
// "Versions").
#ifndef SONDAR_VERSIONS_H_
#define SONDAR_VERSIONS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sondar/aggregate.h"
#include "sondar/json.h"
#include "sondar/response.h"
#include "sondar/status.h"
#include "sondar/survey.h"

namespace sondar {

class SurveyVersions {
 public:
  // Adds a version. An error when it is another survey's or the number is
  // held already (a version's content never changes).
  Status Add(SurveyPtr survey);

  bool empty() const { return by_version_.empty(); }
  const std::string& id() const { return id_; }
  // nullptr when not held.
  const Survey* Find(int version) const;
  const Survey* Latest() const;
  SurveyPtr Shared(int version) const;
  // Held version numbers, oldest first.
  std::vector<int> Numbers() const;

  // The version `payload` names in "surveyVersion"; an error at that path
  // when it names none held (or no number at all).
  Result<const Survey*> For(const Json& payload) const;

  // Versions that aggregate together, the latest's group first and then by
  // their newest version, newest first; each group newest first.
  std::vector<std::vector<int>> Groups() const;

 private:
  std::string id_;
  std::map<int, SurveyPtr> by_version_;
};

// ValidateResponseText against the version `text` names: the latest is tried
// first (most stored rows are its), then the version its "surveyVersion"
// gives. `*version` is set to the version it was checked against.
Result<ResponseRecord> ValidateResponseText(
    const SurveyVersions& versions, std::string_view text, int* version,
    const ValidateOptions& options = {});

// One Aggregate per group of SurveyVersions::Groups().
class VersionedAggregate {
 public:
  explicit VersionedAggregate(const SurveyVersions& versions);

  // Adds a response validated against `version` (one of the versions given
  // to the constructor; others are ignored).
  void Add(int version, const ResponseRecord& record, std::uint64_t times = 1);
  // Both must come from the same versions.
  Status Merge(const VersionedAggregate& other);
  bool AtKeyLimit() const;
  std::uint64_t responses() const;

  // The groups, for a reader that adds in parallel (the report): how many,
  // the one a version belongs to (groups() for a version not given), and
  // each group's aggregate.
  std::size_t groups() const { return aggregates_.size(); }
  std::size_t GroupOf(int version) const {
    auto it = group_of_.find(version);
    return it == group_of_.end() ? aggregates_.size() : it->second;
  }
  Aggregate& group(std::size_t g) { return aggregates_[g]; }

  // The summary of the latest version's group (Aggregate::Summary, with its
  // surveyVersion the latest), with "versions" (the versions it covers,
  // newest first) and "reportedApart": one summary of the same layout per
  // other group, newest first. Empty when every version has one shape.
  Json Summary(double confidence = kDefaultConfidence) const;

 private:
  std::vector<std::vector<int>> groups_;
  std::vector<Aggregate> aggregates_;  // one per group
  std::map<int, std::size_t> group_of_;
};

}  // namespace sondar

#endif  // SONDAR_VERSIONS_H_
