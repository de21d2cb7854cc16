// Versions of one survey: which version a response is checked against, and
// which versions are summarised together.
#include "sondar/versions.h"

#include <gtest/gtest.h>

#include "fixtures.h"

namespace sondar {
namespace {

using testing::Parse;
using testing::ReadFixture;

// order_nps.json at `version`, changed by `edit` first.
SurveyPtr OrderNps(int version, void (*edit)(Json&) = nullptr) {
  Json doc = Parse(ReadFixture("surveys/order_nps.json"));
  doc["version"] = version;
  if (edit) edit(doc);
  auto survey = ParseSurveyDocument(doc);
  EXPECT_TRUE(survey.ok()) << survey.status().ToString();
  return SurveyPtr::Make(std::move(survey).value());
}

void Reword(Json& doc) {
  doc["questions"][0]["prompt"]["en"] = "Would you recommend us?";
}
void AddQuestion(Json& doc) {
  doc["questions"].push_back(
      Parse(R"({"id": "extra", "type": "text", "prompt": "Anything else?"})"));
}
void NewOptions(Json& doc) {
  doc["questions"][2]["options"][2] =
      Parse(R"({"id": "returns", "label": "Returns"})");
}

Json Payload(int version, int nps, const char* area = nullptr) {
  Json p = Parse(R"({"schema": "sondar.response/1",
    "responseId": "0b9e2c1a-3f4d-4e5f-8a6b-7c8d9e0f1a2b",
    "surveyId": "order-nps", "visitorId": "v-1", "status": "complete",
    "startedAt": "2026-11-30T10:00:00Z", "submittedAt": "2026-11-30T10:01:00Z",
    "locale": "en", "answers": {}})");
  p["surveyVersion"] = version;
  p["answers"]["nps"] = nps;
  if (area) p["answers"]["area"] = Json::array({area});
  return p;
}

TEST(SurveyVersions, AResponseIsCheckedAgainstTheVersionItNames) {
  SurveyVersions versions;
  ASSERT_TRUE(versions.Add(OrderNps(1)).ok());
  ASSERT_TRUE(versions.Add(OrderNps(2, NewOptions)).ok());
  auto v1 = versions.For(Payload(1, 9));
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1.value()->version, 1);
  // "quality" is an option of version 1, not of version 2.
  EXPECT_TRUE(ValidateResponse(*v1.value(), Payload(1, 5, "quality")).ok());
  auto v2 = versions.For(Payload(2, 5, "quality"));
  ASSERT_TRUE(v2.ok());
  auto refused = ValidateResponse(*v2.value(), Payload(2, 5, "quality"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.errors().front().path, "answers.area[0]");
  EXPECT_TRUE(ValidateResponse(*v2.value(), Payload(2, 5, "returns")).ok());

  auto unknown = versions.For(Payload(7, 9));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.errors().front().code, ErrorCode::kMismatch);
  EXPECT_EQ(unknown.errors().front().path, "surveyVersion");
  Json none = Payload(1, 9);
  none.erase("surveyVersion");
  EXPECT_EQ(versions.For(none).errors().front().code, ErrorCode::kMissingField);
}

TEST(SurveyVersions, RefusesAnotherSurveyAndAHeldNumber) {
  SurveyVersions versions;
  ASSERT_TRUE(versions.Add(OrderNps(1)).ok());
  EXPECT_EQ(versions.Add(OrderNps(1, Reword)).errors().front().code,
            ErrorCode::kDuplicateId);
  auto other = SurveyPtr::Make(
      ParseSurvey(ReadFixture("surveys/checkout_csat.json")).value());
  EXPECT_EQ(versions.Add(other).errors().front().path, "id");
  EXPECT_EQ(versions.Numbers(), (std::vector<int>{1}));
}

TEST(SurveyVersions, GroupsVersionsOfTheSameShapeNewestFirst) {
  SurveyVersions versions;
  ASSERT_TRUE(versions.Add(OrderNps(1)).ok());
  ASSERT_TRUE(versions.Add(OrderNps(2, Reword)).ok());       // same shape
  ASSERT_TRUE(versions.Add(OrderNps(3, NewOptions)).ok());   // apart
  ASSERT_TRUE(versions.Add(OrderNps(4, AddQuestion)).ok());  // apart
  ASSERT_TRUE(versions.Add(OrderNps(5)).ok());  // a rollback to version 1
  EXPECT_EQ(versions.Groups(),
            (std::vector<std::vector<int>>{{5, 2, 1}, {4}, {3}}));
}

