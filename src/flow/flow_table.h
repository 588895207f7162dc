// The bidirectional flow table: one Flow per transport conversation
// (5-tuple + VLAN), client/server roles, per-direction counters, TCP
// reassembly per direction, idle timeouts, FIN/RST handling and memory caps.
//
// Roles: the sender of a SYN (without ACK) is the client; the sender of a
// SYN+ACK is the server. Without a handshake (capture started mid-stream, or
// UDP): a well-known port (< 1024) marks the server (the lower one when both
// are, except DHCPv6 whose server port 547 is above the client's 546); else,
// for TCP the lower port is the server, for UDP the first sender
// is the client. A multicast or broadcast destination is never the client.
//
// A TCP flow that has closed (FIN both ways, or RST) and then sees a new SYN
// on the same 5-tuple ends, and a new flow starts (as tshark's tcp.stream).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "base/bytes.h"
#include "decode/decode.h"
#include "flow/tcp_reassembly.h"
#include "model/direction.h"
#include "model/flow_notes.h"
#include "model/ip.h"
#include "model/stats.h"
#include "model/time.h"

namespace ph::flow {

using ph::Direction;  // model/direction.h
using ph::index;

// What the protocol layer attaches to a flow (one per flow, made by the
// ConsumerFactory when the flow starts). TCP: reassembled bytes of each
// direction in order, gaps reported; UDP: one call per datagram.
class FlowConsumer {
 public:
  virtual ~FlowConsumer() = default;
  virtual void on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) = 0;
  virtual void on_gap(Direction dir, uint64_t length) {}
  virtual void on_end(Timestamp ts) {}
  // True once nothing more can be learned from this flow: the table then
  // stops reassembling it (a bypass, counted in the flow's notes).
  virtual bool done() const { return false; }
};

struct Endpoint {
  IpAddr ip;
  uint16_t port = 0;
};

struct DirectionStats {
  uint64_t packets = 0;
  uint64_t wire_bytes = 0;     // frame lengths on the wire (as tshark conv "Bytes")
  uint64_t payload_bytes = 0;  // transport payload lengths, retransmissions included
};

enum class FlowEnd : uint8_t { kActive, kClosed, kIdle, kEvicted, kInputEnd };

// Notes: see model/flow_notes.h (the flow table sets them).
using ph::FlowNote;

struct Flow {
  uint64_t id = 0;    // 1-based, in order of first packet across the whole run
  uint8_t proto = 0;  // IPPROTO_TCP or IPPROTO_UDP
  uint16_t vlan = 0;
  Endpoint client, server;
  MacAddr client_mac, server_mac;
  bool has_macs = false;
  Timestamp first_seen = 0, last_seen = 0;
  uint64_t first_frame = 0, last_frame = 0;
  DirectionStats dir[2];
  uint32_t notes = 0;  // FlowNote bits
  FlowEnd end = FlowEnd::kActive;
  TcpStream tcp[2];
  std::unique_ptr<FlowConsumer> consumer;

  // Internal to the table.
  uint8_t fin_mask = 0;  // bit per direction
  bool syn_seen = false;
  bool closed = false;   // FIN both ways or RST: lingers for closed_linger
  uint8_t lru_list = 0;  // which idle list holds it (TCP, UDP, closed)
  Flow* lru_prev = nullptr;
  Flow* lru_next = nullptr;
  size_t buffering_slot = SIZE_MAX;  // index in the table's list of flows holding OOO bytes
};

struct FlowLimits {
  size_t max_flows = 1u << 20;           // oldest idle flow evicted beyond this
  Timestamp tcp_idle = 600 * kNsPerSec;  // capture time without packets
  Timestamp udp_idle = 120 * kNsPerSec;
  Timestamp closed_linger = 30 * kNsPerSec;  // after FIN both ways or RST
  size_t stream_cap = 1u << 20;              // out-of-order bytes per direction
  size_t reassembly_budget = 256u << 20;     // out-of-order bytes, all flows
};

class FlowTable {
 public:
  using ConsumerFactory = std::function<std::unique_ptr<FlowConsumer>(const Flow&)>;
  // Called once per flow when it ends (the consumer has seen on_end). The
  // flow is destroyed right after the call returns.
  using CloseCallback = std::function<void(Flow&)>;

  FlowTable(FlowLimits limits, Stats& stats, ConsumerFactory make_consumer, CloseCallback on_close);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // One decoded TCP or UDP packet (Status::kOk, l4proto 6 or 17).
  // `wire_len` is the frame's original length.
  void on_packet(const decode::PacketView& v, Timestamp ts, uint64_t frame, uint32_t wire_len);

  // Ends flows idle past their timeout at capture time `now`.
  void expire(Timestamp now);

  // End of input: ends every flow (FlowEnd::kInputEnd), in id order.
  void flush_all(Timestamp now);

  size_t size() const;
  uint64_t flows_created() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ph::flow
