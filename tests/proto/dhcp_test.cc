// DHCPv4/DHCPv6 parser tests: v4 messages from the fixture builder (every
// field, option overload, RFC 3396 concatenation, FQDN encodings, client
// ids, relay agent sub-options), v6 messages built byte by byte here (IA
// addresses and prefixes, vendor options, relay unwrapping and its depth
// limit), the chunking harness, every truncation, the limits, the probes,
// and the tshark oracle on every real capture.
#include "proto/dhcp/dhcp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "capture/source.h"
#include "decode/decode.h"
#include "fixture/payloads.h"
#include "model/stats.h"
#include "oracle/tshark_oracle.h"
#include "proto/chunking.h"
#include "support/support.h"

namespace ph::proto::test {
namespace {

using fixture::DhcpMessage;
using fixture::ipv4_bytes;

const MacAddr kMac = MacAddr::from(reinterpret_cast<const uint8_t*>("\x02\x11\x22\x33\x44\x55"));

Collected parse_one(const Parser& p, const std::string& datagram) {
  return run(p, {{Direction::kUp, datagram}}, Chunking::kWhole);
}

bool has_anomaly(const Collected& c, std::string_view what) {
  return std::find(c.anomalies.begin(), c.anomalies.end(), what) != c.anomalies.end();
}

// Every value of `name` (with `key`, when given), in order.
std::vector<std::string> values(const Message& m, std::string_view name,
                                std::string_view key = {}) {
  std::vector<std::string> out;
  for (const auto& f : m.fields)
    if (f.name == name && (key.empty() || f.key == key)) out.push_back(f.value);
  return out;
}
std::string value(const Message& m, std::string_view name, std::string_view key = {}) {
  const Field* f = m.find(name, key);
  return f ? f->value : "<absent>";
}

std::string opt1(uint8_t code, const std::string& v) {
  return std::string(1, char(code)) + char(v.size()) + v;
}

DhcpMessage discover() {
  DhcpMessage m;
  m.xid = 0x1234abcd;
  m.chaddr = kMac;
  m.options = {{53, "\x01"},
               {61, std::string("\x01", 1) + "\x02\x11\x22\x33\x44\x55"},
               {50, ipv4_bytes(IpAddr::parse("192.168.7.20"))},
               {57, std::string("\x05\xdc", 2)},
               {60, "android-dhcp-13"},
               {12, "Pixel-7-test"},
               {55, std::string("\x01\x03\x06\x0f\x1a\x1c\x33\x3a\x3b\x2b", 10)}};
  return m;
}

// ---- DHCPv4 -------------------------------------------------------------------

TEST(Dhcp, DiscoverFields) {
  Collected c = parse_one(dhcp::parser(), fixture::dhcp(discover()));
  ASSERT_EQ(c.messages.size(), 1u);
  const Message& m = c.messages[0];
  EXPECT_EQ(m.protocol, "dhcp");
  EXPECT_EQ(m.kind, "discover");
  EXPECT_EQ(m.frame, 1u);
  EXPECT_EQ(value(m, "dhcp.message_type"), "discover");
  EXPECT_EQ(value(m, "dhcp.chaddr"), "02:11:22:33:44:55");
  EXPECT_EQ(value(m, "dhcp.client_id"), "01021122334455");
  EXPECT_EQ(value(m, "dhcp.client_mac"), "02:11:22:33:44:55");
  EXPECT_EQ(value(m, "dhcp.requested_ip"), "192.168.7.20");
  EXPECT_EQ(value(m, "dhcp.vendor_class"), "android-dhcp-13");
  EXPECT_EQ(value(m, "dhcp.hostname"), "Pixel-7-test");
  EXPECT_EQ(value(m, "dhcp.param_request_list"), "1,3,6,15,26,28,51,58,59,43");
  EXPECT_EQ(value(m, "dhcp.ciaddr"), "<absent>");  // 0.0.0.0 says nothing
  EXPECT_EQ(value(m, "dhcp.yiaddr"), "<absent>");
  EXPECT_TRUE(c.anomalies.empty());
  // Header fields first, then options in the order they were sent.
  std::vector<std::string> names;
  for (const auto& f : m.fields) names.push_back(f.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"dhcp.chaddr", "dhcp.message_type", "dhcp.client_id",
                                      "dhcp.client_mac", "dhcp.requested_ip", "dhcp.vendor_class",
                                      "dhcp.hostname", "dhcp.param_request_list"}));
}

TEST(Dhcp, AckFromServerAndEveryMessageType) {
  DhcpMessage r;
  r.op = 2;
  r.ciaddr = IpAddr::parse("10.1.2.3");
  r.yiaddr = IpAddr::parse("10.1.2.4");
  r.chaddr = kMac;
  r.options = {{53, "\x05"},
               {54, ipv4_bytes(IpAddr::parse("10.1.2.1"))},
               {15, "home.example"},
               {51, std::string("\0\1\x51\x80", 4)}};
  Collected c = parse_one(dhcp::parser(), fixture::dhcp(r));
  ASSERT_EQ(c.messages.size(), 1u);
  const Message& m = c.messages[0];
  EXPECT_EQ(m.kind, "ack");
  EXPECT_EQ(value(m, "dhcp.ciaddr"), "10.1.2.3");
  EXPECT_EQ(value(m, "dhcp.yiaddr"), "10.1.2.4");
  EXPECT_EQ(value(m, "dhcp.server_id"), "10.1.2.1");
  EXPECT_EQ(value(m, "dhcp.domain_name"), "home.example");

  const std::vector<std::string> kinds = {"discover", "offer", "request", "decline",
                                          "ack",      "nak",   "release", "inform"};
  for (size_t t = 1; t <= kinds.size(); ++t) {
    r.options = {{53, std::string(1, char(t))}};
    Collected ct = parse_one(dhcp::parser(), fixture::dhcp(r));
    ASSERT_EQ(ct.messages.size(), 1u);
    EXPECT_EQ(ct.messages[0].kind, kinds[t - 1]);
  }
  // Plain BOOTP (no option 53), and an unknown type.
  r.options = {};
  EXPECT_EQ(parse_one(dhcp::parser(), fixture::dhcp(r)).messages[0].kind, "bootreply");
  r.op = 1;
  EXPECT_EQ(parse_one(dhcp::parser(), fixture::dhcp(r)).messages[0].kind, "bootrequest");
  r.options = {{53, "\x63"}};
  Collected cu = parse_one(dhcp::parser(), fixture::dhcp(r));
  EXPECT_EQ(cu.messages[0].kind, "bootrequest");
  EXPECT_EQ(value(cu.messages[0], "dhcp.message_type"), "99");
  EXPECT_TRUE(has_anomaly(cu, "dhcp.bad-message-type"));
}

