// DHCPv4 decoding (see dhcp.h): the BOOTP header, the option regions
// (options, then file and sname when option 52 overloads them), RFC 3396
// concatenation of repeated options, the fields worth keeping, the probe
// and the datagram session.
#include "proto/dhcp/dhcp.h"

#include <array>
#include <bitset>
#include <string>
#include <string_view>

#include "model/ip.h"
#include "proto/dhcp/text.h"

namespace ph::proto::dhcp {
namespace {

using detail::hex;

constexpr size_t kSname = 44, kFile = 108, kCookie = 236, kOptions = 240;
constexpr uint32_t kMagic = 0x63825363;
constexpr size_t kMaxFields = 1024;
// A direction that never yields one DHCP message in this many datagrams is
// not DHCP: stop parsing it.
constexpr int kMaxBadStreak = 16;

const char* type_name(uint8_t t) {
  static constexpr std::array<const char*, 19> kNames = {nullptr,
                                                         "discover",
                                                         "offer",
                                                         "request",
                                                         "decline",
                                                         "ack",
                                                         "nak",
                                                         "release",
                                                         "inform",
                                                         "forcerenew",
                                                         "leasequery",
                                                         "leaseunassigned",
                                                         "leaseunknown",
                                                         "leaseactive",
                                                         "bulkleasequery",
                                                         "leasequerydone",
                                                         "activeleasequery",
                                                         "leasequerystatus",
                                                         "tls"};
  return t < kNames.size() ? kNames[t] : nullptr;
}

// True when `b` starts like a DHCP message: BOOTP op, a plausible hardware
// type and length, and the magic cookie.
bool looks_dhcp(Bytes b) {
  if (b.size() < kOptions) return false;
  if (b[0] != 1 && b[0] != 2) return false;
  if (b[1] == 0 || b[2] > 16) return false;  // hlen: chaddr holds at most 16 bytes
  return load_be32(b.data() + kCookie) == kMagic;
}

// One option occurrence: where its value lies in the message.
struct Segment {
  uint8_t code;
  uint8_t len;
  uint16_t at;
};

class Decoder {
 public:
  Decoder(Bytes msg, MessageSink& sink, Message& out) : msg_(msg), sink_(sink), out_(out) {}

  void run() {
    const uint8_t* h = msg_.data();
    bool end = scan(kOptions, msg_.size());
    uint8_t overload = 0;
    for (size_t i = 0; i < count_; ++i) {
      if (segments_[i].code == 52 && segments_[i].len == 1) overload = msg_[segments_[i].at];
    }
    // RFC 3396 7: the options field, then file, then sname.
    if (overload & 1) end = scan(kFile, kCookie) && end;
    if (overload & 2) end = scan(kSname, kFile) && end;
    if (!end) sink_.on_anomaly("dhcp.no-end");

    out_.protocol = "dhcp";
    out_.kind = h[0] == 1 ? "bootrequest" : "bootreply";
    for (size_t i = 0; i < count_; ++i) {
      if (segments_[i].code != 53) continue;
      const char* name = segments_[i].len == 1 ? type_name(msg_[segments_[i].at]) : nullptr;
      if (name) {
        out_.kind = name;
      } else {
        sink_.on_anomaly("dhcp.bad-message-type");
      }
      break;
    }

    uint8_t hlen = h[2];
    Bytes chaddr = msg_.subspan(28, hlen);
    bool zero = true;
    for (uint8_t c : chaddr) zero = zero && c == 0;
    if (!zero) add("dhcp.chaddr", hex(chaddr, ':'));
    address("dhcp.ciaddr", 12);
    address("dhcp.yiaddr", 16);

    std::bitset<256> seen;
    for (size_t i = 0; i < count_; ++i) {
      uint8_t code = segments_[i].code;
      if (seen[code]) continue;
      seen[code] = true;
      option(code, value(i));
    }
  }

 private:
  void add(const char* name, std::string value, std::string key = {}) {
    if (out_.fields.size() >= kMaxFields) {
      if (!fields_capped_) sink_.on_anomaly("dhcp.too-many-fields");
      fields_capped_ = true;
      return;
    }
    out_.add(name, std::move(value), std::move(key));
  }

  void address(const char* name, size_t at) {
    if (load_be32(msg_.data() + at) != 0) add(name, IpAddr::v4(msg_.data() + at).to_string());
  }

  // Records the options of msg_[begin, end). False when the region has no
  // end option (or is cut short, which is reported).
  bool scan(size_t begin, size_t end) {
    size_t p = begin;
    while (p < end) {
      uint8_t code = msg_[p];
      if (code == 0) {
        ++p;
        continue;
      }
      if (code == 255) return true;
      if (p + 2 > end || p + 2 + msg_[p + 1] > end) {
        sink_.on_anomaly("dhcp.truncated-option");
        return true;  // reported once: not also a missing end
      }
      if (count_ == kMaxOptions) {
        sink_.on_anomaly("dhcp.too-many-options");
        return true;
      }
      segments_[count_++] = {code, msg_[p + 1], uint16_t(p + 2)};
      p += 2 + size_t(msg_[p + 1]);
    }
    return false;
  }

  // The value of the option whose first occurrence is segment `first`: its
  // bytes, or all its occurrences concatenated (RFC 3396).
  Bytes value(size_t first) {
    const Segment& s = segments_[first];
    size_t more = 0;
    for (size_t j = first + 1; j < count_; ++j) more += segments_[j].code == s.code;
    if (more == 0) return msg_.subspan(s.at, s.len);
    joined_.clear();
    for (size_t j = first; j < count_; ++j) {
      if (segments_[j].code != s.code) continue;
      joined_.append(reinterpret_cast<const char*>(msg_.data() + segments_[j].at),
                     segments_[j].len);
    }
    return as_bytes(joined_);
  }

