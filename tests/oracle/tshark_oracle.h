// tshark as the oracle: parsers for `-z conv,tcp|udp` and
// `-z follow,tcp,raw,N` output, used by the cross-check tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ph::test {

struct ConvCount {
  uint64_t frames = 0;
  uint64_t bytes = 0;
  uint64_t bytes_slack = 0;  // tshark rounds large counts ("46 kB"): +- this much
};

struct Conversation {
  std::string a, b;  // "ip:port" as tshark prints them
  ConvCount a_to_b, b_to_a;
  double rel_start = 0;
};

std::vector<Conversation> tshark_conversations(const std::filesystem::path& file,
                                               const std::string& proto);

struct FollowedStream {
  uint64_t stream = 0;
  std::string node0, node1;            // "ip:port"
  std::string from_node0, from_node1;  // the bytes each node sent, in order
};

// Follows the given tcp.stream indices (all in one tshark run).
std::vector<FollowedStream> tshark_follow_tcp(const std::filesystem::path& file,
                                              const std::vector<uint64_t>& streams);

// 1 + the highest tcp.stream index in the file (0 when it has no TCP).
uint64_t tshark_tcp_stream_count(const std::filesystem::path& file);

// "ip:port" split at the last colon (IPv6 addresses contain colons).
bool split_endpoint(const std::string& ep, std::string& ip, uint16_t& port);

// Differences from the oracle that are on purpose: per capture file name,
// how many items differ and why. A test asserts the exact count.
struct Explained {
  size_t differing;
  const char* reason;
};
using ExplainedTable = std::map<std::string, Explained>;

// EXPECTs that `diffs` has exactly the explained number of entries for
// `file`, printing every difference and the reason. `what` names the items
// ("conversations", "streams").
void expect_explained(const std::filesystem::path& file, const std::vector<std::string>& diffs,
                      const ExplainedTable& table, const char* what);

// Real captures under these directories of ../shared/captures (pcap, pcapng,
// pcapng.zst), for parameterised tests; empty when the corpus is absent.
std::vector<std::filesystem::path> real_capture_files(const std::vector<std::string>& dirs);

// A gtest-safe name for a parameterised test over capture files.
std::string capture_test_name(const ::testing::TestParamInfo<std::filesystem::path>& info);

}  // namespace ph::test