TEST(Dhcp, FqdnAsciiAndWireFormat) {
  DhcpMessage m = discover();
  m.options = {{53, "\x03"}, {81, std::string("\x01\0\0", 3) + "laptop.corp.example"}};
  EXPECT_EQ(value(parse_one(dhcp::parser(), fixture::dhcp(m)).messages[0], "dhcp.fqdn"),
            "laptop.corp.example");
  // E flag: canonical wire format, full (root label) and partial (none).
  m.options = {{53, "\x03"}, {81, std::string("\x05\0\0\6laptop\4corp\7example\0", 24)}};
  EXPECT_EQ(value(parse_one(dhcp::parser(), fixture::dhcp(m)).messages[0], "dhcp.fqdn"),
            "laptop.corp.example");
  m.options = {{53, "\x03"}, {81, std::string("\x04\0\0\6laptop", 10)}};
  EXPECT_EQ(value(parse_one(dhcp::parser(), fixture::dhcp(m)).messages[0], "dhcp.fqdn"), "laptop");
  // A label running past the option, and an option too short for its header.
  m.options = {{53, "\x03"}, {81, std::string("\x04\0\0\x09laptop", 10)}};
  Collected bad = parse_one(dhcp::parser(), fixture::dhcp(m));
  EXPECT_EQ(value(bad.messages[0], "dhcp.fqdn"), "<absent>");
  EXPECT_TRUE(has_anomaly(bad, "dhcp.bad-fqdn"));
  m.options = {{53, "\x03"}, {81, std::string("\x04\0", 2)}};
  EXPECT_TRUE(has_anomaly(parse_one(dhcp::parser(), fixture::dhcp(m)), "dhcp.bad-fqdn"));
}

TEST(Dhcp, ClientIdForms) {
  DhcpMessage m = discover();
  // RFC 4361: type 255, IAID, DUID-LL (type 3, hardware type 1).
  m.options = {{61, std::string("\xff\0\0\0\1\0\3\0\1\x02\xaa\xbb\xcc\xdd\xee", 15)}};
  Message got = parse_one(dhcp::parser(), fixture::dhcp(m)).messages[0];
  EXPECT_EQ(value(got, "dhcp.client_id"), "ff000000010003000102aabbccddee");
  EXPECT_EQ(value(got, "dhcp.client_mac"), "02:aa:bb:cc:dd:ee");
  // Type 0: an opaque (often text) identifier: hex only.
  m.options = {{61, std::string("\0abc", 4)}};
  got = parse_one(dhcp::parser(), fixture::dhcp(m)).messages[0];
  EXPECT_EQ(value(got, "dhcp.client_id"), "00616263");
  EXPECT_EQ(value(got, "dhcp.client_mac"), "<absent>");
}

TEST(Dhcp, UserClassListOrText) {
  DhcpMessage m = discover();
  m.options = {{77, std::string("\4iPXE\3lab", 9)}};
  EXPECT_EQ(values(parse_one(dhcp::parser(), fixture::dhcp(m)).messages[0], "dhcp.user_class"),
            (std::vector<std::string>{"iPXE", "lab"}));
  m.options = {{77, "MSFT 5.0"}};  // text, not an RFC 3004 list
  EXPECT_EQ(values(parse_one(dhcp::parser(), fixture::dhcp(m)).messages[0], "dhcp.user_class"),
            (std::vector<std::string>{"MSFT 5.0"}));
}

TEST(Dhcp, RelayAgentSubOptions) {
  DhcpMessage m = discover();
  m.giaddr = IpAddr::parse("10.0.0.1");
  m.options = {{53, "\x01"},
               {82, opt1(1, "eth0/1/3") + opt1(2, std::string("\x02\x11\x22", 3)) +
                        opt1(6, "-subID-") + opt1(9, "vv")}};
  Collected c = parse_one(dhcp::parser(), fixture::dhcp(m));
  const Message& got = c.messages[0];
  EXPECT_EQ(value(got, "dhcp.relay_agent", "circuit_id"), "eth0/1/3");
  EXPECT_EQ(value(got, "dhcp.relay_agent", "remote_id"), std::string("\x02\x11\x22", 3));
  EXPECT_EQ(value(got, "dhcp.relay_agent", "subscriber_id"), "-subID-");
  EXPECT_EQ(value(got, "dhcp.relay_agent", "9"), "vv");
  EXPECT_TRUE(c.anomalies.empty());
  m.options = {{82, opt1(1, "eth0") + "\x02\x09short"}};
  Collected bad = parse_one(dhcp::parser(), fixture::dhcp(m));
  EXPECT_EQ(value(bad.messages[0], "dhcp.relay_agent", "circuit_id"), "eth0");
  EXPECT_TRUE(has_anomaly(bad, "dhcp.bad-relay-agent"));
}

