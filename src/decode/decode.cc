// Stateless link -> (tunnels) -> IP -> TCP/UDP decoding (see decode.h). Every
// header is read through an explicit length check on a span into the caller's
// frame; nothing is allocated and nothing but small header fields is copied
// into the PacketView. Tunnels re-enter the link/IP decoders with
// out.tunnel_depth as the recursion guard, so a crafted tunnel-in-tunnel chain
// stops at kMaxTunnelDepth. Every kMalformed return passes through bad(),
// which counts exactly one anomaly.
#include "decode/decode.h"

#include <cstring>
#include <string_view>
#include <type_traits>

namespace ph::decode {
namespace {

constexpr uint8_t kMaxTunnelDepth = 4;

constexpr uint16_t kEtIpv4 = 0x0800;
constexpr uint16_t kEtIpv6 = 0x86dd;
constexpr uint16_t kEtVlan = 0x8100;
constexpr uint16_t kEtQinq = 0x88a8;
constexpr uint16_t kEtQinqOld = 0x9100;
constexpr uint16_t kEtPppoeSession = 0x8864;
constexpr uint16_t kEtMplsUnicast = 0x8847;
constexpr uint16_t kEtMplsMulticast = 0x8848;
constexpr uint16_t kEtTransparentEthernet = 0x6558;
constexpr uint16_t kEtErspan2 = 0x88be;

constexpr uint8_t kProtoIcmp = 1;
constexpr uint8_t kProtoIpip = 4;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;
constexpr uint8_t kProtoIpv6 = 41;
constexpr uint8_t kProtoGre = 47;
constexpr uint8_t kProtoIcmpv6 = 58;

constexpr uint16_t kPortVxlan = 4789;
constexpr uint16_t kPortGtpU = 2152;

Status bad(Counters& anomalies, std::string_view name) {
  anomalies.add(name);
  return Status::kMalformed;
}

Status not_ip(PacketView& out, uint16_t ethertype, Bytes payload) {
  out.ethertype = ethertype;
  out.l2_payload = payload;
  return Status::kNotIp;
}

// An inner packet replaces the outer one in the view: transport fields of
// the outer layer (e.g. the VXLAN UDP ports) must not leak into it.
void clear_l4(PacketView& out) {
  out.l4proto = 0;
  out.sport = out.dport = 0;
  out.tcp_flags = 0;
  out.seq = out.ack = 0;
  out.window = 0;
  out.payload = {};
}

Status decode_l2_payload(uint16_t ethertype, Bytes p, PacketView& out, Counters& a);
Status decode_ethernet(Bytes f, PacketView& out, Counters& a);
Status decode_ipv4(Bytes d, PacketView& out, Counters& a);
Status decode_ipv6(Bytes d, PacketView& out, Counters& a);

Status decode_ip_any(Bytes d, PacketView& out, Counters& a) {
  if (d.empty()) return bad(a, "ip.truncated");
  switch (d[0] >> 4) {
    case 4:
      return decode_ipv4(d, out, a);
    case 6:
      return decode_ipv6(d, out, a);
    default:
      return bad(a, "ip.bad-version");
  }
}

// Called before decoding an encapsulated packet; false (and one anomaly)
// when the nesting limit is reached.
bool enter_tunnel(PacketView& out, Counters& a) {
  if (out.tunnel_depth >= kMaxTunnelDepth) {
    a.add("tunnel.too-deep");
    return false;
  }
  ++out.tunnel_depth;
  clear_l4(out);
  // The outer link's MACs belong to the tunnel's endpoints (a router, an
  // SGW), not to the device inside: an inner Ethernet header (VXLAN, GRE
  // TEB) sets them again, an inner IP packet (GTP-U, IP-in-IP) has none, so
  // its device is keyed by the inner IP.
  out.mac_src = nullptr;
  out.mac_dst = nullptr;
  return true;
}

// A tunnel payload identified by an ethertype (GRE protocol type).
// Returns false when the type is not one we decode.
bool tunnel_by_ethertype(uint16_t et, Bytes inner, PacketView& out, Counters& a, Status& status) {
  if (et != kEtIpv4 && et != kEtIpv6 && et != kEtTransparentEthernet) return false;
  if (!enter_tunnel(out, a)) {
    status = Status::kMalformed;
    return true;
  }
  status = et == kEtTransparentEthernet ? decode_ethernet(inner, out, a)
                                        : decode_l2_payload(et, inner, out, a);
  return true;
}

// PPP protocol field (after optional address/control bytes FF 03).
Status decode_ppp(Bytes p, uint16_t outer_et, PacketView& out, Counters& a) {
  if (p.size() >= 2 && p[0] == 0xff && p[1] == 0x03) p = p.subspan(2);
  if (p.empty()) return bad(a, "ppp.truncated");
  uint16_t proto;
  if (p[0] & 1) {  // protocol field compressed to one byte (RFC 1661 6.5)
    proto = p[0];
    p = p.subspan(1);
  } else {
    if (p.size() < 2) return bad(a, "ppp.truncated");
    proto = load_be16(p.data());
    p = p.subspan(2);
  }
  if (proto == 0x0021) {
    out.ethertype = kEtIpv4;
    return decode_ipv4(p, out, a);
  }
  if (proto == 0x0057) {
    out.ethertype = kEtIpv6;
    return decode_ipv6(p, out, a);
  }
  return not_ip(out, outer_et, p);
}

Status decode_gre(Bytes l4, PacketView& out, Counters& a) {
  if (l4.size() < 4) return bad(a, "gre.truncated");
  uint16_t flags = load_be16(l4.data());
  uint16_t proto = load_be16(l4.data() + 2);
  uint16_t version = flags & 7;
  size_t hlen = 4;
  if (version == 0) {
    if (flags & 0x4000) return Status::kOk;  // source routing (RFC 1701): not decoded
    if (flags & 0x8000) hlen += 4;           // checksum + reserved
    if (flags & 0x2000) hlen += 4;           // key
    if (flags & 0x1000) hlen += 4;           // sequence number
  } else if (version == 1 && proto == 0x880b) {
    // Enhanced GRE (PPTP, RFC 2637): key always present, carries PPP.
    hlen += 4;
    if (flags & 0x1000) hlen += 4;
    if (flags & 0x0080) hlen += 4;  // acknowledgment number
    if (hlen > l4.size()) return bad(a, "gre.truncated");
    Bytes ppp = l4.subspan(hlen);
    if (ppp.empty()) return Status::kOk;  // ack-only packet
    if (!enter_tunnel(out, a)) return Status::kMalformed;
    return decode_ppp(ppp, 0x880b, out, a);
  } else {
    return Status::kOk;
  }
  if (hlen > l4.size()) return bad(a, "gre.truncated");
  Bytes inner = l4.subspan(hlen);
  if (proto == kEtErspan2) {
    // ERSPAN type II: an 8-byte header, then the mirrored Ethernet frame.
    if (!(flags & 0x1000)) return Status::kOk;  // type I: no header, rare
    if (inner.size() < 8) return bad(a, "gre.truncated");
    if (!enter_tunnel(out, a)) return Status::kMalformed;
    return decode_ethernet(inner.subspan(8), out, a);
  }
  Status status;
  if (tunnel_by_ethertype(proto, inner, out, a, status)) return status;
  return Status::kOk;  // another GRE payload: reported as GRE
}

// VXLAN and GTP-U over UDP. Returns false when the payload does not look
// like the tunnel (the packet is then reported as plain UDP).
bool udp_tunnel(Bytes payload, PacketView& out, Counters& a, Status& status) {
  if (out.dport == kPortVxlan) {
    if (payload.size() < 8 + 14 || !(payload[0] & 0x08)) return false;
    if (!enter_tunnel(out, a)) {
      status = Status::kMalformed;
      return true;
    }
    status = decode_ethernet(payload.subspan(8), out, a);
    return true;
  }
  if (out.dport == kPortGtpU || out.sport == kPortGtpU) {
    // GTPv1-U G-PDU: version 1, protocol type GTP, message type 255.
    if (payload.size() < 8 || (payload[0] >> 5) != 1 || !(payload[0] & 0x10) || payload[1] != 255)
      return false;
    size_t end = 8 + size_t(load_be16(payload.data() + 2));
    if (end > payload.size()) end = payload.size();
    size_t pos = 8;
    if (payload[0] & 0x07) {  // sequence / N-PDU / extension present
      if (end < 12) return false;
      uint8_t next_ext = (payload[0] & 0x04) ? payload[11] : 0;
      pos = 12;
      while (next_ext != 0) {
        if (pos >= end) return false;
        size_t len = size_t(payload[pos]) * 4;
        if (len == 0 || len > end - pos) return false;
        next_ext = payload[pos + len - 1];
        pos += len;
      }
    }
    Bytes inner = payload.subspan(pos, end - pos);
    if (inner.empty() || ((inner[0] >> 4) != 4 && (inner[0] >> 4) != 6)) return false;
    if (!enter_tunnel(out, a)) {
      status = Status::kMalformed;
      return true;
    }
    status = decode_ip_any(inner, out, a);
    return true;
  }
  return false;
}

Status decode_tcp(Bytes l4, PacketView& out, Counters& a) {
  if (l4.size() < 20) return bad(a, "tcp.truncated");
  const uint8_t* p = l4.data();
  size_t doff = size_t(p[12] >> 4) * 4;
  if (doff < 20) return bad(a, "tcp.bad-data-offset");
  if (doff > l4.size()) {
    // Past the capture: truncated; past the IP datagram: a lie.
    return bad(a, out.truncated ? "tcp.truncated" : "tcp.bad-data-offset");
  }
  out.sport = load_be16(p);
  out.dport = load_be16(p + 2);
  out.seq = load_be32(p + 4);
  out.ack = load_be32(p + 8);
  out.tcp_flags = p[13] & 0x3f;
  out.window = load_be16(p + 14);
  out.payload = l4.subspan(doff);
  return Status::kOk;
}

Status decode_udp(Bytes l4, bool jumbo, PacketView& out, Counters& a) {
  if (l4.size() < 8) return bad(a, "udp.truncated");
  const uint8_t* p = l4.data();
  out.sport = load_be16(p);
  out.dport = load_be16(p + 2);
  size_t len = load_be16(p + 4);
  if (len == 0 && jumbo) {
    len = l4.size();  // RFC 2675: UDP in a jumbogram carries length 0
  } else if (len < 8) {
    return bad(a, "udp.bad-length");
  }
  if (len > l4.size()) {
    out.truncated = true;
    len = l4.size();
  }
  out.payload = l4.subspan(8, len - 8);
  Status status;
  if (udp_tunnel(out.payload, out, a, status)) return status;
  return Status::kOk;
}

Status decode_l4(uint8_t proto, Bytes l4, bool jumbo, PacketView& out, Counters& a) {
  switch (proto) {
    case kProtoTcp:
      return decode_tcp(l4, out, a);
    case kProtoUdp:
      return decode_udp(l4, jumbo, out, a);
    case kProtoGre:
      return decode_gre(l4, out, a);
    case kProtoIpip:
      if (!enter_tunnel(out, a)) return Status::kMalformed;
      return decode_ipv4(l4, out, a);
    case kProtoIpv6:
      if (!enter_tunnel(out, a)) return Status::kMalformed;
      return decode_ipv6(l4, out, a);
    case kProtoIcmp:
    case kProtoIcmpv6:
      out.payload = l4;  // the message itself (NDP is read for device addresses)
      return Status::kOk;
    default:
      return Status::kOk;  // ESP, SCTP...: l4proto tells
  }
}

Status decode_ipv4(Bytes d, PacketView& out, Counters& a) {
  if (!d.empty() && (d[0] >> 4) != 4) return bad(a, "ipv4.bad-version");
  if (d.size() < 20) return bad(a, "ipv4.truncated");
  const uint8_t* p = d.data();
  size_t hlen = size_t(p[0] & 15) * 4;
  if (hlen < 20) return bad(a, "ipv4.bad-header-length");
  size_t total = load_be16(p + 2);
  if (total == 0) {
    total = d.size();  // TSO: the NIC fills the length in after capture
  } else if (total < hlen) {
    return bad(a, "ipv4.bad-total-length");
  }
  if (hlen > d.size()) return bad(a, "ipv4.truncated");
  if (total > d.size()) {
    out.truncated = true;
    total = d.size();
  }
  d = d.first(total);  // drops Ethernet padding
  out.ip_version = 4;
  out.src = IpAddr::v4(p + 12);
  out.dst = IpAddr::v4(p + 16);
  out.l4proto = p[9];
  out.ip_datagram = d;
  uint16_t frag = load_be16(p + 6);
  if (frag & 0x3fff) {  // MF or a non-zero offset
    out.frag_id = load_be16(p + 4);
    out.frag_offset = uint32_t(frag & 0x1fff) * 8;
    out.frag_more = frag & 0x2000;
    out.frag_payload = d.subspan(hlen);
    out.frag_next_header = p[9];
    return Status::kFragment;
  }
  return decode_l4(p[9], d.subspan(hlen), false, out, a);
}

// Looks for the Jumbo Payload option (RFC 2675) in hop-by-hop options.
bool find_jumbo(Bytes opts, uint32_t& len) {
  size_t i = 0;
  while (i < opts.size()) {
    uint8_t type = opts[i];
    if (type == 0) {  // Pad1
      ++i;
      continue;
    }
    if (i + 2 > opts.size()) return false;
    size_t olen = opts[i + 1];
    if (i + 2 + olen > opts.size()) return false;
    if (type == 0xc2 && olen == 4) {
      len = load_be32(opts.data() + i + 2);
      return true;
    }
    i += 2 + olen;
  }
  return false;
}

Status decode_ipv6(Bytes d, PacketView& out, Counters& a) {
  if (!d.empty() && (d[0] >> 4) != 6) return bad(a, "ipv6.bad-version");
  if (d.size() < 40) return bad(a, "ipv6.truncated");
  const uint8_t* p = d.data();
  out.ip_version = 6;
  out.src = IpAddr::v6(p + 8);
  out.dst = IpAddr::v6(p + 24);
  size_t plen = load_be16(p + 4);
  uint8_t nh = p[6];
  size_t avail = d.size() - 40;
  // Payload length 0 is either a jumbogram (hop-by-hop jumbo option follows)
  // or TSO; in both cases the hop-by-hop header is read within the capture
  // and the length settled after it.
  bool length_pending = plen == 0;
  if (!length_pending) {
    if (plen > avail) {
      out.truncated = true;
      plen = avail;
    }
    d = d.first(40 + plen);
  }
  size_t pos = 40;
  bool jumbogram = false;
  for (;;) {
    switch (nh) {
      case 0:     // hop-by-hop options
      case 43:    // routing
      case 60:    // destination options
      case 51: {  // authentication header
        if (d.size() - pos < 8) return bad(a, "ipv6.truncated");
        size_t len = nh == 51 ? (size_t(d[pos + 1]) + 2) * 4 : (size_t(d[pos + 1]) + 1) * 8;
        if (len > d.size() - pos) return bad(a, "ipv6.truncated");
        if (length_pending && nh == 0 && pos == 40) {
          uint32_t jumbo = 0;
          if (find_jumbo(d.subspan(pos + 2, len - 2), jumbo)) {
            if (jumbo < len) return bad(a, "ipv6.bad-jumbo-length");
            if (jumbo > avail) {
              out.truncated = true;
              jumbo = uint32_t(avail);
            }
            d = d.first(40 + size_t(jumbo));
            length_pending = false;
            jumbogram = true;
          }
        }
        nh = d[pos];
        pos += len;
        continue;
      }
      case 44: {  // fragment
        if (d.size() - pos < 8) return bad(a, "ipv6.truncated");
        uint8_t next = d[pos];
        uint16_t offm = load_be16(d.data() + pos + 2);
        if ((offm & 0xfff9) == 0) {  // atomic fragment (RFC 6946): not a fragment
          nh = next;
          pos += 8;
          continue;
        }
        out.l4proto = next;
        out.ip_datagram = d;
        out.frag_id = load_be32(d.data() + pos + 4);
        out.frag_offset = offm & 0xfff8;
        out.frag_more = offm & 1;
        out.frag_next_header = next;
        out.frag_payload = d.subspan(pos + 8);
        return Status::kFragment;
      }
      default:
        break;
    }
    break;
  }
  out.l4proto = nh;
  out.ip_datagram = d;
  return decode_l4(nh, d.subspan(pos), jumbogram, out, a);
}

// 802.2 LLC: only SNAP carries an ethertype we can follow.
Status decode_llc(Bytes p, PacketView& out, Counters& a) {
  if (p.size() >= 8 && p[0] == 0xaa && p[1] == 0xaa && p[2] == 0x03) {
    uint16_t et = load_be16(p.data() + 6);
    if (et >= 0x0600) return decode_l2_payload(et, p.subspan(8), out, a);
  }
  return not_ip(out, 0, p);
}

Status decode_mpls(Bytes p, uint16_t et, PacketView& out, Counters& a) {
  for (;;) {
    if (p.size() < 4) return bad(a, "mpls.truncated");
    bool bottom = p[2] & 1;
    p = p.subspan(4);
    if (bottom) break;
  }
  // No protocol field after the label stack: guess by the IP version nibble
  // (what tcpdump and Wireshark do too).
  if (!p.empty() && (p[0] >> 4) == 4) {
    out.ethertype = kEtIpv4;
    return decode_ipv4(p, out, a);
  }
  if (!p.empty() && (p[0] >> 4) == 6) {
    out.ethertype = kEtIpv6;
    return decode_ipv6(p, out, a);
  }
  return not_ip(out, et, p);
}

Status decode_pppoe(Bytes p, PacketView& out, Counters& a) {
  if (p.size() < 6) return bad(a, "pppoe.truncated");
  if (p[0] != 0x11 || p[1] != 0x00) return not_ip(out, kEtPppoeSession, p);
  size_t len = load_be16(p.data() + 4);
  Bytes ppp = p.subspan(6);
  if (len < ppp.size()) ppp = ppp.first(len);
  if (ppp.size() < 2) return bad(a, "pppoe.truncated");
  uint16_t proto = load_be16(ppp.data());
  if (proto == 0x0021) {
    out.ethertype = kEtIpv4;
    return decode_ipv4(ppp.subspan(2), out, a);
  }
  if (proto == 0x0057) {
    out.ethertype = kEtIpv6;
    return decode_ipv6(ppp.subspan(2), out, a);
  }
  return not_ip(out, kEtPppoeSession, ppp);
}

// What follows an Ethernet (or SLL, SNAP) header's ethertype/length field.
Status decode_l2_payload(uint16_t et, Bytes p, PacketView& out, Counters& a) {
  while (et == kEtVlan || et == kEtQinq || et == kEtQinqOld) {
    if (p.size() < 4) return bad(a, "vlan.truncated");
    out.vlan = load_be16(p.data()) & 0x0fff;
    if (out.vlan_depth < 255) ++out.vlan_depth;
    et = load_be16(p.data() + 2);
    p = p.subspan(4);
  }
  if (et < 0x0600) {  // IEEE 802.3 length, an LLC header follows
    if (et < p.size()) p = p.first(et);
    return decode_llc(p, out, a);
  }
  switch (et) {
    case kEtIpv4:
      out.ethertype = et;
      return decode_ipv4(p, out, a);
    case kEtIpv6:
      out.ethertype = et;
      return decode_ipv6(p, out, a);
    case kEtPppoeSession:
      out.ethertype = et;
      return decode_pppoe(p, out, a);
    case kEtMplsUnicast:
    case kEtMplsMulticast:
      out.ethertype = et;
      return decode_mpls(p, et, out, a);
    default:
      return not_ip(out, et, p);  // ARP, EAPOL, LLDP, ...
  }
}

Status decode_ethernet(Bytes f, PacketView& out, Counters& a) {
  if (f.size() < 14) return bad(a, "link.truncated");
  out.mac_dst = f.data();
  out.mac_src = f.data() + 6;
  return decode_l2_payload(load_be16(f.data() + 12), f.subspan(14), out, a);
}

// Linux cooked headers: protocol values below 0x0600 are not ethertypes
// (1 = Novell 802.3, 4 = 802.2 LLC, ...).
Status decode_sll_payload(uint16_t hatype, uint16_t proto, Bytes p, PacketView& out, Counters& a) {
  if (hatype == 824) return not_ip(out, proto, p);  // netlink messages
  if (proto == 0x0004) return decode_llc(p, out, a);
  if (proto < 0x0600) return not_ip(out, 0, p);
  return decode_l2_payload(proto, p, out, a);
}

Status decode_sll(Bytes f, PacketView& out, Counters& a) {
  if (f.size() < 16) return bad(a, "link.truncated");
  const uint8_t* p = f.data();
  if (load_be16(p + 4) == 6) out.mac_src = p + 6;
  return decode_sll_payload(load_be16(p + 2), load_be16(p + 14), f.subspan(16), out, a);
}

Status decode_sll2(Bytes f, PacketView& out, Counters& a) {
  if (f.size() < 20) return bad(a, "link.truncated");
  const uint8_t* p = f.data();
  if (p[11] == 6) out.mac_src = p + 12;
  return decode_sll_payload(load_be16(p + 8), load_be16(p), f.subspan(20), out, a);
}

// BSD loopback: a 4-byte address family, host-endian for NULL (so either
// order), big-endian for LOOP.
Status decode_loopback(Bytes f, bool either_order, PacketView& out, Counters& a) {
  if (f.size() < 4) return bad(a, "link.truncated");
  auto family = [](uint32_t v) -> int {
    if (v == 2) return 4;
    if (v == 24 || v == 28 || v == 30) return 6;
    return 0;
  };
  int version = family(load_be32(f.data()));
  if (version == 0 && either_order) version = family(load_le32(f.data()));
  Bytes ip = f.subspan(4);
  if (version == 4) {
    out.ethertype = kEtIpv4;
    return decode_ipv4(ip, out, a);
  }
  if (version == 6) {
    out.ethertype = kEtIpv6;
    return decode_ipv6(ip, out, a);
  }
  return Status::kUnsupported;
}

Status decode_80211(Bytes f, PacketView& out, Counters& a) {
  if (f.size() < 2) return bad(a, "wlan.truncated");
  uint8_t fc0 = f[0], fc1 = f[1];
  if (fc0 & 3) return Status::kUnsupported;  // protocol version other than 0
  uint8_t type = (fc0 >> 2) & 3;
  uint8_t subtype = fc0 >> 4;
  if (type != 2) {
    // Management frames keep their body for later stages (probe requests
    // carry SSIDs); control frames have none.
    Bytes body = type == 0 && f.size() >= 24 ? f.subspan(24) : Bytes{};
    return not_ip(out, 0, body);
  }
  bool to_ds = fc1 & 0x01, from_ds = fc1 & 0x02;
  bool qos = subtype & 0x08;
  size_t hlen = to_ds && from_ds ? 30 : 24;
  size_t qos_at = hlen;
  if (qos) hlen += 2;
  if (qos && (fc1 & 0x80)) hlen += 4;  // +HTC: HT control field
  if (f.size() < hlen) return bad(a, "wlan.truncated");
  const uint8_t* a1 = f.data() + 4;
  const uint8_t* a2 = f.data() + 10;
  const uint8_t* a3 = f.data() + 16;
  if (!to_ds && !from_ds) {
    out.mac_dst = a1;
    out.mac_src = a2;
  } else if (to_ds && !from_ds) {
    out.mac_dst = a3;
    out.mac_src = a2;
  } else if (!to_ds && from_ds) {
    out.mac_dst = a1;
    out.mac_src = a3;
  } else {
    out.mac_dst = a3;
    out.mac_src = f.data() + 24;
  }
  Bytes body = f.subspan(hlen);
  if (subtype & 0x04) return not_ip(out, 0, {});  // null function: no body
  if (fc1 & 0x40) {
    // Encrypted (WEP/WPA): not malformed, just unreadable; counted so the
    // summary can say how much traffic was invisible.
    a.add("wlan.protected");
    return not_ip(out, 0, body);
  }
  if (qos && (f[qos_at] & 0x80)) return not_ip(out, 0, body);  // A-MSDU: not decoded
  return decode_llc(body, out, a);
}

Status decode_radiotap(Bytes f, PacketView& out, Counters& a) {
  if (f.size() < 8) return bad(a, "link.truncated");
  size_t len = load_le16(f.data() + 2);
  if (f[0] != 0 || len < 8) return bad(a, "radiotap.bad-header");
  if (len > f.size()) return bad(a, "link.truncated");
  uint32_t present = load_le32(f.data() + 4);
  // Find the Flags field (present bit 1) to learn whether an FCS trails the
  // frame; it follows the presence words and the 8-aligned TSFT (bit 0).
  size_t pos = 8;
  for (uint32_t word = present; word & 0x80000000u;) {
    if (pos + 4 > len) return bad(a, "radiotap.bad-header");
    word = load_le32(f.data() + pos);
    pos += 4;
  }
  bool fcs = false;
  if (present & 0x2) {
    if (present & 0x1) pos = ((pos + 7) & ~size_t(7)) + 8;
    if (pos < len) fcs = f[pos] & 0x10;
  }
  Bytes frame = f.subspan(len);
  if (fcs) {
    if (frame.size() < 4) return bad(a, "wlan.truncated");
    frame = frame.first(frame.size() - 4);
  }
  return decode_80211(frame, out, a);
}

// NFLOG: a 4-byte header (address family, version, resource id) and TLVs
// (length and type in host order, as written on little-endian hosts; each
// padded to 4 bytes). TLV type 9 (NFULA_PAYLOAD) holds the IP packet.
Status decode_nflog(Bytes f, PacketView& out, Counters& a) {
  if (f.size() < 4) return bad(a, "link.truncated");
  size_t pos = 4;
  while (pos + 4 <= f.size()) {
    size_t len = load_le16(f.data() + pos);
    uint16_t type = load_le16(f.data() + pos + 2) & 0x7fff;
    if (len < 4 || len > f.size() - pos) return bad(a, "nflog.bad-tlv");
    if (type == 9) return decode_ip_any(f.subspan(pos + 4, len - 4), out, a);
    pos += (len + 3) & ~size_t(3);
  }
  return not_ip(out, 0, {});  // a log entry without a packet
}

}  // namespace

bool linktype_supported(uint32_t linktype) {
  switch (linktype) {
    case kLinkNull:
    case kLinkEthernet:
    case 12:  // DLT_RAW on some BSDs, found as a link type in files
    case 14:  // DLT_RAW on others
    case kLinkPppEther:
    case kLinkRaw:
    case kLinkIeee80211:
    case kLinkLoop:
    case kLinkLinuxSll:
    case kLinkRadiotap:
    case kLinkIpv4:
    case kLinkIpv6:
    case kLinkLinuxSll2:
    case kLinkNflog:
      return true;
    default:
      return false;
  }
}

Status decode_frame(uint32_t linktype, Bytes frame, PacketView& out, Counters& anomalies) {
  // Reset for every packet: copied from an empty view, which compiles to a
  // few vector moves, where `out = PacketView{}` became a `rep stos` that
  // cost ~2% of a whole run.
  static_assert(std::is_trivially_copyable_v<PacketView>);
  static const PacketView kEmpty{};
  std::memcpy(&out, &kEmpty, sizeof out);
  switch (linktype) {
    case kLinkEthernet:
      return decode_ethernet(frame, out, anomalies);
    case kLinkRaw:
    case 12:
    case 14:
      return decode_ip_any(frame, out, anomalies);
    case kLinkIpv4:
      return decode_ipv4(frame, out, anomalies);
    case kLinkIpv6:
      return decode_ipv6(frame, out, anomalies);
    case kLinkLinuxSll:
      return decode_sll(frame, out, anomalies);
    case kLinkLinuxSll2:
      return decode_sll2(frame, out, anomalies);
    case kLinkNull:
      return decode_loopback(frame, true, out, anomalies);
    case kLinkLoop:
      return decode_loopback(frame, false, out, anomalies);
    case kLinkPppEther:
      out.ethertype = kEtPppoeSession;
      return decode_pppoe(frame, out, anomalies);
    case kLinkIeee80211:
      return decode_80211(frame, out, anomalies);
    case kLinkRadiotap:
      return decode_radiotap(frame, out, anomalies);
    case kLinkNflog:
      return decode_nflog(frame, out, anomalies);
    default:
      return Status::kUnsupported;
  }
}

Status decode_ip(Bytes datagram, PacketView& out, Counters& anomalies) {
  // Keep the link layer (MACs, VLAN, ethertype) and tunnel depth; reset the
  // rest so a reused view carries nothing from an earlier packet.
  PacketView fresh;
  fresh.mac_src = out.mac_src;
  fresh.mac_dst = out.mac_dst;
  fresh.vlan = out.vlan;
  fresh.vlan_depth = out.vlan_depth;
  fresh.ethertype = out.ethertype;
  fresh.l2_payload = out.l2_payload;
  fresh.tunnel_depth = out.tunnel_depth;
  out = fresh;
  return decode_ip_any(datagram, out, anomalies);
}

Status decode_truncated_first_fragment(PacketView& out, Counters& anomalies) {
  if (out.frag_offset != 0 || !out.truncated) return Status::kFragment;
  const uint8_t proto = out.frag_next_header;
  if (proto != kProtoTcp && proto != kProtoUdp) return Status::kFragment;
  out.l4proto = proto;
  return decode_l4(proto, out.frag_payload, false, out, anomalies);
}

}  // namespace ph::decode
