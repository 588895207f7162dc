// The HTML sink: one self-contained page for a person who did not run the
// tool (an editor, a data-protection officer). Everything is inline (CSS,
// an SVG timeline, a few lines of script for the flow search) and a
// Content-Security-Policy forbids the page from fetching anything, so it
// opens offline and cannot call home itself. Identifiers are redacted
// unless --reveal, as in every sink.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "report/leaks.h"
#include "report/markup.h"
#include "report/report.h"
#include "report/words.h"

namespace ph::report {
namespace {

constexpr size_t kFlowRowsMax = 5000;      // a page stays usable; jsonl has them all
constexpr size_t kFindingRowsMax = 5000;   // likewise
constexpr size_t kTimelineRowsMax = 16;    // destinations drawn per device
constexpr size_t kTimelineMarksMax = 400;  // contact ticks per destination row

// Text into HTML (always inside elements or quoted attributes).
std::string esc(std::string_view s) { return xml(s, true); }

std::string value_shown(const FindingRecord& f, const Options& o) {
  return o.reveal ? f.value : redact(f.value);
}

std::string mac_shown(const std::optional<MacAddr>& mac, const Options& o) {
  if (!mac) return {};
  return shown_mac(*mac, o.reveal);
}

std::string transport_cell(const std::optional<bool>& encrypted) {
  const char* cls = !encrypted ? "unknown" : *encrypted ? "enc" : "clear";
  return "<td class=\"" + std::string(cls) + "\">" + transport(encrypted) + "</td>";
}

const char* kStyle = R"css(
:root{--fg:#1b1f23;--muted:#5b6570;--line:#d8dde3;--bg:#fff;--card:#f6f8fa;--red:#b42318;--amber:#b54708;--green:#067647}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1200px;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:16px;margin:0 0 6px}
.headline{font-size:18px;font-weight:600;margin:12px 0}
.headline.bad{color:var(--red)}
.muted,small{color:var(--muted)}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0 12px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--card);font-weight:600;position:sticky;top:0}
td.clear{color:var(--red);font-weight:600}td.enc{color:var(--green)}td.unknown{color:var(--muted)}
td.num{text-align:right;font-variant-numeric:tabular-nums}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.cards{display:grid;grid-template-columns:1fr;gap:14px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card.leaks{border-left:5px solid var(--red)}
.card dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:6px 0}
.scroll{overflow-x:auto}td{overflow-wrap:anywhere}
.card dt{color:var(--muted)}.card dd{margin:0;overflow-wrap:anywhere}
.evidence{color:var(--muted);font-size:12px}
svg.timeline{width:100%;height:auto;background:#fff;border:1px solid var(--line);border-radius:6px}
svg text{font:11px system-ui,sans-serif;fill:var(--fg)}
.legend span{margin-right:14px;font-size:12px}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:4px;vertical-align:middle}
input[type=search]{font:inherit;padding:6px 10px;width:min(480px,100%);border:1px solid var(--line);border-radius:6px}
tr.low td{color:var(--muted)}
footer{margin-top:40px;font-size:12px;color:var(--muted);border-top:1px solid var(--line);padding-top:8px}
@media print{th{position:static}.cards{display:block}.card{break-inside:avoid;margin-bottom:10px}}
)css";

// The search box filters the flow table by substring; a link may carry the
// search in its fragment (report.html#search=zzhc) to show a colleague.
const char* kScript = R"js(
(function () {
  var box = document.getElementById('flow-search');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#flow-table tbody tr'));
  var count = document.getElementById('flow-count');
  function apply() {
    var q = box.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (r) {
      var hit = q === '' || r.textContent.toLowerCase().indexOf(q) !== -1;
      r.hidden = !hit;
      if (hit) shown++;
    });
    count.textContent = shown + ' of ' + rows.length + ' flows shown';
  }
  box.addEventListener('input', apply);
  var m = /(?:^#|&)search=([^&]*)/.exec(window.location.hash);
  if (m) box.value = decodeURIComponent(m[1]);
  apply();
  document.body.setAttribute('data-ready', 'yes');
})();
)js";

struct Page {
  std::string b;
  void raw(std::string_view s) { b += s; }
  void text(std::string_view s) { b += esc(s); }
  // <tag>escaped text</tag>
  void el(const char* tag, std::string_view s, const char* attrs = "") {
    b += "<";
    b += tag;
    b += attrs;
    b += ">";
    b += esc(s);
    b += "</";
    b += tag;
    b += ">";
  }
  void td(std::string_view s, const char* attrs = "") { el("td", s, attrs); }
};

