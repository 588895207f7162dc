// Device identity through the Engine, one source at a time, on captures
// made by the fixture library: DHCP (host name, vendor class, client id,
// lease; the client named by chaddr, also through a relay), DHCPv6, mDNS,
// SSDP, HTTP User-Agents, TLS JA4, ARP and NDP address tracking, OUI
// vendors from the installed registry, randomized MACs, identifiers in
// names masked unless --reveal; and the timeline (contacts, periodicity).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "capture/memory.h"
#include "fixture/builder.h"
#include "fixture/demo.h"
#include "fixture/heartbeat.h"
#include "fixture/payloads.h"
#include "pipeline/engine.h"
#include "proto/tls/client_hello.h"
#include "report/report.h"
#include "support/support.h"

namespace ph {
namespace {

using fixture::Frame;
using fixture::L2;

const MacAddr kPhone{{0x02, 0x7e, 0x10, 0x00, 0x00, 0x01}};
const MacAddr kLaptop{{0x02, 0x7e, 0x10, 0x00, 0x00, 0x02}};
const MacAddr kRouter{{0x02, 0x7e, 0x10, 0x00, 0x00, 0xfe}};
const MacAddr kRelay{{0x02, 0x7e, 0x10, 0x00, 0x00, 0xfd}};
const MacAddr kBroadcast{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
const IpAddr kPhoneIp = IpAddr::parse("192.168.7.10");
const IpAddr kLaptopIp = IpAddr::parse("192.168.7.11");
const IpAddr kRouterIp = IpAddr::parse("192.168.7.1");
const IpAddr kServer = IpAddr::parse("198.51.100.20");
constexpr Timestamp kT0 = 1'650'000'000 * kNsPerSec;

MacAddr multicast_mac(const IpAddr& group) {
  if (group.version == 6)
    return MacAddr{{0x33, 0x33, group.b[12], group.b[13], group.b[14], group.b[15]}};
  return MacAddr{{0x01, 0x00, 0x5e, uint8_t(group.b[1] & 0x7f), group.b[2], group.b[3]}};
}

class Capture {
 public:
  Timestamp now = kT0;
  void add(const Frame& f) { records_.push_back({now += kNsPerSec / 10, f, 0, 0}); }
  void udp(const MacAddr& src_mac, const MacAddr& dst_mac, const IpAddr& src, const IpAddr& dst,
           uint16_t sport, uint16_t dport, std::string_view payload) {
    add(fixture::ethernet({src_mac, dst_mac, {}},
                          fixture::udp_segment(src, dst, sport, dport, payload)));
  }
  // A TCP connection that sends `request` and gets `response`.
  void tcp(const MacAddr& mac, const IpAddr& ip, uint16_t cport, const IpAddr& server,
           uint16_t sport, std::string_view request,
           std::string_view response = "HTTP/1.1 204 No Content\r\n\r\n") {
    fixture::TcpConversation c({mac, kRouter, {}}, ip, cport, server, sport);
    for (fixture::Frame& f : c.exchange(request, response)) add(std::move(f));
  }
  void http_get(const MacAddr& mac, const IpAddr& ip, uint16_t cport, std::string_view host,
                std::string_view user_agent) {
    tcp(mac, ip, cport, kServer, 80,
        "GET / HTTP/1.1\r\nHost: " + std::string(host) +
            "\r\nUser-Agent: " + std::string(user_agent) + "\r\n\r\n");
  }
  Report scan(EngineOptions options = {}) const;

 private:
  std::vector<fixture::Record> records_;
};

Report scan_pcap(const std::vector<uint8_t>& pcap, EngineOptions options = {}) {
  auto src = capture::open_memory(Bytes(pcap), "devices.pcap");
  EXPECT_TRUE(src.ok());
  Engine engine{std::move(options)};
  if (src.ok()) engine.run(**src);
  return engine.finish();
}

Report Capture::scan(EngineOptions options) const {
  return scan_pcap(fixture::write_pcap(records_, {}), std::move(options));
}

const DeviceRecord* device_of(const Report& r, const MacAddr& mac) {
  for (const auto& d : r.devices)
    if (d.mac && *d.mac == mac) return &d;
  return nullptr;
}

std::vector<std::string> texts(const std::vector<IdentityText>& list) {
  std::vector<std::string> out;
  for (const auto& t : list) out.push_back(t.text);
  return out;
}

const IpSighting* sighting(const DeviceRecord& d, const IpAddr& ip) {
  for (const auto& s : d.ip_history)
    if (s.ip == ip) return &s;
  return nullptr;
}

std::string client_id_of(const MacAddr& mac) {
  return std::string(1, '\1') + std::string(reinterpret_cast<const char*>(mac.b.data()), 6);
}

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

void dhcp_client(Capture& c, const MacAddr& mac, uint8_t type, const std::string& hostname,
                 const std::string& vendor_class) {
  fixture::DhcpMessage m;
  m.xid = 0x1234;
  m.chaddr = mac;
  m.options = {{53, std::string(1, char(type))},
               {61, client_id_of(mac)},
               {60, vendor_class},
               {12, hostname}};
  c.udp(mac, kBroadcast, IpAddr::parse("0.0.0.0"), IpAddr::parse("255.255.255.255"), 68, 67,
        fixture::dhcp(m));
}

void dhcp_ack(Capture& c, const MacAddr& mac, const IpAddr& yiaddr, const std::string& name) {
  fixture::DhcpMessage m;
  m.op = 2;
  m.xid = 0x1234;
  m.chaddr = mac;
  m.yiaddr = yiaddr;
  m.options = {{53, std::string(1, '\5')}, {54, fixture::ipv4_bytes(kRouterIp)}, {12, name}};
  c.udp(kRouter, mac, kRouterIp, yiaddr, 67, 68, fixture::dhcp(m));
}

TEST(DeviceIdentity, DhcpGivesHostNameVendorClassClientIdAndLease) {
  Capture c;
  dhcp_client(c, kPhone, 1, "Pixel-7a", "android-dhcp-13");
  dhcp_client(c, kPhone, 3, "Pixel-7a", "android-dhcp-13");
  dhcp_ack(c, kPhone, kPhoneIp, "name-the-server-chose");
  c.tcp(kPhone, kPhoneIp, 40000, kServer, 8080, "hello\r\n", "");
  Report r = c.scan();
  const DeviceRecord* d = device_of(r, kPhone);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->hostname.text, "Pixel-7a") << "the client's name, not the server's";
  EXPECT_EQ(d->dhcp_vendor_class.text, "android-dhcp-13");
  EXPECT_EQ(d->dhcp_client_id, hex(client_id_of(kPhone)));
  EXPECT_EQ(texts(d->names), std::vector<std::string>{"Pixel-7a"});
  EXPECT_EQ(d->ips, std::vector<IpAddr>{kPhoneIp});
  const IpSighting* s = sighting(*d, kPhoneIp);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->sources, kIpFromDhcp | kIpFromFlow);
  EXPECT_LT(s->first_seen, s->last_seen);
  EXPECT_EQ(r.devices.size(), 1u) << "the DHCP server answering is no device of its own";
}

TEST(DeviceIdentity, DhcpThroughARelayNamesTheClientNotTheRelay) {
  Capture c;
  fixture::DhcpMessage m;
  m.xid = 7;
  m.chaddr = kPhone;
  m.giaddr = IpAddr::parse("10.9.0.1");
  m.options = {{53, std::string(1, '\3')}, {12, "relayed-phone"}};
  // The relay (its own MAC and address) forwards the phone's request.
  c.udp(kRelay, kRouter, IpAddr::parse("10.9.0.1"), IpAddr::parse("10.9.0.2"), 67, 67,
        fixture::dhcp(m));
  c.tcp(kPhone, kPhoneIp, 40001, kServer, 8080, "hello\r\n", "");
  Report r = c.scan();
  const DeviceRecord* phone = device_of(r, kPhone);
  const DeviceRecord* relay = device_of(r, kRelay);
  ASSERT_NE(phone, nullptr);
  ASSERT_NE(relay, nullptr);
  EXPECT_EQ(phone->hostname.text, "relayed-phone");
  EXPECT_EQ(relay->hostname.text, "");
}

TEST(DeviceIdentity, Dhcpv6SolicitAndReply) {
  const IpAddr phone_ll = IpAddr::parse("fe80::7e:1");
  const IpAddr router_ll = IpAddr::parse("fe80::1");
  const IpAddr leased = IpAddr::parse("2001:db8:7::10");
  const IpAddr all_servers = IpAddr::parse("ff02::1:2");
  Capture c;
  fixture::Dhcpv6Message solicit;
  solicit.type = 1;
  solicit.xid = 0xabcdef;
  solicit.client_duid_ll = kPhone;
  solicit.fqdn = "phone6.home.example";
  solicit.vendor_class = {{311, "MSFT 5.0"}};
  c.udp(kPhone, multicast_mac(all_servers), phone_ll, all_servers, 546, 547,
        fixture::dhcpv6(solicit));
  fixture::Dhcpv6Message reply;
  reply.type = 7;
  reply.xid = 0xabcdef;
  reply.ia_addresses = {leased};
  c.udp(kRouter, kPhone, router_ll, phone_ll, 547, 546, fixture::dhcpv6(reply));
  c.tcp(kPhone, leased, 40002, IpAddr::parse("2001:db8:99::1"), 443, "hello\r\n", "");
  Report r = c.scan();
  const DeviceRecord* d = device_of(r, kPhone);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->hostname.text, "phone6.home.example");
  EXPECT_EQ(d->dhcp_vendor_class.text, "MSFT 5.0");
  EXPECT_EQ(d->dhcp_client_id,
            "00030001" + hex(std::string_view(reinterpret_cast<const char*>(kPhone.b.data()), 6)));
  const IpSighting* s = sighting(*d, leased);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->sources, kIpFromDhcp | kIpFromFlow);
  ASSERT_NE(sighting(*d, phone_ll), nullptr) << "the Solicit's source";
  for (const auto& x : r.devices)
    for (const auto& ip : x.ips) EXPECT_NE(ip, all_servers) << "a multicast group is no device";
  EXPECT_EQ(device_of(r, kRouter), nullptr) << "the server's Reply makes no device of it";
}

