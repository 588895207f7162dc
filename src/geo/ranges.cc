// The ASN range file: mapping, whole-file validation, binary search.
#include "geo/ranges.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/bytes.h"

namespace ph::geo {
namespace {

constexpr char kMagic[8] = {'P', 'H', 'A', 'S', 'N', 'R', 'G', '1'};
constexpr size_t kHeader = 8 + 4 * 4;
constexpr size_t kV4Entry = 16;
constexpr size_t kV6Entry = 40;

// Binary search over `count` entries of `stride` bytes whose first `width`
// bytes are the range's first address (big-endian for IPv6, so memcmp
// orders them; IPv4 is compared as a number). Returns the last entry whose
// first address is <= key, or nullptr.
template <class Less>
const uint8_t* last_not_after(const uint8_t* base, size_t count, size_t stride, Less key_before) {
  size_t lo = 0, hi = count;  // answer in [lo, hi): entries before lo start <= key
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (key_before(base + mid * stride)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo == 0 ? nullptr : base + (lo - 1) * stride;
}

}  // namespace

RangeFile::~RangeFile() {
  if (map_) munmap(const_cast<uint8_t*>(map_), size_);
}

Result<std::unique_ptr<RangeFile>> RangeFile::open(const std::string& path) {
  auto fail = [&](const std::string& why) { return make_error(path + ": " + why); };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail("not a regular file");
  }
  const size_t size = size_t(st.st_size);
  if (size < kHeader) {
    ::close(fd);
    return fail("not an ASN range file (too short)");
  }
  void* m = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (m == MAP_FAILED) return fail(std::string("cannot map: ") + std::strerror(errno));
  std::unique_ptr<RangeFile> f(new RangeFile);
  f->map_ = static_cast<const uint8_t*>(m);
  f->size_ = size;
  const uint8_t* p = f->map_;
  if (std::memcmp(p, kMagic, sizeof kMagic) != 0) return fail("not an ASN range file (bad magic)");
  f->v4_count_ = load_le32(p + 8);
  f->v6_count_ = load_le32(p + 12);
  f->org_count_ = load_le32(p + 16);
  const uint32_t strings_size = load_le32(p + 20);
  const uint64_t expected = uint64_t(kHeader) + uint64_t(f->v4_count_) * kV4Entry +
                            uint64_t(f->v6_count_) * kV6Entry + (uint64_t(f->org_count_) + 1) * 4 +
                            strings_size;
  if (expected != size) {
    return fail("damaged ASN range file: " + std::to_string(size) + " bytes, header says " +
                std::to_string(expected));
  }
  f->v4_ = p + kHeader;
  f->v6_ = f->v4_ + size_t(f->v4_count_) * kV4Entry;
  f->offsets_ = f->v6_ + size_t(f->v6_count_) * kV6Entry;
  f->strings_ = reinterpret_cast<const char*>(f->offsets_ + (size_t(f->org_count_) + 1) * 4);
  // A lookup only ever reads inside the mapping: counts were checked
  // against the size above, the offset table's ends here, and each entry's
  // organisation when it is used. Checking the order of every range would
  // read the whole file at each start (13 MB, ~10 ms); the installer wrote
  // it sorted, and a damaged order gives wrong answers, not bad reads.
  if (load_le32(f->offsets_) != 0 ||
      load_le32(f->offsets_ + size_t(f->org_count_) * 4) != strings_size)
    return fail("damaged ASN range file: organisation offsets do not span the names");
  return f;
}

std::optional<std::string_view> RangeFile::org(uint32_t index) const {
  if (index >= org_count_) return std::nullopt;
  uint32_t a = load_le32(offsets_ + size_t(index) * 4);
  uint32_t b = load_le32(offsets_ + size_t(index) * 4 + 4);
  uint32_t end = load_le32(offsets_ + size_t(org_count_) * 4);
  if (a > b || b > end) return std::nullopt;
  return std::string_view(strings_ + a, size_t(b - a));
}

AsnEntry RangeFile::entry(uint32_t asn, uint32_t org_index) const {
  auto name = org(org_index);
  if (!name) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    return {};
  }
  return {asn, *name};
}

AsnEntry RangeFile::lookup(const IpAddr& ip) const {
  if (ip.version == 4) {
    const uint32_t key = load_be32(ip.b.data());
    const uint8_t* e = last_not_after(v4_, v4_count_, kV4Entry,
                                      [&](const uint8_t* x) { return key < load_le32(x); });
    if (!e || key > load_le32(e + 4)) return {};
    return entry(load_le32(e + 8), load_le32(e + 12));
  }
  if (ip.version == 6) {
    const uint8_t* key = ip.b.data();
    const uint8_t* e = last_not_after(
        v6_, v6_count_, kV6Entry, [&](const uint8_t* x) { return std::memcmp(key, x, 16) < 0; });
    if (!e || std::memcmp(key, e + 16, 16) > 0) return {};
    return entry(load_le32(e + 32), load_le32(e + 36));
  }
  return {};
}

}  // namespace ph::geo
