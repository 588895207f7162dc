// The Engine: reading and decoding, the worker pipelines (shard.h), and
// the merge of their outputs into one report.
#include "pipeline/engine.h"

#include <absl/container/flat_hash_set.h>
#include <netinet/in.h>

#include <algorithm>
#include <cassert>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "decode/decode.h"
#include "enrich/timeline.h"
#include "pipeline/shard.h"

namespace ph {
namespace {

constexpr Timestamp kExpireEvery = kNsPerSec;  // capture time between idle sweeps

// A packet's bytes and its decoded view, or an event every shard sees.
struct Item {
  enum Kind : uint8_t { kPacket, kExpire, kInput, kFlush } kind = kPacket;
  decode::Status st = decode::Status::kOk;
  uint32_t wire_len = 0;
  Timestamp ts = 0;  // kExpire, kFlush: the clock
  uint64_t frame = 0;
  uint64_t n = 0;  // packet number (kInput: the input)
  decode::PacketView view;
};

// Packets travel to a worker in batches: their bytes copied into one
// arena (never reallocated while items point into it) and their items.
struct Batch {
  static constexpr size_t kArena = 1 << 20;
  static constexpr size_t kItems = 1024;
  std::vector<uint8_t> arena = std::vector<uint8_t>(kArena);
  size_t used = 0;
  std::vector<Item> items;
};

// Moves every pointer of `v` into [from, from + size] (the frame) or
// [from2, from2 + size2] (a reassembled datagram) to the same offset from
// `to` or `to2`, each pointer once. Empty spans too: the flow table
// measures how far a cut payload's end is from its IP header.
void rebase(decode::PacketView& v, const uint8_t* from, size_t size, uint8_t* to,
            const uint8_t* from2, size_t size2, uint8_t* to2) {
  auto moved = [&](const uint8_t* p) -> const uint8_t* {
    if (p && p >= from && p <= from + size) return to + (p - from);
    if (p && from2 && p >= from2 && p <= from2 + size2) return to2 + (p - from2);
    return p;
  };
  auto move_bytes = [&](Bytes& b) { b = Bytes(moved(b.data()), b.size()); };
  v.mac_src = moved(v.mac_src);
  v.mac_dst = moved(v.mac_dst);
  move_bytes(v.l2_payload);
  move_bytes(v.ip_datagram);
  move_bytes(v.frag_payload);
  move_bytes(v.payload);
}

}  // namespace

// A shard on its own thread, fed batches through a bounded queue.
struct Engine::Worker {
  static constexpr size_t kQueued = 8;  // batches in flight per worker
  Shard& shard;
  std::mutex mu;
  std::condition_variable wake_worker, wake_reader;
  std::deque<std::unique_ptr<Batch>> full;
  std::vector<std::unique_ptr<Batch>> spare;
  std::unique_ptr<Batch> filling;
  bool closed = false;
  std::thread thread;

  explicit Worker(Shard& s) : shard(s) {
    thread = std::thread([this] { loop(); });
  }
  ~Worker() {
    close();
    if (thread.joinable()) thread.join();
  }

