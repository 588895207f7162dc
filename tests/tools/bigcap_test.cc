// Tests of `phonehome-fixture bigcap` (tools/fixture/bigcap.cc): the output
// reaches the requested size, keeps every packet's bytes, repeats the sources
// in order, separates repetitions by more than ten minutes, shortens only
// idle gaps longer than an hour, skips non-Ethernet sources and falls back to
// generated traffic when given no source.
#include "fixture/bigcap.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <filesystem>
#include <string>
#include <vector>

#include "fixture/builder.h"

namespace ph::fixture {
namespace {

namespace fs = std::filesystem;

struct Packet {
  Timestamp ts;
  std::vector<uint8_t> data;
  uint32_t len;
};

std::vector<Packet> read_all(const fs::path& p, int* linktype = nullptr) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* h = pcap_open_offline(p.c_str(), err);
  EXPECT_NE(h, nullptr) << err;
  std::vector<Packet> out;
  if (!h) return out;
  if (linktype) *linktype = pcap_datalink(h);
  pcap_pkthdr* hdr;
  const u_char* data;
  while (pcap_next_ex(h, &hdr, &data) == 1)
    out.push_back({Timestamp(hdr->ts.tv_sec) * kNsPerSec + Timestamp(hdr->ts.tv_usec) * 1000,
                   std::vector<uint8_t>(data, data + hdr->caplen), hdr->len});
  pcap_close(h);
  return out;
}

Record udp_record(Timestamp ts, int n) {
  std::string payload(40 + n, char('a' + n % 26));
  return {ts,
          ethernet(L2{}, udp_segment(IpAddr::parse("10.1.0.1"), IpAddr::parse("10.1.0.2"),
                                     uint16_t(1000 + n), 53, payload)),
          0, 0};
}

class Bigcap : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("phonehome-bigcap-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::vector<Record>& recs,
                    uint32_t linktype = 1) {
    PcapOptions o;
    o.linktype = linktype;
    std::string p = (dir_ / name).string();
    write_file(p, write_pcap(recs, o));
    return p;
  }
  fs::path dir_;
};

constexpr Timestamp kSec = kNsPerSec;

TEST_F(Bigcap, RepeatsSourcesWithSeparatedTimestampsAndOriginalBytes) {
  // A: three packets over two seconds. B: two packets two days apart (an
  // idle gap that must shrink to one hour). C: not Ethernet (skipped).
  const Timestamp a0 = 1'500'000'000 * kSec;
  std::string a = write(
      "a.pcap", {udp_record(a0, 0), udp_record(a0 + kSec / 2, 1), udp_record(a0 + 2 * kSec, 2)});
  const Timestamp b0 = 1'400'000'000 * kSec;  // earlier than A: order of blocks is by argument
  std::string b = write("b.pcap", {udp_record(b0, 3), udp_record(b0 + 2 * 86400 * kSec, 4)});
  std::string c = write("c.pcap", {udp_record(a0, 5)}, 101);  // LINKTYPE_RAW

  BigcapOptions o;
  o.out = (dir_ / "big.pcap").string();
  o.sources = {a, b, c};
  const std::vector<Packet> pa = read_all(a), pb = read_all(b);
  uint64_t one_round = 0;
  for (const auto& p : pa) one_round += 16 + p.data.size();
  for (const auto& p : pb) one_round += 16 + p.data.size();
  o.min_bytes = 24 + 3 * one_round + 1;  // three full rounds and one more packet

  BigcapResult r = write_bigcap(o);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_NE(r.skipped[0].find("c.pcap"), std::string::npos);
  EXPECT_EQ(r.bytes, fs::file_size(o.out));
  EXPECT_GE(r.bytes, o.min_bytes);

  int linktype = 0;
  std::vector<Packet> out = read_all(o.out, &linktype);
  EXPECT_EQ(linktype, 1);
  ASSERT_EQ(out.size(), 3 * 5 + 1u);
  EXPECT_EQ(r.packets, out.size());
  EXPECT_EQ(r.blocks, 7u);  // A B A B A B A(partial)

  // Bytes in source order; first packet keeps its original time.
  std::vector<const Packet*> expected;
  for (int round = 0; round < 4; ++round) {
    for (const auto& p : pa) expected.push_back(&p);
    for (const auto& p : pb) expected.push_back(&p);
  }
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].data, expected[i]->data) << "packet " << i;
    EXPECT_EQ(out[i].len, expected[i]->len);
  }
  EXPECT_EQ(out[0].ts, a0);

  // Within a block: original spacing, B's two-day gap cut to one hour.
  EXPECT_EQ(out[1].ts - out[0].ts, kSec / 2);
  EXPECT_EQ(out[2].ts - out[1].ts, 3 * kSec / 2);
  EXPECT_EQ(out[4].ts - out[3].ts, 3600 * kSec);
  // Between blocks: more than ten minutes (exactly the configured gap), always forward.
  for (size_t i : {3u, 5u, 8u, 10u, 13u, 15u})
    EXPECT_EQ(out[i].ts - out[i - 1].ts, 11 * 60 * kSec) << "block boundary before " << i;
  for (size_t i = 1; i < out.size(); ++i) EXPECT_GT(out[i].ts, out[i - 1].ts);
}

TEST_F(Bigcap, FallsBackToGeneratedTraffic) {
  const std::vector<Record> block = generated_bench_traffic();
  uint64_t block_bytes = 0;
  for (const Record& rec : block) block_bytes += 16 + rec.data.size();
  ASSERT_GT(block.size(), 1000u);

  BigcapOptions o;
  o.out = (dir_ / "gen.pcap").string();
  o.min_bytes = 24 + block_bytes + 1;  // one block and one packet of the next
  BigcapResult r = write_bigcap(o);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_GE(r.bytes, o.min_bytes);
  EXPECT_EQ(r.blocks, 2u);
  std::vector<Packet> out = read_all(o.out);
  ASSERT_EQ(out.size(), block.size() + 1);
  EXPECT_EQ(r.packets, out.size());
  for (size_t i = 1; i < out.size(); ++i) ASSERT_GE(out[i].ts, out[i - 1].ts) << i;
  EXPECT_GT(out.back().ts - out[block.size() - 1].ts, 10 * 60 * kSec);
  EXPECT_EQ(out.back().data, block.front().data);
}

TEST_F(Bigcap, ReportsUnusableSources) {
  BigcapOptions o;
  o.out = (dir_ / "none.pcap").string();
  o.min_bytes = 1000;
  o.sources = {(dir_ / "missing.pcap").string()};
  BigcapResult r = write_bigcap(o);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.error.empty());
  ASSERT_EQ(r.skipped.size(), 1u);
}

}  // namespace
}  // namespace ph::fixture