TEST(Dhcp, OptionOverloadReadsFileThenSname) {
  DhcpMessage m = discover();
  m.options = {{53, "\x03"}, {52, "\x03"}};
  m.file = opt1(12, "from-file") + "\xff";
  m.sname = opt1(60, "vendor-in-sname") + "\xff";
  Collected c = parse_one(dhcp::parser(), fixture::dhcp(m));
  const Message& got = c.messages[0];
  EXPECT_EQ(value(got, "dhcp.hostname"), "from-file");
  EXPECT_EQ(value(got, "dhcp.vendor_class"), "vendor-in-sname");
  EXPECT_TRUE(c.anomalies.empty());
  // Without option 52 the same bytes are a boot file name, not options.
  m.options = {{53, "\x03"}};
  EXPECT_EQ(value(parse_one(dhcp::parser(), fixture::dhcp(m)).messages[0], "dhcp.hostname"),
            "<absent>");
  // Overload 1 only: the sname field is left alone.
  m.options = {{53, "\x03"}, {52, "\x01"}};
  Message one = parse_one(dhcp::parser(), fixture::dhcp(m)).messages[0];
  EXPECT_EQ(value(one, "dhcp.hostname"), "from-file");
  EXPECT_EQ(value(one, "dhcp.vendor_class"), "<absent>");
}

TEST(Dhcp, RepeatedOptionsAreConcatenated) {
  // RFC 3396: a 300-byte relay agent option split in two, the second part
  // in the file field, and a hostname split around another option.
  std::string sub = opt1(1, std::string(200, 'c')) + opt1(2, std::string(96, 'r'));
  ASSERT_EQ(sub.size(), 300u);
  DhcpMessage m = discover();
  m.options = {{53, "\x01"}, {52, "\x01"}, {12, "split-"}, {82, sub.substr(0, 255)},
               {60, "vc"},   {12, "host"}};
  m.file = opt1(82, sub.substr(255)) + "\xff";
  Collected c = parse_one(dhcp::parser(), fixture::dhcp(m));
  const Message& got = c.messages[0];
  EXPECT_EQ(value(got, "dhcp.hostname"), "split-host");
  EXPECT_EQ(values(got, "dhcp.hostname").size(), 1u);
  EXPECT_EQ(value(got, "dhcp.relay_agent", "circuit_id"), std::string(200, 'c'));
  EXPECT_EQ(value(got, "dhcp.relay_agent", "remote_id"), std::string(96, 'r'));
  EXPECT_TRUE(c.anomalies.empty());
}

TEST(Dhcp, HardwareAddressesOfOtherLengths) {
  DhcpMessage m = discover();
  m.htype = 32;  // InfiniBand: hlen 0, the address is in the client id
  m.hlen = 0;
  m.chaddr_raw = std::string(16, '\0');
  EXPECT_EQ(value(parse_one(dhcp::parser(), fixture::dhcp(m)).messages[0], "dhcp.chaddr"),
            "<absent>");
  m.htype = 6;
  m.hlen = 8;
  m.chaddr_raw = "\x01\x02\x03\x04\x05\x06\x07\x08";
  EXPECT_EQ(value(parse_one(dhcp::parser(), fixture::dhcp(m)).messages[0], "dhcp.chaddr"),
            "01:02:03:04:05:06:07:08");
  m.chaddr_raw.clear();
  m.chaddr = MacAddr{};
  m.hlen = 6;
  EXPECT_EQ(value(parse_one(dhcp::parser(), fixture::dhcp(m)).messages[0], "dhcp.chaddr"),
            "<absent>");
}

TEST(Dhcp, DamagedOptionsKeepWhatCameBefore) {
  DhcpMessage m = discover();
  m.end = false;
  Collected c = parse_one(dhcp::parser(), fixture::dhcp(m));
  EXPECT_EQ(value(c.messages[0], "dhcp.hostname"), "Pixel-7-test");  // padding, no end option
  EXPECT_TRUE(has_anomaly(c, "dhcp.no-end"));
  m.options = {{53, "\x01"}, {50, "\x0a\x00"}};  // an address of 2 bytes
  EXPECT_TRUE(has_anomaly(parse_one(dhcp::parser(), fixture::dhcp(m)), "dhcp.bad-option-length"));
  // An option running past the datagram.
  std::string bytes = fixture::dhcp(discover()).substr(0, 240) + opt1(12, "ok") + "\x0c\x40short";
  Collected t = parse_one(dhcp::parser(), bytes);
  ASSERT_EQ(t.messages.size(), 1u);
  EXPECT_EQ(value(t.messages[0], "dhcp.hostname"), "ok");
  EXPECT_TRUE(has_anomaly(t, "dhcp.truncated-option"));
  EXPECT_FALSE(has_anomaly(t, "dhcp.no-end"));
}

TEST(Dhcp, EveryTruncationIsSafeAndReported) {
  const std::string whole = fixture::dhcp(discover());
  size_t end_at = whole.find('\xff', 240);
  for (size_t n = 1; n < whole.size(); ++n) {
    Collected c = parse_one(dhcp::parser(), whole.substr(0, n));
    if (n < 240) {
      EXPECT_TRUE(c.messages.empty()) << n;
      EXPECT_TRUE(has_anomaly(c, "dhcp.short")) << n;
      continue;
    }
    ASSERT_EQ(c.messages.size(), 1u) << n;
    EXPECT_EQ(c.anomalies.empty(), n > end_at) << n;  // only a cut before the end option shows
  }
}

