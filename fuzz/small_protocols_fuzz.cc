// Fuzz target for the small recognisers (SSH banners, NTP, WireGuard): the
// first byte picks the parser, then records [ctl][len hi][len lo][bytes]
// are fed through a Feeder (ctl bit 0 = direction, bit 1 = a gap). Every
// piece is also probed by each entry (scores stay within 0..100).
#include <cstdint>
#include <cstdlib>

#include "pieces.h"
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
  uint64_t frame = 0;
  ph::fuzz::for_each_piece(data, size, 1, [&](const ph::fuzz::Piece& piece) {
    if (piece.gap) {
      feeder.gap(piece.dir, piece.length);
      return;
    }
    for (const Parser* p : parsers) {
      int score = p->probe(piece.dir, piece.bytes, uint16_t(piece.hint) * 700);
      if (score < 0 || score > 100) std::abort();
    }
    ++frame;
    feeder.data(piece.dir, piece.bytes, ph::Timestamp(frame), frame);
  });
  feeder.end(ph::Timestamp(frame + 1));
  if (feeder.session().facts().app != chosen.name) std::abort();
  return 0;
}