void header(const Report& r, const Options& o, Page& p) {
  const bool bad = std::any_of(r.findings.begin(), r.findings.end(),
                               [](const FindingRecord& f) { return f.confidence != "low"; });
  p.raw("<header><h1>phonehome report</h1>");
  p.el("p", headline(r, o.reveal),
       bad ? " class=\"headline bad\" id=\"headline\"" : " class=\"headline\" id=\"headline\"");
  std::string inputs;
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    const auto& in = r.inputs[i];
    inputs += (inputs.empty() ? "" : "; ") + in.path;
    if (i < r.input_opened.size() && !r.input_opened[i]) {
      inputs += " (not read)";
    } else {
      inputs += " (" + std::to_string(in.packets) + " packets, " + human_bytes(in.bytes) +
                (in.damaged ? ", damaged" : "") + ")";
    }
  }
  p.el("p", "Capture: " + inputs, " class=\"muted\"");
  std::string span;
  if (!r.devices.empty()) {
    Timestamp first = r.devices.front().first_seen, last = r.devices.front().last_seen;
    for (const auto& d : r.devices) {
      first = std::min(first, d.first_seen);
      last = std::max(last, d.last_seen);
    }
    span = short_time(first) + " to " + short_time(last) + " UTC; ";
  }
  p.el("p",
       span + counted(r.devices.size(), "device") + ", " + counted(r.flows.size(), "flow") + ", " +
           counted(r.findings.size(), "finding") + ". " +
           (o.reveal ? "Identifiers are shown in full (--reveal)."
                     : "Identifiers are redacted; each finding's SHA-256 is in the JSON output."),
       " class=\"muted\"");
  p.raw("</header>\n");
}

void device_cards(const Report& r, const Options& o, const std::vector<LeakRow>& rows, Page& p) {
  p.raw("<section id=\"devices\"><h2>Devices</h2><div class=\"cards\">\n");
  // Devices that sent personal data first, each group in id order.
  std::vector<const DeviceRecord*> order;
  for (const auto& d : r.devices) order.push_back(&d);
  std::set<uint64_t> senders;
  for (const auto& row : rows) senders.insert(row.device);
  auto sent = [&](const DeviceRecord* d) { return senders.count(d->id) > 0; };
  std::stable_partition(order.begin(), order.end(), sent);
  for (const DeviceRecord* dp : order) {
    const DeviceRecord& d = *dp;
    auto lo = std::lower_bound(rows.begin(), rows.end(), d.id,
                               [](const LeakRow& l, uint64_t id) { return l.device < id; });
    const bool leaks = lo != rows.end() && lo->device == d.id;
    p.raw(leaks ? "<article class=\"card leaks\" id=\"device-"
                : "<article class=\"card\" id=\"device-");
    p.raw(std::to_string(d.id) + "\">");
    p.el("h3", "Device " + device_label(d, o.reveal));
    p.raw("<dl>");
    auto item = [&](const char* k, const std::string& v) {
      if (v.empty()) return;
      p.el("dt", k);
      p.el("dd", v);
    };
    item("MAC", mac_shown(d.mac, o));
    item("Vendor", !d.vendor.empty() ? d.vendor
                   : d.mac && d.mac->is_locally_administered()
                       ? "randomized or locally administered MAC"
                       : "");
    item("Host name", shown(d.hostname, o.reveal));
    std::vector<std::string> v;
    for (const auto& t : d.names)
      if (t.text != d.hostname.text) v.push_back(shown(t, o.reveal));
    item("Other names", join(v));
    v.clear();
    for (const auto& t : d.models) v.push_back(shown(t, o.reveal));
    item("Models", join(v));
    item("DHCP vendor class", shown(d.dhcp_vendor_class, o.reveal));
    v.clear();
    for (const auto& t : d.user_agents) v.push_back(shown(t, o.reveal));
    item("User-Agents", join(v, " | "));
    item("TLS (JA4)", join(d.ja4));
    v.clear();
    for (const auto& ip : d.ips) v.push_back(ip.to_string());
    item("Addresses", join(v));
    item("Seen", short_time(d.first_seen) + " to " + time_on(d.last_seen, d.first_seen) + ", " +
                     counted(d.flows, "flow"));
    p.raw("</dl>");
    if (leaks) {
      p.raw(
          "<table class=\"leaks\"><thead><tr><th>Data</th><th>Value</th><th>Sent to</th>"
          "<th>Where</th><th>Transport</th><th>First</th><th>Times</th><th>Confidence</th>"
          "</tr></thead><tbody>");
      for (auto it = lo; it != rows.end() && it->device == d.id; ++it) {
        const FindingRecord& f = *it->first;
        const FindingRecord& s = *it->strongest;
        p.raw("<tr>");
        p.td(std::string(it->data_type));
        p.td(it->values == 1 ? value_shown(f, o) : std::to_string(it->values) + " values",
             " class=\"mono\"");
        p.td(destination_name(f.destination));
        p.td(place(f.destination));
        p.raw(transport_cell(it->encrypted));
        p.td(time_on(f.ts, d.first_seen) + " (" + since(f.since_device_first_seen_s) + ")");
        p.td(std::to_string(it->count), " class=\"num\"");
        p.td(std::string(s.confidence) + "/" + std::string(s.method));
        p.raw("</tr><tr><td></td><td colspan=\"7\" class=\"evidence\">");
        std::string ev = "Evidence: " + value_shown(s, o) + ", " + explanation(s);
        if (s.mobile) ev += ". " + mobile_line(s);
        p.text(ev);
        p.raw("</td></tr>");
      }
      p.raw("</tbody></table>");
    } else {
      p.el("p", "No personal data found in what this device sent.", " class=\"muted\"");
    }
    p.raw("</article>\n");
  }
  p.raw("</div></section>\n");
}

