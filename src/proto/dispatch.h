// The protocol layer's consumer of a flow: recognises the protocol from the
// first bytes (content first, the server port only breaking ties), runs that
// parser's Session through a Feeder, and tells the flow table when nothing
// more can be learned (bypass). Flows no parser recognises are bypassed
// after the first bytes of both directions were looked at (kProbeBytes).
#pragma once

#include <memory>
#include <string>

#include "flow/flow_table.h"
#include "proto/feeder.h"
#include "proto/protocol.h"

namespace ph::proto {

class Dispatcher final : public flow::FlowConsumer {
 public:
  static constexpr size_t kProbeBytes = 512;  // a stream direction's bytes kept for recognition
  static constexpr int kProbeDatagrams = 4;   // datagrams looked at before giving up

  Dispatcher(const flow::Flow& flow, MessageSink& sink);

  void on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override;
  void on_gap(Direction dir, uint64_t length) override;
  void on_end(Timestamp ts) override;
  bool done() const override;

  // What the parser learned (app "unknown" when none recognised the flow).
  FlowFacts facts() const;
  const Parser* parser() const { return parser_; }

 private:
  void start(const Parser* parser);

  MessageSink& sink_;
  Transport transport_;
  uint16_t server_port_;
  const Parser* parser_ = nullptr;
  std::unique_ptr<Feeder> feeder_;
  bool gave_up_ = false;
  // Stream bytes seen before recognition, per direction, with the time and
  // frame of their last packet; replayed into the parser once chosen.
  std::string early_[2];
  Timestamp early_ts_[2] = {0, 0};
  uint64_t early_frame_[2] = {0, 0};
  bool early_gap_[2] = {false, false};
  uint64_t early_dropped_[2] = {0, 0};
  int datagrams_ = 0;
};

}  // namespace ph::proto
