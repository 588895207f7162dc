// DHCPv6 decoding (see dhcp.h): the client/server and relay headers, the
// option tree (IA_NA/IA_TA/IA_PD and their addresses and prefixes, relay
// messages), the fields worth keeping, the probe and the datagram session.
#include <array>
#include <string>
#include <string_view>

#include "model/ip.h"
#include "proto/dhcp/dhcp.h"
#include "proto/dhcp/text.h"

namespace ph::proto::dhcp {
namespace {

using detail::hex;

constexpr size_t kHeader = 4;        // msg-type, transaction-id
constexpr size_t kRelayHeader = 34;  // msg-type, hop-count, link-address, peer-address
constexpr size_t kMaxFields = 1024;
constexpr int kMaxBadStreak = 16;

const char* type_name(uint8_t t) {
  static constexpr std::array<const char*, 14> kNames = {
      nullptr,      "solicit",   "advertise", "request", "confirm",     "renew",
      "rebind",     "reply",     "release",   "decline", "reconfigure", "information-request",
      "relay-forw", "relay-repl"};
  return t < kNames.size() ? kNames[t] : nullptr;
}

bool is_relay(uint8_t t) { return t == 12 || t == 13; }

// True when `b` is a sequence of options (code, length, data) ending
// exactly at its end, each with a code in 1..255 (assigned codes are far
// below 256; this keeps random bytes out).
bool options_fit(Bytes b) {
  size_t p = 0;
  while (p < b.size()) {
    if (b.size() - p < 4) return false;
    uint16_t code = load_be16(b.data() + p), len = load_be16(b.data() + p + 2);
    if (code == 0 || code > 255 || b.size() - p - 4 < len) return false;
    p += 4 + size_t(len);
  }
  return true;
}

// Strings each preceded by a 2-byte length (user class, vendor class data).
template <typename F>
bool each_string(Bytes b, F&& f) {
  size_t p = 0;
  while (p < b.size()) {
    if (b.size() - p < 2) return false;
    size_t len = load_be16(b.data() + p);
    if (b.size() - p - 2 < len) return false;
    f(b.subspan(p + 2, len));
    p += 2 + len;
  }
  return true;
}

class Decoder {
 public:
  Decoder(MessageSink& sink, Message& out) : sink_(sink), out_(out) {}

  // Fills out_ from `msg` (a client/server message or a relay message,
  // unwrapped up to kMaxRelayDepth levels).
  void run(Bytes msg, int relay_depth) {
    uint8_t type = msg[0];
    const char* name = type_name(type);
    out_.protocol = "dhcpv6";
    out_.kind = name ? name : std::to_string(type);
    if (is_relay(type)) {
      if (msg.size() < kRelayHeader) {
        sink_.on_anomaly("dhcpv6.short");
        return;
      }
      add("dhcpv6.relay_peer", IpAddr::v6(msg.data() + 18).to_string());
      Bytes inner;
      options(msg.subspan(kRelayHeader), 0, &inner);
      if (inner.empty()) {
        sink_.on_anomaly("dhcpv6.no-relay-message");
        return;
      }
      if (relay_depth + 1 > kMaxRelayDepth) {
        sink_.on_anomaly("dhcpv6.relay-too-deep");
        return;
      }
      if (inner.size() < kHeader) {
        sink_.on_anomaly("dhcpv6.short");
        return;
      }
      run(inner, relay_depth + 1);
      return;
    }
    add("dhcpv6.transaction_id", hex(msg.subspan(1, 3)));
    options(msg.subspan(kHeader), 0, nullptr);
  }

 private:
  void add(const char* name, std::string value, std::string key = {}) {
    if (out_.fields.size() >= kMaxFields) {
      if (!fields_capped_) sink_.on_anomaly("dhcpv6.too-many-fields");
      fields_capped_ = true;
      return;
    }
    out_.add(name, std::move(value), std::move(key));
  }

  static std::string text(Bytes v) { return std::string(as_string(v)); }

  // The options in `b`; `relay` (relay messages only) receives the relay
  // message option's data.
  void options(Bytes b, int depth, Bytes* relay) {
    if (depth > kMaxOptionDepth) {
      sink_.on_anomaly("dhcpv6.too-deep");
      return;
    }
    size_t p = 0;
    while (p < b.size()) {
      if (b.size() - p < 4 || b.size() - p - 4 < load_be16(b.data() + p + 2)) {
        sink_.on_anomaly("dhcpv6.truncated-option");
        return;
      }
      if (++count_ > kMaxV6Options) {
        if (count_ == kMaxV6Options + 1) sink_.on_anomaly("dhcpv6.too-many-options");
        return;
      }
      uint16_t code = load_be16(b.data() + p);
      Bytes v = b.subspan(p + 4, load_be16(b.data() + p + 2));
      p += 4 + v.size();
      if (relay && code == 9) {
        *relay = v;
        continue;
      }
      option(code, v, depth, relay != nullptr);
    }
  }

  void bad(const char* what = "dhcpv6.bad-option") { sink_.on_anomaly(what); }

