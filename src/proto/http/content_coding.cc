// Capped streaming decoders for HTTP content codings (see content_coding.h).
#include "proto/http/content_coding.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>

#include "base/brotli.h"

namespace ph::proto::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? char(a[i] + 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// Grows `out` geometrically up to `max_output`; false when already there.
bool grow(std::string& out, size_t max_output) {
  if (out.size() >= max_output) return false;
  out.resize(std::min(max_output, std::max<size_t>(out.size() * 2, 16 * 1024)));
  return true;
}

DecodeStatus stopped(size_t produced) {
  return produced > 0 ? DecodeStatus::kPartial : DecodeStatus::kFailed;
}

// window_bits: 15 + 32 (gzip or zlib, auto), 15 (zlib), -15 (raw deflate).
DecodeStatus inflate_all(std::string_view in, std::string& out, size_t max_output,
                         int window_bits) {
  out.clear();
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return DecodeStatus::kFailed;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
  size_t produced = 0;
  DecodeStatus status;
  for (;;) {
    if (produced == out.size() && !grow(out, max_output)) {
      status = DecodeStatus::kCut;
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
      status = DecodeStatus::kOk;
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

// RFC 1950 header: CM = 8, CINFO <= 7, FCHECK makes the pair a multiple of 31.
bool looks_like_zlib(std::string_view in) {
  if (in.size() < 2) return false;
  auto cmf = static_cast<uint8_t>(in[0]), flg = static_cast<uint8_t>(in[1]);
  return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
}

DecodeStatus brotli_all(std::string_view in, std::string& out, size_t max_output) {
  out.clear();
  brotli::Decoder decoder(brotli::max_block_for_output(max_output));
  BrotliDecoderState* s = decoder.get();
  if (s == nullptr) return DecodeStatus::kFailed;
  size_t avail_in = in.size();
  const auto* next_in = reinterpret_cast<const uint8_t*>(in.data());
  size_t produced = 0;
  DecodeStatus status;
  for (;;) {
    if (produced == out.size() && !grow(out, max_output)) {
      status = DecodeStatus::kCut;
      break;
    }
    size_t avail_out = out.size() - produced;
    auto* next_out = reinterpret_cast<uint8_t*>(out.data() + produced);
    BrotliDecoderResult r =
        BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out, nullptr);
    produced = out.size() - avail_out;
    if (r == BROTLI_DECODER_RESULT_SUCCESS) {
      status = DecodeStatus::kOk;
      break;
    }
    if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) continue;
    // The window it asked for is far more than `max_output` needs (a bomb,
    // or a big body when little may be decoded): a cut before any output.
    // Else an error, or more input needed than the body has.
    status = decoder.refused() ? DecodeStatus::kCut : stopped(produced);
    break;
  }
  out.resize(produced);
  return status;
}

DecodeStatus zstd_all(std::string_view in, std::string& out, size_t max_output) {
  out.clear();
  ZSTD_DCtx* d = ZSTD_createDCtx();
  if (d == nullptr) return DecodeStatus::kFailed;
  // Bounds the decoder's window memory (16 MiB) whatever the frame header asks.
  ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 24);
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  size_t produced = 0;
  size_t hint = 1;  // 0 once a frame is complete
  DecodeStatus status;
  for (;;) {
    if (ib.pos == ib.size && hint == 0) {
      status = DecodeStatus::kOk;
      break;
    }
    if (produced == out.size() && !grow(out, max_output)) {
      status = DecodeStatus::kCut;
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

Coding coding_from_name(std::string_view name) {
  if (iequals(name, "gzip") || iequals(name, "x-gzip")) return Coding::kGzip;
  if (iequals(name, "deflate")) return Coding::kDeflate;
  if (iequals(name, "br")) return Coding::kBrotli;
  if (iequals(name, "zstd")) return Coding::kZstd;
  if (iequals(name, "identity")) return Coding::kIdentity;
  return Coding::kUnknown;
}

std::string_view coding_name(Coding c) {
  switch (c) {
    case Coding::kGzip:
      return "gzip";
    case Coding::kDeflate:
      return "deflate";
    case Coding::kBrotli:
      return "br";
    case Coding::kZstd:
      return "zstd";
    case Coding::kIdentity:
      return "identity";
    case Coding::kUnknown:
      break;
  }
  return "unknown";
}

DecodeStatus decode(Coding coding, std::string_view in, std::string& out, size_t max_output) {
  switch (coding) {
    case Coding::kGzip:
      return inflate_all(in, out, max_output, 15 + 32);
    case Coding::kDeflate: {
      // "deflate" means zlib (RFC 9110 8.4.1.2), but many servers send raw
      // deflate: try what the first two bytes suggest, then the other.
      bool zlib = looks_like_zlib(in);
      DecodeStatus s = inflate_all(in, out, max_output, zlib ? 15 : -15);
      if (s == DecodeStatus::kFailed) s = inflate_all(in, out, max_output, zlib ? -15 : 15);
      return s;
    }
    case Coding::kBrotli:
      return brotli_all(in, out, max_output);
    case Coding::kZstd:
      return zstd_all(in, out, max_output);
    case Coding::kIdentity:
      out.assign(in);
      return DecodeStatus::kOk;
    case Coding::kUnknown:
      break;
  }
  out.clear();
  return DecodeStatus::kFailed;
}

}  // namespace ph::proto::http
