// Privacy requests: who one is about (errors at the member), which stored
// responses are about them, what a viewer sees of one, and hidden fields
// marked as personal data in the survey.
#include "sondar/privacy.h"

#include <gtest/gtest.h>

#include "fixtures.h"

namespace sondar {
namespace {

using testing::Codes;
using testing::LoadSurvey;
using testing::Parse;

TEST(ParseSubject, OneKeyEach) {
  auto visitor = ParseSubject(Parse(R"({"visitorId": "v-1"})"));
  ASSERT_TRUE(visitor.ok());
  EXPECT_EQ(visitor->key, Subject::Key::kVisitor);
  EXPECT_EQ(visitor->KeyName(), "visitorId");
  // Addresses are compared without case or surrounding space.
  auto email = ParseSubject(Parse(R"({"email": "  Ana@Example.COM "})"));
  ASSERT_TRUE(email.ok());
  EXPECT_EQ(email->value, "ana@example.com");
  auto order = ParseSubject(Parse(R"({"hidden": {"orderId": 1001}})"));
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(order->field, "orderId");
  EXPECT_EQ(order->value, "1001");
  EXPECT_EQ(order->KeyName(), "hidden.orderId");
  EXPECT_EQ(order->ToJson().dump(), R"({"hidden":{"orderId":"1001"}})");
}

TEST(ParseSubject, ErrorsNameTheMember) {
  EXPECT_EQ(Codes(ParseSubject(Parse("{}")).errors()),
            std::vector<std::string>{"missing_field@"});
  EXPECT_EQ(Codes(ParseSubject(Parse(R"({"visitorId": "a", "email": "b@c.d"})"))
                      .errors()),
            std::vector<std::string>{"invalid_value@"});
  EXPECT_EQ(
      Codes(ParseSubject(Parse(R"({"email": "not an address"})")).errors()),
      std::vector<std::string>{"invalid_value@email"});
  EXPECT_EQ(
      Codes(
          ParseSubject(Parse(R"({"hidden": {"a": "1", "b": "2"}})")).errors()),
      std::vector<std::string>{"invalid_value@hidden"});
  EXPECT_EQ(
      Codes(ParseSubject(Parse(R"({"hidden": {"order": [1]}})")).errors()),
      std::vector<std::string>{"wrong_type@hidden.order"});
  EXPECT_EQ(Codes(ParseSubject(Parse(R"({"visitorId": ""})")).errors()),
            std::vector<std::string>{"invalid_value@visitorId"});
  Json long_id = Json::object();
  long_id["visitorId"] = std::string(kMaxSubjectValueBytes + 1, 'v');
  EXPECT_EQ(Codes(ParseSubject(long_id).errors()),
            std::vector<std::string>{"too_long@visitorId"});
  EXPECT_EQ(
      Codes(ParseSubject(Parse(R"({"visitor": "v"})")).errors()),
      (std::vector<std::string>{"missing_field@", "unknown_field@visitor"}));
}

TEST(IsAbout, EachKey) {
  const Json payload = Parse(R"({"visitorId": "v-1",
    "answers": {"contact": {"consent": true, "email": "Ana@Example.com"},
                "source": "search"},
    "hidden": {"orderId": 1001, "plan": "pro"}})");
  auto about = [&](const char* subject) {
    return IsAbout(ParseSubject(Parse(subject)).value(), payload);
  };
  EXPECT_TRUE(about(R"({"visitorId": "v-1"})"));
  EXPECT_FALSE(about(R"({"visitorId": "v-2"})"));
  EXPECT_TRUE(about(R"({"email": "ana@example.com"})"));
  EXPECT_FALSE(about(R"({"email": "ben@example.com"})"));
  EXPECT_TRUE(about(R"({"hidden": {"orderId": "1001"}})"));
  EXPECT_FALSE(about(R"({"hidden": {"orderId": "1002"}})"));
  EXPECT_FALSE(about(R"({"hidden": {"plan": "1001"}})"));
  // A text answer that happens to hold the address is not a contact answer.
  EXPECT_FALSE(IsAbout(ParseSubject(Parse(R"({"email": "a@b.co"})")).value(),
                       Parse(R"({"answers": {"why": "a@b.co"}})")));
}

TEST(Survey, HiddenFieldsMayBeMarkedPersonal) {
  Json doc = Parse(R"({"schema": "sondar.survey/1", "id": "s", "version": 1,
    "questions": [{"id": "q", "type": "text", "prompt": "Why?"}],
    "hidden": ["plan", {"name": "email", "pii": true}, {"name": "segment"}]})");
  auto survey = ParseSurvey(doc.dump());
  ASSERT_TRUE(survey.ok()) << survey.status().ToString();
  EXPECT_EQ(survey->hidden,
            (std::vector<std::string>{"plan", "email", "segment"}));
  EXPECT_EQ(survey->personal_hidden, std::vector<std::string>{"email"});
  doc["hidden"] =
      Parse(R"([{"pii": true}, {"name": "a b"}, {"name": "c", "x": 1}])");
  EXPECT_EQ(Codes(ParseSurvey(doc.dump()).errors()),
            (std::vector<std::string>{"invalid_value@hidden[1].name",
                                      "missing_field@hidden[0].name",
                                      "unknown_field@hidden[2].x"}));
}

