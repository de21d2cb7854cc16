// The workspace's questions of stored responses: filters, comments, search
// terms and spreadsheet rows.
#include "sondar/query.h"

#include <gtest/gtest.h>

#include "fixtures.h"
#include "sondar/aggregate.h"

namespace sondar {
namespace {

using testing::Parse;
using testing::ReadFixture;

SurveyPtr OrderNps(int version) {
  Json doc = Parse(ReadFixture("surveys/order_nps.json"));
  doc["version"] = version;
  auto survey = ParseSurveyDocument(doc);
  EXPECT_TRUE(survey.ok()) << survey.status().ToString();
  return SurveyPtr::Make(std::move(survey).value());
}

Json Payload(int nps, const char* why = nullptr) {
  Json p = Parse(R"({"schema": "sondar.response/1",
    "responseId": "0b9e2c1a-3f4d-4e5f-8a6b-7c8d9e0f1a2b",
    "surveyId": "order-nps", "surveyVersion": 3, "visitorId": "v-1",
    "status": "complete", "trigger": "checkout_complete",
    "startedAt": "2026-11-30T10:00:00Z", "submittedAt": "2026-11-30T10:01:00Z",
    "locale": "fr-CH", "hidden": {"order_id": "A-1001", "segment": "vip"},
    "answers": {}})");
  p["answers"]["nps"] = nps;
  if (why) p["answers"]["why"] = why;
  return p;
}

Result<ResponseFilter> Filter(
    std::initializer_list<std::pair<const std::string, std::string>> params) {
  return ParseFilter(std::multimap<std::string, std::string>(params));
}

bool Keeps(const ResponseFilter& filter, const Json& payload,
           const Survey& survey) {
  auto record = ValidateResponse(survey, payload);
  EXPECT_TRUE(record.ok()) << record.status().ToString();
  return Matches(filter, survey, record.value(), &payload);
}

TEST(ResponseFilter, EachConditionKeepsWhatItNames) {
  auto survey = OrderNps(3);
  const Json detractor = Payload(3, "late");
  const Json promoter = Payload(10);
  struct Case {
    std::initializer_list<std::pair<const std::string, std::string>> params;
    bool detractor, promoter;
  };
  const Case cases[] = {
      {{}, true, true},
      {{{"category", "detractor"}}, true, false},
      {{{"category", "promoter"}}, false, true},
      {{{"category", "passive"}}, false, false},
      // order-nps has no csat question: nothing is satisfied.
      {{{"category", "satisfied"}}, false, false},
      {{{"from", "2026-11-30"}, {"to", "2026-11-30"}}, true, true},
      {{{"from", "2026-12-01"}}, false, false},
      {{{"to", "2026-11-29"}}, false, false},
      {{{"trigger", "checkout_complete"}}, true, true},
      {{{"trigger", "(none)"}}, false, false},
      {{{"segment", "vip"}}, true, true},
      {{{"segment", "new"}}, false, false},
      {{{"locale", "fr"}}, true, true},
      {{{"locale", "FR-ch"}}, true, true},
      {{{"locale", "fr-CA"}}, false, false},
      {{{"status", "complete"}}, true, true},
      {{{"status", "partial"}}, false, false},
      {{{"version", "3"}}, true, true},
      {{{"version", "2"}}, false, false},
      {{{"hidden.order_id", "A-1001"}}, true, true},
      {{{"hidden.order_id", "A-1002"}}, false, false},
      {{{"category", "detractor"}, {"segment", "vip"}}, true, false},
  };
  for (const Case& c : cases) {
    auto filter = Filter(c.params);
    ASSERT_TRUE(filter.ok()) << filter.status().ToString();
    const std::string about = filter.value().ToJson().dump();
    EXPECT_EQ(Keeps(filter.value(), detractor, *survey), c.detractor) << about;
    EXPECT_EQ(Keeps(filter.value(), promoter, *survey), c.promoter) << about;
  }
}

TEST(ResponseFilter, ABadParameterIsNamedAndOthersAreIgnored) {
  auto bad = Filter({{"from", "30/11/2026"},
                     {"category", "happy"},
                     {"status", "done"},
                     {"version", "0"},
                     {"locale", "not a tag"},
                     {"q", "anything"}});
  ASSERT_FALSE(bad.ok());
  std::vector<std::string> paths;
  for (const Error& e : bad.errors()) {
    EXPECT_EQ(e.code, ErrorCode::kInvalidValue) << e.ToString();
    paths.push_back(e.path);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"category", "from", "locale",
                                             "status", "version"}));
  auto backwards = Filter({{"from", "2026-11-30"}, {"to", "2026-11-01"}});
  ASSERT_FALSE(backwards.ok());
  EXPECT_EQ(backwards.errors().front().ToString(), "to: is before from");

  auto same = Filter({{"from", "2026-11-30"}, {"to", "2026-11-30"}});
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same.value().ToJson().dump(),
            R"({"from":"2026-11-30","to":"2026-11-30"})");
  EXPECT_TRUE(Filter({}).value().empty());
}

