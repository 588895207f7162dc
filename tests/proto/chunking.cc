// The chunking harness (see chunking.h).
#include "proto/chunking.h"

namespace ph::proto::test {

std::string describe(const std::vector<Message>& messages) {
  std::string out;
  for (const auto& m : messages) {
    out += m.protocol + "/" + m.kind + (m.dir == Direction::kUp ? " up" : " down") + "\n";
    for (const auto& f : m.fields) out += "  " + f.name + "[" + f.key + "]=" + f.value + "\n";
    if (!m.body.empty() || !m.content_type.empty()) {
      out +=
          "  body(" + m.content_type + ", " + std::to_string(m.body.size()) + ")=" + m.body + "\n";
    }
    for (const auto& e : m.encodings) out += "  encoding " + e + "\n";
  }
  return out;
}

Collected run(const Parser& parser, const std::vector<Piece>& pieces, Chunking chunking,
              uint32_t seed) {
  Collected sink;
  Feeder feeder(parser.make(sink), sink);
  std::mt19937 rng(seed);
  uint64_t frame = 0;
  for (const auto& p : pieces) {
    if (p.gap > 0) {
      feeder.gap(p.dir, p.gap);
      continue;
    }
    Bytes all = as_bytes(p.bytes);
    if (parser.transport == Transport::kDatagram || chunking == Chunking::kWhole) {
      ++frame;
      feeder.data(p.dir, all, Timestamp(frame), frame);
      continue;
    }
    size_t pos = 0;
    while (pos < all.size()) {
      size_t n =
          chunking == Chunking::kByteByByte ? 1 : std::uniform_int_distribution<size_t>(1, 64)(rng);
      n = std::min(n, all.size() - pos);
      ++frame;
      feeder.data(p.dir, all.subspan(pos, n), Timestamp(frame), frame);
      pos += n;
    }
  }
  feeder.end(Timestamp(frame + 1));
  return sink;
}

}  // namespace ph::proto::test
