// What a valid answer and a valid hidden value are: checked alike for a
// session's answers, a posted response and the report's lines.
#include "answers.h"

#include <cstdint>

#include "json_reader.h"

namespace sondar {

namespace internal {

Status CheckHidden(const Survey& survey, const Json& hidden) {
  Errors errors;
  if (!hidden.is_object()) {
    return Status(
        ErrorCode::kWrongType, "hidden",
        SONDAR_MESSAGE("must be an object (got " + Describe(hidden) + ")"));
  }
  for (const auto& [key, value] : hidden.as_object()) {
    bool declared = false;
    for (const std::string& name : survey.hidden)
      declared = declared || name == key;
    // The path is built only for a field that fails: this runs per response.
    auto path = [&key = key] { return internal::PathKey("hidden", key); };
    if (!declared) {
      AddError(&errors, ErrorCode::kUnknownField, path(),
               SONDAR_MESSAGE("is not a hidden field of survey \"" + survey.id +
                              "\""));
    } else if (!(value.is_string() || value.is_number() ||
                 value.is_boolean())) {
      AddError(&errors, ErrorCode::kWrongType, path(),
               SONDAR_MESSAGE("must be a string, number or boolean (got " +
                              Describe(value) + ")"));
    } else if (value.is_string() &&
               value.as_string().size() > kMaxHiddenValueLength) {
      AddError(&errors, ErrorCode::kTooLong, path(),
               SONDAR_MESSAGE("is longer than " +
                              internal::Str(kMaxHiddenValueLength) + " bytes"));
    }
  }
  return Status(std::move(errors));
}

}  // namespace internal

bool IsEmail(std::string_view s) {
  const std::size_t at = s.find('@');
  if (s.size() > kMaxEmailLength || at == 0 || at == std::string_view::npos ||
      s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = s.substr(at + 1);
  const std::size_t dot = domain.rfind('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 1 == domain.size())
    return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
  }
  return true;
}

Status CheckAnswer(const Question& q, const Json& value,
                   const std::string& path) {
  using internal::Describe;
  switch (q.type) {
    case QuestionType::kNps:
    case QuestionType::kCsat:
    case QuestionType::kCes:
    case QuestionType::kRating: {
      auto n = internal::AsInteger(value);
      if (!value.is_number() || !n) {
        return Status(ErrorCode::kWrongType, path,
                      SONDAR_MESSAGE("must be a whole number from " +
                                     internal::Str(q.scale->min) + " to " +
                                     internal::Str(q.scale->max) + " (got " +
                                     Describe(value) + ")"));
      }
      if (*n < q.scale->min || *n > q.scale->max) {
        return Status(
            ErrorCode::kOutOfRange, path,
            SONDAR_MESSAGE("must be from " + internal::Str(q.scale->min) +
                           " to " + internal::Str(q.scale->max) + " (got " +
                           Describe(value) + ")"));
      }
      return Status();
    }
    case QuestionType::kSingleChoice:
      if (!value.is_string()) {
        return Status(ErrorCode::kWrongType, path,
                      SONDAR_MESSAGE("must be an option id string (got " +
                                     Describe(value) + ")"));
      }
      if (q.OptionIndex(value.as_string()) < 0) {
        return Status(ErrorCode::kNotAnOption, path,
                      SONDAR_MESSAGE(Describe(value) +
                                     " is not an option of \"" + q.id + "\""));
      }
      return Status();
    case QuestionType::kMultiChoice: {
      if (!value.is_array()) {
        return Status(ErrorCode::kWrongType, path,
                      SONDAR_MESSAGE("must be an array of option ids (got " +
                                     Describe(value) + ")"));
      }
      Errors errors;
      static_assert(kMaxOptions <= 64, "one bit per option");
      std::uint64_t seen = 0;
      for (std::size_t i = 0; i < value.size(); ++i) {
        const Json& v = value[i];
        const int option = v.is_string() ? q.OptionIndex(v.as_string()) : -1;
        if (option >= 0 && !(seen & (std::uint64_t{1} << option))) {
          seen |= std::uint64_t{1} << option;
          continue;  // the common case: no message, no path
        }
        const std::string here = internal::PathIndex(path, i);
        if (!v.is_string()) {
          AddError(&errors, ErrorCode::kWrongType, here,
                   SONDAR_MESSAGE("must be an option id string (got " +
                                  Describe(v) + ")"));
        } else if (option < 0) {
          AddError(&errors, ErrorCode::kNotAnOption, here,
                   SONDAR_MESSAGE(Describe(v) + " is not an option of \"" +
                                  q.id + "\""));
        } else {
          AddError(&errors, ErrorCode::kDuplicateId, here,
                   SONDAR_MESSAGE(Describe(v) + " is chosen twice"));
        }
      }
      if (q.max_select > 0 &&
          value.size() > static_cast<std::size_t>(q.max_select)) {
        AddError(&errors, ErrorCode::kOutOfRange, path,
                 SONDAR_MESSAGE("at most " + internal::Str(q.max_select) +
                                " options may be chosen (got " +
                                internal::Str(value.size()) + ")"));
      }
      return Status(std::move(errors));
    }
    case QuestionType::kText: {
      if (!value.is_string()) {
        return Status(
            ErrorCode::kWrongType, path,
            SONDAR_MESSAGE("must be a string (got " + Describe(value) + ")"));
      }
      auto length = internal::Utf8Length(value.as_string());
      if (!length)
        return Status(ErrorCode::kInvalidValue, path,
                      SONDAR_MESSAGE("is not valid UTF-8"));
      if (*length > static_cast<std::size_t>(q.max_length)) {
        return Status(
            ErrorCode::kTooLong, path,
            SONDAR_MESSAGE("is " + internal::Str(*length) +
                           " characters; at most " +
                           internal::Str(q.max_length) + " are allowed"));
      }
      return Status();
    }
    case QuestionType::kContact: {
      const Json* consent = value.find("consent");
      const Json* email = value.find("email");
      if (!value.is_object() || !consent || !consent->is_boolean() ||
          value.size() != 1u + (email != nullptr)) {
        return Status(
            ErrorCode::kWrongType, path,
            SONDAR_MESSAGE("must be {\"consent\": true or false} with an "
                           "\"email\" when one is asked for (got " +
                           Describe(value) + ")"));
      }
      const std::string at = internal::PathKey(path, "email");
      if (email && !(consent->as_bool() && q.ask_email)) {
        return Status(
            ErrorCode::kInvalidValue, at,
            SONDAR_MESSAGE(consent->as_bool()
                               ? "is not asked for by this question"
                               : "must be left out when consent is false"));
      }
      if (!email && consent->as_bool() && q.ask_email) {
        return Status(ErrorCode::kRequired, at,
                      SONDAR_MESSAGE("is required with consent"));
      }
      if (email && (!email->is_string() || !IsEmail(email->as_string()))) {
        return Status(ErrorCode::kInvalidValue, at,
                      SONDAR_MESSAGE("must be an e-mail address (got " +
                                     Describe(*email) + ")"));
      }
      return Status();
    }
  }
  return Status();
}

}  // namespace sondar