TEST(ResponseFilter, AHiddenFieldFilterNeedsThePayload) {
  auto survey = OrderNps(3);
  auto filter = Filter({{"hidden.order_id", "A-1001"}});
  ASSERT_TRUE(filter.ok());
  EXPECT_TRUE(filter.value().NeedsPayload());
  auto record = ValidateResponse(*survey, Payload(9));
  ASSERT_TRUE(record.ok());
  EXPECT_FALSE(Matches(filter.value(), *survey, record.value()));
}

// The store narrows a hidden-field scan to payloads holding a needle: every
// payload whose field reads as the value must hold one (never fewer rows than
// Matches keeps), for strings that need escaping, numbers and booleans.
TEST(HiddenNeedles, EveryStoredPayloadThatMatchesHoldsOne) {
  const std::vector<Json> values = {
      Json("A-1001"),      Json("say \"hi\"\\ \n"),
      Json("Zürich 東京"), Json(42),
      Json(-0.5),          Json(true),
      Json(false)};
  for (const Json& v : values) {
    Json payload = Json::object();
    payload["answers"] = Json::object();
    payload["hidden"] = Json::object();
    payload["hidden"]["a_field"] = Json("x");
    payload["hidden"]["order_id"] = v;
    // As the collector stores it: the core's canonical dump.
    const std::string stored = payload.dump();
    const std::string text = v.is_string() ? v.as_string() : v.dump();
    bool held = false;
    for (const std::string& needle : HiddenNeedles("order_id", text))
      held = held || stored.find(needle) != std::string::npos;
    EXPECT_TRUE(held) << stored;
    // A value it does not hold finds nothing.
    for (const std::string& needle : HiddenNeedles("order_id", text + "9"))
      EXPECT_EQ(stored.find(needle), std::string::npos) << needle;
  }
}

// A store that indexes HiddenValuesOf answers hidden.NAME=VALUE by a lookup:
// the pairs must be exactly those Matches accepts, for every kind of value.
TEST(HiddenValuesOf, ArePairsMatchesAccepts) {
  auto survey = OrderNps(3);
  const std::vector<Json> values = {Json("A-1001"),      Json("say \"hi\"\\"),
                                    Json("Zürich 東京"), Json(42),
                                    Json(-0.5),          Json(true)};
  for (const Json& v : values) {
    Json payload = Payload(9);
    payload["hidden"]["order_id"] = v;
    auto record = ValidateResponse(*survey, payload);
    ASSERT_TRUE(record.ok()) << record.status().ToString();
    const auto pairs = HiddenValuesOf(payload);
    ASSERT_EQ(pairs.size(), 2u);
    for (const auto& [name, text] : pairs) {
      auto filter = Filter({{"hidden." + name, text}});
      ASSERT_TRUE(filter.ok());
      EXPECT_TRUE(Matches(filter.value(), *survey, record.value(), &payload))
          << name << "=" << text;
      auto other = Filter({{"hidden." + name, text + "x"}});
      ASSERT_TRUE(other.ok());
      EXPECT_FALSE(Matches(other.value(), *survey, record.value(), &payload));
    }
    EXPECT_EQ(pairs[0].first, "order_id");
    EXPECT_EQ(pairs[0].second, v.is_string() ? v.as_string() : v.dump());
  }
  Json none = Payload(9);
  none.erase("hidden");
  EXPECT_TRUE(HiddenValuesOf(none).empty());
}