TEST(DeviceIdentity, MdnsResponseNamesItsSenderOnly) {
  const IpAddr group = IpAddr::parse("224.0.0.251");
  Capture c;
  // The laptop asks; the phone answers for itself.
  c.udp(kLaptop, multicast_mac(group), kLaptopIp, group, 5353, 5353,
        fixture::dns_query(0, "_googlecast._tcp.local", 12));
  fixture::MdnsAnnouncement a;
  a.host = "Living-Room-TV.local";
  a.addresses = {kPhoneIp, IpAddr::parse("fe80::7e:1")};
  a.service = "_googlecast._tcp.local";
  a.instance = "Living Room TV";
  a.txt = {"md=Chromecast Ultra", "fn=Living Room TV", "ve=05"};
  c.udp(kPhone, multicast_mac(group), kPhoneIp, group, 5353, 5353, fixture::mdns_response(a));
  Report r = c.scan();
  const DeviceRecord* tv = device_of(r, kPhone);
  const DeviceRecord* laptop = device_of(r, kLaptop);
  ASSERT_NE(tv, nullptr);
  ASSERT_NE(laptop, nullptr);
  EXPECT_EQ(tv->hostname.text, "Living-Room-TV");
  EXPECT_EQ(texts(tv->names), (std::vector<std::string>{"Living-Room-TV", "Living Room TV"}));
  EXPECT_EQ(texts(tv->models), std::vector<std::string>{"Chromecast Ultra"});
  const IpSighting* v6 = sighting(*tv, IpAddr::parse("fe80::7e:1"));
  ASSERT_NE(v6, nullptr);
  EXPECT_EQ(v6->sources, kIpFromMdns);
  EXPECT_EQ(sighting(*tv, kPhoneIp)->sources, kIpFromMdns | kIpFromFlow);
  EXPECT_TRUE(laptop->names.empty());
  EXPECT_TRUE(laptop->models.empty());
}

