// The jsonl and json sinks (../shared/spec/output.md). One record is
// built in a reused buffer and written at once, so memory stays flat.
#include <algorithm>
#include <iterator>

#include "report/json_records.h"
#include "report/parallel_lines.h"

namespace ph::report {
namespace {

void opt_string(JsonWriter& w, std::string_view key, std::string_view s) {
  w.key(key);
  if (s.empty()) {
    w.null();
  } else {
    w.value(s);
  }
}

// A timestamp, formatted without allocating (several per record).
template <size_t N>
void time_field(JsonWriter& w, const char (&key)[N], Timestamp ts) {
  char buf[kRfc3339Size];
  w.key(key).plain(format_rfc3339(ts, buf));
}

// An address as a JSON string, formatted without allocating.
void ip_value(JsonWriter& w, const IpAddr& ip) {
  char buf[IpAddr::kTextSize];
  w.plain(ip.format(buf));
}

// The "input" field of flows and findings: each input's path escaped once
// per report, not once per record.
class InputPaths {
 public:
  explicit InputPaths(const Report& r) {
    for (const auto& in : r.inputs) append_json_string(json_.emplace_back(), in.path);
  }
  void field(JsonWriter& w, size_t input) const {
    if (input < json_.size()) w.key("input").raw(json_[input]);
  }

