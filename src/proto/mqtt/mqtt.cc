// MQTT framing, packet decoding, v5 properties and topic aliases, and the
// probe (see mqtt.h). Packets are parsed in place from the bytes the Feeder
// presents: an incomplete packet is left unconsumed (kNeedMore) until it is
// whole, or until its first kMaxPacket bytes are there; the rest of an
// oversized packet is skipped as it streams by, so nothing is buffered here.
#include "proto/mqtt/mqtt.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

namespace ph::proto::mqtt {
namespace {

constexpr size_t kMaxPacket = 128 * 1024;
constexpr size_t kMaxFields = 256;
constexpr size_t kMaxAliases = 1024;

enum Type : uint8_t {
  kConnect = 1,
  kConnack = 2,
  kPublish = 3,
  kPuback = 4,
  kPubrec = 5,
  kPubrel = 6,
  kPubcomp = 7,
  kSubscribe = 8,
  kSuback = 9,
  kUnsubscribe = 10,
  kUnsuback = 11,
  kPingreq = 12,
  kPingresp = 13,
  kDisconnect = 14,
  kAuth = 15,
};

// MQTT 5 property identifiers we read (the others are skipped by type).
enum Prop : uint8_t {
  kContentType = 0x03,
  kAssignedClientId = 0x12,
  kTopicAlias = 0x23,
  kUserProperty = 0x26,
};

// The fixed flags each packet type must carry (PUBLISH's are its own).
bool flags_valid(uint8_t type, uint8_t flags) {
  switch (type) {
    case 0:
      return false;
    case kPublish:
      return ((flags >> 1) & 3) != 3;
    case kPubrel:
    case kSubscribe:
    case kUnsubscribe:
      return flags == 2;
    default:
      return flags == 0;
  }
}

enum class Framing : uint8_t { kOk, kNeedMore, kBad };

// The fixed header at the start of `b`: byte 0 and the Remaining Length
// (a variable byte integer of at most 4 bytes).
Framing fixed_header(Bytes b, size_t& header_len, uint32_t& remaining) {
  if (b.empty()) return Framing::kNeedMore;
  if (!flags_valid(b[0] >> 4, b[0] & 15)) return Framing::kBad;
  uint32_t value = 0;
  for (size_t i = 1; i <= 4; ++i) {
    if (i >= b.size()) return Framing::kNeedMore;
    value |= uint32_t(b[i] & 0x7F) << (7 * (i - 1));
    if ((b[i] & 0x80) == 0) {
      header_len = i + 1;
      remaining = value;
      return Framing::kOk;
    }
  }
  return Framing::kBad;
}

bool varint(ByteReader& r, uint32_t& value) {
  value = 0;
  for (int i = 0; i < 4; ++i) {
    uint8_t b;
    if (!r.u8(b)) return false;
    value |= uint32_t(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// A 2-byte length followed by that many bytes (UTF-8 strings and binary
// data alike: values are kept as bytes seen).
bool lstring(ByteReader& r, std::string_view& out) {
  uint16_t len;
  Bytes b;
  if (!r.be16(len) || !r.take(len, b)) return false;
  out = as_string(b);
  return true;
}

// What a v5 property list says that we use.
struct Props {
  std::string_view content_type;
  std::string_view assigned_client_id;
  uint16_t topic_alias = 0;
  bool has_topic_alias = false;
  std::vector<std::pair<std::string_view, std::string_view>>* user = nullptr;
};

// Reads a property list (its length, then properties); false when damaged.
bool properties(ByteReader& r, Props& p) {
  uint32_t len;
  Bytes block;
  if (!varint(r, len) || !r.take(len, block)) return false;
  ByteReader pr(block);
  while (!pr.empty()) {
    uint32_t id;
    if (!varint(pr, id)) return false;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    std::string_view s, s2;
    switch (id) {
      case 0x01:  // payload format indicator
      case 0x17:  // request problem information
      case 0x19:  // request response information
      case 0x24:  // maximum QoS
      case 0x25:  // retain available
      case 0x28:  // wildcard subscription available
      case 0x29:  // subscription identifier available
      case 0x2A:  // shared subscription available
        if (!pr.u8(u8)) return false;
        break;
      case 0x13:  // server keep alive
      case 0x21:  // receive maximum
      case 0x22:  // topic alias maximum
        if (!pr.be16(u16)) return false;
        break;
      case kTopicAlias:
        if (!pr.be16(p.topic_alias)) return false;
        p.has_topic_alias = true;
        break;
      case 0x02:  // message expiry interval
      case 0x11:  // session expiry interval
      case 0x18:  // will delay interval
      case 0x27:  // maximum packet size
        if (!pr.be32(u32)) return false;
        break;
      case 0x0B:  // subscription identifier
        if (!varint(pr, u32)) return false;
        break;
      case kContentType:
        if (!lstring(pr, p.content_type)) return false;
        break;
      case kAssignedClientId:
        if (!lstring(pr, p.assigned_client_id)) return false;
        break;
      case 0x08:  // response topic
      case 0x09:  // correlation data
      case 0x15:  // authentication method
      case 0x16:  // authentication data
      case 0x1A:  // response information
      case 0x1C:  // server reference
      case 0x1F:  // reason string
        if (!lstring(pr, s)) return false;
        break;
      case kUserProperty:
        if (!lstring(pr, s) || !lstring(pr, s2)) return false;
        if (p.user) p.user->emplace_back(s, s2);
        break;
      default:
        return false;  // unknown: its size is unknown, the rest cannot be read
    }
  }
  return true;
}

class Session final : public proto::Session {
 public:
  explicit Session(MessageSink& sink) : sink_(sink) {}

  Consumed on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    const int d = index(dir);
    partial_total_[d] = 0;
    partial_have_[d] = 0;
    if (lost_[d]) return {0, lost_[1 - d] ? Status::kDone : Status::kMalformed};
    size_t pos = skip(d, data.size());
    while (pos < data.size()) {
      Bytes rest = data.subspan(pos);
      size_t header_len = 0;
      uint32_t remaining = 0;
      Framing f = fixed_header(rest, header_len, remaining);
      if (f == Framing::kNeedMore) {
        partial_have_[d] = rest.size();
        return {pos, Status::kNeedMore};
      }
      if (f == Framing::kBad) {
        sink_.on_anomaly("mqtt.bad-header");
        lost_[d] = true;
        return {pos, lost_[1 - d] ? Status::kDone : Status::kMalformed};
      }
      const uint64_t total = uint64_t(header_len) + remaining;
      const size_t want = total > kMaxPacket ? kMaxPacket : size_t(total);
      if (rest.size() < want) {
        partial_total_[d] = total;
        partial_have_[d] = rest.size();
        return {pos, Status::kNeedMore};
      }
      Bytes body = rest.subspan(header_len, want - header_len);
      packet(dir, rest[0], body, total > kMaxPacket, ts, frame);
      pos += want;
      if (total > want) {
        skip_[d] = total - want;
        pos += skip(d, data.size() - pos);
      }
    }
    return {pos, Status::kOk};
  }

  void on_gap(Direction dir, uint64_t length) override {
    const int d = index(dir);
    if (lost_[d]) return;
    if (skip_[d] >= length) {
      skip_[d] -= length;  // inside the cut part of an oversized packet
      return;
    }
    if (partial_total_[d] > 0 && partial_total_[d] - partial_have_[d] >= length) {
      // The hole is inside one packet of known length: that packet is lost,
      // the next one starts where it was going to.
      sink_.on_anomaly("mqtt.gap-in-packet");
      skip_[d] = partial_total_[d] - partial_have_[d] - length;
      partial_total_[d] = partial_have_[d] = 0;
      return;
    }
    // MQTT has no resynchronisation marker: after a hole across packet
    // boundaries the direction cannot be framed again.
    sink_.on_anomaly("mqtt.gap");
    lost_[d] = true;
  }

  FlowFacts facts() const override { return {"mqtt", false, {}, {}}; }

 private:
  // Consumes up to `available` bytes of an oversized packet's cut part.
  size_t skip(int d, size_t available) {
    const size_t n = skip_[d] < available ? size_t(skip_[d]) : available;
    skip_[d] -= n;
    return n;
  }

  Message start(Direction dir, const char* kind, Timestamp ts, uint64_t frame) {
    full_ = false;
    Message m;
    m.protocol = "mqtt";
    m.kind = kind;
    m.dir = dir;
    m.ts = ts;
    m.frame = frame;
    return m;
  }

  // Adds a field unless the message is full (reported once per message).
  void add(Message& m, const char* name, std::string_view value, std::string_view key = {}) {
    if (m.fields.size() >= kMaxFields) {
      if (!full_) sink_.on_anomaly("mqtt.too-many-fields");
      full_ = true;
      return;
    }
    m.add(name, std::string(value), std::string(key));
  }

  void emit(Message& m) { sink_.on_message(std::move(m)); }

  void add_user_properties(Message& m) {
    for (const auto& [k, v] : user_) add(m, "mqtt.user_property", v, k);
    user_.clear();
  }

  bool v5() const { return level_ >= 5; }

  void packet(Direction dir, uint8_t b0, Bytes body, bool cut, Timestamp ts, uint64_t frame) {
    const uint8_t type = b0 >> 4;
    if (cut && type != kPublish) {
      sink_.on_anomaly("mqtt.packet-too-big");
      return;
    }
    user_.clear();
    switch (type) {
      case kConnect:
        connect(dir, body, ts, frame);
        break;
      case kConnack:
        connack(dir, body, ts, frame);
        break;
      case kPublish:
        publish(dir, b0, body, cut, ts, frame);
        break;
      case kSubscribe:
      case kUnsubscribe:
        subscribe(dir, type == kSubscribe, body, ts, frame);
        break;
      default:
        break;
    }
  }

  void connect(Direction dir, Bytes body, Timestamp ts, uint64_t frame) {
    ByteReader r(body);
    std::string_view name;
    uint8_t level, flags;
    uint16_t keep_alive;
    if (!lstring(r, name) || !r.u8(level) || !r.u8(flags) || !r.be16(keep_alive) ||
        !((name == "MQTT" && (level == 4 || level == 5)) || (name == "MQIsdp" && level == 3))) {
      sink_.on_anomaly("mqtt.bad-connect");
      return;
    }
    level_ = level;
    connect_seen_ = true;
    Message m = start(dir, "connect", ts, frame);
    add(m, "mqtt.protocol_level", std::to_string(level));
    add(m, "mqtt.keep_alive", std::to_string(keep_alive));
    bool ok = true;
    Props p;
    p.user = &user_;
    if (v5()) ok = properties(r, p);
    std::string_view client_id, will_topic, will_payload, username, password;
    ok = ok && lstring(r, client_id);
    if (ok && !client_id.empty()) add(m, "mqtt.client_id", client_id);
    if (ok && (flags & 0x04)) {
      Props wp;
      wp.user = &user_;
      ok = (!v5() || properties(r, wp)) && lstring(r, will_topic) && lstring(r, will_payload);
      if (ok) {
        add(m, "mqtt.will_topic", will_topic);
        m.body.assign(will_payload);
        m.content_type.assign(wp.content_type);
      }
    }
    if (ok && (flags & 0x80)) {
      ok = lstring(r, username);
      if (ok) add(m, "mqtt.username", username);
    }
    if (ok && (flags & 0x40)) {
      ok = lstring(r, password);
      if (ok) add(m, "mqtt.password", password);
    }
    add_user_properties(m);
    if (!ok || (flags & 0x01) || ((flags >> 3) & 3) == 3) sink_.on_anomaly("mqtt.bad-connect");
    emit(m);
  }

  void connack(Direction dir, Bytes body, Timestamp ts, uint64_t frame) {
    // Without the CONNECT (a capture started later), a CONNACK longer than
    // the two bytes of 3.1.1 says MQTT 5.
    if (!connect_seen_ && body.size() > 2) level_ = 5;
    ByteReader r(body);
    uint8_t ack_flags, code;
    if (!r.u8(ack_flags) || !r.u8(code)) {
      sink_.on_anomaly("mqtt.bad-connack");
      return;
    }
    Message m = start(dir, "connack", ts, frame);
    add(m, "mqtt.return_code", std::to_string(code));
    Props p;
    p.user = &user_;
    if (v5() && !r.empty()) {
      if (!properties(r, p)) sink_.on_anomaly("mqtt.bad-connack");
    }
    if (!p.assigned_client_id.empty()) add(m, "mqtt.assigned_client_id", p.assigned_client_id);
    add_user_properties(m);
    emit(m);
  }

  void publish(Direction dir, uint8_t b0, Bytes body, bool cut, Timestamp ts, uint64_t frame) {
    const uint8_t qos = (b0 >> 1) & 3;
    ByteReader r(body);
    std::string_view topic;
    uint16_t packet_id;
    Props p;
    p.user = &user_;
    if (!lstring(r, topic) || (qos > 0 && !r.be16(packet_id)) || (v5() && !properties(r, p))) {
      sink_.on_anomaly("mqtt.bad-publish");
      return;
    }
    std::string resolved;
    if (p.has_topic_alias) {
      if (!alias(index(dir), p.topic_alias, topic, resolved)) return;
      topic = resolved;
    }
    Message m = start(dir, "publish", ts, frame);
    if (!topic.empty()) add(m, "mqtt.topic", topic);
    add(m, "mqtt.qos", std::to_string(qos));
    add(m, "mqtt.retain", (b0 & 1) ? "1" : "0");
    add_user_properties(m);
    m.body.assign(as_string(r.rest()));
    m.content_type.assign(p.content_type);
    if (cut) {
      m.body_truncated = true;
      sink_.on_anomaly("mqtt.body-truncated");
    }
    emit(m);
  }

  // MQTT 5 topic aliases (3.3.2.3.4): a PUBLISH with a topic and an alias
  // sets the alias for its direction; one with an empty topic uses it.
  bool alias(int d, uint16_t id, std::string_view topic, std::string& out) {
    if (id == 0) {
      sink_.on_anomaly("mqtt.bad-publish");
      return false;
    }
    auto& map = aliases_[d];
    if (!topic.empty()) {
      auto it = map.find(id);
      if (it != map.end()) {
        it->second.assign(topic);
      } else if (map.size() < kMaxAliases) {
        map.emplace(id, std::string(topic));
      } else {
        sink_.on_anomaly("mqtt.too-many-aliases");
      }
      out.assign(topic);
      return true;
    }
    auto it = map.find(id);
    if (it == map.end()) {
      sink_.on_anomaly("mqtt.unknown-alias");
      out.clear();
      return true;  // the payload still counts, without a topic
    }
    out = it->second;
    return true;
  }

  void subscribe(Direction dir, bool sub, Bytes body, Timestamp ts, uint64_t frame) {
    const char* bad = sub ? "mqtt.bad-subscribe" : "mqtt.bad-unsubscribe";
    ByteReader r(body);
    uint16_t packet_id;
    Props p;
    p.user = &user_;
    if (!r.be16(packet_id) || (v5() && !properties(r, p))) {
      sink_.on_anomaly(bad);
      return;
    }
    Message m = start(dir, sub ? "subscribe" : "unsubscribe", ts, frame);
    bool ok = !r.empty();  // at least one filter (3.8.3, 3.10.3)
    while (ok && !r.empty()) {
      std::string_view filter;
      uint8_t options;
      ok = lstring(r, filter) && (!sub || r.u8(options));
      if (ok) add(m, "mqtt.topic_filter", filter);
    }
    add_user_properties(m);
    if (!ok) sink_.on_anomaly(bad);
    emit(m);
  }

  MessageSink& sink_;
  uint8_t level_ = 4;  // until a CONNECT says otherwise
  bool connect_seen_ = false;
  bool full_ = false;  // the current message hit kMaxFields
  bool lost_[2] = {false, false};
  uint64_t skip_[2] = {0, 0};           // bytes of an oversized packet still to pass
  uint64_t partial_total_[2] = {0, 0};  // the incomplete packet left unconsumed
  uint64_t partial_have_[2] = {0, 0};
  std::unordered_map<uint16_t, std::string> aliases_[2];
  std::vector<std::pair<std::string_view, std::string_view>> user_;  // reused
};

bool connect_start(Bytes b) {
  size_t header_len;
  uint32_t remaining;
  if (b.empty() || b[0] != 0x10 || fixed_header(b, header_len, remaining) != Framing::kOk)
    return false;
  Bytes v = b.subspan(header_len);
  static constexpr uint8_t kMqtt[] = {0, 4, 'M', 'Q', 'T', 'T'};
  static constexpr uint8_t kMqisdp[] = {0, 6, 'M', 'Q', 'I', 's', 'd', 'p'};
  if (v.size() >= 8 && std::equal(kMqtt, kMqtt + 6, v.begin()))
    return (v[6] == 4 || v[6] == 5) && (v[7] & 1) == 0 && remaining >= 12;
  if (v.size() >= 10 && std::equal(kMqisdp, kMqisdp + 8, v.begin()))
    return v[8] == 3 && (v[9] & 1) == 0 && remaining >= 14;
  return false;
}

// First bytes that are exactly a run of well-formed packets (a connection
// seen from its middle). A 512-byte probe window may end inside a packet.
bool packet_run(Bytes b) {
  size_t pos = 0;
  int packets = 0;
  while (pos < b.size()) {
    Bytes rest = b.subspan(pos);
    size_t header_len;
    uint32_t remaining;
    if (fixed_header(rest, header_len, remaining) != Framing::kOk) return false;
    const uint8_t type = rest[0] >> 4;
    Bytes body = rest.subspan(header_len, std::min<size_t>(remaining, rest.size() - header_len));
    const bool whole = body.size() == remaining;
    if (!whole && b.size() < 512) return false;
    switch (type) {
      case kConnect:
        return false;  // connect_start() judges those
      case kPingreq:
      case kPingresp:
        if (remaining != 0) return false;
        break;
      case kConnack:
      case kPuback:
      case kPubrec:
      case kPubrel:
      case kPubcomp:
      case kUnsuback:
        if (remaining < 2 || (type == kConnack && !body.empty() && body[0] > 1)) return false;
        break;
      case kPublish: {
        if (body.size() < 2) return false;
        const size_t len = load_be16(body.data());
        if (len == 0 || len + 2 > remaining) return false;
        for (size_t i = 2; i < std::min(body.size(), len + 2); ++i)
          if (body[i] < 0x20 || body[i] == 0x7F || body[i] == '+' || body[i] == '#') return false;
        break;
      }
      case kSubscribe:
      case kSuback:
      case kUnsubscribe:
        if (remaining < 3) return false;
        break;
      default:
        break;
    }
    ++packets;
    pos += header_len + remaining;
  }
  return packets > 0;
}

int probe(Direction, Bytes first, uint16_t server_port) {
  const bool port = server_port == 1883;
  if (connect_start(first)) return port ? 95 : 90;
  if (packet_run(first)) return port ? 40 : 10;
  return 0;
}

std::unique_ptr<proto::Session> make(MessageSink& sink) { return std::make_unique<Session>(sink); }

}  // namespace

const Parser& parser() {
  static const Parser p{"mqtt", Transport::kStream, probe, make};
  return p;
}

}  // namespace ph::proto::mqtt
