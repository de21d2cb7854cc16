// ValidateResponseText's line scanner against the document validator: on every
// fixture and on thousands of mutations of them, whatever the text path
// accepts, ValidateResponse accepts with an equal record, and whatever the
// text path rejects it rejects with the document validator's errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "fixtures.h"
#include "response_internal.h"

namespace sondar {
namespace {

void ExpectSameRecord(const ResponseRecord& a, const ResponseRecord& b,
                      const std::string& text) {
  EXPECT_EQ(a.response_id, b.response_id) << text;
  EXPECT_EQ(a.status, b.status) << text;
  EXPECT_EQ(a.trigger, b.trigger) << text;
  EXPECT_EQ(a.segment, b.segment) << text;
  EXPECT_EQ(a.submitted_at_ms, b.submitted_at_ms) << text;
  EXPECT_EQ(a.values, b.values) << text;
}

// Returns whether the scanner took `text` itself.
bool Check(const Survey& survey, const std::string& text) {
  ResponseRecord scanned;
  const bool took = internal::ScanResponse(survey, text, {}, &scanned);
  auto via_text = ValidateResponseText(survey, text);
  auto doc = ParseJson(text, kMaxResponseBytes, kMaxResponseDepth);
  if (!doc.ok()) {
    EXPECT_FALSE(took) << text;
    EXPECT_FALSE(via_text.ok()) << text;
    return took;
  }
  auto via_doc = ValidateResponse(survey, doc.value());
  EXPECT_EQ(via_text.ok(), via_doc.ok()) << text;
  if (took) {
    EXPECT_TRUE(via_doc.ok()) << text;
    if (via_doc.ok()) ExpectSameRecord(scanned, via_doc.value(), text);
  }
  if (!via_text.ok() && !via_doc.ok()) {
    EXPECT_EQ(via_text.status().ToString(), via_doc.status().ToString());
  }
  return took;
}

std::vector<std::string> FixtureLines(const Json& fixtures) {
  std::vector<std::string> lines;
  for (const char* group : {"valid", "invalid"}) {
    for (const Json& c : fixtures[group].as_array())
      lines.push_back(c["payload"].dump());
  }
  return lines;
}

TEST(ResponseScan, TakesOrdinaryLinesAndAgreesOnEveryFixture) {
  auto survey = testing::LoadSurvey("order_nps");
  ASSERT_NE(survey, nullptr);
  const Json fixtures = testing::FixtureJson("responses.json");
  int taken = 0;
  for (const std::string& line : FixtureLines(fixtures))
    taken += Check(*survey, line);
  // The valid fixtures are plain enough for the scanner: if it took none, the
  // fast path would silently be gone.
  EXPECT_GT(taken, 0);
  // Variants the scanner leaves to the parser, still judged alike.
  const std::string base = fixtures["valid"][0]["payload"].dump();
  EXPECT_TRUE(Check(*survey, base));
  EXPECT_TRUE(Check(*survey, "  " + base + " \r"));
  EXPECT_TRUE(Check(*survey, base.substr(0, base.size() - 1) +
                                 ",\"x-ab\":[1,{\"c\":null}]}"));
  // `base` with the flat object member `key` set to the text `value`.
  auto with = [&base](const std::string& key, const std::string& value) {
    const std::size_t at = base.find("\"" + key + "\":{");
    EXPECT_NE(at, std::string::npos) << key;
    const std::size_t end = base.find('}', at) + 1;
    return base.substr(0, at) + "\"" + key + "\":" + value + base.substr(end);
  };
  // "hidden" of every shape: the plain one is read in place, the rest parsed.
  auto with_hidden = [&](const std::string& value) {
    return with("hidden", value);
  };
  EXPECT_TRUE(Check(*survey, with_hidden("{}")));
  EXPECT_TRUE(Check(*survey, with_hidden("{ \"segment\" : \"vip\" }")));
  EXPECT_TRUE(Check(*survey, with_hidden("{\"segment\":7}")));
  EXPECT_TRUE(Check(*survey, with_hidden("{\"segment\":\"" +
                                         std::string(1000, 's') + "\"}")));
  for (const std::string& value :
       {"{\"segment\":\"" + std::string(1001, 's') + "\"}",
        std::string("{\"segment\":\"a\",\"segment\":\"b\"}"),
        std::string("{\"nope\":\"a\"}"), std::string("{\"segment\":null}"),
        std::string("{\"segment\":\"v\\u00ef\"}"), std::string("[]"),
        std::string("\"vip\"")}) {
    Check(*survey, with_hidden(value));  // agreement is what is checked
  }
  // "answers" in any key order is read in place and sorted as a parsed object
  // is; repeated keys, unknown questions and odd values agree with the parser.
  auto with_answers = [&](const std::string& value) {
    return with("answers", value);
  };
  EXPECT_TRUE(Check(*survey, with_answers("{\"nps\":9}")));
  EXPECT_TRUE(Check(*survey, with_answers("{ \"nps\" : 9.0 }")));
  for (const char* value :
       {"{\"why\":\"x\",\"nps\":3,\"area\":[\"price\"]}",
        "{\"area\":[\"price\"],\"nps\":3,\"why\":\"x\"}",
        "{\"nps\":3,\"nps\":9}", "{\"nps\":9,\"nps\":3}", "{}", "{\"nope\":1}",
        "{\"nps\":null}", "{\"nps\":\"9\"}", "{\"n\\u0070s\":9}",
        "{\"nps\":3,\"area\":[\"price\",\"price\"]}",
        "{\"nps\":3,\"why\":\"caf\u00e9 \\n\"}", "[]"}) {
    Check(*survey, with_answers(value));  // agreement is what is checked
  }
  for (const std::string& variant :
       {"\xEF\xBB\xBF" + base,
        base.substr(0, base.size() - 1) + ",\"status\":\"partial\"}",
        base.substr(0, base.size() - 1) + ",\"unknown\":1}",
        std::string(base).replace(base.find("visitor-1"), 9, "visit\\u00e9"),
        std::string(base).replace(base.find("\"surveyVersion\":3"), 17,
                                  "\"surveyVersion\":3.0"),
        std::string(base).replace(base.find("\"surveyVersion\":3"), 17,
                                  "\"surveyVersion\":03")}) {
    EXPECT_FALSE(Check(*survey, variant)) << variant;
  }
}

// `value` as JSON text with every object's members in a random order, as a
// client that does not sort keys writes them.
std::string ShuffledDump(const Json& value, std::mt19937& rng) {
  if (value.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < value.size(); ++i)
      out += (i ? "," : "") + ShuffledDump(value[i], rng);
    return out + "]";
  }
  if (!value.is_object()) return value.dump();
  std::vector<const Json::Member*> members;
  for (const Json::Member& m : value.as_object()) members.push_back(&m);
  std::shuffle(members.begin(), members.end(), rng);
  std::string out = "{";
  for (std::size_t i = 0; i < members.size(); ++i) {
    out += (i ? "," : "") + Json(members[i]->first).dump() + ":" +
           ShuffledDump(members[i]->second, rng);
  }
  return out + "}";
}

TEST(ResponseScan, AgreesWhateverTheKeyOrder) {
  auto survey = testing::LoadSurvey("order_nps");
  ASSERT_NE(survey, nullptr);
  const Json fixtures = testing::FixtureJson("responses.json");
  std::mt19937 rng(11);
  int taken = 0;
  for (int round = 0; round < 50; ++round) {
    for (const char* group : {"valid", "invalid"}) {
      for (const Json& c : fixtures[group].as_array())
        taken += Check(*survey, ShuffledDump(c["payload"], rng));
    }
  }
  EXPECT_GT(taken, 0);
}

TEST(ResponseScan, AgreesOnMutatedLines) {
  auto survey = testing::LoadSurvey("order_nps");
  ASSERT_NE(survey, nullptr);
  const std::vector<std::string> lines =
      FixtureLines(testing::FixtureJson("responses.json"));
  std::mt19937 rng(20261129);
  const std::string alphabet = "{}[]\":,.-+0123456789eE \\tfnul\x80\x1f";
  int taken = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = lines[rng() % lines.size()];
    for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0; --edits) {
      const std::size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text.erase(at, 1 + rng() % 4);
          break;
        case 1:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          text[at] = alphabet[rng() % alphabet.size()];
      }
      if (text.empty()) text = "{";
    }
    taken += Check(*survey, text);
  }
  // Some mutations keep a line valid (a digit in a text answer, a space).
  EXPECT_GT(taken, 0);
}

}  // namespace
}  // namespace sondar

