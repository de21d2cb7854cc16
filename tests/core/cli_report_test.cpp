// The report behind `sondar report`, on tests/fixtures/responses_sample.jsonl:
// 13 lines, of which one is blank, one is not JSON, one forges nps 42, and
// responseId ...0003 comes three times (partial, complete, then a late partial
// that must not win). Then the same reader on generated files, split across
// threads, against itself on one thread.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "fixtures.h"
#include "report.h"

namespace sondar {
namespace {

struct Read {
  cli::ReportInput input;
  Json summary;
};

Read ReadFd(const Survey& survey, int fd, unsigned threads,
            std::uint64_t memory_budget = std::uint64_t{256} << 20) {
  Read out;
  Aggregate aggregate(survey);
  cli::ReadOptions options;
  options.threads = threads;
  options.min_run_bytes = 1;  // split even small files
  options.memory_budget = memory_budget;
  std::string error;
  EXPECT_TRUE(
      cli::ReadResponses(survey, fd, options, &aggregate, &out.input, &error))
      << error;
  out.summary = aggregate.Summary();
  return out;
}

Read ReadPath(const Survey& survey, const std::string& path, unsigned threads,
              std::uint64_t memory_budget = std::uint64_t{256} << 20) {
  int fd = ::open(path.c_str(), O_RDONLY);
  EXPECT_GE(fd, 0) << path;
  Read out = ReadFd(survey, fd, threads, memory_budget);
  ::close(fd);
  return out;
}

// A file under the build tree's temp folder, removed with the object.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/sondar-report-XXXXXX";
    int fd = ::mkstemp(name);
    EXPECT_GE(fd, 0);
    path_ = name;
    EXPECT_EQ(::write(fd, text.data(), text.size()),
              static_cast<ssize_t>(text.size()));
    ::close(fd);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string Sample() {
  std::ifstream in(std::string(SONDAR_FIXTURES) + "/responses_sample.jsonl");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// `count` responses of order-nps: every 7th id comes again as a partial that
// must lose and every 5th as a later complete that must win; every 97th line is
// broken. Segments cycle through `segments` values.
std::string Generated(int count, int segments) {
  std::string out;
  auto line = [&](int id, const char* status, int nps, int second, int day) {
    char buf[512];
    std::snprintf(
        buf, sizeof buf,
        "{\"schema\":\"sondar.response/1\",\"responseId\":\"%08x-0000-4000-"
        "8000-%012x\",\"surveyId\":\"order-nps\",\"surveyVersion\":3,"
        "\"visitorId\":\"v-%d\",\"status\":\"%s\",\"answers\":{\"nps\":%d},"
        "\"hidden\":{\"segment\":\"s%d\"},\"trigger\":\"t%d\","
        "\"startedAt\":\"2026-01-%02dT10:00:00.000Z\","
        "\"submittedAt\":\"2026-01-%02dT10:00:%02d.000Z\"}\n",
        id * 2654435761u, id, id, status, nps, id % segments, id % 3, day, day,
        second);
    out += buf;
  };
  for (int i = 1; i <= count; ++i) {
    line(i, "complete", i % 11, 10, 1 + i % 28);
    if (i % 97 == 0) out += "{\"broken\":\n";
    if (i % 7 == 0) line(i, "partial", 10, 59, 1 + i % 28);
    if (i % 5 == 0 && i > 3) line(i - 3, "complete", 0, 30, 1 + (i - 3) % 28);
  }
  return out;
}

void ExpectSame(const Read& a, const Read& b, const std::string& what) {
  EXPECT_EQ(a.input.lines, b.input.lines) << what;
  EXPECT_EQ(a.input.valid, b.input.valid) << what;
  EXPECT_EQ(a.input.invalid_json, b.input.invalid_json) << what;
  EXPECT_EQ(a.input.invalid, b.input.invalid) << what;
  EXPECT_EQ(a.input.superseded, b.input.superseded) << what;
  EXPECT_EQ(a.input.bytes, b.input.bytes) << what;
  ASSERT_EQ(a.input.first_errors.size(), b.input.first_errors.size()) << what;
  for (std::size_t i = 0; i < a.input.first_errors.size(); ++i) {
    EXPECT_EQ(a.input.first_errors[i].line, b.input.first_errors[i].line);
    EXPECT_EQ(a.input.first_errors[i].message, b.input.first_errors[i].message);
  }
  EXPECT_EQ(a.summary.dump(), b.summary.dump()) << what;
}

TEST(CliReport, CountsEveryLineAndKeepsTheBestVersionOfEachResponse) {
  auto survey = testing::LoadSurvey("order_nps");
  ASSERT_NE(survey, nullptr);
  Read read = ReadPath(
      *survey, std::string(SONDAR_FIXTURES) + "/responses_sample.jsonl", 1);
  const cli::ReportInput& input = read.input;
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
  const Json& s = read.summary;
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

TEST(CliReport, EveryThreadCountGivesTheSameReport) {
  auto survey = testing::LoadSurvey("order_nps");
  ASSERT_NE(survey, nullptr);
  for (const std::string& text : {Sample(), Generated(3000, 40)}) {
    TempFile file(text);
    Read one = ReadPath(*survey, file.path(), 1);
    EXPECT_EQ(one.input.threads, 1u);
    for (unsigned threads : {2u, 3u, 8u, 64u}) {
      Read many = ReadPath(*survey, file.path(), threads);
      EXPECT_EQ(many.input.threads, threads);
      ExpectSame(one, many, std::to_string(threads) + " threads");
    }
  }
}

TEST(CliReport, ABudgetFarBelowTheFileMovesVersionsToDiskAndChangesNothing) {
  auto survey = testing::LoadSurvey("order_nps");
  ASSERT_NE(survey, nullptr);
  TempFile file(Generated(3000, 40));
  Read whole = ReadPath(*survey, file.path(), 1);
  // 100 versions in memory for 4,000 valid lines: dozens of spills per run.
  for (unsigned threads : {1u, 3u}) {
    ExpectSame(whole, ReadPath(*survey, file.path(), threads, 100 * 64),
               std::to_string(threads) + " threads, spilled");
  }
  TempFile many(Generated(4000, 2500));  // the ordered path, spilled too
  ExpectSame(ReadPath(*survey, many.path(), 1),
             ReadPath(*survey, many.path(), 2, 64), "key limit, spilled");
}

TEST(CliReport, AMissingTemporaryFolderIsAClearError) {
  auto survey = testing::LoadSurvey("order_nps");
  ASSERT_NE(survey, nullptr);
  TempFile file(Generated(500, 3));
  int fd = ::open(file.path().c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  Aggregate aggregate(*survey);
  cli::ReadOptions options;
  options.memory_budget = 64;
  options.temp_dir = "/nonexistent/sondar";
  cli::ReportInput input;
  std::string error;
  EXPECT_FALSE(
      cli::ReadResponses(*survey, fd, options, &aggregate, &input, &error));
  ::close(fd);
  EXPECT_EQ(
      error.rfind("cannot create a temporary file in /nonexistent/sondar: ", 0),
      0u)
      << error;
}

TEST(CliReport, GeneratedFileKeepsTheWinningVersions) {
  auto survey = testing::LoadSurvey("order_nps");
  ASSERT_NE(survey, nullptr);
  TempFile file(Generated(3000, 40));
  Read read = ReadPath(*survey, file.path(), 4);
  // 3000 ids; 428 late partials lose, 600 later completes win; 30 broken.
  EXPECT_EQ(read.input.valid, 3000u + 428u + 600u);
  EXPECT_EQ(read.input.invalid_json, 30u);
  EXPECT_EQ(read.input.superseded, 428u + 600u);
  EXPECT_EQ(read.summary["responses"]["total"], 3000);
  EXPECT_EQ(read.summary["responses"]["complete"], 3000);
  // Ids 2..3000 step 5 (i - 3 for i = 5, 10, ...) were re-answered 0: count
  // the zeros among the winners.
  std::int64_t zeros = 0;
  for (const Json& d : read.summary["nps"]["distribution"].as_array()) {
    if (d["value"] == 0) zeros = d["count"].as_int();
  }
  int expected = 0;
  for (int id = 1; id <= 3000; ++id) {
    const bool redone = id >= 2 && (id + 3) % 5 == 0 && id + 3 <= 3000;
    expected += redone || id % 11 == 0;
  }
  EXPECT_EQ(zeros, expected);
}

TEST(CliReport, MoreBreakdownKeysThanKeptStillDoNotDependOnThreads) {
  auto survey = testing::LoadSurvey("order_nps");
  ASSERT_NE(survey, nullptr);
  TempFile file(Generated(4000, 2500));  // 2,500 segments, 1,000 kept
  Read one = ReadPath(*survey, file.path(), 1);
  EXPECT_TRUE(one.summary["bySegment"].contains("(other)"));
  for (unsigned threads : {2u, 7u}) {
    ExpectSame(one, ReadPath(*survey, file.path(), threads),
               std::to_string(threads) + " threads");
  }
}

TEST(CliReport, ReadsAPipeAndALineLongerThanAnyResponse) {
  auto survey = testing::LoadSurvey("order_nps");
  ASSERT_NE(survey, nullptr);
  std::string text = Sample();
  // 9 MB of one line: more than the reader's block, counted and not kept.
  std::string huge = "{\"page\":\"" + std::string(9 << 20, 'x') + "\"}\n";
  text = huge + text;
  text.pop_back();  // the last line has no '\n'
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::thread writer([&] {
    std::size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(fds[1], text.data() + done, text.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    ::close(fds[1]);
  });
  Read piped = ReadFd(*survey, fds[0], 8);
  writer.join();
  ::close(fds[0]);
  EXPECT_EQ(piped.input.threads, 1u);  // a pipe cannot be split
  EXPECT_EQ(piped.input.lines, 13u);
  EXPECT_EQ(piped.input.invalid_json, 2u);
  EXPECT_EQ(piped.input.valid, 10u);
  EXPECT_EQ(piped.input.bytes, text.size() + 1);
  ASSERT_GE(piped.input.first_errors.size(), 1u);
  EXPECT_EQ(piped.input.first_errors[0].line, 1u);
  EXPECT_EQ(piped.input.first_errors[0].message,
            "document is " + std::to_string(huge.size() - 1) +
                " bytes, the limit is 65536");
  EXPECT_EQ(piped.input.first_errors[1].line, 8u);
  EXPECT_EQ(piped.summary["nps"]["score"], 14.29);
}

// `sondar report --category promoter ...`: a response counts by its newest
// version, so a filter never lets an older version stand in for a newer one.
TEST(CliReport, AFilterJudgesEachResponseByItsNewestVersion) {
  auto survey = testing::LoadSurvey("order_nps");
  ASSERT_NE(survey, nullptr);
  auto line = [](int id, const char* status, int nps, int minute,
                 const char* order) {
    return std::string(
               R"({"schema": "sondar.response/1", "responseId": "00000000-0000-4000-8000-00000000000)") +
           std::to_string(id) +
           R"(", "surveyId": "order-nps", "surveyVersion": 3, "visitorId": "v-1", "status": ")" +
           status + R"(", "answers": {"nps": )" + std::to_string(nps) +
           R"(}, "hidden": {"order_id": ")" + order +
           R"("}, "startedAt": "2026-01-01T09:00:00.000Z", "submittedAt": "2026-01-01T10:0)" +
           std::to_string(minute) + R"(:00.000Z"})" + "\n";
  };
  // Response 1: a promoter's partial, then a detractor's complete version.
  TempFile file(line(1, "partial", 9, 1, "A-1") +
                line(1, "complete", 3, 2, "A-1") +
                line(2, "complete", 10, 3, "A-2"));
  using P = std::pair<std::int64_t, std::uint64_t>;  // counted, left out
  auto read = [&](std::multimap<std::string, std::string> params) {
    auto filter = ParseFilter(params);
    EXPECT_TRUE(filter.ok()) << filter.status().ToString();
    Aggregate aggregate(*survey);
    cli::ReadOptions options;
    options.filter = &filter.value();
    cli::ReportInput input;
    std::string error;
    const int fd = ::open(file.path().c_str(), O_RDONLY);
    EXPECT_TRUE(
        cli::ReadResponses(*survey, fd, options, &aggregate, &input, &error))
        << error;
    ::close(fd);
    EXPECT_EQ(input.valid, 3u)
        << (input.first_errors.empty() ? "" : input.first_errors[0].message);
    return P{aggregate.Summary()["responses"]["total"].as_int(),
             input.filtered_out};
  };
  EXPECT_EQ(read({{"category", "promoter"}}), P(1, 1));
  EXPECT_EQ(read({{"category", "detractor"}}), P(1, 1));
  EXPECT_EQ(read({{"status", "partial"}}), P(0, 2));
  EXPECT_EQ(read({{"hidden.order_id", "A-1"}}), P(1, 1));
  EXPECT_EQ(read({}), P(2, 0));
}

// `sondar report --survey v3 --survey v4 --survey v5`: each line read against
// the version it names, same-shape versions together, the rest apart.
TEST(CliReport, ReportsEveryVersionOfASurvey) {
  auto version = [](int n, bool new_options, bool reworded) {
    Json doc = testing::Parse(testing::ReadFixture("surveys/order_nps.json"));
    doc["version"] = n;
    if (new_options)
      doc["questions"][2]["options"][2] =
          testing::Parse(R"({"id": "returns", "label": "Returns"})");
    if (reworded) doc["questions"][0]["prompt"]["en"] = "Recommend us?";
    return SurveyPtr::Make(ParseSurveyDocument(doc).value());
  };
  SurveyVersions versions;
  ASSERT_TRUE(versions.Add(version(3, false, false)).ok());
  ASSERT_TRUE(versions.Add(version(4, true, false)).ok());
  ASSERT_TRUE(versions.Add(version(5, false, true)).ok());
  std::string lines;
  int n = 0;
  auto line = [&](int v, int nps, const char* area) {
    char id[40];
    std::snprintf(id, sizeof id, "0b9e2c1a-3f4d-4e5f-8a6b-%012d", ++n);
    lines +=
        std::string(R"({"schema": "sondar.response/1", "responseId": ")") + id +
        R"(", "surveyId": "order-nps", "surveyVersion": )" + std::to_string(v) +
        R"(, "visitorId": "v", "status": "complete", "locale": "en",)"
        R"( "startedAt": "2026-11-30T10:00:00Z",)"
        R"( "submittedAt": "2026-11-30T10:01:00Z", "answers": {"nps": )" +
        std::to_string(nps) +
        (area ? std::string(R"(, "area": [")") + area + R"("])" : "") + "}}\n";
  };
  for (int i = 0; i < 40; ++i) line(3, 10, nullptr);   // promoters, v3
  for (int i = 0; i < 20; ++i) line(5, 0, "quality");  // detractors, v5
  for (int i = 0; i < 10; ++i) line(4, 2, "returns");  // apart
  line(4, 2, "quality");  // not an option of version 4
  line(9, 10, nullptr);   // no such version
  TempFile file(lines);
  for (unsigned threads : {1u, 3u}) {
    int fd = ::open(file.path().c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    VersionedAggregate aggregate(versions);
    cli::ReadOptions options;
    options.threads = threads;
    options.min_run_bytes = 1;
    cli::ReportInput input;
    std::string error;
    ASSERT_TRUE(
        cli::ReadResponses(versions, fd, options, &aggregate, &input, &error))
        << error;
    ::close(fd);
    EXPECT_EQ(input.valid, 70u);
    EXPECT_EQ(input.invalid, 2u);
    const Json summary = aggregate.Summary();
    EXPECT_EQ(summary["versions"], testing::Parse("[5, 3]"));
    EXPECT_EQ(summary["responses"]["total"], 60);
    EXPECT_EQ(summary["nps"]["n"], 60);
    ASSERT_EQ(summary["reportedApart"].size(), 1u);
    EXPECT_EQ(summary["reportedApart"][0]["versions"], testing::Parse("[4]"));
    EXPECT_EQ(summary["reportedApart"][0]["responses"]["total"], 10);
    const std::string text =
        cli::ReportText(*versions.Latest(), input, summary);
    EXPECT_NE(text.find("Reported apart"), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace sondar
