// The decoder chain's driver (see decoder.h): the order in which layers are
// tried on a value, the per-call budgets, and the flat layers (percent,
// query/form, multipart, hex, base64, compression, protobuf). JSON and XML
// are in markup.cc.
#include <algorithm>
#include <charconv>
#include <cstring>

#include "content/walk.h"

namespace ph::content {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Surrounding whitespace, and the NULs C code leaves at the end of a buffer.
std::string_view trim_value(std::string_view v) {
  while (!v.empty() && is_space(v.front())) v.remove_prefix(1);
  while (!v.empty() && (is_space(v.back()) || v.back() == '\0')) v.remove_suffix(1);
  return v;
}

bool lower_starts_with(std::string_view a, std::string_view lower) {
  if (a.size() < lower.size()) return false;
  for (size_t i = 0; i < lower.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    if (x != lower[i]) return false;
  }
  return true;
}

// Key names of sniffed forms: what clients put in query strings. Anything
// else (spaces, quotes, braces) means the text is not a form.
bool is_form_key_char(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::strchr("_.-[]%+*:|~!$@,()", c) != nullptr && c != 0;
}

// key=value(&key=value)*, without whitespace, with plausible keys. A single
// pair needs a value not starting with '=' so base64 padding is not a form.
bool form_shaped(std::string_view t, uint32_t classes) {
  if (classes & (kSpace | kNewline | kControl)) return false;
  bool single = t.find('&') == std::string_view::npos;
  size_t start = 0;
  while (start <= t.size()) {
    size_t amp = t.find('&', start);
    std::string_view pair = t.substr(start, amp == std::string_view::npos ? amp : amp - start);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      if (eq == 0 || eq == std::string_view::npos || eq > 128) return false;
      for (size_t i = 0; i < eq; ++i)
        if (!is_form_key_char(static_cast<unsigned char>(pair[i]))) return false;
      if (single && (eq + 1 == pair.size() || pair[eq + 1] == '=')) return false;
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return true;
}

// Value of `name` in a header like `form-data; name="x"; filename="y"`.
std::string_view header_param(std::string_view header, std::string_view name) {
  size_t pos = 0;
  while ((pos = header.find(';', pos)) != std::string_view::npos) {
    ++pos;
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == '\t')) ++pos;
    if (lower_starts_with(header.substr(pos), name) && pos + name.size() < header.size() &&
        header[pos + name.size()] == '=') {
      std::string_view v = header.substr(pos + name.size() + 1);
      if (!v.empty() && v.front() == '"') {
        size_t close = v.find('"', 1);
        return v.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
      }
      return v.substr(0, v.find_first_of("; \t"));
    }
  }
  return {};
}

}  // namespace

Decoder::Decoder(Limits limits, Counters& cuts) : limits_(limits), cuts_(cuts) {
  frames_.resize(static_cast<size_t>(std::max(limits_.max_depth, 0)) + 1);
}

Decoder::~Decoder() = default;

void Decoder::decode(std::string_view input, std::string_view media_type, std::string_view path,
                     std::string_view key, LeafSink& sink) {
  Walk walk{*this, sink};
  path_.assign(path);
  encodings_.clear();
  walk.emit(input, key);
  walk.visit(input, media_type, key, 0);
  // One huge body should not pin its buffers for the rest of the run.
  constexpr size_t kKeep = 1 << 20;
  for (auto& f : frames_)
    if (f) f->release_above(kKeep);
}

Frame& Decoder::Walk::frame(int depth) {
  auto i = std::min(static_cast<size_t>(depth), d.frames_.size() - 1);
  if (!d.frames_[i]) d.frames_[i] = std::make_unique<Frame>();
  return *d.frames_[i];
}

void Decoder::Walk::emit(std::string_view value, std::string_view key) {
  if (stopped) return;
  if (leaves >= d.limits_.max_leaves) {
    cut("content.leaves-cap");
    stopped = true;
    return;
  }
  ++leaves;
  sink.on_leaf(Leaf{d.path_, key, value, d.encodings_});
}

