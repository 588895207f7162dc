// The records a run produces, as every report sink sees them (see
// ../shared/spec/output.md). Sinks never see packets, parsers or flow
// internals, only these.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capture/source.h"
#include "model/flow_notes.h"
#include "model/ip.h"
#include "model/stats.h"
#include "model/string_pool.h"
#include "model/time.h"
#include "model/verdict.h"

namespace ph {

// A name or software string a device gave (DHCP host name, User-Agent...),
// with the spans where the identifier detectors found personal data in it
// (an Android ID in "android-1c1335ec95a27318"): sinks mask those spans
// unless --reveal.
struct IdentityText {
  std::string text;
  std::vector<std::pair<uint32_t, uint32_t>> identifiers;  // offset, length in `text`
};

// Where an address of a device was seen (bits of IpSighting::sources).
enum IpSource : uint8_t {
  kIpFromFlow = 1,   // source address of a flow the device started
  kIpFromDhcp = 2,   // DHCPv4 ACK (yiaddr), a client's ciaddr, DHCPv6 Reply (IA address)
  kIpFromArp = 4,    // ARP sender protocol address
  kIpFromNdp = 8,    // NDP: source of a solicitation/advertisement, target of an advertisement
  kIpFromMdns = 16,  // A/AAAA records of the device's own mDNS responses
};
// Their names in reports, bit 0 first.
inline constexpr const char* kIpSourceNames[] = {"flow", "dhcp", "arp", "ndp", "mdns"};

struct IpSighting {
  IpAddr ip;
  Timestamp first_seen = 0, last_seen = 0;
  uint8_t sources = 0;  // IpSource bits
};

struct DeviceRecord {
  uint64_t id = 0;  // 1-based, in order of first appearance
  std::optional<MacAddr> mac;
  std::string vendor;                      // from the OUI; empty when unknown
  std::vector<IpAddr> ips;                 // every address of ip_history, sorted
  std::vector<IpSighting> ip_history;      // in order of first sighting
  IdentityText hostname;                   // DHCP host name, else DHCP FQDN, else an mDNS host name
  IdentityText dhcp_vendor_class;          // DHCPv4 option 60, else DHCPv6 vendor class
  std::string dhcp_client_id;              // DHCPv4 option 61 or DHCPv6 client DUID, hex
  std::vector<IdentityText> names;         // every name: DHCP, mDNS hosts and service instances
  std::vector<IdentityText> models;        // mDNS/DNS-SD TXT model keys (md, model, am, ...)
  std::vector<IdentityText> ssdp_servers;  // SSDP SERVER headers of its announcements
  std::vector<IdentityText> user_agents;   // distinct, first seen first, capped
  uint64_t user_agents_more = 0;           // distinct ones past the cap
  std::vector<std::string> ja4;            // TLS/QUIC client fingerprints, distinct, capped
  uint64_t ja4_more = 0;
  Timestamp first_seen = 0;
  Timestamp last_seen = 0;
  uint64_t flows = 0;
};

// Strings in flow records are views into Report::strings (or literals).
struct DestinationRecord {
  IpAddr ip;
  uint16_t port = 0;
  uint32_t asn = 0;
  std::string_view host;     // best name known (SNI, Host, DNS); empty when none
  std::string_view country;  // ISO 3166 alpha-2, upper case; empty when unknown
  std::string_view org;
  std::string_view scope;  // "public", "private", "link-local", ... (geo/geo.h); empty: no IP
};

// The mobile network of a SIM or cell identifier: IMSI and cell id by their
// MCC/MNC (E.212), ICCID by its country calling code (E.118, country only).
// Empty views where not known.
struct MobileContext {
  std::string_view mcc, mnc;
  std::string_view country;  // ISO 3166 alpha-2, upper case
  std::string_view name;     // the operator
};

struct FlowRecord {
  uint64_t id = 0;
  uint64_t device = 0;
  uint8_t proto = 0;  // 6 or 17
  uint16_t vlan = 0;
  std::optional<MacAddr> src_mac;  // the client's MAC, when the link has one
  IpAddr src_ip;
  uint16_t src_port = 0;
  DestinationRecord dst;
  std::string_view app = "unknown";
  std::string_view sni;
  std::string_view looks_like;  // app "unknown" only: "text", "binary", "random", "empty"
  std::optional<bool> encrypted;
  uint64_t packets_up = 0, packets_down = 0;
  uint64_t bytes_up = 0, bytes_down = 0;      // frame bytes on the wire
  uint64_t payload_up = 0, payload_down = 0;  // transport payload bytes
  Timestamp first_seen = 0, last_seen = 0;
  uint64_t first_frame = 0;
  size_t input = 0;    // index into Report::inputs
  uint32_t notes = 0;  // FlowNote bits (model/flow_notes.h)
};

// One piece of personal data seen leaving a device (one per message, data
// type and value; repeats within the message counted).
struct FindingRecord {
  uint64_t id = 0;      // 1-based, in order of the messages
  uint64_t device = 0;  // assigned in Engine::finish()
  uint64_t flow = 0;    // 0: no flow (EAPOL)
  Timestamp ts = 0;
  double since_device_first_seen_s = 0;
  uint64_t frame = 0;
  size_t input = 0;
  std::string_view data_type;               // the contract's names ("imei", ...)
  std::string value;                        // normalised, unredacted (sinks redact)
  std::string value_sha256;                 // hex of SHA-256 of `value`
  std::vector<std::string_view> encodings;  // outermost first (interned)
  std::string_view where;                   // "http.query", "http.body", "eap.identity"
  std::string path;                         // key path within it ("$.IMEI1", "di"), may be empty
  std::string_view method;                  // "validated" | "keyword" | "profile"
  std::string_view confidence;              // "high" | "medium" | "low"
  std::string rule;                         // why it was flagged (never the value)
  std::string_view protocol;                // "http", "dns", "eapol", ...
  std::optional<bool> encrypted;
  DestinationRecord destination;        // the flow's dst (filled in finish())
  uint64_t count = 1;                   // occurrences in the message
  std::optional<MobileContext> mobile;  // imsi, iccid, cell_id: whose network
  // The device as keyed when the message was seen (MAC, else IP).
  std::optional<MacAddr> device_mac;
  IpAddr device_ip;
};

// Contacts of a device with one destination (a host name when one is
// known, else an address; and a port): when, how often, and whether on a
// schedule. Made from the flow records in Engine::finish().
struct ContactRecord {
  uint64_t device = 0;
  uint8_t proto = 0;
  DestinationRecord destination;  // ip: the first address contacted
  uint32_t addresses = 0;         // distinct server addresses behind it
  std::string_view app;           // of the first flow
  Timestamp first_contact = 0;    // start of the first flow
  Timestamp last_contact = 0;     // start of the last flow
  uint64_t flows = 0;
  uint64_t contacts = 0;  // flows starting within a few seconds of each other are one
  // Periodic contact (enrich/periodicity.h); period_s == 0: none found.
  double period_s = 0;
  double jitter_s = 0;
  uint32_t periodic_contacts = 0;  // contacts on the beat
  uint32_t missed_beats = 0;
};

struct Report {
  StringPool strings;  // backs the string_views in flows
  std::vector<capture::InputInfo> inputs;
  std::vector<bool> input_opened;  // false: the input could not be opened
  std::vector<DeviceRecord> devices;
  std::deque<FlowRecord> flows;  // by id; a deque never moves records as it grows
  std::vector<FindingRecord> findings;
  std::vector<ContactRecord> contacts;  // by device, then first contact
  Stats stats;
  std::vector<std::string> warnings;
  std::vector<std::string> data_sources;  // credits of the data used (GeoIP)
  double duration_s = 0;
  std::optional<PolicyVerdict> verdict;  // --policy: set by policy::evaluate()
};

}  // namespace ph
