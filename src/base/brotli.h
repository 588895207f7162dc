// Brotli decoders with bounded, reused memory.
//
// A brotli decoder writes into a ring buffer as large as the stream needs,
// up to its window (16 MiB), and hands out nothing until that buffer is full
// or the stream ends. A bomb whose first meta-block fills a 16 MiB window
// thus costs 16 MiB of decoding for the first byte out, however little the
// caller wants (~27 ms each on the bench machine). The decoder here refuses
// any allocation above a limit the caller derives from what it wants, which
// stops such a stream at once; refused() tells that apart from corruption.
// What such a stream holds is then not seen at all: the price of not
// decoding 16 MiB for each of a flood of bombs.
//
// Blocks of 32 KiB or more come from a small per-thread cache (at most
// 40 MiB kept) and go back there: the content decoders try brotli on binary
// values that are mostly not brotli at all (it has no magic number), and
// fresh buffers for each attempt came from the OS and were faulted in again
// (~5% of the whole-capture benchmark).
#pragma once

#include <brotli/decode.h>

#include <cstddef>

namespace ph::brotli {

class Decoder {
 public:
  // Allocations larger than `max_block` bytes fail (the decoder then reports
  // an error and refused() is true).
  explicit Decoder(size_t max_block);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Null when brotli could not make a decoder.
  BrotliDecoderState* get() const { return state_; }
  bool refused() const { return limit_.refused; }

  struct Limit {
    size_t max_block;
    bool refused = false;
  };

 private:
  Limit limit_;
  BrotliDecoderState* state_;
};

// The allocation limit for a decoder that may give at most `max_output`
// bytes: room for a ring buffer of 16 times that, and never under 64 KiB.
// So the default window (4 MiB) still decodes with the decode budget's first
// 256 KiB, a 16 MiB one needs 1 MiB of it, and a stream of up to 64 KB
// decodes whatever the cap. The work before the first byte out is at most
// 16 times what may come out (64 KiB at least).
size_t max_block_for_output(size_t max_output);

}  // namespace ph::brotli
