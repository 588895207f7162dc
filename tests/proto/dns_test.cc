// DNS/mDNS/LLMNR parser tests: messages built byte by byte here (names,
// compression, every record type with a field), the chunking harness over
// UDP and TCP exchanges, malformed and truncated input, every limit, the
// probes, the name/address helper, and the tshark oracle on the real
// captures.
#include "proto/dns/dns.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "capture/source.h"
#include "fixture/payloads.h"
#include "pipeline/engine.h"
#include "proto/chunking.h"
#include "proto/dns/addresses.h"
#include "support/support.h"

namespace ph::proto::test {
namespace {

// ---- a small DNS message writer -------------------------------------------

void put16(std::string& s, uint16_t v) {
  s += char(v >> 8);
  s += char(v & 0xFF);
}
void put32(std::string& s, uint32_t v) {
  put16(s, uint16_t(v >> 16));
  put16(s, uint16_t(v));
}

// "www.example.com" -> labels ending in the root (or in `tail`, e.g. a pointer).
std::string labels(std::string_view name, std::string tail = std::string(1, '\0')) {
  std::string s;
  size_t start = 0;
  while (start < name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    s += char(dot - start);
    s.append(name.substr(start, dot - start));
    start = dot + 1;
  }
  return s + tail;
}
std::string ptr(uint16_t offset) {
  std::string s;
  put16(s, uint16_t(0xC000 | offset));
  return s;
}
std::string header(uint16_t id, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns = 0,
                   uint16_t ar = 0) {
  std::string s;
  for (uint16_t v : {id, flags, qd, an, ns, ar}) put16(s, v);
  return s;
}
std::string question(const std::string& name_bytes, uint16_t type, uint16_t klass = 1) {
  std::string s = name_bytes;
  put16(s, type);
  put16(s, klass);
  return s;
}
std::string rr(const std::string& name_bytes, uint16_t type, const std::string& rdata,
               uint16_t klass = 1) {
  std::string s = name_bytes;
  put16(s, type);
  put16(s, klass);
  put32(s, 300);
  put16(s, uint16_t(rdata.size()));
  return s + rdata;
}
std::string v4(const char* text) { return fixture::ipv4_bytes(IpAddr::parse(text)); }
std::string v6(const char* text) {
  IpAddr a = IpAddr::parse(text);
  return std::string(reinterpret_cast<const char*>(a.b.data()), 16);
}
std::string txt_strings(std::initializer_list<std::string_view> strings) {
  std::string s;
  for (auto v : strings) {
    s += char(v.size());
    s.append(v);
  }
  return s;
}

// ---- running a parser -------------------------------------------------------

Collected parse_one(const Parser& p, const std::string& msg, Direction dir = Direction::kDown) {
  return run(p, {{dir, msg}}, Chunking::kWhole);
}

std::vector<std::string> values(const Message& m, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& f : m.fields)
    if (f.name == name) out.push_back(f.value);
  return out;
}
std::vector<std::string> keyed(const Message& m, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& f : m.fields)
    if (f.name == name) out.push_back(f.key + "=" + f.value);
  return out;
}
bool has_anomaly(const Collected& c, std::string_view what) {
  return std::find(c.anomalies.begin(), c.anomalies.end(), what) != c.anomalies.end();
}

using V = std::vector<std::string>;

// ---- basic messages ---------------------------------------------------------

TEST(Dns, QueryFromFixture) {
  Collected c =
      parse_one(dns::parser(), fixture::dns_query(0x1234, "www.example.com", 28), Direction::kUp);
  ASSERT_EQ(c.messages.size(), 1u);
  const Message& m = c.messages[0];
  EXPECT_EQ(m.protocol, "dns");
  EXPECT_EQ(m.kind, "query");
  EXPECT_EQ(m.dir, Direction::kUp);
  EXPECT_EQ(m.find("dns.id")->value, "4660");
  EXPECT_EQ(values(m, "dns.qname"), V{"www.example.com"});
  EXPECT_EQ(keyed(m, "dns.qtype"), V{"www.example.com=AAAA"});
  EXPECT_EQ(m.find("dns.rcode"), nullptr);  // queries have none
  EXPECT_TRUE(c.anomalies.empty());
}

TEST(Dns, AnswerFromFixture) {
  std::string msg = fixture::dns_answer_a(
      7, "api.example.net", {IpAddr::parse("192.0.2.1"), IpAddr::parse("192.0.2.200")});
  Collected c = parse_one(dns::parser(), msg);
  ASSERT_EQ(c.messages.size(), 1u);
  const Message& m = c.messages[0];
  EXPECT_EQ(m.kind, "response");
  EXPECT_EQ(m.find("dns.rcode")->value, "NOERROR");
  EXPECT_EQ(keyed(m, "dns.answer.a"),
            (V{"api.example.net=192.0.2.1", "api.example.net=192.0.2.200"}));
  EXPECT_TRUE(c.anomalies.empty());
}

// A response using every section: CNAME chain (compressed), AAAA, NS in
// authority, glue A in additional, and an OPT with EDNS Client Subnet.
std::string full_response() {
  std::string m = header(0xBEEF, 0x8180, 1, 3, 1, 2);
  m += question(labels("shop.example.com"), 1);  // name at offset 12
  std::string cdn = labels("edge.cdn.example.net");
  size_t cdn_off = m.size() + 2 + 10;  // rdata of the first answer
  m += rr(ptr(12), 5, cdn);
  m += rr(ptr(uint16_t(cdn_off)), 1, v4("198.51.100.7"));
  m += rr(ptr(uint16_t(cdn_off)), 28, v6("2001:db8::7"));
  // authority: example.com NS ns1.example.com (both compressed into the qname)
  m += rr(ptr(17), 2, labels("ns1", ptr(17)));
  size_t ns1_off = m.size() - 2 - 4;  // "ns1" + pointer, at the end of that rdata
  m += rr(ptr(uint16_t(ns1_off)), 1, v4("192.0.2.53"));
  std::string ecs;
  put16(ecs, 8);                          // option code: client subnet
  put16(ecs, 7);                          // length
  put16(ecs, 1);                          // family IPv4
  ecs += char(24);                        // source prefix
  ecs += char(0);                         // scope prefix
  ecs += std::string("\xCB\x00\x71", 3);  // 203.0.113/24
  m += rr(std::string(1, '\0'), 41, ecs, 4096);
  return m;
}