TEST(Dhcp, OptionAndFieldLimits) {
  DhcpMessage m = discover();
  m.options.clear();
  for (int i = 0; i < 300; ++i) m.options.push_back({uint8_t(100 + i % 50), ""});
  Collected c = parse_one(dhcp::parser(), fixture::dhcp(m));
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_TRUE(has_anomaly(c, "dhcp.too-many-options"));
  // 2048 relay agent sub-options (RFC 3396 lets option 82 grow that long):
  // fields stop at 1024.
  std::string subs;
  for (int i = 0; i < 2048; ++i) subs += opt1(3, "");
  m.options.clear();
  for (size_t at = 0; at < subs.size(); at += 254) m.options.push_back({82, subs.substr(at, 254)});
  Collected f = parse_one(dhcp::parser(), fixture::dhcp(m));
  ASSERT_EQ(f.messages.size(), 1u);
  EXPECT_TRUE(has_anomaly(f, "dhcp.too-many-fields"));
  EXPECT_EQ(f.messages[0].fields.size(), 1024u);
}

TEST(Dhcp, GarbageDatagramsEndTheDirection) {
  Collected sink;
  Feeder f(dhcp::parser().make(sink), sink);
  for (int i = 0; i < 20; ++i) f.data(Direction::kUp, as_bytes("junk"), i, i);
  EXPECT_TRUE(f.failed(Direction::kUp));
  EXPECT_EQ(std::count(sink.anomalies.begin(), sink.anomalies.end(), "dhcp.short"), 16);
  // A direction that carried DHCP once keeps being parsed.
  Collected sink2;
  Feeder g(dhcp::parser().make(sink2), sink2);
  std::string d = fixture::dhcp(discover());
  g.data(Direction::kUp, as_bytes(d), 0, 0);
  std::string bad_cookie = d;
  bad_cookie[236] = 0;
  for (int i = 0; i < 20; ++i) g.data(Direction::kUp, as_bytes(bad_cookie), i, i);
  g.data(Direction::kUp, as_bytes(d), 30, 30);
  EXPECT_FALSE(g.failed(Direction::kUp));
  EXPECT_EQ(sink2.messages.size(), 2u);
  EXPECT_TRUE(has_anomaly(sink2, "dhcp.not-dhcp"));
  EXPECT_EQ(g.session().facts().app, "dhcp");
  EXPECT_EQ(g.session().facts().encrypted, false);
}

TEST(DhcpProbe, ContentFirstPortsBreakTies) {
  std::string d = fixture::dhcp(discover());
  int on_67 = dhcp::parser().probe(Direction::kUp, as_bytes(d), 67);
  int elsewhere = dhcp::parser().probe(Direction::kUp, as_bytes(d), 9999);
  EXPECT_GT(elsewhere, 0);
  EXPECT_GT(on_67, elsewhere);
  EXPECT_LE(on_67, 100);
  std::string bad = d;
  bad[236] = 0x64;  // no magic cookie: plain BOOTP or something else
  EXPECT_EQ(dhcp::parser().probe(Direction::kUp, as_bytes(bad), 67), 0);
  bad = d;
  bad[0] = 3;  // op
  EXPECT_EQ(dhcp::parser().probe(Direction::kUp, as_bytes(bad), 67), 0);
  bad = d;
  bad[2] = 17;  // hlen
  EXPECT_EQ(dhcp::parser().probe(Direction::kUp, as_bytes(bad), 67), 0);
  EXPECT_EQ(dhcp::parser().probe(Direction::kUp, as_bytes(d.substr(0, 239)), 67), 0);
  EXPECT_EQ(dhcp::v6_parser().probe(Direction::kUp, as_bytes(d), 547), 0);
}

// ---- DHCPv6 -------------------------------------------------------------------

std::string be16(uint16_t v) { return {char(v >> 8), char(v & 0xFF)}; }
std::string be32(uint32_t v) { return be16(uint16_t(v >> 16)) + be16(uint16_t(v)); }
std::string opt(uint16_t code, const std::string& data) {
  return be16(code) + be16(uint16_t(data.size())) + data;
}
std::string v6(const char* text) {
  IpAddr a = IpAddr::parse(text);
  return std::string(reinterpret_cast<const char*>(a.b.data()), 16);
}
const std::string kDuidLlt = std::string("\0\1\0\1\x2a\x2b\x2c\x2d\x02\x11\x22\x33\x44\x55", 14);
const std::string kServerDuid = std::string("\0\3\0\1\x02\x99\x88\x77\x66\x55", 10);

std::string solicit() {
  return std::string("\x01\xab\xcd\xef", 4) + opt(1, kDuidLlt) + opt(8, be16(0)) +
         opt(6, be16(23) + be16(24) + be16(39)) +
         opt(39, std::string("\x01\x08laptop-6\x04home\0", 16)) +
         opt(16, be32(311) + be16(8) + "MSFT 5.0") + opt(15, be16(3) + "lab" + be16(2) + "xy") +
         opt(17, be32(4491) + opt(1, "modem-7") + opt(2, "sn-42")) +
         opt(3, be32(1) + be32(0) + be32(0) + opt(5, v6("2001:db8::17") + be32(0) + be32(0))) +
         opt(25, be32(2) + be32(0) + be32(0) +
                     opt(26, be32(0) + be32(0) + "\x38" + v6("2001:db8:1:100::")));
}

