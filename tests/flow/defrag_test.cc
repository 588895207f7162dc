// Tests for IP reassembly: in-order, reversed and duplicated fragments give
// back the original datagram byte for byte; overlaps follow the policy
// (IPv4 first wins, IPv6 drops the datagram); timeouts, limits and the 64 KB
// cap evict and count.
#include "flow/defrag.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fixture/builder.h"

namespace ph::flow {
namespace {

using V = std::vector<uint8_t>;
using decode::PacketView;
using decode::Status;

const IpAddr kA4 = IpAddr::parse("192.0.2.1");
const IpAddr kB4 = IpAddr::parse("198.51.100.2");
const IpAddr kA6 = IpAddr::parse("2001:db8::1");
const IpAddr kB6 = IpAddr::parse("2001:db8::2");

std::string pattern(size_t n) {
  std::string s(n, 0);
  for (size_t i = 0; i < n; ++i) s[i] = char('a' + i % 26);
  return s;
}

class Feeder {
 public:
  explicit Feeder(DefragLimits limits = {}) : defrag(limits, stats) {}
  // Decodes a raw IP fragment and adds it; returns the datagram if complete.
  std::optional<V> add(const V& ip, Timestamp ts = 0, uint16_t vlan = 0) {
    PacketView v;
    Status s = decode::decode_frame(decode::kLinkRaw, ip, v, stats.anomalies);
    EXPECT_EQ(s, Status::kFragment);
    if (s != Status::kFragment) return std::nullopt;
    v.vlan = vlan;
    auto out = defrag.add(v, ts);
    if (!out) return std::nullopt;
    return V(out->begin(), out->end());
  }
  Stats stats;
  Defragmenter defrag;
};

TEST(Defrag, Ipv4InOrderReversedAndShuffled) {
  V orig = fixture::udp_segment(kA4, kB4, 1000, 53, pattern(100));
  auto frags = fixture::fragment(orig, 32);
  ASSERT_EQ(frags.size(), 4u);
  for (int order = 0; order < 3; ++order) {
    auto fs = frags;
    if (order == 1) std::reverse(fs.begin(), fs.end());
    if (order == 2) std::swap(fs[0], fs[2]);
    Feeder f;
    std::optional<V> got;
    for (size_t i = 0; i < fs.size(); ++i) {
      got = f.add(fs[i]);
      if (i + 1 < fs.size()) {
        EXPECT_FALSE(got) << order;
        EXPECT_EQ(f.defrag.in_progress(), 1u);
      }
    }
    ASSERT_TRUE(got) << order;
    EXPECT_EQ(*got, orig) << order;  // header restored: flags, length, checksum
    EXPECT_EQ(f.defrag.in_progress(), 0u);
    EXPECT_EQ(f.defrag.buffered_bytes(), 0u);
    // And the decoder accepts it.
    PacketView v;
    ASSERT_EQ(decode::decode_ip(*got, v, f.stats.anomalies), Status::kOk);
    EXPECT_EQ(v.dport, 53);
    EXPECT_EQ(as_string(v.payload), pattern(100));
  }
}

TEST(Defrag, Ipv6InOrderAndReversed) {
  V orig = fixture::udp_segment(kA6, kB6, 1000, 53, pattern(200));
  auto frags = fixture::fragment(orig, 64);
  for (bool reverse : {false, true}) {
    auto fs = frags;
    if (reverse) std::reverse(fs.begin(), fs.end());
    Feeder f;
    std::optional<V> got;
    for (const auto& fr : fs) got = f.add(fr);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, orig);  // 40-byte header with the real next header
    PacketView v;
    ASSERT_EQ(decode::decode_ip(*got, v, f.stats.anomalies), Status::kOk);
    EXPECT_EQ(as_string(v.payload), pattern(200));
  }
}

TEST(Defrag, Ipv6UnfragmentableHeadersDropped) {
  V orig = fixture::udp_segment(kA6, kB6, 7, 8, pattern(40));
  auto frags = fixture::fragment(orig, 24);
  // Insert a destination-options header before each fragment header.
  for (auto& fr : frags) {
    V dst = {44, 0, 1, 4, 0, 0, 0, 0};
    fr.insert(fr.begin() + 40, dst.begin(), dst.end());
    fr[6] = 60;
    uint16_t plen = uint16_t((fr[4] << 8 | fr[5]) + 8);
    fr[4] = uint8_t(plen >> 8);
    fr[5] = uint8_t(plen);
  }
  Feeder f;
  std::optional<V> got;
  for (const auto& fr : frags) got = f.add(fr);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, orig);
}

