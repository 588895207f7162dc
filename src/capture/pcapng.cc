// The pcapng reader: sections in either byte order (interfaces reset per
// section), interfaces with their own link type, snaplen, if_tsresol
// (power of 10 or 2) and if_tsoffset; Enhanced, Simple and obsolete Packet
// Blocks. Everything else (NRB, ISB, DSB, custom, unknown) is skipped by its
// length. A block whose lengths do not hold together is damage: we stop
// there rather than guess where the next block starts.
#include <algorithm>
#include <string>
#include <vector>

#include "capture/readers.h"

namespace ph::capture {
namespace {

constexpr uint32_t kShb = 0x0a0d0d0a;
constexpr uint32_t kIdb = 1;
constexpr uint32_t kPb = 2;  // obsolete Packet Block
constexpr uint32_t kSpb = 3;
constexpr uint32_t kEpb = 6;

struct Interface {
  uint32_t linktype = 0;
  uint32_t snaplen = 0;
  // ns = ticks * mul / div >> shift, + offset_ns; the default is microseconds.
  uint64_t mul = 1000;
  uint64_t div = 1;
  uint32_t shift = 0;
  uint64_t offset_ns = 0;

  Timestamp convert(uint64_t ticks) const {
    uint64_t ns;
    if (div == 1 && shift == 0) [[likely]] {
      ns = ticks * mul;
    } else {
      ns = static_cast<uint64_t>(static_cast<unsigned __int128>(ticks) * mul / div >> shift);
    }
    return static_cast<Timestamp>(ns + offset_ns);
  }
  bool set_resolution(uint8_t r) {
    uint32_t n = r & 0x7f;
    if (r & 0x80) {  // 2^-n seconds
      if (n > 63) return false;
      mul = 1'000'000'000, div = 1, shift = n;
      return true;
    }
    if (n > 28) return false;  // 10^(n-9) must fit in 64 bits
    uint64_t p = 1;
    for (uint32_t i = 0; i < (n > 9 ? n - 9 : 9 - n); ++i) p *= 10;
    mul = n <= 9 ? p : 1, div = n <= 9 ? 1 : p, shift = 0;
    return true;
  }
};

class PcapngSource final : public FileSource {
 public:
  using FileSource::FileSource;

  ReadStatus next(Packet& out) override { return advance(&out); }

  // With `out` null, reads the leading non-packet blocks (section header,
  // interfaces) and stops before the first packet, so info().linktype is
  // known on open. Returns kIdle there (internal use only).
  ReadStatus advance(Packet* out) {
    for (;;) {
      if (done_) return ReadStatus::kEnd;
      Buffer& b = *stream_.buf;
      bool full = b.ensure(12);
      if (!full && b.avail() < 8) return end_of_input(where(b), b.avail(), 8, "block header");
      const uint8_t* p = b.ptr();
      uint32_t type = load32(p, be_);
      if (type == kShb) {  // the byte order may change here; the type reads the same in both
        if (!full) return damage(where(b), "truncated section header");
        uint32_t bom = load_le32(p + 8);
        if (bom != 0x1a2b3c4d && bom != 0x4d3c2b1a) {
          return damage(where(b), "bad byte-order magic in section header");
        }
        be_ = bom == 0x4d3c2b1a;
      }
      uint32_t len = load32(p + 4, be_);
      if (len < 12 || len % 4 != 0 || len > kMaxRecord) {
        return damage(where(b), "invalid block length " + std::to_string(len));
      }
      if (!out && (type == kEpb || type == kSpb || type == kPb)) return ReadStatus::kIdle;
      if (!b.ensure(len)) {
        return damage(where(b), "truncated, block length says " + std::to_string(len) + " bytes, " +
                                    std::to_string(b.avail()) + " remain");
      }
      p = b.ptr();
      uint32_t trailer = load32(p + len - 4, be_);
      if (trailer != len) {
        return damage(where(b), "trailing block length " + std::to_string(trailer) +
                                    " does not match " + std::to_string(len));
      }
      switch (type) {
        case kEpb:
        case kPb: {
          if (len < 32) return damage(where(b), "packet block too short");
          uint32_t id = type == kEpb ? load32(p + 8, be_) : load16(p + 8, be_);
          uint64_t ticks = uint64_t(load32(p + 12, be_)) << 32 | load32(p + 16, be_);
          uint32_t caplen = load32(p + 20, be_);
          if (caplen > len - 32) {
            return damage(where(b),
                          "captured length " + std::to_string(caplen) + " exceeds the block");
          }
          if (id >= ifaces_.size()) return no_interface(b, id);
          last_ts_ = ifaces_[id].convert(ticks);
          return emit(*out, b, len, p + 28, caplen, load32(p + 24, be_), id);
        }
        case kSpb: {
          if (len < 16) return damage(where(b), "simple packet block too short");
          if (ifaces_.empty()) return no_interface(b, 0);
          uint32_t origlen = load32(p + 8, be_);
          uint32_t caplen = std::min(origlen, len - 16);
          if (ifaces_[0].snaplen != 0) caplen = std::min(caplen, ifaces_[0].snaplen);
          // SPBs carry no time; the previous packet's keeps the timeline monotonic.
          return emit(*out, b, len, p + 12, caplen, origlen, 0);
        }
        case kIdb:
          if (len < 20) return damage(where(b), "interface description block too short");
          add_interface(b, p, len);
          break;
        case kShb: {
          if (len < 28) return damage(where(b), "section header block too short");
          uint16_t major = load16(p + 12, be_);
          if (major != 1) {
            return damage(where(b), "unsupported pcapng version " + std::to_string(major) + "." +
                                        std::to_string(load16(p + 14, be_)));
          }
          ifaces_.clear();
          break;
        }
        default:
          break;
      }
      b.consume(len);
      ++blocks_;
    }
  }

