#include "sondar/status.h"

namespace sondar {

std::string_view CodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidJson:
      return "invalid_json";
    case ErrorCode::kTooLarge:
      return "too_large";
    case ErrorCode::kTooDeep:
      return "too_deep";
    case ErrorCode::kWrongType:
      return "wrong_type";
    case ErrorCode::kMissingField:
      return "missing_field";
    case ErrorCode::kUnknownField:
      return "unknown_field";
    case ErrorCode::kInvalidValue:
      return "invalid_value";
    case ErrorCode::kUnknownType:
      return "unknown_type";
    case ErrorCode::kDuplicateId:
      return "duplicate_id";
    case ErrorCode::kUnknownReference:
      return "unknown_reference";
    case ErrorCode::kForwardReference:
      return "forward_reference";
    case ErrorCode::kLoop:
      return "loop";
    case ErrorCode::kInvalidScale:
      return "invalid_scale";
    case ErrorCode::kMissingText:
      return "missing_text";
    case ErrorCode::kOutOfRange:
      return "out_of_range";
    case ErrorCode::kNotAnOption:
      return "not_an_option";
    case ErrorCode::kTooLong:
      return "too_long";
    case ErrorCode::kRequired:
      return "required";
    case ErrorCode::kNotCurrent:
      return "not_current";
    case ErrorCode::kFinished:
      return "finished";
    case ErrorCode::kSchemaMismatch:
      return "schema_mismatch";
    case ErrorCode::kMismatch:
      return "mismatch";
    case ErrorCode::kNotOnPath:
      return "not_on_path";
    case ErrorCode::kIncompatible:
      return "incompatible";
  }
  return "unknown";
}

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
