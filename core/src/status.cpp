#include "sondar/status.h"

#include "sondar/json.h"
#include "sondar/util.h"

namespace sondar {

std::string_view CodeName(ErrorCode code) {
  // In the order of the enum, so the code is the index (util.h NthWord).
  constexpr std::string_view kNames =
#define SONDAR_ERROR_CODE(name, text) text " "
#include "sondar/error_codes.inc"
#undef SONDAR_ERROR_CODE
      ;
  const std::string_view name = NthWord(kNames, static_cast<std::size_t>(code));
  return name.empty() ? "internal" : name;
}

Json ErrorsToJson(const Errors& errors) {
  Json out = Json::array();
  for (const Error& e : errors) {
    Json& one = out.push_back(Json::object());
    one["code"] = CodeName(e.code);
    one["path"] = e.path;
    one["message"] = e.message;
  }
  return out;
}

#ifdef SONDAR_NO_MESSAGES
// Out of line: the places the empty message is made.
void AddError(Errors* errors, ErrorCode code, std::string path, NoMessage) {
  errors->push_back({code, std::move(path), std::string()});
}
Status::Status(ErrorCode code, std::string path, NoMessage) {
  AddError(&errors_, code, std::move(path), NoMessage());
}
#endif

namespace internal {

ResultStatus::ResultStatus(Status status) : status_(std::move(status)) {
  if (status_.ok()) {
    status_ = Status(ErrorCode::kInternal, "",
                     SONDAR_MESSAGE("a Result was made from an OK status"));
  }
}

ResultStatus::ResultStatus(Errors errors)
    : ResultStatus(Status(std::move(errors))) {}

}  // namespace internal

std::string Error::ToString() const {
  return path.empty() ? message : path + ": " + message;
}

std::string Status::ToString() const {
  std::string out;
  for (const Error& e : errors_) {
    if (!out.empty()) out += '\n';
    out += e.ToString();
  }
  return out;
}

}  // namespace sondar
