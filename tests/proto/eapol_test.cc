// EAPOL parser and EAP helper tests: the IMSI form of SIM/AKA/AKA'
// identities (generated IMSIs, MCC 242 / MNC 01), EAP packets of each kind,
// EAPOL frames built with the fixture builder and decoded with
// decode_frame (no IP: Status::kNotIp, the link payload handed on), the
// harness, truncation at every length, the probe, and the tshark oracle on
// the real EAP-SIM capture.
#include "proto/eapol/eapol.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "decode/decode.h"
#include "fixture/builder.h"
#include "fixture/payloads.h"
#include "proto/capture_walk.h"
#include "proto/chunking.h"
#include "proto/eap/eap.h"
#include "support/support.h"

namespace ph::proto::test {
namespace {

std::string u16(uint16_t v) { return {char(v >> 8), char(v & 0xFF)}; }

std::string gen_imsi(uint64_t seed) {
  fixture::Prng rng(seed);
  std::string imsi = "24201";
  for (int i = 0; i < 10; ++i) imsi += char('0' + rng.next() % 10);
  return imsi;
}
std::string realm() { return "@wlan.mnc001.mcc242.3gppnetwork.org"; }

std::string eap(uint8_t code, uint8_t id, const std::string& rest) {
  return std::string(1, char(code)) + char(id) + u16(uint16_t(4 + rest.size())) + rest;
}
std::string eap_identity(std::string_view identity, uint8_t code = 2) {
  return eap(code, 1, "\x01" + std::string(identity));
}
// EAP-SIM Start (subtype 10) / AKA-Identity (5) response with AT_IDENTITY
// and, before it, another attribute (AT_SELECTED_VERSION for SIM).
std::string eap_sim_aka(uint8_t type, std::string_view identity) {
  std::string value = u16(uint16_t(identity.size())) + std::string(identity);
  while ((value.size() + 2) % 4) value += '\0';
  std::string attrs = std::string("\x10\x01\x00\x01", 4) +  // AT_SELECTED_VERSION 1
                      char(14) + char((value.size() + 2) / 4) + value;
  return eap(2, 2, std::string(1, char(type)) + char(type == 18 ? 10 : 5) + '\0' + '\0' + attrs);
}
std::string eapol(uint8_t type, const std::string& body, uint8_t version = 2) {
  return std::string(1, char(version)) + char(type) + u16(uint16_t(body.size())) + body;
}

using V = std::vector<std::string>;

std::vector<std::string> values(const Message& m, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& f : m.fields)
    if (f.name == name) out.push_back(f.value);
  return out;
}
std::string value(const Message& m, std::string_view name) {
  const Field* f = m.find(name);
  return f ? f->value : "<none>";
}

// ---- the IMSI form -----------------------------------------------------------

TEST(Eap, ImsiOnlyFromPermanentIdentitiesWithAMatchingRealm) {
  const std::string imsi = gen_imsi(1);
  EXPECT_EQ(eap::imsi_from_nai("0" + imsi + realm()), imsi);  // AKA
  EXPECT_EQ(eap::imsi_from_nai("1" + imsi + realm()), imsi);  // SIM
  EXPECT_EQ(eap::imsi_from_nai("6" + imsi + realm()), imsi);  // AKA'
  // A 3-digit MNC written as is; the NAI form of other realms that name
  // the MCC and MNC (the pre-3GPP "owlan.org" form of the L10 capture).
  EXPECT_EQ(eap::imsi_from_nai("0311480123456789@wlan.mnc480.mcc311.3gppnetwork.org"),
            "311480123456789");
  EXPECT_EQ(eap::imsi_from_nai("1" + imsi + "@mnc001.mcc242.owlan.org"), imsi);
  // Pseudonyms, re-authentication ids, other prefixes: no IMSI.
  for (char prefix : {'2', '3', '4', '5', '7', '8', 'a'})
    EXPECT_EQ(eap::imsi_from_nai(prefix + imsi + realm()), "") << prefix;
  // The realm must agree with the digits, and be there.
  EXPECT_EQ(eap::imsi_from_nai("0" + imsi + "@wlan.mnc002.mcc242.3gppnetwork.org"), "");
  EXPECT_EQ(eap::imsi_from_nai("0" + imsi + "@wlan.mnc001.mcc243.3gppnetwork.org"), "");
  EXPECT_EQ(eap::imsi_from_nai("0" + imsi + "@example.org"), "");
  EXPECT_EQ(eap::imsi_from_nai("0" + imsi), "");
  // Digits only, at most 15 of them.
  EXPECT_EQ(eap::imsi_from_nai("0" + imsi + "1" + realm()), "");
  std::string bad = imsi;
  bad[9] = 'x';
  EXPECT_EQ(eap::imsi_from_nai("0" + bad + realm()), "");
  EXPECT_EQ(eap::imsi_from_nai(""), "");
  EXPECT_EQ(eap::imsi_from_nai("@"), "");
}

// ---- the EAP helper ------------------------------------------------------------

struct Parsed {
  Collected sink;
  Message m;
  eap::Result r;
};
Parsed parse_eap(const std::string& packet) {
  Parsed p;
  p.r = eap::parse(as_bytes(packet), p.m, p.sink);
  return p;
}

TEST(Eap, PacketsOfEachKind) {
  const std::string imsi = gen_imsi(2);
  Parsed p = parse_eap(eap_identity("1" + imsi + realm()));
  EXPECT_TRUE(p.r.ok);
  EXPECT_EQ(p.r.code, 2);
  EXPECT_EQ(value(p.m, "eap.code"), "response");
  EXPECT_EQ(value(p.m, "eap.type"), "identity");
  EXPECT_EQ(value(p.m, "eap.identity"), "1" + imsi + realm());
  EXPECT_EQ(value(p.m, "eap.imsi"), imsi);

  p = parse_eap(eap_sim_aka(18, "1" + imsi + realm()));
  EXPECT_EQ(value(p.m, "eap.type"), "sim");
  EXPECT_EQ(value(p.m, "eap.identity"), "1" + imsi + realm());
  EXPECT_EQ(value(p.m, "eap.imsi"), imsi);
  p = parse_eap(eap_sim_aka(23, "0" + imsi + realm()));
  EXPECT_EQ(value(p.m, "eap.type"), "aka");
  EXPECT_EQ(value(p.m, "eap.imsi"), imsi);
  p = parse_eap(eap_sim_aka(50, "6" + imsi + realm()));
  EXPECT_EQ(value(p.m, "eap.type"), "aka-prime");
  EXPECT_EQ(value(p.m, "eap.imsi"), imsi);
  // A pseudonym: the identity only.
  p = parse_eap(eap_sim_aka(23, "2pseudonym7f3a" + realm()));
  EXPECT_EQ(value(p.m, "eap.identity"), "2pseudonym7f3a" + realm());
  EXPECT_EQ(p.m.find("eap.imsi"), nullptr);

  // A request's identity data is a prompt, not an identity.
  p = parse_eap(eap_identity("Hello", 1));
  EXPECT_EQ(value(p.m, "eap.code"), "request");
  EXPECT_EQ(p.m.find("eap.identity"), nullptr);
  // Success / failure: code only; unknown codes and types as numbers.
  p = parse_eap(eap(3, 9, ""));
  EXPECT_EQ(p.m.fields.size(), 1u);
  EXPECT_EQ(value(p.m, "eap.code"), "success");
  p = parse_eap(eap(9, 9, "\xC8"));
  EXPECT_EQ(value(p.m, "eap.code"), "9");
  EXPECT_EQ(value(p.m, "eap.type"), "200");
  EXPECT_TRUE(p.sink.anomalies.empty());
  // Bytes after the EAP length are not EAP.
  p = parse_eap(eap_identity("user@example.org") + "trailing");
  EXPECT_EQ(value(p.m, "eap.identity"), "user@example.org");
}

TEST(Eap, DamagedPackets) {
  Parsed p = parse_eap("\x02\x01");
  EXPECT_FALSE(p.r.ok);
  EXPECT_EQ(p.sink.anomalies, V{"eap.short"});
  p = parse_eap(std::string("\x02\x01\x00\x20\x01x", 6));  // length past the end
  EXPECT_FALSE(p.r.ok);
  EXPECT_EQ(p.sink.anomalies, V{"eap.bad-length"});
  p = parse_eap(std::string("\x02\x01\x00\x04", 4));  // a response without a type
  EXPECT_TRUE(p.r.ok);
  EXPECT_EQ(p.sink.anomalies, V{"eap.short"});
  // AT_IDENTITY whose actual length runs past the attribute, and an
  // attribute of length 0.
  std::string sim = eap_sim_aka(18, "1" + gen_imsi(3) + realm());
  std::string over = sim;
  over[5 + 3 + 4 + 2] = char(0x7F);  // actual length high byte
  p = parse_eap(over);
  EXPECT_EQ(p.m.find("eap.identity"), nullptr);
  EXPECT_EQ(p.sink.anomalies, V{"eap.bad-attribute"});
  std::string zero = sim;
  zero[5 + 3 + 1] = 0;  // AT_SELECTED_VERSION length 0
  p = parse_eap(zero);
  EXPECT_EQ(p.m.find("eap.identity"), nullptr);
  EXPECT_EQ(p.sink.anomalies, V{"eap.bad-attribute"});
  // Every truncation of a SIM response (EAP length kept): never a crash,
  // never an identity from a cut attribute.
  for (size_t n = 0; n < sim.size(); ++n) {
    std::string cut = sim.substr(0, n);
    if (n >= 4) cut[2] = char(n >> 8), cut[3] = char(n);
    p = parse_eap(cut);
    EXPECT_EQ(p.m.find("eap.identity") != nullptr, false) << n;
  }
}

// ---- EAPOL frames through decode_frame ---------------------------------------------

// An Ethernet frame of ethertype 0x888e (padded to the 60-byte minimum as on
// the wire), decoded: what the Engine will hand the parser.
std::string l2_payload(const std::string& eapol_bytes) {
  fixture::L2 l2;
  std::vector<uint8_t> payload(eapol_bytes.begin(), eapol_bytes.end());
  fixture::Frame f = fixture::ethernet(l2, 0x888e, payload);
  if (f.size() < 60) f.resize(60, 0);
  decode::PacketView v;
  Counters anomalies;
  EXPECT_EQ(decode::decode_frame(decode::kLinkEthernet, Bytes(f), v, anomalies),
            decode::Status::kNotIp);
  EXPECT_EQ(v.ethertype, 0x888e);
  return std::string(as_string(v.l2_payload));
}

Collected run_frames(const std::vector<Piece>& pieces) {
  Collected whole = run(eapol::parser(), pieces, Chunking::kWhole);
  Collected bytes = run(eapol::parser(), pieces, Chunking::kByteByByte);
  Collected rnd = run(eapol::parser(), pieces, Chunking::kRandom, 3);
  EXPECT_EQ(describe(bytes.messages), describe(whole.messages));
  EXPECT_EQ(describe(rnd.messages), describe(whole.messages));
  EXPECT_EQ(bytes.anomalies, whole.anomalies);
  return whole;
}

TEST(Eapol, EapSimAuthenticationThroughDecodedFrames) {
  const std::string imsi = gen_imsi(4);
  const std::string nai = "1" + imsi + realm();
  std::vector<Piece> pieces = {
      {Direction::kUp, l2_payload(eapol(1, ""))},
      {Direction::kDown, l2_payload(eapol(0, eap_identity("", 1)))},
      {Direction::kUp, l2_payload(eapol(0, eap_identity(nai)))},
      {Direction::kDown, l2_payload(eapol(0, eap(1, 2, std::string("\x12\x0A\x00\x00", 4))))},
      {Direction::kUp, l2_payload(eapol(0, eap_sim_aka(18, nai)))},
      {Direction::kDown, l2_payload(eapol(0, eap(3, 3, "")))},
      {Direction::kDown, l2_payload(eapol(3, std::string(1, '\x02') + std::string(94, '\0')))},
      {Direction::kUp, l2_payload(eapol(2, ""))},
      {Direction::kUp, l2_payload(eapol(5, "mka"))},  // MKA: no message
  };
  Collected c = run_frames(pieces);
  std::vector<std::string> kinds;
  for (const auto& m : c.messages) kinds.push_back(m.kind);
  EXPECT_EQ(kinds,
            (V{"start", "request", "response", "request", "response", "success", "key", "logoff"}));
  EXPECT_EQ(c.messages[1].find("eap.identity"), nullptr);
  EXPECT_EQ(value(c.messages[2], "eap.identity"), nai);
  EXPECT_EQ(value(c.messages[2], "eap.imsi"), imsi);
  EXPECT_EQ(value(c.messages[3], "eap.type"), "sim");
  EXPECT_EQ(value(c.messages[4], "eap.identity"), nai);
  EXPECT_EQ(value(c.messages[4], "eap.imsi"), imsi);
  EXPECT_EQ(value(c.messages[6], "eapol.key_type"), "rsn");
  EXPECT_EQ(c.messages[6].dir, Direction::kDown);
  for (const auto& m : c.messages) EXPECT_EQ(m.protocol, "eapol");
  EXPECT_TRUE(c.anomalies.empty()) << ::testing::PrintToString(c.anomalies);
  auto facts = eapol::parser().make(c)->facts();
  EXPECT_EQ(facts.app, "eapol");
  EXPECT_EQ(facts.encrypted, false);
}

TEST(Eapol, EveryTruncationIsSafeAndReported) {
  const std::string frame = eapol(0, eap_sim_aka(23, "0" + gen_imsi(5) + realm()));
  for (size_t n = 0; n < frame.size(); ++n) {
    Collected c = run_frames({{Direction::kUp, frame.substr(0, n)}});
    EXPECT_TRUE(c.messages.empty()) << n;
    if (n == 0) {  // an empty frame never reaches the session
      EXPECT_TRUE(c.anomalies.empty());
      continue;
    }
    ASSERT_EQ(c.anomalies.size(), 1u) << n;
    EXPECT_EQ(c.anomalies[0], n < 4 ? "eapol.short" : "eapol.bad-length") << n;
  }
  Collected c = run_frames(
      {{Direction::kUp, std::string("\x07\x00\x00\x00", 4)}, {Direction::kUp, eapol(3, "")}});
  EXPECT_EQ(c.anomalies, (V{"eapol.bad-version", "eapol.short"}));
}

TEST(Eapol, ProbeAndBadStreak) {
  const auto& p = eapol::parser();
  EXPECT_EQ(p.transport, Transport::kDatagram);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(eapol(1, "")), 0), 90);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(eapol(0, eap_identity("x")) + "pad"), 0), 90);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(eapol(0, "\x09\x01\x00\x04")), 0), 0);  // bad code
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(eapol(9, "")), 0), 0);                  // bad type
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(eapol(1, "", 4)), 0), 0);               // bad version
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(std::string("\x01\x00\x00\x10", 4)), 0), 0);
  std::vector<Piece> junk(16, Piece{Direction::kUp, "\x09"});
  junk.push_back({Direction::kUp, eapol(1, "")});
  EXPECT_TRUE(run_frames(junk).messages.empty());
}

