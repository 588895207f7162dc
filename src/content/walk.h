// Internal to src/content: the state of one decode() call (Decoder::Walk)
// and the per-depth scratch (Frame) the layers decode into. Every layer is a
// Walk member returning whether it took the value; decoder.cc holds the
// sniffing order and the flat layers, markup.cc JSON and XML.
#pragma once

#include <expat.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "content/codecs.h"
#include "content/decoder.h"

namespace ph::content {

// Buffers of one nesting depth. A layer at depth d writes only into frame d
// and decodes its children at depth d + 1, so a buffer stays valid while
// the children that point into it are walked. Kept across calls: after the
// first few messages decoding allocates nothing.
struct JsonParser;  // a simdjson On-Demand parser (markup.cc)

struct Frame {
  Frame();
  ~Frame();
  // Frees buffers (and the JSON parser) that grew beyond `bytes`.
  void release_above(size_t bytes);
  std::string out;      // output of a structure-less layer (base64, gzip...)
  std::string key;      // a form pair's decoded key
  std::string val;      // a form pair's decoded value
  std::string scratch;  // JSON copy with simdjson's padding; multipart delimiter
  std::unique_ptr<JsonParser> json;
  XML_Parser xml = nullptr;
  std::string text;                  // XML character data of the open elements
  std::vector<size_t> text_starts;   // where each open element's text starts
  std::vector<size_t> path_lengths;  // path length before each open element
};

// Restores the path on scope exit.
class PathMark {
 public:
  explicit PathMark(std::string& path) : path_(path), size_(path.size()) {}
  ~PathMark() { path_.resize(size_); }
  PathMark(const PathMark&) = delete;
  PathMark& operator=(const PathMark&) = delete;

 private:
  std::string& path_;
  size_t size_;
};

// Pushes one encoding name for the scope.
class EncodingMark {
 public:
  EncodingMark(std::vector<std::string_view>& chain, std::string_view name) : chain_(chain) {
    chain_.push_back(name);
  }
  ~EncodingMark() { chain_.pop_back(); }
  EncodingMark(const EncodingMark&) = delete;
  EncodingMark& operator=(const EncodingMark&) = delete;

 private:
  std::vector<std::string_view>& chain_;
};

// Appends a layer's or a key's segment: '.' between segments, none before
// an array index.
inline void append_segment(std::string& path, std::string_view segment) {
  if (!path.empty() && (segment.empty() || segment.front() != '[')) path.push_back('.');
  path.append(segment);
}

struct Decoder::Walk {
  Decoder& d;
  LeafSink& sink;
  size_t leaves = 0;
  size_t output = 0;
  bool stopped = false;     // a per-call cap was hit: nothing more is emitted
  bool budget_cut = false;  // the run's budget refused a layer (counted once per call)

  Frame& frame(int depth);
  void cut(std::string_view what) { d.cuts_.add(what); }
  // Hands a leaf to the sink at the current path and chain.
  void emit(std::string_view value, std::string_view key);
  // A decoded child: emitted, then decoded further.
  void child(std::string_view value, std::string_view key, std::string_view media, int depth) {
    emit(value, key);
    visit(value, media, key, depth + 1);
  }
  // False (and counted) when `depth` encodings are peeled already.
  bool enter(int depth);
  // Charges decoded bytes to the per-call output budget and the run's.
  bool take(size_t bytes);
  // The run's budget (Decoder::set_budget) refused a layer: the value stays
  // as it is; counted once per call.
  void over_budget() {
    if (!budget_cut) d.budget_->cut();
    budget_cut = true;
  }

  // Tries the layers that can apply to `v`, in order; the first that takes it
  // emits its children.
  void visit(std::string_view v, std::string_view media, std::string_view key, int depth);

  bool json(std::string_view t, std::string_view key, int depth, bool hinted);
  // Walks one JSON value (simdjson On-Demand types, hence a template
  // defined in markup.cc); returns a simdjson error code.
  template <class Value>
  int json_value(Value& value, std::string_view key, int depth, size_t nesting);
  bool xml(std::string_view t, std::string_view key, int depth, bool hinted);
  bool multipart(std::string_view v, std::string_view boundary, int depth, bool hinted);
  bool form(std::string_view t, std::string_view layer, int depth, bool hinted);
  bool query(std::string_view t, int depth);
  bool percent(std::string_view t, std::string_view key, int depth);
  bool hex(std::string_view t, std::string_view key, int depth);
  bool base64(std::string_view t, uint32_t classes, std::string_view key, int depth);
  bool compressed(Codec c, std::string_view v, std::string_view key, int depth, bool strong);
  bool protobuf(std::string_view v, std::string_view key, int depth, bool hinted);
  void protobuf_fields(std::string_view msg, int depth, size_t nesting);
};

}  // namespace ph::content