TEST(Dns, AllSectionsWithCompressionAndEdns) {
  Collected c = parse_one(dns::parser(), full_response());
  ASSERT_EQ(c.messages.size(), 1u) << ::testing::PrintToString(c.anomalies);
  const Message& m = c.messages[0];
  EXPECT_EQ(m.find("dns.id")->value, "48879");
  EXPECT_EQ(values(m, "dns.qname"), V{"shop.example.com"});
  EXPECT_EQ(keyed(m, "dns.answer.cname"), V{"shop.example.com=edge.cdn.example.net"});
  EXPECT_EQ(keyed(m, "dns.answer.a"),
            (V{"edge.cdn.example.net=198.51.100.7", "ns1.example.com=192.0.2.53"}));
  EXPECT_EQ(keyed(m, "dns.answer.aaaa"), V{"edge.cdn.example.net=2001:db8::7"});
  EXPECT_EQ(keyed(m, "dns.answer.ns"), V{"example.com=ns1.example.com"});
  EXPECT_EQ(values(m, "dns.edns.ecs"), V{"203.0.113.0/24"});
  EXPECT_TRUE(c.anomalies.empty()) << ::testing::PrintToString(c.anomalies);
}

TEST(Dns, RcodeAndOpcode) {
  Collected c = parse_one(dns::parser(), header(1, 0x8183, 1, 0) + question(labels("nx.test"), 1));
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(c.messages[0].find("dns.rcode")->value, "NXDOMAIN");
  c = parse_one(dns::parser(), header(1, 0x2800, 1, 0) + question(labels("zone.test"), 6));
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(c.messages[0].find("dns.opcode")->value, "5");  // UPDATE
  EXPECT_EQ(keyed(c.messages[0], "dns.qtype"), V{"zone.test=SOA"});
}

TEST(Dns, RootAndUnknownTypeAndMx) {
  std::string m = header(2, 0x8180, 1, 2);
  m += question(std::string(1, '\0'), 2);
  m += rr(labels("mail.test"), 15, std::string("\x00\x0a", 2) + labels("mx1.mail.test"));
  m += rr(labels("mail.test"), 4242, "opaque");
  Collected c = parse_one(dns::parser(), m);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(keyed(c.messages[0], "dns.qtype"), V{".=NS"});
  EXPECT_EQ(keyed(c.messages[0], "dns.answer.mx"), V{"mail.test=mx1.mail.test"});
  EXPECT_TRUE(c.anomalies.empty());
  // A record type without a field of its own is skipped, not an error.
  EXPECT_EQ(c.messages[0].fields.size(), 5u);  // id, rcode, qname, qtype, mx
  EXPECT_GT(
      dns::content_score(as_bytes(header(3, 0, 1, 0) + question(labels("a.test"), 4242)), true), 0);
}

TEST(Dns, HttpsAndSvcbParameters) {
  std::string rd;
  put16(rd, 1);                // priority: service mode
  rd += std::string(1, '\0');  // target "." = the owner itself
  std::string alpn = txt_strings({"h3", "h2"});
  put16(rd, 1);
  put16(rd, uint16_t(alpn.size()));
  rd += alpn;
  put16(rd, 3);
  put16(rd, 2);
  put16(rd, 8443);
  put16(rd, 4);
  put16(rd, 8);
  rd += v4("192.0.2.10") + v4("192.0.2.11");
  put16(rd, 5);
  put16(rd, 3);
  rd += "ech";
  put16(rd, 6);
  put16(rd, 16);
  rd += v6("2001:db8::10");
  std::string svcb_rd;
  put16(svcb_rd, 0);  // alias mode
  svcb_rd += labels("svc.example.org");
  std::string m = header(9, 0x8180, 1, 2) + question(labels("example.org"), 65);
  m += rr(ptr(12), 65, rd);
  m += rr(labels("_dns.resolver.arpa"), 64, svcb_rd);
  Collected c = parse_one(dns::parser(), m);
  ASSERT_EQ(c.messages.size(), 1u);
  const Message& msg = c.messages[0];
  EXPECT_EQ(keyed(msg, "dns.qtype"), V{"example.org=HTTPS"});
  EXPECT_EQ(keyed(msg, "dns.answer.https"), V{"example.org=."});
  EXPECT_EQ(keyed(msg, "dns.answer.svcb"), V{"_dns.resolver.arpa=svc.example.org"});
  EXPECT_EQ(keyed(msg, "dns.svcb.alpn"), (V{"example.org=h3", "example.org=h2"}));
  EXPECT_EQ(keyed(msg, "dns.svcb.port"), V{"example.org=8443"});
  EXPECT_EQ(keyed(msg, "dns.svcb.ipv4hint"),
            (V{"example.org=192.0.2.10", "example.org=192.0.2.11"}));
  EXPECT_EQ(keyed(msg, "dns.svcb.ipv6hint"), V{"example.org=2001:db8::10"});
  EXPECT_EQ(keyed(msg, "dns.svcb.ech"), V{"example.org=3"});
  EXPECT_TRUE(c.anomalies.empty()) << ::testing::PrintToString(c.anomalies);

  // A parameter running past its record is reported; what came before stays.
  std::string bad = rd.substr(0, 3);  // priority + root target
  put16(bad, 1);
  put16(bad, 50);
  bad += "\x02h2";
  c = parse_one(dns::parser(), header(9, 0x8180, 1, 1) + question(labels("example.org"), 65) +
                                   rr(ptr(12), 65, bad));
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(keyed(c.messages[0], "dns.answer.https"), V{"example.org=."});
  EXPECT_TRUE(values(c.messages[0], "dns.svcb.alpn").empty());
  EXPECT_TRUE(has_anomaly(c, "dns.bad-rdata"));
}

