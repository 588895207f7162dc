// Opening a phonehome database (schema creation and version checks),
// storing a run in one transaction, and the content hash of captures.
// Reading runs back into a Report is in store_read.cc.
#include "store/store.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "base/crypto.h"
#include "report/json_writer.h"
#include "report/report.h"
#include "store/schema.h"

namespace ph::store {
namespace {

// What the file says it is, read in one statement so that the three come
// from one snapshot (another phonehome may be creating the schema).
struct Header {
  int64_t application_id = 0, user_version = 0, tables = 0;
};
Result<Header> read_header(sqlite3* db) {
  auto s = prepare(db,
                   "SELECT (SELECT application_id FROM pragma_application_id()), "
                   "(SELECT user_version FROM pragma_user_version()), "
                   "(SELECT count(*) FROM sqlite_schema)");
  if (!s) return s.error();
  auto row = s->step();
  if (!row) return row.error();
  return Header{s->i64(0), s->i64(1), s->i64(2)};
}

Result<void> create_schema(sqlite3* db) {
  if (auto r = exec(db, "BEGIN IMMEDIATE"); !r) return r;
  // Another phonehome may have created it while this one waited for the lock.
  auto header = read_header(db);
  if (!header || header->tables > 0) {
    (void)exec(db, "ROLLBACK");
    return header ? Result<void>() : Result<void>(header.error());
  }
  auto r = exec(db, kSchemaSql);
  if (r) {
    std::string pragmas = "PRAGMA application_id = " + std::to_string(kApplicationId) +
                          "; PRAGMA user_version = " + std::to_string(kSchemaVersion) + ";";
    r = exec(db, pragmas.c_str());
  }
  if (!r) {
    (void)exec(db, "ROLLBACK");
    return r;
  }
  return exec(db, "COMMIT");
}

std::string json_strings(const std::vector<std::string>& list) {
  std::string out;
  report::JsonWriter w(out);
  w.begin_array();
  for (const auto& s : list) w.value(s);
  w.end_array();
  return out;
}

std::string json_spans(const IdentityText& t) {
  std::string out;
  report::JsonWriter w(out);
  w.begin_array();
  for (const auto& [offset, length] : t.identifiers)
    w.begin_array().value(uint64_t(offset)).value(uint64_t(length)).end_array();
  w.end_array();
  return out;
}

// A list of names as the report shows them, with the identifier spans
// kept so that a revealed run can still be shown redacted.
std::string json_texts(const std::vector<IdentityText>& list, bool reveal) {
  std::string out;
  report::JsonWriter w(out);
  w.begin_array();
  for (const auto& t : list) {
    w.begin_object().field("text", report::shown(t, reveal));
    w.key("spans").raw(json_spans(t));
    w.end_object();
  }
  w.end_array();
  return out;
}

std::string json_ip_history(const std::vector<IpSighting>& list) {
  std::string out;
  report::JsonWriter w(out);
  w.begin_array();
  for (const auto& s : list) {
    w.begin_object().field("ip", s.ip.to_string());
    w.field("first_seen_ns", int64_t(s.first_seen)).field("last_seen_ns", int64_t(s.last_seen));
    w.field("sources", unsigned(s.sources)).end_object();
  }
  w.end_array();
  return out;
}

std::string json_notes(uint32_t bits) {
  std::string out;
  report::JsonWriter w(out);
  w.begin_array();
  for_each_flow_note(bits, [&](const char* n) { w.value(n); });
  w.end_array();
  return out;
}

std::string json_views(const std::vector<std::string_view>& list) {
  std::string out;
  report::JsonWriter w(out);
  w.begin_array();
  for (auto s : list) w.value(s);
  w.end_array();
  return out;
}

// The keys the engine gave the devices (MAC, else the IP of the device's
// first flow or, for one seen only in EAPOL, of its first finding),
// hashed, by device id - 1: devices of different runs are one when equal.
std::vector<std::string> identity_hashes(const Report& r) {
  std::vector<IpAddr> key_ip(r.devices.size());
  auto note = [&](uint64_t device, const IpAddr& ip) {
    if (device >= 1 && device <= key_ip.size() && !key_ip[device - 1].version)
      key_ip[device - 1] = ip;
  };
  for (const auto& f : r.flows) note(f.device, f.src_ip);
  for (const auto& f : r.findings) note(f.device, f.device_ip);
  std::vector<std::string> out;
  for (size_t i = 0; i < r.devices.size(); ++i) {
    const DeviceRecord& d = r.devices[i];
    IpAddr ip = key_ip[i];
    if (!ip.version && !d.ip_history.empty()) ip = d.ip_history.front().ip;
    std::string key = d.mac ? "mac:" + d.mac->to_string() : "ip:" + ip.to_string();
    out.push_back(crypto::digest_hex(crypto::sha256(), key));
  }
  return out;
}

// The run's key: SHA-256 over its inputs' hashes, sorted (the same files
// in another order are the same data); empty when an input has none.
std::string inputs_key(const RunInfo& info, size_t inputs) {
  if (info.input_sha256.size() != inputs || inputs == 0) return {};
  std::vector<std::string> sorted = info.input_sha256;
  for (const auto& h : sorted)
    if (h.empty()) return {};
  std::sort(sorted.begin(), sorted.end());
  std::string all;
  for (const auto& h : sorted) all += h + "\n";
  return crypto::digest_hex(crypto::sha256(), all);
}

// Binds a destination's seven columns starting at parameter `i`.
void bind_destination(Stmt& s, int i, const DestinationRecord& d) {
  if (d.ip.version) {
    s.bind(i, d.ip.to_string());
  } else {
    s.bind_null(i);
  }
  s.bind(i + 1, unsigned(d.port));
  s.bind_opt(i + 2, d.host).bind_opt(i + 3, d.country);
  if (d.asn) {
    s.bind(i + 4, uint64_t(d.asn));
  } else {
    s.bind_null(i + 4);
  }
  s.bind_opt(i + 5, d.org).bind_opt(i + 6, d.scope);
}

class Writer {
 public:
  Writer(sqlite3* db, const Report& r, const RunInfo& info) : db_(db), r_(r), info_(info) {}