  // The batch being filled, with room for `bytes` more and one more item.
  Batch& room(size_t bytes) {
    if (filling &&
        (filling->items.size() >= Batch::kItems || filling->used + bytes > filling->arena.size()))
      submit();
    if (!filling) {
      std::unique_lock lock(mu);
      if (!spare.empty()) {
        filling = std::move(spare.back());
        spare.pop_back();
      }
    }
    if (!filling) filling = std::make_unique<Batch>();
    if (bytes > filling->arena.size()) filling->arena.resize(bytes);  // empty: nothing points in
    return *filling;
  }
  void submit() {
    if (!filling || filling->items.empty()) return;
    std::unique_lock lock(mu);
    wake_reader.wait(lock, [&] { return full.size() < kQueued; });
    full.push_back(std::move(filling));
    wake_worker.notify_one();
  }
  void close() {
    submit();
    std::unique_lock lock(mu);
    closed = true;
    wake_worker.notify_one();
  }
  void loop() {
    for (;;) {
      std::unique_ptr<Batch> b;
      {
        std::unique_lock lock(mu);
        wake_worker.wait(lock, [&] { return closed || !full.empty(); });
        if (full.empty()) return;
        b = std::move(full.front());
        full.pop_front();
        wake_reader.notify_one();
      }
      for (Item& it : b->items) {
        switch (it.kind) {
          case Item::kPacket:
            shard.packet(it.view, it.st, it.ts, it.frame, it.wire_len, it.n);
            break;
          case Item::kExpire:
            shard.expire(it.ts, it.n);
            break;
          case Item::kInput:
            shard.begin_input(it.n);
            break;
          case Item::kFlush:
            shard.flush(it.ts);
            break;
        }
      }
      b->items.clear();
      b->used = 0;
      std::unique_lock lock(mu);
      spare.push_back(std::move(b));
    }
  }
  void event(Item::Kind kind, Timestamp ts, uint64_t n) {
    Item& it = room(0).items.emplace_back();
    it.kind = kind;
    it.ts = ts;
    it.n = n;
  }
};

Engine::Engine(EngineOptions options)
    : options_(std::move(options)), defrag_(options_.defrag, report_.stats) {
  // At most half as many as flow buckets: each other shard takes two.
  const size_t n =
      options_.on_finding ? 1 : std::clamp<size_t>(options_.threads, 1, kFlowBuckets / 2);
  for (size_t i = 0; i < n; ++i) {
    // The flow table's caps in proportion to the shard's share of flows
    // (see shard_of()).
    EngineOptions each = options_;
    const size_t shares = 2 * n - 1, share = n == 1 ? 1 : i == 0 ? 1 : 2;
    each.flow.max_flows = std::max<size_t>(1, options_.flow.max_flows / shares * share);
    each.flow.reassembly_budget = options_.flow.reassembly_budget / shares * share;
    std::shared_ptr<detect::ProfileMatcher> profile = options_.profile;
    if (profile && i > 0) profile = profile->clone();
    shards_.push_back(std::make_unique<Shard>(each, std::move(profile), n > 1));
  }
  if (!options_.flows_only && !options_.consumer_factory)
    identity_ = std::make_unique<IdentityCollector>(report_.stats);
  if (n == 1 && identity_) shards_[0]->identity_to(identity_.get());
  // Shard 0 runs on the reading thread; the others on their own.
  for (size_t i = 1; i < n; ++i) workers_.push_back(std::make_unique<Worker>(*shards_[i]));
}

Engine::~Engine() {
  workers_.clear();  // joins the threads before the shards go
}

void Engine::begin_input(size_t input) {
  current_input_ = input;
  for (auto& w : workers_) w->event(Item::kInput, 0, input);
  shards_[0]->begin_input(input);
}

void Engine::add_failed_input(const std::string& path, const std::string& error) {
  capture::InputInfo info;
  info.path = path;
  info.errors.push_back(error);
  report_.inputs.push_back(std::move(info));
  report_.input_opened.push_back(false);
  begin_input(report_.inputs.size() - 1);
}

void Engine::run(capture::Source& source, const std::atomic<bool>* stop,
                 const std::function<void(const Progress&)>& progress) {
  report_.inputs.push_back(source.info());
  report_.input_opened.push_back(true);
  begin_input(report_.inputs.size() - 1);
  frame_in_input_ = 0;
  unsupported_linktypes_.clear();

  capture::Packet packet;
  Progress p;
  p.input = &source.info();
  for (;;) {
    if (stop && stop->load(std::memory_order_relaxed)) break;
    capture::ReadStatus st = source.next(packet);
    if (st == capture::ReadStatus::kEnd) break;
    if (st == capture::ReadStatus::kPacket) on_packet(packet);
    if (progress && (st == capture::ReadStatus::kIdle || (frame_in_input_ & 0x3fff) == 0)) {
      p.position = source.position();
      p.total_size = source.total_size();
      p.packets = report_.stats.packets;
      progress(p);
    }
  }
  capture::InputInfo& info = report_.inputs[current_input_];
  info = source.info();
  for (const auto& [lt, n] : unsupported_linktypes_) {
    info.errors.push_back("link type " + std::to_string(lt) + " (" + capture::linktype_name(lt) +
                          ") is not supported: " + std::to_string(n) + " packet" +
                          (n == 1 ? "" : "s") + " skipped");
  }
  if (progress) {
    p.position = source.position();
    p.total_size = source.total_size();
    p.packets = report_.stats.packets;
    progress(p);
  }
}

// A flow stays whole in one shard: both directions give the same bucket
// (fragments were reassembled before). Whatever has no flow (non-IP,
// ICMP, malformed) goes to shard 0, so 802.1X sessions stay together.
// Shard 0 runs on the reading thread, which also reads and decodes
// everything: it takes one share of flows where each other shard takes
// two.
size_t Engine::shard_of(const decode::PacketView& v, decode::Status st) const {
  if (shards_.size() == 1 || st != decode::Status::kOk ||
      (v.l4proto != IPPROTO_TCP && v.l4proto != IPPROTO_UDP))
    return 0;
  // Whole flow buckets (each with its decoded-bytes budget) to a shard.
  const size_t slot = flow_bucket(v.src, v.sport, v.dst, v.dport) % (2 * shards_.size() - 1);
  return (slot + 1) / 2;
}

void Engine::on_packet(const capture::Packet& packet) {
  Stats& stats = report_.stats;
  ++frame_in_input_;
  ++stats.packets;
  stats.bytes += packet.caplen;
  const uint64_t n = stats.packets;
  const Timestamp ts = packet.ts;
  if (ts > clock_) clock_ = ts;
  if (ts < first_ts_) first_ts_ = ts;
  if (clock_ >= next_expire_) {
    defrag_.expire(clock_);
    for (auto& w : workers_) w->event(Item::kExpire, clock_, n);
    shards_[0]->expire(clock_, n);
    next_expire_ = clock_ + kExpireEvery;
  }

  decode::PacketView& view = view_;
  decode::Status st = decode::decode_frame(packet.linktype, Bytes(packet.data, packet.caplen), view,
                                           stats.anomalies);
  if (st == decode::Status::kUnsupported && !decode::linktype_supported(packet.linktype)) {
    ++unsupported_linktypes_[packet.linktype];
    ++stats.other_packets;
    return;
  }
  std::optional<Bytes> whole;  // a reassembled datagram (in defrag_'s buffer)
  if (st == decode::Status::kFragment) {
    whole = defrag_.add(view, ts);
    if (whole) {
      st = decode::decode_ip(*whole, view, stats.anomalies);
    } else {
      st = decode::decode_truncated_first_fragment(view, stats.anomalies);
    }
    if (st == decode::Status::kFragment) return;  // more to come
  }
  const size_t shard = shard_of(view, st);
  if (shard == 0) {
    shards_[0]->packet(view, st, ts, frame_in_input_, packet.origlen, n);
    return;
  }
  // The frame and the reassembled datagram travel in the batch's arena.
  const size_t extra = whole ? whole->size() : 0;
  Batch& b = workers_[shard - 1]->room(packet.caplen + extra);
  uint8_t* copy = b.arena.data() + b.used;
  if (packet.caplen) std::memcpy(copy, packet.data, packet.caplen);
  if (extra) std::memcpy(copy + packet.caplen, whole->data(), extra);
  rebase(view, packet.data, packet.caplen, copy, whole ? whole->data() : nullptr, extra,
         copy + packet.caplen);
  b.used += packet.caplen + extra;
  Item& it = b.items.emplace_back();
  it.kind = Item::kPacket;
  it.st = st;
  it.wire_len = packet.origlen;
  it.ts = ts;
  it.frame = frame_in_input_;
  it.n = n;
  it.view = view;
}

void Engine::merge() {
  const size_t nshards = shards_.size();
  std::vector<Shard::Output*> outs;
  for (auto& s : shards_) outs.push_back(&s->output());

  // Flows: ids in order of their first packet, as one table would give.
  // Each shard made its flows in that order already (and no two shards
  // share a packet): the lists are merged, not sorted.
  std::vector<std::tuple<uint64_t, size_t, size_t>> order;  // (seq, shard, index)
  if (nshards > 1) {
    size_t total = 0;
    for (size_t s = 0; s < nshards; ++s) total += outs[s]->flows.size();
    order.reserve(total);
    std::vector<size_t> next(nshards, 0);
    for (size_t k = 0; k < total; ++k) {
      size_t pick = nshards;
      for (size_t s = 0; s < nshards; ++s) {
        if (next[s] < outs[s]->flows.size() &&
            (pick == nshards || outs[s]->created[next[s]] < outs[pick]->created[next[pick]]))
          pick = s;
      }
      order.emplace_back(outs[pick]->created[next[pick]], pick, next[pick]);
      ++next[pick];
    }
    assert(std::is_sorted(order.begin(), order.end()));
  }
  std::vector<std::vector<uint64_t>> gid(nshards);
  for (size_t s = 0; s < nshards; ++s) gid[s].resize(outs[s]->flows.size());
  if (nshards == 1) {  // ids are final already
    for (size_t i = 0; i < gid[0].size(); ++i) gid[0][i] = i + 1;
    report_.flows = std::move(outs[0]->flows);
  }
  for (size_t k = 0; k < order.size(); ++k) {
    auto [seq, s, i] = order[k];
    gid[s][i] = k + 1;
    // A shard's flows come in its own order: each is its deque's front,
    // released as it moves (the records are never held twice).
    FlowRecord& r = report_.flows.emplace_back(std::move(outs[s]->flows.front()));
    outs[s]->flows.pop_front();
    r.id = k + 1;
  }
  auto global = [&](size_t s, uint64_t flow) { return flow == 0 ? 0 : gid[s][flow - 1]; };
  // Events of all shards in the order of the capture: by event, then by
  // flow (several flows end in one sweep), then as the shard made them.
  using Key = std::tuple<uint64_t, uint64_t, size_t, size_t>;
  auto sorted = [&](auto member) {
    std::vector<Key> keys;
    for (size_t s = 0; s < nshards; ++s) {
      const auto& list = outs[s]->*member;
      for (size_t i = 0; i < list.size(); ++i)
        keys.emplace_back(list[i].seq, global(s, list[i].flow), s, i);
    }
    std::sort(keys.begin(), keys.end());
    return keys;
  };

  // DNS names: a flow is named by what its device resolved before it began.
  {
    NameCache cache;
    auto remember = [&](const Key& k) {
      const Shard::NameEvent& e = outs[std::get<2>(k)]->names[std::get<3>(k)];
      if (!cache.remember(e.device, e.address, e.name))
        report_.stats.drops.add("dns.name-cache-full");
    };
    const std::vector<Key> names = sorted(&Shard::Output::names);
    size_t next = 0;
    for (size_t k = 0; k < order.size(); ++k) {
      const uint64_t created = std::get<0>(order[k]);
      for (; next < names.size() && std::get<0>(names[next]) < created; ++next)
        remember(names[next]);
      FlowRecord& r = report_.flows[k];
      if (r.dst.host.empty()) r.dst.host = cache.find(device_key(r.src_mac, r.src_ip), r.dst.ip);
    }
    for (; next < names.size(); ++next) remember(names[next]);
  }

  // Home networks: a message read with what its shard knew of the device
  // is read again where the whole capture says otherwise.
  struct Redo {
    size_t first, end;
    uint64_t seq;
    std::vector<FindingRecord> findings;
  };
  std::vector<std::vector<Redo>> redo(nshards);
  if (nshards > 1) {
    HomeNetworks home;
    for (const Key& k : sorted(&Shard::Output::home)) {
      const size_t s = std::get<2>(k);
      Shard::HomeEvent& e = outs[s]->home[std::get<3>(k)];
      auto known = home.find(e.device);
      if (e.scanned) {
        const std::string& now = known != home.end() ? known->second : std::string();
        if (now != e.used) {
          Redo& r = redo[s].emplace_back(Redo{e.first, e.end, e.seq, {}});
          shards_[s]->rescan(*e.scanned, e.stub, now, e.budget_left, r.findings);
        }
      }
      if (!e.mcc.empty()) remember_home(home, e.device, e.mcc);
    }
    for (auto& list : redo)
      std::stable_sort(list.begin(), list.end(),
                       [](const Redo& a, const Redo& b) { return a.first < b.first; });
  }

  // Findings, in event order.
  {
    struct Entry {
      Key key;
      FindingRecord* record;
    };
    std::vector<Entry> entries;
    for (size_t s = 0; s < nshards; ++s) {
      auto& found = outs[s]->findings;
      size_t next = 0;  // into redo[s]
      size_t made = 0;  // the shard's order
      auto add = [&](FindingRecord& r, uint64_t seq) {
        entries.push_back({Key{seq, global(s, r.flow), s, made++}, &r});
      };
      for (size_t i = 0; i <= found.size();) {
        if (next < redo[s].size() && redo[s][next].first == i) {
          Redo& r = redo[s][next++];
          for (FindingRecord& x : r.findings) add(x, r.seq);
          i = std::max(i, r.end);
          continue;
        }
        if (i < found.size()) add(found[i], outs[s]->finding_seq[i]);
        ++i;
      }
    }
    auto by_key = [](const Entry& a, const Entry& b) { return a.key < b.key; };
    if (nshards == 1 && std::is_sorted(entries.begin(), entries.end(), by_key)) {
      report_.findings = std::move(outs[0]->findings);  // in order, ids final
    } else {
      std::sort(entries.begin(), entries.end(), by_key);
      report_.findings.reserve(entries.size());
      for (Entry& e : entries) {
        FindingRecord& r = report_.findings.emplace_back(std::move(*e.record));
        r.flow = std::get<1>(e.key);
      }
    }
    for (Shard::Output* o : outs) std::vector<FindingRecord>().swap(o->findings);
  }

  // Device identity, in event order.
  if (identity_) {
    for (const Key& k : sorted(&Shard::Output::identity))
      Shard::replay(outs[std::get<2>(k)]->identity[std::get<3>(k)], *identity_);
  }

  for (Shard::Output* o : outs) {
    report_.stats.merge(o->stats);
    report_.strings.adopt(std::move(o->strings));
  }
}

// Each flow's destination gets its scope and, from the GeoIP data, its
// country, AS number and organisation: one lookup per distinct address.
// Findings copy their flow's destination afterwards.
void Engine::locate_destinations() {
  geo::Locator locator(options_.geo.get(), report_.strings);
  for (FlowRecord& r : report_.flows) locator.locate(r.dst);
  if (!options_.geo) return;
  report_.data_sources = options_.geo->credits();
  for (auto& w : options_.geo->warnings()) report_.warnings.push_back(std::move(w));
}

Report Engine::finish() {
  for (auto& w : workers_) w->event(Item::kFlush, clock_, 0);
  for (auto& w : workers_) w->close();
  shards_[0]->flush(clock_);
  workers_.clear();  // each ends its flows, then its thread
  merge();
  locate_destinations();

  // Devices in order of their first flow; keyed by MAC, else by IP. A
  // device is created at its first sighting (a flow, or a finding of a
  // device seen only in EAPOL) and widened by each later one.
  std::unordered_map<MacAddr, size_t, AddrHash> by_mac;
  std::unordered_map<IpAddr, size_t, AddrHash> by_ip;
  std::vector<IpAddr> key_ips;
  auto device = [&](const std::optional<MacAddr>& mac, const IpAddr& ip, Timestamp first,
                    Timestamp last) -> DeviceRecord& {
    const size_t next = report_.devices.size();
    auto [idx, fresh] = [&] {
      if (mac) {
        auto [it, fresh] = by_mac.emplace(*mac, next);
        return std::pair{it->second, fresh};
      }
      auto [it, fresh] = by_ip.emplace(ip, next);
      return std::pair{it->second, fresh};
    }();
    if (fresh) {
      DeviceRecord& d = report_.devices.emplace_back();
      d.id = idx + 1;
      d.mac = mac;
      d.first_seen = first;
      d.last_seen = last;
      key_ips.push_back(ip);
    }
    DeviceRecord& d = report_.devices[idx];
    d.first_seen = std::min(d.first_seen, first);
    d.last_seen = std::max(d.last_seen, last);
    return d;
  };
  // The addresses of each device whose list is full: a flood from many
  // sources behind one MAC then costs one lookup per flow, not a scan of
  // the whole list.
  constexpr size_t kMaxAddresses = IdentityCollector::kMaxAddresses;
  std::unordered_map<uint64_t, absl::flat_hash_set<IpAddr, AddrHash>> full;
  for (FlowRecord& r : report_.flows) {
    DeviceRecord& d = device(r.src_mac, r.src_ip, r.first_seen, r.last_seen);
    ++d.flows;
    r.device = d.id;
    bool unspecified =
        std::all_of(r.src_ip.b.begin(), r.src_ip.b.end(), [](uint8_t b) { return b == 0; });
    if (unspecified) continue;
    // Capped as the identity collector's addresses are: a flood from many
    // spoofed sources behind one MAC would make this quadratic (issue #7).
    if (d.ip_history.size() >= kMaxAddresses) {
      auto [it, fresh] = full.try_emplace(d.id);
      if (fresh)
        for (const IpSighting& s : d.ip_history) it->second.insert(s.ip);
      if (!it->second.contains(r.src_ip)) {
        report_.stats.drops.add("device.addresses");
        continue;
      }
    }
    merge_sighting(d.ip_history, {r.src_ip, r.first_seen, r.last_seen, kIpFromFlow});
  }
  // Findings: their device, the flow's final destination and encryption.
  for (size_t i = 0; i < report_.findings.size(); ++i) {
    FindingRecord& x = report_.findings[i];
    x.id = i + 1;
    x.device = device(x.device_mac, x.device_ip, x.ts, x.ts).id;
    if (x.flow != 0 && x.flow <= report_.flows.size()) {
      const FlowRecord& fr = report_.flows[x.flow - 1];
      x.destination = fr.dst;
      x.encrypted = fr.encrypted;
    }
  }
  complete_devices(key_ips);
  report_.contacts = enrich::contacts(report_.flows, options_.timeline);
  if (report_.stats.packets > 0) report_.duration_s = double(clock_ - first_ts_) / kNsPerSec;
  return std::move(report_);
}

void Engine::complete_devices(const std::vector<IpAddr>& key_ips) {
  const detect::Detector detector;
  std::vector<MacAddr> macs;
  for (size_t i = 0; i < report_.devices.size(); ++i) {
    DeviceRecord& d = report_.devices[i];
    if (identity_) identity_->apply(d.mac, key_ips[i], d, detector);
    if (d.mac) macs.push_back(*d.mac);
    std::stable_sort(d.ip_history.begin(), d.ip_history.end(),
                     [](const IpSighting& a, const IpSighting& b) {
                       return std::tie(a.first_seen, a.ip) < std::tie(b.first_seen, b.ip);
                     });
    for (const IpSighting& s : d.ip_history) d.ips.push_back(s.ip);
    std::sort(d.ips.begin(), d.ips.end());
  }
  // Vendors: the registries are read only when some MAC can have one.
  const bool any_vendor_mac = std::any_of(macs.begin(), macs.end(), [](const MacAddr& m) {
    return !m.is_multicast() && !m.is_locally_administered();
  });
  if (any_vendor_mac) {
    enrich::VendorTable vendors = enrich::VendorTable::load(macs, options_.oui);
    if (vendors.files().empty()) {
      report_.warnings.push_back(
          "no OUI registry found (Debian package ieee-data): device vendors are unknown");
    }
    for (DeviceRecord& d : report_.devices)
      if (d.mac) d.vendor = vendors.vendor(*d.mac);
  }
  // Device-relative times, now that first_seen counts every sighting.
  for (FindingRecord& x : report_.findings) {
    x.since_device_first_seen_s =
        double(x.ts - report_.devices[x.device - 1].first_seen) / kNsPerSec;
  }
}

int exit_code_for(const Report& report) {
  // A violation is certain whatever else went wrong: it wins over damaged
  // or unreadable inputs (README, "Exit codes").
  if (report.verdict && !report.verdict->passed()) return kExitPolicyViolation;
  bool damaged = false;
  for (size_t i = 0; i < report.inputs.size(); ++i) {
    if (!report.input_opened[i]) return kExitInputUnreadable;
    if (report.inputs[i].damaged || !report.inputs[i].errors.empty()) damaged = true;
  }
  return damaged ? kExitInputDamaged : kExitOk;
}

}  // namespace ph
