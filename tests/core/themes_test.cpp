// Themes: the default list, the tagger in the ten UI languages, a site's own
// list checked at its paths, and each theme's effect against the other
// commented responses.
#include "sondar/themes.h"

#include <gtest/gtest.h>

#include "fixtures.h"
#include "sondar/query.h"

namespace sondar {
namespace {

using Ids = std::vector<std::string>;

TEST(DefaultThemes, EightThemesLabelledInEveryUiLanguage) {
  const auto& themes = DefaultThemes();
  Ids ids;
  for (const Theme& t : themes) {
    ids.push_back(t.id);
    for (const char* locale :
         {"en", "es", "fr", "de", "it", "pt", "nl", "ja", "zh", "ar"})
      EXPECT_TRUE(t.label.Has(locale)) << t.id << " " << locale;
    EXPECT_GT(t.words.size(), 20u) << t.id;
  }
  EXPECT_EQ(ids, (Ids{"delivery", "price", "quality", "size", "checkout",
                      "returns", "support", "website"}));
}

TEST(TagThemes, FindsThemesInEachLanguage) {
  const auto& themes = DefaultThemes();
  const std::pair<const char*, Ids> cases[] = {
      {"The parcel arrived two days late", {"delivery"}},
      {"LIVRAISON TRÈS EN RETARD", {"delivery"}},
      {"Lieferung verspätet", {"delivery"}},
      {"La entrega fue rápida pero el precio es caro", {"delivery", "price"}},
      {"配送が遅い", {"delivery"}},
      {"快递太慢了", {"delivery"}},
      {"التوصيل تأخر كثيرا", {"delivery"}},
      {"c'est trop cher", {"price"}},
      // "cher" is a whole word: "chercher" (to look for) is not a price.
      {"j'ai dû chercher longtemps", {}},
      {"Couldn't find my size", {"size"}},
      {"Il reso è stato rimborsato", {"returns"}},
      {"Payment was declined twice at checkout", {"checkout"}},
      {"De klantenservice was behulpzaam", {"support"}},
      {"A camisola chegou com defeito", {"delivery", "quality"}},
      {"Great, thanks!", {}},
      // Punctuation outside ASCII parts words as ASCII punctuation does.
      {"C'est trop cher\u00a0!", {"price"}},
      {"¿Demasiado caro?", {"price"}},
      {"«colis» abîmé", {"delivery", "quality"}},
      {"", {}},
  };
  for (const auto& [text, expected] : cases)
    EXPECT_EQ(TagThemes(themes, text), expected) << text;
}

TEST(ParseThemes, ASiteListIsCheckedAtItsPaths) {
  auto ok = ParseThemes(testing::Parse(R"({"schema": "sondar.themes/1",
    "themes": [{"id": "gift-wrap", "label": "Gift wrapping",
                "words": ["gift*", "wrap*"]}]})"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(TagThemes(ok.value(), "Wrapping was torn"), Ids{"gift-wrap"});
  auto bad = ParseThemes(testing::Parse(R"({"schema": "sondar.themes/1",
    "themes": [{"id": "a", "label": "A", "words": ["x"]},
               {"id": "a", "label": "B", "words": ["", 3]},
               {"id": "Bad Id", "label": 4, "words": []}]})"));
  ASSERT_FALSE(bad.ok());
  std::vector<std::string> errors;
  for (const Error& e : bad.errors()) errors.push_back(e.ToString());
  EXPECT_EQ(errors.size(), 5u) << ::testing::PrintToString(errors);
  EXPECT_EQ(bad.errors()[0].path, "themes[1].id");
  EXPECT_EQ(bad.errors()[0].code, ErrorCode::kDuplicateId);
  EXPECT_EQ(bad.errors()[1].path, "themes[1].words[0]");
  EXPECT_EQ(bad.errors()[2].path, "themes[1].words[1]");
  EXPECT_EQ(bad.errors()[3].path, "themes[2].id");
  EXPECT_EQ(bad.errors()[4].path, "themes[2].label");
}

TEST(ThemesOf, MarksACommentAndTheThemesItMentions) {
  auto survey = testing::LoadSurvey("order_nps");
  ASSERT_NE(survey, nullptr);
  Json payload = testing::Parse(R"({"answers": {"nps": 3,
    "why": "Late delivery and the price was high"}})");
  EXPECT_EQ(ThemesOf(DefaultThemes(), *survey, payload), "c,delivery,price");
  EXPECT_EQ(ThemesOf(DefaultThemes(), *survey,
                     testing::Parse(R"({"answers": {"nps": 9}})")),
            "");
  EXPECT_TRUE(MentionsTheme("c,delivery,price", "price"));
  EXPECT_TRUE(MentionsTheme("c,delivery,price", "delivery"));
  EXPECT_FALSE(MentionsTheme("c,deliveryx", "delivery"));
  EXPECT_FALSE(MentionsTheme("c", "c"));
}

TEST(ThemeAggregate, EachThemeAgainstTheOtherCommentedResponses) {
  auto survey = testing::LoadSurvey("order_nps");
  ASSERT_NE(survey, nullptr);
  SurveyVersions versions;
  ASSERT_TRUE(versions.Add(survey).ok());
  ThemeAggregate themes(versions, DefaultThemes());
  auto record = [](int nps, const char* themes) {
    ResponseRecord r;
    r.status = ResponseStatus::kComplete;
    r.submitted_at_ms = 1796083200000;
    r.values = {{0, static_cast<std::int16_t>(nps)}};
    r.themes = themes;
    return r;
  };
  // 30 comments on delivery from detractors, 30 other comments from
  // promoters, and 40 responses without a comment (left out).
  themes.Add(survey->version, record(1, "c,delivery"), 30);
  themes.Add(survey->version, record(10, "c"), 30);
  themes.Add(survey->version, record(10, ""), 40);
  const Json s = themes.Summary("fr");
  ASSERT_EQ(s.size(), 8u);
  const Json& delivery = s[0];
  EXPECT_EQ(delivery["id"], "delivery");
  EXPECT_EQ(delivery["label"], "Livraison");
  EXPECT_EQ(delivery["comments"], 30);
  EXPECT_EQ(delivery["share"], 50.0);
  EXPECT_EQ(delivery["nps"]["score"], -100.0);
  EXPECT_EQ(delivery["vsRest"]["nps"]["difference"], -200.0);
  EXPECT_EQ(delivery["vsRest"]["nps"]["significant"], true);
  EXPECT_EQ(s[1]["comments"], 0);
  EXPECT_TRUE(s[1]["vsRest"].empty());
}

}  // namespace
}  // namespace sondar
