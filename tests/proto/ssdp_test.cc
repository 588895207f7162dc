// SSDP parser tests: NOTIFY, M-SEARCH and search responses written here
// with generated identifiers (a MAC-derived UUID and bridge id), vendor
// headers, folded and odd header lines, malformed datagrams and the
// limits; the probe against plain HTTP's. Then the oracle: tshark's SSDP
// (its http.* fields) on the real captures, header by header.
#include "proto/ssdp/ssdp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fixture/payloads.h"
#include "proto/chunking.h"
#include "proto/http/http.h"
#include "proto/probing_oracle.h"
#include "proto/registry.h"
#include "support/support.h"

namespace ph::proto::test {
namespace {

constexpr Direction kUp = Direction::kUp;
constexpr Direction kDown = Direction::kDown;

std::string field(const Message& m, std::string_view name, std::string_view key = {}) {
  const Field* f = m.find(name, key);
  return f ? f->value : "<absent>";
}

ssdp::Limits g_limits;
const Parser kLimited{"ssdp", Transport::kDatagram, ssdp::parser().probe,
                      [](MessageSink& s) { return ssdp::make_session(s, g_limits); }};

// A generated device: MAC, its EUI-64 bridge id and a UUID ending in the MAC.
struct Device {
  std::string mac_hex;  // 12 lowercase hex digits
  std::string bridge_id;
  std::string uuid;
};

Device make_device(uint64_t seed) {
  fixture::Prng rng(seed);
  static const char* hex = "0123456789abcdef";
  Device d;
  for (int i = 0; i < 12; ++i) d.mac_hex += hex[rng.next() % 16];
  std::string upper = d.mac_hex;
  for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
  d.bridge_id = upper.substr(0, 6) + "FFFE" + upper.substr(6);
  d.uuid = "2f402f80-da50-11e1-9b23-" + d.mac_hex;
  return d;
}

std::string notify(const Device& d) {
  return "NOTIFY * HTTP/1.1\r\n"
         "HOST: 239.255.255.250:1900\r\n"
         "CACHE-CONTROL: max-age=100\r\n"
         "LOCATION: http://192.0.2.6:80/description.xml\r\n"
         "SERVER: Linux/3.14.0 UPnP/1.0 IpBridge/1.9.0\r\n"
         "NTS: ssdp:alive\r\n"
         "hue-bridgeid: " +
         d.bridge_id +
         "\r\n"
         "NT: upnp:rootdevice\r\n"
         "USN: uuid:" +
         d.uuid + "::upnp:rootdevice\r\n\r\n";
}

std::string msearch() {
  return "M-SEARCH * HTTP/1.1\r\n"
         "Host:239.255.255.250:1900\r\n"
         "ST:urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
         "Man:\"ssdp:discover\"\r\n"
         "MX:3\r\n"
         "USER-AGENT: Android/11 UPnP/1.1 Generated/1.0\r\n\r\n";
}

std::string response(const Device& d) {
  return "HTTP/1.1 200 OK\r\n"
         "CACHE-CONTROL: max-age=1800\r\n"
         "EXT:\r\n"
         "LOCATION: http://192.0.2.9:49152/rootDesc.xml\r\n"
         "SERVER: Generated/1.0 UPnP/1.0 Router/2\r\n"
         "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
         "USN: uuid:" +
         d.uuid + "::urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n";
}

Collected run_datagrams(const std::vector<Piece>& pieces, const Parser& p = ssdp::parser()) {
  Collected whole = run(p, pieces, Chunking::kWhole);
  // A datagram parser gets datagrams whole whatever the chunking asked.
  Collected again = run(p, pieces, Chunking::kRandom, 3);
  EXPECT_EQ(describe(again.messages), describe(whole.messages));
  EXPECT_EQ(again.anomalies, whole.anomalies);
  return whole;
}

TEST(Ssdp, NotifyKeepsEveryHeaderAndTheVendorOnes) {
  Device d = make_device(1);
  Collected c = run_datagrams({{kUp, notify(d)}});
  EXPECT_TRUE(c.anomalies.empty()) << ::testing::PrintToString(c.anomalies);
  ASSERT_EQ(c.messages.size(), 1u);
  const Message& m = c.messages[0];
  EXPECT_EQ(m.protocol, "ssdp");
  EXPECT_EQ(m.kind, "request");
  EXPECT_EQ(field(m, "ssdp.method"), "NOTIFY");
  EXPECT_EQ(field(m, "ssdp.uri"), "*");
  EXPECT_EQ(field(m, "ssdp.header", "hue-bridgeid"), d.bridge_id);
  EXPECT_EQ(field(m, "ssdp.header", "cache-control"), "max-age=100");
  EXPECT_EQ(field(m, "ssdp.header", "host"), "239.255.255.250:1900");
  EXPECT_EQ(field(m, "ssdp.server"), "Linux/3.14.0 UPnP/1.0 IpBridge/1.9.0");
  EXPECT_EQ(field(m, "ssdp.location"), "http://192.0.2.6:80/description.xml");
  EXPECT_EQ(field(m, "ssdp.nt"), "upnp:rootdevice");
  EXPECT_EQ(field(m, "ssdp.nts"), "ssdp:alive");
  EXPECT_EQ(field(m, "ssdp.usn"), "uuid:" + d.uuid + "::upnp:rootdevice");
  EXPECT_EQ(field(m, "ssdp.uuid"), d.uuid);
  size_t headers = 0;
  for (const auto& f : m.fields) headers += f.name == "ssdp.header";
  EXPECT_EQ(headers, 8u);
  FlowFacts facts = ssdp::parser().make(c)->facts();
  EXPECT_EQ(facts.app, "ssdp");
  EXPECT_EQ(facts.encrypted, false);
}

TEST(Ssdp, SearchAndResponse) {
  Device d = make_device(2);
  Collected c = run_datagrams({{kUp, msearch()}, {kDown, response(d)}});
  EXPECT_TRUE(c.anomalies.empty()) << ::testing::PrintToString(c.anomalies);
  ASSERT_EQ(c.messages.size(), 2u);
  const Message& q = c.messages[0];
  EXPECT_EQ(field(q, "ssdp.method"), "M-SEARCH");
  EXPECT_EQ(field(q, "ssdp.st"), "urn:schemas-upnp-org:device:InternetGatewayDevice:1");
  EXPECT_EQ(field(q, "ssdp.header", "man"), "\"ssdp:discover\"");
  EXPECT_EQ(field(q, "ssdp.header", "mx"), "3");
  EXPECT_EQ(field(q, "ssdp.user_agent"), "Android/11 UPnP/1.1 Generated/1.0");
  const Message& r = c.messages[1];
  EXPECT_EQ(r.kind, "response");
  EXPECT_EQ(r.dir, kDown);
  EXPECT_EQ(field(r, "ssdp.status"), "200");
  EXPECT_EQ(field(r, "ssdp.reason"), "OK");
  EXPECT_EQ(field(r, "ssdp.header", "ext"), "");
  EXPECT_EQ(field(r, "ssdp.uuid"), d.uuid);
  EXPECT_EQ(field(r, "ssdp.location"), "http://192.0.2.9:49152/rootDesc.xml");
}

TEST(Ssdp, OddButReadableDatagrams) {
  // Bare LFs, no final empty line, a folded SERVER, space before a colon.
  std::string odd =
      "NOTIFY * HTTP/1.1\nNT : upnp:rootdevice\nSERVER: Generated/1.0\n  UPnP/1.0\nUSN: uuid:abc";
  Collected c = run_datagrams({{kUp, odd}, {kUp, "\r\n"}});
  EXPECT_TRUE(c.anomalies.empty()) << ::testing::PrintToString(c.anomalies);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(field(c.messages[0], "ssdp.nt"), "upnp:rootdevice");
  EXPECT_EQ(field(c.messages[0], "ssdp.server"), "Generated/1.0 UPnP/1.0");
  EXPECT_EQ(field(c.messages[0], "ssdp.uuid"), "abc");
}

TEST(Ssdp, MalformedDatagramsAreCounted) {
  Collected c = run_datagrams({{kUp, "\x01\x02 binary"},
                               {kUp, "NOTIFY *\r\n\r\n"},
                               {kUp,
                                "NOTIFY * HTTP/1.1\r\n continued?\r\nno colon here\r\n"
                                ": empty name\r\nNT: x\r\n\r\n"}});
  EXPECT_EQ(c.anomalies,
            (std::vector<std::string>{"ssdp.bad-start-line", "ssdp.bad-start-line",
                                      "ssdp.fold-without-header", "ssdp.bad-header-line",
                                      "ssdp.bad-header-line"}));
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(field(c.messages[0], "ssdp.nt"), "x");
}

TEST(Ssdp, Limits) {
  g_limits = ssdp::Limits{};
  g_limits.max_headers = 3;
  g_limits.max_line = 40;
  std::string msg = "NOTIFY * HTTP/1.1\r\nX-Long: " + std::string(50, 'l') +
                    "\r\nNT: a\r\nNTS: b\r\nUSN: c\r\nSERVER: d\r\n\r\n";
  Collected c = run_datagrams({{kUp, msg}}, kLimited);
  g_limits = ssdp::Limits{};
  EXPECT_EQ(c.anomalies, (std::vector<std::string>{"ssdp.line-too-long", "ssdp.too-many-headers"}));
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(field(c.messages[0], "ssdp.header", "x-long"), "<absent>");
  EXPECT_EQ(field(c.messages[0], "ssdp.usn"), "c");
  EXPECT_EQ(field(c.messages[0], "ssdp.server"), "<absent>");
}

TEST(Ssdp, ProbeByContentAboveHttp) {
  Device d = make_device(3);
  auto p = [](std::string_view s, uint16_t port) {
    return ssdp::parser().probe(kUp, as_bytes(s), port);
  };
  EXPECT_EQ(p(notify(d), 40000), 97);
  EXPECT_EQ(p(notify(d), 1900), 100);
  EXPECT_EQ(p(msearch(), 1900), 100);
  EXPECT_EQ(p(response(d), 51234), 96);
  EXPECT_EQ(p("HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 0\r\n\r\n", 1900), 53);
  EXPECT_EQ(p("HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 0\r\n\r\n", 80), 0);
  EXPECT_EQ(p("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1900), 0);
  EXPECT_EQ(p("SUBSCRIBE * HTTP/1.1\r\nNT: upnp:event\r\n\r\n", 40000), 90);
  EXPECT_EQ(p("INVITE sip:a@b SIP/2.0\r\n\r\n", 1900), 0);
  EXPECT_EQ(p("", 1900), 0);
  // Whatever port, SSDP content scores above what HTTP's probe would give.
  for (uint16_t port : {80, 8080, 1900}) {
    for (const std::string& s : {notify(d), msearch(), response(d)}) {
      int h = http::parser().probe(kUp, as_bytes(s), port);
      h = std::max(h, http::parser().probe(kDown, as_bytes(s), port));
      EXPECT_GT(p(s, port), h) << s;
    }
  }
}

// No other registered parser claims SSDP above the SSDP probe.
TEST(Ssdp, OtherParsersScoreBelowSsdp) {
  Device d = make_device(4);
  for (const std::string& msg : {notify(d), msearch(), response(d)}) {
    for (uint16_t port : {1900, 80, 53, 5353}) {
      int ours = ssdp::parser().probe(kUp, as_bytes(msg), port);
      for (const Parser* p : parsers()) {
        if (p->name == "ssdp") continue;
        for (Direction dir : {kUp, kDown}) {
          EXPECT_LT(p->probe(dir, as_bytes(msg.substr(0, 512)), port), ours) << p->name;
        }
      }
    }
  }
}

// ---- oracle: tshark's SSDP on the real captures ---------------------------------------------
//
// Per frame: the method, request target and status code, then every
// header line as "name:value" (name lowercased, value trimmed), then
// SERVER and LOCATION. tshark 4.0 gives some header lines a field of
// their own (http.host, http.server, ...), others http.unknown_header or
// http.request.line, some both: its PDML is read instead, and each line
// taken from the raw bytes of the top-level fields of the SSDP tree.

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t i = s.find_first_not_of(" \t");
  return i == std::string::npos ? std::string() : s.substr(i);
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

std::string frame_text(const Message& m) {
  std::vector<std::string> headers, server, location;
  for (const auto& f : m.fields) {
    if (f.name == "ssdp.header") headers.push_back(f.key + ":" + f.value);
    if (f.name == "ssdp.server") server.push_back(f.value);
    if (f.name == "ssdp.location") location.push_back(f.value);
  }
  auto get = [&](std::string_view n) {
    const Field* f = m.find(n);
    return f ? f->value : std::string();
  };
  return get("ssdp.method") + "|" + get("ssdp.uri") + "|" + get("ssdp.status") + "|" +
         join(headers) + "|" + join(server) + "|" + join(location);
}

struct OracleSink : MessageSink {
  std::map<uint64_t, std::string> frames;
  std::map<std::string, int> anomalies;
  void on_message(Message&& m) override { frames[m.frame] = frame_text(m); }
  void on_anomaly(std::string_view what) override { ++anomalies[std::string(what)]; }
};

// The value of attribute `name` in the tag text `tag` (PDML escapes quotes).
std::string attribute(std::string_view tag, std::string_view name) {
  std::string key = " " + std::string(name) + "=\"";
  size_t at = tag.find(key);
  if (at == std::string_view::npos) return {};
  at += key.size();
  size_t end = tag.find('"', at);
  return std::string(tag.substr(at, end - at));
}

std::string unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += char(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

std::string unescape(std::string s) {
  for (auto [from, to] : {std::pair<std::string, std::string>{"&quot;", "\""},
                          {"&lt;", "<"},
                          {"&gt;", ">"},
                          {"&#x27;", "'"},
                          {"&amp;", "&"}}) {
    for (size_t at; (at = s.find(from)) != std::string::npos;) s.replace(at, from.size(), to);
  }
  return s;
}

std::map<uint64_t, std::string> tshark_ssdp(const std::filesystem::path& file) {
  std::string pdml = ph::test::run_command("tshark -n -r " + ph::test::shell_quote(file.string()) +
                                           " -Y ssdp -T pdml 2>/dev/null");
  std::map<uint64_t, std::string> frames;
  size_t pos = 0;
  while ((pos = pdml.find("<packet>", pos)) != std::string::npos) {
    size_t packet_end = pdml.find("</packet>", pos);
    std::string_view packet = std::string_view(pdml).substr(pos, packet_end - pos);
    pos = packet_end;
    size_t num = packet.find("<field name=\"num\"");
    size_t proto = packet.find("<proto name=\"ssdp\"");
    if (num == std::string_view::npos || proto == std::string_view::npos) continue;
    uint64_t frame =
        std::stoull(attribute(packet.substr(num, packet.find('>', num) - num), "show"));
    std::string_view tree = packet.substr(proto, packet.find("</proto>", proto) - proto);
    // Every field with bytes: (position, size, raw bytes), and the named values.
    struct Piece {
      long pos, size;
      std::string bytes;
    };
    std::vector<Piece> pieces;
    std::string method, uri, code;
    std::vector<std::string> server, location;
    for (size_t at = 0; (at = tree.find("<field ", at)) != std::string_view::npos; ++at) {
      std::string_view tag = tree.substr(at, tree.find('>', at) - at);
      std::string name = attribute(tag, "name"), show = unescape(attribute(tag, "show"));
      if (name == "http.request.method") method = show;
      if (name == "http.request.uri") uri = show;
      if (name == "http.response.code") code = show;
      if (name == "http.server") server.push_back(show);
      if (name == "http.location") location.push_back(show);
      std::string value = attribute(tag, "value"), p = attribute(tag, "pos"),
                  n = attribute(tag, "size");
      if (value.empty() || p.empty() || n.empty() || n == "0") continue;
      pieces.push_back({std::stol(p), std::stol(n), unhex(value)});
    }
    // The top-level lines: at each position the longest field, skipping
    // fields inside one already taken (the start line's parts).
    std::sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) {
      return a.pos != b.pos ? a.pos < b.pos : a.size > b.size;
    });
    std::vector<std::string> headers;
    long covered = -1;
    bool start_line = true;
    for (const auto& piece : pieces) {
      if (piece.pos < covered) continue;
      covered = piece.pos + piece.size;
      if (start_line) {  // the first line is the start line
        start_line = false;
        continue;
      }
      std::string h = piece.bytes;
      while (!h.empty() && (h.back() == '\n' || h.back() == '\r')) h.pop_back();
      if (h.empty()) continue;  // the empty line
      size_t colon = h.find(':');
      std::string name = trim(h.substr(0, colon));
      for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
      headers.push_back(name + ":" + (colon == std::string::npos ? "" : trim(h.substr(colon + 1))));
    }
    frames[frame] = method + "|" + uri + "|" + code + "|" + join(headers) + "|" + join(server) +
                    "|" + join(location);
  }
  return frames;
}

// Differences by design: how many frames of a file, and why.
struct Explained {
  size_t frames;
  const char* reason;
};
const std::map<std::string, Explained> kExplained = {
    {"B01_iot_sentinel_setupA_merged.pcap",
     {7,
      "ICMP errors quoting an SSDP datagram (frames 10822-10824 and others): tshark dissects "
      "the quoted datagram, phonehome makes no flow of an ICMP quote"}},
};

// Frames in which tshark's SSDP is inside an ICMP error.
std::set<uint64_t> icmp_quotes(const std::filesystem::path& file) {
  std::set<uint64_t> out;
  std::string text =
      ph::test::run_command("tshark -n -r " + ph::test::shell_quote(file.string()) +
                            " -Y 'ssdp && (icmp || icmpv6)' -T fields -e frame.number 2>/dev/null");
  for (const auto& line : ph::test::split_lines(text))
    if (!line.empty()) out.insert(std::stoull(line));
  return out;
}

TEST(SsdpOracle, StartLinesAndHeadersMatchTshark) {
  PH_REQUIRE_SHARED_CAPTURES();
  PH_REQUIRE_TSHARK();
  const auto root = ph::test::shared_captures();
  size_t compared = 0;
  for (const char* name :
       {"leak/L01_android_1kxun_adids.pcap", "leak/L07_iot_hue_bridge_mac_eui64_phone_model.pcap",
        "leak/L08_iot_dlink_homehub_mac_url.pcap", "leak/L10_eapol_eapsim_imsi.pcap",
        "bench/B01_iot_sentinel_setupA_merged.pcap", "bench/B02_ndpi_realapps_merged.pcap"}) {
    auto file = root / name;
    if (!std::filesystem::exists(file)) continue;
    SCOPED_TRACE(name);
    OracleSink sink;
    run_probing_parser(file, ssdp::parser(), sink);
    auto want = tshark_ssdp(file);
    ASSERT_FALSE(want.empty()) << "tshark finds no SSDP";
    const std::set<uint64_t> quoted = icmp_quotes(file);
    std::set<uint64_t> frames;
    for (const auto& [n, t] : want) frames.insert(n);
    for (const auto& [n, t] : sink.frames) frames.insert(n);
    std::vector<std::string> diffs;
    size_t explained = 0;
    for (uint64_t n : frames) {
      std::string theirs = want.count(n) ? want[n] : "<none>";
      std::string ours = sink.frames.count(n) ? sink.frames[n] : "<none>";
      if (theirs == ours) {
        ++compared;
      } else if (ours == "<none>" && quoted.count(n)) {
        ++explained;
      } else {
        diffs.push_back("frame " + std::to_string(n) + "\n  tshark    " + theirs +
                        "\n  phonehome " + ours);
      }
    }
    const size_t differ = diffs.size();
    diffs.resize(std::min<size_t>(differ, 8));
    EXPECT_EQ(differ, 0u) << "the first ones:\n" << ::testing::PrintToString(diffs);
    auto it = kExplained.find(file.filename().string());
    EXPECT_EQ(explained, it == kExplained.end() ? 0 : it->second.frames)
        << (it == kExplained.end() ? "" : it->second.reason);
    EXPECT_TRUE(sink.anomalies.empty()) << ::testing::PrintToString(sink.anomalies);
  }
  EXPECT_GE(compared, 180u);  // L01, L07, L08 and L10 alone have 180 SSDP frames
}

// The leak of L07 (MANIFEST.md): the Hue bridge's MAC-derived EUI-64 in a
// vendor SSDP header.
TEST(SsdpOracle, HueBridgeIdOfL07) {
  PH_REQUIRE_SHARED_CAPTURES();
  auto file = ph::test::shared_captures() / "leak/L07_iot_hue_bridge_mac_eui64_phone_model.pcap";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << file << " is absent";
  struct Ids : MessageSink {
    std::map<std::string, int> seen;
    void on_message(Message&& m) override {
      if (const Field* f = m.find("ssdp.header", "hue-bridgeid")) ++seen[f->value];
    }
    void on_anomaly(std::string_view) override {}
  } sink;
  run_probing_parser(file, ssdp::parser(), sink);
  EXPECT_GT(sink.seen["001788FFFE2476FF"], 0);
}

}  // namespace
}  // namespace ph::proto::test
