// Prints, as one JSON document, what the native core answers on every shared
// fixture, so tests/wasm/core.test.mjs can demand the same answers, byte for
// byte, from the wasm build.
//   sondar_crosscheck FIXTURES_DIR
#include <fstream>
#include <iostream>
#include <sstream>

#include "sondar/sondar.h"

using sondar::json;

namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

sondar::Survey Load(const std::string& dir, const std::string& name) {
  return sondar::ParseSurvey(Read(dir + "/surveys/" + name + ".json")).value();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: sondar_crosscheck FIXTURES_DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  json out;

  out["invalidSurveys"] = json::array();
  for (const json& c : json::parse(Read(dir + "/invalid_surveys.json"))) {
    out["invalidSurveys"].push_back(
        sondar::ErrorsToJson(sondar::ParseSurvey(c["survey"].dump()).errors()));
  }

  out["decide"] = json::array();
  for (const json& c : json::parse(Read(dir + "/decide_cases.json"))) {
    sondar::Survey survey = Load(dir, c["survey"]);
    out["decide"].push_back(
        sondar::Decide(survey, sondar::ParseDecideContext(c["context"]).value())
            .ToJson());
  }

  const json responses = json::parse(Read(dir + "/responses.json"));
  sondar::Survey order = Load(dir, responses["survey"]);
  out["responsesValid"] = json::array();
  for (const json& c : responses["valid"]) {
    out["responsesValid"].push_back(
        sondar::NormalizeResponse(order, c["payload"]));
  }
  out["responsesInvalid"] = json::array();
  for (const json& c : responses["invalid"]) {
    out["responsesInvalid"].push_back(sondar::ErrorsToJson(
        sondar::ValidateResponse(order, c["payload"]).errors()));
  }

  sondar::Aggregate aggregate(order);
  std::istringstream lines(Read(dir + "/responses_sample.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    auto record = sondar::ValidateResponseText(order, line);
    if (record.ok()) aggregate.Add(record.value());
  }
  out["sampleAggregate"] = aggregate.ToJson();
  out["sampleSummary"] = aggregate.Summary();
  std::cout << out.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
  return 0;
}
