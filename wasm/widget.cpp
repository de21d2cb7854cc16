// The module a shop page downloads: the handles of handles.h, exported
// as plain C functions for web/src/widget-core.js, so the page needs no
// embind runtime (20 KB of minified JS, a third of the widget's download).
//
// Strings go in as (pointer, length) of UTF-8 that JS wrote into memory from
// sondar_alloc; results come back as a NUL-terminated JSON envelope that stays
// valid until the next call (JSON text never holds a raw NUL: it is escaped).
#include <emscripten/emscripten.h>

#include <cstdlib>
#include <string>

#include "handles.h"

namespace {

using sondar::wasm::SessionHandle;
using sondar::wasm::SiteHandle;
using sondar::wasm::SurveyHandle;

std::string& Out() {
  static std::string out;
  return out;
}

const char* Return(std::string text) {
  Out() = std::move(text);
  return Out().c_str();
}

std::string In(const char* data, std::size_t size) {
  return std::string(data, size);
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE void* sondar_alloc(std::size_t size) {
  return std::malloc(size ? size : 1);
}
EMSCRIPTEN_KEEPALIVE void sondar_free(void* pointer) { std::free(pointer); }

EMSCRIPTEN_KEEPALIVE SiteHandle* sondar_site_new(const char* text,
                                                 std::size_t size, int single) {
  return new SiteHandle(In(text, size), single != 0);
}
EMSCRIPTEN_KEEPALIVE void sondar_site_delete(SiteHandle* site) { delete site; }
EMSCRIPTEN_KEEPALIVE const char* sondar_site_result(const SiteHandle* site) {
  return Return(site->result());
}
EMSCRIPTEN_KEEPALIVE const char* sondar_site_decide(const SiteHandle* site,
                                                    const char* context,
                                                    std::size_t size) {
  return Return(site->decide(In(context, size)));
}
EMSCRIPTEN_KEEPALIVE SurveyHandle* sondar_site_survey(const SiteHandle* site,
                                                      const char* text,
                                                      std::size_t size,
                                                      std::size_t index) {
  return new SurveyHandle(site->survey(index, In(text, size)));
}

EMSCRIPTEN_KEEPALIVE void sondar_survey_delete(SurveyHandle* survey) {
  delete survey;
}
EMSCRIPTEN_KEEPALIVE const char* sondar_survey_result(
    const SurveyHandle* survey) {
  return Return(survey->result());
}

EMSCRIPTEN_KEEPALIVE SessionHandle* sondar_session_new(
    const SurveyHandle* survey, const char* start, std::size_t size) {
  return new SessionHandle(*survey, In(start, size));
}
EMSCRIPTEN_KEEPALIVE void sondar_session_delete(SessionHandle* session) {
  delete session;
}
EMSCRIPTEN_KEEPALIVE const char* sondar_session_result(
    const SessionHandle* session) {
  return Return(session->result());
}
EMSCRIPTEN_KEEPALIVE const char* sondar_session_answer(SessionHandle* session,
                                                       const char* id,
                                                       std::size_t id_size,
                                                       const char* value,
                                                       std::size_t value_size) {
  return Return(session->answer(In(id, id_size), In(value, value_size)));
}
EMSCRIPTEN_KEEPALIVE const char* sondar_session_other(SessionHandle* session,
                                                      const char* id,
                                                      std::size_t id_size,
                                                      const char* text,
                                                      std::size_t text_size) {
  return Return(session->other(In(id, id_size), In(text, text_size)));
}
EMSCRIPTEN_KEEPALIVE const char* sondar_session_next(SessionHandle* session) {
  return Return(session->next());
}
EMSCRIPTEN_KEEPALIVE const char* sondar_session_back(SessionHandle* session) {
  return Return(session->back());
}
EMSCRIPTEN_KEEPALIVE const char* sondar_session_dismiss(
    SessionHandle* session) {
  return Return(session->dismiss());
}
EMSCRIPTEN_KEEPALIVE const char* sondar_session_view(
    const SessionHandle* session) {
  return Return(session->view());
}
EMSCRIPTEN_KEEPALIVE const char* sondar_session_payload(
    const SessionHandle* session, double now_ms) {
  return Return(session->payload(now_ms));
}

}  // extern "C"
