// A person's data on request: every stored response about them (by visitor
// id, a contact answer's e-mail address or a hidden field's value) with its
// cases and deliveries, to hand over or to erase. Shared by the admin API
// (privacy_routes.cpp) and the command line (main.cpp).
#ifndef SONDAR_DEMO_COLLECTOR_PRIVACY_H_
#define SONDAR_DEMO_COLLECTOR_PRIVACY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sondar/json.h"
#include "sondar/privacy.h"
#include "store.h"

namespace sondar::collector {

// The stored responses about `subject` as (responseId, payload), oldest
// first for a visitor. A visitor is found through an index; an e-mail
// address or a hidden value by reading every stored payload (0.37 s per
// 100,000 responses on SQLite, 0.52 s on PostgreSQL: tests/bench/privacy.mjs;
// a request a month, not a query a second). False when
// the store could not be read whole.
bool ResponsesAbout(Store& store, const Subject& subject,
                    std::vector<std::pair<std::string, std::string>>* found);

// Erases them (Store::Erase); the responses erased, or -1.
std::int64_t EraseSubject(Store& store, const Subject& subject);

// Everything stored about `subject`, for an access request: {"subject",
// "exportedAt", "visitorIds", "responses" (as stored), "cases" (with their
// history), "deliveries" (what alerts sent about them)}; nullopt when the
// store could not be read.
std::optional<Json> AccessDocument(Store& store, const Subject& subject);

// A case's history as the API shows it: [{at, by, state?, assignee?,
// note?}], oldest first.
Json HistoryToJson(const std::vector<CaseEvent>& history);

// An audit entry as the API shows it.
Json AuditToJson(const AuditEntry& entry);

}  // namespace sondar::collector

#endif  // SONDAR_DEMO_COLLECTOR_PRIVACY_H_
