// Per-call costs of the core. Figures, not pass/fail: compare ratios within one
// run.
//   make bench
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "sondar/sondar.h"

namespace {

std::string ReadSurveyText(const char* name) {
  std::ifstream in(std::string(SONDAR_FIXTURES) + "/surveys/" + name + ".json");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

sondar::SurveyPtr Load(const char* name) {
  auto parsed = sondar::ParseSurvey(ReadSurveyText(name));
  if (!parsed.ok()) std::abort();
  return sondar::SurveyPtr::Make(std::move(parsed).value());
}

sondar::SessionStart Start(int i) {
  sondar::SessionStart start;
  start.response_id = "3b241101-e2bb-4255-8caf-4136c566a962";
  start.visitor_id = "visitor-" + std::to_string(i);
  start.trigger = "checkout_complete";
  start.page_url = "https://shop.example/order/1?x=1";
  start.hidden = {{"segment", i % 5 ? "regular" : "vip"}};
  start.started_at_ms = 1767225600000 + i * 1000LL;
  return start;
}

// Payload lines as the widget sends them, for the parse / validate benchmarks.
const std::vector<std::string>& Lines() {
  static const std::vector<std::string> lines = [] {
    auto survey = Load("order_nps");
    std::vector<std::string> out;
    for (int i = 0; i < 10000; ++i) {
      auto s = sondar::Session::Start(survey, Start(i)).value();
      const int nps = (i * 7) % 11;
      (void)s.Answer("nps", nps);
      (void)s.Next();
      if (nps <= 6) {
        (void)s.Answer("why", "Delivery took too long");
        (void)s.Next();
      }
      if (nps <= 8) {
        (void)s.Answer("area", sondar::Json::array({"price"}));
        (void)s.Next();
      }
      out.push_back(s.Payload(1767225600000 + i * 1000LL + 60000).dump());
    }
    return out;
  }();
  return lines;
}

void BM_ParseJsonOnly(benchmark::State& state) {
  const auto& lines = Lines();
  std::size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& line = lines[i++ % lines.size()];
    benchmark::DoNotOptimize(sondar::ParseJson(line));
    bytes += line.size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseJsonOnly);

void BM_ValidateAndAggregate(benchmark::State& state) {
  auto survey = Load("order_nps");
  const auto& lines = Lines();
  sondar::Aggregate aggregate(*survey);
  std::size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& line = lines[i++ % lines.size()];
    auto record = sondar::ValidateResponseText(*survey, line);
    if (!record.ok()) state.SkipWithError("invalid line");
    aggregate.Add(record.value());
    bytes += line.size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateAndAggregate);

void BM_Summary(benchmark::State& state) {
  auto survey = Load("order_nps");
  sondar::Aggregate aggregate(*survey);
  for (const std::string& line : Lines())
    aggregate.Add(sondar::ValidateResponseText(*survey, line).value());
  for (auto _ : state) benchmark::DoNotOptimize(aggregate.Summary());
}
BENCHMARK(BM_Summary);

void BM_ParseSurvey(benchmark::State& state) {
  const std::string text = ReadSurveyText("order_nps");
  for (auto _ : state) benchmark::DoNotOptimize(sondar::ParseSurvey(text));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseSurvey);

void BM_Decide(benchmark::State& state) {
  auto survey = Load("order_nps");
  sondar::DecideContext c;
  c.event = "checkout_complete";
  c.url = "https://shop.example/order/123";
  c.visitor_id = "visitor-1";
  c.attributes = {{"orders_count", 2}, {"country", "FR"}};
  c.now_ms = 1767225600000;
  for (int i = 0; i < 20; ++i) {
    c.history.push_back({i % 2 ? "order-nps" : "other",
                         sondar::HistoryKind::kDisplay,
                         c.now_ms - (400 - i) * 86400000LL});
  }
  for (auto _ : state) benchmark::DoNotOptimize(sondar::Decide(*survey, c));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Decide);

// One visitor's whole session: start, three answers with their views, payload.
void BM_SessionSteps(benchmark::State& state) {
  auto survey = Load("order_nps");
  int i = 0;
  for (auto _ : state) {
    auto s = sondar::Session::Start(survey, Start(i++)).value();
    benchmark::DoNotOptimize(s.View());
    (void)s.Answer("nps", 3);
    (void)s.Next();
    benchmark::DoNotOptimize(s.View());
    (void)s.Answer("why", "slow");
    (void)s.Next();
    (void)s.Answer("area", sondar::Json::array({"price"}));
    (void)s.Next();
    benchmark::DoNotOptimize(s.Payload(1767225660000));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SessionSteps);

}  // namespace

BENCHMARK_MAIN();
