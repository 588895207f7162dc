// Stats: what every stage counts, above all what it dropped or found
// malformed. Hot counters are plain fields; rare events (anomalies, drops)
// are named counters so a stage can add one without touching this file.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace ph {

class Counters {
 public:
  void add(std::string_view name, uint64_t n = 1) {
    total_ += n;
    auto it = map_.find(name);
    if (it == map_.end()) {
      map_.emplace(std::string(name), n);
    } else {
      it->second += n;
    }
  }
  uint64_t get(std::string_view name) const {
    auto it = map_.find(name);
    return it == map_.end() ? 0 : it->second;
  }
  const std::map<std::string, uint64_t, std::less<>>& all() const { return map_; }
  // The sum of all counts.
  uint64_t total() const { return total_; }
  void merge(const Counters& o) {
    for (const auto& [k, v] : o.map_) add(k, v);
  }

 private:
  std::map<std::string, uint64_t, std::less<>> map_;
  uint64_t total_ = 0;
};

struct Stats {
  uint64_t packets = 0;     // records read from all inputs
  uint64_t bytes = 0;       // captured bytes of those records
  uint64_t ip_packets = 0;  // packets that reached the IP layer
  uint64_t tcp_packets = 0;
  uint64_t udp_packets = 0;
  uint64_t icmp_packets = 0;
  uint64_t other_packets = 0;  // non-IP or unsupported L4
  Counters anomalies;          // malformed input, e.g. "ipv4.bad-header-length"
  Counters drops;              // data given up on a limit, e.g. "tcp.ooo-cap-bytes"
  Counters messages;           // protocol messages parsed, e.g. "dns.query", "http.request"

  void merge(const Stats& o) {
    packets += o.packets;
    bytes += o.bytes;
    ip_packets += o.ip_packets;
    tcp_packets += o.tcp_packets;
    udp_packets += o.udp_packets;
    icmp_packets += o.icmp_packets;
    other_packets += o.other_packets;
    anomalies.merge(o.anomalies);
    drops.merge(o.drops);
    messages.merge(o.messages);
  }
};

}  // namespace ph