TEST(DeviceIdentity, SsdpServerOfAnnouncementsAndUserAgentOfSearches) {
  const IpAddr group = IpAddr::parse("239.255.255.250");
  Capture c;
  c.udp(kPhone, multicast_mac(group), kPhoneIp, group, 1900, 1900,
        fixture::ssdp_notify("Linux/4.9 UPnP/1.0 CameraOS/2.3",
                             "4d696e69-0000-1000-8000-02ab0000aa01",
                             "http://192.168.7.10:49152/desc.xml"));
  c.udp(kLaptop, multicast_mac(group), kLaptopIp, group, 50123, 1900,
        fixture::ssdp_msearch("Windows/10.0 UPnP/1.1 Explorer/1.0"));
  Report r = c.scan();
  const DeviceRecord* camera = device_of(r, kPhone);
  const DeviceRecord* laptop = device_of(r, kLaptop);
  ASSERT_NE(camera, nullptr);
  ASSERT_NE(laptop, nullptr);
  EXPECT_EQ(texts(camera->ssdp_servers),
            std::vector<std::string>{"Linux/4.9 UPnP/1.0 CameraOS/2.3"});
  EXPECT_TRUE(camera->user_agents.empty());
  EXPECT_EQ(texts(laptop->user_agents),
            std::vector<std::string>{"Windows/10.0 UPnP/1.1 Explorer/1.0"});
  EXPECT_TRUE(laptop->ssdp_servers.empty());
}

