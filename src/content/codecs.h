// The byte-level codecs of the content decoders, as pure functions over
// caller-owned buffers: character classes for quick rejection, text
// checks, percent / base64 / hex decoding with the plausibility rules that
// decide whether a value is worth decoding at all, capped decompression
// (gzip, zlib/raw deflate, brotli, zstd), a strict protobuf wire-format
// check, and Content-Type classification. Internal to src/content.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ph::content {

// Character classes, OR-ed over a value by classify(): one pass tells which
// decoders can possibly apply.
enum CharClass : uint32_t {
  kDigit = 1u << 0,
  kUpperHex = 1u << 1,    // A-F
  kUpperOther = 1u << 2,  // G-Z
  kLowerHex = 1u << 3,    // a-f
  kLowerOther = 1u << 4,  // g-z
  kPlus = 1u << 5,
  kSlash = 1u << 6,
  kDash = 1u << 7,
  kUnderscore = 1u << 8,
  kEqual = 1u << 9,
  kPercent = 1u << 10,
  kAmp = 1u << 11,
  kQuestion = 1u << 12,
  kOpen = 1u << 13,     // '{' '['
  kLess = 1u << 14,     // '<'
  kSpace = 1u << 15,    // ' ' '\t'
  kNewline = 1u << 16,  // '\r' '\n'
  kControl = 1u << 17,  // other bytes < 0x20, and 0x7f
  kHigh = 1u << 18,     // >= 0x80
  kPunct = 1u << 19,    // any other printable ASCII
};
constexpr uint32_t kHexChars = kDigit | kUpperHex | kLowerHex;
constexpr uint32_t kUpper = kUpperHex | kUpperOther;
constexpr uint32_t kLower = kLowerHex | kLowerOther;
constexpr uint32_t kAlnum = kDigit | kUpper | kLower;

uint32_t classify(std::string_view s);

// Printable text: valid UTF-8 without control characters other than tab,
// CR and LF. Empty is not text.
bool is_text(std::string_view s);

// Decodes %XX (and '+' as space when `plus_is_space`); invalid escapes are
// kept as they are. Returns whether anything was decoded.
bool percent_decode(std::string_view in, bool plus_is_space, std::string& out);

enum class Base64 : uint8_t { kNo, kStd, kUrl };
// Shortest encoded length (without line breaks and padding) considered
// base64 at all: shorter tokens are words and ids far more often.
constexpr size_t kMinBase64 = 16;
// Decodes `in` when its shape is base64: one alphabet only (standard +/ or
// URL-safe -_), '=' padding only at the end (or missing), CR/LF line breaks
// anywhere, at least kMinBase64 symbols, not a hex string or UUID (hex
// digits and '-' only). Whether the result is plausible is a separate
// question (base64_plausible).
Base64 base64_decode(std::string_view in, std::string& out);
// The rule that keeps words, ids and tokens from being "decoded": the
// decoded bytes must be text, start with a compression magic, or be a
// well-formed protobuf message; or else the encoding must be long
// (>= 64 symbols) and mix upper case, lower case and digits like encoded
// random bytes do.
bool base64_plausible(uint32_t encoded_classes, size_t encoded_size, std::string_view decoded);

// Hex: even length >= 16, hex digits only. The result is plausible when it
// is text (>= 8 bytes) or starts with a compression magic.
constexpr size_t kMinHex = 16;
bool hex_decode(std::string_view in, std::string& out);

enum class Codec : uint8_t { kNone, kGzip, kZlib, kRawDeflate, kBrotli, kZstd };
// By magic number: gzip (1f 8b 08), zstd (28 b5 2f fd), zlib (RFC 1950
// header check: weak, 1 in 31 random pairs pass, so the caller tries it only
// on binary data). Brotli and raw deflate have no magic.
Codec sniff_codec(std::string_view in, bool allow_zlib);
std::string_view codec_name(Codec c);  // "gzip", "deflate", "br", "zstd"

enum class Inflated : uint8_t {
  kOk,       // the whole input was one complete stream (or gzip members)
  kCut,      // stopped at `cap` bytes of output
  kPartial,  // the stream is corrupt or truncated after some output
  kFailed,   // not this codec
  // Brotli only: decoding would take a buffer far larger than `cap` needs
  // (base/brotli.h) before giving anything; nothing was produced.
  kTooCostly,
};
// What may follow a complete stream for it to count as kOk: only padding
// (NULs, whitespace: so that random bytes are not accepted), or anything (an
// HTTP body labelled with its coding: what follows is ignored, as browsers
// do). zstd frames and gzip members may follow one another either way.
enum class Trailing : uint8_t { kPaddingOnly, kIgnored };
// Decompresses into `out` (resized to what was produced), at most `cap`
// bytes. The HTTP content codings use it too (proto/http/content_coding.h).
Inflated decompress(Codec c, std::string_view in, std::string& out, size_t cap,
                    Trailing trailing = Trailing::kPaddingOnly);

// Walks `in` as protobuf wire format: true when the whole buffer is a
// sequence of well-formed fields (wire types 0, 1, 2, 5; field numbers
// 1..65535), nested no deeper than `max_depth` where it matters. Strict on
// purpose: this decides whether random binary is a message.
bool protobuf_plausible(std::string_view in);

// Content-Type classification (the part before ';', case-insensitive).
enum class Media : uint8_t {
  kNone,
  kJson,
  kForm,
  kMultipart,
  kXml,
  kHtml,
  kProtobuf,
  kGzip,
  kZstd,
  kBrotli,
  kText,
  kOther,
};
Media media_of(std::string_view content_type);
// The boundary parameter of a multipart Content-Type ("" if none).
std::string_view media_boundary(std::string_view content_type);

// Reads a varint at `pos`; false at a truncated or over-long (> 10 bytes)
// varint.
bool read_varint(std::string_view in, size_t& pos, uint64_t& v);

}  // namespace ph::content
