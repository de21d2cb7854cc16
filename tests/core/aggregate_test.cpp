#include <gtest/gtest.h>

#include "fixtures.h"

namespace sondar {
namespace {

constexpr std::int64_t kDay = 86400000;
constexpr std::int64_t kJan1 = 1767225600000;

class AggregateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    survey_ = testing::LoadSurvey("order_nps");
    ASSERT_NE(survey_, nullptr);
  }

  // A validated record, as a collector would produce it.
  ResponseRecord Record(Json answers, const char* status = "complete",
                        const char* trigger = "checkout_complete",
                        const char* segment = "vip", std::int64_t at = kJan1) {
    Json p = {{"schema", "sondar.response/1"},
              {"responseId", "3b241101-e2bb-4255-8caf-4136c566a962"},
              {"surveyId", "order-nps"},
              {"surveyVersion", 3},
              {"visitorId", "v"},
              {"status", status},
              {"answers", std::move(answers)},
              {"trigger", trigger},
              {"hidden", {{"segment", segment}}},
              {"startedAt", FormatTimestamp(at)},
              {"submittedAt", FormatTimestamp(at)}};
    auto r = ValidateResponse(*survey_, p);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r.value() : ResponseRecord{};
  }

  SurveyPtr survey_;
};

TEST_F(AggregateTest, NpsOfTenHandCountedAnswers) {
  Aggregate agg(*survey_);
  // 4 promoters (9, 10, 10, 9), 2 passives (7, 8), 4 detractors (0, 3, 6, 5):
  // NPS = 40 - 40 = 0.
  for (int v : {9, 10, 10, 9, 7, 8, 0, 3, 6, 5}) agg.Add(Record({{"nps", v}}));
  Json s = agg.Summary();
  EXPECT_EQ(s["nps"]["n"], 10);
  EXPECT_EQ(s["nps"]["score"], 0.0);
  EXPECT_EQ(s["nps"]["promoters"], 4);
  EXPECT_EQ(s["nps"]["passives"], 2);
  EXPECT_EQ(s["nps"]["detractors"], 4);
  // Adjusted Wald by hand: n'=13, p+=p-=4.75/13=0.365385, var=0.730769/13,
  // half=1.96*0.237095.
  EXPECT_NEAR(s["nps"]["ci_low"].as_double(), -46.47, 0.01);
  EXPECT_NEAR(s["nps"]["ci_high"].as_double(), 46.47, 0.01);
  EXPECT_EQ(s["nps"]["distribution"][10], (Json{{"value", 10}, {"count", 2}}));
  EXPECT_EQ(s["responses"]["complete"], 10);
}

TEST_F(AggregateTest, UnansweredAndDismissedQuestionsStayOutOfTheDenominator) {
  Aggregate agg(*survey_);
  agg.Add(Record({{"nps", 10}}));
  agg.Add(Record(Json::object(), "partial"));    // shown, nothing answered yet
  agg.Add(Record(Json::object(), "dismissed"));  // closed without answering
  Json s = agg.Summary();
  EXPECT_EQ(s["responses"]["total"], 3);
  EXPECT_EQ(s["nps"]["n"], 1);
  EXPECT_EQ(s["nps"]["score"], 100.0);
}

TEST_F(AggregateTest, ChoiceAndTextQuestionsCountRespondents) {
  Aggregate agg(*survey_);
  agg.Add(
      Record({{"nps", 2}, {"why", "slow"}, {"area", {"delivery", "price"}}}));
  agg.Add(Record({{"nps", 8}, {"area", {"price"}}}));
  Json s = agg.Summary();
  EXPECT_EQ(s["questions"]["area"]["n"], 2);
  EXPECT_EQ(s["questions"]["area"]["counts"],
            (Json{{"delivery", 1}, {"price", 2}, {"quality", 0}}));
  EXPECT_EQ(s["questions"]["why"]["n"], 1);
}

