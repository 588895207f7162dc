// The flow table: finds or creates the Flow of each TCP/UDP packet by a
// canonical bidirectional key, assigns roles, counts per direction, feeds
// TCP payload through per-direction reassembly (UDP datagrams go straight)
// to the flow's consumer, and ends flows on idle timeout, close + linger,
// port reuse, the flow-count cap or end of input. Flows sit in one of three
// intrusive LRU lists (TCP, UDP, closed) so that each list has one timeout
// and expiry only ever looks at its oldest members.
#include "flow/flow_table.h"

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstring>
#include <vector>

namespace ph::flow {
namespace {

constexpr uint8_t kTcp = 6;
constexpr uint8_t kUdp = 17;
constexpr uint16_t kDhcpv6Client = 546;  // RFC 8415 7.2
constexpr uint16_t kDhcpv6Server = 547;
bool is_group(const IpAddr& a) {
  return a.version == 4 ? a.b[0] >= 224 : a.version == 6 && a.b[0] == 0xff;
}

enum ListId : uint8_t { kListTcp = 0, kListUdp = 1, kListClosed = 2, kLists = 3 };

// Canonical bidirectional key: the smaller (address, port) endpoint first.
struct Key {
  std::array<uint8_t, 16> a{};
  std::array<uint8_t, 16> b{};
  uint16_t port_a = 0, port_b = 0;
  uint16_t vlan = 0;
  uint8_t proto = 0;
  uint8_t version = 0;
  bool operator==(const Key& o) const {  // as five words, as hashed
    uint64_t x[5], y[5];
    std::memcpy(x, this, sizeof x);
    std::memcpy(y, &o, sizeof y);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4])) == 0;
  }
};
static_assert(sizeof(Key) == 40, "Key must have no padding: it is hashed as words");

struct KeyHash {
  size_t operator()(const Key& k) const noexcept {
    uint64_t w[5];
    std::memcpy(w, &k, sizeof w);
    uint64_t h = 0x243f6a8885a308d3ull;
    for (uint64_t x : w) {
      h = (h ^ x) * 0x9e3779b97f4a7c15ull;
      h ^= h >> 29;
    }
    h *= 0xbf58476d1ce4e5b9ull;
    return static_cast<size_t>(h ^ (h >> 32));
  }
};

inline Key make_key(const IpAddr& x, uint16_t px, const IpAddr& y, uint16_t py, uint8_t proto,
                    uint16_t vlan) {
  Key k;
  const auto c = x <=> y;                              // same version: the bytes decide
  const bool x_first = c < 0 || (c == 0 && px <= py);  // NOLINT(modernize-use-nullptr)
  const IpAddr& first = x_first ? x : y;
  const IpAddr& second = x_first ? y : x;
  k.a = first.b;
  k.b = second.b;
  // The last word in one store: written field by field, the hash's and the
  // table's 8-byte loads of it waited for the small stores to drain (a
  // store-forwarding stall on every packet). Fields in declaration order,
  // little-endian as x86 lays them out.
  static_assert(offsetof(Key, port_a) == 32 && offsetof(Key, version) == 39);
  const uint64_t tail = uint64_t(x_first ? px : py) | uint64_t(x_first ? py : px) << 16 |
                        uint64_t(vlan) << 32 | uint64_t(proto) << 48 | uint64_t(x.version) << 56;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&k.port_a, &tail, sizeof tail);
  } else {
    k.port_a = x_first ? px : py;
    k.port_b = x_first ? py : px;
    k.vlan = vlan;
    k.proto = proto;
    k.version = x.version;
  }
  return k;
}

Key key_of(const Flow& f) {
  return make_key(f.client.ip, f.client.port, f.server.ip, f.server.port, f.proto, f.vlan);
}

