// sondar-collector: the reference receiver. Validates every posted response
// against its survey with the core (a forged nps 42 gets 422), upserts by
// responseId into SQLite, and serves summaries, a JSONL export, the surveys,
// the demo shop and the widget build.
//   sondar-collector --surveys demo/surveys --db sondar.db --port 8787
// cpp-httplib's default accept backlog is 5: a page load opens many connections
// at once, and a burst of new ones beyond that waits on SYN retransmits. The
// kernel caps this at somaxconn.
#define CPPHTTPLIB_LISTEN_BACKLOG 512
#include <httplib.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "sondar/sondar.h"
#include "store.h"

namespace {

using sondar::Json;
namespace fs = std::filesystem;

struct Config {
  std::string bind = "127.0.0.1";
  int port = 8787;
  std::string db = "sondar.db";
  std::string surveys = "demo/surveys";
  std::vector<std::string> origins;
  std::vector<std::string> mounts;  // "PREFIX=DIR"
  std::size_t max_body = sondar::kMaxResponseBytes;
};

void Reply(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

// The same {"errors": [...]} shape as the core's, for failures the collector
// finds itself.
void Refuse(httplib::Response& res, int status, const char* code,
            const char* path, const std::string& message) {
  Reply(res, status,
        {{"errors", {{{"code", code}, {"path", path}, {"message", message}}}}});
}

// 413 for too large, 400 for text that is not a usable JSON document, 422 for
// a document that is not a valid response.
int StatusFor(const sondar::Errors& errors) {
  const auto code = errors.front().code;
  if (code == sondar::ErrorCode::kTooLarge) return 413;
  if (code == sondar::ErrorCode::kTooDeep ||
      code == sondar::ErrorCode::kInvalidJson)
    return 400;
  return 422;
}

class Collector {
 public:
  Collector(
      Config config,
      std::map<std::string, std::shared_ptr<const sondar::Survey>> surveys,
      std::map<std::string, std::string> survey_texts,
      std::unique_ptr<sondar::collector::Store> store)
      : config_(std::move(config)),
        surveys_(std::move(surveys)),
        survey_texts_(std::move(survey_texts)),
        store_(std::move(store)),
        origins_(config_.origins.begin(), config_.origins.end()) {}

  void Routes(httplib::Server& server) {
    // cpp-httplib writes headers and body separately; with Nagle on, every
    // response waited for the client's delayed ACK (~40 ms per POST from
    // browsers and Node).
    server.set_tcp_nodelay(true);
    // One worker serves one keep-alive connection until it idles out: with the
    // default 8 workers and 5 s, the ninth concurrent client waited seconds.
    // More workers, shorter idle.
    server.new_task_queue = [] { return new httplib::ThreadPool(64); };
    server.set_keep_alive_timeout(1);
    server.set_payload_max_length(
        config_.max_body);  // larger bodies get 413 before we see them
    server.set_pre_routing_handler(
        [this](const httplib::Request& req, httplib::Response& res) {
          Cors(req, res);
          if (req.method == "OPTIONS") {
            res.status = 204;
            return httplib::Server::HandlerResponse::Handled;
          }
          return httplib::Server::HandlerResponse::Unhandled;
        });
    server.Post("/api/responses",
                [this](const httplib::Request& req, httplib::Response& res) {
                  Post(req, res);
                });
    server.Get("/api/summary",
               [this](const httplib::Request& req, httplib::Response& res) {
                 Summary(req, res);
               });
    server.Get("/api/export.jsonl",
               [this](const httplib::Request& req, httplib::Response& res) {
                 Export(req, res);
               });
    server.Get("/api/surveys",
               [this](const httplib::Request&, httplib::Response& res) {
                 Json list = Json::array();
                 for (const auto& [id, survey] : surveys_)
                   list.push_back({{"id", id}, {"version", survey->version}});
                 Reply(res, 200, list);
               });
    server.Get(R"(/api/surveys/([A-Za-z0-9_.:-]+)\.json)",
               [this](const httplib::Request& req, httplib::Response& res) {
                 auto it = survey_texts_.find(req.matches[1]);
                 if (it == survey_texts_.end())
                   return Refuse(res, 404, "unknown_survey", "",
                                 "no such survey");
                 res.set_content(it->second, "application/json");
               });
    server.Get(
        "/api/health", [this](const httplib::Request&, httplib::Response& res) {
          Reply(res, 200, {{"ok", true}, {"responses", store_->Count()}});
        });
  }

 private:
  void Cors(const httplib::Request& req, httplib::Response& res) {
    const std::string origin = req.get_header_value("Origin");
    if (origin.empty() || !(origins_.count("*") || origins_.count(origin)))
      return;
    res.set_header("Access-Control-Allow-Origin",
                   origins_.count("*") ? "*" : origin);
    res.set_header("Vary", "Origin");
    res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    res.set_header("Access-Control-Allow-Headers",
                   "Content-Type, Idempotency-Key");
    res.set_header("Access-Control-Max-Age", "600");
  }

  void Post(const httplib::Request& req, httplib::Response& res) {
    // The core's limits apply before anything else looks at the body.
    auto parsed = sondar::ParseJson(req.body, sondar::kMaxResponseBytes,
                                    sondar::kMaxResponseDepth);
    if (!parsed.ok()) {
      return Reply(res, StatusFor(parsed.errors()),
                   {{"errors", sondar::ErrorsToJson(parsed.errors())}});
    }
    const Json& payload = parsed.value();
    if (!payload.is_object()) {
      return Refuse(res, 400, "invalid_json", "",
                    "the body is not a JSON object");
    }
    const Json* id = payload.find("surveyId");
    const std::string survey_id = id ? id->as_string() : "";
    auto survey = surveys_.find(survey_id);
    if (survey == surveys_.end()) {
      return Refuse(res, 422, "unknown_survey", "surveyId",
                    "no survey \"" + survey_id + "\" here");
    }
    auto record = sondar::ValidateResponse(*survey->second, payload);
    if (!record.ok()) {
      return Reply(res, StatusFor(record.errors()),
                   {{"errors", sondar::ErrorsToJson(record.errors())}});
    }
    const std::string stored =
        sondar::NormalizeResponse(*survey->second, payload).dump();
    switch (store_->Upsert(record.value(), survey_id, stored)) {
      case sondar::collector::Store::Outcome::kInserted:
        return Reply(
            res, 201,
            {{"responseId", record->response_id}, {"stored", "inserted"}});
      case sondar::collector::Store::Outcome::kReplaced:
        return Reply(
            res, 200,
            {{"responseId", record->response_id}, {"stored", "replaced"}});
      case sondar::collector::Store::Outcome::kKept:
        // Not an error: an older version of a response we already hold a better
        // one of.
        return Reply(
            res, 200,
            {{"responseId", record->response_id}, {"stored", "kept_newer"}});
      case sondar::collector::Store::Outcome::kFailed:
        return Refuse(res, 503, "storage", "", "could not store; retry");
    }
  }

  void Summary(const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.get_param_value("survey");
    auto survey = surveys_.find(id);
    if (survey == surveys_.end()) {
      return Refuse(res, 404, "unknown_survey", "survey",
                    "no survey \"" + id + "\" here");
    }
    double confidence = sondar::kDefaultConfidence;
    if (req.has_param("confidence"))
      confidence = std::atof(req.get_param_value("confidence").c_str());
    if (!(confidence > 0.5 && confidence < 0.9999))
      confidence = sondar::kDefaultConfidence;
    sondar::Aggregate aggregate(*survey->second);
    store_->ForEach(id, [&](const std::string& payload) {
      auto record = sondar::ValidateResponseText(*survey->second, payload);
      if (record.ok()) aggregate.Add(record.value());
    });
    Reply(res, 200, aggregate.Summary(confidence));
  }

  void Export(const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.get_param_value("survey");
    res.set_chunked_content_provider(
        "application/x-ndjson",
        [this, id](std::size_t, httplib::DataSink& sink) {
          store_->ForEach(id, [&](const std::string& payload) {
            sink.write(payload.data(), payload.size());
            sink.write("\n", 1);
          });
          sink.done();
          return true;
        });
  }

  Config config_;
  std::map<std::string, std::shared_ptr<const sondar::Survey>> surveys_;
  std::map<std::string, std::string> survey_texts_;
  std::unique_ptr<sondar::collector::Store> store_;
  std::set<std::string> origins_;
};

}  // namespace

int main(int argc, char** argv) {
  Config config;
  CLI::App app{
      "sondar-collector: receives, validates and stores survey responses"};
  app.add_option("--bind", config.bind, "Address to listen on")
      ->capture_default_str();
  app.add_option("--port", config.port, "Port (0 picks a free one)")
      ->capture_default_str();
  app.add_option("--db", config.db, "SQLite database file")
      ->capture_default_str();
  app.add_option("--surveys", config.surveys, "Folder of survey JSON files")
      ->capture_default_str();
  app.add_option("--origin", config.origins,
                 "Origin allowed to POST cross-site (repeat; * for any)");
  app.add_option("--mount", config.mounts,
                 "Serve a folder: PREFIX=DIR (repeat)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  std::map<std::string, std::shared_ptr<const sondar::Survey>> surveys;
  std::map<std::string, std::string> texts;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(config.surveys, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto survey = sondar::ParseSurvey(text.str());
    if (!survey.ok()) {
      std::cerr << entry.path().string() << " is not a valid survey:\n"
                << survey.status().ToString() << "\n";
      return 1;
    }
    const std::string id = survey->id;  // read before the move below
    texts[id] = text.str();
    surveys[id] =
        std::make_shared<const sondar::Survey>(std::move(survey).value());
  }
  if (ec || surveys.empty()) {
    std::cerr << "sondar-collector: no surveys in " << config.surveys << "\n";
    return 1;
  }
  std::string error;
  auto store = sondar::collector::Store::Open(config.db, &error);
  if (!store) {
    std::cerr << "sondar-collector: " << error << "\n";
    return 1;
  }

  // Signals are taken by one thread with sigwait, which may call stop() safely;
  // a plain handler could not.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  httplib::Server server;
  Collector collector(config, std::move(surveys), std::move(texts),
                      std::move(store));
  collector.Routes(server);
  for (const std::string& mount : config.mounts) {
    const auto eq = mount.find('=');
    if (eq == std::string::npos ||
        !server.set_mount_point(mount.substr(0, eq), mount.substr(eq + 1))) {
      std::cerr << "sondar-collector: bad --mount " << mount
                << " (PREFIX=DIR, DIR must exist)\n";
      return 2;
    }
  }
  server.set_file_extension_and_mimetype_mapping("wasm", "application/wasm");
  server.set_file_extension_and_mimetype_mapping("mjs", "text/javascript");

  const int port =
      config.port == 0
          ? server.bind_to_any_port(config.bind)
          : (server.bind_to_port(config.bind, config.port) ? config.port : -1);
  if (port < 0) {
    std::cerr << "sondar-collector: cannot listen on " << config.bind << ":"
              << config.port << "\n";
    return 1;
  }
  std::thread stopper([&server, signals]() {
    int signal = 0;
    sigwait(&signals, &signal);
    server.stop();
  });
  std::cout << "sondar-collector listening on http://" << config.bind << ":"
            << port << " (database " << config.db << ")" << std::endl;
  server.listen_after_bind();
  // Wake the signal thread if the server stopped on its own.
  if (stopper.joinable()) {
    pthread_kill(stopper.native_handle(), SIGTERM);
    stopper.join();
  }
  std::cout << "sondar-collector stopped" << std::endl;
  return 0;  // the Store closes the database (and checkpoints the WAL) on
             // destruction
}
