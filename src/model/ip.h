// IP addresses (v4 or v6) and MAC addresses as plain values: comparable,
// hashable, printable. IPv4 is stored in the first four bytes.
#pragma once

#include <array>
#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

namespace ph {

struct IpAddr {
  std::array<uint8_t, 16> b{};
  uint8_t version = 0;  // 0 = none, 4 or 6

  static IpAddr v4(const uint8_t* p) {
    IpAddr a;
    std::memcpy(a.b.data(), p, 4);
    a.version = 4;
    return a;
  }
  static IpAddr v6(const uint8_t* p) {
    IpAddr a;
    std::memcpy(a.b.data(), p, 16);
    a.version = 6;
    return a;
  }
  // Parses dotted IPv4 or textual IPv6; version 0 on failure.
  static IpAddr parse(std::string_view text);
  std::string to_string() const;
  // The same text in `buf`, without allocating (reports print millions).
  static constexpr size_t kTextSize = 46;  // INET6_ADDRSTRLEN
  std::string_view format(char (&buf)[kTextSize]) const;
  // The address as two words: compared and hashed for every packet and
  // every name lookup, so in two loads, not byte by byte. Big-endian, so
  // that words order as the bytes do.
  uint64_t hi() const { return word(0); }
  uint64_t lo() const { return word(8); }
  bool operator==(const IpAddr& o) const {
    return hi() == o.hi() && lo() == o.lo() && version == o.version;
  }
  // Bytes in order, then the version.
  std::strong_ordering operator<=>(const IpAddr& o) const {
    if (auto c = hi() <=> o.hi(); c != 0) return c;  // NOLINT(modernize-use-nullptr)
    if (auto c = lo() <=> o.lo(); c != 0) return c;  // NOLINT(modernize-use-nullptr)
    return version <=> o.version;
  }

 private:
  uint64_t word(size_t at) const {
    uint64_t w;
    std::memcpy(&w, b.data() + at, 8);
    if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
    return w;
  }
};

struct MacAddr {
  std::array<uint8_t, 6> b{};
  static MacAddr from(const uint8_t* p) {
    MacAddr m;
    std::memcpy(m.b.data(), p, 6);
    return m;
  }
  bool is_zero() const { return b == std::array<uint8_t, 6>{}; }
  bool is_multicast() const { return b[0] & 1; }  // includes broadcast
  bool is_locally_administered() const { return b[0] & 2; }
  std::string to_string() const;  // "aa:bb:cc:dd:ee:ff"
  bool operator==(const MacAddr& o) const = default;
  auto operator<=>(const MacAddr& o) const = default;
};

// For unordered containers keyed by address.
struct AddrHash {
  size_t operator()(const MacAddr& m) const { return std::hash<std::string_view>()(view(m.b)); }
  size_t operator()(const IpAddr& a) const {
    // Two multiply-mix rounds (splitmix64's constants): enough to spread
    // addresses that differ in any byte, at a fraction of a byte hash.
    uint64_t h = (a.hi() ^ a.version) * 0x9e3779b97f4a7c15ull;
    h = (h ^ (h >> 32) ^ a.lo()) * 0xbf58476d1ce4e5b9ull;
    return static_cast<size_t>(h ^ (h >> 31));
  }
  template <size_t N>
  static std::string_view view(const std::array<uint8_t, N>& b) {
    return {reinterpret_cast<const char*>(b.data()), N};
  }
};

}  // namespace ph
