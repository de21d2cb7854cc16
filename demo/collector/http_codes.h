// The collector's own error codes (core/error_codes.json lists them with the
// core's and the widget's); answers carry them as {"errors": [{code, ...}]}.
#ifndef SONDAR_DEMO_COLLECTOR_HTTP_CODES_H_
#define SONDAR_DEMO_COLLECTOR_HTTP_CODES_H_

#include <string>
#include <string_view>

#include "sondar/json.h"
#include "sondar/status.h"

namespace sondar::collector {

enum class HttpCode {
#define SONDAR_HTTP_CODE(name, text) name,
#include "http_codes.inc"
#undef SONDAR_HTTP_CODE
};

inline std::string_view CodeName(HttpCode code) {
  switch (code) {
#define SONDAR_HTTP_CODE(name, text) \
  case HttpCode::name:               \
    return text;
#include "http_codes.inc"
#undef SONDAR_HTTP_CODE
  }
  return "bad_request";
}

// What an answer's "code" may be: the collector's own, or the core's.
struct AnyCode {
  AnyCode(HttpCode code) : name(CodeName(code)) {}           // NOLINT: implicit
  AnyCode(ErrorCode code) : name(sondar::CodeName(code)) {}  // NOLINT
  std::string_view name;
};

// {"errors": [{code, path, message}]}: the shape of every refusal, the
// collector's and the core's alike.
inline Json ErrorJson(AnyCode code, std::string_view path,
                      const std::string& message) {
  return Json{{"errors",
               {{{"code", std::string(code.name)},
                 {"path", std::string(path)},
                 {"message", message}}}}};
}
inline std::string ErrorBody(AnyCode code, std::string_view path,
                             const std::string& message) {
  return ErrorJson(code, path, message).dump();
}

}  // namespace sondar::collector

#endif  // SONDAR_DEMO_COLLECTOR_HTTP_CODES_H_