  Result<Added> write() {
    std::string key = inputs_key(info_, r_.inputs.size());
    if (!key.empty()) {
      auto s = prepare(db_, "SELECT id FROM runs WHERE inputs_sha256 = ?1");
      if (!s) return s.error();
      s->bind(1, key);
      auto row = s->step();
      if (!row) return row.error();
      if (*row) return Added{s->i64(0), false};
    }
    if (auto r = run(key); !r) return r.error();
    stage("run");
    if (auto r = devices(); !r) return r.error();
    stage("devices");
    if (auto r = flows(); !r) return r.error();
    stage("flows");
    if (auto r = findings(); !r) return r.error();
    stage("findings");
    if (auto r = contacts(); !r) return r.error();
    stage("contacts");
    return Added{run_, true};
  }

 private:
  void stage(std::string_view name) {
    if (info_.on_stage) info_.on_stage(name);
  }
  int64_t device_id(uint64_t number) const {
    return number >= 1 && number <= device_ids_.size() ? device_ids_[number - 1] : 0;
  }
  void bind_device(Stmt& s, int i, uint64_t number) {
    if (int64_t id = device_id(number)) {
      s.bind(i, id);
    } else {
      s.bind_null(i);
    }
  }

  Result<void> run(const std::string& key) {
    auto s = prepare(db_,
                     "INSERT INTO runs (inputs_sha256, imported_at, phonehome_version, revealed, "
                     "duration_s, packets, bytes, ip_packets, tcp_packets, udp_packets, "
                     "icmp_packets, other_packets, warnings, data_sources) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
    if (!s) return s.error();
    const Stats& st = r_.stats;
    s->bind_opt(1, key).bind(2, info_.imported_at).bind(3, PHONEHOME_VERSION);
    s->bind(4, int(info_.revealed)).bind(5, r_.duration_s);
    s->bind(6, st.packets).bind(7, st.bytes).bind(8, st.ip_packets).bind(9, st.tcp_packets);
    s->bind(10, st.udp_packets).bind(11, st.icmp_packets).bind(12, st.other_packets);
    s->bind(13, json_strings(r_.warnings)).bind(14, json_strings(r_.data_sources));
    if (auto r = s->run(); !r) return r;
    run_ = sqlite3_last_insert_rowid(db_);

    auto c = prepare(db_, "INSERT INTO run_counters VALUES (?1, ?2, ?3, ?4)");
    if (!c) return c.error();
    const std::pair<const char*, const Counters*> kinds[] = {
        {"anomaly", &st.anomalies}, {"drop", &st.drops}, {"message", &st.messages}};
    for (const auto& [kind, counters] : kinds)
      for (const auto& [name, value] : counters->all())
        if (auto r = c->bind(1, run_).bind(2, kind).bind(3, name).bind(4, value).run(); !r)
          return r;
    return inputs();
  }

  Result<void> inputs() {
    auto cap = prepare(db_,
                       "INSERT INTO captures (sha256, path) VALUES (?1, ?2) "
                       "ON CONFLICT (sha256) DO UPDATE SET sha256 = sha256 RETURNING id");
    auto s = prepare(db_,
                     "INSERT INTO inputs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                     "?11, ?12)");
    if (!cap) return cap.error();
    if (!s) return s.error();
    for (size_t i = 0; i < r_.inputs.size(); ++i) {
      const auto& in = r_.inputs[i];
      s->bind(1, run_).bind(2, uint64_t(i));
      const std::string hash = i < info_.input_sha256.size() ? info_.input_sha256[i] : "";
      if (hash.empty()) {
        s->bind_null(3);
      } else {
        cap->bind(1, hash).bind(2, in.path);
        auto row = cap->step();
        if (!row) return row.error();
        s->bind(3, cap->i64(0));
        cap->reset();
      }
      bool opened = i < r_.input_opened.size() && r_.input_opened[i];
      s->bind(4, in.path).bind(5, int(opened)).bind_opt(6, in.format).bind(7, in.linktype);
      s->bind(8, in.packets).bind(9, in.bytes).bind(10, int(in.damaged));
      s->bind(11, json_strings(in.errors)).bind(12, json_strings(in.warnings));
      if (auto r = s->run(); !r) return r;
    }
    return {};
  }

  Result<void> devices() {
    auto g = prepare(db_,
                     "INSERT INTO devices (identity_sha256, mac, vendor, first_seen, last_seen, "
                     "first_seen_ns, last_seen_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                     "ON CONFLICT (identity_sha256) DO UPDATE SET "
                     "vendor = coalesce(vendor, excluded.vendor), "
                     "first_seen = iif(excluded.first_seen_ns < first_seen_ns, "
                     "excluded.first_seen, first_seen), "
                     "first_seen_ns = min(first_seen_ns, excluded.first_seen_ns), "
                     "last_seen = iif(excluded.last_seen_ns > last_seen_ns, "
                     "excluded.last_seen, last_seen), "
                     "last_seen_ns = max(last_seen_ns, excluded.last_seen_ns) RETURNING id");
    auto s = prepare(db_,
                     "INSERT INTO run_devices VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                     "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)");
    if (!g) return g.error();
    if (!s) return s.error();
    const bool reveal = info_.revealed;
    const std::vector<std::string> identities = identity_hashes(r_);
    for (size_t i = 0; i < r_.devices.size(); ++i) {
      const DeviceRecord& d = r_.devices[i];
      std::string mac;
      if (d.mac) mac = report::shown_mac(*d.mac, reveal);
      const std::string first = format_rfc3339(d.first_seen), last = format_rfc3339(d.last_seen);
      g->bind(1, identities[i]).bind_opt(2, mac).bind_opt(3, d.vendor);
      g->bind(4, first).bind(5, last).bind(6, int64_t(d.first_seen)).bind(7, int64_t(d.last_seen));
      auto row = g->step();
      if (!row) return row.error();
      device_ids_.push_back(g->i64(0));
      g->reset();

      std::vector<std::string> ips;
      for (const auto& ip : d.ips) ips.push_back(ip.to_string());
      s->bind(1, run_).bind(2, d.id).bind(3, device_ids_.back()).bind_opt(4, mac);
      s->bind_opt(5, d.vendor).bind(6, json_strings(ips)).bind(7, json_ip_history(d.ip_history));
      s->bind_opt(8, report::shown(d.hostname, reveal)).bind(9, json_spans(d.hostname));
      s->bind_opt(10, report::shown(d.dhcp_vendor_class, reveal));
      s->bind(11, json_spans(d.dhcp_vendor_class));
      s->bind_opt(12, reveal ? d.dhcp_client_id : report::redact(d.dhcp_client_id));
      s->bind(13, json_texts(d.names, reveal)).bind(14, json_texts(d.models, reveal));
      s->bind(15, json_texts(d.ssdp_servers, reveal)).bind(16, json_texts(d.user_agents, reveal));
      s->bind(17, d.user_agents_more).bind(18, json_strings(d.ja4)).bind(19, d.ja4_more);
      s->bind(20, first).bind(21, last).bind(22, int64_t(d.first_seen));
      s->bind(23, int64_t(d.last_seen)).bind(24, d.flows);
      if (auto r = s->run(); !r) return r;
    }
    return {};
  }

  Result<void> flows() {
    auto s = prepare(db_,
                     "INSERT INTO flows VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                     "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, "
                     "?27, ?28, ?29, ?30, ?31, ?32)");
    if (!s) return s.error();
    for (const auto& f : r_.flows) {
      s->bind(1, run_).bind(2, f.id).bind(3, f.device);
      bind_device(*s, 4, f.device);
      s->bind(5, f.proto == 6 ? "tcp" : "udp");
      if (f.vlan) {
        s->bind(6, unsigned(f.vlan));
      } else {
        s->bind_null(6);
      }
      s->bind(7, f.src_ip.to_string()).bind(8, unsigned(f.src_port));
      bind_destination(*s, 9, f.dst);
      s->bind(16, f.app).bind_opt(17, f.sni).bind_opt(18, f.looks_like);
      s->bind_opt(19, f.encrypted);
      s->bind(20, f.packets_up).bind(21, f.packets_down).bind(22, f.bytes_up);
      s->bind(23, f.bytes_down).bind(24, f.payload_up).bind(25, f.payload_down);
      s->bind(26, format_rfc3339(f.first_seen)).bind(27, format_rfc3339(f.last_seen));
      s->bind(28, int64_t(f.first_seen)).bind(29, int64_t(f.last_seen));
      s->bind(30, f.first_frame).bind(31, uint64_t(f.input)).bind(32, json_notes(f.notes));
      if (auto r = s->run(); !r) return r;
    }
    return {};
  }

  Result<void> findings() {
    auto s = prepare(db_,
                     "INSERT INTO findings VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                     "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, "
                     "?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34)");
    if (!s) return s.error();
    for (const auto& f : r_.findings) {
      s->bind(1, run_).bind(2, f.id).bind(3, f.device);
      bind_device(*s, 4, f.device);
      if (f.flow) {
        s->bind(5, f.flow);
      } else {
        s->bind_null(5);
      }
      s->bind(6, format_rfc3339(f.ts)).bind(7, int64_t(f.ts));
      s->bind(8, f.since_device_first_seen_s).bind(9, f.frame).bind(10, uint64_t(f.input));
      s->bind(11, f.data_type).bind(12, info_.revealed ? f.value : report::redact(f.value));
      s->bind(13, f.value_sha256).bind(14, json_views(f.encodings)).bind(15, f.where);
      s->bind_opt(16, f.path).bind(17, f.method).bind(18, f.confidence).bind(19, f.rule);
      s->bind(20, f.count);
      bind_destination(*s, 21, f.destination);
      s->bind(28, int(f.mobile.has_value()));
      if (f.mobile) {
        s->bind_opt(29, f.mobile->mcc).bind_opt(30, f.mobile->mnc);
        s->bind_opt(31, f.mobile->country).bind_opt(32, f.mobile->name);
      }
      s->bind(33, f.protocol).bind_opt(34, f.encrypted);
      if (auto r = s->run(); !r) return r;
    }
    return {};
  }

  Result<void> contacts() {
    auto s = prepare(db_,
                     "INSERT INTO contacts VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                     "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)");
    if (!s) return s.error();
    for (size_t i = 0; i < r_.contacts.size(); ++i) {
      const auto& c = r_.contacts[i];
      s->bind(1, run_).bind(2, uint64_t(i)).bind(3, c.device);
      bind_device(*s, 4, c.device);
      s->bind(5, c.proto == 6 ? "tcp" : "udp");
      bind_destination(*s, 6, c.destination);
      s->bind(13, unsigned(c.addresses)).bind(14, c.app);
      s->bind(15, format_rfc3339(c.first_contact)).bind(16, format_rfc3339(c.last_contact));
      s->bind(17, int64_t(c.first_contact)).bind(18, int64_t(c.last_contact));
      s->bind(19, c.flows).bind(20, c.contacts);
      if (c.period_s > 0) s->bind(21, c.period_s).bind(22, c.jitter_s);
      s->bind(23, unsigned(c.periodic_contacts)).bind(24, unsigned(c.missed_beats));
      if (auto r = s->run(); !r) return r;
    }
    return {};
  }

  sqlite3* db_;
  const Report& r_;
  const RunInfo& info_;
  int64_t run_ = 0;
  std::vector<int64_t> device_ids_;  // by the run's device number - 1
};

}  // namespace

Result<Store> Store::open(const std::string& path, bool create) {
  sqlite3* raw = nullptr;
  int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK)
    return make_error("cannot " + std::string(create ? "open or create " : "open ") + path + ": " +
                      (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  // Another phonehome writing its run: wait for it rather than fail.
  sqlite3_busy_timeout(db.get(), 60000);
  sqlite3_extended_result_codes(db.get(), 1);
  // Reading the header tells a SQLite file from anything else.
  auto header = read_header(db.get());
  if (!header)
    return make_error(path + " is not a phonehome database (" + header.error().message + ")");
  if (header->application_id == 0 && header->user_version == 0 && header->tables == 0) {
    if (!create) return make_error(path + " is an empty database, not a phonehome database");
    if (auto r = create_schema(db.get()); !r)
      return make_error("cannot create the schema in " + path + ": " + r.error().message);
    header = read_header(db.get());
    if (!header) return header.error();
  }
  const int64_t version = header->user_version;
  if (header->application_id != kApplicationId) {
    return make_error(path + " is not a phonehome database");
  } else if (version > kSchemaVersion) {
    return make_error(path + " has schema version " + std::to_string(version) +
                      ", newer than this phonehome reads (" + std::to_string(kSchemaVersion) +
                      "): use a newer phonehome");
  } else if (version < kSchemaVersion) {
    return make_error(path + " has schema version " + std::to_string(version) +
                      ", which this phonehome cannot read");
  }
  if (create) {
    // WAL: readers do not block the writer, and a crash leaves the last
    // committed state. NORMAL sync is durable enough in WAL mode.
    // Switching a new file to WAL needs it to itself, and SQLite answers
    // "locked" at once (no busy handler) while another phonehome creating
    // the same file holds it: wait for that as the busy timeout would.
    constexpr const char* kWal = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL";
    Result<void> r = exec(db.get(), kWal);
    for (int tries = 0; !r && (sqlite3_errcode(db.get()) & 0xff) == SQLITE_BUSY && tries < 600;
         ++tries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      r = exec(db.get(), kWal);
    }
    if (!r) return make_error("cannot use " + path + ": " + r.error().message);
  }
  if (auto r = exec(db.get(), "PRAGMA foreign_keys = ON"); !r) return r.error();
  return Store(std::move(db));
}

Result<Added> Store::add(const Report& report, const RunInfo& info) {
  sqlite3* db = db_.get();
  if (auto r = exec(db, "BEGIN IMMEDIATE"); !r) return r.error();
  Writer w(db, report, info);
  auto added = w.write();
  if (!added || !added->added) {
    (void)exec(db, "ROLLBACK");
    return added;
  }
  if (auto r = exec(db, "COMMIT"); !r) {
    (void)exec(db, "ROLLBACK");
    return r.error();
  }
  return added;
}

Result<std::string> file_sha256(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return make_error("cannot read " + path);
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), crypto::sha256(), nullptr) != 1)
    return make_error("SHA-256 is not available");
  std::vector<char> buf(1 << 16);
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0)
    EVP_DigestUpdate(ctx.get(), buf.data(), n);
  if (std::ferror(f.get())) return make_error("cannot read " + path);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), out, &len) != 1) return make_error("SHA-256 failed");
  return hex_encode(std::string_view(reinterpret_cast<const char*>(out), len));
}

}  // namespace ph::store