TEST_F(AggregateTest, BreaksDownByTriggerSegmentAndDay) {
  Aggregate agg(*survey_);
  agg.Add(Record({{"nps", 10}}, "complete", "checkout_complete", "vip", kJan1));
  agg.Add(Record({{"nps", 0}}, "complete", "checkout_complete", "regular",
                 kJan1 + kDay));
  agg.Add(Record({{"nps", 9}}, "complete", "chat_ended", "regular",
                 kJan1 + kDay + 5));
  Json s = agg.Summary();
  EXPECT_EQ(s["byTrigger"]["checkout_complete"]["nps"]["score"], 0.0);
  EXPECT_EQ(s["byTrigger"]["chat_ended"]["nps"]["score"], 100.0);
  EXPECT_EQ(s["bySegment"]["vip"]["nps"]["n"], 1);
  EXPECT_EQ(s["bySegment"]["regular"]["nps"]["score"], 0.0);
  EXPECT_EQ(s["byDay"]["2026-01-01"]["nps"]["n"], 1);
  EXPECT_EQ(s["byDay"]["2026-01-02"]["nps"]["n"], 2);
}

TEST_F(AggregateTest, EachTouchpointAndSegmentIsComparedWithTheRest) {
  Aggregate agg(*survey_);
  // vip: 20 promoters; regular: 20 detractors; the one without a segment
  // (a passive) is in the rest of both.
  for (int i = 0; i < 20; ++i) {
    agg.Add(Record({{"nps", 10}}, "complete", "checkout_complete", "vip"));
    agg.Add(Record({{"nps", 2}}, "complete", "chat_ended", "regular"));
  }
  agg.Add(Record({{"nps", 8}}, "complete", "chat_ended", ""));
  Json s = agg.Summary();
  const Json& vip = s["bySegment"]["vip"]["vsRest"]["nps"];
  // 100 against (0 - 20) / 21 * 100 = -95.24.
  EXPECT_EQ(vip["difference"], 195.24);
  EXPECT_EQ(vip["significant"], true);
  EXPECT_LT(vip["ci_low"].as_double(), 195.24);
  EXPECT_EQ(s["byTrigger"]["checkout_complete"]["vsRest"]["nps"]["difference"],
            195.24);
  // No csat or ces question: nothing to compare.
  EXPECT_FALSE(s["bySegment"]["vip"]["vsRest"].contains("csat"));
  EXPECT_FALSE(s["byDay"]["2026-01-01"].contains("vsRest"));
}

TEST_F(AggregateTest, MergingShardsEqualsAggregatingEverything) {
  Aggregate whole(*survey_), left(*survey_), right(*survey_);
  for (int i = 0; i < 300; ++i) {
    Json answers = {{"nps", (i * 7) % 11}};
    if ((i * 7) % 11 <= 6) answers["why"] = "reason " + std::to_string(i);
    if (i % 3 == 0 && (i * 7) % 11 <= 8)
      answers["area"] = {i % 2 ? "price" : "quality"};
    const char* trigger = i % 4 ? "checkout_complete" : "chat_ended";
    ResponseRecord r =
        Record(answers, i % 10 ? "complete" : "partial", trigger,
               i % 5 ? "regular" : "vip", kJan1 + (i % 7) * kDay);
    whole.Add(r);
    (i % 2 ? left : right).Add(r);
  }
  ASSERT_TRUE(left.Merge(right).ok());
  EXPECT_EQ(left.ToJson(), whole.ToJson());
  EXPECT_EQ(left.Summary(), whole.Summary());
}

TEST_F(AggregateTest, AddingAKindTimesEqualsAddingEachResponse) {
  Aggregate each(*survey_), counted(*survey_);
  const ResponseRecord kinds[] = {
      Record({{"nps", 3}, {"why", "slow"}, {"area", {"price", "quality"}}}),
      Record({{"nps", 9}}, "complete", "chat_ended", "regular", kJan1 + kDay),
      Record({{"nps", 7}}, "partial", "checkout_complete", "vip",
             kJan1 + 3 * kDay),
      Record(Json::object(), "dismissed")};
  const std::uint64_t times[] = {5, 1, 12, 3};
  for (std::size_t k = 0; k < 4; ++k) {
    for (std::uint64_t i = 0; i < times[k]; ++i) each.Add(kinds[k]);
    counted.Add(kinds[k], times[k]);
  }
  EXPECT_EQ(counted.ToJson(), each.ToJson());
  EXPECT_EQ(counted.Summary(), each.Summary());
  EXPECT_EQ(counted.responses(), 21u);
}

