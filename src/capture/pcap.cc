// The classic pcap reader: both byte orders, micro- and nanosecond magics,
// and Kuznetsov's modified format (a1b2cd34, 8 more bytes per record
// header). The hot loop is two bounds checks and a pointer into the buffer.
#include <string>

#include "capture/readers.h"

namespace ph::capture {
namespace {

class PcapSource final : public FileSource {
 public:
  PcapSource(Stream stream, InputInfo info, bool big_endian, uint32_t frac_mult,
             uint32_t header_size, uint32_t snaplen)
      : FileSource(std::move(stream), std::move(info)),
        be_(big_endian),
        frac_mult_(frac_mult),
        frac_limit_(1'000'000'000u / frac_mult),
        hdr_(header_size),
        snaplen_(snaplen),
        // tcpdump writes at most 256 KiB per record unless the header allows more.
        limit_(snaplen > 262144 ? (snaplen > kMaxRecord ? kMaxRecord : snaplen) : 262144) {}

  ReadStatus next(Packet& out) override {
    if (done_) return ReadStatus::kEnd;
    Buffer& b = *stream_.buf;
    if (!b.ensure(hdr_)) return end_of_input(where(b), b.avail(), hdr_, "record header");
    const uint8_t* h = b.ptr();
    uint32_t sec = load32(h, be_);
    uint32_t frac = load32(h + 4, be_);
    uint32_t caplen = load32(h + 8, be_);
    uint32_t origlen = load32(h + 12, be_);
    if (caplen > limit_) {
      return damage(where(b), "implausible captured length " + std::to_string(caplen) +
                                  " (snaplen " + std::to_string(snaplen_) + ")");
    }
    if (!b.ensure(hdr_ + caplen)) {
      return damage(where(b), "truncated, header says " + std::to_string(caplen) + " bytes, " +
                                  std::to_string(b.avail() - hdr_) + " remain");
    }
    if (frac >= frac_limit_) [[unlikely]] {
      // tcpdump keeps such records; so do we, and say so once.
      warn("fraction", where(b) + ": invalid timestamp fraction " + std::to_string(frac) +
                           (frac_mult_ == 1 ? " ns" : " us"));
    }
    if (origlen < caplen) [[unlikely]] {
      warn("origlen", where(b) + ": original length " + std::to_string(origlen) +
                          " smaller than captured length " + std::to_string(caplen));
    }
    out.ts = static_cast<Timestamp>(uint64_t(sec) * 1'000'000'000u + uint64_t(frac) * frac_mult_);
    out.caplen = caplen;
    out.origlen = origlen;
    out.linktype = info_.linktype;
    out.interface_id = 0;
    out.offset = b.offset();
    out.data = b.ptr() + hdr_;
    b.consume(hdr_ + caplen);
    ++info_.packets;
    info_.bytes += caplen;
    return ReadStatus::kPacket;
  }

 private:
  std::string where(const Buffer& b) const {
    return "record " + std::to_string(info_.packets + 1) + " at offset " +
           std::to_string(b.offset());
  }

  bool be_;
  uint32_t frac_mult_;  // ns per fraction unit
  uint32_t frac_limit_;
  uint32_t hdr_;
  uint32_t snaplen_;
  uint32_t limit_;
};

}  // namespace

Result<std::unique_ptr<Source>> make_pcap_source(Stream stream, InputInfo info) {
  Buffer& b = *stream.buf;
  if (!b.ensure(24)) {
    return make_error(info.path + ": truncated pcap file header (" + std::to_string(b.avail()) +
                      " of 24 bytes)");
  }
  const uint8_t* h = b.ptr();
  uint32_t magic = load_le32(h);
  bool be = false;
  uint32_t mult = 1000;
  uint32_t header_size = 16;
  switch (magic) {
    case 0xa1b2c3d4:
      break;
    case 0xd4c3b2a1:
      be = true;
      break;
    case 0xa1b23c4d:
      mult = 1;
      break;
    case 0x4d3cb2a1:
      be = true, mult = 1;
      break;
    case 0xa1b2cd34:
      header_size = 24;
      break;
    case 0x34cdb2a1:
      be = true, header_size = 24;
      break;
    default:
      return make_error(info.path + ": not a pcap file");
  }
  uint16_t major = load16(h + 4, be);
  if (major != 2) {
    return make_error(info.path + ": unsupported pcap version " + std::to_string(major));
  }
  uint32_t snaplen = load32(h + 16, be);
  // The top bits carry FCS information (pcap-savefile(5)); the link type is below.
  info.linktype = load32(h + 20, be) & 0x03ffffff;
  b.consume(24);
  return std::unique_ptr<Source>(std::make_unique<PcapSource>(std::move(stream), std::move(info),
                                                              be, mult, header_size, snaplen));
}

}  // namespace ph::capture
