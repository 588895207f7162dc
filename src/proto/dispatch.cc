// Protocol recognition and dispatch per flow (see dispatch.h).
#include "proto/dispatch.h"

#include <absl/hash/hash.h>
#include <netinet/in.h>

#include <array>
#include <cmath>

#include "proto/registry.h"

namespace ph::proto {

std::string_view looks_like(Bytes first) {
  if (first.empty()) return "empty";
  size_t printable = 0;
  for (uint8_t b : first)
    printable += (b >= 0x20 && b < 0x7F) || b == '\r' || b == '\n' || b == '\t';
  if (printable * 100 >= first.size() * 95) return "text";
  if (first.size() < 128) return "binary";
  std::array<uint32_t, 256> counts{};  // only for what is not text
  for (uint8_t b : first) ++counts[b];
  // Ciphertext and compressed data have near-uniform bytes. A short sample's
  // plug-in entropy underestimates that (300 random bytes give ~7.4 bits),
  // so it gets the Miller-Madow correction; then random data scores ~7.8
  // to 8 from 128 bytes on, while text and binary protocols stay far below.
  double h = 0;
  size_t symbols = 0;
  for (uint32_t c : counts) {
    if (c == 0) continue;
    ++symbols;
    double p = double(c) / double(first.size());
    h -= p * std::log2(p);
  }
  h += double(symbols - 1) / (2.0 * double(first.size()) * std::log(2.0));
  return h >= 7.0 ? "random" : "binary";
}

Dispatcher::Dispatcher(const flow::Flow& flow, FlowMessageSink& sink)
    : flow_(flow),
      sink_(sink),
      transport_(flow.proto == IPPROTO_TCP ? Transport::kStream : Transport::kDatagram),
      server_port_(flow.server.port) {}

void Dispatcher::start(const Parser* parser) {
  parser_ = parser;
  MessageSink& self = *this;
  feeder_ = std::make_unique<Feeder>(parser->make(self), self);
}

void Dispatcher::emit_raw(Direction dir, Bytes bytes, Timestamp ts, uint64_t frame) {
  Message m;
  m.protocol = "raw";
  m.kind = transport_ == Transport::kStream ? "stream" : "datagram";
  m.dir = dir;
  m.ts = ts;
  m.frame = frame;
  m.body.assign(as_string(bytes));
  sink_.on_message(flow_, nullptr, std::move(m));
}

// Unrecognised: the first bytes of each direction leave as raw messages
// (once), and the flow is marked by what the client's (else the server's)
// first bytes look like.
void Dispatcher::give_up() {
  gave_up_ = true;
  if (raw_sent_) return;
  raw_sent_ = true;
  if (transport_ == Transport::kStream) {
    const int first = early_[0].empty() ? 1 : 0;
    looks_like_ = proto::looks_like(as_bytes(early_[first]));
    for (int k : {0, 1}) {
      if (!early_[k].empty())
        emit_raw(Direction(k), as_bytes(early_[k]), early_ts_[k], early_frame_[k]);
      early_[k].clear();
      early_[k].shrink_to_fit();
    }
  }
}

bool Dispatcher::repeated(Direction dir, Bytes data) {
  // Direction is part of the hash: a request and its echo differ.
  uint64_t h = absl::HashOf(as_string(data), index(dir));
  h |= 1;  // 0 marks an empty slot
  for (uint64_t r : recent_)
    if (r == h) return true;
  recent_[recent_next_++ % kRecentDatagrams] = h;
  return false;
}

void Dispatcher::on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) {
  if (gave_up_) return;
  if (feeder_) {
    if (transport_ == Transport::kDatagram && repeated(dir, data)) {
      sink_.on_skipped("proto.repeated-datagrams");
      return;
    }
    feeder_->data(dir, data, ts, frame);
    return;
  }
  if (transport_ == Transport::kDatagram) {
    if (const Parser* p = identify(transport_, dir, data, server_port_)) {
      start(p);
      repeated(dir, data);  // remembered, so that its repeats are known
      feeder_->data(dir, data, ts, frame);
      return;
    }
    if (datagrams_ == 0 || (looks_like_ == "empty" && !data.empty()))
      looks_like_ = proto::looks_like(data);
    emit_raw(dir, data, ts, frame);
    if (++datagrams_ >= kProbeDatagrams) gave_up_ = true;
    return;
  }
  // Streams: recognise from the first bytes of either direction. Up to
  // kProbeBytes of each are kept and replayed to the parser once chosen;
  // bytes past that window before recognition reach it as a gap.
  const int d = index(dir);
  std::string& early = early_[d];
  if (early_gap_[d]) {
    // After a hole nothing can be appended without splicing: the parser
    // will see these bytes as part of the gap.
    early_dropped_[d] += data.size();
    return;
  }
  const size_t room = kProbeBytes > early.size() ? kProbeBytes - early.size() : 0;
  const size_t take = std::min(data.size(), room);
  early.append(as_string(data.first(take)));
  Bytes rest = data.subspan(take);
  early_ts_[d] = ts;
  early_frame_[d] = frame;
  const Parser* p = identify(transport_, dir, as_bytes(early), server_port_);
  if (!p) {
    early_dropped_[d] += rest.size();
    const bool up_full = early_[0].size() >= kProbeBytes || early_gap_[0];
    const bool down_full = early_[1].size() >= kProbeBytes || early_gap_[1];
    if (up_full && down_full) give_up();
    return;
  }
  start(p);
  const int other = 1 - d;
  auto replay = [&](int k) {
    if (!early_[k].empty())
      feeder_->data(Direction(k), as_bytes(early_[k]), early_ts_[k], early_frame_[k]);
    if (early_dropped_[k] > 0) feeder_->gap(Direction(k), early_dropped_[k]);
    early_[k].clear();
    early_[k].shrink_to_fit();
  };
  // The direction that spoke first goes first.
  if (!early_[other].empty() && early_frame_[other] < early_frame_[d]) {
    replay(other);
    replay(d);
  } else {
    replay(d);
    replay(other);
  }
  if (!rest.empty()) feeder_->data(dir, rest, ts, frame);
}

void Dispatcher::on_gap(Direction dir, uint64_t length) {
  if (feeder_) {
    feeder_->gap(dir, length);
  } else if (!gave_up_) {
    early_gap_[index(dir)] = true;
    early_dropped_[index(dir)] += length;
    if ((early_gap_[0] || early_[0].size() >= kProbeBytes) &&
        (early_gap_[1] || early_[1].size() >= kProbeBytes))
      give_up();
  }
}

void Dispatcher::on_end(Timestamp ts) {
  if (feeder_) {
    feeder_->end(ts);
  } else if (transport_ == Transport::kStream && !raw_sent_ &&
             (!early_[0].empty() || !early_[1].empty())) {
    // The flow ended before its first bytes were all looked at.
    give_up();
  }
}

bool Dispatcher::done() const { return gave_up_ || (feeder_ && feeder_->done()); }

FlowFacts Dispatcher::facts() const {
  if (feeder_) return feeder_->session().facts();
  FlowFacts f;
  f.app = "unknown";
  return f;
}

}  // namespace ph::proto
