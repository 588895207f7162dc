// Tests for the capture readers on inputs built at run time: every pcap
// variant, pcapng features (interfaces, resolutions, sections, SPB/PB,
// skipped blocks), compression, stdin, and damage (truncation at every byte
// offset, absurd lengths). Real captures are in real_captures_test.cc.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "capture/memory.h"
#include "capture/source.h"
#include "fixture/builder.h"

namespace ph::capture {
namespace {

using fixture::Record;

struct Got {
  Timestamp ts;
  uint32_t caplen, origlen, linktype, interface_id;
  uint64_t offset;
  std::vector<uint8_t> data;
};

std::vector<Got> read_all(Source& s) {
  std::vector<Got> v;
  Packet p;
  while (s.next(p) == ReadStatus::kPacket) {
    v.push_back({p.ts, p.caplen, p.origlen, p.linktype, p.interface_id, p.offset,
                 std::vector<uint8_t>(p.data, p.data + p.caplen)});
  }
  EXPECT_EQ(s.next(p), ReadStatus::kEnd) << "kEnd must repeat";
  EXPECT_EQ(s.info().packets, v.size());
  return v;
}

std::unique_ptr<Source> open_mem(const std::vector<uint8_t>& bytes) {
  auto r = open_memory({bytes.data(), bytes.size()}, "mem");
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(r.value()) : nullptr;
}

std::string temp_path(const std::string& name) {
  return testing::TempDir() + "capture_test_" + std::to_string(getpid()) + "_" + name;
}

std::vector<uint8_t> frame(size_t payload, uint16_t port = 53) {
  IpAddr a = IpAddr::parse("192.0.2.1"), b = IpAddr::parse("198.51.100.2");
  std::string body(payload, 'x');
  for (size_t i = 0; i < payload; ++i) body[i] = char('a' + (i * 7 + port) % 26);
  return fixture::ethernet(
      {}, fixture::ip_packet(a, b, 17, fixture::udp_segment(a, b, 40000, port, body)));
}

std::vector<Record> five_records() {
  std::vector<Record> r;
  for (int i = 0; i < 5; ++i) {
    r.push_back({Timestamp(1'600'000'000LL + i) * kNsPerSec + 123'456'789 + i, frame(10 + 37 * i)});
  }
  r[2].origlen = 1500;  // a snapped record
  return r;
}

// A hand-rolled pcapng writer for what the fixture builder does not make:
// options, several sections, byte-order switches, SPB/PB, odd blocks.
struct Ng {
  bool be = false;
  std::vector<uint8_t> out;

  void put(std::vector<uint8_t>& v, uint64_t x, int n) const {
    for (int i = 0; i < n; ++i) v.push_back(uint8_t(x >> (8 * (be ? n - 1 - i : i))));
  }
  void block(uint32_t type, std::vector<uint8_t> body) {
    while (body.size() % 4) body.push_back(0);
    put(out, type, 4);
    put(out, 12 + body.size(), 4);
    out.insert(out.end(), body.begin(), body.end());
    put(out, 12 + body.size(), 4);
  }
  void shb() {
    std::vector<uint8_t> b;
    put(b, 0x1a2b3c4d, 4);
    put(b, 1, 2);
    put(b, 0, 2);
    put(b, ~0ull, 8);
    block(0x0a0d0d0a, b);
  }
  // tsresol < 0: no option. tsoffset in seconds.
  void idb(uint16_t linktype, uint32_t snaplen, int tsresol = -1, int64_t tsoffset = 0) {
    std::vector<uint8_t> b;
    put(b, linktype, 2);
    put(b, 0, 2);
    put(b, snaplen, 4);
    put(b, 2, 2);  // if_name, to be skipped
    put(b, 3, 2);
    b.insert(b.end(), {'e', 't', 'h', 0});
    if (tsresol >= 0) {
      put(b, 9, 2);
      put(b, 1, 2);
      b.insert(b.end(), {uint8_t(tsresol), 0, 0, 0});
    }
    if (tsoffset) {
      put(b, 14, 2);
      put(b, 8, 2);
      put(b, uint64_t(tsoffset), 8);
    }
    put(b, 0, 4);
    block(1, b);
  }
  void epb(uint32_t iface, uint64_t ticks, const std::vector<uint8_t>& d, uint32_t origlen = 0) {
    std::vector<uint8_t> b;
    put(b, iface, 4);
    put(b, ticks >> 32, 4);
    put(b, uint32_t(ticks), 4);
    put(b, d.size(), 4);
    put(b, origlen ? origlen : d.size(), 4);
    b.insert(b.end(), d.begin(), d.end());
    block(6, b);
  }
  void spb(uint32_t origlen, const std::vector<uint8_t>& d) {
    std::vector<uint8_t> b;
    put(b, origlen, 4);
    b.insert(b.end(), d.begin(), d.end());
    block(3, b);
  }
  void pb(uint16_t iface, uint64_t ticks, const std::vector<uint8_t>& d) {
    std::vector<uint8_t> b;
    put(b, iface, 2);
    put(b, 0, 2);
    put(b, ticks >> 32, 4);
    put(b, uint32_t(ticks), 4);
    put(b, d.size(), 4);
    put(b, d.size(), 4);
    b.insert(b.end(), d.begin(), d.end());
    block(2, b);
  }
};

TEST(Pcap, AllFourVariantsGiveExactTimestampsAndData) {
  auto recs = five_records();
  for (bool be : {false, true}) {
    for (bool ns : {false, true}) {
      SCOPED_TRACE(std::string(be ? "BE" : "LE") + (ns ? " ns" : " us"));
      auto bytes =
          fixture::write_pcap(recs, {.linktype = 113, .nanoseconds = ns, .big_endian = be});
      auto s = open_mem(bytes);
      ASSERT_TRUE(s);
      EXPECT_EQ(s->info().format, "pcap");
      EXPECT_EQ(s->info().linktype, 113u);
      auto got = read_all(*s);
      ASSERT_EQ(got.size(), 5u);
      uint64_t off = 24;
      for (size_t i = 0; i < 5; ++i) {
        Timestamp want = ns ? recs[i].ts : recs[i].ts / 1000 * 1000;
        EXPECT_EQ(got[i].ts, want);
        EXPECT_EQ(got[i].data, recs[i].data);
        EXPECT_EQ(got[i].caplen, recs[i].data.size());
        EXPECT_EQ(got[i].origlen, i == 2 ? 1500u : recs[i].data.size());
        EXPECT_EQ(got[i].linktype, 113u);
        EXPECT_EQ(got[i].offset, off);
        off += 16 + recs[i].data.size();
      }
      EXPECT_FALSE(s->info().damaged);
      EXPECT_TRUE(s->info().warnings.empty());
      EXPECT_EQ(s->position(), bytes.size());
      EXPECT_EQ(s->total_size(), bytes.size());
    }
  }
}

TEST(Pcap, ModifiedKuznetsovFormatSkipsItsExtraBytes) {
  auto recs = five_records();
  std::vector<uint8_t> f = fixture::write_pcap({}, {});
  f[0] = 0x34, f[1] = 0xcd;  // a1b2cd34 little-endian
  for (const auto& r : recs) {
    auto std = fixture::write_pcap({r}, {});
    f.insert(f.end(), std.begin() + 24, std.begin() + 40);
    f.insert(f.end(), {1, 0, 0, 0, 0, 8, 0, 0});  // ifindex, protocol, pkt_type, pad
    f.insert(f.end(), r.data.begin(), r.data.end());
  }
  auto s = open_mem(f);
  ASSERT_TRUE(s);
  auto got = read_all(*s);
  ASSERT_EQ(got.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(got[i].data, recs[i].data);
    EXPECT_EQ(got[i].ts, recs[i].ts / 1000 * 1000);
  }
  EXPECT_FALSE(s->info().damaged);
}

TEST(Pcap, InvalidFractionIsKeptAndWarnedOnce) {
  std::vector<Record> recs = {{0, frame(20)}, {0, frame(30)}, {0, frame(40)}};
  auto f = fixture::write_pcap(recs, {});
  // Fractions of records 2 and 3 set to 1000000 µs (one second too many).
  size_t off2 = 24 + 16 + recs[0].data.size();
  size_t off3 = off2 + 16 + recs[1].data.size();
  for (size_t o : {off2, off3}) f[o + 4] = 0x40, f[o + 5] = 0x42, f[o + 6] = 0x0f;
  auto s = open_mem(f);
  ASSERT_TRUE(s);
  auto got = read_all(*s);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].ts, kNsPerSec);  // 1000000 µs, as tcpdump would show it
  EXPECT_FALSE(s->info().damaged);
  ASSERT_EQ(s->info().warnings.size(), 1u);
  EXPECT_EQ(s->info().warnings[0],
            "record 2 at offset " + std::to_string(off2) +
                ": invalid timestamp fraction 1000000 us (2 records like this)");
}

TEST(Pcap, ImplausibleCaptureLengthIsDamage) {
  auto recs = five_records();
  auto f = fixture::write_pcap(recs, {.snaplen = 65535});
  size_t off = 24 + 16 + recs[0].data.size();
  f[off + 8] = 0xff, f[off + 9] = 0xff, f[off + 10] = 0xff, f[off + 11] = 0x7f;
  auto s = open_mem(f);
  ASSERT_TRUE(s);
  EXPECT_EQ(read_all(*s).size(), 1u);
  EXPECT_TRUE(s->info().damaged);
  ASSERT_EQ(s->info().errors.size(), 1u);
  EXPECT_EQ(s->info().errors[0], "record 2 at offset " + std::to_string(off) +
                                     ": implausible captured length 2147483647 (snaplen 65535)");
}

TEST(Pcapng, TwoInterfacesWithDifferentLinkTypesAndResolutions) {
  Ng ng;
  ng.shb();
  ng.idb(1, 0);               // Ethernet, default µs
  ng.idb(101, 128, 9, 3600);  // raw IP, ns, +1 h
  ng.idb(113, 0, 0x80 | 10);  // SLL, 2^-10 s
  auto a = frame(10), b = frame(20), c = frame(30);
  ng.epb(0, 1'600'000'000'123'456ull, a);
  ng.epb(1, 1'600'000'000'123'456'789ull, b, 1000);
  ng.epb(2, (1'600'000'000ull << 10) | 512, c);  // .5 s
  auto s = open_mem(ng.out);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->info().format, "pcapng");
  EXPECT_EQ(s->info().linktype, 1u);
  auto got = read_all(*s);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].ts, 1'600'000'000'123'456'000);
  EXPECT_EQ(got[0].linktype, 1u);
  EXPECT_EQ(got[0].interface_id, 0u);
  EXPECT_EQ(got[1].ts, 1'600'003'600'123'456'789);
  EXPECT_EQ(got[1].linktype, 101u);
  EXPECT_EQ(got[1].interface_id, 1u);
  EXPECT_EQ(got[1].origlen, 1000u);
  EXPECT_EQ(got[1].data, b);
  EXPECT_EQ(got[2].ts, 1'600'000'000'500'000'000);
  EXPECT_EQ(got[2].linktype, 113u);
  EXPECT_EQ(got[2].data, c);
  EXPECT_FALSE(s->info().damaged);
}

TEST(Pcapng, BuilderOutputMatchesPcapForBothByteOrders) {
  auto recs = five_records();
  recs[1].interface = 1;
  for (bool be : {false, true}) {
    auto bytes = fixture::write_pcapng(recs, {{1, false}, {1, true}}, be);
    auto s = open_mem(bytes);
    ASSERT_TRUE(s);
    auto got = read_all(*s);
    ASSERT_EQ(got.size(), 5u);
    for (size_t i = 0; i < 5; ++i) {
      EXPECT_EQ(got[i].data, recs[i].data);
      EXPECT_EQ(got[i].ts, i == 1 ? recs[i].ts : recs[i].ts / 1000 * 1000);
      EXPECT_EQ(got[i].interface_id, recs[i].interface);
    }
  }
}

TEST(Pcapng, SimpleAndObsoletePacketBlocks) {
  Ng ng;
  ng.shb();
  ng.idb(1, 64);
  auto big = frame(100), small = frame(1);
  ng.epb(0, 5'000'000, small);
  ng.spb(uint32_t(big.size()), big);      // snapped to the interface's 64
  ng.spb(uint32_t(small.size()), small);  // padding is not data
  ng.pb(0, 7'000'000, small);
  auto s = open_mem(ng.out);
  ASSERT_TRUE(s);
  auto got = read_all(*s);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[1].caplen, 64u);
  EXPECT_EQ(got[1].origlen, big.size());
  EXPECT_EQ(got[1].data, std::vector<uint8_t>(big.begin(), big.begin() + 64));
  EXPECT_EQ(got[1].ts, 5 * kNsPerSec);  // SPBs have no time: the previous packet's
  EXPECT_EQ(got[2].caplen, small.size());
  EXPECT_EQ(got[2].data, small);
  EXPECT_EQ(got[3].ts, 7 * kNsPerSec);
  EXPECT_EQ(got[3].data, small);
  EXPECT_FALSE(s->info().damaged);
}

TEST(Pcapng, UnknownAndNonPacketBlocksAreSkipped) {
  Ng ng;
  ng.shb();
  ng.block(0x0bad, {1, 2, 3, 4, 5});  // custom
  ng.idb(1, 0);
  ng.block(4, {0, 0, 0, 0});                             // NRB (empty)
  ng.block(0x12345678, std::vector<uint8_t>(40, 0xee));  // unknown
  auto a = frame(5);
  ng.epb(0, 1, a);
  ng.block(5, std::vector<uint8_t>(12, 0));   // ISB
  ng.block(10, std::vector<uint8_t>(16, 1));  // DSB
  ng.epb(0, 2, a);
  auto s = open_mem(ng.out);
  ASSERT_TRUE(s);
  auto got = read_all(*s);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].ts, 2000);
  EXPECT_FALSE(s->info().damaged);
}

