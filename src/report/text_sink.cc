// The text sink: a summary a person reads at a terminal. Identifiers are
// redacted unless --reveal; colours only when the caller says the output
// is a terminal.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

#include "geo/geo.h"
#include "report/report.h"

namespace ph::report {
namespace {

constexpr size_t kFlowsShown = 40;  // without --verbose

struct Style {
  bool on;
  std::string bold(const std::string& s) const { return on ? "\033[1m" + s + "\033[0m" : s; }
  std::string red(const std::string& s) const { return on ? "\033[31m" + s + "\033[0m" : s; }
  std::string dim(const std::string& s) const { return on ? "\033[2m" + s + "\033[0m" : s; }
};

std::string human_bytes(uint64_t n) {
  char buf[32];
  if (n < 1024) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  } else if (n < (1u << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f KB", double(n) / 1024);
  } else if (n < (1ull << 30)) {
    std::snprintf(buf, sizeof buf, "%.1f MB", double(n) / (1 << 20));
  } else {
    std::snprintf(buf, sizeof buf, "%.2f GB", double(n) / (1 << 30));
  }
  return buf;
}

std::string endpoint(const IpAddr& ip, uint16_t port) {
  std::string s = ip.version == 6 ? "[" + ip.to_string() + "]" : ip.to_string();
  return s + ":" + std::to_string(port);
}

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

// "2019-05-01 08:00:00" from the RFC 3339 form.
std::string short_time(Timestamp ts) {
  std::string s = format_rfc3339(ts);
  return s.substr(0, 10) + " " + s.substr(11, 8);
}

std::string country(std::string_view code) {
  std::string_view n = geo::country_name(code);
  return std::string(n.empty() ? code : n);
}

// Where a destination is: "China, AS4812 China Telecom" for a public
// address with data, its scope ("private", "link-local") otherwise.
std::string place(const DestinationRecord& d) {
  if (d.scope != "public") return std::string(d.scope);
  std::string s = d.country.empty() ? "" : country(d.country);
  if (d.asn) {
    s += (s.empty() ? "AS" : ", AS") + std::to_string(d.asn);
    if (!d.org.empty()) s += " " + std::string(d.org);
  }
  return s;
}

// The flow table's short form: "CN AS4812", "private".
std::string short_place(const DestinationRecord& d) {
  if (d.scope != "public") return std::string(d.scope);
  std::string s(d.country);
  if (d.asn) s += (s.empty() ? "AS" : " AS") + std::to_string(d.asn);
  return s;
}

// "SIM of Telenor, Norway (MCC 242 MNC 01); data sent to China": the mobile
// identity's network next to where its data went.
std::string mobile_line(const FindingRecord& f) {
  const MobileContext& m = *f.mobile;
  std::string s = f.data_type == "cell_id" ? "cell of " : "SIM of ";
  if (!m.name.empty()) {
    s += std::string(m.name) + ", " + country(m.country);
  } else {
    s = (f.data_type == "cell_id" ? "cell in " : "SIM from ") + country(m.country);
  }
  if (!m.mcc.empty())
    s += " (MCC " + std::string(m.mcc) + (m.mnc.empty() ? "" : " MNC " + std::string(m.mnc)) + ")";
  const DestinationRecord& d = f.destination;
  if (d.scope == "public" && !d.country.empty()) {
    s += "; data sent to " + country(d.country);
  } else if (!d.scope.empty() && d.scope != "public") {
    s += "; data sent to a " + std::string(d.scope) + " address";
  }
  return s;
}

// The time of day alone when `ts` falls on the same day as `day`, else
// date and time.
std::string time_on(Timestamp ts, Timestamp day) {
  std::string s = short_time(ts);
  return s.compare(0, 10, short_time(day), 0, 10) == 0 ? s.substr(11) : s;
}

constexpr size_t kContactsShown = 10;    // per device, without --verbose
constexpr size_t kViolationsShown = 20;  // per rule, without --verbose

// "45 s", "1.5 s", "60 min", "2 h", "1.5 h".
std::string human_duration(double s) {
  char buf[32];
  auto number = [&](double v, const char* unit) {
    if (v < 10 && std::fabs(v - std::round(v)) >= 0.05) {
      std::snprintf(buf, sizeof buf, "%.1f %s", v, unit);
    } else {
      std::snprintf(buf, sizeof buf, "%.0f %s", v, unit);
    }
    return std::string(buf);
  };
  if (s < 120) return number(s, "s");
  if (s < 7200) return number(s / 60, "min");
  if (s < 2 * 86400) return number(s / 3600, "h");
  return number(s / 86400, "d");
}

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

std::vector<std::string> shown_all(const std::vector<IdentityText>& list, bool reveal) {
  std::vector<std::string> out;
  for (const auto& t : list) out.push_back(shown(t, reveal));
  return out;
}

// "every 60 min ± 1 min, 5×" for a periodic contact, else empty.
std::string schedule(const ContactRecord& c) {
  if (c.period_s <= 0) return {};
  std::string s = "every " + human_duration(c.period_s) + " ± " + human_duration(c.jitter_s) +
                  ", " + std::to_string(c.periodic_contacts) + "×";
  if (c.missed_beats) s += " (" + std::to_string(c.missed_beats) + " missed)";
  return s;
}

// What is known about a device beyond its addresses, and its contacts.
template <class Line>
void device_details(const DeviceRecord& d, const Report& r, const Options& o, const Style& st,
                    Line& line) {
  const bool reveal = o.reveal;
  std::string hostname = shown(d.hostname, reveal);
  if (!hostname.empty()) line("        hostname " + hostname);
  if (!d.vendor.empty()) {
    line("        vendor   " + d.vendor);
  } else if (d.mac && d.mac->is_locally_administered()) {
    line("        vendor   (randomized or locally administered MAC)");
  }
  std::vector<std::string> names = shown_all(d.names, reveal);
  names.erase(std::remove(names.begin(), names.end(), hostname), names.end());
  if (!names.empty()) line("        names    " + join(names));
  std::string dhcp = shown(d.dhcp_vendor_class, reveal);
  if (!dhcp.empty()) dhcp = "vendor class " + dhcp;
  if (!d.dhcp_client_id.empty()) {
    dhcp += (dhcp.empty() ? "" : ", ") + std::string("client id ") +
            (reveal ? d.dhcp_client_id : redact(d.dhcp_client_id));
  }
  if (!dhcp.empty()) line("        dhcp     " + dhcp);
  if (!d.models.empty()) line("        models   " + join(shown_all(d.models, reveal)));
  if (!d.ssdp_servers.empty()) line("        ssdp     " + join(shown_all(d.ssdp_servers, reveal)));
  for (size_t i = 0; i < d.user_agents.size(); ++i)
    line(std::string(i == 0 ? "        agents   " : "                 ") +
         shown(d.user_agents[i], reveal));
  if (d.user_agents_more)
    line("                 (+" + std::to_string(d.user_agents_more) + " more)");
  if (!d.ja4.empty()) {
    line("        ja4      " + join(d.ja4) +
         (d.ja4_more ? " (+" + std::to_string(d.ja4_more) + " more)" : ""));
  }
  // Addresses with where they were seen, when more than flows said so.
  const bool more_than_flows =
      std::any_of(d.ip_history.begin(), d.ip_history.end(),
                  [](const IpSighting& s) { return s.sources != kIpFromFlow; });
  if (more_than_flows) {
    std::vector<std::string> ips;
    for (const auto& s : d.ip_history) {
      std::vector<std::string> from;
      for (size_t i = 0; i < std::size(kIpSourceNames); ++i)
        if (s.sources & (1u << i)) from.push_back(kIpSourceNames[i]);
      ips.push_back(s.ip.to_string() + " (" + join(from, "/") + ")");
    }
    line("        ips      " + join(ips));
  }

  // Contacts: periodic ones first, then by number of flows.
  std::vector<const ContactRecord*> mine;
  auto lo = std::lower_bound(r.contacts.begin(), r.contacts.end(), d.id,
                             [](const ContactRecord& c, uint64_t id) { return c.device < id; });
  for (auto it = lo; it != r.contacts.end() && it->device == d.id; ++it) mine.push_back(&*it);
  if (mine.empty()) return;
  std::stable_sort(mine.begin(), mine.end(), [](const ContactRecord* a, const ContactRecord* b) {
    if ((a->period_s > 0) != (b->period_s > 0)) return a->period_s > 0;
    return a->flows > b->flows;
  });
  line("        contacts (" + std::to_string(mine.size()) + " destination" +
       (mine.size() == 1 ? "" : "s") + ")");
  const size_t shown_n = o.verbose ? mine.size() : std::min(mine.size(), kContactsShown);
  for (size_t i = 0; i < shown_n; ++i) {
    const ContactRecord& c = *mine[i];
    std::string dest = c.destination.host.empty() ? endpoint(c.destination.ip, c.destination.port)
                                                  : std::string(c.destination.host) + ":" +
                                                        std::to_string(c.destination.port);
    std::string when = time_on(c.first_contact, d.first_seen);
    if (c.last_contact != c.first_contact) when += " .. " + time_on(c.last_contact, d.first_seen);
    std::string sched = schedule(c);
    line("          " + pad(dest, 38) + pad(c.proto == 6 ? "tcp" : "udp", 5) +
         pad(std::string(c.app), 9) +
         pad(std::to_string(c.flows) + " flow" + (c.flows == 1 ? "" : "s"), 11) + when +
         (sched.empty() ? "" : "  " + st.bold(sched)));
  }
  if (shown_n < mine.size())
    line(st.dim("          ... " + std::to_string(mine.size() - shown_n) +
                " more (--verbose shows all)"));
}

// The verdict of --policy, last so that a CI log ends with it: each rule
// passed or failed, with what it denies and its violations.
template <class Line>
void policy_section(const Report& r, const Options& o, const Style& st, Line& line) {
  const PolicyVerdict& v = *r.verdict;
  std::vector<size_t> count(v.rules.size());
  for (const auto& x : v.violations) ++count[x.rule];
  size_t failed = size_t(std::count_if(count.begin(), count.end(), [](size_t n) { return n; }));
  line("");
  line(st.bold("POLICY " + v.path + ": ") +
       (v.passed() ? st.bold("PASSED") : st.red(st.bold("FAILED"))) + " (" +
       std::to_string(v.violations.size()) + " violation" + (v.violations.size() == 1 ? "" : "s") +
       ", " + std::to_string(failed) + " of " + std::to_string(v.rules.size()) + " rule" +
       (v.rules.size() == 1 ? "" : "s") + " failed)");
  for (size_t i = 0; i < v.rules.size(); ++i) {
    const PolicyRuleInfo& rule = v.rules[i];
    line("  " + (count[i] ? st.red("FAIL") : std::string("pass")) + "  " + rule.name + " [" +
         rule.id + "]: " + std::to_string(count[i]) + " violation" + (count[i] == 1 ? "" : "s"));
    line(st.dim("        denies " + rule.summary +
                (rule.devices.empty() ? "; no device in the capture is in its scope" : "")));
    size_t shown = 0;
    for (const auto& x : v.violations) {
      if (x.rule != i) continue;
      if (shown++ == kViolationsShown && !o.verbose) {
        line(st.dim("        ... " + std::to_string(count[i] - kViolationsShown) +
                    " more (--verbose shows all)"));
        break;
      }
      line("        finding #" + std::to_string(r.findings[x.finding].id) + ": " +
           violation_message(r, x, o.reveal));
    }
  }
}

}  // namespace

void write_text(const Report& r, const Options& o, std::ostream& out) {
  Style st{o.color};
  std::string b;
  auto line = [&](const std::string& s) {
    b += s;
    b += '\n';
  };

  line(st.bold("INPUTS"));
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    const auto& in = r.inputs[i];
    if (!r.input_opened[i]) {
      line("  " + in.path + ": " + st.red("not read"));
    } else {
      line("  " + in.path + ": " + in.format + ", " + capture::linktype_name(in.linktype) + ", " +
           std::to_string(in.packets) + " packets, " + human_bytes(in.bytes) +
           (in.damaged ? ", " + st.red("damaged") : ""));
    }
    for (const auto& e : in.errors) line("    " + st.red("error: ") + e);
    for (const auto& w : in.warnings) line("    warning: " + w);
  }

