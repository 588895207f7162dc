// The capture readers against real public captures (../shared/captures),
// with capinfos and tshark as the oracles: every file opens, and we count
// exactly the packets Wireshark's tools count. Skipped when the captures or
// the tools are absent.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "capture/source.h"
#include "support/support.h"

namespace ph::capture {
namespace {

namespace fs = std::filesystem;
using ph::test::run_command;

const std::string kCaptures = PHONEHOME_SHARED_CAPTURES;

std::string run(const std::string& cmd) { return run_command(cmd); }

bool have_tool(const char* name) {
  return !run(std::string("command -v ") + name + " 2>/dev/null").empty();
}

// capinfos -c -M counts packet records (EPB/SPB/PB), not other blocks; -1 if it fails.
long capinfos_count(const std::string& path) {
  std::string out = run("capinfos -c -M '" + path + "' 2>/dev/null");
  auto at = out.find("Number of packets:");
  if (at == std::string::npos) return -1;
  return std::stol(out.substr(at + 18));
}

struct Read {
  bool ok = false;
  std::string error;
  std::vector<Packet> packets;  // data pointers are not kept valid
  InputInfo info;
};

Read read_file(const std::string& path) {
  Read r;
  auto s = open_file(path);
  if (!s) {
    r.error = s.error().message;
    return r;
  }
  r.ok = true;
  Packet p;
  while ((*s)->next(p) == ReadStatus::kPacket) r.packets.push_back(p);
  r.info = (*s)->info();
  return r;
}

std::vector<std::string> files_in(const std::vector<std::string>& dirs) {
  std::vector<std::string> v;
  for (const auto& d : dirs) {
    fs::path dir = fs::path(kCaptures) / d;
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string ext = e.path().extension().string();
      if (e.is_regular_file() && (ext == ".pcap" || ext == ".pcapng" || ext == ".cap")) {
        v.push_back(e.path().string());
      }
    }
  }
  std::sort(v.begin(), v.end());
  return v;
}

TEST(RealCaptures, PacketCountsMatchCapinfos) {
  if (!fs::is_directory(kCaptures)) GTEST_SKIP() << kCaptures << " absent";
  if (!have_tool("capinfos")) GTEST_SKIP() << "capinfos not installed";
  auto files = files_in({"pcapng-conformance", "malformed", "leak", "fp", "proto", "bench"});
  ASSERT_GT(files.size(), 50u);
  for (const auto& f : files) {
    SCOPED_TRACE(f);
    long want = capinfos_count(f);
    Read r = read_file(f);
    if (want < 0) {
      EXPECT_FALSE(r.ok) << "capinfos cannot read it, but we did";
      continue;
    }
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(long(r.packets.size()), want);
    // Only the file cut mid-record is damaged.
    bool cut = f.find("M29_pgsql_cut_short") != std::string::npos;
    EXPECT_EQ(r.info.damaged, cut) << (r.info.errors.empty() ? "" : r.info.errors[0]);
  }
}

TEST(RealCaptures, CutShortFileNamesTheRecordAndOffset) {
  std::string f = kCaptures + "/malformed/M29_pgsql_cut_short_with_id_keywords.pcap";
  if (!fs::exists(f)) GTEST_SKIP() << f << " absent";
  Read r = read_file(f);
  ASSERT_TRUE(r.ok) << r.error;
  // 785 complete records; one byte of the 786th record header follows.
  EXPECT_EQ(r.packets.size(), 785u);
  EXPECT_TRUE(r.info.damaged);
  ASSERT_EQ(r.info.errors.size(), 1u);
  EXPECT_EQ(r.info.errors[0],
            "record 786 at offset 3276005: truncated record header, 1 of 16 bytes present");
  EXPECT_EQ(r.packets.back().offset + 16 + r.packets.back().caplen, 3276005u);
}

TEST(RealCaptures, InvalidNanosecondFractionIsKeptLikeTcpdump) {
  std::string f = kCaptures + "/malformed/M11_timestamp_invalid_nano.pcap";
  if (!fs::exists(f)) GTEST_SKIP() << f << " absent";
  Read r = read_file(f);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.packets.size(), 3u);
  EXPECT_FALSE(r.info.damaged);
  ASSERT_EQ(r.info.warnings.size(), 1u);
  EXPECT_NE(r.info.warnings[0].find("invalid timestamp fraction"), std::string::npos);
}

// tshark shows pcapng custom blocks as frames without an interface; the
// packets are the frames with one. For those, the time must agree to the ns.
TEST(RealCaptures, PcapngConformanceAgreesWithTshark) {
  if (!fs::is_directory(kCaptures)) GTEST_SKIP() << kCaptures << " absent";
  if (!have_tool("tshark")) GTEST_SKIP() << "tshark not installed";
  // tshark takes ~1 s a file: the ones with several interfaces, sections,
  // SPBs and custom blocks, in both byte orders.
  for (std::string name : {"advanced_test102", "difficult_test202", "basic_test018"}) {
    for (std::string order : {"le_", "be_"}) {
      std::string f = kCaptures + "/pcapng-conformance/" + order + name + ".pcapng";
      SCOPED_TRACE(f);
      std::string out = run("tshark -r '" + f +
                            "' -T fields -e frame.interface_id -e frame.time_epoch "
                            "-e frame.cap_len 2>/dev/null");
      ASSERT_FALSE(out.empty());
      Read r = read_file(f);
      ASSERT_TRUE(r.ok) << r.error;
      size_t i = 0, custom = 0, pos = 0;
      while (pos < out.size()) {
        size_t nl = out.find('\n', pos);
        std::string line = out.substr(pos, nl - pos);
        pos = nl == std::string::npos ? out.size() : nl + 1;
        size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
        std::string iface = line.substr(0, t1), time = line.substr(t1 + 1, t2 - t1 - 1);
        if (iface.empty()) {
          ++custom;
          continue;
        }
        ASSERT_LT(i, r.packets.size());
        const Packet& p = r.packets[i++];
        EXPECT_EQ(std::to_string(p.interface_id), iface);
        EXPECT_EQ(std::to_string(p.caplen), line.substr(t2 + 1));
        if (!time.empty()) {  // SPBs have none in tshark
          char ours[32];
          std::snprintf(ours, sizeof ours, "%lld.%09lld", (long long)(p.ts / kNsPerSec),
                        (long long)(p.ts % kNsPerSec));
          EXPECT_EQ(ours, time) << "packet " << i;
        }
      }
      EXPECT_EQ(i, r.packets.size());
      EXPECT_GT(custom, 0u);  // the reason tshark's frame count is higher
    }
  }
}

}  // namespace
}  // namespace ph::capture