// A DNS-SD announcement of a camera: PTR to the instance, SRV, TXT with
// key=value pairs (MAC and model: generated values), A record.
std::string mdns_announcement() {
  std::string m = header(0, 0x8400, 0, 4);
  m += rr(labels("_http._tcp.local"), 12, labels("Cam 1F2E (v1.2)._http._tcp.local"));
  std::string srv;
  put16(srv, 0);
  put16(srv, 0);
  put16(srv, 80);
  srv += labels("cam-1f2e.local");
  m += rr(labels("Cam 1F2E (v1.2)._http._tcp.local"), 33, srv, 0x8001);
  m += rr(labels("Cam 1F2E (v1.2)._http._tcp.local"), 16,
          txt_strings({"", "mac=02:00:5E:10:1F:2E", "model=CAM-100", "secure", "=odd"}), 0x8001);
  m += rr(labels("cam-1f2e.local"), 1, v4("192.0.2.77"), 0x8001);
  return m;
}

TEST(Dns, MdnsServiceInstanceTxtAndSrv) {
  Collected c = parse_one(dns::mdns_parser(), mdns_announcement());
  ASSERT_EQ(c.messages.size(), 1u);
  const Message& m = c.messages[0];
  EXPECT_EQ(m.kind, "response");
  EXPECT_EQ(keyed(m, "dns.answer.ptr"), V{"_http._tcp.local=Cam 1F2E (v1.2)._http._tcp.local"});
  EXPECT_EQ(keyed(m, "dns.answer.srv"), V{"Cam 1F2E (v1.2)._http._tcp.local=cam-1f2e.local:80"});
  EXPECT_EQ(values(m, "dns.answer.txt"),
            (V{"mac=02:00:5E:10:1F:2E", "model=CAM-100", "secure", "=odd"}));
  EXPECT_EQ(keyed(m, "dns.txt"), (V{"mac=02:00:5E:10:1F:2E", "model=CAM-100"}));
  EXPECT_EQ(keyed(m, "dns.instance"), V{"_http._tcp.local=Cam 1F2E (v1.2)"});
  EXPECT_EQ(keyed(m, "dns.answer.a"), V{"cam-1f2e.local=192.0.2.77"});
  EXPECT_TRUE(c.anomalies.empty());
  EXPECT_EQ(dns::mdns_parser().make(c)->facts().app, "mdns");
  EXPECT_EQ(dns::llmnr_parser().make(c)->facts().app, "llmnr");
  auto facts = dns::parser().make(c)->facts();
  EXPECT_EQ(facts.app, "dns");
  EXPECT_EQ(facts.encrypted, false);
}

TEST(Dns, PlainDnsTxtIsNotSplitIntoKeys) {
  std::string m = header(5, 0x8180, 1, 1) + question(labels("example.com"), 16);
  m += rr(ptr(12), 16, txt_strings({"v=spf1 -all"}));
  Collected c = parse_one(dns::parser(), m);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(values(c.messages[0], "dns.answer.txt"), V{"v=spf1 -all"});
  EXPECT_EQ(c.messages[0].find("dns.txt"), nullptr);
}

// ---- compression protection (cf. captures M14, M15) --------------------------

TEST(Dns, PointerChainWithinTheLimitResolves) {
  // Like M15: each answer's owner points at the previous answer's owner.
  std::string m = header(0x1234, 0x8180, 1, 7) + question(labels("a"), 1);
  uint16_t prev = 12;
  for (int i = 1; i <= 7; ++i) {
    uint16_t here = uint16_t(m.size());
    m += rr(ptr(prev), 1, v4(("127.0.0." + std::to_string(i)).c_str()));
    prev = here;
  }
  Collected c = parse_one(dns::parser(), m);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(keyed(c.messages[0], "dns.answer.a").size(), 7u);
  EXPECT_EQ(keyed(c.messages[0], "dns.answer.a").back(), "a=127.0.0.7");
  EXPECT_TRUE(c.anomalies.empty());
}

TEST(Dns, PointerChainBeyondTheLimitIsALoop) {
  std::string m = header(1, 0x8180, 1, 40) + question(labels("deep"), 1);
  uint16_t prev = 12;
  for (int i = 0; i < 40; ++i) {
    uint16_t here = uint16_t(m.size());
    m += rr(ptr(prev), 1, v4("192.0.2.1"));
    prev = here;
  }
  Collected c = parse_one(dns::parser(), m);
  ASSERT_EQ(c.messages.size(), 1u);
  // 32 jumps are allowed: owners 1..32 resolve, the rest are skipped.
  EXPECT_EQ(keyed(c.messages[0], "dns.answer.a").size(), 32u);
  EXPECT_TRUE(has_anomaly(c, "dns.name-loop"));
}

TEST(Dns, SelfAndMutualPointerLoops) {
  // A question name pointing at itself, and an owner "x" whose tail points
  // back at its own start (x.x.x...).
  std::string m = header(1, 0x8180, 1, 1) + ptr(12) + std::string("\x00\x01\x00\x01", 4);
  uint16_t at = uint16_t(m.size());
  m += rr(labels("x", ptr(at)), 1, v4("192.0.2.1"));
  Collected c = parse_one(dns::parser(), m);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(c.messages[0].find("dns.qname"), nullptr);
  EXPECT_EQ(c.messages[0].find("dns.answer.a"), nullptr);
  EXPECT_EQ(std::count(c.anomalies.begin(), c.anomalies.end(), "dns.name-loop"), 2);
}

TEST(Dns, NameTooLongIsSkippedAndTheRestParsed) {
  std::string label63(63, 'q');
  std::string long_name = label63 + "." + label63 + "." + label63 + "." + label63 + ".test";
  std::string m =
      header(3, 0x0000, 2, 0) + question(labels(long_name), 1) + question(labels("after.test"), 1);
  Collected c = parse_one(dns::parser(), m, Direction::kUp);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(values(c.messages[0], "dns.qname"), V{"after.test"});
  EXPECT_TRUE(has_anomaly(c, "dns.name-too-long"));
  // 255 bytes exactly is allowed: 3 x (1+63) + (1+61) + 1.
  std::string max_name = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'r');
  c = parse_one(dns::parser(), header(3, 0, 1, 0) + question(labels(max_name), 1));
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(values(c.messages[0], "dns.qname"), V{max_name});
  EXPECT_TRUE(c.anomalies.empty());
}

