// Unit tests for decode_frame/decode_ip: every supported link type, VLAN
// stacks, IPv4 options, IPv6 extension header chains, tunnels, length checks,
// and a truncation sweep that decodes every prefix of a few frames from
// exactly-sized heap buffers (so ASan flags any overread).
#include "decode/decode.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fixture/builder.h"

namespace ph::decode {
namespace {

using fixture::Frame;
using V = std::vector<uint8_t>;

const IpAddr kA4 = IpAddr::parse("192.0.2.1");
const IpAddr kB4 = IpAddr::parse("198.51.100.2");
const IpAddr kA6 = IpAddr::parse("2001:db8::1");
const IpAddr kB6 = IpAddr::parse("2001:db8::2");
const IpAddr kOuterA = IpAddr::parse("203.0.113.1");
const IpAddr kOuterB = IpAddr::parse("203.0.113.2");

void put16(V& v, uint16_t x) {
  v.push_back(uint8_t(x >> 8));
  v.push_back(uint8_t(x));
}
void put32(V& v, uint32_t x) {
  put16(v, uint16_t(x >> 16));
  put16(v, uint16_t(x));
}
V cat(V a, const V& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
std::string str(Bytes b) { return std::string(as_string(b)); }

V udp4(std::string_view payload, uint16_t dport = 53) {
  return fixture::udp_segment(kA4, kB4, 40000, dport, payload);
}
V tcp4(std::string_view payload) {
  return fixture::tcp_segment(kA4, kB4, 40000, 80, 1000, 2000, kAck | kPsh, payload);
}
V udp6(std::string_view payload) { return fixture::udp_segment(kA6, kB6, 40000, 53, payload); }

struct Decoded {
  V buf;  // the frame; moving the struct keeps its heap buffer (and the view) valid
  Status status;
  PacketView view;
  Counters anomalies;
};
// Decodes from a heap copy of exactly the frame's size.
Decoded run(uint32_t linktype, const V& frame) {
  Decoded d;
  d.buf = frame;
  d.status = decode_frame(linktype, Bytes(d.buf.data(), d.buf.size()), d.view, d.anomalies);
  return d;
}
uint64_t total(const Counters& c) {
  uint64_t n = 0;
  for (const auto& [k, v] : c.all()) n += v;
  return n;
}

// The Ethernet + IPv4 + UDP frame the link-type tests wrap in other headers.
TEST(Decode, EthernetIpv4Tcp) {
  fixture::L2 l2;
  Frame f = fixture::ethernet(l2, tcp4("hello"));
  PacketView v;
  Counters an;
  ASSERT_EQ(decode_frame(kLinkEthernet, f, v, an), Status::kOk);
  EXPECT_EQ(MacAddr::from(v.mac_src), l2.src);
  EXPECT_EQ(MacAddr::from(v.mac_dst), l2.dst);
  EXPECT_EQ(v.ethertype, 0x0800);
  EXPECT_EQ(v.ip_version, 4);
  EXPECT_EQ(v.src, kA4);
  EXPECT_EQ(v.dst, kB4);
  EXPECT_EQ(v.l4proto, 6);
  EXPECT_EQ(v.sport, 40000);
  EXPECT_EQ(v.dport, 80);
  EXPECT_EQ(v.seq, 1000u);
  EXPECT_EQ(v.ack, 2000u);
  EXPECT_EQ(v.tcp_flags, kAck | kPsh);
  EXPECT_EQ(v.window, 65535);
  EXPECT_EQ(str(v.payload), "hello");
  EXPECT_FALSE(v.truncated);
  EXPECT_EQ(v.vlan_depth, 0);
  EXPECT_EQ(v.tunnel_depth, 0);
  EXPECT_EQ(v.ip_datagram.size(), 20u + 20u + 5u);
  EXPECT_EQ(total(an), 0u);
}

TEST(Decode, EthernetIpv6UdpAndPaddingTrimmed) {
  Frame f = fixture::ethernet({}, udp6("q"));
  PacketView v;
  Counters an;
  ASSERT_EQ(decode_frame(kLinkEthernet, f, v, an), Status::kOk);
  EXPECT_EQ(v.ip_version, 6);
  EXPECT_EQ(v.src, kA6);
  EXPECT_EQ(v.l4proto, 17);
  EXPECT_EQ(v.dport, 53);
  EXPECT_EQ(str(v.payload), "q");

  // Ethernet pads short frames to 60 bytes; the IP total length excludes it.
  Frame small = fixture::ethernet({}, udp4("x"));
  small.resize(60, 0xee);
  ASSERT_EQ(decode_frame(kLinkEthernet, small, v, an), Status::kOk);
  EXPECT_EQ(str(v.payload), "x");
  EXPECT_EQ(v.ip_datagram.size(), 29u);
  EXPECT_FALSE(v.truncated);
}

TEST(Decode, VlanAndQinq) {
  fixture::L2 one;
  one.vlans = {42};
  Decoded d = run(kLinkEthernet, fixture::ethernet(one, udp4("a")));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.vlan, 42);
  EXPECT_EQ(d.view.vlan_depth, 1);

  fixture::L2 two;
  two.vlans = {100, 200};  // 0x88a8 outer, 0x8100 inner
  Frame f = fixture::ethernet(two, udp6("b"));
  EXPECT_EQ(f[12], 0x88);
  EXPECT_EQ(f[13], 0xa8);
  d = run(kLinkEthernet, f);
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.vlan, 200);
  EXPECT_EQ(d.view.vlan_depth, 2);
  EXPECT_EQ(d.view.dport, 53);

