// One worker pipeline of the Engine: flow table (TCP reassembly)
// -> protocol parsers -> findings, for the packets the Engine hands it
// (all of them with --threads 1; with more, the flows of its share of
// address pairs). What crosses flows (DNS names, device identity, a
// device's home network, the order of flows and findings) is not decided
// here: the shard logs it with the sequence number of the event that made
// it, and the Engine replays the logs of every shard in that order (see
// engine.cc), so any number of shards gives the same report.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "decode/decode.h"
#include "flow/defrag.h"
#include "flow/flow_table.h"
#include "geo/geo.h"
#include "model/decode_budget.h"
#include "model/records.h"
#include "pipeline/findings.h"
#include "pipeline/identity.h"
#include "proto/dispatch.h"
#include "proto/protocol.h"

namespace ph {

struct EngineOptions;

// The order of events across shards: packet n (1-based, across all
// inputs) is 2n+1; the idle sweep before it 2n; the end of the run kSeqEnd.
constexpr uint64_t seq_of_packet(uint64_t n) { return 2 * n + 1; }
constexpr uint64_t seq_of_sweep(uint64_t n) { return 2 * n; }
constexpr uint64_t kSeqEnd = UINT64_MAX;

// Flows fall into kFlowBuckets buckets by a symmetric hash of their
// addresses and ports; decoded-bytes budgets (model/decode_budget.h) are
// kept per bucket. The Engine gives each shard whole buckets, so each
// bucket's packets and messages come in capture order in one shard
// whatever the number of shards, and so do its budget's decisions.
constexpr size_t kFlowBuckets = 64;
size_t flow_bucket(const IpAddr& a, uint16_t a_port, const IpAddr& b, uint16_t b_port);

// A device as keyed in the DNS cache and the home-network map: its MAC in
// the first 6 bytes (version 0) where the link has one, else its IP.
IpAddr device_key(const flow::Flow& f);
// The same key for a device known by its MAC (when it has one) and IP.
IpAddr device_key(const std::optional<MacAddr>& mac, const IpAddr& ip);

// The home MCC of each device (keyed as device_key()) that sent an IMSI:
// the region of its national-format phone numbers. Bounded: past
// kMaxHomeMcc devices, new ones are not remembered.
using HomeNetworks = std::unordered_map<IpAddr, std::string, AddrHash>;
constexpr size_t kMaxHomeMcc = 1 << 16;
void remember_home(HomeNetworks& homes, const IpAddr& device, std::string_view mcc);

// What a flow is to the replays: enough to key its device and stamp a
// finding made of one of its messages.
struct FlowStub {
  uint64_t flow = 0;  // the shard's flow id (0: EAPOL, no flow)
  size_t input = 0;
  std::optional<MacAddr> client_mac;  // where the client has one
  MacAddr server_mac;
  bool has_macs = false;
  flow::Endpoint client, server;
  static FlowStub of(const flow::Flow& f, size_t input);
  flow::Flow as_flow() const;  // for IdentityCollector
};

// The destination a flow names: its SNI, else its HTTP Host, else the name
// the device resolved its address to (`resolved`).
std::string_view flow_host(const proto::FlowFacts& facts, std::string_view resolved,
                           StringPool& strings);

// The per-device DNS cache: (device, address) -> the name that device last
// resolved the address to; bounded.
class NameCache {
 public:
  static constexpr size_t kMaxNames = 1 << 20;
  // False (nothing kept) when the cache is full and the pair is new.
  bool remember(const IpAddr& device, const IpAddr& address, std::string_view name);
  std::string_view find(const IpAddr& device, const IpAddr& address) const;

