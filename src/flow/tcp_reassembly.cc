// TCP reassembly of one direction: maps 32-bit sequence numbers to 64-bit
// stream offsets (relative to the ISN+1, or to the first segment seen when
// the capture started mid-stream), delivers in-order bytes straight from the
// packet, buffers out-of-order bytes (first copy wins) and declares gaps
// when a cap, an eviction or the end of the stream forces the issue.
#include "flow/tcp_reassembly.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "decode/decode.h"

namespace ph::flow {

void TcpStream::on_segment(uint32_t seq, uint8_t flags, Bytes payload, Timestamp ts, uint64_t frame,
                           StreamSink& sink, ReassemblyBudget& budget, size_t per_stream_cap,
                           Stats& stats, uint32_t lost_tail) {
  // Hot path: the next expected segment, nothing buffered, no SYN/FIN, no
  // truncation. Delivered from the packet itself; no copy, no map lookup.
  // fin_offset_ is UINT64_MAX until a FIN is seen, so the last test is free
  // then and keeps data beyond a FIN out of the fast path.
  if (started_ && seq - isn_ == static_cast<uint32_t>(next_) && ooo_empty() &&
      (flags & (decode::kSyn | decode::kFin)) == 0 && lost_tail == 0 &&
      next_ + payload.size() <= fin_offset_) {
    if (payload.empty()) return;
    next_ += payload.size();
    delivered_ += payload.size();
    sink.on_data(payload, ts, frame);
    return;
  }
  on_segment_slow(seq, flags, payload, ts, frame, sink, budget, per_stream_cap, stats, lost_tail);
}

void TcpStream::on_segment_slow(uint32_t seq, uint8_t flags, Bytes payload, Timestamp ts,
                                uint64_t frame, StreamSink& sink, ReassemblyBudget& budget,
                                size_t per_stream_cap, Stats& stats, uint32_t lost_tail) {
  const bool syn = flags & decode::kSyn;
  const bool fin = flags & decode::kFin;
  // The SYN occupies one sequence number; its data (legal, if rare) follows.
  const uint32_t pseq = seq + (syn ? 1 : 0);
  if (!started_) {
    // A bare ACK does not start a mid-stream direction: a keep-alive carries
    // seq = next-1 and would leave a one-byte hole that stalls everything.
    if (!syn && !fin && payload.empty() && lost_tail == 0) return;
    started_ = true;
    isn_ = pseq;
  } else if (syn && next_ == 0 && ooo_empty() && !fin_seen_) {
    // A SYN before any data was placed (e.g. after a stray segment of an
    // earlier connection) defines the stream.
    isn_ = pseq;
  }

  // Unroll the 32-bit sequence around the delivery point: every sane
  // segment lies within 2^31 of it, which makes wraparound transparent.
  const int32_t distance = static_cast<int32_t>((pseq - isn_) - static_cast<uint32_t>(next_));
  if (distance > kMaxDistance || distance < -kMaxDistance) {
    stats.anomalies.add("tcp.out-of-window");
    return;
  }
  const int64_t abs = static_cast<int64_t>(next_) + distance;
  uint64_t captured = payload.size();
  uint64_t lost = lost_tail;
  const int64_t end = abs + static_cast<int64_t>(captured + lost);

  if (fin && !fin_seen_) {
    fin_seen_ = true;
    fin_offset_ = static_cast<uint64_t>(std::max<int64_t>(end, static_cast<int64_t>(next_)));
  }
  if (captured + lost == 0) return;  // a bare ACK (or the FIN itself) carries no bytes
  if (fin_seen_ && end > static_cast<int64_t>(fin_offset_)) {
    // The sender said it had nothing more; these bytes are not stream data.
    stats.anomalies.add("tcp.data-after-fin");
    const int64_t keep = std::max<int64_t>(0, static_cast<int64_t>(fin_offset_) - abs);
    captured = std::min<uint64_t>(captured, keep);
    lost = std::min<uint64_t>(lost, keep - captured);
    if (captured + lost == 0) return;
  }
  const int64_t captured_end = abs + static_cast<int64_t>(captured);
  const int64_t lost_end = captured_end + static_cast<int64_t>(lost);

  if (lost_end <= static_cast<int64_t>(next_)) {
    // Entirely before the delivery point: the first copy was delivered.
    if (captured + lost > 0) stats.anomalies.add("tcp.retransmission");
    return;
  }
  uint64_t start = static_cast<uint64_t>(abs);
  Bytes data = payload.first(captured);
  if (abs < static_cast<int64_t>(next_)) {
    const uint64_t skip = next_ - static_cast<uint64_t>(abs);
    data = data.subspan(std::min<uint64_t>(skip, data.size()));
    start = next_;
  }

  if (!data.empty()) {
    if (start == next_ && (ooo_empty() || ooo_->begin()->first >= start + data.size())) {
      // Fills the hole exactly or runs ahead of nothing: no copy needed.
      next_ += data.size();
      delivered_ += data.size();
      sink.on_data(data, ts, frame);
    } else if (!buffer(start, data, ts, frame, budget, stats) && lost == 0) {
      stats.anomalies.add("tcp.retransmission");
    }
  }
  deliver_ready(sink, budget);

  // Snaplen truncation: once delivery reaches the missing tail, it is a gap
  // (unless a buffered copy of those bytes exists, which advance_to uses).
  if (lost > 0 && next_ >= static_cast<uint64_t>(captured_end) &&
      next_ < static_cast<uint64_t>(lost_end)) {
    advance_to(static_cast<uint64_t>(lost_end), sink, budget);
  }

  while (buffered_ > per_stream_cap) {
    stats.drops.add("tcp.stream-cap");
    skip_to_first_buffered(sink, budget);
  }
}

bool TcpStream::buffer(uint64_t abs, Bytes payload, Timestamp ts, uint64_t frame,
                       ReassemblyBudget& budget, Stats& stats) {
  const uint64_t end = abs + payload.size();
  uint64_t cursor = abs;
  bool conflict = false;
  bool added = false;
  if (!ooo_) ooo_ = std::make_unique<Segments>();
  Segments& ooo = *ooo_;
  auto add_piece = [&](uint64_t from, uint64_t to, Segments::iterator hint) {
    const uint8_t* p = payload.data() + (from - abs);
    ooo.emplace_hint(hint, from, Segment{std::vector<uint8_t>(p, p + (to - from)), ts, frame});
    buffered_ += to - from;
    budget.used += to - from;
    added = true;
  };
  auto compare = [&](uint64_t seg_start, const Segment& seg, uint64_t from, uint64_t to) {
    if (std::memcmp(seg.data.data() + (from - seg_start), payload.data() + (from - abs),
                    to - from) != 0) {
      conflict = true;
    }
  };

  auto it = ooo.upper_bound(abs);
  if (it != ooo.begin()) {
    auto prev = std::prev(it);
    const uint64_t prev_end = prev->first + prev->second.data.size();
    if (prev_end > abs) {
      const uint64_t to = std::min(end, prev_end);
      compare(prev->first, prev->second, abs, to);
      cursor = to;
    }
  }
  while (cursor < end && it != ooo.end() && it->first < end) {
    if (cursor < it->first) add_piece(cursor, it->first, it);
    const uint64_t seg_end = it->first + it->second.data.size();
    const uint64_t from = std::max(cursor, it->first);
    const uint64_t to = std::min(end, seg_end);
    if (from < to) compare(it->first, it->second, from, to);
    cursor = std::max(cursor, std::min(end, seg_end));
    ++it;
  }
  if (cursor < end) add_piece(cursor, end, it);

  if (conflict) {
    stats.anomalies.add("tcp.overlap-conflict");
    ++conflicts_;
  }
  return added || conflict;
}

void TcpStream::deliver_ready(StreamSink& sink, ReassemblyBudget& budget) {
  while (!ooo_empty() && ooo_->begin()->first <= next_) {
    auto node = ooo_->extract(ooo_->begin());
    const Segment& seg = node.mapped();
    const uint64_t start = node.key();
    const size_t n = seg.data.size();
    buffered_ -= n;
    budget.used -= n;
    if (start + n > next_) {
      const size_t off = next_ - start;
      next_ += n - off;
      delivered_ += n - off;
      sink.on_data(Bytes(seg.data).subspan(off), seg.ts, seg.frame);
    }
  }
}

void TcpStream::gap(uint64_t length, StreamSink& sink) {
  next_ += length;
  gaps_ += length;
  sink.on_gap(length);
}

void TcpStream::advance_to(uint64_t target, StreamSink& sink, ReassemblyBudget& budget) {
  while (next_ < target) {
    if (!ooo_empty() && ooo_->begin()->first <= next_) {
      deliver_ready(sink, budget);
      continue;
    }
    const uint64_t hole_end = ooo_empty() ? target : std::min(target, ooo_->begin()->first);
    gap(hole_end - next_, sink);
  }
  deliver_ready(sink, budget);
}

void TcpStream::skip_to_first_buffered(StreamSink& sink, ReassemblyBudget& budget) {
  if (ooo_empty()) return;
  advance_to(ooo_->begin()->first, sink, budget);
}

void TcpStream::flush(StreamSink& sink, ReassemblyBudget& budget) {
  uint64_t target = next_;
  if (!ooo_empty()) {
    const auto& last = *ooo_->rbegin();
    target = last.first + last.second.data.size();
  }
  if (fin_seen_) target = std::max(target, fin_offset_);
  advance_to(target, sink, budget);
}

size_t TcpStream::evict(StreamSink& sink, ReassemblyBudget& budget) {
  if (ooo_empty()) return 0;
  const auto& last = *ooo_->rbegin();
  const uint64_t target = last.first + last.second.data.size();
  const size_t freed = discard(budget);
  if (target > next_) gap(target - next_, sink);
  return freed;
}

size_t TcpStream::discard(ReassemblyBudget& budget) {
  const size_t freed = buffered_;
  ooo_.reset();
  budget.used -= freed;
  buffered_ = 0;
  return freed;
}

}  // namespace ph::flow
