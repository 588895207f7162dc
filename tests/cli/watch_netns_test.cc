// `phonehome watch`, for real: the test makes a network namespace with a
// veth pair, watches one end, replays the example capture into the other
// with tcpreplay, and checks that each finding is printed within one second
// of the packet that carried it (the record's capture time against the
// moment its line appeared), that root privileges are gone once the
// interface is open, that SIGINT/SIGTERM end the run cleanly with the full
// report, and that nothing seen live is missing from it. Needs root (for
// the namespace), iproute2 and tcpreplay; skipped with the reason otherwise.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "support/support.h"

namespace ph::test {
namespace {

using Clock = std::chrono::system_clock;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A namespace with a veth pair (pha <-> phb), removed at the end.
class Namespace {
 public:
  Namespace() : name_("phonehome-test-" + std::to_string(getpid())) {
    int status = -1;
    std::string out =
        run_command("ip netns add " + name_ + " 2>&1 && ip -n " + name_ +
                        " link add pha type veth peer name phb 2>&1 && ip -n " + name_ +
                        " link set pha up && ip -n " + name_ + " link set phb up 2>&1",
                    &status);
    if (status != 0) error_ = out.empty() ? "ip netns failed" : out;
  }
  ~Namespace() { run_command("ip netns del " + name_ + " 2>/dev/null"); }
  const std::string& name() const { return name_; }
  const std::string& error() const { return error_; }

