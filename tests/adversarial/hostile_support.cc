// See hostile_support.h.
#include "adversarial/hostile_support.h"

#include <fcntl.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "fixture/bigcap.h"

extern char** environ;

namespace ph::test {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void add_strings(simdjson::dom::element e, std::vector<std::string>& to) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) return;
  for (auto v : a) to.emplace_back(std::string_view(v));
}

void add_counters(simdjson::dom::element e, std::map<std::string, uint64_t>& to) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return;
  for (auto [k, v] : o) to[std::string(k)] = uint64_t(v);
}

}  // namespace

MeasuredRun measured_scan(const TempDir& dir, const std::string& capture,
                          const std::vector<std::string>& extra) {
  // Through GNU time: a child's ru_maxrss starts at its parent's high-water
  // mark (Linux carries it over exec), so wait4 here would report this
  // test's own RSS; time's child is forked from the small time process.
  const auto rss_path = dir.file("scan.rss");
  std::vector<std::string> args = {
      "/usr/bin/time", "-f",       "%M",       "-o",   rss_path.string(), PHONEHOME_BINARY, "scan",
      "--no-progress", "--reveal", "--format", "jsonl"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(capture);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e)
    if (std::string_view(*e).substr(0, 13) != "ASAN_OPTIONS=") env_strings.emplace_back(*e);
  // A small quarantine: RSS then measures live memory, not freed blocks kept by ASan.
  env_strings.emplace_back("ASAN_OPTIONS=quarantine_size_mb=16");
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  const auto out_path = dir.file("scan.out"), err_path = dir.file("scan.err");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  MeasuredRun r;
  pid_t pid = 0;
  const auto start = std::chrono::steady_clock::now();
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return r;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFEXITED(status)) r.status = WEXITSTATUS(status);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  // time writes "Command exited with non-zero status N" or "Command
  // terminated by signal N" on a line before the figure.
  std::string rss = slurp(rss_path);
  while (!rss.empty() && rss.back() == '\n') rss.pop_back();
  const size_t nl = rss.rfind('\n');
  r.max_rss_kib = std::strtoull(rss.c_str() + (nl == std::string::npos ? 0 : nl + 1), nullptr, 10);
  if (const size_t sig = rss.find("terminated by signal "); sig != std::string::npos) {
    r.status = -1;
    r.signal = std::atoi(rss.c_str() + sig + 21);
  }
  return r;
}

ScanReport read_report(const std::string& jsonl) {
  ScanReport r;
  simdjson::dom::parser parser;
  size_t start = 0;
  while (start < jsonl.size()) {
    size_t nl = jsonl.find('\n', start);
    if (nl == std::string::npos) nl = jsonl.size();
    std::string_view line(jsonl.data() + start, nl - start);
    start = nl + 1;
    const bool finding = line.starts_with(R"({"kind":"finding")");
    const bool summary = line.starts_with(R"({"kind":"summary")");
    const bool named_flow =
        line.starts_with(R"({"kind":"flow")") && line.find(R"("host":")") != line.npos;
    if (!finding && !summary && !named_flow) continue;
    simdjson::dom::element e;
    if (parser.parse(line.data(), line.size()).get(e) != simdjson::SUCCESS) continue;
    if (finding) {
      std::string_view value = e["value"];
      r.values.emplace(value);
      if (std::string_view(e["data_type"]) == "imei") r.imeis.emplace(value);
    } else if (named_flow) {
      std::string_view host;
      if (e["dst"]["host"].get(host) == simdjson::SUCCESS) r.hosts.emplace(host);
    } else {
      r.has_summary = true;
      r.flows = uint64_t(e["flows"]);
      for (auto in : e["inputs"].get_array()) {
        add_strings(in["errors"], r.errors);
        add_strings(in["warnings"], r.warnings);
      }
      add_strings(e["warnings"], r.warnings);
      add_counters(e["drops"], r.drops);
      add_counters(e["anomalies"], r.anomalies);
    }
  }
  return r;
}

std::string normal_capture(const TempDir& dir, uint64_t bytes) {
  fixture::BigcapOptions o;
  o.out = dir.file("normal.pcap").string();
  o.min_bytes = bytes;  // no sources: the generated bench traffic, deterministic
  fixture::BigcapResult r = fixture::write_bigcap(o);
  return r.ok ? o.out : std::string();
}

}  // namespace ph::test
