// Opening files and memory: compression and format detection by magic
// number, the FileSource bookkeeping shared by both readers, and link type
// names.
#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "capture/memory.h"
#include "capture/readers.h"

namespace ph::capture {
namespace {

// One read() (or one inflate run) per MiB: syscalls vanish from the profile.
constexpr size_t kFileBuffer = 1 << 20;
constexpr size_t kDecodedBuffer = 1 << 20;

std::string hex_prefix(const uint8_t* p, size_t n) {
  std::string s;
  char tmp[4];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(tmp, sizeof tmp, i ? " %02x" : "%02x", p[i]);
    s += tmp;
  }
  return s;
}

bool is_pcap_magic(uint32_t m) {
  switch (m) {
    case 0xa1b2c3d4:
    case 0xd4c3b2a1:
    case 0xa1b23c4d:
    case 0x4d3cb2a1:
    case 0xa1b2cd34:
    case 0x34cdb2a1:
      return true;
    default:
      return false;
  }
}

// `stream.raw` is set; picks a decompressor, then a reader.
Result<std::unique_ptr<Source>> open_stream(Stream stream, InputInfo info,
                                            size_t decoded_capacity) {
  Buffer& raw = *stream.raw;
  raw.ensure(4);
  if (raw.avail() == 0) {
    std::string e = raw.error();
    return make_error(info.path + ": " + (e.empty() ? "empty file" : e));
  }
  const uint8_t* p = raw.ptr();
  std::string suffix;
  if (raw.avail() >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
    stream.decoder = make_gzip_input(raw);
    suffix = "+gzip";
  } else if (raw.avail() >= 4 && load_le32(p) == 0xfd2fb528) {
    stream.decoder = make_zstd_input(raw);
    suffix = "+zstd";
  }
  if (stream.decoder) {
    stream.decoded = std::make_unique<Buffer>(stream.decoder.get(), decoded_capacity);
    stream.buf = stream.decoded.get();
  } else {
    stream.buf = stream.raw.get();
  }
  Buffer& b = *stream.buf;
  b.ensure(4);
  if (b.avail() == 0) {
    std::string e = b.error();
    if (e.empty()) e = suffix.empty() ? "empty file" : "empty file after decompression";
    return make_error(info.path + ": " + e);
  }
  uint32_t magic = b.avail() >= 4 ? load_le32(b.ptr()) : 0;
  if (is_pcap_magic(magic)) {
    info.format = "pcap" + suffix;
    return make_pcap_source(std::move(stream), std::move(info));
  }
  if (magic == 0x0a0d0d0a) {
    info.format = "pcapng" + suffix;
    return make_pcapng_source(std::move(stream), std::move(info));
  }
  std::string msg = info.path + ": not a pcap or pcapng file (starts with " +
                    hex_prefix(b.ptr(), std::min<size_t>(b.avail(), 4)) + ")";
  if (!b.error().empty()) msg += ": " + b.error();
  return make_error(msg);
}

}  // namespace

ReadStatus FileSource::damage(const std::string& what, const std::string& why) {
  std::string msg = what + ": " + why;
  std::string cause = stream_.buf->error();
  if (!cause.empty()) msg += " (" + cause + ")";
  info_.errors.push_back(std::move(msg));
  info_.damaged = true;
  done_ = true;
  return ReadStatus::kEnd;
}

ReadStatus FileSource::end_of_input(const std::string& what, size_t left, size_t header_size,
                                    const char* header_name) {
  if (left > 0) {
    return damage(what, std::string("truncated ") + header_name + ", " + std::to_string(left) +
                            " of " + std::to_string(header_size) + " bytes present");
  }
  // A clean record boundary, but the decompressor or read() may have failed there.
  std::string cause = stream_.buf->error();
  if (!cause.empty()) {
    info_.errors.push_back(what + ": " + cause);
    info_.damaged = true;
  }
  done_ = true;
  return ReadStatus::kEnd;
}

void FileSource::warn(const char* kind, const std::string& first) {
  for (WarnKind& w : warn_kinds_) {
    if (std::strcmp(w.kind, kind) == 0) {
      ++w.count;
      info_.warnings[w.index] = w.first + " (" + std::to_string(w.count) + " records like this)";
      return;
    }
  }
  warn_kinds_.push_back({kind, info_.warnings.size(), 1, first});
  info_.warnings.push_back(first);
}

Result<std::unique_ptr<Source>> open_file(const std::string& path) {
  Stream stream;
  InputInfo info;
  info.path = path;
  if (path == "-") {
    stream.file = std::make_unique<FdInput>(0, false);
  } else {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return make_error(path + ": cannot open: " + std::strerror(errno));
    stream.file = std::make_unique<FdInput>(fd, true);
    struct stat st;
    if (::fstat(fd, &st) == 0) {
      if (S_ISDIR(st.st_mode)) return make_error(path + ": is a directory");
      if (S_ISREG(st.st_mode)) stream.total_size = static_cast<uint64_t>(st.st_size);
    }
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  stream.raw = std::make_unique<Buffer>(stream.file.get(), kFileBuffer);
  return open_stream(std::move(stream), std::move(info), kDecodedBuffer);
}

Result<std::unique_ptr<Source>> open_memory(Bytes data, const std::string& name) {
  Stream stream;
  InputInfo info;
  info.path = name;
  stream.total_size = data.size();
  stream.raw = std::make_unique<Buffer>(data);
  // Small to start: fuzzing opens many tiny inputs; the buffer grows on demand.
  return open_stream(std::move(stream), std::move(info), 64 << 10);
}

std::string linktype_name(uint32_t linktype) {
  // libpcap names DLT_* values; LINKTYPE_* equals DLT_* except for these
  // (pcap-common.c), and 11..99 other than 50/51 are not LINKTYPEs at all.
  int dlt = static_cast<int>(linktype);
  switch (linktype) {
    case 100:
      dlt = 11;
      break;  // ATM_RFC1483
    case 101:
      dlt = 12;
      break;  // RAW (DLT_RAW is 12 on Linux)
    case 102:
      dlt = 15;
      break;  // SLIP_BSDOS
    case 103:
      dlt = 16;
      break;  // PPP_BSDOS
    case 106:
      dlt = 19;
      break;  // ATM_CLIP
    default:
      if ((linktype >= 11 && linktype < 50) || (linktype > 51 && linktype < 100)) dlt = -1;
  }
  if (linktype >= 147 && linktype <= 162) return "USER" + std::to_string(linktype - 147);
  const char* name = dlt >= 0 && linktype <= 0xffff ? pcap_datalink_val_to_name(dlt) : nullptr;
  return name ? name : "LINKTYPE_" + std::to_string(linktype);
}

}  // namespace ph::capture
