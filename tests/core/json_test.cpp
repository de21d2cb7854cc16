// sondar::Json against the JSON grammar (RFC 8259) and, differentially, against
// nlohmann::json, which the core used before and which the native tests keep as
// a reference.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "fixtures.h"

namespace sondar {
namespace {

Json Ok(std::string_view text) {
  auto parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
  return parsed.ok() ? std::move(parsed).value() : Json();
}

std::string Error(std::string_view text, std::size_t max_bytes = -1,
                  int max_depth = 64) {
  auto parsed = ParseJson(text, max_bytes, max_depth);
  if (parsed.ok()) return "(parsed)";
  const sondar::Error& e = parsed.errors().front();
  return std::string(CodeName(e.code)) + ": " + e.message;
}

TEST(Json, ParsesEveryKindOfValue) {
  Json doc = Ok(R"( {"n": null, "t": true, "f": false, "i": -12, "d": 2.5,
                     "s": "x", "a": [1, [2]], "o": {"k": {}}} )");
  ASSERT_TRUE(doc.is_object());
  EXPECT_TRUE(doc["n"].is_null());
  EXPECT_TRUE(doc["t"].as_bool());
  EXPECT_TRUE(doc["f"].is_boolean());
  EXPECT_FALSE(doc["f"].as_bool());
  EXPECT_TRUE(doc["i"].is_number_integer());
  EXPECT_EQ(doc["i"].as_int(), -12);
  EXPECT_TRUE(doc["d"].is_number_float());
  EXPECT_EQ(doc["d"].as_double(), 2.5);
  EXPECT_EQ(doc["s"].as_string(), "x");
  EXPECT_EQ(doc["a"].size(), 2u);
  EXPECT_EQ(doc["a"][1][0].as_int(), 2);
  EXPECT_TRUE(doc["o"]["k"].is_object());
  EXPECT_TRUE(doc["o"]["k"].empty());
  EXPECT_TRUE(std::as_const(doc)["missing"].is_null());
  EXPECT_EQ(doc.find("missing"), nullptr);
  EXPECT_TRUE(doc["added"].is_null());  // the mutable [] inserts, as nlohmann's
  EXPECT_NE(doc.find("added"), nullptr);
}

TEST(Json, ReadsNumbersExactlyOrCorrectlyRounded) {
  EXPECT_EQ(Ok("9223372036854775807").as_int(),
            std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(Ok("-9223372036854775808").as_int(),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_TRUE(Ok("9223372036854775808").is_number_float());
  EXPECT_TRUE(Ok("-0").is_number_integer());
  EXPECT_TRUE(Ok("1e2").is_number_float());
  EXPECT_EQ(Ok("1e2").as_double(), 100.0);
  EXPECT_EQ(Ok("0.1").as_double(), 0.1);
  EXPECT_EQ(Ok("-4.25E-3").as_double(), -4.25e-3);
  // Outside the fast path: more digits than a double holds, big exponents.
  EXPECT_EQ(Ok("0.30000000000000004441").as_double(), 0.30000000000000004);
  EXPECT_EQ(Ok("1.7976931348623157e308").as_double(),
            std::numeric_limits<double>::max());
  EXPECT_EQ(Ok("4.9406564584124654e-324").as_double(),
            std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(Ok("123456789012345678901234567890").as_double(),
            1.2345678901234568e29);
  // Every double written with 17 significant digits reads back to itself.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    char text[40];
    std::snprintf(text, sizeof text, "%.17g", d);
    Json parsed = Ok(text);
    ASSERT_EQ(parsed.as_double(), d) << text;
    ASSERT_EQ(Ok(parsed.dump()).as_double(), d) << parsed.dump();
  }
}

TEST(Json, RejectsWhatTheGrammarDoesNotAllowAndSaysWhere) {
  EXPECT_EQ(Error(""),
            "invalid_json: not valid JSON: unexpected end of input at line 1, "
            "column 1");
  EXPECT_EQ(Error("{\"a\": 1,\n  \"b\" 2}"),
            "invalid_json: not valid JSON: expected ':' after the key at line "
            "2, column 7");
  EXPECT_EQ(
      Error("[1, 2"),
      "invalid_json: not valid JSON: expected ',' or ']' at line 1, column 6");
  EXPECT_EQ(
      Error("[1,]"),
      "invalid_json: not valid JSON: unexpected character at line 1, column 4");
  EXPECT_EQ(Error("01"),
            "invalid_json: not valid JSON: a number may not start with 0 at "
            "line 1, column 2");
  EXPECT_EQ(Error("1."),
            "invalid_json: not valid JSON: expected a digit after '.' at line "
            "1, column 3");
  EXPECT_EQ(Error("1e+"),
            "invalid_json: not valid JSON: expected a digit in the exponent at "
            "line 1, column 4");
  EXPECT_EQ(Error("1e400"),
            "invalid_json: not valid JSON: number is too large for a double at "
            "line 1, column 1");
  EXPECT_EQ(Error("tru"),
            "invalid_json: not valid JSON: unknown literal (expected true, "
            "false or null) at line 1, column 1");
  EXPECT_EQ(Error("{} {}"),
            "invalid_json: not valid JSON: unexpected text after the value at "
            "line 1, column 4");
  EXPECT_EQ(Error("\"a\tb\""),
            "invalid_json: not valid JSON: control character in a string "
            "(escape it) at line 1, column 3");
  EXPECT_EQ(Error("\"\\x\""),
            "invalid_json: not valid JSON: unknown escape in a string at line "
            "1, column 3");
  EXPECT_EQ(Error("\"\\ud800\""),
            "invalid_json: not valid JSON: \\u escape holds a lone high "
            "surrogate at line 1, column 8");
  EXPECT_EQ(Error("\"\\udc00\""),
            "invalid_json: not valid JSON: \\u escape holds a lone low "
            "surrogate at line 1, column 8");
  EXPECT_EQ(Error("\"\\u12\""),
            "invalid_json: not valid JSON: \\u needs four hex digits at line "
            "1, column 4");
  EXPECT_EQ(
      Error("\"abc"),
      "invalid_json: not valid JSON: unterminated string at line 1, column 5");
  EXPECT_EQ(
      Error("NaN"),
      "invalid_json: not valid JSON: unexpected character at line 1, column 1");
  EXPECT_EQ(Error("[[[1]]]", -1, 2),
            "too_deep: document nests deeper than 2 levels");
  EXPECT_EQ(Error("[[1]]", -1, 2), "(parsed)");
  EXPECT_EQ(Error("[1]", 2), "too_large: document is 3 bytes, the limit is 2");
}

TEST(Json, SkipsAByteOrderMark) {
  EXPECT_EQ(Ok("\xEF\xBB\xBF{\"a\": 1}")["a"].as_int(), 1);
  EXPECT_EQ(Error("{}\xEF\xBB\xBF").rfind("invalid_json", 0), 0u);
}

TEST(Json, DemandsWellFormedUtf8) {
  EXPECT_EQ(Ok("\"caf\xC3\xA9 \xF0\x9F\x98\x80\"").as_string(),
            "caf\xC3\xA9 \xF0\x9F\x98\x80");
  for (const char* bad :
       {"\"\xC3\"", "\"\xC0\xAF\"", "\"\xE0\x80\xAF\"", "\"\xED\xA0\x80\"",
        "\"\xF4\x90\x80\x80\"", "\"\xFF\""}) {
    EXPECT_EQ(
        Error(bad).rfind("invalid_json: not valid JSON: invalid UTF-8", 0), 0u)
        << Error(bad);
  }
  EXPECT_EQ(Ok(R"("\u00e9\ud83d\ude00\n\"\\\/")").as_string(),
            "\xC3\xA9\xF0\x9F\x98\x80\n\"\\/");
}

TEST(Json, KeepsObjectsSortedAndTheLastOfDuplicateKeys) {
  Json doc = Ok(R"({"b": 1, "a": 2, "b": 3})");
  EXPECT_EQ(doc.dump(), R"({"a":2,"b":3})");
  doc["c"] = 4;
  doc["0"] = 5;
  EXPECT_EQ(doc.dump(), R"({"0":5,"a":2,"b":3,"c":4})");
  EXPECT_TRUE(doc.erase("a"));
  EXPECT_FALSE(doc.erase("a"));
  EXPECT_EQ(doc.size(), 3u);
}

TEST(Json, SortsLargeShuffledObjectsKeepingTheLastDuplicate) {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 20; ++round) {
    std::string text = "{";
    nlohmann::json reference = nlohmann::json::object();
    const int members = 1 + static_cast<int>(rng() % 700);
    for (int i = 0; i < members; ++i) {
      const std::string key = "k" + std::to_string(rng() % 500);
      if (i) text += ',';
      text += "\"" + key + "\":" + std::to_string(i);
      reference[key] = i;  // the last assignment wins, as JSON.parse's
    }
    text += "}";
    EXPECT_EQ(Ok(text).dump(), reference.dump()) << "round " << round;
  }
}

TEST(Json, BuildsObjectsAndArraysLikeNlohmannDid) {
  Json object = {{"z", 1}, {"a", {1, 2}}, {"m", {{"k", nullptr}}}};
  EXPECT_EQ(object.dump(), R"({"a":[1,2],"m":{"k":null},"z":1})");
  EXPECT_EQ(Json::array({{"a", 1}}).dump(), R"([["a",1]])");
  EXPECT_EQ(Json(std::vector<int>{3, 4}).dump(), "[3,4]");
  Json grown;
  grown.push_back("x");
  EXPECT_EQ(grown.dump(), R"(["x"])");
}

TEST(Json, ComparesNumbersByValue) {
  EXPECT_EQ(Json(9), Json(9.0));
  EXPECT_NE(Json(9), Json("9"));
  EXPECT_EQ(Ok(R"({"a":[1,2.0]})"), Ok(R"({"a":[1.0,2]})"));
  EXPECT_NE(Ok(R"({"a":1})"), Ok(R"({"a":1,"b":1})"));
}

TEST(Json, WritesValidJsonWhateverTheStringsHold) {
  EXPECT_EQ(Json(std::string("a\x01\x7f\"\\\b\f\n\r\t")).dump(),
            R"("a\u0001)"
            "\x7f"
            R"(\"\\\b\f\n\r\t")");
  // Invalid UTF-8 comes out as U+FFFD, never as bytes a reader would refuse.
  EXPECT_EQ(Json(std::string("x\xFFy\xC3")).dump(),
            "\"x\xEF\xBF\xBDy\xEF\xBF\xBD\"");
  EXPECT_EQ(Json(std::nan("")).dump(), "null");
  EXPECT_EQ(Json(std::numeric_limits<double>::infinity()).dump(), "null");
  EXPECT_EQ(Json(5.0).dump(), "5.0");
  EXPECT_EQ(Json(0.1).dump(), "0.1");
  EXPECT_EQ(Json(1e300).dump(), "1e+300");
  // nlohmann's %g-like layout, with the shortest digits.
  EXPECT_EQ(Json(-0.0).dump(), "-0.0");
  EXPECT_EQ(Json(1e-5).dump(), "1e-05");
  EXPECT_EQ(Json(0.001234).dump(), "0.001234");
  EXPECT_EQ(Json(12.34).dump(), "12.34");
  EXPECT_EQ(Json(1e14).dump(), "100000000000000.0");
  EXPECT_EQ(Json(1e15).dump(), "1e+15");
  EXPECT_EQ(Json(1.5e20).dump(), "1.5e+20");
  EXPECT_EQ(Json(-123456789012345678.0).dump(), "-1.2345678901234568e+17");
  EXPECT_EQ(Json(5e-324).dump(), "5e-324");
  for (double d : {0.1, 0.5, 1.0, 2.5e-4, 1e-4, 9.999e-5, 123456.789, 1e21,
                   1e22, 1.7976931348623157e308, 2.2250738585072014e-308, 4.35,
                   100.0, 1234567890123456.0}) {
    EXPECT_EQ(Json(d).dump(), nlohmann::json(d).dump()) << d;
    EXPECT_EQ(Json(-d).dump(), nlohmann::json(-d).dump()) << -d;
  }
  EXPECT_EQ(Ok("[]").dump(2), "[]");
  EXPECT_EQ(Ok(R"({"a":[1,{}],"b":{"c":true}})").dump(2),
            "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": {\n    \"c\": "
            "true\n  }\n}");
}

// Every JSON file in tests/fixtures: same reading and same text as nlohmann.
TEST(Json, AgreesWithNlohmannOnEveryFixture) {
  int files = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(SONDAR_FIXTURES)) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".json" && ext != ".jsonl") continue;
    const std::string text = testing::ReadFixture(
        std::filesystem::relative(entry.path(), SONDAR_FIXTURES).string());
    std::vector<std::string> docs;
    if (ext == ".json") {
      docs.push_back(text);
    } else {
      std::istringstream lines(text);
      for (std::string line; std::getline(lines, line);) docs.push_back(line);
    }
    for (const std::string& doc : docs) {
      auto ours = ParseJson(doc);
      auto theirs = nlohmann::json::parse(doc, nullptr, false);
      ASSERT_EQ(ours.ok(), !theirs.is_discarded())
          << entry.path() << ": " << ours.status().ToString() << "\n"
          << doc;
      if (!ours.ok()) continue;
      EXPECT_EQ(ours.value().dump(), theirs.dump()) << entry.path();
      EXPECT_EQ(ours.value().dump(2), theirs.dump(2)) << entry.path();
    }
    ++files;
  }
  EXPECT_GE(files, 8);  // all of tests/fixtures today
}

