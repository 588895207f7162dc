// Fuzz target for the MQTT parser: records [ctl][len hi][len lo][len bytes]
// are fed through a Feeder, ctl bit 0 = direction, bit 1 = a gap of `len`
// bytes instead of data. The same input is then fed again in pieces of at
// most 7 bytes, and both runs must give the same messages (the parser's
// result may not depend on segmentation). Every piece is probed too.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "proto/feeder.h"
#include "proto/mqtt/mqtt.h"

namespace {

struct Sink : ph::proto::MessageSink {
  std::string text;
  void on_message(ph::proto::Message&& m) override {
    if (m.protocol != "mqtt" || m.kind.empty()) std::abort();
    text += m.kind + (m.dir == ph::Direction::kUp ? "^" : "v");
    for (const auto& f : m.fields) text += f.name + "[" + f.key + "]=" + f.value + ";";
    text += m.body + "|" + m.content_type + (m.body_truncated ? "!" : "") + "\n";
  }
  void on_anomaly(std::string_view what) override {
    if (what.empty()) std::abort();
    text += std::string(what) + "\n";
  }
};

std::string run(const uint8_t* data, size_t size, size_t max_piece) {
  using namespace ph::proto;
  Sink sink;
  Feeder feeder(mqtt::parser().make(sink), sink);
  size_t pos = 0;
  uint64_t frame = 0;
  while (pos + 3 <= size) {
    uint8_t ctl = data[pos];
    size_t len = size_t(data[pos + 1]) << 8 | data[pos + 2];
    pos += 3;
    ph::Direction dir = ctl & 1 ? ph::Direction::kDown : ph::Direction::kUp;
    if (ctl & 2) {
      feeder.gap(dir, len);
      continue;
    }
    if (len > size - pos) len = size - pos;
    ph::Bytes piece(data + pos, len);
    pos += len;
    if (max_piece == SIZE_MAX) {
      int score = mqtt::parser().probe(dir, piece, uint16_t(ctl >> 2) * 700);
      if (score < 0 || score > 100) std::abort();
    }
    for (size_t off = 0; off < piece.size(); off += max_piece) {
      ++frame;
      feeder.data(dir, piece.subspan(off, std::min(max_piece, piece.size() - off)),
                  ph::Timestamp(frame), frame);
    }
  }
  feeder.end(ph::Timestamp(frame + 1));
  if (feeder.session().facts().encrypted != false) std::abort();
  return sink.text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (run(data, size, SIZE_MAX) != run(data, size, 7)) std::abort();
  return 0;
}