  line("");
  line(st.bold("DEVICES (" + std::to_string(r.devices.size()) + ")"));
  for (const auto& d : r.devices) {
    std::string id = d.mac ? (o.reveal ? d.mac->to_string() : redact_mac(*d.mac)) : "(no MAC)";
    std::string ips;
    for (const auto& ip : d.ips) ips += (ips.empty() ? "" : ", ") + ip.to_string();
    line("  #" + pad(std::to_string(d.id), 4) + pad(id, 19) + pad(ips, 26) + " " +
         short_time(d.first_seen) + " .. " + time_on(d.last_seen, d.first_seen) + "  " +
         std::to_string(d.flows) + " flow" + (d.flows == 1 ? "" : "s"));
    device_details(d, r, o, st, line);
  }

  line("");
  // Findings first: they are what the reader came for. Low-confidence ones
  // only with --verbose.
  size_t low = 0;
  for (const auto& f : r.findings) low += f.confidence == "low";
  line(st.bold("FINDINGS (" + std::to_string(r.findings.size()) + ")"));
  for (const auto& f : r.findings) {
    if (f.confidence == "low" && !o.verbose) continue;
    std::string dest = f.destination.ip.version ? endpoint(f.destination.ip, f.destination.port)
                                                : std::string("(link layer)");
    if (!f.destination.host.empty()) dest = std::string(f.destination.host) + " " + dest;
    if (std::string where = place(f.destination); !where.empty()) dest += " (" + where + ")";
    std::string clear = f.encrypted.has_value()
                            ? (*f.encrypted ? std::string("encrypted") : st.red("UNENCRYPTED"))
                            : std::string("encryption unknown");
    char since[32];
    std::snprintf(since, sizeof since, "+%.1f s", f.since_device_first_seen_s);
    line("  #" + pad(std::to_string(f.id), 4) + "device " + pad(std::to_string(f.device), 3) +
         pad(std::string(f.data_type), 10) + pad(o.reveal ? f.value : redact(f.value), 22) + "-> " +
         dest + "  " + std::string(f.protocol) + ", " + clear + ", " + since + ", " +
         std::string(f.confidence) + "/" + std::string(f.method));
    if (f.mobile) line(st.dim("        context: " + mobile_line(f)));
    std::string chain;
    for (auto e : f.encodings) chain += (chain.empty() ? "" : " > ") + std::string(e);
    line(st.dim("        why: " + f.rule + "; in " + std::string(f.where) +
                (f.path.empty() ? "" : " " + f.path) + (chain.empty() ? "" : " [" + chain + "]") +
                (f.count > 1 ? "; " + std::to_string(f.count) + " times" : "")));
  }
  if (low > 0 && !o.verbose)
    line(st.dim("  ... " + std::to_string(low) + " low-confidence (--verbose shows them)"));

