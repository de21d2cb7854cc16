// Writes synthetic sondar.response/1 lines for a survey, produced by driving
// the real Session with seeded pseudo-random visitors, so every line is what
// the widget would send. About 10% of responses are preceded by their own
// partial version, as a receiver's log would hold them.
//   sondar_gen_responses SURVEY.json COUNT [SEED] > responses.jsonl
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "sondar/sondar.h"

namespace {

std::string Uuid(std::mt19937_64& rng) {
  static const char* hex = "0123456789abcdef";
  std::string s = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx";
  for (char& c : s) {
    if (c == 'x') c = hex[rng() % 16];
    if (c == 'y') c = hex[8 + rng() % 4];
  }
  return s;
}

sondar::Json RandomAnswer(const sondar::Json& q, std::mt19937_64& rng) {
  const std::string& type = q["type"].as_string();
  if (q.contains("scale")) {
    const int min = static_cast<int>(q["scale"]["min"].as_int());
    const int max = static_cast<int>(q["scale"]["max"].as_int());
    // Skewed toward the top like real satisfaction data: the best of three
    // uniform draws.
    std::uniform_int_distribution<int> d(min, max);
    return std::max({d(rng), d(rng), d(rng)});
  }
  if (type == "single_choice") {
    const auto& options = q["options"];
    return options[rng() % options.size()]["id"];
  }
  if (type == "multi_choice") {
    sondar::Json picked = sondar::Json::array();
    const int cap = q["maxSelect"].as_int() ? q["maxSelect"].as_int() : 99;
    for (const auto& o : q["options"].as_array()) {
      if (rng() % 3 == 0 && static_cast<int>(picked.size()) < cap)
        picked.push_back(o["id"]);
    }
    if (picked.empty()) picked.push_back(q["options"][0]["id"]);
    return picked;
  }
  static const char* kTexts[] = {"Delivery took too long", "Great prices",
                                 "Checkout was smooth", "Couldn't find my size",
                                 "Fast shipping, thanks!"};
  return kTexts[rng() % 5];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: sondar_gen_responses SURVEY.json COUNT [SEED] "
                 "[START_UNIX_MS]\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = sondar::ParseSurvey(text.str());
  if (!parsed.ok()) {
    std::cerr << parsed.status().ToString() << "\n";
    return 1;
  }
  auto survey = sondar::SurveyPtr::Make(std::move(parsed).value());
  const long count = std::atol(argv[2]);
  std::mt19937_64 rng(argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 42);
  // Responses spread over 14 days from START (default 2026-01-01, so benchmark
  // files are the same on every run; the demo passes "14 days ago", because a
  // collector does not believe history from before it knew the survey).
  const std::int64_t base =
      argc > 4 ? std::strtoll(argv[4], nullptr, 10) : 1767225600000;
  const bool has_segment =
      std::find(survey->hidden.begin(), survey->hidden.end(), "segment") !=
      survey->hidden.end();
  std::string out;
  for (long i = 0; i < count; ++i) {
    sondar::SessionStart start;
    start.response_id = Uuid(rng);
    start.visitor_id = "visitor-" + std::to_string(rng() % 1000000);
    start.locale = rng() % 4 == 0 ? "fr-FR" : "en-US";
    start.trigger =
        survey->trigger.events.empty()
            ? ""
            : survey->trigger.events[rng() % survey->trigger.events.size()];
    start.page_url =
        "https://shop.example/order/" + std::to_string(i) + "?utm_source=mail";
    if (has_segment)
      start.hidden = {{"segment", rng() % 5 == 0 ? "vip" : "regular"}};
    start.started_at_ms =
        base + static_cast<std::int64_t>(rng() % (14LL * 86400000));
    auto session = sondar::Session::Start(survey, start);
    if (!session.ok()) {
      std::cerr << session.status().ToString() << "\n";
      return 1;
    }
    sondar::Session& s = session.value();
    const unsigned fate = rng() % 100;  // 85 complete, 10 partial, 5 dismissed
    std::int64_t now = start.started_at_ms;
    bool wrote_partial = false;
    while (s.state() == sondar::SessionState::kInProgress) {
      const sondar::Json view = s.View();
      const sondar::Json& q = view["question"];
      if (q["required"].as_bool() || rng() % 10) {
        if (!s.Answer(q["id"].as_string(), RandomAnswer(q, rng)).ok()) return 1;
      }
      now += 1000 + static_cast<std::int64_t>(rng() % 8000);
      if (fate >= 85 && view["progress"]["index"].as_int() == 1) {
        if (fate >= 95) (void)s.Dismiss();
        break;  // partial: the visitor left after the first question
      }
      if (!wrote_partial && rng() % 10 == 0) {
        // The widget sends partials as the visitor goes; the complete one
        // replaces them.
        out += s.Payload(now).dump();
        out += '\n';
        wrote_partial = true;
      }
      if (!s.Next().ok()) return 1;
    }
    out += s.Payload(now).dump();
    out += '\n';
    if (out.size() > (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
