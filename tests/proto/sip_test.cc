// SIP parser tests: messages written here with generated identifiers (an
// IMEI with its Luhn digit in a +sip.instance URN, generated phone
// numbers), compact and folded headers, name-addr lists, SDP bodies; over
// UDP one datagram per message, over TCP several messages per stream fed
// whole, byte by byte, in random chunks and with gaps (same messages
// required); malformed and truncated input and every limit; the probe.
// Then the oracle: tshark on the real captures with SIP.
#include "proto/sip/sip.h"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fixture/builder.h"
#include "fixture/payloads.h"
#include "proto/chunking.h"
#include "proto/http/http.h"
#include "proto/probing_oracle.h"
#include "proto/registry.h"
#include "proto/sip/message.h"
#include "support/support.h"

namespace ph::proto::test {
namespace {

constexpr Direction kUp = Direction::kUp;
constexpr Direction kDown = Direction::kDown;

std::string field(const Message& m, std::string_view name, std::string_view key = {}) {
  const Field* f = m.find(name, key);
  return f ? f->value : "<absent>";
}

std::vector<std::string> all(const Message& m, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& f : m.fields)
    if (f.name == name) out.push_back(f.value);
  return out;
}

// A parser entry with tunable limits (a function pointer cannot capture).
sip::Limits g_limits;
const Parser kLimitedUdp{"sip", Transport::kDatagram, sip::parser().probe,
                         [](MessageSink& s) { return sip::make_session(s, g_limits, false); }};
const Parser kLimitedTcp{"sip", Transport::kStream, sip::tcp_parser().probe,
                         [](MessageSink& s) { return sip::make_session(s, g_limits, true); }};

// Whole, byte by byte and random chunks (6 seeds) must give the same
// messages and anomalies; returns the whole run.
Collected run_all(const std::vector<Piece>& pieces, const Parser& p = sip::tcp_parser()) {
  Collected whole = run(p, pieces, Chunking::kWhole);
  std::string want = describe(whole.messages);
  Collected bytewise = run(p, pieces, Chunking::kByteByByte);
  EXPECT_EQ(describe(bytewise.messages), want) << "byte by byte";
  EXPECT_EQ(bytewise.anomalies, whole.anomalies) << "byte by byte";
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    Collected r = run(p, pieces, Chunking::kRandom, seed);
    EXPECT_EQ(describe(r.messages), want) << "seed " << seed;
    EXPECT_EQ(r.anomalies, whole.anomalies) << "seed " << seed;
  }
  return whole;
}

// ---- generated identities and messages -------------------------------------

struct Ids {
  std::string imei;      // 15 digits, Luhn-valid
  std::string imei_urn;  // urn:gsma:imei:TAC-SNR-CD
  std::string msisdn;    // "+47" and 8 digits
  std::string callee;    // another number
  std::string impi;      // IMSI-based private identity
};

std::string digits(fixture::Prng& rng, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += char('0' + rng.next() % 10);
  return s;
}

Ids make_ids(uint64_t seed) {
  fixture::Prng rng(seed);
  Ids ids;
  ids.imei = fixture::with_luhn(digits(rng, 14));
  ids.imei_urn = "urn:gsma:imei:" + ids.imei.substr(0, 8) + "-" + ids.imei.substr(8, 6) + "-" +
                 ids.imei.substr(14);
  ids.msisdn = "+47" + digits(rng, 8);
  ids.callee = "+47" + digits(rng, 8);
  ids.impi = "24201" + digits(rng, 10) + "@ims.mnc001.mcc242.3gppnetwork.org";
  return ids;
}

