// The content decoder chain: peels the encodings off a field value or a body
// (percent, query/form, JSON, XML, multipart, base64/base64url, hex,
// gzip/deflate/brotli/zstd, schema-less protobuf), recursively, and hands
// every leaf it finds to a LeafSink with its key path and the encodings
// peeled so far. Detection (src/detect) looks only at these leaves.
//
// Paths: a layer that has structure appends its own segment to the path of
// the value it decoded, joined with '.': "$.user.IMEI1", "$.ids[2]" (JSON),
// "form.name", "query.di", "xml.root.child", "xml.root.child@attr",
// "multipart.name", "pb.1.3" (protobuf field numbers). A JSON body inside the
// query parameter "d" is "d.$.IMEI1". Layers without structure (percent,
// base64, hex, compression) keep the path and key of what they decoded.
//
// Every limit hit and every layer that looked like an encoding but did not
// decode is counted in the Counters given at construction as
// "content.<what>"; the value it came from has been emitted already, so
// nothing is lost silently. Nothing here throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/decode_budget.h"
#include "model/stats.h"

namespace ph::content {

struct Limits {
  // Nested decodings per chain (each encoding peeled counts one:
  // base64 -> json -> base64 -> gzip is 4). Deeper values are still emitted
  // as leaves, but not decoded ("content.depth").
  int max_depth = 8;
  // Total bytes produced by decoders (base64, hex, percent, form values,
  // decompression) in one decode() call ("content.output-cap").
  size_t max_output = 8 << 20;
  // Bytes one decompression may produce ("content.inflate-cap").
  size_t max_inflate = 4 << 20;
  // Decompressed / compressed size ("content.inflate-ratio").
  double max_ratio = 200;
  // Leaves handed to the sink per decode() call ("content.leaves-cap").
  size_t max_leaves = 20000;
  // Nesting of one JSON document, XML document or protobuf message
  // ("content.json-depth", "content.xml-depth", "content.protobuf-depth").
  size_t max_json_depth = 64;
};

// One decoded value. Valid only during the on_leaf call.
struct Leaf {
  std::string_view path;   // "$.user.IMEI1", "di", "form.name", "pb.1.3"; "" = the input
  std::string_view key;    // innermost key name ("IMEI1", "di"), "" if none
  std::string_view value;  // decoded bytes (a JSON number's text, a string unescaped...)
  std::span<const std::string_view> encodings;  // peeled so far, outermost first
};

class LeafSink {
 public:
  virtual ~LeafSink() = default;
  virtual void on_leaf(const Leaf& leaf) = 0;
};

struct Frame;  // per-depth scratch buffers and parsers (decoder.cc)

class Decoder {
 public:
  Decoder(Limits limits, Counters& cuts);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Emits `input` itself (path/key as given, no encodings), then every leaf
  // of every layer it can decode. `media_type` is a Content-Type hint
  // ("application/json; charset=utf-8", "multipart/form-data; boundary=x",
  // "application/x-www-form-urlencoded", "application/x-protobuf"...); when
  // empty or unknown the layers are sniffed by content.
  void decode(std::string_view input, std::string_view media_type, std::string_view path,
              std::string_view key, LeafSink& sink);

  // The run's decoded-bytes budget (model/decode_budget.h) the layers take
  // what they produce from, on top of the per-call Limits; null: none. Past
  // it a call stops decoding (its leaves so far were emitted, the value
  // that did not fit is emitted as it is) and the budget counts the cut.
  void set_budget(DecodeBudget* budget) { budget_ = budget; }

  // Implementation helpers shared by the layer files (not part of the API).
  struct Walk;

 private:
  Limits limits_;
  Counters& cuts_;
  std::vector<std::unique_ptr<Frame>> frames_;  // one per depth, reused across calls
  std::string path_;                            // current path, grown and truncated
  std::vector<std::string_view> encodings_;     // current chain
  DecodeBudget* budget_ = nullptr;
};

}  // namespace ph::content