bool Decoder::Walk::enter(int depth) {
  if (depth < d.limits_.max_depth) return true;
  cut("content.depth");
  return false;
}

bool Decoder::Walk::take(size_t bytes) {
  if (stopped) return false;
  if (bytes > d.limits_.max_output - std::min(output, d.limits_.max_output)) {
    cut("content.output-cap");
    stopped = true;
    return false;
  }
  if (d.budget_) {
    if (bytes > d.budget_->left()) {
      over_budget();
      return false;
    }
    d.budget_->spend(bytes);
  }
  output += bytes;
  return true;
}

void Decoder::Walk::visit(std::string_view v, std::string_view media, std::string_view key,
                          int depth) {
  if (stopped || v.size() < 2) return;
  Media m = media_of(media);
  // Compression magics are binary: look before trimming anything.
  Codec c = sniff_codec(v, false);
  if (c == Codec::kNone) {
    if (m == Media::kGzip) c = Codec::kGzip;
    if (m == Media::kZstd) c = Codec::kZstd;
    if (m == Media::kBrotli) c = Codec::kBrotli;
  }
  if (c != Codec::kNone && compressed(c, v, key, depth, true)) return;

  std::string_view t = trim_value(v);
  if (t.size() < 2) return;
  uint32_t cls = classify(t);
  if ((cls & kControl) || ((cls & kHigh) && !is_text(t))) {
    // Binary: a message, or compressed data without a magic number.
    if (protobuf(v, key, depth, m == Media::kProtobuf)) return;
    if (m != Media::kNone && m != Media::kProtobuf) return;  // an image, a font...
    if (sniff_codec(v, true) == Codec::kZlib && compressed(Codec::kZlib, v, key, depth, false))
      return;
    if (compressed(Codec::kBrotli, v, key, depth, false)) return;
    compressed(Codec::kRawDeflate, v, key, depth, false);
    return;
  }
  bool hinted = m == Media::kJson || m == Media::kForm || m == Media::kMultipart ||
                m == Media::kXml || m == Media::kProtobuf;
  // The common case, in a few ns: a short word or number with nothing that
  // any layer could start from.
  if (!hinted && t.size() < kMinBase64 && !(cls & (kPercent | kEqual | kOpen | kLess | kQuestion)))
    return;
  if (m == Media::kProtobuf && protobuf(v, key, depth, true)) return;

  char first = t.front();
  if ((m == Media::kJson || first == '{' || first == '[') && json(t, key, depth, m == Media::kJson))
    return;
  if ((m == Media::kXml || (first == '<' && m != Media::kHtml)) &&
      xml(t, key, depth, m == Media::kXml))
    return;
  if ((m == Media::kMultipart || (first == '-' && t.size() > 2 && t[1] == '-')) &&
      multipart(v, media_boundary(media), depth, m == Media::kMultipart))
    return;
  if (m == Media::kForm) {
    // Clients label anything they POST as a form: a bare base64 body (the
    // motivating case) is left to the base64 layer, not split at its padding.
    bool base64_body =
        (cls & ~(kAlnum | kPlus | kSlash | kDash | kUnderscore | kEqual | kNewline)) == 0 &&
        !form_shaped(t, cls);
    if (!base64_body && form(t, "form", depth, true)) return;
  } else {
    if ((cls & kQuestion) && query(t, depth)) return;
    if ((cls & kEqual) && form_shaped(t, cls) && form(t, "form", depth, false)) return;
  }
  if ((cls & kPercent) && percent(t, key, depth)) return;
  if ((cls & ~kHexChars) == 0) {
    hex(t, key, depth);  // hex strings are never base64
    return;
  }
  if ((cls & ~(kAlnum | kPlus | kSlash | kDash | kUnderscore | kEqual | kNewline)) == 0)
    base64(t, cls, key, depth);
}

