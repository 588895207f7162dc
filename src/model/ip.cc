// Text forms of addresses (inet_ntop/inet_pton do the work).
#include "model/ip.h"

#include <arpa/inet.h>

#include <cstdio>

namespace ph {

IpAddr IpAddr::parse(std::string_view text) {
  IpAddr a;
  char buf[INET6_ADDRSTRLEN + 1];  // inet_pton wants a C string
  if (text.size() >= sizeof buf) return a;
  text.copy(buf, text.size());
  buf[text.size()] = '\0';
  if (inet_pton(AF_INET, buf, a.b.data()) == 1) {
    a.version = 4;
  } else if (inet_pton(AF_INET6, buf, a.b.data()) == 1) {
    a.version = 6;
  } else {
    a = IpAddr{};
  }
  return a;
}

namespace {

char* put_decimal(char* p, unsigned v) {
  if (v >= 100) *p++ = char('0' + v / 100);
  if (v >= 10) *p++ = char('0' + v / 10 % 10);
  *p++ = char('0' + v % 10);
  return p;
}

char* put_v4(char* p, const uint8_t* b) {
  for (int i = 0; i < 4; ++i) {
    if (i) *p++ = '.';
    p = put_decimal(p, b[i]);
  }
  return p;
}

}  // namespace

// The same text as glibc's inet_ntop (RFC 5952: lower-case hex, the longest
// run of two or more zero groups, the first of equals, shortened to "::"; the
// last 32 bits dotted for IPv4-mapped and -compatible addresses), without
// its sprintf per group, which showed in profiles of large reports.
std::string IpAddr::to_string() const {
  char buf[kTextSize];
  return std::string(format(buf));
}

std::string_view IpAddr::format(char (&buf)[kTextSize]) const {
  static_assert(kTextSize >= INET6_ADDRSTRLEN);
  char* p = buf;
  if (version == 4) {
    p = put_v4(p, b.data());
  } else if (version == 6) {
    uint16_t words[8];
    for (int i = 0; i < 8; ++i) words[i] = uint16_t(b[2 * i] << 8 | b[2 * i + 1]);
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
      if (words[i] != 0) {
        ++i;
        continue;
      }
      int j = i;
      while (j < 8 && words[j] == 0) ++j;
      if (j - i > best_len) {
        best = i;
        best_len = j - i;
      }
      i = j;
    }
    if (best_len < 2) best = -1;
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 8; ++i) {
      if (best >= 0 && i >= best && i < best + best_len) {
        if (i == best) *p++ = ':';
        continue;
      }
      if (i != 0) *p++ = ':';
      if (i == 6 && best == 0 &&
          (best_len == 6 || (best_len == 7 && words[7] != 0x0001) ||
           (best_len == 5 && words[5] == 0xffff))) {
        p = put_v4(p, b.data() + 12);
        break;
      }
      bool started = false;
      for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned nibble = (words[i] >> shift) & 15;
        if (nibble || started || shift == 0) {
          *p++ = kHex[nibble];
          started = true;
        }
      }
    }
    if (best >= 0 && best + best_len == 8) *p++ = ':';
  }
  return {buf, size_t(p - buf)};
}

std::string MacAddr::to_string() const {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
                b[5]);
  return buf;
}

}  // namespace ph
