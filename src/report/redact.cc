// Redaction of identifiers in reports (on unless --reveal).
#include <algorithm>

#include "report/report.h"

namespace ph::report {

std::string redact(std::string_view v) {
  const size_t n = v.size();
  if (n <= 4) return std::string(n, '*');
  // Keep about 40% at the front (at most 6) and 2 at the back.
  size_t head = std::min<size_t>(6, n * 2 / 5);
  size_t tail = 2;
  std::string out(v.substr(0, head));
  out.append(n - head - tail, '*');
  out.append(v.substr(n - tail));
  return out;
}

std::string redact_mac(const MacAddr& mac) {
  std::string s = mac.to_string();  // aa:bb:cc:dd:ee:ff
  s.replace(9, 5, "**:**");
  return s;
}

std::string shown_mac(const MacAddr& mac, bool reveal) {
  return reveal ? mac.to_string() : redact_mac(mac);
}

std::string shown(const IdentityText& t, bool reveal) {
  if (reveal || t.identifiers.empty()) return t.text;
  std::string out = t.text;
  for (const auto& [offset, length] : t.identifiers) {
    if (offset > out.size() || length > out.size() - offset) continue;
    out.replace(offset, length, redact(std::string_view(t.text).substr(offset, length)));
  }
  return out;
}

}  // namespace ph::report
