#include "sondar/status.h"

#include <gtest/gtest.h>

#include <string>

#include "sondar/json.h"

namespace sondar {
namespace {

TEST(ResultTest, AnOkStatusNeverMakesAnOkResult) {
  const Result<int> lie = Status();
  EXPECT_FALSE(lie.ok());
  ASSERT_EQ(lie.errors().size(), 1u);
  EXPECT_EQ(lie.errors().front().code, ErrorCode::kInternal);
  EXPECT_EQ(CodeName(lie.errors().front().code), "internal");
  const Result<int> none = Errors{};
  EXPECT_FALSE(none.ok());
  EXPECT_EQ(none.errors().front().code, ErrorCode::kInternal);
}

TEST(ResultTest, CarriesAValueOrEveryError) {
  const Result<std::string> good = std::string("v");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, "v");
  EXPECT_TRUE(good.status().ok());
  const Result<std::string> bad =
      Errors{{ErrorCode::kOutOfRange, "a", "x"}, {ErrorCode::kLoop, "b", "y"}};
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().ToString(), "a: x\nb: y");
}

#ifndef NDEBUG
TEST(ResultDeathTest, ValueOfAFailureStopsADebugBuild) {
  const Result<int> bad = Status(ErrorCode::kLoop, "", "no");
  EXPECT_DEATH((void)bad.value(), "value\\(\\) of a failure");
}
#endif

Status Positive(int n) {
  if (n <= 0) return Status(ErrorCode::kOutOfRange, "n", "must be positive");
  return Status();
}

Result<int> Twice(int n) {
  SONDAR_RETURN_IF_ERROR(Positive(n));
  return 2 * n;
}

Result<int> ParseAndDouble(std::string_view text) {
  SONDAR_ASSIGN_OR_RETURN(const Json doc, ParseJson(text));
  if (!doc.is_number()) return Status(ErrorCode::kWrongType, "", "a number");
  SONDAR_ASSIGN_OR_RETURN(const int doubled,
                          Twice(static_cast<int>(doc.as_int())));
  return doubled;
}

TEST(ResultTest, HelpersPassFailuresUp) {
  EXPECT_EQ(*Twice(4), 8);
  EXPECT_EQ(Twice(-1).errors().front().path, "n");
  EXPECT_EQ(*ParseAndDouble("21"), 42);
  EXPECT_EQ(ParseAndDouble("{").errors().front().code, ErrorCode::kInvalidJson);
  EXPECT_EQ(ParseAndDouble("0").errors().front().code, ErrorCode::kOutOfRange);
  EXPECT_EQ(ParseAndDouble("\"a\"").errors().front().code,
            ErrorCode::kWrongType);
}

TEST(CodeNameTest, EveryCodeHasItsRegistryName) {
  // CodeName finds a name by the code's position: checked against the
  // registry's own pairs, every one.
  int codes = 0;
#define SONDAR_ERROR_CODE(name, text)         \
  EXPECT_EQ(CodeName(ErrorCode::name), text); \
  ++codes;
#include "sondar/error_codes.inc"
#undef SONDAR_ERROR_CODE
  EXPECT_GT(codes, 20);
  EXPECT_EQ(CodeName(static_cast<ErrorCode>(codes)), "internal");
}

}  // namespace
}  // namespace sondar