bool Decoder::Walk::form(std::string_view t, std::string_view layer, int depth, bool hinted) {
  if (t.empty()) return false;
  if (!enter(depth)) return true;
  Frame& f = frame(depth);
  EncodingMark enc(d.encodings_, layer);
  PathMark mark(d.path_);
  append_segment(d.path_, layer);
  size_t start = 0;
  while (start <= t.size() && !stopped) {
    size_t amp = t.find('&', start);
    std::string_view pair = t.substr(start, amp == std::string_view::npos ? amp : amp - start);
    start = amp == std::string_view::npos ? t.size() + 1 : amp + 1;
    size_t eq = pair.find('=');
    if (pair.empty() || eq == std::string_view::npos || eq + 1 == pair.size()) continue;
    std::string_view name = pair.substr(0, eq), value = pair.substr(eq + 1), raw = value;
    // Only decoded bytes count against the output budget.
    size_t decoded = 0;
    if (percent_decode(name, true, f.key)) decoded += (name = f.key).size();
    if (percent_decode(value, true, f.val)) decoded += (value = f.val).size();
    if (decoded > 0 && !take(decoded)) {
      if (stopped) break;
      // Over the run's budget: the pair as sent.
      name = pair.substr(0, eq);
      value = raw;
    }
    PathMark pair_mark(d.path_);
    append_segment(d.path_, name);
    emit(value, name);
    // Clients often put base64 in a form unescaped: its '+' became ' '. The
    // raw value is what the next layers should see then.
    bool plus_only =
        raw.size() != 0 && value.data() != raw.data() && raw.find('%') == std::string_view::npos;
    visit(plus_only ? raw : value, {}, name, depth + 1);
  }
  return true;
}

bool Decoder::Walk::query(std::string_view t, int depth) {
  size_t q = t.find('?');
  std::string_view before = t.substr(0, q);
  if (before.empty() ||
      !(before.front() == '/' || lower_starts_with(before, "http://") ||
        lower_starts_with(before, "https://")) ||
      before.find_first_of(" \t\r\n") != std::string_view::npos)
    return false;
  std::string_view qs = t.substr(q + 1);
  qs = qs.substr(0, qs.find('#'));
  if (qs.find('=') == std::string_view::npos) return false;
  return form(qs, "query", depth, true);
}

bool Decoder::Walk::percent(std::string_view t, std::string_view key, int depth) {
  Frame& f = frame(depth);
  if (!percent_decode(t, false, f.out)) return false;
  if (!take(f.out.size()) || !enter(depth)) return true;
  EncodingMark enc(d.encodings_, "percent");
  child(f.out, key, {}, depth);
  return true;
}

bool Decoder::Walk::hex(std::string_view t, std::string_view key, int depth) {
  Frame& f = frame(depth);
  if (!hex_decode(t, f.out)) return false;
  if (!((f.out.size() >= 8 && is_text(f.out)) || sniff_codec(f.out, true) != Codec::kNone))
    return false;
  if (!take(f.out.size()) || !enter(depth)) return true;
  EncodingMark enc(d.encodings_, "hex");
  child(f.out, key, {}, depth);
  return true;
}

bool Decoder::Walk::base64(std::string_view t, uint32_t classes, std::string_view key, int depth) {
  Frame& f = frame(depth);
  Base64 kind = base64_decode(t, f.out);
  if (kind == Base64::kNo) return false;
  // C strings arrive with their NULs; binary (a gzip trailer) may end in
  // zeros that belong to it.
  std::string_view out = f.out, text = out;
  while (!text.empty() && text.back() == '\0') text.remove_suffix(1);
  if (text.size() != out.size() && is_text(text)) out = text;
  if (!base64_plausible(classes, t.size(), out)) return false;
  if (!take(out.size()) || !enter(depth)) return true;
  EncodingMark enc(d.encodings_, kind == Base64::kUrl ? "base64url" : "base64");
  child(out, key, {}, depth);
  return true;
}

