#include <gtest/gtest.h>

#include "fixtures.h"

namespace sondar {
namespace {

using testing::Codes;
using testing::FixtureJson;
using testing::ReadFixture;

Site LoadSite(const std::string& name) {
  auto site = ParseSite(ReadFixture("sites/" + name + ".json"));
  EXPECT_TRUE(site.ok()) << site.status().ToString();
  return site.ok() ? std::move(site).value() : Site();
}

TEST(Site, ParsesTheShopFixture) {
  Site site = LoadSite("shop");
  ASSERT_EQ(site.surveys.size(), 4u);
  EXPECT_EQ(site.surveys[0].url, "../surveys/order_nps.json");
  EXPECT_EQ(site.surveys[0].survey->id, "order-nps");
  // By URL: only the rules, the questions come when the survey is fetched.
  EXPECT_TRUE(site.surveys[0].survey->questions.empty());
  EXPECT_EQ(site.surveys[1].url, "");
  EXPECT_EQ(site.surveys[1].survey->questions.size(), 1u);
  EXPECT_EQ(site.surveys[3].survey->close_after, 100);
  EXPECT_EQ(site.surveys[3].survey->trigger.clicks.size(), 2u);
  // Priority 10 first, then the two 5s in manifest order, then 0.
  EXPECT_EQ(site.order, (std::vector<std::size_t>{1, 0, 2, 3}));
  EXPECT_EQ(site.rules.max_per_page_view, 1);
  EXPECT_EQ(site.rules.max_per_period, 2);
  EXPECT_EQ(site.rules.period_days, 30);
}

TEST(Site, KeepsTheAuthorsPreloadHint) {
  auto site = ParseSite(R"({"schema": "sondar.site/1", "surveys": [
      {"url": "/a.json", "id": "a", "preload": true},
      {"url": "/b.json", "id": "b"}]})");
  ASSERT_TRUE(site.ok()) << site.status().ToString();
  EXPECT_TRUE(site.value().surveys[0].preload);
  EXPECT_FALSE(site.value().surveys[1].preload);
}

TEST(Site, AnEntryTakesEveryRuleOfItsSurveyAndKeepsItsOwnMembers) {
  auto entry = ParseJson(R"({"id": "a", "url": "/a.json", "priority": 4,
      "preload": true, "trigger": {"events": ["old"]}, "schedule": {}})");
  auto survey = ParseJson(R"({"id": "a", "trigger": {"events": ["new"]},
      "sampling": {"percent": 5}, "questions": []})");
  ASSERT_TRUE(entry.ok() && survey.ok());
  Json out = WithRulesOf(entry.value(), survey.value());
  EXPECT_EQ(out.dump(),
            R"({"id":"a","preload":true,"priority":4,"sampling":{"percent":5},)"
            R"("trigger":{"events":["new"]},"url":"/a.json"})");
  // Exactly the keys the core decides by: the entry parses as a site entry.
  auto site = ParseSite(R"({"schema": "sondar.site/1", "surveys": [)" +
                        out.dump() + "]}");
  ASSERT_TRUE(site.ok()) << site.status().ToString();
  EXPECT_EQ(site->surveys[0].survey->sampling_percent, 5);
}

TEST(Site, RejectsEachInvalidFixtureWithExactlyTheExpectedErrors) {
  Json cases = FixtureJson("invalid_sites.json");
  ASSERT_GE(cases.size(), 15u);
  for (const Json& c : cases.as_array()) {
    const std::string name = c["name"].as_string();
    std::vector<std::string> expected;
    for (const Json& e : c["errors"].as_array())
      expected.push_back(e["code"].as_string() + "@" + e["path"].as_string());
    std::sort(expected.begin(), expected.end());
    auto parsed = ParseSite(c["site"].dump());
    ASSERT_FALSE(parsed.ok()) << name;
    EXPECT_EQ(Codes(parsed.errors()), expected) << name << ":\n"
                                                << parsed.status().ToString();
  }
}

TEST(Site, ErrorsSayWhatIsWrong) {
  auto parsed = ParseSite(
      R"({"schema": "sondar.site/1", "surveys": [{"url": "/a.json", "id": "a"},
          {"url": "/b.json", "id": "a"}]})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().ToString(),
            "surveys[1].id: \"a\" is already used at surveys[0].id");
}

