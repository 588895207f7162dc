// phonehome's entry point: parse options, run the Engine over each input,
// write the report, exit with a documented code. The one last catch lives here.
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>

#ifdef PHONEHOME_MIMALLOC
#include <mimalloc.h>
#include <sys/mman.h>
#endif

#include "capture/source.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "detect/profile.h"
#include "detect/profile_matcher.h"
#include "geo/geo.h"
#include "pipeline/engine.h"
#include "policy/policy.h"
#include "report/report.h"
#include "report/words.h"
#include "store/store.h"

namespace {

// Signal handlers can only reach statics: the stop flag and the live source.
std::atomic<bool> g_stop{false};
std::atomic<ph::capture::Source*> g_live{nullptr};

void on_signal(int) {
  g_stop.store(true);
  if (auto* s = g_live.load()) s->interrupt();
}

// A user or group id from the environment (SUDO_UID, SUDO_GID): nullopt
// when unset or not a plain decimal number (atoi would have made a garbled
// SUDO_GID group 0, root's).
std::optional<unsigned> env_id(const char* name) {
  const char* s = std::getenv(name);
  if (!s || !*s) return std::nullopt;
  unsigned id = 0;
  const char* end = s + std::strlen(s);
  auto [p, ec] = std::from_chars(s, end, id);
  if (ec != std::errc() || p != end) return std::nullopt;
  return id;
}

// A root process needs its privileges only to open the interface: then it
// becomes `user` (--user), else the user sudo was run by, else nobody, and
// checks that it cannot become root again. Parsing what others send is the
// risky part, and it runs unprivileged.
// `hand_over`: files this run keeps writing after the drop (the --db
// database and its WAL/shared-memory files), given to the new user first.
bool drop_privileges(const std::string& user, const std::vector<std::string>& hand_over,
                     std::string& error) {
  if (geteuid() != 0) return true;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name = user;
  const auto sudo_uid = env_id("SUDO_UID");
  const auto sudo_gid = env_id("SUDO_GID");
  if (name.empty() && sudo_uid && sudo_gid && *sudo_uid > 0) {
    uid = uid_t(*sudo_uid);
    gid = gid_t(*sudo_gid);
  } else {
    if (name.empty()) name = "nobody";
    const passwd* pw = getpwnam(name.c_str());
    if (!pw) {
      error = "no user '" + name + "' to run as (--user NAME)";
      return false;
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
  }
  if (uid == 0) {
    error = "--user must not be root";
    return false;
  }
  // They are made now if missing: SQLite makes its WAL and shared-memory
  // files on demand, which the new user could not do in a directory only
  // root may write (an empty WAL is no WAL to SQLite).
  for (const auto& f : hand_over) {
    int fd = open(f.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) close(fd);
    if (chown(f.c_str(), uid, gid) != 0) {
      error = "cannot give " + f + " to the unprivileged user: " + std::strerror(errno);
      return false;
    }
  }
  if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
    error = std::string("cannot drop root privileges: ") + std::strerror(errno);
    return false;
  }
  if (setuid(0) == 0) {
    error = "root privileges could not be dropped";
    return false;
  }
  return true;
}

std::string exe_path() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

// Where the report goes: standard output, or the file of -o.
bool open_output(const ph::cli::Options& o, std::ofstream& file, std::ostream*& out) {
  out = &std::cout;
  if (o.output.empty() || o.output == "-") return true;
  file.open(o.output, std::ios::binary | std::ios::trunc);
  if (!file) {
    std::fprintf(stderr, "phonehome: cannot write %s\n", o.output.c_str());
    return false;
  }
  out = &file;
  return true;
}

// The sinks' options: colours when asked, or on a terminal by default.
ph::report::Options report_options(const ph::cli::Options& o, const std::ostream* out) {
  ph::report::Options ro = o.report;
  ro.threads = o.engine.threads;
  ro.color =
      o.color == "always" || (o.color == "auto" && out == &std::cout && isatty(STDOUT_FILENO));
  return ro;
}

int write_report(const ph::cli::Options& o, const ph::Report& report, std::ostream& out) {
  ph::report::write(report, o.format, report_options(o, &out), out);
  if (!out) {
    std::fprintf(stderr, "phonehome: writing the report failed\n");
    return ph::kExitUsage;
  }
  return ph::kExitOk;
}

// --html FILE, opened before the work so that a bad path fails early.
bool open_html(const ph::cli::Options& o, std::ofstream& html) {
  if (o.html.empty()) return true;
  html.open(o.html, std::ios::binary | std::ios::trunc);
  if (!html) std::fprintf(stderr, "phonehome: cannot write %s\n", o.html.c_str());
  return bool(html);
}

int write_html(const ph::cli::Options& o, const ph::Report& report, std::ofstream& html) {
  if (!html.is_open()) return ph::kExitOk;
  ph::report::write(report, ph::report::Format::kHtml, o.report, html);
  html.close();
  if (!html) {
    std::fprintf(stderr, "phonehome: writing %s failed\n", o.html.c_str());
    return ph::kExitUsage;
  }
  return ph::kExitOk;
}

// scan --db: the run into the store, each capture file known by the
// SHA-256 of its bytes. Stdin, live captures and interrupted runs have
// none: they are always added (an interrupted run is not the whole file).
std::string now_rfc3339() {
  return ph::format_rfc3339(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
}

int store_run(const ph::cli::Options& o, ph::store::Store& store, const ph::Report& report,
              int64_t* run = nullptr) {
  ph::store::RunInfo info;
  info.revealed = o.report.reveal;
  info.imported_at = now_rfc3339();
  for (size_t i = 0; i < report.inputs.size(); ++i) {
    std::string hash;
    const std::string& path = report.inputs[i].path;
    if (o.interface.empty() && !g_stop.load() && report.input_opened[i] && path != "-") {
      auto h = ph::store::file_sha256(path);
      if (h) hash = std::move(h.value());
    }
    info.input_sha256.push_back(std::move(hash));
  }
  auto added = store.add(report, info);
  if (!added) {
    std::fprintf(stderr, "phonehome: --db %s: %s\n", o.db.c_str(), added.error().message.c_str());
    return ph::kExitUsage;
  }
  if (run) *run = added->run;
  if (o.quiet) return ph::kExitOk;
  if (added->added) {
    using ph::report::counted;
    std::fprintf(stderr, "phonehome: stored as run %lld in %s (%s, %s, %s)\n",
                 static_cast<long long>(added->run), o.db.c_str(),
                 counted(report.devices.size(), "device").c_str(),
                 counted(report.flows.size(), "flow").c_str(),
                 counted(report.findings.size(), "finding").c_str());
  } else {
    std::fprintf(stderr, "phonehome: %s holds these captures already (run %lld): nothing added\n",
                 o.db.c_str(), static_cast<long long>(added->run));
  }
  return ph::kExitOk;
}

// A multi-line error (profile, policy): one problem a line, each as
// "phonehome: FILE:LINE:COLUMN: ...".
void print_problems(std::string_view m) {
  for (size_t start = 0; start <= m.size();) {
    size_t nl = std::min(m.find('\n', start), m.size());
    std::fprintf(stderr, "phonehome: %.*s\n", int(nl - start), m.data() + start);
    start = nl + 1;
  }
}

// phonehome report --db FILE: a Report rebuilt from the store, through the
// same sinks as scan.
int run_report(const ph::cli::Options& o) {
  auto store = ph::store::Store::open(o.db, false);
  if (!store) {
    std::fprintf(stderr, "phonehome: --db: %s\n", store.error().message.c_str());
    return ph::kExitUsage;
  }
  // --capture FILE: the file's SHA-256; otherwise the digits given.
  std::string capture = o.capture;
  if (!capture.empty() && access(capture.c_str(), R_OK) == 0) {
    auto hash = ph::store::file_sha256(capture);
    if (!hash) {
      std::fprintf(stderr, "phonehome: --capture: %s\n", hash.error().message.c_str());
      return ph::kExitUsage;
    }
    capture = hash.value();
  }
  auto loaded = !capture.empty()
                    ? store->load_capture(capture)
                    : store->load(o.run ? std::optional<int64_t>(o.run) : std::nullopt);
  if (!loaded) {
    std::fprintf(stderr, "phonehome: --db %s: %s\n", o.db.c_str(), loaded.error().message.c_str());
    return ph::kExitUsage;
  }
  if (o.report.reveal && loaded->redacted) {
    std::fprintf(stderr,
                 "phonehome: --reveal: %s holds identifiers redacted (scanned without --reveal); "
                 "they cannot be shown whole\n",
                 o.db.c_str());
    return ph::kExitUsage;
  }
  // --policy judges the stored runs as a scan would have.
  if (!o.policy.empty()) {
    auto policy = ph::policy::load_policy(o.policy);
    if (!policy) {
      print_problems(policy.error().message);
      return ph::kExitUsage;
    }
    loaded->report.verdict = ph::policy::evaluate(*policy, loaded->report);
  }
  // The report to standard output (or -o) unless only --html was asked for.
  std::ofstream file, html;
  std::ostream* out = nullptr;
  const bool print_report = o.html.empty() || o.report_asked;
  if (print_report && !open_output(o, file, out)) return ph::kExitUsage;
  if (!open_html(o, html)) return ph::kExitUsage;
  if (print_report) {
    if (int rc = write_report(o, loaded->report, *out); rc != ph::kExitOk) return rc;
  }
  if (int rc = write_html(o, loaded->report, html); rc != ph::kExitOk) return rc;
  const auto& verdict = loaded->report.verdict;
  return verdict && !verdict->passed() ? ph::kExitPolicyViolation : ph::kExitOk;
}

int run(const ph::cli::Options& o) {
  if (o.command == "report") return run_report(o);
  // GeoIP data: --geoip DIR must work (the user asked for it); the default
  // data may be missing, which is a warning in the report.
  ph::EngineOptions engine_options = o.engine;
  std::string geo_warning;
  if (!o.geoip_dir.empty()) {
    auto db = ph::geo::Databases::open(o.geoip_dir);
    if (!db) {
      std::fprintf(stderr, "phonehome: --geoip: %s\n", db.error().message.c_str());
      return ph::kExitUsage;
    }
    engine_options.geo = std::move(db.value());
  } else {
    ph::geo::Found found = ph::geo::open_first(ph::geo::default_search_path(exe_path()));
    engine_options.geo = std::move(found.db);
    geo_warning = found.warning;
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGALRM, on_signal);

  // The profile is read and compiled before any input or output: a mistake
  // in it is a usage error, reported without its values.
  std::vector<std::string> profile_warnings;
  if (!o.profile.empty()) {
    auto profile = ph::detect::load_profile(o.profile);
    if (!profile) {
      print_problems(profile.error().message);
      return ph::kExitUsage;
    }
    for (const auto& w : profile->warnings) {
      if (!o.quiet) std::fprintf(stderr, "phonehome: warning: %s\n", w.c_str());
      profile_warnings.push_back("profile: " + w);
    }
    auto matcher = ph::detect::ProfileMatcher::build(*profile);
    if (!matcher) {
      std::fprintf(stderr, "phonehome: %s\n", matcher.error().message.c_str());
      return ph::kExitUsage;
    }
    engine_options.profile = std::move(matcher.value());
  }

  // The policy too: a mistake in it is a usage error before any input.
  std::optional<ph::policy::Policy> policy;
  if (!o.policy.empty()) {
    auto p = ph::policy::load_policy(o.policy);
    if (!p) {
      print_problems(p.error().message);
      return ph::kExitUsage;
    }
    policy = std::move(p.value());
  }

  // The store is opened before any input is read: a database that cannot
  // be used is a usage error, found before a long scan.
  std::optional<ph::store::Store> store;
  if (!o.db.empty()) {
    auto opened = ph::store::Store::open(o.db, true);
    if (!opened) {
      std::fprintf(stderr, "phonehome: --db: %s\n", opened.error().message.c_str());
      return ph::kExitUsage;
    }
    store.emplace(std::move(opened.value()));
  }

  std::ofstream file;
  std::ostream* out = nullptr;
  // watch always prints (its findings as they come), stored or not.
  const bool print_report = !store || o.report_asked || o.command == "watch";
  if (print_report && !open_output(o, file, out)) return ph::kExitUsage;
  // The HTML page is opened before the run too: a path that cannot be
  // written is a usage error now, not after an hour of capture.
  std::ofstream html;
  if (!open_html(o, html)) return ph::kExitUsage;

  const ph::report::Options ro = report_options(o, out);
  // watch: each finding the moment its message is parsed, flushed at once,
  // and with --db committed to the store at once too.
  const std::string session = now_rfc3339() + " pid " + std::to_string(getpid());
  bool live_store_failed = false;
  if (o.command == "watch") {
    engine_options.on_finding = [&](const ph::FindingRecord& f) {
      ph::report::write_live_finding(f, o.format, ro, *out);
      // --policy: the rules it breaks, said at once (the verdict and exit
      // code come with the report at the end). The device is known here
      // only by its address, so rules scoped to device names wait for it.
      if (policy) {
        ph::DeviceRecord device;
        device.mac = f.device_mac;
        if (!f.device_mac) device.ips = {f.device_ip};
        for (const auto& rule : policy->rules) {
          if (!ph::policy::violates(rule, f, &device)) continue;
          ph::report::write_live_violation(f, rule.id, rule.name, o.format, *out);
        }
      }
      out->flush();
      if (store && !live_store_failed) {
        if (auto r = store->add_live(f, session, o.report.reveal); !r) {
          live_store_failed = true;  // said once; the run is still stored at the end
          std::fprintf(stderr, "phonehome: --db %s: %s\n", o.db.c_str(), r.error().message.c_str());
        }
      }
    };
  }

  ph::Engine engine(engine_options);
  // watch prints findings as they come: no progress line between them.
  ph::cli::ProgressLine progress(o.progress && o.command != "watch" && isatty(STDERR_FILENO));
  auto on_progress = [&](const ph::Progress& p) { progress.update(p); };

  if (!o.interface.empty()) {
    ph::capture::LiveOptions live;
    live.interface = o.interface;
    live.bpf = o.filter;
    auto src = ph::capture::open_live(live);
    if (!src) {
      std::fprintf(stderr, "phonehome: %s\n", src.error().message.c_str());
      return ph::kExitInputUnreadable;
    }
    std::string why;
    std::vector<std::string> hand_over;
    if (store) {
      hand_over = {o.db, o.db + "-wal", o.db + "-shm"};
      (void)store->runs();  // a read opens the WAL files while root still may
    }
    if (!drop_privileges(o.user, hand_over, why)) {
      std::fprintf(stderr, "phonehome: %s\n", why.c_str());
      return ph::kExitUsage;
    }
    if (o.command == "watch" && !o.quiet)
      std::fprintf(stderr,
                   "phonehome: watching %s; findings appear as they happen, the report "
                   "at Ctrl-C\n",
                   o.interface.c_str());
    g_live.store(src->get());
    if (o.duration_s > 0) alarm(static_cast<unsigned>(o.duration_s + 0.999));
    engine.run(**src, &g_stop, on_progress);
    g_live.store(nullptr);
  } else {
    for (const auto& path : o.inputs) {
      if (g_stop.load()) break;
      auto src = ph::capture::open_file(path);
      if (!src) {
        std::fprintf(stderr, "phonehome: %s\n", src.error().message.c_str());
        engine.add_failed_input(path, src.error().message);
        continue;
      }
      engine.run(**src, &g_stop, on_progress);
    }
  }
  progress.clear();

  ph::Report report = engine.finish();
  report.warnings.insert(report.warnings.begin(), profile_warnings.begin(), profile_warnings.end());
  if (g_stop.load() && o.interface.empty())
    report.warnings.push_back("interrupted before the end of the input");
  if (!geo_warning.empty()) report.warnings.push_back(geo_warning);
  if (policy) report.verdict = ph::policy::evaluate(*policy, report);
  for (const auto& in : report.inputs) {
    for (const auto& e : in.errors) {
      if (!o.quiet) std::fprintf(stderr, "phonehome: %s: %s\n", in.path.c_str(), e.c_str());
    }
  }
  if (store) {
    int64_t run = 0;
    if (int rc = store_run(o, *store, report, &run); rc != ph::kExitOk) return rc;
    if (o.command == "watch") {
      if (auto r = store->finish_live(session, run); !r)
        std::fprintf(stderr, "phonehome: --db %s: %s\n", o.db.c_str(), r.error().message.c_str());
    }
  }
  if (print_report) {
    if (int rc = write_report(o, report, *out); rc != ph::kExitOk) return rc;
  }
  if (int rc = write_html(o, report, html); rc != ph::kExitOk) return rc;
  return ph::exit_code_for(report);
}

}  // namespace

#ifdef PHONEHOME_MIMALLOC
namespace {
// Transparent huge pages (the kernel's "madvise" mode) for the heap: a big
// capture grows it to ~100 MiB of flow records and parser state, and
// faulting that in 4 KiB at a time (~21 k page faults) cost ~18% of the
// whole-capture benchmark on this VM. mimalloc madvises the segments it maps
// from now on; the one it mapped before main (segments are 32 MiB, aligned to
// their size) is advised here. If that guess is ever wrong the call is a
// harmless hint that fails or covers less.
//
// Memory freed is also kept committed instead of being handed back to the
// kernel after a delay: a run frees and allocates in waves (a flood's
// flows, then their records; the merge of the pipelines' records), and
// each page handed back came again as a fresh page the kernel had to zero
// (SYN flood of 1M flows: ~15 k page faults -> ~11.4 k; peak RSS the same).
void prefer_huge_pages() {
  mi_option_enable(mi_option_large_os_pages);
  mi_option_disable(mi_option_allow_decommit);
  constexpr uintptr_t kSegment = uintptr_t(32) << 20;
  void* probe = mi_malloc(64);
  char* at = static_cast<char*>(probe);
  char* segment = at - (reinterpret_cast<uintptr_t>(at) & (kSegment - 1));
  (void)madvise(segment, kSegment, MADV_HUGEPAGE);
  mi_free(probe);
}
}  // namespace
#endif

int main(int argc, char** argv) {
#ifdef PHONEHOME_MIMALLOC
  prefer_huge_pages();
#endif
  try {
    ph::cli::ParseResult parsed = ph::cli::parse(argc, argv);
    if (!parsed.options) {
      std::fputs(parsed.message.c_str(), parsed.to_stderr ? stderr : stdout);
      return parsed.exit_code;
    }
    return run(*parsed.options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "phonehome: internal error: %s\n", e.what());
    return 70;
  }
}
