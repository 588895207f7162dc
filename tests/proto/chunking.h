// The chunking harness for every parser: feeds the same exchange whole,
// byte by byte, in random chunks, and (optionally) with a gap, through a
// Feeder, and collects the messages, so a test can require they are equal.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "proto/feeder.h"
#include "proto/protocol.h"

namespace ph::proto::test {

struct Collected : MessageSink {
  std::vector<Message> messages;
  std::vector<std::string> anomalies;
  void on_message(Message&& m) override { messages.push_back(std::move(m)); }
  void on_anomaly(std::string_view what) override { anomalies.emplace_back(what); }
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

}  // namespace ph::proto::test