TEST(Dhcpv6, SolicitFields) {
  Collected c = parse_one(dhcp::v6_parser(), solicit());
  ASSERT_EQ(c.messages.size(), 1u);
  const Message& m = c.messages[0];
  EXPECT_EQ(m.protocol, "dhcpv6");
  EXPECT_EQ(m.kind, "solicit");
  EXPECT_EQ(value(m, "dhcpv6.transaction_id"), "abcdef");
  EXPECT_EQ(value(m, "dhcpv6.client_duid"), "000100012a2b2c2d021122334455");
  EXPECT_EQ(value(m, "dhcpv6.client_mac"), "02:11:22:33:44:55");
  EXPECT_EQ(value(m, "dhcpv6.oro"), "23,24,39");
  EXPECT_EQ(value(m, "dhcpv6.fqdn"), "laptop-6.home");
  EXPECT_EQ(values(m, "dhcpv6.vendor_class", "311"), (std::vector<std::string>{"MSFT 5.0"}));
  EXPECT_EQ(values(m, "dhcpv6.user_class"), (std::vector<std::string>{"lab", "xy"}));
  EXPECT_EQ(values(m, "dhcpv6.vendor_opts", "4491"),
            (std::vector<std::string>{"modem-7", "sn-42"}));
  EXPECT_EQ(value(m, "dhcpv6.ia_addr"), "2001:db8::17");
  EXPECT_EQ(value(m, "dhcpv6.ia_prefix"), "2001:db8:1:100::/56");
  EXPECT_TRUE(c.anomalies.empty());
}

TEST(Dhcpv6, ReplyAndKinds) {
  std::string reply =
      std::string("\x07\0\0\x01", 4) + opt(1, kDuidLlt) + opt(2, kServerDuid) +
      opt(4, be32(9) + opt(5, v6("fd00::9") + be32(1) + be32(2) + opt(13, be16(0) + "ok")));
  Collected c = parse_one(dhcp::v6_parser(), reply);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(c.messages[0].kind, "reply");
  EXPECT_EQ(value(c.messages[0], "dhcpv6.server_duid"), "00030001029988776655");
  EXPECT_EQ(value(c.messages[0], "dhcpv6.ia_addr"), "fd00::9");
  const std::vector<std::string> kinds = {"solicit",
                                          "advertise",
                                          "request",
                                          "confirm",
                                          "renew",
                                          "rebind",
                                          "reply",
                                          "release",
                                          "decline",
                                          "reconfigure",
                                          "information-request"};
  for (size_t t = 1; t <= kinds.size(); ++t) {
    std::string msg = std::string(1, char(t)) + "abc" + opt(8, be16(0));
    Collected k = parse_one(dhcp::v6_parser(), msg);
    ASSERT_EQ(k.messages.size(), 1u);
    EXPECT_EQ(k.messages[0].kind, kinds[t - 1]);
  }
}

std::string relay_forw(const std::string& inner, const std::string& extra = {}) {
  return std::string("\x0c\x00", 2) + v6("2001:db8::1") + v6("fe80::211:22ff:fe33:4455") + extra +
         opt(9, inner);
}

TEST(Dhcpv6, RelayMessagesAreUnwrapped) {
  std::string once =
      relay_forw(solicit(), opt(18, "ge-0/0/1") + opt(37, be32(3561) + "\x02\x11\x22\x33\x44\x55") +
                                opt(38, "sub-9"));
  Collected c = parse_one(dhcp::v6_parser(), relay_forw(once));
  ASSERT_EQ(c.messages.size(), 1u);
  const Message& m = c.messages[0];
  EXPECT_EQ(m.kind, "solicit");
  EXPECT_EQ(values(m, "dhcpv6.relay_peer"),
            (std::vector<std::string>{"fe80::211:22ff:fe33:4455", "fe80::211:22ff:fe33:4455"}));
  EXPECT_EQ(value(m, "dhcpv6.interface_id"), "ge-0/0/1");
  EXPECT_EQ(value(m, "dhcpv6.remote_id", "3561"), "\x02\x11\x22\x33\x44\x55");
  EXPECT_EQ(value(m, "dhcpv6.subscriber_id"), "sub-9");
  EXPECT_EQ(value(m, "dhcpv6.fqdn"), "laptop-6.home");
  EXPECT_TRUE(c.anomalies.empty());
  // A relay reply without a relay message keeps its own kind.
  std::string bare = std::string("\x0d\x00", 2) + v6("::") + v6("fe80::1") + opt(18, "x");
  EXPECT_EQ(parse_one(dhcp::v6_parser(), bare).messages[0].kind, "relay-repl");
}

TEST(Dhcpv6, RelayDepthIsLimited) {
  std::string msg = solicit();
  for (int i = 0; i < dhcp::kMaxRelayDepth; ++i) msg = relay_forw(msg);
  Collected ok = parse_one(dhcp::v6_parser(), msg);
  EXPECT_EQ(ok.messages[0].kind, "solicit");
  EXPECT_TRUE(ok.anomalies.empty());
  Collected deep = parse_one(dhcp::v6_parser(), relay_forw(msg));
  ASSERT_EQ(deep.messages.size(), 1u);
  EXPECT_EQ(deep.messages[0].kind, "relay-forw");
  EXPECT_TRUE(has_anomaly(deep, "dhcpv6.relay-too-deep"));
}

