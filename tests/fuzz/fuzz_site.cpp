// Site manifest text -> parse + validate; whatever validates is decided across
// under a few contexts (events, clicks, page caps, history), and every
// decision must name each survey once, with at most one shown.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sondar/sondar.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = sondar::ParseSite(text);
  if (!parsed.ok()) {
    (void)parsed.status().ToString();
    return 0;
  }
  const sondar::Site& site = parsed.value();
  for (int round = 0; round < 4; ++round) {
    sondar::DecideContext c;
    const sondar::Survey& first =
        *site.surveys[round % site.surveys.size()].survey;
    c.event = first.trigger.events.empty() ? "" : first.trigger.events.front();
    c.clicked =
        first.trigger.clicks.empty() ? "" : first.trigger.clicks.front();
    c.url = "https://shop.example/order/1?x=1";
    c.visitor_id = "visitor-1";
    c.page_views = round + 1;
    c.seconds_on_site = 40.0 * round;
    c.shown_this_page = round == 3;
    c.now_ms = 1767225600000 + round * 86400000LL;
    c.history.push_back({first.id, sondar::HistoryKind::kDisplay,
                         1767225600000 - round * 3600000LL});
    c.response_counts[first.id] = round * 100;
    sondar::SiteDecision d = sondar::DecideSite(site, c);
    if (d.decisions.size() != site.surveys.size()) __builtin_trap();
    int shown = 0;
    for (const sondar::Decision& one : d.decisions) shown += one.show;
    if (shown != (d.chosen >= 0)) __builtin_trap();
    (void)d.ToJson(site).dump();
  }
  return 0;
}
