// Cross-check of reassembled TCP streams against `tshark -z follow,tcp,raw`
// on the real captures: for every TCP conversation, the bytes phonehome
// delivers to the protocol layer in each direction must equal what tshark
// follows, unless a difference is listed below with its reason.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>

#include "capture/source.h"
#include "oracle/tshark_oracle.h"
#include "pipeline/engine.h"
#include "support/support.h"

namespace ph::test {
namespace {

struct Collected {
  std::string client, server;
  std::string up, down;
  uint64_t gap_bytes = 0;
  size_t first_gap_up = std::string::npos;  // bytes delivered before the first gap
  size_t first_gap_down = std::string::npos;
  // The same bytes with tshark's hole marker ("[N bytes missing in capture
  // file]" and a NUL) where phonehome reported a gap: comparable byte for byte.
  std::string up_marked, down_marked;
};

class Collector : public flow::FlowConsumer {
 public:
  explicit Collector(Collected& c) : c_(c) {}
  void on_data(flow::Direction d, Bytes data, Timestamp, uint64_t) override {
    (d == flow::Direction::kUp ? c_.up : c_.down).append(as_string(data));
    (d == flow::Direction::kUp ? c_.up_marked : c_.down_marked).append(as_string(data));
  }
  void on_gap(flow::Direction d, uint64_t len) override {
    c_.gap_bytes += len;
    size_t& first = d == flow::Direction::kUp ? c_.first_gap_up : c_.first_gap_down;
    if (first == std::string::npos) first = (d == flow::Direction::kUp ? c_.up : c_.down).size();
    (d == flow::Direction::kUp ? c_.up_marked : c_.down_marked)
        .append("[" + std::to_string(len) + " bytes missing in capture file]" +
                std::string(1, '\0'));
  }

