// Words for a policy's violations, shared by every sink that shows them
// (text, jsonl/json, SARIF, JUnit): one message a violation, values
// redacted unless --reveal.
#include "report/leaks.h"
#include "report/report.h"

namespace ph::report {

std::string violation_message(const Report& r, const ViolationRecord& v, bool reveal) {
  const FindingRecord& f = r.findings[v.finding];
  const DestinationRecord& d = f.destination;
  std::string s = std::string(f.data_type) + " " + (reveal ? f.value : redact(f.value));
  s += !f.encrypted ? " sent" : *f.encrypted ? " sent encrypted" : " sent unencrypted";
  std::string to = d.host.empty() ? "" : std::string(d.host);
  if (d.ip.version) {
    std::string ip = d.ip.version == 6 ? "[" + d.ip.to_string() + "]" : d.ip.to_string();
    std::string where = ip + ":" + std::to_string(d.port);
    if (!d.country.empty()) where += ", " + std::string(d.country);
    to = to.empty() ? where : to + " (" + where + ")";
  }
  s += " to " + (to.empty() ? std::string("a link-layer peer") : to);
  s += " by device " + std::to_string(f.device);
  if (f.flow) s += ", flow " + std::to_string(f.flow);
  s += ", frame " + std::to_string(f.frame);
  if (f.input < r.inputs.size()) s += " of " + r.inputs[f.input].path;
  return s;
}

std::string device_label(const Report& r, uint64_t device, bool reveal) {
  std::string s = "device " + std::to_string(device);
  if (const DeviceRecord* d = find_device(r, device)) {
    std::string about;
    if (d->mac) about = shown_mac(*d->mac, reveal);
    if (about.empty() && !d->ips.empty()) about = d->ips.front().to_string();
    if (!d->hostname.text.empty())
      about += (about.empty() ? "" : ", ") + shown(d->hostname, reveal);
    if (!about.empty()) s += " (" + about + ")";
  }
  return s;
}

}  // namespace ph::report
