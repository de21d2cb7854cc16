#include "sondar/survey.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "json_reader.h"
#include "sondar/util.h"

namespace sondar {

using internal::Describe;
using internal::PathIndex;
using internal::PathKey;
using internal::Reader;

std::string_view TypeName(QuestionType type) {
  switch (type) {
    case QuestionType::kNps:
      return "nps";
    case QuestionType::kCsat:
      return "csat";
    case QuestionType::kCes:
      return "ces";
    case QuestionType::kRating:
      return "rating";
    case QuestionType::kSingleChoice:
      return "single_choice";
    case QuestionType::kMultiChoice:
      return "multi_choice";
    case QuestionType::kText:
      return "text";
    case QuestionType::kContact:
      return "contact";
  }
  return "text";
}

std::string_view DisplayName(ScaleDisplay display) {
  switch (display) {
    case ScaleDisplay::kNumber:
      return "number";
    case ScaleDisplay::kStar:
      return "star";
    case ScaleDisplay::kEmoji:
      return "emoji";
    case ScaleDisplay::kThumbs:
      return "thumbs";
  }
  return "number";
}

int Question::OtherIndex() const {
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (options[i].other) return static_cast<int>(i);
  }
  return -1;
}

bool Question::ChoosesOther(const Json& value) const {
  const int other = OtherIndex();
  if (other < 0) return false;
  const std::string& id = options[static_cast<std::size_t>(other)].id;
  if (value.is_string()) return value.as_string() == id;
  for (const Json& v : value.as_array()) {
    if (v.is_string() && v.as_string() == id) return true;
  }
  return false;
}

int Question::OptionIndex(std::string_view option_id) const {
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (options[i].id == option_id) return static_cast<int>(i);
  }
  return -1;
}

int Survey::QuestionIndex(std::string_view question_id) const {
  for (std::size_t i = 0; i < questions.size(); ++i) {
    if (questions[i].id == question_id) return static_cast<int>(i);
  }
  return -1;
}

int Survey::EndingIndex(std::string_view ending_id) const {
  for (std::size_t i = 0; i < endings.size(); ++i) {
    if (endings[i].id == ending_id) return static_cast<int>(i);
  }
  return -1;
}

bool Survey::Supports(std::string_view visitor_locale) const {
  if (visitor_locale.empty()) return true;
  for (const std::string& tag : LocaleChain(visitor_locale)) {
    for (const std::string& have : complete_locales) {
      if (EqualsIgnoreCase(tag, have)) return true;
    }
  }
  return false;
}

namespace {

constexpr std::string_view kTypeList =
    "nps, csat, ces, rating, single_choice, multi_choice, text, contact";

std::optional<QuestionType> ParseType(std::string_view s) {
  if (s == "nps") return QuestionType::kNps;
  if (s == "csat") return QuestionType::kCsat;
  if (s == "ces") return QuestionType::kCes;
  if (s == "rating") return QuestionType::kRating;
  if (s == "single_choice") return QuestionType::kSingleChoice;
  if (s == "multi_choice") return QuestionType::kMultiChoice;
  if (s == "text") return QuestionType::kText;
  if (s == "contact") return QuestionType::kContact;
  return std::nullopt;
}

std::optional<ScaleDisplay> ParseDisplay(std::string_view s) {
  if (s == "number") return ScaleDisplay::kNumber;
  if (s == "star") return ScaleDisplay::kStar;
  if (s == "emoji") return ScaleDisplay::kEmoji;
  if (s == "thumbs") return ScaleDisplay::kThumbs;
  return std::nullopt;
}

// Ids are used in payload keys, CSS-free DOM ids and URLs: keep them plain.
bool IsId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
              c == ':';
    if (!ok) return false;
  }
  return true;
}

bool IsSafeLink(std::string_view url) {
  auto starts = [&](std::string_view p) {
    return url.size() >= p.size() &&
           EqualsIgnoreCase(url.substr(0, p.size()), p);
  };
  // Absolute http(s), or a path on the same site; never javascript:, data: or
  // the like.
  return starts("https://") || starts("http://") ||
         (starts("/") && !starts("//"));
}

struct Subject {
  enum class Kind { kQuestion, kAttribute };
  Kind kind;
  // For questions: the highest question index the condition may read
  // (inclusive).
  int max_index;
  static constexpr int kAny = 1 << 30;
};

class Parser {
 public:
  explicit Parser(Errors* errors) : r_(errors) {}

