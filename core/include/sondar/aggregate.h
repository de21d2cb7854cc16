// Streaming, mergeable aggregates. Every statistic derives from counts per
// scale point or option, so an aggregate is a few integers per question and
// group, serialises to JSON, and two aggregates (e.g. from two shards or two
// days) merge exactly by adding counts.
#ifndef SONDAR_AGGREGATE_H_
#define SONDAR_AGGREGATE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sondar/response.h"
#include "sondar/scoring.h"

namespace sondar {

inline constexpr std::string_view kAggregateSchema = "sondar.aggregate/1";
// Distinct keys kept per breakdown (trigger, segment, day); further keys are
// counted under
// "(other)", which keeps memory bounded whatever the input.
inline constexpr std::size_t kMaxGroupKeys = 1000;
inline constexpr std::string_view kOtherKey = "(other)";

class Aggregate {
 public:
  explicit Aggregate(const Survey& survey);

  // Adds `times` responses like `record` (what an aggregate keeps of a response
  // is its status, trigger, segment, day and values, so a reader may count
  // alike responses first and add each kind once).
  void Add(const ResponseRecord& record, std::uint64_t times = 1);
  Status Merge(const Aggregate& other);

  Json ToJson() const;
  static Result<Aggregate> FromJson(const Survey& survey, const Json& document);

  // Scores with intervals for the whole set and each breakdown; see
  // core/README.md (Scoring).
  Json Summary(double confidence = kDefaultConfidence) const;

  // True when a breakdown holds kMaxGroupKeys keys. Only then does the order
  // of Add and Merge calls change the result (which keys fold into "(other)"),
  // so a reader that adds in parallel knows when to redo it in order.
  bool AtKeyLimit() const;

  // Whether responses to this aggregate's survey and to `other`'s count
  // together: the same questions in the same order, with the same types,
  // scales and option ids. Texts, logic, endings, targeting and the rest may
  // differ. A response is validated against its own version, then added to
  // the aggregate of any version of the same shape.
  bool SameShape(const Aggregate& other) const {
    return shapes_ == other.shapes_;
  }

  std::uint64_t responses() const {
    return total_.complete + total_.partial + total_.dismissed;
  }

 private:
  struct QuestionShape {
    std::string id;
    QuestionType type;
    int min = 0;  // scale questions
    int threshold = 0;
    int points = 0;
    std::vector<std::string> options;  // choice questions
    std::size_t slots() const;
    bool operator==(const QuestionShape& o) const {
      return id == o.id && type == o.type && min == o.min &&
             threshold == o.threshold && points == o.points &&
             options == o.options;
    }
  };
  struct Group {
    std::uint64_t complete = 0, partial = 0, dismissed = 0;
    std::vector<std::vector<std::uint64_t>>
        counts;  // per question, per point/option
    std::vector<std::uint64_t>
        answered;  // per question: responses answering it
  };
  using Groups = std::map<std::string, Group>;

  Group NewGroup() const;
  void AddTo(Group& group, const ResponseRecord& record,
             std::uint64_t times) const;
  Group& GroupFor(Groups& groups, const std::string& key);
  static void MergeGroup(Group& into, const Group& from);
  Json GroupToJson(const Group& group) const;
  Status GroupFromJson(const Json& value, const std::string& path,
                       Group* group) const;
  Json GroupSummary(const Group& group, double confidence) const;
  // The headline scores of `group` minus those of every other response, with
  // intervals and whether each difference is significant.
  Json VersusRest(const Group& group, double confidence) const;

  std::string survey_id_;
  int survey_version_ = 0;
  std::vector<QuestionShape> shapes_;
  Group total_;
  Groups by_trigger_, by_segment_, by_day_;
};

}  // namespace sondar

#endif  // SONDAR_AGGREGATE_H_