std::string with_length(std::string head, std::string_view body) {
  return head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

std::string register_msg(const Ids& ids) {
  return with_length(
      "REGISTER sip:ims.mnc001.mcc242.3gppnetwork.org SIP/2.0\r\n"
      "Via: SIP/2.0/TCP [2001:db8::5]:5060;branch=z9hG4bK1\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:" +
          ids.msisdn + "@ims.mnc001.mcc242.3gppnetwork.org>;tag=a1\r\n" + "To: <sip:" + ids.msisdn +
          "@ims.mnc001.mcc242.3gppnetwork.org>\r\n" + "Contact: <sip:" + ids.msisdn +
          "@[2001:db8::5]:5060>;+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel\";"
          "+sip.instance=\"<" +
          ids.imei_urn + ">\";expires=600000\r\n" + "P-Preferred-Identity: <tel:" + ids.msisdn +
          ">\r\n" + "Authorization: Digest username=\"" + ids.impi +
          "\",realm=\"ims.mnc001.mcc242.3gppnetwork.org\",uri=\"sip:ims.mnc001.mcc242."
          "3gppnetwork.org\",nonce=\"\",response=\"\"\r\n"
          "Call-ID: 5bd6f8e0-reg@2001:db8::5\r\n"
          "CSeq: 1 REGISTER\r\n"
          "User-Agent: Generated Phone 1.0\r\n",
      "");
}

std::string sdp(std::string_view addr) {
  return "v=0\r\no=- 1 1 IN IP4 " + std::string(addr) + "\r\ns=-\r\nc=IN IP4 " + std::string(addr) +
         "\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\nc=IN IP6 2001:db8::7/127\r\n";
}

// An INVITE in compact form with a folded Subject.
std::string invite_msg(const Ids& ids) {
  std::string body = sdp("198.51.100.7");
  return "INVITE sip:" + ids.callee + "@example.net;user=phone SIP/2.0\r\n" +
         "v: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK2\r\n" +
         "f: \"Ann \\\"A\\\" <x>\" <sip:" + ids.msisdn + "@example.net>;tag=b2\r\n" +
         "t: tel:" + ids.callee + ";phone-context=example.net\r\n" + "i: call-2@198.51.100.7\r\n" +
         "m: <sip:" + ids.msisdn + "@198.51.100.7:5060>\r\n" +
         "Subject: a subject\r\n  folded over\r\n\ttwo lines\r\n" + "CSeq: 1 INVITE\r\n" +
         "c: application/sdp; charset=utf-8\r\n" + "l: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

std::string ok_msg(const Ids& ids, std::string_view cseq) {
  return with_length(
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/TCP [2001:db8::5]:5060;branch=z9hG4bK1\r\n"
      "From: <sip:" +
          ids.msisdn + "@example.net>;tag=a1\r\n" + "To: <sip:" + ids.msisdn +
          "@example.net>;tag=s9\r\n" + "P-Asserted-Identity: \"Ann\" <sip:" + ids.msisdn +
          "@example.net>, <tel:" + ids.msisdn + ">\r\n" +
          "Contact: <sip:alice@192.0.2.1>;expires=60, sip:bob@192.0.2.2;q=0.5\r\n" +
          "Server: Generated-SBC/2\r\n" + "CSeq: " + std::string(cseq) + "\r\n",
      "");
}

// ---- UDP ---------------------------------------------------------------------------------

TEST(Sip, RegisterOverUdpYieldsTheIdentities) {
  Ids ids = make_ids(1);
  ASSERT_EQ(fixture::luhn_digit(ids.imei.substr(0, 14)), ids.imei[14]);
  Collected c = run(sip::parser(), {{kUp, register_msg(ids)}}, Chunking::kWhole);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_TRUE(c.anomalies.empty()) << ::testing::PrintToString(c.anomalies);
  const Message& m = c.messages[0];
  EXPECT_EQ(m.protocol, "sip");
  EXPECT_EQ(m.kind, "request");
  EXPECT_EQ(m.dir, kUp);
  EXPECT_EQ(field(m, "sip.method"), "REGISTER");
  EXPECT_EQ(field(m, "sip.request_uri"), "sip:ims.mnc001.mcc242.3gppnetwork.org");
  EXPECT_EQ(field(m, "sip.request_uri.user"), "<absent>");
  EXPECT_EQ(field(m, "sip.from.uri"), "sip:" + ids.msisdn + "@ims.mnc001.mcc242.3gppnetwork.org");
  EXPECT_EQ(field(m, "sip.from.user"), ids.msisdn);
  EXPECT_EQ(field(m, "sip.to.user"), ids.msisdn);
  EXPECT_EQ(field(m, "sip.from"),
            "<sip:" + ids.msisdn + "@ims.mnc001.mcc242.3gppnetwork.org>;tag=a1");
  EXPECT_EQ(field(m, "sip.contact.uri"), "sip:" + ids.msisdn + "@[2001:db8::5]:5060");
  EXPECT_EQ(field(m, "sip.contact.user"), ids.msisdn);
  EXPECT_EQ(field(m, "sip.contact.instance"), ids.imei_urn);
  EXPECT_EQ(field(m, "sip.p_preferred_identity"), "<tel:" + ids.msisdn + ">");
  EXPECT_EQ(field(m, "sip.p_preferred_identity.user"), ids.msisdn);
  EXPECT_EQ(field(m, "sip.authorization", "username"), ids.impi);
  EXPECT_EQ(field(m, "sip.authorization", "realm"), "ims.mnc001.mcc242.3gppnetwork.org");
  EXPECT_EQ(field(m, "sip.call_id"), "5bd6f8e0-reg@2001:db8::5");
  EXPECT_EQ(field(m, "sip.user_agent"), "Generated Phone 1.0");
  EXPECT_EQ(field(m, "sip.header", "max-forwards"), "70");
  EXPECT_EQ(field(m, "sip.header", "cseq"), "1 REGISTER");
  EXPECT_EQ(field(m, "sip.header", "content-length"), "0");
  EXPECT_TRUE(m.body.empty());
  FlowFacts facts = sip::parser().make(c)->facts();
  EXPECT_EQ(facts.app, "sip");
  EXPECT_EQ(facts.encrypted, false);
}

TEST(Sip, CompactFoldedHeadersAndSdp) {
  Ids ids = make_ids(2);
  std::string invite = invite_msg(ids);
  Collected c = run(sip::parser(), {{kUp, invite}}, Chunking::kWhole);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_TRUE(c.anomalies.empty()) << ::testing::PrintToString(c.anomalies);
  const Message& m = c.messages[0];
  EXPECT_EQ(field(m, "sip.method"), "INVITE");
  EXPECT_EQ(field(m, "sip.request_uri.user"), ids.callee);
  // f/t/m/i/v/c/l expanded to their full names.
  EXPECT_EQ(field(m, "sip.header", "via"), "SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK2");
  EXPECT_EQ(field(m, "sip.header", "call-id"), "call-2@198.51.100.7");
  EXPECT_EQ(field(m, "sip.header", "content-type"), "application/sdp; charset=utf-8");
  EXPECT_NE(m.find("sip.header", "content-length"), nullptr);
  EXPECT_EQ(m.find("sip.header", "f"), nullptr);
  EXPECT_EQ(field(m, "sip.call_id"), "call-2@198.51.100.7");
  // A quoted display name with escaped quotes and a '<' inside.
  EXPECT_EQ(field(m, "sip.from.display"), "Ann \"A\" <x>");
  EXPECT_EQ(field(m, "sip.from.user"), ids.msisdn);
  // An addr-spec To: its parameters are the header's; a tel: URI's user is the number.
  EXPECT_EQ(field(m, "sip.to.uri"), "tel:" + ids.callee);
  EXPECT_EQ(field(m, "sip.to.user"), ids.callee);
  EXPECT_EQ(field(m, "sip.contact.user"), ids.msisdn);
  EXPECT_EQ(field(m, "sip.contact.instance"), "<absent>");
  EXPECT_EQ(field(m, "sip.header", "subject"), "a subject folded over two lines");
  EXPECT_EQ(m.content_type, "application/sdp");
  EXPECT_EQ(m.body, sdp("198.51.100.7"));
  EXPECT_EQ(all(m, "sip.sdp.c"), (std::vector<std::string>{"198.51.100.7", "2001:db8::7"}));
}

TEST(Sip, ResponseWithIdentityAndContactLists) {
  Ids ids = make_ids(3);
  Collected c = run(sip::parser(), {{kDown, ok_msg(ids, "1 REGISTER")}}, Chunking::kWhole);
  ASSERT_EQ(c.messages.size(), 1u);
  const Message& m = c.messages[0];
  EXPECT_EQ(m.kind, "response");
  EXPECT_EQ(m.dir, kDown);
  EXPECT_EQ(field(m, "sip.status"), "200");
  EXPECT_EQ(field(m, "sip.reason"), "OK");
  EXPECT_EQ(field(m, "sip.server"), "Generated-SBC/2");
  EXPECT_EQ(all(m, "sip.p_asserted_identity.uri"),
            (std::vector<std::string>{"sip:" + ids.msisdn + "@example.net", "tel:" + ids.msisdn}));
  EXPECT_EQ(all(m, "sip.p_asserted_identity.user"),
            (std::vector<std::string>{ids.msisdn, ids.msisdn}));
  EXPECT_EQ(field(m, "sip.p_asserted_identity.display"), "Ann");
  EXPECT_EQ(all(m, "sip.contact.uri"),
            (std::vector<std::string>{"sip:alice@192.0.2.1", "sip:bob@192.0.2.2"}));
  EXPECT_EQ(all(m, "sip.contact.user"), (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(all(m, "sip.contact").size(), 1u);  // the whole value once
}

TEST(Sip, FactsNameTheRegistrar) {
  Ids ids = make_ids(4);
  Collected sink;
  auto s = sip::parser().make(sink);
  s->on_data(kUp, as_bytes(register_msg(ids)), 1, 1);
  EXPECT_EQ(s->facts().host, "ims.mnc001.mcc242.3gppnetwork.org");
  Collected sink2;
  auto t = sip::parser().make(sink2);
  std::string by_ip = "OPTIONS sip:192.0.2.1:5060 SIP/2.0\r\nContent-Length: 0\r\n\r\n";
  t->on_data(kUp, as_bytes(by_ip), 1, 1);
  EXPECT_EQ(t->facts().host, "");  // an address literal is not a name
}

TEST(Sip, UdpKeepalivesAndStunAreQuiet) {
  std::string stun = std::string("\x00\x01\x00\x00\x21\x12\xA4\x42", 8) + std::string(12, 'k');
  Collected c = run(sip::parser(), {{kUp, "\r\n\r\n"}, {kUp, std::string(4, '\0')}, {kDown, stun}},
                    Chunking::kWhole);
  EXPECT_TRUE(c.messages.empty());
  EXPECT_TRUE(c.anomalies.empty()) << ::testing::PrintToString(c.anomalies);
}

TEST(Sip, UdpMalformedAndTruncated) {
  Ids ids = make_ids(5);
  std::string invite = invite_msg(ids);
  std::string cut_head = invite.substr(0, invite.find("Subject:"));
  std::string cut_body = invite.substr(0, invite.size() - 10);
  std::string padded = invite + "trailing garbage";
  std::string bad_length = "BYE sip:x@example.net SIP/2.0\r\nContent-Length: 12x\r\n\r\n";
  Collected c = run(sip::parser(),
                    {{kUp, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
                     {kUp, "\x16\x03\x01 binary"},
                     {kUp, cut_head},
                     {kUp, cut_body},
                     {kUp, padded},
                     {kUp, bad_length}},
                    Chunking::kWhole);
  EXPECT_EQ(c.anomalies, (std::vector<std::string>{"sip.bad-start-line", "sip.bad-start-line",
                                                   "sip.no-end-of-headers", "sip.body-short",
                                                   "sip.bad-content-length"}));
  ASSERT_EQ(c.messages.size(), 4u);
  // A datagram cut in its headers: what is there is read.
  EXPECT_EQ(field(c.messages[0], "sip.from.user"), ids.msisdn);
  EXPECT_EQ(field(c.messages[0], "sip.header", "subject"), "<absent>");
  EXPECT_TRUE(c.messages[0].body_truncated);
  // Cut in the body: the body so far, marked.
  EXPECT_TRUE(c.messages[1].body_truncated);
  EXPECT_EQ(c.messages[1].body, sdp("198.51.100.7").substr(0, sdp("198.51.100.7").size() - 10));
  // Bytes past Content-Length are dropped (RFC 3261 18.3).
  EXPECT_FALSE(c.messages[2].body_truncated);
  EXPECT_EQ(c.messages[2].body, sdp("198.51.100.7"));
  // An invalid Content-Length: the rest of the datagram is the body.
  EXPECT_EQ(field(c.messages[3], "sip.method"), "BYE");
}

TEST(Sip, UdpLimits) {
  g_limits = sip::Limits{};
  g_limits.max_headers = 4;
  g_limits.max_line = 64;
  g_limits.max_body = 16;
  std::string msg = "MESSAGE sip:" + make_ids(6).callee +
                    "@example.net SIP/2.0\r\n"
                    "Subject: " +
                    std::string(80, 's') +
                    "\r\nXa: 1\r\nXb: 2\r\nXc: 3\r\nXd: 4\r\nXe: 5\r\nContent-Length: 20\r\n\r\n" +
                    std::string(20, 'b');
  Collected c = run(kLimitedUdp, {{kUp, msg}}, Chunking::kWhole);
  g_limits = sip::Limits{};
  EXPECT_EQ(c.anomalies, (std::vector<std::string>{"sip.line-too-long", "sip.too-many-headers",
                                                   "sip.body-cap"}));
  ASSERT_EQ(c.messages.size(), 1u);
  const Message& m = c.messages[0];
  EXPECT_EQ(field(m, "sip.header", "subject"), "<absent>");
  EXPECT_EQ(field(m, "sip.header", "xd"), "4");
  EXPECT_EQ(field(m, "sip.header", "xe"), "<absent>");
  // Content-Length past the header cap still frames the body.
  EXPECT_EQ(m.body, std::string(16, 'b'));
  EXPECT_TRUE(m.body_truncated);
}

// ---- TCP ---------------------------------------------------------------------------------

TEST(Sip, TcpSeveralMessagesSplitAnywhere) {
  Ids ids = make_ids(7);
  std::string text_body = "hello " + ids.callee;
  std::string message = with_length("MESSAGE sip:" + ids.callee +
                                        "@example.net SIP/2.0\r\n"
                                        "Content-Type: text/plain\r\n",
                                    text_body);
  Collected c = run_all({{kUp, register_msg(ids) + invite_msg(ids) + "\r\n\r\n" + message},
                         {kDown, ok_msg(ids, "1 REGISTER") + "\r\n" + ok_msg(ids, "1 INVITE")},
                         {kUp, "\r\n\r\n"}});
  EXPECT_TRUE(c.anomalies.empty()) << ::testing::PrintToString(c.anomalies);
  ASSERT_EQ(c.messages.size(), 5u);
  EXPECT_EQ(field(c.messages[0], "sip.method"), "REGISTER");
  EXPECT_EQ(field(c.messages[0], "sip.contact.instance"), ids.imei_urn);
  EXPECT_EQ(field(c.messages[1], "sip.method"), "INVITE");
  EXPECT_EQ(c.messages[1].body, sdp("198.51.100.7"));
  EXPECT_EQ(all(c.messages[1], "sip.sdp.c").size(), 2u);
  EXPECT_EQ(field(c.messages[2], "sip.method"), "MESSAGE");
  EXPECT_EQ(c.messages[2].body, text_body);
  EXPECT_EQ(c.messages[2].content_type, "text/plain");
  EXPECT_EQ(c.messages[2].find("sip.sdp.c"), nullptr);
  EXPECT_EQ(field(c.messages[3], "sip.status"), "200");
  EXPECT_EQ(field(c.messages[4], "sip.header", "cseq"), "1 INVITE");
  for (const auto& m : c.messages) EXPECT_FALSE(m.body_truncated);
}

TEST(Sip, TcpGapInABodyKeepsTheNextMessage) {
  Ids ids = make_ids(8);
  std::string invite = invite_msg(ids);
  size_t body_at = invite.find("\r\n\r\n") + 4;
  Collected c = run_all({{kUp, invite.substr(0, body_at + 5)},
                         {kUp, "", 20},
                         {kUp, invite.substr(body_at + 25) + register_msg(ids)}});
  EXPECT_EQ(c.anomalies, (std::vector<std::string>{"sip.body-gap"}));
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_TRUE(c.messages[0].body_truncated);
  EXPECT_EQ(c.messages[0].body.size(), sdp("198.51.100.7").size() - 20);
  EXPECT_EQ(field(c.messages[1], "sip.method"), "REGISTER");
}

TEST(Sip, TcpGapPastABodyOrInAHeadResynchronises) {
  Ids ids = make_ids(9);
  std::string invite = invite_msg(ids);
  size_t body_at = invite.find("\r\n\r\n") + 4;
  std::string reg = register_msg(ids);
  // The hole swallows the end of the body and the start of a REGISTER; the
  // rest of that REGISTER is skipped line by line up to the next start line.
  Collected c = run_all({{kUp, invite.substr(0, body_at + 5)},
                         {kUp, "", 400},
                         {kUp, reg.substr(30) + ok_msg(ids, "2 OPTIONS")}});
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(c.anomalies, (std::vector<std::string>{"sip.body-gap"}));
  EXPECT_TRUE(c.messages[0].body_truncated);
  EXPECT_EQ(field(c.messages[1], "sip.status"), "200");

  // A hole where a head was expected.
  Collected d = run_all({{kUp, reg.substr(0, 50)}, {kUp, "", 10}, {kUp, reg.substr(60) + reg}});
  EXPECT_TRUE(d.anomalies.empty()) << ::testing::PrintToString(d.anomalies);
  ASSERT_EQ(d.messages.size(), 1u);
  EXPECT_EQ(field(d.messages[0], "sip.method"), "REGISTER");
}

TEST(Sip, TcpGarbageAndMissingContentLength) {
  Ids ids = make_ids(10);
  std::string no_length =
      "OPTIONS sip:" + ids.callee + "@example.net SIP/2.0\r\nCSeq: 3 OPTIONS\r\n\r\n";
  Collected c = run_all({{kUp, no_length + "this is not SIP\r\nnor this\r\n" + register_msg(ids)}});
  EXPECT_EQ(c.anomalies, (std::vector<std::string>{"sip.no-content-length", "sip.bad-start-line"}));
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(field(c.messages[0], "sip.method"), "OPTIONS");
  EXPECT_EQ(field(c.messages[1], "sip.method"), "REGISTER");
}

TEST(Sip, TcpIncompleteBodyAtTheEnd) {
  Ids ids = make_ids(11);
  std::string invite = invite_msg(ids);
  Collected c = run_all({{kUp, invite.substr(0, invite.size() - 7)}});
  EXPECT_EQ(c.anomalies, (std::vector<std::string>{"sip.incomplete-body"}));
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_TRUE(c.messages[0].body_truncated);
  // A head that never completes is no message.
  Collected d = run_all({{kUp, invite.substr(0, 100)}});
  EXPECT_TRUE(d.messages.empty());
  EXPECT_TRUE(d.anomalies.empty());
}

TEST(Sip, TcpLimits) {
  Ids ids = make_ids(12);
  g_limits = sip::Limits{};
  g_limits.max_head = 700;
  g_limits.max_body = 32;
  g_limits.max_line = 200;
  std::string invite = invite_msg(ids);
  ASSERT_LT(invite.find("\r\n\r\n"), 700u);
  std::string big_head = "OPTIONS sip:x@example.net SIP/2.0\r\n";
  for (int i = 0; i < 5; ++i) big_head += "X-Pad: " + std::string(150, 'p') + "\r\n";
  big_head += "Content-Length: 0\r\n\r\n";
  std::string long_start = "OPTIONS sip:" + std::string(300, 'u') + "@example.net SIP/2.0\r\n\r\n";
  Collected c = run_all({{kUp, big_head + long_start + invite}}, kLimitedTcp);
  g_limits = sip::Limits{};
  // The long head, then the start line longer than a line may be, are
  // skipped; the INVITE is read with its body cut at 32 bytes.
  EXPECT_EQ(c.anomalies, (std::vector<std::string>{"sip.head-too-long", "sip.body-cap"}));
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(field(c.messages[0], "sip.method"), "INVITE");
  EXPECT_EQ(c.messages[0].body, sdp("198.51.100.7").substr(0, 32));
  EXPECT_TRUE(c.messages[0].body_truncated);
}

TEST(Sip, TcpGivesUpOnAStreamThatIsNotSip) {
  std::string junk(3 * 1024 * 1024 / 2, 'x');
  for (size_t i = 100; i < junk.size(); i += 100) junk[i] = '\n';
  Collected c = run(sip::tcp_parser(), {{kUp, "not sip at all\r\n" + junk}}, Chunking::kWhole);
  EXPECT_EQ(c.anomalies, (std::vector<std::string>{"sip.bad-start-line", "sip.resync-failed"}));
  EXPECT_TRUE(c.messages.empty());
}

// ---- probe and helpers ---------------------------------------------------------------------

TEST(Sip, ProbeByContent) {
  auto p = [](std::string_view s, uint16_t port = 40000) {
    return sip::parser().probe(kUp, as_bytes(s), port);
  };
  EXPECT_EQ(p("INVITE sip:a@b SIP/2.0\r\n"), 95);
  EXPECT_EQ(p("INVITE sip:a@b SIP/2.0\r\n", 5060), 100);
  EXPECT_EQ(p("\r\n\r\nSIP/2.0 180 Ringing\r\n"), 95);
  EXPECT_EQ(p("MESSAGE tel:+4700000000 SIP/2.0\r\n"), 95);
  EXPECT_EQ(p("INVITE urn:service:sos SIP/2.0\r\n"), 80);
  EXPECT_EQ(p("REGISTER sips:ims.example.net;transport"), 70);  // line still coming
  EXPECT_EQ(p("INVITE s"), 70);
  EXPECT_EQ(p("INVITE "), 0);
  EXPECT_EQ(p("INVITE http"), 0);
  EXPECT_EQ(p("FOO sip:x"), 0);
  EXPECT_EQ(p("GET / HTTP/1.1\r\n", 5060), 0);
  EXPECT_EQ(p("NOTIFY * HTTP/1.1\r\n", 5060), 0);
  EXPECT_EQ(p("HTTP/1.1 200 OK\r\n", 5060), 0);
  EXPECT_EQ(p("SIP/2.0 2000 x\r\n"), 0);
  EXPECT_EQ(p(""), 0);
  // HTTP does not claim SIP.
  std::string invite = invite_msg(make_ids(13));
  EXPECT_EQ(http::parser().probe(kUp, as_bytes(invite), 5060), 0);
  EXPECT_EQ(sip::tcp_parser().probe(kUp, as_bytes(invite), 5060), 100);
}

// No other registered parser claims SIP above the SIP probe.
TEST(Sip, OtherParsersScoreBelowSip) {
  Ids ids = make_ids(14);
  for (const std::string& msg : {register_msg(ids), invite_msg(ids), ok_msg(ids, "1 INVITE")}) {
    int ours = sip::parser().probe(kUp, as_bytes(msg), 5060);
    for (const Parser* p : parsers()) {
      if (p->name == "sip") continue;
      for (uint16_t port : {5060, 80, 53}) {
        for (Direction d : {kUp, kDown}) {
          EXPECT_LT(p->probe(d, as_bytes(msg.substr(0, 512)), port), ours) << p->name;
        }
      }
    }
  }
}

TEST(Sip, NameAddrAndUriHelpers) {
  sip::NameAddr na;
  ASSERT_TRUE(sip::parse_name_addr("Bob <sips:bob:pw@example.net;transport=tcp>;tag=9", na));
  EXPECT_EQ(na.display, "Bob");
  EXPECT_EQ(na.uri, "sips:bob:pw@example.net;transport=tcp");
  EXPECT_EQ(na.params, ";tag=9");
  EXPECT_EQ(sip::uri_user(na.uri), "bob");
  ASSERT_TRUE(sip::parse_name_addr("sip:carol@example.net;tag=<x>", na));
  EXPECT_EQ(na.uri, "sip:carol@example.net");
  EXPECT_EQ(na.display, "");
  EXPECT_FALSE(sip::parse_name_addr("\"unterminated <sip:a@b>", na));
  EXPECT_FALSE(sip::parse_name_addr("<sip:a@b", na));
  EXPECT_FALSE(sip::parse_name_addr("", na));
  EXPECT_EQ(sip::uri_user("tel:+4700000000;phone-context=x"), "+4700000000");
  EXPECT_EQ(sip::uri_user("sip:example.net"), "");
  EXPECT_EQ(sip::uri_user("urn:uuid:1234"), "");
  bool found = false;
  EXPECT_EQ(sip::param_value(";a=1;+SIP.instance=\"<urn:x;y>\";b", "+sip.instance", found),
            "<urn:x;y>");
  EXPECT_TRUE(found);
  sip::param_value(";a=1", "b", found);
  EXPECT_FALSE(found);
}

// A Contact value that does not parse is counted, the rest of the message kept.
TEST(Sip, BadNameAddrIsCounted) {
  Collected c = run(sip::parser(),
                    {{kUp,
                      "OPTIONS sip:x@example.net SIP/2.0\r\nContact: \"open <sip:a@b>\r\n"
                      "From: <sip:a@b\r\nTo: <sip:c@d>\r\nContent-Length: 0\r\n\r\n"}},
                    Chunking::kWhole);
  EXPECT_EQ(c.anomalies, (std::vector<std::string>{"sip.bad-name-addr", "sip.bad-name-addr"}));
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(field(c.messages[0], "sip.to.user"), "c");
  EXPECT_EQ(field(c.messages[0], "sip.from"), "<sip:a@b");
}

// ---- oracle: tshark on the real captures -----------------------------------------------------
//
// Every capture with SIP (tshark -Y sip finds it in L16 and in the B02
// merge; none carries SIP over TCP) runs through the Engine; UDP flows
// whose datagrams the SIP probe claims get a session. Per frame, the
// method, request URI, status, From/To/Contact URIs and users, Call-ID,
// digest username and SDP connection addresses must equal tshark's.

constexpr char kAgg = '\x1e';

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : std::string(1, kAgg)) + x;
  return s;
}

// The compared columns of one message; several messages in one frame (a
// TCP segment completing more than one) are joined column by column, as
// tshark's aggregator does.
constexpr size_t kColumns = 12;
using Columns = std::array<std::vector<std::string>, kColumns>;

void add_columns(const Message& m, Columns& c) {
  size_t i = 0;
  for (std::string_view name :
       {"sip.method", "sip.request_uri", "sip.status", "sip.from.uri", "sip.from.user",
        "sip.to.uri", "sip.to.user", "sip.contact.uri", "sip.contact.user", "sip.call_id"}) {
    for (auto& v : all(m, name)) c[i].push_back(v);
    ++i;
  }
  for (const auto& x : m.fields)
    if (x.name == "sip.authorization" && x.key == "username") c[10].push_back(x.value);
  for (auto& v : all(m, "sip.sdp.c")) c[11].push_back(v);
}

struct OracleSink : MessageSink {
  std::map<uint64_t, Columns> columns;
  std::map<std::string, int> anomalies;
  void on_message(Message&& m) override { add_columns(m, columns[m.frame]); }
  void on_anomaly(std::string_view what) override { ++anomalies[std::string(what)]; }
  std::map<uint64_t, std::string> frames() const {
    std::map<uint64_t, std::string> out;
    for (const auto& [n, c] : columns) {
      std::string text;
      for (size_t i = 0; i < kColumns; ++i) text += (i ? "|" : "") + joined(c[i]);
      out[n] = text;
    }
    return out;
  }
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

std::map<uint64_t, std::string> tshark_sip(const std::filesystem::path& file) {
  std::string out = ph::test::run_command(
      "tshark -n -r " + ph::test::shell_quote(file.string()) +
      " -Y sip -T fields -E occurrence=a -E aggregator=" +
      ph::test::shell_quote(std::string(1, kAgg)) +
      " -e frame.number -e sip.Method -e sip.r-uri -e sip.Status-Code -e sip.from.addr"
      " -e sip.from.user -e sip.to.addr -e sip.to.user -e sip.contact.uri -e sip.contact.user"
      " -e sip.Call-ID -e sip.auth.username -e sdp.connection_info.address 2>/dev/null");
  std::map<uint64_t, std::string> frames;
  for (const auto& line : ph::test::split_lines(out)) {
    auto cols = split(line, '\t');
    if (cols.size() != 13) continue;
    // tshark keeps the quotes of a digest username; phonehome unquotes it.
    std::string& user = cols[11];
    std::string unquoted;
    for (const auto& u : split(user, kAgg)) {
      std::string v =
          u.size() >= 2 && u.front() == '"' && u.back() == '"' ? u.substr(1, u.size() - 2) : u;
      unquoted += (unquoted.empty() ? "" : std::string(1, kAgg)) + v;
    }
    user = unquoted;
    std::string text;
    for (size_t i = 1; i < cols.size(); ++i) text += (i > 1 ? "|" : "") + cols[i];
    frames[std::stoull(cols[0])] = text;
  }
  return frames;
}

// Runs `file` through `parser` and tshark; returns the frames that differ,
// counting those that agree in `compared`.
std::vector<std::string> compare_with_tshark(const std::filesystem::path& file,
                                             const Parser& parser, size_t& compared,
                                             std::map<std::string, int>& anomalies) {
  OracleSink sink;
  run_probing_parser(file, parser, sink);
  const auto ours_by_frame = sink.frames();
  auto want = tshark_sip(file);
  anomalies = sink.anomalies;
  std::set<uint64_t> frames;
  for (const auto& [n, t] : want) frames.insert(n);
  for (const auto& [n, t] : ours_by_frame) frames.insert(n);
  std::vector<std::string> diffs;
  for (uint64_t n : frames) {
    auto t = want.find(n);
    auto o = ours_by_frame.find(n);
    std::string theirs = t == want.end() ? "<none>" : t->second;
    std::string ours = o == ours_by_frame.end() ? "<none>" : o->second;
    if (theirs != ours) {
      diffs.push_back("frame " + std::to_string(n) + "\n  tshark    " + theirs + "\n  phonehome " +
                      ours);
    } else {
      ++compared;
    }
  }
  return diffs;
}

TEST(SipOracle, MessagesMatchTshark) {
  PH_REQUIRE_SHARED_CAPTURES();
  PH_REQUIRE_TSHARK();
  const auto root = ph::test::shared_captures();
  size_t compared = 0;
  for (const char* name :
       {"leak/L16_sip_phone_numbers.pcap", "bench/B02_ndpi_realapps_merged.pcap"}) {
    auto file = root / name;
    if (!std::filesystem::exists(file)) continue;
    SCOPED_TRACE(name);
    std::map<std::string, int> anomalies;
    auto diffs = compare_with_tshark(file, sip::parser(), compared, anomalies);
    EXPECT_TRUE(diffs.empty()) << ::testing::PrintToString(diffs);
    EXPECT_TRUE(anomalies.empty()) << ::testing::PrintToString(anomalies);
  }
  // L16 alone has 81 SIP frames; B02 adds 114 when present.
  EXPECT_GE(compared, 81u);
}

// No real capture carries SIP over TCP: a conversation is built here
// (segments cutting messages anywhere, two messages completed by one
// segment, a CRLF keep-alive) and both tshark and phonehome read it.
TEST(SipOracle, TcpConversationMatchesTshark) {
  PH_REQUIRE_TSHARK();
  Ids ids = make_ids(15);
  // tshark 4.0 frames SIP over TCP by "Content-Length" only (after a
  // compact "l:" it takes the body for the next message), and gives no To
  // address for an addr-spec tel: URI; phonehome reads both (see
  // Sip.TcpSeveralMessagesSplitAnywhere): here the INVITE spells them out.
  std::string invite = invite_msg(ids);
  auto replace = [&invite](const std::string& from, const std::string& to) {
    size_t at = invite.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    invite.replace(at, from.size(), to);
  };
  replace("\r\nl: ", "\r\nContent-Length: ");
  replace("t: tel:" + ids.callee + ";phone-context=example.net",
          "To: <sip:" + ids.callee + "@example.net>");
  std::string up =
      register_msg(ids) + invite + "\r\n\r\n" +
      with_length("MESSAGE sip:" + ids.callee +
                      "@example.net SIP/2.0\r\n"
                      "From: <sip:" +
                      ids.msisdn + "@example.net>;tag=m\r\n" + "To: <sip:" + ids.callee +
                      "@example.net>\r\n" + "Call-ID: m1@example.net\r\nCSeq: 2 MESSAGE\r\n" +
                      "Content-Type: text/plain\r\n",
                  "hello");
  std::string down = ok_msg(ids, "1 REGISTER") + ok_msg(ids, "1 INVITE");
  fixture::TcpConversation tcp({}, IpAddr::parse("192.0.2.10"), 40000, IpAddr::parse("192.0.2.1"),
                               5060);
  std::vector<fixture::Record> records;
  Timestamp ts = 1'700'000'000 * kNsPerSec;
  auto add = [&](fixture::Frame f) { records.push_back({ts += 1000, std::move(f)}); };
  add(tcp.handshake_syn());
  add(tcp.handshake_synack());
  add(tcp.handshake_ack());
  // Cuts: inside the REGISTER's start line, inside the INVITE's headers,
  // inside its body, around the CRLF keep-alive (tshark 4.0 stops reading a
  // segment at a keep-alive that follows a message in it, and so loses the
  // next message; phonehome does not: Sip.TcpSeveralMessagesSplitAnywhere),
  // inside the MESSAGE.
  size_t invite_at = register_msg(ids).size();
  const size_t invite_end = invite_at + invite.size();
  std::vector<size_t> cuts = {
      10, invite_at + 120, invite_end - 30, invite_end, invite_end + 4, up.size() - 3, up.size()};
  size_t from = 0;
  for (size_t to : cuts) {
    add(tcp.client_send(std::string_view(up).substr(from, to - from)));
    from = to;
    if (to == cuts[1]) add(tcp.server_send(down));  // both responses in one segment
  }
  add(tcp.client_fin());
  add(tcp.server_fin());
  ph::test::TempDir dir;
  const auto file = dir.file("sip_tcp.pcap");
  fixture::write_file(file.string(), fixture::write_pcap(records, {}));

  size_t compared = 0;
  std::map<std::string, int> anomalies;
  auto diffs = compare_with_tshark(file, sip::tcp_parser(), compared, anomalies);
  EXPECT_TRUE(diffs.empty()) << ::testing::PrintToString(diffs);
  EXPECT_TRUE(anomalies.empty()) << ::testing::PrintToString(anomalies);
  // Frames completing SIP messages: REGISTER+part, INVITE, MESSAGE, and the
  // responses' segment.
  EXPECT_EQ(compared, 4u);
}

// The leak of L16 (MANIFEST.md): phone numbers in the request URI and To.
TEST(SipOracle, PhoneNumbersOfL16) {
  PH_REQUIRE_SHARED_CAPTURES();
  auto file = ph::test::shared_captures() / "leak/L16_sip_phone_numbers.pcap";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << file << " is absent";
  struct Users : MessageSink {
    std::map<std::string, int> seen;
    void on_message(Message&& m) override {
      for (const auto& f : m.fields)
        if (f.name == "sip.to.user" || f.name == "sip.request_uri.user") ++seen[f.value];
    }
    void on_anomaly(std::string_view) override {}
  } sink;
  run_probing_parser(file, sip::parser(), sink);
  EXPECT_GT(sink.seen["97239287044"], 0);
  EXPECT_GT(sink.seen["0097239287044"], 0);
}

}  // namespace
}  // namespace ph::proto::test
