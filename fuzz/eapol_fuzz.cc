// Fuzz target for the EAPOL parser and the EAP helper: records
// [ctl][len hi][len lo][len bytes] are frames (after the Ethernet header)
// fed through a Feeder (ctl bit 0 = direction) and probed; the whole input
// is also parsed as one EAP packet, and as an identity whose IMSI, when one
// is found, must be digits inside it.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "proto/eap/eap.h"
#include "proto/eapol/eapol.h"
#include "proto/feeder.h"

namespace {

struct Sink : ph::proto::MessageSink {
  void on_message(ph::proto::Message&& m) override {
    if ((m.protocol != "eapol" && m.protocol != "eap-test") || m.kind.empty()) std::abort();
    for (const auto& f : m.fields)
      if (f.name == "eap.imsi" && (f.value.size() < 6 || f.value.size() > 15)) std::abort();
  }
  void on_anomaly(std::string_view what) override {
    if (what.empty()) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ph::proto;
  Sink sink;
  Message m;
  m.protocol = "eap-test";
  m.kind = "x";
  eap::parse(ph::Bytes(data, size), m, sink);
  sink.on_message(std::move(m));
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view imsi = eap::imsi_from_nai(text);
  if (!imsi.empty() && (imsi.data() != text.data() + 1 ||
                        imsi.find_first_not_of("0123456789") != std::string_view::npos))
    std::abort();

  Feeder feeder(eapol::parser().make(sink), sink);
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
    const int score = eapol::parser().probe(dir, piece, 0);
    if (score < 0 || score > 100) std::abort();
    ++frame;
    feeder.data(dir, piece, ph::Timestamp(frame), frame);
  }
  feeder.end(ph::Timestamp(frame + 1));
  if (feeder.session().facts().app != "eapol") std::abort();
  return 0;
}
