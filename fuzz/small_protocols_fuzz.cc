// Fuzz target for the small recognisers (SSH banners, NTP, WireGuard): the
// first byte picks the parser, then records [ctl][len hi][len lo][bytes]
// are fed through a Feeder (ctl bit 0 = direction, bit 1 = a gap). Every
// piece is also probed by each entry (scores stay within 0..100).
#include <cstdint>
#include <cstdlib>

#include "proto/feeder.h"
#include "proto/ntp/ntp.h"
#include "proto/ssh/ssh.h"
#include "proto/wireguard/wireguard.h"

namespace {

struct Sink : ph::proto::MessageSink {
  void on_message(ph::proto::Message&& m) override {
    if (m.protocol.empty() || m.fields.empty()) std::abort();
  }
  void on_anomaly(std::string_view what) override {
    if (what.empty()) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ph::proto;
  if (size < 1) return 0;
  const Parser* parsers[] = {&ssh::parser(), &ntp::parser(), &wireguard::parser()};
  const Parser& chosen = *parsers[data[0] % 3];
  Sink sink;
  Feeder feeder(chosen.make(sink), sink);
  size_t pos = 1;
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
    for (const Parser* p : parsers) {
      int score = p->probe(dir, piece, uint16_t(ctl >> 2) * 700);
      if (score < 0 || score > 100) std::abort();
    }
    ++frame;
    feeder.data(dir, piece, ph::Timestamp(frame), frame);
  }
  feeder.end(ph::Timestamp(frame + 1));
  if (feeder.session().facts().app != chosen.name) std::abort();
  return 0;
}