// Payload bytes the capture cut off (snaplen), from the IP length fields.
uint32_t lost_tail(const decode::PacketView& v) {
  if (!v.truncated || v.ip_datagram.size() < 6 || v.payload.data() == nullptr) return 0;
  const auto ip = reinterpret_cast<uintptr_t>(v.ip_datagram.data());
  const auto p = reinterpret_cast<uintptr_t>(v.payload.data());
  if (p < ip || p > ip + v.ip_datagram.size()) return 0;
  const size_t header = p - ip;
  size_t claimed = 0;
  const uint8_t* h = v.ip_datagram.data();
  if ((h[0] >> 4) == 4) {
    claimed = load_be16(h + 2);
  } else if ((h[0] >> 4) == 6) {
    claimed = 40 + size_t{load_be16(h + 4)};
  } else {
    return 0;
  }
  const size_t have = header + v.payload.size();
  return claimed > have ? static_cast<uint32_t>(claimed - have) : 0;
}

}  // namespace

struct FlowTable::Impl {
  Impl(FlowLimits l, Stats& s, ConsumerFactory f, CloseCallback c)
      : limits(l), stats(s), make_consumer(std::move(f)), on_close(std::move(c)) {
    budget.limit = limits.reassembly_budget;
  }

  // Adapts one direction of a flow to the consumer; stops forwarding once
  // the consumer is done (the table then drops the buffers after the call).
  class DirSink final : public StreamSink {
   public:
    DirSink(Impl& t, Flow& f, Direction d) : t_(t), f_(f), d_(d) {}
    void on_data(Bytes data, Timestamp ts, uint64_t frame) override {
      if (f_.notes & kNoteBypassed) {
        t_.stats.drops.add("flow.bypassed-bytes", data.size());
        return;
      }
      f_.consumer->on_data(d_, data, ts, frame);
      if (f_.consumer->done()) f_.notes |= kNoteBypassed;
    }
    void on_gap(uint64_t length) override {
      if (f_.notes & kNoteBypassed) return;
      f_.notes |= kNoteTcpGap;
      f_.consumer->on_gap(d_, length);
      if (f_.consumer->done()) f_.notes |= kNoteBypassed;
    }

   private:
    Impl& t_;
    Flow& f_;
    Direction d_;
  };

  struct List {
    Flow* head = nullptr;
    Flow* tail = nullptr;
  };

  Timestamp timeout(const Flow& f) const {
    if (f.closed) return limits.closed_linger;
    return f.proto == kTcp ? limits.tcp_idle : limits.udp_idle;
  }
  static uint8_t list_for(const Flow& f) {
    if (f.closed) return kListClosed;
    return f.proto == kTcp ? kListTcp : kListUdp;
  }

  void unlink(Flow& f) {
    List& l = lists[f.lru_list];
    (f.lru_prev ? f.lru_prev->lru_next : l.head) = f.lru_next;
    (f.lru_next ? f.lru_next->lru_prev : l.tail) = f.lru_prev;
    f.lru_prev = f.lru_next = nullptr;
  }
  void push_back(Flow& f, uint8_t list) {
    List& l = lists[list];
    f.lru_list = list;
    f.lru_prev = l.tail;
    f.lru_next = nullptr;
    (l.tail ? l.tail->lru_next : l.head) = &f;
    l.tail = &f;
  }
  void touch(Flow& f) {
    const uint8_t list = list_for(f);
    if (lists[list].tail == &f && f.lru_list == list) return;
    unlink(f);
    push_back(f, list);
  }

  // Keeps `buffering` = the flows holding out-of-order bytes, so budget
  // eviction never scans the whole table.
  void sync_buffering(Flow& f) {
    const bool has = f.tcp[0].buffered_bytes() + f.tcp[1].buffered_bytes() > 0;
    if (has && f.buffering_slot == SIZE_MAX) {
      f.buffering_slot = buffering.size();
      buffering.push_back(&f);
    } else if (!has && f.buffering_slot != SIZE_MAX) {
      Flow* last = buffering.back();
      buffering[f.buffering_slot] = last;
      last->buffering_slot = f.buffering_slot;
      buffering.pop_back();
      f.buffering_slot = SIZE_MAX;
    }
  }

  // Once bypassed, buffered bytes are of no use to anyone.
  void release_if_bypassed(Flow& f) {
    if (!(f.notes & kNoteBypassed)) return;
    const size_t freed = f.tcp[0].discard(budget) + f.tcp[1].discard(budget);
    if (freed) stats.drops.add("flow.bypassed-bytes", freed);
  }