  uint64_t blocks() const { return blocks_; }

 private:
  std::string where(const Buffer& b) const {
    return "block " + std::to_string(blocks_ + 1) + " at offset " + std::to_string(b.offset());
  }

  ReadStatus no_interface(const Buffer& b, uint32_t id) {
    return damage(where(b), "packet on interface " + std::to_string(id) + " but the section has " +
                                std::to_string(ifaces_.size()) + " interface(s)");
  }

  ReadStatus emit(Packet& out, Buffer& b, uint32_t len, const uint8_t* data, uint32_t caplen,
                  uint32_t origlen, uint32_t id) {
    out.ts = last_ts_;
    out.caplen = caplen;
    out.origlen = origlen;
    out.linktype = ifaces_[id].linktype;
    out.interface_id = id;
    out.offset = b.offset();
    out.data = data;
    b.consume(len);
    ++blocks_;
    ++info_.packets;
    info_.bytes += caplen;
    return ReadStatus::kPacket;
  }

  void add_interface(const Buffer& b, const uint8_t* p, uint32_t len) {
    Interface f;
    f.linktype = load16(p + 8, be_);
    f.snaplen = load32(p + 12, be_);
    // Options: code, length, value padded to 4; read defensively, keep what parsed.
    size_t pos = 16, end = len - 4;
    while (pos + 4 <= end) {
      uint16_t code = load16(p + pos, be_);
      uint16_t olen = load16(p + pos + 2, be_);
      pos += 4;
      if (code == 0) break;  // opt_endofopt
      if (olen > end - pos) {
        warn("options", where(b) + ": interface option runs past the block");
        break;
      }
      if (code == 9 && olen >= 1 && !f.set_resolution(p[pos])) {
        warn("tsresol", where(b) + ": unusable if_tsresol " + std::to_string(p[pos]) +
                            ", microseconds assumed");
      } else if (code == 14 && olen >= 8) {
        f.offset_ns = load64(p + pos, be_) * 1'000'000'000u;
      }
      pos += (size_t(olen) + 3) & ~size_t(3);
    }
    if (!have_linktype_) info_.linktype = f.linktype, have_linktype_ = true;
    ifaces_.push_back(f);
  }

  bool be_ = false;
  bool have_linktype_ = false;
  uint64_t blocks_ = 0;
  Timestamp last_ts_ = 0;
  std::vector<Interface> ifaces_;
};

}  // namespace

Result<std::unique_ptr<Source>> make_pcapng_source(Stream stream, InputInfo info) {
  Buffer& b = *stream.buf;
  if (!b.ensure(28)) {
    return make_error(info.path + ": truncated pcapng section header (" +
                      std::to_string(b.avail()) + " of at least 28 bytes)");
  }
  uint32_t bom = load_le32(b.ptr() + 8);
  if (bom != 0x1a2b3c4d && bom != 0x4d3c2b1a) {
    return make_error(info.path + ": not a pcapng file (bad byte-order magic)");
  }
  auto source = std::make_unique<PcapngSource>(std::move(stream), std::move(info));
  source->advance(nullptr);
  // Nothing to offer if even the first section header is unusable.
  if (source->blocks() == 0 && source->info().damaged) {
    return make_error(source->info().path + ": " + source->info().errors.front());
  }
  return std::unique_ptr<Source>(std::move(source));
}

}  // namespace ph::capture
