// Fuzzes TCP reassembly through the flow table: the input is a sequence of
// segment operations on one connection (direction, sequence delta, flags,
// length), with payload bytes that are a function of their sequence number.
// A checking consumer aborts on any broken invariant: delivery is contiguous
// (consumer offset + chunk == the stream's delivery point), bytes match
// their sequence numbers unless conflicting copies were sent, and at the
// end delivered + gap bytes == the final stream offset.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "flow/flow_table.h"

namespace {

using ph::Bytes;
using ph::Timestamp;
using namespace ph::flow;
using ph::kNoteBypassed;

constexpr uint16_t kPortA = 40000, kPortB = 80;

uint8_t pattern(uint32_t seq, uint16_t sender_port) {
  return static_cast<uint8_t>(seq * 167u + (seq >> 8) + sender_port);
}

void check(bool ok) {
  if (!ok) std::abort();
}

struct Shared {
  bool corrupt_sent[2] = {false, false};  // by sender: 0 = port A, 1 = port B
  size_t done_after = SIZE_MAX;
};

class Checker : public FlowConsumer {
 public:
  Checker(const Flow& flow, Shared& shared) : flow_(flow), shared_(shared) {}
  void on_data(Direction d, Bytes data, Timestamp, uint64_t) override {
    const int i = index(d);
    check(!data.empty());
    check(!ended_);
    const TcpStream& s = flow_.tcp[i];
    check(offset_[i] + data.size() == s.next_offset());
    const uint16_t sender = d == Direction::kUp ? flow_.client.port : flow_.server.port;
    if (!shared_.corrupt_sent[sender == kPortA ? 0 : 1]) {
      for (size_t k = 0; k < data.size(); ++k) {
        check(data[k] == pattern(s.base_seq() + static_cast<uint32_t>(offset_[i] + k), sender));
      }
    }
    offset_[i] += data.size();
    delivered_ += data.size();
  }
  void on_gap(Direction d, uint64_t length) override {
    const int i = index(d);
    check(length > 0);
    check(offset_[i] + length == flow_.tcp[i].next_offset());
    offset_[i] += length;
  }
  void on_end(Timestamp) override {
    check(!ended_);
    ended_ = true;
    if (flow_.notes & kNoteBypassed) return;
    for (int i = 0; i < 2; ++i) {
      const TcpStream& s = flow_.tcp[i];
      check(s.buffered_bytes() == 0);
      check(offset_[i] == s.next_offset());
      check(s.delivered_bytes() + s.gap_bytes() == s.next_offset());
    }
  }
  bool done() const override { return delivered_ >= shared_.done_after; }

 private:
  const Flow& flow_;
  Shared& shared_;
  uint64_t offset_[2] = {0, 0};
  uint64_t delivered_ = 0;
  bool ended_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 9) return 0;
  Shared shared;
  ph::Stats stats;
  FlowLimits limits;
  limits.tcp_idle = 5 * ph::kNsPerSec;
  limits.closed_linger = 1 * ph::kNsPerSec;
  limits.stream_cap = 64u << (data[0] & 7);           // 64 B .. 8 KiB
  limits.reassembly_budget = 256u << (data[0] >> 5);  // 256 B .. 32 KiB
  if (data[0] & 0x18) shared.done_after = static_cast<size_t>(data[0] & 0x18) << 6;
  uint32_t cursor[2] = {ph::load_be32(data + 1), ph::load_be32(data + 5)};
  data += 9;
  size -= 9;

  uint64_t ended = 0;
  FlowTable table(
      limits, stats, [&](const Flow& f) { return std::make_unique<Checker>(f, shared); },
      [&](Flow& f) { ++ended; });

  const ph::IpAddr a = ph::IpAddr::parse("10.0.0.1"), b = ph::IpAddr::parse("10.0.0.2");
  std::vector<uint8_t> packet(40 + 255);
  Timestamp ts = 0;
  uint64_t frame = 0;
  for (; size >= 4; data += 4, size -= 4) {
    const uint8_t op = data[0];
    const int dir = op & 1;
    const int16_t delta = static_cast<int16_t>(ph::load_be16(data + 1));
    const uint8_t len = data[3];
    uint8_t flags = 0;
    if (op & 0x02) flags |= ph::decode::kSyn;
    if (op & 0x04) flags |= ph::decode::kFin;
    if ((op & 0x0e) == 0x0e) flags = ph::decode::kRst;  // SYN+FIN+bit: a RST instead
    if (op & 0x10) flags |= ph::decode::kAck;
    const bool corrupt = op & 0x20;
    const bool jump = op & 0x40;
    const bool truncated = op & 0x80;

    const uint32_t seq = cursor[dir] + static_cast<uint32_t>(static_cast<int32_t>(delta));
    const uint16_t sport = dir ? kPortB : kPortA;
    const uint32_t first = seq + ((flags & ph::decode::kSyn) ? 1 : 0);
    for (int k = 0; k < len; ++k) {
      uint8_t byte = pattern(first + static_cast<uint32_t>(k), sport);
      packet[40 + k] = corrupt ? static_cast<uint8_t>(byte ^ 0x5a) : byte;
    }
    if (corrupt && len) shared.corrupt_sent[dir] = true;

    // Truncated: the IPv4 header claims twice the captured payload.
    const size_t claimed = 40 + size_t{len} * (truncated ? 2 : 1);
    std::memset(packet.data(), 0, 40);
    packet[0] = 0x45;
    packet[2] = static_cast<uint8_t>(claimed >> 8);
    packet[3] = static_cast<uint8_t>(claimed);

    ph::decode::PacketView v;
    v.ip_version = 4;
    v.src = dir ? b : a;
    v.dst = dir ? a : b;
    v.sport = sport;
    v.dport = dir ? kPortA : kPortB;
    v.l4proto = 6;
    v.seq = seq;
    v.tcp_flags = flags;
    v.ip_datagram = Bytes(packet.data(), 40 + len);
    v.payload = Bytes(packet.data() + 40, len);
    v.truncated = truncated && len > 0;
    ts += jump ? 3 * ph::kNsPerSec : ph::kNsPerSec / 1000;
    table.on_packet(v, ts, ++frame, static_cast<uint32_t>(14 + claimed));
    if (jump) table.expire(ts);
    cursor[dir] = first + (truncated ? 2u : 1u) * len;
  }
  table.flush_all(ts);
  check(table.size() == 0);
  check(ended == table.flows_created());
  return 0;
}
