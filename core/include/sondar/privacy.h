// Privacy operations on stored responses: who a request for erasure or access
// is about, which responses are about them, and what a viewer (a team member
// without the admin role) may see of a response.
#ifndef SONDAR_PRIVACY_H_
#define SONDAR_PRIVACY_H_

#include <cstdint>
#include <string>

#include "sondar/json.h"
#include "sondar/query.h"
#include "sondar/status.h"
#include "sondar/survey.h"
#include "sondar/versions.h"

namespace sondar {

// One person, by one of the keys a response holds: the widget's visitor id,
// an e-mail address given in a contact answer, or a hidden field's value (an
// order number the host attached).
struct Subject {
  enum class Key { kVisitor, kEmail, kHidden };
  Key key = Key::kVisitor;
  std::string field;  // kHidden: the field's name
  std::string value;  // kEmail: trimmed and lower-cased
  // {"visitorId": ...}, {"email": ...} or {"hidden": {"NAME": "VALUE"}}.
  Json ToJson() const;
  // "visitorId", "email" or "hidden.NAME": what an audit entry records
  // instead of the value, which would keep the very data erased.
  std::string KeyName() const;
};

// As long as a hidden value may be.
inline constexpr std::size_t kMaxSubjectValueBytes = 1000;

// Exactly one of {"visitorId": "v-1"}, {"email": "a@b.example"} or
// {"hidden": {"orderId": "A-1001"}} (a hidden value may be a string, number
// or boolean, as the widget sends them). Errors at the member:
// `email: is not an e-mail address`.
Result<Subject> ParseSubject(const Json& body);

// Whether a stored response (its payload) is about `subject`. E-mail
// addresses compare without case; an address counts wherever a contact
// answer gives it, consent or not: an erasure takes too much rather than too
// little.
bool IsAbout(const Subject& subject, const Json& payload);

// Whether any version marks hidden field `name` "pii": once personal, always
// kept from viewers (older responses were collected under that version too).
bool IsPersonalField(const SurveyVersions& versions, std::string_view name);

// The response (validated against `version`, one of `versions`) as a viewer
// sees it: contact answers without their e-mail address, without every
// hidden field any version marks "pii", and without the host's own "x-"
// members (which may hold anything). The scores, answers and comments stay.
Json WithoutPersonalData(const SurveyVersions& versions, const Survey& version,
                         Json payload);

// Whether a viewer may apply `filter`: not by a personal hidden field, nor by
// the segment when its field is personal (the figures would tell whether a
// given customer answered, and how). The error is at the parameter:
// `hidden.order_id: is personal data ...`.
Status ViewerMayFilter(const SurveyVersions& versions,
                       const ResponseFilter& filter);

// A summary (VersionedAggregate::Summary) as a viewer sees it: without the
// segment breakdown when the segment's hidden field is personal.
Json WithoutPersonalBreakdowns(const SurveyVersions& versions, Json summary);

// The first moment a collector keeping `days` days of responses keeps: the
// start of the UTC day `days` days before `now_ms`. Responses submitted
// before it are aggregated by day and deleted; one posted late is refused.
std::int64_t RetentionStart(std::int64_t now_ms, int days);

}  // namespace sondar

#endif  // SONDAR_PRIVACY_H_