  void enforce_budget() {
    while (budget.used > budget.limit && !buffering.empty()) {
      Flow* victim = buffering.front();
      size_t most = 0;
      for (Flow* f : buffering) {
        const size_t held = f->tcp[0].buffered_bytes() + f->tcp[1].buffered_bytes();
        if (held > most || (held == most && f->id < victim->id)) {
          most = held;
          victim = f;
        }
      }
      for (int d = 0; d < 2; ++d) {
        DirSink sink(*this, *victim, static_cast<Direction>(d));
        const size_t freed = victim->tcp[d].evict(sink, budget);
        if (freed) stats.drops.add("tcp.budget-evicted-bytes", freed);
      }
      release_if_bypassed(*victim);
      sync_buffering(*victim);
    }
  }

  Flow* create(const decode::PacketView& v, const Key& key, Timestamp ts, uint64_t frame) {
    const size_t cap = std::max<size_t>(1, limits.max_flows);
    while (flows.size() >= cap) evict_oldest();

    auto owned = std::make_unique<Flow>();
    Flow& f = *owned;
    f.proto = v.l4proto;
    f.vlan = v.vlan;
    bool sender_is_client = true;
    if (v.l4proto == kTcp && (v.tcp_flags & decode::kSyn)) {
      sender_is_client = !(v.tcp_flags & decode::kAck);
      f.syn_seen = true;
    } else {
      // A well-known port (< 1024) marks the server; between two, the lower
      // (DHCP 67/68; DHCPv6 546/547 the other way). Otherwise TCP seen mid-stream takes the lower
      // port as the server (ephemeral ports are high), while UDP takes its first sender as the
      // client: a request usually comes first.
      const bool sport_wk = v.sport < 1024, dport_wk = v.dport < 1024;
      if ((v.sport == kDhcpv6Client && v.dport == kDhcpv6Server) ||
          (v.sport == kDhcpv6Server && v.dport == kDhcpv6Client)) {
        sender_is_client = v.sport == kDhcpv6Client;  // the one pair whose client port is lower
      } else if (sport_wk != dport_wk) {
        sender_is_client = dport_wk;
      } else if ((sport_wk || v.l4proto == kTcp) && v.sport != v.dport) {
        sender_is_client = v.dport < v.sport;  // e.g. DHCP 67 (server) / 68
      }
      if (v.l4proto == kTcp) f.notes |= kNoteMidstream;
      // A group address (multicast, broadcast) only ever receives: it is
      // never the client (a DHCP server's broadcast reply is the server's).
      if (!sender_is_client && is_group(v.dst)) sender_is_client = true;
    }
    const Endpoint src{v.src, v.sport}, dst{v.dst, v.dport};
    f.client = sender_is_client ? src : dst;
    f.server = sender_is_client ? dst : src;
    if (v.mac_src && v.mac_dst) {
      f.has_macs = true;
      f.client_mac = MacAddr::from(sender_is_client ? v.mac_src : v.mac_dst);
      f.server_mac = MacAddr::from(sender_is_client ? v.mac_dst : v.mac_src);
    }
    f.id = ++created;
    f.first_seen = f.last_seen = ts;
    f.first_frame = f.last_frame = frame;
    push_back(f, list_for(f));
    flows.emplace(key, std::move(owned));
    if (make_consumer) f.consumer = make_consumer(f);
    if (!f.consumer) f.notes |= kNoteBypassed;  // nobody to deliver to
    return &f;
  }

  void evict_oldest() {
    Flow* oldest = nullptr;
    for (const List& l : lists) {
      Flow* h = l.head;
      if (h && (!oldest || h->last_seen < oldest->last_seen ||
                (h->last_seen == oldest->last_seen && h->id < oldest->id))) {
        oldest = h;
      }
    }
    if (!oldest) return;
    oldest->notes |= kNoteEvicted;
    stats.drops.add("flow.max-flows");
    end_flow(*oldest, FlowEnd::kEvicted);
  }