// One SVG per device: a row per destination (most contacted first), a tick
// for each flow it started, a dot for each finding (red in clear, amber
// encrypted), on a time axis from the device's first to last sighting.
void timeline(const Report& r, const Options& o, Page& p) {
  p.raw(
      "<section id=\"timeline\"><h2>Timeline of contacts and leaks</h2>"
      "<p class=\"legend\"><span><i class=\"dot\" style=\"background:#8a96a3\"></i>flow "
      "started</span><span><i class=\"dot\" style=\"background:#b42318\"></i>personal data, "
      "unencrypted</span><span><i class=\"dot\" style=\"background:#dc6803\"></i>personal data, "
      "encrypted or unknown</span></p>\n");
  // Flows and findings by device, once (device ids are 1..n).
  std::vector<std::vector<const FlowRecord*>> flows_of(r.devices.size() + 1);
  std::vector<std::vector<const FindingRecord*>> findings_of(r.devices.size() + 1);
  for (const auto& f : r.flows)
    if (f.device < flows_of.size()) flows_of[f.device].push_back(&f);
  for (const auto& f : r.findings)
    if (f.device < findings_of.size() && f.confidence != "low") findings_of[f.device].push_back(&f);
  for (const auto& d : r.devices) {
    if (d.id >= flows_of.size()) continue;
    // Rows: destinations by number of flows, then name.
    std::map<std::string, size_t> flows_to;
    for (const FlowRecord* f : flows_of[d.id]) flows_to[destination_name(f->dst)] += 1;
    for (const FindingRecord* f : findings_of[d.id])
      flows_to.try_emplace(destination_name(f->destination), 0);
    if (flows_to.empty()) continue;
    std::vector<std::pair<std::string, size_t>> order(flows_to.begin(), flows_to.end());
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    if (order.size() > kTimelineRowsMax) order.resize(kTimelineRowsMax);
    std::map<std::string, size_t> row_of;
    for (size_t i = 0; i < order.size(); ++i) row_of[order[i].first] = i;

    // In integer nanoseconds relative to the first sighting: a double holds
    // today's epoch nanoseconds only to ~256 ns, so a device seen for one
    // instant would otherwise divide zero by zero.
    const Timestamp span = std::max<Timestamp>(d.last_seen - d.first_seen, 1);
    constexpr int kLeft = 250, kWidth = 1100, kRowH = 22, kTop = 24;
    const int height = kTop + int(order.size()) * kRowH + 26;
    auto x = [&](Timestamp ts) {
      double f = double(ts - d.first_seen) / double(span);
      return kLeft + std::clamp(f, 0.0, 1.0) * (kWidth - kLeft - 10);
    };
    char buf[256];
    p.raw("<h3>Device " + esc(device_label(d, o.reveal)) + "</h3>");
    std::snprintf(buf, sizeof buf,
                  "<svg class=\"timeline\" data-device=\"%llu\" viewBox=\"0 0 %d %d\" "
                  "role=\"img\">",
                  static_cast<unsigned long long>(d.id), kWidth, height);
    p.raw(buf);
    for (size_t i = 0; i < order.size(); ++i) {
      const int y = kTop + int(i) * kRowH;
      std::snprintf(buf, sizeof buf,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#eef1f4\"/>"
                    "<text x=\"4\" y=\"%d\">",
                    kLeft, kWidth - 10, y + kRowH / 2, y + kRowH / 2, y + kRowH / 2 + 4);
      p.raw(buf);
      std::string label = order[i].first;
      if (label.size() > 38) label = label.substr(0, 36) + "…";
      p.text(label);
      p.raw("</text>");
    }
    std::vector<size_t> marks(order.size(), 0);
    for (const FlowRecord* fp : flows_of[d.id]) {
      const FlowRecord& f = *fp;
      auto it = row_of.find(destination_name(f.dst));
      if (it == row_of.end() || marks[it->second]++ >= kTimelineMarksMax) continue;
      const int y = kTop + int(it->second) * kRowH;
      std::snprintf(buf, sizeof buf,
                    "<rect class=\"flow\" x=\"%.1f\" y=\"%d\" width=\"2\" height=\"12\" "
                    "fill=\"#8a96a3\"/>",
                    x(f.first_seen), y + 5);
      p.raw(buf);
    }
    for (const FindingRecord* fp : findings_of[d.id]) {
      const FindingRecord& f = *fp;
      auto it = row_of.find(destination_name(f.destination));
      if (it == row_of.end()) continue;
      const int y = kTop + int(it->second) * kRowH;
      const bool clear = f.encrypted.has_value() && !*f.encrypted;
      std::snprintf(buf, sizeof buf,
                    "<circle class=\"leak\" cx=\"%.1f\" cy=\"%d\" r=\"5\" fill=\"%s\">", x(f.ts),
                    y + kRowH / 2, clear ? "#b42318" : "#dc6803");
      p.raw(buf);
      p.el("title", std::string(f.data_type) + " " + since(f.since_device_first_seen_s) + ", " +
                        transport(f.encrypted));
      p.raw("</circle>");
    }
    const int axis = kTop + int(order.size()) * kRowH + 16;
    std::snprintf(buf, sizeof buf,
                  "<text x=\"%d\" y=\"%d\">%s</text><text x=\"%d\" y=\"%d\" "
                  "text-anchor=\"end\">%s (+%s)</text>",
                  kLeft, axis, short_time(d.first_seen).c_str(), kWidth - 10, axis,
                  time_on(d.last_seen, d.first_seen).c_str(),
                  human_duration(double(span) / 1e9).c_str());
    p.raw(buf);
    p.raw("</svg>\n");
  }
  p.raw("</section>\n");
}

