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
  // Delivers whatever became contiguous to `sink`.
  void on_segment(uint32_t seq, uint8_t flags, Bytes payload, Timestamp ts, uint64_t frame,
                  StreamSink& sink, ReassemblyBudget& budget, size_t per_stream_cap,
                  Stats& stats);

  // End of stream (FIN/RST seen and flow closed, timeout, or end of input):
  // delivers everything buffered, reporting each hole as a gap.
  void flush(StreamSink& sink, ReassemblyBudget& budget);

  // Releases buffered segments without delivering them (memory pressure
  // eviction); the skipped bytes are reported as a gap. Returns bytes freed.
  size_t evict(StreamSink& sink, ReassemblyBudget& budget);

  size_t buffered_bytes() const { return buffered_; }
  uint64_t delivered_bytes() const { return delivered_; }
  uint64_t gap_bytes() const { return gaps_; }
  bool fin_seen() const { return fin_seen_; }
  bool started() const { return started_; }

 private:
  struct Segment {
    std::vector<uint8_t> data;
    Timestamp ts;
    uint64_t frame;
  };
  void deliver_ready(StreamSink& sink, ReassemblyBudget& budget);
  void skip_to_first_buffered(StreamSink& sink, ReassemblyBudget& budget);

  bool started_ = false;
  bool fin_seen_ = false;
  uint64_t next_ = 0;         // next expected absolute stream offset
  uint32_t isn_ = 0;          // sequence number of offset 0
  uint64_t last_abs_ = 0;     // for 32-bit wrap unrolling
  std::map<uint64_t, Segment> ooo_;  // absolute offset -> segment
  size_t buffered_ = 0;
  uint64_t delivered_ = 0;
  uint64_t gaps_ = 0;
};

}  // namespace ph::flow
