#include <gtest/gtest.h>

#include <algorithm>

#include "fixtures.h"

namespace sondar {
namespace {

using testing::Codes;
using testing::FixtureJson;
using testing::LoadSurvey;

TEST(Survey, ParsesEveryFixtureSurvey) {
  for (const char* name :
       {"order_nps", "checkout_csat", "all_types", "vip_onboarding"}) {
    EXPECT_NE(LoadSurvey(name), nullptr) << name;
  }
}

TEST(Survey, RejectsEachInvalidFixtureWithExactlyTheExpectedErrors) {
  Json cases = FixtureJson("invalid_surveys.json");
  ASSERT_TRUE(cases.is_array());
  ASSERT_GE(cases.size(), 70u);
  for (const Json& c : cases.as_array()) {
    const std::string name = c["name"].as_string();
    std::vector<std::string> expected;
    for (const Json& e : c["errors"].as_array()) {
      expected.push_back(e["code"].as_string() + "@" + e["path"].as_string());
    }
    std::sort(expected.begin(), expected.end());
    auto parsed = ParseSurvey(c["survey"].dump());
    ASSERT_FALSE(parsed.ok()) << name;
    EXPECT_EQ(Codes(parsed.errors()), expected) << name << ":\n"
                                                << parsed.status().ToString();
  }
}

TEST(Survey, ErrorMessageNamesPathAndValue) {
  auto parsed =
      ParseSurvey(R"({"schema":"sondar.survey/1","id":"s","questions":[
      {"id":"a","type":"text","prompt":"x"},{"id":"b","type":"text","prompt":"y"},
      {"id":"c","type":"rating","prompt":"z","scale":{"min":3,"max":1}}]})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().ToString(),
            "questions[2].scale.max: must be greater than min (got 1)");
}

TEST(Survey, UnknownTypeMessageListsTheKnownTypes) {
  auto parsed = ParseSurvey(
      R"({"schema":"sondar.survey/1","id":"s","questions":[{"id":"a","type":"slider","prompt":"x"}]})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().ToString(),
            "questions[0].type: unknown question type \"slider\" (expected one "
            "of nps, csat, ces, "
            "rating, single_choice, multi_choice, text, contact)");
}

TEST(Survey, AppliesScaleDefaultsPerType) {
  auto s = LoadSurvey("all_types");
  ASSERT_NE(s, nullptr);
  const auto& q = s->questions;
  EXPECT_EQ(q[0].scale->min, 0);  // nps
  EXPECT_EQ(q[0].scale->max, 10);
  EXPECT_EQ(q[1].scale->min, 1);  // csat 1-5, satisfied 4-5
  EXPECT_EQ(q[1].scale->max, 5);
  EXPECT_EQ(q[1].scale->threshold, 4);
  EXPECT_EQ(q[1].scale->display, ScaleDisplay::kStar);
  EXPECT_EQ(q[2].scale->min, 1);  // ces 1-7, agree 5-7
  EXPECT_EQ(q[2].scale->max, 7);
  EXPECT_EQ(q[2].scale->threshold, 5);
  EXPECT_EQ(q[3].scale->points(), 11);  // rating 0-10
  EXPECT_EQ(q[4].scale->threshold, 1);  // thumbs 0-1: thumbs up is satisfied
  EXPECT_EQ(q[5].options.size(), 3u);
  EXPECT_EQ(q[7].max_length, 20);
}

TEST(Survey, SatisfiedMinOverridesTheDefault) {
  auto parsed =
      ParseSurvey(R"({"schema":"sondar.survey/1","id":"s","questions":[
      {"id":"a","type":"csat","prompt":"x","scale":{"min":1,"max":5,"satisfiedMin":5}}]})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->questions[0].scale->threshold, 5);
}

TEST(Survey, ResolvesLocalesWithFallback) {
  auto s = LoadSurvey("order_nps");
  ASSERT_NE(s, nullptr);
  const LocalizedText& prompt = s->questions[0].prompt;
  EXPECT_EQ(prompt.Resolve("fr-CA", s->locale),
            "Quelle est la probabilité que vous nous recommandiez à un ami ?");
  EXPECT_EQ(prompt.Resolve("FR", s->locale),
            "Quelle est la probabilité que vous nous recommandiez à un ami ?");
  EXPECT_EQ(prompt.Resolve("de-AT", s->locale),
            "How likely are you to recommend us to a friend?");
  EXPECT_TRUE(s->Supports("fr-CA"));
  EXPECT_TRUE(s->Supports("en-GB"));
  EXPECT_FALSE(s->Supports("de"));
}

TEST(Survey, PlainStringsMakeASurveyDefaultLocaleOnly) {
  auto s = LoadSurvey("checkout_csat");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->complete_locales, std::vector<std::string>{"en"});
}

TEST(Survey, CompleteLocalesAreThoseEveryTextHasInTheFirstTextsOrder) {
  auto parsed = ParseSurvey(R"({"schema":"sondar.survey/1","id":"s",
      "title":{"en":"t","fr":"t","de":"t","it":"t"},"questions":[
      {"id":"a","type":"text","prompt":{"it":"x","de":"x","en":"x","fr":"x"}},
      {"id":"b","type":"text","prompt":{"en":"y","DE":"y","it":"y"}}]})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->complete_locales,
            (std::vector<std::string>{"en", "de", "it"}));
}

