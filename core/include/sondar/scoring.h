// Scoring: per answer (NPS category, CSAT satisfied, CES agree) and statistics
// with intervals. Aggregation over many responses lives in aggregate.h.
#ifndef SONDAR_SCORING_H_
#define SONDAR_SCORING_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "sondar/survey.h"

namespace sondar {

inline constexpr double kDefaultConfidence = 0.95;

struct AnswerScore {
  int value = 0;
  // nps: promoter | passive | detractor; csat: satisfied | not_satisfied;
  // ces: agree | not_agree; rating: empty (no category).
  std::string_view category;
};

// Score of one answer to a scale question; nullopt for other types or invalid
// values.
std::optional<AnswerScore> ScoreAnswer(const Question& question,
                                       const Json& value);
// {"qid": {"value": 9, "category": "promoter"}, ...} for the scored (nps, csat,
// ces) answers.
Json ScoreAnswers(const Survey& survey, const Answers& answers);

// Two-sided critical value of the standard normal for a confidence level in (0,
// 1): 0.95 -> 1.959964.
double ZForConfidence(double confidence);

struct Interval {
  double low = 0;
  double high = 0;
};

struct NpsScore {
  std::uint64_t n = 0, promoters = 0, passives = 0, detractors = 0;
  double score = 0;            // %promoters - %detractors, -100..100
  std::optional<Interval> ci;  // adjusted Wald; none when n == 0
};
// Adjusted Wald: add 3 answers (0.75 promoter, 0.75 detractor, 1.5 passive),
// then the Wald interval of the difference of two multinomial proportions,
// clamped to -100..100.
NpsScore ScoreNps(std::uint64_t promoters, std::uint64_t passives,
                  std::uint64_t detractors,
                  double confidence = kDefaultConfidence);

struct ProportionScore {
  std::uint64_t n = 0, hits = 0;
  double score = 0;            // percent, 0..100
  std::optional<Interval> ci;  // Wilson score interval, in percent
};
ProportionScore ScoreProportion(std::uint64_t hits, std::uint64_t n,
                                double confidence = kDefaultConfidence);

struct MeanScore {
  std::uint64_t n = 0;
  double mean = 0;
  double sd = 0;               // sample standard deviation
  std::optional<Interval> ci;  // mean +- z * sd / sqrt(n); none when n < 2
};
// Mean of a distribution given as counts per scale point starting at `min`.
MeanScore ScoreMean(int min, const std::uint64_t* counts, int points,
                    double confidence = kDefaultConfidence);

// One score minus another (a segment against the rest of the responses),
// with an interval for the difference: significant when the interval leaves
// out 0. nullopt when either side has too few answers to say.
struct Difference {
  double difference = 0;
  Interval ci;
  bool significant = false;
};
// In NPS points; the interval is the adjusted-Wald one of each score carried
// over to their difference (adjusted centres, variances added: independent
// samples). Needs an answer on each side.
std::optional<Difference> CompareNps(const NpsScore& a, const NpsScore& b,
                                     double confidence = kDefaultConfidence);
// In percentage points; Newcombe's hybrid score interval, built from the two
// Wilson intervals (it keeps its coverage near 0% and 100%, where Wald's
// does not).
std::optional<Difference> CompareProportions(
    const ProportionScore& a, const ProportionScore& b,
    double confidence = kDefaultConfidence);
// On the scale's units; the two means' standard errors added (Welch, normal
// approximation). Needs two answers on each side.
std::optional<Difference> CompareMeans(const MeanScore& a, const MeanScore& b,
                                       double confidence = kDefaultConfidence);

}  // namespace sondar

#endif  // SONDAR_SCORING_H_