  // Old-style 0x9100 outer tag, three deep.
  V g(12, 0x02);
  put16(g, 0x9100);
  put16(g, 7);
  put16(g, 0x88a8);
  put16(g, 8);
  put16(g, 0x8100);
  put16(g, 0x2009);  // priority bits must not leak into the id
  put16(g, 0x0800);
  d = run(kLinkEthernet, cat(g, udp4("c")));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.vlan, 9);
  EXPECT_EQ(d.view.vlan_depth, 3);
}

TEST(Decode, LlcSnapAndNonIp) {
  // 802.3 length + LLC (STP: DSAP 0x42) -> not IP.
  V f(12, 0x02);
  put16(f, 7);
  V llc = {0x42, 0x42, 0x03, 0, 0, 0, 0};
  Decoded d = run(kLinkEthernet, cat(cat(f, llc), V(20, 0)));  // + padding
  EXPECT_EQ(d.status, Status::kNotIp);
  EXPECT_EQ(d.view.ethertype, 0);
  EXPECT_EQ(d.view.l2_payload.size(), 7u);

  // LLC/SNAP carrying IPv4.
  V ip = udp4("snap");
  V g(12, 0x02);
  put16(g, uint16_t(8 + ip.size()));
  V snap = {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00};
  d = run(kLinkEthernet, cat(cat(g, snap), ip));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(str(d.view.payload), "snap");

  // ARP and EAPOL: not IP, ethertype and payload for later stages.
  V arp(28, 0x11);
  d = run(kLinkEthernet, fixture::ethernet({}, 0x0806, arp));
  EXPECT_EQ(d.status, Status::kNotIp);
  EXPECT_EQ(d.view.ethertype, 0x0806);
  EXPECT_EQ(d.view.l2_payload.size(), 28u);
  d = run(kLinkEthernet, fixture::ethernet({}, 0x888e, V{1, 0, 0, 5, 1, 2, 0, 5, 1}));
  EXPECT_EQ(d.status, Status::kNotIp);
  EXPECT_EQ(d.view.ethertype, 0x888e);
  EXPECT_EQ(d.view.l2_payload[0], 1);
  EXPECT_EQ(total(d.anomalies), 0u);
}

TEST(Decode, Ipv4Options) {
  V ip = tcp4("opt");
  // Insert 8 bytes of options (NOP NOP NOP EOL ...) and fix the lengths.
  V opts = {1, 1, 1, 0, 0, 0, 0, 0};
  ip.insert(ip.begin() + 20, opts.begin(), opts.end());
  ip[0] = 0x47;
  uint16_t tl = uint16_t(ip.size());
  ip[2] = uint8_t(tl >> 8);
  ip[3] = uint8_t(tl);
  Decoded d = run(kLinkRaw, ip);
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.dport, 80);
  EXPECT_EQ(str(d.view.payload), "opt");
}

TEST(Decode, Ipv4LengthChecks) {
  V ip = udp4("abcdef");
  V bad_ihl = ip;
  bad_ihl[0] = 0x44;
  Decoded d = run(kLinkRaw, bad_ihl);
  EXPECT_EQ(d.status, Status::kMalformed);
  EXPECT_EQ(d.anomalies.get("ipv4.bad-header-length"), 1u);
  EXPECT_EQ(total(d.anomalies), 1u);

  V short_total = ip;
  short_total[2] = 0;
  short_total[3] = 19;
  d = run(kLinkRaw, short_total);
  EXPECT_EQ(d.status, Status::kMalformed);
  EXPECT_EQ(d.anomalies.get("ipv4.bad-total-length"), 1u);

  // Captured less than the total length: decode what is there, flag it.
  V cut(ip.begin(), ip.end() - 3);
  d = run(kLinkRaw, cut);
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_TRUE(d.view.truncated);
  EXPECT_EQ(str(d.view.payload), "abc");
  EXPECT_EQ(total(d.anomalies), 0u);

  // Total length 0 (TSO): the captured length is used.
  V tso = ip;
  tso[2] = tso[3] = 0;
  d = run(kLinkRaw, tso);
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(str(d.view.payload), "abcdef");
}

TEST(Decode, Ipv4Fragment) {
  V ip = fixture::udp_segment(kA4, kB4, 1, 2, std::string(40, 'z'));
  auto frags = fixture::fragment(ip, 16);
  ASSERT_EQ(frags.size(), 3u);
  Decoded d = run(kLinkRaw, frags[1]);
  ASSERT_EQ(d.status, Status::kFragment);
  EXPECT_EQ(d.view.frag_offset, 16u);
  EXPECT_TRUE(d.view.frag_more);
  EXPECT_EQ(d.view.frag_id, 1u);
  EXPECT_EQ(d.view.l4proto, 17);
  EXPECT_EQ(d.view.frag_payload.size(), 16u);
  EXPECT_EQ(d.view.ip_datagram.size(), 36u);
  d = run(kLinkRaw, frags[2]);
  ASSERT_EQ(d.status, Status::kFragment);
  EXPECT_FALSE(d.view.frag_more);
  EXPECT_EQ(d.view.frag_offset, 32u);
  EXPECT_EQ(d.view.frag_payload.size(), 16u);  // 8 UDP header + 40 payload = 48
}