  // Flushes reassembly, tells the consumer and the close callback, destroys.
  void end_flow(Flow& f, FlowEnd why) {
    close_flow(f, why);
    unlink(f);
    flows.erase(key_of(f));  // destroys f
  }

  // end_flow() but for unlinking and destroying the flow (flush_all does
  // that for all at once).
  void close_flow(Flow& f, FlowEnd why) {
    if (f.proto == kTcp) {
      for (int d = 0; d < 2; ++d) {
        if (f.notes & kNoteBypassed) break;
        DirSink sink(*this, f, static_cast<Direction>(d));
        f.tcp[d].flush(sink, budget);
      }
      const size_t freed = f.tcp[0].discard(budget) + f.tcp[1].discard(budget);
      if (freed) stats.drops.add("flow.bypassed-bytes", freed);
      sync_buffering(f);
    }
    if (f.consumer) f.consumer->on_end(f.last_seen);
    f.end = why;
    if (on_close) on_close(f);
  }

  // Sorted by id without reading the flows again (ids are unique): a
  // comparison that followed both pointers missed the cache twice per
  // step when a flood ends a million flows at once.
  void end_in_id_order(std::vector<std::pair<uint64_t, Flow*>>& victims) {
    std::sort(victims.begin(), victims.end());
    for (auto [id, f] : victims) end_flow(*f, f->closed ? FlowEnd::kClosed : FlowEnd::kIdle);
    victims.clear();
  }

  FlowLimits limits;
  Stats& stats;
  ConsumerFactory make_consumer;
  CloseCallback on_close;
  // Open addressing: a flood of short flows inserts and erases one entry
  // per packet, which a node-based map paid for with an allocation each.
  absl::flat_hash_map<Key, std::unique_ptr<Flow>, KeyHash> flows;
  std::array<List, kLists> lists;
  ReassemblyBudget budget;
  std::vector<Flow*> buffering;
  std::vector<std::pair<uint64_t, Flow*>> scratch;  // expire(): (id, flow) to end
  uint64_t created = 0;
};

FlowTable::FlowTable(FlowLimits limits, Stats& stats, ConsumerFactory make_consumer,
                     CloseCallback on_close)
    : impl_(std::make_unique<Impl>(limits, stats, std::move(make_consumer), std::move(on_close))) {}

FlowTable::~FlowTable() = default;