TEST(Pcapng, SectionsOfDifferentByteOrdersResetInterfaces) {
  Ng ng;
  ng.shb();
  ng.idb(1, 0);
  ng.idb(105, 0);
  auto a = frame(5), b = frame(6);
  ng.epb(1, 10, a);
  ng.be = true;
  ng.shb();
  ng.idb(113, 0, 9);
  ng.epb(0, 20, b);
  ng.epb(1, 30, b);  // interface 1 belonged to the previous section
  auto s = open_mem(ng.out);
  ASSERT_TRUE(s);
  auto got = read_all(*s);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].linktype, 105u);
  EXPECT_EQ(got[0].ts, 10'000);
  EXPECT_EQ(got[1].linktype, 113u);
  EXPECT_EQ(got[1].interface_id, 0u);
  EXPECT_EQ(got[1].ts, 20);
  EXPECT_EQ(got[1].data, b);
  EXPECT_EQ(s->info().linktype, 1u);
  EXPECT_TRUE(s->info().damaged);
  ASSERT_EQ(s->info().errors.size(), 1u);
  EXPECT_NE(s->info().errors[0].find("block 8 at offset "), std::string::npos)
      << s->info().errors[0];
  EXPECT_NE(s->info().errors[0].find("packet on interface 1 but the section has 1 interface(s)"),
            std::string::npos);
}