TEST(WithoutPersonalData, DropsAddressesAndPersonalHiddenFields) {
  Json doc = testing::FixtureJson("surveys/options_contact.json");
  doc["hidden"] = Parse(R"(["plan", {"name": "customer", "pii": true}])");
  auto survey = ParseSurvey(doc.dump());
  ASSERT_TRUE(survey.ok()) << survey.status().ToString();
  const Json payload = Parse(R"({"visitorId": "v-1",
    "answers": {"contact": {"consent": true, "email": "ana@example.com"},
                "source": "search"},
    "hidden": {"plan": "pro", "customer": "C-77"}})");
  SurveyVersions one;
  ASSERT_TRUE(one.Add(SurveyPtr::Make(*survey)).ok());
  Json with_extension = payload;
  with_extension["x-crm"] = "C-77 ana";
  const Json seen = WithoutPersonalData(one, *survey, with_extension);
  EXPECT_EQ(seen.find("x-crm"), nullptr);
  EXPECT_EQ(seen["answers"].dump(),
            R"({"contact":{"consent":true},"source":"search"})");
  EXPECT_EQ(seen["hidden"].dump(), R"({"plan":"pro"})");
  // Marked in any version, a field stays personal in all of them.
  SurveyVersions versions;
  ASSERT_TRUE(versions.Add(SurveyPtr::Make(*survey)).ok());
  doc["version"] = 2;
  doc["hidden"] = Parse(R"(["plan", "customer"])");
  ASSERT_TRUE(
      versions.Add(SurveyPtr::Make(ParseSurvey(doc.dump()).value())).ok());
  EXPECT_TRUE(IsPersonalField(versions, "customer"));
  EXPECT_FALSE(IsPersonalField(versions, "plan"));
  // A response of version 2, which does not mark it, still loses it.
  EXPECT_EQ(WithoutPersonalData(versions, *versions.Find(2), payload)["hidden"]
                .dump(),
            R"({"plan":"pro"})");
}

TEST(ViewerMayFilter, NotByPersonalFields) {
  auto survey = ParseSurvey(R"({"schema": "sondar.survey/1", "id": "s",
    "version": 1, "questions": [{"id": "q", "type": "nps", "prompt": "?"}],
    "hidden": [{"name": "order_id", "pii": true}, {"name": "segment", "pii": true}, "plan"]})");
  ASSERT_TRUE(survey.ok()) << survey.status().ToString();
  SurveyVersions versions;
  ASSERT_TRUE(versions.Add(SurveyPtr::Make(*survey)).ok());
  auto filter = ParseFilter(
      {{"hidden.order_id", "A-1"}, {"hidden.plan", "pro"}, {"segment", "vip"}});
  ASSERT_TRUE(filter.ok());
  EXPECT_EQ(Codes(ViewerMayFilter(versions, filter.value()).errors()),
            (std::vector<std::string>{"invalid_value@hidden.order_id",
                                      "invalid_value@segment"}));
  EXPECT_TRUE(
      ViewerMayFilter(versions, ParseFilter({{"hidden.plan", "pro"}}).value())
          .ok());
}

TEST(RetentionStart, TheUtcDayNDaysBack) {
  constexpr std::int64_t kDay = 24 * 3600 * 1000;
  const std::int64_t noon = 20000 * kDay + kDay / 2;
  EXPECT_EQ(RetentionStart(noon, 30), (20000 - 30) * kDay);
  EXPECT_EQ(RetentionStart(20000 * kDay, 1), 19999 * kDay);
}

}  // namespace
}  // namespace sondar