// Where the traffic went: per country and organisation, the flows, bytes
// sent, host names and which personal data arrived there.
void destinations(const Report& r, Page& p) {
  struct Place {
    std::string country, org;
    uint64_t flows = 0, bytes_up = 0;
    std::set<std::string> hosts;
    std::set<std::string> data;
    bool clear = false;
  };
  std::map<std::pair<std::string, std::string>, Place> places;
  auto key_of = [](const DestinationRecord& d) {
    std::string country = d.scope == "public"
                              ? (d.country.empty() ? "unknown" : country_name(d.country))
                              : (d.scope.empty() ? "link layer" : std::string(d.scope));
    std::string org =
        d.asn ? "AS" + std::to_string(d.asn) + (d.org.empty() ? "" : " " + std::string(d.org)) : "";
    return std::make_pair(country, org);
  };
  for (const auto& f : r.flows) {
    Place& pl = places[key_of(f.dst)];
    pl.flows += 1;
    pl.bytes_up += f.payload_up;
    if (!f.dst.host.empty() && pl.hosts.size() < 8) pl.hosts.insert(std::string(f.dst.host));
  }
  for (const auto& f : r.findings) {
    if (f.confidence == "low") continue;
    Place& pl = places[key_of(f.destination)];
    pl.data.insert(std::string(f.data_type));
    pl.clear |= f.encrypted.has_value() && !*f.encrypted;
  }
  std::vector<std::pair<std::pair<std::string, std::string>, Place>> order(places.begin(),
                                                                           places.end());
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    if (a.second.data.empty() != b.second.data.empty()) return !a.second.data.empty();
    return a.second.flows > b.second.flows;
  });
  p.raw(
      "<section id=\"destinations\"><h2>Destinations by country and organisation</h2>"
      "<div class=\"scroll\"><table id=\"destination-table\"><thead><tr><th>Country or "
      "scope</th><th>Organisation"
      "</th><th>Flows</th><th>Bytes sent</th><th>Host names</th><th>Personal data received"
      "</th></tr></thead><tbody>");
  for (const auto& [key, pl] : order) {
    p.raw("<tr>");
    p.td(key.first);
    p.td(key.second);
    p.td(std::to_string(pl.flows), " class=\"num\"");
    p.td(human_bytes(pl.bytes_up), " class=\"num\"");
    p.td(join(std::vector<std::string>(pl.hosts.begin(), pl.hosts.end())));
    std::string data = join(std::vector<std::string>(pl.data.begin(), pl.data.end()));
    if (!data.empty() && pl.clear) data += " (some unencrypted)";
    p.td(data, pl.clear ? " class=\"clear\"" : "");
    p.raw("</tr>");
  }
  p.raw("</tbody></table></div></section>\n");
}

