// Bytes as lower-case hex: keys, ids and token hashes the collector writes.
#ifndef SONDAR_DEMO_COLLECTOR_HEX_H_
#define SONDAR_DEMO_COLLECTOR_HEX_H_

#include <cstddef>
#include <string>

namespace sondar::collector {

inline std::string Hex(const unsigned char* data, std::size_t size) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

}  // namespace sondar::collector

#endif  // SONDAR_DEMO_COLLECTOR_HEX_H_
