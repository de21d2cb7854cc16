// sondar::ParseJson against nlohmann::json on arbitrary bytes: both accept or
// both refuse, they read the same value, and what sondar writes reads back
// equal. Never a crash, leak or sanitizer report.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "sondar/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // Depth well past anything libFuzzer's max_len allows, so only grammar
  // decides.
  auto ours = sondar::ParseJson(text, size, 100000);
  // A raw NUL is never valid JSON (not even inside a string); nlohmann stops
  // reading at one, so it is no reference there.
  if (text.find('\0') != std::string_view::npos) {
    if (ours.ok()) __builtin_trap();
    return 0;
  }
  auto theirs = nlohmann::json::parse(text.begin(), text.end(), nullptr,
                                      /*allow_exceptions=*/false);
  if (ours.ok() != !theirs.is_discarded()) __builtin_trap();
  if (!ours.ok()) return 0;
  // nlohmann keeps integers up to 2^64-1 exact where sondar holds a double, so
  // compare values (numbers by value), not text.
  auto reread = sondar::ParseJson(theirs.dump());
  if (!reread.ok() || reread.value() != ours.value()) __builtin_trap();
  auto round_trip = sondar::ParseJson(ours.value().dump());
  if (!round_trip.ok() || round_trip.value() != ours.value()) __builtin_trap();
  return 0;
}
