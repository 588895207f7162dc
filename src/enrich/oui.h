// MAC address -> the organisation its block is registered to, from the IEEE
// registries as Debian's ieee-data package installs them (oui.csv: MA-L,
// 24-bit prefixes; mam.csv: MA-M, 28 bits; oui36.csv: MA-S and iab.csv: IAB,
// 36 bits) or, when none of those is there, Wireshark's `manuf` file. The
// longest registered prefix wins, so a block of an MA-L that the IEEE itself
// holds is named after its MA-M/MA-S owner.
//
// The files are read at run time, once per report and only for the MACs it
// holds: each file is scanned line by line and only the lines whose prefix
// one of those MACs has are kept. The cost is one pass over ~4 MB of text
// and no table of 45,000 entries in memory. Locally administered and
// multicast addresses have no vendor (the IEEE does not assign them).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "model/ip.h"

namespace ph::enrich {

struct OuiSources {
  // IEEE registry CSVs ("Registry,Assignment,Organization Name,..."), read
  // in this order; missing files are skipped.
  std::vector<std::string> ieee_csv;
  // Wireshark manuf files ("00:1B:C5:00:00:00/36<TAB>Short<TAB>Long name"),
  // read only when no IEEE CSV could be read.
  std::vector<std::string> manuf;
  // /usr/share/ieee-data/{oui,mam,oui36,iab}.csv, then
  // /usr/share/wireshark/manuf.
  static OuiSources defaults();
};

class VendorTable {
 public:
  VendorTable() = default;
  // Reads `sources` once, keeping the registrations that cover `macs`.
  static VendorTable load(std::span<const MacAddr> macs, const OuiSources& sources);

  // The organisation of the longest registered prefix of `mac`; empty when
  // unknown, locally administered or multicast.
  std::string_view vendor(const MacAddr& mac) const;
  // The files read (empty: no registry found).
  const std::vector<std::string>& files() const { return files_; }

 private:
  void scan_ieee_csv(std::string_view text);
  void scan_manuf(std::string_view text);
  void keep(unsigned bits, uint64_t prefix, std::string_view org);

  std::unordered_set<uint64_t> wanted_;  // (bits, prefix) keys of the MACs asked for
  std::unordered_map<uint64_t, std::string> names_;
  std::vector<std::string> files_;
};

}  // namespace ph::enrich
