// Destination naming through the Engine: SNI beats Host beats the DNS name
// the same device resolved before the flow began (CNAME chains followed,
// IPv6 too); another device's answers, later answers and mDNS never name a
// flow. Also the raw payload of unrecognised flows and what they look like.
#include <gtest/gtest.h>
#include <netinet/in.h>

#include "capture/memory.h"
#include "fixture/builder.h"
#include "fixture/payloads.h"
#include "pipeline/engine.h"

namespace ph {
namespace {

using fixture::Frame;
using fixture::L2;

const MacAddr kPhone{{0x02, 0x11, 0x22, 0x33, 0x44, 0x01}};
const MacAddr kLaptop{{0x02, 0x11, 0x22, 0x33, 0x44, 0x02}};
const MacAddr kRouter{{0x02, 0x11, 0x22, 0x33, 0x44, 0xfe}};
const IpAddr kPhoneIp = IpAddr::parse("192.168.7.10");
const IpAddr kLaptopIp = IpAddr::parse("192.168.7.11");
const IpAddr kResolver = IpAddr::parse("192.168.7.1");

class Capture {
 public:
  void add(const Frame& f) { records_.push_back({ts_ += kNsPerSec / 10, f, 0, 0}); }
  void dns(const MacAddr& mac, const IpAddr& ip, uint16_t port, const std::string& query,
           const std::string& response) {
    IpAddr resolver = ip.version == 6 ? IpAddr::parse("fd00::1") : kResolver;
    add(fixture::ethernet({mac, kRouter, {}}, fixture::udp_segment(ip, resolver, port, 53, query)));
    add(fixture::ethernet({kRouter, mac, {}},
                          fixture::udp_segment(resolver, ip, 53, port, response)));
  }
  // A short TCP exchange whose payloads no parser knows (unless given).
  void tcp(const MacAddr& mac, const IpAddr& ip, uint16_t cport, const IpAddr& server,
           uint16_t sport, std::string_view up = "hello there\r\n",
           std::string_view down = "welcome\r\n") {
    fixture::TcpConversation c({mac, kRouter, {}}, ip, cport, server, sport);
    for (fixture::Frame& f : c.exchange(up, down)) add(std::move(f));
  }
  Report scan() const {
    std::vector<uint8_t> pcap = fixture::write_pcap(records_, {});
    auto src = capture::open_memory(Bytes(pcap), "names.pcap");
    EXPECT_TRUE(src.ok());
    Engine engine{EngineOptions{}};
    engine.run(**src);
    return engine.finish();
  }

