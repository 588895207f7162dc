// The chunking harness for every parser: feeds the same exchange whole,
// byte by byte, in random chunks, and (optionally) with a gap, through a
// Feeder, and collects the messages, so a test can require they are equal.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "flow/flow_table.h"
#include "proto/dispatch.h"
#include "proto/feeder.h"
#include "proto/protocol.h"

namespace ph::proto::test {

// Collects what a session (MessageSink) or a Dispatcher (FlowMessageSink)
// emits.
struct Collected : MessageSink, FlowMessageSink {
  std::vector<Message> messages;
  std::vector<std::string> anomalies;
  void on_message(Message&& m) override { messages.push_back(std::move(m)); }
  void on_message(const flow::Flow&, const Parser*, Message&& m) override {
    messages.push_back(std::move(m));
  }
  void on_anomaly(std::string_view what) override { anomalies.emplace_back(what); }
  void on_skipped(std::string_view what) override { skipped.emplace_back(what); }
  std::vector<std::string> skipped;
};

// One piece of an exchange: bytes in one direction (a datagram, for
// datagram parsers), or a gap of `gap` bytes when gap > 0.
struct Piece {
  Direction dir;
  std::string bytes;
  uint64_t gap = 0;
};

enum class Chunking { kWhole, kByteByByte, kRandom };

// A canonical text of the messages (protocol, kind, dir, fields, body), for
// comparing runs.
std::string describe(const std::vector<Message>& messages);

// Runs the pieces through a fresh session. For stream parsers, kByteByByte
// and kRandom split each piece; datagram parsers always get pieces whole.
Collected run(const Parser& parser, const std::vector<Piece>& pieces, Chunking chunking,
              uint32_t seed = 1);

// For oracle tests of one parser through the Engine: a flow consumer that
// runs `parser` when it claims the client's first bytes, else nothing.
class OneParserConsumer : public flow::FlowConsumer {
 public:
  OneParserConsumer(const Parser& parser, MessageSink& sink, uint16_t server_port)
      : parser_(parser), sink_(sink), port_(server_port) {}
  void on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    if (!decided_ && dir == Direction::kUp) {
      decided_ = true;
      if (parser_.probe(dir, data, port_) > 0)
        feeder_ = std::make_unique<Feeder>(parser_.make(sink_), sink_);
    }
    if (feeder_) feeder_->data(dir, data, ts, frame);
  }
  void on_gap(Direction dir, uint64_t len) override {
    if (feeder_) feeder_->gap(dir, len);
  }
  bool done() const override { return feeder_ && feeder_->done(); }

 private:
  const Parser& parser_;
  MessageSink& sink_;
  uint16_t port_;
  bool decided_ = false;
  std::unique_ptr<Feeder> feeder_;
};

}  // namespace ph::proto::test
