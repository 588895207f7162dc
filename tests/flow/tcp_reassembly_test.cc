// Tests of one TCP direction's reassembly: ordering, permutations,
// retransmissions, overlaps (first copy wins), gaps, caps, wraparound,
// SYN/FIN handling and snaplen truncation.
#include "flow/tcp_reassembly.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "decode/decode.h"

namespace ph::flow {
namespace {

using decode::kAck;
using decode::kFin;
using decode::kPsh;
using decode::kSyn;

// Renders the delivered stream as text, gaps as "[gap N]".
class Recorder : public StreamSink {
 public:
  void on_data(Bytes data, Timestamp ts, uint64_t frame) override {
    text += std::string(as_string(data));
    pointers.push_back(data.data());
    frames.push_back(frame);
  }
  void on_gap(uint64_t length) override { text += "[gap " + std::to_string(length) + "]"; }
  std::string text;
  std::vector<const uint8_t*> pointers;
  std::vector<uint64_t> frames;
};

struct Harness {
  TcpStream stream;
  Recorder sink;
  ReassemblyBudget budget;
  Stats stats;
  size_t cap = 1u << 20;
  uint64_t frame = 0;

  void seg(uint32_t seq, const std::string& data, uint8_t flags = kAck | kPsh, uint32_t lost = 0) {
    stream.on_segment(seq, flags, as_bytes(data), 0, ++frame, sink, budget, cap, stats, lost);
  }
  void flush() { stream.flush(sink, budget); }
};

TEST(TcpStream, InOrderIsDeliveredFromThePacketWithoutCopy) {
  Harness h;
  h.seg(1000, "", kSyn);
  const std::string a = "GET / HTTP/1.1\r\n", b = "Host: x\r\n\r\n";
  h.seg(1001, a);
  h.seg(1001 + a.size(), b);
  EXPECT_EQ(h.sink.text, a + b);
  ASSERT_EQ(h.sink.pointers.size(), 2u);
  EXPECT_EQ(h.sink.pointers[0], reinterpret_cast<const uint8_t*>(a.data()));
  EXPECT_EQ(h.sink.pointers[1], reinterpret_cast<const uint8_t*>(b.data()));
  EXPECT_EQ(h.stream.delivered_bytes(), a.size() + b.size());
  EXPECT_EQ(h.stream.buffered_bytes(), 0u);
  EXPECT_TRUE(h.stats.anomalies.all().empty());
}

TEST(TcpStream, ReversedOrderIsReassembled) {
  Harness h;
  h.seg(99, "", kSyn);  // offset 0 is seq 100
  h.seg(107, "world");
  h.seg(105, ", ");
  EXPECT_EQ(h.sink.text, "");
  EXPECT_EQ(h.stream.buffered_bytes(), 7u);
  EXPECT_EQ(h.budget.used, 7u);
  h.seg(103, "l");
  h.seg(100, "hel");
  EXPECT_EQ(h.sink.text, "hell");
  h.seg(104, "o");
  EXPECT_EQ(h.sink.text, "hello, world");
  EXPECT_EQ(h.stream.buffered_bytes(), 0u);
  EXPECT_EQ(h.budget.used, 0u);
  EXPECT_EQ(h.stream.gap_bytes(), 0u);
}

TEST(TcpStream, AnyPermutationWithDuplicatesGivesTheOriginal) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 200; ++round) {
    std::string original(1 + rng() % 3000, '\0');
    for (char& c : original) c = static_cast<char>('a' + rng() % 26);
    struct Piece {
      uint32_t off;
      std::string data;
    };
    std::vector<Piece> pieces;
    for (size_t off = 0; off < original.size();) {
      const size_t n = std::min<size_t>(1 + rng() % 200, original.size() - off);
      pieces.push_back({static_cast<uint32_t>(off), original.substr(off, n)});
      off += n;
    }
    // Retransmissions of random ranges, possibly straddling segment edges.
    for (int i = 0; i < 5; ++i) {
      const size_t off = rng() % original.size();
      const size_t n = std::min<size_t>(1 + rng() % 300, original.size() - off);
      pieces.push_back({static_cast<uint32_t>(off), original.substr(off, n)});
    }
    std::shuffle(pieces.begin(), pieces.end(), rng);
    Harness h;
    const uint32_t isn = static_cast<uint32_t>(rng());  // sometimes near the wrap
    h.seg(isn, "", kSyn);
    for (const Piece& p : pieces) h.seg(isn + 1 + p.off, p.data);
    h.flush();
    ASSERT_EQ(h.sink.text, original) << "round " << round;
    EXPECT_EQ(h.stream.gap_bytes(), 0u);
    EXPECT_EQ(h.budget.used, 0u);
    EXPECT_EQ(h.stats.anomalies.get("tcp.overlap-conflict"), 0u);
  }
}