 private:
  std::string name_, error_;
};

std::string why_not() {
  if (geteuid() != 0) return "not root: a network namespace cannot be made";
  int status = -1;
  run_command("command -v ip >/dev/null && command -v tcpreplay >/dev/null", &status);
  if (status != 0) return "ip (iproute2) or tcpreplay is not installed";
  return {};
}

// phonehome watch running in the namespace, its output in files.
struct Watch {
  pid_t pid = -1;
  std::filesystem::path out, err;
};

Watch start_watch(const Namespace& ns, const TempDir& dir, const std::string& format,
                  const std::vector<std::string>& extra = {}) {
  Watch w;
  w.out = dir.file("watch.out");
  w.err = dir.file("watch.err");
  w.pid = fork();
  if (w.pid == 0) {
    int o = open(w.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(w.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(o, 1);
    dup2(e, 2);
    chdir(PHONEHOME_SOURCE_DIR);
    std::vector<std::string> args = {"ip",      "netns", "exec", ns.name(),  PHONEHOME_BINARY,
                                     "watch",   "-i",    "phb",  "--format", format,
                                     "--color", "never"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp("ip", argv.data());
    _exit(127);
  }
  // Ready once it says so (the interface is open).
  for (int i = 0; i < 200 && slurp(w.err).find("watching phb") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return w;
}

int stop(Watch& w, int sig) {
  kill(w.pid, sig);
  int status = -1;
  for (int i = 0; i < 400; ++i) {
    if (waitpid(w.pid, &status, WNOHANG) == w.pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(w.pid, SIGKILL);
  waitpid(w.pid, &status, 0);
  ADD_FAILURE() << "watch did not stop within 20 s of the signal";
  return status;
}

std::string replay(const Namespace& ns) {
  return "ip netns exec " + ns.name() + " tcpreplay -q -i pha --pps 25 " +
         shell_quote(std::string(PHONEHOME_SOURCE_DIR) + "/examples/demo.pcap") +
         " >/dev/null 2>&1";
}

// "2019-05-01T08:00:04.500000Z" -> time point (UTC).
Clock::time_point parse_rfc3339(std::string_view s) {
  std::tm tm{};
  std::istringstream in{std::string(s.substr(0, 19))};
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  auto t = Clock::from_time_t(timegm(&tm));
  if (s.size() > 20 && s[19] == '.') {
    std::string frac(s.substr(20, s.find('Z') - 20));
    frac.resize(9, '0');
    t += std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(std::stoll(frac)));
  }
  return t;
}

TEST(WatchNetns, FindingsAppearWithinOneSecondAndTheReportLosesNothing) {
  if (std::string why = why_not(); !why.empty()) GTEST_SKIP() << why << ": live test skipped";
  Namespace ns;
  if (!ns.error().empty()) GTEST_SKIP() << "cannot make a network namespace: " << ns.error();
  TempDir dir;
  Watch w = start_watch(ns, dir, "jsonl");
  ASSERT_NE(slurp(w.err).find("watching phb"), std::string::npos) << slurp(w.err);

  // Root privileges are dropped once the interface is open.
  std::string status = slurp("/proc/" + std::to_string(w.pid) + "/status");
  size_t uid_at = status.find("\nUid:");
  ASSERT_NE(uid_at, std::string::npos);
  std::istringstream uids(status.substr(uid_at + 5, status.find('\n', uid_at + 1) - uid_at - 5));
  unsigned real = 0, effective = 0, saved = 0;
  uids >> real >> effective >> saved;
  EXPECT_NE(real, 0u);
  EXPECT_NE(effective, 0u);
  EXPECT_NE(saved, 0u);

  // Replay in the background; note when each line appears.
  std::thread sender([&] { run_command(replay(ns)); });
  std::vector<std::pair<std::string, Clock::time_point>> lines;
  size_t seen = 0;
  const auto until = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < until && lines.size() < 18) {
    std::string out = slurp(w.out);
    size_t nl;
    while ((nl = out.find('\n', seen)) != std::string::npos) {
      lines.emplace_back(out.substr(seen, nl - seen), Clock::now());
      seen = nl + 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  sender.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  int st = stop(w, SIGINT);
  ASSERT_TRUE(WIFEXITED(st)) << st;
  EXPECT_EQ(WEXITSTATUS(st), 0) << slurp(w.err);

  simdjson::dom::parser parser;
  std::multiset<std::string> live, reported;
  double worst = 0;
  for (const auto& [line, appeared] : lines) {
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(line).get(e), simdjson::SUCCESS) << line;
    ASSERT_EQ(std::string_view(e["kind"]), "live_finding") << line;
    auto carried = parse_rfc3339(std::string_view(e["ts"]));
    double latency = std::chrono::duration<double>(appeared - carried).count();
    worst = std::max(worst, latency);
    EXPECT_LT(latency, 1.0) << line;
    EXPECT_GE(latency, -0.05) << "a line cannot appear before its packet: " << line;
    std::string_view value = e["value"];
    EXPECT_NE(value.find('*'), std::string_view::npos) << "redacted: " << line;
    live.insert(std::string(std::string_view(e["value_sha256"])) + " " +
                std::string(std::string_view(e["data_type"])));
  }
  EXPECT_EQ(live.size(), 18u) << "the example's 18 findings, live";
  std::printf("worst latency of a live finding: %.3f s\n", worst);

  // The full report after the signal: the same findings, nothing lost.
  for (const auto& line : split_lines(slurp(w.out))) {
    simdjson::dom::element e;
    if (parser.parse(line).get(e) != simdjson::SUCCESS) continue;
    if (std::string_view(e["kind"]) != "finding") continue;
    reported.insert(std::string(std::string_view(e["value_sha256"])) + " " +
                    std::string(std::string_view(e["data_type"])));
  }
  EXPECT_EQ(live, reported);
  EXPECT_NE(slurp(w.out).find("\"kind\":\"summary\""), std::string::npos);
}

TEST(WatchNetns, SigtermEndsWithTheTextReportAndThePolicyVerdict) {
  if (std::string why = why_not(); !why.empty()) GTEST_SKIP() << why << ": live test skipped";
  Namespace ns;
  if (!ns.error().empty()) GTEST_SKIP() << "cannot make a network namespace: " << ns.error();
  TempDir dir;
  Watch w = start_watch(ns, dir, "text", {"--policy", "examples/firmware-release-policy.toml"});
  run_command(replay(ns));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  int st = stop(w, SIGTERM);
  ASSERT_TRUE(WIFEXITED(st)) << st;
  EXPECT_EQ(WEXITSTATUS(st), 1) << "the example policy is violated: " << slurp(w.err);
  std::string out = slurp(w.out);
  // Live lines first, then the report with its headline.
  size_t first_live = out.find("f8:ad:cb:**:**:9b  imei 358467*******39 -> zzhc.vnet.example:80");
  size_t report = out.find("PERSONAL DATA\n  1 of 1 device sent personal data: #1 Nokia-7-plus");
  ASSERT_NE(first_live, std::string::npos) << out;
  ASSERT_NE(report, std::string::npos) << out;
  EXPECT_LT(first_live, report);
  EXPECT_NE(out.find("\nSUMMARY\n"), std::string::npos);
  // Each live finding says at once which rules it breaks; the verdict ends
  // the report, as in a scan (51 violations of the demo, README).
  size_t live_violations = 0;
  for (size_t p = out.find("POLICY: violates"); p != std::string::npos && p < report;
       p = out.find("POLICY: violates", p + 1))
    ++live_violations;
  EXPECT_EQ(live_violations, 51u);
  EXPECT_NE(out.find("FAILED (51 violations"), std::string::npos) << out.substr(report);
}

TEST(WatchNetns, WithDbEachFindingIsCommittedWithinOneSecond) {
  if (std::string why = why_not(); !why.empty()) GTEST_SKIP() << why << ": live test skipped";
  Namespace ns;
  if (!ns.error().empty()) GTEST_SKIP() << "cannot make a network namespace: " << ns.error();
  TempDir dir;
  const std::string db = dir.file("live.sqlite").string();
  Watch w = start_watch(ns, dir, "jsonl", {"--db", db});
  ASSERT_NE(slurp(w.err).find("watching phb"), std::string::npos) << slurp(w.err);

  // A second connection, as another program would read the database while
  // the watch runs: each row's capture time against when it became visible.
  sqlite3* reader = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &reader, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_busy_timeout(reader, 2000);
  std::thread sender([&] { run_command(replay(ns)); });
  int64_t seen_id = 0;
  double worst = 0;
  size_t rows = 0;
  const auto until = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < until && rows < 18) {
    sqlite3_stmt* q = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(reader,
                                 "SELECT id, ts_ns, value FROM live_findings WHERE id > ?1 "
                                 "ORDER BY id",
                                 -1, &q, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(reader);
    sqlite3_bind_int64(q, 1, seen_id);
    const auto now = Clock::now();
    while (sqlite3_step(q) == SQLITE_ROW) {
      seen_id = sqlite3_column_int64(q, 0);
      Clock::time_point carried{std::chrono::duration_cast<Clock::duration>(
          std::chrono::nanoseconds(sqlite3_column_int64(q, 1)))};
      double latency = std::chrono::duration<double>(now - carried).count();
      worst = std::max(worst, latency);
      EXPECT_LT(latency, 1.0);
      std::string value = reinterpret_cast<const char*>(sqlite3_column_text(q, 2));
      EXPECT_NE(value.find('*'), std::string::npos) << "stored redacted";
      ++rows;
    }
    sqlite3_finalize(q);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  sender.join();
  std::printf("worst latency of a stored live finding: %.3f s\n", worst);
  EXPECT_EQ(rows, 18u);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  int st = stop(w, SIGINT);
  ASSERT_TRUE(WIFEXITED(st)) << st;
  EXPECT_EQ(WEXITSTATUS(st), 0) << slurp(w.err);

  // After the stop: the run is stored and the live rows point at it.
  sqlite3_stmt* q = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(reader,
                               "SELECT (SELECT count(*) FROM findings), "
                               "(SELECT count(*) FROM live_findings WHERE run_id = "
                               "(SELECT max(id) FROM runs))",
                               -1, &q, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(q, 0), 18);
  EXPECT_EQ(sqlite3_column_int64(q, 1), 18);
  sqlite3_finalize(q);
  sqlite3_close(reader);
}

TEST(WatchCli, NeedsAnInterfaceAndAUserThatExists) {
  int status = -1;
  std::string out =
      run_command(std::string(PHONEHOME_BINARY) + " watch examples/demo.pcap 2>&1", &status);
  EXPECT_EQ(status, 2);
  EXPECT_NE(out.find("watch reads a live interface: phonehome watch -i IFACE"), std::string::npos)
      << out;
  if (geteuid() != 0) GTEST_SKIP() << "not root: --user is not used, the rest is skipped";
  out = run_command(
      std::string(PHONEHOME_BINARY) + " watch -i lo --duration 1 --user no-such-user-here 2>&1",
      &status);
  EXPECT_EQ(status, 2) << out;
  EXPECT_NE(out.find("no user 'no-such-user-here' to run as (--user NAME)"), std::string::npos)
      << out;
}

}  // namespace
}  // namespace ph::test