  void Parse(const Json& doc, Survey* s) {
    survey_ = s;
    if (!r_.ExpectObject(doc, "")) return;
    r_.CheckKeys(doc, "",
                 {"schema", "id", "version", "locale", "localeFallback",
                  "title", "questions", "trigger", "targeting", "sampling",
                  "recontact", "schedule", "closeAfter", "endings", "hidden"});
    if (auto schema = r_.String(doc, "", "schema", true);
        schema && *schema != kSurveySchema) {
      r_.Fail(ErrorCode::kSchemaMismatch, "schema",
              "must be \"" + std::string(kSurveySchema) + "\" (got \"" +
                  *schema + "\")");
    }
    ParseId(doc);
    if (auto v = r_.Integer(doc, "", "version")) {
      if (*v < 1 || *v > 2147483647) {
        r_.Fail(ErrorCode::kInvalidValue, "version",
                "must be a whole number from 1");
      } else {
        s->version = static_cast<int>(*v);
      }
    }
    if (auto locale = r_.String(doc, "", "locale")) {
      if (IsLocaleTag(*locale)) {
        s->locale = *locale;
      } else {
        r_.Fail(ErrorCode::kInvalidValue, "locale",
                "must be a language tag such as \"en\" or \"fr-CA\" (got \"" +
                    *locale + "\")");
      }
    }
    if (auto fallback = r_.Bool(doc, "", "localeFallback"))
      s->locale_fallback = *fallback;
    s->title = Text(doc, "", "title", false);

    const Json* questions = r_.Array(doc, "", "questions", true);
    const Json* endings = r_.Array(doc, "", "endings");
    CollectIds(questions, endings);
    if (questions) {
      if (questions->empty()) {
        r_.Fail(ErrorCode::kInvalidValue, "questions",
                "must hold at least one question");
      } else if (questions->size() > kMaxQuestions) {
        r_.Fail(ErrorCode::kTooLarge, "questions",
                "holds " + internal::Str(questions->size()) +
                    " questions, the limit is " + internal::Str(kMaxQuestions));
      } else {
        for (std::size_t i = 0; i < questions->size(); ++i) {
          s->questions.emplace_back();
          ParseQuestion((*questions)[i], PathIndex("questions", i),
                        static_cast<int>(i), &s->questions.back());
        }
      }
    }
    if (endings) {
      for (std::size_t i = 0; i < endings->size(); ++i) {
        s->endings.emplace_back();
        ParseEnding((*endings)[i], PathIndex("endings", i), &s->endings.back());
      }
    }
    // Jumps to endings need ending indices, known only now.
    for (Question& q : s->questions) {
      for (Jump& j : q.logic) {
        if (j.to_ending)
          j.target_index = static_cast<std::size_t>(s->EndingIndex(j.target));
      }
    }
    ParseRules(doc);
    if (const Json* hidden = r_.Array(doc, "", "hidden")) ParseHidden(*hidden);
    CheckRecalls();
    ComputeCompleteLocales();
  }

 public:
  void ParseRulesOnly(const Json& doc, Survey* s) {
    survey_ = s;
    if (!r_.ExpectObject(doc, "")) return;
    ParseId(doc);
    ParseRules(doc);
  }

  // What deciding needs; a site manifest's entry by URL holds only this.
  void ParseRules(const Json& doc) {
    if (const Json* trigger = r_.Object(doc, "", "trigger"))
      ParseTrigger(*trigger);
    if (const Json* targeting = r_.Field(doc, "", "targeting", false)) {
      survey_->targeting = ParseCondition(
          *targeting, "targeting", {Subject::Kind::kAttribute, Subject::kAny});
    }
    if (const Json* sampling = r_.Object(doc, "", "sampling")) {
      r_.CheckKeys(*sampling, "sampling", {"percent"});
      if (auto p = r_.Number(*sampling, "sampling", "percent", true)) {
        if (*p < 0 || *p > 100) {
          r_.Fail(ErrorCode::kInvalidValue, "sampling.percent",
                  "must be from 0 to 100 (got " + Describe(Json(*p)) + ")");
        } else {
          survey_->sampling_percent = *p;
        }
      }
    }
    if (const Json* recontact = r_.Object(doc, "", "recontact"))
      ParseRecontact(*recontact);
    if (const Json* schedule = r_.Object(doc, "", "schedule"))
      ParseSchedule(*schedule);
    if (auto n = r_.Integer(doc, "", "closeAfter")) {
      if (*n < 0 || *n > 1000000000) {
        r_.Fail(ErrorCode::kInvalidValue, "closeAfter",
                "must be 0 (never) or a positive whole number of responses");
      } else {
        survey_->close_after = static_cast<int>(*n);
      }
    }
  }

  void ParseId(const Json& doc) {
    if (auto id = r_.String(doc, "", "id", true)) {
      if (IsId(*id)) {
        survey_->id = *id;
      } else {
        r_.Fail(ErrorCode::kInvalidValue, "id",
                "must be 1-64 characters of letters, digits, _ - . : (got \"" +
                    *id + "\")");
      }
    }
  }

  void ParseSchedule(const Json& t) {
    r_.CheckKeys(t, "schedule", {"startsAt", "endsAt"});
    auto at = [&](const char* key, std::int64_t* into) {
      if (auto v = r_.String(t, "schedule", key)) {
        auto ms = ParseTimestamp(*v);
        if (!ms || *ms <= 0) {
          r_.Fail(ErrorCode::kInvalidValue, PathKey("schedule", key),
                  "must be an RFC 3339 time such as "
                  "\"2026-12-01T00:00:00Z\" (got \"" +
                      *v + "\")");
        } else {
          *into = *ms;
        }
      }
    };
    at("startsAt", &survey_->starts_at_ms);
    at("endsAt", &survey_->ends_at_ms);
    if (survey_->starts_at_ms && survey_->ends_at_ms &&
        survey_->ends_at_ms <= survey_->starts_at_ms) {
      r_.Fail(ErrorCode::kInvalidValue, "schedule.endsAt",
              "must be later than schedule.startsAt");
    }
  }

