// Parsing of tshark's conversation and follow statistics.
#include "oracle/tshark_oracle.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "support/support.h"

namespace ph::test {
namespace {

// "1234 bytes" / "46 kB" / "1 MB" -> bytes and the rounding slack.
bool parse_bytes(std::istringstream& in, ConvCount& c) {
  double v;
  std::string unit;
  if (!(in >> v >> unit)) return false;
  double mult = 1;
  if (unit == "bytes") {
    mult = 1;
  } else if (unit == "kB") {
    mult = 1e3;
  } else if (unit == "MB") {
    mult = 1e6;
  } else if (unit == "GB") {
    mult = 1e9;
  } else {
    return false;
  }
  c.bytes = uint64_t(std::llround(v * mult));
  c.bytes_slack = mult == 1 ? 0 : uint64_t(mult);
  return true;
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "[2001:db8::1]:80" -> "2001:db8::1:80" (the form phonehome's tests use);
// ":0" (a stream without data) -> "".
std::string plain_endpoint(const std::string& ep) {
  if (ep == ":0") return "";
  if (!ep.empty() && ep[0] == '[') {
    size_t close = ep.find("]:");
    if (close != std::string::npos) return ep.substr(1, close - 1) + ep.substr(close + 1);
  }
  return ep;
}

}  // namespace

bool split_endpoint(const std::string& ep, std::string& ip, uint16_t& port) {
  size_t colon = ep.rfind(':');
  if (colon == std::string::npos) return false;
  ip = ep.substr(0, colon);
  if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  port = uint16_t(std::stoul(ep.substr(colon + 1)));
  return true;
}

std::vector<Conversation> tshark_conversations(const std::filesystem::path& file,
                                               const std::string& proto) {
  std::string out = run_command("tshark -n -r " + shell_quote(file.string()) + " -q -z conv," +
                                proto + " 2>/dev/null");
  std::vector<Conversation> convs;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find("<->") == std::string::npos) continue;
    std::istringstream in(line);
    Conversation c;
    std::string arrow;
    uint64_t total_frames;
    ConvCount total;
    if (!(in >> c.a >> arrow >> c.b)) continue;
    // "<-" columns: frames/bytes B -> A; "->" columns: A -> B.
    if (!(in >> c.b_to_a.frames) || !parse_bytes(in, c.b_to_a)) continue;
    if (!(in >> c.a_to_b.frames) || !parse_bytes(in, c.a_to_b)) continue;
    if (!(in >> total_frames) || !parse_bytes(in, total)) continue;
    in >> c.rel_start;
    convs.push_back(c);
  }
  return convs;
}

uint64_t tshark_tcp_stream_count(const std::filesystem::path& file) {
  std::string out = run_command("tshark -n -r " + shell_quote(file.string()) +
                                " -Y tcp -T fields -e tcp.stream 2>/dev/null");
  uint64_t count = 0;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0])))
      count = std::max<uint64_t>(count, std::stoull(line) + 1);
  }
  return count;
}

std::vector<FollowedStream> tshark_follow_tcp(const std::filesystem::path& file,
                                              const std::vector<uint64_t>& streams) {
  std::vector<FollowedStream> result;
  if (streams.empty()) return result;
  std::string cmd = "tshark -n -r " + shell_quote(file.string()) + " -q";
  for (uint64_t s : streams) cmd += " -z follow,tcp,raw," + std::to_string(s);
  std::string out = run_command(cmd + " 2>/dev/null");
  std::istringstream lines(out);
  std::string line;
  FollowedStream* cur = nullptr;
  while (std::getline(lines, line)) {
    if (line.rfind("Follow: tcp,raw", 0) == 0) {
      result.emplace_back();
      cur = &result.back();
      continue;
    }
    if (!cur) continue;
    if (line.rfind("Node 0: ", 0) == 0) {
      cur->node0 = plain_endpoint(line.substr(8));
    } else if (line.rfind("Node 1: ", 0) == 0) {
      cur->node1 = plain_endpoint(line.substr(8));
    } else if (line.rfind("Filter: tcp.stream eq ", 0) == 0) {
      cur->stream = std::stoull(line.substr(22));  // tshark prints them in reverse order
    } else if (line.rfind("Filter:", 0) == 0 || line.rfind("====", 0) == 0) {
      continue;
    } else {
      bool from1 = !line.empty() && line[0] == '\t';
      std::string& dst = from1 ? cur->from_node1 : cur->from_node0;
      size_t i = from1 ? 1 : 0;
      for (; i + 1 < line.size(); i += 2) {
        int hi = hexval(line[i]), lo = hexval(line[i + 1]);
        if (hi < 0 || lo < 0) break;
        dst.push_back(char(hi << 4 | lo));
      }
    }
  }
  std::sort(result.begin(), result.end(),
            [](const FollowedStream& a, const FollowedStream& b) { return a.stream < b.stream; });
  return result;
}

void expect_explained(const std::filesystem::path& file, const std::vector<std::string>& diffs,
                      const ExplainedTable& table, const char* what) {
  std::string all;
  for (const auto& d : diffs) all += "  " + d + "\n";
  auto it = table.find(file.filename().string());
  size_t expected = it == table.end() ? 0 : it->second.differing;
  EXPECT_EQ(diffs.size(), expected)
      << file.filename() << ": " << diffs.size() << " " << what
      << " differ from tshark (explained: " << expected
      << (it == table.end() ? "" : std::string(", ") + it->second.reason) << "):\n"
      << all;
}

std::vector<std::filesystem::path> real_capture_files(const std::vector<std::string>& dirs) {
  std::vector<std::filesystem::path> files;
  for (const auto& dir : dirs) {
    auto f = shared_files(dir, {".pcap", ".pcapng", ".pcapng.zst"});
    files.insert(files.end(), f.begin(), f.end());
  }
  return files;
}

std::string capture_test_name(const ::testing::TestParamInfo<std::filesystem::path>& info) {
  std::string n = info.param.filename().string();
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

}  // namespace ph::test