TEST(Dns, BadPointerAndBadLabelType) {
  std::string m = header(4, 0x8180, 1, 1) + question(labels("ok.test"), 1);
  m += rr(ptr(0x3FFF), 1, v4("192.0.2.1"));  // past the end
  Collected c = parse_one(dns::parser(), m);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(values(c.messages[0], "dns.qname"), V{"ok.test"});
  EXPECT_EQ(c.messages[0].find("dns.answer.a"), nullptr);
  EXPECT_TRUE(has_anomaly(c, "dns.bad-pointer"));

  m = header(4, 0x8180, 1, 1) + question(std::string("\x41") + "x", 1);  // 0x40 label type
  c = parse_one(dns::parser(), m);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_TRUE(has_anomaly(c, "dns.bad-label"));
}

TEST(Dns, EveryTruncationIsSafeAndReported) {
  const std::string whole = full_response();
  for (size_t n = 0; n < whole.size(); ++n) {
    Collected c = parse_one(dns::parser(), whole.substr(0, n));
    if (n == 0) {
      EXPECT_TRUE(c.messages.empty());
      continue;
    }
    if (n < 12) {
      EXPECT_TRUE(c.messages.empty());
      EXPECT_TRUE(has_anomaly(c, "dns.short")) << n;
      continue;
    }
    ASSERT_EQ(c.messages.size(), 1u) << n;
    EXPECT_FALSE(c.anomalies.empty()) << n;  // something was cut
  }
}

TEST(Dns, RdataLengthsAreChecked) {
  std::string m = header(6, 0x8180, 1, 2) + question(labels("x.test"), 1);
  m += rr(ptr(12), 1, "\x01\x02\x03");                          // A of 3 bytes
  m += rr(ptr(12), 5, labels("y.test").substr(0, 4) + "\x00");  // CNAME rdata cut inside name
  m.back() = 'z';                                               // and no terminating zero
  Collected c = parse_one(dns::parser(), m);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(c.messages[0].find("dns.answer.a"), nullptr);
  EXPECT_EQ(c.messages[0].find("dns.answer.cname"), nullptr);
  EXPECT_TRUE(has_anomaly(c, "dns.bad-rdata"));
  EXPECT_TRUE(has_anomaly(c, "dns.truncated"));
}

// ---- limits -------------------------------------------------------------------

TEST(Dns, QuestionRecordAndFieldLimits) {
  std::string m = header(1, 0, 100, 0);
  for (int i = 0; i < 100; ++i) m += question(labels("q" + std::to_string(i) + ".test"), 1);
  Collected c = parse_one(dns::parser(), m, Direction::kUp);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(values(c.messages[0], "dns.qname").size(), 64u);
  EXPECT_TRUE(has_anomaly(c, "dns.too-many-questions"));

  m = header(1, 0x8180, 0, 600);
  for (int i = 0; i < 600; ++i) m += rr(labels("h.test"), 1, v4("192.0.2.9"));
  c = parse_one(dns::parser(), m);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(values(c.messages[0], "dns.answer.a").size(), 512u);
  EXPECT_TRUE(has_anomaly(c, "dns.too-many-records"));

  // One mDNS TXT record of 6000 "k=v" strings: 12000 fields wanted, 4096 kept.
  std::string rd;
  for (int i = 0; i < 6000; ++i) rd += txt_strings({"k=v"});
  ASSERT_LT(rd.size(), 65536u);
  m = header(0, 0x8400, 0, 1) + rr(labels("big._http._tcp.local"), 16, rd);
  c = parse_one(dns::mdns_parser(), m);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(c.messages[0].fields.size(), 4096u);
  EXPECT_EQ(std::count(c.anomalies.begin(), c.anomalies.end(), "dns.too-many-fields"), 1);
}

TEST(Dns, GarbageDatagramsEndTheDirection) {
  Collected sink;
  Feeder f(dns::parser().make(sink), sink);
  for (int i = 0; i < 20; ++i) f.data(Direction::kUp, as_bytes("junk"), i, i);
  EXPECT_TRUE(f.failed(Direction::kUp));
  EXPECT_EQ(std::count(sink.anomalies.begin(), sink.anomalies.end(), "dns.short"), 16);
  EXPECT_TRUE(has_anomaly(sink, "dns.not-dns"));
  // A direction that carried DNS once keeps being parsed.
  Collected sink2;
  Feeder g(dns::parser().make(sink2), sink2);
  g.data(Direction::kUp, as_bytes(fixture::dns_query(1, "a.test")), 0, 0);
  for (int i = 0; i < 20; ++i) g.data(Direction::kUp, as_bytes("junk"), i, i);
  g.data(Direction::kUp, as_bytes(fixture::dns_query(2, "b.test")), 30, 30);
  EXPECT_FALSE(g.failed(Direction::kUp));
  EXPECT_EQ(sink2.messages.size(), 2u);
}

// ---- chunking harness ------------------------------------------------------------

std::string framed(const std::string& msg) {
  std::string s;
  put16(s, uint16_t(msg.size()));
  return s + msg;
}

void expect_same_under_chunking(const Parser& p, const std::vector<Piece>& pieces,
                                size_t expected_messages) {
  Collected whole = run(p, pieces, Chunking::kWhole);
  ASSERT_EQ(whole.messages.size(), expected_messages);
  std::string want = describe(whole.messages);
  EXPECT_EQ(describe(run(p, pieces, Chunking::kByteByByte).messages), want);
  for (uint32_t seed = 1; seed <= 12; ++seed)
    EXPECT_EQ(describe(run(p, pieces, Chunking::kRandom, seed).messages), want) << seed;
}