 private:
  // First pass: which ids exist, so conditions anywhere can be checked against
  // them.
  void CollectIds(const Json* questions, const Json* endings) {
    std::map<std::string, std::string> seen;  // id -> path of first use
    auto collect = [&](const Json* list, const char* name,
                       std::map<std::string, int>* into) {
      if (!list) return;
      for (std::size_t i = 0; i < list->size(); ++i) {
        const Json& item = (*list)[i];
        if (!item.is_object()) continue;
        const Json* given = item.find("id");
        if (!given || !given->is_string()) continue;
        const std::string& id = given->as_string();
        std::string path = PathKey(PathIndex(name, i), "id");
        auto [prev, inserted] = seen.emplace(id, path);
        if (!inserted) {
          r_.Fail(ErrorCode::kDuplicateId, path,
                  "\"" + id + "\" is already used at " + prev->second);
          continue;
        }
        into->emplace(id, static_cast<int>(i));
      }
    };
    collect(questions, "questions", &question_ids_);
    collect(endings, "endings", &ending_ids_);
  }

  LocalizedText Text(const Json& object, const std::string& path,
                     std::string_view key, bool required) {
    LocalizedText text;
    const Json* v = r_.Field(object, path, key, required);
    if (!v) return text;
    std::string here = PathKey(path, key);
    if (v->is_string()) {
      if (v->as_string().empty()) {
        r_.Fail(ErrorCode::kMissingText, here, "must not be empty");
      }
      text.Set(survey_->locale, v->as_string());
      Keep(text, here);
      return text;
    }
    if (!v->is_object()) {
      r_.Fail(ErrorCode::kWrongType, here,
              "must be a string or an object of {locale: text} (got " +
                  Describe(*v) + ")");
      return text;
    }
    for (const auto& [locale, value] : v->as_object()) {
      std::string entry = PathKey(here, locale);
      if (!IsLocaleTag(locale)) {
        r_.Fail(ErrorCode::kInvalidValue, entry, "is not a language tag");
      } else if (!value.is_string()) {
        r_.Fail(ErrorCode::kWrongType, entry,
                "must be a string (got " + Describe(value) + ")");
      } else {
        text.Set(locale, value.as_string());
      }
    }
    if (!text.Has(survey_->locale)) {
      r_.Fail(ErrorCode::kMissingText, here,
              "has no text for the survey's default locale \"" +
                  survey_->locale + "\"");
    }
    Keep(text, here);
    return text;
  }

  void Keep(const LocalizedText& text, const std::string& path) {
    all_texts_.push_back(text);
    for (const auto& entry : text.entries()) {
      if (entry.second.find("{{") != std::string::npos) {
        recalls_.push_back({all_texts_.size() - 1, path, recall_limit_});
        return;
      }
    }
  }

  // Recall fields name what exists: a declared hidden field, a question
  // asked before the text shows (answers), any attribute.
  void CheckRecalls() {
    for (const Recall& recall : recalls_) {
      const LocalizedText& text = all_texts_[recall.text];
      for (const auto& [locale, value] : text.entries()) {
        std::string error;
        std::size_t from = 0, at, length;
        for (RecallField f;
             error.empty() && NextRecall(value, from, &at, &length, &f, &error);
             from = at + length) {
          const std::string name(f.name);
          if (f.source == "hidden" &&
              std::find(survey_->hidden.begin(), survey_->hidden.end(), name) ==
                  survey_->hidden.end()) {
            error = "recalls hidden field \"" + name +
                    "\", which \"hidden\" does not declare";
          } else if (f.source == "answers") {
            auto q = question_ids_.find(name);
            if (q == question_ids_.end()) {
              error = "recalls the answer to \"" + name +
                      "\", which is not a question id";
            } else if (q->second >= recall.limit) {
              error = "recalls the answer to \"" + name +
                      "\", which is not asked before this text shows";
            }
          }
        }
        if (!error.empty()) {
          r_.Fail(ErrorCode::kInvalidValue,
                  text.entries().size() > 1 ? PathKey(recall.path, locale)
                                            : recall.path,
                  error);
          break;
        }
      }
    }
  }

