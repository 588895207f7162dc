// The SQLite store on real SQLite: the schema and its version, a run
// stored and read back to the same report, the same captures stored once,
// two captures accumulating (devices merged by their key), redaction in
// the database file, refusals (not SQLite, not phonehome, newer schema),
// and a writer killed with SIGKILL in the middle of its transaction.
#include "store/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "capture/source.h"
#include "pipeline/engine.h"
#include "report/report.h"
#include "support/support.h"

namespace ph::store {
namespace {

using test::TempDir;

std::string source_file(const std::string& rel) {
  return std::string(PHONEHOME_SOURCE_DIR) + "/" + rel;
}

Report scan(const std::string& path) {
  Engine engine(EngineOptions{});
  auto src = capture::open_file(path);
  EXPECT_TRUE(src.ok()) << path;
  if (src) engine.run(**src);
  return engine.finish();
}

std::string render(const Report& r, report::Format format, bool reveal = false) {
  std::ostringstream out;
  report::Options o;
  o.reveal = reveal;
  report::write(r, format, o, out);
  return out.str();
}

RunInfo info_for(const std::string& hash, bool revealed = false) {
  RunInfo info;
  info.input_sha256 = {hash};
  info.revealed = revealed;
  info.imported_at = "2026-01-01T00:00:00.000000Z";
  return info;
}

// Raw SQL on the database file, for checks from outside the store.
class Raw {
 public:
  explicit Raw(const std::string& path) { sqlite3_open(path.c_str(), &db_); }
  ~Raw() { sqlite3_close(db_); }
  std::string text(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      return std::string("error: ") + sqlite3_errmsg(db_);
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
  }
  int64_t count(const std::string& sql) { return std::stoll(text(sql)); }
  void exec(const std::string& sql) {
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    demo_path_ = source_file("examples/demo.pcap");
    other_path_ = source_file("examples/profile-demo.pcap");
    demo_ = scan(demo_path_);
    other_ = scan(other_path_);
    db_ = dir_.file("phonehome.sqlite").string();
  }
  Store open() {
    auto s = Store::open(db_, true);
    EXPECT_TRUE(s.ok()) << (s ? "" : s.error().message);
    return std::move(s.value());
  }

