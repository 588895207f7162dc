// Fuzzes the HTTP/1.x session through a Feeder, both directions. Input:
// byte 0 selects limits (bit 0: tiny limits, so every cap is reachable);
// the rest is split at each two-byte marker "\0\0" followed by a control
// byte: 'U' / 'D' switch to the up / down direction, 'G' is a gap of 100
// bytes in the current direction, anything else only splits the bytes
// (a segment boundary). Each input runs twice, as given and cut into tiny
// segments, and the two runs must report the same messages and anomalies.
// The probe and the facts are exercised too.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "proto/feeder.h"
#include "proto/http/http.h"

namespace {

// Keeps a canonical text of what was reported, for the comparison.
struct RecordingSink : ph::proto::MessageSink {
  std::string text;
  void on_message(ph::proto::Message&& m) override {
    text += m.kind + (m.dir == ph::Direction::kUp ? " up\n" : " down\n");
    for (const auto& f : m.fields) text += f.name + "[" + f.key + "]=" + f.value + "\n";
    text += "body=" + m.body + (m.body_truncated ? " (cut)\n" : "\n");
    for (const auto& e : m.encodings) text += "encoding " + e + "\n";
  }
  void on_anomaly(std::string_view what) override {
    text += "anomaly ";
    text += what;
    text += "\n";
  }
};

}  // namespace

namespace {

// Runs the input's pieces; with `split` each piece is cut further into
// 1..8-byte segments (the parser must give the same messages and
// anomalies whatever the segmentation).
std::string run(const uint8_t* data, size_t size, bool split) {
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
  RecordingSink sink;
  ph::proto::Feeder feeder(ph::proto::http::make_session(sink, limits), sink);
  Direction dir = Direction::kUp;
  uint64_t frame = 0;
  uint32_t rng = 12345;
  bool probed[2] = {false, false};
  while (!in.empty()) {
    size_t marker = in.find(std::string_view("\0\0", 2));
    std::string_view piece = in.substr(0, marker);
    if (!piece.empty() && !probed[ph::index(dir)]) {
      probed[ph::index(dir)] = true;
      ph::proto::http::parser().probe(dir, ph::as_bytes(piece.substr(0, 512)), 80);
    }
    while (!piece.empty()) {
      rng = rng * 1103515245u + 12345u;
      size_t n = split ? std::min<size_t>(piece.size(), 1 + (rng >> 16) % 8) : piece.size();
      ++frame;
      feeder.data(dir, ph::as_bytes(piece.substr(0, n)), ph::Timestamp(frame), frame);
      piece.remove_prefix(n);
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
  if (facts.app != "http") std::abort();
  return sink.text + "host=" + facts.host;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if (run(data, size, false) != run(data, size, true)) std::abort();
  return 0;
}
