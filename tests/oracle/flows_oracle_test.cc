// Cross-check of flows against tshark, the oracle, on the real captures in
// ../shared/captures: per conversation, frames and bytes in each direction
// must equal `tshark -z conv,tcp|udp`, and each reassembled TCP stream must
// equal `tshark -z follow,tcp,raw,N`. Where phonehome differs on purpose,
// the difference is listed below with its reason, and the test asserts the
// exact number of differing conversations, so a new difference fails.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>

#include "capture/source.h"
#include "oracle/tshark_oracle.h"
#include "pipeline/engine.h"
#include "support/support.h"

namespace ph::test {
namespace {

struct OurFlow {
  uint64_t id = 0;
  std::string proto, client, server;
  uint64_t packets_up = 0, packets_down = 0, bytes_up = 0, bytes_down = 0;
  std::string first_seen;
  double first_s = 0, last_s = 0;
  bool closed = false;  // ended by FIN or RST
};

// "2016-04-15T10:11:12.123456Z" -> seconds since the epoch.
double parse_time(std::string_view t) {
  struct tm tm {};
  std::string s(t);
  if (!strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  double frac = s.size() > 20 ? std::stod(s.substr(19, s.size() - 20)) : 0;
  return double(timegm(&tm)) + frac;
}

std::string ep(std::string_view ip, uint64_t port) {
  return std::string(ip) + ":" + std::to_string(port);
}

std::vector<OurFlow> phonehome_flows(const std::filesystem::path& file) {
  std::string out =
      run_command(std::string(PHONEHOME_BINARY) + " scan --format jsonl --no-progress " +
                  shell_quote(file.string()) + " 2>/dev/null");
  std::vector<OurFlow> flows;
  simdjson::dom::parser parser;
  simdjson::dom::document_stream docs;
  if (parser.parse_many(out).get(docs)) return flows;
  for (auto doc : docs) {
    simdjson::dom::element e;
    if (doc.get(e)) continue;
    std::string_view kind;
    if (e["kind"].get(kind) || kind != "flow") continue;
    OurFlow f;
    f.id = uint64_t(e["id"]);
    f.proto = std::string(std::string_view(e["proto"]));
    f.client = ep(std::string_view(e["src"]["ip"]), uint64_t(e["src"]["port"]));
    f.server = ep(std::string_view(e["dst"]["ip"]), uint64_t(e["dst"]["port"]));
    f.packets_up = uint64_t(e["packets_up"]);
    f.packets_down = uint64_t(e["packets_down"]);
    f.bytes_up = uint64_t(e["bytes_up"]);
    f.bytes_down = uint64_t(e["bytes_down"]);
    f.first_seen = std::string(std::string_view(e["first_seen"]));
    f.first_s = parse_time(std::string_view(e["first_seen"]));
    f.last_s = parse_time(std::string_view(e["last_seen"]));
    for (auto n : e["notes"].get_array()) {
      std::string_view note = n;
      if (note == "fin" || note == "rst") f.closed = true;
    }
    flows.push_back(f);
  }
  return flows;
}

// phonehome ends a flow after an idle timeout (capture time) or after it
// closed; tshark keeps one conversation per address/port pair for the whole
// capture. Such a split is explained when every boundary is one of those.
constexpr double kUdpIdleS = 120, kTcpIdleS = 600;
bool split_is_explained(const std::vector<const OurFlow*>& flows) {
  for (size_t i = 0; i + 1 < flows.size(); ++i) {
    double gap = flows[i + 1]->first_s - flows[i]->last_s;
    double idle = flows[i]->proto == "tcp" ? kTcpIdleS : kUdpIdleS;
    if (gap < idle && !flows[i]->closed) return false;
  }
  return true;
}

bool bytes_agree(uint64_t ours, const ConvCount& theirs) {
  uint64_t lo = theirs.bytes > theirs.bytes_slack ? theirs.bytes - theirs.bytes_slack : 0;
  return ours >= lo && ours <= theirs.bytes + theirs.bytes_slack;
}

// Returns one line per conversation that differs (or exists on one side only).
std::vector<std::string> compare_conversations(const std::filesystem::path& file) {
  std::vector<std::string> diffs;
  auto ours = phonehome_flows(file);
  for (const std::string proto : {"tcp", "udp"}) {
    auto theirs = tshark_conversations(file, proto);
    std::map<std::pair<std::string, std::string>, std::vector<const OurFlow*>> by_pair;
    for (const auto& f : ours) {
      if (f.proto != proto) continue;
      by_pair[std::minmax(f.client, f.server)].push_back(&f);
    }
    std::map<std::pair<std::string, std::string>, std::vector<const Conversation*>> their_pairs;
    for (const auto& c : theirs) their_pairs[std::minmax(c.a, c.b)].push_back(&c);
    std::set<std::pair<std::string, std::string>> keys;
    for (const auto& [k, v] : by_pair) keys.insert(k);
    for (const auto& [k, v] : their_pairs) keys.insert(k);
    for (const auto& k : keys) {
      auto& mine = by_pair[k];
      auto& conv = their_pairs[k];
      std::sort(conv.begin(), conv.end(),
                [](auto* x, auto* y) { return x->rel_start < y->rel_start; });
      std::sort(mine.begin(), mine.end(),
                [](auto* x, auto* y) { return x->first_seen < y->first_seen; });
      std::string name = proto + " " + k.first + " <-> " + k.second;
      if (conv.size() == 1 && mine.size() > 1 && split_is_explained(mine)) {
        // Compare the sum of the split flows, oriented by endpoint.
        const Conversation& c = *conv[0];
        uint64_t ab_frames = 0, ba_frames = 0, ab_bytes = 0, ba_bytes = 0;
        for (const OurFlow* f : mine) {
          bool client_is_a = f->client == c.a;
          ab_frames += client_is_a ? f->packets_up : f->packets_down;
          ba_frames += client_is_a ? f->packets_down : f->packets_up;
          ab_bytes += client_is_a ? f->bytes_up : f->bytes_down;
          ba_bytes += client_is_a ? f->bytes_down : f->bytes_up;
        }
        if (ab_frames != c.a_to_b.frames || ba_frames != c.b_to_a.frames ||
            !bytes_agree(ab_bytes, c.a_to_b) || !bytes_agree(ba_bytes, c.b_to_a)) {
          diffs.push_back(name + ": " + std::to_string(mine.size()) +
                          " flows split by idle time/close, but their sum differs from tshark");
        }
        continue;
      }
      if (mine.size() != conv.size()) {
        diffs.push_back(name + ": phonehome has " + std::to_string(mine.size()) +
                        " flows, tshark " + std::to_string(conv.size()));
        continue;
      }
      for (size_t i = 0; i < mine.size(); ++i) {
        const OurFlow& f = *mine[i];
        const Conversation& c = *conv[i];
        bool client_is_a = f.client == c.a;
        const ConvCount& up = client_is_a ? c.a_to_b : c.b_to_a;
        const ConvCount& down = client_is_a ? c.b_to_a : c.a_to_b;
        if (f.packets_up != up.frames || f.packets_down != down.frames ||
            !bytes_agree(f.bytes_up, up) || !bytes_agree(f.bytes_down, down)) {
          diffs.push_back(name + ": phonehome up " + std::to_string(f.packets_up) + "/" +
                          std::to_string(f.bytes_up) + " down " + std::to_string(f.packets_down) +
                          "/" + std::to_string(f.bytes_down) + "; tshark up " +
                          std::to_string(up.frames) + "/" + std::to_string(up.bytes) + " down " +
                          std::to_string(down.frames) + "/" + std::to_string(down.bytes));
        }
      }
    }
  }
  return diffs;
}

// Files where phonehome and tshark differ on purpose: the number of
// conversations that differ, and why.
const ExplainedTable& explained_differences() {
  static const ExplainedTable kExplained = {
      {"P50_vxlan.pcap",
       {9,
        "tshark lists the outer VXLAN UDP conversations (port 4789) too; phonehome "
        "decapsulates VXLAN and reports the inner flows only, which match"}},
      {"M17_reasm_segv_anon.pcapng",
       {1, "the outer GTP-U conversation (UDP 2152): phonehome reports the inner flows only"}},
      {"M04_linktype_ipv4_invalid.pcap",
       {1,
        "an IPv6 packet on LINKTYPE_IPV4: phonehome counts it malformed "
        "(ipv4.bad-version), tshark decodes it by its version nibble"}},
      {"B02_ndpi_realapps_merged.pcap",
       {4,
        "two TCP connections to port 6900 that tshark splits mid-connection into two "
        "tcp.streams although their sequence numbers continue (one flow here); the outer "
        "GTP-U conversation (inner flows reported); and one RTP address pair that tshark's "
        "SIP/SDP dissectors split into 8 conversations by SDP setup frame"}},
  };
  return kExplained;
}

class ConversationOracle : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(ConversationOracle, FramesAndBytesPerDirectionMatchTshark) {
  PH_REQUIRE_SHARED_CAPTURES();
  PH_REQUIRE_TSHARK();
  const auto& file = GetParam();
  auto diffs = compare_conversations(file);
  expect_explained(file, diffs, explained_differences(), "conversations");
}

INSTANTIATE_TEST_SUITE_P(RealCaptures, ConversationOracle,
                         ::testing::ValuesIn(real_capture_files({"leak", "proto", "malformed",
                                                                 "bench"})),
                         capture_test_name);
// Keeps the suite valid when ../shared/captures is absent.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ConversationOracle);

}  // namespace
}  // namespace ph::test
