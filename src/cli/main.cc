// phonehome's entry point: parse options, run the Engine over each input,
// write the report, exit with a documented code. The one last catch lives here.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>

#include "capture/source.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "detect/profile.h"
#include "detect/profile_matcher.h"
#include "geo/geo.h"
#include "pipeline/engine.h"
#include "policy/policy.h"
#include "report/report.h"

namespace {

// Signal handlers can only reach statics: the stop flag and the live source.
std::atomic<bool> g_stop{false};
std::atomic<ph::capture::Source*> g_live{nullptr};

void on_signal(int) {
  g_stop.store(true);
  if (auto* s = g_live.load()) s->interrupt();
}

std::string exe_path() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, size_t(n)) : std::string();
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

int run(const ph::cli::Options& o) {
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

  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!o.output.empty() && o.output != "-") {
    file.open(o.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::fprintf(stderr, "phonehome: cannot write %s\n", o.output.c_str());
      return ph::kExitUsage;
    }
    out = &file;
  }

  ph::Engine engine(engine_options);
  ph::cli::ProgressLine progress(o.progress && isatty(STDERR_FILENO));
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
  ph::report::Options ro = o.report;
  ro.color =
      o.color == "always" || (o.color == "auto" && out == &std::cout && isatty(STDOUT_FILENO));
  ph::report::write(report, o.format, ro, *out);
  if (!*out) {
    std::fprintf(stderr, "phonehome: writing the report failed\n");
    return ph::kExitUsage;
  }
  return ph::exit_code_for(report);
}

}  // namespace

int main(int argc, char** argv) {
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
