// Response text -> validate against the order-nps fixture survey, as a
// collector would; what validates is normalised, aggregated, serialised and
// restored.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>

#include "sondar/sondar.h"

namespace {
const sondar::Survey* g_survey = nullptr;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::ifstream in(SONDAR_FIXTURES "/surveys/order_nps.json");
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = sondar::ParseSurvey(text.str());
  if (!parsed.ok()) std::abort();
  g_survey = new sondar::Survey(std::move(parsed).value());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto record = sondar::ValidateResponseText(*g_survey, text);
  if (!record.ok()) {
    (void)record.status().ToString();
    return 0;
  }
  const sondar::Json payload = sondar::ParseJson(text).value();
  // What the line scanner accepted, the document validator accepts alike.
  auto whole = sondar::ValidateResponse(*g_survey, payload);
  if (!whole.ok()) __builtin_trap();
  const sondar::ResponseRecord& a = record.value();
  const sondar::ResponseRecord& b = whole.value();
  if (a.response_id != b.response_id || a.status != b.status ||
      a.trigger != b.trigger || a.segment != b.segment ||
      a.submitted_at_ms != b.submitted_at_ms || a.values != b.values)
    __builtin_trap();
  (void)sondar::NormalizeResponse(*g_survey, payload).dump();
  sondar::Aggregate aggregate(*g_survey);
  aggregate.Add(record.value());
  auto restored = sondar::Aggregate::FromJson(*g_survey, aggregate.ToJson());
  if (!restored.ok() || restored->ToJson() != aggregate.ToJson())
    __builtin_trap();
  (void)restored->Summary().dump();
  return 0;
}
