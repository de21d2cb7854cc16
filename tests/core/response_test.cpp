#include <gtest/gtest.h>

#include "fixtures.h"

namespace sondar {
namespace {

class ResponseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cases_ = testing::FixtureJson("responses.json");
    survey_ = testing::LoadSurvey(cases_["survey"].as_string());
    ASSERT_NE(survey_, nullptr);
  }
  Json cases_;
  SurveyPtr survey_;
};

TEST_F(ResponseTest, AcceptsEveryValidFixture) {
  for (const Json& c : cases_["valid"].as_array()) {
    auto r = ValidateResponseText(*survey_, c["payload"].dump());
    EXPECT_TRUE(r.ok()) << c["name"].as_string() << ":\n"
                        << r.status().ToString();
  }
}

TEST_F(ResponseTest, RejectsEachInvalidFixtureWithExactlyTheExpectedErrors) {
  ASSERT_GE(cases_["invalid"].size(), 20u);
  for (const Json& c : cases_["invalid"].as_array()) {
    std::vector<std::string> expected;
    for (const Json& e : c["errors"].as_array()) {
      expected.push_back(e["code"].as_string() + "@" + e["path"].as_string());
    }
    std::sort(expected.begin(), expected.end());
    auto r = ValidateResponseText(*survey_, c["payload"].dump());
    ASSERT_FALSE(r.ok()) << c["name"].as_string();
    EXPECT_EQ(testing::Codes(r.errors()), expected)
        << c["name"].as_string() << ":\n"
        << r.status().ToString();
  }
}

TEST_F(ResponseTest, ForgedNpsMessageIsClear) {
  Json payload = cases_["valid"][0]["payload"];
  payload["answers"]["nps"] = 42;
  auto r = ValidateResponse(*survey_, payload);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().ToString(),
            "answers.nps: must be from 0 to 10 (got 42)");
}

TEST(CheckExtensionsTest, BoundsEveryXMemberAtAnyDepthAndNamesTheLargest) {
  auto payload = ParseJson(R"({"answers": {"nps": 9, "x-note": "abc"},
      "hidden": {"order_id": "A"}, "x-shop": {"cart": [1, 2]},
      "list": [{"x-deep": "0123456789"}]})");
  ASSERT_TRUE(payload.ok());
  // "x-note" + "\"abc\"" = 11, "x-shop" + {"cart":[1,2]} = 20,
  // "x-deep" + "\"0123456789\"" = 18: 49 in all.
  EXPECT_TRUE(CheckExtensions(payload.value(), 49).ok());
  const Status over = CheckExtensions(payload.value(), 48);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.errors().front().code, ErrorCode::kTooLarge);
  EXPECT_EQ(over.errors().front().path, "x-shop");
  EXPECT_EQ(over.errors().front().message,
            "x- members take 49 bytes in all; at most 48 are stored");
  auto plain = ParseJson(R"({"answers": {"nps": 9}})");
  EXPECT_TRUE(CheckExtensions(plain.value(), 0).ok());
}

TEST_F(ResponseTest, NormalizeRecomputesScoresAndStripsThePage) {
  Json payload = cases_["valid"][0]["payload"];
  payload["answers"]["nps"] = 3;
  payload["scores"] = {{"nps", {{"value", 10}, {"category", "promoter"}}}};
  payload["page"] = "https://shop.example/order/9?email=a@b.c";
  Json normal = NormalizeResponse(*survey_, payload);
  EXPECT_EQ(normal["scores"],
            testing::Parse(R"({"nps":{"value":3,"category":"detractor"}})"));
  EXPECT_EQ(normal["page"], "https://shop.example/order/9");
}

TEST_F(ResponseTest, RecordCarriesWhatAggregationNeeds) {
  Json payload = cases_["valid"][1]["payload"];  // detractor with follow-ups
  auto r = ValidateResponse(*survey_, payload);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, ResponseStatus::kComplete);
  EXPECT_EQ(r->trigger, "checkout_complete");
  EXPECT_EQ(r->segment, "vip");
  EXPECT_EQ(r->submitted_at_ms, 1767225604500);
  // nps=3 (question 0), why answered (question 1), area: delivery (0) and price
  // (1).
  using V = std::pair<std::uint16_t, std::int16_t>;
  EXPECT_EQ(r->values, (std::vector<V>{{2, 0}, {2, 1}, {0, 3}, {1, 0}}));
}

