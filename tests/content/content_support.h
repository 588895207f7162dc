// Helpers for the content decoder tests: a sink that records every leaf,
// encoders that make the inputs at run time (base64 wrapped like the
// motivating case, gzip/zlib/raw deflate, zstd, protobuf), and generated
// identifiers with valid check digits.
#pragma once

#include <zlib.h>
#include <zstd.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "content/decoder.h"

namespace ph::content::testing {

struct Recorded {
  std::string path, key, value, encodings;  // encodings joined with ','
};

struct Collector : LeafSink {
  std::vector<Recorded> leaves;
  void on_leaf(const Leaf& leaf) override {
    std::string enc;
    for (auto e : leaf.encodings) {
      if (!enc.empty()) enc += ',';
      enc += e;
    }
    leaves.push_back({std::string(leaf.path), std::string(leaf.key), std::string(leaf.value), enc});
  }
  // The first leaf at `path`, or nullptr.
  const Recorded* at(std::string_view path) const {
    for (const auto& l : leaves)
      if (l.path == path) return &l;
    return nullptr;
  }
};

// Decodes with fresh counters kept in the fixture.
struct Decoded {
  Counters cuts;
  Collector sink;
  explicit Decoded(std::string_view input, std::string_view media = {}, Limits limits = {},
                   std::string_view path = {}, std::string_view key = {}) {
    Decoder decoder(limits, cuts);
    decoder.decode(input, media, path, key, sink);
  }
};

inline std::string base64(std::string_view in, bool url = false, size_t wrap = 0, bool pad = true) {
  const char* abc = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                        : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += abc[(v >> s) & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    if (i + 1 < in.size()) out += abc[(v >> 6) & 63];
    if (pad) out += i + 1 < in.size() ? "=" : "==";
  }
  if (wrap == 0) return out;
  std::string wrapped;
  for (size_t p = 0; p < out.size(); p += wrap) {
    if (p) wrapped += "\r\n";
    wrapped += out.substr(p, wrap);
  }
  return wrapped;
}

inline std::string hex(std::string_view in) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : in) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

// window_bits: 15 + 16 gzip, 15 zlib, -15 raw deflate.
inline std::string deflate_with(std::string_view in, int window_bits) {
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}
inline std::string gzip(std::string_view in) { return deflate_with(in, 15 + 16); }

inline std::string zstd(std::string_view in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3));
  return out;
}

// Protobuf wire format.
inline std::string pb_varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += char((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += char(v);
  return out;
}
inline std::string pb_uint(uint32_t field, uint64_t v) {
  return pb_varint(field << 3) + pb_varint(v);
}
inline std::string pb_bytes(uint32_t field, std::string_view v) {
  return pb_varint((field << 3) | 2) + pb_varint(v.size()) + std::string(v);
}

// Appends the Luhn check digit to `digits`.
inline std::string luhn(std::string digits) {
  int sum = 0;
  for (size_t i = 0; i < digits.size(); ++i) {
    int d = digits[digits.size() - 1 - i] - '0';
    if (i % 2 == 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return digits + char('0' + (10 - sum % 10) % 10);
}
// Generated identifiers (valid check digits, no real device's).
inline const std::string kImei = luhn("35000011234567");       // 15 digits
inline const std::string kIccid = luhn("894400001234567890");  // 19 digits
inline const std::string kImsi = "001010123456789";            // test network MCC 001

inline std::string from_hex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16));
  return out;
}

}  // namespace ph::content::testing
