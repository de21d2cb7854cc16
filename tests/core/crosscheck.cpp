// Prints, as one JSON document, what the native core answers on every shared
// fixture, so tests/wasm/core.test.mjs can demand the same answers, byte for
// byte, from the wasm build.
//   sondar_crosscheck FIXTURES_DIR
#include <fstream>
#include <iostream>
#include <sstream>

#include "sondar/sondar.h"

using sondar::Json;

namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

sondar::Json Parse(const std::string& path) {
  return sondar::ParseJson(Read(path)).value();
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
  Json out;

  out["invalidSurveys"] = Json::array();
  const Json invalid_surveys = Parse(dir + "/invalid_surveys.json");
  for (const Json& c : invalid_surveys.as_array()) {
    out["invalidSurveys"].push_back(
        sondar::ErrorsToJson(sondar::ParseSurvey(c["survey"].dump()).errors()));
  }

  out["decide"] = Json::array();
  const Json decide_cases = Parse(dir + "/decide_cases.json");
  for (const Json& c : decide_cases.as_array()) {
    sondar::Survey survey = Load(dir, c["survey"].as_string());
    out["decide"].push_back(
        sondar::Decide(survey, sondar::ParseDecideContext(c["context"]).value())
            .ToJson());
  }

  out["invalidSites"] = Json::array();
  const Json invalid_sites = Parse(dir + "/invalid_sites.json");
  for (const Json& c : invalid_sites.as_array()) {
    out["invalidSites"].push_back(
        sondar::ErrorsToJson(sondar::ParseSite(c["site"].dump()).errors()));
  }
  out["siteDecide"] = Json::array();
  const sondar::Site shop =
      sondar::ParseSite(Read(dir + "/sites/shop.json")).value();
  const Json site_cases = Parse(dir + "/site_decide_cases.json");
  for (const Json& c : site_cases.as_array()) {
    out["siteDecide"].push_back(
        sondar::DecideSite(shop,
                           sondar::ParseDecideContext(c["context"]).value())
            .ToJson(shop));
  }

  const Json responses = Parse(dir + "/responses.json");
  sondar::Survey order = Load(dir, responses["survey"].as_string());
  out["responsesValid"] = Json::array();
  for (const Json& c : responses["valid"].as_array()) {
    out["responsesValid"].push_back(
        sondar::NormalizeResponse(order, c["payload"]));
  }
  out["responsesInvalid"] = Json::array();
  for (const Json& c : responses["invalid"].as_array()) {
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
  // Recall: the views of one session through help_ces, values filled and not.
  out["recallViews"] = Json::array();
  const Json recall_cases = Parse(dir + "/recall_cases.json");
  for (const Json& c : recall_cases.as_array()) {
    auto survey = sondar::SurveyPtr::Make(Load(dir, c["survey"].as_string()));
    auto start = sondar::ParseSessionStart(c["start"]).value();
    sondar::Session session = sondar::Session::Start(survey, start).value();
    Json views = Json::array();
    views.push_back(session.View());
    for (const Json& answer : c["answers"].as_array()) {
      (void)session.Answer(answer[0].as_string(), answer[1]);
      (void)session.Next();
      views.push_back(session.View());
    }
    out["recallViews"].push_back(std::move(views));
  }
  std::cout << out.dump() << "\n";
  return 0;
}