  line("");
  line(st.bold("FLOWS (" + std::to_string(r.flows.size()) + ")"));
  if (!r.flows.empty()) {
    line(st.dim("  " + pad("#", 6) + pad("dev", 5) + pad("proto", 6) + pad("client", 28) +
                pad("server", 40) + pad("where", 15) + pad("app", 9) + pad("packets up/down", 17) +
                "bytes up/down"));
  }
  size_t shown = o.verbose ? r.flows.size() : std::min(r.flows.size(), kFlowsShown);
  for (size_t i = 0; i < shown; ++i) {
    const auto& f = r.flows[i];
    std::string server = endpoint(f.dst.ip, f.dst.port);
    if (!f.dst.host.empty()) server = std::string(f.dst.host) + " " + server;
    std::string notes;
    for_each_flow_note(
        f.notes, [&](const char* n) { notes += (notes.empty() ? "  " : ",") + std::string(n); });
    line("  " + pad(std::to_string(f.id), 6) + pad(std::to_string(f.device), 5) +
         pad(f.proto == 6 ? "tcp" : "udp", 6) + pad(endpoint(f.src_ip, f.src_port), 28) +
         pad(server, 40) + pad(short_place(f.dst), 15) + pad(std::string(f.app), 9) +
         pad(std::to_string(f.packets_up) + "/" + std::to_string(f.packets_down), 17) +
         human_bytes(f.bytes_up) + "/" + human_bytes(f.bytes_down) + st.dim(notes));
  }
  if (shown < r.flows.size()) {
    line(st.dim("  ... " + std::to_string(r.flows.size() - shown) +
                " more (--verbose shows all; --format jsonl for tools)"));
  }