void findings(const Report& r, const Options& o, Page& p) {
  p.raw("<section id=\"findings\"><h2>Findings</h2>");
  p.el("p",
       "Each piece of personal data in each message, with why it was flagged. Low-confidence "
       "findings are greyed.",
       " class=\"muted\"");
  p.raw(
      "<div class=\"scroll\"><table "
      "id=\"finding-table\"><thead><tr><th>#</th><th>Time</th><th>Device</th>"
      "<th>Data</th><th>Value</th><th>Destination</th><th>Where</th><th>Transport</th>"
      "<th>Confidence</th><th>Why flagged</th></tr></thead><tbody>");
  size_t n = 0;
  for (const auto& f : r.findings) {
    if (n++ == kFindingRowsMax) break;
    const DeviceRecord* d = find_device(r, f.device);
    p.raw(f.confidence == "low" ? "<tr class=\"low\">" : "<tr>");
    p.td(std::to_string(f.id), " class=\"num\"");
    p.td(short_time(f.ts) + " (" + since(f.since_device_first_seen_s) + ")");
    p.td(d ? device_label(*d, o.reveal) : "#" + std::to_string(f.device));
    p.td(std::string(f.data_type));
    p.td(value_shown(f, o), " class=\"mono\"");
    p.td(destination_name(f.destination));
    p.td(place(f.destination));
    p.raw(transport_cell(f.encrypted));
    p.td(std::string(f.confidence) + "/" + std::string(f.method));
    p.td(explanation(f) + (f.count > 1 ? "; " + std::to_string(f.count) + " times" : "") +
         (f.mobile ? ". " + mobile_line(f) : ""));
    p.raw("</tr>\n");
  }
  p.raw("</tbody></table></div>");
  if (r.findings.size() > kFindingRowsMax)
    p.el("p",
         std::to_string(r.findings.size() - kFindingRowsMax) +
             " more findings are in the JSON output (--format jsonl).",
         " class=\"muted\"");
  p.raw("</section>\n");
}

