// Command-line options -> an immutable Options value. The CLI is the only
// place that prints usage or decides the process exit code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/engine.h"
#include "report/report.h"

namespace ph::cli {

struct Options {
  std::string command;  // "scan" or "report"
  std::vector<std::string> inputs;
  std::string interface;  // live capture
  std::string filter;     // BPF
  double duration_s = 0;  // live: stop after this long (0: until SIGINT)
  report::Format format = report::Format::kText;
  std::string output;  // empty: stdout
  std::string html;    // --html FILE: the HTML page as well
  std::string user;    // live, as root: who to become once the interface is open
  report::Options report;
  bool quiet = false;
  bool progress = true;
  std::string color = "auto";
  std::string geoip_dir;  // --geoip: empty = the default search path (geo/geo.h)
  std::string profile;    // --profile FILE (read by main, not here)
  std::string db;         // --db FILE: the SQLite store (src/store/)
  // report --run N (0: every run); report --capture FILE|SHA256: the runs that read it.
  int64_t run = 0;
  std::string capture;
  // --format or -o given: scan --db prints the report only then.
  bool report_asked = false;
  std::string policy;  // --policy FILE (read by main, not here)
  EngineOptions engine;
};

struct ParseResult {
  std::optional<Options> options;  // empty: exit with `exit_code` after printing `message`
  int exit_code = 0;
  std::string message;  // usage error or help text
  bool to_stderr = false;
};

ParseResult parse(int argc, char** argv);
std::string usage();

}  // namespace ph::cli