TEST(DnsChunking, UdpExchange) {
  std::vector<Piece> pieces = {
      {Direction::kUp, fixture::dns_query(0x10, "shop.example.com", 1)},
      {Direction::kDown, full_response()},
      {Direction::kUp, fixture::dns_query(0x11, "shop.example.com", 65)},
  };
  expect_same_under_chunking(dns::parser(), pieces, 3);
  // A gap means nothing to a datagram parser: the datagrams around it parse.
  std::vector<Piece> gapped = pieces;
  gapped.insert(gapped.begin() + 1, Piece{Direction::kDown, {}, 100});
  EXPECT_EQ(describe(run(dns::parser(), gapped, Chunking::kWhole).messages),
            describe(run(dns::parser(), pieces, Chunking::kWhole).messages));
}

TEST(DnsChunking, MdnsExchange) {
  std::vector<Piece> pieces = {
      {Direction::kUp, header(0, 0, 1, 0) + question(labels("_http._tcp.local"), 12, 0x8001)},
      {Direction::kDown, mdns_announcement()},
  };
  expect_same_under_chunking(dns::mdns_parser(), pieces, 2);
}

TEST(DnsChunking, TcpExchangeWithTwoMessagesPerDirection) {
  std::string q1 = fixture::dns_query(0x21, "a.example.com", 1);
  std::string q2 = fixture::dns_query(0x22, "b.example.com", 28);
  std::string r1 = fixture::dns_answer_a(0x21, "a.example.com", {IpAddr::parse("192.0.2.21")});
  std::vector<Piece> pieces = {
      {Direction::kUp, framed(q1) + framed(q2)},
      {Direction::kDown, framed(r1) + framed(full_response())},
  };
  expect_same_under_chunking(dns::tcp_parser(), pieces, 4);
  Collected c = run(dns::tcp_parser(), pieces, Chunking::kWhole);
  EXPECT_EQ(values(c.messages[1], "dns.qname"), V{"b.example.com"});
  EXPECT_EQ(keyed(c.messages[2], "dns.answer.a"), V{"a.example.com=192.0.2.21"});
  EXPECT_TRUE(c.anomalies.empty());
}

TEST(DnsChunking, TcpGapAtAMessageBoundaryResynchronises) {
  std::string q1 = framed(fixture::dns_query(1, "one.test"));
  std::string q2 = framed(fixture::dns_query(2, "two.test"));
  std::string q3 = framed(fixture::dns_query(3, "three.test"));
  std::vector<Piece> pieces = {
      {Direction::kUp, q1}, {Direction::kUp, {}, q2.size()}, {Direction::kUp, q3}};
  for (auto chunking : {Chunking::kWhole, Chunking::kByteByByte, Chunking::kRandom}) {
    Collected c = run(dns::tcp_parser(), pieces, chunking, 3);
    ASSERT_EQ(c.messages.size(), 2u);
    EXPECT_EQ(values(c.messages[1], "dns.qname"), V{"three.test"});
    EXPECT_TRUE(c.anomalies.empty());
  }
}

TEST(DnsChunking, TcpGapInsideAMessageStopsTheDirection) {
  std::string q1 = framed(fixture::dns_query(1, "one.test"));
  std::string q2 = framed(fixture::dns_query(2, "two.test"));
  // The hole swallows q2's first 5 bytes: what follows is q2's middle.
  std::vector<Piece> pieces = {
      {Direction::kUp, q1}, {Direction::kUp, {}, 5}, {Direction::kUp, q2.substr(5) + q1}};
  Collected sink;
  Feeder f(dns::tcp_parser().make(sink), sink);
  f.data(Direction::kUp, as_bytes(q1), 1, 1);
  f.gap(Direction::kUp, 5);
  f.data(Direction::kUp, as_bytes(pieces[2].bytes), 2, 2);
  EXPECT_EQ(sink.messages.size(), 1u);
  EXPECT_TRUE(has_anomaly(sink, "dns.gap-desync"));
  EXPECT_TRUE(f.failed(Direction::kUp));
}

TEST(DnsChunking, TcpBadLengthStopsTheDirection) {
  Collected sink;
  Feeder f(dns::tcp_parser().make(sink), sink);
  f.data(Direction::kUp, as_bytes(std::string("\x00\x05hello", 7)), 1, 1);
  EXPECT_TRUE(has_anomaly(sink, "dns.bad-length"));
  EXPECT_TRUE(f.failed(Direction::kUp));
}

// ---- probes -------------------------------------------------------------------

int probe(const Parser& p, const std::string& bytes, uint16_t port) {
  return p.probe(Direction::kUp, as_bytes(bytes), port);
}