// ---- Oracle: tshark on the real capture -------------------------------------------

TEST(EapolOracle, L10IdentitiesMatchTsharkAndCarryTheImsi) {
  PH_REQUIRE_SHARED_CAPTURES();
  PH_REQUIRE_TSHARK();
  const std::string file =
      (ph::test::shared_captures() / "leak/L10_eapol_eapsim_imsi.pcap").string();
  Collected sink;
  Feeder feeder(eapol::parser().make(sink), sink);
  int frames = 0;
  walk_capture(
      file, [](const flow::Flow&) { return nullptr; },
      [&](uint64_t frame, Timestamp ts, const decode::PacketView& v) {
        if (v.ethertype != 0x888e) return;
        ++frames;
        // The supplicant is the station that sent EAPOL-Start.
        const bool up = v.mac_src && v.mac_src[5] == 0x7a;
        feeder.data(up ? Direction::kUp : Direction::kDown, v.l2_payload, ts, frame);
      });
  std::map<uint64_t, V> mine, theirs;
  for (const auto& m : sink.messages)
    for (const auto& id : values(m, "eap.identity")) mine[m.frame].push_back(id);
  std::string out = ph::test::run_command("tshark -n -r " + ph::test::shell_quote(file) +
                                          " -Y eap.identity -T fields -e frame.number"
                                          " -e eap.identity 2>/dev/null");
  for (const std::string& line : ph::test::split_lines(out)) {
    size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos);
    theirs[std::stoull(line.substr(0, tab))].push_back(line.substr(tab + 1));
  }
  EXPECT_GT(frames, 20);
  EXPECT_EQ(mine, theirs);
  // MANIFEST.md: IMSI 295023820005391 in frames 19,21,32,34,55,59,106,109.
  std::vector<uint64_t> imsi_frames;
  for (const auto& m : sink.messages)
    if (m.find("eap.imsi")) {
      EXPECT_EQ(value(m, "eap.imsi"), "295023820005391");
      imsi_frames.push_back(m.frame);
    }
  EXPECT_EQ(imsi_frames, (std::vector<uint64_t>{19, 21, 32, 34, 55, 59, 106, 109}));
  EXPECT_TRUE(sink.anomalies.empty()) << ::testing::PrintToString(sink.anomalies);
}

}  // namespace
}  // namespace ph::proto::test
