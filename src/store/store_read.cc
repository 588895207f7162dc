// Reading a phonehome database back into a Report: one run exactly as it
// was reported, or every run together (devices merged by their key).
// JSON list columns are read with SQLite's own json_each(), so the store
// needs no JSON parser.
#include <algorithm>
#include <cctype>
#include <map>

#include "store/store.h"

namespace ph::store {
namespace {

IpAddr parse_ip(const std::string& s) { return s.empty() ? IpAddr{} : IpAddr::parse(s); }

// A MAC as stored: whole, or redacted ("f8:ad:cb:**:**:9b"), whose masked
// octets read as zero. A report redacts it again to the same text; a
// redacted run is never shown with --reveal (Loaded::redacted).
std::optional<MacAddr> parse_mac(const std::string& s) {
  if (s.size() != 17) return std::nullopt;
  MacAddr m;
  for (size_t i = 0; i < 6; ++i) {
    uint8_t v = 0;
    for (size_t j = 0; j < 2; ++j) {
      char c = s[i * 3 + j];
      v = uint8_t(v << 4);
      if (c >= '0' && c <= '9') v |= uint8_t(c - '0');
      if (c >= 'a' && c <= 'f') v |= uint8_t(c - 'a' + 10);
      if (c >= 'A' && c <= 'F') v |= uint8_t(c - 'A' + 10);
    }
    m.b[i] = v;
  }
  return m;
}

// The first column of every row of `sql`, run with `params` bound as ?1, ?2...
template <class... P>
Result<std::vector<int64_t>> integers(sqlite3* db, const char* sql, const P&... params) {
  auto s = prepare(db, sql);
  if (!s) return s.error();
  int i = 0;
  (s->bind(++i, params), ...);
  std::vector<int64_t> out;
  auto r = for_each_row(*s, [&](const Stmt& row) -> Result<void> {
    out.push_back(row.i64(0));
    return {};
  });
  if (!r) return r.error();
  return out;
}

uint8_t proto_number(const std::string& s) { return s == "tcp" ? 6 : 17; }

uint32_t note_bits(const std::vector<std::string>& names) {
  uint32_t bits = 0;
  for (const auto& n : names)
    for (const auto& [bit, name] : kFlowNoteNames)
      if (n == name) bits |= bit;
  return bits;
}

class Reader {
 public:
  explicit Reader(sqlite3* db) : db_(db) {}

  Result<void> init() {
    auto strings = prepare(db_, "SELECT value FROM json_each(?1)");
    auto texts = prepare(db_,
                         "SELECT json_extract(value, '$.text'), json_extract(value, '$.spans') "
                         "FROM json_each(?1)");
    auto pairs = prepare(db_,
                         "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') "
                         "FROM json_each(?1)");
    auto history = prepare(db_,
                           "SELECT json_extract(value, '$.ip'), "
                           "json_extract(value, '$.first_seen_ns'), "
                           "json_extract(value, '$.last_seen_ns'), "
                           "json_extract(value, '$.sources') FROM json_each(?1)");
    for (auto* s : {&strings, &texts, &pairs, &history})
      if (!*s) return s->error();
    strings_ = std::move(*strings);
    texts_ = std::move(*texts);
    pairs_ = std::move(*pairs);
    history_ = std::move(*history);
    return {};
  }

  // Appends run `run` to `out`: device numbers mapped through the merged
  // devices, flow and finding ids and input indexes shifted past what
  // `out` holds already.
  Result<void> read_run(int64_t run, Report& out) {
    run_ = run;
    flow_base_ = out.flows.size();
    finding_base_ = out.findings.size();
    input_base_ = out.inputs.size();
    device_map_.clear();
    for (auto step : {&Reader::run_row, &Reader::inputs, &Reader::counters, &Reader::devices,
                      &Reader::flows, &Reader::findings, &Reader::contacts})
      if (auto r = (this->*step)(out); !r) return r;
    return {};
  }

