#include <gtest/gtest.h>

#include "fixtures.h"

namespace sondar {
namespace {

TEST(Decide, MatchesEveryFixtureCase) {
  Json cases = testing::FixtureJson("decide_cases.json");
  ASSERT_GE(cases.size(), 20u);
  for (const Json& c : cases.as_array()) {
    const std::string name = c["name"].as_string();
    auto survey = testing::LoadSurvey(c["survey"].as_string());
    ASSERT_NE(survey, nullptr) << name;
    auto context = ParseDecideContext(c["context"]);
    ASSERT_TRUE(context.ok()) << name << ": " << context.status().ToString();
    Decision d = Decide(*survey, context.value());
    EXPECT_EQ(d.show, c["expect"]["show"].as_bool()) << name;
    EXPECT_EQ(ReasonName(d.reason), c["expect"]["reason"].as_string())
        << name << ": " << d.detail;
    if (c["expect"].contains("retryAt")) {
      EXPECT_EQ(d.retry_at_ms, c["expect"]["retryAt"].as_int()) << name;
    }
  }
}

TEST(Decide, SamplingIsStickyForAVisitor) {
  auto survey = testing::LoadSurvey("order_nps");
  ASSERT_NE(survey, nullptr);
  Json ctx = testing::FixtureJson("decide_cases.json")[0]["context"];
  for (int i = 0; i < 200; ++i) {
    ctx["visitorId"] = "visitor-" + std::to_string(i);
    bool first = Decide(*survey, ParseDecideContext(ctx).value()).show;
    for (int day = 0; day < 3; ++day) {
      ctx["now"] = ctx["now"].as_int() + 1;
      EXPECT_EQ(Decide(*survey, ParseDecideContext(ctx).value()).show, first);
    }
  }
}

TEST(Decide, SamplingShowsTheRequestedShareOfVisitors) {
  auto survey = testing::LoadSurvey("order_nps");  // 50%
  ASSERT_NE(survey, nullptr);
  Json ctx = testing::FixtureJson("decide_cases.json")[0]["context"];
  int shown = 0;
  for (int i = 0; i < 10000; ++i) {
    ctx["visitorId"] = "v" + std::to_string(i);
    shown += Decide(*survey, ParseDecideContext(ctx).value()).show;
  }
  EXPECT_NEAR(shown, 5000, 250);  // sd 50: a five-sigma band
}

TEST(Decide, ContextErrorsNamePaths) {
  auto parsed = ParseDecideContext(testing::Parse(
      R"({"now":"soon","history":[{"survey":"x","kind":"seen","at":1}],"extra":1})"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(testing::Codes(parsed.errors()),
            (std::vector<std::string>{
                "invalid_value@history[0].kind", "missing_field@visitorId",
                "unknown_field@extra", "wrong_type@now"}));
}

TEST(Decide, DecisionSerialisesReasonAndRetry) {
  Decision d{false, Reason::kRecontactWait, "dismissed within the last 30 days",
             1767225600000};
  Json j = d.ToJson();
  EXPECT_EQ(j["reason"], "recontact_wait");
  EXPECT_EQ(j["retryAt"], 1767225600000);
  EXPECT_EQ(j["show"], false);
}

}  // namespace
}  // namespace sondar
