// RADIUS parser tests: datagrams built byte by byte here (generated IMSIs
// with MCC 242 / MNC 01, generated MACs), each attribute with a field,
// EAP-Message split over attributes, vendor-specific attributes, truncation
// at every length, limits, the probe, and the tshark oracle on the real
// captures (one of them partially fuzzed).
#include "proto/radius/radius.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include "fixture/payloads.h"
#include "proto/capture_walk.h"
#include "proto/chunking.h"
#include "support/support.h"

namespace ph::proto::test {
namespace {

std::string u16(uint16_t v) { return {char(v >> 8), char(v & 0xFF)}; }
std::string attr(uint8_t type, std::string_view value) {
  return std::string(1, char(type)) + char(value.size() + 2) + std::string(value);
}
std::string radius(uint8_t code, const std::string& attrs, uint8_t id = 42) {
  std::string auth(16, '\x5A');
  return std::string(1, char(code)) + char(id) + u16(uint16_t(20 + attrs.size())) + auth + attrs;
}
// EAP-Response/Identity.
std::string eap_identity(std::string_view id, uint8_t eap_id = 1) {
  return std::string("\x02", 1) + char(eap_id) + u16(uint16_t(5 + id.size())) + "\x01" +
         std::string(id);
}
// EAP-Response/AKA-Identity (subtype 5) with AT_IDENTITY.
std::string eap_aka_identity(std::string_view id) {
  std::string value = u16(uint16_t(id.size())) + std::string(id);
  while ((value.size() + 2) % 4) value += '\0';
  std::string at = std::string(1, '\x0E') + char((value.size() + 2) / 4) + value;
  std::string body = std::string("\x17\x05\x00\x00", 4) + at;
  return std::string("\x02\x07", 2) + u16(uint16_t(4 + body.size())) + body;
}

struct Generated {
  std::string imsi, nai, mac;
};
Generated generate(uint64_t seed) {
  fixture::Prng rng(seed);
  Generated g;
  g.imsi = "24201";
  for (int i = 0; i < 10; ++i) g.imsi += char('0' + rng.next() % 10);
  g.nai = "0" + g.imsi + "@wlan.mnc001.mcc242.3gppnetwork.org";
  char mac[18];
  std::snprintf(mac, sizeof mac, "02-%02X-%02X-%02X-%02X-%02X", unsigned(rng.next() & 0xFF),
                unsigned(rng.next() & 0xFF), unsigned(rng.next() & 0xFF),
                unsigned(rng.next() & 0xFF), unsigned(rng.next() & 0xFF));
  g.mac = mac;
  return g;
}

using V = std::vector<std::string>;

std::vector<std::string> values(const Message& m, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& f : m.fields)
    if (f.name == name) out.push_back(f.value);
  return out;
}
std::string value(const Message& m, std::string_view name, std::string_view key = {}) {
  const Field* f = m.find(name, key);
  return f ? f->value : "<none>";
}
bool has_anomaly(const Collected& c, std::string_view what) {
  return std::find(c.anomalies.begin(), c.anomalies.end(), what) != c.anomalies.end();
}

// Datagram parsers get pieces whole whatever the chunking: the harness
// must still give the same result each way.
Collected parse(const std::vector<Piece>& pieces) {
  Collected whole = run(radius::parser(), pieces, Chunking::kWhole);
  Collected bytes = run(radius::parser(), pieces, Chunking::kByteByByte);
  Collected rnd = run(radius::parser(), pieces, Chunking::kRandom, 7);
  EXPECT_EQ(describe(bytes.messages), describe(whole.messages));
  EXPECT_EQ(describe(rnd.messages), describe(whole.messages));
  EXPECT_EQ(bytes.anomalies, whole.anomalies);
  return whole;
}

std::string access_request(const Generated& g) {
  const std::string eap = eap_identity(g.nai);
  return radius(1, attr(1, g.nai) + attr(2, std::string(16, '\xA7')) +
                       attr(4, std::string("\xC0\x00\x02\x0A", 4)) +
                       attr(30, "02-00-5E-00-53-01:ExampleNet") + attr(31, g.mac) +
                       attr(32, "ap-lobby-1") + attr(79, eap.substr(0, 10)) +
                       attr(79, eap.substr(10)) + attr(80, std::string(16, '\x11')));
}

TEST(Radius, AccessRequestWithEveryIdentity) {
  const Generated g = generate(1);
  Collected c = parse({{Direction::kUp, access_request(g)}});
  ASSERT_EQ(c.messages.size(), 1u);
  const Message& m = c.messages[0];
  EXPECT_EQ(m.protocol, "radius");
  EXPECT_EQ(m.kind, "access-request");
  EXPECT_EQ(value(m, "radius.code"), "access-request");
  EXPECT_EQ(value(m, "radius.user_name"), g.nai);
  EXPECT_EQ(value(m, "radius.imsi"), g.imsi);
  EXPECT_EQ(value(m, "radius.user_password_present"), "1");
  EXPECT_EQ(value(m, "radius.nas_ip"), "192.0.2.10");
  EXPECT_EQ(value(m, "radius.called_station_id"), "02-00-5E-00-53-01:ExampleNet");
  EXPECT_EQ(value(m, "radius.calling_station_id"), g.mac);
  EXPECT_EQ(value(m, "radius.nas_identifier"), "ap-lobby-1");
  // The EAP-Message pieces are one EAP packet.
  EXPECT_EQ(value(m, "eap.code"), "response");
  EXPECT_EQ(value(m, "eap.type"), "identity");
  EXPECT_EQ(value(m, "eap.identity"), g.nai);
  EXPECT_EQ(value(m, "eap.imsi"), g.imsi);
  // The password's bytes appear nowhere.
  for (const auto& f : m.fields) EXPECT_EQ(f.value.find('\xA7'), std::string::npos) << f.name;
  EXPECT_TRUE(c.anomalies.empty()) << ::testing::PrintToString(c.anomalies);
  auto facts = radius::parser().make(c)->facts();
  EXPECT_EQ(facts.app, "radius");
  EXPECT_EQ(facts.encrypted, false);
}

TEST(Radius, AccountingVendorAttributesAndAkaIdentity) {
  const Generated g = generate(2);
  // Vendor 10415 (3GPP) sub-attribute 1 (IMSI), and a vendor whose value is
  // not in the sub-attribute format.
  std::string vsa1 = std::string("\x00\x00\x28\xAF", 4) + attr(1, g.imsi);
  std::string vsa2 = std::string("\x00\x00\x01\x37", 4) + std::string("\x01\x00\x02", 3);
  std::string req = radius(4, attr(1, g.nai) + attr(8, std::string("\x0A\x01\x02\x03", 4)) +
                                  attr(44, "sess-0001") + attr(26, vsa1) + attr(26, vsa2));
  std::string chal =
      radius(11, attr(79, eap_aka_identity("6" + g.imsi.substr(0, 5) + "1" + g.imsi.substr(6) +
                                           "@wlan.mnc001.mcc242.3gppnetwork.org")));
  Collected c = parse({{Direction::kUp, req}, {Direction::kDown, chal}});
  ASSERT_EQ(c.messages.size(), 2u);
  const Message& a = c.messages[0];
  EXPECT_EQ(a.kind, "accounting-request");
  EXPECT_EQ(value(a, "radius.framed_ip"), "10.1.2.3");
  EXPECT_EQ(value(a, "radius.acct_session_id"), "sess-0001");
  std::string imsi_hex;
  for (char ch : g.imsi) imsi_hex += "3" + std::string(1, ch);
  EXPECT_EQ(value(a, "radius.vendor", "vendor:10415/1"), imsi_hex);
  EXPECT_EQ(value(a, "radius.vendor", "vendor:311"), "010002");
  EXPECT_EQ(a.find("eap.code"), nullptr);
  const Message& b = c.messages[1];
  EXPECT_EQ(b.kind, "access-challenge");
  EXPECT_EQ(b.dir, Direction::kDown);
  EXPECT_EQ(value(b, "eap.type"), "aka");
  ASSERT_NE(b.find("eap.identity"), nullptr);
  EXPECT_EQ(value(b, "eap.imsi").size(), 15u);  // AKA' form, '6' prefix
  EXPECT_TRUE(c.anomalies.empty()) << ::testing::PrintToString(c.anomalies);
}

TEST(Radius, PaddingBeyondLengthIsIgnored) {
  const Generated g = generate(3);
  Collected c = parse({{Direction::kUp, access_request(g) + std::string(30, '\x01')}});
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(value(c.messages[0], "radius.calling_station_id"), g.mac);
  EXPECT_TRUE(c.anomalies.empty());
}

TEST(Radius, EveryTruncationIsSafeAndReported) {
  const Generated g = generate(4);
  const std::string whole = access_request(g);
  const size_t mac_end = 20 + (2 + g.nai.size()) + 18 + 6 + 30 + (2 + g.mac.size());
  for (size_t n = 0; n < whole.size(); ++n) {
    Collected c = parse({{Direction::kUp, whole.substr(0, n)}});
    if (n < 20) {
      EXPECT_TRUE(c.messages.empty()) << n;
      // An empty datagram never reaches the session (the Feeder drops it).
      EXPECT_EQ(c.anomalies, n == 0 ? V{} : V{"radius.short"}) << n;
      continue;
    }
    ASSERT_EQ(c.messages.size(), 1u) << n;
    EXPECT_TRUE(has_anomaly(c, "radius.bad-length")) << n;
    // The fields before the cut are kept.
    EXPECT_EQ(c.messages[0].find("radius.calling_station_id") != nullptr, n >= mac_end) << n;
  }
}

TEST(Radius, DamagedDatagrams) {
  const Generated g = generate(5);
  std::string ok = access_request(g);
  // An attribute of length 1 stops the parsing; what came before stays.
  std::string bad_attr = radius(1, attr(1, g.nai) + std::string("\x1F\x01", 2) + attr(32, "x"));
  std::string bad_code = ok;
  bad_code[0] = 99;
  std::string bad_length = ok;
  bad_length[2] = 0x20;  // 8192 > 4096
  std::string bad_ip = radius(1, attr(4, "abc"));
  Collected c = parse({{Direction::kUp, bad_attr},
                       {Direction::kUp, bad_code},
                       {Direction::kUp, bad_length},
                       {Direction::kUp, bad_ip},
                       {Direction::kUp, ok}});
  ASSERT_EQ(c.messages.size(), 3u);
  EXPECT_EQ(value(c.messages[0], "radius.user_name"), g.nai);
  EXPECT_EQ(c.messages[0].find("radius.nas_identifier"), nullptr);
  EXPECT_EQ(c.messages[1].find("radius.nas_ip"), nullptr);
  EXPECT_EQ(value(c.messages[2], "radius.calling_station_id"), g.mac);
  EXPECT_EQ(c.anomalies, (V{"radius.bad-attribute", "radius.bad-code", "radius.bad-length",
                            "radius.bad-attribute"}));
}

TEST(Radius, DamagedEapMessageIsReported) {
  // EAP length longer than the attributes carry; then SIM attributes that
  // run past the packet.
  std::string eap = eap_identity("someone@example.org");
  eap[3] = char(eap[3] + 10);
  std::string sim = std::string("\x02\x05\x00\x0C\x12\x0A\x00\x00\x0E\x09\x00\x01", 12);
  Collected c = parse(
      {{Direction::kUp, radius(1, attr(79, eap))}, {Direction::kUp, radius(1, attr(79, sim))}});
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(c.messages[0].find("eap.identity"), nullptr);
  EXPECT_EQ(value(c.messages[1], "eap.type"), "sim");
  EXPECT_EQ(c.messages[1].find("eap.identity"), nullptr);
  EXPECT_EQ(c.anomalies, (V{"eap.bad-length", "eap.bad-attribute"}));
}

TEST(Radius, FieldLimitAndBadStreak) {
  std::string attrs;
  for (int i = 0; i < 300; ++i) attrs += attr(31, "m" + std::to_string(i % 10));
  Collected c = parse({{Direction::kUp, radius(1, attrs)}});
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(c.messages[0].fields.size(), 256u);
  EXPECT_EQ(c.anomalies, V{"radius.too-many-fields"});

  // 16 unreadable datagrams in a row: the flow is not RADIUS any more.
  std::vector<Piece> pieces(16, Piece{Direction::kUp, "junk"});
  pieces.push_back({Direction::kUp, access_request(generate(6))});
  c = parse(pieces);
  EXPECT_TRUE(c.messages.empty());
  EXPECT_EQ(c.anomalies.size(), 16u);
  pieces.erase(pieces.begin());  // 15 are tolerated
  c = parse(pieces);
  EXPECT_EQ(c.messages.size(), 1u);
}

TEST(Radius, ProbeByContent) {
  const auto& p = radius::parser();
  const std::string req = access_request(generate(7));
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(req), 40000), 60);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(req), 1812), 90);
  EXPECT_EQ(p.probe(Direction::kDown, as_bytes(radius(5, "")), 1813), 50);
  EXPECT_EQ(p.probe(Direction::kDown, as_bytes(radius(5, "")), 5000), 20);
  // Length must equal the datagram's, and attributes must tile it.
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(req + "x"), 1812), 0);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(radius(1, std::string("\x01\x05\x61", 3))), 1812), 0);
  std::string bad_code = req;
  bad_code[0] = 6;
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(bad_code), 1812), 0);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(std::string("GET / HTTP/1.1\r\n\r\nxxxx")), 1812), 0);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(fixture::dns_query(0x0100, "a.example", 1)), 1812), 0);
}