// IPv6 header + extension headers + an L4 segment taken from a fixture.
V ipv6_with_ext(const std::vector<std::pair<uint8_t, V>>& exts, uint8_t last_nh, const V& l4) {
  V body;
  for (size_t i = 0; i < exts.size(); ++i) {
    uint8_t next = i + 1 < exts.size() ? exts[i + 1].first : last_nh;
    V h = exts[i].second;
    h[0] = next;
    body.insert(body.end(), h.begin(), h.end());
  }
  body.insert(body.end(), l4.begin(), l4.end());
  V ip = {0x60, 0, 0, 0};
  put16(ip, uint16_t(body.size()));
  ip.push_back(exts.empty() ? last_nh : exts[0].first);
  ip.push_back(64);
  ip.insert(ip.end(), kA6.b.begin(), kA6.b.end());
  ip.insert(ip.end(), kB6.b.begin(), kB6.b.end());
  return cat(ip, body);
}
V l4_of(const V& ip6) { return V(ip6.begin() + 40, ip6.end()); }

TEST(Decode, Ipv6ExtensionHeaderChain) {
  V tcp = l4_of(fixture::tcp_segment(kA6, kB6, 1234, 443, 7, 8, kSyn, "ext"));
  V hbh = {0, 0, 1, 4, 0, 0, 0, 0};                           // PadN
  V dst = {0, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // 16 bytes
  V rt = {0, 0, 4, 0, 0, 0, 0, 0};                            // routing type 4, 0 segs left
  V ah = {0, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // 24 bytes
  V ip = ipv6_with_ext({{0, hbh}, {60, dst}, {43, rt}, {51, ah}}, 6, tcp);
  Decoded d = run(kLinkIpv6, ip);
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.l4proto, 6);
  EXPECT_EQ(d.view.dport, 443);
  EXPECT_EQ(d.view.tcp_flags, kSyn);
  EXPECT_EQ(str(d.view.payload), "ext");

  // ESP and no-next-header stop the chain: kOk with l4proto set.
  d = run(kLinkIpv6, ipv6_with_ext({{60, dst}}, 50, V(32, 0xab)));
  EXPECT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.l4proto, 50);
  d = run(kLinkIpv6, ipv6_with_ext({}, 59, {}));
  EXPECT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.l4proto, 59);

  // An extension header that claims more than the payload holds.
  V lying = {0, 9, 0, 0, 0, 0, 0, 0};
  d = run(kLinkIpv6, ipv6_with_ext({{60, lying}}, 6, tcp));
  EXPECT_EQ(d.status, Status::kMalformed);
  EXPECT_EQ(d.anomalies.get("ipv6.truncated"), 1u);
}

TEST(Decode, Ipv6FragmentAndAtomicFragment) {
  V ip = fixture::udp_segment(kA6, kB6, 5, 6, std::string(40, 'y'));
  auto frags = fixture::fragment(ip, 24);
  Decoded d = run(kLinkIpv6, frags[1]);
  ASSERT_EQ(d.status, Status::kFragment);
  EXPECT_EQ(d.view.frag_offset, 24u);
  EXPECT_FALSE(d.view.frag_more);
  EXPECT_EQ(d.view.frag_id, 0x1234u);
  EXPECT_EQ(d.view.frag_next_header, 17);
  EXPECT_EQ(d.view.frag_payload.size(), 24u);

  // Offset 0 and M=0 (RFC 6946 atomic fragment): decoded as a whole packet.
  V frag_hdr = {0, 0, 0, 0, 0, 0, 0, 9};
  V atomic = ipv6_with_ext({{44, frag_hdr}}, 17, l4_of(ip));
  d = run(kLinkIpv6, atomic);
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.dport, 6);
  EXPECT_EQ(d.view.payload.size(), 40u);
}

TEST(Decode, Ipv6Jumbogram) {
  // RFC 2675: payload length 0, hop-by-hop jumbo option, UDP length 0.
  const size_t kPayload = 70000;
  V hbh = {0, 0, 0xc2, 4, 0, 0, 0, 0};
  uint32_t jumbo = uint32_t(8 + 8 + kPayload);
  hbh[4] = uint8_t(jumbo >> 24);
  hbh[5] = uint8_t(jumbo >> 16);
  hbh[6] = uint8_t(jumbo >> 8);
  hbh[7] = uint8_t(jumbo);
  V udp = {0, 1, 0, 2, 0, 0, 0, 0};
  udp.resize(8 + kPayload, 'j');
  V ip = ipv6_with_ext({{0, hbh}}, 17, udp);
  ip[4] = ip[5] = 0;
  Decoded d = run(kLinkIpv6, ip);
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.payload.size(), kPayload);
  EXPECT_FALSE(d.view.truncated);

  // Captured short: the jumbo length is clamped to the capture, no overread.
  V cut(ip.begin(), ip.begin() + 200);
  d = run(kLinkIpv6, cut);
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_TRUE(d.view.truncated);
  EXPECT_EQ(d.view.payload.size(), 200u - 40 - 8 - 8);
}