 private:
  std::vector<std::string> json_;
};

// A record id, null when 0 (none).
void opt_id(JsonWriter& w, std::string_view key, uint64_t id) {
  w.key(key);
  if (id) {
    w.value(id);
  } else {
    w.null();
  }
}

void opt_bool(JsonWriter& w, std::string_view key, std::optional<bool> b) {
  w.key(key);
  if (b) {
    w.value(*b);
  } else {
    w.null();
  }
}

void texts(JsonWriter& w, std::string_view key, const std::vector<IdentityText>& list,
           const Options& o) {
  w.key(key).begin_array();
  for (const auto& t : list) w.value(shown(t, o.reveal));
  w.end_array();
}

void device_fields(JsonWriter& w, const DeviceRecord& d, const Options& o) {
  w.field("id", d.id);
  w.key("mac");
  if (d.mac) {
    w.value(shown_mac(*d.mac, o.reveal));
  } else {
    w.null();
  }
  opt_string(w, "vendor", d.vendor);
  w.key("ips").begin_array();
  for (const IpAddr& ip : d.ips) ip_value(w, ip);
  w.end_array();
  opt_string(w, "hostname", shown(d.hostname, o.reveal));
  opt_string(w, "dhcp_vendor_class", shown(d.dhcp_vendor_class, o.reveal));
  texts(w, "user_agents", d.user_agents, o);
  time_field(w, "first_seen", d.first_seen);
  time_field(w, "last_seen", d.last_seen);
  w.field("flows", d.flows);
  // Beyond the contract (README, "Devices").
  w.key("mac_randomized");
  if (d.mac) {
    w.value(d.mac->is_locally_administered());
  } else {
    w.null();
  }
  w.key("ip_history").begin_array();
  for (const IpSighting& s : d.ip_history) {
    w.begin_object();
    w.key("ip");
    ip_value(w, s.ip);
    time_field(w, "first_seen", s.first_seen);
    time_field(w, "last_seen", s.last_seen);
    w.key("sources").begin_array();
    for (size_t i = 0; i < std::size(kIpSourceNames); ++i)
      if (s.sources & (1u << i)) w.value(kIpSourceNames[i]);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  opt_string(w, "dhcp_client_id",
             d.dhcp_client_id.empty() || o.reveal ? d.dhcp_client_id : redact(d.dhcp_client_id));
  texts(w, "names", d.names, o);
  texts(w, "models", d.models, o);
  texts(w, "ssdp_servers", d.ssdp_servers, o);
  w.field("user_agents_more", d.user_agents_more);
  w.key("ja4").begin_array();
  for (const auto& j : d.ja4) w.value(j);
  w.end_array();
  w.field("ja4_more", d.ja4_more);
}

void destination(JsonWriter& w, std::string_view key, const DestinationRecord& d) {
  w.key(key).begin_object();
  w.key("ip");
  if (d.ip.version) {
    ip_value(w, d.ip);
  } else {
    w.null();
  }
  w.field("port", unsigned(d.port));
  opt_string(w, "host", d.host);
  opt_string(w, "country", d.country);
  w.key("asn");
  if (d.asn) {
    w.value(uint64_t(d.asn));
  } else {
    w.null();
  }
  opt_string(w, "org", d.org);
  opt_string(w, "scope", d.scope);
  w.end_object();
}

// The mobile network of an imsi/iccid/cell_id finding.
void mobile(JsonWriter& w, const MobileContext& m) {
  w.key("operator").begin_object();
  opt_string(w, "mcc", m.mcc);
  opt_string(w, "mnc", m.mnc);
  opt_string(w, "country", m.country);
  opt_string(w, "name", m.name);
  w.end_object();
}

void flow_fields(JsonWriter& w, const FlowRecord& f, const InputPaths& inputs) {
  w.field("id", f.id);
  w.field("device", f.device);
  w.field("proto", f.proto == 6 ? "tcp" : "udp");
  w.key("src").begin_object();
  w.key("ip");
  ip_value(w, f.src_ip);
  w.field("port", unsigned(f.src_port));
  w.end_object();
  destination(w, "dst", f.dst);
  if (f.vlan) w.field("vlan", unsigned(f.vlan));
  w.field("app", f.app);
  opt_string(w, "sni", f.sni);
  if (!f.looks_like.empty()) w.field("looks_like", f.looks_like);
  opt_bool(w, "encrypted", f.encrypted);
  w.field("packets_up", f.packets_up).field("packets_down", f.packets_down);
  w.field("bytes_up", f.bytes_up).field("bytes_down", f.bytes_down);
  w.field("payload_up", f.payload_up).field("payload_down", f.payload_down);
  time_field(w, "first_seen", f.first_seen);
  time_field(w, "last_seen", f.last_seen);
  inputs.field(w, f.input);
  w.field("first_frame", f.first_frame);
  w.key("notes").begin_array();
  for_each_flow_note(f.notes, [&](const char* n) { w.value(n); });
  w.end_array();
}

void finding_fields(JsonWriter& w, const FindingRecord& f, const InputPaths& inputs,
                    const Options& o) {
  w.field("id", f.id);
  w.field("device", f.device);
  opt_id(w, "flow", f.flow);
  time_field(w, "ts", f.ts);
  w.key("since_device_first_seen_s").value(f.since_device_first_seen_s, 3);
  w.field("frame", f.frame);
  inputs.field(w, f.input);
  w.field("data_type", f.data_type);
  w.field("value", o.reveal ? f.value : redact(f.value));
  w.field("value_sha256", f.value_sha256);
  w.key("encodings").begin_array();
  for (auto e : f.encodings) w.value(e);
  w.end_array();
  w.field("where", f.where);
  opt_string(w, "path", f.path);
  w.field("method", f.method);
  w.field("confidence", f.confidence);
  w.field("rule", f.rule);
  w.field("count", f.count);
  destination(w, "destination", f.destination);
  if (f.mobile) mobile(w, *f.mobile);
  w.field("protocol", f.protocol);
  opt_bool(w, "encrypted", f.encrypted);
}

void contact_fields(JsonWriter& w, const ContactRecord& c) {
  w.field("device", c.device);
  w.field("proto", c.proto == 6 ? "tcp" : "udp");
  destination(w, "destination", c.destination);
  w.field("addresses", uint64_t(c.addresses));
  w.field("app", c.app);
  time_field(w, "first_contact", c.first_contact);
  time_field(w, "last_contact", c.last_contact);
  w.field("flows", c.flows);
  w.field("contacts", c.contacts);
  w.key("period_s");
  if (c.period_s > 0) {
    w.value(c.period_s, 3);
    w.key("jitter_s").value(c.jitter_s, 3);
  } else {
    w.null();
    w.key("jitter_s").null();
  }
  w.field("periodic_contacts", uint64_t(c.periodic_contacts));
  w.field("missed_beats", uint64_t(c.missed_beats));
}

void counters(JsonWriter& w, std::string_view key, const Counters& c) {
  w.key(key).begin_object();
  for (const auto& [k, v] : c.all()) w.field(k, v);
  w.end_object();
}

void summary_fields(JsonWriter& w, const Report& r) {
  w.field("schema", kSchemaVersion);
  w.key("inputs").begin_array();
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    const auto& in = r.inputs[i];
    w.begin_object();
    w.field("path", in.path);
    opt_string(w, "format", in.format);
    w.key("linktype");
    if (r.input_opened[i] && !in.format.empty()) {
      w.value(capture::linktype_name(in.linktype));
    } else {
      w.null();
    }
    w.field("packets", in.packets).field("bytes", in.bytes);
    w.field("damaged", in.damaged);
    w.key("errors").begin_array();
    for (const auto& e : in.errors) w.value(e);
    w.end_array();
    w.key("warnings").begin_array();
    for (const auto& e : in.warnings) w.value(e);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.field("devices", uint64_t(r.devices.size()));
  w.field("flows", uint64_t(r.flows.size()));
  w.field("findings", uint64_t(r.findings.size()));
  w.field("contacts", uint64_t(r.contacts.size()));
  w.key("duration_s").value(r.duration_s, 3);
  w.key("warnings").begin_array();
  for (const auto& e : r.warnings) w.value(e);
  w.end_array();
  w.key("data_sources").begin_array();
  for (const auto& e : r.data_sources) w.value(e);
  w.end_array();
  const Stats& s = r.stats;
  w.key("packets").begin_object();
  w.field("total", s.packets).field("bytes", s.bytes).field("ip", s.ip_packets);
  w.field("tcp", s.tcp_packets).field("udp", s.udp_packets).field("icmp", s.icmp_packets);
  w.field("other", s.other_packets);
  w.end_object();
  counters(w, "anomalies", s.anomalies);
  counters(w, "drops", s.drops);
  counters(w, "messages", s.messages);
}

// The verdict of --policy: the rules with their devices and violation counts.
void policy_fields(JsonWriter& w, const PolicyVerdict& v) {
  w.field("path", v.path);
  w.field("passed", v.passed());
  w.field("violations", uint64_t(v.violations.size()));
  w.key("rules").begin_array();
  for (size_t i = 0; i < v.rules.size(); ++i) {
    const PolicyRuleInfo& r = v.rules[i];
    w.begin_object();
    w.field("id", r.id).field("name", r.name);
    opt_string(w, "description", r.description);
    w.field("summary", r.summary);
    w.key("devices").begin_array();
    for (uint64_t d : r.devices) w.value(d);
    w.end_array();
    w.field("violations", uint64_t(std::count_if(v.violations.begin(), v.violations.end(),
                                                 [&](const auto& x) { return x.rule == i; })));
    w.end_object();
  }
  w.end_array();
}

void flush(std::string& buf, std::ostream& out) {
  out.write(buf.data(), std::streamsize(buf.size()));
  buf.clear();
}

}  // namespace

void write_live_finding_record(const FindingRecord& f, const Options& o, std::ostream& out) {
  static const Report kNoReport;  // live records name no input file
  std::string buf;
  JsonWriter line(buf);
  line.begin_object().field("kind", "live_finding");
  if (f.device_mac) {
    line.field("device_mac", shown_mac(*f.device_mac, o.reveal));
  } else {
    line.key("device_ip");
    ip_value(line, f.device_ip);
  }
  finding_fields(line, f, InputPaths(kNoReport), o);
  line.end_object();
  buf.push_back('\n');
  out << buf;
}

void violation_fields(JsonWriter& w, const Report& r, const ViolationRecord& v, const Options& o) {
  const PolicyRuleInfo& rule = r.verdict->rules[v.rule];
  const FindingRecord& f = r.findings[v.finding];
  w.field("rule", rule.id).field("rule_name", rule.name);
  w.field("finding", f.id).field("device", f.device);
  opt_id(w, "flow", f.flow);
  time_field(w, "ts", f.ts);
  w.field("frame", f.frame);
  if (f.input < r.inputs.size()) w.field("input", r.inputs[f.input].path);
  w.field("data_type", f.data_type);
  w.field("value", o.reveal ? f.value : redact(f.value));
  w.field("value_sha256", f.value_sha256);
  destination(w, "destination", f.destination);
  w.field("protocol", f.protocol);
  opt_bool(w, "encrypted", f.encrypted);
  w.field("message", violation_message(r, v, o.reveal));
}

void write_live_violation_record(const FindingRecord& f, std::string_view rule_id,
                                 std::string_view rule_name, std::ostream& out) {
  std::string buf;
  JsonWriter line(buf);
  line.begin_object().field("kind", "live_violation").field("rule", rule_id);
  line.field("rule_name", rule_name).field("data_type", f.data_type);
  line.field("value_sha256", f.value_sha256).end_object();
  buf.push_back('\n');
  out << buf;
}

void write_json_records(const Report& r, Format format, const Options& o, std::ostream& out) {
  const InputPaths inputs(r);
  std::string buf;
  JsonWriter w(buf);
  if (format == Format::kJsonl) {
    for (const auto& d : r.devices) {
      JsonWriter line(buf);
      line.begin_object().field("kind", "device");
      device_fields(line, d, o);
      line.end_object();
      buf.push_back('\n');
      flush(buf, out);
    }
    // The long lists are formatted on o.threads threads, written in order.
    write_in_order(
        r.flows.size(), o.threads,
        [&](size_t i, std::string& text) {
          JsonWriter line(text);
          line.begin_object().field("kind", "flow");
          flow_fields(line, r.flows[i], inputs);
          line.end_object();
          text.push_back('\n');
        },
        out);
    write_in_order(
        r.findings.size(), o.threads,
        [&](size_t i, std::string& text) {
          JsonWriter line(text);
          line.begin_object().field("kind", "finding");
          finding_fields(line, r.findings[i], inputs, o);
          line.end_object();
          text.push_back('\n');
        },
        out);
    for (const auto& c : r.contacts) {
      JsonWriter line(buf);
      line.begin_object().field("kind", "contact");
      contact_fields(line, c);
      line.end_object();
      buf.push_back('\n');
      if (buf.size() > (1u << 16)) flush(buf, out);
    }
    if (r.verdict) {
      for (const auto& v : r.verdict->violations) {
        JsonWriter line(buf);
        line.begin_object().field("kind", "violation");
        violation_fields(line, r, v, o);
        line.end_object();
        buf.push_back('\n');
        if (buf.size() > (1u << 16)) flush(buf, out);
      }
      JsonWriter line(buf);
      line.begin_object().field("kind", "policy");
      policy_fields(line, *r.verdict);
      line.end_object();
      buf.push_back('\n');
    }
    JsonWriter line(buf);
    line.begin_object().field("kind", "summary");
    summary_fields(line, r);
    line.end_object();
    buf.push_back('\n');
    flush(buf, out);
    return;
  }
  w.begin_object();
  w.key("summary").begin_object();
  summary_fields(w, r);
  w.end_object();
  w.key("devices").begin_array();
  for (const auto& d : r.devices) {
    w.begin_object();
    device_fields(w, d, o);
    w.end_object();
  }
  w.end_array();
  w.key("flows").begin_array();
  for (const auto& f : r.flows) {
    w.begin_object();
    flow_fields(w, f, inputs);
    w.end_object();
    if (buf.size() > (1u << 16)) flush(buf, out);
  }
  w.end_array();
  w.key("findings").begin_array();
  for (const auto& f : r.findings) {
    w.begin_object();
    finding_fields(w, f, inputs, o);
    w.end_object();
    if (buf.size() > (1u << 16)) flush(buf, out);
  }
  w.end_array();
  w.key("contacts").begin_array();
  for (const auto& c : r.contacts) {
    w.begin_object();
    contact_fields(w, c);
    w.end_object();
    if (buf.size() > (1u << 16)) flush(buf, out);
  }
  w.end_array();
  if (r.verdict) {
    w.key("policy").begin_object();
    policy_fields(w, *r.verdict);
    w.end_object();
    w.key("violations").begin_array();
    for (const auto& v : r.verdict->violations) {
      w.begin_object();
      violation_fields(w, r, v, o);
      w.end_object();
      if (buf.size() > (1u << 16)) flush(buf, out);
    }
    w.end_array();
  }
  w.end_object();
  buf.push_back('\n');
  flush(buf, out);
}

}  // namespace ph::report
