// The capture abstraction: a Source yields packet records one at a time, from
// a file (pcap or pcapng, plain, gzip or zstd, or stdin) or a live interface.
// The pipeline does not know which.
//
// Damage in a file never throws and never discards what came before it: the
// reader stops at the damage, next() returns kEnd, and info().errors says
// which record and byte offset and why (info().damaged is set).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "model/time.h"

namespace ph::capture {

// One record. `data` stays valid until the next call to next().
struct Packet {
  Timestamp ts = 0;
  uint32_t caplen = 0;        // bytes present in data
  uint32_t origlen = 0;       // bytes on the wire
  uint32_t linktype = 0;      // LINKTYPE_* (tcpdump.org numbering)
  uint32_t interface_id = 0;  // pcapng interface index within its section (0 for pcap)
  uint64_t offset = 0;        // byte offset of the record in the (decompressed) input
  const uint8_t* data = nullptr;
};

enum class ReadStatus {
  kPacket,  // `out` holds the next record
  kEnd,     // end of input, or damage (see info().errors)
  kIdle,    // live capture only: nothing arrived within the poll interval
};

struct InputInfo {
  std::string path;
  std::string format;     // "pcap", "pcapng", "live"; "+gzip"/"+zstd" appended when compressed
  uint32_t linktype = 0;  // of the first interface / the file header
  uint64_t packets = 0;   // records returned so far
  uint64_t bytes = 0;     // captured bytes of those records
  bool damaged = false;   // stopped early on damage
  std::vector<std::string> errors;    // damage: "record 12 at offset 4096: ..."
  std::vector<std::string> warnings;  // oddities that did not stop reading
};

class Source {
 public:
  virtual ~Source() = default;
  virtual ReadStatus next(Packet& out) = 0;
  virtual const InputInfo& info() const = 0;
  // For progress: bytes consumed of the underlying file (compressed bytes
  // for compressed inputs) and its total size (0 when unknown, e.g. stdin).
  virtual uint64_t position() const { return 0; }
  virtual uint64_t total_size() const { return 0; }
  // Live sources: ask a blocked next() to return soon (signal-safe).
  virtual void interrupt() {}
};

// Opens a capture file ("-" is stdin), detecting gzip/zstd compression and
// pcap/pcapng by their magic numbers. Errors: cannot open, not a capture.
Result<std::unique_ptr<Source>> open_file(const std::string& path);

struct LiveOptions {
  std::string interface;
  std::string bpf;  // empty: everything
  int snaplen = 262144;
  int poll_ms = 200;  // next() returns kIdle after this long without packets
  bool promiscuous = true;
};
// Opens a live capture through libpcap.
Result<std::unique_ptr<Source>> open_live(const LiveOptions& options);

// Human-readable name of a LINKTYPE_* value (e.g. "EN10MB", "USER13"), or
// "LINKTYPE_<n>" when unknown.
std::string linktype_name(uint32_t linktype);

}  // namespace ph::capture