  static std::string text(Bytes v) { return std::string(as_string(v)); }

  void option(uint8_t code, Bytes v) {
    switch (code) {
      case 53:
        if (v.size() == 1) {
          const char* name = type_name(v[0]);
          add("dhcp.message_type", name ? name : std::to_string(v[0]));
        }
        return;
      case 12:
        if (!v.empty()) add("dhcp.hostname", text(v));
        return;
      case 15:
        if (!v.empty()) add("dhcp.domain_name", text(v));
        return;
      case 60:
        if (!v.empty()) add("dhcp.vendor_class", text(v));
        return;
      case 50:
      case 54:
        if (v.size() != 4) {
          sink_.on_anomaly("dhcp.bad-option-length");
          return;
        }
        add(code == 50 ? "dhcp.requested_ip" : "dhcp.server_id", IpAddr::v4(v.data()).to_string());
        return;
      case 55: {
        std::string list;
        for (uint8_t c : v) {
          if (!list.empty()) list += ',';
          list += std::to_string(c);
        }
        if (!list.empty()) add("dhcp.param_request_list", std::move(list));
        return;
      }
      case 61:
        client_id(v);
        return;
      case 77:
        user_class(v);
        return;
      case 81:
        fqdn(v);
        return;
      case 82:
        relay_agent(v);
        return;
      default:
        return;
    }
  }

  void client_id(Bytes v) {
    if (v.empty()) return;
    add("dhcp.client_id", hex(v));
    if (v[0] == 1 && v.size() == 7) {
      add("dhcp.client_mac", hex(v.subspan(1), ':'));
    } else if (v[0] == 255 && v.size() > 5) {  // RFC 4361: IAID, then a DUID
      std::string mac = detail::duid_mac(v.subspan(5));
      if (!mac.empty()) add("dhcp.client_mac", std::move(mac));
    }
  }

  // RFC 3004: length-prefixed instances. Clients that send plain text are
  // common, so anything that is not exactly such a list is one value.
  void user_class(Bytes v) {
    if (v.empty()) return;
    size_t p = 0;
    bool list = true;
    while (p < v.size()) {
      if (v[p] == 0 || p + 1 + v[p] > v.size()) {
        list = false;
        break;
      }
      p += 1 + size_t(v[p]);
    }
    if (!list) {
      add("dhcp.user_class", text(v));
      return;
    }
    for (p = 0; p < v.size(); p += 1 + size_t(v[p]))
      add("dhcp.user_class", text(v.subspan(p + 1, v[p])));
  }

  // RFC 4702: flags, two obsolete rcodes, then the name: canonical wire
  // format when the E flag (0x04) is set, else ASCII.
  void fqdn(Bytes v) {
    if (v.size() < 3) {
      sink_.on_anomaly("dhcp.bad-fqdn");
      return;
    }
    Bytes name = v.subspan(3);
    if (name.empty()) return;
    if (!(v[0] & 0x04)) {
      add("dhcp.fqdn", text(name));
      return;
    }
    std::string s;
    if (!detail::wire_name(name, s)) {
      sink_.on_anomaly("dhcp.bad-fqdn");
      return;
    }
    if (!s.empty()) add("dhcp.fqdn", std::move(s));
  }

  // RFC 3046 sub-options (and RFC 3993's subscriber id, sub-option 6).
  void relay_agent(Bytes v) {
    size_t p = 0;
    while (p < v.size()) {
      if (p + 2 > v.size() || p + 2 + v[p + 1] > v.size()) {
        sink_.on_anomaly("dhcp.bad-relay-agent");
        return;
      }
      uint8_t sub = v[p];
      Bytes data = v.subspan(p + 2, v[p + 1]);
      p += 2 + data.size();
      std::string key = sub == 1   ? "circuit_id"
                        : sub == 2 ? "remote_id"
                        : sub == 6 ? "subscriber_id"
                                   : std::to_string(sub);
      add("dhcp.relay_agent", text(data), std::move(key));
    }
  }

  Bytes msg_;
  MessageSink& sink_;
  Message& out_;
  std::array<Segment, kMaxOptions> segments_;
  size_t count_ = 0;
  std::string joined_;
  bool fields_capped_ = false;
};

class Session final : public proto::Session {
 public:
  explicit Session(MessageSink& sink) : sink_(sink) {}

  Consumed on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    int& streak = bad_streak_[index(dir)];
    if (!looks_dhcp(data)) {
      sink_.on_anomaly(data.size() < kOptions ? "dhcp.short" : "dhcp.not-dhcp");
      if (streak >= 0 && ++streak >= kMaxBadStreak) return {data.size(), Status::kMalformed};
      return {data.size(), Status::kOk};
    }
    streak = -1;  // this direction has carried DHCP: never give up on it
    Message m;
    m.dir = dir;
    m.ts = ts;
    m.frame = frame;
    Decoder(data, sink_, m).run();
    sink_.on_message(std::move(m));
    return {data.size(), Status::kOk};
  }

  FlowFacts facts() const override {
    FlowFacts f;
    f.app = "dhcp";
    f.encrypted = false;
    return f;
  }

 private:
  MessageSink& sink_;
  int bad_streak_[2] = {0, 0};
};

int probe(Direction, Bytes first, uint16_t port) {
  if (!looks_dhcp(first)) return 0;
  return 75 + (port == 67 || port == 68 ? 20 : 0);
}

std::unique_ptr<proto::Session> make(MessageSink& sink) { return std::make_unique<Session>(sink); }

}  // namespace

const Parser& parser() {
  static const Parser kParser{"dhcp", Transport::kDatagram, probe, make};
  return kParser;
}

}  // namespace ph::proto::dhcp
