// Expected values below were worked out by hand from the formulas in
// core/README.md (Scoring) (and checked with Python's statistics.NormalDist),
// never taken from this code's output.
#include <gtest/gtest.h>

#include "fixtures.h"

namespace sondar {
namespace {

TEST(Scoring, ZForCommonConfidenceLevels) {
  EXPECT_NEAR(ZForConfidence(0.95), 1.959964, 1e-6);
  EXPECT_NEAR(ZForConfidence(0.90), 1.644854, 1e-6);
  EXPECT_NEAR(ZForConfidence(0.99), 2.575829, 1e-6);
  EXPECT_EQ(ZForConfidence(1.5), 0);
}

TEST(Scoring, NpsOf100AnswersWith50PromotersAnd20Detractors) {
  // NPS = 50% - 20% = 30. Adjusted Wald: n' = 103, p+ = 50.75/103, p-
  // = 20.75/103, NPS' = 0.291262, var = (p+ + p- - NPS'^2)/103 = 0.0059159,
  // half = 1.96 * 0.076915.
  NpsScore s = ScoreNps(50, 30, 20);
  EXPECT_EQ(s.n, 100u);
  EXPECT_DOUBLE_EQ(s.score, 30.0);
  ASSERT_TRUE(s.ci.has_value());
  EXPECT_NEAR(s.ci->low, 14.0511, 1e-3);
  EXPECT_NEAR(s.ci->high, 44.2013, 1e-3);
}

TEST(Scoring, NpsIntervalIsClampedToTheScale) {
  NpsScore all_promoters = ScoreNps(3, 0, 0);  // raw upper bound 106.58
  EXPECT_DOUBLE_EQ(all_promoters.score, 100.0);
  EXPECT_NEAR(all_promoters.ci->low, -6.5793, 1e-3);
  EXPECT_DOUBLE_EQ(all_promoters.ci->high, 100.0);
  NpsScore all_detractors = ScoreNps(0, 0, 10);  // raw lower bound -106.34
  EXPECT_DOUBLE_EQ(all_detractors.score, -100.0);
  EXPECT_DOUBLE_EQ(all_detractors.ci->low, -100.0);
  EXPECT_NEAR(all_detractors.ci->high, -47.5036, 1e-3);
}

TEST(Scoring, NpsWithNoAnswersHasNoScoreOrInterval) {
  NpsScore s = ScoreNps(0, 0, 0);
  EXPECT_EQ(s.n, 0u);
  EXPECT_FALSE(s.ci.has_value());
}

TEST(Scoring, CsatWilsonInterval) {
  ProportionScore s = ScoreProportion(80, 100);
  EXPECT_DOUBLE_EQ(s.score, 80.0);
  EXPECT_NEAR(s.ci->low, 71.1171, 1e-3);
  EXPECT_NEAR(s.ci->high, 86.6633, 1e-3);
  // Wilson stays inside 0..100 at the edges, unlike the plain Wald interval.
  ProportionScore none = ScoreProportion(0, 10);
  EXPECT_NEAR(none.ci->low, 0.0, 1e-9);
  EXPECT_NEAR(none.ci->high, 27.7533, 1e-3);
  ProportionScore all = ScoreProportion(10, 10);
  EXPECT_NEAR(all.ci->low, 72.2467, 1e-3);
  EXPECT_DOUBLE_EQ(all.ci->high, 100.0);
}

TEST(Scoring, CesMeanWithNormalInterval) {
  // Answers 2 3 4 4 5 5 5 6 6 7 on 1-7: mean 4.7, sample sd 1.494434.
  const std::uint64_t counts[7] = {0, 1, 1, 2, 3, 2, 1};
  MeanScore s = ScoreMean(1, counts, 7);
  EXPECT_EQ(s.n, 10u);
  EXPECT_DOUBLE_EQ(s.mean, 4.7);
  EXPECT_NEAR(s.sd, 1.494434, 1e-6);
  EXPECT_NEAR(s.ci->low, 3.773757, 1e-5);
  EXPECT_NEAR(s.ci->high, 5.626243, 1e-5);
}

TEST(Scoring, MeanOfOneAnswerHasNoInterval) {
  const std::uint64_t counts[5] = {0, 0, 1, 0, 0};
  MeanScore s = ScoreMean(1, counts, 5);
  EXPECT_DOUBLE_EQ(s.mean, 3.0);
  EXPECT_FALSE(s.ci.has_value());
}

TEST(Scoring, AnswerCategories) {
  auto survey = testing::LoadSurvey("all_types");
  ASSERT_NE(survey, nullptr);
  const auto& q = survey->questions;
  auto category = [](const Question& question, int v) {
    auto s = ScoreAnswer(question, Json(v));
    return s ? std::string(s->category) : std::string("(none)");
  };
  EXPECT_EQ(category(q[0], 0), "detractor");
  EXPECT_EQ(category(q[0], 6), "detractor");
  EXPECT_EQ(category(q[0], 7), "passive");
  EXPECT_EQ(category(q[0], 8), "passive");
  EXPECT_EQ(category(q[0], 9), "promoter");
  EXPECT_EQ(category(q[0], 10), "promoter");
  EXPECT_EQ(category(q[0], 11), "(none)");
  EXPECT_EQ(category(q[1], 3), "not_satisfied");  // csat 1-5
  EXPECT_EQ(category(q[1], 4), "satisfied");
  EXPECT_EQ(category(q[2], 4), "not_agree");  // ces 1-7
  EXPECT_EQ(category(q[2], 5), "agree");
  EXPECT_EQ(category(q[4], 0), "not_satisfied");  // thumbs down
  EXPECT_EQ(category(q[4], 1), "satisfied");
  EXPECT_EQ(category(q[3], 7), "");  // rating: a value, no category
}

}  // namespace
}  // namespace sondar