TEST(TcpStream, RetransmissionOfDeliveredBytesIsIgnoredAndCounted) {
  Harness h;
  h.seg(0, "", kSyn);
  h.seg(1, "abcd");
  h.seg(1, "XXXX");  // old bytes: first copy (delivered) wins
  h.seg(3, "XXef");  // partly old: only "ef" is new
  EXPECT_EQ(h.sink.text, "abcdef");
  EXPECT_EQ(h.stats.anomalies.get("tcp.retransmission"), 1u);
}

TEST(TcpStream, ConflictingOverlapKeepsFirstBufferedCopy) {
  Harness h;
  h.seg(0, "", kSyn);
  h.seg(5, "EFGH");      // offsets 4..7, buffered
  h.seg(3, "cdXYZWij");  // offsets 2..9: "XYZW" conflicts with "EFGH"
  EXPECT_EQ(h.sink.text, "");
  h.seg(1, "ab");
  EXPECT_EQ(h.sink.text, "abcdEFGHij");
  EXPECT_EQ(h.stats.anomalies.get("tcp.overlap-conflict"), 1u);
  EXPECT_EQ(h.stream.overlap_conflicts(), 1u);
  // An identical overlap is a retransmission, not a conflict.
  Harness g;
  g.seg(0, "", kSyn);
  g.seg(5, "EFGH");
  g.seg(6, "FG");
  EXPECT_EQ(g.stats.anomalies.get("tcp.overlap-conflict"), 0u);
  EXPECT_EQ(g.stats.anomalies.get("tcp.retransmission"), 1u);
}

TEST(TcpStream, InOrderSegmentOverlappingBufferedDataDoesNotOverwriteIt) {
  Harness h;
  h.seg(0, "", kSyn);
  h.seg(3, "CD");      // offsets 2..3
  h.seg(1, "abxyef");  // in order, but offsets 2..3 were buffered first
  EXPECT_EQ(h.sink.text, "abCDef");
  EXPECT_EQ(h.stats.anomalies.get("tcp.overlap-conflict"), 1u);
}

TEST(TcpStream, MissingSegmentIsAGapOfExactLengthNeverSpliced) {
  Harness h;
  h.seg(0, "", kSyn);
  h.seg(1, "first-");
  h.seg(1 + 6 + 7, "third");  // "second-" (7 bytes) never arrives
  EXPECT_EQ(h.sink.text, "first-");
  h.flush();
  EXPECT_EQ(h.sink.text, "first-[gap 7]third");
  EXPECT_EQ(h.stream.gap_bytes(), 7u);
  EXPECT_EQ(h.stream.next_offset(), 18u);
  // Delivery resumes after the gap.
  h.seg(1 + 18, "fourth");
  EXPECT_EQ(h.sink.text, "first-[gap 7]thirdfourth");
}

TEST(TcpStream, MidStreamStartsAtFirstDataSegment) {
  Harness h;
  h.seg(777000, "", kAck);  // a bare ACK does not fix the start
  h.seg(777123, "middle ");
  h.seg(777130, "of it");
  EXPECT_TRUE(h.stream.started());
  EXPECT_EQ(h.stream.base_seq(), 777123u);
  EXPECT_EQ(h.sink.text, "middle of it");
}

TEST(TcpStream, SequenceWrapsAround) {
  Harness h;
  const uint32_t isn = 0xFFFFFFF0u;
  h.seg(isn, "", kSyn);
  std::string a(10, 'a'), b(10, 'b'), c(10, 'c');
  h.seg(isn + 1 + 20, c);  // lands after the wrap, out of order
  h.seg(isn + 1, a);       // 0xFFFFFFF1..0xFFFFFFFA
  h.seg(isn + 1 + 10, b);  // crosses 2^32
  EXPECT_EQ(h.sink.text, a + b + c);
  EXPECT_EQ(h.stream.next_offset(), 30u);
  EXPECT_TRUE(h.stats.anomalies.all().empty());
}

TEST(TcpStream, LongStreamWrapsManyTimes) {
  struct Counter : StreamSink {
    void on_data(Bytes data, Timestamp, uint64_t) override {
      if (data.front() != expected) ++mismatches;
      bytes += data.size();
      ++expected;
    }
    void on_gap(uint64_t) override { ++gaps; }
    uint64_t bytes = 0, gaps = 0, mismatches = 0;
    uint8_t expected = 0;
  } sink;
  TcpStream stream;
  ReassemblyBudget budget;
  Stats stats;
  std::vector<uint8_t> chunk(65536);
  uint32_t seq = 5;
  stream.on_segment(seq++, kSyn, {}, 0, 0, sink, budget, 1 << 20, stats);
  const int n = 3 * 65536 + 100;  // three times round the 32-bit space
  for (int i = 0; i < n; ++i) {
    chunk[0] = static_cast<uint8_t>(i);
    stream.on_segment(seq, kAck, chunk, 0, 0, sink, budget, 1 << 20, stats);
    seq += chunk.size();
  }
  EXPECT_EQ(sink.bytes, uint64_t{n} * 65536);
  EXPECT_EQ(sink.gaps, 0u);
  EXPECT_EQ(sink.mismatches, 0u);
  EXPECT_TRUE(stats.anomalies.all().empty());
}