  line("");
  line(st.bold("SUMMARY"));
  const Stats& s = r.stats;
  line("  " + std::to_string(s.packets) + " packets, " + human_bytes(s.bytes) + ": " +
       std::to_string(s.tcp_packets) + " TCP, " + std::to_string(s.udp_packets) + " UDP, " +
       std::to_string(s.icmp_packets) + " ICMP, " + std::to_string(s.other_packets) +
       " other; capture spans " + std::to_string(int64_t(r.duration_s)) + " s");
  auto counters = [&](const char* title, const Counters& c) {
    if (c.all().empty()) {
      line(std::string("  ") + title + ": none");
      return;
    }
    std::string l = std::string("  ") + title + ":";
    for (const auto& [k, v] : c.all()) l += " " + k + "=" + std::to_string(v);
    line(l);
  };
  counters("malformed/anomalies", s.anomalies);
  counters("dropped on limits", s.drops);
  counters("messages parsed", s.messages);
  for (const auto& w : r.warnings) line("  warning: " + w);
  for (const auto& d : r.data_sources) line("  data: " + d);
  if (r.verdict) policy_section(r, o, st, line);
  out << b;
}

void write(const Report& report, Format format, const Options& options, std::ostream& out) {
  if (format == Format::kText) {
    write_text(report, options, out);
  } else if (format == Format::kSarif) {
    write_sarif(report, options, out);
  } else if (format == Format::kJunit) {
    write_junit(report, options, out);
  } else {
    write_json_records(report, format, options, out);
  }
  out.flush();
}

}  // namespace ph::report
