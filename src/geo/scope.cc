// Address scopes from the IANA special-purpose address registries (RFC 6890
// and successors): a private, link-local or documentation address is
// labelled as such and never looked up.
#include <cstring>

#include "geo/geo.h"

namespace ph::geo {
namespace {

struct Prefix4 {
  uint32_t net;
  int bits;
  Scope scope;
};

// Most specific first where prefixes nest (255.255.255.255 inside 240/4).
constexpr Prefix4 kV4[] = {
    {0x00000000, 8, Scope::kUnspecified},     // 0.0.0.0/8 "this network"
    {0x0a000000, 8, Scope::kPrivate},         // 10/8
    {0x64400000, 10, Scope::kCgnat},          // 100.64/10
    {0x7f000000, 8, Scope::kLoopback},        // 127/8
    {0xa9fe0000, 16, Scope::kLinkLocal},      // 169.254/16
    {0xac100000, 12, Scope::kPrivate},        // 172.16/12
    {0xc0000200, 24, Scope::kDocumentation},  // 192.0.2/24 TEST-NET-1
    {0xc0a80000, 16, Scope::kPrivate},        // 192.168/16
    {0xc6336400, 24, Scope::kDocumentation},  // 198.51.100/24 TEST-NET-2
    {0xcb007100, 24, Scope::kDocumentation},  // 203.0.113/24 TEST-NET-3
    {0xe0000000, 4, Scope::kMulticast},       // 224/4
    {0xffffffff, 32, Scope::kBroadcast},      // limited broadcast
    {0xf0000000, 4, Scope::kReserved},        // 240/4
};

Scope scope_v4(uint32_t a) {
  for (const auto& p : kV4) {
    uint32_t mask = p.bits == 0 ? 0 : ~uint32_t(0) << (32 - p.bits);
    if ((a & mask) == p.net) return p.scope;
  }
  return Scope::kPublic;
}

bool starts_with(const IpAddr& ip, std::initializer_list<uint8_t> bytes) {
  return std::memcmp(ip.b.data(), bytes.begin(), bytes.size()) == 0;
}

}  // namespace

std::string_view name(Scope scope) {
  switch (scope) {
    case Scope::kPublic:
      return "public";
    case Scope::kPrivate:
      return "private";
    case Scope::kLoopback:
      return "loopback";
    case Scope::kLinkLocal:
      return "link-local";
    case Scope::kMulticast:
      return "multicast";
    case Scope::kCgnat:
      return "cgnat";
    case Scope::kDocumentation:
      return "documentation";
    case Scope::kUnspecified:
      return "unspecified";
    case Scope::kBroadcast:
      return "broadcast";
    case Scope::kReserved:
      return "reserved";
  }
  return "reserved";
}

IpAddr embedded_v4(const IpAddr& ip) {
  if (ip.version != 6) return ip;
  // ::ffff:a.b.c.d (RFC 4291) and the NAT64 well-known prefix 64:ff9b::/96
  // (RFC 6052), as a phone behind 464XLAT reaches IPv4 servers.
  const bool mapped = starts_with(ip, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff});
  const bool nat64 = starts_with(ip, {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0});
  if (!mapped && !nat64) return ip;
  return IpAddr::v4(ip.b.data() + 12);
}

Scope scope_of(const IpAddr& address) {
  const IpAddr ip = embedded_v4(address);
  if (ip.version == 4) {
    const uint8_t* b = ip.b.data();
    return scope_v4(uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3]);
  }
  if (ip.version != 6) return Scope::kUnspecified;
  const uint8_t* b = ip.b.data();
  static constexpr uint8_t kZero[16] = {};
  if (std::memcmp(b, kZero, 15) == 0) return b[15] == 1 ? Scope::kLoopback : Scope::kUnspecified;
  if ((b[0] & 0xfe) == 0xfc) return Scope::kPrivate;                            // fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return Scope::kLinkLocal;          // fe80::/10
  if (b[0] == 0xff) return Scope::kMulticast;                                   // ff00::/8
  if (starts_with(ip, {0x20, 0x01, 0x0d, 0xb8})) return Scope::kDocumentation;  // 2001:db8::/32
  if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0)
    return Scope::kDocumentation;                      // 3fff::/20
  if ((b[0] & 0xe0) != 0x20) return Scope::kReserved;  // outside 2000::/3, global unicast
  return Scope::kPublic;
}

}  // namespace ph::geo
