// Fuzzes the HTTP/1.x session through a Feeder, both directions. Input:
// byte 0 selects limits (bit 0: tiny limits, so every cap is reachable);
// the rest is split at each two-byte marker "\0\0" followed by a control
// byte: 'U' / 'D' switch to the up / down direction, 'G' is a gap of 100
// bytes in the current direction, anything else only splits the bytes
// (a segment boundary). The probe and the facts are exercised too.
#include <cstdint>
#include <cstring>
#include <string_view>

#include "proto/feeder.h"
#include "proto/http/http.h"

namespace {

struct NullSink : ph::proto::MessageSink {
  size_t messages = 0, bytes = 0;
  void on_message(ph::proto::Message&& m) override {
    ++messages;
    bytes += m.body.size();
    for (const auto& f : m.fields) bytes += f.key.size() + f.value.size();
  }
  void on_anomaly(std::string_view) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  using ph::Direction;
  ph::proto::http::Limits limits;
  if (data[0] & 1) {
    limits.max_head = 256;
    limits.max_fields = 16;
    limits.max_body = 64;
    limits.max_decoded = 1024;
    limits.max_ratio = 20;
    limits.max_pipeline = 4;
  }
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  NullSink sink;
  ph::proto::Feeder feeder(ph::proto::http::make_session(sink, limits), sink, 4096);
  Direction dir = Direction::kUp;
  uint64_t frame = 0;
  bool probed[2] = {false, false};
  while (!in.empty()) {
    size_t marker = in.find(std::string_view("\0\0", 2));
    std::string_view piece = in.substr(0, marker);
    if (!piece.empty()) {
      if (!probed[ph::index(dir)]) {
        probed[ph::index(dir)] = true;
        ph::proto::http::parser().probe(dir, ph::as_bytes(piece.substr(0, 512)), 80);
      }
      ++frame;
      feeder.data(dir, ph::as_bytes(piece), ph::Timestamp(frame), frame);
    }
    if (marker == std::string_view::npos || marker + 2 >= in.size()) break;
    char control = in[marker + 2];
    if (control == 'U') dir = Direction::kUp;
    if (control == 'D') dir = Direction::kDown;
    if (control == 'G') feeder.gap(dir, 100);
    in.remove_prefix(marker + 3);
  }
  feeder.end(ph::Timestamp(frame + 1));
  ph::proto::FlowFacts facts = feeder.session().facts();
  return facts.app == "http" ? 0 : 1;
}