 private:
  // Runs one of the json_each() statements over `json`, `f` on each row.
  template <class F>
  static Result<void> each(Stmt& stmt, const std::string& json, F&& f) {
    stmt.bind(1, json);
    auto r = for_each_row(stmt, [&](const Stmt& s) -> Result<void> {
      f(s);
      return {};
    });
    stmt.reset();
    return r;
  }

  Result<std::vector<std::string>> strings(const std::string& json) {
    std::vector<std::string> out;
    auto r = each(strings_, json, [&](const Stmt& s) { out.push_back(s.text(0)); });
    if (!r) return r.error();
    return out;
  }

  Result<std::vector<std::pair<uint32_t, uint32_t>>> spans(const std::string& json) {
    std::vector<std::pair<uint32_t, uint32_t>> out;
    auto r = each(pairs_, json,
                  [&](const Stmt& s) { out.emplace_back(uint32_t(s.i64(0)), uint32_t(s.i64(1))); });
    if (!r) return r.error();
    return out;
  }

  Result<std::vector<IdentityText>> texts(const std::string& json) {
    std::vector<std::pair<std::string, std::string>> rows;
    auto r = each(texts_, json, [&](const Stmt& s) { rows.emplace_back(s.text(0), s.text(1)); });
    if (!r) return r.error();
    std::vector<IdentityText> out;
    for (auto& [text, span_json] : rows) {
      auto sp = spans(span_json);
      if (!sp) return sp.error();
      out.push_back({std::move(text), std::move(*sp)});
    }
    return out;
  }

  Result<IdentityText> text(const Stmt& s, int col, int spans_col) {
    auto sp = spans(s.text(spans_col));
    if (!sp) return sp.error();
    return IdentityText{s.text(col), std::move(*sp)};
  }

  Result<Stmt> select(const char* sql) {
    auto s = prepare(db_, sql);
    if (s) s->bind(1, run_);
    return s;
  }

  DestinationRecord destination(const Stmt& s, int i, StringPool& pool) {
    DestinationRecord d;
    d.ip = parse_ip(s.text(i));
    d.port = uint16_t(s.i64(i + 1));
    d.host = pool.intern(s.text(i + 2));
    d.country = pool.intern(s.text(i + 3));
    d.asn = uint32_t(s.i64(i + 4));
    d.org = pool.intern(s.text(i + 5));
    d.scope = pool.intern(s.text(i + 6));
    return d;
  }

  uint64_t device(uint64_t number) const {
    auto it = device_map_.find(number);
    return it == device_map_.end() ? number : it->second;
  }

  Result<void> run_row(Report& out) {
    auto s = select(
        "SELECT duration_s, packets, bytes, ip_packets, tcp_packets, udp_packets, icmp_packets, "
        "other_packets, warnings, data_sources FROM runs WHERE id = ?1");
    if (!s) return s.error();
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) return make_error("no run " + std::to_string(run_) + " in the database");
    out.duration_s += s->real(0);
    Stats& st = out.stats;
    st.packets += s->u64(1);
    st.bytes += s->u64(2);
    st.ip_packets += s->u64(3);
    st.tcp_packets += s->u64(4);
    st.udp_packets += s->u64(5);
    st.icmp_packets += s->u64(6);
    st.other_packets += s->u64(7);
    auto warnings = strings(s->text(8));
    auto sources = strings(s->text(9));
    if (!warnings) return warnings.error();
    if (!sources) return sources.error();
    for (auto& w : *warnings) out.warnings.push_back(std::move(w));
    for (auto& d : *sources)
      if (std::find(out.data_sources.begin(), out.data_sources.end(), d) == out.data_sources.end())
        out.data_sources.push_back(std::move(d));
    return {};
  }