namespace ph::store {

Result<void> Store::add_live(const FindingRecord& f, std::string_view session, bool revealed) {
  auto s = prepare(db_.get(),
                   "INSERT INTO live_findings (session, ts, ts_ns, since_device_first_seen_s, "
                   "device, data_type, value, value_sha256, seen_in, path, method, confidence, "
                   "rule, dst_ip, dst_port, dst_host, dst_country, dst_asn, dst_org, protocol, "
                   "encrypted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                   "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)");
  if (!s) return s.error();
  const DestinationRecord& d = f.destination;
  std::string device =
      f.device_mac ? report::shown_mac(*f.device_mac, revealed) : f.device_ip.to_string();
  s->bind(1, session)
      .bind(2, format_rfc3339(f.ts))
      .bind(3, int64_t(f.ts))
      .bind(4, f.since_device_first_seen_s)
      .bind(5, device)
      .bind(6, f.data_type)
      .bind(7, revealed ? f.value : report::redact(f.value))
      .bind(8, f.value_sha256)
      .bind(9, f.where)
      .bind_opt(10, f.path)
      .bind(11, f.method)
      .bind(12, f.confidence)
      .bind(13, f.rule)
      .bind_opt(14, d.ip.version ? d.ip.to_string() : std::string())
      .bind(15, unsigned(d.port))
      .bind_opt(16, d.host)
      .bind_opt(17, d.country);
  if (d.asn) {
    s->bind(18, unsigned(d.asn));
  } else {
    s->bind_null(18);
  }
  s->bind_opt(19, d.org).bind(20, f.protocol).bind_opt(21, f.encrypted);
  return s->run();
}

Result<void> Store::finish_live(std::string_view session, int64_t run) {
  auto s = prepare(db_.get(), "UPDATE live_findings SET run_id = ?1 WHERE session = ?2");
  if (!s) return s.error();
  s->bind(1, run).bind(2, session);
  return s->run();
}

}  // namespace ph::store
