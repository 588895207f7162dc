// Buffer refills and the three Inputs (fd, gzip, zstd). See stream.h.
#include "capture/stream.h"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ph::capture {

Buffer::Buffer(Input* input, size_t capacity) : input_(input), storage_(capacity) {
  data_ = storage_.data();
}

Buffer::Buffer(Bytes memory) : data_(memory.data()), end_(memory.size()), eof_(true) {}

bool Buffer::refill(size_t n) {
  if (eof_) return false;
  // Move the unread tail to the front so the record being assembled is contiguous.
  if (pos_ > 0) {
    std::memmove(storage_.data(), storage_.data() + pos_, end_ - pos_);
    base_ += pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  while (end_ < n) {
    if (end_ == storage_.size()) {
      // Grow at most twofold per step: memory follows bytes actually read.
      storage_.resize(std::min(n, storage_.size() * 2));
      data_ = storage_.data();
    }
    size_t got = input_->read(storage_.data() + end_, storage_.size() - end_);
    if (got == 0) {
      eof_ = true;
      return false;
    }
    end_ += got;
  }
  return true;
}

FdInput::~FdInput() {
  if (owned_) ::close(fd_);
}

size_t FdInput::read(uint8_t* dst, size_t capacity) {
  for (;;) {
    ssize_t r = ::read(fd_, dst, capacity);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno == EINTR) continue;
    error_ = std::string("read error: ") + std::strerror(errno);
    return 0;
  }
}

namespace {

// Both decoders follow one loop: feed what the compressed buffer holds (or
// nothing at its end, to flush pending output), stop at no progress.
class GzipInput final : public Input {
 public:
  explicit GzipInput(Buffer& in) : in_(in) {
    z_ = {};
    ok_ = inflateInit2(&z_, 15 + 16) == Z_OK;
    if (!ok_) error_ = "gzip: cannot initialise zlib";
  }
  ~GzipInput() override { inflateEnd(&z_); }

  size_t read(uint8_t* dst, size_t capacity) override {
    if (!ok_ || done_) return 0;
    z_.next_out = dst;
    z_.avail_out = static_cast<uInt>(std::min<size_t>(capacity, 1u << 30));
    const uInt want = z_.avail_out;
    while (z_.avail_out > 0) {
      bool have = in_.ensure(1);
      if (!have && !in_.error().empty()) {
        error_ = in_.error();
        done_ = true;
        break;
      }
      size_t avail = std::min<size_t>(in_.avail(), 1u << 30);
      z_.next_in = have ? const_cast<uint8_t*>(in_.ptr()) : nullptr;
      z_.avail_in = static_cast<uInt>(avail);
      uInt out_before = z_.avail_out;
      int r = inflate(&z_, Z_NO_FLUSH);
      size_t used = avail - z_.avail_in;
      uint64_t at = in_.offset();
      in_.consume(used);
      if (used > 0) in_member_ = true;
      if (r == Z_STREAM_END) {
        in_member_ = false;
        inflateReset(&z_);  // a further member may follow
        continue;
      }
      bool progress = used > 0 || z_.avail_out != out_before;
      if (r == Z_OK || (r == Z_BUF_ERROR && progress)) continue;
      if (r == Z_BUF_ERROR && !have) {
        if (in_member_) error_ = "gzip stream ends early";
        done_ = true;
        break;
      }
      error_ = "gzip stream corrupt at compressed offset " + std::to_string(at + used);
      if (z_.msg) error_ += std::string(" (") + z_.msg + ")";
      done_ = true;
      break;
    }
    return want - z_.avail_out;
  }

 private:
  Buffer& in_;
  z_stream z_;
  bool ok_ = false;
  bool done_ = false;
  bool in_member_ = false;
};

class ZstdInput final : public Input {
 public:
  explicit ZstdInput(Buffer& in) : in_(in), ctx_(ZSTD_createDCtx()) {
    if (!ctx_) error_ = "zstd: cannot create context";
  }
  ~ZstdInput() override { ZSTD_freeDCtx(ctx_); }

  size_t read(uint8_t* dst, size_t capacity) override {
    if (!ctx_ || done_) return 0;
    ZSTD_outBuffer out{dst, capacity, 0};
    while (out.pos < out.size) {
      bool have = in_.ensure(1);
      if (!have && !in_.error().empty()) {
        error_ = in_.error();
        done_ = true;
        break;
      }
      ZSTD_inBuffer in{have ? in_.ptr() : nullptr, in_.avail(), 0};
      size_t out_before = out.pos;
      size_t r = ZSTD_decompressStream(ctx_, &out, &in);
      uint64_t at = in_.offset();
      in_.consume(in.pos);
      if (ZSTD_isError(r)) {
        error_ = "zstd stream corrupt at compressed offset " + std::to_string(at + in.pos) + " (" +
                 ZSTD_getErrorName(r) + ")";
        done_ = true;
        break;
      }
      if (in.pos == 0 && out.pos == out_before) {
        if (have) {  // no progress with input and room: cannot happen unless corrupt
          error_ = "zstd stream corrupt at compressed offset " + std::to_string(at);
        } else if (pending_) {
          error_ = "zstd stream ends early";
        }
        done_ = true;
        break;
      }
      pending_ = r != 0;  // 0: a frame ended and all of it is out
    }
    return out.pos;
  }

 private:
  Buffer& in_;
  ZSTD_DCtx* ctx_;
  bool done_ = false;
  bool pending_ = false;
};

}  // namespace

std::unique_ptr<Input> make_gzip_input(Buffer& compressed) {
  return std::make_unique<GzipInput>(compressed);
}
std::unique_ptr<Input> make_zstd_input(Buffer& compressed) {
  return std::make_unique<ZstdInput>(compressed);
}

}  // namespace ph::capture
