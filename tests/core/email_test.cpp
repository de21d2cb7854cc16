// The e-mails: an alert per response and the daily digest, each with a
// subject on one line, a text part and an HTML part where every word from a
// customer is escaped; the digest's scores, intervals and change against the
// period before are the core's statistics.
#include "sondar/email.h"

#include <gtest/gtest.h>

#include "fixtures.h"

namespace sondar {
namespace {

using testing::Codes;
using testing::LoadSurvey;
using testing::Parse;

class EmailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    survey_ = LoadSurvey("order_nps");
    ASSERT_TRUE(survey_);
    ASSERT_TRUE(versions_.Add(survey_).ok());
    surveys_ = {survey_.get()};
  }
  Json Stored(int nps, std::string_view why) {
    Json payload = Parse(R"({"schema": "sondar.response/1",
      "surveyId": "order-nps", "visitorId": "v", "status": "complete",
      "locale": "en", "trigger": "order_confirmed",
      "startedAt": "2026-11-30T10:00:00Z", "submittedAt": "2026-11-30T10:01:00Z"})");
    payload["responseId"] =
        "6b0f7f4e-8d7c-4a51-9d0e-0d3c5c2b8a1" + std::to_string(nps % 10);
    payload["surveyVersion"] = survey_->version;
    payload["answers"]["nps"] = nps;
    if (!why.empty()) payload["answers"]["why"] = std::string(why);
    payload["hidden"]["segment"] = "vip";
    payload["hidden"]["order_id"] = "A-1";
    EXPECT_TRUE(ValidateResponse(*survey_, payload).ok());
    return NormalizeResponse(*survey_, payload);
  }
  SurveyPtr survey_;
  SurveyVersions versions_;
  std::vector<const Survey*> surveys_;
};

TEST_F(EmailTest, RulesForMailNeedMailtoAndADigestTakesNoRule) {
  EXPECT_TRUE(
      ParseAlertRule(
          Parse(R"({"url": "mailto:cx@shop.example", "template": "email",
    "when": {"question": "nps", "op": "lte", "value": 6}})"),
          &surveys_)
          .ok());
  EXPECT_TRUE(
      ParseAlertRule(
          Parse(R"({"url": "mailto:cx@shop.example", "template": "digest",
    "surveys": ["order-nps"]})"),
          &surveys_)
          .ok());
  EXPECT_EQ(Codes(ParseAlertRule(
                      Parse(R"({"url": "https://x.example", "template": "email",
    "when": {"question": "nps", "op": "lte", "value": 6}})"),
                      &surveys_)
                      .errors()),
            std::vector<std::string>{"invalid_value@url"});
  EXPECT_EQ(Codes(ParseAlertRule(Parse(R"({"url": "mailto:a@b.example",
    "when": {"question": "nps", "op": "lte", "value": 6}})"),
                                 &surveys_)
                      .errors()),
            std::vector<std::string>{"invalid_value@url"});
  EXPECT_EQ(
      Codes(ParseAlertRule(
                Parse(R"({"url": "mailto:a@b.example", "template": "digest",
    "when": {"question": "nps", "op": "lte", "value": 6}})"),
                &surveys_)
                .errors()),
      std::vector<std::string>{"invalid_value@when"});
  auto digest = ParseAlertRule(
      Parse(R"({"url": "mailto:a@b.example", "template": "digest"})"),
      &surveys_);
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(DecideAlert(*digest, "order-nps", Stored(2, ""), ""),
            AlertAction::kNone);
}

TEST_F(EmailTest, AnAlertEscapesTheCustomersWordsInHtml) {
  const Json response = Stored(2, "<script>alert(1)</script> & late");
  const Email email = AlertEmail(
      {*survey_, response, "c", "wh_1", "https://cx.example/workspace/?r=1"});
  EXPECT_EQ(email.subject.find('\n'), std::string::npos);
  EXPECT_NE(email.subject.find("NPS 2 (detractor)"), std::string::npos)
      << email.subject;
  EXPECT_NE(email.text.find("<script>alert(1)</script> & late"),
            std::string::npos);
  EXPECT_NE(email.text.find("https://cx.example/workspace/?r=1"),
            std::string::npos);
  EXPECT_EQ(email.html.find("<script>"), std::string::npos);
  EXPECT_NE(email.html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; late"),
            std::string::npos);
  EXPECT_NE(email.html.find("segment"), std::string::npos);
  EXPECT_NE(email.html.find("href=\"https://cx.example/workspace/?r=1\""),
            std::string::npos);
  Email back;
  ASSERT_TRUE(Email::FromJson(email.ToJson(), &back));
  EXPECT_EQ(back.html, email.html);
}

TEST_F(EmailTest, TheDigestGivesScoresIntervalsChangeAndTheLowestComments) {
  // 30 answers today: 10 promoters, 5 passives, 15 detractors (NPS -16.7);
  // yesterday 20 promoters of 30 and 5 detractors (NPS 50).
  const Json current = Parse(R"({"responses": {"total": 30},
    "nps": {"n": 30, "promoters": 10, "passives": 5, "detractors": 15}})");
  const Json previous = Parse(R"({"responses": {"total": 30},
    "nps": {"n": 30, "promoters": 20, "passives": 5, "detractors": 5}})");
  const std::vector<Json> commented = {
      Stored(6, "Slow"), Stored(0, "<b>Never</b> again"), Stored(3, "Rude")};
  const Email email = DigestEmail({versions_, current, previous, "2026-11-30",
                                   commented, "https://cx.example/ws"});
  EXPECT_NE(email.subject.find("2026-11-30"), std::string::npos);
  EXPECT_NE(email.subject.find("30 responses"), std::string::npos);
  const NpsScore now = ScoreNps(10, 5, 15);
  const NpsScore before = ScoreNps(20, 5, 5);
  const auto change = CompareNps(now, before);
  ASSERT_TRUE(change && change->significant);
  EXPECT_NE(email.text.find("NPS \u221216.7"), std::string::npos) << email.text;
  EXPECT_NE(email.text.find("\u221266.7 since the period before"),
            std::string::npos)
      << email.text;
  EXPECT_NE(email.text.find("a real change"), std::string::npos);
  // Lowest first: 0, 3, 6.
  const auto zero = email.text.find("NPS 0: <b>Never</b> again");
  const auto three = email.text.find("NPS 3: Rude");
  const auto six = email.text.find("NPS 6: Slow");
  ASSERT_NE(zero, std::string::npos) << email.text;
  EXPECT_LT(zero, three);
  EXPECT_LT(three, six);
  EXPECT_EQ(email.html.find("<b>Never"), std::string::npos);
  EXPECT_NE(email.html.find("&lt;b&gt;Never&lt;/b&gt; again"),
            std::string::npos);
  // Without a period before, it says so rather than showing a change.
  const Email first =
      DigestEmail({versions_, current, Parse("{}"), "2026-11-30", {}, ""});
  EXPECT_NE(first.text.find("no answers the period before"), std::string::npos);
  EXPECT_EQ(first.text.find("Lowest-scored"), std::string::npos);
}

}  // namespace
}  // namespace sondar
