// The survey parser (survey_parser.h), part: questions: type, prompt, scale,
// options.
#include <algorithm>
#include <cmath>
#include <map>

#include "json_reader.h"
#include "sondar/util.h"
#include "survey_parser.h"

namespace sondar::internal {

void Parser::ParseQuestion(const Json& q, const std::string& path, int index,
                           Question* out) {
  recall_limit_ = index;
  typed_.push_back(false);
  if (!r_.ExpectObject(q, path)) return;
  r_.CheckKeys(q, path,
               "id type prompt description required scale options shuffle "
               "maxSelect maxLength placeholder email showIf logic");
  if (auto id = r_.String(q, path, "id", true)) {
    if (!IsId(*id)) {
      r_.Fail(
          ErrorCode::kInvalidValue, PathKey(path, "id"),
          SONDAR_MESSAGE(
              "must be 1-64 characters of letters, digits, _ - . : (got \"" +
              *id + "\")"));
    }
    out->id = *id;
  }
  bool type_ok = false;
  if (auto type = r_.String(q, path, "type", true)) {
    if (auto t = ParseType(*type)) {
      out->type = *t;
      type_ok = true;
    } else {
      r_.Fail(ErrorCode::kUnknownType, PathKey(path, "type"),
              SONDAR_MESSAGE("unknown question type \"" + *type +
                             "\" (expected one of " + TypeList() + ")"));
    }
  }
  out->prompt = Text(q, path, "prompt", true);
  out->description = Text(q, path, "description", false);
  if (auto required = r_.Bool(q, path, "required")) out->required = *required;
  typed_.back() = type_ok;
  if (!type_ok) return;

  const QuestionType t = out->type;
  const bool has_scale = t == QuestionType::kNps || t == QuestionType::kCsat ||
                         t == QuestionType::kCes || t == QuestionType::kRating;
  const bool is_choice =
      t == QuestionType::kSingleChoice || t == QuestionType::kMultiChoice;
  auto only_for = [&](std::string_view key, bool allowed,
                      std::string_view types) {
    if (!allowed && q.contains(std::string(key))) {
      r_.Fail(ErrorCode::kInvalidValue, PathKey(path, key),
              SONDAR_MESSAGE("applies only to " + std::string(types) +
                             " questions, not " + std::string(TypeName(t))));
    }
    return allowed;
  };
  if (only_for("scale", has_scale, "nps, csat, ces and rating")) {
    out->scale = ParseScale(q, path, t);
  }
  if (only_for("options", is_choice, "single_choice and multi_choice")) {
    ParseOptions(q, path, out);
  }
  if (only_for("shuffle", is_choice, "single_choice and multi_choice")) {
    if (auto shuffle = r_.Bool(q, path, "shuffle")) out->shuffle = *shuffle;
  }
  if (only_for("email", t == QuestionType::kContact, "contact")) {
    if (auto email = r_.Bool(q, path, "email")) out->ask_email = *email;
  }
  if (only_for("maxSelect", t == QuestionType::kMultiChoice, "multi_choice")) {
    if (auto m = r_.Integer(q, path, "maxSelect")) {
      if (*m < 1 || *m > static_cast<std::int64_t>(
                             std::max<std::size_t>(out->options.size(), 1))) {
        r_.Fail(ErrorCode::kInvalidValue, PathKey(path, "maxSelect"),
                SONDAR_MESSAGE("must be from 1 to the number of options (got " +
                               internal::Str(*m) + ")"));
      } else {
        out->max_select = static_cast<int>(*m);
      }
    }
  }
  if (only_for("maxLength", t == QuestionType::kText, "text")) {
    if (auto m = r_.Integer(q, path, "maxLength")) {
      if (*m < 1 || *m > kMaxTextMaxLength) {
        r_.Fail(ErrorCode::kInvalidValue, PathKey(path, "maxLength"),
                SONDAR_MESSAGE("must be from 1 to " +
                               internal::Str(kMaxTextMaxLength) + " (got " +
                               internal::Str(*m) + ")"));
      } else {
        out->max_length = static_cast<int>(*m);
      }
    }
  }
  if (only_for("placeholder",
               t == QuestionType::kText || t == QuestionType::kContact,
               "text and contact")) {
    out->placeholder = Text(q, path, "placeholder", false);
  }
  if (const Json* show_if = r_.Field(q, path, "showIf", false)) {
    // A question can only depend on questions asked before it.
    out->show_if = ParseCondition(*show_if, PathKey(path, "showIf"),
                                  {Subject::Kind::kQuestion, index - 1});
  }
  if (const Json* logic = r_.Array(q, path, "logic")) {
    for (std::size_t i = 0; i < logic->size(); ++i) {
      ParseJump((*logic)[i], PathIndex(PathKey(path, "logic"), i), index, out);
    }
  }
}

std::optional<Scale> Parser::ParseScale(const Json& q, const std::string& path,
                                        QuestionType t) {
  Scale scale;
  switch (t) {
    case QuestionType::kNps:
      scale.min = 0;
      scale.max = 10;
      break;
    case QuestionType::kCes:
      scale.min = 1;
      scale.max = 7;
      break;
    default:
      scale.min = 1;
      scale.max = 5;
      break;
  }
  const Json* s = r_.Object(q, path, "scale");
  const std::string here = PathKey(path, "scale");
  bool threshold_set = false;
  if (s) {
    r_.CheckKeys(*s, here,
                 "min max display lowLabel highLabel satisfiedMin agreeMin");
    auto min = r_.Integer(*s, here, "min");
    auto max = r_.Integer(*s, here, "max");
    if (t == QuestionType::kNps &&
        ((min && *min != 0) || (max && *max != 10))) {
      r_.Fail(ErrorCode::kInvalidScale, here,
              SONDAR_MESSAGE("an NPS scale is always 0 to 10"));
      return std::nullopt;
    }
    if ((min && std::llabs(*min) > 1000) || (max && std::llabs(*max) > 1000)) {
      r_.Fail(ErrorCode::kInvalidScale, here,
              SONDAR_MESSAGE("min and max must lie within -1000..1000"));
      return std::nullopt;
    }
    if (min) scale.min = static_cast<int>(*min);
    if (max) scale.max = static_cast<int>(*max);
    if (scale.max <= scale.min) {
      r_.Fail(ErrorCode::kInvalidScale, PathKey(here, "max"),
              SONDAR_MESSAGE("must be greater than min (got " +
                             internal::Str(scale.max) + ")"));
      return std::nullopt;
    }
    if (scale.points() > kMaxScalePoints) {
      r_.Fail(ErrorCode::kInvalidScale, here,
              SONDAR_MESSAGE("spans " + internal::Str(scale.points()) +
                             " points; at most " +
                             internal::Str(kMaxScalePoints) + " are allowed"));
      return std::nullopt;
    }
    if (auto display = r_.String(*s, here, "display")) {
      if (auto d = ParseDisplay(*display)) {
        scale.display = *d;
      } else {
        r_.Fail(ErrorCode::kInvalidValue, PathKey(here, "display"),
                SONDAR_MESSAGE(
                    "must be one of number, star, emoji, thumbs (got \"" +
                    *display + "\")"));
      }
    }
    const int points = scale.points();
    if (scale.display == ScaleDisplay::kThumbs && points != 2) {
      r_.Fail(ErrorCode::kInvalidScale, PathKey(here, "display"),
              SONDAR_MESSAGE("thumbs needs a 2-point scale (this one has " +
                             internal::Str(points) + ")"));
    }
    if (scale.display == ScaleDisplay::kEmoji && points > 5) {
      r_.Fail(
          ErrorCode::kInvalidScale, PathKey(here, "display"),
          SONDAR_MESSAGE("emoji faces cover at most 5 points (this scale has " +
                         internal::Str(points) + ")"));
    }
    if (scale.display == ScaleDisplay::kStar && scale.min != 1) {
      r_.Fail(ErrorCode::kInvalidScale, PathKey(here, "display"),
              SONDAR_MESSAGE("a star scale starts at 1 (this one starts at " +
                             internal::Str(scale.min) + ")"));
    }
    scale.low_label = Text(*s, here, "lowLabel", false);
    scale.high_label = Text(*s, here, "highLabel", false);
    for (auto [key, type] : {std::pair<std::string_view, QuestionType>{
                                 "satisfiedMin", QuestionType::kCsat},
                             {"agreeMin", QuestionType::kCes}}) {
      if (!s->contains(std::string(key))) continue;
      if (t != type) {
        r_.Fail(ErrorCode::kInvalidValue, PathKey(here, key),
                SONDAR_MESSAGE("applies only to " +
                               std::string(TypeName(type)) + " questions"));
        continue;
      }
      if (auto v = r_.Integer(*s, here, key)) {
        if (*v <= scale.min || *v > scale.max) {
          r_.Fail(ErrorCode::kOutOfRange, PathKey(here, key),
                  SONDAR_MESSAGE("must be above min and at most max (" +
                                 internal::Str(scale.min) + "-" +
                                 internal::Str(scale.max) + ", got " +
                                 internal::Str(*v) + ")"));
        } else {
          scale.threshold = static_cast<int>(*v);
          threshold_set = true;
        }
      }
    }
  }
  if (!threshold_set) {
    // Every point strictly above the midpoint: 4-5 on 1-5, 5-7 on 1-7, 1 on
    // 0-1.
    scale.threshold =
        static_cast<int>(std::floor((scale.min + scale.max) / 2.0)) + 1;
  }
  return scale;
}

void Parser::ParseOptions(const Json& q, const std::string& path,
                          Question* out) {
  const Json* options = r_.Array(q, path, "options", true);
  if (!options) return;
  const std::string here = PathKey(path, "options");
  if (options->size() < 2 || options->size() > kMaxOptions) {
    r_.Fail(ErrorCode::kInvalidValue, here,
            SONDAR_MESSAGE("must hold from 2 to " + internal::Str(kMaxOptions) +
                           " options (got " + internal::Str(options->size()) +
                           ")"));
    if (options->size() > kMaxOptions) return;
  }
  for (std::size_t i = 0; i < options->size(); ++i) {
    const Json& o = (*options)[i];
    const std::string op = PathIndex(here, i);
    if (!r_.ExpectObject(o, op)) continue;
    r_.CheckKeys(o, op, "id label other");
    Option option;
    if (auto other = r_.Bool(o, op, "other"); other && *other) {
      if (out->OtherIndex() >= 0) {
        r_.Fail(
            ErrorCode::kInvalidValue, PathKey(op, "other"),
            SONDAR_MESSAGE("only one option of a question may be \"other\""));
      }
      option.other = true;
    }
    if (auto id = r_.String(o, op, "id", true)) {
      if (!IsId(*id)) {
        r_.Fail(
            ErrorCode::kInvalidValue, PathKey(op, "id"),
            SONDAR_MESSAGE(
                "must be 1-64 characters of letters, digits, _ - . : (got \"" +
                *id + "\")"));
      } else if (out->OptionIndex(*id) >= 0) {
        r_.Fail(ErrorCode::kDuplicateId, PathKey(op, "id"),
                SONDAR_MESSAGE("option \"" + *id + "\" appears twice"));
      }
      option.id = *id;
    }
    option.label = Text(o, op, "label", true);
    if (option.other && i + 1 != options->size()) {
      r_.Fail(ErrorCode::kInvalidValue, PathKey(op, "other"),
              SONDAR_MESSAGE("the \"other\" option must come last"));
    }
    out->options.push_back(std::move(option));
  }
}

}  // namespace sondar::internal
