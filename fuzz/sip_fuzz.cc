// Fuzzes the SIP sessions through a Feeder. Input: byte 0 picks the
// session (bit 0: TCP, else UDP) and the limits (bit 1: tiny, so every cap
// is reachable); the rest is split at each two-byte marker "\0\0" followed
// by a control byte: 'U' / 'D' switch to the up / down direction, 'G' is a
// gap of 100 bytes in the current direction, anything else only splits the
// bytes (a datagram, or a segment boundary). Each piece is probed by both
// entries (the score must stay in 0..100). Over TCP each input runs twice,
// as given and cut into 1..8-byte segments, and the two runs must report
// the same messages and anomalies.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proto/feeder.h"
#include "proto/sip/sip.h"

namespace {

struct RecordingSink : ph::proto::MessageSink {
  std::string text;
  void on_message(ph::proto::Message&& m) override {
    if (m.protocol != "sip" || (m.kind != "request" && m.kind != "response")) std::abort();
    text += m.kind + (m.dir == ph::Direction::kUp ? " up\n" : " down\n");
    for (const auto& f : m.fields) text += f.name + "[" + f.key + "]=" + f.value + "\n";
    text += "body=" + m.content_type + ":" + m.body + (m.body_truncated ? " (cut)\n" : "\n");
  }
  void on_anomaly(std::string_view what) override {
    if (what.empty()) std::abort();
    text += "anomaly ";
    text += what;
    text += "\n";
  }
};

std::string run(const uint8_t* data, size_t size, bool split) {
  using ph::Direction;
  const bool stream = data[0] & 1;
  ph::proto::sip::Limits limits;
  if (data[0] & 2) {
    limits.max_line = 64;
    limits.max_headers = 8;
    limits.max_head = 256;
    limits.max_body = 32;
  }
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  RecordingSink sink;
  ph::proto::Feeder feeder(ph::proto::sip::make_session(sink, limits, stream), sink);
  Direction dir = Direction::kUp;
  uint64_t frame = 0;
  uint32_t rng = 12345;
  while (!in.empty()) {
    size_t marker = in.find(std::string_view("\0\0", 2));
    std::string_view piece = in.substr(0, marker);
    for (const ph::proto::Parser* p : {&ph::proto::sip::parser(), &ph::proto::sip::tcp_parser()}) {
      int score = p->probe(dir, ph::as_bytes(piece.substr(0, 512)), 5060);
      if (score < 0 || score > 100) std::abort();
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
  if (facts.app != "sip" || facts.encrypted != false) std::abort();
  return sink.text + "host=" + facts.host;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string whole = run(data, size, false);
  if ((data[0] & 1) && whole != run(data, size, true)) std::abort();
  return 0;
}
