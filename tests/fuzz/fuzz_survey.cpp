// Survey text -> parse + validate; whatever validates is then driven through a
// session (answers drawn from the same input), eligibility and aggregation, so
// every later stage also meets the strangest valid surveys the fuzzer can
// build.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "sondar/sondar.h"

namespace {

sondar::Json AnswerFrom(const sondar::Json& question, std::uint8_t byte) {
  if (question["type"] == "contact") {
    sondar::Json answer = {{"consent", byte % 2 == 1}};
    if (byte % 4 == 1) answer["email"] = "ada@example.org";
    return answer;
  }
  if (question.contains("scale"))
    return static_cast<int>(byte % 13) - 1;  // also out of range
  if (question.contains("options")) {
    const auto& options = question["options"];
    if (question["type"] == "multi_choice")
      return sondar::Json::array({options[byte % options.size()]["id"]});
    return options[byte % options.size()]["id"];
  }
  return std::string(byte % 40, 'x');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = sondar::ParseSurvey(text);
  if (!parsed.ok()) {
    (void)parsed.status().ToString();
    return 0;
  }
  auto survey = sondar::SurveyPtr::Make(std::move(parsed).value());

  sondar::DecideContext context;
  context.event =
      survey->trigger.events.empty() ? "" : survey->trigger.events.front();
  context.url = "https://shop.example/order/1?x=1";
  context.visitor_id = "visitor-1";
  context.locale = "fr-CA";
  context.attributes = {{"segment", "vip"}, {"orders_count", 3}};
  context.history.push_back({survey->id, sondar::HistoryKind::kDisplay, 0});
  context.now_ms = 1767225600000;
  (void)sondar::Decide(*survey, context).ToJson();

  sondar::SessionStart start;
  start.response_id = "3b241101-e2bb-4255-8caf-4136c566a962";
  start.visitor_id = "visitor-1";
  start.locale = "fr-CA";
  start.started_at_ms = 1767225600000;
  start.attributes = {{"first_name", "Ada"}, {"segment", "vip"}};
  auto session = sondar::Session::Start(survey, start);
  if (!session.ok()) return 0;
  sondar::Session& s = session.value();
  for (std::size_t step = 0; step < 2 * survey->questions.size() + 2 &&
                             s.state() == sondar::SessionState::kInProgress;
       ++step) {
    sondar::Json view = s.View();
    const std::uint8_t byte = size ? data[step % size] : 0;
    const std::string id = view["question"]["id"].as_string();
    (void)s.Answer(id, AnswerFrom(view["question"], byte));
    if (byte % 3 == 0) (void)s.AnswerOther(id, std::string(byte % 9, 'o'));
    if (byte % 7 == 0) (void)s.Back();
    (void)s.Next();
  }
  (void)s.View();
  sondar::Json payload = s.Payload(1767225660000);
  // What a session produces must always validate against its own survey.
  auto record = sondar::ValidateResponse(*survey, payload);
  if (!record.ok()) __builtin_trap();
  sondar::Aggregate aggregate(*survey);
  aggregate.Add(record.value());
  auto restored = sondar::Aggregate::FromJson(*survey, aggregate.ToJson());
  if (!restored.ok()) __builtin_trap();
  (void)restored->Summary().dump();
  return 0;
}