TEST_F(AggregateTest, SerialisesAndRestoresExactly) {
  Aggregate agg(*survey_);
  for (int v : {1, 5, 9, 10}) agg.Add(Record({{"nps", v}}));
  Json saved = agg.ToJson();
  auto restored = Aggregate::FromJson(*survey_, testing::Parse(saved.dump()));
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->ToJson(), saved);
  restored->Add(Record({{"nps", 10}}));  // keeps streaming after a restore
  EXPECT_EQ(restored->Summary()["nps"]["n"], 5);
}

TEST_F(AggregateTest, RejectsAggregatesOfAnotherShape) {
  Aggregate agg(*survey_);
  Json saved = agg.ToJson();
  saved["total"]["questions"]["nps"]["counts"] = {1, 2, 3};
  auto restored = Aggregate::FromJson(*survey_, saved);
  ASSERT_FALSE(restored.ok());
  EXPECT_EQ(
      testing::Codes(restored.errors()),
      std::vector<std::string>{"incompatible@total.questions.nps.counts"});
  auto other = testing::LoadSurvey("checkout_csat");
  EXPECT_EQ(Aggregate(*other).Merge(agg).errors()[0].code,
            ErrorCode::kIncompatible);
}

TEST_F(AggregateTest, BreakdownKeysAreBounded) {
  Aggregate agg(*survey_);
  for (std::size_t i = 0; i < kMaxGroupKeys + 50; ++i) {
    agg.Add(Record({{"nps", 9}}, "complete",
                   ("event-" + std::to_string(i)).c_str()));
  }
  Json s = agg.Summary();
  EXPECT_EQ(s["byTrigger"].size(), kMaxGroupKeys + 1);
  EXPECT_EQ(s["byTrigger"]["(other)"]["nps"]["n"], 50);
  EXPECT_EQ(s["nps"]["n"], kMaxGroupKeys + 50);
}

TEST_F(AggregateTest, CsatAndCesSummaries) {
  auto csat_survey = testing::LoadSurvey("checkout_csat");
  ASSERT_NE(csat_survey, nullptr);
  Aggregate agg(*csat_survey);
  // CSAT answers 5 5 4 4 3 2 1 5: 5 of 8 satisfied = 62.5%. CES 7 5 4 1:
  // mean 4.25, 2 agree.
  const int csat[] = {5, 5, 4, 4, 3, 2, 1, 5};
  const int ces[] = {7, 5, 4, 1, 0, 0, 0, 0};
  for (int i = 0; i < 8; ++i) {
    ResponseRecord r;
    r.status = ResponseStatus::kComplete;
    r.submitted_at_ms = kJan1;
    r.values.emplace_back(0, csat[i]);
    if (ces[i]) r.values.emplace_back(1, ces[i]);
    agg.Add(r);
  }
  Json s = agg.Summary();
  EXPECT_EQ(s["csat"]["score"], 62.5);
  EXPECT_EQ(s["csat"]["satisfied"], 5);
  EXPECT_EQ(s["ces"]["score"], 4.25);
  EXPECT_EQ(s["ces"]["agree"], 2);
  EXPECT_EQ(s["ces"]["agreePercent"], 50.0);
  // Wilson for 5/8 by hand: center 0.589, half 0.283 -> 30.57 .. 86.32.
  EXPECT_NEAR(s["csat"]["ci_low"].as_double(), 30.57, 0.01);
  EXPECT_NEAR(s["csat"]["ci_high"].as_double(), 86.32, 0.01);
}

}  // namespace
}  // namespace sondar
