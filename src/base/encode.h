// Hex and base64 encoding of bytes (the decoders live in src/content): for
// digests shown as hex, the forms the device profile matches, and fixtures.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ph {

// Two hex digits a byte, lower case unless `upper`.
inline std::string hex_encode(std::string_view bytes, bool upper = false) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    out.push_back(digits[uint8_t(c) >> 4]);
    out.push_back(digits[uint8_t(c) & 15]);
  }
  return out;
}

// RFC 4648 base64: the standard alphabet (+/) or, when `url`, the URL-safe
// one (-_); '=' padding when `pad`.
inline std::string base64_encode(std::string_view bytes, bool url = false, bool pad = true) {
  const char* alphabet = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                             : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = bytes.size() - i < 3 ? bytes.size() - i : 3;
    uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
    if (n > 1) v |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    if (n > 2) v |= uint8_t(bytes[i + 2]);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (n > 1) out.push_back(alphabet[(v >> 6) & 63]);
    if (n > 2) out.push_back(alphabet[v & 63]);
    if (pad && n < 3) out.append(3 - n, '=');
  }
  return out;
}

}  // namespace ph
