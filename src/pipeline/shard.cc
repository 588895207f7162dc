// A worker pipeline of the Engine (see shard.h): the per-packet path after
// decoding, and the logs of what crosses flows.
#include "pipeline/shard.h"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "pipeline/engine.h"
#include "proto/dns/addresses.h"
#include "proto/eapol/eapol.h"

namespace ph {
namespace {

// --flows-only: keeps flows in the reassembly path without reading them.
class StreamOnly final : public flow::FlowConsumer {
 public:
  void on_data(Direction, Bytes, Timestamp, uint64_t) override {}
};

constexpr uint16_t kEthertypeEapol = 0x888e;
constexpr uint16_t kEthertypeArp = 0x0806;
// Supplicants tracked at once; past it, new ones are counted and not parsed.
constexpr size_t kMaxEapolSessions = 1 << 16;

bool client_has_mac(const flow::Flow& f) {
  return f.has_macs && !f.client_mac.is_multicast() && !f.client_mac.is_zero();
}

}  // namespace

namespace {
uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}
}  // namespace

size_t flow_bucket(const IpAddr& a, uint16_t a_port, const IpAddr& b, uint16_t b_port) {
  // Per packet: the address bytes folded, not hashed as a string.
  auto side = [](const IpAddr& ip, uint16_t port) {
    uint64_t lo, hi;
    std::memcpy(&lo, ip.b.data(), 8);
    std::memcpy(&hi, ip.b.data() + 8, 8);
    return mix(lo ^ (hi * 0x9e3779b97f4a7c15ULL) ^ (uint64_t(port) << 48 | ip.version));
  };
  return size_t(mix(side(a, a_port) + side(b, b_port)) % kFlowBuckets);
}

IpAddr device_key(const std::optional<MacAddr>& mac, const IpAddr& ip) {
  if (!mac) return ip;
  IpAddr key;
  std::copy(mac->b.begin(), mac->b.end(), key.b.begin());
  return key;
}

IpAddr device_key(const flow::Flow& f) {
  return device_key(client_has_mac(f) ? std::optional(f.client_mac) : std::nullopt, f.client.ip);
}

void remember_home(HomeNetworks& homes, const IpAddr& device, std::string_view mcc) {
  if (auto it = homes.find(device); it != homes.end()) {
    it->second.assign(mcc);
  } else if (homes.size() < kMaxHomeMcc) {
    homes.emplace(device, std::string(mcc));
  }
}

FlowStub FlowStub::of(const flow::Flow& f, size_t input) {
  FlowStub s;
  s.flow = f.id;
  s.input = input;
  if (client_has_mac(f)) s.client_mac = f.client_mac;
  s.server_mac = f.server_mac;
  s.has_macs = f.has_macs;
  s.client = f.client;
  s.server = f.server;
  return s;
}

flow::Flow FlowStub::as_flow() const {
  flow::Flow f;
  f.id = flow;
  f.has_macs = has_macs;
  f.client_mac = client_mac.value_or(MacAddr{});
  f.server_mac = server_mac;
  f.client = client;
  f.server = server;
  return f;
}

std::string_view flow_host(const proto::FlowFacts& facts, std::string_view resolved,
                           StringPool& strings) {
  return !facts.sni.empty()    ? strings.intern(facts.sni)
         : !facts.host.empty() ? strings.intern(facts.host)
                               : resolved;
}

size_t NameCache::KeyHash::operator()(const Key& k) const {
  const AddrHash h;
  return h(k.device) * 31 + h(k.address);
}

bool NameCache::remember(const IpAddr& device, const IpAddr& address, std::string_view name) {
  auto it = names_.find({device, address});
  if (it != names_.end()) {
    it->second = name;
    return true;
  }
  if (names_.size() >= kMaxNames) return false;
  names_.emplace(Key{device, address}, name);
  return true;
}

std::string_view NameCache::find(const IpAddr& device, const IpAddr& address) const {
  if (names_.empty()) return {};
  auto it = names_.find({device, address});
  return it == names_.end() ? std::string_view() : it->second;
}

