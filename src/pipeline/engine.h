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
#include "proto/dispatch.h"
#include "proto/protocol.h"

namespace ph {

struct EngineOptions {
  flow::FlowLimits flow;
  flow::DefragLimits defrag;
  // No protocol parsing: flows are still reassembled (so gaps and overlaps
  // are noted) but nobody reads the bytes; `app` stays "unknown".
  bool flows_only = false;
  // Country/ASN/organisation of destinations; null: scopes only.
  std::shared_ptr<const geo::Databases> geo;
  // The device profile's matcher (--profile), compiled once per run; null:
  // no profile. Used by one Engine at a time (its scratch is not shared).
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

class Engine final : private proto::FlowMessageSink {
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
  void on_packet(const capture::Packet& packet);
  void on_flow_closed(flow::Flow& flow);
  void on_eapol(const decode::PacketView& view, Timestamp ts);
  // The identity evidence, the vendors and the device-relative times of
  // the findings, once every device is known.
  // `key_ips[i]` is the address device i is keyed by when it has no MAC.
  void complete_devices(const std::vector<IpAddr>& key_ips);
  std::unique_ptr<flow::FlowConsumer> make_dispatcher(const flow::Flow& flow);
  void locate_destinations();
  // The destination of a flow's server as known now: SNI, then HTTP Host,
  // then the name the device resolved the address to before the flow began.
  void name_destination(const proto::Dispatcher& dispatcher, const proto::FlowFacts& facts,
                        DestinationRecord& d);
  void announce(FindingRecord& r, const flow::Flow& f);  // on_finding

  // Messages from the protocol parsers, with their flow: counted, DNS
  // answers remembered per device; the content and detection stages
  // (issue #4) take them from here.
  void on_message(const flow::Flow& flow, const proto::Parser* parser, proto::Message&& m) override;
  void on_anomaly(std::string_view what) override { report_.stats.anomalies.add(what); }
  void on_skipped(std::string_view what) override { report_.stats.drops.add(what); }

  // The per-device DNS cache: (device, address) -> the name that device
  // last resolved to the address. Devices are keyed as in the report (MAC
  // where the link has one, else IP), so an answer to one device never
  // names another device's flow.
  struct NameKey {
    IpAddr device;  // the client's IP, or its MAC in the first 6 bytes (version 0)
    IpAddr address;
    bool operator==(const NameKey&) const = default;
  };
  struct NameKeyHash {
    size_t operator()(const NameKey& k) const;
  };
  static NameKey name_key(const flow::Flow& flow, const IpAddr& address);
  void remember_names(const flow::Flow& flow, const proto::Message& response);

  EngineOptions options_;
  Report report_;
  std::string message_key_;
  std::unique_ptr<FindingScanner> scanner_;  // with protocol parsing only
  std::unordered_map<NameKey, std::string_view, NameKeyHash> resolved_;  // in report_.strings
  std::vector<IpAddr> named_;                                            // remember_names() scratch
  std::unique_ptr<IdentityCollector> identity_;  // with protocol parsing only
  // The home MCC of each device that sent an IMSI (keyed as
  // NameKey::device): the region of its national-format phone numbers.
  std::unordered_map<IpAddr, std::string, AddrHash> home_mcc_;
  // Live only: where findings go before finish(), and the first flow start
  // of each device (keyed as NameKey::device) for their relative time.
  std::unique_ptr<geo::Locator> live_locator_;
  std::unordered_map<IpAddr, Timestamp, AddrHash> live_first_seen_;

  // 802.1X has no IP layer and no flow record: one EAPOL session per
  // supplicant (the device) MAC, its messages reported with a pseudo-flow
  // (id 0) that carries the device's and the authenticator's MACs.
  struct L2Session final : proto::MessageSink {
    explicit L2Session(Engine& e) : engine(e) {}
    void on_message(proto::Message&& m) override;
    void on_anomaly(std::string_view what) override { engine.on_anomaly(what); }
    Engine& engine;
    flow::Flow flow;
    std::unique_ptr<proto::Feeder> feeder;
  };
  std::unordered_map<std::string, std::unique_ptr<L2Session>> eapol_;
  bool dispatching_ = false;  // flows carry proto::Dispatcher consumers
  flow::Defragmenter defrag_;
  std::unique_ptr<flow::FlowTable> flows_;
  size_t current_input_ = 0;
  uint64_t frame_in_input_ = 0;
  Timestamp clock_ = INT64_MIN;     // latest capture time seen
  Timestamp first_ts_ = INT64_MAX;  // earliest capture time seen
  Timestamp next_expire_ = INT64_MIN;
  std::map<uint32_t, uint64_t> unsupported_linktypes_;  // of the current input
  std::vector<uint64_t> first_flow_of_input_;           // flows_created() when each input began
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