// Random documents, written by nlohmann: read back equal and re-written the
// same.
TEST(Json, AgreesWithNlohmannOnRandomDocuments) {
  std::mt19937_64 rng(42);
  auto random_string = [&] {
    static const char* pieces[] = {
        "a",   "Z",  "0",    " ",        "\"",           "\\",
        "/",   "\n", "\x01", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
        "x-y", "id"};
    std::string s;
    for (int n = static_cast<int>(rng() % 6); n > 0; --n)
      s += pieces[rng() % (sizeof pieces / sizeof *pieces)];
    return s;
  };
  std::function<nlohmann::json(int)> random_value = [&](int depth) {
    switch (rng() % (depth > 3 ? 5 : 7)) {
      case 0:
        return nlohmann::json(nullptr);
      case 1:
        return nlohmann::json(rng() % 2 == 0);
      case 2:
        return nlohmann::json(static_cast<std::int64_t>(rng()) >> (rng() % 64));
      case 3: {
        std::uint64_t bits = rng();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return nlohmann::json(std::isfinite(d) ? d : 0.5);
      }
      case 4:
        return nlohmann::json(random_string());
      case 5: {
        nlohmann::json a = nlohmann::json::array();
        for (int n = static_cast<int>(rng() % 5); n > 0; --n)
          a.push_back(random_value(depth + 1));
        return a;
      }
      default: {
        nlohmann::json o = nlohmann::json::object();
        for (int n = static_cast<int>(rng() % 5); n > 0; --n)
          o[random_string()] = random_value(depth + 1);
        return o;
      }
    }
  };
  for (int i = 0; i < 3000; ++i) {
    const nlohmann::json reference = random_value(0);
    const std::string text = reference.dump();
    auto ours = ParseJson(text);
    ASSERT_TRUE(ours.ok()) << text << "\n" << ours.status().ToString();
    ASSERT_EQ(ours.value().dump(), text);
    ASSERT_EQ(ours.value().dump(4), reference.dump(4));
  }
}

}  // namespace
}  // namespace sondar