Shard::Shard(EngineOptions options, std::shared_ptr<detect::ProfileMatcher> profile, bool sharded)
    : options_(std::make_unique<EngineOptions>(std::move(options))),
      profile_(std::move(profile)),
      sharded_(sharded),
      budgets_(kFlowBuckets, DecodeBudget(&out_.stats.drops)) {
  flow::FlowTable::ConsumerFactory factory = options_->consumer_factory;
  if (!factory && options_->flows_only) {
    factory = [](const flow::Flow&) -> std::unique_ptr<flow::FlowConsumer> {
      return std::make_unique<StreamOnly>();
    };
  } else if (!factory) {
    dispatching_ = true;
    scanner_ = std::make_unique<FindingScanner>(out_.stats, out_.strings, profile_.get());
    // One shard sees the capture in order: names apply at once.
    if (!sharded_) names_ = std::make_unique<NameCache>();
    factory = [this](const flow::Flow& f) { return make_dispatcher(f); };
  }
  // Each flow's first event, for the Engine's naming replay.
  auto noted = [this, factory = std::move(factory)](const flow::Flow& f) {
    if (out_.created.size() < f.id) out_.created.resize(f.id);
    out_.created[f.id - 1] = seq_;
    return factory(f);
  };
  flows_ = std::make_unique<flow::FlowTable>(options_->flow, out_.stats, std::move(noted),
                                             [this](flow::Flow& f) { on_flow_closed(f); });
}

Shard::~Shard() = default;

void Shard::begin_input(size_t input) {
  current_input_ = input;
  while (first_flow_of_input_.size() <= input)
    first_flow_of_input_.push_back(flows_->flows_created());
}

void Shard::expire(Timestamp now, uint64_t n) {
  seq_ = seq_of_sweep(n);
  flows_->expire(now);
}

void Shard::flush(Timestamp now) {
  seq_ = kSeqEnd;
  flows_->flush_all(now);
}

void Shard::packet(decode::PacketView& view, decode::Status st, Timestamp ts, uint64_t frame,
                   uint32_t wire_len, uint64_t n) {
  Stats& stats = out_.stats;
  seq_ = seq_of_packet(n);
  frame_ = frame;
  switch (st) {
    case decode::Status::kOk:
      break;
    case decode::Status::kNotIp:
      ++stats.other_packets;
      budgets_[0].earn(view.l2_payload.size());  // EAPOL's (see decode_budget())
      if (view.ethertype == kEthertypeEapol && dispatching_) on_eapol(view, ts);
      if (view.ethertype == kEthertypeArp && dispatching_) {
        IdentityEvent e;
        e.kind = IdentityEvent::kArp;
        e.seq = seq_;
        e.bytes.assign(view.l2_payload.begin(), view.l2_payload.end());
        e.ts = ts;
        identity(std::move(e));
      }
      return;
    case decode::Status::kUnsupported:
      // The link type is supported (the Engine counts the others): what
      // it carries is not.
      stats.anomalies.add("decode.unsupported-encapsulation");
      ++stats.other_packets;
      return;
    case decode::Status::kMalformed:
    case decode::Status::kFragment:
      return;
  }
  ++stats.ip_packets;
  switch (view.l4proto) {
    case IPPROTO_TCP:
      ++stats.tcp_packets;
      budgets_[flow_bucket(view.src, view.sport, view.dst, view.dport)].earn(view.payload.size());
      flows_->on_packet(view, ts, frame, wire_len);
      break;
    case IPPROTO_UDP:
      ++stats.udp_packets;
      budgets_[flow_bucket(view.src, view.sport, view.dst, view.dport)].earn(view.payload.size());
      flows_->on_packet(view, ts, frame, wire_len);
      break;
    case IPPROTO_ICMP:
      ++stats.icmp_packets;
      break;
    case IPPROTO_ICMPV6:
      ++stats.icmp_packets;
      if (dispatching_ && view.mac_src && view.tunnel_depth == 0) {
        IdentityEvent e;
        e.kind = IdentityEvent::kIcmpv6;
        e.seq = seq_;
        e.bytes.assign(view.payload.begin(), view.payload.end());
        e.ts = ts;
        e.mac_src = MacAddr::from(view.mac_src);
        e.src = view.src;
        identity(std::move(e));
      }
      break;
    default:
      ++stats.other_packets;
      break;
  }
}