 private:
  struct Key {
    IpAddr device, address;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  absl::flat_hash_map<Key, std::string_view, KeyHash> names_;  // open addressing: one probe
};

// A flow's consumer in a pipeline: its protocol Dispatcher, made when the
// first payload or gap arrives (a flood of SYN-only flows never needs one:
// ~300 bytes and their set-up per flow), and the name the device had
// resolved the server's address to when the flow began.
class FlowDispatch final : public flow::FlowConsumer {
 public:
  FlowDispatch(const flow::Flow& flow, proto::FlowMessageSink& sink, std::string_view name)
      : flow_(flow), sink_(sink), resolved_name_(name) {}
  void on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    dispatcher().on_data(dir, data, ts, frame);
  }
  void on_gap(Direction dir, uint64_t length) override { dispatcher().on_gap(dir, length); }
  void on_end(Timestamp ts) override {
    if (d_) d_->on_end(ts);
  }
  bool done() const override { return d_ && d_->done(); }
  // What the parser learned (app "unknown" when none ran).
  proto::FlowFacts facts() const;
  std::string_view looks_like() const { return d_ ? d_->looks_like() : std::string_view(); }
  std::string_view resolved_name() const { return resolved_name_; }

 private:
  proto::Dispatcher& dispatcher() {
    if (!d_) d_ = std::make_unique<proto::Dispatcher>(flow_, sink_);
    return *d_;
  }
  const flow::Flow& flow_;
  proto::FlowMessageSink& sink_;
  std::string_view resolved_name_;
  std::unique_ptr<proto::Dispatcher> d_;
};

class Shard final : private proto::FlowMessageSink {
 public:
  // `sharded`: more shards than this one (the home-network log is kept).
  Shard(EngineOptions options, std::shared_ptr<detect::ProfileMatcher> profile, bool sharded);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  void begin_input(size_t input);
  // A frame decoded (and IP fragments reassembled) by the Engine: any
  // status but an unsupported link type or a fragment; packet number `n`.
  void packet(decode::PacketView& view, decode::Status st, Timestamp ts, uint64_t frame,
              uint32_t wire_len, uint64_t n);
  // The idle sweep before packet `n` at capture time `now`.
  void expire(Timestamp now, uint64_t n);
  // Ends every flow (end of the run).
  void flush(Timestamp now);

  // What the shard made, for the Engine's replay. Flow ids here are the
  // shard's own (1..N in order of creation).
  struct NameEvent {
    uint64_t seq, flow;
    IpAddr device, address;
    std::string_view name;
  };
  struct IdentityEvent {
    enum Kind : uint8_t { kMessage, kArp, kIcmpv6 } kind = kMessage;
    uint64_t seq = 0, flow = 0;
    FlowStub stub;                          // kMessage
    const proto::Parser* parser = nullptr;  // kMessage
    proto::Message message;                 // kMessage: the excerpt
    std::vector<uint8_t> bytes;             // kArp: the payload; kIcmpv6: the message
    Timestamp ts = 0;
    MacAddr mac_src;  // kIcmpv6
    IpAddr src;       // kIcmpv6
  };
  // Sharded only: a message scanned with the home network this shard
  // knew from the device's own earlier messages (`used`), kept in case the
  // device's messages in other shards say otherwise; and a message whose
  // own IMSI set the home network (`mcc`).
  struct HomeEvent {
    uint64_t seq = 0, flow = 0;
    IpAddr device;
    std::string mcc;                        // set: the message's IMSI gave it
    std::optional<proto::Message> scanned;  // the message, to scan again
    FlowStub stub;
    std::string used;
    size_t first = 0, end = 0;  // its findings in `findings`
    uint64_t budget_left = 0;   // the decoded-bytes budget it was scanned with
  };
  struct Output {
    StringPool strings;
    Stats stats;
    std::deque<FlowRecord> flows;         // by shard flow id
    std::vector<uint64_t> created;        // seq of each flow's first packet, by id
    std::vector<FindingRecord> findings;  // flow: the shard's id
    std::vector<uint64_t> finding_seq;    // each finding's event
    std::vector<NameEvent> names;
    std::vector<IdentityEvent> identity;
    std::vector<HomeEvent> home;
  };
  Output& output() { return out_; }
  // With a single shard, identity goes straight to `c` (the order is the
  // capture's already) instead of the log.
  void identity_to(IdentityCollector* c) { direct_identity_ = c; }
  static void replay(const IdentityEvent& e, IdentityCollector& c);

