# Makes web/src/numbers.js (an ES module of top-level functions) into a --pre-js for the embind
# module, so the number imports are written once for both builds. Run as
#   cmake -DIN=<numbers.js> -DOUT=<pre.js> -P numbers_pre_js.cmake
file(READ "${IN}" text)
string(REGEX REPLACE "(^|\n)export function " "\\1function " text "${text}")
if(text MATCHES "(^|\n)(export|import) ")
  message(FATAL_ERROR "${IN}: only `export function` declarations can become a --pre-js")
endif()
file(WRITE "${OUT}" "// Generated from ${IN} by numbers_pre_js.cmake; edit that file.\n${text}")