TEST(EncodeRecord, ReadsBackWhatAggregationAndFiltersUse) {
  auto survey = OrderNps(3);
  Json p = Payload(4, "late");
  p["answers"]["area"] = Json::array({"delivery", "quality"});
  p["trigger"] = "odd;trigger:12,x";
  auto record = ValidateResponse(*survey, p);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  const std::string text = EncodeRecord(record.value(), 3);
  ResponseRecord back;
  int version = 0;
  ASSERT_TRUE(DecodeRecord(text, &back, &version)) << text;
  EXPECT_EQ(version, 3);
  EXPECT_EQ(back.status, record.value().status);
  EXPECT_EQ(back.submitted_at_ms, record.value().submitted_at_ms);
  EXPECT_EQ(back.trigger, "odd;trigger:12,x");
  EXPECT_EQ(back.segment, "vip");
  EXPECT_EQ(back.locale, "fr-CH");
  EXPECT_EQ(back.values, record.value().values);
  // The same aggregate either way.
  Aggregate a(*survey), b(*survey);
  a.Add(record.value());
  b.Add(back);
  EXPECT_EQ(a.ToJson(), b.ToJson());
  // Anything else is refused, never half-read.
  for (const std::string& bad :
       {std::string(), std::string("r2;3;c;1;0:;0:;0:;0:;"), text.substr(0, 20),
        std::string("r1;3;x;1;0:;0:;0:;0:;"), std::string("r1;3;c;1;9:;0:;0:;"),
        std::string("r1;3;c;1;0:;0:;0:;0:;0:1,"),
        std::string("r1;3;c;1;0:;0:;0:;0:;0:99999"),
        std::string("r1;0;c;1;0:;0:;0:;0:;")})
    EXPECT_FALSE(DecodeRecord(bad, &back, &version)) << bad;
  EXPECT_TRUE(DecodeRecord("r1;1;d;-5;0:;0:;0:;0:;", &back, &version));
  EXPECT_TRUE(back.values.empty());

  // Two responses of one day and one kind share a kind; its time is the
  // day's start, and it decodes to the same aggregate.
  ResponseRecord later = record.value();
  later.submitted_at_ms += 3 * 3600 * 1000;
  std::string kind, other;
  ASSERT_TRUE(RecordKind(text, &kind));
  ASSERT_TRUE(RecordKind(EncodeRecord(later, 3), &other));
  EXPECT_EQ(kind, other);
  ASSERT_TRUE(DecodeRecord(kind, &back, &version));
  EXPECT_EQ(FormatTimestamp(back.submitted_at_ms), "2026-11-30T00:00:00.000Z");
  Aggregate c(*survey);
  c.Add(back);
  EXPECT_EQ(c.ToJson(), a.ToJson());
  EXPECT_TRUE(RecordKind("r1;1;d;-5;0:;0:;0:;0:;", &kind));
  EXPECT_EQ(kind, "r1;1;d;-86400000;0:;0:;0:;0:;");
  EXPECT_FALSE(RecordKind("r1;1;d;x;", &kind));
}

TEST(CommentsOf, TextAnswersAndOtherTextsInQuestionOrder) {
  Json doc = Parse(ReadFixture("surveys/options_contact.json"));
  auto survey = ParseSurveyDocument(doc);
  ASSERT_TRUE(survey.ok()) << survey.status().ToString();
  const Survey& s = survey.value();
  // A payload with a text answer (if the fixture has one) and an "other".
  Json payload = Json::object();
  Json answers = Json::object();
  Json other = Json::object();
  std::vector<std::string> expected;
  for (const Question& q : s.questions) {
    if (q.type == QuestionType::kText) {
      answers[q.id] = "=HYPERLINK(\"x\") <b>late</b>";
      expected.push_back(q.id + "/text");
    }
    if (q.OtherIndex() >= 0) {
      other[q.id] = "my own words";
      expected.push_back(q.id + "/other");
    }
  }
  ASSERT_FALSE(expected.empty());
  payload["answers"] = answers;
  payload["other"] = other;
  std::vector<std::string> got;
  for (const Comment& c : CommentsOf(s, payload))
    got.push_back(c.question + "/" + c.kind);
  EXPECT_EQ(got, expected);
}