TEST(DeviceIdentity, UserAgentsAreDistinctAndCapped) {
  Capture c;
  for (int i = 0; i < 20; ++i) {
    const std::string ua = "Agent/" + std::to_string(i);
    c.http_get(kPhone, kPhoneIp, uint16_t(41000 + 2 * i), "a.example", ua);
    c.http_get(kPhone, kPhoneIp, uint16_t(41001 + 2 * i), "a.example", ua);  // repeated
  }
  Report r = c.scan();
  const DeviceRecord* d = device_of(r, kPhone);
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(d->user_agents.size(), IdentityCollector::kMaxStrings);
  EXPECT_EQ(d->user_agents.front().text, "Agent/0");
  EXPECT_EQ(d->user_agents.back().text, "Agent/15");
  EXPECT_EQ(d->user_agents_more, 4u);
}

TEST(DeviceIdentity, ServersUserAgentsAreNotTheClients) {
  Capture c;
  c.tcp(kPhone, kPhoneIp, 41100, kServer, 80, "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n",
        "HTTP/1.1 200 OK\r\nServer: nginx\r\nUser-Agent: odd-server\r\nContent-Length: 0\r\n\r\n");
  Report r = c.scan();
  ASSERT_NE(device_of(r, kPhone), nullptr);
  EXPECT_TRUE(device_of(r, kPhone)->user_agents.empty());
}

TEST(DeviceIdentity, Ja4OfTheClientHello) {
  fixture::Prng rng(11);
  const std::string hello = fixture::tls_client_hello("api.vendor.example", {"h2"}, rng);
  // The expected fingerprint, from the TLS module's own reading of the hello.
  proto::tls::ClientHello ch;
  ASSERT_TRUE(proto::tls::parse_client_hello(as_bytes(hello).subspan(9), ch));
  const std::string expected = proto::tls::ja4(ch, 't');
  Capture c;
  c.tcp(kPhone, kPhoneIp, 41200, kServer, 443, hello, "");
  c.tcp(kPhone, kPhoneIp, 41201, kServer, 443, hello, "");
  Report r = c.scan();
  const DeviceRecord* d = device_of(r, kPhone);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->ja4, std::vector<std::string>{expected});
  EXPECT_EQ(d->ja4_more, 0u);
  EXPECT_EQ(expected.substr(0, 4), "t13d") << expected;
}