TEST(Site, MatchesEveryDecisionCase) {
  Json cases = FixtureJson("site_decide_cases.json");
  ASSERT_GE(cases.size(), 10u);
  for (const Json& c : cases.as_array()) {
    const std::string name = c["name"].as_string();
    Site site = LoadSite(c["site"].as_string());
    auto context = ParseDecideContext(c["context"]);
    ASSERT_TRUE(context.ok()) << name << ": " << context.status().ToString();
    const Json out = DecideSite(site, context.value()).ToJson(site);
    const Json& expect = c["expect"];
    EXPECT_EQ(out["show"], expect["show"]) << name << "\n" << out.dump();
    std::size_t matched = 0;
    for (const Json& d : out["surveys"].as_array()) {
      const std::string& id = d["survey"].as_string();
      if (const Json* reason = expect["reasons"].find(id)) {
        ++matched;
        EXPECT_EQ(d["reason"], *reason)
            << name << ": " << id << " " << d["detail"].as_string();
        EXPECT_EQ(d["show"].as_bool(), reason->as_string() == "show")
            << name << ": " << id;
      }
      if (const Json* retry = expect["retryAt"].find(id)) {
        EXPECT_EQ(d["retryAt"], *retry) << name << ": " << id;
      }
    }
    EXPECT_EQ(matched, expect["reasons"].size()) << name;
  }
}

TEST(Site, NeverChoosesTwoAndListsEverySurveyInTheOrderTried) {
  Site site = LoadSite("shop");
  Json ctx = FixtureJson("site_decide_cases.json")[0]["context"];
  SiteDecision d = DecideSite(site, ParseDecideContext(ctx).value());
  ASSERT_EQ(d.decisions.size(), 4u);
  EXPECT_EQ(d.chosen, 1);
  int shown = 0;
  for (const Decision& one : d.decisions) shown += one.show;
  EXPECT_EQ(shown, 1);
  const Json out = d.ToJson(site);
  EXPECT_EQ(out["index"], 1);
  EXPECT_EQ(out["surveys"][0]["survey"], "vip-cart");
  EXPECT_EQ(out["surveys"][0]["priority"], 10);
  EXPECT_EQ(out["surveys"][1]["detail"],
            "\"vip-cart\" comes first (priority 10)");
}

TEST(Site, ASurveyByUrlMustBeTheOneTheManifestNames) {
  Site site = LoadSite("shop");
  auto fetched = SiteSurvey(site, 0, ReadFixture("surveys/order_nps.json"));
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(fetched.value()->questions.size(), 3u);
  auto inline_survey = SiteSurvey(site, 1, "");
  ASSERT_TRUE(inline_survey.ok());
  EXPECT_EQ(inline_survey.value(), site.surveys[1].survey);
  EXPECT_EQ(SiteSurvey(site, 0, ReadFixture("surveys/checkout_csat.json"))
                .status()
                .ToString(),
            "surveys[0].url: ../surveys/order_nps.json holds survey "
            "\"checkout-csat\", the manifest expects \"order-nps\"");
  EXPECT_EQ(Codes(SiteSurvey(site, 0, "{").errors()),
            (std::vector<std::string>{"invalid_json@surveys[0].url"}));
  EXPECT_EQ(SiteSurvey(site, 9, "").errors()[0].path, "index");
}

TEST(Site, OneSurveyAloneHasNoSiteRules) {
  auto survey = testing::LoadSurvey("checkout_csat");
  Site site = SiteOfOne(survey);
  DecideContext c;
  c.event = "checkout_complete";
  c.visitor_id = "v";
  c.seconds_on_page = 5;
  c.shown_this_page = 3;  // a page cap would refuse this
  c.now_ms = 1767225600000;
  SiteDecision d = DecideSite(site, c);
  EXPECT_EQ(d.chosen, 0);
  EXPECT_EQ(d.decisions[0].reason, Reason::kShow);
}

TEST(Site, RulesOfASurveyByUrlIgnoreItsOtherFields) {
  auto rules = ParseSurveyRules(ParseJson(R"({"id": "a", "url": "/a.json",
      "questions": "not read", "closeAfter": 3,
      "trigger": {"events": ["x"], "pageViews": 2}})")
                                    .value());
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_EQ(rules.value().id, "a");
  EXPECT_EQ(rules.value().close_after, 3);
  EXPECT_EQ(rules.value().trigger.page_views, 2);
}

TEST(Site, ContextRejectsNegativeCountsWithPaths) {
  auto c = ParseDecideContext(ParseJson(R"({"visitorId": "v", "now": 1,
      "pageViews": -1, "responseCounts": {"a": -2, "b": "x"}})")
                                  .value());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(Codes(c.errors()),
            (std::vector<std::string>{"invalid_value@pageViews",
                                      "invalid_value@responseCounts.a",
                                      "wrong_type@responseCounts.b"}));
}

}  // namespace
}  // namespace sondar
