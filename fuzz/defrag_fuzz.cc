// Fuzz target for the Defragmenter: the input is a sequence of fragment
// records, each turned into a real IPv4 or IPv6 fragment packet, decoded with
// decode_ip and added under small limits so eviction, timeouts, overlaps and
// the 64 KB cap are all reachable. Completed datagrams must decode.
//
// Record: [flags][offset hi][offset lo][len] then `len` payload bytes.
// flags bit 0: IPv6, bit 1: MF, bits 2-3: id, bits 4-5: protocol variant,
// bits 6-7: time step (0, 1 s, 10 s, 40 s).
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "decode/decode.h"
#include "flow/defrag.h"

namespace {

std::vector<uint8_t> make_fragment(bool v6, bool more, uint32_t id, uint8_t proto, uint32_t offset,
                                   const uint8_t* p, size_t n) {
  std::vector<uint8_t> f;
  if (!v6) {
    uint16_t total = uint16_t(20 + n);
    uint16_t fo = uint16_t((more ? 0x2000 : 0) | ((offset / 8) & 0x1fff));
    f = {0x45,
         0,
         uint8_t(total >> 8),
         uint8_t(total),
         0,
         uint8_t(id),
         uint8_t(fo >> 8),
         uint8_t(fo),
         64,
         proto,
         0,
         0,
         192,
         0,
         2,
         1,
         198,
         51,
         100,
         2};
  } else {
    uint16_t plen = uint16_t(8 + n);
    f = {0x60, 0, 0, 0, uint8_t(plen >> 8), uint8_t(plen), 44, 64};
    for (int i = 0; i < 32; ++i) f.push_back(uint8_t(i < 16 ? 0x20 : 0x30));
    uint16_t om = uint16_t((offset & 0xfff8) | (more ? 1 : 0));
    f.insert(f.end(), {proto, 0, uint8_t(om >> 8), uint8_t(om), 0, 0, 0, uint8_t(id)});
  }
  f.insert(f.end(), p, p + n);
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ph::Stats stats;
  ph::flow::DefragLimits limits;
  limits.max_datagrams = 4;
  limits.max_bytes = 4096;
  limits.timeout = 30 * ph::kNsPerSec;
  ph::flow::Defragmenter defrag(limits, stats);
  static constexpr uint8_t kProtos[] = {17, 6, 1, 58};
  static constexpr ph::Timestamp kSteps[] = {0, ph::kNsPerSec, 10 * ph::kNsPerSec,
                                             40 * ph::kNsPerSec};
  ph::Timestamp ts = 0;
  size_t i = 0;
  while (i + 4 <= size) {
    uint8_t flags = data[i];
    uint32_t offset = uint32_t(data[i + 1]) << 8 | data[i + 2];
    size_t n = data[i + 3];
    i += 4;
    if (n > size - i) n = size - i;
    ts += kSteps[flags >> 6];
    auto frag = make_fragment(flags & 1, flags & 2, (flags >> 2) & 3, kProtos[(flags >> 4) & 3],
                              offset, data + i, n);
    i += n;
    ph::decode::PacketView view;
    if (ph::decode::decode_ip(frag, view, stats.anomalies) != ph::decode::Status::kFragment)
      continue;
    if (auto dg = defrag.add(view, ts)) {
      if (dg->size() > 65535 + 40) std::abort();
      ph::decode::PacketView whole;
      auto s = ph::decode::decode_ip(*dg, whole, stats.anomalies);
      // A reassembled IPv4 datagram is never a fragment itself (IPv6 may
      // legitimately carry a nested fragment header).
      if ((*dg)[0] >> 4 == 4 && s == ph::decode::Status::kFragment) std::abort();
    }
    if (defrag.in_progress() > limits.max_datagrams) std::abort();
    if (defrag.buffered_bytes() > limits.max_bytes) std::abort();
  }
  defrag.expire(ts + 31 * ph::kNsPerSec);
  if (defrag.in_progress() != 0 || defrag.buffered_bytes() != 0) std::abort();
  return 0;
}
