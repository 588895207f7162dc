// Device identity, gathered while the capture is read: per device key (the
// MAC where the link has one, else the IP, as devices are keyed in the
// report) the names, software hints and addresses that its own messages
// give away. Engine::on_message hands every parser message here; only
// these are read, each for the side that is the device:
//   DHCPv4     client messages (by chaddr): host name (12), FQDN (81),
//              vendor class (60), client id (61), ciaddr; an ACK's yiaddr
//   DHCPv6     client messages (sender): FQDN, vendor class, client DUID;
//              a Reply's IA addresses (its receiver)
//   mDNS       responses (sender): A/AAAA owner names and addresses,
//              DNS-SD instance names, TXT model keys (md, model, am, ...)
//   SSDP       NOTIFY and search responses (sender): SERVER; M-SEARCH: USER-AGENT
//   HTTP       requests (client): User-Agent
//   TLS, QUIC  ClientHello (client): the JA4 fingerprint
// and, outside flows, ARP (sender hardware/protocol address) and NDP
// (source of solicitations and advertisements, targets of advertisements).
// Everything is bounded: keys, addresses and strings per key. Not told
// apart: a Bonjour sleep proxy answering mDNS for a sleeping host lends
// the proxy that host's names.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "decode/decode.h"
#include "detect/detect.h"
#include "flow/flow_table.h"
#include "model/records.h"
#include "proto/protocol.h"

namespace ph {

// Adds `s` to `list`, widening the entry of the same address if there is
// one; false (nothing added) when a new address would pass `cap`.
bool merge_sighting(std::vector<IpSighting>& list, const IpSighting& s, size_t cap = SIZE_MAX);

class IdentityCollector {
 public:
  static constexpr size_t kMaxKeys = 1 << 14;     // devices with evidence (past it: counted)
  static constexpr size_t kMaxAddresses = 64;     // per device
  static constexpr size_t kMaxStrings = 16;       // per list (user agents, names, ...)
  static constexpr size_t kMaxStringBytes = 512;  // per string (longer ones are cut)

  explicit IdentityCollector(Stats& stats) : stats_(stats) {}

  void on_message(const flow::Flow& f, const proto::Parser* parser, const proto::Message& m);
  // What on_message() would read of `m`, copied to `out` (false: nothing):
  // the Engine keeps excerpts and hands them over in the order of the
  // capture, whichever shard parsed them.
  static bool excerpt(const proto::Parser* parser, const proto::Message& m, proto::Message& out);
  // The payload of an ARP frame (ethertype 0x0806).
  void on_arp(Bytes arp, Timestamp ts);
  // An ICMPv6 packet: `v.payload` is the ICMPv6 message.
  void on_icmpv6(const decode::PacketView& v, Timestamp ts);

  // Folds what was gathered for the device keyed by `mac` (else `ip`) into
  // `d`: addresses, names, software, and the times of packets it sent
  // outside flows (first_seen/last_seen). Strings are scanned by `detector`
  // for identifiers, which sinks mask.
  void apply(const std::optional<MacAddr>& mac, const IpAddr& ip, DeviceRecord& d,
             const detect::Detector& detector) const;

 private:
  // 'm' + MAC, or the IP version digit + 16 address bytes.
  using Key = std::array<uint8_t, 17>;
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<std::string_view>()({reinterpret_cast<const char*>(k.data()), k.size()});
    }
  };
  // A capped list of distinct strings; `more` counts distinct ones past
  // the cap (remembered by hash, up to a bound).
  struct Distinct {
    std::vector<std::string> items;
    std::unordered_set<uint64_t> overflow;
    void add(std::string_view s);
    uint64_t more() const { return overflow.size(); }
  };
  struct Evidence {
    std::vector<IpSighting> ips;
    std::string hostname, fqdn, vendor_class, client_id;  // DHCPv4
    std::string fqdn6, vendor_class6, duid6;              // DHCPv6
    Distinct mdns_hosts, mdns_instances, models, ssdp_servers, user_agents, ja4;
    Timestamp first = INT64_MAX, last = INT64_MIN;  // packets it sent outside flows
  };

  static Key mac_key(const MacAddr& mac);
  static Key ip_key(const IpAddr& ip);
  // The sender (or receiver) of `m` in flow `f`, keyed as devices are.
  static Key side_key(const flow::Flow& f, const proto::Message& m, bool sender);
  Evidence* at(const Key& key);  // nullptr when kMaxKeys is reached (counted)
  void sighting(Evidence& e, const IpAddr& ip, Timestamp ts, uint8_t source);

  // Copies the value of each named field (the last one) into its member.
  using Slot = std::pair<std::string_view, std::string Evidence::*>;
  static void keep(const proto::Message& m, Evidence& e, std::initializer_list<Slot> slots);
  void dhcp(const proto::Message& m);
  void dhcpv6(const flow::Flow& f, const proto::Message& m);
  void mdns(const flow::Flow& f, const proto::Message& m);

  Stats& stats_;
  std::unordered_map<Key, Evidence, KeyHash> evidence_;
};

}  // namespace ph
