// RADIUS datagram decoding (see radius.h): the header, the attributes that
// name a subscriber or a device, vendor-specific attributes, and the
// EAP-Message reassembled from its pieces.
#include "proto/radius/radius.h"

#include <cstdio>
#include <string>

#include "proto/eap/eap.h"

namespace ph::proto::radius {
namespace {

constexpr size_t kHeader = 20;       // code, id, length, authenticator
constexpr size_t kMaxLength = 4096;  // RFC 2865 3
constexpr size_t kMaxFields = 256;
// A flow none of whose datagrams in a row parses is not RADIUS any more.
constexpr int kMaxBadStreak = 16;

enum Attr : uint8_t {
  kUserName = 1,
  kUserPassword = 2,
  kNasIp = 4,
  kFramedIp = 8,
  kVendorSpecific = 26,
  kCalledStationId = 30,
  kCallingStationId = 31,
  kNasIdentifier = 32,
  kAcctSessionId = 44,
  kEapMessage = 79,
};

std::string_view code_name(uint8_t code) {
  switch (code) {
    case 1:
      return "access-request";
    case 2:
      return "access-accept";
    case 3:
      return "access-reject";
    case 4:
      return "accounting-request";
    case 5:
      return "accounting-response";
    case 11:
      return "access-challenge";
    case 12:
      return "status-server";
    case 13:
      return "status-client";
    case 40:
      return "disconnect-request";
    case 41:
      return "disconnect-ack";
    case 42:
      return "disconnect-nak";
    case 43:
      return "coa-request";
    case 44:
      return "coa-ack";
    case 45:
      return "coa-nak";
    default:
      return {};
  }
}

// True when the attributes tile `attrs` exactly (each at least 2 bytes).
bool attributes_tile(Bytes attrs) {
  size_t pos = 0;
  while (pos < attrs.size()) {
    if (attrs.size() - pos < 2 || attrs[pos + 1] < 2 || attrs[pos + 1] > attrs.size() - pos)
      return false;
    pos += attrs[pos + 1];
  }
  return true;
}

std::string dotted(Bytes v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", v[0], v[1], v[2], v[3]);
  return buf;
}

std::string hex(Bytes v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(v.size() * 2);
  for (uint8_t b : v) {
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

class Session final : public proto::Session {
 public:
  explicit Session(MessageSink& sink) : sink_(sink) {}

  Consumed on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    if (datagram(dir, data, ts, frame)) {
      bad_streak_ = 0;
    } else if (++bad_streak_ >= kMaxBadStreak) {
      return {data.size(), Status::kMalformed};
    }
    return {data.size(), Status::kOk};
  }

  FlowFacts facts() const override { return {"radius", false, {}, {}}; }

 private:
  // False when nothing could be read from the datagram.
  bool datagram(Direction dir, Bytes data, Timestamp ts, uint64_t frame) {
    if (data.size() < kHeader) {
      sink_.on_anomaly("radius.short");
      return false;
    }
    std::string_view name = code_name(data[0]);
    if (name.empty()) {
      sink_.on_anomaly("radius.bad-code");
      return false;
    }
    size_t length = load_be16(&data[2]);
    if (length < kHeader || length > kMaxLength) {
      sink_.on_anomaly("radius.bad-length");
      return false;
    }
    if (length > data.size()) {
      // Cut short (by the capture or on the way): read what is there.
      sink_.on_anomaly("radius.bad-length");
      length = data.size();
    }
    Message m;
    m.protocol = "radius";
    m.kind = std::string(name);
    m.dir = dir;
    m.ts = ts;
    m.frame = frame;
    m.add("radius.code", std::string(name));
    eap_.clear();
    bool has_eap = false;
    Bytes attrs = data.subspan(kHeader, length - kHeader);
    size_t pos = 0;
    while (pos < attrs.size()) {
      if (attrs.size() - pos < 2 || attrs[pos + 1] < 2 || attrs[pos + 1] > attrs.size() - pos) {
        sink_.on_anomaly("radius.bad-attribute");
        break;
      }
      const uint8_t type = attrs[pos];
      Bytes value = attrs.subspan(pos + 2, attrs[pos + 1] - 2);
      pos += attrs[pos + 1];
      if (type == kEapMessage) {
        eap_.append(as_string(value));
        has_eap = true;
        continue;
      }
      if (m.fields.size() >= kMaxFields) {
        sink_.on_anomaly("radius.too-many-fields");
        break;
      }
      attribute(type, value, m);
    }
    if (has_eap) eap::parse(as_bytes(eap_), m, sink_);
    sink_.on_message(std::move(m));
    return true;
  }

  void attribute(uint8_t type, Bytes value, Message& m) {
    switch (type) {
      case kUserName: {
        m.add("radius.user_name", std::string(as_string(value)));
        std::string_view imsi = eap::imsi_from_nai(as_string(value));
        if (!imsi.empty()) m.add("radius.imsi", std::string(imsi));
        break;
      }
      case kUserPassword:
        if (!m.find("radius.user_password_present")) m.add("radius.user_password_present", "1");
        break;
      case kNasIp:
      case kFramedIp:
        if (value.size() != 4) {
          sink_.on_anomaly("radius.bad-attribute");
          break;
        }
        m.add(type == kNasIp ? "radius.nas_ip" : "radius.framed_ip", dotted(value));
        break;
      case kCalledStationId:
        m.add("radius.called_station_id", std::string(as_string(value)));
        break;
      case kCallingStationId:
        m.add("radius.calling_station_id", std::string(as_string(value)));
        break;
      case kNasIdentifier:
        m.add("radius.nas_identifier", std::string(as_string(value)));
        break;
      case kAcctSessionId:
        m.add("radius.acct_session_id", std::string(as_string(value)));
        break;
      case kVendorSpecific:
        vendor(value, m);
        break;
      default:
        break;
    }
  }

  // Vendor-Specific: a 4-byte vendor id, then (usually) sub-attributes of
  // (type, length, value) as RFC 2865 5.26 suggests; some vendors use
  // other layouts, which are kept whole.
  void vendor(Bytes value, Message& m) {
    if (value.size() < 4) {
      sink_.on_anomaly("radius.bad-attribute");
      return;
    }
    const std::string id = "vendor:" + std::to_string(load_be32(value.data()));
    Bytes rest = value.subspan(4);
    if (rest.empty() || !attributes_tile(rest)) {
      m.add("radius.vendor", hex(rest), id);
      return;
    }
    for (size_t pos = 0; pos < rest.size(); pos += rest[pos + 1]) {
      if (m.fields.size() >= kMaxFields) {
        sink_.on_anomaly("radius.too-many-fields");
        return;
      }
      m.add("radius.vendor", hex(rest.subspan(pos + 2, rest[pos + 1] - 2)),
            id + "/" + std::to_string(rest[pos]));
    }
  }

  MessageSink& sink_;
  std::string eap_;  // EAP-Message pieces of the current datagram (reused)
  int bad_streak_ = 0;
};

int probe(Direction, Bytes first, uint16_t server_port) {
  if (first.size() < kHeader || code_name(first[0]).empty()) return 0;
  if (load_be16(&first[2]) != first.size() || first.size() > kMaxLength) return 0;
  Bytes attrs = first.subspan(kHeader);
  if (!attributes_tile(attrs)) return 0;
  const bool port = server_port == 1812 || server_port == 1813 || server_port == 1645 ||
                    server_port == 1646 || server_port == 3799;
  // Without attributes only the code and the length say RADIUS: weak.
  int score = attrs.empty() ? 20 : 60;
  return port ? score + 30 : score;
}

std::unique_ptr<proto::Session> make(MessageSink& sink) { return std::make_unique<Session>(sink); }

}  // namespace

const Parser& parser() {
  static const Parser p{"radius", Transport::kDatagram, probe, make};
  return p;
}

}  // namespace ph::proto::radius