TEST(Decode, TcpAndUdpHeaderChecks) {
  V ip = tcp4("data");
  V bad = ip;
  bad[20 + 12] = 0x40;  // data offset 4
  Decoded d = run(kLinkRaw, bad);
  EXPECT_EQ(d.status, Status::kMalformed);
  EXPECT_EQ(d.anomalies.get("tcp.bad-data-offset"), 1u);
  bad[20 + 12] = 0xf0;  // 60 bytes: more than the IP datagram holds
  d = run(kLinkRaw, bad);
  EXPECT_EQ(d.status, Status::kMalformed);
  EXPECT_EQ(d.anomalies.get("tcp.bad-data-offset"), 1u);
  V cut(ip.begin(), ip.begin() + 30);
  d = run(kLinkRaw, cut);
  EXPECT_EQ(d.status, Status::kMalformed);
  EXPECT_EQ(d.anomalies.get("tcp.truncated"), 1u);

  V u = udp4("0123456789");
  V ulen = u;
  ulen[24] = 0;
  ulen[25] = 7;
  d = run(kLinkRaw, ulen);
  EXPECT_EQ(d.status, Status::kMalformed);
  EXPECT_EQ(d.anomalies.get("udp.bad-length"), 1u);
  ulen[25] = 200;  // longer than the datagram: what was captured
  d = run(kLinkRaw, ulen);
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_TRUE(d.view.truncated);
  EXPECT_EQ(str(d.view.payload), "0123456789");
  ulen[25] = 8 + 4;  // shorter: payload trimmed to it
  d = run(kLinkRaw, ulen);
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(str(d.view.payload), "0123");

  // ICMP is decoded to the IP layer only.
  V icmp = fixture::ip_packet(kA4, kB4, 1, V{8, 0, 0, 0, 0, 1, 0, 1});
  d = run(kLinkRaw, icmp);
  EXPECT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.l4proto, 1);
}

// ---- link types ----

TEST(Decode, LinuxSllAndSll2) {
  V ip = udp4("sll");
  V sll = {0, 0, 0, 1, 0, 6, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0, 0, 0x08, 0x00};
  Decoded d = run(kLinkLinuxSll, cat(sll, ip));
  ASSERT_EQ(d.status, Status::kOk);
  ASSERT_NE(d.view.mac_src, nullptr);
  EXPECT_EQ(MacAddr::from(d.view.mac_src).to_string(), "02:aa:bb:cc:dd:ee");
  EXPECT_EQ(d.view.mac_dst, nullptr);
  EXPECT_EQ(str(d.view.payload), "sll");

  V sll_noaddr = {0, 4, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00};  // loopback
  d = run(kLinkLinuxSll, cat(sll_noaddr, ip));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.mac_src, nullptr);

  V sll2 = {0x86, 0xdd, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 0x02, 1, 2, 3, 4, 5, 0, 0};
  d = run(kLinkLinuxSll2, cat(sll2, udp6("two")));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(MacAddr::from(d.view.mac_src).to_string(), "02:01:02:03:04:05");
  EXPECT_EQ(str(d.view.payload), "two");

  V sll2_arp = sll2;
  sll2_arp[0] = 0x08;
  sll2_arp[1] = 0x06;
  d = run(kLinkLinuxSll2, cat(sll2_arp, V(28, 0)));
  EXPECT_EQ(d.status, Status::kNotIp);
  EXPECT_EQ(d.view.ethertype, 0x0806);

  d = run(kLinkLinuxSll, V(15, 0));
  EXPECT_EQ(d.status, Status::kMalformed);
  EXPECT_EQ(d.anomalies.get("link.truncated"), 1u);
}

TEST(Decode, NullAndLoopBothByteOrders) {
  V ip4 = udp4("n4");
  V ip6 = udp6("n6");
  for (uint32_t af : {24u, 28u, 30u}) {
    V le = {uint8_t(af), 0, 0, 0};
    V be = {0, 0, 0, uint8_t(af)};
    Decoded d = run(kLinkNull, cat(le, ip6));
    ASSERT_EQ(d.status, Status::kOk) << af;
    EXPECT_EQ(str(d.view.payload), "n6");
    d = run(kLinkNull, cat(be, ip6));
    ASSERT_EQ(d.status, Status::kOk) << af;
    d = run(kLinkLoop, cat(be, ip6));
    ASSERT_EQ(d.status, Status::kOk) << af;
  }
  Decoded d = run(kLinkNull, cat(V{2, 0, 0, 0}, ip4));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(str(d.view.payload), "n4");
  d = run(kLinkLoop, cat(V{0, 0, 0, 2}, ip4));
  ASSERT_EQ(d.status, Status::kOk);
  // LOOP is big-endian only.
  d = run(kLinkLoop, cat(V{2, 0, 0, 0}, ip4));
  EXPECT_EQ(d.status, Status::kUnsupported);
  d = run(kLinkNull, cat(V{7, 0, 0, 0}, ip4));
  EXPECT_EQ(d.status, Status::kUnsupported);
}

TEST(Decode, RawIpLinkTypes) {
  for (uint32_t lt : {uint32_t(kLinkRaw), 12u, 14u}) {
    Decoded d = run(lt, udp4("r"));
    EXPECT_EQ(d.status, Status::kOk) << lt;
    d = run(lt, udp6("r"));
    EXPECT_EQ(d.status, Status::kOk) << lt;
    EXPECT_EQ(d.view.ip_version, 6);
  }
  EXPECT_EQ(run(kLinkIpv4, udp4("r")).status, Status::kOk);
  EXPECT_EQ(run(kLinkIpv6, udp6("r")).status, Status::kOk);
  // Wrong version for the link type (malformed/M04 is such a file).
  Decoded d = run(kLinkIpv4, udp6("r"));
  EXPECT_EQ(d.status, Status::kMalformed);
  EXPECT_EQ(d.anomalies.get("ipv4.bad-version"), 1u);
  d = run(kLinkIpv6, udp4("r"));
  EXPECT_EQ(d.status, Status::kMalformed);
  EXPECT_EQ(d.anomalies.get("ipv6.bad-version"), 1u);
  d = run(kLinkRaw, V{0x50, 0, 0, 0});
  EXPECT_EQ(d.status, Status::kMalformed);
  EXPECT_EQ(d.anomalies.get("ip.bad-version"), 1u);
}