 private:
  std::vector<fixture::Record> records_;
  Timestamp ts_ = 1'600'000'000 * kNsPerSec;
};

const FlowRecord* flow_to(const Report& r, const IpAddr& server, uint16_t port, uint16_t src_port) {
  for (const auto& f : r.flows)
    if (f.dst.ip == server && f.dst.port == port && f.src_port == src_port) return &f;
  return nullptr;
}

TEST(DestinationNames, DnsNameOfTheSameDeviceNamesALaterFlow) {
  const IpAddr server = IpAddr::parse("198.51.100.7");
  Capture c;
  c.dns(kPhone, kPhoneIp, 40000, fixture::dns_query(1, "api.vendor.example"),
        fixture::dns_answer_a(1, "api.vendor.example", {server}));
  c.tcp(kPhone, kPhoneIp, 50000, server, 8080);
  c.tcp(kLaptop, kLaptopIp, 50001, server, 8080);  // never asked: no name
  Report r = c.scan();
  const FlowRecord* phone = flow_to(r, server, 8080, 50000);
  const FlowRecord* laptop = flow_to(r, server, 8080, 50001);
  ASSERT_NE(phone, nullptr);
  ASSERT_NE(laptop, nullptr);
  EXPECT_EQ(phone->dst.host, "api.vendor.example");
  EXPECT_EQ(laptop->dst.host, "") << "another device's DNS answer must not name this flow";
  EXPECT_EQ(phone->app, "unknown");
}

TEST(DestinationNames, AnAnswerAfterTheFlowBeganDoesNotNameIt) {
  const IpAddr server = IpAddr::parse("198.51.100.8");
  Capture c;
  c.tcp(kPhone, kPhoneIp, 50002, server, 8080);
  c.dns(kPhone, kPhoneIp, 40001, fixture::dns_query(2, "late.example"),
        fixture::dns_answer_a(2, "late.example", {server}));
  c.tcp(kPhone, kPhoneIp, 50003, server, 8080);
  Report r = c.scan();
  EXPECT_EQ(flow_to(r, server, 8080, 50002)->dst.host, "");
  EXPECT_EQ(flow_to(r, server, 8080, 50003)->dst.host, "late.example");
}

TEST(DestinationNames, CnameChainGivesTheNameTheDeviceAskedFor) {
  const IpAddr server = IpAddr::parse("198.51.100.9");
  Capture c;
  c.dns(kPhone, kPhoneIp, 40002, fixture::dns_query(3, "telemetry.oem.example"),
        fixture::dns_answer_chain(3, "telemetry.oem.example",
                                  {"oem.cdn.example", "edge7.cdn.example"}, {server}));
  c.tcp(kPhone, kPhoneIp, 50004, server, 8080);
  Report r = c.scan();
  EXPECT_EQ(flow_to(r, server, 8080, 50004)->dst.host, "telemetry.oem.example");
}

TEST(DestinationNames, Ipv6AnswersNameIpv6Flows) {
  const IpAddr phone6 = IpAddr::parse("fd00::10");
  const IpAddr server = IpAddr::parse("2001:db8::77");
  Capture c;
  c.dns(kPhone, phone6, 40003, fixture::dns_query(4, "v6.vendor.example", 28),
        fixture::dns_answer_chain(4, "v6.vendor.example", {}, {server}));
  c.tcp(kPhone, phone6, 50005, server, 8080);
  Report r = c.scan();
  EXPECT_EQ(flow_to(r, server, 8080, 50005)->dst.host, "v6.vendor.example");
}

TEST(DestinationNames, SniBeatsHostBeatsDns) {
  const IpAddr tls_server = IpAddr::parse("198.51.100.10");
  const IpAddr http_server = IpAddr::parse("198.51.100.11");
  Capture c;
  c.dns(kPhone, kPhoneIp, 40004, fixture::dns_query(5, "dns-name.example"),
        fixture::dns_answer_a(5, "dns-name.example", {tls_server, http_server}));
  fixture::Prng rng(11);
  c.tcp(kPhone, kPhoneIp, 50006, tls_server, 443,
        fixture::tls_client_hello("sni-name.example", {"h2"}, rng), "");
  c.tcp(kPhone, kPhoneIp, 50007, http_server, 80,
        "GET / HTTP/1.1\r\nHost: host-name.example\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n");
  Report r = c.scan();
  EXPECT_EQ(flow_to(r, tls_server, 443, 50006)->dst.host, "sni-name.example");
  EXPECT_EQ(flow_to(r, http_server, 80, 50007)->dst.host, "host-name.example");
}

TEST(DestinationNames, MulticastDnsAnswersNameNothing) {
  const IpAddr announced = IpAddr::parse("192.168.7.50");
  Capture c;
  // A printer announcing itself on mDNS: to every listener, not a lookup
  // by the phone.
  std::string answer = fixture::dns_answer_a(0, "printer.local", {announced});
  c.add(fixture::ethernet(
      {kRouter, MacAddr{{0x01, 0x00, 0x5e, 0, 0, 0xfb}}, {}},
      fixture::udp_segment(kResolver, IpAddr::parse("224.0.0.251"), 5353, 5353, answer)));
  c.tcp(kPhone, kPhoneIp, 50008, announced, 8080);
  Report r = c.scan();
  EXPECT_EQ(flow_to(r, announced, 8080, 50008)->dst.host, "");
  EXPECT_EQ(r.stats.messages.get("dns.response"), 1u);
}

TEST(RawPayload, UnrecognisedFlowsLeaveTheirFirstBytesAsRawMessages) {
  Capture c;
  const IpAddr server = IpAddr::parse("198.51.100.12");
  c.tcp(kPhone, kPhoneIp, 50009, server, 7000, "smart_config 0211223344AA\r\n", "ok\r\n");
  fixture::Prng rng(5);
  std::string noise = rng.bytes(300);
  c.add(fixture::ethernet({kPhone, kRouter, {}},
                          fixture::udp_segment(kPhoneIp, server, 41000, 49999, noise)));
  Report r = c.scan();
  const FlowRecord* text = flow_to(r, server, 7000, 50009);
  const FlowRecord* random = flow_to(r, server, 49999, 41000);
  ASSERT_NE(text, nullptr);
  ASSERT_NE(random, nullptr);
  EXPECT_EQ(text->app, "unknown");
  EXPECT_EQ(text->looks_like, "text");
  EXPECT_FALSE(text->encrypted.has_value());
  EXPECT_EQ(random->looks_like, "random");
  EXPECT_EQ(r.stats.messages.get("raw.stream"), 2u) << "one per direction";
  EXPECT_EQ(r.stats.messages.get("raw.datagram"), 1u);
}

TEST(Eapol, FramesWithoutIpAreParsedPerSupplicant) {
  // EAPOL-Start from the phone to the PAE group address, the AP's identity
  // request, the phone's EAP-SIM identity response (a generated IMSI NAI).
  const MacAddr pae{{0x01, 0x80, 0xc2, 0, 0, 3}};
  auto eapol = [](uint8_t type, const std::string& body) {
    std::string f = {char(2), char(type), char(body.size() >> 8), char(body.size() & 0xff)};
    return f + body;
  };
  auto eap = [](uint8_t code, uint8_t id, uint8_t type, const std::string& data) {
    uint16_t len = uint16_t(5 + data.size());
    std::string e = {char(code), char(id), char(len >> 8), char(len & 0xff), char(type)};
    return e + data;
  };
  auto frame = [](const MacAddr& src, const MacAddr& dst, const std::string& payload) {
    return fixture::ethernet({src, dst, {}}, 0x888e,
                             std::vector<uint8_t>(payload.begin(), payload.end()));
  };
  Capture c;
  c.add(frame(kPhone, pae, eapol(1, "")));
  c.add(frame(kRouter, kPhone, eapol(0, eap(1, 1, 1, ""))));
  c.add(frame(kRouter, kLaptop, eapol(0, eap(1, 7, 1, ""))));  // another station
  c.add(frame(kPhone, kRouter,
              eapol(0, eap(2, 1, 1, "1242017700000001@wlan.mnc001.mcc242.3gppnetwork.org"))));
  Report r = c.scan();
  EXPECT_EQ(r.stats.messages.get("eapol.start"), 1u);
  EXPECT_EQ(r.stats.messages.get("eapol.request"), 2u);
  EXPECT_EQ(r.stats.messages.get("eapol.response"), 1u);
  EXPECT_EQ(r.stats.other_packets, 4u);
  EXPECT_TRUE(r.flows.empty()) << "EAPOL has no flow record";
}

}  // namespace
}  // namespace ph
