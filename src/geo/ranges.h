// phonehome's ASN range file (asn.ranges): sorted, non-overlapping address
// ranges with their AS number and organisation, built at set-up from
// ip-location-db's ASN CSVs by scripts/build_asn_ranges.py (which describes
// the layout). The file is mapped read-only and checked whole when opened
// (sizes, order, offsets), so a lookup is a binary search that cannot read
// outside it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
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

  // Views into the mapping: valid while this object lives.
  AsnEntry lookup(const IpAddr& ip) const;
  size_t v4_ranges() const { return v4_count_; }
  size_t v6_ranges() const { return v6_count_; }

 private:
  RangeFile() = default;
  std::string_view org(uint32_t index) const;

  const uint8_t* map_ = nullptr;
  size_t size_ = 0;
  const uint8_t* v4_ = nullptr;
  const uint8_t* v6_ = nullptr;
  const uint8_t* offsets_ = nullptr;
  const char* strings_ = nullptr;
  uint32_t v4_count_ = 0, v6_count_ = 0, org_count_ = 0;
};

}  // namespace ph::geo