TEST(Decode, UnsupportedLinkType) {
  Decoded d = run(160, udp4("x"));
  EXPECT_EQ(d.status, Status::kUnsupported);
  EXPECT_EQ(total(d.anomalies), 0u);
  EXPECT_FALSE(linktype_supported(160));
  for (uint32_t lt : {0u, 1u, 12u, 14u, 51u, 101u, 105u, 108u, 113u, 127u, 228u, 229u, 276u})
    EXPECT_TRUE(linktype_supported(lt)) << lt;
}

V pppoe_session(uint16_t ppp_proto, const V& payload) {
  V p = {0x11, 0x00, 0x12, 0x34};
  put16(p, uint16_t(payload.size() + 2));
  put16(p, ppp_proto);
  return cat(p, payload);
}

TEST(Decode, Pppoe) {
  Decoded d = run(kLinkEthernet, fixture::ethernet({}, 0x8864, pppoe_session(0x0021, udp4("p4"))));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(str(d.view.payload), "p4");
  EXPECT_EQ(d.view.ethertype, 0x0800);
  d = run(kLinkEthernet, fixture::ethernet({}, 0x8864, pppoe_session(0x0057, udp6("p6"))));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(str(d.view.payload), "p6");
  d = run(kLinkPppEther, pppoe_session(0x0021, tcp4("pe")));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(str(d.view.payload), "pe");
  // LCP is not IP.
  d = run(kLinkPppEther, pppoe_session(0xc021, V{1, 1, 0, 4}));
  EXPECT_EQ(d.status, Status::kNotIp);
  EXPECT_EQ(d.view.ethertype, 0x8864);
}

const uint8_t kSa[6] = {0x02, 0, 0, 0, 0, 0x5a};
const uint8_t kDa[6] = {0x02, 0, 0, 0, 0, 0xda};
const uint8_t kBss[6] = {0x02, 0, 0, 0, 0, 0xb5};
const uint8_t kTa[6] = {0x02, 0, 0, 0, 0, 0x7a};

// An 802.11 data frame; addresses placed as ToDS/FromDS require.
V wlan_data(bool to_ds, bool from_ds, bool qos, bool htc, bool prot, const V& body) {
  V f;
  f.push_back(qos ? 0x88 : 0x08);  // type data, subtype QoS data / data
  f.push_back(uint8_t((to_ds ? 1 : 0) | (from_ds ? 2 : 0) | (prot ? 0x40 : 0) | (htc ? 0x80 : 0)));
  f.push_back(0);
  f.push_back(0);
  auto put = [&f](const uint8_t* m) { f.insert(f.end(), m, m + 6); };
  if (!to_ds && !from_ds) put(kDa), put(kSa), put(kBss);
  if (to_ds && !from_ds) put(kBss), put(kSa), put(kDa);
  if (!to_ds && from_ds) put(kDa), put(kBss), put(kSa);
  if (to_ds && from_ds) put(kBss), put(kTa), put(kDa);
  f.push_back(0x10);
  f.push_back(0);
  if (to_ds && from_ds) put(kSa);
  if (qos) f.push_back(0), f.push_back(0);
  if (htc) f.insert(f.end(), {0, 0, 0, 0});
  return cat(f, body);
}
V snap(uint16_t et, const V& payload) {
  V s = {0xaa, 0xaa, 0x03, 0, 0, 0};
  put16(s, et);
  return cat(s, payload);
}

TEST(Decode, Ieee80211DataFrames) {
  V body = snap(0x0800, udp4("wifi"));
  for (int ds = 0; ds < 4; ++ds) {
    for (int q = 0; q < 3; ++q) {
      bool qos = q > 0, htc = q == 2;
      Decoded d = run(kLinkIeee80211, wlan_data(ds & 1, ds & 2, qos, htc, false, body));
      ASSERT_EQ(d.status, Status::kOk) << ds << q;
      EXPECT_EQ(std::memcmp(d.view.mac_src, kSa, 6), 0) << ds << q;
      EXPECT_EQ(std::memcmp(d.view.mac_dst, kDa, 6), 0) << ds << q;
      EXPECT_EQ(str(d.view.payload), "wifi");
    }
  }
  // Protected frames: not IP, counted.
  Decoded d = run(kLinkIeee80211, wlan_data(true, false, true, false, true, V(40, 0x5c)));
  EXPECT_EQ(d.status, Status::kNotIp);
  EXPECT_EQ(d.anomalies.get("wlan.protected"), 1u);
  // EAPOL over 802.11.
  d = run(kLinkIeee80211, wlan_data(false, true, true, false, false, snap(0x888e, V{2, 3, 0, 0})));
  EXPECT_EQ(d.status, Status::kNotIp);
  EXPECT_EQ(d.view.ethertype, 0x888e);
  EXPECT_EQ(d.view.l2_payload.size(), 4u);
  // Beacon (management): not IP, body kept.
  V beacon(24, 0);
  beacon[0] = 0x80;
  beacon.resize(60, 1);
  d = run(kLinkIeee80211, beacon);
  EXPECT_EQ(d.status, Status::kNotIp);
  EXPECT_EQ(d.view.l2_payload.size(), 36u);
  // Null function data frame: no body.
  V null_fn = wlan_data(true, false, false, false, false, {});
  null_fn[0] = 0x48;
  EXPECT_EQ(run(kLinkIeee80211, null_fn).status, Status::kNotIp);
}

