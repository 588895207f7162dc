// The Engine wires the stages in their one order: capture -> decode ->
// defrag -> flow table (TCP reassembly) -> (protocol consumers) -> records.
// It owns the Stats and the per-run state; nothing else knows the order.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "capture/source.h"
#include "decode/decode.h"
#include "enrich/oui.h"
#include "enrich/periodicity.h"
#include "flow/defrag.h"
#include "flow/flow_table.h"
#include "geo/geo.h"
#include "model/records.h"
#include "pipeline/findings.h"
#include "pipeline/identity.h"

namespace ph {

struct EngineOptions {
  flow::FlowLimits flow;
  flow::DefragLimits defrag;
  // No protocol parsing: flows are still reassembled (so gaps and overlaps
  // are noted) but nobody reads the bytes; `app` stays "unknown".
  bool flows_only = false;
  // Worker pipelines (--threads): flows are sharded by a symmetric hash
  // of their addresses and ports, and the report is the same for any
  // number. The flow table's caps are divided among them.
  // With on_finding (live) there is one.
  unsigned threads = 1;
  // Country/ASN/organisation of destinations; null: scopes only.
  std::shared_ptr<const geo::Databases> geo;
  // The device profile's matcher (--profile), compiled once per run; null:
  // no profile. Each worker pipeline scans with its own clone.
  std::shared_ptr<detect::ProfileMatcher> profile;
  // Where device vendors are looked up (read once, in finish(), only when
  // a device has a MAC with a vendor part).
  enrich::OuiSources oui = enrich::OuiSources::defaults();
  // The periodic-contact detector of the timeline.
  enrich::PeriodOptions timeline;
  // Live (phonehome watch): called with each finding as soon as its message
  // is parsed, long before finish(). The record is provisional: no id and
  // no device id yet (device_mac / device_ip say which device), the
  // destination named and located as known at that moment, encryption as
  // the flow's parser sees it so far, and the time since the device's
  // first flow seen so far.
  std::function<void(const FindingRecord&)> on_finding;
  // Test hook: replaces the default per-flow consumer.
  flow::FlowTable::ConsumerFactory consumer_factory;
};

// Progress of the current input, for the progress bar.
struct Progress {
  const capture::InputInfo* input = nullptr;
  uint64_t position = 0;    // bytes of the underlying file consumed
  uint64_t total_size = 0;  // 0 when unknown
  uint64_t packets = 0;     // all inputs so far
};

class Shard;

// Reads and decodes every packet, hands each to its worker pipeline (a
// Shard; on its own thread when there are several), and at the end merges
// what the shards made into one report, replaying what crosses flows in
// the order of the capture.
class Engine final {
 public:
  explicit Engine(EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Reads `source` to its end (or until `stop` becomes true), feeding every
  // packet through the pipeline. `progress` (optional) is called now and then.
  void run(capture::Source& source, const std::atomic<bool>* stop = nullptr,
           const std::function<void(const Progress&)>& progress = {});

  // Records an input that could not be opened (it still appears in the summary).
  void add_failed_input(const std::string& path, const std::string& error);

  // Ends every flow and builds the report. Call once, after the last run().
  Report finish();

 private:
  struct Worker;
  void on_packet(const capture::Packet& packet);
  void begin_input(size_t input);
  size_t shard_of(const decode::PacketView& view, decode::Status st) const;
  // The shards' outputs into report_: flows in order of creation, DNS
  // names, home networks, findings and identity replayed in event order.
  void merge();
  // The identity evidence, the vendors and the device-relative times of
  // the findings, once every device is known.
  // `key_ips[i]` is the address device i is keyed by when it has no MAC.
  void complete_devices(const std::vector<IpAddr>& key_ips);
  void locate_destinations();

  EngineOptions options_;
  Report report_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<std::unique_ptr<Worker>> workers_;  // none with one shard
  std::unique_ptr<IdentityCollector> identity_;   // with protocol parsing only
  flow::Defragmenter defrag_;                     // before sharding: flows are sharded by ports
  size_t current_input_ = 0;
  uint64_t frame_in_input_ = 0;
  decode::PacketView view_;         // the packet being decoded (reused: decode_frame resets it)
  Timestamp clock_ = INT64_MIN;     // latest capture time seen
  Timestamp first_ts_ = INT64_MAX;  // earliest capture time seen
  Timestamp next_expire_ = INT64_MIN;
  std::map<uint32_t, uint64_t> unsupported_linktypes_;  // of the current input
};

// Exit codes of `phonehome scan` (documented in the README and --help).
enum ExitCode : int {
  kExitOk = 0,
  kExitPolicyViolation = 1,  // --policy: a rule was violated (wins over 3 and 4)
  kExitUsage = 2,
  kExitInputUnreadable = 3,  // an input could not be opened or is not a capture
  kExitInputDamaged = 4,     // an input was truncated/corrupt or had unsupported link types
};
int exit_code_for(const Report& report);

}  // namespace ph
