// Stateless decoding of one frame: link layer -> (tunnels) -> IP -> TCP/UDP,
// into a PacketView of pointers into the frame. No allocation, no copies.
// IP fragments are reported as such; src/flow/defrag reassembles them and
// calls decode_ip() on the whole datagram.
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "model/ip.h"
#include "model/stats.h"

namespace ph::decode {

// LINKTYPE_* values we decode (tcpdump.org/linktypes.html).
enum Linktype : uint32_t {
  kLinkNull = 0,  // BSD loopback, host-endian AF_ family
  kLinkEthernet = 1,
  kLinkRaw = 101,   // raw IPv4/IPv6
  kLinkLoop = 108,  // OpenBSD loopback, big-endian AF_ family
  kLinkIeee80211 = 105,
  kLinkLinuxSll = 113,
  kLinkRadiotap = 127,
  kLinkIpv4 = 228,
  kLinkIpv6 = 229,
  kLinkLinuxSll2 = 276,
  kLinkPppEther = 51,  // PPPoE (session frames without Ethernet header)
  kLinkNflog = 239,    // Linux netfilter log (tcpdump -i nflog)
};
bool linktype_supported(uint32_t linktype);

enum class Status : uint8_t {
  kOk,           // L3/L4 decoded (may still be non-TCP/UDP, see l4proto)
  kFragment,     // an IP fragment: frag_* fields and ip_datagram are set
  kNotIp,        // a valid frame that carries no IP (ARP, EAPOL, LLDP...): ethertype set
  kUnsupported,  // unknown link type or encapsulation
  kMalformed,    // broken headers; an anomaly was counted
};

enum TcpFlags : uint8_t {
  kFin = 0x01,
  kSyn = 0x02,
  kRst = 0x04,
  kPsh = 0x08,
  kAck = 0x10,
  kUrg = 0x20,
};

struct PacketView {
  // Link layer
  const uint8_t* mac_src = nullptr;  // 6 bytes, when the link has MACs
  const uint8_t* mac_dst = nullptr;
  uint16_t vlan = 0;  // innermost 802.1Q VLAN id, 0 when none
  uint8_t vlan_depth = 0;
  uint16_t ethertype = 0;  // of the payload of the link layer
  Bytes l2_payload;        // for kNotIp frames: what follows the link header

  // Network layer (outermost header after tunnels were removed)
  uint8_t ip_version = 0;
  IpAddr src, dst;
  uint8_t l4proto = 0;       // IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, ...
  uint8_t tunnel_depth = 0;  // GRE / IP-in-IP / VXLAN layers removed
  Bytes ip_datagram;         // the innermost IP header + payload (for defrag)

  // Fragments (Status::kFragment)
  uint32_t frag_id = 0;
  uint32_t frag_offset = 0;  // bytes
  bool frag_more = false;
  Bytes frag_payload;            // this fragment's data after the IP header(s)
  uint8_t frag_next_header = 0;  // IPv6: protocol of the fragmentable part

  // Transport layer
  uint16_t sport = 0, dport = 0;
  uint8_t tcp_flags = 0;
  uint32_t seq = 0, ack = 0;
  uint16_t window = 0;
  Bytes payload;           // TCP/UDP payload (ICMP/ICMPv6: the message) as captured
  bool truncated = false;  // headers claim more payload than was captured
};

// Decodes a frame of the given link type. Counts anomalies in `anomalies`.
Status decode_frame(uint32_t linktype, Bytes frame, PacketView& out, Counters& anomalies);

// Decodes from an IP header (v4 or v6 by the version nibble); used for raw
// links and for reassembled datagrams. Keeps the link-layer fields of `out`.
Status decode_ip(Bytes datagram, PacketView& out, Counters& anomalies);

// A first fragment (offset 0) that the capture cut short can never be
// reassembled, but it still carries the transport header: decodes it from
// frag_payload as a truncated packet (out.truncated stays set), as tshark
// does, so the conversation is not lost. kMalformed when the header itself
// is cut.
Status decode_truncated_first_fragment(PacketView& out, Counters& anomalies);

}  // namespace ph::decode