TEST(Pcapng, AbsurdBlockLengthsAreDamageAtTheirOffset) {
  struct Case {
    uint32_t len;
    bool fix_trailer;
    std::string why;
  };
  for (const Case& c :
       {Case{13, false, "invalid block length 13"}, Case{8, false, "invalid block length 8"},
        Case{0x20000000, false, "invalid block length 536870912"},
        Case{0, true, "trailing block length 999 does not match"}}) {
    SCOPED_TRACE(c.why);
    Ng ng;
    ng.shb();
    ng.idb(1, 0);
    auto a = frame(8);
    ng.epb(0, 1, a);
    size_t off = ng.out.size();
    ng.epb(0, 2, a);
    ng.epb(0, 3, a);
    if (c.fix_trailer) {
      uint32_t len = uint32_t(12 + 20 + a.size() + (4 - a.size() % 4) % 4);
      std::memcpy(&ng.out[off + len - 4], "\xe7\x03\x00\x00", 4);  // 999
    } else {
      std::memcpy(&ng.out[off + 4], &c.len, 4);  // little-endian host
    }
    auto s = open_mem(ng.out);
    ASSERT_TRUE(s);
    EXPECT_EQ(read_all(*s).size(), 1u);
    EXPECT_TRUE(s->info().damaged);
    ASSERT_EQ(s->info().errors.size(), 1u);
    EXPECT_EQ(
        s->info().errors[0].rfind("block 4 at offset " + std::to_string(off) + ": " + c.why, 0), 0u)
        << s->info().errors[0];
  }
}