void Shard::identity(IdentityEvent&& e) {
  if (direct_identity_) {
    replay(e, *direct_identity_);
    return;
  }
  // User-Agents, JA4s and SSDP servers only add to lists of distinct
  // strings: a repeat from the same sender changes nothing.
  if (e.kind == IdentityEvent::kMessage &&
      (e.message.protocol == "http" || e.message.protocol == "tls" ||
       e.message.protocol == "quic" || e.message.protocol == "ssdp")) {
    // By sender (both of its addresses: a superset of how the collector
    // keys devices).
    const bool up = e.message.dir == Direction::kUp;
    const IpAddr& ip = up ? e.stub.client.ip : e.stub.server.ip;
    const MacAddr mac = up ? e.stub.client_mac.value_or(MacAddr{}) : e.stub.server_mac;
    std::string key(reinterpret_cast<const char*>(ip.b.data()), ip.b.size());
    key.push_back(char(ip.version));
    key.append(reinterpret_cast<const char*>(mac.b.data()), mac.b.size());
    key.push_back(char(e.stub.has_macs));
    key.append(e.message.protocol).append(1, '\0').append(e.message.kind);
    for (const auto& f : e.message.fields)
      key.append(1, '\0').append(f.name).append(1, '\0').append(f.value);
    if (logged_.count(key)) return;
    if (logged_.size() < kMaxLogged) logged_.insert(std::move(key));
  }
  out_.identity.push_back(std::move(e));
}

void Shard::replay(const IdentityEvent& e, IdentityCollector& c) {
  switch (e.kind) {
    case IdentityEvent::kMessage:
      c.on_message(e.stub.as_flow(), e.parser, e.message);
      break;
    case IdentityEvent::kArp:
      c.on_arp(Bytes(e.bytes), e.ts);
      break;
    case IdentityEvent::kIcmpv6: {
      decode::PacketView v;
      v.mac_src = e.mac_src.b.data();
      v.src = e.src;
      v.payload = Bytes(e.bytes);
      c.on_icmpv6(v, e.ts);
      break;
    }
  }
}

proto::FlowFacts FlowDispatch::facts() const {
  if (d_) return d_->facts();
  proto::FlowFacts facts;
  facts.app = "unknown";
  return facts;
}

std::unique_ptr<flow::FlowConsumer> Shard::make_dispatcher(const flow::Flow& f) {
  if (options_->on_finding) {
    auto [it, fresh] = live_first_seen_.try_emplace(device_key(f), f.first_seen);
    if (!fresh) it->second = std::min(it->second, f.first_seen);
  }
  // The name is the one known when the flow starts: a later answer does
  // not rename it.
  const std::string_view name = names_ ? names_->find(device_key(f), f.server.ip) : "";
  proto::FlowMessageSink& sink = *this;
  return std::make_unique<FlowDispatch>(f, sink, name);
}

DecodeBudget* Shard::decode_budget(const flow::Flow& f) {
  // EAPOL's pseudo-flows (id 0) are in shard 0, as bucket 0 is.
  return &budgets_[f.id == 0 ? 0
                             : flow_bucket(f.client.ip, f.client.port, f.server.ip, f.server.port)];
}

void Shard::remember_names(const flow::Flow& f, const proto::Message& response) {
  // Most responses worth remembering carry an address; the others (NXDOMAIN,
  // PTR, TXT...) are dismissed without building pairs.
  bool has_address = false;
  for (const auto& field : response.fields) {
    std::string_view n = field.name;
    if (n == "dns.answer.a" || n == "dns.answer.aaaa" || n == "dns.svcb.ipv4hint" ||
        n == "dns.svcb.ipv6hint") {
      has_address = true;
      break;
    }
  }
  if (!has_address) return;
  // Pairs come queried names first: the first name given for an address in
  // this message is the one the device asked for.
  named_.clear();
  const IpAddr device = device_key(f);
  for (const auto& p : proto::dns::name_addresses(response)) {
    IpAddr a = IpAddr::parse(p.address);
    if (a.version == 0 || std::find(named_.begin(), named_.end(), a) != named_.end()) continue;
    named_.push_back(a);
    std::string_view name = out_.strings.intern(p.name);
    if (!names_) {
      out_.names.push_back({seq_, f.id, device, a, name});
    } else if (!names_->remember(device, a, name)) {
      out_.stats.drops.add("dns.name-cache-full");
    }
  }
}

void Shard::stamp(FindingRecord& r, const FlowStub& stub) const {
  r.flow = stub.flow;
  r.input = stub.input;
  if (stub.client_mac) {
    r.device_mac = stub.client_mac;
  } else {
    r.device_ip = stub.client.ip;
  }
  r.destination.ip = stub.server.ip;
  r.destination.port = stub.server.port;
  if (stub.flow == 0) r.encrypted = false;  // EAPOL: in clear on the link
}

