// Fuzz target for decode_frame: the first two bytes choose a supported link
// type, the rest is the frame. Fragments go through a Defragmenter and a
// completed datagram through decode_ip. Besides sanitizer findings it traps
// when a view points outside the frame or a kMalformed return counted other
// than exactly one anomaly.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "decode/decode.h"
#include "flow/defrag.h"

namespace {

constexpr uint32_t kLinktypes[] = {0, 1, 12, 14, 51, 101, 105, 108, 113, 127, 228, 229, 276};

uint64_t total(const ph::Counters& c) {
  uint64_t n = 0;
  for (const auto& [k, v] : c.all()) n += v;
  return n;
}

void check_inside(ph::Bytes span, const uint8_t* begin, const uint8_t* end) {
  if (span.empty()) return;
  if (span.data() < begin || span.data() + span.size() > end) std::abort();
}

void check_view(const ph::decode::PacketView& v, ph::Bytes frame) {
  const uint8_t* b = frame.data();
  const uint8_t* e = b + frame.size();
  check_inside(v.l2_payload, b, e);
  check_inside(v.ip_datagram, b, e);
  check_inside(v.frag_payload, b, e);
  check_inside(v.payload, b, e);
  if (v.mac_src && (v.mac_src < b || v.mac_src + 6 > e)) std::abort();
  if (v.mac_dst && (v.mac_dst < b || v.mac_dst + 6 > e)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint32_t linktype =
      kLinktypes[(uint32_t(data[0]) << 8 | data[1]) % (sizeof kLinktypes / sizeof kLinktypes[0])];
  // An exactly-sized copy so ASan sees any read past the frame.
  std::vector<uint8_t> frame(data + 2, data + size);
  ph::Bytes bytes(frame.data(), frame.size());
  ph::Stats stats;
  ph::decode::PacketView view;
  uint64_t before = total(stats.anomalies);
  auto status = ph::decode::decode_frame(linktype, bytes, view, stats.anomalies);
  uint64_t counted = total(stats.anomalies) - before - stats.anomalies.get("wlan.protected");
  if (status == ph::decode::Status::kMalformed && counted != 1) std::abort();
  if (status != ph::decode::Status::kMalformed && counted != 0) std::abort();
  check_view(view, bytes);
  if (status == ph::decode::Status::kFragment) {
    ph::flow::Defragmenter defrag({}, stats);
    defrag.add(view, 0);
    // A fragment that is both first and last (offset 0, no MF) completes
    // alone; so does its repetition at a different offset with MF clear.
    ph::decode::PacketView last = view;
    last.frag_offset = 0;
    last.frag_more = false;
    if (auto dg = defrag.add(last, 1)) {
      ph::decode::PacketView inner = view;
      ph::decode::decode_ip(*dg, inner, stats.anomalies);
    }
  }
  return 0;
}