// A raw IPv4 fragment with explicit offset and payload.
V v4frag(uint16_t id, uint32_t offset, bool more, const std::string& data, uint8_t proto = 17) {
  V body(data.begin(), data.end());
  V p = fixture::ip_packet(kA4, kB4, proto, body, id);
  uint16_t fo = uint16_t((more ? 0x2000 : 0) | (offset / 8));
  p[6] = uint8_t(fo >> 8);
  p[7] = uint8_t(fo);
  return p;
}
V v6frag(uint32_t id, uint32_t offset, bool more, const std::string& data) {
  V frag = {17, 0, 0, 0, 0, 0, 0, 0};
  uint16_t om = uint16_t(offset | (more ? 1 : 0));
  frag[2] = uint8_t(om >> 8);
  frag[3] = uint8_t(om);
  frag[4] = uint8_t(id >> 24);
  frag[5] = uint8_t(id >> 16);
  frag[6] = uint8_t(id >> 8);
  frag[7] = uint8_t(id);
  frag.insert(frag.end(), data.begin(), data.end());
  V p = fixture::ip_packet(kA6, kB6, 44, frag);
  return p;
}
std::string payload_of(const V& ip) {
  size_t h = (ip[0] >> 4) == 4 ? size_t(ip[0] & 15) * 4 : 40;
  return std::string(ip.begin() + long(h), ip.end());
}

TEST(Defrag, Ipv4OverlapFirstWins) {
  std::string a(16, 'A'), b(16, 'B'), c(8, 'C');
  {
    Feeder f;
    EXPECT_FALSE(f.add(v4frag(9, 0, true, a)));
    EXPECT_FALSE(f.add(v4frag(9, 8, true, b)));  // overlaps A's [8,16)
    auto got = f.add(v4frag(9, 24, false, c));
    ASSERT_TRUE(got);
    EXPECT_EQ(payload_of(*got), std::string(16, 'A') + std::string(8, 'B') + c);
    EXPECT_EQ(f.stats.anomalies.get("ipv4.frag-overlap"), 1u);
  }
  {
    Feeder f;  // B arrives first: it keeps [8,24), A fills only [0,8)
    EXPECT_FALSE(f.add(v4frag(9, 8, true, b)));
    EXPECT_FALSE(f.add(v4frag(9, 0, true, a)));
    auto got = f.add(v4frag(9, 24, false, c));
    ASSERT_TRUE(got);
    EXPECT_EQ(payload_of(*got), std::string(8, 'A') + std::string(16, 'B') + c);
    EXPECT_EQ(f.stats.anomalies.get("ipv4.frag-overlap"), 1u);
  }
  {
    Feeder f;  // a fragment spanning a hole between two held ranges
    EXPECT_FALSE(f.add(v4frag(9, 0, true, std::string(8, 'A'))));
    EXPECT_FALSE(f.add(v4frag(9, 16, true, std::string(8, 'C'))));
    EXPECT_FALSE(f.add(v4frag(9, 0, true, std::string(32, 'X'))));
    auto got = f.add(v4frag(9, 32, false, "END....."));
    ASSERT_TRUE(got);
    EXPECT_EQ(payload_of(*got), "AAAAAAAAXXXXXXXXCCCCCCCCXXXXXXXXEND.....");
  }
}

