// How every route answers: JSON bodies and refusals in the {"errors": [...]}
// shape the core uses.
#ifndef SONDAR_DEMO_COLLECTOR_REPLY_H_
#define SONDAR_DEMO_COLLECTOR_REPLY_H_

#include <string>

#include "http_codes.h"
#include "http_server.h"
#include "sondar/json.h"
#include "sondar/status.h"
#include "sondar/util.h"

namespace sondar::collector {

// What a client is told to wait while storage fails.
inline constexpr const char* kStorageRetryAfter = "5";

inline void Reply(http::Response& res, int status, const Json& body) {
  res.status = status;
  res.content_type = "application/json";
  res.body = body.dump();
}

// The same {"errors": [...]} shape as the core's, for failures the collector
// finds itself.
inline void Refuse(http::Response& res, int status, AnyCode code,
                   const char* path, const std::string& message) {
  res.status = status;
  res.content_type = "application/json";
  res.body = ErrorBody(code, path, message);
}

// 413 for too large, 400 for text that is not a usable JSON document, 422 for
// a document that is not a valid response.
// The `limit` parameter of a paged route: `fallback` when absent; false with
// a 400 answered when it is not a number from 1 to `max`.
inline bool Limit(const http::Request& req, http::Response& res, int fallback,
                  int max, int* limit) {
  *limit = fallback;
  if (!req.HasParam("limit")) return true;
  const std::string text = req.Param("limit");
  *limit = 0;
  if (!text.empty() && text.size() <= 4 &&
      text.find_first_not_of("0123456789") == std::string::npos)
    *limit = std::stoi(text);
  if (*limit >= 1 && *limit <= max) return true;
  Refuse(res, 400, ErrorCode::kInvalidValue, "limit",
         "must be a number from 1 to " + std::to_string(max));
  return false;
}

// An RFC 3339 time, null for 0 (never).
inline Json TimeOrNull(std::int64_t ms) {
  return ms > 0 ? Json(FormatTimestamp(ms)) : Json(nullptr);
}

inline int StatusFor(const Errors& errors) {
  const auto code = errors.front().code;
  if (code == ErrorCode::kTooLarge) return 413;
  if (code == ErrorCode::kTooDeep || code == ErrorCode::kInvalidJson)
    return 400;
  return 422;
}

}  // namespace sondar::collector

#endif  // SONDAR_DEMO_COLLECTOR_REPLY_H_