TEST(Pcapng, OpenErrorsOnUnusableFirstSection) {
  Ng ng;
  ng.shb();
  ng.out[8] = 0x99;  // byte-order magic
  auto r = open_memory({ng.out.data(), ng.out.size()}, "x.pcapng");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "x.pcapng: not a pcapng file (bad byte-order magic)");
}

// Cuts a 5-packet capture at every byte offset: never a crash, exactly the
// complete records before the cut, and damage named when the cut is inside one.
void check_every_cut(const std::vector<uint8_t>& full, const std::vector<uint64_t>& record_ends,
                     size_t header_size, const std::string& unit,
                     const std::vector<uint64_t>& unit_numbers) {
  for (size_t cut = 0; cut < full.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    std::vector<uint8_t> part(full.begin(), full.begin() + long(cut));
    auto r = open_memory({part.data(), part.size()}, "cut");
    if (cut < header_size) {
      ASSERT_FALSE(r.ok());
      if (cut == 0) {
        EXPECT_EQ(r.error().message, "cut: empty file");
      }
      continue;
    }
    ASSERT_TRUE(r.ok()) << r.error().message;
    Source& s = **r;
    size_t complete = 0;
    while (complete < record_ends.size() && record_ends[complete] <= cut) ++complete;
    Packet p;
    size_t n = 0;
    while (s.next(p) == ReadStatus::kPacket) ++n;
    EXPECT_EQ(n, complete);
    uint64_t start = complete ? record_ends[complete - 1] : header_size;
    bool inside = cut != start;
    EXPECT_EQ(s.info().damaged, inside);
    if (inside) {
      ASSERT_EQ(s.info().errors.size(), 1u);
      std::string want = unit + " " + std::to_string(unit_numbers[complete]) + " at offset " +
                         std::to_string(start) + ": truncated";
      EXPECT_EQ(s.info().errors[0].rfind(want, 0), 0u) << s.info().errors[0];
    } else {
      EXPECT_TRUE(s.info().errors.empty());
    }
  }
}

