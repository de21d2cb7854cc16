// The report behind `sondar report`, on tests/fixtures/responses_sample.jsonl:
// 13 lines, of which one is blank, one is not JSON, one forges nps 42, and
// responseId ...0003 comes three times (partial, complete, then a late partial
// that must not win).
#include <gtest/gtest.h>

#include <fstream>

#include "../../demo/cli/report.h"
#include "fixtures.h"

namespace sondar {
namespace {

TEST(CliReport, CountsEveryLineAndKeepsTheBestVersionOfEachResponse) {
  auto survey = testing::LoadSurvey("order_nps");
  ASSERT_NE(survey, nullptr);
  std::ifstream in(std::string(SONDAR_FIXTURES) + "/responses_sample.jsonl");
  Aggregate aggregate(*survey);
  cli::ReportInput input = cli::ReadResponses(*survey, in, {}, &aggregate);
  EXPECT_EQ(input.lines, 12u);
  EXPECT_EQ(input.valid, 10u);
  EXPECT_EQ(input.invalid_json, 1u);
  EXPECT_EQ(input.invalid, 1u);
  EXPECT_EQ(input.superseded, 2u);
  ASSERT_EQ(input.first_errors.size(), 2u);
  EXPECT_EQ(input.first_errors[0].line, 7u);
  EXPECT_EQ(input.first_errors[0].message,
            "not valid JSON: expected a string key at line 1, column 2");
  EXPECT_EQ(input.first_errors[1].line, 8u);
  EXPECT_EQ(input.first_errors[1].message,
            "answers.nps: must be from 0 to 10 (got 42)");

  // Eight distinct responses: NPS answers 10, 9, 2, 7, 0, 8, 10 (one dismissed,
  // unanswered). Promoters 3, passives 2, detractors 2 -> NPS = (3 - 2) / 7
  // = 14.29.
  Json s = aggregate.Summary();
  EXPECT_EQ(s["responses"]["total"], 8);
  EXPECT_EQ(s["responses"]["complete"], 7);
  EXPECT_EQ(s["responses"]["dismissed"], 1);
  EXPECT_EQ(s["nps"]["n"], 7);
  EXPECT_EQ(s["nps"]["score"], 14.29);
  EXPECT_EQ(s["questions"]["why"]["n"],
            1);  // from the complete version of ...0003
  EXPECT_EQ(s["bySegment"]["vip"]["nps"]["score"], 100.0);
  EXPECT_EQ(s["byTrigger"]["chat_ended"]["nps"]["n"], 1);

  Json report = cli::ReportJson(input, s);
  for (const char* k : {"nps", "csat", "ces"})
    EXPECT_TRUE(report.contains(k)) << k;
  for (const char* k : {"score", "n", "ci_low", "ci_high"})
    EXPECT_TRUE(report["nps"].contains(k)) << k;
  EXPECT_EQ(report["input"]["superseded"], 2);
}

}  // namespace
}  // namespace sondar
