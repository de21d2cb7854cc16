// embind bindings of the handles (handles.h) for "sondar/core": classes with
// delete(), which the JS wrapper (web/src/core-api.js) calls explicitly and
// through a FinalizationRegistry.
#include <emscripten/bind.h>

#include <string>

#include "handles.h"

namespace sondar::wasm {
namespace {

int samplingBucket(const std::string& visitor_id,
                   const std::string& survey_id) {
  return SamplingBucket(visitor_id, survey_id);
}

// A manifest entry with the rules of its survey (sondar::WithRulesOf): what
// the collector serves. Text that is not JSON comes back unchanged; the callers
// hand over documents they have just serialised.
std::string withRulesOf(const std::string& entry, const std::string& survey) {
  auto e = ParseJson(entry, kMaxSiteBytes, kMaxJsonDepth);
  auto s = ParseJson(survey, kMaxSurveyBytes, kMaxJsonDepth);
  if (!e.ok() || !s.ok()) return entry;
  return WithRulesOf(std::move(e).value(), s.value()).dump();
}

}  // namespace

EMSCRIPTEN_BINDINGS(sondar) {
  using emscripten::class_;
  class_<SurveyHandle>("Survey")
      .constructor<const std::string&>()
      .function("result", &SurveyHandle::result)
      .function("decide", &SurveyHandle::decide)
      .function("validateResponse", &SurveyHandle::validateResponse);
  class_<SiteHandle>("Site")
      .constructor<const std::string&, bool>()
      .function("result", &SiteHandle::result)
      .function("decide", &SiteHandle::decide)
      .function("survey", &SiteHandle::survey);
  class_<SessionHandle>("Session")
      .constructor<const SurveyHandle&, const std::string&>()
      .function("result", &SessionHandle::result)
      .function("answer", &SessionHandle::answer)
      .function("other", &SessionHandle::other)
      .function("next", &SessionHandle::next)
      .function("back", &SessionHandle::back)
      .function("dismiss", &SessionHandle::dismiss)
      .function("view", &SessionHandle::view)
      .function("payload", &SessionHandle::payload);
  class_<AggregateHandle>("Aggregate")
      .constructor<const SurveyHandle&>()
      .function("add", &AggregateHandle::add)
      .function("merge", &AggregateHandle::merge)
      .function("toJson", &AggregateHandle::toJson)
      .function("summary", &AggregateHandle::summary);
  emscripten::function("samplingBucket", &samplingBucket);
  emscripten::function("withRulesOf", &withRulesOf);
}

}  // namespace sondar::wasm
