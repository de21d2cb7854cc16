// Shared fixture loading: tests/fixtures is read by these tests and by the JS
// suites alike.
#ifndef SONDAR_TESTS_CORE_FIXTURES_H_
#define SONDAR_TESTS_CORE_FIXTURES_H_

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "sondar/sondar.h"

namespace sondar {

// gtest shows Json values in failure messages as their JSON text.
inline void PrintTo(const Json& value, std::ostream* out) {
  *out << value.dump();
}

}  // namespace sondar

namespace sondar::testing {

inline std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(SONDAR_FIXTURES) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open fixture " << name;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// JSON text the test itself holds, so it must parse.
inline Json Parse(std::string_view text) {
  auto doc = ParseJson(text);
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return doc.ok() ? std::move(doc).value() : Json();
}

inline Json FixtureJson(const std::string& name) {
  return Parse(ReadFixture(name));
}

inline SurveyPtr LoadSurvey(const std::string& name) {
  auto parsed = ParseSurvey(ReadFixture("surveys/" + name + ".json"));
  EXPECT_TRUE(parsed.ok()) << name << ":\n" << parsed.status().ToString();
  if (!parsed.ok()) return nullptr;
  return SurveyPtr::Make(std::move(parsed).value());
}

// "code@path" strings, sorted, for order-insensitive comparison with fixture
// expectations.
inline std::vector<std::string> Codes(const Errors& errors) {
  std::vector<std::string> out;
  for (const Error& e : errors)
    out.push_back(std::string(CodeName(e.code)) + "@" + e.path);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace sondar::testing

#endif  // SONDAR_TESTS_CORE_FIXTURES_H_
