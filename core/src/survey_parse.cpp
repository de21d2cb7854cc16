// The survey parser (survey_parser.h), part: the document: schema, id, version,
// locales, ids, texts and recall, hidden fields.
#include <algorithm>
#include <cmath>
#include <map>

#include "json_reader.h"
#include "sondar/util.h"
#include "survey_parser.h"

namespace sondar::internal {

void Parser::Parse(const Json& doc, Survey* s) {
  survey_ = s;
  if (!r_.ExpectObject(doc, "")) return;
  r_.CheckKeys(
      doc, "",
      "$schema schema id version locale localeFallback title questions trigger "
      "targeting sampling recontact schedule closeAfter endings hidden");
  if (auto schema = r_.String(doc, "", "schema", true);
      schema && *schema != kSurveySchema) {
    r_.Fail(ErrorCode::kSchemaMismatch, "schema",
            SONDAR_MESSAGE("must be \"" + std::string(kSurveySchema) +
                           "\" (got \"" + *schema + "\")"));
  }
  ParseId(doc);
  if (auto v = r_.Integer(doc, "", "version")) {
    if (*v < 1 || *v > 2147483647) {
      r_.Fail(ErrorCode::kInvalidValue, "version",
              SONDAR_MESSAGE("must be a whole number from 1"));
    } else {
      s->version = static_cast<int>(*v);
    }
  }
  if (auto locale = r_.String(doc, "", "locale")) {
    if (IsLocaleTag(*locale)) {
      s->locale = *locale;
    } else {
      r_.Fail(ErrorCode::kInvalidValue, "locale",
              SONDAR_MESSAGE(
                  "must be a language tag such as \"en\" or \"fr-CA\" (got \"" +
                  *locale + "\")"));
    }
  }
  if (auto fallback = r_.Bool(doc, "", "localeFallback"))
    s->locale_fallback = *fallback;

  const Json* questions = r_.Array(doc, "", "questions", true);
  const Json* endings = r_.Array(doc, "", "endings");
  // What texts may recall, known before the first text.
  CollectIds(questions, endings);
  if (const Json* hidden = r_.Array(doc, "", "hidden")) ParseHidden(*hidden);
  s->title = Text(doc, "", "title", false);
  if (questions) {
    if (questions->empty()) {
      r_.Fail(ErrorCode::kInvalidValue, "questions",
              SONDAR_MESSAGE("must hold at least one question"));
    } else if (questions->size() > kMaxQuestions) {
      r_.Fail(ErrorCode::kTooLarge, "questions",
              SONDAR_MESSAGE("holds " + internal::Str(questions->size()) +
                             " questions, the limit is " +
                             internal::Str(kMaxQuestions)));
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
  s->complete_locales.push_back(s->locale);
  s->complete_locales.insert(s->complete_locales.end(), other_locales_.begin(),
                             other_locales_.end());
}

void Parser::ParseId(const Json& doc) {
  if (auto id = r_.String(doc, "", "id", true)) {
    if (IsId(*id)) {
      survey_->id = *id;
    } else {
      r_.Fail(
          ErrorCode::kInvalidValue, "id",
          SONDAR_MESSAGE(
              "must be 1-64 characters of letters, digits, _ - . : (got \"" +
              *id + "\")"));
    }
  }
}

void Parser::CollectIds(const Json* questions, const Json* endings) {
  // Questions and endings share one space of ids; the first use keeps it.
  [[maybe_unused]] auto first_use = [&](const std::string& id) {
    auto q = question_ids_.find(id);
    return q != question_ids_.end()
               ? PathKey(PathIndex("questions",
                                   static_cast<std::size_t>(q->second)),
                         "id")
               : PathKey(
                     PathIndex("endings", static_cast<std::size_t>(
                                              ending_ids_.find(id)->second)),
                     "id");
  };
  auto collect = [&](const Json* list, const char* name, Ids* into) {
    if (!list) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Json& item = (*list)[i];
      if (!item.is_object()) continue;
      const Json* given = item.find("id");
      if (!given || !given->is_string()) continue;
      const std::string& id = given->as_string();
      if (question_ids_.count(id) || ending_ids_.count(id)) {
        r_.Fail(ErrorCode::kDuplicateId, PathKey(PathIndex(name, i), "id"),
                SONDAR_MESSAGE("\"" + id + "\" is already used at " +
                               first_use(id)));
        continue;
      }
      into->emplace(id, static_cast<std::int64_t>(i));
    }
  };
  collect(questions, "questions", &question_ids_);
  collect(endings, "endings", &ending_ids_);
}

LocalizedText Parser::Text(const Json& object, const std::string& path,
                           std::string_view key, bool required) {
  LocalizedText text;
  const Json* v = r_.Field(object, path, key, required);
  if (!v) return text;
  std::string here = PathKey(path, key);
  if (v->is_string()) {
    if (v->as_string().empty()) {
      r_.Fail(ErrorCode::kMissingText, here,
              SONDAR_MESSAGE("must not be empty"));
    }
    text.Set(survey_->locale, v->as_string());
    Keep(text, here);
    return text;
  }
  if (!v->is_object()) {
    r_.Fail(
        ErrorCode::kWrongType, here,
        SONDAR_MESSAGE("must be a string or an object of {locale: text} (got " +
                       Describe(*v) + ")"));
    return text;
  }
  for (const auto& [locale, value] : v->as_object()) {
    std::string entry = PathKey(here, locale);
    if (!IsLocaleTag(locale)) {
      r_.Fail(ErrorCode::kInvalidValue, entry,
              SONDAR_MESSAGE("is not a language tag"));
    } else if (!value.is_string()) {
      r_.Fail(ErrorCode::kWrongType, entry,
              SONDAR_MESSAGE("must be a string (got " + Describe(value) + ")"));
    } else {
      text.Set(locale, value.as_string());
    }
  }
  if (!text.Has(survey_->locale)) {
    r_.Fail(ErrorCode::kMissingText, here,
            SONDAR_MESSAGE("has no text for the survey's default locale \"" +
                           survey_->locale + "\""));
  }
  Keep(text, here);
  return text;
}

void Parser::Keep(const LocalizedText& text, const std::string& path) {
  if (!seen_text_) {
    seen_text_ = true;
    for (const auto& entry : text.entries()) {
      if (!EqualsIgnoreCase(entry.first, survey_->locale))
        other_locales_.push_back(entry.first);
    }
  } else {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < other_locales_.size(); ++i) {
      if (!text.Has(other_locales_[i])) continue;
      if (kept != i) other_locales_[kept] = std::move(other_locales_[i]);
      ++kept;
    }
    other_locales_.resize(kept);
  }
  CheckRecalls(text, path);
}

void Parser::CheckRecalls(const LocalizedText& text, const std::string& path) {
  for (const auto& [locale, value] : text.entries()) {
    std::optional<std::string> error;
    std::size_t from = 0, at, length;
    for (RecallField f;
         !error && NextRecall(value, from, &at, &length, &f, &error);
         from = at + length) {
      const std::string name(f.name);
      if (f.source == "hidden" &&
          std::find(survey_->hidden.begin(), survey_->hidden.end(), name) ==
              survey_->hidden.end()) {
        error = SONDAR_MESSAGE("recalls hidden field \"" + name +
                               "\", which \"hidden\" does not declare");
      } else if (f.source == "answers") {
        auto q = question_ids_.find(name);
        if (q == question_ids_.end()) {
          error = SONDAR_MESSAGE("recalls the answer to \"" + name +
                                 "\", which is not a question id");
        } else if (q->second >= recall_limit_) {
          error =
              SONDAR_MESSAGE("recalls the answer to \"" + name +
                             "\", which is not asked before this text shows");
        }
      }
    }
    if (error) {
      r_.Fail(ErrorCode::kInvalidValue,
              text.entries().size() > 1 ? PathKey(path, locale) : path,
              std::move(*error));
      break;
    }
  }
}

// A hidden field is its name, or {"name", "pii"} for one that holds personal
// data (an e-mail address, a customer number): viewers never see it.
void Parser::ParseHidden(const Json& hidden) {
  for (std::size_t i = 0; i < hidden.size(); ++i) {
    const Json& h = hidden[i];
    std::string path = PathIndex("hidden", i);
    const Json* name_value = &h;
    bool pii = false;
    if (h.is_object()) {
      r_.CheckKeys(h, path, "name pii");
      if (!r_.String(h, path, "name", /*required=*/true)) continue;
      name_value = h.find("name");
      pii = r_.Bool(h, path, "pii").value_or(false);
      path += ".name";
    }
    if (!name_value->is_string() || !IsId(name_value->as_string())) {
      r_.Fail(name_value->is_string() ? ErrorCode::kInvalidValue
                                      : ErrorCode::kWrongType,
              path,
              SONDAR_MESSAGE(
                  "must be a field name of 1-64 letters, digits, _ - . : or "
                  "{\"name\", \"pii\"} (got " +
                  Describe(*name_value) + ")"));
      continue;
    }
    const std::string& name = name_value->as_string();
    if (std::find(survey_->hidden.begin(), survey_->hidden.end(), name) !=
        survey_->hidden.end()) {
      r_.Fail(ErrorCode::kDuplicateId, path,
              SONDAR_MESSAGE("hidden field \"" + name + "\" appears twice"));
      continue;
    }
    survey_->hidden.push_back(name);
    if (pii) survey_->personal_hidden.push_back(name);
  }
}

}  // namespace sondar::internal
