// Where a destination address is: its scope from the special-purpose address
// registries (private, loopback, link-local, multicast, CGNAT, documentation,
// ...), and for public addresses the country, AS number and organisation
// from offline data: MaxMind DB files read with libmaxminddb (country, or
// ASN when one is given) and phonehome's ASN range file (geo/ranges.h).
// The default data is installed by scripts/install-geoip into data/geoip/;
// nothing is ever asked of the network. One lookup per address and run: the
// Locator caches by address.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "model/ip.h"
#include "model/records.h"
#include "model/string_pool.h"

namespace ph::geo {

enum class Scope : uint8_t {
  kPublic,
  kPrivate,        // RFC 1918, fc00::/7
  kLoopback,       // 127/8, ::1
  kLinkLocal,      // 169.254/16, fe80::/10
  kMulticast,      // 224/4, ff00::/8
  kCgnat,          // 100.64/10 (RFC 6598 shared address space)
  kDocumentation,  // 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20
  kUnspecified,    // 0/8, ::
  kBroadcast,      // 255.255.255.255
  kReserved,       // 240/4, IPv6 outside 2000::/3 not named above
};
// "public", "private", "loopback", "link-local", "multicast", "cgnat",
// "documentation", "unspecified", "broadcast", "reserved".
std::string_view name(Scope scope);
// IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses are
// judged, and looked up, as the IPv4 address they carry.
Scope scope_of(const IpAddr& ip);
IpAddr embedded_v4(const IpAddr& ip);  // that IPv4 address, else `ip` itself

struct Place {
  std::string country;  // ISO 3166 alpha-2, upper case; empty when unknown
  uint32_t asn = 0;     // 0 when unknown
  std::string org;
};

// One opened set of databases, immutable once open (lookups may run on
// several threads). A lookup that fails inside a damaged file gives an empty
// Place and is counted (failures()).
class Databases {
 public:
  // The databases in `dir`: each *.mmdb, classified by its metadata's
  // database type (one with "ASN" in it gives AS numbers; "Country" or
  // "City" countries; others are ignored), and asn.ranges (when no ASN
  // MMDB is there). The first of a kind in name order wins (IPv6-capable
  // ones before IPv4-only ones). An
  // error names the file and the reason: a directory that cannot be read or
  // holds no database, a file that is not a valid one.
  static Result<std::unique_ptr<Databases>> open(const std::string& dir);
  ~Databases();
  Databases(const Databases&) = delete;
  Databases& operator=(const Databases&) = delete;

  Place lookup(const IpAddr& ip) const;  // not cached: see Locator
  bool has_country() const;
  bool has_asn() const;
  // One line a database in use, for the report's credits: sources.tsv's
  // line for the file when the directory has one (scripts/install-geoip
  // writes it), else "country from FILE (TYPE, built YYYY-MM-DD)".
  const std::vector<std::string>& credits() const { return credits_; }
  // What is missing or failed, for the summary's warnings ("no ASN database
  // in DIR: asn and org left empty", "3 lookups failed in FILE: ...").
  std::vector<std::string> warnings() const;

 private:
  struct Impl;
  Databases();
  std::unique_ptr<Impl> impl_;
  std::vector<std::string> credits_;
};

// Where the default data is looked for, in order, given the path of the
// running binary: ../data/geoip beside a source-tree build
// (build/phonehome -> data/geoip), ../share/phonehome/geoip of an installed
// binary, /usr/local/share/phonehome/geoip, /usr/share/phonehome/geoip.
std::vector<std::string> default_search_path(const std::string& exe_path);

// The first directory of `search` that exists. `warning` says why there is
// no data when `db` is null (not found, or the directory found is broken).
struct Found {
  std::unique_ptr<Databases> db;
  std::string warning;
};
Found open_first(const std::vector<std::string>& search);

// The English short name of a country ("China", "Norway", "South Korea")
// from ISO 3166-1 (Debian's iso-codes, compiled in); `code` is alpha-2 in
// any case. Empty when unknown.
std::string_view country_name(std::string_view code);
// The canonical upper-case alpha-2 code (static storage), or empty.
std::string_view country_code(std::string_view code);

// Fills destinations with their scope and place, one database lookup per
// distinct address (cached). Strings are interned in `strings`.
class Locator {
 public:
  Locator(const Databases* db, StringPool& strings) : db_(db), strings_(strings) {}
  void locate(DestinationRecord& d);
  uint64_t lookups() const { return lookups_; }  // database lookups made

 private:
  struct Entry {
    std::string_view scope, country, org;
    uint32_t asn = 0;
  };
  const Databases* db_;
  StringPool& strings_;
  std::unordered_map<IpAddr, Entry, AddrHash> cache_;
  uint64_t lookups_ = 0;
};

}  // namespace ph::geo
