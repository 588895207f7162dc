// Fuzz target for the DNS parsers (UDP, mDNS, LLMNR, TCP framing): the first
// byte picks the parser, then records [ctl][len hi][len lo][len bytes] are
// fed through a Feeder, ctl bit 0 = direction, bit 1 = a gap of `len`
// bytes instead of data. Every piece is also probed by every entry, and
// every message goes through the name/address helper.
#include <cstdint>
#include <cstdlib>

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
  if (feeder.session().facts().encrypted != false) std::abort();
  return 0;
}