TEST(DnsProbe, ContentFirstPortsBreakTies) {
  std::string q = fixture::dns_query(0x4242, "api.example.com");
  int on53 = probe(dns::parser(), q, 53), elsewhere = probe(dns::parser(), q, 9999);
  EXPECT_GT(elsewhere, 0);
  EXPECT_GT(on53, elsewhere);
  EXPECT_LE(on53, 100);
  EXPECT_GT(probe(dns::parser(), full_response(), 40000), 0);
  // Not DNS, whatever the port.
  for (const std::string& junk :
       {std::string("GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11), std::string(40, '\0'),
        std::string(40, '\xff'), std::string("short")}) {
    EXPECT_EQ(probe(dns::parser(), junk, 53), 0);
    EXPECT_EQ(probe(dns::mdns_parser(), junk, 5353), 0);
    EXPECT_EQ(probe(dns::tcp_parser(), junk, 53), 0);
  }
  // Counts that cannot fit the datagram: less likely (or cut by the snap
  // length), still possible.
  std::string cut = header(1, 0x8180, 1, 200) + question(labels("a.test"), 1);
  EXPECT_GT(probe(dns::parser(), cut, 9999), 0);
  EXPECT_LT(probe(dns::parser(), cut, 9999),
            probe(dns::parser(), header(1, 0x8180, 1, 0) + question(labels("a.test"), 1), 9999));
  // NetBIOS Name Service: same layout, but its encoded 32-letter names say NBNS.
  std::string nbns =
      header(0x8a11, 0x0110, 1, 0) + question(labels("FHFAEBEECACACACACACACACACACACAAA"), 0x20);
  EXPECT_EQ(probe(dns::parser(), nbns, 137), 0);
  EXPECT_EQ(probe(dns::parser(),
                  header(0x8a11, 0x0110, 1, 0) +
                      question(labels("FHFAEBEECACACACACACACACACACACAAA.scope"), 32),
                  137),
            0);  // with a NetBIOS scope too
  EXPECT_GT(
      probe(dns::parser(),
            header(0x8a11, 0x0110, 1, 0) + question(labels("FHFAEBEECACACACACACACACACACACAAQ"), 1),
            53),
      0);  // 'Q' is no NetBIOS half-byte
  // Opcode other than a standard query, and a "query" with an rcode.
  EXPECT_EQ(probe(dns::parser(), header(1, 0x2800, 1, 0) + question(labels("a.test"), 1), 53), 0);
  EXPECT_EQ(probe(dns::parser(), header(1, 0x0003, 1, 0) + question(labels("a.test"), 1), 53), 0);
}

TEST(DnsProbe, MdnsAndLlmnrWinOnTheirPorts) {
  std::string q = header(0, 0, 1, 0) + question(labels("printer.local"), 1);
  EXPECT_GT(probe(dns::mdns_parser(), q, 5353), probe(dns::parser(), q, 5353));
  // mDNS-looking content elsewhere still prefers mdns; plain names do not.
  EXPECT_GT(probe(dns::mdns_parser(), q, 40000), probe(dns::parser(), q, 40000));
  std::string plain = fixture::dns_query(7, "www.example.com");
  EXPECT_EQ(probe(dns::mdns_parser(), plain, 40000), 0);
  EXPECT_GT(probe(dns::mdns_parser(), mdns_announcement(), 5353), 0);
  std::string ll = fixture::dns_query(0x99, "wpad");
  EXPECT_GT(probe(dns::llmnr_parser(), ll, 5355), probe(dns::parser(), ll, 5355));
  EXPECT_EQ(probe(dns::llmnr_parser(), ll, 53), 0);
}

TEST(DnsProbe, TcpNeedsTheLengthPrefix) {
  std::string q = fixture::dns_query(0x4242, "api.example.com");
  EXPECT_GT(probe(dns::tcp_parser(), framed(q), 53), probe(dns::tcp_parser(), framed(q), 8053));
  EXPECT_GT(probe(dns::tcp_parser(), framed(q), 8053), 0);
  EXPECT_EQ(probe(dns::tcp_parser(), q, 53), 0);
  // Only the start of a long message is seen: still recognised.
  std::string big = framed(full_response());
  EXPECT_GT(probe(dns::tcp_parser(), big.substr(0, 20), 53), 0);
}

// ---- name/address helper ---------------------------------------------------------

TEST(DnsAddresses, FollowsCnameChains) {
  Collected c = parse_one(dns::parser(), full_response());
  ASSERT_EQ(c.messages.size(), 1u);
  auto pairs = dns::name_addresses(c.messages[0]);
  std::vector<std::string> got;
  for (const auto& p : pairs)
    got.push_back(std::string(p.name) + "=" + std::string(p.address) + (p.queried ? " q" : ""));
  EXPECT_EQ(got, (V{"shop.example.com=198.51.100.7 q", "shop.example.com=2001:db8::7 q",
                    "edge.cdn.example.net=198.51.100.7", "edge.cdn.example.net=2001:db8::7",
                    "ns1.example.com=192.0.2.53"}));
}

TEST(DnsAddresses, CaseLoopsHintsAndQueries) {
  Message m;
  m.protocol = "dns";
  m.kind = "response";
  m.add("dns.qname", "WWW.Example.test");
  m.add("dns.answer.cname", "alias.test", "www.example.TEST");
  m.add("dns.answer.cname", "loop.test", "alias.test");
  m.add("dns.answer.cname", "alias.test", "loop.test");  // a CNAME loop
  m.add("dns.answer.a", "192.0.2.5", "LOOP.test");
  m.add("dns.answer.a", "192.0.2.5", "loop.test");  // duplicate address
  m.add("dns.answer.https", ".", "svc.test");
  m.add("dns.svcb.ipv6hint", "2001:db8::5", "svc.test");
  std::vector<std::string> got;
  for (const auto& p : dns::name_addresses(m))
    got.push_back(std::string(p.name) + "=" + std::string(p.address) + (p.queried ? " q" : ""));
  EXPECT_EQ(got, (V{"WWW.Example.test=192.0.2.5 q", "alias.test=192.0.2.5", "loop.test=192.0.2.5",
                    "svc.test=2001:db8::5"}));
  m.kind = "query";
  EXPECT_TRUE(dns::name_addresses(m).empty());
  m.kind = "response";
  m.protocol = "http";
  EXPECT_TRUE(dns::name_addresses(m).empty());
}

TEST(DnsAddresses, LongChainsStopAtTheLimit) {
  Message m;
  m.protocol = "dns";
  m.kind = "response";
  m.add("dns.qname", "n0.test");
  for (int i = 0; i < 20; ++i)
    m.add("dns.answer.cname", "n" + std::to_string(i + 1) + ".test",
          "n" + std::to_string(i) + ".test");
  m.add("dns.answer.a", "192.0.2.20", "n20.test");
  auto pairs = dns::name_addresses(m);
  // n0 is 20 steps away: beyond 16, so it gets nothing; n4..n20 do.
  ASSERT_FALSE(pairs.empty());
  EXPECT_EQ(std::count_if(pairs.begin(), pairs.end(), [](auto& p) { return p.name == "n0.test"; }),
            0);
  EXPECT_EQ(pairs.size(), 17u);
}

// ---- oracle: tshark on the real captures ---------------------------------------------
//
// Every capture the manifest lists with dns/mdns/llmnr (and the large
// B01) runs through the Engine (decode, tunnels, IP defragmentation, flows,
// TCP reassembly); each flow gets the DNS parser its first bytes select by
// probe. Per frame, the query names, the A and AAAA addresses, the CNAME,
// PTR and SRV targets and the TXT strings must equal `tshark -T fields -e
// dns.qry.name -e dns.a -e dns.aaaa -e dns.cname -e dns.ptr.domain_name -e
// dns.srv.target -e dns.srv.port -e dns.txt`.

struct FrameDns {
  std::vector<std::string> qnames, a, aaaa;
  std::vector<std::string> cname, ptr, srv, txt;  // srv as "target:port"
  bool operator==(const FrameDns&) const = default;
};
using PerFrame = std::map<uint64_t, FrameDns>;

struct OracleSink : MessageSink {
  PerFrame frames;
  std::map<std::string, int> anomalies;
  bool keep = false;
  std::vector<Message> kept;
  std::set<std::string> apps;  // FlowFacts::app of the flows a parser took
  void on_message(Message&& m) override {
    if (keep) kept.push_back(m);
    FrameDns& f = frames[m.frame];
    for (const auto& field : m.fields) {
      if (field.name == "dns.qname") f.qnames.push_back(field.value);
      if (field.name == "dns.answer.a") f.a.push_back(field.value);
      if (field.name == "dns.answer.aaaa") f.aaaa.push_back(field.value);
      if (field.name == "dns.answer.cname") f.cname.push_back(field.value);
      if (field.name == "dns.answer.ptr") f.ptr.push_back(field.value);
      if (field.name == "dns.answer.srv") f.srv.push_back(field.value);
      if (field.name == "dns.answer.txt") f.txt.push_back(field.value);
    }
  }
  void on_anomaly(std::string_view what) override { ++anomalies[std::string(what)]; }
};

// Chooses a parser from the first bytes (a datagram, or at least 14 bytes
// of a stream), as the registry will, then feeds it.
class DnsConsumer : public flow::FlowConsumer {
 public:
  DnsConsumer(const flow::Flow& f, OracleSink& sink)
      : sink_(sink), tcp_(f.proto == 6), port_(f.server.port) {}
  void on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    if (gave_up_) return;
    if (!feeder_) {
      Bytes first = data;
      if (tcp_) {
        start_.append(as_string(data));
        if (start_.size() < 14) return;
        first = as_bytes(start_);
      }
      const Parser* best = nullptr;
      int best_score = 0;
      for (const Parser* p : tcp_ ? std::vector<const Parser*>{&dns::tcp_parser()}
                                  : std::vector<const Parser*>{&dns::parser(), &dns::mdns_parser(),
                                                               &dns::llmnr_parser()}) {
        int s = p->probe(dir, first, port_);
        if (s > best_score) best = p, best_score = s;
      }
      if (!best) {
        gave_up_ = true;
        return;
      }
      feeder_ = std::make_unique<Feeder>(best->make(sink_), sink_);
      sink_.apps.insert(feeder_->session().facts().app);
      feeder_->data(dir, first, ts, frame);
      return;
    }
    feeder_->data(dir, data, ts, frame);
  }
  void on_gap(Direction dir, uint64_t n) override {
    if (feeder_) feeder_->gap(dir, n);
  }

 private:
  OracleSink& sink_;
  bool tcp_;
  uint16_t port_;
  bool gave_up_ = false;
  std::string start_;
  std::unique_ptr<Feeder> feeder_;
};