  TempDir dir_;
  std::string demo_path_, other_path_, db_;
  Report demo_, other_;
};

TEST_F(StoreTest, NewDatabaseHasTheSchemaVersionApplicationIdAndWal) {
  { Store s = open(); }
  Raw raw(db_);
  EXPECT_EQ(raw.count("PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(raw.count("PRAGMA application_id"), kApplicationId);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  for (const char* table : {"captures", "runs", "run_counters", "inputs", "devices", "run_devices",
                            "flows", "findings", "contacts", "leaks"})
    EXPECT_EQ(
        raw.count(std::string("SELECT count(*) FROM sqlite_schema WHERE name = '") + table + "'"),
        1)
        << table;
  // Opening it again keeps it as it is.
  { Store s = open(); }
  EXPECT_EQ(raw.count("SELECT count(*) FROM runs"), 0);
}

TEST_F(StoreTest, ARunReadsBackToTheSameReport) {
  ASSERT_FALSE(demo_.findings.empty());
  Store s = open();
  auto added = s.add(demo_, info_for("aa"));
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_TRUE(added->added);
  EXPECT_EQ(added->run, 1);
  auto loaded = s.load(1);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_TRUE(loaded->redacted);
  for (auto f : {report::Format::kJsonl, report::Format::kText, report::Format::kJson})
    EXPECT_EQ(render(loaded->report, f), render(demo_, f)) << int(f);
  // Every run (there is one) is the same report.
  auto all = s.load(std::nullopt);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(render(all->report, report::Format::kJsonl), render(demo_, report::Format::kJsonl));
}

TEST_F(StoreTest, ARevealedRunShowsValuesWholeOnlyWithReveal) {
  Store s = open();
  ASSERT_TRUE(s.add(demo_, info_for("aa", true)).ok());
  auto loaded = s.load(1);
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(loaded->redacted);
  EXPECT_EQ(render(loaded->report, report::Format::kJsonl, true),
            render(demo_, report::Format::kJsonl, true));
  EXPECT_EQ(render(loaded->report, report::Format::kText, false),
            render(demo_, report::Format::kText, false));
}

TEST_F(StoreTest, IdentifiersAreStoredRedactedUnlessRevealed) {
  const FindingRecord* imei = nullptr;
  for (const auto& f : demo_.findings)
    if (f.data_type == "imei") {
      imei = &f;
      break;
    }
  ASSERT_NE(imei, nullptr);
  ASSERT_TRUE(demo_.devices.front().mac.has_value());
  const std::string mac = demo_.devices.front().mac->to_string();
  {
    Store s = open();
    ASSERT_TRUE(s.add(demo_, info_for("aa")).ok());
  }
  // Closing the last connection checkpoints the WAL into the file.
  std::string bytes = file_bytes(db_);
  for (const auto& f : demo_.findings)  // no value whole, in no table
    EXPECT_EQ(bytes.find(f.value), std::string::npos) << f.data_type << " " << f.id;
  EXPECT_EQ(bytes.find(mac), std::string::npos);
  EXPECT_NE(bytes.find(report::redact(imei->value)), std::string::npos);
  EXPECT_NE(bytes.find(imei->value_sha256), std::string::npos);
  Raw raw(db_);
  EXPECT_EQ(raw.text("SELECT value FROM findings WHERE data_type = 'imei' ORDER BY number"),
            report::redact(imei->value));
  EXPECT_EQ(raw.text("SELECT mac FROM devices"), report::redact_mac(*demo_.devices.front().mac));
  EXPECT_EQ(raw.count("SELECT revealed FROM runs"), 0);

  // With --reveal the database holds what that report shows: the values.
  TempDir other;
  std::string revealed_db = other.file("revealed.sqlite").string();
  {
    auto s = Store::open(revealed_db, true);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(s->add(demo_, info_for("aa", true)).ok());
  }
  Raw raw2(revealed_db);
  EXPECT_EQ(raw2.text("SELECT value FROM findings WHERE data_type = 'imei' ORDER BY number"),
            imei->value);
  EXPECT_EQ(raw2.count("SELECT revealed FROM runs"), 1);
}

TEST_F(StoreTest, TheSameCapturesAreStoredOnce) {
  Store s = open();
  ASSERT_TRUE(s.add(demo_, info_for("aa")).ok());
  auto again = s.add(demo_, info_for("aa"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->added);
  EXPECT_EQ(again->run, 1);
  Raw raw(db_);
  EXPECT_EQ(raw.count("SELECT count(*) FROM runs"), 1);
  EXPECT_EQ(raw.count("SELECT count(*) FROM captures"), 1);
  EXPECT_EQ(raw.count("SELECT count(*) FROM findings"), int64_t(demo_.findings.size()));
  EXPECT_EQ(raw.count("SELECT count(*) FROM flows"), int64_t(demo_.flows.size()));
  EXPECT_EQ(raw.count("SELECT count(*) FROM devices"), int64_t(demo_.devices.size()));
}

TEST_F(StoreTest, InputsInAnotherOrderAreTheSameCaptures) {
  Store s = open();
  RunInfo ab = info_for("aa"), ba = info_for("bb");
  ab.input_sha256 = {"aa", "bb"};
  ba.input_sha256 = {"bb", "aa"};
  Report two = scan(demo_path_);
  two.inputs.push_back(two.inputs.front());
  two.input_opened.push_back(true);
  ASSERT_TRUE(s.add(two, ab).ok());
  auto again = s.add(two, ba);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->added);
}

TEST_F(StoreTest, RunsWithoutHashesAreAlwaysAdded) {
  Store s = open();
  ASSERT_TRUE(s.add(demo_, info_for("")).ok());
  auto again = s.add(demo_, info_for(""));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->added);
  EXPECT_EQ(again->run, 2);
}

TEST_F(StoreTest, TwoCapturesAccumulate) {
  Store s = open();
  ASSERT_TRUE(s.add(demo_, info_for("aa")).ok());
  ASSERT_TRUE(s.add(other_, info_for("bb")).ok());
  auto runs = s.runs();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].inputs, std::vector<std::string>{demo_path_});
  EXPECT_EQ((*runs)[1].inputs, std::vector<std::string>{other_path_});
  EXPECT_EQ((*runs)[1].findings, other_.findings.size());

  // Each run reads back as its own report.
  auto second = s.load(2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(render(second->report, report::Format::kJsonl), render(other_, report::Format::kJsonl));

  // All runs: everything of both, ids renumbered, references kept.
  auto all = s.load(std::nullopt);
  ASSERT_TRUE(all.ok());
  const Report& r = all->report;
  EXPECT_EQ(r.flows.size(), demo_.flows.size() + other_.flows.size());
  EXPECT_EQ(r.findings.size(), demo_.findings.size() + other_.findings.size());
  EXPECT_EQ(r.inputs.size(), 2u);
  EXPECT_EQ(r.stats.packets, demo_.stats.packets + other_.stats.packets);
  for (size_t i = 0; i < r.flows.size(); ++i) EXPECT_EQ(r.flows[i].id, i + 1);
  const FindingRecord& last = r.findings.back();
  EXPECT_EQ(last.id, r.findings.size());
  EXPECT_EQ(last.flow, demo_.flows.size() + other_.findings.back().flow);
  EXPECT_EQ(last.input, 1u);
  EXPECT_EQ(r.flows[last.flow - 1].device, last.device);
}