TEST(Damage, PcapTruncatedAtEveryOffset) {
  auto recs = five_records();
  auto f = fixture::write_pcap(recs, {});
  std::vector<uint64_t> ends;
  uint64_t o = 24;
  for (const auto& r : recs) ends.push_back(o += 16 + r.data.size());
  check_every_cut(f, ends, 24, "record", {1, 2, 3, 4, 5});
}

TEST(Damage, PcapngTruncatedAtEveryOffset) {
  auto recs = five_records();
  auto f = fixture::write_pcapng(recs, {{1, false}});
  // Blocks: SHB (28 bytes), IDB (20), then 5 EPBs; the header is the SHB.
  std::vector<uint64_t> ends;
  uint64_t o = 28 + 20;
  for (const auto& r : recs) ends.push_back(o += 32 + (r.data.size() + 3) / 4 * 4);
  // A cut inside the IDB is damage too, before any packet.
  for (size_t cut = 29; cut < 48; ++cut) {
    std::vector<uint8_t> part(f.begin(), f.begin() + long(cut));
    auto s = open_mem(part);
    ASSERT_TRUE(s);
    Packet p;
    EXPECT_EQ(s->next(p), ReadStatus::kEnd);
    EXPECT_TRUE(s->info().damaged);
    EXPECT_EQ(s->info().errors.at(0).rfind("block 2 at offset 28: truncated", 0), 0u);
  }
  // Block numbers: SHB 1, IDB 2, packets from 3.
  for (size_t cut = 48; cut < f.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    std::vector<uint8_t> part(f.begin(), f.begin() + long(cut));
    auto s = open_mem(part);
    ASSERT_TRUE(s);
    size_t complete = 0;
    while (complete < ends.size() && ends[complete] <= cut) ++complete;
    EXPECT_EQ(read_all(*s).size(), complete);
    uint64_t start = complete ? ends[complete - 1] : 48;
    EXPECT_EQ(s->info().damaged, cut != start);
    if (cut != start) {
      EXPECT_EQ(
          s->info().errors.at(0).rfind("block " + std::to_string(complete + 3) + " at offset " +
                                           std::to_string(start) + ": truncated",
                                       0),
          0u)
          << s->info().errors.at(0);
    }
  }
  for (size_t cut = 0; cut < 28; ++cut) {
    auto r = open_memory({f.data(), cut}, "cut");
    EXPECT_FALSE(r.ok());
  }
}

TEST(Damage, PcapMessageNamesRecordOffsetAndSizes) {
  auto recs = five_records();
  auto f = fixture::write_pcap(recs, {});
  size_t off = 24 + 16 + recs[0].data.size();
  f.resize(off + 16 + 7);
  auto s = open_mem(f);
  ASSERT_TRUE(s);
  EXPECT_EQ(read_all(*s).size(), 1u);
  EXPECT_EQ(s->info().errors.at(0), "record 2 at offset " + std::to_string(off) +
                                        ": truncated, header says " +
                                        std::to_string(recs[1].data.size()) + " bytes, 7 remain");
  f.resize(off + 5);
  s = open_mem(f);
  EXPECT_EQ(read_all(*s).size(), 1u);
  EXPECT_EQ(s->info().errors.at(0), "record 2 at offset " + std::to_string(off) +
                                        ": truncated record header, 5 of 16 bytes present");
}