TEST(Survey, ADuplicateIdNamesItsFirstUseAmongQuestionsAndEndings) {
  auto parsed = ParseSurvey(R"({"schema":"sondar.survey/1","id":"s",
      "questions":[{"id":"a","type":"text","prompt":"x"},
                   {"id":"a","type":"text","prompt":"y"}],
      "endings":[{"id":"e","title":"t"},{"id":"a","title":"t"},
                 {"id":"e","title":"t"}]})");
  ASSERT_FALSE(parsed.ok());
  std::vector<std::string> errors;
  for (const Error& e : parsed.errors()) {
    if (e.code == ErrorCode::kDuplicateId) errors.push_back(e.ToString());
  }
  EXPECT_EQ(errors,
            (std::vector<std::string>{
                "questions[1].id: \"a\" is already used at questions[0].id",
                "endings[1].id: \"a\" is already used at questions[0].id",
                "endings[2].id: \"e\" is already used at endings[0].id"}));
}

TEST(Survey, OneUntranslatedTextMakesALocaleIncomplete) {
  auto parsed =
      ParseSurvey(R"({"schema":"sondar.survey/1","id":"s","questions":[
      {"id":"a","type":"text","prompt":{"en":"x","fr":"x"}},
      {"id":"b","type":"text","prompt":{"en":"y","fr":"y"},"placeholder":"only english"}]})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_FALSE(parsed->Supports("fr"));
}

TEST(Survey, LocaleChainGoesFromSpecificToGeneral) {
  EXPECT_EQ(LocaleChain("zh-Hant-TW"),
            (std::vector<std::string>{"zh-Hant-TW", "zh-Hant", "zh"}));
  EXPECT_TRUE(IsLocaleTag("fr-CA"));
  EXPECT_TRUE(IsLocaleTag("zh-Hant-TW"));
  EXPECT_FALSE(IsLocaleTag("french"));
  EXPECT_FALSE(IsLocaleTag("fr-"));
  EXPECT_FALSE(IsLocaleTag(""));
}

TEST(Survey, AllowsExtensionFields) {
  auto parsed =
      ParseSurvey(R"({"schema":"sondar.survey/1","id":"s","x-owner":"growth",
      "questions":[{"id":"a","type":"text","prompt":"x","x-note":"internal"}]})");
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
}

TEST(Survey, RejectsTextThatIsNotJson) {
  auto parsed = ParseSurvey("{\"schema\": ");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(Codes(parsed.errors()), std::vector<std::string>{"invalid_json@"});
}

TEST(Survey, RejectsInvalidUtf8) {
  auto parsed = ParseSurvey(
      "{\"schema\":\"sondar.survey/"
      "1\",\"id\":\"s\",\"questions\":[{\"id\":\"a\",\"type\":"
      "\"text\",\"prompt\":\"\xff\xfe\"}]}");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(Codes(parsed.errors()), std::vector<std::string>{"invalid_json@"});
}

TEST(Survey, RejectsDocumentsOverTheSizeLimit) {
  std::string big = R"({"schema":"sondar.survey/1","id":"s","x-pad":")" +
                    std::string(kMaxSurveyBytes, 'a') +
                    R"(","questions":[{"id":"a","type":"text","prompt":"x"}]})";
  auto parsed = ParseSurvey(big);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(Codes(parsed.errors()), std::vector<std::string>{"too_large@"});
}

TEST(Survey, RejectsDeepNestingBeforeParsing) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto parsed = ParseSurvey(deep);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(Codes(parsed.errors()), std::vector<std::string>{"too_deep@"});
}

TEST(Survey, BracketsInsideStringsDoNotCountAsNesting) {
  std::string prompt(200, '[');
  auto parsed =
      ParseSurvey(R"({"schema":"sondar.survey/1","id":"s","questions":[
      {"id":"a","type":"text","prompt":")" +
                  prompt + R"(\"{"}]})");
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
}

TEST(Survey, RejectsMoreThanTheQuestionLimit) {
  Json doc = {
      {"schema", "sondar.survey/1"}, {"id", "s"}, {"questions", Json::array()}};
  for (std::size_t i = 0; i <= kMaxQuestions; ++i) {
    doc["questions"].push_back(
        {{"id", "q" + std::to_string(i)}, {"type", "text"}, {"prompt", "x"}});
  }
  auto parsed = ParseSurveyDocument(doc);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(Codes(parsed.errors()),
            std::vector<std::string>{"too_large@questions"});
}

TEST(Survey, ForwardJumpsAndEndingJumpsAreAccepted) {
  auto s = LoadSurvey("order_nps");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->questions[0].logic.size(), 1u);
  EXPECT_TRUE(s->questions[0].logic[0].to_ending);
  EXPECT_EQ(s->questions[0].logic[0].target_index, 2u);
}

}  // namespace
}  // namespace sondar

namespace sondar {
namespace {

// "$schema" points editors at web/schema/survey.json and site.json; the core
// reads past it.
TEST(Survey, AcceptsAJsonSchemaPointer) {
  Json doc = testing::Parse(testing::ReadFixture("surveys/order_nps.json"));
  doc["$schema"] = "./node_modules/sondar/schema/survey.json";
  EXPECT_TRUE(ParseSurveyDocument(doc).ok());
  Json site = testing::Parse(testing::ReadFixture("sites/shop.json"));
  site["$schema"] = "./node_modules/sondar/schema/site.json";
  auto parsed = ParseSiteDocument(site);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
}

}  // namespace
}  // namespace sondar