TEST(Dhcpv6, OptionNestingAndCountLimits) {
  // IA_NA > IAADDR > (unknown option containing nothing we read) is fine;
  // IA_NA nested in IA_NA... five deep is refused.
  std::string ia = opt(5, v6("2001:db8::5") + be32(0) + be32(0));
  for (int i = 0; i < 5; ++i) ia = opt(3, be32(1) + be32(0) + be32(0) + ia);
  Collected c = parse_one(dhcp::v6_parser(), std::string("\x01\0\0\0", 4) + ia);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_TRUE(has_anomaly(c, "dhcpv6.too-deep"));
  EXPECT_EQ(value(c.messages[0], "dhcpv6.ia_addr"), "<absent>");
  std::string many = std::string("\x01\0\0\0", 4);
  for (size_t i = 0; i < dhcp::kMaxV6Options + 10; ++i) many += opt(8, be16(0));
  Collected m = parse_one(dhcp::v6_parser(), many + opt(39, std::string("\0\1a", 3)));
  ASSERT_EQ(m.messages.size(), 1u);
  EXPECT_EQ(std::count(m.anomalies.begin(), m.anomalies.end(), "dhcpv6.too-many-options"), 1);
  EXPECT_EQ(value(m.messages[0], "dhcpv6.fqdn"), "<absent>");
}

TEST(Dhcpv6, BadOptionsAreReported) {
  auto one = [](const std::string& o) {
    return parse_one(dhcp::v6_parser(), std::string("\x01\0\0\0", 4) + opt(8, be16(0)) + o);
  };
  EXPECT_TRUE(has_anomaly(one(opt(39, "\x01\x09short")), "dhcpv6.bad-fqdn"));
  EXPECT_TRUE(has_anomaly(one(opt(39, "")), "dhcpv6.bad-fqdn"));
  EXPECT_TRUE(has_anomaly(one(opt(6, std::string("\0\x17\0", 3))), "dhcpv6.bad-option"));
  EXPECT_TRUE(has_anomaly(one(opt(16, be32(9) + be16(5) + "ab")), "dhcpv6.bad-option"));
  EXPECT_TRUE(has_anomaly(one(opt(3, "short")), "dhcpv6.bad-option"));
  EXPECT_TRUE(has_anomaly(one(opt(5, "short")), "dhcpv6.bad-option"));
  // Vendor options whose data has no sub-option structure: kept whole.
  Collected v = one(opt(17, be32(9) + "\x01\x02\x03"));
  EXPECT_EQ(value(v.messages[0], "dhcpv6.vendor_opts", "9"), "\x01\x02\x03");
}

TEST(Dhcpv6, EveryTruncationIsSafe) {
  const std::string whole = relay_forw(solicit());
  Collected first;
  Feeder f(dhcp::v6_parser().make(first), first);
  f.data(Direction::kUp, as_bytes(whole), 1, 1);  // the direction has carried DHCPv6
  ASSERT_EQ(first.messages.size(), 1u);
  for (size_t n = 1; n < whole.size(); ++n) {
    // A fresh session does not take a cut message (options do not end
    // where the datagram does)...
    Collected c = parse_one(dhcp::v6_parser(), whole.substr(0, n));
    EXPECT_TRUE(c.messages.empty()) << n;
    EXPECT_TRUE(has_anomaly(c, "dhcpv6.not-dhcpv6")) << n;
    // ...but once a direction has shown DHCPv6 a cut one is decoded up to
    // the cut, and the cut is reported.
    size_t before = first.messages.size(), reported = first.anomalies.size();
    f.data(Direction::kUp, as_bytes(whole.substr(0, n)), 2, 2);
    EXPECT_EQ(first.messages.size(), before + (n >= 4 ? 1 : 0)) << n;
    EXPECT_GT(first.anomalies.size(), reported) << n;
  }
}

TEST(DhcpProbe, V6ContentFirstPortsBreakTies) {
  const Parser& p = dhcp::v6_parser();
  std::string s = solicit();
  EXPECT_GT(p.probe(Direction::kUp, as_bytes(s), 547), p.probe(Direction::kUp, as_bytes(s), 1234));
  EXPECT_GT(p.probe(Direction::kUp, as_bytes(s), 1234), 0);
  EXPECT_GT(p.probe(Direction::kUp, as_bytes(relay_forw(s)), 547), 0);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(s + "x"), 547), 0);  // options must end exactly
  std::string bad = s;
  bad[0] = 14;  // not a message type 1..13
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(bad), 547), 0);
  bad = std::string("\x01\0\0\0", 4) + opt(300, "x");  // option codes stay below 256
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(bad), 547), 0);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(std::string("\x01\0\0\0", 4)), 547), 0);
  EXPECT_EQ(dhcp::parser().probe(Direction::kUp, as_bytes(s), 67), 0);
}

// ---- chunking harness ----------------------------------------------------------

void expect_same_under_chunking(const Parser& p, const std::vector<Piece>& pieces,
                                size_t expected_messages) {
  Collected whole = run(p, pieces, Chunking::kWhole);
  ASSERT_EQ(whole.messages.size(), expected_messages);
  std::string want = describe(whole.messages);
  EXPECT_EQ(describe(run(p, pieces, Chunking::kByteByByte).messages), want);
  for (uint32_t seed : {1u, 7u, 42u})
    EXPECT_EQ(describe(run(p, pieces, Chunking::kRandom, seed).messages), want);
  // A gap means nothing to a datagram parser: the datagrams around it parse.
  std::vector<Piece> gapped = pieces;
  gapped.insert(gapped.begin() + 1, Piece{Direction::kDown, {}, 100});
  EXPECT_EQ(describe(run(p, gapped, Chunking::kWhole).messages), want);
}