TEST(DeviceIdentity, ArpAndNdpTrackAddresses) {
  const IpAddr old_ip = IpAddr::parse("192.168.7.99");
  const IpAddr phone_ll = IpAddr::parse("fe80::7e:1");
  const IpAddr phone_global = IpAddr::parse("2001:db8:7::77");
  Capture c;
  // Before its first flow: an ARP probe (no address yet), then a
  // gratuitous ARP for its old address and an NDP advertisement.
  c.add(fixture::ethernet({kPhone, kBroadcast, {}}, 0x0806,
                          fixture::arp_packet(1, kPhone, IpAddr::parse("0.0.0.0"), MacAddr{},
                                              IpAddr::parse("192.168.7.55"))));
  const Timestamp first_arp = c.now;
  c.add(fixture::ethernet({kPhone, kBroadcast, {}}, 0x0806,
                          fixture::arp_packet(1, kPhone, old_ip, MacAddr{}, old_ip)));
  c.add(fixture::ethernet(
      {kPhone, multicast_mac(IpAddr::parse("ff02::1")), {}},
      fixture::ndp_advertisement(phone_ll, IpAddr::parse("ff02::1"), phone_global, kPhone)));
  c.add(fixture::ethernet({kPhone, multicast_mac(IpAddr::parse("ff02::1:ff00:1")), {}},
                          fixture::ndp_solicitation(phone_ll, IpAddr::parse("fe80::1"), kPhone)));
  // The router answers ARP for itself: its address is its own, not the phone's.
  c.add(fixture::ethernet({kRouter, kPhone, {}}, 0x0806,
                          fixture::arp_packet(2, kRouter, kRouterIp, kPhone, old_ip)));
  // A host that only ever ARPs is no device.
  c.add(fixture::ethernet({kLaptop, kBroadcast, {}}, 0x0806,
                          fixture::arp_packet(1, kLaptop, kLaptopIp, MacAddr{}, kRouterIp)));
  c.now += 10 * kNsPerSec;
  c.tcp(kPhone, kPhoneIp, 41300, kServer, 8080, "hello\r\n", "");
  Report r = c.scan();
  ASSERT_EQ(r.devices.size(), 1u);
  const DeviceRecord& d = r.devices[0];
  ASSERT_EQ(d.mac, kPhone);
  std::vector<IpAddr> want = {old_ip, kPhoneIp, phone_global, phone_ll};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(d.ips, want);
  EXPECT_EQ(sighting(d, old_ip)->sources, kIpFromArp);
  EXPECT_EQ(sighting(d, phone_global)->sources, kIpFromNdp);
  EXPECT_EQ(sighting(d, phone_ll)->sources, kIpFromNdp);
  EXPECT_EQ(sighting(d, kPhoneIp)->sources, kIpFromFlow);
  EXPECT_EQ(sighting(d, IpAddr::parse("192.168.7.55")), nullptr)
      << "a probe's target is not its own";
  EXPECT_EQ(sighting(d, kRouterIp), nullptr);
  // Its first packet was the ARP probe: first_seen says so.
  EXPECT_EQ(d.first_seen, first_arp);
  EXPECT_EQ(d.ip_history.front().ip, old_ip) << "in order of first sighting";
}

TEST(DeviceIdentity, AFullAddressListStillWidensTheAddressesItHolds) {
  // One MAC behind more source addresses than a device keeps: past the
  // cap new addresses are counted as drops, while flows from addresses it
  // holds still widen their sightings (the engine looks them up in a set
  // once the list is full).
  constexpr size_t kCap = IdentityCollector::kMaxAddresses;
  auto ip_n = [](size_t i) {
    return IpAddr::parse("10.9." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1));
  };
  Capture c;
  for (size_t i = 0; i < kCap + 6; ++i)
    c.udp(kPhone, kRouter, ip_n(i), kServer, uint16_t(40000 + i), 9999, "x");
  c.now += 5 * kNsPerSec;
  c.udp(kPhone, kRouter, ip_n(3), kServer, 50003, 9999, "x");  // held: widened
  const Timestamp last = c.now;
  c.udp(kPhone, kRouter, ip_n(kCap + 100), kServer, 50004, 9999, "x");  // new: dropped
  Report r = c.scan();
  ASSERT_EQ(r.devices.size(), 1u);
  const DeviceRecord& d = r.devices[0];
  EXPECT_EQ(d.flows, kCap + 8);
  EXPECT_EQ(d.ip_history.size(), kCap);
  ASSERT_NE(sighting(d, ip_n(3)), nullptr);
  EXPECT_EQ(sighting(d, ip_n(3))->last_seen, last);
  EXPECT_LT(sighting(d, ip_n(3))->first_seen, last);
  EXPECT_NE(sighting(d, ip_n(kCap - 1)), nullptr);
  EXPECT_EQ(sighting(d, ip_n(kCap)), nullptr);
  EXPECT_EQ(sighting(d, ip_n(kCap + 100)), nullptr);
  EXPECT_EQ(r.stats.drops.get("device.addresses"), 7u);
}

