// Device identity evidence from messages, ARP and NDP (see identity.h).
#include "pipeline/identity.h"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "detect/validators.h"

namespace ph {
namespace {

constexpr size_t kMaxOverflowRemembered = 1024;

bool is_one_of(std::string_view s, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

bool unspecified(const IpAddr& ip) {
  return std::all_of(ip.b.begin(), ip.b.end(), [](uint8_t b) { return b == 0; });
}

bool usable_address(const IpAddr& ip) {
  if (ip.version == 0 || unspecified(ip)) return false;
  if (ip.version == 4) return ip.b[0] < 224;  // not multicast or broadcast
  return ip.b[0] != 0xff;
}

bool model_key(std::string_view key);

bool dhcp_from_client(std::string_view kind) {
  return is_one_of(kind, {"discover", "request", "inform", "decline", "release", "bootrequest"});
}

bool dhcpv6_from_client(std::string_view kind) {
  return is_one_of(kind, {"solicit", "request", "confirm", "renew", "rebind", "release", "decline",
                          "information-request"});
}

// The fields of an mDNS response that name its sender (see mdns()).
bool mdns_identity_field(const proto::Field& f) {
  return f.name == "dns.answer.a" || f.name == "dns.answer.aaaa" || f.name == "dns.instance" ||
         (f.name == "dns.txt" && model_key(f.key));
}

bool unicast_mac(const MacAddr& m) { return !m.is_multicast() && !m.is_zero(); }

// "Living-Room.local." -> "Living-Room"; reverse-mapping names are no
// device names.
std::string_view mdns_host(std::string_view owner) {
  if (!owner.empty() && owner.back() == '.') owner.remove_suffix(1);
  if (owner.size() >= 5 && iequals(owner.substr(owner.size() - 5), ".arpa")) return {};
  if (owner.size() > 6 && iequals(owner.substr(owner.size() - 6), ".local")) owner.remove_suffix(6);
  return owner;
}

// DNS-SD TXT keys that carry a device model (Google Cast md, AirPlay
// model/am, Hue modelid, IPP printers ty/product/usb_MDL).
bool model_key(std::string_view key) {
  for (std::string_view k : {"md", "model", "am", "modelid", "mdl", "usb_mdl", "ty", "product"})
    if (iequals(key, k)) return true;
  return false;
}

}  // namespace

bool merge_sighting(std::vector<IpSighting>& list, const IpSighting& s, size_t cap) {
  for (auto& h : list) {
    if (h.ip != s.ip) continue;
    h.first_seen = std::min(h.first_seen, s.first_seen);
    h.last_seen = std::max(h.last_seen, s.last_seen);
    h.sources |= s.sources;
    return true;
  }
  if (list.size() >= cap) return false;
  list.push_back(s);
  return true;
}

void IdentityCollector::Distinct::add(std::string_view s) {
  if (s.empty()) return;
  s = s.substr(0, kMaxStringBytes);
  for (const auto& i : items)
    if (i == s) return;
  if (items.size() < kMaxStrings) {
    items.emplace_back(s);
  } else if (overflow.size() < kMaxOverflowRemembered) {
    overflow.insert(std::hash<std::string_view>()(s));
  }
}

IdentityCollector::Key IdentityCollector::mac_key(const MacAddr& mac) {
  Key k{};
  k[0] = 'm';
  std::memcpy(k.data() + 1, mac.b.data(), mac.b.size());
  return k;
}

IdentityCollector::Key IdentityCollector::ip_key(const IpAddr& ip) {
  Key k{};
  k[0] = uint8_t('0' + ip.version);
  std::memcpy(k.data() + 1, ip.b.data(), ip.b.size());
  return k;
}

IdentityCollector::Key IdentityCollector::side_key(const flow::Flow& f, const proto::Message& m,
                                                   bool sender) {
  const bool client = (m.dir == Direction::kUp) == sender;
  const MacAddr& mac = client ? f.client_mac : f.server_mac;
  if (f.has_macs && unicast_mac(mac)) return mac_key(mac);
  return ip_key(client ? f.client.ip : f.server.ip);
}

IdentityCollector::Evidence* IdentityCollector::at(const Key& key) {
  auto it = evidence_.find(key);
  if (it != evidence_.end()) return &it->second;
  if (evidence_.size() >= kMaxKeys) {
    stats_.drops.add("device.identity-keys");
    return nullptr;
  }
  return &evidence_[key];
}

void IdentityCollector::sighting(Evidence& e, const IpAddr& ip, Timestamp ts, uint8_t source) {
  if (usable_address(ip) && !merge_sighting(e.ips, {ip, ts, ts, source}, kMaxAddresses))
    stats_.drops.add("device.addresses");
}

void IdentityCollector::on_message(const flow::Flow& f, const proto::Parser* parser,
                                   const proto::Message& m) {
  const std::string_view protocol = m.protocol, kind = m.kind;
  if (protocol == "http") {
    if (kind != "request") return;
    if (const proto::Field* ua = m.find("http.user_agent")) {
      if (Evidence* e = at(side_key(f, m, true))) e->user_agents.add(ua->value);
    }
  } else if (protocol == "tls" || protocol == "quic") {
    if (kind != "client_hello") return;
    if (const proto::Field* ja4 = m.find("tls.ja4")) {
      if (Evidence* e = at(side_key(f, m, true))) e->ja4.add(ja4->value);
    }
  } else if (protocol == "dhcp") {
    dhcp(m);
  } else if (protocol == "dhcpv6") {
    dhcpv6(f, m);
  } else if (protocol == "ssdp") {
    const proto::Field* method = m.find("ssdp.method");
    const bool announcement = kind == "response" || (method && method->value == "NOTIFY");
    const proto::Field* v = m.find(announcement ? "ssdp.server" : "ssdp.user_agent");
    if (!v) return;
    if (Evidence* e = at(side_key(f, m, true)))
      (announcement ? e->ssdp_servers : e->user_agents).add(v->value);
  } else if (parser && parser->name == "mdns" && kind == "response") {
    mdns(f, m);
  }
}

bool IdentityCollector::excerpt(const proto::Parser* parser, const proto::Message& m,
                                proto::Message& out) {
  const std::string_view protocol = m.protocol, kind = m.kind;
  // Only the messages and fields on_message() reads (no body).
  enum { kAll, kHttp, kTls, kSsdp, kMdns } which;
  if (protocol == "http") {
    if (kind != "request") return false;
    which = kHttp;
  } else if (protocol == "tls" || protocol == "quic") {
    if (kind != "client_hello") return false;
    which = kTls;
  } else if (protocol == "dhcp") {
    if (!dhcp_from_client(kind) && kind != "ack") return false;
    which = kAll;
  } else if (protocol == "dhcpv6") {
    if (!dhcpv6_from_client(kind) && kind != "reply") return false;
    which = kAll;
  } else if (protocol == "ssdp") {
    which = kSsdp;
  } else if (parser && parser->name == "mdns" && kind == "response") {
    which = kMdns;
  } else {
    return false;
  }
  auto keep = [&](const proto::Field& f) {
    switch (which) {
      case kHttp:
        return f.name == "http.user_agent";
      case kTls:
        return f.name == "tls.ja4";
      case kSsdp:
        return is_one_of(f.name, {"ssdp.method", "ssdp.server", "ssdp.user_agent"});
      case kMdns:
        return mdns_identity_field(f);
      case kAll:
        break;
    }
    return true;
  };
  for (const auto& f : m.fields)
    if (keep(f)) out.fields.push_back(f);
  if (which != kAll && out.fields.empty()) return false;
  out.protocol = m.protocol;
  out.kind = m.kind;
  out.dir = m.dir;
  out.ts = m.ts;
  out.frame = m.frame;
  return true;
}

// The client is the one named by chaddr, whichever way the message goes
// (relays forward it; servers answer to it).
void IdentityCollector::dhcp(const proto::Message& m) {
  const proto::Field* chaddr = m.find("dhcp.chaddr");
  if (!chaddr) return;
  auto mac = detect::parse_mac(chaddr->value);
  if (!mac || !unicast_mac(MacAddr{*mac})) return;
  const bool from_client = dhcp_from_client(m.kind);
  if (!from_client && m.kind != "ack") return;
  Evidence* e = at(mac_key(MacAddr{*mac}));
  if (!e) return;
  if (!from_client) {
    const proto::Field* a = m.find("dhcp.yiaddr");
    if (!a) a = m.find("dhcp.ciaddr");  // the ACK of an INFORM
    if (a) sighting(*e, IpAddr::parse(a->value), m.ts, kIpFromDhcp);
    return;
  }
  keep(m, *e,
       {{"dhcp.hostname", &Evidence::hostname},
        {"dhcp.fqdn", &Evidence::fqdn},
        {"dhcp.vendor_class", &Evidence::vendor_class},
        {"dhcp.client_id", &Evidence::client_id}});
  const proto::Field* ciaddr = m.find("dhcp.ciaddr");  // renewing: the address it holds
  if (ciaddr && (m.kind == "request" || m.kind == "inform"))
    sighting(*e, IpAddr::parse(ciaddr->value), m.ts, kIpFromDhcp);
}

void IdentityCollector::keep(const proto::Message& m, Evidence& e,
                             std::initializer_list<Slot> slots) {
  for (const auto& field : m.fields) {
    for (const auto& [name, member] : slots)
      if (field.name == name) e.*member = field.value.substr(0, kMaxStringBytes);
  }
}

void IdentityCollector::dhcpv6(const flow::Flow& f, const proto::Message& m) {
  if (m.kind == "reply") {
    Evidence* e = nullptr;
    for (const auto& field : m.fields) {
      if (field.name != "dhcpv6.ia_addr") continue;
      if (!e && !(e = at(side_key(f, m, false)))) return;
      sighting(*e, IpAddr::parse(field.value), m.ts, kIpFromDhcp);
    }
    return;
  }
  if (!dhcpv6_from_client(m.kind)) return;
  Evidence* e = at(side_key(f, m, true));
  if (!e) return;
  keep(m, *e,
       {{"dhcpv6.fqdn", &Evidence::fqdn6},
        {"dhcpv6.vendor_class", &Evidence::vendor_class6},
        {"dhcpv6.client_duid", &Evidence::duid6}});
}

// An mDNS response names its sender: the owners of its address records
// are its host names (their addresses its own), instance names the
// services it offers, TXT model keys what it is.
void IdentityCollector::mdns(const flow::Flow& f, const proto::Message& m) {
  Evidence* e = nullptr;
  for (const auto& field : m.fields) {
    const std::string_view n = field.name;
    const bool address = n == "dns.answer.a" || n == "dns.answer.aaaa";
    const bool instance = n == "dns.instance";
    const bool model = n == "dns.txt" && model_key(field.key);
    if (!address && !instance && !model) continue;
    if (!e && !(e = at(side_key(f, m, true)))) return;
    if (address) {
      std::string_view host = mdns_host(field.key);
      if (host.empty()) continue;
      e->mdns_hosts.add(host);
      sighting(*e, IpAddr::parse(field.value), m.ts, kIpFromMdns);
    } else if (instance) {
      e->mdns_instances.add(field.value);
    } else {
      e->models.add(field.value);
    }
  }
}

// ARP (RFC 826) for Ethernet/IPv4: the sender's hardware and protocol
// addresses are its own (an ARP probe's sender address 0.0.0.0 is none,
// but the probe is still a packet it sent).
void IdentityCollector::on_arp(Bytes a, Timestamp ts) {
  if (a.size() < 28 || load_be16(a.data()) != 1 || load_be16(a.data() + 2) != 0x0800 || a[4] != 6 ||
      a[5] != 4)
    return;
  const MacAddr sha = MacAddr::from(a.data() + 8);
  if (!unicast_mac(sha)) return;
  Evidence* e = at(mac_key(sha));
  if (!e) return;
  e->first = std::min(e->first, ts);
  e->last = std::max(e->last, ts);
  sighting(*e, IpAddr::v4(a.data() + 14), ts, kIpFromArp);
}

// NDP (RFC 4861): a router/neighbor solicitation or advertisement comes
// from the sender's own address; an advertisement's target is the address
// it claims, at the target link-layer address option when present.
void IdentityCollector::on_icmpv6(const decode::PacketView& v, Timestamp ts) {
  const Bytes p = v.payload;
  if (p.size() < 4 || !v.mac_src || v.tunnel_depth > 0) return;
  const uint8_t type = p[0];
  if (type < 133 || type > 136) return;
  const MacAddr src_mac = MacAddr::from(v.mac_src);
  if (unicast_mac(src_mac) && usable_address(v.src)) {
    if (Evidence* e = at(mac_key(src_mac))) {
      sighting(*e, v.src, ts, kIpFromNdp);
      e->first = std::min(e->first, ts);
      e->last = std::max(e->last, ts);
    }
  }
  if (type != 136 || p.size() < 24) return;
  const IpAddr target = IpAddr::v6(p.data() + 8);
  MacAddr owner = src_mac;
  for (size_t at_opt = 24; at_opt + 8 <= p.size();) {
    const size_t len = size_t(p[at_opt + 1]) * 8;
    if (len == 0 || at_opt + len > p.size()) break;
    if (p[at_opt] == 2) owner = MacAddr::from(p.data() + at_opt + 2);  // target link-layer address
    at_opt += len;
  }
  if (!unicast_mac(owner)) return;
  if (Evidence* e = at(mac_key(owner))) sighting(*e, target, ts, kIpFromNdp);
}

void IdentityCollector::apply(const std::optional<MacAddr>& mac, const IpAddr& ip, DeviceRecord& d,
                              const detect::Detector& detector) const {
  auto it = evidence_.find(mac ? mac_key(*mac) : ip_key(ip));
  if (it == evidence_.end()) return;
  const Evidence& e = it->second;
  for (const IpSighting& s : e.ips) merge_sighting(d.ip_history, s);
  if (e.first <= e.last) {
    d.first_seen = std::min(d.first_seen, e.first);
    d.last_seen = std::max(d.last_seen, e.last);
  }

  std::vector<detect::Candidate> found;
  auto text = [&](std::string_view s, std::string_view field) {
    IdentityText t{std::string(s), {}};
    found.clear();
    detector.scan(detect::Context{{}, {}, field, {}}, s, found);
    for (const auto& c : found) {
      if (c.length == 0 || c.confidence == detect::Confidence::kLow) continue;
      t.identifiers.emplace_back(uint32_t(c.offset), uint32_t(c.length));
    }
    return t;
  };
  auto texts = [&](const Distinct& list, std::string_view field) {
    std::vector<IdentityText> out;
    for (const auto& s : list.items) out.push_back(text(s, field));
    return out;
  };

  const std::string& hostname = !e.hostname.empty()          ? e.hostname
                                : !e.fqdn.empty()            ? e.fqdn
                                : !e.fqdn6.empty()           ? e.fqdn6
                                : e.mdns_hosts.items.empty() ? std::string()
                                                             : e.mdns_hosts.items.front();
  if (!hostname.empty()) d.hostname = text(hostname, "dhcp.hostname");
  const std::string& vendor_class = !e.vendor_class.empty() ? e.vendor_class : e.vendor_class6;
  if (!vendor_class.empty()) d.dhcp_vendor_class = text(vendor_class, "dhcp.vendor_class");
  d.dhcp_client_id = !e.client_id.empty() ? e.client_id : e.duid6;

  Distinct names;
  for (const std::string* n : {&e.hostname, &e.fqdn, &e.fqdn6}) names.add(*n);
  for (const auto& n : e.mdns_hosts.items) names.add(n);
  for (const auto& n : e.mdns_instances.items) names.add(n);
  d.names = texts(names, "dhcp.hostname");
  d.models = texts(e.models, "dns.txt");
  d.ssdp_servers = texts(e.ssdp_servers, "ssdp.server");
  d.user_agents = texts(e.user_agents, "http.user_agent");
  d.user_agents_more = e.user_agents.more();
  d.ja4 = e.ja4.items;
  d.ja4_more = e.ja4.more();
}

}  // namespace ph
