// Fuzz target for the DHCPv4 and DHCPv6 parsers: the first byte picks the
// parser, then records [ctl][len hi][len lo][len bytes] are fed as datagrams
// through a Feeder, ctl bit 0 = direction, bit 1 = a gap of `len` bytes
// instead of data. Every datagram is also probed by both entries.
#include <cstdint>
#include <cstdlib>

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
      int score = p->probe(dir, piece, uint16_t(ctl >> 2) * 9);
      if (score < 0 || score > 100) std::abort();
    }
    ++frame;
    feeder.data(dir, piece, ph::Timestamp(frame), frame);
  }
  feeder.end(ph::Timestamp(frame + 1));
  if (feeder.session().facts().encrypted != false) std::abort();
  return 0;
}
