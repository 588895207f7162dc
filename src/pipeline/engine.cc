// The Engine: the per-packet path and the end-of-run assembly of records.
#include "pipeline/engine.h"

#include <netinet/in.h>

#include <algorithm>
#include <map>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "decode/decode.h"
#include "enrich/timeline.h"
#include "proto/dispatch.h"
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

constexpr Timestamp kExpireEvery = kNsPerSec;  // capture time between idle sweeps
constexpr size_t kMaxHomeMcc = 1 << 16;        // devices whose home network is remembered
// The DNS cache's size bound: past it, new answers are counted and dropped
// (names already known keep working).
constexpr size_t kMaxResolvedNames = 1 << 20;

bool client_has_mac(const flow::Flow& f) {
  return f.has_macs && !f.client_mac.is_multicast() && !f.client_mac.is_zero();
}

}  // namespace

Engine::Engine(EngineOptions options)
    : options_(std::move(options)), defrag_(options_.defrag, report_.stats) {
  auto factory = options_.consumer_factory;
  if (!factory && options_.flows_only) {
    factory = [](const flow::Flow&) -> std::unique_ptr<flow::FlowConsumer> {
      return std::make_unique<StreamOnly>();
    };
  } else if (!factory) {
    dispatching_ = true;
    scanner_ =
        std::make_unique<FindingScanner>(report_.stats, report_.strings, options_.profile.get());
    identity_ = std::make_unique<IdentityCollector>(report_.stats);
    factory = [this](const flow::Flow& f) { return make_dispatcher(f); };
  }
  flows_ = std::make_unique<flow::FlowTable>(options_.flow, report_.stats, std::move(factory),
                                             [this](flow::Flow& f) { on_flow_closed(f); });
}

Engine::~Engine() = default;

void Engine::add_failed_input(const std::string& path, const std::string& error) {
  capture::InputInfo info;
  info.path = path;
  info.errors.push_back(error);
  report_.inputs.push_back(std::move(info));
  report_.input_opened.push_back(false);
  first_flow_of_input_.push_back(flows_->flows_created());
}

