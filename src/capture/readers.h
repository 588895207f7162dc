// Internal to src/capture/: the file-reader base (damage and warning
// bookkeeping shared by pcap and pcapng) and the two reader factories that
// open.cc picks between by magic number.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "capture/source.h"
#include "capture/stream.h"

namespace ph::capture {

class FileSource : public Source {
 public:
  FileSource(Stream stream, InputInfo info) : stream_(std::move(stream)), info_(std::move(info)) {}
  const InputInfo& info() const override { return info_; }
  uint64_t position() const override { return stream_.raw->offset(); }
  uint64_t total_size() const override { return stream_.total_size; }

 protected:
  // Stops reading: records `what` ("record 5 at offset 120") and `why`,
  // with the decompressor's complaint when it is the real cause.
  ReadStatus damage(const std::string& what, const std::string& why);
  // At the end of input with `left` bytes of an incomplete record header
  // (0: a clean end, unless the decompressor or a read failed).
  ReadStatus end_of_input(const std::string& what, size_t left, size_t header_size,
                          const char* header_name);
  // Counts an oddity; info().warnings keeps one line per kind, with the
  // first occurrence and how many there were, so a bad file cannot flood it.
  void warn(const char* kind, const std::string& first);

  Stream stream_;
  InputInfo info_;
  bool done_ = false;

 private:
  struct WarnKind {
    const char* kind;
    size_t index;
    uint64_t count;
    std::string first;
  };
  std::vector<WarnKind> warn_kinds_;
};

// `stream.buf` is positioned at the file header (magic included).
Result<std::unique_ptr<Source>> make_pcap_source(Stream stream, InputInfo info);
Result<std::unique_ptr<Source>> make_pcapng_source(Stream stream, InputInfo info);

// Records larger than this are damage, not data (libpcap and Wireshark
// reject far smaller ones).
constexpr uint32_t kMaxRecord = 256u << 20;

}  // namespace ph::capture
