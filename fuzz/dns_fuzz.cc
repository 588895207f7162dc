// Fuzz target for the DNS parsers (UDP, mDNS, LLMNR, TCP framing): the first
// byte picks the parser, then records [ctl][len hi][len lo][len bytes] are
// fed through a Feeder, ctl bit 0 = direction, bit 1 = a gap of `len`
// bytes instead of data. Every piece is also probed by every entry, and
// every message goes through the name/address helper.
#include <cstdint>
#include <cstdlib>

#include "pieces.h"
#include "proto/dns/addresses.h"
#include "proto/dns/dns.h"
#include "proto/feeder.h"

namespace {

struct Sink : ph::proto::MessageSink {
  size_t pairs = 0;
  void on_message(ph::proto::Message&& m) override {
    if (m.protocol != "dns" || m.fields.empty()) std::abort();
    pairs += ph::proto::dns::name_addresses(m).size();
  }
  void on_anomaly(std::string_view what) override {
    if (what.empty()) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ph::proto;
  if (size < 1) return 0;
  const Parser* parsers[] = {&dns::parser(), &dns::mdns_parser(), &dns::llmnr_parser(),
                             &dns::tcp_parser()};
  const Parser& chosen = *parsers[data[0] % 4];
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
  if (feeder.session().facts().encrypted != false) std::abort();
  return 0;
}
