// Fuzz target for the RADIUS parser: records [ctl][len hi][len lo][len bytes]
// are datagrams fed through a Feeder (ctl bit 0 = direction) and probed;
// the probe may only claim a datagram the session then reads without
// reporting anything.
#include <cstdint>
#include <cstdlib>

#include "proto/feeder.h"
#include "proto/radius/radius.h"

namespace {

struct Sink : ph::proto::MessageSink {
  size_t messages = 0, anomalies = 0;
  void on_message(ph::proto::Message&& m) override {
    if (m.protocol != "radius" || m.fields.empty() || m.fields[0].name != "radius.code")
      std::abort();
    ++messages;
  }
  void on_anomaly(std::string_view what) override {
    if (what.empty()) std::abort();
    ++anomalies;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ph::proto;
  Sink sink;
  Feeder feeder(radius::parser().make(sink), sink);
  size_t pos = 0;
  uint64_t frame = 0;
  while (pos + 3 <= size) {
    uint8_t ctl = data[pos];
    size_t len = size_t(data[pos + 1]) << 8 | data[pos + 2];
    pos += 3;
    ph::Direction dir = ctl & 1 ? ph::Direction::kDown : ph::Direction::kUp;
    if (len > size - pos) len = size - pos;
    ph::Bytes piece(data + pos, len);
    pos += len;
    const int score = radius::parser().probe(dir, piece, ctl & 2 ? 1812 : 40000);
    if (score < 0 || score > 100) std::abort();
    if (score > 0) {
      // A datagram the probe claims parses cleanly on its own (the EAP
      // inside may still be damaged).
      Sink alone;
      Feeder f(radius::parser().make(alone), alone);
      f.data(dir, piece, 1, 1);
      if (alone.messages != 1) std::abort();
    }
    ++frame;
    feeder.data(dir, piece, ph::Timestamp(frame), frame);
  }
  feeder.end(ph::Timestamp(frame + 1));
  if (feeder.session().facts().app != "radius") std::abort();
  return 0;
}