namespace sondar {
namespace {

TEST(Compare, ProportionsByNewcombesHybridScoreInterval) {
  // Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 against
  // 48/80, method 10: 0.2000 [0.0524, 0.3339].
  auto d = CompareProportions(ScoreProportion(56, 70), ScoreProportion(48, 80));
  ASSERT_TRUE(d.has_value());
  EXPECT_NEAR(d->difference, 20.0, 1e-9);
  EXPECT_NEAR(d->ci.low, 5.24, 0.01);
  EXPECT_NEAR(d->ci.high, 33.39, 0.01);
  EXPECT_TRUE(d->significant);
  EXPECT_FALSE(
      CompareProportions(ScoreProportion(0, 0), ScoreProportion(1, 2)));
}

TEST(Compare, NpsAddsTheAdjustedWaldVariances) {
  // 60/20/20 (NPS 40) against 30/30/40 (NPS -10): by hand, with 3 added
  // answers on each side, the adjusted centres are 0.38835 and -0.09709 and
  // the variances 0.0062180 and 0.0066480, so the interval is 48.54 +-
  // 1.959964 * sqrt(0.012866) * 100 = 48.54 +- 22.23.
  auto d = CompareNps(ScoreNps(60, 20, 20), ScoreNps(30, 30, 40));
  ASSERT_TRUE(d.has_value());
  EXPECT_NEAR(d->difference, 50.0, 1e-9);
  EXPECT_NEAR(d->ci.low, 26.31, 0.02);
  EXPECT_NEAR(d->ci.high, 70.77, 0.02);
  EXPECT_TRUE(d->significant);
  // One answer each way is no evidence.
  auto small = CompareNps(ScoreNps(1, 0, 0), ScoreNps(0, 0, 1));
  ASSERT_TRUE(small.has_value());
  EXPECT_FALSE(small->significant);
}

TEST(Compare, MeansByWelchsStandardError) {
  MeanScore a, b;
  a.n = 100, a.mean = 4.0, a.sd = 1.0;
  b.n = 100, b.mean = 3.8, b.sd = 1.0;
  // 0.2 +- 1.959964 * sqrt(0.01 + 0.01) = 0.2 +- 0.2772: includes 0.
  auto d = CompareMeans(a, b);
  ASSERT_TRUE(d.has_value());
  EXPECT_NEAR(d->ci.low, -0.0772, 1e-3);
  EXPECT_NEAR(d->ci.high, 0.4772, 1e-3);
  EXPECT_FALSE(d->significant);
  b.n = 1;
  EXPECT_FALSE(CompareMeans(a, b).has_value());
  // Every answer alike on both sides ({7, 7} against {6, 6}) says nothing.
  MeanScore sevens, sixes;
  sevens.n = sixes.n = 2;
  sevens.mean = 7, sixes.mean = 6;
  EXPECT_FALSE(CompareMeans(sevens, sixes).has_value());
}

}  // namespace
}  // namespace sondar