TEST(Decode, RadiotapWithAndWithoutFcs) {
  V wlan = wlan_data(false, true, true, false, false, snap(0x86dd, udp6("rt")));
  // present: TSFT | Flags | Rate; header 8 + pad to 8 + 8 TSFT + flags + rate
  V rt = {0, 0, 0, 0, 0x07, 0, 0, 0};
  V fields(8, 0);          // TSFT at offset 8 (already aligned)
  fields.push_back(0x00);  // flags: no FCS
  fields.push_back(0x02);  // rate
  rt = cat(rt, fields);
  rt[2] = uint8_t(rt.size());
  Decoded d = run(kLinkRadiotap, cat(rt, wlan));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(str(d.view.payload), "rt");
  EXPECT_EQ(std::memcmp(d.view.mac_src, kSa, 6), 0);

  V with_fcs = rt;
  with_fcs[16] = 0x10;  // flags: FCS at end
  d = run(kLinkRadiotap, cat(cat(with_fcs, wlan), V{0xde, 0xad, 0xbe, 0xef}));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(str(d.view.payload), "rt");
  EXPECT_FALSE(d.view.truncated);

  V lying = rt;
  lying[2] = 200;
  d = run(kLinkRadiotap, cat(lying, wlan));
  EXPECT_EQ(d.status, Status::kMalformed);
  EXPECT_EQ(total(d.anomalies), 1u);
}

TEST(Decode, Mpls) {
  V labels = {0, 0x01, 0x20, 64, 0, 0x02, 0x21, 64};  // two labels, second bottom
  Decoded d = run(kLinkEthernet, fixture::ethernet({}, 0x8847, cat(labels, udp4("mpls"))));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(str(d.view.payload), "mpls");
}

// ---- tunnels ----

V gre(uint16_t flags, uint16_t proto, const V& inner) {
  V g;
  put16(g, flags);
  put16(g, proto);
  if (flags & 0x8000) put32(g, 0);
  if (flags & 0x2000) put32(g, 0xabcd);
  if (flags & 0x1000) put32(g, 1);
  return cat(g, inner);
}

TEST(Decode, GreTunnels) {
  V inner = tcp4("gre");
  Decoded d = run(kLinkRaw, fixture::ip_packet(kOuterA, kOuterB, 47, gre(0, 0x0800, inner)));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.tunnel_depth, 1);
  EXPECT_EQ(d.view.src, kA4);
  EXPECT_EQ(d.view.dport, 80);
  EXPECT_EQ(str(d.view.payload), "gre");

  d = run(kLinkRaw, fixture::ip_packet(kOuterA, kOuterB, 47, gre(0xb000, 0x86dd, udp6("ck"))));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.ip_version, 6);
  EXPECT_EQ(str(d.view.payload), "ck");

  fixture::L2 l2;
  l2.vlans = {5};
  V teb = gre(0x2000, 0x6558, fixture::ethernet(l2, udp4("teb")));
  d = run(kLinkRaw, fixture::ip_packet(kOuterA, kOuterB, 47, teb));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(MacAddr::from(d.view.mac_src), l2.src);
  EXPECT_EQ(d.view.vlan, 5);
  EXPECT_EQ(str(d.view.payload), "teb");

  // Unknown GRE payload: reported as GRE.
  d = run(kLinkRaw, fixture::ip_packet(kOuterA, kOuterB, 47, gre(0, 0x880b, V(8, 0))));
  EXPECT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.l4proto, 47);
  EXPECT_EQ(d.view.tunnel_depth, 0);
}

TEST(Decode, IpInIpAndSixInFour) {
  Decoded d = run(kLinkRaw, fixture::ip_packet(kOuterA, kOuterB, 4, udp4("ipip")));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.tunnel_depth, 1);
  EXPECT_EQ(d.view.src, kA4);
  EXPECT_EQ(str(d.view.payload), "ipip");
  d = run(kLinkRaw, fixture::ip_packet(kOuterA, kOuterB, 41, udp6("6in4")));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.ip_version, 6);
  EXPECT_EQ(str(d.view.payload), "6in4");
}