  // Scans `m` as on_message does, with `budget_left` decoded bytes, and
  // stamps the findings with `stub` (the replay's second look at a
  // HomeEvent).
  void rescan(const proto::Message& m, const FlowStub& stub, std::string_view home_mcc,
              uint64_t budget_left, std::vector<FindingRecord>& out);

 private:
  void on_flow_closed(flow::Flow& flow);
  void on_eapol(const decode::PacketView& view, Timestamp ts);
  std::unique_ptr<flow::FlowConsumer> make_dispatcher(const flow::Flow& flow);
  void on_message(const flow::Flow& flow, const proto::Parser* parser, proto::Message&& m) override;
  void on_anomaly(std::string_view what) override { out_.stats.anomalies.add(what); }
  void on_skipped(std::string_view what) override { out_.stats.drops.add(what); }
  DecodeBudget* decode_budget(const flow::Flow& flow) override;
  // Only what clients send is scanned (on_message): what servers send is
  // framed by the parsers, its headers and bodies not kept.
  bool keeps_contents(const flow::Flow& /*flow*/, Direction dir) override {
    return scanner_ != nullptr && dir == Direction::kUp;
  }
  void remember_names(const flow::Flow& flow, const proto::Message& response);
  void identity(IdentityEvent&& e);
  void stamp(FindingRecord& r, const FlowStub& stub) const;
  void announce(FindingRecord& r, const flow::Flow& f);  // EngineOptions::on_finding

  std::unique_ptr<EngineOptions> options_;
  std::shared_ptr<detect::ProfileMatcher> profile_;
  const bool sharded_;
  Output out_;
  // By flow_bucket(); those of other shards' buckets stay unused.
  std::vector<DecodeBudget> budgets_;
  uint64_t seq_ = 0;  // the event being handled
  std::string message_key_;
  std::unique_ptr<FindingScanner> scanner_;  // with protocol parsing only
  bool dispatching_ = false;                 // flows carry proto::Dispatcher consumers
  std::vector<IpAddr> named_;                // remember_names() scratch
  // The home MCC of each device that sent an IMSI (keyed as device_key):
  // the region of its national-format phone numbers.
  HomeNetworks home_mcc_;
  // With a single shard: the DNS names as known now (else they are logged).
  std::unique_ptr<NameCache> names_;
  // Live only: the locator and the first flow start of each device.
  std::unique_ptr<geo::Locator> live_locator_;
  std::unordered_map<IpAddr, Timestamp, AddrHash> live_first_seen_;

  // 802.1X has no IP layer and no flow record: one EAPOL session per
  // supplicant (the device) MAC, its messages reported with a pseudo-flow
  // (id 0) that carries the device's and the authenticator's MACs.
  struct L2Session final : proto::MessageSink {
    explicit L2Session(Shard& s) : shard(s) {}
    void on_message(proto::Message&& m) override;
    void on_anomaly(std::string_view what) override { shard.on_anomaly(what); }
    Shard& shard;
    flow::Flow flow;
    std::unique_ptr<proto::Feeder> feeder;
  };
  std::unordered_map<std::string, std::unique_ptr<L2Session>> eapol_;
  IdentityCollector* direct_identity_ = nullptr;
  // HTTP User-Agents, TLS JA4s and SSDP headers already logged, by
  // sender: a repeat changes nothing (the lists keep distinct strings).
  std::unordered_set<std::string> logged_;
  static constexpr size_t kMaxLogged = 1 << 20;
  std::unique_ptr<flow::FlowTable> flows_;
  size_t current_input_ = 0;
  uint64_t frame_ = 0;                         // of the packet being handled
  std::vector<uint64_t> first_flow_of_input_;  // flows_created() when each input began
};

}  // namespace ph
