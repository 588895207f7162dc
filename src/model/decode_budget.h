// The decoded-bytes budget of issue #7: what the decoders may produce
// (HTTP content codings, and the content decoder chain's decompression,
// base64, hex, percent and form layers) is bounded by what was captured,
// so a capture full of decompression bombs costs a bounded multiple of a
// normal one. A budget starts with kFloor bytes and earns kPerByte bytes
// for each byte of transport payload captured; every decoder takes what it
// produces from it, and past it decoding stops for that message (what was
// decoded until then is kept, the rest stays as captured) and the cut is
// counted once per message and decoder as drops "content.decode-budget".
//
// The pipeline keeps one budget per bucket of flows (kFlowBuckets buckets
// by a hash of addresses and ports; see shard.h): a bucket's packets are
// all handled by one worker, in capture order, so what a budget allows
// does not depend on the number of worker threads.
#pragma once

#include <cstdint>
#include <string_view>

#include "model/stats.h"

namespace ph {

class DecodeBudget {
 public:
  // What a budget holds before anything was captured, and what each byte
  // of captured payload adds. Normal traffic decodes to far less than
  // kPerByte times what it captured (README "Hostile input"); the
  // groups' floors add up to kFlowBuckets * kFloor = 16 MiB per run.
  static constexpr uint64_t kFloor = 256 << 10;
  static constexpr uint64_t kPerByte = 4;
  static constexpr std::string_view kCounter = "content.decode-budget";

  // `cuts`: where cuts are counted (null: not counted).
  explicit DecodeBudget(Counters* cuts = nullptr, uint64_t floor = kFloor)
      : cuts_(cuts), earned_(floor) {}

  // `bytes` of payload captured.
  void earn(uint64_t bytes) { earned_ += bytes * kPerByte; }
  // What may still be decoded.
  uint64_t left() const { return earned_ > spent_ ? earned_ - spent_ : 0; }
  // `bytes` decoded (may go past left(): a decoder capped by left() never does).
  void spend(uint64_t bytes) { spent_ += bytes; }
  // A decoder stopped at the budget.
  void cut() {
    ++cuts_made_;
    if (cuts_) cuts_->add(kCounter);
  }
  // Cuts so far, and bytes spent so far.
  uint64_t cuts() const { return cuts_made_; }
  uint64_t spent() const { return spent_; }

 private:
  Counters* cuts_;
  uint64_t earned_;
  uint64_t spent_ = 0;
  uint64_t cuts_made_ = 0;
};

}  // namespace ph