bool Decoder::Walk::compressed(Codec c, std::string_view v, std::string_view key, int depth,
                               bool strong) {
  if (stopped) return true;
  const Limits& lim = d.limits_;
  double by_ratio_d = lim.max_ratio * static_cast<double>(v.size());
  size_t by_ratio = by_ratio_d >= static_cast<double>(lim.max_inflate)
                        ? lim.max_inflate
                        : static_cast<size_t>(by_ratio_d);
  size_t left = lim.max_output - std::min(output, lim.max_output);
  size_t cap = std::min({lim.max_inflate, by_ratio, left});
  // The run's budget (decoder.h): nothing left, nothing inflated.
  const size_t budget = d.budget_ && d.budget_->left() < cap ? size_t(d.budget_->left()) : cap;
  if (budget == 0 && cap > 0) {
    if (!strong) return false;  // may not even be compressed
    over_budget();
    return true;
  }
  Frame& f = frame(depth);
  Inflated r = decompress(c, v, f.out, budget);
  if (d.budget_) d.budget_->spend(f.out.size());  // taken or not, it was inflated
  if (r == Inflated::kTooCostly) {
    // Brotli asked for a window far beyond the cap: without a magic number
    // that says nothing; with one it is a cut before any output.
    if (!strong) return false;
    r = Inflated::kCut;
  }
  std::string_view name = codec_name(c);
  if (!strong) {
    // No magic number: only a complete stream with a plausible result
    // counts, or one that inflated beyond a cap (random bytes do not; what
    // is left of the budget may be too little to tell).
    if (r == Inflated::kFailed || r == Inflated::kPartial ||
        (r == Inflated::kCut && budget < cap) ||
        (r == Inflated::kOk && !(is_text(f.out) || protobuf_plausible(f.out) ||
                                 sniff_codec(f.out, true) != Codec::kNone)))
      return false;
  } else if (r == Inflated::kFailed) {
    // "content.gzip-malformed", "content.zstd-malformed", "content.br-malformed"
    std::string what = "content.";
    what.append(name).append("-malformed");
    cut(what);
    return false;
  }
  output += f.out.size();
  bool out_of_budget = false;
  if (r == Inflated::kCut && budget < cap) {
    over_budget();  // what fits is emitted; the next layers find nothing left
  } else if (r == Inflated::kCut) {
    out_of_budget = cap == left && left < std::min(lim.max_inflate, by_ratio);
    cut(out_of_budget                ? "content.output-cap"
        : by_ratio < lim.max_inflate ? "content.inflate-ratio"
                                     : "content.inflate-cap");
  } else if (r == Inflated::kPartial) {
    std::string what = "content.";
    what.append(name).append("-malformed");
    cut(what);
  }
  if (!enter(depth)) return true;
  EncodingMark enc(d.encodings_, name);
  emit(f.out, key);  // what fits is still emitted
  if (out_of_budget) stopped = true;
  // A cut or broken stream is emitted as it is, not parsed further: its
  // structure is incomplete by construction.
  if (r == Inflated::kOk) visit(f.out, {}, key, depth + 1);
  return true;
}

bool Decoder::Walk::protobuf(std::string_view v, std::string_view key, int depth, bool hinted) {
  if (!protobuf_plausible(v)) {
    if (hinted) cut("content.protobuf-malformed");
    return false;
  }
  if (!enter(depth)) return true;
  EncodingMark enc(d.encodings_, "protobuf");
  PathMark mark(d.path_);
  append_segment(d.path_, "pb");
  protobuf_fields(v, depth, 0);
  return true;
}

