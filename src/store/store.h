// The SQLite store (`--db FILE`): runs of phonehome accumulate in one
// database (docs/sqlite-schema.md), and a Report is rebuilt from it for the
// report sinks. It sees only model/records.h, like a sink, but reads as well
// as writes, which is why it lives beside report/ rather than in it.
//
// Privacy: the database holds identifiers as the report of that run shows
// them, redacted unless the run was made with --reveal (runs.revealed);
// value_sha256 is always there. Devices are merged across runs by the
// SHA-256 of their key (MAC, else IP), never by the stored, redacted form.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "model/records.h"
#include "store/sqlite.h"

namespace ph::store {

// PRAGMA user_version of the schema this build writes and reads.
constexpr int kSchemaVersion = 1;
// PRAGMA application_id of a phonehome database ("PHom").
constexpr int32_t kApplicationId = 0x50486f6d;

struct RunInfo {
  // SHA-256 (hex) of each input's bytes, one per Report::inputs; empty for
  // an input that cannot be hashed (stdin, live, unreadable). A run whose
  // inputs all have hashes is stored once: importing the same captures
  // again adds nothing.
  std::vector<std::string> input_sha256;
  bool revealed = false;    // store identifiers whole (scan --reveal)
  std::string imported_at;  // RFC 3339; given by the caller so the store has no clock
  // Tests only: called inside the transaction after each table is written
  // ("run", "devices", "flows", "findings", "contacts").
  std::function<void(std::string_view stage)> on_stage;
};

struct Added {
  int64_t run = 0;     // the run's id
  bool added = false;  // false: the same captures were already stored as `run`
};

struct RunRow {
  int64_t id = 0;
  std::string imported_at;
  bool revealed = false;
  std::vector<std::string> inputs;  // paths
  uint64_t devices = 0, flows = 0, findings = 0;
};

struct Loaded {
  Report report;
  bool redacted = false;  // some run was stored redacted: --reveal cannot show its values
};

class Store {
 public:
  // Opens (and with `create`, creates) a phonehome database. Errors: cannot
  // open or create, not a SQLite database, not a phonehome database, a
  // schema newer than this build reads.
  static Result<Store> open(const std::string& path, bool create);

  // Stores a run in one transaction: all of it or, on any failure or a
  // crash, none of it.
  Result<Added> add(const Report& report, const RunInfo& info);

  // watch --db: a finding as it was printed live, committed at once in its
  // own transaction, so it is on disk within moments of its message even if
  // the run never ends. `session` ties one watch's rows together;
  // finish_live() points them at the run stored when it stops. Identifiers
  // are stored as shown (redacted unless `revealed`), like runs.
  Result<void> add_live(const FindingRecord& finding, std::string_view session, bool revealed);
  Result<void> finish_live(std::string_view session, int64_t run);

  Result<std::vector<RunRow>> runs();

  // The report of one run (byte-identical sinks output to the run's own
  // report) or, with no run given, of every run: devices merged by their
  // key, flows, findings and contacts renumbered in run order, inputs,
  // counters and warnings of all runs together. Error: no such run.
  Result<Loaded> load(std::optional<int64_t> run);
  // The runs that read the capture whose SHA-256 (hex) is or starts with
  // `sha256` (at least 6 digits), together. Error: no such capture, or
  // the prefix fits several.
  Result<Loaded> load_capture(const std::string& sha256);

 private:
  Result<Loaded> read_runs(const std::vector<int64_t>* only);  // null: every run
  explicit Store(DbHandle db) : db_(std::move(db)) {}
  DbHandle db_;
};

// SHA-256 (hex) of a file's bytes; an error when it cannot be read.
Result<std::string> file_sha256(const std::string& path);

}  // namespace ph::store
