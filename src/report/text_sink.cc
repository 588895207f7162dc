// The text sink: a summary a person reads at a terminal. Identifiers are
// redacted unless --reveal; colours only when the caller says the output
// is a terminal.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

#include "report/leaks.h"
#include "report/report.h"
#include "report/words.h"

namespace ph::report {
namespace {

constexpr size_t kFlowsShown = 40;  // without --verbose

struct Style {
  bool on;
  std::string bold(const std::string& s) const { return on ? "\033[1m" + s + "\033[0m" : s; }
  std::string red(const std::string& s) const { return on ? "\033[31m" + s + "\033[0m" : s; }
  std::string dim(const std::string& s) const { return on ? "\033[2m" + s + "\033[0m" : s; }
};

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

constexpr size_t kContactsShown = 10;    // per device, without --verbose
constexpr size_t kViolationsShown = 20;  // per rule, without --verbose

std::vector<std::string> shown_all(const std::vector<IdentityText>& list, bool reveal) {
  std::vector<std::string> out;
  out.reserve(list.size());
  for (const auto& t : list) out.push_back(shown(t, reveal));
  return out;
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
    std::string dest = destination_name(c.destination);
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

// Columns padded to their widest cell, two spaces apart; `paint` may
// colour a cell after it is padded (escape codes take no width).
template <class Line, class Paint>
void table(const std::vector<std::vector<std::string>>& rows, const std::string& indent, Line& line,
           Paint paint) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string l = indent;
    for (size_t c = 0; c < rows[i].size(); ++c) {
      bool last = c + 1 == rows[i].size();
      l += paint(i, c, last ? rows[i][c] : pad(rows[i][c], width[c] + 2));
    }
    line(l);
  }
}

// Per device that sent something, a table of data type x destination: the
// answer the reader came for, first.
template <class Line>
void personal_data(const Report& r, const Options& o, const Style& st, Line& line) {
  line(st.bold("PERSONAL DATA"));
  line("  " + headline(r, o.reveal));
  std::vector<LeakRow> rows = leak_rows(r, o.verbose);
  for (size_t i = 0; i < rows.size();) {
    const uint64_t device = rows[i].device;
    const DeviceRecord* dev = find_device(r, device);
    line("");
    if (dev) {
      std::string about;
      if (dev->mac && !dev->hostname.text.empty()) about = shown_mac(*dev->mac, o.reveal);
      if (!dev->vendor.empty()) about += (about.empty() ? "" : ", ") + dev->vendor;
      line("  " + st.bold("device " + device_label(*dev, o.reveal)) +
           (about.empty() ? "" : " (" + about + ")"));
    }
    std::vector<std::vector<std::string>> cells = {{"data", "value", "destination", "where",
                                                    "transport", "first sent", "times",
                                                    "confidence"}};
    std::vector<const LeakRow*> of_device;
    for (; i < rows.size() && rows[i].device == device; ++i) {
      const LeakRow& row = rows[i];
      const FindingRecord& f = *row.first;
      const DestinationRecord& d = f.destination;
      std::string dest = destination_name(d);
      std::string value = row.values == 1 ? (o.reveal ? f.value : redact(f.value))
                                          : std::to_string(row.values) + " values";
      Timestamp day = dev ? dev->first_seen : f.ts;
      cells.push_back(
          {std::string(row.data_type), value, dest, place(d),
           std::string(f.protocol) + " " + transport(row.encrypted),
           time_on(f.ts, day) + " " + since(f.since_device_first_seen_s), std::to_string(row.count),
           std::string(row.strongest->confidence) + "/" + std::string(row.strongest->method)});
      of_device.push_back(&row);
    }
    // The rows, each followed by its strongest evidence.
    std::vector<std::string> printed;
    auto collect = [&](const std::string& l) { printed.push_back(l); };
    table(cells, "    ", collect, [&](size_t row, size_t col, const std::string& cell) {
      if (row == 0) return st.dim(cell);
      if (col == 4 && !of_device[row - 1]->encrypted.value_or(false)) return st.red(cell);
      return cell;
    });
    line(printed[0]);
    for (size_t k = 0; k < of_device.size(); ++k) {
      line(printed[k + 1]);
      const FindingRecord& s = *of_device[k]->strongest;
      if (s.mobile) line(st.dim("      context: " + mobile_line(s)));
      line(st.dim("      evidence: " + (o.reveal ? s.value : redact(s.value)) + ", " +
                  explanation(s)));
    }
  }
  size_t low = 0;
  for (const auto& f : r.findings) low += f.confidence == "low";
  if (low > 0 && !o.verbose)
    line(st.dim("  ... " + counted(low, "low-confidence finding") + " (--verbose shows them)"));
  if (!r.findings.empty() && !o.verbose)
    line(st.dim("  " + counted(r.findings.size(), "finding") +
                " in all: --verbose lists each, --format jsonl for tools"));
}

// One finding in full (--verbose).
template <class Line>
void finding_lines(const FindingRecord& f, const Options& o, const Style& st, Line& line) {
  std::string dest = f.destination.ip.version ? endpoint(f.destination.ip, f.destination.port)
                                              : std::string("(link layer)");
  if (!f.destination.host.empty()) dest = std::string(f.destination.host) + " " + dest;
  if (std::string where = place(f.destination); !where.empty()) dest += " (" + where + ")";
  std::string clear = f.encrypted.has_value() && !*f.encrypted ? st.red(transport(f.encrypted))
                                                               : transport(f.encrypted);
  line("  #" + pad(std::to_string(f.id), 4) + "device " + pad(std::to_string(f.device), 3) +
       pad(std::string(f.data_type), 10) + pad(o.reveal ? f.value : redact(f.value), 22) + "-> " +
       dest + "  " + std::string(f.protocol) + ", " + clear + ", " +
       since(f.since_device_first_seen_s) + ", " + std::string(f.confidence) + "/" +
       std::string(f.method));
  if (f.mobile) line(st.dim("        context: " + mobile_line(f)));
  line(st.dim("        why: " + explanation(f) +
              (f.count > 1 ? "; " + std::to_string(f.count) + " times" : "")));
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
  if (o.quiet) {  // the answer alone, and the verdict
    personal_data(r, o, st, line);
    if (r.verdict) policy_section(r, o, st, line);
    out << b;
    return;
  }

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
  personal_data(r, o, st, line);

  line("");
  line(st.bold("DEVICES (" + std::to_string(r.devices.size()) + ")"));
  for (const auto& d : r.devices) {
    std::string id = d.mac ? shown_mac(*d.mac, o.reveal) : "(no MAC)";
    std::string ips;
    for (const auto& ip : d.ips) ips += (ips.empty() ? "" : ", ") + ip.to_string();
    line("  #" + pad(std::to_string(d.id), 4) + pad(id, 19) + pad(ips, 26) + " " +
         short_time(d.first_seen) + " .. " + time_on(d.last_seen, d.first_seen) + "  " +
         std::to_string(d.flows) + " flow" + (d.flows == 1 ? "" : "s"));
    device_details(d, r, o, st, line);
  }

  if (o.verbose) {
    line("");
    line(st.bold("FINDINGS (" + std::to_string(r.findings.size()) + ")"));
    for (const auto& f : r.findings) finding_lines(f, o, st, line);
  }

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

void write_live_finding(const FindingRecord& f, Format format, const Options& o,
                        std::ostream& out) {
  if (format == Format::kJson || format == Format::kJsonl) {
    write_live_finding_record(f, o, out);
    return;
  }
  Style st{o.color};
  std::string device = f.device_mac ? shown_mac(*f.device_mac, o.reveal) : f.device_ip.to_string();
  const DestinationRecord& d = f.destination;
  std::string dest = destination_name(d);
  if (std::string where = place(d); !where.empty()) dest += " (" + where + ")";
  std::string clear = f.encrypted.has_value() && !*f.encrypted ? st.red(transport(f.encrypted))
                                                               : transport(f.encrypted);
  out << short_time(f.ts).substr(11) << "  " << device << "  " << st.bold(std::string(f.data_type))
      << " " << (o.reveal ? f.value : redact(f.value)) << " -> " << dest << "  " << f.protocol
      << " " << clear << ", " << since(f.since_device_first_seen_s) << ", " << f.confidence << "/"
      << f.method << "\n"
      << st.dim("          why: " + explanation(f)) << "\n";
}

void write_live_violation(const FindingRecord& f, std::string_view rule_id,
                          std::string_view rule_name, Format format, std::ostream& out) {
  if (format == Format::kJson || format == Format::kJsonl) {
    write_live_violation_record(f, rule_id, rule_name, out);
    return;
  }
  out << "          POLICY: violates \"" << rule_name << "\" [" << rule_id << "]\n";
}

void write(const Report& report, Format format, const Options& options, std::ostream& out) {
  if (format == Format::kText) {
    write_text(report, options, out);
  } else if (format == Format::kHtml) {
    write_html(report, options, out);
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
