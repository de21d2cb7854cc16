// Alert rules: read with errors at their paths, decided once per response
// (a matching partial is held, the final version decides), and the bodies
// they send, with a customer's words unable to ping a Slack channel.
#include "sondar/alerts.h"

#include <gtest/gtest.h>

#include "fixtures.h"
#include "sondar/themes.h"

namespace sondar {
namespace {

using testing::Codes;
using testing::LoadSurvey;
using testing::Parse;

class AlertsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    nps_ = LoadSurvey("order_nps");
    csat_ = LoadSurvey("checkout_csat");
    ASSERT_TRUE(nps_ && csat_);
    surveys_ = {nps_.get(), csat_.get()};
  }
  Result<AlertRule> Rule(std::string_view text) {
    return ParseAlertRule(Parse(text), &surveys_);
  }
  // A stored order-nps response: normalised, as the collector keeps it.
  Json Response(int score, std::string_view status, std::string_view why = "",
                std::string_view segment = "vip") {
    Json payload = Parse(R"({"schema": "sondar.response/1",
      "responseId": "6b0f7f4e-8d7c-4a51-9d0e-0d3c5c2b8a11",
      "surveyId": "order-nps",
      "visitorId": "v-1", "locale": "en", "trigger": "order_confirmed",
      "startedAt": "2026-11-30T10:00:00Z", "submittedAt": "2026-11-30T10:01:00Z"})");
    payload["surveyVersion"] = nps_->version;
    payload["status"] = std::string(status);
    payload["answers"]["nps"] = score;
    if (!why.empty()) payload["answers"]["why"] = std::string(why);
    payload["hidden"]["segment"] = std::string(segment);
    payload["hidden"]["order_id"] = "A-1001";
    auto valid = ValidateResponse(*nps_, payload);
    EXPECT_TRUE(valid.ok()) << valid.status().ToString();
    return NormalizeResponse(*nps_, payload);
  }
  SurveyPtr nps_, csat_;
  std::vector<const Survey*> surveys_;
};

TEST_F(AlertsTest, TheContractsExampleRuleIsRead) {
  auto rule = Rule(R"({"url": "https://hooks.example/x",
    "when": {"question": "nps", "op": "lte", "value": 6},
    "template": "json", "surveys": ["order-nps"]})");
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  EXPECT_EQ(rule->url, "https://hooks.example/x");
  EXPECT_EQ(rule->format, AlertTemplate::kJson);
  EXPECT_EQ(rule->surveys, std::vector<std::string>{"order-nps"});
  EXPECT_EQ(rule->when_json.dump(),
            R"({"op":"lte","question":"nps","value":6})");
}

TEST_F(AlertsTest, ErrorsNameThePathOfWhatIsWrong) {
  auto bad = Rule(R"({"url": "", "template": "teams", "surveys": ["nope", 3],
    "when": {"all": [{"question": "nps", "op": "below", "value": 6},
                     {"category": "why", "op": "eq", "value": "detractor"},
                     {"field": "weather", "op": "eq", "value": "rain"},
                     {"question": "nps", "hidden": "segment", "op": "eq", "value": 1},
                     {"op": "eq", "value": 1}]},
    "extra": true})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(
      Codes(bad.errors()),
      (std::vector<std::string>{
          "invalid_value@template", "invalid_value@url",
          "invalid_value@when.all[0].op", "invalid_value@when.all[2].field",
          "invalid_value@when.all[3].hidden", "missing_field@when.all[4]",
          "unknown_field@extra", "unknown_reference@surveys[0]",
          "unknown_reference@when.all[1].category", "wrong_type@surveys[1]"}));
}

TEST_F(AlertsTest, AQuestionMustBeInEverySurveyTheRuleNames) {
  // nps is a question of order-nps only: for both surveys the rule could
  // never fire on checkout-csat.
  auto both = Rule(
      R"({"url": "https://h.example", "surveys": ["order-nps", "checkout-csat"],
    "when": {"question": "nps", "op": "lte", "value": 6}})");
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(Codes(both.errors()),
            std::vector<std::string>{"unknown_reference@when.question"});
  EXPECT_NE(both.errors()[0].message.find("checkout-csat"), std::string::npos);
  // Read back from storage (checked when it was made), a rule is taken as
  // it is: a later version may have dropped a question it names.
  EXPECT_TRUE(
      ParseAlertRule(Parse(R"({"url": "https://h.example", "surveys": ["gone"],
    "when": {"question": "nps", "op": "lte", "value": 6}})"),
                     nullptr)
          .ok());
  // For every survey, one that has it is enough.
  EXPECT_TRUE(Rule(R"({"url": "https://h.example",
    "when": {"question": "nps", "op": "lte", "value": 6}})")
                  .ok());
  EXPECT_FALSE(Rule(R"({"url": "https://h.example",
    "when": {"question": "nope", "op": "answered"}})")
                   .ok());
  // Categories only of scored questions, and only known names.
  auto category = Rule(R"({"url": "https://h.example",
    "when": {"category": "nps", "op": "in", "value": ["detractor", "grumpy"]}})");
  ASSERT_FALSE(category.ok());
  EXPECT_EQ(Codes(category.errors()),
            std::vector<std::string>{"invalid_value@when.value[1]"});
}

