// Fuzzes the content decoder chain. Byte 0 picks the media-type hint (low
// 4 bits, an index into kMedia) and tight limits (bit 4: every cap is
// reachable with small inputs); the rest is the value. Every leaf is
// checked for consistency: its encodings never exceed max_depth, and the
// number of leaves never exceeds max_leaves.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "content/decoder.h"

namespace {

constexpr std::string_view kMedia[] = {
    "",
    "application/json; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=XyZ",
    "multipart/form-data",
    "text/xml",
    "application/x-protobuf",
    "application/gzip",
    "application/zstd",
    "application/x-brotli",
    "text/html",
    "application/octet-stream",
    "image/png",
    "text/plain",
};

struct CheckingSink : ph::content::LeafSink {
  size_t leaves = 0;
  size_t max_depth = 0;
  void on_leaf(const ph::content::Leaf& leaf) override {
    ++leaves;
    if (leaf.encodings.size() > max_depth) std::abort();
    for (auto e : leaf.encodings)
      if (e.empty()) std::abort();
    // Touch every byte so ASan sees a dangling view.
    volatile unsigned sum = 0;
    for (char c : leaf.value) sum = sum + static_cast<unsigned char>(c);
    for (char c : leaf.path) sum = sum + static_cast<unsigned char>(c);
    for (char c : leaf.key) sum = sum + static_cast<unsigned char>(c);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  ph::content::Limits limits;
  if (data[0] & 0x10) {
    limits.max_depth = 3;
    limits.max_output = 4096;
    limits.max_inflate = 2048;
    limits.max_ratio = 20;
    limits.max_leaves = 50;
    limits.max_json_depth = 8;
  }
  std::string_view media = kMedia[(data[0] & 0x0f) % std::size(kMedia)];
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  ph::Counters cuts;
  ph::content::Decoder decoder(limits, cuts);
  CheckingSink sink;
  sink.max_depth = static_cast<size_t>(limits.max_depth);
  decoder.decode(input, media, "", "", sink);
  if (sink.leaves > limits.max_leaves) std::abort();
  // A second call on the same decoder reuses its buffers.
  decoder.decode(input, {}, "p", "k", sink);
  return 0;
}
