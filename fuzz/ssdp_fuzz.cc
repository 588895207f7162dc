// Fuzzes the SSDP session: the input is split at each "\0\0" marker into
// datagrams (the byte after a marker: 'D' makes the next datagram go down,
// anything else up). Byte 0 bit 0 selects tiny limits. Every datagram is
// probed (the score must stay in 0..100) and every message must be SSDP's.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proto/feeder.h"
#include "proto/ssdp/ssdp.h"

namespace {

struct Sink : ph::proto::MessageSink {
  void on_message(ph::proto::Message&& m) override {
    if (m.protocol != "ssdp" || (m.kind != "request" && m.kind != "response")) std::abort();
    for (const auto& f : m.fields)
      if (f.name.rfind("ssdp.", 0) != 0) std::abort();
  }
  void on_anomaly(std::string_view what) override {
    if (what.empty()) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ph::proto::ssdp::Limits limits;
  if (data[0] & 1) {
    limits.max_line = 32;
    limits.max_headers = 4;
  }
  Sink sink;
  ph::proto::Feeder feeder(ph::proto::ssdp::make_session(sink, limits), sink);
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  ph::Direction dir = ph::Direction::kUp;
  uint64_t frame = 0;
  while (!in.empty()) {
    size_t marker = in.find(std::string_view("\0\0", 2));
    std::string_view piece = in.substr(0, marker);
    int score = ph::proto::ssdp::parser().probe(dir, ph::as_bytes(piece), 1900);
    if (score < 0 || score > 100) std::abort();
    ++frame;
    feeder.data(dir, ph::as_bytes(piece), ph::Timestamp(frame), frame);
    if (marker == std::string_view::npos || marker + 2 >= in.size()) break;
    dir = in[marker + 2] == 'D' ? ph::Direction::kDown : ph::Direction::kUp;
    in.remove_prefix(marker + 3);
  }
  feeder.end(ph::Timestamp(frame + 1));
  if (feeder.session().facts().app != "ssdp") std::abort();
  return 0;
}