TEST(Defrag, Ipv6OverlapDropsDatagram) {
  Feeder f;
  EXPECT_FALSE(f.add(v6frag(5, 0, true, std::string(16, 'A'))));
  EXPECT_FALSE(f.add(v6frag(5, 8, true, std::string(16, 'B'))));
  EXPECT_EQ(f.stats.anomalies.get("ipv6.frag-overlap"), 1u);
  EXPECT_EQ(f.defrag.in_progress(), 0u);
  // The rest of the datagram cannot complete it any more.
  EXPECT_FALSE(f.add(v6frag(5, 24, false, std::string(8, 'C'))));
}

TEST(Defrag, DuplicatesAreHarmless) {
  for (bool v6 : {false, true}) {
    V orig = v6 ? fixture::udp_segment(kA6, kB6, 1, 2, pattern(48))
                : fixture::udp_segment(kA4, kB4, 1, 2, pattern(48));
    auto frags = fixture::fragment(orig, 32);
    ASSERT_EQ(frags.size(), 2u);
    Feeder f;
    EXPECT_FALSE(f.add(frags[0]));
    EXPECT_FALSE(f.add(frags[0]));
    auto got = f.add(frags[1]);
    ASSERT_TRUE(got) << v6;
    EXPECT_EQ(*got, orig);
    EXPECT_EQ(f.stats.drops.get("ip.frag-duplicate"), 1u);
    EXPECT_EQ(f.stats.anomalies.get("ipv4.frag-overlap"), 0u);
    EXPECT_EQ(f.stats.anomalies.get("ipv6.frag-overlap"), 0u);
  }
}

TEST(Defrag, KeyIncludesIdProtocolAndVlan) {
  Feeder f;
  EXPECT_FALSE(f.add(v4frag(1, 0, true, std::string(8, 'a'))));
  EXPECT_FALSE(f.add(v4frag(2, 8, false, std::string(8, 'b'))));        // other id
  EXPECT_FALSE(f.add(v4frag(1, 8, false, std::string(8, 'c'), 6)));     // other proto
  EXPECT_FALSE(f.add(v4frag(1, 8, false, std::string(8, 'd')), 0, 7));  // other vlan
  EXPECT_EQ(f.defrag.in_progress(), 4u);
  auto got = f.add(v4frag(1, 8, false, std::string(8, 'e')));
  ASSERT_TRUE(got);
  EXPECT_EQ(payload_of(*got), "aaaaaaaaeeeeeeee");
}

TEST(Defrag, Timeout) {
  DefragLimits lim;
  lim.timeout = 30 * kNsPerSec;
  Feeder f(lim);
  EXPECT_FALSE(f.add(v4frag(1, 0, true, std::string(8, 'a')), 0));
  // 31 s later the first half is gone; the second half starts over.
  EXPECT_FALSE(f.add(v4frag(1, 8, false, std::string(8, 'b')), 31 * kNsPerSec));
  EXPECT_EQ(f.stats.drops.get("ip.frag-timeout"), 1u);
  EXPECT_EQ(f.defrag.in_progress(), 1u);
  f.defrag.expire(40 * kNsPerSec);
  EXPECT_EQ(f.defrag.in_progress(), 1u);  // idle 9 s only
  f.defrag.expire(62 * kNsPerSec);
  EXPECT_EQ(f.defrag.in_progress(), 0u);
  EXPECT_EQ(f.defrag.buffered_bytes(), 0u);
  EXPECT_EQ(f.stats.drops.get("ip.frag-timeout"), 2u);

  // Within the timeout it completes.
  EXPECT_FALSE(f.add(v4frag(3, 0, true, std::string(8, 'a')), 100 * kNsPerSec));
  EXPECT_TRUE(f.add(v4frag(3, 8, false, std::string(8, 'b')), 129 * kNsPerSec));
}

