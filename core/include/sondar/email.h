// E-mail the collector sends: an alert per matching response, and a daily
// digest per survey. The core writes the subject, a plain-text part and an
// HTML part (inline styles and tables, what mail clients render); the
// collector only wraps them in MIME (libcurl) and sends them over SMTP.
#ifndef SONDAR_EMAIL_H_
#define SONDAR_EMAIL_H_

#include <string>
#include <string_view>
#include <vector>

#include "sondar/alerts.h"
#include "sondar/json.h"
#include "sondar/scoring.h"
#include "sondar/versions.h"

namespace sondar {

struct Email {
  std::string subject;  // one line, UTF-8
  std::string text;
  std::string html;
  // {"subject", "text", "html"}: what a delivery stores.
  Json ToJson() const;
  // False for JSON that is not ToJson's.
  static bool FromJson(const Json& json, Email* email);
};

// The alert for one response, as AlertBody's templates say it: the scores,
// the comments, segment, customer and order ids, and the link. Every text
// from the response is escaped in the HTML part.
Email AlertEmail(const AlertInput& input);

inline constexpr int kDigestComments = 5;

struct DigestInput {
  const SurveyVersions& versions;
  // Summaries (VersionedAggregate::Summary) of the period and of the period
  // before it.
  const Json& current;
  const Json& previous;
  std::string period;  // how the subject names it, e.g. "2026-11-30"
  // Stored responses of the period that have comments, any order: the
  // digest quotes the lowest-scored.
  const std::vector<Json>& commented;
  std::string link;  // the survey in the workspace; "" for none
  double confidence = kDefaultConfidence;
};
// Per scored question type (NPS, CSAT, CES): the score with its interval,
// how many answered, the change from the period before with its interval
// (and whether it is significant), then the kDigestComments lowest-scored
// comments.
Email DigestEmail(const DigestInput& input);

}  // namespace sondar

#endif  // SONDAR_EMAIL_H_