void Decoder::Walk::protobuf_fields(std::string_view msg, int depth, size_t nesting) {
  size_t pos = 0;
  while (pos < msg.size() && !stopped) {
    uint64_t tag, v;
    // protobuf_plausible() has checked the framing of this buffer.
    if (!read_varint(msg, pos, tag)) return;
    char number[24];
    auto end = std::to_chars(number, number + sizeof number, tag >> 3).ptr;
    std::string_view field(number, static_cast<size_t>(end - number));
    PathMark mark(d.path_);
    append_segment(d.path_, field);
    switch (tag & 7) {
      case 0: {
        if (!read_varint(msg, pos, v)) return;
        char text[24];
        auto e = std::to_chars(text, text + sizeof text, v).ptr;
        emit(std::string_view(text, static_cast<size_t>(e - text)), field);
        break;
      }
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      case 2: {
        if (!read_varint(msg, pos, v)) return;
        std::string_view bytes = msg.substr(pos, v);
        pos += v;
        if (bytes.empty()) break;
        if (!is_text(bytes) && protobuf_plausible(bytes)) {
          if (nesting + 1 < d.limits_.max_json_depth) {
            protobuf_fields(bytes, depth, nesting + 1);
            break;
          }
          // Too deep: kept as bytes, not decoded again as a fresh message.
          cut("content.protobuf-depth");
          emit(bytes, field);
          break;
        }
        child(bytes, field, {}, depth);
        break;
      }
      default:
        return;
    }
  }
}

bool Decoder::Walk::multipart(std::string_view v, std::string_view boundary, int depth,
                              bool hinted) {
  if (boundary.empty()) {
    // Sniffed: the body starts with "--boundary" and a line break.
    if (v.size() < 4 || v[0] != '-' || v[1] != '-') return false;
    size_t eol = v.find('\n');
    if (eol == std::string_view::npos) return false;
    boundary = v.substr(2, eol - 2);
    if (!boundary.empty() && boundary.back() == '\r') boundary.remove_suffix(1);
    if (boundary.empty() || boundary.size() > 70 ||
        boundary.find_first_of(" \t") != std::string_view::npos)
      return false;
  }
  Frame& f = frame(depth);
  f.scratch.assign("--").append(boundary);
  std::string_view delim = f.scratch;
  size_t pos = v.find(delim);
  if (pos == std::string_view::npos || (pos != 0 && v[pos - 1] != '\n')) {
    if (hinted) cut("content.multipart-malformed");
    return false;
  }
  if (!enter(depth)) return true;
  EncodingMark enc(d.encodings_, "multipart");
  PathMark mark(d.path_);
  append_segment(d.path_, "multipart");
  size_t index = 0;
  bool closed = false;
  while (!stopped) {
    pos += delim.size();
    if (v.substr(pos, 2) == "--") {
      closed = true;
      break;
    }
    size_t eol = v.find('\n', pos);
    if (eol == std::string_view::npos) break;
    // Part headers end at an empty line.
    size_t head = eol + 1, body = std::string_view::npos;
    std::string_view name, type;
    while (head < v.size()) {
      size_t line_end = v.find('\n', head);
      if (line_end == std::string_view::npos) break;
      std::string_view line = v.substr(head, line_end - head);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      head = line_end + 1;
      if (line.empty()) {
        body = head;
        break;
      }
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view hname = line.substr(0, colon), hvalue = trim_value(line.substr(colon + 1));
      if (hname.size() == 19 && lower_starts_with(hname, "content-disposition"))
        name = header_param(hvalue, "name");
      else if (hname.size() == 12 && lower_starts_with(hname, "content-type"))
        type = hvalue;
    }
    if (body == std::string_view::npos) break;
    // The part ends at the line break before the next delimiter.
    size_t next = body;
    for (;;) {
      next = v.find(delim, next);
      if (next == std::string_view::npos || v[next - 1] == '\n') break;
      ++next;
    }
    size_t body_end = next == std::string_view::npos ? v.size() : next - 1;
    if (body_end > body && v[body_end - 1] == '\r') --body_end;
    std::string_view content = v.substr(body, body_end - body);
    char number[24];
    if (name.empty()) {
      number[0] = '[';
      auto e = std::to_chars(number + 1, number + sizeof number - 1, index).ptr;
      *e++ = ']';
      name = std::string_view(number, static_cast<size_t>(e - number));
    }
    ++index;
    {
      PathMark part_mark(d.path_);
      append_segment(d.path_, name);
      child(content, name, type, depth);
    }
    if (next == std::string_view::npos) break;
    pos = next;
  }
  if (!closed && !stopped) cut("content.multipart-malformed");
  return true;
}

}  // namespace ph::content
