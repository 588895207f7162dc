// Cross-check of reassembled TCP streams against `tshark -z follow,tcp,raw`
// on the real captures: for every TCP conversation, the bytes phonehome
// delivers to the protocol layer in each direction must equal what tshark
// follows, unless a difference is listed below with its reason.
#include <gtest/gtest.h>

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
};

class Collector : public flow::FlowConsumer {
 public:
  explicit Collector(Collected& c) : c_(c) {}
  void on_data(flow::Direction d, Bytes data, Timestamp, uint64_t) override {
    (d == flow::Direction::kUp ? c_.up : c_.down).append(as_string(data));
  }
  void on_gap(flow::Direction, uint64_t len) override { c_.gap_bytes += len; }

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

struct Expected {
  size_t differing;
  const char* reason;
};
const std::map<std::string, Expected>& explained_differences() {
  static const std::map<std::string, Expected> kExplained = {
  };
  return kExplained;
}

std::vector<std::filesystem::path> follow_files() {
  std::vector<std::filesystem::path> files;
  for (const char* dir : {"leak", "proto", "malformed"}) {
    auto f = shared_files(dir, {".pcap", ".pcapng", ".pcapng.zst"});
    files.insert(files.end(), f.begin(), f.end());
  }
  return files;
}

class StreamOracle : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(StreamOracle, ReassembledBytesMatchTsharkFollow) {
  PH_REQUIRE_SHARED_CAPTURES();
  PH_REQUIRE_TSHARK();
  const auto& file = GetParam();
  auto ours = reassemble(file);
  std::vector<uint64_t> ids;
  for (uint64_t i = 0; i < ours.size(); ++i) ids.push_back(i);
  auto theirs = tshark_follow_tcp(file, ids);
  std::vector<std::string> diffs;
  if (theirs.size() != ours.size()) {
    diffs.push_back("phonehome has " + std::to_string(ours.size()) + " TCP flows, tshark follows " +
                    std::to_string(theirs.size()));
  }
  for (size_t i = 0; i < std::min(ours.size(), theirs.size()); ++i) {
    const Collected& c = ours[i];
    const FollowedStream& t = theirs[i];
    std::string name = "stream " + std::to_string(i) + " " + c.client + " -> " + c.server;
    const std::string* t_up;
    const std::string* t_down;
    if (t.node0 == c.client && t.node1 == c.server) {
      t_up = &t.from_node0;
      t_down = &t.from_node1;
    } else if (t.node1 == c.client && t.node0 == c.server) {
      t_up = &t.from_node1;
      t_down = &t.from_node0;
    } else {
      diffs.push_back(name + ": tshark follows " + t.node0 + " <-> " + t.node1);
      continue;
    }
    if (c.up != *t_up || c.down != *t_down) {
      diffs.push_back(name + ": phonehome " + std::to_string(c.up.size()) + "/" +
                      std::to_string(c.down.size()) + " bytes (gaps " +
                      std::to_string(c.gap_bytes) + "), tshark " + std::to_string(t_up->size()) +
                      "/" + std::to_string(t_down->size()));
    }
  }
  std::string all;
  for (const auto& d : diffs) all += "  " + d + "\n";
  auto it = explained_differences().find(file.filename().string());
  size_t expected = it == explained_differences().end() ? 0 : it->second.differing;
  EXPECT_EQ(diffs.size(), expected)
      << file.filename() << ": " << diffs.size() << " streams differ (explained: " << expected
      << (it == explained_differences().end() ? "" : std::string(", ") + it->second.reason)
      << "):\n" << all;
}

std::string test_name(const ::testing::TestParamInfo<std::filesystem::path>& info) {
  std::string n = info.param.filename().string();
  for (char& c : n)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(RealCaptures, StreamOracle, ::testing::ValuesIn(follow_files()), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StreamOracle);

}  // namespace
}  // namespace ph::test
