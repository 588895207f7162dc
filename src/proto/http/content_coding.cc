// HTTP content codings (see content_coding.h), undone by the content
// decoders' codecs (content/codecs.h).
#include "proto/http/content_coding.h"

#include <cstdint>

#include "content/codecs.h"

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

// RFC 1950 header: CM = 8, CINFO <= 7, FCHECK makes the pair a multiple of 31.
bool looks_like_zlib(std::string_view in) {
  if (in.size() < 2) return false;
  auto cmf = static_cast<uint8_t>(in[0]), flg = static_cast<uint8_t>(in[1]);
  return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
}

// The content decoders' codecs, with what follows a complete stream ignored.
DecodeStatus run(content::Codec c, std::string_view in, std::string& out, size_t max_output) {
  switch (content::decompress(c, in, out, max_output, content::Trailing::kIgnored)) {
    case content::Inflated::kOk:
      return DecodeStatus::kOk;
    case content::Inflated::kCut:
    case content::Inflated::kTooCostly:  // brotli's window far beyond max_output
      return DecodeStatus::kCut;
    case content::Inflated::kPartial:
      return DecodeStatus::kPartial;
    case content::Inflated::kFailed:
      break;
  }
  return DecodeStatus::kFailed;
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
    case Coding::kGzip: {
      // Some servers label zlib streams "gzip": told apart by the gzip
      // magic number.
      const bool gzip = content::sniff_codec(in, false) == content::Codec::kGzip;
      return run(gzip ? content::Codec::kGzip : content::Codec::kZlib, in, out, max_output);
    }
    case Coding::kDeflate: {
      // "deflate" means zlib (RFC 9110 8.4.1.2), but many servers send raw
      // deflate: try what the first two bytes suggest, then the other.
      const bool zlib = looks_like_zlib(in);
      using content::Codec;
      DecodeStatus s = run(zlib ? Codec::kZlib : Codec::kRawDeflate, in, out, max_output);
      if (s == DecodeStatus::kFailed)
        s = run(zlib ? Codec::kRawDeflate : Codec::kZlib, in, out, max_output);
      return s;
    }
    case Coding::kBrotli:
      return run(content::Codec::kBrotli, in, out, max_output);
    case Coding::kZstd:
      return run(content::Codec::kZstd, in, out, max_output);
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