TEST(DhcpChunking, Dora) {
  DhcpMessage offer;
  offer.op = 2;
  offer.yiaddr = IpAddr::parse("192.168.7.20");
  offer.chaddr = kMac;
  offer.options = {{53, "\x02"}, {54, ipv4_bytes(IpAddr::parse("192.168.7.1"))}};
  DhcpMessage request = discover();
  request.options[0].second = "\x03";
  DhcpMessage ack = offer;
  ack.options[0].second = "\x05";
  expect_same_under_chunking(dhcp::parser(),
                             {{Direction::kUp, fixture::dhcp(discover())},
                              {Direction::kDown, fixture::dhcp(offer)},
                              {Direction::kUp, fixture::dhcp(request)},
                              {Direction::kDown, fixture::dhcp(ack)}},
                             4);
}

TEST(DhcpChunking, V6Exchange) {
  std::string advertise =
      std::string("\x02\xab\xcd\xef", 4) + opt(1, kDuidLlt) + opt(2, kServerDuid) +
      opt(3, be32(1) + be32(0) + be32(0) + opt(5, v6("2001:db8::17") + be32(0) + be32(0)));
  expect_same_under_chunking(dhcp::v6_parser(),
                             {{Direction::kUp, solicit()},
                              {Direction::kDown, advertise},
                              {Direction::kUp, relay_forw(solicit())}},
                             3);
}

// ---- Oracle: tshark on every real capture --------------------------------------

// What either side read from one frame.
struct FrameDhcp {
  std::vector<std::string> hostname, vendor_class, fqdn, prl, fqdn6, oro;
  bool operator==(const FrameDhcp&) const = default;
};
using PerFrame = std::map<uint64_t, FrameDhcp>;

std::string show(const FrameDhcp& f) {
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += "[" + x + "]";
    return s;
  };
  return "hostname " + join(f.hostname) + " vendor_class " + join(f.vendor_class) + " fqdn " +
         join(f.fqdn) + " prl " + join(f.prl) + " fqdn6 " + join(f.fqdn6) + " oro " + join(f.oro);
}

struct OracleSink : MessageSink {
  PerFrame frames;
  std::vector<Message> messages;
  void on_message(Message&& m) override {
    messages.push_back(m);
    FrameDhcp& f = frames[m.frame];
    for (const auto& field : m.fields) {
      if (field.name == "dhcp.hostname") f.hostname.push_back(field.value);
      if (field.name == "dhcp.vendor_class") f.vendor_class.push_back(field.value);
      if (field.name == "dhcp.fqdn") f.fqdn.push_back(field.value);
      if (field.name == "dhcp.param_request_list") f.prl.push_back(field.value);
      if (field.name == "dhcpv6.fqdn") f.fqdn6.push_back(field.value);
      if (field.name == "dhcpv6.oro") f.oro.push_back(field.value);
    }
  }
  void on_anomaly(std::string_view) override {}
};

struct Ours {
  PerFrame frames;  // frames with at least one compared field
  std::vector<Message> messages;
  bool pcapng = false;
  // Some UDP datagram uses a port tshark's DHCP dissectors are registered
  // on (67/68/4011, 546/547), or some frame holds the DHCP magic cookie: only
  // then can tshark find DHCP where phonehome found none.
  bool tshark_may_see_dhcp = false;
};

// Every UDP datagram a probe claims goes to a fresh session of that parser.
Ours ours(const std::filesystem::path& file) {
  Ours result;
  OracleSink sink;
  auto src = capture::open_file(file.string());
  EXPECT_TRUE(src) << file;
  if (!src) return result;
  result.pcapng = (*src)->info().format.find("pcapng") != std::string::npos;
  const std::string_view cookie("\x63\x82\x53\x63", 4);
  capture::Packet pkt;
  uint64_t frame = 0;
  Counters anomalies;
  while ((*src)->next(pkt) == capture::ReadStatus::kPacket) {
    ++frame;
    Bytes bytes(pkt.data, pkt.caplen);
    if (!result.tshark_may_see_dhcp && as_string(bytes).find(cookie) != std::string_view::npos)
      result.tshark_may_see_dhcp = true;
    decode::PacketView v;
    if (decode::decode_frame(pkt.linktype, bytes, v, anomalies) != decode::Status::kOk ||
        v.l4proto != 17)
      continue;
    for (uint16_t port : {v.sport, v.dport})
      if (port == 67 || port == 68 || port == 4011 || port == 546 || port == 547)
        result.tshark_may_see_dhcp = true;
    for (const Parser* p : {&dhcp::parser(), &dhcp::v6_parser()}) {
      if (p->probe(Direction::kUp, v.payload, v.dport) == 0) continue;
      p->make(sink)->on_data(Direction::kUp, v.payload, pkt.ts, frame);
      break;
    }
  }
  for (auto& [n, f] : sink.frames)
    if (!(f == FrameDhcp{})) result.frames[n] = f;
  result.messages = std::move(sink.messages);
  return result;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  for (size_t i; (i = s.find(sep, start)) != std::string::npos; start = i + 1)
    out.push_back(s.substr(start, i - start));
  out.push_back(s.substr(start));
  return out;
}

struct Theirs {
  PerFrame frames;
  std::set<uint64_t> icmp_quoted;  // DHCP read from inside an ICMP error
};

