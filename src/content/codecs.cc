// Byte-level codecs of the content decoders (see codecs.h). Everything here
// works on caller-owned buffers so the decoder can reuse them across calls.
#include "content/codecs.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <climits>

#include "base/brotli.h"

namespace ph::content {
namespace {

constexpr std::array<uint32_t, 256> make_classes() {
  std::array<uint32_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint32_t v;
    if (c >= '0' && c <= '9') {
      v = kDigit;
    } else if (c >= 'A' && c <= 'F') {
      v = kUpperHex;
    } else if (c >= 'G' && c <= 'Z') {
      v = kUpperOther;
    } else if (c >= 'a' && c <= 'f') {
      v = kLowerHex;
    } else if (c >= 'g' && c <= 'z') {
      v = kLowerOther;
    } else if (c >= 0x80) {
      v = kHigh;
    } else if (c == '\r' || c == '\n') {
      v = kNewline;
    } else if (c == ' ' || c == '\t') {
      v = kSpace;
    } else if (c < 0x20 || c == 0x7f) {
      v = kControl;
    } else {
      switch (c) {
        case '+':
          v = kPlus;
          break;
        case '/':
          v = kSlash;
          break;
        case '-':
          v = kDash;
          break;
        case '_':
          v = kUnderscore;
          break;
        case '=':
          v = kEqual;
          break;
        case '%':
          v = kPercent;
          break;
        case '&':
          v = kAmp;
          break;
        case '?':
          v = kQuestion;
          break;
        case '{':
        case '[':
          v = kOpen;
          break;
        case '<':
          v = kLess;
          break;
        default:
          v = kPunct;
          break;
      }
    }
    t[c] = v;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kClasses = make_classes();

// Base64 symbol values for both alphabets; 64 = not a symbol.
constexpr std::array<uint8_t, 256> make_base64() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = 64;
  for (int i = 0; i < 26; ++i) {
    t['A' + i] = static_cast<uint8_t>(i);
    t['a' + i] = static_cast<uint8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<uint8_t>(52 + i);
  t['+'] = t['-'] = 62;
  t['/'] = t['_'] = 63;
  return t;
}
constexpr std::array<uint8_t, 256> kBase64 = make_base64();

int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool lower_equals(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    if (x != lower[i]) return false;
  }
  return true;
}

bool lower_ends_with(std::string_view a, std::string_view lower) {
  return a.size() >= lower.size() && lower_equals(a.substr(a.size() - lower.size()), lower);
}

bool lower_starts_with(std::string_view a, std::string_view lower) {
  return a.size() >= lower.size() && lower_equals(a.substr(0, lower.size()), lower);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// What may follow a complete compressed stream: nothing, or padding that
// transports add (NULs, line breaks).
bool only_padding(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (p[i] != 0 && p[i] != '\r' && p[i] != '\n' && p[i] != ' ') return false;
  return true;
}

// Grows `out` geometrically up to `cap`; false when already there. The
// first size is four times the input (at least 256 bytes, at most 16 KiB):
// most attempts are on short values that are not compressed at all, and
// each byte of room is zeroed by resize().
bool grow(std::string& out, size_t cap, size_t in_size) {
  if (out.size() >= cap) return false;
  const size_t first = std::clamp<size_t>(in_size * 4, 256, 16 * 1024);
  out.resize(std::min(cap, std::max<size_t>(out.size() * 2, first)));
  return true;
}

Inflated stopped(size_t produced) { return produced > 0 ? Inflated::kPartial : Inflated::kFailed; }

// window_bits: 15 + 16 (gzip), 15 (zlib), -15 (raw deflate).
Inflated inflate_all(std::string_view in, std::string& out, size_t cap, int window_bits,
                     Trailing trailing) {
  out.clear();
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return Inflated::kFailed;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT_MAX));
  size_t produced = 0;
  Inflated status;
  for (;;) {
    if (produced == out.size() && !grow(out, cap, in.size())) {
      status = Inflated::kCut;
      break;
    }
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(out.size() - produced);
    int r = inflate(&zs, Z_NO_FLUSH);
    produced = out.size() - zs.avail_out;
    if (r == Z_STREAM_END) {
      // gzip allows several members one after the other (RFC 1952 2.2).
      if (window_bits > 15 && zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
        inflateReset(&zs);
        continue;
      }
      status = trailing == Trailing::kIgnored || only_padding(zs.next_in, zs.avail_in)
                   ? Inflated::kOk
                   : stopped(produced);
      break;
    }
    if (r == Z_BUF_ERROR && zs.avail_out == 0) continue;  // wants more room
    if (r != Z_OK || (zs.avail_in == 0 && zs.avail_out != 0)) {
      status = stopped(produced);  // corrupt, or the input ended inside the stream
      break;
    }
  }
  inflateEnd(&zs);
  out.resize(produced);
  return status;
}

Inflated brotli_all(std::string_view in, std::string& out, size_t cap, Trailing trailing) {
  out.clear();
  brotli::Decoder decoder(brotli::max_block_for_output(cap));
  BrotliDecoderState* s = decoder.get();
  if (s == nullptr) return Inflated::kFailed;
  size_t avail_in = in.size();
  const auto* next_in = reinterpret_cast<const uint8_t*>(in.data());
  size_t produced = 0;
  Inflated status;
  for (;;) {
    if (produced == out.size() && !grow(out, cap, in.size())) {
      status = Inflated::kCut;
      break;
    }
    size_t avail_out = out.size() - produced;
    auto* next_out = reinterpret_cast<uint8_t*>(out.data() + produced);
    BrotliDecoderResult r =
        BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out, nullptr);
    produced = out.size() - avail_out;
    if (r == BROTLI_DECODER_RESULT_SUCCESS) {
      status = trailing == Trailing::kIgnored || only_padding(next_in, avail_in)
                   ? Inflated::kOk
                   : stopped(produced);
      break;
    }
    if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) continue;
    // The window it asked for is far more than `cap` needs; or an error, or
    // the input ended inside the stream.
    status = decoder.refused() ? Inflated::kTooCostly : stopped(produced);
    break;
  }
  out.resize(produced);
  return status;
}

