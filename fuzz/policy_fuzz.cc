// Fuzz target for the policy reader: the input is the file. A policy that
// parses has rules with names and distinct ids, and is judged against a
// small report (globs from the input run over host names and device names):
// every violation names a rule and a finding that exist, and is one that
// violates() confirms. Errors are never empty and each line names the file.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string_view>

#include "policy/policy.h"

namespace {

ph::Report make_report() {
  ph::Report r;
  ph::DeviceRecord d;
  d.id = 1;
  d.mac = ph::MacAddr{{0xf8, 0xad, 0xcb, 0x12, 0x34, 0x9b}};
  d.ips = {ph::IpAddr::parse("192.168.1.23")};
  d.hostname.text = "Nokia-7-plus";
  d.names = {{"kitchen.local", {}}};
  r.devices.push_back(d);
  const char* types[] = {"imei", "msisdn", "location", "credentials"};
  const char* hosts[] = {"zzhc.vnet.example", "a.example-oem.com", "", "example-oem.com"};
  const char* confidences[] = {"high", "medium", "low", "high"};
  for (uint64_t i = 0; i < 4; ++i) {
    ph::FindingRecord f;
    f.id = i + 1;
    f.device = i == 3 ? 2 : 1;  // device 2 is not in the report
    f.data_type = types[i];
    f.confidence = confidences[i];
    f.destination.host = hosts[i];
    f.destination.ip = ph::IpAddr::parse(i % 2 ? "2001:db8::7" : "101.95.46.35");
    f.destination.country = i == 2 ? "" : "CN";
    f.destination.scope = i == 1 ? "documentation" : "public";
    if (i != 2) f.encrypted = i == 1;
    r.findings.push_back(f);
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto p = ph::policy::parse_policy(text, "fuzz");
  if (!p.ok()) {
    const std::string& m = p.error().message;
    if (m.empty()) std::abort();
    for (size_t start = 0; start < m.size();) {
      if (m.compare(start, 4, "fuzz") != 0) std::abort();
      size_t nl = m.find('\n', start);
      start = nl == std::string::npos ? m.size() : nl + 1;
    }
    return 0;
  }
  if (p->rules.empty()) std::abort();
  std::set<std::string> ids;
  for (const auto& r : p->rules) {
    if (r.name.empty() || r.id.empty() || !ids.insert(r.id).second) std::abort();
  }
  static const ph::Report report = make_report();
  ph::PolicyVerdict v = ph::policy::evaluate(*p, report);
  if (v.rules.size() != p->rules.size()) std::abort();
  for (const auto& x : v.violations) {
    if (x.rule >= p->rules.size() || x.finding >= report.findings.size()) std::abort();
    const auto& f = report.findings[x.finding];
    const ph::DeviceRecord* d = f.device == 1 ? &report.devices[0] : nullptr;
    if (!ph::policy::violates(p->rules[x.rule], f, d)) std::abort();
  }
  return 0;
}