  void option(uint16_t code, Bytes v, int depth, bool in_relay) {
    switch (code) {
      case 1:  // client identifier
      case 2: {
        if (v.empty()) return bad();
        add(code == 1 ? "dhcpv6.client_duid" : "dhcpv6.server_duid", hex(v));
        if (code == 1) {
          std::string mac = detail::duid_mac(v);
          if (!mac.empty()) add("dhcpv6.client_mac", std::move(mac));
        }
        return;
      }
      case 3:   // IA_NA: IAID, T1, T2, options
      case 25:  // IA_PD: same layout
        if (v.size() < 12) return bad();
        return options(v.subspan(12), depth + 1, nullptr);
      case 4:  // IA_TA: IAID, options
        if (v.size() < 4) return bad();
        return options(v.subspan(4), depth + 1, nullptr);
      case 5:  // IAADDR: address, preferred and valid lifetimes, options
        if (v.size() < 24) return bad();
        add("dhcpv6.ia_addr", IpAddr::v6(v.data()).to_string());
        return options(v.subspan(24), depth + 1, nullptr);
      case 26: {  // IAPREFIX: lifetimes, prefix length, prefix, options
        if (v.size() < 25) return bad();
        add("dhcpv6.ia_prefix", IpAddr::v6(v.data() + 9).to_string() + "/" + std::to_string(v[8]));
        return options(v.subspan(25), depth + 1, nullptr);
      }
      case 6: {  // option request
        if (v.size() % 2) return bad();
        std::string list;
        for (size_t i = 0; i < v.size(); i += 2) {
          if (!list.empty()) list += ',';
          list += std::to_string(load_be16(v.data() + i));
        }
        if (!list.empty()) add("dhcpv6.oro", std::move(list));
        return;
      }
      case 15:  // user class
        if (!each_string(v, [&](Bytes s) { add("dhcpv6.user_class", text(s)); })) bad();
        return;
      case 16: {  // vendor class: enterprise number, strings
        if (v.size() < 4) return bad();
        std::string ent = std::to_string(load_be32(v.data()));
        if (!each_string(v.subspan(4), [&](Bytes s) { add("dhcpv6.vendor_class", text(s), ent); }))
          bad();
        return;
      }
      case 17:  // vendor-specific information
        return vendor_opts(v);
      case 39: {  // client FQDN: flags, wire-format name
        if (v.empty()) return bad("dhcpv6.bad-fqdn");
        std::string name;
        if (!detail::wire_name(v.subspan(1), name)) return bad("dhcpv6.bad-fqdn");
        if (!name.empty()) add("dhcpv6.fqdn", std::move(name));
        return;
      }
      case 18:  // interface id (relay)
        if (in_relay && !v.empty()) add("dhcpv6.interface_id", text(v));
        return;
      case 37:  // remote id (relay): enterprise number, id
        if (!in_relay) return;
        if (v.size() < 4) return bad();
        add("dhcpv6.remote_id", text(v.subspan(4)), std::to_string(load_be32(v.data())));
        return;
      case 38:  // subscriber id (relay)
        if (in_relay && !v.empty()) add("dhcpv6.subscriber_id", text(v));
        return;
      default:
        return;
    }
  }

  // Enterprise number, then (code, length, data) sub-options; data that is
  // not such a list is kept whole.
  void vendor_opts(Bytes v) {
    if (v.size() < 4) return bad();
    std::string ent = std::to_string(load_be32(v.data()));
    Bytes d = v.subspan(4);
    bool fits = true;
    for (size_t p = 0; p < d.size();) {
      if (d.size() - p < 4 || d.size() - p - 4 < load_be16(d.data() + p + 2)) {
        fits = false;
        break;
      }
      p += 4 + size_t(load_be16(d.data() + p + 2));
    }
    if (!fits) {
      add("dhcpv6.vendor_opts", text(d), ent);
      return;
    }
    for (size_t p = 0; p < d.size();) {
      size_t len = load_be16(d.data() + p + 2);
      add("dhcpv6.vendor_opts", text(d.subspan(p + 4, len)), ent);
      p += 4 + len;
    }
  }

  MessageSink& sink_;
  Message& out_;
  size_t count_ = 0;
  bool fields_capped_ = false;
};

// The content test shared by the probe and the session.
bool looks_dhcpv6(Bytes b) {
  if (b.size() < kHeader + 4) return false;  // at least one option
  if (!type_name(b[0])) return false;
  if (is_relay(b[0])) return b.size() >= kRelayHeader + 4 && options_fit(b.subspan(kRelayHeader));
  return options_fit(b.subspan(kHeader));
}

class Session final : public proto::Session {
 public:
  explicit Session(MessageSink& sink) : sink_(sink) {}

  Consumed on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    int& streak = bad_streak_[index(dir)];
    // A message whose options are damaged is still decoded up to the
    // damage once the direction has shown real DHCPv6.
    bool ok = looks_dhcpv6(data) || (streak < 0 && data.size() >= kHeader && type_name(data[0]));
    if (!ok) {
      sink_.on_anomaly("dhcpv6.not-dhcpv6");
      if (streak >= 0 && ++streak >= kMaxBadStreak) return {data.size(), Status::kMalformed};
      return {data.size(), Status::kOk};
    }
    streak = -1;
    Message m;
    m.dir = dir;
    m.ts = ts;
    m.frame = frame;
    Decoder(sink_, m).run(data, 0);
    sink_.on_message(std::move(m));
    return {data.size(), Status::kOk};
  }

  FlowFacts facts() const override {
    FlowFacts f;
    f.app = "dhcpv6";
    f.encrypted = false;
    return f;
  }

 private:
  MessageSink& sink_;
  int bad_streak_[2] = {0, 0};
};

int probe(Direction, Bytes first, uint16_t port) {
  if (!looks_dhcpv6(first)) return 0;
  return 65 + (port == 546 || port == 547 ? 25 : 0);
}

std::unique_ptr<proto::Session> make(MessageSink& sink) { return std::make_unique<Session>(sink); }

}  // namespace

const Parser& v6_parser() {
  static const Parser kParser{"dhcpv6", Transport::kDatagram, probe, make};
  return kParser;
}

}  // namespace ph::proto::dhcp
