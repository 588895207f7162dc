// Brotli decoders with an allocation limit and a per-thread block cache
// (see brotli.h).
#include "base/brotli.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>

namespace ph::brotli {
namespace {

constexpr size_t kPooledFrom = 32 * 1024;
constexpr size_t kMaxKept = 40u << 20;

struct Block {
  void* p = nullptr;
  size_t size = 0;
  bool used = false;
};

// A decoder holds a few large blocks at once (ring buffer, Huffman tables,
// context maps; a new ring buffer while the old one is copied).
struct Cache {
  std::array<Block, 6> blocks;
  size_t kept = 0;

  ~Cache() {
    for (Block& b : blocks) std::free(b.p);
  }

  void* take(size_t n) {
    // The smallest free block that fits.
    Block* best = nullptr;
    for (Block& b : blocks)
      if (!b.used && b.p != nullptr && b.size >= n && (best == nullptr || b.size < best->size))
        best = &b;
    if (best != nullptr) {
      best->used = true;
      return best->p;
    }
    // Else a new block in an empty slot, or in place of the largest free
    // block that is too small.
    Block* slot = nullptr;
    for (Block& b : blocks) {
      if (b.used) continue;
      if (b.p == nullptr) {
        slot = &b;
        break;
      }
      if (slot == nullptr || b.size > slot->size) slot = &b;
    }
    if (slot == nullptr) return nullptr;
    const size_t after = kept - slot->size + n;
    if (after > kMaxKept) return nullptr;
    void* p = std::malloc(n);
    if (p == nullptr) return nullptr;
    std::free(slot->p);
    *slot = {p, n, true};
    kept = after;
    return p;
  }

  bool give_back(void* p) {
    for (Block& b : blocks) {
      if (b.p == p && b.used) {
        b.used = false;
        return true;
      }
    }
    return false;
  }
};

thread_local Cache cache;

void* alloc(void* opaque, size_t n) {
  auto* limit = static_cast<Decoder::Limit*>(opaque);
  if (n > limit->max_block) {
    limit->refused = true;
    return nullptr;
  }
  if (n >= kPooledFrom)
    if (void* p = cache.take(n)) return p;
  return std::malloc(n);
}

void release(void* /*opaque*/, void* p) {
  if (p == nullptr || cache.give_back(p)) return;
  std::free(p);
}

}  // namespace

Decoder::Decoder(size_t max_block)
    : limit_{max_block}, state_(BrotliDecoderCreateInstance(alloc, release, &limit_)) {}

Decoder::~Decoder() {
  if (state_ != nullptr) BrotliDecoderDestroyInstance(state_);
}

size_t max_block_for_output(size_t max_output) {
  constexpr size_t kFloor = 64 * 1024;
  constexpr size_t kTimes = 16;
  return max_output > SIZE_MAX / kTimes ? SIZE_MAX : std::max(kFloor, kTimes * max_output);
}

}  // namespace ph::brotli