void ours(const std::filesystem::path& file, OracleSink& sink) {
  EngineOptions opts;
  opts.consumer_factory = [&](const flow::Flow& f) -> std::unique_ptr<flow::FlowConsumer> {
    return std::make_unique<DnsConsumer>(f, sink);
  };
  Engine engine(opts);
  auto src = capture::open_file(file.string());
  ASSERT_TRUE(src) << file;
  engine.run(**src);
  engine.finish();
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

PerFrame theirs(const std::filesystem::path& file) {
  const char kAgg = '\x1e';  // no name in these captures contains it
  std::string out = ph::test::run_command(
      "tshark -n -r " + ph::test::shell_quote(file.string()) +
      " -Y 'dns or mdns or llmnr' -T fields -E occurrence=a -E aggregator=" +
      ph::test::shell_quote(std::string(1, kAgg)) +
      " -e frame.number -e dns.qry.name -e dns.a -e dns.aaaa -e dns.cname"
      " -e dns.ptr.domain_name -e dns.srv.target -e dns.srv.port -e dns.txt 2>/dev/null");
  PerFrame frames;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    auto cols = split(line, '\t');
    if (cols.size() != 9) continue;
    FrameDns& f = frames[std::stoull(cols[0])];
    f.qnames = split(cols[1], kAgg);
    f.a = split(cols[2], kAgg);
    f.aaaa = split(cols[3], kAgg);
    f.cname = split(cols[4], kAgg);
    f.ptr = split(cols[5], kAgg);
    auto targets = split(cols[6], kAgg), ports = split(cols[7], kAgg);
    for (size_t i = 0; i < targets.size(); ++i)
      f.srv.push_back(targets[i] + ":" + (i < ports.size() ? ports[i] : "?"));
    // phonehome skips empty TXT strings (RFC 6763 6.1: "no data").
    for (auto& t : split(cols[8], kAgg))
      if (!t.empty()) f.txt.push_back(t);
  }
  return frames;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

// Differences by design, per file: how many frames differ, and why.
struct Explained {
  size_t frames;
  const char* reason;
};
const std::map<std::string, Explained>& explained() {
  static const std::map<std::string, Explained> kExplained = {
      {"P51_gre.pcap",
       {2,
        "frames 34 and 36 are ICMP errors quoting a DNS query (gre:ip:icmp:ip:udp:dns): "
        "tshark dissects the quoted query, phonehome makes no flow of an ICMP quote"}},
      {"M04_linktype_ipv4_invalid.pcap",
       {1,
        "an IPv6 packet on LINKTYPE_IPV4: phonehome's decoder counts it malformed "
        "(ipv4.bad-version), tshark decodes it by its version nibble"}},
  };
  return kExplained;
}

std::vector<std::filesystem::path> dns_captures() {
  std::vector<std::filesystem::path> files;
  auto root = ph::test::shared_captures();
  if (root.empty()) return files;
  std::ifstream manifest(root / "MANIFEST.md");
  std::string line;
  while (std::getline(manifest, line)) {
    // "| `dir/file` | size | format | packets | protocols | ..."
    if (line.rfind("| `", 0) != 0) continue;
    auto cols = split(line, '|');
    if (cols.size() < 7) continue;
    std::string protos = "," + cols[5] + ",";
    protos.erase(std::remove(protos.begin(), protos.end(), ' '), protos.end());
    if (protos.find(",dns,") == std::string::npos && protos.find(",mdns,") == std::string::npos &&
        protos.find(",llmnr,") == std::string::npos)
      continue;
    std::string name = cols[1];
    name.erase(
        std::remove_if(name.begin(), name.end(), [](char c) { return c == ' ' || c == '`'; }),
        name.end());
    if (std::filesystem::exists(root / name)) files.push_back(root / name);
  }
  if (std::filesystem::exists(root / "bench/B01_iot_sentinel_setupA_merged.pcap"))
    files.push_back(root / "bench/B01_iot_sentinel_setupA_merged.pcap");
  return files;
}

TEST(DnsOracle, NamesAndAddressesMatchTshark) {
  PH_REQUIRE_SHARED_CAPTURES();
  PH_REQUIRE_TSHARK();
  auto files = dns_captures();
  ASSERT_GE(files.size(), 8u) << "MANIFEST.md lists fewer DNS captures than expected";
  size_t compared_frames = 0;
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    OracleSink sink;
    ours(file, sink);
    PerFrame want = theirs(file);
    std::vector<std::string> diffs;
    size_t too_long = 0;
    std::set<uint64_t> all;
    for (const auto& [n, f] : want) all.insert(n);
    for (const auto& [n, f] : sink.frames) all.insert(n);
    for (uint64_t n : all) {
      FrameDns t = want.count(n) ? want[n] : FrameDns{};
      FrameDns o = sink.frames.count(n) ? sink.frames[n] : FrameDns{};
      for (auto& q : t.qnames)
        if (q == "<Root>") q = ".";  // the root name: tshark's spelling
      // tshark keeps a placeholder for a name over 255 bytes; phonehome
      // drops the name and counts dns.name-too-long (checked below).
      // The same goes for a record whose target name is too long.
      for (auto* v : {&t.qnames, &t.cname, &t.ptr}) too_long += std::erase(*v, "<Name too long>");
      auto all_of = [](const FrameDns& f) {
        return join(f.qnames) + "|" + join(f.a) + "|" + join(f.aaaa) + "|" + join(f.cname) + "|" +
               join(f.ptr) + "|" + join(f.srv) + "|" + join(f.txt);
      };
      if (t != o) {
        diffs.push_back("frame " + std::to_string(n) + ": tshark [" + all_of(t) + "] phonehome [" +
                        all_of(o) + "]");
      } else {
        ++compared_frames;
      }
    }
    EXPECT_GE(size_t(sink.anomalies["dns.name-too-long"]), too_long);
    if (file.filename() == "M14_malformed_dns.pcap") {
      EXPECT_EQ(too_long, 8u);  // 4 responses, each with a long question and a long CNAME
    }
    auto it = explained().find(file.filename().string());
    size_t expected = it == explained().end() ? 0 : it->second.frames;
    EXPECT_EQ(diffs.size(), expected) << (it == explained().end() ? "" : it->second.reason) << "\n"
                                      << ::testing::PrintToString(diffs);
  }
  EXPECT_GT(compared_frames, 1000u);
}