Inflated zstd_all(std::string_view in, std::string& out, size_t cap) {
  out.clear();
  ZSTD_DCtx* d = ZSTD_createDCtx();
  if (d == nullptr) return Inflated::kFailed;
  // Bounds the decoder's window memory (16 MiB) whatever the frame header asks.
  ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 24);
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  size_t produced = 0;
  size_t hint = 1;  // 0 once a frame is complete
  Inflated status;
  for (;;) {
    if (hint == 0 &&
        (ib.pos == ib.size ||
         only_padding(static_cast<const uint8_t*>(ib.src) + ib.pos, ib.size - ib.pos))) {
      status = Inflated::kOk;
      break;
    }
    if (produced == out.size() && !grow(out, cap, in.size())) {
      status = Inflated::kCut;
      break;
    }
    ZSTD_outBuffer ob{out.data(), out.size(), produced};
    hint = ZSTD_decompressStream(d, &ob, &ib);
    produced = ob.pos;
    if (ZSTD_isError(hint) || (ib.pos == ib.size && hint != 0 && ob.pos < ob.size)) {
      status = stopped(produced);
      break;
    }
  }
  ZSTD_freeDCtx(d);
  out.resize(produced);
  return status;
}

}  // namespace

uint32_t classify(std::string_view s) {
  uint32_t m = 0;
  for (unsigned char c : s) m |= kClasses[c];
  return m;
}

bool is_text(std::string_view s) {
  if (s.empty()) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f) return false;
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    // Over-long forms, surrogates, beyond U+10FFFF, C1 controls.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
      return false;
    i += len;
  }
  return true;
}

bool percent_decode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  bool any = false;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      int hi = hex_value(static_cast<unsigned char>(in[i + 1]));
      int lo = hex_value(static_cast<unsigned char>(in[i + 2]));
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        any = true;
        continue;
      }
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
      any = true;
      continue;
    }
    out.push_back(c);
  }
  return any;
}