TEST(Decode, VxlanAndGtpU) {
  fixture::L2 inner_l2;
  inner_l2.src = MacAddr{{0x02, 9, 9, 9, 9, 9}};
  V vx = {0x08, 0, 0, 0, 0, 0, 0x64, 0};
  V inner = cat(vx, fixture::ethernet(inner_l2, tcp4("vx")));
  V outer = fixture::udp_segment(kOuterA, kOuterB, 55555, 4789, as_string(Bytes(inner)));
  Decoded d = run(kLinkEthernet, fixture::ethernet({}, outer));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.tunnel_depth, 1);
  EXPECT_EQ(MacAddr::from(d.view.mac_src), inner_l2.src);
  EXPECT_EQ(d.view.sport, 40000);
  EXPECT_EQ(d.view.dport, 80);
  EXPECT_EQ(str(d.view.payload), "vx");

  // GTP-U G-PDU with sequence number and one extension header (PDU session).
  V ip = udp4("gtp");
  V gtp = {0x36, 0xff};
  put16(gtp, uint16_t(4 + 4 + ip.size()));
  put32(gtp, 0x11223344);
  gtp.insert(gtp.end(), {0, 1, 0, 0x85});     // seq, N-PDU, next ext = PDU session
  gtp.insert(gtp.end(), {1, 0x10, 0x05, 0});  // 4-byte ext, no further ext
  V payload = cat(gtp, ip);
  outer = fixture::udp_segment(kOuterA, kOuterB, 2152, 2152, as_string(Bytes(payload)));
  d = run(kLinkRaw, outer);
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.tunnel_depth, 1);
  EXPECT_EQ(d.view.src, kA4);
  EXPECT_EQ(str(d.view.payload), "gtp");
  // Over Ethernet, the outer MACs are the tunnel endpoints' (an SGW's), not
  // the subscriber's: the inner packet has none, so its device is its IP.
  d = run(kLinkEthernet, fixture::ethernet({}, outer));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.mac_src, nullptr);
  EXPECT_EQ(d.view.mac_dst, nullptr);
  EXPECT_EQ(d.view.src, kA4);

  // GTP-U echo request (type 1): plain UDP.
  V echo = {0x32, 0x01, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0};
  d = run(kLinkRaw, fixture::udp_segment(kOuterA, kOuterB, 2152, 2152, as_string(Bytes(echo))));
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.tunnel_depth, 0);
  EXPECT_EQ(d.view.dport, 2152);
}

TEST(Decode, TunnelDepthLimit) {
  V pkt = udp4("deep");
  for (int i = 0; i < 4; ++i) pkt = fixture::ip_packet(kOuterA, kOuterB, 4, pkt);
  Decoded d = run(kLinkRaw, pkt);
  ASSERT_EQ(d.status, Status::kOk);
  EXPECT_EQ(d.view.tunnel_depth, 4);
  EXPECT_EQ(str(d.view.payload), "deep");
  pkt = fixture::ip_packet(kOuterA, kOuterB, 4, pkt);
  d = run(kLinkRaw, pkt);
  EXPECT_EQ(d.status, Status::kMalformed);
  EXPECT_EQ(d.anomalies.get("tunnel.too-deep"), 1u);
  EXPECT_EQ(total(d.anomalies), 1u);
}

TEST(Decode, DecodeIpKeepsLinkFields) {
  fixture::L2 l2;
  l2.vlans = {33};
  Frame f = fixture::ethernet(l2, udp4("first"));
  PacketView v;
  Counters an;
  ASSERT_EQ(decode_frame(kLinkEthernet, f, v, an), Status::kOk);
  V other = fixture::tcp_segment(kB4, kA4, 1, 2, 3, 4, kFin, "");
  ASSERT_EQ(decode_ip(other, v, an), Status::kOk);
  EXPECT_EQ(v.vlan, 33);
  EXPECT_EQ(MacAddr::from(v.mac_src), l2.src);
  EXPECT_EQ(v.src, kB4);
  EXPECT_EQ(v.l4proto, 6);
  EXPECT_EQ(v.tcp_flags, kFin);
  EXPECT_TRUE(v.payload.empty());
}

// ---- truncation sweep ----

// Decodes every proper prefix of `frame` from an exactly-sized buffer: the
// result must be kMalformed with exactly one anomaly, or a decoded packet
// flagged truncated, or (cut inside a link/LLC header) not IP.
void sweep(uint32_t linktype, const V& frame) {
  {
    Decoded full = run(linktype, frame);
    ASSERT_EQ(full.status, Status::kOk);
    ASSERT_FALSE(full.view.truncated);
    ASSERT_EQ(total(full.anomalies), 0u);
  }
  for (size_t n = 0; n < frame.size(); ++n) {
    std::vector<uint8_t> prefix(frame.begin(), frame.begin() + long(n));
    PacketView v;
    Counters an;
    Status s = decode_frame(linktype, Bytes(prefix.data(), n), v, an);
    switch (s) {
      case Status::kMalformed:
        EXPECT_EQ(total(an), 1u) << "prefix " << n;
        break;
      case Status::kOk:
        EXPECT_TRUE(v.truncated) << "prefix " << n;
        EXPECT_EQ(total(an), 0u) << "prefix " << n;
        break;
      case Status::kNotIp:
        EXPECT_EQ(total(an), 0u) << "prefix " << n;
        break;
      default:
        ADD_FAILURE() << "prefix " << n << " status " << int(s);
    }
  }
}