  Result<void> counters(Report& out) {
    auto stmt = select(
        "SELECT kind, name, value FROM run_counters WHERE run_id = ?1 "
        "ORDER BY kind, name");
    if (!stmt) return stmt.error();
    return for_each_row(*stmt, [&](const Stmt& s) -> Result<void> {
      std::string kind = s.text(0);
      Counters& c = kind == "anomaly" ? out.stats.anomalies
                    : kind == "drop"  ? out.stats.drops
                                      : out.stats.messages;
      c.add(s.text(1), s.u64(2));
      return {};
    });
  }

  Result<void> inputs(Report& out) {
    auto stmt = select(
        "SELECT path, opened, format, linktype, packets, bytes, damaged, errors, warnings "
        "FROM inputs WHERE run_id = ?1 ORDER BY position");
    if (!stmt) return stmt.error();
    return for_each_row(*stmt, [&](const Stmt& s) -> Result<void> {
      capture::InputInfo in;
      in.path = s.text(0);
      in.format = s.text(2);
      in.linktype = uint32_t(s.i64(3));
      in.packets = s.u64(4);
      in.bytes = s.u64(5);
      in.damaged = s.i64(6) != 0;
      auto errors = strings(s.text(7));
      auto warnings = strings(s.text(8));
      if (!errors) return errors.error();
      if (!warnings) return warnings.error();
      in.errors = std::move(*errors);
      in.warnings = std::move(*warnings);
      out.inputs.push_back(std::move(in));
      out.input_opened.push_back(s.i64(1) != 0);
      return {};
    });
  }

  Result<void> devices(Report& out) {
    auto stmt = select(
        "SELECT number, device_id, mac, vendor, ips, ip_history, hostname, hostname_spans, "
        "dhcp_vendor_class, dhcp_vendor_class_spans, dhcp_client_id, names, models, "
        "ssdp_servers, user_agents, user_agents_more, ja4, ja4_more, first_seen_ns, "
        "last_seen_ns, flows FROM run_devices WHERE run_id = ?1 ORDER BY number");
    if (!stmt) return stmt.error();
    return for_each_row(*stmt, [&](const Stmt& s) -> Result<void> {
      DeviceRecord d;
      if (!s.is_null(2)) d.mac = parse_mac(s.text(2));
      d.vendor = s.text(3);
      auto ips = strings(s.text(4));
      if (!ips) return ips.error();
      for (const auto& ip : *ips) d.ips.push_back(parse_ip(ip));
      if (auto r = ip_history(s.text(5), d.ip_history); !r) return r;
      auto hostname = text(s, 6, 7);
      auto vendor_class = text(s, 8, 9);
      if (!hostname) return hostname.error();
      if (!vendor_class) return vendor_class.error();
      d.hostname = std::move(*hostname);
      d.dhcp_vendor_class = std::move(*vendor_class);
      d.dhcp_client_id = s.text(10);
      for (auto [col, list] : {std::pair{11, &d.names}, std::pair{12, &d.models},
                               std::pair{13, &d.ssdp_servers}, std::pair{14, &d.user_agents}}) {
        auto t = texts(s.text(col));
        if (!t) return t.error();
        *list = std::move(*t);
      }
      d.user_agents_more = s.u64(15);
      auto ja4 = strings(s.text(16));
      if (!ja4) return ja4.error();
      d.ja4 = std::move(*ja4);
      d.ja4_more = s.u64(17);
      d.first_seen = s.i64(18);
      d.last_seen = s.i64(19);
      d.flows = s.u64(20);
      const uint64_t number = s.u64(0);
      const int64_t global = s.i64(1);
      auto [it, fresh] = merged_.emplace(global, out.devices.size());
      if (fresh) {
        d.id = out.devices.size() + 1;
        out.devices.push_back(std::move(d));
      } else {
        merge(out.devices[it->second], std::move(d));
      }
      device_map_[number] = out.devices[it->second].id;
      return {};
    });
  }

  Result<void> ip_history(const std::string& json, std::vector<IpSighting>& out) {
    return each(history_, json, [&](const Stmt& s) {
      out.push_back({parse_ip(s.text(0)), s.i64(1), s.i64(2), uint8_t(s.i64(3))});
    });
  }

