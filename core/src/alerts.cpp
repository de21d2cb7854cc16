#include "sondar/alerts.h"

#include <algorithm>

#include "condition_parse.h"
#include "email_html.h"
#include "json_reader.h"
#include "sondar/email.h"
#include "sondar/query.h"
#include "sondar/util.h"

namespace sondar {

namespace {

using internal::PathIndex;
using internal::PathKey;

// Condition subjects are "<kind>:<name>"; the kinds cannot collide because a
// name never starts a subject.
constexpr std::string_view kQuestion = "question:";
constexpr std::string_view kCategory = "category:";
constexpr std::string_view kHidden = "hidden:";
constexpr std::string_view kField = "field:";

constexpr std::string_view kFields[] = {"trigger", "locale", "status", "theme"};
constexpr std::string_view kCategories[] = {
    "promoter",      "passive", "detractor", "satisfied",
    "not_satisfied", "agree",   "not_agree"};

// A stored response's status; a stored payload always has a valid one.
ResponseStatus StatusFromResponse(const Json& response) {
  const Json* status = response.find("status");
  const std::string name =
      status && status->is_string() ? status->as_string() : "";
  if (name == "complete") return ResponseStatus::kComplete;
  if (name == "dismissed") return ResponseStatus::kDismissed;
  return ResponseStatus::kPartial;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

class RuleParser {
 public:
  // `in_scope` nullptr: references are not checked.
  RuleParser(internal::Reader* r, const std::vector<const Survey*>* in_scope)
      : r_(*r), in_scope_(in_scope) {}

  bool Parse(const Json& c, const std::string& path, int depth,
             Condition* out) {
    if (!r_.ExpectObject(c, path)) return false;
    if (depth > 8) {
      r_.Fail(ErrorCode::kTooDeep, path,
              SONDAR_MESSAGE("nests conditions more than 8 levels deep"));
      return false;
    }
    for (auto [key, kind] :
         {std::pair<const char*, Condition::Kind>{"all", Condition::Kind::kAll},
          {"any", Condition::Kind::kAny}}) {
      if (!c.contains(key)) continue;
      r_.CheckKeys(c, path, key);
      out->kind = kind;
      const Json* list = r_.Array(c, path, key, true);
      if (!list) return false;
      const std::string here = PathKey(path, key);
      if (list->empty()) {
        r_.Fail(ErrorCode::kInvalidValue, here,
                SONDAR_MESSAGE("must hold at least one condition"));
        return false;
      }
      bool ok = true;
      for (std::size_t i = 0; i < list->size(); ++i) {
        Condition child;
        ok = Parse((*list)[i], PathIndex(here, i), depth + 1, &child) && ok;
        out->children.push_back(std::move(child));
      }
      return ok;
    }
    static const char* kKeys[] = {"question", "category", "hidden", "field"};
    const char* subject_key = nullptr;
    for (const char* key : kKeys) {
      if (!c.contains(key)) continue;
      if (subject_key) {
        r_.Fail(ErrorCode::kInvalidValue, PathKey(path, key),
                SONDAR_MESSAGE(
                    std::string(
                        "a condition tests one thing; it already names \"") +
                    subject_key + "\""));
        return false;
      }
      subject_key = key;
    }
    if (!subject_key) {
      r_.Fail(
          ErrorCode::kMissingField, path,
          SONDAR_MESSAGE("needs one of \"question\", \"category\", \"hidden\", "
                         "\"field\", or \"all\" / \"any\""));
      return false;
    }
    r_.CheckKeys(c, path, std::string(subject_key) + " op value");
    const std::string* name = r_.String(c, path, subject_key, true);
    const std::string* op = r_.String(c, path, "op", true);
    if (!name || !op) return false;
    const std::string subject_path = PathKey(path, subject_key);
    const std::string_view key = subject_key;
    const bool presence_is_answered = key == "question" || key == "category";
    if (!internal::ParseOperation(r_, c, path, *op,
                                  presence_is_answered ? "answered" : "exists",
                                  out))
      return false;
    if (key == "question") {
      out->subject = std::string(kQuestion) + *name;
      return CheckQuestion(*name, subject_path, /*scored=*/false);
    }
    if (key == "category") {
      out->subject = std::string(kCategory) + *name;
      if (!CheckQuestion(*name, subject_path, /*scored=*/true)) return false;
      return CheckCategories(*out, PathKey(path, "value"));
    }
    if (key == "hidden") {
      out->subject = std::string(kHidden) + *name;
      if (name->empty()) {
        r_.Fail(ErrorCode::kInvalidValue, subject_path,
                SONDAR_MESSAGE("must not be empty"));
        return false;
      }
      return true;
    }
    if (std::find(std::begin(kFields), std::end(kFields), *name) ==
        std::end(kFields)) {
      r_.Fail(ErrorCode::kInvalidValue, subject_path,
              SONDAR_MESSAGE("unknown field \"" + *name +
                             "\" (expected trigger, locale, status or theme)"));
      return false;
    }
    out->subject = std::string(kField) + *name;
    return true;
  }

 private:
  // The question must exist in every survey the rule is for (in one of them
  // when it is for all): a rule on a question no response can have would
  // never fire, silently.
  bool CheckQuestion(const std::string& id, const std::string& path,
                     bool scored) {
    if (!in_scope_) return true;
    bool everywhere = true, somewhere = false;
    std::string missing_in;
    for (const Survey* s : *in_scope_) {
      const int index = s->QuestionIndex(id);
      const bool ok =
          index >= 0 &&
          (!scored || s->questions[static_cast<std::size_t>(index)].scored());
      somewhere = somewhere || ok;
      if (!ok && everywhere) missing_in = s->id;
      everywhere = everywhere && ok;
    }
    if (named_surveys_ ? everywhere && !in_scope_->empty() : somewhere)
      return true;
    std::string what =
        scored ? "a scored (nps, csat, ces) question" : "a question";
    r_.Fail(ErrorCode::kUnknownReference, path,
            SONDAR_MESSAGE("\"" + id + "\" is not " + what +
                           (named_surveys_ && !missing_in.empty()
                                ? " of survey \"" + missing_in + "\""
                                : " of any survey here")));
    return false;
  }

  bool CheckCategories(const Condition& c, const std::string& path) {
    if (c.op == Op::kAnswered) return true;
    std::vector<const Json*> values;
    if (c.value.is_array()) {
      for (const Json& v : c.value.as_array()) values.push_back(&v);
    } else {
      values.push_back(&c.value);
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
      const Json& v = *values[i];
      const bool known =
          v.is_string() &&
          std::find(std::begin(kCategories), std::end(kCategories),
                    v.as_string()) != std::end(kCategories);
      if (!known) {
        r_.Fail(
            ErrorCode::kInvalidValue,
            c.value.is_array() ? PathIndex(path, i) : path,
            SONDAR_MESSAGE(
                "is not a category (promoter, passive, detractor, satisfied, "
                "not_satisfied, agree, not_agree)"));
        return false;
      }
    }
    if (c.op != Op::kEq && c.op != Op::kNeq && c.op != Op::kIn) {
      r_.Fail(
          ErrorCode::kInvalidValue,
          PathKey(path.substr(0, path.rfind('.')), "op"),
          SONDAR_MESSAGE("a category is tested with eq, neq, in or answered"));
      return false;
    }
    return true;
  }

 public:
  bool named_surveys_ = false;

 private:
  internal::Reader& r_;
  const std::vector<const Survey*>* in_scope_;
};

// What a condition of a rule reads of one stored response.
struct Subjects {
  const Json& response;
  Json themes;  // the theme ids, an array
};

const Json* Find(const void* source, const std::string& subject) {
  const Subjects& s = *static_cast<const Subjects*>(source);
  const std::string_view name(subject);
  if (StartsWith(name, kQuestion)) {
    const Json* answers = s.response.find("answers");
    return answers ? answers->find(name.substr(kQuestion.size())) : nullptr;
  }
  if (StartsWith(name, kCategory)) {
    const Json* scores = s.response.find("scores");
    const Json* score =
        scores ? scores->find(name.substr(kCategory.size())) : nullptr;
    return score ? score->find("category") : nullptr;
  }
  if (StartsWith(name, kHidden)) {
    const Json* hidden = s.response.find("hidden");
    return hidden ? hidden->find(name.substr(kHidden.size())) : nullptr;
  }
  const std::string_view field = name.substr(kField.size());
  if (field == "theme") return &s.themes;
  return s.response.find(field);
}

Json ThemeList(std::string_view themes) {
  // ThemesOf: "" (no comment), "c" (comments, no theme) or "c,id,id".
  Json out = Json::array();
  std::size_t at = themes.find(',');
  while (at != std::string_view::npos) {
    const std::size_t next = themes.find(',', at + 1);
    out.push_back(std::string(themes.substr(at + 1, next - at - 1)));
    at = next;
  }
  return out;
}

// Slack's mrkdwn gives &, < and > meaning (<!channel>, <url|label>); as
// entities they are only text.
std::string SlackEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

std::string TextOf(const Json* value) {
  if (!value || value->is_null()) return "";
  if (value->is_string()) return value->as_string();
  return value->dump();
}

// Slack refuses a section text above 3,000 characters; a comment is cut
// well before.
std::string Cut(const std::string& text, std::size_t max) {
  return internal::CutUtf8(text, max);
}

// What every alert says of a response, whatever carries it.
struct Facts {
  std::string title;
  struct Score {
    std::string type;  // NPS, CSAT, CES
    std::string value, category;
  };
  std::vector<Score> scores;
  std::string status;
  std::vector<std::string> comments;  // each cut at 1,000 bytes
  std::vector<std::pair<std::string, std::string>> context;  // label, value
};

Facts FactsOf(const AlertInput& in) {
  const Survey& survey = in.version;
  const Json& response = in.response;
  Facts facts;
  const std::string locale = TextOf(response.find("locale"));
  facts.title = survey.title.Resolve(locale, survey.locale);
  if (facts.title.empty()) facts.title = survey.id;
  if (const Json* all = response.find("scores"); all && all->is_object()) {
    for (const auto& [qid, score] : all->as_object()) {
      const int index = survey.QuestionIndex(qid);
      if (index < 0) continue;
      const Question& q = survey.questions[static_cast<std::size_t>(index)];
      const std::string type = internal::TypeLabel(q.type);
      facts.scores.push_back(
          {type, TextOf(score.find("value")), TextOf(score.find("category"))});
    }
  }
  facts.status = std::string(StatusName(StatusFromResponse(response)));
  for (const Comment& c : CommentsOf(survey, response))
    facts.comments.push_back(Cut(c.text, 1000));
  const Json* hidden = response.find("hidden");
  auto first_of = [&](std::initializer_list<const char*> keys) {
    for (const char* key : keys) {
      std::string value = TextOf(hidden ? hidden->find(key) : nullptr);
      if (!value.empty()) return Cut(value, 200);
    }
    return std::string();
  };
  for (auto [label, value] :
       {std::pair<const char*, std::string>{"segment", first_of({"segment"})},
        {"customer", first_of({"customerId", "customer_id", "email"})},
        {"order", first_of({"orderId", "order_id"})},
        {"trigger", Cut(TextOf(response.find("trigger")), 200)}}) {
    if (!value.empty()) facts.context.emplace_back(label, value);
  }
  return facts;
}

std::string ScoresLine(const Facts& facts, bool bold) {
  std::string out;
  for (const Facts::Score& s : facts.scores) {
    if (!out.empty()) out += ", ";
    out += (bold ? "*" : "") + s.type + " " + s.value + (bold ? "*" : "");
    if (!s.category.empty()) out += " (" + s.category + ")";
  }
  return out;
}

std::string SlackBody(const AlertInput& in) {
  const Facts facts = FactsOf(in);
  const std::string scores = SlackEscape(ScoresLine(facts, true));
  std::string text = "*" + SlackEscape(facts.title) + "*";
  if (!scores.empty()) text += ": " + scores;
  text += " · " + facts.status;
  for (const std::string& comment : facts.comments) {
    std::string quoted;
    for (char ch : SlackEscape(comment)) {
      quoted += ch;
      if (ch == '\n') quoted += "> ";
    }
    text += "\n> " + quoted;
  }
  std::string footer;
  for (const auto& [label, value] : facts.context) {
    if (!footer.empty()) footer += " · ";
    footer += label + ": " + SlackEscape(value);
  }
  if (!in.link.empty()) {
    // The link is ours (the workspace's address and a response id), but
    // escaped all the same: a | or > in it would end Slack's link syntax.
    if (!footer.empty()) footer += " · ";
    footer += "<" + SlackEscape(in.link) + "|Open in the workspace>";
  }
  Json section = {{"type", "section"},
                  {"text", {{"type", "mrkdwn"}, {"text", Cut(text, 2900)}}}};
  Json blocks = Json::array({section});
  if (!footer.empty()) {
    blocks.push_back(
        {{"type", "context"},
         {"elements", Json::array({{{"type", "mrkdwn"}, {"text", footer}}})}});
  }
  // `text` is what notifications and clients without blocks show.
  std::string fallback = facts.title;
  const std::string plain = ScoresLine(facts, false);
  if (!plain.empty()) fallback += ": " + plain;
  return Json{{"text", SlackEscape(fallback)}, {"blocks", blocks}}.dump();
}

}  // namespace

std::string_view AlertTemplateName(AlertTemplate format) {
  switch (format) {
    case AlertTemplate::kSlack:
      return "slack";
    case AlertTemplate::kEmail:
      return "email";
    case AlertTemplate::kDigest:
      return "digest";
    case AlertTemplate::kJson:
      break;
  }
  return "json";
}

Email AlertEmail(const AlertInput& in) {
  const Facts facts = FactsOf(in);
  const std::string scores = ScoresLine(facts, false);
  Email email;
  // One line: a CR or LF in a survey title must not start a header.
  email.subject =
      internal::OneLine(facts.title + (scores.empty() ? "" : ": " + scores) +
                        " (" + facts.status + ")");
  std::string text = facts.title + "\n" + scores + " · " + facts.status + "\n";
  std::string rows;
  for (const std::string& comment : facts.comments) {
    text += "\n> " + comment + "\n";
    rows +=
        "<tr><td style=\"padding:8px 12px;border-left:4px solid #0f766e;"
        "background:#f1f5f9;white-space:pre-wrap\">" +
        internal::HtmlEscape(comment) + "</td></tr>";
  }
  std::string details;
  text += "\n";
  for (const auto& [label, value] : facts.context) {
    text += label + ": " + value + "\n";
    details += "<tr><td style=\"color:#475569;padding:2px 12px 2px 0\">" +
               internal::HtmlEscape(label) + "</td><td>" +
               internal::HtmlEscape(value) + "</td></tr>";
  }
  if (!in.link.empty())
    text += "\nOpen in the workspace: " + std::string(in.link) + "\n";
  email.text = text;
  email.html = internal::EmailPage(
      facts.title,
      "<p style=\"font-size:18px;margin:0 0 12px\"><strong>" +
          internal::HtmlEscape(scores) + "</strong> · " +
          internal::HtmlEscape(facts.status) + "</p>" +
          (rows.empty() ? ""
                        : "<table role=\"presentation\" width=\"100%\" "
                          "style=\"border-collapse:collapse;margin:0 0 "
                          "12px\">" +
                              rows + "</table>") +
          (details.empty() ? ""
                           : "<table role=\"presentation\" style=\""
                             "border-collapse:collapse;font-size:14px\">" +
                                 details + "</table>"),
      std::string(in.link), "Open in the workspace");
  return email;
}

Result<AlertRule> ParseAlertRule(const Json& body,
                                 const std::vector<const Survey*>* known) {
  Errors errors;
  internal::Reader r(&errors);
  AlertRule rule;
  if (!r.ExpectObject(body, "")) return errors;
  r.CheckKeys(body, "", "url when template surveys");
  if (const std::string* url = r.String(body, "", "url", true)) {
    if (url->empty() || url->size() > kMaxAlertUrlBytes) {
      r.Fail(ErrorCode::kInvalidValue, "url",
             SONDAR_MESSAGE("must be 1-" + internal::Str(kMaxAlertUrlBytes) +
                            " bytes"));
    }
    rule.url = *url;
  }
  if (const std::string* format = r.String(body, "", "template")) {
    bool known = false;
    for (AlertTemplate t : {AlertTemplate::kJson, AlertTemplate::kSlack,
                            AlertTemplate::kEmail, AlertTemplate::kDigest}) {
      if (*format == AlertTemplateName(t)) {
        rule.format = t;
        known = true;
      }
    }
    if (!known)
      r.Fail(ErrorCode::kInvalidValue, "template",
             SONDAR_MESSAGE(
                 "must be \"json\", \"slack\", \"email\" or \"digest\""));
  }
  const bool mail = rule.format == AlertTemplate::kEmail ||
                    rule.format == AlertTemplate::kDigest;
  if (!rule.url.empty() && (rule.url.rfind("mailto:", 0) == 0) != mail) {
    r.Fail(ErrorCode::kInvalidValue, "url",
           SONDAR_MESSAGE(
               mail ? "must be mailto: addresses for an e-mail template"
                    : "is a mailto: address: use the \"email\" or \"digest\" "
                      "template"));
  }
  std::vector<const Survey*> in_scope;
  bool named = false;
  if (const Json* list = r.Array(body, "", "surveys")) {
    named = !list->empty();
    if (list->size() > kMaxAlertSurveys) {
      r.Fail(ErrorCode::kTooLarge, "surveys",
             SONDAR_MESSAGE("names more than " +
                            internal::Str(kMaxAlertSurveys) + " surveys"));
    }
    for (std::size_t i = 0; i < list->size() && i < kMaxAlertSurveys; ++i) {
      const Json& id = (*list)[i];
      const std::string path = PathIndex("surveys", i);
      if (!id.is_string()) {
        r.Fail(ErrorCode::kWrongType, path,
               SONDAR_MESSAGE("must be a survey id (got " +
                              internal::Describe(id) + ")"));
        continue;
      }
      const Survey* survey = nullptr;
      if (known) {
        for (const Survey* s : *known)
          if (s->id == id.as_string()) survey = s;
      }
      if (known && !survey) {
        r.Fail(ErrorCode::kUnknownReference, path,
               SONDAR_MESSAGE("no survey \"" + id.as_string() + "\" here"));
        continue;
      }
      if (std::find(rule.surveys.begin(), rule.surveys.end(), id.as_string()) !=
          rule.surveys.end()) {
        r.Fail(ErrorCode::kDuplicateId, path, SONDAR_MESSAGE("is named twice"));
        continue;
      }
      rule.surveys.push_back(id.as_string());
      if (survey) in_scope.push_back(survey);
    }
  }
  if (!named && known) in_scope = *known;
  const bool digest = rule.format == AlertTemplate::kDigest;
  if (digest && body.contains("when")) {
    r.Fail(ErrorCode::kInvalidValue, "when",
           SONDAR_MESSAGE(
               "a digest has no rule: it sums up every response of the day"));
  } else if (const Json* when =
                 digest ? nullptr : r.Field(body, "", "when", true)) {
    if (when->dump().size() > kMaxAlertRuleBytes) {
      r.Fail(ErrorCode::kTooLarge, "when",
             SONDAR_MESSAGE("is larger than " +
                            internal::Str(kMaxAlertRuleBytes) + " bytes"));
    } else {
      RuleParser parser(&r, known ? &in_scope : nullptr);
      parser.named_surveys_ = named;
      parser.Parse(*when, "when", 1, &rule.when);
      rule.when_json = *when;
    }
  }
  if (!errors.empty()) return errors;
  return rule;
}

AlertAction DecideAlert(const AlertRule& rule, const std::string& survey_id,
                        const Json& response, std::string_view themes) {
  if (rule.format == AlertTemplate::kDigest) return AlertAction::kNone;
  if (!rule.surveys.empty() &&
      std::find(rule.surveys.begin(), rule.surveys.end(), survey_id) ==
          rule.surveys.end())
    return AlertAction::kNone;
  const Subjects subjects{response, ThemeList(themes)};
  if (!Evaluate(rule.when, Lookup{&subjects, Find}))
    return AlertAction::kWithdraw;
  return StatusFromResponse(response) == ResponseStatus::kPartial
             ? AlertAction::kHold
             : AlertAction::kFire;
}

std::string AlertBody(const AlertRule& rule, const AlertInput& input) {
  if (rule.format == AlertTemplate::kSlack) return SlackBody(input);
  if (rule.format == AlertTemplate::kEmail)
    return AlertEmail(input).ToJson().dump();
  Json body = {{"type", "response.alert"},
               {"webhookId", std::string(input.webhook_id)},
               {"rule", {{"when", rule.when_json}}},
               {"response", input.response},
               {"themes", ThemeList(input.themes)}};
  if (!input.link.empty()) body["link"] = std::string(input.link);
  return body.dump();
}

}  // namespace sondar
