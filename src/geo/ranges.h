// phonehome's ASN range file (asn.ranges): sorted, non-overlapping address
// ranges with their AS number and organisation, built at set-up from
// ip-location-db's ASN CSVs by scripts/build_asn_ranges.py (which describes
// the layout). The file is mapped read-only; its header and sizes are
// checked when opened and each organisation when read, so a lookup is a
// binary search that cannot read outside the mapping, and only the pages it
// touches are read.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "model/ip.h"

namespace ph::geo {

struct AsnEntry {
  uint32_t asn = 0;  // 0: the address is in no range
  std::string_view org;
};

class RangeFile {
 public:
  static Result<std::unique_ptr<RangeFile>> open(const std::string& path);
  ~RangeFile();
  RangeFile(const RangeFile&) = delete;
  RangeFile& operator=(const RangeFile&) = delete;

  // Views into the mapping: valid while this object lives. A range whose
  // organisation index or offsets are out of bounds gives nothing and is
  // counted in failures().
  AsnEntry lookup(const IpAddr& ip) const;
  size_t v4_ranges() const { return v4_count_; }
  size_t v6_ranges() const { return v6_count_; }
  uint64_t failures() const { return failures_.load(); }

 private:
  RangeFile() = default;
  std::optional<std::string_view> org(uint32_t index) const;
  AsnEntry entry(uint32_t asn, uint32_t org_index) const;

  const uint8_t* map_ = nullptr;
  size_t size_ = 0;
  const uint8_t* v4_ = nullptr;
  const uint8_t* v6_ = nullptr;
  const uint8_t* offsets_ = nullptr;
  const char* strings_ = nullptr;
  uint32_t v4_count_ = 0, v6_count_ = 0, org_count_ = 0;
  mutable std::atomic<uint64_t> failures_{0};
};

}  // namespace ph::geo
