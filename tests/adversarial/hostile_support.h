// Running the real `phonehome scan --format jsonl` on hostile captures with
// its wall time and peak RSS measured (GNU time's %M),
// and reading what a test asserts from its jsonl: the identifiers found, the
// flows' hosts, the summary's drops, anomalies, errors and warnings.
//
// The bars of issue #7 are peak RSS under the documented 1 GiB and time at
// most 10x that of a normal capture of the same size. Tests run under
// ASan+UBSan (make test), which multiplies time (both runs alike, so the
// ratio stays meaningful) and adds shadow memory and a quarantine of freed
// blocks to RSS: the child runs with ASAN_OPTIONS quarantine_size_mb=16 so
// that RSS reflects live memory, and the RSS bar is checked against the
// release binary's figures by bench/run-hostile as well.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/support.h"

namespace ph::test {

struct MeasuredRun {
  int status = -1;  // exit code; -1 if the child did not exit normally (a signal)
  int signal = 0;
  double seconds = 0;
  uint64_t max_rss_kib = 0;
  std::string out;  // standard output (the jsonl report)
  std::string err;  // standard error
};

// Runs /usr/bin/time -f %M PHONEHOME_BINARY scan --no-progress --reveal
// --format jsonl EXTRA... CAPTURE, output in files under `dir`.
MeasuredRun measured_scan(const TempDir& dir, const std::string& capture,
                          const std::vector<std::string>& extra = {});

struct ScanReport {
  bool has_summary = false;
  std::set<std::string> values;  // findings' values (revealed)
  std::set<std::string> imeis;   // those of data type imei
  std::set<std::string> hosts;   // flows' dst.host
  uint64_t flows = 0;            // summary.flows
  std::map<std::string, uint64_t> drops, anomalies;
  std::vector<std::string> errors;    // every input's errors
  std::vector<std::string> warnings;  // every input's warnings and the summary's
  uint64_t count(const std::map<std::string, uint64_t>& m, const std::string& key) const {
    auto it = m.find(key);
    return it == m.end() ? 0 : it->second;
  }
};

// Reads the finding, flow and summary records of a jsonl report; lines of
// other kinds are skipped unparsed (a flood has a million flow lines).
ScanReport read_report(const std::string& jsonl);

// A normal capture (the bench's generated traffic) of at least `bytes`.
std::string normal_capture(const TempDir& dir, uint64_t bytes);

}  // namespace ph::test
