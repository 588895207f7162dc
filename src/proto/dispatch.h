// The protocol layer's consumer of a flow: recognises the protocol from the
// first bytes (content first, the server port only breaking ties), runs that
// parser's Session through a Feeder, and tells the flow table when nothing
// more can be learned (bypass). Flows no parser recognises are bypassed
// after the first bytes of both directions were looked at (kProbeBytes);
// those first bytes (the first kProbeDatagrams datagrams) still leave as
// "raw" messages so the detection stage sees them, and the flow is marked
// by what they look like (text, binary, random).
#pragma once

#include <array>
#include <memory>
#include <string>

#include "flow/flow_table.h"
#include "proto/feeder.h"
#include "proto/protocol.h"

namespace ph::proto {

// Where a flow's messages go, with the flow and the parser they came from
// ("raw" messages of unrecognised flows come with parser == nullptr).
class FlowMessageSink {
 public:
  virtual ~FlowMessageSink() = default;
  virtual void on_message(const flow::Flow& flow, const Parser* parser, Message&& message) = 0;
  virtual void on_anomaly(std::string_view what) = 0;
  // Input deliberately not parsed (a bypass), counted by the caller.
  virtual void on_skipped(std::string_view what) {}
  // The decoded-bytes budget of `flow`'s decoders (null: none).
  virtual DecodeBudget* decode_budget(const flow::Flow& flow) { return nullptr; }
  // MessageSink::keeps_contents for `flow`.
  virtual bool keeps_contents(const flow::Flow& flow, Direction dir) { return true; }
};

// What the first bytes of an unrecognised flow look like.
std::string_view looks_like(Bytes first);

class Dispatcher final : public flow::FlowConsumer, private MessageSink {
 public:
  static constexpr size_t kProbeBytes = 512;  // a stream direction's bytes kept for recognition
  static constexpr int kProbeDatagrams = 4;   // datagrams looked at before giving up

  Dispatcher(const flow::Flow& flow, FlowMessageSink& sink);

  void on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override;
  void on_gap(Direction dir, uint64_t length) override;
  void on_end(Timestamp ts) override;
  bool done() const override;

  // What the parser learned (app "unknown" when none recognised the flow).
  FlowFacts facts() const;
  const Parser* parser() const { return parser_; }
  // For an unrecognised flow: what its first bytes look like ("text",
  // "binary", "random", "empty"); empty when a parser recognised it.
  std::string_view looks_like() const { return looks_like_; }

 private:
  void start(const Parser* parser);
  void give_up();
  // Whether this datagram equals one of the last kRecentDatagrams handed
  // to the parser (remembering it when not).
  bool repeated(Direction dir, Bytes data);
  void emit_raw(Direction dir, Bytes bytes, Timestamp ts, uint64_t frame);
  void on_message(Message&& m) override { sink_.on_message(flow_, parser_, std::move(m)); }
  void on_anomaly(std::string_view what) override { sink_.on_anomaly(what); }
  DecodeBudget* decode_budget() override { return sink_.decode_budget(flow_); }
  bool keeps_contents(Direction dir) override { return sink_.keeps_contents(flow_, dir); }

  const flow::Flow& flow_;
  FlowMessageSink& sink_;
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
  bool raw_sent_ = false;
  // Hashes of the last datagrams handed to the parser: a device repeating
  // the same datagram (SSDP NOTIFY, mDNS announcements, retransmitted DNS
  // queries) teaches nothing new, so repeats are counted and skipped.
  static constexpr size_t kRecentDatagrams = 8;
  std::array<uint64_t, kRecentDatagrams> recent_{};
  size_t recent_next_ = 0;
  std::string looks_like_;  // of an unrecognised flow's first bytes
};

}  // namespace ph::proto