void Shard::on_message(const flow::Flow& f, const proto::Parser* parser, proto::Message&& m) {
  message_key_.assign(m.protocol).append(".").append(m.kind);
  out_.stats.messages.add(message_key_);
  // Unicast DNS only: mDNS/LLMNR answers are other hosts announcing
  // themselves, not names this device looked up.
  if (parser && parser->name == "dns" && m.dir == Direction::kDown && m.kind == "response")
    remember_names(f, m);
  if (dispatching_) {
    IdentityEvent e;
    e.seq = seq_;
    e.flow = f.id;
    if (IdentityCollector::excerpt(parser, m, e.message)) {
      e.stub = FlowStub::of(f, current_input_);
      e.parser = parser;
      identity(std::move(e));
    }
  }
  // Personal data leaving a device: what the client side sends.
  if (!scanner_ || m.dir != Direction::kUp) return;
  const size_t first = out_.findings.size();
  const IpAddr device = device_key(f);
  auto known = home_mcc_.find(device);
  const std::string used = known != home_mcc_.end() ? known->second : std::string();
  DecodeBudget* budget = decode_budget(f);
  const uint64_t budget_left = budget->left();
  scanner_->scan(m, out_.findings, used, budget);
  // The latest IMSI's network is the device's from now on.
  if (scanner_->message_mcc()) remember_home(home_mcc_, device, scanner_->home_mcc());
  const FlowStub stub = FlowStub::of(f, current_input_);
  for (size_t i = first; i < out_.findings.size(); ++i) {
    FindingRecord& r = out_.findings[i];
    stamp(r, stub);
    out_.finding_seq.push_back(seq_);
    if (options_->on_finding) announce(r, f);
  }
  // Other shards may know this device's home network better: keep what a
  // second look needs.
  if (sharded_ && (scanner_->used_device_region() || scanner_->message_mcc())) {
    HomeEvent h;
    h.seq = seq_;
    h.flow = f.id;
    h.device = device;
    if (scanner_->message_mcc()) h.mcc = scanner_->home_mcc();
    if (scanner_->used_device_region()) {
      h.scanned = std::move(m);
      h.stub = stub;
      h.used = used;
      h.first = first;
      h.end = out_.findings.size();
      h.budget_left = budget_left;
    }
    out_.home.push_back(std::move(h));
  }
}

void Shard::rescan(const proto::Message& m, const FlowStub& stub, std::string_view home_mcc,
                   uint64_t budget_left, std::vector<FindingRecord>& out) {
  const size_t first = out.size();
  // What the first look had left: the same layers decoded (its cuts were
  // counted then).
  DecodeBudget budget(nullptr, budget_left);
  scanner_->scan(m, out, home_mcc, &budget);
  for (size_t i = first; i < out.size(); ++i) stamp(out[i], stub);
}

void Shard::announce(FindingRecord& r, const flow::Flow& f) {
  // A copy: the stored record keeps what the Engine's finish() expects (no
  // name, no place yet), so a watch run reports exactly what a scan would.
  FindingRecord live = r;
  if (f.id != 0) {
    if (dispatching_ && f.consumer) {
      const auto& dispatch = static_cast<const FlowDispatch&>(*f.consumer);
      proto::FlowFacts facts = dispatch.facts();
      live.destination.host = flow_host(facts, dispatch.resolved_name(), out_.strings);
      live.encrypted = facts.encrypted;
    }
    if (!live_locator_)
      live_locator_ = std::make_unique<geo::Locator>(options_->geo.get(), out_.strings);
    live_locator_->locate(live.destination);
  }
  auto first = live_first_seen_.find(device_key(f));
  Timestamp since = first != live_first_seen_.end() ? first->second : f.first_seen;
  live.since_device_first_seen_s = double(live.ts - std::min(since, live.ts)) / kNsPerSec;
  options_->on_finding(live);
}