TEST(Open, EmptyHeaderOnlyAndNotACapture) {
  std::string empty = temp_path("empty.pcap");
  fixture::write_file(empty, {});
  auto r = open_file(empty);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, empty + ": empty file");

  std::string header = temp_path("header.pcap");
  fixture::write_file(header, fixture::write_pcap({}, {}));
  r = open_file(header);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(read_all(**r).size(), 0u);
  EXPECT_FALSE((*r)->info().damaged);

  auto ng = fixture::write_pcapng({}, {{1, false}});
  auto s = open_mem(ng);
  EXPECT_EQ(read_all(*s).size(), 0u);
  EXPECT_FALSE(s->info().damaged);

  std::string html = temp_path("page.html");
  std::string text = "<!DOCTYPE html><html></html>";
  fixture::write_file(html, std::vector<uint8_t>(text.begin(), text.end()));
  r = open_file(html);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, html + ": not a pcap or pcapng file (starts with 3c 21 44 4f)");

  r = open_file(temp_path("does-not-exist"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(": cannot open: No such file or directory"), std::string::npos);
  r = open_file(testing::TempDir());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("is a directory"), std::string::npos);
  for (const char* p : {empty.c_str(), header.c_str(), html.c_str()}) std::remove(p);
}

TEST(Compression, GzipAndZstdGiveTheSamePacketsAsPlain) {
  auto recs = five_records();
  std::vector<std::pair<std::vector<uint8_t>, std::string>> inputs = {
      {fixture::write_pcap(recs, {.nanoseconds = true}), "pcap"},
      {fixture::write_pcapng(recs, {{1, true}}), "pcapng"}};
  for (auto& [plain, format] : inputs) {
    auto plain_source = open_mem(plain);
    auto want = read_all(*plain_source);
    ASSERT_EQ(want.size(), 5u);
    for (auto c : {fixture::Compression::kGzip, fixture::Compression::kZstd}) {
      std::string suffix = c == fixture::Compression::kGzip ? "+gzip" : "+zstd";
      std::string path = temp_path("c" + suffix);
      auto packed = fixture::compress(plain, c);
      fixture::write_file(path, packed);
      auto r = open_file(path);
      ASSERT_TRUE(r.ok()) << r.error().message;
      EXPECT_EQ((*r)->info().format, format + suffix);
      auto got = read_all(**r);
      ASSERT_EQ(got.size(), want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].ts, want[i].ts);
        EXPECT_EQ(got[i].data, want[i].data);
        EXPECT_EQ(got[i].offset, want[i].offset);  // offsets are in the decompressed stream
      }
      EXPECT_FALSE((*r)->info().damaged);
      EXPECT_EQ((*r)->position(), packed.size());
      EXPECT_EQ((*r)->total_size(), packed.size());
      std::remove(path.c_str());
    }
  }
}

TEST(Compression, ConcatenatedGzipMembersAndZstdFrames) {
  auto recs = five_records();
  auto plain = fixture::write_pcap(recs, {});
  size_t half = plain.size() / 2;
  std::vector<uint8_t> a(plain.begin(), plain.begin() + long(half)),
      b(plain.begin() + long(half), plain.end());
  for (auto c : {fixture::Compression::kGzip, fixture::Compression::kZstd}) {
    auto joined = fixture::compress(a, c);
    auto tail = fixture::compress(b, c);
    joined.insert(joined.end(), tail.begin(), tail.end());
    auto s = open_mem(joined);
    ASSERT_TRUE(s);
    auto got = read_all(*s);
    ASSERT_EQ(got.size(), 5u);
    EXPECT_EQ(got[4].data, recs[4].data);
    EXPECT_FALSE(s->info().damaged);
  }
}