TEST(DeviceIdentity, VendorFromTheInstalledRegistry) {
  PH_REQUIRE_IEEE_DATA();
  test::IeeeEntry e = test::ieee_first_entry("oui.csv");
  ASSERT_EQ(e.assignment.size(), 6u);
  MacAddr mac{{uint8_t(std::stoul(e.assignment.substr(0, 2), nullptr, 16)),
               uint8_t(std::stoul(e.assignment.substr(2, 2), nullptr, 16)),
               uint8_t(std::stoul(e.assignment.substr(4, 2), nullptr, 16)), 0x12, 0x34, 0x56}};
  ASSERT_FALSE(mac.is_locally_administered() || mac.is_multicast()) << e.assignment;
  Capture c;
  c.tcp(mac, kPhoneIp, 41400, kServer, 8080, "hello\r\n", "");
  c.tcp(kLaptop, kLaptopIp, 41401, kServer, 8080, "hello\r\n", "");
  Report r = c.scan();
  ASSERT_NE(device_of(r, mac), nullptr);
  EXPECT_EQ(device_of(r, mac)->vendor, e.organization);
  EXPECT_EQ(device_of(r, kLaptop)->vendor, "") << "locally administered";
  EXPECT_TRUE(r.warnings.empty());
}

TEST(DeviceIdentity, TheDemoPhoneIsNamedByItsOwnMessages) {
  Report r = scan_pcap(fixture::demo_pcap());
  const fixture::DemoIdentity id = fixture::demo_identity();
  ASSERT_EQ(r.devices.size(), 1u);
  const DeviceRecord& d = r.devices[0];
  ASSERT_TRUE(d.mac.has_value());
  EXPECT_EQ(d.mac->to_string(), id.mac);
  EXPECT_EQ(d.hostname.text, id.hostname);
  EXPECT_EQ(d.dhcp_vendor_class.text, id.vendor_class);
  ASSERT_EQ(d.user_agents.size(), 1u);
  EXPECT_NE(d.user_agents[0].text.find(id.model), std::string::npos);
  EXPECT_EQ(d.ja4.size(), 1u) << "one TLS ClientHello";
  if (test::have_ieee_data()) {
    std::string prefix = id.mac.substr(0, 2) + id.mac.substr(3, 2) + id.mac.substr(6, 2);
    for (auto& ch : prefix) ch = char(std::toupper(static_cast<unsigned char>(ch)));
    EXPECT_EQ(d.vendor, test::ieee_organization("oui.csv", prefix));
    EXPECT_FALSE(d.vendor.empty()) << prefix << " is a registered MA-L";
  }
}

TEST(DeviceIdentity, NoRegistryIsAWarningNotAFailure) {
  Capture c;
  const MacAddr universal{{0x00, 0x00, 0x0c, 0x01, 0x02, 0x03}};
  c.tcp(universal, kPhoneIp, 41500, kServer, 8080, "hello\r\n", "");
  EngineOptions o;
  o.oui.ieee_csv = {"/nonexistent/oui.csv"};
  o.oui.manuf = {};
  Report r = c.scan(o);
  EXPECT_EQ(r.devices.at(0).vendor, "");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("ieee-data"), std::string::npos);
}

std::string jsonl(const Report& r, bool reveal) {
  std::ostringstream out;
  report::Options o;
  o.reveal = reveal;
  report::write(r, report::Format::kJsonl, o, out);
  return out.str();
}