// tshark's fields, keyed by phonehome's packet numbering: tshark also counts
// pcapng Custom Blocks as frames (without an interface), phonehome does not.
Theirs theirs(const std::filesystem::path& file, bool pcapng) {
  const char kAgg = '\x1e';  // no name in these captures contains it
  std::string filter = pcapng ? "dhcp or dhcpv6 or !frame.interface_id" : "dhcp or dhcpv6";
  std::string out = ph::test::run_command(
      "tshark -n -r " + ph::test::shell_quote(file.string()) + " -Y " +
      ph::test::shell_quote(filter) +
      " -T fields -E occurrence=a -E aggregator=" + ph::test::shell_quote(std::string(1, kAgg)) +
      " -e frame.number -e frame.interface_id -e icmp.type -e icmpv6.type"
      " -e dhcp.option.hostname -e dhcp.option.vendor_class_id"
      " -e dhcp.fqdn.name -e dhcp.option.request_list_item -e dhcpv6.client_domain"
      " -e dhcpv6.requested_option_code 2>/dev/null");
  Theirs t;
  uint64_t custom_blocks = 0;
  for (const auto& line : ph::test::split_lines(out)) {
    auto cols = split(line, '\t');
    if (cols.size() != 10) continue;
    if (pcapng && cols[1].empty()) {
      ++custom_blocks;
      continue;
    }
    uint64_t frame = std::stoull(cols[0]) - custom_blocks;
    // Lists (request list, option request) are one field here, joined with ','.
    auto list = [&](const std::string& col) {
      std::string joined = col;
      std::replace(joined.begin(), joined.end(), kAgg, ',');
      return joined.empty() ? std::vector<std::string>{} : std::vector<std::string>{joined};
    };
    FrameDhcp f{split(cols[4], kAgg), split(cols[5], kAgg), split(cols[6], kAgg),
                list(cols[7]),        split(cols[8], kAgg), list(cols[9])};
    if (f == FrameDhcp{}) continue;
    t.frames[frame] = f;
    if (!cols[2].empty() || !cols[3].empty()) t.icmp_quoted.insert(frame);
  }
  return t;
}

// Differences on purpose: per capture file, how many frames differ, and why.
const ph::test::ExplainedTable& explained() {
  static const char* kIcmp =
      "a DHCP reply quoted inside an ICMP destination-unreachable error: tshark dissects the "
      "quoted datagram, phonehome does not treat an ICMP error's quote as traffic (it was "
      "never delivered)";
  static const ph::test::ExplainedTable kTable = {
      {"L07_iot_hue_bridge_mac_eui64_phone_model.pcap", {1, kIcmp}},
      {"B01_iot_sentinel_setupA_merged.pcap", {5, kIcmp}},
  };
  return kTable;
}

class DhcpOracle : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(DhcpOracle, NamesVendorClassesAndRequestListsMatchTshark) {
  PH_REQUIRE_SHARED_CAPTURES();
  PH_REQUIRE_TSHARK();
  const auto& file = GetParam();
  Ours mine = ours(file);
  if (!mine.tshark_may_see_dhcp) {
    // Nothing on a DHCP port and no magic cookie anywhere: tshark's DHCP
    // dissectors (registered on those ports) have nothing to read either,
    // so the ~1 s tshark run is spared.
    EXPECT_TRUE(mine.frames.empty());
    return;
  }
  Theirs want = theirs(file, mine.pcapng);
  std::vector<std::string> diffs;
  size_t icmp_diffs = 0;
  for (const auto& [frame, f] : want.frames) {
    auto it = mine.frames.find(frame);
    FrameDhcp got = it == mine.frames.end() ? FrameDhcp{} : it->second;
    if (got == f) continue;
    bool quoted = want.icmp_quoted.count(frame) > 0;
    icmp_diffs += quoted && got == FrameDhcp{};
    diffs.push_back("frame " + std::to_string(frame) + (quoted ? " (in an ICMP error)" : "") +
                    ": phonehome " + show(got) + "; tshark " + show(f));
  }
  for (const auto& [frame, f] : mine.frames)
    if (!want.frames.count(frame))
      diffs.push_back("frame " + std::to_string(frame) + ": phonehome " + show(f) +
                      "; tshark nothing");
  ph::test::expect_explained(file, diffs, explained(), "frames");
  // The explained differences are exactly the ICMP-quoted ones.
  EXPECT_EQ(icmp_diffs, diffs.size());
  if (file.filename() == "L01_android_1kxun_adids.pcap") {
    ASSERT_TRUE(mine.frames.count(706));
    EXPECT_EQ(mine.frames[706].hostname, std::vector<std::string>{"android-f7ca0f571270c52d"});
  }
  if (file.filename() == "P58_dhcp_opt82_subscriber_id.pcap") {
    // Option 82 as MANIFEST.md and `tshark -O dhcp` show it.
    ASSERT_EQ(mine.messages.size(), 1u);
    EXPECT_EQ(mine.messages[0].kind, "ack");
    EXPECT_EQ(value(mine.messages[0], "dhcp.relay_agent", "subscriber_id"), "-subID-");
    EXPECT_EQ(value(mine.messages[0], "dhcp.relay_agent", "circuit_id"), "this is only a test...");
    EXPECT_EQ(value(mine.messages[0], "dhcp.relay_agent", "remote_id"), "\x13");
    EXPECT_EQ(value(mine.messages[0], "dhcp.chaddr"), "00:0a:28:00:fa:42");
  }
  if (file.filename() == "L21_android_dhcp_hostname_androidid.pcapng") {
    ASSERT_TRUE(mine.frames.count(7));
    EXPECT_EQ(mine.frames[7].hostname, std::vector<std::string>{"android-1c1335ec95a27318"});
  }
}

INSTANTIATE_TEST_SUITE_P(RealCaptures, DhcpOracle,
                         ::testing::ValuesIn(ph::test::real_capture_files(
                             {"leak", "proto", "malformed", "bench", "fp", "pcapng-conformance"})),
                         ph::test::capture_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DhcpOracle);

}  // namespace
}  // namespace ph::proto::test
