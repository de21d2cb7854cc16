#include "sondar/versions.h"

#include "json_reader.h"

namespace sondar {

Status SurveyVersions::Add(SurveyPtr survey) {
  if (!by_version_.empty() && survey->id != id_) {
    return Status(
        ErrorCode::kMismatch, "id",
        SONDAR_MESSAGE("is \"" + survey->id + "\", not \"" + id_ + "\""));
  }
  if (by_version_.count(survey->version)) {
    return Status(ErrorCode::kDuplicateId, "version",
                  SONDAR_MESSAGE("version " + internal::Str(survey->version) +
                                 " of \"" + survey->id + "\" is held already"));
  }
  id_ = survey->id;
  const int version = survey->version;
  by_version_.emplace(version, std::move(survey));
  return Status();
}

const Survey* SurveyVersions::Find(int version) const {
  auto it = by_version_.find(version);
  return it == by_version_.end() ? nullptr : it->second.get();
}

const Survey* SurveyVersions::Latest() const {
  return by_version_.empty() ? nullptr : by_version_.rbegin()->second.get();
}

SurveyPtr SurveyVersions::Shared(int version) const {
  auto it = by_version_.find(version);
  return it == by_version_.end() ? nullptr : it->second;
}

std::vector<int> SurveyVersions::Numbers() const {
  std::vector<int> out;
  for (const auto& [version, survey] : by_version_) out.push_back(version);
  return out;
}

Result<const Survey*> SurveyVersions::For(const Json& payload) const {
  const Json* v = payload.is_object() ? payload.find("surveyVersion") : nullptr;
  if (!v || !v->is_number()) {
    return Status(
        ErrorCode::kMissingField, "surveyVersion",
        SONDAR_MESSAGE("must be the number of the survey version answered"));
  }
  const double number = v->as_double();
  const Survey* survey =
      number >= 1 && number <= 1e9 && number == static_cast<int>(number)
          ? Find(static_cast<int>(number))
          : nullptr;
  if (!survey) {
    return Status(
        ErrorCode::kMismatch, "surveyVersion",
        SONDAR_MESSAGE("survey \"" + id_ + "\" has no version " + v->dump()));
  }
  return survey;
}

std::vector<std::vector<int>> SurveyVersions::Groups() const {
  std::vector<std::vector<int>> groups;
  std::vector<Aggregate> shapes;  // the first (newest) version of each group
  for (auto it = by_version_.rbegin(); it != by_version_.rend(); ++it) {
    Aggregate shape(*it->second);
    std::size_t g = 0;
    while (g < shapes.size() && !shapes[g].SameShape(shape)) ++g;
    if (g == shapes.size()) {
      shapes.push_back(std::move(shape));
      groups.emplace_back();
    }
    groups[g].push_back(it->first);
  }
  return groups;
}

Result<ResponseRecord> ValidateResponseText(const SurveyVersions& versions,
                                            std::string_view text, int* version,
                                            const ValidateOptions& options) {
  const Survey* latest = versions.Latest();
  if (!latest) {
    return Status(ErrorCode::kMismatch, "surveyId",
                  SONDAR_MESSAGE("no survey versions"));
  }
  *version = latest->version;
  auto record = ValidateResponseText(*latest, text, options);
  if (record.ok() || versions.Numbers().size() == 1) return record;
  const Error& first = record.errors().front();
  if (first.code != ErrorCode::kMismatch || first.path != "surveyVersion")
    return record;
  SONDAR_ASSIGN_OR_RETURN(
      Json doc, ParseJson(text, kMaxResponseBytes, kMaxResponseDepth));
  SONDAR_ASSIGN_OR_RETURN(const Survey* named, versions.For(doc));
  *version = named->version;
  return ValidateResponse(*named, doc, options);
}

VersionedAggregate::VersionedAggregate(const SurveyVersions& versions)
    : groups_(versions.Groups()) {
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    aggregates_.emplace_back(*versions.Find(groups_[g].front()));
    for (int version : groups_[g]) group_of_[version] = g;
  }
}

void VersionedAggregate::Add(int version, const ResponseRecord& record,
                             std::uint64_t times) {
  auto it = group_of_.find(version);
  if (it != group_of_.end()) aggregates_[it->second].Add(record, times);
}

Status VersionedAggregate::Merge(const VersionedAggregate& other) {
  if (other.groups_ != groups_) {
    return Status(
        ErrorCode::kIncompatible, "surveyVersion",
        SONDAR_MESSAGE("cannot merge aggregates of other survey versions"));
  }
  for (std::size_t g = 0; g < aggregates_.size(); ++g)
    SONDAR_RETURN_IF_ERROR(aggregates_[g].Merge(other.aggregates_[g]));
  return Status();
}

bool VersionedAggregate::AtKeyLimit() const {
  for (const Aggregate& a : aggregates_)
    if (a.AtKeyLimit()) return true;
  return false;
}

std::uint64_t VersionedAggregate::responses() const {
  std::uint64_t n = 0;
  for (const Aggregate& a : aggregates_) n += a.responses();
  return n;
}

Json VersionedAggregate::Summary(double confidence) const {
  if (aggregates_.empty()) return Json::object();
  auto summarise = [&](std::size_t g) {
    Json out = aggregates_[g].Summary(confidence);
    out["versions"] = Json::array();
    for (int v : groups_[g]) out["versions"].push_back(v);
    return out;
  };
  Json out = summarise(0);
  Json apart = Json::array();
  for (std::size_t g = 1; g < aggregates_.size(); ++g)
    apart.push_back(summarise(g));
  out["reportedApart"] = std::move(apart);
  return out;
}

}  // namespace sondar