// Which side of an EAPOL frame is the supplicant: the sender of Start,
// Logoff and EAP responses; the receiver of EAP requests, successes and
// failures. Key frames go both ways: they join a known supplicant's session.
void Shard::on_eapol(const decode::PacketView& v, Timestamp ts) {
  if (!v.mac_src || !v.mac_dst) return;
  const MacAddr src = MacAddr::from(v.mac_src), dst = MacAddr::from(v.mac_dst);
  Bytes p = v.l2_payload;
  if (p.size() < 4) {
    out_.stats.anomalies.add("eapol.short");
    return;
  }
  auto key_of = [](const MacAddr& m) {
    return std::string(reinterpret_cast<const char*>(m.b.data()), m.b.size());
  };
  const uint8_t type = p[1];
  std::optional<bool> sender_is_supplicant;
  if (type == 1 || type == 2) {
    sender_is_supplicant = true;
  } else if (type == 0 && p.size() >= 5) {
    sender_is_supplicant = p[4] == 2;  // EAP code 2 = Response
  } else if (eapol_.count(key_of(src))) {
    sender_is_supplicant = true;
  } else if (eapol_.count(key_of(dst))) {
    sender_is_supplicant = false;
  }
  if (!sender_is_supplicant) return;
  const MacAddr& supplicant = *sender_is_supplicant ? src : dst;
  const MacAddr& other = *sender_is_supplicant ? dst : src;
  if (supplicant.is_multicast() || supplicant.is_zero()) return;
  auto [it, fresh] = eapol_.try_emplace(key_of(supplicant));
  if (fresh) {
    if (eapol_.size() > kMaxEapolSessions) {
      eapol_.erase(it);
      out_.stats.drops.add("eapol.sessions");
      return;
    }
    it->second = std::make_unique<L2Session>(*this);
    L2Session& s = *it->second;
    s.flow.has_macs = true;
    s.flow.client_mac = supplicant;
    s.flow.server_mac = other;
    s.flow.first_seen = ts;
    proto::MessageSink& sink = s;
    s.feeder = std::make_unique<proto::Feeder>(proto::eapol::parser().make(sink), sink);
  }
  L2Session& s = *it->second;
  s.flow.last_seen = ts;
  s.feeder->data(*sender_is_supplicant ? Direction::kUp : Direction::kDown, p, ts, frame_);
}

void Shard::L2Session::on_message(proto::Message&& m) {
  shard.on_message(flow, &proto::eapol::parser(), std::move(m));
}

void Shard::on_flow_closed(flow::Flow& f) {
  FlowRecord r;
  r.id = f.id;
  r.proto = f.proto;
  r.vlan = f.vlan;
  r.src_ip = f.client.ip;
  r.src_port = f.client.port;
  r.dst.ip = f.server.ip;
  r.dst.port = f.server.port;
  const auto& up = f.dir[flow::index(flow::Direction::kUp)];
  const auto& down = f.dir[flow::index(flow::Direction::kDown)];
  r.packets_up = up.packets;
  r.packets_down = down.packets;
  r.bytes_up = up.wire_bytes;
  r.bytes_down = down.wire_bytes;
  r.payload_up = up.payload_bytes;
  r.payload_down = down.payload_bytes;
  r.first_seen = f.first_seen;
  r.last_seen = f.last_seen;
  r.first_frame = f.first_frame;
  auto it = std::upper_bound(first_flow_of_input_.begin(), first_flow_of_input_.end(), f.id - 1);
  r.input = it == first_flow_of_input_.begin() ? 0 : size_t(it - first_flow_of_input_.begin() - 1);
  r.notes = f.notes;
  if (dispatching_ && f.consumer) {
    const auto& d = static_cast<const FlowDispatch&>(*f.consumer);
    proto::FlowFacts facts = d.facts();
    r.app = out_.strings.intern(facts.app.empty() ? "unknown" : facts.app);
    r.encrypted = facts.encrypted;
    r.sni = out_.strings.intern(facts.sni);
    r.looks_like = out_.strings.intern(d.looks_like());
    // With several shards, the name the device resolved comes in the
    // Engine's replay.
    r.dst.host = flow_host(facts, d.resolved_name(), out_.strings);
  }
  // The device is the client side, by MAC where the link has one.
  r.device = 0;  // assigned in the Engine's finish()
  if (client_has_mac(f)) {
    r.src_mac = f.client_mac;
  }
  // Ids are 1..N without holes: each record goes straight to its place.
  if (out_.flows.size() < r.id) out_.flows.resize(r.id);
  out_.flows[r.id - 1] = std::move(r);
}

}  // namespace ph