TEST(SearchTerms, WordsOnlyLowerCasedAndBounded) {
  EXPECT_EQ(SearchTerms("Late  DELIVERY, late!"),
            (std::vector<std::string>{"late", "delivery"}));
  EXPECT_EQ(SearchTerms("\"a\" OR b* NEAR(c) -d ^e"),
            (std::vector<std::string>{"a", "or", "b", "near", "c", "d", "e"}));
  EXPECT_EQ(SearchTerms("Lieferung verspätet"),
            (std::vector<std::string>{"lieferung", "verspätet"}));
  EXPECT_TRUE(SearchTerms("  ' \" * : ( ) ").empty());
  EXPECT_EQ(SearchTerms("1 2 3 4 5 6 7 8 9 10").size(), 8u);
  // A long word is cut at 64 bytes, never inside a character.
  std::string long_word;
  for (int i = 0; i < 40; ++i) long_word += "é";
  auto cut = SearchTerms(long_word);
  ASSERT_FALSE(cut.empty());
  EXPECT_EQ(cut[0].size(), 64u);
  EXPECT_TRUE(ParseJson(Json(cut[0]).dump()).ok());
  EXPECT_EQ(cut.size(), 1u);
  // Stray continuation bytes never make a term longer than the limit.
  auto stray = SearchTerms(std::string(300, '\x80'));
  ASSERT_EQ(stray.size(), 1u);
  EXPECT_LE(stray[0].size(), 64u);
}

TEST(ResponseFilter, QueryTextMustBeUtf8) {
  for (const char* bad :
       {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"}) {
    auto f = Filter({{"q", bad}});
    ASSERT_FALSE(f.ok()) << bad;
    EXPECT_EQ(f.errors().front().path, "q");
  }
  EXPECT_TRUE(Filter({{"q", "Lieferung verspätet 配送 🚚"}}).ok());
}

TEST(NeutralizeCell, FormulaStartsBecomeText) {
  for (const char* cell : {"=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"})
    EXPECT_EQ(NeutralizeCell(cell), std::string("'") + cell);
  for (const char* cell : {"", "fine", "1-1", " =1", "'quoted"})
    EXPECT_EQ(NeutralizeCell(cell), cell);
}

TEST(CsvTable, OneColumnPerQuestionOverEveryVersion) {
  SurveyVersions versions;
  ASSERT_TRUE(versions.Add(OrderNps(1)).ok());
  Json doc = Parse(ReadFixture("surveys/order_nps.json"));
  doc["version"] = 2;
  doc["questions"][1]["prompt"] = "=What went wrong?";
  doc["questions"].as_array().erase(doc["questions"].as_array().begin() + 2);
  auto v2 = ParseSurveyDocument(doc);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  ASSERT_TRUE(versions.Add(SurveyPtr::Make(std::move(v2).value())).ok());
  CsvTable table(versions);
  const std::vector<std::string> header = table.Header();
  const std::vector<std::string> expected = {
      "responseId",
      "submittedAt",
      "status",
      "surveyVersion",
      "trigger",
      "locale",
      "page",
      "visitorId",
      "hidden.order_id",
      "hidden.segment",
      "How likely are you to recommend us to a friend? [nps]",
      "How likely are you to recommend us to a friend? [nps category]",
      "'=What went wrong? [why]",
      "Which parts fell short? [area]"};
  EXPECT_EQ(header, expected);

  Json payload = Payload(3, "-1 star, =cmd|' /C calc'!A0");
  payload["surveyVersion"] = 1;
  payload["answers"]["area"] = Json::array({"delivery", "quality"});
  payload["hidden"]["order_id"] = "@A-1001";
  const Survey& v1 = *versions.Find(1);
  ASSERT_TRUE(ValidateResponse(v1, payload).ok());
  const auto row = table.Row(v1, payload);
  ASSERT_EQ(row.size(), header.size());
  EXPECT_EQ(row[0], "0b9e2c1a-3f4d-4e5f-8a6b-7c8d9e0f1a2b");
  EXPECT_EQ(row[3], "1");
  EXPECT_EQ(row[8], "'@A-1001");
  EXPECT_EQ(row[10], "3");
  EXPECT_EQ(row[11], "detractor");
  EXPECT_EQ(row[12], "'-1 star, =cmd|' /C calc'!A0");
  EXPECT_EQ(row[13], "Delivery; Quality");

  // Version 2 did not ask "area": an empty cell, not a shifted row.
  Json later = Payload(10);
  later["surveyVersion"] = 2;
  const auto row2 = table.Row(*versions.Find(2), later);
  ASSERT_EQ(row2.size(), header.size());
  EXPECT_EQ(row2[11], "promoter");
  EXPECT_EQ(row2[13], "");
}

}  // namespace
}  // namespace sondar