TEST(DeviceIdentity, RandomizedMacIsSaidSoAndIdentifiersInNamesAreMasked) {
  // An Android ID in the DHCP host name (as Android 5-7 sent it).
  const std::string android_id = "4f9a0c7d2e61b835";
  Capture c;
  dhcp_client(c, kPhone, 3, "android-" + android_id, "dhcpcd-5.5.6");
  c.tcp(kPhone, kPhoneIp, 41600, kServer, 8080, "hello\r\n", "");
  Report r = c.scan();
  const DeviceRecord* d = device_of(r, kPhone);
  ASSERT_NE(d, nullptr);
  ASSERT_FALSE(d->hostname.identifiers.empty()) << "the Android ID is found in the name";
  const std::string redacted = jsonl(r, false), revealed = jsonl(r, true);
  simdjson::dom::parser parser;
  simdjson::dom::element dev;
  ASSERT_EQ(parser.parse(test::split_lines(redacted).at(0)).get(dev), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(dev["kind"]), "device");
  EXPECT_TRUE(bool(dev["mac_randomized"]));
  EXPECT_TRUE(dev["vendor"].is_null());
  const std::string shown{std::string_view(dev["hostname"])};
  EXPECT_EQ(shown.substr(0, 8), "android-");
  EXPECT_EQ(shown.size(), ("android-" + android_id).size());
  EXPECT_EQ(shown.find(android_id), std::string::npos) << shown;
  EXPECT_EQ(redacted.find(android_id), std::string::npos) << "nowhere unredacted";
  EXPECT_EQ(std::string_view(dev["dhcp_vendor_class"]), "dhcpcd-5.5.6") << "nothing to mask";
  EXPECT_NE(std::string_view(dev["dhcp_client_id"]), hex(client_id_of(kPhone)));
  EXPECT_NE(revealed.find("\"hostname\":\"android-" + android_id + "\""), std::string::npos);
  EXPECT_NE(revealed.find(hex(client_id_of(kPhone))), std::string::npos);
}

TEST(DeviceIdentity, FlowsOnlyStillNamesVendorsButReadsNoMessages) {
  Capture c;
  dhcp_client(c, kPhone, 3, "Pixel-7a", "android-dhcp-13");
  EngineOptions o;
  o.flows_only = true;
  Report r = c.scan(o);
  ASSERT_NE(device_of(r, kPhone), nullptr);
  EXPECT_EQ(device_of(r, kPhone)->hostname.text, "");
}

// ---- Timeline ------------------------------------------------------------------

const ContactRecord* contact_with(const Report& r, uint64_t device, std::string_view host,
                                  uint16_t port) {
  for (const auto& c : r.contacts)
    if (c.device == device && c.destination.host == host && c.destination.port == port) return &c;
  return nullptr;
}