TEST(Compression, TruncatedAndCorruptStreamsAreDamage) {
  // Large enough for several zstd blocks (up to 128 KiB each).
  constexpr size_t kCount = 2000;
  std::vector<Record> recs;
  for (size_t i = 0; i < kCount; ++i) {
    recs.push_back({Timestamp(i) * kNsPerSec, frame(200 + i % 300, uint16_t(i))});
  }
  auto plain = fixture::write_pcap(recs, {});
  for (auto c : {fixture::Compression::kGzip, fixture::Compression::kZstd}) {
    std::string name = c == fixture::Compression::kGzip ? "gzip" : "zstd";
    SCOPED_TRACE(name);
    auto packed = fixture::compress(plain, c);
    auto cut = std::vector<uint8_t>(packed.begin(), packed.begin() + long(packed.size() / 2));
    auto s = open_mem(cut);
    ASSERT_TRUE(s);
    size_t n = read_all(*s).size();
    EXPECT_GT(n, 10u);
    EXPECT_LT(n, kCount);
    EXPECT_TRUE(s->info().damaged);
    EXPECT_NE(s->info().errors.at(0).find(name + " stream ends early"), std::string::npos)
        << s->info().errors.at(0);
    EXPECT_EQ(s->info().errors.at(0).rfind("record " + std::to_string(n + 1) + " at offset ", 0),
              0u);

    // Bytes flipped mid-stream: the decoder notices, or it yields garbage
    // the reader rejects; either way we stop early and say why.
    auto bad = packed;
    for (size_t i = bad.size() / 2; i < bad.size() / 2 + 64; ++i) bad[i] ^= 0x5a;
    s = open_mem(bad);
    ASSERT_TRUE(s);
    n = read_all(*s).size();
    EXPECT_LT(n, kCount);
    EXPECT_TRUE(s->info().damaged);
    EXPECT_EQ(s->info().errors.size(), 1u);
  }
  // A wrong gzip CRC is only seen at the end: every record, then damage.
  auto packed = fixture::compress(plain, fixture::Compression::kGzip);
  packed[packed.size() - 8] ^= 1;
  auto s = open_mem(packed);
  ASSERT_TRUE(s);
  EXPECT_EQ(read_all(*s).size(), kCount);
  EXPECT_TRUE(s->info().damaged);
  EXPECT_EQ(s->info().errors.at(0),
            "record " + std::to_string(kCount + 1) + " at offset " + std::to_string(plain.size()) +
                ": gzip stream corrupt at compressed offset " + std::to_string(packed.size() - 4) +
                " (incorrect data check)");
}

TEST(Buffering, RecordsStraddlingRefillsAndLargerThanTheBuffer) {
  // ~3 MB of odd-sized records crosses several 1 MiB refills; one 3 MiB
  // record is larger than the buffer.
  std::vector<Record> recs;
  for (int i = 0; i < 2000; ++i) recs.push_back({Timestamp(i), frame(1000 + i % 477, uint16_t(i))});
  Record huge{5, std::vector<uint8_t>(3 << 20)};
  for (size_t i = 0; i < huge.data.size(); ++i) huge.data[i] = uint8_t(i * 31 + 7);
  recs.insert(recs.begin() + 1000, huge);
  auto plain = fixture::write_pcap(recs, {.snaplen = 8 << 20});
  for (auto c : {fixture::Compression::kNone, fixture::Compression::kGzip}) {
    std::string path = temp_path("big");
    fixture::write_file(path, fixture::compress(plain, c));
    auto r = open_file(path);
    ASSERT_TRUE(r.ok()) << r.error().message;
    Packet p;
    size_t i = 0;
    while ((*r)->next(p) == ReadStatus::kPacket) {
      ASSERT_LT(i, recs.size());
      ASSERT_EQ(p.caplen, recs[i].data.size()) << i;
      ASSERT_EQ(std::memcmp(p.data, recs[i].data.data(), p.caplen), 0) << i;
      ++i;
    }
    EXPECT_EQ(i, recs.size());
    EXPECT_FALSE((*r)->info().damaged);
    EXPECT_EQ((*r)->info().bytes, plain.size() - 24 - 16 * recs.size());
    std::remove(path.c_str());
  }
}

TEST(Stdin, ReadsAPipe) {
  auto recs = five_records();
  auto packed =
      fixture::compress(fixture::write_pcapng(recs, {{1, false}}), fixture::Compression::kGzip);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  int saved = dup(0);
  ASSERT_GE(saved, 0);
  ASSERT_EQ(dup2(fds[0], 0), 0);
  close(fds[0]);
  std::thread writer([&] {
    // Dribble it in small writes so reads come back short.
    for (size_t i = 0; i < packed.size(); i += 7) {
      ssize_t w = write(fds[1], packed.data() + i, std::min<size_t>(7, packed.size() - i));
      (void)w;
    }
    close(fds[1]);
  });
  auto r = open_file("-");
  std::vector<Got> got;
  if (r.ok()) got = read_all(**r);
  writer.join();
  dup2(saved, 0);
  close(saved);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)->info().format, "pcapng+gzip");
  EXPECT_EQ((*r)->total_size(), 0u);
  ASSERT_EQ(got.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(got[i].data, recs[i].data);
}

