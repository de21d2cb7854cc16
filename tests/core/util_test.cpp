#include <gtest/gtest.h>

#include <set>
#include <string_view>

#include "fixtures.h"

namespace sondar {
namespace {

TEST(Util, FormatsTimestampsInUtc) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(1767225600000), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(1795339441123), "2026-11-22T09:24:01.123Z");
  EXPECT_EQ(FormatTimestamp(951782400000),
            "2000-02-29T00:00:00.000Z");  // leap day
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatDay(1795339441123), "2026-11-22");
}

TEST(Util, ParsesRfc3339Timestamps) {
  EXPECT_EQ(ParseTimestamp("2026-01-01T00:00:00Z"), 1767225600000);
  EXPECT_EQ(ParseTimestamp("2026-11-22T09:24:01.123Z"), 1795339441123);
  EXPECT_EQ(ParseTimestamp("2026-11-22T10:24:01.123+01:00"), 1795339441123);
  EXPECT_EQ(ParseTimestamp("2026-11-22T09:24:01.123456Z"), 1795339441123);
  EXPECT_EQ(ParseTimestamp("2000-02-29T00:00:00Z"), 951782400000);
  for (const char* bad :
       {"", "2026-01-01", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00.Z",
        "2026-01-01T00:00:00Zjunk", "20a6-01-01T00:00:00Z"}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
  for (std::int64_t ms :
       {0LL, 1767225600000LL, 4102444799999LL, 951782400001LL}) {
    EXPECT_EQ(ParseTimestamp(FormatTimestamp(ms)), ms);
  }
}

TEST(Util, Fnv1aMatchesTheReferenceVectors) {
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
}

TEST(Util, SamplingBucketsAreStableAcrossPlatforms) {
  // Computed independently (Python) from FNV-1a 64 of "visitor\x1fsurvey" mod
  // 10000; the JS widget and any receiver must agree with these.
  EXPECT_EQ(SamplingBucket("visitor-1", "order-nps"), 3742);
  EXPECT_EQ(SamplingBucket("visitor-3", "order-nps"), 9388);
  EXPECT_EQ(SamplingBucket("ünïcode-visitor", "order-nps"), 193);
}

TEST(Util, SamplingBucketsSpreadEvenly) {
  int in_sample = 0;
  for (int i = 0; i < 20000; ++i) {
    if (SamplingBucket("visitor-" + std::to_string(i), "order-nps") < 2500)
      ++in_sample;
  }
  // 25% of 20000 = 5000; the binomial sd is 61, so +-300 is a five-sigma band.
  EXPECT_NEAR(in_sample, 5000, 300);
}

TEST(Util, RecognisesUuidV4) {
  EXPECT_TRUE(IsUuidV4("3b241101-e2bb-4255-8caf-4136c566a962"));
  EXPECT_TRUE(IsUuidV4("3B241101-E2BB-4255-8CAF-4136C566A962"));
  EXPECT_FALSE(IsUuidV4("3b241101-e2bb-1255-8caf-4136c566a962"));  // version 1
  EXPECT_FALSE(
      IsUuidV4("3b241101-e2bb-4255-7caf-4136c566a962"));  // bad variant
  EXPECT_FALSE(IsUuidV4("3b241101e2bb42558caf4136c566a962"));
  EXPECT_FALSE(IsUuidV4(""));
}

TEST(Util, StripsQueryFragmentAndCredentialsFromPageUrls) {
  EXPECT_EQ(StripUrl("https://shop.example/order/123?email=a@b.c#top"),
            "https://shop.example/order/123");
  EXPECT_EQ(StripUrl("https://user:secret@shop.example/cart"),
            "https://shop.example/cart");
  EXPECT_EQ(StripUrl("https://shop.example?x=1"), "https://shop.example");
  EXPECT_EQ(StripUrl("/checkout?step=2"), "/checkout");
}

TEST(Util, NamesWordsByPosition) {
  constexpr std::string_view kWords = "eq neq lt";
  EXPECT_EQ(NthWord(kWords, 0), "eq");
  EXPECT_EQ(NthWord(kWords, 1), "neq");
  EXPECT_EQ(NthWord(kWords, 2), "lt");
  EXPECT_EQ(NthWord(kWords, 3), "");
  EXPECT_EQ(NthWord("", 0), "");
  EXPECT_EQ(WordIndex(kWords, "eq"), 0);
  EXPECT_EQ(WordIndex(kWords, "lt"), 2);
  // Whole words only, never a part of one or of two.
  EXPECT_EQ(WordIndex(kWords, "e"), -1);
  EXPECT_EQ(WordIndex(kWords, "neq lt"), -1);
  EXPECT_EQ(WordIndex(kWords, "lte"), -1);
  EXPECT_EQ(WordIndex(kWords, ""), -1);
  EXPECT_EQ(WordIndex("", ""), -1);
}

TEST(Util, EnumNamesRoundTrip) {
  for (std::size_t i = 0; i < 8; ++i) {
    const std::string_view name = TypeName(static_cast<QuestionType>(i));
    EXPECT_FALSE(name.empty()) << i;
    EXPECT_EQ(WordIndex(kTypeNames, name), static_cast<int>(i));
  }
  EXPECT_EQ(TypeName(QuestionType::kContact), "contact");
  EXPECT_EQ(DisplayName(ScaleDisplay::kThumbs), "thumbs");
  std::set<std::string_view> reasons;
  for (int i = 0; i <= static_cast<int>(Reason::kOutranked); ++i) {
    const std::string_view name = ReasonName(static_cast<Reason>(i));
    EXPECT_NE(name, "unknown") << i;
    EXPECT_TRUE(reasons.insert(name).second) << name;
  }
  EXPECT_EQ(ReasonName(Reason::kShow), "show");
  EXPECT_EQ(ReasonName(Reason::kFewPageViews), "few_page_views");
  EXPECT_EQ(ReasonName(Reason::kOutranked), "outranked");
}

TEST(Util, MatchesTriggerUrls) {
  using M = UrlRule::Match;
  const char* url = "https://shop.example/account/42/welcome?ref=mail";
  EXPECT_TRUE(MatchUrl({M::kGlob, "/account/*/welcome*"}, url));
  EXPECT_FALSE(MatchUrl({M::kGlob, "/account/*/welcome"},
                        url));  // the query is part of it
  EXPECT_TRUE(MatchUrl({M::kPrefix, "/account/"}, url));
  EXPECT_TRUE(MatchUrl({M::kContains, "welcome"}, url));
  EXPECT_TRUE(MatchUrl({M::kSuffix, "ref=mail"}, url));
  EXPECT_TRUE(MatchUrl({M::kExact, "/account/42/welcome?ref=mail"}, url));
  EXPECT_TRUE(
      MatchUrl({M::kPrefix, "https://shop.example/"}, url));  // whole URL form
  EXPECT_FALSE(MatchUrl({M::kPrefix, "https://other.example/"}, url));
  EXPECT_TRUE(MatchUrl({M::kExact, "/"}, "https://shop.example"));
}

}  // namespace
}  // namespace sondar
