#include "sondar/scoring.h"

#include <algorithm>
#include <cmath>

#include "json_reader.h"

namespace sondar {

std::optional<AnswerScore> ScoreAnswer(const Question& q, const Json& value) {
  if (!q.scale) return std::nullopt;
  auto n = internal::AsInteger(value);
  if (!n || *n < q.scale->min || *n > q.scale->max) return std::nullopt;
  AnswerScore s;
  s.value = static_cast<int>(*n);
  switch (q.type) {
    case QuestionType::kNps:
      s.category = s.value >= 9   ? "promoter"
                   : s.value >= 7 ? "passive"
                                  : "detractor";
      break;
    case QuestionType::kCsat:
      s.category =
          s.value >= q.scale->threshold ? "satisfied" : "not_satisfied";
      break;
    case QuestionType::kCes:
      s.category = s.value >= q.scale->threshold ? "agree" : "not_agree";
      break;
    default:
      break;
  }
  return s;
}

Json ScoreAnswers(const Survey& survey, const Answers& answers) {
  Json scores = Json::object();
  for (const Question& q : survey.questions) {
    if (!q.scored()) continue;
    auto it = answers.find(q.id);
    if (it == answers.end()) continue;
    if (auto s = ScoreAnswer(q, it->second)) {
      Json& score = scores[q.id];
      score["value"] = s->value;
      score["category"] = s->category;
    }
  }
  return scores;
}

double ZForConfidence(double confidence) {
  // Inverse normal CDF by P. J. Acklam's rational approximation (relative error
  // < 1.2e-9), refined by one Halley step against erfc.
  if (!(confidence > 0 && confidence < 1)) return 0;
  const double p = 1 - (1 - confidence) / 2;
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                             -2.759285104469687e+02, 1.383577518672690e+02,
                             -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                             -1.556989798598866e+02, 6.680131188771972e+01,
                             -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                             -2.400758277161838e+00, -2.549732539343734e+00,
                             4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                             2.445134137142996e+00, 3.754408661907416e+00};
  double x;
  if (p > 1 - 0.02425) {
    double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) *
        q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

NpsScore ScoreNps(std::uint64_t promoters, std::uint64_t passives,
                  std::uint64_t detractors, double confidence) {
  NpsScore s;
  s.promoters = promoters;
  s.passives = passives;
  s.detractors = detractors;
  s.n = promoters + passives + detractors;
  if (s.n == 0) return s;
  const double n = static_cast<double>(s.n);
  s.score = 100.0 *
            (static_cast<double>(promoters) - static_cast<double>(detractors)) /
            n;
  const double n_adj = n + 3;
  const double pp = (static_cast<double>(promoters) + 0.75) / n_adj;
  const double pd = (static_cast<double>(detractors) + 0.75) / n_adj;
  const double nps_adj = pp - pd;
  const double variance = (pp + pd - nps_adj * nps_adj) / n_adj;
  const double half =
      ZForConfidence(confidence) * std::sqrt(std::max(variance, 0.0));
  s.ci = Interval{std::max(-100.0, 100 * (nps_adj - half)),
                  std::min(100.0, 100 * (nps_adj + half))};
  return s;
}

ProportionScore ScoreProportion(std::uint64_t hits, std::uint64_t n,
                                double confidence) {
  ProportionScore s;
  s.hits = hits;
  s.n = n;
  if (n == 0) return s;
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(hits) / nn;
  s.score = 100 * p;
  const double z = ZForConfidence(confidence);
  const double z2 = z * z;
  const double denom = 1 + z2 / nn;
  const double center = (p + z2 / (2 * nn)) / denom;
  const double half =
      z / denom * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  s.ci = Interval{100 * std::max(0.0, center - half),
                  100 * std::min(1.0, center + half)};
  return s;
}

MeanScore ScoreMean(int min, const std::uint64_t* counts, int points,
                    double confidence) {
  MeanScore s;
  double sum = 0;
  for (int i = 0; i < points; ++i) {
    s.n += counts[i];
    sum += static_cast<double>(counts[i]) * (min + i);
  }
  if (s.n == 0) return s;
  const double n = static_cast<double>(s.n);
  s.mean = sum / n;
  if (s.n < 2) return s;
  // Two passes over at most 11 points: exact enough, no catastrophic
  // cancellation.
  double squares = 0;
  for (int i = 0; i < points; ++i) {
    const double dev = (min + i) - s.mean;
    squares += static_cast<double>(counts[i]) * dev * dev;
  }
  s.sd = std::sqrt(squares / (n - 1));
  const double half = ZForConfidence(confidence) * s.sd / std::sqrt(n);
  s.ci = Interval{s.mean - half, s.mean + half};
  return s;
}

namespace {

// The adjusted-Wald centre (-1..1) and variance of an NPS, as ScoreNps has
// them.
std::pair<double, double> AdjustedNps(const NpsScore& s) {
  const double n_adj = static_cast<double>(s.n) + 3;
  const double pp = (static_cast<double>(s.promoters) + 0.75) / n_adj;
  const double pd = (static_cast<double>(s.detractors) + 0.75) / n_adj;
  return {pp - pd, std::max((pp + pd - (pp - pd) * (pp - pd)) / n_adj, 0.0)};
}

Difference Around(double difference, double low, double high) {
  return {difference, Interval{low, high}, low > 0 || high < 0};
}

}  // namespace

std::optional<Difference> CompareNps(const NpsScore& a, const NpsScore& b,
                                     double confidence) {
  if (a.n == 0 || b.n == 0) return std::nullopt;
  // The interval is centred on the adjusted scores, as each score's own is:
  // otherwise one promoter against one detractor would look significant.
  const auto [ca, va] = AdjustedNps(a);
  const auto [cb, vb] = AdjustedNps(b);
  const double centre = 100 * (ca - cb);
  const double half = 100 * ZForConfidence(confidence) * std::sqrt(va + vb);
  return Around(a.score - b.score, std::max(-200.0, centre - half),
                std::min(200.0, centre + half));
}

std::optional<Difference> CompareProportions(const ProportionScore& a,
                                             const ProportionScore& b,
                                             double confidence) {
  if (a.n == 0 || b.n == 0) return std::nullopt;
  // The scores carry their intervals at one confidence; recompute them at
  // the one asked for.
  const ProportionScore x = ScoreProportion(a.hits, a.n, confidence);
  const ProportionScore y = ScoreProportion(b.hits, b.n, confidence);
  const double d = x.score - y.score;
  const double low =
      d - std::sqrt((x.score - x.ci->low) * (x.score - x.ci->low) +
                    (y.ci->high - y.score) * (y.ci->high - y.score));
  const double high =
      d + std::sqrt((x.ci->high - x.score) * (x.ci->high - x.score) +
                    (y.score - y.ci->low) * (y.score - y.ci->low));
  return Around(d, low, high);
}

std::optional<Difference> CompareMeans(const MeanScore& a, const MeanScore& b,
                                       double confidence) {
  if (a.n < 2 || b.n < 2) return std::nullopt;
  const double se = std::sqrt(a.sd * a.sd / static_cast<double>(a.n) +
                              b.sd * b.sd / static_cast<double>(b.n));
  // Every answer alike on both sides says nothing about how far they vary.
  if (se == 0) return std::nullopt;
  const double half = ZForConfidence(confidence) * se;
  const double d = a.mean - b.mean;
  return Around(d, d - half, d + half);
}

}  // namespace sondar
