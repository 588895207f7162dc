// Feeder: the caller's side of the parser contract. It keeps the bytes a
// Session did not consume (an incomplete message) per direction and
// presents them again with the next data, up to a cap; it stops feeding a
// direction after kMalformed and the whole flow after kDone.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "proto/protocol.h"

namespace ph::proto {

class Feeder {
 public:
  static constexpr size_t kDefaultPendingCap = 256 * 1024;

  Feeder(std::unique_ptr<Session> session, MessageSink& sink,
         size_t pending_cap = kDefaultPendingCap)
      : session_(std::move(session)), sink_(sink), cap_(pending_cap) {}

  // Stream data of one direction (or one datagram, for datagram parsers).
  void data(Direction dir, Bytes bytes, Timestamp ts, uint64_t frame);
  void gap(Direction dir, uint64_t length);
  void end(Timestamp ts);

  bool done() const { return done_; }
  bool failed(Direction dir) const { return failed_[index(dir)]; }
  Session& session() { return *session_; }

 private:
  std::unique_ptr<Session> session_;
  MessageSink& sink_;
  size_t cap_;
  std::vector<uint8_t> pending_[2];
  bool failed_[2] = {false, false};
  bool done_ = false;
};

}  // namespace ph::proto
