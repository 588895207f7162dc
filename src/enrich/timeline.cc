// Contacts per device and destination (see timeline.h).
#include "enrich/timeline.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <tuple>
#include <unordered_map>

namespace ph::enrich {
namespace {

struct Group {
  ContactRecord record;
  std::vector<Timestamp> starts;
  std::vector<IpAddr> addresses;
};

// device, transport, port, then the host name or the address bytes.
std::string group_key(const FlowRecord& f) {
  std::string k(sizeof f.device + 3, '\0');
  std::memcpy(k.data(), &f.device, sizeof f.device);
  k[sizeof f.device] = char(f.proto);
  k[sizeof f.device + 1] = char(f.dst.port >> 8);
  k[sizeof f.device + 2] = char(f.dst.port & 0xff);
  if (!f.dst.host.empty()) {
    k.push_back('h');
    k.append(f.dst.host);
  } else {
    k.push_back(char('0' + f.dst.ip.version));
    k.append(reinterpret_cast<const char*>(f.dst.ip.b.data()), f.dst.ip.b.size());
  }
  return k;
}

}  // namespace

std::vector<ContactRecord> contacts(const std::deque<FlowRecord>& flows,
                                    const PeriodOptions& options) {
  std::vector<Group> groups;
  std::unordered_map<std::string, size_t> index;
  for (const FlowRecord& f : flows) {
    if (f.id == 0) continue;  // a hole (none are expected)
    auto [it, fresh] = index.try_emplace(group_key(f), groups.size());
    if (fresh) {
      Group& g = groups.emplace_back();
      g.record.device = f.device;
      g.record.proto = f.proto;
      g.record.destination = f.dst;
      g.record.app = f.app;
      g.record.first_contact = f.first_seen;
    }
    Group& g = groups[it->second];
    if (f.first_seen < g.record.first_contact) {
      g.record.first_contact = f.first_seen;
      g.record.destination.ip = f.dst.ip;
      g.record.app = f.app;
    }
    g.starts.push_back(f.first_seen);
    g.addresses.push_back(f.dst.ip);
  }

  std::vector<ContactRecord> out;
  out.reserve(groups.size());
  for (Group& g : groups) {
    ContactRecord& r = g.record;
    std::sort(g.starts.begin(), g.starts.end());
    std::sort(g.addresses.begin(), g.addresses.end());
    r.addresses =
        uint32_t(std::unique(g.addresses.begin(), g.addresses.end()) - g.addresses.begin());
    r.flows = g.starts.size();
    r.last_contact = g.starts.back();
    std::vector<Timestamp> contact_starts = merge_bursts(g.starts, options.burst_gap);
    r.contacts = contact_starts.size();
    if (auto p = detect_period(contact_starts, options)) {
      r.period_s = p->period_s;
      r.jitter_s = p->jitter_s;
      r.periodic_contacts = p->on_beat;
      r.missed_beats = p->missed;
    }
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const ContactRecord& a, const ContactRecord& b) {
    return std::tie(a.device, a.first_contact, a.destination.host, a.destination.ip,
                    a.destination.port, a.proto) < std::tie(b.device, b.first_contact,
                                                            b.destination.host, b.destination.ip,
                                                            b.destination.port, b.proto);
  });
  return out;
}

}  // namespace ph::enrich