// The leak that motivates mDNS TXT parsing: a D-Link sensor announces its
// MAC and model in DNS-SD TXT records (MANIFEST.md, L05).
TEST(DnsOracle, MdnsTxtCarriesTheDeviceMac) {
  PH_REQUIRE_SHARED_CAPTURES();
  auto file = ph::test::shared_captures() / "leak/L05_iot_dlink_dchs150_mac_mdns_http.pcap";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << file << " is absent";
  OracleSink sink;
  sink.keep = true;
  ours(file, sink);
  EXPECT_TRUE(sink.apps.count("mdns"));
  EXPECT_TRUE(sink.apps.count("dns"));
  size_t mac = 0, model = 0, instance = 0;
  for (const Message& m : sink.kept) {
    for (const Field& f : m.fields) {
      mac += f.name == "dns.txt" && f.key == "mac" && f.value == "90:8D:78:A8:E1:43";
      model += f.name == "dns.txt" && f.key == "model_number" && f.value == "DCH-S150";
      instance += f.name == "dns.instance" && f.key == "_dhnap._tcp.local" &&
                  f.value == "D-Link HNAP Service";
    }
  }
  // tshark: 26 frames carry the TXT record (MANIFEST.md), once each.
  EXPECT_EQ(mac, 26u);
  EXPECT_EQ(model, 26u);
  EXPECT_GT(instance, 0u);
}

// EDNS Client Subnet tells where the client is (MANIFEST.md, P54); tshark
// agrees on the subnets (dns.opt.client.addr4/addr6 with their prefixes).
TEST(DnsOracle, EdnsClientSubnetsOfP54) {
  PH_REQUIRE_SHARED_CAPTURES();
  PH_REQUIRE_TSHARK();
  auto file = ph::test::shared_captures() / "proto/P54_dns_edns_ecs.pcap";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << file << " is absent";
  OracleSink sink;
  sink.keep = true;
  ours(file, sink);
  std::set<std::string> got;
  for (const Message& m : sink.kept)
    for (const Field& f : m.fields)
      if (f.name == "dns.edns.ecs") got.insert(f.value);
  std::string out = ph::test::run_command(
      "tshark -n -r " + ph::test::shell_quote(file.string()) +
      " -Y dns.opt.client.netmask -T fields -E occurrence=f -e dns.opt.client.addr4"
      " -e dns.opt.client.addr6 -e dns.opt.client.netmask 2>/dev/null");
  std::set<std::string> want;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    auto cols = split(line, '\t');
    if (cols.size() == 3) want.insert((cols[0].empty() ? cols[1] : cols[0]) + "/" + cols[2]);
  }
  EXPECT_EQ(got, want);
  EXPECT_TRUE(got.count("213.61.29.0/24"));
  EXPECT_TRUE(got.count("2001:470:1f0b:1600::/56"));
}

}  // namespace
}  // namespace ph::proto::test
