// For the oracle tests of datagram parsers (SIP, SSDP): runs a real capture
// through the Engine (decode, tunnels, IP defragmentation, flows) and gives
// every UDP flow whose datagram the parser's probe claims (either
// direction, within its first few datagrams, as the Dispatcher does) a
// session of that parser. Header-only: the tests' CMake lists its sources.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

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
    if (!feeder_) {
      if (parser_.probe(dir, data, port_) <= 0) {
        gave_up_ = ++probed_ >= kProbeDatagrams;
        return;
      }
      feeder_ = std::make_unique<Feeder>(parser_.make(sink_), sink_);
    }
    feeder_->data(dir, data, ts, frame);
  }
  void on_end(Timestamp ts) override {
    if (feeder_) feeder_->end(ts);
  }
  bool done() const override { return gave_up_ || (feeder_ && feeder_->done()); }

 private:
  static constexpr int kProbeDatagrams = 4;
  const Parser& parser_;
  MessageSink& sink_;
  uint16_t port_;
  int probed_ = 0;
  bool gave_up_ = false;
  std::unique_ptr<Feeder> feeder_;
};

// Runs `file` through the Engine with `parser` on its UDP flows.
inline void run_datagram_parser(const std::filesystem::path& file, const Parser& parser,
                                MessageSink& sink) {
  EngineOptions opts;
  opts.consumer_factory = [&](const flow::Flow& f) -> std::unique_ptr<flow::FlowConsumer> {
    if (f.proto != 17) return nullptr;
    return std::make_unique<ProbingConsumer>(parser, sink, f.server.port);
  };
  Engine engine(opts);
  auto src = capture::open_file(file.string());
  ASSERT_TRUE(src) << file;
  engine.run(**src);
  engine.finish();
}

}  // namespace ph::proto::test