TEST(Linktype, Names) {
  EXPECT_EQ(linktype_name(0), "NULL");
  EXPECT_EQ(linktype_name(1), "EN10MB");
  EXPECT_EQ(linktype_name(101), "RAW");
  EXPECT_EQ(linktype_name(105), "IEEE802_11");
  EXPECT_EQ(linktype_name(113), "LINUX_SLL");
  EXPECT_EQ(linktype_name(127), "IEEE802_11_RADIO");
  EXPECT_EQ(linktype_name(160), "USER13");
  EXPECT_EQ(linktype_name(228), "IPV4");
  EXPECT_EQ(linktype_name(276), "LINUX_SLL2");
  EXPECT_EQ(linktype_name(12), "LINKTYPE_12");  // DLT_RAW's number, not a LINKTYPE
  EXPECT_EQ(linktype_name(99999), "LINKTYPE_99999");
}

}  // namespace
}  // namespace ph::capture

namespace ph::capture {
namespace {

// The fuzz seeds in fuzz/corpus/capture_fuzz/ are made here. Run with
// PHONEHOME_WRITE_CAPTURE_CORPUS=1 to (re)write them; otherwise this checks
// the committed seeds are exactly what this code makes.
TEST(FuzzCorpus, SeedsMatchTheirGenerator) {
  std::vector<Record> recs = {{1'600'000'000'123'456'789, frame(4)},
                              {1'600'000'001'000'000'001, frame(12, 80)},
                              {1'600'000'002'999'999'999, frame(0, 443)}};
  struct Seed {
    std::string name;
    std::vector<uint8_t> bytes;
    size_t packets;
    bool damaged = false;
  };
  std::vector<Seed> seeds;
  seeds.push_back({"pcap_le_us", fixture::write_pcap(recs, {}), 3});
  seeds.push_back(
      {"pcap_be_ns",
       fixture::write_pcap(recs, {.linktype = 101, .nanoseconds = true, .big_endian = true}), 3});
  auto modified = fixture::write_pcap({}, {});
  modified[0] = 0x34, modified[1] = 0xcd;
  seeds.push_back({"pcap_modified_header_only", modified, 0});
  auto cut = fixture::write_pcap(recs, {});
  cut.resize(cut.size() - 9);
  seeds.push_back({"pcap_truncated", cut, 2, true});
  Ng ng;
  ng.shb();
  ng.idb(1, 64, 0x80 | 20, -5);
  ng.idb(113, 0, 9);
  ng.block(0x0bad, {1, 2, 3});
  ng.epb(0, 77, recs[0].data);
  ng.spb(100, recs[1].data);
  ng.pb(1, 88, recs[2].data);
  ng.be = true;
  ng.shb();
  ng.idb(101, 0, 3);
  ng.epb(0, 99, recs[1].data);
  seeds.push_back({"pcapng_features", ng.out, 4});
  auto bad = fixture::write_pcapng(recs, {{1, false}});
  bad[28 + 20 + 4] = 13;  // first EPB's length
  seeds.push_back({"pcapng_bad_length", bad, 0, true});
  seeds.push_back({"pcap_gzip",
                   fixture::compress(fixture::write_pcap(recs, {}), fixture::Compression::kGzip),
                   3});
  seeds.push_back(
      {"pcapng_zstd",
       fixture::compress(fixture::write_pcapng(recs, {{1, true}}), fixture::Compression::kZstd),
       3});
  std::string dir = std::string(PHONEHOME_SOURCE_DIR) + "/fuzz/corpus/capture_fuzz/";
  bool write = std::getenv("PHONEHOME_WRITE_CAPTURE_CORPUS") != nullptr;
  for (const Seed& seed : seeds) {
    SCOPED_TRACE(seed.name);
    EXPECT_LT(seed.bytes.size(), 4096u);
    std::string path = dir + seed.name;
    if (write) fixture::write_file(path, seed.bytes);
    FILE* f = std::fopen(path.c_str(), "rb");
    ASSERT_NE(f, nullptr) << "missing seed; run with PHONEHOME_WRITE_CAPTURE_CORPUS=1";
    std::vector<uint8_t> have(8192);
    have.resize(std::fread(have.data(), 1, have.size(), f));
    std::fclose(f);
    // Compressed bytes may differ between zlib/zstd versions; what they hold may not.
    bool compressed = seed.name.ends_with("gzip") || seed.name.ends_with("zstd");
    if (!compressed) {
      EXPECT_EQ(have, seed.bytes);
    }
    for (const std::vector<uint8_t>* bytes :
         {&seed.bytes, static_cast<const std::vector<uint8_t>*>(&have)}) {
      auto s = open_mem(*bytes);
      ASSERT_TRUE(s);
      EXPECT_EQ(read_all(*s).size(), seed.packets);
      EXPECT_EQ(s->info().damaged, seed.damaged);
    }
  }
}

}  // namespace
}  // namespace ph::capture