TEST_F(StoreTest, TheSameDeviceInTwoCapturesIsOneDevice) {
  Store s = open();
  ASSERT_TRUE(s.add(demo_, info_for("aa")).ok());
  ASSERT_TRUE(s.add(demo_, info_for("cc")).ok());  // another file, the same phone
  Raw raw(db_);
  EXPECT_EQ(raw.count("SELECT count(*) FROM devices"), int64_t(demo_.devices.size()));
  EXPECT_EQ(raw.count("SELECT count(*) FROM run_devices"), 2 * int64_t(demo_.devices.size()));
  EXPECT_EQ(raw.count("SELECT count(DISTINCT device_id) FROM findings"), 1);
  // The leaks view counts each (device, data, value, destination) once.
  EXPECT_EQ(raw.count("SELECT count(*) FROM leaks WHERE runs = 2"),
            raw.count("SELECT count(*) FROM leaks"));
  auto all = s.load(std::nullopt);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->report.devices.size(), demo_.devices.size());
  EXPECT_EQ(all->report.devices[0].flows, 2 * demo_.devices[0].flows);
  EXPECT_EQ(all->report.findings.size(), 2 * demo_.findings.size());
}

TEST_F(StoreTest, ACaptureSelectsTheRunsThatReadIt) {
  Store s = open();
  ASSERT_TRUE(s.add(demo_, info_for("aaaaaa11")).ok());
  ASSERT_TRUE(s.add(other_, info_for("aaaaaa22")).ok());
  auto second = s.load_capture("AAAAAA22");
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(render(second->report, report::Format::kJsonl), render(other_, report::Format::kJsonl));
  auto ambiguous = s.load_capture("aaaaaa");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_EQ(ambiguous.error().message,
            "aaaaaa is the start of 2 captures' SHA-256: give more of it");
  auto none = s.load_capture("bbbbbbbb");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message, "no capture bbbbbbbb in the database");
  EXPECT_FALSE(s.load_capture("aa").ok());        // too short
  EXPECT_FALSE(s.load_capture("zzzzzzzz").ok());  // not hex
}

// A report made by hand with what the example captures lack: a device
// without a MAC (keyed by its IP), a VLAN, an unknown app, encryption
// unknown, a finding without a flow (EAPOL), an operator with only a
// country, a periodic contact, identifier spans in a name.
Report odd_report(const std::string& client_ip) {
  Report r;
  capture::InputInfo in;
  in.path = "odd.pcapng";
  in.format = "pcapng+zstd";
  in.linktype = 101;
  in.packets = 9;
  in.damaged = true;
  in.errors = {"record 9 at offset 4096: truncated"};
  r.inputs.push_back(in);
  r.input_opened.push_back(true);
  DeviceRecord& d = r.devices.emplace_back();
  d.id = 1;
  d.ips = {IpAddr::parse(client_ip)};
  d.ip_history.push_back({IpAddr::parse(client_ip), 5, 6, kIpFromFlow | kIpFromArp});
  d.hostname = {"android-1c1335ec95a27318", {{8, 16}}};
  d.names = {d.hostname, {"printer", {}}};
  d.first_seen = 5;
  d.last_seen = 6'000'000'123;
  d.flows = 1;
  FlowRecord& f = r.flows.emplace_back();
  f.id = 1;
  f.device = 1;
  f.proto = 17;
  f.vlan = 42;
  f.src_ip = IpAddr::parse(client_ip);
  f.src_port = 5000;
  f.dst.ip = IpAddr::parse("2001:db8::1");
  f.dst.port = 9999;
  f.dst.scope = r.strings.intern("documentation");
  f.looks_like = r.strings.intern("random");
  f.first_seen = 5;
  f.last_seen = 6'000'000'123;
  f.notes = kNoteTruncated | kNoteMidstream;
  FindingRecord& x = r.findings.emplace_back();
  x.id = 1;
  x.device = 1;
  x.ts = 7;
  x.since_device_first_seen_s = 1.0 / 3;
  x.frame = 3;
  x.data_type = r.strings.intern("iccid");
  x.value = "8944105548629674923";
  x.value_sha256 = "00ff";
  x.where = r.strings.intern("eap.identity");
  x.method = r.strings.intern("validated");
  x.confidence = r.strings.intern("medium");
  x.rule = "why";
  x.protocol = r.strings.intern("eapol");
  x.mobile = MobileContext{{}, {}, r.strings.intern("GB"), {}};
  x.device_ip = IpAddr::parse(client_ip);
  ContactRecord& c = r.contacts.emplace_back();
  c.device = 1;
  c.proto = 17;
  c.destination = f.dst;
  c.addresses = 1;
  c.app = r.strings.intern("unknown");
  c.flows = c.contacts = 1;
  c.period_s = 60.125;
  c.jitter_s = 0.5;
  c.periodic_contacts = 4;
  c.missed_beats = 1;
  r.stats.packets = 9;
  r.stats.anomalies.add("ipv4.bad-checksum", 2);
  r.stats.drops.add("tcp.ooo-cap-bytes", 100);
  r.warnings = {"interrupted before the end of the input"};
  r.duration_s = 6.000000118;
  return r;
}