  // The same device in a later run: its times widened, its lists joined.
  static void merge(DeviceRecord& d, DeviceRecord&& o) {
    d.first_seen = std::min(d.first_seen, o.first_seen);
    d.last_seen = std::max(d.last_seen, o.last_seen);
    d.flows += o.flows;
    if (d.vendor.empty()) d.vendor = std::move(o.vendor);
    if (d.hostname.text.empty()) d.hostname = std::move(o.hostname);
    if (d.dhcp_vendor_class.text.empty()) d.dhcp_vendor_class = std::move(o.dhcp_vendor_class);
    if (d.dhcp_client_id.empty()) d.dhcp_client_id = std::move(o.dhcp_client_id);
    for (const auto& ip : o.ips)
      if (std::find(d.ips.begin(), d.ips.end(), ip) == d.ips.end()) d.ips.push_back(ip);
    std::sort(d.ips.begin(), d.ips.end());
    for (const auto& s : o.ip_history) {
      auto it = std::find_if(d.ip_history.begin(), d.ip_history.end(),
                             [&](const IpSighting& x) { return x.ip == s.ip; });
      if (it == d.ip_history.end()) {
        d.ip_history.push_back(s);
      } else {
        it->first_seen = std::min(it->first_seen, s.first_seen);
        it->last_seen = std::max(it->last_seen, s.last_seen);
        it->sources |= s.sources;
      }
    }
    auto join = [](std::vector<IdentityText>& a, std::vector<IdentityText>& b) {
      for (auto& t : b)
        if (std::none_of(a.begin(), a.end(),
                         [&](const IdentityText& x) { return x.text == t.text; }))
          a.push_back(std::move(t));
    };
    join(d.names, o.names);
    join(d.models, o.models);
    join(d.ssdp_servers, o.ssdp_servers);
    join(d.user_agents, o.user_agents);
    d.user_agents_more += o.user_agents_more;
    for (auto& j : o.ja4)
      if (std::find(d.ja4.begin(), d.ja4.end(), j) == d.ja4.end()) d.ja4.push_back(std::move(j));
    d.ja4_more += o.ja4_more;
  }

  Result<void> flows(Report& out) {
    auto stmt = select(
        "SELECT number, device, proto, vlan, src_ip, src_port, dst_ip, dst_port, dst_host, "
        "dst_country, dst_asn, dst_org, dst_scope, app, sni, looks_like, encrypted, packets_up, "
        "packets_down, bytes_up, bytes_down, payload_up, payload_down, first_seen_ns, "
        "last_seen_ns, first_frame, input, notes FROM flows WHERE run_id = ?1 ORDER BY number");
    if (!stmt) return stmt.error();
    StringPool& pool = out.strings;
    return for_each_row(*stmt, [&](const Stmt& s) -> Result<void> {
      FlowRecord& f = out.flows.emplace_back();
      f.id = flow_base_ + s.u64(0);
      f.device = device(s.u64(1));
      f.proto = proto_number(s.text(2));
      f.vlan = uint16_t(s.i64(3));
      f.src_ip = parse_ip(s.text(4));
      f.src_port = uint16_t(s.i64(5));
      f.dst = destination(s, 6, pool);
      f.app = pool.intern(s.text(13));
      f.sni = pool.intern(s.text(14));
      f.looks_like = pool.intern(s.text(15));
      f.encrypted = s.opt_bool(16);
      f.packets_up = s.u64(17);
      f.packets_down = s.u64(18);
      f.bytes_up = s.u64(19);
      f.bytes_down = s.u64(20);
      f.payload_up = s.u64(21);
      f.payload_down = s.u64(22);
      f.first_seen = s.i64(23);
      f.last_seen = s.i64(24);
      f.first_frame = s.u64(25);
      f.input = input_base_ + size_t(s.u64(26));
      auto notes = strings(s.text(27));
      if (!notes) return notes.error();
      f.notes = note_bits(*notes);
      return {};
    });
  }

