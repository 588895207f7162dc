// For the oracle tests of one parser (SIP, SSDP): runs a capture through the
// Engine (decode, tunnels, IP defragmentation, flows, TCP reassembly) and
// gives every flow of the parser's transport whose data the probe claims
// (either direction, within its first few pieces, as the Dispatcher does)
// a session of that parser. Header-only: the tests' CMake lists its sources.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "capture/source.h"
#include "pipeline/engine.h"
#include "proto/feeder.h"
#include "proto/protocol.h"

namespace ph::proto::test {

class ProbingConsumer : public flow::FlowConsumer {
 public:
  ProbingConsumer(const Parser& parser, MessageSink& sink, uint16_t server_port)
      : parser_(parser), sink_(sink), port_(server_port) {}
  void on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    if (gave_up_) return;
    if (feeder_) {
      feeder_->data(dir, data, ts, frame);
      return;
    }
    if (parser_.transport == Transport::kDatagram) {
      if (parser_.probe(dir, data, port_) <= 0) {
        gave_up_ = ++probed_ >= kProbeDatagrams;
        return;
      }
      feeder_ = std::make_unique<Feeder>(parser_.make(sink_), sink_);
      feeder_->data(dir, data, ts, frame);
      return;
    }
    // Streams: the first bytes of each direction are kept until the probe
    // decides, then replayed in the order they came.
    const int d = index(dir);
    early_[d].append(as_string(data));
    if (early_frame_[d] == 0) early_frame_[d] = frame;
    if (parser_.probe(dir, as_bytes(std::string_view(early_[d]).substr(0, kProbeBytes)), port_) <=
        0) {
      gave_up_ = early_[0].size() >= kProbeBytes && early_[1].size() >= kProbeBytes;
      return;
    }
    feeder_ = std::make_unique<Feeder>(parser_.make(sink_), sink_);
    const int other = 1 - d;
    if (!early_[other].empty() && early_frame_[other] < early_frame_[d])
      feeder_->data(Direction(other), as_bytes(early_[other]), ts, early_frame_[other]);
    feeder_->data(dir, as_bytes(early_[d]), ts, frame);
    if (!early_[other].empty() && early_frame_[other] >= early_frame_[d])
      feeder_->data(Direction(other), as_bytes(early_[other]), ts, early_frame_[other]);
  }
  void on_gap(Direction dir, uint64_t length) override {
    if (feeder_) feeder_->gap(dir, length);
  }
  void on_end(Timestamp ts) override {
    if (feeder_) feeder_->end(ts);
  }
  bool done() const override { return gave_up_ || (feeder_ && feeder_->done()); }

 private:
  static constexpr int kProbeDatagrams = 4;
  static constexpr size_t kProbeBytes = 512;
  const Parser& parser_;
  MessageSink& sink_;
  uint16_t port_;
  int probed_ = 0;
  bool gave_up_ = false;
  std::string early_[2];
  uint64_t early_frame_[2] = {0, 0};
  std::unique_ptr<Feeder> feeder_;
};

// Runs `file` through the Engine with `parser` on its UDP (datagram
// parsers) or TCP (stream parsers) flows.
inline void run_probing_parser(const std::filesystem::path& file, const Parser& parser,
                               MessageSink& sink) {
  EngineOptions opts;
  const uint8_t proto = parser.transport == Transport::kDatagram ? 17 : 6;
  opts.consumer_factory = [&](const flow::Flow& f) -> std::unique_ptr<flow::FlowConsumer> {
    if (f.proto != proto) return nullptr;
    return std::make_unique<ProbingConsumer>(parser, sink, f.server.port);
  };
  Engine engine(opts);
  auto src = capture::open_file(file.string());
  ASSERT_TRUE(src) << file;
  engine.run(**src);
  engine.finish();
}

}  // namespace ph::proto::test
