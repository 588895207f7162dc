// End-to-end tests of `phonehome scan --db` and `phonehome report --db`:
// the real binary and a real SQLite file. The report rendered from the
// store is the report of the scan, byte for byte; the same capture is
// stored once; two captures accumulate; unusable databases are refused
// with exit code 2 and a message that says why.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "cli/scan_run.h"
#include "support/support.h"

namespace ph::test {
namespace {

std::string demo() { return std::string(PHONEHOME_SOURCE_DIR) + "/examples/demo.pcap"; }
std::string profile_demo() {
  return std::string(PHONEHOME_SOURCE_DIR) + "/examples/profile-demo.pcap";
}

ScanRun report(const std::string& args) {
  ScanRun r;
  r.out = run_command(std::string(PHONEHOME_BINARY) + " report " + args + " 2>&1", &r.status);
  return r;
}

// Standard output only (the report), standard error dropped.
std::string stdout_of(const std::string& command, int* status) {
  return run_command(std::string(PHONEHOME_BINARY) + " " + command + " 2>/dev/null", status);
}

int64_t sql_count(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* s = nullptr;
  int64_t n = -1;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(h);
  return n;
}

TEST(StoreCli, ReportFromTheStoreIsTheScanReportByteForByte) {
  TempDir dir;
  std::string db = shell_quote(dir.file("ph.sqlite").string());
  ScanRun stored = scan("--db " + db + " " + shell_quote(demo()));
  ASSERT_EQ(stored.status, 0) << stored.out;
  EXPECT_NE(stored.out.find("stored as run 1 in"), std::string::npos) << stored.out;
  // Without --format or -o, scan --db prints no report.
  EXPECT_EQ(stored.out.find("FINDINGS"), std::string::npos) << stored.out;

  // jsonl, json and text: the same bytes. The one difference there could
  // be, the summary's inputs, is none: the stored path is the path given.
  for (const char* format : {"jsonl", "json", "text --color never", "text -v --color never"}) {
    int s1 = -1, s2 = -1;
    std::string direct = stdout_of(
        "scan --no-progress --format " + std::string(format) + " " + shell_quote(demo()), &s1);
    std::string from_db = stdout_of("report --db " + db + " --format " + format, &s2);
    EXPECT_EQ(s1, 0);
    EXPECT_EQ(s2, 0);
    EXPECT_FALSE(from_db.empty());
    EXPECT_EQ(from_db, direct) << format;
  }
  // -o writes the same to a file.
  std::string out = dir.file("out.jsonl").string();
  ScanRun to_file = report("--db " + db + " --format jsonl -o " + shell_quote(out));
  ASSERT_EQ(to_file.status, 0) << to_file.out;
  std::ifstream in(out, std::ios::binary);
  std::stringstream got;
  got << in.rdbuf();
  int s = -1;
  EXPECT_EQ(got.str(), stdout_of("scan --no-progress --format jsonl " + shell_quote(demo()), &s));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(StoreCli, HtmlFromTheStoreIsTheScanPage) {
  TempDir dir;
  std::string db = shell_quote(dir.file("ph.sqlite").string());
  std::string direct = dir.file("direct.html").string(), stored = dir.file("stored.html").string();
  ScanRun a = scan("--db " + db + " --html " + shell_quote(direct) + " " + shell_quote(demo()));
  ASSERT_EQ(a.status, 0) << a.out;
  // With --db and only --html, no report on standard output.
  EXPECT_EQ(a.out.find("FINDINGS"), std::string::npos) << a.out;
  int status = -1;
  std::string out = stdout_of("report --db " + db + " --html " + shell_quote(stored), &status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(out, "");  // only the page was asked for
  std::string page = read_file(stored);
  EXPECT_NE(page.find("<html"), std::string::npos);
  EXPECT_EQ(page, read_file(direct));
}

TEST(StoreCli, ScanDbWithFormatAlsoPrintsTheReport) {
  TempDir dir;
  std::string db = shell_quote(dir.file("ph.sqlite").string());
  int s1 = -1, s2 = -1;
  std::string both =
      stdout_of("scan --no-progress --db " + db + " --format jsonl " + shell_quote(demo()), &s1);
  std::string direct = stdout_of("scan --no-progress --format jsonl " + shell_quote(demo()), &s2);
  EXPECT_EQ(s1, 0);
  EXPECT_EQ(both, direct);
}

TEST(StoreCli, TheSameCaptureIsStoredOnceAndTwoCapturesAccumulate) {
  TempDir dir;
  std::string path = dir.file("ph.sqlite").string();
  std::string db = shell_quote(path);
  ASSERT_EQ(scan("--db " + db + " " + shell_quote(demo())).status, 0);
  // The same bytes under another name are the same capture.
  std::string copy = dir.file("copy.pcap").string();
  std::filesystem::copy_file(demo(), copy);
  ScanRun again = scan("--db " + db + " " + shell_quote(copy));
  ASSERT_EQ(again.status, 0) << again.out;
  EXPECT_NE(again.out.find("holds these captures already (run 1): nothing added"),
            std::string::npos)
      << again.out;
  EXPECT_EQ(sql_count(path, "SELECT count(*) FROM runs"), 1);
  const int64_t findings = sql_count(path, "SELECT count(*) FROM findings");
  EXPECT_GT(findings, 0);

  ScanRun second = scan("--db " + db + " " + shell_quote(profile_demo()));
  ASSERT_EQ(second.status, 0) << second.out;
  EXPECT_NE(second.out.find("stored as run 2"), std::string::npos) << second.out;
  EXPECT_EQ(sql_count(path, "SELECT count(*) FROM runs"), 2);
  EXPECT_EQ(sql_count(path, "SELECT count(*) FROM captures"), 2);

  // --run 2 is the second capture's own report; every run holds both.
  int s1 = -1, s2 = -1, s3 = -1;
  EXPECT_EQ(stdout_of("report --db " + db + " --run 2 --format jsonl", &s1),
            stdout_of("scan --no-progress --format jsonl " + shell_quote(profile_demo()), &s2));
  std::string all = stdout_of("report --db " + db + " --format jsonl", &s3);
  EXPECT_EQ(s3, 0);
  size_t finding_lines = 0;
  for (const auto& l : split_lines(all))
    if (l.rfind("{\"kind\":\"finding\"", 0) == 0) ++finding_lines;
  EXPECT_EQ(int64_t(finding_lines), sql_count(path, "SELECT count(*) FROM findings"));
  EXPECT_NE(all.find("\"path\":\"" + demo() + "\""), std::string::npos);
  EXPECT_NE(all.find("\"path\":\"" + profile_demo() + "\""), std::string::npos);
}

TEST(StoreCli, ReportOfOneCaptureByFileOrSha256) {
  TempDir dir;
  std::string db = shell_quote(dir.file("ph.sqlite").string());
  ASSERT_EQ(scan("--db " + db + " " + shell_quote(demo())).status, 0);
  ASSERT_EQ(scan("--db " + db + " " + shell_quote(profile_demo())).status, 0);
  int s0 = -1, s1 = -1, s2 = -1;
  std::string expected =
      stdout_of("scan --no-progress --format jsonl " + shell_quote(profile_demo()), &s0);
  EXPECT_EQ(
      stdout_of("report --db " + db + " --format jsonl --capture " + shell_quote(profile_demo()),
                &s1),
      expected);
  EXPECT_EQ(s1, 0);
  // The first 12 digits of its SHA-256, from coreutils.
  std::string sha = run_command("sha256sum " + shell_quote(profile_demo())).substr(0, 12);
  EXPECT_EQ(stdout_of("report --db " + db + " --format jsonl --capture " + sha, &s2), expected);
  EXPECT_EQ(s2, 0);
  ScanRun none = report("--db " + db + " --capture 0123456789abcdef");
  EXPECT_EQ(none.status, 2);
  EXPECT_NE(none.out.find("no capture 0123456789abcdef in the database"), std::string::npos)
      << none.out;
  ScanRun both = report("--db " + db + " --run 1 --capture " + sha);
  EXPECT_EQ(both.status, 2);
  EXPECT_NE(both.out.find("give --run or --capture, not both"), std::string::npos) << both.out;
}

// Several scans at once on a database that does not exist yet: one
// creates the schema, the others wait for its lock; each capture is
// stored once.
TEST(StoreCli, ConcurrentScansCreateOneDatabaseAndStoreEachCaptureOnce) {
  TempDir dir;
  std::string path = dir.file("ph.sqlite").string();
  std::string cmd;
  for (const auto& capture : {demo(), profile_demo(), demo(), profile_demo()})
    cmd += std::string(PHONEHOME_BINARY) + " scan --no-progress -q --db " + shell_quote(path) +
           " " + shell_quote(capture) + " || echo FAILED & ";
  std::string out = run_command("{ " + cmd + "wait; } 2>&1");
  EXPECT_EQ(out, "");
  EXPECT_EQ(sql_count(path, "SELECT count(*) FROM runs"), 2);
  EXPECT_EQ(sql_count(path, "SELECT count(*) FROM captures"), 2);
  EXPECT_EQ(sql_count(path, "SELECT count(*) FROM devices"), 2);
}

TEST(StoreCli, RevealIsStoredOnlyWhenAskedAndCannotBeAddedLater) {
  TempDir dir;
  std::string db = shell_quote(dir.file("ph.sqlite").string());
  ASSERT_EQ(scan("--db " + db + " " + shell_quote(demo())).status, 0);
  ScanRun r = report("--db " + db + " --reveal --format jsonl");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("holds identifiers redacted"), std::string::npos) << r.out;

  std::string db2 = shell_quote(dir.file("revealed.sqlite").string());
  ASSERT_EQ(scan("--reveal --db " + db2 + " " + shell_quote(demo())).status, 0);
  int s1 = -1, s2 = -1, s3 = -1, s4 = -1;
  EXPECT_EQ(stdout_of("report --db " + db2 + " --reveal --format jsonl", &s1),
            stdout_of("scan --no-progress --reveal --format jsonl " + shell_quote(demo()), &s2));
  // Without --reveal, a revealed run is shown redacted, as scan shows it.
  EXPECT_EQ(stdout_of("report --db " + db2 + " --format jsonl", &s3),
            stdout_of("scan --no-progress --format jsonl " + shell_quote(demo()), &s4));
}

TEST(StoreCli, UnusableDatabasesAreUsageErrors) {
  TempDir dir;
  // A path that cannot be created: exit 2 before any input is read.
  ScanRun a = scan("--db " + shell_quote(dir.file("no/such/dir/x.sqlite").string()) + " " +
                   shell_quote(demo()));
  EXPECT_EQ(a.status, 2) << a.out;
  EXPECT_NE(a.out.find("phonehome: --db: cannot open or create"), std::string::npos) << a.out;

  // Not SQLite at all.
  std::string text = dir.file("notes.txt").string();
  std::ofstream(text) << "not a database, just some text that is long enough\n";
  ScanRun b = scan("--db " + shell_quote(text) + " " + shell_quote(demo()));
  EXPECT_EQ(b.status, 2) << b.out;
  EXPECT_NE(b.out.find("is not a phonehome database"), std::string::npos) << b.out;
  ScanRun b2 = report("--db " + shell_quote(text));
  EXPECT_EQ(b2.status, 2) << b2.out;
  EXPECT_NE(b2.out.find("is not a phonehome database"), std::string::npos) << b2.out;

  // SQLite, but someone else's.
  std::string other = dir.file("other.sqlite").string();
  sqlite3* h = nullptr;
  sqlite3_open(other.c_str(), &h);
  sqlite3_exec(h, "CREATE TABLE t (x)", nullptr, nullptr, nullptr);
  sqlite3_close(h);
  ScanRun c = report("--db " + shell_quote(other));
  EXPECT_EQ(c.status, 2) << c.out;
  EXPECT_NE(c.out.find(other + " is not a phonehome database"), std::string::npos) << c.out;

  // A phonehome database from a newer phonehome.
  std::string newer = dir.file("newer.sqlite").string();
  ASSERT_EQ(scan("--db " + shell_quote(newer) + " " + shell_quote(demo())).status, 0);
  sqlite3_open(newer.c_str(), &h);
  sqlite3_exec(h, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(h);
  for (const auto& r : {report("--db " + shell_quote(newer)),
                        scan("--db " + shell_quote(newer) + " " + shell_quote(demo()))}) {
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("has schema version 99, newer than this phonehome reads (1)"),
              std::string::npos)
        << r.out;
  }

  // report: a database that is not there, a run that is not there.
  ScanRun d = report("--db " + shell_quote(dir.file("missing.sqlite").string()));
  EXPECT_EQ(d.status, 2) << d.out;
  EXPECT_NE(d.out.find("cannot open"), std::string::npos) << d.out;
  EXPECT_FALSE(std::filesystem::exists(dir.file("missing.sqlite")));
  std::string good = dir.file("good.sqlite").string();
  ASSERT_EQ(scan("--db " + shell_quote(good) + " " + shell_quote(demo())).status, 0);
  ScanRun e = report("--db " + shell_quote(good) + " --run 9");
  EXPECT_EQ(e.status, 2) << e.out;
  EXPECT_NE(e.out.find("no run 9 in the database"), std::string::npos) << e.out;
}

TEST(StoreCli, ReportOptionsAreChecked) {
  ScanRun a = report("--format jsonl");
  EXPECT_EQ(a.status, 2);
  EXPECT_NE(a.out.find("report needs --db FILE"), std::string::npos) << a.out;
  ScanRun b = report("--db x.sqlite " + shell_quote(demo()));
  EXPECT_EQ(b.status, 2);
  EXPECT_NE(b.out.find("report reads the database; scan reads captures"), std::string::npos);
  ScanRun c = report("--db x.sqlite --run 0");
  EXPECT_EQ(c.status, 2);
  EXPECT_NE(c.out.find("--run takes a run number"), std::string::npos) << c.out;
  ScanRun d = scan("--run 1 " + shell_quote(demo()));
  EXPECT_EQ(d.status, 2);
  EXPECT_NE(d.out.find("--run and --capture apply to report"), std::string::npos) << d.out;
}

}  // namespace
}  // namespace ph::test

namespace ph::test {
namespace {

// --policy on stored runs: the same verdict, SARIF and exit code as a scan
// of the capture with the policy.
TEST(StoreCli, PolicyJudgesStoredRunsAsAScanWould) {
  TempDir dir;
  std::string db = shell_quote(dir.file("ph.sqlite").string());
  ASSERT_EQ(scan("--db " + db + " " + shell_quote(demo())).status, 0);
  const std::string policy =
      shell_quote(std::string(PHONEHOME_SOURCE_DIR) + "/examples/firmware-release-policy.toml");
  for (const char* format : {"jsonl", "sarif", "text --color never"}) {
    int s1 = -1, s2 = -1;
    std::string direct = stdout_of(
        "scan --no-progress --policy " + policy + " --format " + format + " " + shell_quote(demo()),
        &s1);
    std::string from_db =
        stdout_of("report --db " + db + " --policy " + policy + " --format " + format, &s2);
    EXPECT_EQ(s1, 1) << format;
    EXPECT_EQ(s2, 1) << format;
    EXPECT_NE(from_db.find("51"), std::string::npos) << from_db.substr(0, 400);
    EXPECT_EQ(from_db, direct) << format;
  }
}

}  // namespace
}  // namespace ph::test
