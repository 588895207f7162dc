// Byte views, endian loads and a bounds-checked reader. Every parser reads
// untrusted bytes through these; nothing here reads past the span it was given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace ph {

using Bytes = std::span<const uint8_t>;

inline Bytes as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_string(Bytes b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

inline uint16_t load_be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t load_be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
inline uint64_t load_be64(const uint8_t* p) {
  return uint64_t(load_be32(p)) << 32 | load_be32(p + 4);
}
inline uint16_t load_le16(const uint8_t* p) { return uint16_t(p[1] << 8 | p[0]); }
inline uint32_t load_le32(const uint8_t* p) {
  return uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0];
}
inline uint64_t load_le64(const uint8_t* p) {
  return uint64_t(load_le32(p + 4)) << 32 | load_le32(p);
}
inline uint16_t load16(const uint8_t* p, bool big_endian) {
  return big_endian ? load_be16(p) : load_le16(p);
}
inline uint32_t load32(const uint8_t* p, bool big_endian) {
  return big_endian ? load_be32(p) : load_le32(p);
}
inline uint64_t load64(const uint8_t* p, bool big_endian) {
  return big_endian ? load_be64(p) : load_le64(p);
}

// A cursor over a span. Reads that would run past the end return false (or
// an empty span) and leave the reader unchanged; callers treat that as
// malformed input.
class ByteReader {
 public:
  explicit ByteReader(Bytes data) : data_(data) {}
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }
  Bytes rest() const { return data_.subspan(pos_); }

  bool skip(size_t n) {
    if (n > remaining()) return false;
    pos_ += n;
    return true;
  }
  bool u8(uint8_t& v) {
    if (remaining() < 1) return false;
    v = data_[pos_++];
    return true;
  }
  bool be16(uint16_t& v) { return fixed(2, v, load_be16); }
  bool be32(uint32_t& v) { return fixed(4, v, load_be32); }
  bool le16(uint16_t& v) { return fixed(2, v, load_le16); }
  bool le32(uint32_t& v) { return fixed(4, v, load_le32); }
  bool take(size_t n, Bytes& out) {
    if (n > remaining()) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }

 private:
  template <class T, class F>
  bool fixed(size_t n, T& v, F load) {
    if (remaining() < n) return false;
    v = static_cast<T>(load(data_.data() + pos_));
    pos_ += n;
    return true;
  }
  Bytes data_;
  size_t pos_ = 0;
};

}  // namespace ph
