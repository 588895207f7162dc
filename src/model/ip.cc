// Text forms of addresses (inet_ntop/inet_pton do the work).
#include "model/ip.h"

#include <arpa/inet.h>

#include <cstdio>

namespace ph {

IpAddr IpAddr::parse(const std::string& text) {
  IpAddr a;
  if (inet_pton(AF_INET, text.c_str(), a.b.data()) == 1) {
    a.version = 4;
  } else if (inet_pton(AF_INET6, text.c_str(), a.b.data()) == 1) {
    a.version = 6;
  } else {
    a = IpAddr{};
  }
  return a;
}

std::string IpAddr::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (version == 4) {
    inet_ntop(AF_INET, b.data(), buf, sizeof buf);
  } else if (version == 6) {
    inet_ntop(AF_INET6, b.data(), buf, sizeof buf);
  }
  return buf;
}

std::string MacAddr::to_string() const {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
                b[5]);
  return buf;
}

}  // namespace ph
