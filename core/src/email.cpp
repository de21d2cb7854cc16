#include "sondar/email.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "email_html.h"
#include "json_reader.h"
#include "sondar/query.h"

namespace sondar {

namespace internal {

std::string CutUtf8(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  return text.substr(0, end) + "…";
}

std::string TypeLabel(QuestionType type) {
  std::string label(TypeName(type));
  for (char& c : label)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return label;
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string OneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  return out;
}

std::string EmailPage(const std::string& title, const std::string& body,
                      const std::string& link, const std::string& label) {
  std::string button;
  if (!link.empty()) {
    button = "<p style=\"margin:20px 0 0\"><a href=\"" + HtmlEscape(link) +
             "\" style=\"display:inline-block;background:#0f766e;color:#ffffff;"
             "padding:10px 18px;border-radius:6px;text-decoration:none;"
             "font-weight:bold\">" +
             HtmlEscape(label) + "</a></p>";
  }
  return "<!doctype html><html><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width\">"
         "<title>" +
         HtmlEscape(title) +
         "</title></head><body style=\"margin:0;background:#f8fafc\">"
         "<table role=\"presentation\" width=\"100%\" style=\"border-collapse:"
         "collapse\"><tr><td align=\"center\" style=\"padding:24px 12px\">"
         "<table role=\"presentation\" width=\"600\" style=\"max-width:600px;"
         "width:100%;border-collapse:collapse;background:#ffffff;border:1px "
         "solid #e2e8f0;font:15px/1.5 Arial,Helvetica,sans-serif;color:"
         "#0f172a\"><tr><td style=\"padding:20px 24px\">"
         "<h1 style=\"font-size:20px;margin:0 0 12px\">" +
         HtmlEscape(title) + "</h1>" + body + button +
         "</td></tr></table><p style=\"font:12px Arial,sans-serif;color:"
         "#475569\">Sent by sondar.</p></td></tr></table></body></html>";
}

}  // namespace internal

namespace {

using internal::HtmlEscape;

// `value` with `digits` decimals, "−" for negatives (the core writes no
// printf: it would grow the widget's wasm).
std::string Fixed(double value, int digits, bool sign = false) {
  double scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  const long long scaled = std::llround(std::fabs(value) * scale);
  const long long whole = scaled / static_cast<long long>(scale);
  std::string frac = internal::Str(scaled % static_cast<long long>(scale));
  while (static_cast<int>(frac.size()) < digits) frac.insert(0, "0");
  std::string out = internal::Str(whole);
  if (digits > 0) out += "." + frac;
  if (scaled == 0) return out;
  if (value < 0) return "\u2212" + out;
  return sign ? "+" + out : out;
}

std::uint64_t Count(const Json& object, std::string_view key) {
  const Json* v = object.find(key);
  return v && v->is_number() && v->as_double() > 0
             ? static_cast<std::uint64_t>(v->as_int())
             : 0;
}

// One metric of a summary as the core's score, or nullopt without answers.
struct Metric {
  std::string name;
  int digits = 1;
  std::string unit;
  double score = 0;
  std::optional<Interval> ci;
  std::uint64_t n = 0;
};

std::optional<Metric> NpsOf(const Json& summary, double confidence,
                            NpsScore* out) {
  const Json* nps = summary.find("nps");
  if (!nps || !nps->is_object() || Count(*nps, "n") == 0) return std::nullopt;
  *out = ScoreNps(Count(*nps, "promoters"), Count(*nps, "passives"),
                  Count(*nps, "detractors"), confidence);
  return Metric{"NPS", 1, "", out->score, out->ci, out->n};
}

std::optional<Metric> CsatOf(const Json& summary, double confidence,
                             ProportionScore* out) {
  const Json* csat = summary.find("csat");
  if (!csat || !csat->is_object() || Count(*csat, "n") == 0)
    return std::nullopt;
  *out =
      ScoreProportion(Count(*csat, "satisfied"), Count(*csat, "n"), confidence);
  return Metric{"CSAT", 1, "%", out->score, out->ci, out->n};
}

std::optional<Metric> CesOf(const Json& summary, double confidence,
                            MeanScore* out) {
  const Json* ces = summary.find("ces");
  if (!ces || !ces->is_object() || Count(*ces, "n") == 0) return std::nullopt;
  const Json* distribution = ces->find("distribution");
  if (!distribution || !distribution->is_array() || distribution->empty())
    return std::nullopt;
  std::vector<std::uint64_t> counts;
  for (const Json& point : distribution->as_array())
    counts.push_back(Count(point, "count"));
  const int min = static_cast<int>((*distribution)[0]["value"].as_int());
  *out = ScoreMean(min, counts.data(), static_cast<int>(counts.size()),
                   confidence);
  return Metric{"CES", 2, "", out->mean, out->ci, out->n};
}

struct Row {
  Metric now;
  std::optional<Difference> change;
  bool before = false;  // the previous period had answers
};

std::vector<Row> Rows(const Json& current, const Json& previous,
                      double confidence) {
  std::vector<Row> rows;
  {
    NpsScore a, b;
    if (auto m = NpsOf(current, confidence, &a)) {
      const bool before = NpsOf(previous, confidence, &b).has_value();
      rows.push_back(
          {*m, before ? CompareNps(a, b, confidence) : std::nullopt, before});
    }
  }
  {
    ProportionScore a, b;
    if (auto m = CsatOf(current, confidence, &a)) {
      const bool before = CsatOf(previous, confidence, &b).has_value();
      rows.push_back(
          {*m, before ? CompareProportions(a, b, confidence) : std::nullopt,
           before});
    }
  }
  {
    MeanScore a, b;
    if (auto m = CesOf(current, confidence, &a)) {
      const bool before = CesOf(previous, confidence, &b).has_value();
      rows.push_back(
          {*m, before ? CompareMeans(a, b, confidence) : std::nullopt, before});
    }
  }
  return rows;
}

std::string Range(const Metric& m, const std::optional<Interval>& ci) {
  if (!ci) return "";
  return Fixed(ci->low, m.digits) + " to " + Fixed(ci->high, m.digits);
}

std::string ChangeText(const Row& row, const std::string& percent) {
  if (!row.before) return "no answers the period before";
  if (!row.change) return "too few answers to compare";
  const Difference& d = *row.change;
  return Fixed(d.difference, row.now.digits, true) + " since the period " +
         "before (" + percent + " interval " + Range(row.now, d.ci) + "), " +
         (d.significant ? "a real change" : "within chance");
}

struct Low {
  int value = 0;
  std::string score;  // "NPS 2"
  std::vector<std::string> words;
};

// The commented responses with the lowest scores on the latest version's
// first scored question.
std::vector<Low> Lowest(const DigestInput& in) {
  const Survey* latest = in.versions.Latest();
  const Question* scored = nullptr;
  for (const Question& q : latest->questions) {
    if (q.scored()) {
      scored = &q;
      break;
    }
  }
  std::vector<Low> lows;
  if (!scored) return lows;
  const std::string type = internal::TypeLabel(scored->type);
  for (const Json& payload : in.commented) {
    auto version = in.versions.For(payload);
    if (!version.ok()) continue;
    const Json& value = payload["scores"][scored->id]["value"];
    if (!value.is_number()) continue;
    Low low;
    low.value = static_cast<int>(value.as_int());
    low.score = type + " " + internal::Str(low.value);
    for (const Comment& c : CommentsOf(*version.value(), payload)) {
      std::string text = internal::CutUtf8(c.text, 600);
      low.words.push_back(std::move(text));
    }
    if (!low.words.empty()) lows.push_back(std::move(low));
  }
  std::stable_sort(lows.begin(), lows.end(), [](const Low& a, const Low& b) {
    return a.value < b.value;
  });
  if (lows.size() > static_cast<std::size_t>(kDigestComments))
    lows.resize(static_cast<std::size_t>(kDigestComments));
  return lows;
}

}  // namespace

Json Email::ToJson() const {
  return {{"subject", subject}, {"text", text}, {"html", html}};
}

bool Email::FromJson(const Json& json, Email* email) {
  const Json* s = json.find("subject");
  const Json* t = json.find("text");
  const Json* h = json.find("html");
  if (!s || !t || !h || !s->is_string() || !t->is_string() || !h->is_string())
    return false;
  *email = {s->as_string(), t->as_string(), h->as_string()};
  return true;
}

Email DigestEmail(const DigestInput& in) {
  const Survey* latest = in.versions.Latest();
  std::string title = latest ? latest->title.Resolve("", latest->locale) : "";
  if (title.empty()) title = in.versions.id();
  const std::uint64_t total = Count(in.current["responses"], "total");
  const std::string percent =
      internal::Str(std::llround(in.confidence * 100)) + "%";
  Email email;
  email.subject = internal::OneLine(title + ": daily digest for " + in.period +
                                    " (" + internal::Str(total) + " response" +
                                    (total == 1 ? "" : "s") + ")");
  std::string text = title + " — " + in.period + "\n" + internal::Str(total) +
                     " response" + (total == 1 ? "" : "s") + "\n\n";
  std::string table;
  for (const Row& row : Rows(in.current, in.previous, in.confidence)) {
    const std::string score =
        Fixed(row.now.score, row.now.digits) + row.now.unit;
    const std::string ci = Range(row.now, row.now.ci);
    const std::string change = ChangeText(row, percent);
    text += row.now.name + " " + score +
            (ci.empty() ? "" : " (" + percent + " interval " + ci + ")") +
            ", " + internal::Str(row.now.n) + " answers; " + change + "\n";
    table +=
        "<tr><td style=\"padding:6px 12px 6px 0;font-weight:bold\">" +
        HtmlEscape(row.now.name) +
        "</td><td style=\"padding:6px 12px 6px 0;font-size:22px;"
        "font-weight:bold\">" +
        HtmlEscape(score) +
        "</td><td style=\"padding:6px 0;color:#475569;font-size:13px\">" +
        (ci.empty() ? "" : HtmlEscape(percent + " interval " + ci) + "<br>") +
        HtmlEscape(internal::Str(row.now.n) + " answers; " + change) +
        "</td></tr>";
  }
  if (table.empty()) text += "No scored answers in this period.\n";
  std::string quotes;
  const std::vector<Low> lows = Lowest(in);
  if (!lows.empty()) text += "\nLowest-scored comments\n";
  for (const Low& low : lows) {
    for (const std::string& words : low.words) {
      text += "- " + low.score + ": " + words + "\n";
      quotes +=
          "<tr><td style=\"padding:6px 12px 6px 0;white-space:nowrap;"
          "color:#b91c1c;font-weight:bold;vertical-align:top\">" +
          HtmlEscape(low.score) +
          "</td><td style=\"padding:6px 0;white-space:pre-wrap\">" +
          HtmlEscape(words) + "</td></tr>";
    }
  }
  if (!in.link.empty()) text += "\nOpen in the workspace: " + in.link + "\n";
  email.text = text;
  const std::string body =
      "<p style=\"margin:0 0 12px;color:#475569\">" + HtmlEscape(in.period) +
      " · " + HtmlEscape(internal::Str(total)) + " response" +
      (total == 1 ? "" : "s") + "</p>" +
      (table.empty() ? "<p>No scored answers in this period.</p>"
                     : "<table role=\"presentation\" "
                       "style=\"border-collapse:collapse\">" +
                           table + "</table>") +
      (quotes.empty()
           ? ""
           : "<h2 style=\"font-size:16px;margin:20px 0 6px\">Lowest-scored "
             "comments</h2><table role=\"presentation\" width=\"100%\" "
             "style=\"border-collapse:collapse\">" +
                 quotes + "</table>");
  email.html =
      internal::EmailPage(title, body, in.link, "Open in the workspace");
  return email;
}

}  // namespace sondar