void Engine::run(capture::Source& source, const std::atomic<bool>* stop,
                 const std::function<void(const Progress&)>& progress) {
  current_input_ = report_.inputs.size();
  report_.inputs.push_back(source.info());
  report_.input_opened.push_back(true);
  first_flow_of_input_.push_back(flows_->flows_created());
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

void Engine::on_packet(const capture::Packet& packet) {
  Stats& stats = report_.stats;
  ++frame_in_input_;
  ++stats.packets;
  stats.bytes += packet.caplen;
  const Timestamp ts = packet.ts;
  if (ts > clock_) clock_ = ts;
  if (ts < first_ts_) first_ts_ = ts;
  if (clock_ >= next_expire_) {
    flows_->expire(clock_);
    defrag_.expire(clock_);
    next_expire_ = clock_ + kExpireEvery;
  }

  decode::PacketView view;
  decode::Status st = decode::decode_frame(packet.linktype, Bytes(packet.data, packet.caplen), view,
                                           stats.anomalies);
  if (st == decode::Status::kFragment) {
    std::optional<Bytes> whole = defrag_.add(view, ts);
    if (whole) {
      st = decode::decode_ip(*whole, view, stats.anomalies);
    } else {
      st = decode::decode_truncated_first_fragment(view, stats.anomalies);
    }
  }
  switch (st) {
    case decode::Status::kOk:
      break;
    case decode::Status::kNotIp:
      ++stats.other_packets;
      if (view.ethertype == kEthertypeEapol && dispatching_) on_eapol(view, ts);
      if (view.ethertype == kEthertypeArp && identity_) identity_->on_arp(view.l2_payload, ts);
      return;
    case decode::Status::kUnsupported:
      if (!decode::linktype_supported(packet.linktype)) {
        ++unsupported_linktypes_[packet.linktype];
      } else {
        stats.anomalies.add("decode.unsupported-encapsulation");
      }
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
      flows_->on_packet(view, ts, frame_in_input_, packet.origlen);
      break;
    case IPPROTO_UDP:
      ++stats.udp_packets;
      flows_->on_packet(view, ts, frame_in_input_, packet.origlen);
      break;
    case IPPROTO_ICMP:
      ++stats.icmp_packets;
      break;
    case IPPROTO_ICMPV6:
      ++stats.icmp_packets;
      if (identity_) identity_->on_icmpv6(view, ts);
      break;
    default:
      ++stats.other_packets;
      break;
  }
}

std::unique_ptr<flow::FlowConsumer> Engine::make_dispatcher(const flow::Flow& f) {
  proto::FlowMessageSink& sink = *this;
  auto d = std::make_unique<proto::Dispatcher>(f, sink);
  if (options_.on_finding) {
    auto [it, fresh] = live_first_seen_.try_emplace(name_key(f, IpAddr{}).device, f.first_seen);
    if (!fresh) it->second = std::min(it->second, f.first_seen);
  }
  // The name is the one known when the flow starts: a later answer does
  // not rename it.
  if (!resolved_.empty()) {
    auto it = resolved_.find(name_key(f, f.server.ip));
    if (it != resolved_.end()) d->resolved_name = it->second;
  }
  return d;
}

Engine::NameKey Engine::name_key(const flow::Flow& f, const IpAddr& address) {
  NameKey key;
  if (client_has_mac(f)) {
    std::copy(f.client_mac.b.begin(), f.client_mac.b.end(), key.device.b.begin());
  } else {
    key.device = f.client.ip;
  }
  key.address = address;
  return key;
}

size_t Engine::NameKeyHash::operator()(const NameKey& k) const {
  const AddrHash h;
  return h(k.device) * 31 + h(k.address);
}

void Engine::remember_names(const flow::Flow& f, const proto::Message& response) {
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
  for (const auto& p : proto::dns::name_addresses(response)) {
    IpAddr a = IpAddr::parse(p.address);
    if (a.version == 0 || std::find(named_.begin(), named_.end(), a) != named_.end()) continue;
    named_.push_back(a);
    const NameKey key = name_key(f, a);
    auto it = resolved_.find(key);
    if (it == resolved_.end() && resolved_.size() >= kMaxResolvedNames) {
      report_.stats.drops.add("dns.name-cache-full");
      continue;
    }
    std::string_view name = report_.strings.intern(p.name);
    if (it == resolved_.end()) {
      resolved_.emplace(key, name);
    } else {
      it->second = name;
    }
  }
}

void Engine::on_message(const flow::Flow& f, const proto::Parser* parser, proto::Message&& m) {
  message_key_.assign(m.protocol).append(".").append(m.kind);
  report_.stats.messages.add(message_key_);
  // Unicast DNS only: mDNS/LLMNR answers are other hosts announcing
  // themselves, not names this device looked up.
  if (parser && parser->name == "dns" && m.dir == Direction::kDown && m.kind == "response")
    remember_names(f, m);
  if (identity_) identity_->on_message(f, parser, m);
  // Personal data leaving a device: what the client side sends.
  if (!scanner_ || m.dir != Direction::kUp) return;
  const size_t first = report_.findings.size();
  const IpAddr device = name_key(f, IpAddr{}).device;
  auto known = home_mcc_.find(device);
  scanner_->scan(m, report_.findings, known != home_mcc_.end() ? known->second : "");
  // The latest IMSI's network is the device's from now on.
  if (!scanner_->home_mcc().empty()) {
    if (known != home_mcc_.end()) {
      known->second = scanner_->home_mcc();
    } else if (home_mcc_.size() < kMaxHomeMcc) {
      home_mcc_.emplace(device, scanner_->home_mcc());
    }
  }
  for (size_t i = first; i < report_.findings.size(); ++i) {
    FindingRecord& r = report_.findings[i];
    r.flow = f.id;
    r.input = current_input_;
    if (client_has_mac(f)) {
      r.device_mac = f.client_mac;
    } else {
      r.device_ip = f.client.ip;
    }
    r.destination.ip = f.server.ip;
    r.destination.port = f.server.port;
    if (f.id == 0) r.encrypted = false;  // EAPOL: in clear on the link
    if (options_.on_finding) announce(r, f);
  }
}

void Engine::name_destination(const proto::Dispatcher& dispatcher, const proto::FlowFacts& facts,
                              DestinationRecord& d) {
  d.host = !facts.sni.empty()    ? report_.strings.intern(facts.sni)
           : !facts.host.empty() ? report_.strings.intern(facts.host)
                                 : dispatcher.resolved_name;
}

void Engine::announce(FindingRecord& r, const flow::Flow& f) {
  // A copy: the stored record keeps what finish() expects (no name, no
  // place yet), so a watch run reports exactly what a scan would.
  FindingRecord live = r;
  if (f.id != 0) {
    if (dispatching_ && f.consumer) {
      const auto& dispatcher = static_cast<const proto::Dispatcher&>(*f.consumer);
      proto::FlowFacts facts = dispatcher.facts();
      name_destination(dispatcher, facts, live.destination);
      live.encrypted = facts.encrypted;
    }
    if (!live_locator_)
      live_locator_ = std::make_unique<geo::Locator>(options_.geo.get(), report_.strings);
    live_locator_->locate(live.destination);
  }
  auto first = live_first_seen_.find(name_key(f, IpAddr{}).device);
  Timestamp since = first != live_first_seen_.end() ? first->second : f.first_seen;
  live.since_device_first_seen_s = double(live.ts - std::min(since, live.ts)) / kNsPerSec;
  options_.on_finding(live);
}

// Which side of an EAPOL frame is the supplicant: the sender of Start,
// Logoff and EAP responses; the receiver of EAP requests, successes and
// failures. Key frames go both ways: they join a known supplicant's session.
void Engine::on_eapol(const decode::PacketView& v, Timestamp ts) {
  if (!v.mac_src || !v.mac_dst) return;
  const MacAddr src = MacAddr::from(v.mac_src), dst = MacAddr::from(v.mac_dst);
  Bytes p = v.l2_payload;
  if (p.size() < 4) {
    report_.stats.anomalies.add("eapol.short");
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
      report_.stats.drops.add("eapol.sessions");
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
  s.feeder->data(*sender_is_supplicant ? Direction::kUp : Direction::kDown, p, ts, frame_in_input_);
}

void Engine::L2Session::on_message(proto::Message&& m) {
  engine.on_message(flow, &proto::eapol::parser(), std::move(m));
}

void Engine::on_flow_closed(flow::Flow& f) {
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
    const auto& d = static_cast<const proto::Dispatcher&>(*f.consumer);
    proto::FlowFacts facts = d.facts();
    r.app = report_.strings.intern(facts.app.empty() ? "unknown" : facts.app);
    r.encrypted = facts.encrypted;
    r.sni = report_.strings.intern(facts.sni);
    r.looks_like = report_.strings.intern(d.looks_like());
    name_destination(d, facts, r.dst);
  }
  // The device is the client side, by MAC where the link has one.
  r.device = 0;  // assigned in finish()
  if (client_has_mac(f)) {
    r.src_mac = f.client_mac;
  }
  // Ids are 1..N without holes: each record goes straight to its place,
  // so the report needs no sort.
  if (report_.flows.size() < r.id) report_.flows.resize(r.id);
  report_.flows[r.id - 1] = std::move(r);
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
  flows_->flush_all(clock_);
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
  for (FlowRecord& r : report_.flows) {
    DeviceRecord& d = device(r.src_mac, r.src_ip, r.first_seen, r.last_seen);
    ++d.flows;
    bool unspecified =
        std::all_of(r.src_ip.b.begin(), r.src_ip.b.end(), [](uint8_t b) { return b == 0; });
    // Capped as the identity collector's addresses are: a flood from many
    // spoofed sources behind one MAC would make this quadratic (issue #7).
    if (!unspecified &&
        !merge_sighting(d.ip_history, {r.src_ip, r.first_seen, r.last_seen, kIpFromFlow},
                        IdentityCollector::kMaxAddresses))
      report_.stats.drops.add("device.addresses");
    r.device = d.id;
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