 private:
  Collected& c_;
};

std::string endpoint(const flow::Endpoint& e) {
  return e.ip.to_string() + ":" + std::to_string(e.port);
}

// TCP flows in id order (= tshark's tcp.stream order when both split alike).
std::vector<Collected> reassemble(const std::filesystem::path& file) {
  std::map<uint64_t, std::unique_ptr<Collected>> by_id;
  std::map<uint64_t, bool> is_tcp;
  EngineOptions opts;
  opts.consumer_factory = [&](const flow::Flow& f) -> std::unique_ptr<flow::FlowConsumer> {
    auto c = std::make_unique<Collected>();
    c->client = endpoint(f.client);
    c->server = endpoint(f.server);
    auto* raw = c.get();
    by_id[f.id] = std::move(c);
    is_tcp[f.id] = f.proto == 6;
    return std::make_unique<Collector>(*raw);
  };
  Engine engine(opts);
  auto src = capture::open_file(file.string());
  if (!src) return {};
  engine.run(**src);
  Report r = engine.finish();
  std::vector<Collected> out;
  for (auto& [id, c] : by_id)
    if (is_tcp[id]) out.push_back(std::move(*c));
  return out;
}

const ExplainedTable& explained_differences() {
  static const ExplainedTable kExplained = {
      {"P25_tcp_reassembly.pcap",
       {1,
        "a conflicting overlap: frames 28 and 31 carry seq 13367..13391 out of order, then "
        "frame 64 fills the hole before them with different bytes for that range; phonehome "
        "keeps the first copy (docs/reassembly.md, counted tcp.overlap-conflict), tshark's "
        "follow the in-order one"}},
      {"M06_tcp_rst_data_truncated.pcap",
       {1,
        "the only data is the payload of a RST, which RFC 1122 (4.2.2.12) makes diagnostic "
        "text, not stream data: phonehome does not deliver it, tshark's follow shows it"}},
  };
  return kExplained;
}

class StreamOracle : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(StreamOracle, ReassembledBytesMatchTsharkFollow) {
  PH_REQUIRE_SHARED_CAPTURES();
  PH_REQUIRE_TSHARK();
  const auto& file = GetParam();
  auto ours = reassemble(file);
  // tshark numbers TCP headers quoted in ICMP errors as streams too, so ask
  // for every stream it has, not just as many as phonehome has flows.
  std::vector<uint64_t> ids;
  uint64_t streams = tshark_tcp_stream_count(file);
  for (uint64_t i = 0; i < streams; ++i) ids.push_back(i);
  auto theirs = tshark_follow_tcp(file, ids);
  // Match each stream tshark follows (those with data) to phonehome's next
  // unmatched flow with data between the same endpoints, in order.
  std::vector<std::string> diffs;
  std::vector<bool> matched(ours.size(), false);
  auto has_data = [](const Collected& c) { return !c.up.empty() || !c.down.empty(); };
  for (const FollowedStream& t : theirs) {
    if (t.from_node0.empty() && t.from_node1.empty()) continue;  // no data to compare
    std::string name = "tcp.stream " + std::to_string(t.stream) + " " + t.node0 + " <-> " + t.node1;
    size_t i = 0;
    for (; i < ours.size(); ++i) {
      if (matched[i] || !has_data(ours[i])) continue;
      if ((ours[i].client == t.node0 && ours[i].server == t.node1) ||
          (ours[i].client == t.node1 && ours[i].server == t.node0))
        break;
    }
    if (i == ours.size()) {
      diffs.push_back(name + ": phonehome has no flow with data between these endpoints");
      continue;
    }
    matched[i] = true;
    const Collected& c = ours[i];
    const std::string& t_up = c.client == t.node0 ? t.from_node0 : t.from_node1;
    const std::string& t_down = c.client == t.node0 ? t.from_node1 : t.from_node0;
    auto first_difference = [](const std::string& a, const std::string& b) {
      size_t i = 0;
      while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
      return i;
    };
    if (c.up == t_up && c.down == t_down) continue;
    // Where the capture has holes, tshark writes a marker in their place;
    // phonehome reports the same holes as gaps of the same length.
    if (c.gap_bytes > 0 && c.up_marked == t_up && c.down_marked == t_down) continue;
    // Where the peer never acknowledged the bytes past a hole, tshark's
    // follow keeps waiting for it and never shows them; phonehome reports
    // the hole as a gap at the end of the flow and delivers the rest.
    // Explained when tshark's bytes are exactly phonehome's up to its first gap.
    auto prefix_until_gap = [](const std::string& ours, size_t first_gap, const std::string& t) {
      return ours == t || (first_gap == t.size() && ours.compare(0, t.size(), t) == 0);
    };
    if (c.gap_bytes > 0 && prefix_until_gap(c.up, c.first_gap_up, t_up) &&
        prefix_until_gap(c.down, c.first_gap_down, t_down)) {
      continue;
    }
    auto around = [](const std::string& s, size_t at) {
      std::string out;
      for (size_t i = at > 24 ? at - 24 : 0; i < std::min(s.size(), at + 40); ++i)
        out += (s[i] >= 32 && s[i] < 127) ? s[i] : '.';
      return out;
    };
    size_t du = first_difference(c.up_marked, t_up);
    if (du < std::max(c.up_marked.size(), t_up.size()))
      std::fprintf(stderr, "  up   ours:   %s\n  up   tshark: %s\n",
                   around(c.up_marked, du).c_str(), around(t_up, du).c_str());
    diffs.push_back(name + ": phonehome " + std::to_string(c.up.size()) + "/" +
                    std::to_string(c.down.size()) + " bytes (gaps " + std::to_string(c.gap_bytes) +
                    "), tshark " + std::to_string(t_up.size()) + "/" +
                    std::to_string(t_down.size()) + "; with gap markers the streams " +
                    "first differ at byte " + std::to_string(first_difference(c.up_marked, t_up)) +
                    " up, " + std::to_string(first_difference(c.down_marked, t_down)) + " down");
  }
  for (size_t i = 0; i < ours.size(); ++i) {
    if (!matched[i] && has_data(ours[i]))
      diffs.push_back("flow " + ours[i].client + " -> " + ours[i].server +
                      ": phonehome has data, tshark follows none");
  }
  expect_explained(file, diffs, explained_differences(), "streams");
}

INSTANTIATE_TEST_SUITE_P(RealCaptures, StreamOracle,
                         ::testing::ValuesIn(real_capture_files({"leak", "proto", "malformed"})),
                         capture_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StreamOracle);

}  // namespace
}  // namespace ph::test