// The heartbeat fixture: a camera that reports every hour (a few seconds
// early or late), two connections each time.
TEST(Timeline, HourlyContactsAreRecognised) {
  const fixture::HeartbeatIdentity id = fixture::heartbeat_identity();
  Report r = scan_pcap(fixture::heartbeat_pcap());
  ASSERT_EQ(r.devices.size(), 1u);
  const DeviceRecord& d = r.devices[0];
  // Who it is, from each of its own messages.
  EXPECT_EQ(d.hostname.text, id.hostname);
  EXPECT_EQ(d.dhcp_vendor_class.text, id.vendor_class);
  EXPECT_EQ(texts(d.names), (std::vector<std::string>{id.hostname, id.mdns_instance}));
  EXPECT_EQ(texts(d.models), std::vector<std::string>{id.model});
  EXPECT_EQ(texts(d.ssdp_servers), std::vector<std::string>{id.ssdp_server});
  EXPECT_EQ(texts(d.user_agents), std::vector<std::string>{id.user_agent});
  EXPECT_EQ(d.ja4.size(), 1u);
  EXPECT_EQ(sighting(d, id.ip)->sources, kIpFromDhcp | kIpFromMdns | kIpFromFlow);

  // The schedule, from the fixture's own offsets.
  const int n = id.beats;
  const double period = (double(n - 1) * double(id.period) / kNsPerSec +
                         id.offsets_s[size_t(n - 1)] - id.offsets_s[0]) /
                        (n - 1);
  double jitter = 0;
  for (int i = 0; i + 1 < n; ++i) {
    const double interval =
        double(id.period) / kNsPerSec + id.offsets_s[size_t(i + 1)] - id.offsets_s[size_t(i)];
    jitter = std::max(jitter, std::fabs(interval - period));
  }
  const ContactRecord* beat = contact_with(r, 1, id.telemetry_host, 443);
  ASSERT_NE(beat, nullptr);
  EXPECT_EQ(beat->flows, 2u * unsigned(n));
  EXPECT_EQ(beat->contacts, unsigned(n)) << "two connections 0.6 s apart are one contact";
  EXPECT_EQ(beat->app, "tls");
  EXPECT_EQ(beat->proto, 6);
  EXPECT_EQ(beat->addresses, 1u);
  EXPECT_NEAR(beat->period_s, period, 0.01);
  EXPECT_NEAR(beat->jitter_s, jitter, 0.01);
  EXPECT_EQ(beat->periodic_contacts, unsigned(n));
  EXPECT_EQ(beat->missed_beats, 0u);
  const ContactRecord* update = contact_with(r, 1, id.update_host, 80);
  ASSERT_NE(update, nullptr);
  EXPECT_EQ(update->flows, 1u);
  EXPECT_EQ(update->period_s, 0);

  // jsonl: contact records after the findings, before the summary.
  std::vector<std::string> kinds;
  simdjson::dom::parser parser;
  for (const auto& line : test::split_lines(jsonl(r, false))) {
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(line).get(e), simdjson::SUCCESS);
    kinds.emplace_back(std::string_view(e["kind"]));
    std::string_view host;  // null for destinations known by address only
    if (kinds.back() == "contact" && !e["destination"]["host"].get(host) &&
        host == id.telemetry_host) {
      EXPECT_EQ(uint64_t(e["device"]), 1u);
      EXPECT_EQ(uint64_t(e["flows"]), 2u * unsigned(n));
      EXPECT_NEAR(double(e["period_s"]), period, 0.001);
      EXPECT_EQ(uint64_t(e["periodic_contacts"]), unsigned(n));
    } else if (kinds.back() == "summary") {
      EXPECT_EQ(uint64_t(e["contacts"]), r.contacts.size());
    }
  }
  const size_t contacts = size_t(std::count(kinds.begin(), kinds.end(), "contact"));
  ASSERT_EQ(contacts, r.contacts.size());
  ASSERT_GT(kinds.size(), contacts);
  for (size_t i = kinds.size() - 1 - contacts; i + 1 < kinds.size(); ++i)
    EXPECT_EQ(kinds[i], "contact") << i;
  EXPECT_EQ(kinds.back(), "summary");

  // The text report says it under the device.
  std::ostringstream text;
  report::write(r, report::Format::kText, {}, text);
  EXPECT_NE(text.str().find("every 60 min \u00b1 " + std::to_string(int(std::lround(jitter))) +
                            " s, " + std::to_string(n) + "\u00d7"),
            std::string::npos)
      << text.str();
}

TEST(Timeline, DestinationsAreKeptApartByDeviceNameAndPort) {
  Capture c;
  c.http_get(kPhone, kPhoneIp, 44000, "a.example", "x");
  c.http_get(kLaptop, kLaptopIp, 44001, "a.example", "x");
  c.tcp(kPhone, kPhoneIp, 44002, kServer, 8080, "hello\r\n", "");  // no name: by address
  Report r = c.scan();
  EXPECT_EQ(r.contacts.size(), 3u);
  const uint64_t phone = device_of(r, kPhone)->id, laptop = device_of(r, kLaptop)->id;
  EXPECT_NE(contact_with(r, phone, "a.example", 80), nullptr);
  EXPECT_NE(contact_with(r, laptop, "a.example", 80), nullptr);
  const ContactRecord* bare = contact_with(r, phone, "", 8080);
  ASSERT_NE(bare, nullptr);
  EXPECT_EQ(bare->destination.ip, kServer);
  for (size_t i = 1; i < r.contacts.size(); ++i)
    EXPECT_LE(r.contacts[i - 1].device, r.contacts[i].device) << "ordered by device";
}

}  // namespace
}  // namespace ph