namespace sondar {
namespace {

// A record reused from line to line (as the report does) ends each valid line
// equal to a fresh one: nothing of an earlier line stays behind.
TEST(ResponseScan, AReusedRecordHoldsOnlyTheLastLine) {
  auto survey = testing::LoadSurvey("order_nps");
  ASSERT_NE(survey, nullptr);
  const Json fixtures = testing::FixtureJson("responses.json");
  std::vector<std::string> lines;
  std::mt19937 rng(3);
  for (int round = 0; round < 20; ++round) {
    for (const char* group : {"valid", "invalid"}) {
      for (const Json& c : fixtures[group].as_array()) {
        Json payload = c["payload"];
        lines.push_back(ShuffledDump(payload, rng));
        // Lines without what the one before may have had.
        payload.erase("hidden");
        lines.push_back(ShuffledDump(payload, rng));
        payload["trigger"] = nullptr;
        payload["answers"] = Json::object();
        payload["status"] = "dismissed";
        lines.push_back(ShuffledDump(payload, rng));
      }
    }
  }
  std::shuffle(lines.begin(), lines.end(), rng);
  ResponseRecord reused;
  int valid = 0;
  for (const std::string& line : lines) {
    const Status status = ValidateResponseTextInto(*survey, line, {}, &reused);
    auto fresh = ValidateResponseText(*survey, line);
    ASSERT_EQ(status.ok(), fresh.ok()) << line;
    if (!fresh.ok()) {
      EXPECT_EQ(status.ToString(), fresh.status().ToString());
      continue;
    }
    ++valid;
    ExpectSameRecord(reused, fresh.value(), line);
  }
  EXPECT_GT(valid, 20);
}

}  // namespace
}  // namespace sondar
