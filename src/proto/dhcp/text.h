// Text forms shared by the DHCPv4 and DHCPv6 decoders: hex, colon-separated
// hardware addresses, DUIDs (RFC 8415 11) and wire-format domain names
// (RFC 1035 3.1, as used by the client FQDN options, which may end without
// the root label when the name is partial).
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"

namespace ph::proto::dhcp::detail {

inline void append_hex(std::string& out, Bytes b, char sep = 0) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < b.size(); ++i) {
    if (sep && i) out += sep;
    out += kDigits[b[i] >> 4];
    out += kDigits[b[i] & 15];
  }
}
inline std::string hex(Bytes b, char sep = 0) {
  std::string s;
  s.reserve(b.size() * (sep ? 3 : 2));
  append_hex(s, b, sep);
  return s;
}

// The link-layer address of a DUID-LLT (type 1) or DUID-LL (type 3) with
// hardware type 1 (Ethernet) and 6 address bytes, as "aa:bb:...". Empty for
// other DUIDs.
inline std::string duid_mac(Bytes duid) {
  if (duid.size() < 4 || load_be16(duid.data() + 2) != 1) return {};
  uint16_t type = load_be16(duid.data());
  size_t at = type == 1 ? 8 : type == 3 ? 4 : 0;
  if (at == 0 || duid.size() != at + 6) return {};
  return hex(duid.subspan(at, 6), ':');
}

// A wire-format name (uncompressed labels). A final zero label is optional
// (a partial name ends without it); nothing may follow it. False when the
// bytes are not such a name (a bad length, a compression pointer).
inline bool wire_name(Bytes b, std::string& out) {
  out.clear();
  size_t p = 0;
  while (p < b.size()) {
    uint8_t len = b[p];
    if (len == 0) return p + 1 == b.size();
    if (len > 63 || p + 1 + len > b.size()) return false;
    if (!out.empty()) out += '.';
    out.append(reinterpret_cast<const char*>(b.data() + p + 1), len);
    p += 1 + size_t(len);
  }
  return true;
}

}  // namespace ph::proto::dhcp::detail