  Result<void> findings(Report& out) {
    auto stmt = select(
        "SELECT number, device, flow, ts_ns, since_device_first_seen_s, frame, input, "
        "data_type, value, value_sha256, encodings, seen_in, path, method, confidence, rule, "
        "count, dst_ip, dst_port, dst_host, dst_country, dst_asn, dst_org, dst_scope, "
        "has_operator, operator_mcc, operator_mnc, operator_country, operator_name, protocol, "
        "encrypted FROM findings WHERE run_id = ?1 ORDER BY number");
    if (!stmt) return stmt.error();
    StringPool& pool = out.strings;
    return for_each_row(*stmt, [&](const Stmt& s) -> Result<void> {
      FindingRecord& f = out.findings.emplace_back();
      f.id = finding_base_ + s.u64(0);
      f.device = device(s.u64(1));
      f.flow = s.is_null(2) ? 0 : flow_base_ + s.u64(2);
      f.ts = s.i64(3);
      f.since_device_first_seen_s = s.real(4);
      f.frame = s.u64(5);
      f.input = input_base_ + size_t(s.u64(6));
      f.data_type = pool.intern(s.text(7));
      f.value = s.text(8);
      f.value_sha256 = s.text(9);
      auto encodings = strings(s.text(10));
      if (!encodings) return encodings.error();
      for (const auto& e : *encodings) f.encodings.push_back(pool.intern(e));
      f.where = pool.intern(s.text(11));
      f.path = s.text(12);
      f.method = pool.intern(s.text(13));
      f.confidence = pool.intern(s.text(14));
      f.rule = s.text(15);
      f.count = s.u64(16);
      f.destination = destination(s, 17, pool);
      if (s.i64(24)) {
        f.mobile = MobileContext{pool.intern(s.text(25)), pool.intern(s.text(26)),
                                 pool.intern(s.text(27)), pool.intern(s.text(28))};
      }
      f.protocol = pool.intern(s.text(29));
      f.encrypted = s.opt_bool(30);
      return {};
    });
  }

  Result<void> contacts(Report& out) {
    auto stmt = select(
        "SELECT device, proto, dst_ip, dst_port, dst_host, dst_country, dst_asn, dst_org, "
        "dst_scope, addresses, app, first_contact_ns, last_contact_ns, flows, contacts, "
        "period_s, jitter_s, periodic_contacts, missed_beats FROM contacts WHERE run_id = ?1 "
        "ORDER BY position");
    if (!stmt) return stmt.error();
    StringPool& pool = out.strings;
    return for_each_row(*stmt, [&](const Stmt& s) -> Result<void> {
      ContactRecord& c = out.contacts.emplace_back();
      c.device = device(s.u64(0));
      c.proto = proto_number(s.text(1));
      c.destination = destination(s, 2, pool);
      c.addresses = uint32_t(s.i64(9));
      c.app = pool.intern(s.text(10));
      c.first_contact = s.i64(11);
      c.last_contact = s.i64(12);
      c.flows = s.u64(13);
      c.contacts = s.u64(14);
      c.period_s = s.real(15);
      c.jitter_s = s.real(16);
      c.periodic_contacts = uint32_t(s.i64(17));
      c.missed_beats = uint32_t(s.i64(18));
      return {};
    });
  }

  sqlite3* db_;
  Stmt strings_, texts_, pairs_, history_;
  int64_t run_ = 0;
  size_t flow_base_ = 0, finding_base_ = 0, input_base_ = 0;
  std::map<int64_t, size_t> merged_;         // devices.id -> index in Report::devices
  std::map<uint64_t, uint64_t> device_map_;  // this run's device number -> Report id
};

}  // namespace

