// How every route answers: JSON bodies and refusals in the {"errors": [...]}
// shape the core uses.
#ifndef SONDAR_DEMO_COLLECTOR_REPLY_H_
#define SONDAR_DEMO_COLLECTOR_REPLY_H_

#include <string>

#include "http_codes.h"
#include "http_server.h"
#include "sondar/json.h"
#include "sondar/status.h"

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
inline int StatusFor(const Errors& errors) {
  const auto code = errors.front().code;
  if (code == ErrorCode::kTooLarge) return 413;
  if (code == ErrorCode::kTooDeep || code == ErrorCode::kInvalidJson)
    return 400;
  return 422;
}

}  // namespace sondar::collector

#endif  // SONDAR_DEMO_COLLECTOR_REPLY_H_
