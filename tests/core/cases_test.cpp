// Follow-up cases: changes read with errors at their members, the address a
// "may we contact you?" answer gives, and the recovered figure from stored
// records of visitors who answered again.
#include "sondar/cases.h"

#include <gtest/gtest.h>

#include "fixtures.h"
#include "sondar/query.h"

namespace sondar {
namespace {

using testing::Codes;
using testing::LoadSurvey;
using testing::Parse;

TEST(ParseCaseUpdate, ReadsStateAssigneeNoteAndWho) {
  auto update = ParseCaseUpdate(Parse(
      R"({"state": "contacted", "assignee": "Ana", "note": "Called, refund sent", "by": "Ben"})"));
  ASSERT_TRUE(update.ok()) << update.status().ToString();
  EXPECT_EQ(update->state, CaseState::kContacted);
  EXPECT_EQ(update->assignee, "Ana");
  EXPECT_EQ(update->note, "Called, refund sent");
  EXPECT_EQ(update->by, "Ben");
  // "" takes the case from whoever had it; that is a change.
  auto unassign = ParseCaseUpdate(Parse(R"({"assignee": ""})"));
  ASSERT_TRUE(unassign.ok());
  EXPECT_EQ(unassign->assignee, "");
  EXPECT_FALSE(unassign->state);
}

TEST(ParseCaseUpdate, ErrorsNameTheMember) {
  auto bad = ParseCaseUpdate(Parse(R"({"state": "closed", "assignee": "a\nb",
    "note": 3, "extra": 1})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(
      Codes(bad.errors()),
      (std::vector<std::string>{"invalid_value@assignee", "invalid_value@state",
                                "unknown_field@extra", "wrong_type@note"}));
  auto empty = ParseCaseUpdate(Parse(R"({"by": "Ana"})"));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(Codes(empty.errors()), std::vector<std::string>{"missing_field@"});
  auto long_note = Json::object();
  long_note["note"] = std::string(kMaxCaseNoteBytes + 1, 'x');
  EXPECT_EQ(Codes(ParseCaseUpdate(long_note).errors()),
            std::vector<std::string>{"too_long@note"});
}

TEST(ContactOf, TheAddressGivenWithConsent) {
  auto survey = LoadSurvey("options_contact");
  ASSERT_TRUE(survey);
  Json payload = Parse(
      R"({"answers": {"contact": {"consent": true, "email": "ana@example.com"},
                                       "follow": {"consent": true}}})");
  EXPECT_EQ(ContactOf(*survey, payload), "ana@example.com");
  payload["answers"]["contact"]["consent"] = false;
  EXPECT_EQ(ContactOf(*survey, payload), "");
  EXPECT_EQ(ContactOf(*survey, Parse(R"({"answers": {}})")), "");
}

class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto survey = LoadSurvey("order_nps");
    ASSERT_TRUE(survey);
    ASSERT_TRUE(versions_.Add(survey).ok());
    version_ = survey->version;
  }
  std::string Record(int nps) {
    ResponseRecord r;
    r.status = ResponseStatus::kComplete;
    r.submitted_at_ms = 1;
    r.values.push_back({0, static_cast<std::int16_t>(nps)});  // nps is first
    return EncodeRecord(r, version_);
  }
  SurveyVersions versions_;
  int version_ = 0;
};

TEST_F(RecoveryTest, DetractorsWhoAnsweredAgainAndScoredHigher) {
  RecoveryCount count(&versions_);
  // a: 3 then 9: recovered. b: 2 then 1: answered again, not recovered.
  // c: 4 only: a detractor who did not answer again. d: 9 then 3 then 6:
  // the 3 is answered again by a 6, higher: recovered.
  for (auto [visitor, nps] :
       std::vector<std::pair<const char*, int>>{{"a", 3},
                                                {"a", 9},
                                                {"b", 2},
                                                {"b", 1},
                                                {"c", 4},
                                                {"d", 9},
                                                {"d", 3},
                                                {"d", 6}}) {
    count.Add(visitor, Record(nps));
  }
  // Detractor answers: a3, b2, b1, c4, d3, d6 (6 is a detractor too).
  EXPECT_EQ(count.detractors(), 6);
  // Followed by another answer: a3, b2, d3.
  EXPECT_EQ(count.answered_again(), 3);
  EXPECT_EQ(count.recovered(), 2);
  const Json json = count.ToJson();
  EXPECT_DOUBLE_EQ(json["share"].as_double(), 2.0 / 3.0);
  // Text that is not a record is skipped.
  count.Add("e", "nonsense");
  EXPECT_EQ(count.detractors(), 6);
}

}  // namespace
}  // namespace sondar
