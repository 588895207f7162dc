// IP addresses (v4 or v6) and MAC addresses as plain values: comparable,
// hashable, printable. IPv4 is stored in the first four bytes.
#pragma once

#include <array>
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
  bool operator==(const IpAddr& o) const = default;
  // clang-tidy 14 takes the literal 0 the defaulted <=> compares its
  // result with for a null pointer.
  auto operator<=>(const IpAddr& o) const = default;  // NOLINT(modernize-use-nullptr)
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
    return std::hash<std::string_view>()(view(a.b)) ^ a.version;
  }
  template <size_t N>
  static std::string_view view(const std::array<uint8_t, N>& b) {
    return {reinterpret_cast<const char*>(b.data()), N};
  }
};

}  // namespace ph