  void ParseQuestion(const Json& q, const std::string& path, int index,
                     Question* out) {
    recall_limit_ = index;
    typed_.push_back(false);
    if (!r_.ExpectObject(q, path)) return;
    r_.CheckKeys(q, path,
                 {"id", "type", "prompt", "description", "required", "scale",
                  "options", "shuffle", "maxSelect", "maxLength", "placeholder",
                  "email", "showIf", "logic"});
    if (auto id = r_.String(q, path, "id", true)) {
      if (!IsId(*id)) {
        r_.Fail(ErrorCode::kInvalidValue, PathKey(path, "id"),
                "must be 1-64 characters of letters, digits, _ - . : (got \"" +
                    *id + "\")");
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
                "unknown question type \"" + *type + "\" (expected one of " +
                    std::string(kTypeList) + ")");
      }
    }
    out->prompt = Text(q, path, "prompt", true);
    out->description = Text(q, path, "description", false);
    if (auto required = r_.Bool(q, path, "required")) out->required = *required;
    typed_.back() = type_ok;
    if (!type_ok) return;

    const QuestionType t = out->type;
    const bool has_scale =
        t == QuestionType::kNps || t == QuestionType::kCsat ||
        t == QuestionType::kCes || t == QuestionType::kRating;
    const bool is_choice =
        t == QuestionType::kSingleChoice || t == QuestionType::kMultiChoice;
    auto only_for = [&](std::string_view key, bool allowed,
                        std::string_view types) {
      if (!allowed && q.contains(std::string(key))) {
        r_.Fail(ErrorCode::kInvalidValue, PathKey(path, key),
                "applies only to " + std::string(types) + " questions, not " +
                    std::string(TypeName(t)));
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
    if (only_for("maxSelect", t == QuestionType::kMultiChoice,
                 "multi_choice")) {
      if (auto m = r_.Integer(q, path, "maxSelect")) {
        if (*m < 1 || *m > static_cast<std::int64_t>(
                               std::max<std::size_t>(out->options.size(), 1))) {
          r_.Fail(ErrorCode::kInvalidValue, PathKey(path, "maxSelect"),
                  "must be from 1 to the number of options (got " +
                      internal::Str(*m) + ")");
        } else {
          out->max_select = static_cast<int>(*m);
        }
      }
    }
    if (only_for("maxLength", t == QuestionType::kText, "text")) {
      if (auto m = r_.Integer(q, path, "maxLength")) {
        if (*m < 1 || *m > kMaxTextMaxLength) {
          r_.Fail(ErrorCode::kInvalidValue, PathKey(path, "maxLength"),
                  "must be from 1 to " + internal::Str(kMaxTextMaxLength) +
                      " (got " + internal::Str(*m) + ")");
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
        ParseJump((*logic)[i], PathIndex(PathKey(path, "logic"), i), index,
                  out);
      }
    }
  }

  std::optional<Scale> ParseScale(const Json& q, const std::string& path,
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
                   {"min", "max", "display", "lowLabel", "highLabel",
                    "satisfiedMin", "agreeMin"});
      auto min = r_.Integer(*s, here, "min");
      auto max = r_.Integer(*s, here, "max");
      if (t == QuestionType::kNps &&
          ((min && *min != 0) || (max && *max != 10))) {
        r_.Fail(ErrorCode::kInvalidScale, here,
                "an NPS scale is always 0 to 10");
        return std::nullopt;
      }
      if ((min && std::llabs(*min) > 1000) ||
          (max && std::llabs(*max) > 1000)) {
        r_.Fail(ErrorCode::kInvalidScale, here,
                "min and max must lie within -1000..1000");
        return std::nullopt;
      }
      if (min) scale.min = static_cast<int>(*min);
      if (max) scale.max = static_cast<int>(*max);
      if (scale.max <= scale.min) {
        r_.Fail(
            ErrorCode::kInvalidScale, PathKey(here, "max"),
            "must be greater than min (got " + internal::Str(scale.max) + ")");
        return std::nullopt;
      }
      if (scale.points() > kMaxScalePoints) {
        r_.Fail(ErrorCode::kInvalidScale, here,
                "spans " + internal::Str(scale.points()) + " points; at most " +
                    internal::Str(kMaxScalePoints) + " are allowed");
        return std::nullopt;
      }
      if (auto display = r_.String(*s, here, "display")) {
        if (auto d = ParseDisplay(*display)) {
          scale.display = *d;
        } else {
          r_.Fail(ErrorCode::kInvalidValue, PathKey(here, "display"),
                  "must be one of number, star, emoji, thumbs (got \"" +
                      *display + "\")");
        }
      }
      const int points = scale.points();
      if (scale.display == ScaleDisplay::kThumbs && points != 2) {
        r_.Fail(ErrorCode::kInvalidScale, PathKey(here, "display"),
                "thumbs needs a 2-point scale (this one has " +
                    internal::Str(points) + ")");
      }
      if (scale.display == ScaleDisplay::kEmoji && points > 5) {
        r_.Fail(ErrorCode::kInvalidScale, PathKey(here, "display"),
                "emoji faces cover at most 5 points (this scale has " +
                    internal::Str(points) + ")");
      }
      if (scale.display == ScaleDisplay::kStar && scale.min != 1) {
        r_.Fail(ErrorCode::kInvalidScale, PathKey(here, "display"),
                "a star scale starts at 1 (this one starts at " +
                    internal::Str(scale.min) + ")");
      }
      scale.low_label = Text(*s, here, "lowLabel", false);
      scale.high_label = Text(*s, here, "highLabel", false);
      for (auto [key, type] : {std::pair<std::string_view, QuestionType>{
                                   "satisfiedMin", QuestionType::kCsat},
                               {"agreeMin", QuestionType::kCes}}) {
        if (!s->contains(std::string(key))) continue;
        if (t != type) {
          r_.Fail(
              ErrorCode::kInvalidValue, PathKey(here, key),
              "applies only to " + std::string(TypeName(type)) + " questions");
          continue;
        }
        if (auto v = r_.Integer(*s, here, key)) {
          if (*v <= scale.min || *v > scale.max) {
            r_.Fail(ErrorCode::kOutOfRange, PathKey(here, key),
                    "must be above min and at most max (" +
                        internal::Str(scale.min) + "-" +
                        internal::Str(scale.max) + ", got " +
                        internal::Str(*v) + ")");
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

  void ParseOptions(const Json& q, const std::string& path, Question* out) {
    const Json* options = r_.Array(q, path, "options", true);
    if (!options) return;
    const std::string here = PathKey(path, "options");
    if (options->size() < 2 || options->size() > kMaxOptions) {
      r_.Fail(ErrorCode::kInvalidValue, here,
              "must hold from 2 to " + internal::Str(kMaxOptions) +
                  " options (got " + internal::Str(options->size()) + ")");
      if (options->size() > kMaxOptions) return;
    }
    for (std::size_t i = 0; i < options->size(); ++i) {
      const Json& o = (*options)[i];
      const std::string op = PathIndex(here, i);
      if (!r_.ExpectObject(o, op)) continue;
      r_.CheckKeys(o, op, {"id", "label", "other"});
      Option option;
      if (auto other = r_.Bool(o, op, "other"); other && *other) {
        if (out->OtherIndex() >= 0) {
          r_.Fail(ErrorCode::kInvalidValue, PathKey(op, "other"),
                  "only one option of a question may be \"other\"");
        }
        option.other = true;
      }
      if (auto id = r_.String(o, op, "id", true)) {
        if (!IsId(*id)) {
          r_.Fail(
              ErrorCode::kInvalidValue, PathKey(op, "id"),
              "must be 1-64 characters of letters, digits, _ - . : (got \"" +
                  *id + "\")");
        } else if (out->OptionIndex(*id) >= 0) {
          r_.Fail(ErrorCode::kDuplicateId, PathKey(op, "id"),
                  "option \"" + *id + "\" appears twice");
        }
        option.id = *id;
      }
      option.label = Text(o, op, "label", true);
      if (option.other && i + 1 != options->size()) {
        r_.Fail(ErrorCode::kInvalidValue, PathKey(op, "other"),
                "the \"other\" option must come last");
      }
      out->options.push_back(std::move(option));
    }
  }

  void ParseJump(const Json& j, const std::string& path, int index,
                 Question* out) {
    if (!r_.ExpectObject(j, path)) return;
    r_.CheckKeys(j, path, {"if", "goto"});
    Jump jump;
    const Json* when = r_.Field(j, path, "if", true);
    if (when) {
      auto c = ParseCondition(*when, PathKey(path, "if"),
                              {Subject::Kind::kQuestion, index});
      if (c) jump.when = std::move(*c);
    }
    auto target = r_.String(j, path, "goto", true);
    if (!target) return;
    jump.target = *target;
    std::string here = PathKey(path, "goto");
    if (auto q = question_ids_.find(*target); q != question_ids_.end()) {
      if (q->second <= index) {
        r_.Fail(ErrorCode::kLoop, here,
                "jumps back to \"" + *target +
                    "\"; a jump may only go forward, or the survey could loop");
        return;
      }
      jump.target_index = static_cast<std::size_t>(q->second);
    } else if (ending_ids_.count(*target)) {
      jump.to_ending = true;
    } else {
      r_.Fail(ErrorCode::kUnknownReference, here,
              "\"" + *target +
                  "\" is neither a question nor an ending of this survey");
      return;
    }
    if (when) out->logic.push_back(std::move(jump));
  }

  void ParseEnding(const Json& e, const std::string& path, Ending* out) {
    recall_limit_ = Subject::kAny;
    if (!r_.ExpectObject(e, path)) return;
    r_.CheckKeys(e, path, {"id", "title", "body", "link", "if"});
    if (auto id = r_.String(e, path, "id", true)) {
      if (!IsId(*id)) {
        r_.Fail(ErrorCode::kInvalidValue, PathKey(path, "id"),
                "must be 1-64 characters of letters, digits, _ - . : (got \"" +
                    *id + "\")");
      }
      out->id = *id;
    }
    out->title = Text(e, path, "title", true);
    out->body = Text(e, path, "body", false);
    if (const Json* link = r_.Object(e, path, "link")) {
      std::string here = PathKey(path, "link");
      r_.CheckKeys(*link, here, {"url", "label"});
      if (auto url = r_.String(*link, here, "url", true)) {
        if (!IsSafeLink(*url)) {
          r_.Fail(ErrorCode::kInvalidValue, PathKey(here, "url"),
                  "must be an http(s) URL or a path starting with / (got \"" +
                      *url + "\")");
        } else {
          out->link_url = *url;
        }
      }
      out->link_label = Text(*link, here, "label", true);
    }
    if (const Json* when = r_.Field(e, path, "if", false)) {
      out->when = ParseCondition(*when, PathKey(path, "if"),
                                 {Subject::Kind::kQuestion, Subject::kAny});
    }
  }

  std::optional<Condition> ParseCondition(const Json& c,
                                          const std::string& path,
                                          Subject subject) {
    if (!r_.ExpectObject(c, path)) return std::nullopt;
    Condition out;
    for (auto [key, kind] :
         {std::pair<const char*, Condition::Kind>{"all", Condition::Kind::kAll},
          {"any", Condition::Kind::kAny}}) {
      if (!c.contains(key)) continue;
      r_.CheckKeys(c, path, {key});
      out.kind = kind;
      const Json* list = r_.Array(c, path, key);
      if (!list) return std::nullopt;
      std::string here = PathKey(path, key);
      if (list->empty()) {
        r_.Fail(ErrorCode::kInvalidValue, here,
                "must hold at least one condition");
        return std::nullopt;
      }
      for (std::size_t i = 0; i < list->size(); ++i) {
        auto child = ParseCondition((*list)[i], PathIndex(here, i), subject);
        if (child) out.children.push_back(std::move(*child));
      }
      return out;
    }
    const bool on_question = subject.kind == Subject::Kind::kQuestion;
    const char* subject_key = on_question ? "question" : "attribute";
    r_.CheckKeys(c, path, {subject_key, "op", "value"});
    auto name = r_.String(c, path, subject_key, true);
    auto op_name = r_.String(c, path, "op", true);
    if (!name || !op_name) return std::nullopt;
    out.subject = *name;
    const std::string op_path = PathKey(path, "op");
    static const std::pair<const char*, Op> kOps[] = {
        {"eq", Op::kEq}, {"neq", Op::kNeq}, {"lt", Op::kLt}, {"lte", Op::kLte},
        {"gt", Op::kGt}, {"gte", Op::kGte}, {"in", Op::kIn}};
    bool known = false;
    for (auto& [n, o] : kOps) {
      if (*op_name == n) {
        out.op = o;
        known = true;
      }
    }
    // "answered" reads naturally for questions, "exists" for attributes; both
    // test presence.
    if (*op_name == (on_question ? "answered" : "exists")) {
      out.op = Op::kAnswered;
      known = true;
    }
    if (!known) {
      r_.Fail(ErrorCode::kInvalidValue, op_path,
              "unknown operator \"" + *op_name +
                  "\" (expected eq, neq, lt, lte, gt, gte, in, " +
                  (on_question ? "answered" : "exists") + ")");
      return std::nullopt;
    }
    const std::string value_path = PathKey(path, "value");
    const Json* value = r_.Field(c, path, "value", out.op != Op::kAnswered);
    if (out.op == Op::kAnswered) {
      if (value && !value->is_boolean()) {
        r_.Fail(ErrorCode::kWrongType, value_path, "must be true or false");
        return std::nullopt;
      }
      out.value = value ? *value : Json(true);
    } else {
      if (!value) return std::nullopt;
      out.value = *value;
      if (out.op == Op::kIn && !value->is_array()) {
        r_.Fail(ErrorCode::kWrongType, value_path,
                "must be an array for \"in\" (got " + Describe(*value) + ")");
        return std::nullopt;
      }
      if (out.op != Op::kIn && (value->is_array() || value->is_object())) {
        r_.Fail(ErrorCode::kWrongType, value_path,
                "must be a string, number or boolean (got " + Describe(*value) +
                    ")");
        return std::nullopt;
      }
    }
    if (on_question) CheckQuestionLeaf(out, path, subject.max_index);
    return out;
  }

  // Checks that a condition on an answer can ever be true: the question exists,
  // comes early enough, and the operator and values suit its type.
  void CheckQuestionLeaf(const Condition& c, const std::string& path,
                         int max_index) {
    const std::string subject_path = PathKey(path, "question");
    auto it = question_ids_.find(c.subject);
    if (it == question_ids_.end()) {
      r_.Fail(ErrorCode::kUnknownReference, subject_path,
              "\"" + c.subject + "\" is not a question of this survey");
      return;
    }
    if (it->second > max_index) {
      r_.Fail(
          ErrorCode::kForwardReference, subject_path,
          "\"" + c.subject + "\" is asked later, so it has no answer yet here");
      return;
    }
    if (c.op == Op::kAnswered) return;
    if (it->second >= static_cast<int>(typed_.size()) ||
        !typed_[static_cast<std::size_t>(it->second)]) {
      return;  // that question has its own error already
    }
    const Question& q =
        survey_->questions[static_cast<std::size_t>(it->second)];
    const std::string value_path = PathKey(path, "value");
    const std::string op_path = PathKey(path, "op");
    std::vector<const Json*> values;
    if (c.value.is_array()) {
      for (const Json& v : c.value.as_array()) values.push_back(&v);
    } else {
      values.push_back(&c.value);
    }
    if (q.type == QuestionType::kText) {
      r_.Fail(ErrorCode::kInvalidValue, op_path,
              "a text question can only be tested with \"answered\"");
      return;
    }
    if (q.scale) {
      for (const Json* v : values) {
        auto n = internal::AsInteger(*v);
        if (!v->is_number()) {
          r_.Fail(ErrorCode::kWrongType, value_path,
                  "must be a number for a " + std::string(TypeName(q.type)) +
                      " question (got " + Describe(*v) + ")");
        } else if (!n || *n < q.scale->min || *n > q.scale->max) {
          r_.Fail(ErrorCode::kOutOfRange, value_path,
                  Describe(*v) + " is not a point of the scale " +
                      internal::Str(q.scale->min) + "-" +
                      internal::Str(q.scale->max));
        }
      }
      return;
    }
    // Choice questions: equality and membership on option ids only.
    if (c.op != Op::kEq && c.op != Op::kNeq && c.op != Op::kIn) {
      r_.Fail(ErrorCode::kInvalidValue, op_path,
              "a choice question can be tested with eq, neq, in or answered");
      return;
    }
    for (const Json* v : values) {
      if (!v->is_string() || q.OptionIndex(v->as_string()) < 0) {
        r_.Fail(
            ErrorCode::kNotAnOption, value_path,
            Describe(*v) + " is not an option id of question \"" + q.id + "\"");
      }
    }
  }

  void ParseTrigger(const Json& t) {
    r_.CheckKeys(t, "trigger",
                 {"events", "clicks", "urls", "delaySeconds", "scrollPercent",
                  "exitIntent", "pageViews", "secondsOnSite"});
    Trigger& out = survey_->trigger;
    if (const Json* events = r_.Array(t, "trigger", "events")) {
      for (std::size_t i = 0; i < events->size(); ++i) {
        const Json& e = (*events)[i];
        std::string path = PathIndex("trigger.events", i);
        if (!e.is_string() || !IsId(e.as_string())) {
          r_.Fail(
              e.is_string() ? ErrorCode::kInvalidValue : ErrorCode::kWrongType,
              path,
              "must be an event name of 1-64 letters, digits, _ - . : (got " +
                  Describe(e) + ")");
          continue;
        }
        out.events.push_back(e.as_string());
      }
    }
    if (const Json* clicks = r_.Array(t, "trigger", "clicks")) {
      for (std::size_t i = 0; i < clicks->size(); ++i) {
        const Json& c = (*clicks)[i];
        // The browser checks the selector's syntax; here only its shape.
        if (!c.is_string() || c.as_string().empty() ||
            c.as_string().size() > 200) {
          r_.Fail(
              c.is_string() ? ErrorCode::kInvalidValue : ErrorCode::kWrongType,
              PathIndex("trigger.clicks", i),
              "must be a CSS selector of 1-200 characters (got " + Describe(c) +
                  ")");
          continue;
        }
        out.clicks.push_back(c.as_string());
      }
    }
    if (const Json* urls = r_.Array(t, "trigger", "urls")) {
      for (std::size_t i = 0; i < urls->size(); ++i) {
        std::string path = PathIndex("trigger.urls", i);
        const Json& u = (*urls)[i];
        if (!r_.ExpectObject(u, path)) continue;
        r_.CheckKeys(u, path, {"match", "value", "not"});
        UrlRule rule;
        if (auto negate = r_.Bool(u, path, "not")) rule.negate = *negate;
        auto match = r_.String(u, path, "match", true);
        auto value = r_.String(u, path, "value", true);
        if (!match || !value) continue;
        static const std::pair<const char*, UrlRule::Match> kMatches[] = {
            {"exact", UrlRule::Match::kExact},
            {"prefix", UrlRule::Match::kPrefix},
            {"contains", UrlRule::Match::kContains},
            {"suffix", UrlRule::Match::kSuffix},
            {"glob", UrlRule::Match::kGlob}};
        bool known = false;
        for (auto& [n, m] : kMatches) {
          if (*match == n) {
            rule.match = m;
            known = true;
          }
        }
        if (!known) {
          r_.Fail(
              ErrorCode::kInvalidValue, PathKey(path, "match"),
              "must be one of exact, prefix, contains, suffix, glob (got \"" +
                  *match + "\")");
          continue;
        }
        if (value->empty()) {
          r_.Fail(ErrorCode::kInvalidValue, PathKey(path, "value"),
                  "must not be empty");
          continue;
        }
        rule.value = *value;
        out.urls.push_back(std::move(rule));
      }
    }
    auto non_negative = [&](const char* key, double max, double* into) {
      if (auto v = r_.Number(t, "trigger", key)) {
        if (*v < 0 || *v > max) {
          r_.Fail(ErrorCode::kInvalidValue, PathKey("trigger", key),
                  "must be from 0 to " + Describe(Json(max)) + " (got " +
                      Describe(Json(*v)) + ")");
        } else {
          *into = *v;
        }
      }
    };
    non_negative("delaySeconds", 86400, &out.delay_seconds);
    non_negative("scrollPercent", 100, &out.scroll_percent);
    non_negative("secondsOnSite", 86400, &out.seconds_on_site);
    if (auto n = r_.Integer(t, "trigger", "pageViews")) {
      if (*n < 0 || *n > 1000) {
        r_.Fail(ErrorCode::kInvalidValue, "trigger.pageViews",
                "must be a whole number from 0 to 1000");
      } else {
        out.page_views = static_cast<int>(*n);
      }
    }
    if (auto exit = r_.Bool(t, "trigger", "exitIntent"))
      out.exit_intent = *exit;
  }

  void ParseRecontact(const Json& r) {
    r_.CheckKeys(r, "recontact",
                 {"afterDisplayDays", "afterDismissDays", "afterCompleteDays",
                  "globalCooldownDays", "maxDisplays"});
    Recontact& out = survey_->recontact;
    auto days = [&](const char* key, double* into) {
      if (auto v = r_.Number(r, "recontact", key)) {
        if (*v < 0 || *v > 3650) {
          r_.Fail(
              ErrorCode::kInvalidValue, PathKey("recontact", key),
              "must be from 0 to 3650 days (got " + Describe(Json(*v)) + ")");
        } else {
          *into = *v;
        }
      }
    };
    days("afterDisplayDays", &out.after_display_days);
    days("afterDismissDays", &out.after_dismiss_days);
    days("afterCompleteDays", &out.after_complete_days);
    days("globalCooldownDays", &out.global_cooldown_days);
    if (auto m = r_.Integer(r, "recontact", "maxDisplays")) {
      if (*m < 0 || *m > 1000000) {
        r_.Fail(ErrorCode::kInvalidValue, "recontact.maxDisplays",
                "must be 0 (no cap) or a positive whole number");
      } else {
        out.max_displays = static_cast<int>(*m);
      }
    }
  }

  void ParseHidden(const Json& hidden) {
    for (std::size_t i = 0; i < hidden.size(); ++i) {
      const Json& h = hidden[i];
      std::string path = PathIndex("hidden", i);
      if (!h.is_string() || !IsId(h.as_string())) {
        r_.Fail(
            h.is_string() ? ErrorCode::kInvalidValue : ErrorCode::kWrongType,
            path,
            "must be a field name of 1-64 letters, digits, _ - . : (got " +
                Describe(h) + ")");
        continue;
      }
      const std::string& name = h.as_string();
      if (std::find(survey_->hidden.begin(), survey_->hidden.end(), name) !=
          survey_->hidden.end()) {
        r_.Fail(ErrorCode::kDuplicateId, path,
                "hidden field \"" + name + "\" appears twice");
        continue;
      }
      survey_->hidden.push_back(name);
    }
  }

  void ComputeCompleteLocales() {
    std::vector<std::string>& out = survey_->complete_locales;
    out.push_back(survey_->locale);
    if (all_texts_.empty()) return;
    // A locale is complete when every text of the survey has it; plain strings
    // count only for the default locale, so a single untranslated prompt makes
    // the survey default-only.
    for (const auto& entry : all_texts_.front().entries()) {
      const std::string& locale = entry.first;
      if (EqualsIgnoreCase(locale, survey_->locale)) continue;
      bool everywhere =
          std::all_of(all_texts_.begin(), all_texts_.end(),
                      [&](const LocalizedText& t) { return t.Has(locale); });
      if (everywhere) out.push_back(locale);
    }
  }

  Reader r_;
  Survey* survey_ = nullptr;
  std::map<std::string, int> question_ids_;
  std::map<std::string, int> ending_ids_;
  std::vector<LocalizedText>
      all_texts_;            // every text seen, for complete_locales
  std::vector<bool> typed_;  // per parsed question: did its type parse?
  // Texts with "{{", where they are, and how many questions come before them.
  struct Recall {
    std::size_t text;  // into all_texts_
    std::string path;
    int limit;
  };
  std::vector<Recall> recalls_;
  int recall_limit_ = 0;
};

}  // namespace

Result<Survey> ParseSurveyDocument(const Json& document) {
  Errors errors;
  Survey survey;
  Parser(&errors).Parse(document, &survey);
  if (!errors.empty()) return errors;
  return survey;
}

Result<Survey> ParseSurveyRules(const Json& object) {
  Errors errors;
  Survey survey;
  Parser(&errors).ParseRulesOnly(object, &survey);
  if (!errors.empty()) return errors;
  return survey;
}

Result<Survey> ParseSurvey(std::string_view text) {
  auto doc = ParseJson(text, kMaxSurveyBytes, kMaxJsonDepth);
  if (!doc.ok()) return doc.status();
  return ParseSurveyDocument(doc.value());
}

}  // namespace sondar
