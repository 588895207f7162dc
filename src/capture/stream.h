// The byte-stream layer under the capture readers: an Input produces bytes
// (a file descriptor, or a gzip/zstd decompressor reading another Buffer),
// and a Buffer gives the readers contiguous windows of those bytes with
// absolute offsets. Records that fit are handed out as pointers into the
// buffer (no copy); a record straddling a refill is moved to the front, and
// one larger than the buffer grows it, a step at a time so that a bogus
// length near the end of a file cannot make us allocate what is not there.
// Internal to src/capture/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/bytes.h"

namespace ph::capture {

// A producer of bytes. read() returns 0 at the end of the input or on an
// error, after which error() says what went wrong (empty at a clean end).
class Input {
 public:
  virtual ~Input() = default;
  virtual size_t read(uint8_t* dst, size_t capacity) = 0;
  const std::string& error() const { return error_; }

 protected:
  std::string error_;
};

class Buffer {
 public:
  // Owned storage refilled from `input` (not owned), starting at `capacity` bytes.
  Buffer(Input* input, size_t capacity);
  // A view of bytes already in memory: nothing is copied, nothing refilled.
  explicit Buffer(Bytes memory);

  // Makes at least `n` bytes available at ptr(); false when the input ends
  // (or fails) first, leaving whatever there was available.
  bool ensure(size_t n) { return end_ - pos_ >= n || refill(n); }
  const uint8_t* ptr() const { return data_ + pos_; }
  size_t avail() const { return end_ - pos_; }
  void consume(size_t n) { pos_ += n; }
  // Absolute offset of ptr() in the stream.
  uint64_t offset() const { return base_ + pos_; }
  // Why the input stopped early, if it did.
  std::string error() const { return input_ ? input_->error() : std::string(); }

 private:
  bool refill(size_t n);

  Input* input_ = nullptr;
  std::vector<uint8_t> storage_;
  const uint8_t* data_ = nullptr;
  size_t pos_ = 0;
  size_t end_ = 0;
  uint64_t base_ = 0;  // stream offset of data_[0]
  bool eof_ = false;
};

// Reads a file descriptor (closing it when `owned`).
class FdInput final : public Input {
 public:
  FdInput(int fd, bool owned) : fd_(fd), owned_(owned) {}
  ~FdInput() override;
  size_t read(uint8_t* dst, size_t capacity) override;

 private:
  int fd_;
  bool owned_;
};

// Decompressors reading their compressed bytes from another Buffer. Gzip
// handles concatenated members; zstd concatenated frames.
std::unique_ptr<Input> make_gzip_input(Buffer& compressed);
std::unique_ptr<Input> make_zstd_input(Buffer& compressed);

// Everything one open input owns, innermost first. `buf` is what the
// readers parse: `raw` for plain input, `decoded` for compressed input.
struct Stream {
  std::unique_ptr<Input> file;
  std::unique_ptr<Buffer> raw;
  std::unique_ptr<Input> decoder;
  std::unique_ptr<Buffer> decoded;
  Buffer* buf = nullptr;
  uint64_t total_size = 0;  // of the underlying file, 0 if unknown
};

}  // namespace ph::capture
