// Protocol recognition and dispatch per flow (see dispatch.h).
#include "proto/dispatch.h"

#include <netinet/in.h>

#include "proto/registry.h"

namespace ph::proto {

Dispatcher::Dispatcher(const flow::Flow& flow, MessageSink& sink)
    : sink_(sink),
      transport_(flow.proto == IPPROTO_TCP ? Transport::kStream : Transport::kDatagram),
      server_port_(flow.server.port) {}

void Dispatcher::start(const Parser* parser) {
  parser_ = parser;
  feeder_ = std::make_unique<Feeder>(parser->make(sink_), sink_);
}

void Dispatcher::on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) {
  if (gave_up_) return;
  if (feeder_) {
    feeder_->data(dir, data, ts, frame);
    return;
  }
  if (transport_ == Transport::kDatagram) {
    if (const Parser* p = identify(transport_, dir, data, server_port_)) {
      start(p);
      feeder_->data(dir, data, ts, frame);
    } else if (++datagrams_ >= kProbeDatagrams) {
      gave_up_ = true;
    }
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
    if (up_full && down_full) gave_up_ = true;
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
      gave_up_ = true;
  }
}

void Dispatcher::on_end(Timestamp ts) {
  if (feeder_) feeder_->end(ts);
}

bool Dispatcher::done() const { return gave_up_ || (feeder_ && feeder_->done()); }

FlowFacts Dispatcher::facts() const {
  if (feeder_) return feeder_->session().facts();
  FlowFacts f;
  f.app = "unknown";
  return f;
}

}  // namespace ph::proto
