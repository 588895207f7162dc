// Fuzzes the QUIC datagram parser through a Feeder. The input is a
// sequence of datagrams: a control byte (bit 0: direction; bit 1: seal the
// bytes as the payload of a client Initial keyed by a fixed DCID, so the
// frame walk and CRYPTO reassembly behind the decryption get fuzzed too;
// the other bits: the packet number), a 16-bit length, then the bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "proto/feeder.h"
#include "proto/quic/initial.h"
#include "proto/quic/quic.h"

namespace {

struct Sink : ph::proto::MessageSink {
  void on_message(ph::proto::Message&&) override {}
  void on_anomaly(std::string_view) override {}
};

// A v1 client Initial around `payload` (DCID 8394c8f03e515708, 4-byte
// packet number, 2-byte length).
std::vector<uint8_t> seal(ph::Bytes payload, uint32_t pn) {
  using namespace ph::proto::quic;
  static const uint8_t kDcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
  Keys k;
  if (!initial_keys(kVersion1, ph::Bytes(kDcid, 8), true, k)) return {};
  std::vector<uint8_t> p = {0xc3, 0, 0, 0, 1, 8};
  p.insert(p.end(), kDcid, kDcid + 8);
  p.push_back(0);  // SCID
  p.push_back(0);  // token
  size_t body = payload.size() < 16 ? 16 : payload.size();
  const size_t length = 4 + body + 16;
  p.push_back(static_cast<uint8_t>(0x40 | ((length >> 8) & 0x3f)));
  p.push_back(static_cast<uint8_t>(length));
  const size_t pn_offset = p.size();
  for (int i = 3; i >= 0; --i) p.push_back(static_cast<uint8_t>(pn >> (8 * i)));
  p.insert(p.end(), payload.begin(), payload.end());
  p.resize(pn_offset + 4 + body + 16, 0);
  if (!seal_packet(p, pn_offset, 4, k, pn)) return {};
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ph;
  Sink sink;
  proto::Feeder feeder(proto::quic::parser().make(sink), sink);
  size_t pos = 0;
  uint64_t frame = 0;
  while (pos < size && !feeder.done()) {
    const uint8_t ctrl = data[pos++];
    size_t len = size - pos;
    if (size - pos >= 2) {
      len = size_t(data[pos]) << 8 | data[pos + 1];
      pos += 2;
    }
    len = std::min<size_t>(std::min<size_t>(len, size - pos), 4000);
    const Direction dir = (ctrl & 1) ? Direction::kDown : Direction::kUp;
    Bytes piece(data + pos, len);
    pos += len;
    ++frame;
    (void)proto::quic::parser().probe(dir, piece, 443);
    if (ctrl & 2) {
      std::vector<uint8_t> sealed = seal(piece, ctrl >> 2);
      feeder.data(dir, Bytes(sealed), Timestamp(frame), frame);
    } else if (!piece.empty()) {
      feeder.data(dir, piece, Timestamp(frame), frame);
    }
  }
  (void)feeder.session().facts();
  return 0;
}