TEST(Decode, TruncationSweep) {
  fixture::L2 vlan;
  vlan.vlans = {10, 20};
  V ip = tcp4("payload");
  V opts = {1, 1, 1, 0};
  ip.insert(ip.begin() + 20, opts.begin(), opts.end());
  ip[0] = 0x46;
  ip[3] = uint8_t(ip[3] + 4);
  sweep(kLinkEthernet, fixture::ethernet(vlan, ip));

  V hbh = {0, 0, 1, 4, 0, 0, 0, 0};
  sweep(kLinkEthernet,
        fixture::ethernet({}, ipv6_with_ext({{0, hbh}}, 17, l4_of(udp6("v6 payload")))));
  sweep(kLinkRaw, fixture::ip_packet(kOuterA, kOuterB, 47, gre(0x3000, 0x0800, udp4("g"))));
  V vx = cat(V{0x08, 0, 0, 0, 0, 0, 0x64, 0}, fixture::ethernet({}, udp4("vx")));
  sweep(kLinkEthernet, fixture::ethernet({}, fixture::udp_segment(kOuterA, kOuterB, 1, 4789,
                                                                  as_string(Bytes(vx)))));
  V rt = {0, 0, 12, 0, 0x02, 0, 0, 0, 0x10, 0, 0, 0};  // flags only: FCS present
  V wlan = wlan_data(true, true, true, true, false, snap(0x0800, udp4("w")));
  sweep(kLinkRadiotap, cat(cat(rt, wlan), V{1, 2, 3, 4}));
  V sll2 = {0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 0x02, 1, 2, 3, 4, 5, 0, 0};
  sweep(kLinkLinuxSll2, cat(sll2, udp4("s")));
  sweep(kLinkPppEther, pppoe_session(0x0021, tcp4("ppp")));
}

}  // namespace
}  // namespace ph::decode

namespace ph::decode {
namespace {

// The decode_fuzz seeds (fuzz/make_decode_seeds.py) are meant to reach deep
// into each decoder: all but the deliberately wrong one must decode cleanly.
TEST(Decode, FuzzSeedsDecode) {
  constexpr uint32_t kLinktypes[] = {0, 1, 12, 14, 51, 101, 105, 108, 113, 127, 228, 229, 276};
  std::filesystem::path dir =
      std::filesystem::path(PHONEHOME_SOURCE_DIR) / "fuzz/corpus/decode_fuzz";
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), {});
    ASSERT_GE(data.size(), 2u);
    uint32_t lt = kLinktypes[(data[0] << 8 | data[1]) % 13];
    PacketView v;
    Counters an;
    Status s = decode_frame(lt, Bytes(data).subspan(2), v, an);
    std::string name = e.path().filename().string();
    ++n;
    if (name == "ipv4_on_229") {
      EXPECT_EQ(s, Status::kMalformed);
      continue;
    }
    EXPECT_NE(s, Status::kMalformed) << name;
    EXPECT_NE(s, Status::kUnsupported) << name;
    if (name.find("frag") != std::string::npos) {
      EXPECT_EQ(s, Status::kFragment) << name;
    }
    if (name == "eth_vxlan" || name == "eth_gre" || name == "raw_gtp" || name == "raw_ipip") {
      EXPECT_GE(v.tunnel_depth, 1) << name;
    }
  }
  EXPECT_GT(n, 20);
}

}  // namespace
}  // namespace ph::decode

namespace ph::decode {
namespace {

TEST(Decode, NflogCarriesThePacketInTlvNine) {
  std::vector<uint8_t> ip = fixture::udp_segment(IpAddr::parse("10.0.2.15"),
                                                 IpAddr::parse("93.184.216.34"), 40000, 53, "q");
  std::vector<uint8_t> f = {2, 0, 0,  0,                 // AF_INET, version 0, resource 0
                            8, 0, 1,  0, 8,   0, 3, 0,   // NFULA_PACKET_HDR (len 8)
                            5, 0, 10, 0, 'x', 0, 0, 0};  // NFULA_PREFIX "x" padded to 8
  size_t len = 4 + ip.size();
  f.insert(f.end(), {uint8_t(len), uint8_t(len >> 8), 9, 0});
  f.insert(f.end(), ip.begin(), ip.end());
  PacketView v;
  Counters a;
  ASSERT_EQ(decode_frame(kLinkNflog, f, v, a), Status::kOk);
  EXPECT_EQ(v.src.to_string(), "10.0.2.15");
  EXPECT_EQ(v.dport, 53);
  EXPECT_EQ(as_string(v.payload), "q");
  EXPECT_TRUE(linktype_supported(kLinkNflog));
  // A TLV that claims more than the frame holds is malformed, not an overread.
  std::vector<uint8_t> bad = {2, 0, 0, 0, 200, 0, 9, 0, 0x45};
  EXPECT_EQ(decode_frame(kLinkNflog, bad, v, a), Status::kMalformed);
  EXPECT_EQ(a.get("nflog.bad-tlv"), 1u);
}

TEST(Decode, TruncatedFirstFragmentStillYieldsItsTransportHeader) {
  std::vector<uint8_t> ip = fixture::udp_segment(
      IpAddr::parse("192.0.2.1"), IpAddr::parse("192.0.2.2"), 53, 4000, std::string(600, 'd'));
  auto frags = fixture::fragment(ip, 512);
  std::vector<uint8_t> first = frags[0];
  first.resize(20 + 8 + 40);  // the capture kept 40 bytes of UDP payload
  PacketView v;
  Counters a;
  ASSERT_EQ(decode_frame(kLinkRaw, first, v, a), Status::kFragment);
  EXPECT_TRUE(v.truncated);
  ASSERT_EQ(decode_truncated_first_fragment(v, a), Status::kOk);
  EXPECT_EQ(v.l4proto, 17);
  EXPECT_EQ(v.sport, 53);
  EXPECT_EQ(v.payload.size(), 40u);
  // A later fragment has no transport header to offer.
  std::vector<uint8_t> second = frags[1];
  second.resize(30);
  ASSERT_EQ(decode_frame(kLinkRaw, second, v, a), Status::kFragment);
  EXPECT_EQ(decode_truncated_first_fragment(v, a), Status::kFragment);
}

}  // namespace
}  // namespace ph::decode