Base64 base64_decode(std::string_view in, std::string& out) {
  out.clear();
  size_t end = in.size();
  int pad = 0;
  while (end > 0 && (in[end - 1] == '=' || in[end - 1] == '\r' || in[end - 1] == '\n')) {
    if (in[end - 1] == '=' && ++pad > 2) return Base64::kNo;
    --end;
  }
  uint32_t seen = 0;
  size_t symbols = 0;
  for (size_t i = 0; i < end; ++i) {
    auto c = static_cast<unsigned char>(in[i]);
    if (c == '\r' || c == '\n') continue;
    if (kBase64[c] == 64) return Base64::kNo;
    seen |= kClasses[c];
    ++symbols;
  }
  bool std_alphabet = seen & (kPlus | kSlash);
  bool url_alphabet = seen & (kDash | kUnderscore);
  if (std_alphabet && url_alphabet) return Base64::kNo;
  if (symbols < kMinBase64 || symbols % 4 == 1) return Base64::kNo;
  if (pad > 0 && (symbols + pad) % 4 != 0) return Base64::kNo;
  // Hex strings and UUIDs are ids, never base64 (explicit rule, tested).
  if ((seen & ~(kHexChars | kDash)) == 0) return Base64::kNo;
  out.reserve(symbols * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < end; ++i) {
    auto c = static_cast<unsigned char>(in[i]);
    if (c == '\r' || c == '\n') continue;
    acc = (acc << 6) | kBase64[c];
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return url_alphabet ? Base64::kUrl : Base64::kStd;
}

bool base64_plausible(uint32_t encoded_classes, size_t encoded_size, std::string_view decoded) {
  if (decoded.empty()) return false;
  if (is_text(decoded)) return true;
  if (sniff_codec(decoded, true) != Codec::kNone) return true;
  if (protobuf_plausible(decoded)) return true;
  return encoded_size >= 64 && (encoded_classes & kUpper) && (encoded_classes & kLower) &&
         (encoded_classes & kDigit);
}

bool hex_decode(std::string_view in, std::string& out) {
  out.clear();
  if (in.size() < kMinHex || in.size() % 2 != 0) return false;
  out.reserve(in.size() / 2);
  for (size_t i = 0; i < in.size(); i += 2) {
    int hi = hex_value(static_cast<unsigned char>(in[i]));
    int lo = hex_value(static_cast<unsigned char>(in[i + 1]));
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

Codec sniff_codec(std::string_view in, bool allow_zlib) {
  if (in.size() < 2) return Codec::kNone;
  auto b0 = static_cast<uint8_t>(in[0]), b1 = static_cast<uint8_t>(in[1]);
  if (b0 == 0x1f && b1 == 0x8b && in.size() >= 3 && static_cast<uint8_t>(in[2]) == 8)
    return Codec::kGzip;
  if (in.size() >= 4 && b0 == 0x28 && b1 == 0xb5 && static_cast<uint8_t>(in[2]) == 0x2f &&
      static_cast<uint8_t>(in[3]) == 0xfd)
    return Codec::kZstd;
  // The four headers zlib writes (32 KiB window, each compression level).
  if (allow_zlib && b0 == 0x78 && (b1 == 0x01 || b1 == 0x5e || b1 == 0x9c || b1 == 0xda))
    return Codec::kZlib;
  return Codec::kNone;
}

std::string_view codec_name(Codec c) {
  switch (c) {
    case Codec::kGzip:
      return "gzip";
    case Codec::kZlib:
    case Codec::kRawDeflate:
      return "deflate";
    case Codec::kBrotli:
      return "br";
    case Codec::kZstd:
      return "zstd";
    case Codec::kNone:
      break;
  }
  return "";
}

Inflated decompress(Codec c, std::string_view in, std::string& out, size_t cap, Trailing trailing) {
  switch (c) {
    case Codec::kGzip:
      return inflate_all(in, out, cap, 15 + 16, trailing);
    case Codec::kZlib:
      return inflate_all(in, out, cap, 15, trailing);
    case Codec::kRawDeflate:
      return inflate_all(in, out, cap, -15, trailing);
    case Codec::kBrotli:
      return brotli_all(in, out, cap, trailing);
    case Codec::kZstd:
      return zstd_all(in, out, cap);
    case Codec::kNone:
      break;
  }
  out.clear();
  return Inflated::kFailed;
}

bool read_varint(std::string_view in, size_t& pos, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 70 && pos < in.size(); shift += 7) {
    auto b = static_cast<uint8_t>(in[pos++]);
    v |= static_cast<uint64_t>(b & 0x7f) << (shift < 64 ? shift : 63);
    if ((b & 0x80) == 0) {
      // Encoders never write a redundant last byte; random bytes often do.
      return !(b == 0 && shift > 0);
    }
  }
  return false;
}

bool protobuf_plausible(std::string_view in) {
  if (in.size() < 2) return false;
  size_t pos = 0;
  while (pos < in.size()) {
    uint64_t tag;
    if (!read_varint(in, pos, tag)) return false;
    uint64_t field = tag >> 3;
    if (field == 0 || field > 65535) return false;
    uint64_t v;
    switch (tag & 7) {
      case 0:
        if (!read_varint(in, pos, v)) return false;
        break;
      case 1:
        if (in.size() - pos < 8) return false;
        pos += 8;
        break;
      case 2:
        if (!read_varint(in, pos, v) || v > in.size() - pos) return false;
        pos += v;
        break;
      case 5:
        if (in.size() - pos < 4) return false;
        pos += 4;
        break;
      default:
        return false;  // groups (3, 4) are deprecated; 6, 7 do not exist
    }
  }
  return true;
}

Media media_of(std::string_view content_type) {
  std::string_view t = trim(content_type.substr(0, content_type.find(';')));
  // Octet streams say nothing about their content: sniff them.
  if (t.empty() || lower_equals(t, "application/octet-stream")) return Media::kNone;
  if (lower_equals(t, "application/json") || lower_equals(t, "text/json") ||
      lower_ends_with(t, "+json"))
    return Media::kJson;
  if (lower_equals(t, "application/x-www-form-urlencoded")) return Media::kForm;
  if (lower_starts_with(t, "multipart/")) return Media::kMultipart;
  if (lower_equals(t, "application/xml") || lower_equals(t, "text/xml") ||
      lower_ends_with(t, "+xml"))
    return Media::kXml;
  if (lower_equals(t, "text/html")) return Media::kHtml;
  if (lower_equals(t, "application/x-protobuf") || lower_equals(t, "application/protobuf") ||
      lower_equals(t, "application/x-google-protobuf") ||
      lower_equals(t, "application/vnd.google.protobuf"))
    return Media::kProtobuf;
  if (lower_equals(t, "application/gzip") || lower_equals(t, "application/x-gzip"))
    return Media::kGzip;
  if (lower_equals(t, "application/zstd")) return Media::kZstd;
  if (lower_equals(t, "application/x-brotli") || lower_equals(t, "application/brotli") ||
      lower_equals(t, "br"))
    return Media::kBrotli;
  if (lower_starts_with(t, "text/")) return Media::kText;
  return Media::kOther;
}

std::string_view media_boundary(std::string_view content_type) {
  size_t semi = content_type.find(';');
  while (semi != std::string_view::npos) {
    std::string_view rest = content_type.substr(semi + 1);
    size_t next = rest.find(';');
    std::string_view param = trim(rest.substr(0, next));
    if (lower_starts_with(param, "boundary=")) {
      std::string_view v = param.substr(9);
      if (v.size() >= 2 && v.front() == '"') {
        size_t close = v.find('"', 1);
        return close == std::string_view::npos ? v.substr(1) : v.substr(1, close - 1);
      }
      return v;
    }
    semi = next == std::string_view::npos ? next : semi + 1 + next;
  }
  return {};
}

}  // namespace ph::content