TEST(Defrag, DatagramLimitEvictsOldest) {
  DefragLimits lim;
  lim.max_datagrams = 2;
  Feeder f(lim);
  EXPECT_FALSE(f.add(v4frag(1, 0, true, std::string(8, 'a')), 1));
  EXPECT_FALSE(f.add(v4frag(2, 0, true, std::string(8, 'a')), 2));
  EXPECT_FALSE(f.add(v4frag(3, 0, true, std::string(8, 'a')), 3));
  EXPECT_EQ(f.defrag.in_progress(), 2u);
  EXPECT_EQ(f.stats.drops.get("ip.frag-evicted"), 1u);
  // id 1 was evicted; 2 and 3 still complete.
  EXPECT_FALSE(f.add(v4frag(1, 8, false, std::string(8, 'b')), 4));
  EXPECT_EQ(f.stats.drops.get("ip.frag-evicted"), 2u);  // made room by evicting 2
  EXPECT_TRUE(f.add(v4frag(3, 8, false, std::string(8, 'b')), 5));
}

TEST(Defrag, ByteLimitEvictsOldest) {
  DefragLimits lim;
  lim.max_bytes = 100;
  Feeder f(lim);
  EXPECT_FALSE(f.add(v4frag(1, 0, true, std::string(48, 'a'))));
  EXPECT_FALSE(f.add(v4frag(2, 0, true, std::string(48, 'b'))));
  EXPECT_EQ(f.defrag.buffered_bytes(), 96u);
  EXPECT_FALSE(f.add(v4frag(3, 0, true, std::string(48, 'c'))));
  EXPECT_EQ(f.defrag.in_progress(), 2u);
  EXPECT_LE(f.defrag.buffered_bytes(), 100u);
  EXPECT_EQ(f.stats.drops.get("ip.frag-evicted"), 1u);
  // One datagram bigger than the whole budget is refused.
  EXPECT_FALSE(f.add(v4frag(4, 200, true, std::string(8, 'd'))));
  EXPECT_LE(f.defrag.buffered_bytes(), 100u);
}

TEST(Defrag, TooBigAndTruncated) {
  Feeder f;
  EXPECT_FALSE(f.add(v4frag(1, 0, true, std::string(8, 'a'))));
  EXPECT_FALSE(f.add(v4frag(1, 65528, false, std::string(16, 'z'))));
  EXPECT_EQ(f.stats.anomalies.get("ip.frag-too-big"), 1u);
  EXPECT_EQ(f.defrag.in_progress(), 0u);

  // A fragment the capture cut short cannot be used.
  V cut = v4frag(2, 0, true, std::string(64, 'a'));
  cut.resize(cut.size() - 10);
  EXPECT_FALSE(f.add(cut));
  EXPECT_EQ(f.stats.drops.get("ip.frag-truncated"), 1u);
  EXPECT_EQ(f.defrag.in_progress(), 0u);
}

TEST(Defrag, InconsistentLastFragmentIgnored) {
  Feeder f;
  EXPECT_FALSE(f.add(v4frag(1, 16, false, std::string(8, 'c'))));
  EXPECT_FALSE(f.add(v4frag(1, 8, false, std::string(8, 'x'))));  // a second, shorter end
  EXPECT_FALSE(f.add(v4frag(1, 24, true, std::string(8, 'x'))));  // beyond the end
  EXPECT_EQ(f.stats.anomalies.get("ip.frag-inconsistent"), 2u);
  EXPECT_FALSE(f.add(v4frag(1, 0, true, std::string(8, 'a'))));
  auto got = f.add(v4frag(1, 8, true, std::string(8, 'b')));
  ASSERT_TRUE(got);
  EXPECT_EQ(payload_of(*got), "aaaaaaaabbbbbbbbcccccccc");
}

}  // namespace
}  // namespace ph::flow