TEST_F(ResponseTest, RejectsOversizedAndMalformedText) {
  EXPECT_EQ(ValidateResponseText(*survey_, "{").errors()[0].code,
            ErrorCode::kInvalidJson);
  EXPECT_EQ(
      ValidateResponseText(*survey_, std::string(kMaxResponseBytes + 1, ' '))
          .errors()[0]
          .code,
      ErrorCode::kTooLarge);
  EXPECT_EQ(ValidateResponseText(*survey_,
                                 std::string(50, '[') + std::string(50, ']'))
                .errors()[0]
                .code,
            ErrorCode::kTooDeep);
  EXPECT_EQ(ValidateResponseText(*survey_, "\"\xc3\x28\"").errors()[0].code,
            ErrorCode::kInvalidJson);
}

TEST(Supersedes, CompleteBeatsDismissedBeatsPartialThenLaterWins) {
  auto at = [](ResponseStatus status, std::int64_t ms) {
    ResponseRecord r;
    r.response_id = "id";
    r.status = status;
    r.submitted_at_ms = ms;
    return r;
  };
  const ResponseRecord partial = at(ResponseStatus::kPartial, 100);
  const ResponseRecord late_partial = at(ResponseStatus::kPartial, 200);
  const ResponseRecord complete = at(ResponseStatus::kComplete, 150);
  const ResponseRecord dismissed = at(ResponseStatus::kDismissed, 150);
  EXPECT_TRUE(Supersedes(complete, partial));
  EXPECT_FALSE(
      Supersedes(late_partial, complete));  // a late partial never overwrites
  EXPECT_TRUE(Supersedes(late_partial, partial));
  EXPECT_FALSE(Supersedes(partial, late_partial));
  EXPECT_TRUE(Supersedes(dismissed, late_partial));
  EXPECT_TRUE(Supersedes(complete, dismissed));
  EXPECT_FALSE(
      Supersedes(complete, complete));  // an exact resend changes nothing
}

TEST_F(ResponseTest, UpperAndLowerCaseIdsAreOneResponse) {
  Json payload = cases_["valid"].as_array().front()["payload"];
  const std::string lower = payload["responseId"].as_string();
  std::string upper = lower;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  ASSERT_NE(upper, lower);
  payload["responseId"] = upper;
  auto record = ValidateResponse(*survey_, payload);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->response_id, lower);
  EXPECT_EQ(NormalizeResponse(*survey_, payload)["responseId"].as_string(),
            lower);
}

TEST_F(ResponseTest, ClientTimesOutsideTheBoundsBecomeTheReceiveTime) {
  Json payload = cases_["valid"].as_array().front()["payload"];
  const std::int64_t received = *ParseTimestamp("2026-11-29T10:00:00Z");
  const TimeBounds bounds{received, *ParseTimestamp("2026-10-01T00:00:00Z"),
                          5 * 60 * 1000};

  // Within: four minutes ahead (a fast device clock) and a month old.
  for (const char* fine : {"2026-11-29T10:04:00Z", "2026-10-02T00:00:00Z"}) {
    payload["startedAt"] = "2026-10-01T12:00:00Z";
    payload["submittedAt"] = fine;
    auto record = ValidateResponse(*survey_, payload);
    ASSERT_TRUE(record.ok()) << record.status().ToString();
    Json stored = payload;
    EXPECT_FALSE(BoundTimestamps(bounds, &stored, &record.value())) << fine;
    EXPECT_EQ(stored, payload);
  }
  // Outside: the far future a forger picks to win every replacement, and a
  // time before the survey existed.
  for (const char* forged : {"9999-12-31T23:59:59.999Z", "2026-11-29T10:06:00Z",
                             "2020-01-01T00:00:00Z"}) {
    payload["startedAt"] = "2019-12-31T23:00:00Z";
    payload["submittedAt"] = forged;
    auto record = ValidateResponse(*survey_, payload);
    ASSERT_TRUE(record.ok()) << record.status().ToString();
    Json stored = payload;
    EXPECT_TRUE(BoundTimestamps(bounds, &stored, &record.value())) << forged;
    EXPECT_EQ(record->submitted_at_ms, received);
    EXPECT_EQ(stored["submittedAt"].as_string(), "2026-11-29T10:00:00.000Z");
    EXPECT_EQ(stored["startedAt"].as_string(), "2026-11-29T10:00:00.000Z");
    // What is stored still validates, so exports and summaries read it back.
    EXPECT_TRUE(ValidateResponse(*survey_, stored).ok()) << forged;
  }
}

}  // namespace
}  // namespace sondar
