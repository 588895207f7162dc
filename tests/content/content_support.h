// Helpers for the content decoder tests: a sink that records every leaf,
// encoders that make the inputs at run time (base64 wrapped like the
// motivating case, gzip/zlib/raw deflate, zstd, protobuf), and generated
// identifiers with valid check digits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "content/decoder.h"
#include "fixture/encode.h"

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

// The encoders are the fixture library's (tools/fixture/encode.h); base64
// here wraps with CRLF, as MIME does.
inline std::string base64(std::string_view in, bool url = false, size_t wrap = 0, bool pad = true) {
  return fixture::base64(in, wrap, "\r\n", url, pad);
}
using fixture::deflate_with;
using fixture::gzip;
using fixture::hex;
using fixture::pb_bytes;
using fixture::pb_uint;
using fixture::pb_varint;
using fixture::zstd;

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