TEST(Radius, ArbitraryBytesNeverCrash) {
  fixture::Prng rng(99);
  const std::string base = access_request(generate(8));
  for (int i = 0; i < 500; ++i) {
    std::string s = base;
    for (int k = 0; k < 4; ++k) s[rng.next() % s.size()] = char(rng.next());
    Collected c = run(radius::parser(), {{Direction::kUp, s}}, Chunking::kWhole);
    for (const auto& m : c.messages) EXPECT_EQ(m.protocol, "radius");
  }
}

// ---- Oracle: tshark on the real captures -------------------------------------------

// Per frame: "user_name|calling_station_id|eap_identity" lists.
struct FrameIds {
  V user, calling, eap_identity, imsi;
  bool operator==(const FrameIds&) const = default;
};
using PerFrame = std::map<uint64_t, FrameIds>;

// Feeds every datagram of a UDP flow to one RADIUS session: from the first
// datagram the probe claims, or (`all`) from the first datagram, so that
// the oracle compares the parser on every datagram whatever recognition
// would have done with a flow whose first datagrams are damaged.
class DatagramConsumer : public flow::FlowConsumer {
 public:
  DatagramConsumer(uint16_t port, MessageSink& sink, bool all, std::set<uint64_t>& reached)
      : port_(port), sink_(sink), all_(all), reached_(reached) {}
  void on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    reached_.insert(frame);
    if (!feeder_ && (all_ || radius::parser().probe(dir, data, port_) > 0))
      feeder_ = std::make_unique<Feeder>(radius::parser().make(sink_), sink_);
    if (feeder_) feeder_->data(dir, data, ts, frame);
  }

 private:
  uint16_t port_;
  MessageSink& sink_;
  bool all_;
  std::set<uint64_t>& reached_;
  std::unique_ptr<Feeder> feeder_;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  for (size_t i; (i = s.find(sep, start)) != std::string::npos; start = i + 1)
    out.push_back(s.substr(start, i - start));
  out.push_back(s.substr(start));
  return out;
}