Result<std::vector<RunRow>> Store::runs() {
  auto s = prepare(db_.get(),
                   "SELECT r.id, r.imported_at, r.revealed, "
                   "(SELECT json_group_array(path) FROM (SELECT path FROM inputs "
                   "WHERE run_id = r.id ORDER BY position)), "
                   "(SELECT count(*) FROM run_devices WHERE run_id = r.id), "
                   "(SELECT count(*) FROM flows WHERE run_id = r.id), "
                   "(SELECT count(*) FROM findings WHERE run_id = r.id) "
                   "FROM runs r ORDER BY r.id");
  if (!s) return s.error();
  auto each = prepare(db_.get(), "SELECT value FROM json_each(?1)");
  if (!each) return each.error();
  std::vector<RunRow> out;
  for (;;) {
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) break;
    RunRow r;
    r.id = s->i64(0);
    r.imported_at = s->text(1);
    r.revealed = s->i64(2) != 0;
    each->bind(1, s->text(3));
    while (true) {
      auto p = each->step();
      if (!p) return p.error();
      if (!*p) break;
      r.inputs.push_back(each->text(0));
    }
    each->reset();
    r.devices = s->u64(4);
    r.flows = s->u64(5);
    r.findings = s->u64(6);
    out.push_back(std::move(r));
  }
  return out;
}

Result<Loaded> Store::load(std::optional<int64_t> run) {
  if (!run) return read_runs(nullptr);
  std::vector<int64_t> one{*run};
  return read_runs(&one);
}

Result<Loaded> Store::load_capture(const std::string& sha256) {
  std::string prefix;
  for (char c : sha256) prefix.push_back(char(std::tolower(static_cast<unsigned char>(c))));
  if (prefix.size() < 6 || prefix.find_first_not_of("0123456789abcdef") != std::string::npos)
    return make_error("a capture is named by its SHA-256, at least its first 6 hex digits");
  auto ids = integers(db_.get(), "SELECT id FROM captures WHERE substr(sha256, 1, ?2) = ?1", prefix,
                      int64_t(prefix.size()));
  if (!ids) return ids.error();
  if (ids->empty()) return make_error("no capture " + prefix + " in the database");
  if (ids->size() > 1)
    return make_error(prefix + " is the start of " + std::to_string(ids->size()) +
                      " captures' SHA-256: give more of it");
  auto selected = integers(
      db_.get(), "SELECT DISTINCT run_id FROM inputs WHERE capture_id = ?1 ORDER BY run_id",
      ids->front());
  if (!selected) return selected.error();
  return read_runs(&*selected);
}

Result<Loaded> Store::read_runs(const std::vector<int64_t>* only) {
  Reader reader(db_.get());
  if (auto r = reader.init(); !r) return r.error();
  // One read transaction: a concurrent writer's run is wholly in or out.
  if (auto r = exec(db_.get(), "BEGIN"); !r) return r.error();
  auto rows = runs();
  if (!rows) {
    (void)exec(db_.get(), "ROLLBACK");
    return rows.error();
  }
  Loaded loaded;
  size_t found = 0;
  for (const auto& row : *rows) {
    if (only && std::find(only->begin(), only->end(), row.id) == only->end()) continue;
    ++found;
    if (!row.revealed) loaded.redacted = true;
    if (auto r = reader.read_run(row.id, loaded.report); !r) {
      (void)exec(db_.get(), "ROLLBACK");
      return r.error();
    }
  }
  (void)exec(db_.get(), "COMMIT");
  if (only && found < only->size()) {
    for (int64_t id : *only)
      if (std::none_of(rows->begin(), rows->end(), [&](const RunRow& r) { return r.id == id; }))
        return make_error("no run " + std::to_string(id) + " in the database");
  }
  // Contacts by device, then first contact, as the engine orders them
  // (one run's are in that order already; the sort is stable).
  auto& contacts = loaded.report.contacts;
  std::stable_sort(contacts.begin(), contacts.end(), [](const auto& a, const auto& b) {
    return a.device != b.device ? a.device < b.device : a.first_contact < b.first_contact;
  });
  return loaded;
}

}  // namespace ph::store
