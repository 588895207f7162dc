// Fuzz target for the DHCPv4 and DHCPv6 parsers: the first byte picks the
// parser, then records [ctl][len hi][len lo][len bytes] are fed as datagrams
// through a Feeder, ctl bit 0 = direction, bit 1 = a gap of `len` bytes
// instead of data. Every datagram is also probed by both entries.
#include <cstdint>
#include <cstdlib>

#include "pieces.h"
#include "proto/dhcp/dhcp.h"
#include "proto/feeder.h"

namespace {

struct Sink : ph::proto::MessageSink {
  void on_message(ph::proto::Message&& m) override {
    if ((m.protocol != "dhcp" && m.protocol != "dhcpv6") || m.kind.empty()) std::abort();
    for (const auto& f : m.fields)
      if (f.name.compare(0, m.protocol.size() + 1, m.protocol + ".") != 0) std::abort();
  }
  void on_anomaly(std::string_view what) override {
    if (what.empty()) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ph::proto;
  if (size < 1) return 0;
  const Parser* parsers[] = {&dhcp::parser(), &dhcp::v6_parser()};
  const Parser& chosen = *parsers[data[0] % 2];
  Sink sink;
  Feeder feeder(chosen.make(sink), sink);
  uint64_t frame = 0;
  ph::fuzz::for_each_piece(data, size, 1, [&](const ph::fuzz::Piece& piece) {
    if (piece.gap) {
      feeder.gap(piece.dir, piece.length);
      return;
    }
    for (const Parser* p : parsers) {
      int score = p->probe(piece.dir, piece.bytes, uint16_t(piece.hint) * 9);
      if (score < 0 || score > 100) std::abort();
    }
    ++frame;
    feeder.data(piece.dir, piece.bytes, ph::Timestamp(frame), frame);
  });
  feeder.end(ph::Timestamp(frame + 1));
  if (feeder.session().facts().encrypted != false) std::abort();
  return 0;
}