void FlowTable::on_packet(const decode::PacketView& v, Timestamp ts, uint64_t frame,
                          uint32_t wire_len) {
  Impl& t = *impl_;
  if (v.l4proto != kTcp && v.l4proto != kUdp) {
    t.stats.anomalies.add("flow.not-tcp-udp");
    return;
  }
  const bool tcp = v.l4proto == kTcp;
  const uint8_t flags = tcp ? v.tcp_flags : 0;
  const Key key = make_key(v.src, v.sport, v.dst, v.dport, v.l4proto, v.vlan);

  Flow* f = nullptr;
  if (auto it = t.flows.find(key); it != t.flows.end()) {
    f = it->second.get();
    // Checked here too, so correctness does not depend on how often the
    // caller runs expire().
    if (ts - f->last_seen > t.timeout(*f)) {
      t.end_flow(*f, f->closed ? FlowEnd::kClosed : FlowEnd::kIdle);
      f = nullptr;
    } else if ((flags & (decode::kSyn | decode::kAck)) == decode::kSyn) {
      // Port reuse: a new connection on the tuple of a closed one, or a SYN
      // with a new ISN on an open one (the device gave up on the old
      // connection, e.g. it rebooted). A retransmitted SYN keeps its ISN and
      // its flow, even after a RST (as tshark's tcp.stream does).
      const bool from_client = v.src == f->client.ip && v.sport == f->client.port;
      const TcpStream& s = f->tcp[index(from_client ? Direction::kUp : Direction::kDown)];
      const bool same_isn = s.started() && uint32_t(v.seq + 1) == s.base_seq();
      if (!same_isn && (f->closed || s.started())) {
        t.end_flow(*f, f->closed ? FlowEnd::kClosed : FlowEnd::kEvicted);
        f = nullptr;
      }
    }
  }
  if (!f) f = t.create(v, key, ts, frame);

  const bool up = v.src == f->client.ip && v.sport == f->client.port;
  const Direction dir = up ? Direction::kUp : Direction::kDown;
  const int d = index(dir);
  const uint32_t lost = v.truncated ? lost_tail(v) : 0;
  DirectionStats& ds = f->dir[d];
  ++ds.packets;
  ds.wire_bytes += wire_len;
  ds.payload_bytes += v.payload.size() + lost;
  f->last_seen = std::max(f->last_seen, ts);
  f->last_frame = frame;
  if (v.truncated) f->notes |= kNoteTruncated;

  if (!tcp) {
    if (f->notes & kNoteBypassed) {
      if (!v.payload.empty()) t.stats.drops.add("flow.bypassed-bytes", v.payload.size());
    } else if (!v.payload.empty()) {
      f->consumer->on_data(dir, v.payload, ts, frame);
      if (f->consumer->done()) f->notes |= kNoteBypassed;
    }
    t.touch(*f);
    return;
  }

  if (flags & decode::kSyn) {
    f->syn_seen = true;
    // A handshake retried after a RST (same ISN, same flow) reopens it.
    if (f->closed && !(flags & decode::kRst)) {
      f->closed = false;
      f->fin_mask = 0;
    }
  }
  if (flags & decode::kFin) {
    f->fin_mask |= uint8_t(1u << d);
    f->notes |= kNoteFin;
  }
  if (flags & decode::kRst) f->notes |= kNoteRst;

  if (f->notes & kNoteBypassed) {
    if (!v.payload.empty()) t.stats.drops.add("flow.bypassed-bytes", v.payload.size());
  } else if (!(flags & decode::kRst)) {
    // RST payload is diagnostic text (RFC 1122 4.2.2.12), not stream data.
    Impl::DirSink sink(t, *f, dir);
    TcpStream& s = f->tcp[d];
    s.on_segment(v.seq, flags, v.payload, ts, frame, sink, t.budget, t.limits.stream_cap, t.stats,
                 lost);
    if (s.overlap_conflicts()) f->notes |= kNoteOverlap;
    if (s.buffered_bytes() != 0 || f->buffering_slot != SIZE_MAX) {
      t.release_if_bypassed(*f);
      t.sync_buffering(*f);
    }
  }
  if (!f->closed && (f->fin_mask == 3 || (flags & decode::kRst))) f->closed = true;
  t.touch(*f);
  if (t.budget.used > t.budget.limit) t.enforce_budget();
}

void FlowTable::expire(Timestamp now) {
  Impl& t = *impl_;
  for (const Impl::List& l : t.lists) {
    for (Flow* f = l.head; f && now - f->last_seen > t.timeout(*f); f = f->lru_next) {
      t.scratch.emplace_back(f->id, f);
    }
  }
  t.end_in_id_order(t.scratch);
}

void FlowTable::flush_all(Timestamp /*now*/) {
  Impl& t = *impl_;
  // Every flow ends, in id order. They are gathered from the idle lists
  // (every flow is in one; in allocation order, mostly, where the table's
  // slots are in hash order), the table lets go of them all at once
  // instead of erasing slot by slot, and each flow is destroyed as soon as
  // it is reported (its memory is reused for the records that follow).
  const size_t n = t.flows.size();
  std::vector<std::pair<uint64_t, std::unique_ptr<Flow>>> all;
  all.reserve(n);
  for (auto& [key, flow] : t.flows) (void)flow.release();  // the lists hold them all
  t.flows.clear();
  for (const Impl::List& l : t.lists)
    for (Flow* f = l.head; f; f = f->lru_next) all.emplace_back(f->id, f);
  t.lists = {};
  assert(all.size() == n);
  auto by_id = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (!std::is_sorted(all.begin(), all.end(), by_id)) std::sort(all.begin(), all.end(), by_id);
  for (auto& [id, f] : all) {
    t.close_flow(*f, FlowEnd::kInputEnd);
    f.reset();
  }
  t.buffering.clear();
}

size_t FlowTable::size() const { return impl_->flows.size(); }
uint64_t FlowTable::flows_created() const { return impl_->created; }

}  // namespace ph::flow