TEST_F(AlertsTest, FiresOnAFinalVersionHoldsAPartialWithdrawsAMiss) {
  auto rule = Rule(R"({"url": "https://h.example", "surveys": ["order-nps"],
    "when": {"all": [{"category": "nps", "op": "eq", "value": "detractor"},
                     {"hidden": "segment", "op": "eq", "value": "vip"}]}})");
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  EXPECT_EQ(DecideAlert(*rule, "order-nps", Response(3, "complete"), ""),
            AlertAction::kFire);
  EXPECT_EQ(DecideAlert(*rule, "order-nps", Response(3, "dismissed"), ""),
            AlertAction::kFire);
  EXPECT_EQ(DecideAlert(*rule, "order-nps", Response(3, "partial"), ""),
            AlertAction::kHold);
  // The visitor changed the score before completing: nothing to send.
  EXPECT_EQ(DecideAlert(*rule, "order-nps", Response(9, "complete"), ""),
            AlertAction::kWithdraw);
  EXPECT_EQ(DecideAlert(*rule, "order-nps",
                        Response(3, "complete", "", "standard"), ""),
            AlertAction::kWithdraw);
  EXPECT_EQ(DecideAlert(*rule, "checkout-csat", Response(3, "complete"), ""),
            AlertAction::kNone);
}

TEST_F(AlertsTest, FieldsAndThemesAreSubjects) {
  auto rule = Rule(R"({"url": "https://h.example",
    "when": {"all": [{"field": "theme", "op": "eq", "value": "delivery"},
                     {"field": "trigger", "op": "eq", "value": "order_confirmed"},
                     {"field": "locale", "op": "in", "value": ["en", "de"]}]}})");
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  const Json response = Response(5, "complete", "The parcel arrived late");
  const std::string themes =
      ThemesOf(DefaultThemes(), CommentsOf(*nps_, response));
  EXPECT_EQ(DecideAlert(*rule, "order-nps", response, themes),
            AlertAction::kFire);
  EXPECT_EQ(
      DecideAlert(*rule, "order-nps", Response(5, "complete", "Great"), "c"),
      AlertAction::kWithdraw);
}

TEST_F(AlertsTest, TheJsonBodyHoldsTheStoredResponseAndTheRule) {
  auto rule = Rule(R"({"url": "https://h.example",
    "when": {"question": "nps", "op": "lte", "value": 6}})");
  ASSERT_TRUE(rule.ok());
  const Json response = Response(2, "complete", "Late again");
  const std::string body =
      AlertBody(*rule, {*nps_, response, "c,delivery", "wh_1",
                        "http://127.0.0.1:8787/workspace/?response=x"});
  const Json sent = Parse(body);
  EXPECT_EQ(sent["type"].as_string(), "response.alert");
  EXPECT_EQ(sent["webhookId"].as_string(), "wh_1");
  EXPECT_EQ(sent["response"], response);
  EXPECT_EQ(sent["response"]["responseId"].as_string(),
            "6b0f7f4e-8d7c-4a51-9d0e-0d3c5c2b8a11");
  EXPECT_EQ(sent["rule"]["when"], rule->when_json);
  EXPECT_EQ(sent["themes"], Json::array({"delivery"}));
  EXPECT_EQ(sent["link"].as_string(),
            "http://127.0.0.1:8787/workspace/?response=x");
}

TEST_F(AlertsTest, TheSlackMessageShowsScoreCommentSegmentAndEscapesText) {
  auto rule = Rule(R"({"url": "https://hooks.slack.com/services/T/B/X",
    "template": "slack", "when": {"question": "nps", "op": "lte", "value": 6}})");
  ASSERT_TRUE(rule.ok());
  const Json response = Response(
      2, "complete", "<!channel> see <https://evil.example|here> & cry");
  const Json sent =
      Parse(AlertBody(*rule, {*nps_, response, "c", "wh_1",
                              "https://cx.example/workspace/?r=1"}));
  const std::string section = sent["blocks"][0]["text"]["text"].as_string();
  EXPECT_NE(section.find("*NPS 2* (detractor)"), std::string::npos) << section;
  EXPECT_NE(
      section.find("&lt;!channel&gt; see &lt;https://evil.example|here&gt; "
                   "&amp; cry"),
      std::string::npos)
      << section;
  EXPECT_EQ(section.find("<!channel>"), std::string::npos);
  const std::string context =
      sent["blocks"][1]["elements"][0]["text"].as_string();
  EXPECT_NE(context.find("segment: vip"), std::string::npos) << context;
  EXPECT_NE(context.find("<https://cx.example/workspace/?r=1|Open in the "
                         "workspace>"),
            std::string::npos)
      << context;
  EXPECT_NE(sent["text"].as_string().find("NPS 2"), std::string::npos);
}

}  // namespace
}  // namespace sondar
