// The policy gate: rules read from a TOML file (--policy) and judged against
// a Report (model/records.h) alone, so that `scan`, a report rendered from a
// store and a live watch can all use it. The format is in the README
// ("Policy gate"); examples/firmware-release-policy.toml is an example.
//
// A finding violates a rule when every condition the rule sets holds:
//   devices          the finding's device matches one entry (MAC, IP/CIDR,
//                    or a glob over its host name and names); none: any device
//   deny_data_types  its data type is listed ("*": any); none: any
//   min_confidence   its confidence is at least this ("low" by default)
//   unencrypted_only its flow is not known to be encrypted
//   deny_hosts       its destination matches one entry; none: any
//   allow_hosts      its destination matches no entry
//   deny_countries   its destination's country is listed; none: any
//   allow_countries  its destination is public and its country (maybe
//                    unknown) is not listed; none: any
// Host entries are globs over the destination's name ("*" any characters,
// "?" one; case-insensitive): "*.example.com" matches names under
// example.com but not example.com itself; ".example.com" matches both;
// an IP address or CIDR prefix matches the destination address.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "model/records.h"

namespace ph::policy {

// A destination or device address entry: an address and a prefix length.
struct Prefix {
  IpAddr ip;
  unsigned bits = 0;
  bool contains(const IpAddr& a) const;
};

// One entry of allow_hosts/deny_hosts.
struct HostPattern {
  std::string glob;  // lower case; empty when `prefix` is set
  std::optional<Prefix> prefix;
};

// One entry of devices.
struct DeviceSelector {
  std::optional<MacAddr> mac;
  std::optional<Prefix> prefix;
  std::string glob;  // lower case; over the host name and names
};

struct Rule {
  std::string id;
  std::string name;
  std::string description;              // as written; may be empty
  std::string summary;                  // what it denies, in words
  std::vector<std::string> data_types;  // contract names; empty: any
  int min_confidence = 0;               // 0 low, 1 medium, 2 high
  bool unencrypted_only = false;
  std::vector<HostPattern> allow_hosts, deny_hosts;
  std::vector<std::string> deny_countries, allow_countries;  // ISO alpha-2, upper case
  std::vector<DeviceSelector> devices;                       // empty: every device
  size_t line = 0;                                           // of its [[rule]] header
};

struct Policy {
  std::string path;
  std::vector<Rule> rules;
};

// At most this many rules and entries per list: a policy is written by hand.
inline constexpr size_t kMaxRules = 1000;
inline constexpr size_t kMaxEntries = 10000;

// Parses a policy; `name` is the file name messages start with. Errors list
// every problem found, one a line, each "NAME:LINE:COLUMN: ...".
Result<Policy> parse_policy(std::string_view text, std::string_view name);
// Reads and parses `path` (at most 1 MiB).
Result<Policy> load_policy(const std::string& path);

// Whether `device` (may be null: unknown) is one the rule applies to.
bool applies_to(const Rule& rule, const DeviceRecord* device);
// Whether `f`, sent by `device` (may be null), violates `rule`.
bool violates(const Rule& rule, const FindingRecord& f, const DeviceRecord* device);
// Whether a host entry matches a destination.
bool host_matches(const HostPattern& p, const DestinationRecord& d);
// A glob ('*', '?') over a lower-case pattern, case-insensitive on `text`.
bool glob_match(std::string_view pattern, std::string_view text);

// Every rule over every finding of the report.
PolicyVerdict evaluate(const Policy& policy, const Report& report);

// The contract's data type names and the other names accepted for them
// ("phone" for msisdn...): the contract name, or empty when unknown.
std::string_view data_type_name(std::string_view name);

}  // namespace ph::policy