void flows(const Report& r, Page& p) {
  p.raw(
      "<section id=\"flows\"><h2>Flows</h2>"
      "<p><input type=\"search\" id=\"flow-search\" placeholder=\"Search flows: host, "
      "address, app, country...\" aria-label=\"Search flows\"> <small id=\"flow-count\">"
      "</small></p><div class=\"scroll\"><table "
      "id=\"flow-table\"><thead><tr><th>#</th><th>Device</th><th>Start"
      "</th><th>Proto</th><th>Client</th><th>Server</th><th>Where</th><th>App</th>"
      "<th>Transport</th><th>Packets up/down</th><th>Bytes up/down</th><th>Notes</th></tr>"
      "</thead><tbody>\n");
  size_t n = 0;
  for (const auto& f : r.flows) {
    if (n++ == kFlowRowsMax) break;
    p.raw("<tr>");
    p.td(std::to_string(f.id), " class=\"num\"");
    p.td("#" + std::to_string(f.device));
    p.td(short_time(f.first_seen));
    p.td(f.proto == 6 ? "tcp" : f.proto == 17 ? "udp" : std::to_string(f.proto));
    p.td(endpoint(f.src_ip, f.src_port));
    p.td(destination_name(f.dst) + (f.dst.host.empty() ? "" : " (" + f.dst.ip.to_string() + ")"));
    p.td(place(f.dst));
    p.td(std::string(f.app));
    p.raw(transport_cell(f.encrypted));
    p.td(std::to_string(f.packets_up) + "/" + std::to_string(f.packets_down), " class=\"num\"");
    p.td(human_bytes(f.bytes_up) + "/" + human_bytes(f.bytes_down), " class=\"num\"");
    std::string notes;
    for_each_flow_note(f.notes, [&](const char* name) {
      notes += (notes.empty() ? "" : ", ") + std::string(name);
    });
    p.td(notes);
    p.raw("</tr>\n");
  }
  p.raw("</tbody></table></div>");
  if (r.flows.size() > kFlowRowsMax)
    p.el("p",
         "The first " + std::to_string(kFlowRowsMax) + " of " + std::to_string(r.flows.size()) +
             " flows; all are in the JSON output.",
         " class=\"muted\"");
  p.raw("</section>\n");
}

void summary(const Report& r, Page& p) {
  const Stats& s = r.stats;
  p.raw("<section id=\"summary\"><h2>What was read</h2>");
  p.el("p", std::to_string(s.packets) + " packets, " + human_bytes(s.bytes) + ": " +
                std::to_string(s.tcp_packets) + " TCP, " + std::to_string(s.udp_packets) +
                " UDP, " + std::to_string(s.icmp_packets) + " ICMP, " +
                std::to_string(s.other_packets) + " other.");
  auto counters = [&](const char* title, const Counters& c) {
    std::string l;
    for (const auto& [k, v] : c.all()) l += (l.empty() ? "" : ", ") + k + " " + std::to_string(v);
    p.el("p", std::string(title) + ": " + (l.empty() ? "none" : l));
  };
  counters("Malformed input and anomalies", s.anomalies);
  counters("Dropped on limits", s.drops);
  counters("Messages parsed", s.messages);
  for (size_t i = 0; i < r.inputs.size(); ++i)
    for (const auto& e : r.inputs[i].errors)
      p.el("p", r.inputs[i].path + ": " + e, " class=\"clear\"");
  for (const auto& w : r.warnings) p.el("p", "Warning: " + w);
  p.raw("</section>\n");
}

void credits(const Report& r, Page& p) {
  p.raw("<footer id=\"credits\"><p>Made by phonehome " PHONEHOME_VERSION
        " from the capture alone, offline. Data sources:</p><ul>");
  bool dbip = false;
  for (const auto& d : r.data_sources) {
    p.el("li", d);
    dbip |= d.find("DB-IP") != std::string::npos;
  }
  if (r.data_sources.empty()) p.el("li", "no GeoIP data was used");
  p.raw(
      "<li>Device vendors: IEEE Registration Authority OUI registries.</li>"
      "<li>Mobile networks (MCC/MNC): mobile-broadband-provider-info.</li>");
  // DB-IP's licence asks pages showing its results to link to it (a link,
  // not a fetch: the page still loads nothing).
  if (dbip) p.raw("<li><a href=\"https://db-ip.com\">IP Geolocation by DB-IP</a></li>");
  p.raw("</ul></footer>\n");
}

}  // namespace

void write_html(const Report& r, const Options& o, std::ostream& out) {
  Page p;
  p.raw(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<meta name=\"generator\" content=\"phonehome " PHONEHOME_VERSION
      "\">"
      "<title>phonehome report</title><style>");
  p.raw(kStyle);
  p.raw("</style></head><body>\n");
  std::vector<LeakRow> rows = leak_rows(r, false);
  header(r, o, p);
  device_cards(r, o, rows, p);
  timeline(r, o, p);
  destinations(r, p);
  findings(r, o, p);
  flows(r, p);
  summary(r, p);
  credits(r, p);
  p.raw("<script>");
  p.raw(kScript);
  p.raw("</script></body></html>\n");
  out << p.b;
}

}  // namespace ph::report
