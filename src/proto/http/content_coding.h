// HTTP content codings (RFC 9110 8.4.1): gzip / x-gzip, deflate (zlib
// or raw deflate, as servers send both), br (brotli) and zstd, decoded
// with the libraries' streaming APIs under an output cap, so a small
// compressed body can never expand into unbounded memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ph::proto::http {

enum class Coding : unsigned char { kIdentity, kGzip, kDeflate, kBrotli, kZstd, kUnknown };

// "gzip", "x-gzip", "deflate", "br", "zstd", "identity" (case-insensitive,
// already trimmed); anything else is kUnknown.
Coding coding_from_name(std::string_view name);
// The name used in Message::encodings ("gzip", "deflate", "br", "zstd").
std::string_view coding_name(Coding c);

enum class DecodeStatus : unsigned char {
  kOk,       // the whole input decoded
  kCut,      // output reached `max_output`: `out` holds the first max_output bytes
             // (brotli: none, when the stream's window is far beyond max_output)
  kPartial,  // decoding stopped early (corrupt or truncated input) after some output
  kFailed,   // not this coding at all (nothing decoded): `out` is empty
};

// Decodes `in` into `out` (replaced), writing at most `max_output` bytes.
DecodeStatus decode(Coding coding, std::string_view in, std::string& out, size_t max_output);

}  // namespace ph::proto::http