TEST_F(StoreTest, WhatTheExamplesLackReadsBackToo) {
  Store s = open();
  Report odd = odd_report("10.0.0.7");
  for (bool reveal : {false, true}) {
    auto added = s.add(odd, info_for(reveal ? "revealed" : "redacted", reveal));
    ASSERT_TRUE(added.ok()) << added.error().message;
    auto loaded = s.load(added->run);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    for (auto f : {report::Format::kJsonl, report::Format::kText})
      EXPECT_EQ(render(loaded->report, f, reveal), render(odd, f, reveal)) << reveal;
    EXPECT_EQ(render(loaded->report, report::Format::kJson), render(odd, report::Format::kJson));
  }
  // The device without a MAC is one device across runs by its IP; another
  // IP is another device.
  ASSERT_TRUE(s.add(odd_report("10.0.0.8"), info_for("other")).ok());
  Raw raw(db_);
  EXPECT_EQ(raw.count("SELECT count(*) FROM devices"), 2);
  EXPECT_EQ(raw.text("SELECT hostname FROM run_devices WHERE run_id = 1"),
            report::shown(odd.devices[0].hostname, false));
  EXPECT_EQ(report::shown(odd.devices[0].hostname, false), "android-1c1335********18");
}

TEST_F(StoreTest, NoSuchRunIsAnError) {
  Store s = open();
  ASSERT_TRUE(s.add(demo_, info_for("aa")).ok());
  auto loaded = s.load(7);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message, "no run 7 in the database");
}

TEST_F(StoreTest, RefusesWhatIsNotAPhonehomeDatabase) {
  std::string text = dir_.file("notes.txt").string();
  std::ofstream(text) << "these are not the tables you are looking for\n";
  auto a = Store::open(text, true);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("is not a phonehome database"), std::string::npos)
      << a.error().message;

  std::string other = dir_.file("other.sqlite").string();
  Raw(other).exec("CREATE TABLE t (x)");
  auto b = Store::open(other, true);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message, other + " is not a phonehome database");

  auto c = Store::open(dir_.file("missing.sqlite").string(), false);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("cannot open"), std::string::npos) << c.error().message;

  auto d = Store::open(dir_.file("no/such/dir/x.sqlite").string(), true);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("cannot open or create"), std::string::npos);
}

TEST_F(StoreTest, RefusesANewerSchema) {
  { Store s = open(); }
  Raw(db_).exec("PRAGMA user_version = " + std::to_string(kSchemaVersion + 1));
  auto s = Store::open(db_, true);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("newer than this phonehome reads"), std::string::npos)
      << s.error().message;
}

