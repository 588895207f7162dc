// The input format of the protocol fuzz targets that feed a Feeder: after
// the target's own leading bytes, records [ctl][len hi][len lo][len bytes];
// ctl bit 0 = direction (down), bit 1 = a gap of `len` bytes instead of
// data (no bytes follow), ctl >> 2 = a small number the target may use as a
// port hint. A last record longer than the input is cut to what is left.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "model/direction.h"

namespace ph::fuzz {

struct Piece {
  Direction dir;
  bool gap;       // a hole of `length` bytes
  size_t length;  // gap length, or bytes.size()
  Bytes bytes;    // empty for a gap
  uint8_t hint;   // ctl >> 2
};

// Calls on_piece(const Piece&) for each record from `pos` on.
template <class OnPiece>
void for_each_piece(const uint8_t* data, size_t size, size_t pos, OnPiece&& on_piece) {
  while (pos + 3 <= size) {
    const uint8_t ctl = data[pos];
    size_t len = size_t(data[pos + 1]) << 8 | data[pos + 2];
    pos += 3;
    const Direction dir = ctl & 1 ? Direction::kDown : Direction::kUp;
    if (ctl & 2) {
      on_piece(Piece{dir, true, len, {}, uint8_t(ctl >> 2)});
      continue;
    }
    if (len > size - pos) len = size - pos;
    on_piece(Piece{dir, false, len, Bytes(data + pos, len), uint8_t(ctl >> 2)});
    pos += len;
  }
}

}  // namespace ph::fuzz
