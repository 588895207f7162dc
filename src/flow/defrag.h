// IPv4 and IPv6 fragment reassembly.
//
// Policy (documented in docs/reassembly.md): fragments are keyed by
// (src, dst, protocol/next-header, id, vlan). Overlapping fragments: IPv4
// keeps the bytes that arrived first (later overlapping bytes are discarded,
// counted "ipv4.frag-overlap"); IPv6 discards the whole datagram as RFC 5722
// requires (counted "ipv6.frag-overlap"). Incomplete datagrams expire after
// `timeout` of capture time (counted "ip.frag-timeout"); limits on datagrams
// in progress and buffered bytes evict the oldest (counted
// "ip.frag-evicted"); datagrams over 65535 bytes are dropped
// ("ip.frag-too-big").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "base/bytes.h"
#include "decode/decode.h"
#include "model/stats.h"
#include "model/time.h"

namespace ph::flow {

struct DefragLimits {
  size_t max_datagrams = 8192;         // in progress at once
  size_t max_bytes = 32u << 20;        // buffered across all of them
  Timestamp timeout = 30 * kNsPerSec;  // capture time
};

class Defragmenter {
 public:
  Defragmenter(DefragLimits limits, Stats& stats);
  ~Defragmenter();
  Defragmenter(const Defragmenter&) = delete;
  Defragmenter& operator=(const Defragmenter&) = delete;

  // Adds one fragment (a view decoded with Status::kFragment). When it
  // completes its datagram, returns the whole datagram as an IP packet
  // (a header without fragmentation + the reassembled payload) that
  // decode::decode_ip() accepts; the span is valid until the next call.
  std::optional<Bytes> add(const decode::PacketView& fragment, Timestamp ts);

  // Drops datagrams idle for longer than the timeout.
  void expire(Timestamp now);

  size_t in_progress() const;
  size_t buffered_bytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ph::flow
