// TCP reassembly of one direction of one connection.
//
// Policy (docs/reassembly.md): bytes are delivered in sequence order, each
// byte at most once. The first copy of a byte wins: a retransmission or an
// overlapping segment never changes bytes already delivered or buffered; when
// its bytes differ from what we hold, "tcp.overlap-conflict" is counted.
// Out-of-order segments are buffered up to the per-stream cap; when the cap
// (or the global budget) is exceeded, or the stream ends, the hole before the
// lowest buffered segment is declared a gap: on_gap(len) is called and
// delivery resumes after it. Bytes are never spliced across a hole silently.
// A stream without a SYN starts at the first segment seen (mid-stream).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "base/bytes.h"
#include "model/stats.h"
#include "model/time.h"

namespace ph::flow {

// Receives reassembled bytes of one direction.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual void on_data(Bytes data, Timestamp ts, uint64_t frame) = 0;
  virtual void on_gap(uint64_t length) = 0;
};

// Shared by every stream: the global cap on buffered out-of-order bytes.
struct ReassemblyBudget {
  size_t limit = 256u << 20;
  size_t used = 0;
};

class TcpStream {
 public:
  TcpStream() = default;

  // A segment of this direction. `flags` as in decode::TcpFlags.
  // Delivers whatever became contiguous to `sink`. `lost_tail`: bytes of the
  // segment on the wire beyond `payload` that the capture did not keep
  // (snaplen); once reached they are reported as a gap instead of stalling
  // the stream.
  void on_segment(uint32_t seq, uint8_t flags, Bytes payload, Timestamp ts, uint64_t frame,
                  StreamSink& sink, ReassemblyBudget& budget, size_t per_stream_cap, Stats& stats,
                  uint32_t lost_tail = 0);

  // End of stream (FIN/RST seen and flow closed, timeout, or end of input):
  // delivers everything buffered, reporting each hole as a gap (including a
  // hole between the last byte seen and a FIN).
  void flush(StreamSink& sink, ReassemblyBudget& budget);

  // Releases buffered segments without delivering them (memory pressure
  // eviction); the skipped bytes are reported as a gap. Returns bytes freed.
  size_t evict(StreamSink& sink, ReassemblyBudget& budget);

  // Releases buffered segments silently (the consumer is done: bypass).
  // Returns bytes freed.
  size_t discard(ReassemblyBudget& budget);

  size_t buffered_bytes() const { return buffered_; }
  uint64_t delivered_bytes() const { return delivered_; }
  uint64_t gap_bytes() const { return gaps_; }
  // Stream offset of the next byte to deliver: delivered + gap bytes.
  uint64_t next_offset() const { return next_; }
  // Sequence number of stream offset 0 (valid once started).
  uint32_t base_seq() const { return isn_; }
  uint64_t overlap_conflicts() const { return conflicts_; }
  bool fin_seen() const { return fin_seen_; }
  bool started() const { return started_; }

  // Segments further than this from the delivery point are not buffered
  // (counted "tcp.out-of-window"): no real window is that large.
  static constexpr int64_t kMaxDistance = int64_t{1} << 30;

 private:
  struct Segment {
    std::vector<uint8_t> data;
    Timestamp ts;
    uint64_t frame;
  };
  void on_segment_slow(uint32_t seq, uint8_t flags, Bytes payload, Timestamp ts, uint64_t frame,
                       StreamSink& sink, ReassemblyBudget& budget, size_t per_stream_cap,
                       Stats& stats, uint32_t lost_tail);
  // Buffers the parts of [abs, abs+size) not already buffered (first copy
  // wins). Returns false when no new byte was buffered.
  bool buffer(uint64_t abs, Bytes payload, Timestamp ts, uint64_t frame, ReassemblyBudget& budget,
              Stats& stats);
  void deliver_ready(StreamSink& sink, ReassemblyBudget& budget);
  // Moves the delivery point to `target`: buffered bytes on the way are
  // delivered, holes reported as gaps.
  void advance_to(uint64_t target, StreamSink& sink, ReassemblyBudget& budget);
  void skip_to_first_buffered(StreamSink& sink, ReassemblyBudget& budget);
  void gap(uint64_t length, StreamSink& sink);

  bool started_ = false;
  bool fin_seen_ = false;
  uint64_t next_ = 0;                 // next expected absolute stream offset
  uint32_t isn_ = 0;                  // sequence number of offset 0
  uint64_t fin_offset_ = UINT64_MAX;  // stream offset of the FIN, when seen
  // Absolute offset -> segment (disjoint). Made at the first segment that
  // has to wait: most streams never need one, and an empty map is 48 bytes
  // in each direction of every flow (a SYN flood's million flows).
  using Segments = std::map<uint64_t, Segment>;
  std::unique_ptr<Segments> ooo_;
  bool ooo_empty() const { return !ooo_ || ooo_->empty(); }
  size_t buffered_ = 0;
  uint64_t delivered_ = 0;
  uint64_t gaps_ = 0;
  uint64_t conflicts_ = 0;
};

}  // namespace ph::flow