TEST_F(StoreTest, FileSha256IsOfTheBytes) {
  std::string p = dir_.file("abc").string();
  std::ofstream(p, std::ios::binary) << "abc";
  auto h = file_sha256(p);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(*h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_FALSE(file_sha256(dir_.file("missing").string()).ok());
}

// A writer killed (SIGKILL) in the middle of its run's transaction leaves
// the database as it was: consistent, with exactly the earlier runs.
TEST_F(StoreTest, AWriterKilledMidTransactionLeavesTheEarlierRuns) {
  {
    Store s = open();
    ASSERT_TRUE(s.add(demo_, info_for("aa")).ok());
  }
  // A run big enough that SQLite spills uncommitted pages into the WAL
  // file before the commit: the kill then leaves them on disk.
  Report big = scan(other_path_);
  const size_t n = big.flows.size();
  while (big.flows.size() < 40000) {
    FlowRecord f = big.flows[big.flows.size() % n];
    f.id = big.flows.size() + 1;
    big.flows.push_back(f);
  }
  int to_parent[2];
  ASSERT_EQ(pipe(to_parent), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(to_parent[0]);
    auto s = Store::open(db_, true);
    if (!s) _exit(1);
    RunInfo info = info_for("bb");
    // After the run, its devices and its flows are written, but before
    // the findings and the commit: tell the parent, and wait to be killed.
    info.on_stage = [&](std::string_view stage) {
      if (stage != "flows") return;
      char c = 'w';
      (void)!write(to_parent[1], &c, 1);
      for (;;) pause();
    };
    (void)s->add(big, info);
    _exit(2);  // not reached
  }
  close(to_parent[1]);
  char c = 0;
  ASSERT_EQ(read(to_parent[0], &c, 1), 1);  // the child is inside its transaction
  close(to_parent[0]);
  // Uncommitted frames are in the WAL file: more than the page cache holds.
  EXPECT_GT(std::filesystem::file_size(db_ + "-wal"), 2u << 20);
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  // The first to open it after the crash is a reader (phonehome report):
  // it sees the run before, whole.
  {
    auto reader = Store::open(db_, false);
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    auto all = reader->load(std::nullopt);
    ASSERT_TRUE(all.ok()) << all.error().message;
    EXPECT_EQ(render(all->report, report::Format::kJsonl), render(demo_, report::Format::kJsonl));
  }
  Raw raw(db_);
  EXPECT_EQ(raw.text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(raw.count("SELECT count(*) FROM runs"), 1);
  EXPECT_EQ(raw.count("SELECT count(*) FROM flows"), int64_t(demo_.flows.size()));
  EXPECT_EQ(raw.count("SELECT count(*) FROM run_devices"), int64_t(demo_.devices.size()));
  EXPECT_EQ(raw.count("SELECT count(*) FROM findings"), int64_t(demo_.findings.size()));
  EXPECT_EQ(raw.count("SELECT count(*) FROM captures"), 1);
  EXPECT_EQ(raw.count("SELECT count(*) FROM flows WHERE run_id <> 1"), 0);

  // The database goes on: the interrupted run can be stored now, and the
  // first reads back unchanged.
  Store s = open();
  auto added = s.add(other_, info_for("bb"));
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_TRUE(added->added);
  EXPECT_EQ(added->run, 2);
  auto first = s.load(1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(render(first->report, report::Format::kJsonl), render(demo_, report::Format::kJsonl));
}

}  // namespace
}  // namespace ph::store

namespace ph::store {
namespace {

// Every real capture of ../shared/captures (but the benchmark ones, too
// slow under ASan) stored in one database, each run read back: the same
// jsonl, redacted, as the scan; and each stored revealed gives the same
// verbose text with --reveal in a second database.
TEST(StoreRealCaptures, EveryCaptureReadsBackTheSame) {
  std::vector<std::filesystem::path> files;
  for (const char* dir : {"proto", "leak", "fp", "malformed", "pcapng-conformance", "har"})
    for (auto& f : test::shared_files(dir, {".pcap", ".pcapng", ".gz", ".zst"})) files.push_back(f);
  if (files.empty()) GTEST_SKIP() << "../shared/captures absent";
  TempDir dir;
  auto redacted = Store::open(dir.file("redacted.sqlite").string(), true);
  auto revealed = Store::open(dir.file("revealed.sqlite").string(), true);
  ASSERT_TRUE(redacted.ok());
  ASSERT_TRUE(revealed.ok());
  report::Options verbose;
  verbose.reveal = verbose.verbose = true;
  int64_t run = 0;
  for (const auto& file : files) {
    Report r = scan(file.string());
    ++run;
    ASSERT_TRUE(redacted->add(r, info_for(std::to_string(run))).ok()) << file;
    ASSERT_TRUE(revealed->add(r, info_for(std::to_string(run), true)).ok()) << file;
    auto a = redacted->load(run);
    auto b = revealed->load(run);
    ASSERT_TRUE(a.ok()) << file;
    ASSERT_TRUE(b.ok()) << file;
    EXPECT_EQ(render(a->report, report::Format::kJsonl), render(r, report::Format::kJsonl)) << file;
    std::ostringstream expected, got;
    report::write(r, report::Format::kText, verbose, expected);
    report::write(b->report, report::Format::kText, verbose, got);
    EXPECT_EQ(got.str(), expected.str()) << file;
  }
  auto all = redacted->runs();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(int64_t(all->size()), run);
}

}  // namespace
}  // namespace ph::store