// tshark shows strings up to their first NUL, as UTF-8, each byte of an
// invalid sequence as U+FFFD.
std::string as_tshark_text(std::string_view s) {
  s = s.substr(0, s.find('\0'));
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const uint8_t c = uint8_t(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool valid = n > 0 && i + n <= s.size();
    for (size_t k = 1; valid && k < n; ++k) valid = (uint8_t(s[i + k]) & 0xC0) == 0x80;
    if (valid) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

const char kAgg = '\x1e';  // tshark's aggregator

// Values as tshark lists them: cut at NUL, U+FFFD for invalid UTF-8, split
// where tshark's aggregator byte occurs inside a value, empty ones dropped.
void add_as_tshark(V& out, std::string_view v) {
  for (const std::string& piece : split(as_tshark_text(v), kAgg))
    if (!piece.empty()) out.push_back(piece);
}

PerFrame ours(const std::string& file, Collected& sink, bool all,
              std::set<uint64_t>* reached = nullptr) {
  std::set<uint64_t> seen;
  walk_capture(file, [&](const flow::Flow& f) -> std::unique_ptr<flow::FlowConsumer> {
    if (f.proto != 17) return nullptr;
    return std::make_unique<DatagramConsumer>(f.server.port, sink, all, seen);
  });
  if (reached) *reached = seen;
  PerFrame out;
  for (const auto& m : sink.messages) {
    FrameIds& f = out[m.frame];
    for (const auto& v : values(m, "radius.user_name")) add_as_tshark(f.user, v);
    for (const auto& v : values(m, "radius.calling_station_id")) add_as_tshark(f.calling, v);
    for (const auto& v : values(m, "eap.identity")) add_as_tshark(f.eap_identity, v);
    for (const auto& v : values(m, "eap.imsi")) f.imsi.push_back(v);
  }
  return out;
}

// Also collects the frames tshark marks malformed, and those it does not
// dissect as RADIUS at all (fuzzed ports).
PerFrame theirs(const std::string& file, std::set<uint64_t>* malformed = nullptr) {
  std::string out = ph::test::run_command(
      "tshark -n -r " + ph::test::shell_quote(file) +
      " -Y radius -T fields -E occurrence=a -E aggregator=" +
      ph::test::shell_quote(std::string(1, kAgg)) +
      " -e frame.number -e radius.User_Name -e radius.Calling_Station_Id -e eap.identity"
      " -e eap.identity.prefix -e eap.identity.full -e e212.imsi -e _ws.malformed 2>/dev/null");
  PerFrame frames;
  for (const std::string& line : ph::test::split_lines(out)) {
    auto cols = split(line, '\t');
    if (cols.size() < 7) continue;
    FrameIds& f = frames[std::stoull(cols[0])];
    f.user = split(cols[1], kAgg);
    f.calling = split(cols[2], kAgg);
    f.eap_identity = split(cols[3], kAgg);
    // tshark 4.0 splits an identity of the 3GPP form into its prefix
    // (shown as '0') and the rest, and leaves eap.identity empty.
    if (f.eap_identity.empty() && cols[4].size() == 3 && !cols[5].empty())
      f.eap_identity.push_back(cols[4].substr(1, 1) + cols[5]);
    f.imsi = split(cols[6], kAgg);
    if (malformed && cols.size() > 7 && !cols[7].empty()) malformed->insert(std::stoull(cols[0]));
  }
  return frames;
}

std::string show(const FrameIds& f) {
  return "user=" + ::testing::PrintToString(f.user) +
         " calling=" + ::testing::PrintToString(f.calling) +
         " eap=" + ::testing::PrintToString(f.eap_identity) +
         " imsi=" + ::testing::PrintToString(f.imsi);
}

TEST(RadiusOracle, L12UserNameAndCallingStationMatchTshark) {
  PH_REQUIRE_SHARED_CAPTURES();
  PH_REQUIRE_TSHARK();
  const std::string file =
      (ph::test::shared_captures() / "leak/L12_radius_calling_station_mac.pcap").string();
  Collected sink;
  PerFrame mine = ours(file, sink, false);
  PerFrame ts = theirs(file);
  ASSERT_EQ(ts.size(), 4u);
  for (auto& [frame, f] : ts) {
    ASSERT_TRUE(mine.count(frame)) << frame;
    EXPECT_EQ(mine[frame], f) << frame << "\nours:   " << show(mine[frame])
                              << "\ntshark: " << show(f);
  }
  EXPECT_EQ(mine.size(), ts.size());
  EXPECT_EQ(mine[1].calling, V{"00-14-22-E9-54-5E"});
  EXPECT_TRUE(sink.anomalies.empty()) << ::testing::PrintToString(sink.anomalies);
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}
bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The partially fuzzed Verizon capture: every frame compared; each
// difference must fall in one of the explained classes below, counted.
TEST(RadiusOracle, L11FuzzedCaptureMatchesTsharkOrTheDifferenceIsExplained) {
  PH_REQUIRE_SHARED_CAPTURES();
  PH_REQUIRE_TSHARK();
  const std::string file =
      (ph::test::shared_captures() / "leak/L11_radius_eapaka_imsi_mac_fuzzed.pcap").string();
  Collected sink;
  std::set<uint64_t> reached, malformed;
  PerFrame mine = ours(file, sink, true, &reached);
  PerFrame ts = theirs(file, &malformed);
  std::set<uint64_t> frames;
  for (const auto& [f, ids] : mine) frames.insert(f);
  for (const auto& [f, ids] : ts) frames.insert(f);
  std::map<std::string, int> classes;
  int equal = 0;
  for (uint64_t f : frames) {
    const bool dissected = ts.count(f) > 0;  // tshark saw RADIUS in it
    FrameIds a = mine.count(f) ? mine[f] : FrameIds{};
    FrameIds b = dissected ? ts[f] : FrameIds{};
    // IMSIs: tshark 4.0 takes the digits of any identity whose realm ends in
    // "3gppnetwork.org" (digits or not, realm agreeing or not); phonehome
    // only 6-15 digits whose realm names the same MCC/MNC, any realm.
    for (const auto& imsi : a.imsi) {
      if (!dissected || b.eap_identity.empty()) break;  // identities compared below
      if (std::find(b.imsi.begin(), b.imsi.end(), imsi) != b.imsi.end()) continue;
      ASSERT_EQ(a.eap_identity.size(), 1u) << f;
      EXPECT_FALSE(ends_with(a.eap_identity[0], ".3gppnetwork.org")) << f;
      ++classes["imsi: realm not literally 3gppnetwork.org (tshark skips)"];
    }
    for (const auto& imsi : b.imsi) {
      if (std::find(a.imsi.begin(), a.imsi.end(), imsi) != a.imsi.end()) continue;
      ASSERT_EQ(b.eap_identity.size(), 1u) << f;
      const std::string& id = b.eap_identity[0];
      const bool realm_disagrees = id.find("mnc" + imsi.substr(3, 3) + ".mcc" + imsi.substr(0, 3) +
                                           ".") == std::string::npos;
      EXPECT_TRUE(!all_digits(imsi) || realm_disagrees) << f << " " << imsi;
      ++classes["imsi: not digits or realm disagrees (phonehome skips)"];
    }
    a.imsi.clear();
    b.imsi.clear();
    if (a == b) {
      ++equal;
      continue;
    }
    if (!reached.count(f)) {
      // The fuzzing broke the Ethernet/IP/UDP headers so that the decoder
      // counted the frame as malformed: it never reached the parser.
      EXPECT_TRUE(a == FrameIds{}) << f;
      ++classes["frame rejected by the decoder"];
      continue;
    }
    if (!dissected || b == FrameIds{}) {
      // tshark did not dissect it as RADIUS (fuzzed ports) or gave up
      // before any identity; phonehome reads it by content.
      EXPECT_TRUE(!dissected || malformed.count(f)) << f << "\nours: " << show(a);
      ++classes["tshark: not RADIUS or nothing read"];
      continue;
    }
    // Both read it, differently: only in frames tshark marks malformed,
    // where it mis-frames after a damaged Vendor-Specific attribute (it
    // continues inside the VSA) while phonehome follows the outer lengths,
    // or where a fuzzed attribute length swallows the next attributes.
    EXPECT_TRUE(malformed.count(f))
        << "frame " << f << "\nours:   " << show(a) << "\ntshark: " << show(b);
    ++classes["malformed frame read differently"];
  }
  std::string summary;
  for (const auto& [k, n] : classes) summary += k + ": " + std::to_string(n) + "\n";
  // Most frames agree; the explained classes stay small.
  EXPECT_GT(equal, 200) << summary;
  EXPECT_LT(classes["malformed frame read differently"], 20) << summary;
  // The ground truth (MANIFEST.md): the nine intact IMSIs and the client MACs.
  std::set<std::string> imsis, macs;
  for (const auto& m : sink.messages) {
    for (const auto& v : values(m, "eap.imsi")) imsis.insert(v);
    for (const auto& v : values(m, "radius.imsi")) imsis.insert(v);
    for (const auto& v : values(m, "radius.calling_station_id")) macs.insert(v);
  }
  for (const char* imsi : {"311480073638072", "311480281501589", "311480232568631",
                           "311480432608586", "311480071394304", "311480250864628",
                           "311480278501009", "311480158849685", "311480271516480"})
    EXPECT_TRUE(imsis.count(imsi)) << imsi;
  for (const char* mac :
       {"f0-79-60-d1-7d-37", "e0-5f-45-90-09-5f", "5c-1d-d9-53-0c-9b", "b0-9f-ba-4a-0e-7e",
        "90-b0-ed-4e-77-a3", "fc-db-b3-08-ff-14", "64-b0-a6-0e-a4-ec", "02-08-ec-bb-bb-bb"})
    EXPECT_TRUE(macs.count(mac)) << mac;
  for (const auto& imsi : imsis) EXPECT_TRUE(all_digits(imsi)) << imsi;
  EXPECT_FALSE(sink.anomalies.empty());  // the fuzzed datagrams are counted
  std::cout << "L11 vs tshark: " << equal << " frames equal\n" << summary;
}

}  // namespace
}  // namespace ph::proto::test