TEST(VersionedAggregate, SummarisesTheLatestShapeAndReportsTheRestApart) {
  SurveyVersions versions;
  ASSERT_TRUE(versions.Add(OrderNps(1)).ok());
  ASSERT_TRUE(versions.Add(OrderNps(2, NewOptions)).ok());
  ASSERT_TRUE(versions.Add(OrderNps(3, Reword)).ok());
  VersionedAggregate aggregate(versions);
  for (auto [version, nps] : {std::pair{1, 10}, {1, 0}, {2, 5}, {3, 9}}) {
    const Json payload = Payload(version, nps);
    auto record = ValidateResponse(*versions.Find(version), payload);
    ASSERT_TRUE(record.ok()) << record.status().ToString();
    aggregate.Add(version, record.value());
  }
  EXPECT_EQ(aggregate.responses(), 4u);
  const Json summary = aggregate.Summary();
  EXPECT_EQ(summary["surveyVersion"], 3);
  EXPECT_EQ(summary["versions"], Parse("[3, 1]"));
  EXPECT_EQ(summary["responses"]["complete"], 3);
  ASSERT_EQ(summary["reportedApart"].size(), 1u);
  EXPECT_EQ(summary["reportedApart"][0]["versions"], Parse("[2]"));
  EXPECT_EQ(summary["reportedApart"][0]["responses"]["complete"], 1);

  // Parts merge like one aggregate.
  VersionedAggregate a(versions), b(versions);
  a.Add(1, ValidateResponse(*versions.Find(1), Payload(1, 10)).value());
  b.Add(2, ValidateResponse(*versions.Find(2), Payload(2, 5)).value());
  ASSERT_TRUE(a.Merge(b).ok());
  EXPECT_EQ(a.responses(), 2u);
  SurveyVersions fewer;
  ASSERT_TRUE(fewer.Add(OrderNps(1)).ok());
  EXPECT_FALSE(a.Merge(VersionedAggregate(fewer)).ok());
}

TEST(Links, TakesHttpUrlsAndPathsThatStayOnTheSite) {
  for (const char* url :
       {"https://reviews.example/shop", "HTTP://shop.example:8080/a?b#c",
        "https://shop.example", "https://127.0.0.1/", "/help", "/",
        "/a/../b?x=%2F%2Fevil"}) {
    EXPECT_TRUE(IsSafeLink(url)) << url;
  }
}

TEST(Links, RefusesWhatABrowserWouldReadAsAnotherSite) {
  for (const char* url : {"/\\evil.example/x",
                          "/\t/evil.example/y",
                          "/\n/evil.example",
                          "//evil.example",
                          " /x",
                          "/x ",
                          "\x01/x",
                          "javascript:alert(1)",
                          "data:text/html,x",
                          "https:evil.example",
                          "https://",
                          "https:///evil",
                          "https://shop.example@evil.example/",
                          "https://evil.example:99999/",
                          "https://[::1]/",
                          "https://0x7f.1/",
                          "https://1.2.3.999/",
                          "https://xn--zz.example/",
                          "https://exa%6dple.com/",
                          "help",
                          "https://caf\xc3\xa9.example/"}) {
    EXPECT_FALSE(IsSafeLink(url)) << url;
  }
  EXPECT_FALSE(IsSafeLink("/" + std::string(kMaxLinkLength, 'a')));
}

TEST(Links, AnEndingWithAnUnsafeLinkIsRefusedAtItsPath) {
  Json doc = Parse(ReadFixture("surveys/order_nps.json"));
  doc["endings"][0]["link"] = Parse(R"({"url": "/\\evil.example/x",
                                        "label": "Leave a review"})");
  auto survey = ParseSurveyDocument(doc);
  ASSERT_FALSE(survey.ok());
  EXPECT_EQ(survey.errors().front().path, "endings[0].link.url");
}

TEST(WithoutExtensions, DropsXMembersAtEveryDepth) {
  const Json doc = Parse(R"({"id": "s", "x-note": "owner only",
    "questions": [{"id": "q", "x-draft": true, "scale": {"x-a": 1, "min": 0}}]})");
  EXPECT_EQ(WithoutExtensions(doc),
            Parse(R"({"id": "s", "questions": [{"id": "q",
                      "scale": {"min": 0}}]})"));
}

}  // namespace
}  // namespace sondar