TEST(TcpStream, DataOnSynIsDelivered) {
  Harness h;
  h.seg(4000, "early", kSyn);
  h.seg(4000 + 1 + 5, " bird");
  EXPECT_EQ(h.sink.text, "early bird");
  EXPECT_EQ(h.stream.base_seq(), 4001u);
}

TEST(TcpStream, PerStreamCapDeclaresGapToFirstBufferedSegment) {
  Harness h;
  h.cap = 10;
  h.seg(0, "", kSyn);
  h.seg(1, "ab");
  h.seg(1 + 100, "12345678");  // buffered: 8 bytes
  EXPECT_EQ(h.sink.text, "ab");
  h.seg(1 + 200, "ABCDEFGH");  // 16 > 10: hole before offset 100 given up
  EXPECT_EQ(h.sink.text, "ab[gap 98]12345678");
  EXPECT_EQ(h.stats.drops.get("tcp.stream-cap"), 1u);
  EXPECT_EQ(h.stream.buffered_bytes(), 8u);
  h.seg(1 + 108, std::string(92, '.'));  // fills the next hole
  EXPECT_EQ(h.sink.text, "ab[gap 98]12345678" + std::string(92, '.') + "ABCDEFGH");
  EXPECT_EQ(h.budget.used, 0u);
}

TEST(TcpStream, EvictDropsBufferedBytesAsAGap) {
  Harness h;
  h.seg(0, "", kSyn);
  h.seg(1, "ab");
  h.seg(1 + 10, "xyz");
  h.seg(1 + 20, "uvw");
  EXPECT_EQ(h.stream.evict(h.sink, h.budget), 6u);
  EXPECT_EQ(h.sink.text, "ab[gap 21]");
  EXPECT_EQ(h.budget.used, 0u);
  h.seg(1 + 23, "next");
  EXPECT_EQ(h.sink.text, "ab[gap 21]next");
}

TEST(TcpStream, FarAheadSegmentIsAnAnomalyNotBuffered) {
  Harness h;
  h.seg(0, "", kSyn);
  h.seg(1u + (3u << 29), "far");  // 1.5 GiB ahead
  EXPECT_EQ(h.stream.buffered_bytes(), 0u);
  EXPECT_EQ(h.stats.anomalies.get("tcp.out-of-window"), 1u);
  h.seg(1, "ok");
  EXPECT_EQ(h.sink.text, "ok");
}

TEST(TcpStream, DataBeyondFinIsAnAnomaly) {
  Harness h;
  h.seg(0, "", kSyn);
  h.seg(1, "bye", kAck | kFin);  // FIN at offset 3
  h.seg(4, "more");
  h.seg(3, "eXX");  // "e" is old, "XX" beyond the FIN
  EXPECT_EQ(h.sink.text, "bye");
  EXPECT_TRUE(h.stream.fin_seen());
  EXPECT_EQ(h.stats.anomalies.get("tcp.data-after-fin"), 2u);
}

TEST(TcpStream, BareAckAfterFinIsNotAnAnomaly) {
  Harness h;
  h.seg(0, "", kSyn);
  h.seg(1, "bye", kAck | kFin);  // FIN takes offset 3
  h.seg(5, "", kAck);            // the closing ACK's seq is one past the FIN
  EXPECT_EQ(h.sink.text, "bye");
  EXPECT_EQ(h.stats.anomalies.get("tcp.data-after-fin"), 0u);
}

TEST(TcpStream, HoleBeforeFinIsReportedAtFlush) {
  Harness h;
  h.seg(0, "", kSyn);
  h.seg(1, "abc");
  h.seg(1 + 10, "", kAck | kFin);  // 7 bytes were never captured
  h.flush();
  EXPECT_EQ(h.sink.text, "abc[gap 7]");
  EXPECT_EQ(h.stream.delivered_bytes() + h.stream.gap_bytes(), 10u);
}

TEST(TcpStream, TruncatedTailBecomesAGapWithoutStalling) {
  Harness h;
  h.seg(0, "", kSyn);
  h.seg(1, "head", kAck, /*lost=*/96);  // 100 bytes on the wire, 4 captured
  EXPECT_EQ(h.sink.text, "head[gap 96]");
  h.seg(101, "next", kAck, 0);
  EXPECT_EQ(h.sink.text, "head[gap 96]next");
  EXPECT_EQ(h.stream.buffered_bytes(), 0u);
}

}  // namespace
}  // namespace ph::flow
