// What the alert and digest e-mails share: escaping and the page around
// their content, with inline styles and a table layout (what mail clients
// render; many ignore <style> and every external sheet).
#ifndef SONDAR_SRC_EMAIL_HTML_H_
#define SONDAR_SRC_EMAIL_HTML_H_

#include <string>
#include <string_view>

#include "sondar/survey.h"

namespace sondar::internal {

// `text` cut to at most `max` bytes at a UTF-8 boundary, with "…" when cut.
std::string CutUtf8(const std::string& text, std::size_t max);
// A scored question's type as alerts name it: NPS, CSAT, CES.
std::string TypeLabel(QuestionType type);

// &, <, >, " and ' as entities.
std::string HtmlEscape(std::string_view text);
// Control characters (CR and LF among them) as spaces.
std::string OneLine(std::string_view text);
// A whole HTML document: `title` as its heading, `body` (HTML, already
// escaped), and a button to `link` labelled `label` when `link` is set.
std::string EmailPage(const std::string& title, const std::string& body,
                      const std::string& link, const std::string& label);

}  // namespace sondar::internal

#endif  // SONDAR_SRC_EMAIL_HTML_H_
