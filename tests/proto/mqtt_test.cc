// MQTT parser tests: control packets built byte by byte here (3.1, 3.1.1
// and 5, with generated client ids, credentials and topics), the chunking
// harness over whole exchanges (whole, byte by byte, random chunks, gaps),
// oversized packets, malformed and truncated input, limits, the probe, and
// the tshark oracle on the real captures.
#include "proto/mqtt/mqtt.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "fixture/payloads.h"
#include "proto/capture_walk.h"
#include "proto/chunking.h"
#include "support/support.h"

namespace ph::proto::test {
namespace {

// ---- a small MQTT writer ------------------------------------------------------

std::string varint(uint32_t v) {
  std::string s;
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if (v) b |= 0x80;
    s += char(b);
  } while (v);
  return s;
}
std::string u16(uint16_t v) { return {char(v >> 8), char(v & 0xFF)}; }
std::string str(std::string_view s) { return u16(uint16_t(s.size())) + std::string(s); }
std::string packet(uint8_t byte0, const std::string& body) {
  return char(byte0) + varint(uint32_t(body.size())) + body;
}
std::string props(const std::string& p) { return varint(uint32_t(p.size())) + p; }
std::string user_prop(std::string_view k, std::string_view v) { return "\x26" + str(k) + str(v); }

struct Connect {
  std::string name = "MQTT";
  uint8_t level = 4;
  std::string client_id, username, password, will_topic, will_payload;
  bool user = false, pass = false, will = false;
  uint16_t keep_alive = 60;
  std::string properties, will_properties;  // v5, without their length
};

std::string connect(const Connect& c) {
  uint8_t flags = 0x02;  // clean session
  if (c.user) flags |= 0x80;
  if (c.pass) flags |= 0x40;
  if (c.will) flags |= 0x04 | 0x08;  // will QoS 1
  std::string b = str(c.name) + char(c.level) + char(flags) + u16(c.keep_alive);
  if (c.level == 5) b += props(c.properties);
  b += str(c.client_id);
  if (c.will) {
    if (c.level == 5) b += props(c.will_properties);
    b += str(c.will_topic) + str(c.will_payload);
  }
  if (c.user) b += str(c.username);
  if (c.pass) b += str(c.password);
  return packet(0x10, b);
}
std::string connack(uint8_t code, bool v5 = false, const std::string& p = {}) {
  return packet(0x20, std::string(1, '\0') + char(code) + (v5 ? props(p) : ""));
}
std::string publish(std::string_view topic, std::string_view payload, uint8_t qos = 0,
                    bool retain = false, bool v5 = false, const std::string& p = {},
                    uint16_t id = 7) {
  std::string b = str(topic) + (qos ? u16(id) : "") + (v5 ? props(p) : "") + std::string(payload);
  return packet(uint8_t(0x30 | qos << 1 | (retain ? 1 : 0)), b);
}
std::string subscribe(const std::vector<std::string>& filters, bool v5 = false) {
  std::string b = u16(11) + (v5 ? props("") : "");
  for (const auto& f : filters) b += str(f) + char(1);
  return packet(0x82, b);
}
std::string unsubscribe(const std::vector<std::string>& filters, bool v5 = false) {
  std::string b = u16(12) + (v5 ? props("") : "");
  for (const auto& f : filters) b += str(f);
  return packet(0xA2, b);
}
const std::string kPingreq("\xC0\x00", 2);
const std::string kPingresp("\xD0\x00", 2);
const std::string kDisconnect("\xE0\x00", 2);

// Generated identities (fixture PRNG: deterministic, nobody's).
std::string gen_hex(fixture::Prng& rng, size_t n) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += kHex[rng.next() % 16];
  return s;
}

// ---- running ------------------------------------------------------------------

using V = std::vector<std::string>;

std::vector<std::string> values(const Message& m, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& f : m.fields)
    if (f.name == name) out.push_back(f.value);
  return out;
}
std::string value(const Message& m, std::string_view name, std::string_view key = {}) {
  const Field* f = m.find(name, key);
  return f ? f->value : "<none>";
}
std::vector<std::string> kinds(const Collected& c) {
  std::vector<std::string> out;
  for (const auto& m : c.messages) out.push_back(m.kind);
  return out;
}
bool has_anomaly(const Collected& c, std::string_view what) {
  return std::find(c.anomalies.begin(), c.anomalies.end(), what) != c.anomalies.end();
}

Collected run_whole(const std::vector<Piece>& pieces) {
  return run(mqtt::parser(), pieces, Chunking::kWhole);
}

// The harness: byte by byte and random chunks (several seeds) give the
// same messages and anomalies as whole pieces. Returns the whole run.
Collected same_every_way(const std::vector<Piece>& pieces) {
  Collected whole = run_whole(pieces);
  Collected bytes = run(mqtt::parser(), pieces, Chunking::kByteByByte);
  EXPECT_EQ(describe(bytes.messages), describe(whole.messages));
  EXPECT_EQ(bytes.anomalies, whole.anomalies);
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    Collected rnd = run(mqtt::parser(), pieces, Chunking::kRandom, seed);
    EXPECT_EQ(describe(rnd.messages), describe(whole.messages)) << "seed " << seed;
    EXPECT_EQ(rnd.anomalies, whole.anomalies) << "seed " << seed;
  }
  return whole;
}

// ---- CONNECT ------------------------------------------------------------------

TEST(Mqtt, Connect311WithEveryIdentity) {
  fixture::Prng rng(311);
  Connect c;
  c.client_id = "dev-" + gen_hex(rng, 12);
  c.username = "user" + gen_hex(rng, 4);
  c.password = "pw" + gen_hex(rng, 8);
  c.will_topic = "devices/" + c.client_id + "/status";
  c.will_payload = "offline";
  c.user = c.pass = c.will = true;
  c.keep_alive = 30;
  Collected r = same_every_way({{Direction::kUp, connect(c)}, {Direction::kDown, connack(0)}});
  ASSERT_EQ(kinds(r), (V{"connect", "connack"}));
  const Message& m = r.messages[0];
  EXPECT_EQ(m.protocol, "mqtt");
  EXPECT_EQ(m.dir, Direction::kUp);
  EXPECT_EQ(value(m, "mqtt.protocol_level"), "4");
  EXPECT_EQ(value(m, "mqtt.keep_alive"), "30");
  EXPECT_EQ(value(m, "mqtt.client_id"), c.client_id);
  EXPECT_EQ(value(m, "mqtt.username"), c.username);
  EXPECT_EQ(value(m, "mqtt.password"), c.password);
  EXPECT_EQ(value(m, "mqtt.will_topic"), c.will_topic);
  EXPECT_EQ(m.body, "offline");
  EXPECT_EQ(value(r.messages[1], "mqtt.return_code"), "0");
  EXPECT_EQ(r.messages[1].dir, Direction::kDown);
  EXPECT_TRUE(r.anomalies.empty()) << ::testing::PrintToString(r.anomalies);
}

TEST(Mqtt, Connect31MQIsdpWithoutOptionalParts) {
  Connect c;
  c.name = "MQIsdp";
  c.level = 3;
  c.client_id = "legacy-0042";
  c.username = "u";
  c.user = true;
  Collected r = same_every_way({{Direction::kUp, connect(c)}});
  ASSERT_EQ(r.messages.size(), 1u);
  const Message& m = r.messages[0];
  EXPECT_EQ(value(m, "mqtt.protocol_level"), "3");
  EXPECT_EQ(value(m, "mqtt.client_id"), "legacy-0042");
  EXPECT_EQ(value(m, "mqtt.username"), "u");
  EXPECT_EQ(m.find("mqtt.password"), nullptr);
  EXPECT_EQ(m.find("mqtt.will_topic"), nullptr);
  EXPECT_TRUE(m.body.empty());
  EXPECT_TRUE(r.anomalies.empty());
}

TEST(Mqtt, Connect5PropertiesAndWillProperties) {
  fixture::Prng rng(5);
  Connect c;
  c.level = 5;
  c.client_id = "cam-" + gen_hex(rng, 10);
  c.user = c.pass = c.will = true;
  c.username = "op";
  c.password = std::string("\x00\x01\xFFsecret", 9);       // binary data is allowed
  c.properties = std::string("\x11\x00\x00\x0E\x10", 5) +  // session expiry 3600
                 std::string("\x21\x00\x10", 3) +          // receive maximum 16
                 user_prop("serial", "SN" + gen_hex(rng, 8)) + user_prop("fw", "1.2.3");
  c.will_properties = std::string("\x18\x00\x00\x00\x05", 5) +  // will delay
                      "\x03" + str("application/json") + user_prop("why", "lwt");
  c.will_topic = "lwt/" + c.client_id;
  c.will_payload = "{\"online\":false}";
  const std::string ack_props = "\x12" + str("assigned-" + gen_hex(rng, 6)) +
                                std::string("\x22\x00\x0A", 3) + "\x1F" + str("welcome");
  Collected r = same_every_way(
      {{Direction::kUp, connect(c)}, {Direction::kDown, connack(0, true, ack_props)}});
  ASSERT_EQ(kinds(r), (V{"connect", "connack"}));
  const Message& m = r.messages[0];
  EXPECT_EQ(value(m, "mqtt.protocol_level"), "5");
  EXPECT_EQ(value(m, "mqtt.client_id"), c.client_id);
  EXPECT_EQ(value(m, "mqtt.password"), c.password);
  EXPECT_EQ(value(m, "mqtt.user_property", "serial").substr(0, 2), "SN");
  EXPECT_EQ(value(m, "mqtt.user_property", "fw"), "1.2.3");
  EXPECT_EQ(value(m, "mqtt.user_property", "why"), "lwt");
  EXPECT_EQ(value(m, "mqtt.will_topic"), c.will_topic);
  EXPECT_EQ(m.body, c.will_payload);
  EXPECT_EQ(m.content_type, "application/json");
  EXPECT_EQ(value(r.messages[1], "mqtt.assigned_client_id").substr(0, 9), "assigned-");
  EXPECT_TRUE(r.anomalies.empty()) << ::testing::PrintToString(r.anomalies);
}

TEST(Mqtt, ConnectWithBadProtocolNameIsSkipped) {
  Connect c;
  c.name = "MQTX";
  c.client_id = "x";
  Collected r = run_whole({{Direction::kUp, connect(c) + publish("a/b", "1")}});
  EXPECT_EQ(kinds(r), V{"publish"});  // framing kept
  EXPECT_TRUE(has_anomaly(r, "mqtt.bad-connect"));
}

// ---- PUBLISH / SUBSCRIBE ------------------------------------------------------

TEST(Mqtt, PublishBothDirectionsQosAndRetain) {
  fixture::Prng rng(9);
  const std::string id = gen_hex(rng, 12);
  Connect c;
  c.client_id = id;
  std::vector<Piece> pieces = {
      {Direction::kUp, connect(c)},
      {Direction::kDown, connack(0)},
      // Several packets in one segment, one of them QoS 1 and retained.
      {Direction::kUp, publish("sensors/" + id + "/temp", "21.5") +
                           publish("sensors/" + id + "/gps", "{\"lat\":1,\"lon\":2}", 1, true) +
                           kPingreq},
      {Direction::kDown, std::string("\x40\x02\x00\x07", 4) + kPingresp +
                             publish("cmd/" + id, "reboot", 2, false, false, {}, 99)},
      {Direction::kUp, kDisconnect},
  };
  Collected r = same_every_way(pieces);
  ASSERT_EQ(kinds(r), (V{"connect", "connack", "publish", "publish", "publish"}));
  const Message& a = r.messages[2];
  EXPECT_EQ(value(a, "mqtt.topic"), "sensors/" + id + "/temp");
  EXPECT_EQ(value(a, "mqtt.qos"), "0");
  EXPECT_EQ(value(a, "mqtt.retain"), "0");
  EXPECT_EQ(a.body, "21.5");
  const Message& b = r.messages[3];
  EXPECT_EQ(value(b, "mqtt.qos"), "1");
  EXPECT_EQ(value(b, "mqtt.retain"), "1");
  EXPECT_EQ(b.body, "{\"lat\":1,\"lon\":2}");
  const Message& d = r.messages[4];
  EXPECT_EQ(d.dir, Direction::kDown);
  EXPECT_EQ(value(d, "mqtt.topic"), "cmd/" + id);
  EXPECT_EQ(value(d, "mqtt.qos"), "2");
  EXPECT_EQ(d.body, "reboot");
  EXPECT_TRUE(r.anomalies.empty()) << ::testing::PrintToString(r.anomalies);
}

TEST(Mqtt, Publish5ContentTypeUserPropertiesAndTopicAliases) {
  Connect c;
  c.level = 5;
  c.client_id = "v5";
  const std::string alias1("\x23\x00\x01", 3);
  const std::string alias2("\x23\x00\x02", 3);
  std::vector<Piece> pieces = {
      {Direction::kUp, connect(c)},
      {Direction::kDown, connack(0, true)},
      {Direction::kUp, publish("telemetry/a", "{}", 1, false, true,
                               "\x03" + str("application/json") + alias1 + user_prop("k", "v"))},
      // The alias alone names the topic; the payload format indicator and
      // correlation data are read past.
      {Direction::kUp, publish("", "{\"x\":1}", 0, false, true,
                               std::string("\x01\x01", 2) + alias1 + "\x09" + str("corr"))},
      // The broker's aliases are its own: alias 1 downwards is unknown.
      {Direction::kDown, publish("", "?", 0, false, true, alias1)},
      {Direction::kDown, publish("down/topic", "d", 0, false, true, alias2)},
      {Direction::kDown, publish("", "e", 0, false, true, alias2)},
      {Direction::kUp, subscribe({"cmd/#", "cfg/+"}, true)},
      {Direction::kUp, unsubscribe({"cfg/+"}, true)},
  };
  Collected r = same_every_way(pieces);
  ASSERT_EQ(kinds(r), (V{"connect", "connack", "publish", "publish", "publish", "publish",
                         "publish", "subscribe", "unsubscribe"}));
  EXPECT_EQ(value(r.messages[2], "mqtt.topic"), "telemetry/a");
  EXPECT_EQ(r.messages[2].content_type, "application/json");
  EXPECT_EQ(value(r.messages[2], "mqtt.user_property", "k"), "v");
  EXPECT_EQ(value(r.messages[3], "mqtt.topic"), "telemetry/a");
  EXPECT_EQ(r.messages[3].body, "{\"x\":1}");
  EXPECT_EQ(r.messages[3].content_type, "");
  EXPECT_EQ(r.messages[4].find("mqtt.topic"), nullptr);
  EXPECT_EQ(r.messages[4].body, "?");
  EXPECT_EQ(value(r.messages[6], "mqtt.topic"), "down/topic");
  EXPECT_EQ(values(r.messages[7], "mqtt.topic_filter"), (V{"cmd/#", "cfg/+"}));
  EXPECT_EQ(values(r.messages[8], "mqtt.topic_filter"), V{"cfg/+"});
  EXPECT_EQ(r.anomalies, V{"mqtt.unknown-alias"});
}

TEST(Mqtt, Subscribe311AndMidStreamVersion5FromConnack) {
  Collected r =
      same_every_way({{Direction::kUp, subscribe({"a/b", "c/#"}) + unsubscribe({"a/b"})}});
  ASSERT_EQ(kinds(r), (V{"subscribe", "unsubscribe"}));
  EXPECT_EQ(values(r.messages[0], "mqtt.topic_filter"), (V{"a/b", "c/#"}));
  // Without the CONNECT, a long CONNACK says MQTT 5: the PUBLISH that
  // follows has properties.
  r = same_every_way({{Direction::kDown, connack(0, true, std::string("\x22\x00\x05", 3))},
                      {Direction::kDown, publish("t", "p", 0, false, true, "")}});
  ASSERT_EQ(kinds(r), (V{"connack", "publish"}));
  EXPECT_EQ(value(r.messages[1], "mqtt.topic"), "t");
  EXPECT_EQ(r.messages[1].body, "p");
  EXPECT_TRUE(r.anomalies.empty());
}

// ---- oversized packets, gaps ----------------------------------------------------

TEST(Mqtt, OversizedPublishIsCutAndTheFramingKept) {
  fixture::Prng rng(77);
  const std::string big = rng.bytes(200 * 1024);
  std::vector<Piece> pieces = {
      {Direction::kUp, publish("cam/snapshot", big, 1)},
      {Direction::kUp,
       publish("after", "ok") +
           subscribe({std::string(60000, 'f'), std::string(60000, 'g'), std::string(60000, 'h')})},
      {Direction::kUp, publish("last", "1")},
  };
  Collected r = run_whole(pieces);
  for (uint32_t seed : {1u, 2u}) {
    Collected rnd = run(mqtt::parser(), pieces, Chunking::kRandom, seed);
    EXPECT_EQ(describe(rnd.messages), describe(r.messages));
    EXPECT_EQ(rnd.anomalies, r.anomalies);
  }
  ASSERT_EQ(kinds(r), (V{"publish", "publish", "publish"}));
  const Message& m = r.messages[0];
  EXPECT_EQ(value(m, "mqtt.topic"), "cam/snapshot");
  EXPECT_TRUE(m.body_truncated);
  // 128 KiB of packet: fixed header (1 + 3 bytes), topic (2 + 12), id (2).
  EXPECT_EQ(m.body.size(), 128u * 1024 - 4 - 14 - 2);
  EXPECT_EQ(m.body, big.substr(0, m.body.size()));
  EXPECT_EQ(value(r.messages[1], "mqtt.topic"), "after");
  EXPECT_FALSE(r.messages[1].body_truncated);
  EXPECT_EQ(value(r.messages[2], "mqtt.topic"), "last");
  EXPECT_EQ(r.anomalies, (V{"mqtt.body-truncated", "mqtt.packet-too-big"}));
}

TEST(Mqtt, GapInsideAPacketLosesOnlyThatPacket) {
  const std::string lost = publish("lost/topic", std::string(300, 'x'));
  std::vector<Piece> pieces = {
      {Direction::kUp, publish("first", "1")},
      {Direction::kUp, lost.substr(0, 40)},
      {Direction::kUp, "", lost.size() - 40 - 100},
      {Direction::kUp, lost.substr(lost.size() - 100) + publish("second", "2")},
      {Direction::kDown, publish("down", "3")},
  };
  Collected r = same_every_way(pieces);
  ASSERT_EQ(kinds(r), (V{"publish", "publish", "publish"}));
  EXPECT_EQ(value(r.messages[1], "mqtt.topic"), "second");
  EXPECT_EQ(r.anomalies, V{"mqtt.gap-in-packet"});
}

TEST(Mqtt, GapInsideTheCutPartOfAnOversizedPacketKeepsTheFraming) {
  const std::string big = publish("big", std::string(140 * 1024, 'y'));
  std::vector<Piece> pieces = {
      {Direction::kUp, big.substr(0, 130 * 1024)},
      {Direction::kUp, "", 5 * 1024},
      {Direction::kUp, big.substr(135 * 1024) + publish("next", "n")},
  };
  Collected r = run_whole(pieces);
  EXPECT_EQ(describe(run(mqtt::parser(), pieces, Chunking::kRandom, 3).messages),
            describe(r.messages));
  ASSERT_EQ(kinds(r), (V{"publish", "publish"}));
  EXPECT_TRUE(r.messages[0].body_truncated);
  EXPECT_EQ(value(r.messages[1], "mqtt.topic"), "next");
  EXPECT_EQ(r.anomalies, V{"mqtt.body-truncated"});
}

TEST(Mqtt, GapAcrossPacketsDropsThatDirectionOnly) {
  std::vector<Piece> pieces = {
      {Direction::kUp, publish("a", "1")},
      {Direction::kUp, "", 10},
      {Direction::kUp, publish("b", "2")},  // cannot be told apart from mid-packet bytes
      {Direction::kDown, publish("c", "3")},
  };
  Collected r = same_every_way(pieces);
  ASSERT_EQ(kinds(r), (V{"publish", "publish"}));
  EXPECT_EQ(value(r.messages[1], "mqtt.topic"), "c");
  EXPECT_EQ(r.anomalies, V{"mqtt.gap"});
}

// ---- malformed input, truncation, limits -----------------------------------------

std::string client_stream() {
  Connect c;
  c.level = 5;
  c.client_id = "trunc-01";
  c.user = c.pass = c.will = true;
  c.username = "n";
  c.password = "p";
  c.will_topic = "w";
  c.will_payload = "x";
  c.properties = user_prop("a", "b");
  return connect(c) + publish("t/1", "payload", 1, false, true, "\x03" + str("text/plain")) +
         subscribe({"s/#"}, true) + unsubscribe({"s/#"}, true) + kPingreq;
}

TEST(Mqtt, EveryTruncationYieldsTheCompletePacketsOnly) {
  const std::string s = client_stream();
  // Where each packet ends.
  std::vector<size_t> ends;
  for (size_t pos = 0; pos < s.size();) {
    size_t len = 0, shift = 0, i = pos + 1;
    for (; uint8_t(s[i]) & 0x80; ++i, shift += 7) len |= size_t(uint8_t(s[i]) & 0x7F) << shift;
    len |= size_t(uint8_t(s[i])) << shift;
    pos = i + 1 + len;
    ends.push_back(pos);
  }
  ASSERT_EQ(ends.size(), 5u);
  for (size_t n = 0; n <= s.size(); ++n) {
    Collected r = run_whole({{Direction::kUp, s.substr(0, n)}});
    size_t complete =
        size_t(std::count_if(ends.begin(), ends.end(), [&](size_t e) { return e <= n; }));
    // The PINGREQ yields no message.
    EXPECT_EQ(r.messages.size(), std::min<size_t>(complete, 4)) << n;
    EXPECT_TRUE(r.anomalies.empty()) << n << ::testing::PrintToString(r.anomalies);
  }
}

TEST(Mqtt, DamagedInsidesAreReportedAndSkipped) {
  const std::string good = publish("ok", "1");
  struct Case {
    std::string bytes;
    const char* anomaly;
  };
  std::vector<Case> cases = {
      // topic length past the packet
      {packet(0x30, u16(50) + "short"), "mqtt.bad-publish"},
      // QoS 1 without a packet id
      {packet(0x32, str("t")), "mqtt.bad-publish"},
      // SUBSCRIBE without any filter, and with a filter missing its options
      {packet(0x82, u16(1)), "mqtt.bad-subscribe"},
      {packet(0x82, u16(1) + str("a")), "mqtt.bad-subscribe"},
      {packet(0xA2, u16(1) + std::string(1, '\0')), "mqtt.bad-unsubscribe"},
      // CONNECT cut inside its client id; CONNECT with a reserved flag
      {packet(0x10, str("MQTT") + std::string("\x04\x02\x00\x3C", 4) + u16(9) + "abc"),
       "mqtt.bad-connect"},
      {packet(0x10, str("MQTT") + std::string("\x04\x03\x00\x3C", 4) + str("id")),
       "mqtt.bad-connect"},
      {packet(0x20, "\x00"), "mqtt.bad-connack"},
  };
  for (const auto& c : cases) {
    Collected r = same_every_way({{Direction::kUp, c.bytes + good}});
    EXPECT_TRUE(has_anomaly(r, c.anomaly)) << c.anomaly;
    ASSERT_FALSE(r.messages.empty()) << c.anomaly;
    EXPECT_EQ(value(r.messages.back(), "mqtt.topic"), "ok") << c.anomaly;  // framing kept
  }
}

TEST(Mqtt, BadFixedHeaderDropsTheDirection) {
  for (const std::string& bad : {std::string("\x00\x00", 2),          // type 0
                                 std::string("\x60\x02\x00\x01", 4),  // PUBREL without its flags
                                 std::string("\x30\xFF\xFF\xFF\xFF\x01", 6)}) {  // 5-byte length
    Collected r = same_every_way({{Direction::kUp, publish("a", "1") + bad + publish("b", "2")},
                                  {Direction::kDown, publish("c", "3")}});
    ASSERT_EQ(kinds(r), (V{"publish", "publish"}));
    EXPECT_EQ(value(r.messages[1], "mqtt.topic"), "c");
    EXPECT_EQ(r.anomalies, V{"mqtt.bad-header"});
  }
}

TEST(Mqtt, FieldAndAliasLimits) {
  std::vector<std::string> filters;
  for (int i = 0; i < 300; ++i) filters.push_back("f/" + std::to_string(i));
  Collected r = run_whole({{Direction::kUp, subscribe(filters)}});
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].fields.size(), 256u);
  EXPECT_EQ(r.anomalies, V{"mqtt.too-many-fields"});

  Connect c;
  c.level = 5;
  c.client_id = "alias";
  std::string s = connect(c);
  for (int i = 1; i <= 1100; ++i)
    s += publish("t/" + std::to_string(i), "", 0, false, true,
                 std::string("\x23", 1) + u16(uint16_t(i)));
  s += publish("", "", 0, false, true, std::string("\x23", 1) + u16(5));
  s += publish("", "", 0, false, true, std::string("\x23", 1) + u16(1050));
  r = run_whole({{Direction::kUp, s}});
  ASSERT_EQ(r.messages.size(), 1103u);
  EXPECT_EQ(value(r.messages[1101], "mqtt.topic"), "t/5");
  EXPECT_EQ(r.messages[1102].find("mqtt.topic"), nullptr);
  EXPECT_EQ(std::count(r.anomalies.begin(), r.anomalies.end(), "mqtt.too-many-aliases"), 76);
  EXPECT_TRUE(has_anomaly(r, "mqtt.unknown-alias"));
}

TEST(Mqtt, ArbitraryBytesNeverCrash) {
  fixture::Prng rng(1234);
  const std::string base = client_stream();
  for (int i = 0; i < 300; ++i) {
    std::string s = base;
    for (int k = 0; k < 3; ++k) s[rng.next() % s.size()] = char(rng.next());
    Collected r = run(mqtt::parser(), {{Direction::kUp, s}, {Direction::kDown, s}},
                      Chunking::kRandom, uint32_t(i));
    for (const auto& m : r.messages) EXPECT_EQ(m.protocol, "mqtt");
  }
}

// ---- the probe ------------------------------------------------------------------

TEST(Mqtt, ProbeByContent) {
  const auto& p = mqtt::parser();
  Connect c;
  c.client_id = "probe";
  const std::string c311 = connect(c);
  c.level = 5;
  const std::string c5 = connect(c);
  c.name = "MQIsdp";
  c.level = 3;
  const std::string c31 = connect(c);
  // Content first: any port; 1883 only adds.
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(c311), 9999), 90);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(c5), 80), 90);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(c31), 1883), 95);
  // A CONNECT is recognised as soon as its protocol name and level are in.
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(c311.substr(0, 10)), 1234), 90);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(c311.substr(0, 7)), 1234), 0);
  // Wrong level for the name.
  std::string bad = c311;
  bad[8] = 3;
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(bad), 1883), 0);
  // Mid-connection: exactly a run of packets, low score.
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(kPingreq), 17501), 10);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(publish("a/b", "1") + kPingreq), 1883), 40);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(kPingreq + std::string(1, '\0')), 1883), 0);
  // Other protocols are not MQTT.
  for (std::string other :
       {std::string("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), std::string("SSH-2.0-OpenSSH_9.6\r\n"),
        std::string("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10), std::string("\x10", 1),
        std::string()}) {
    EXPECT_EQ(p.probe(Direction::kUp, as_bytes(other), 1883), 0) << other;
  }
  Collected sink;
  auto s = p.make(sink);  // facts do not depend on data
  EXPECT_EQ(s->facts().app, "mqtt");
  EXPECT_EQ(s->facts().encrypted, false);
}

// ---- Oracle: tshark on the real captures -------------------------------------------

// One (frame, field, value) triple per identity field, sorted.
using Triples = std::vector<std::string>;

// Like the Dispatcher (and unlike OneParserConsumer, which waits for the
// client), recognises the flow from the first bytes of either direction:
// P64 holds connections seen from their middle whose first packet is the
// broker's PUBLISH.
class EitherDirectionConsumer : public flow::FlowConsumer {
 public:
  EitherDirectionConsumer(MessageSink& sink, uint16_t port) : sink_(sink), port_(port) {}
  void on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
    if (!decided_) {
      decided_ = true;
      if (mqtt::parser().probe(dir, data, port_) > 0)
        feeder_ = std::make_unique<Feeder>(mqtt::parser().make(sink_), sink_);
    }
    if (feeder_) feeder_->data(dir, data, ts, frame);
  }
  void on_gap(Direction dir, uint64_t len) override {
    if (feeder_) feeder_->gap(dir, len);
  }

 private:
  MessageSink& sink_;
  uint16_t port_;
  bool decided_ = false;
  std::unique_ptr<Feeder> feeder_;
};

Triples ours(const std::string& file, Collected& sink) {
  walk_capture(file, [&](const flow::Flow& f) -> std::unique_ptr<flow::FlowConsumer> {
    if (f.proto != 6) return nullptr;
    return std::make_unique<EitherDirectionConsumer>(sink, f.server.port);
  });
  Triples out;
  for (const auto& m : sink.messages) {
    for (const auto& [ours_name, theirs_name] :
         {std::pair{"mqtt.client_id", "clientid"}, std::pair{"mqtt.username", "username"},
          std::pair{"mqtt.password", "passwd"}, std::pair{"mqtt.topic", "topic"},
          std::pair{"mqtt.topic_filter", "topic"}})
      for (const auto& v : values(m, ours_name))
        out.push_back(std::to_string(m.frame) + " " + theirs_name + " " + v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Triples theirs(const std::string& file, const std::string& decode_as) {
  const char kAgg = '\x1e';
  std::string out = ph::test::run_command(
      "tshark -n -r " + ph::test::shell_quote(file) + " " + decode_as +
      " -Y mqtt -T fields -E occurrence=a -E aggregator=" +
      ph::test::shell_quote(std::string(1, kAgg)) +
      " -e frame.number -e mqtt.clientid -e mqtt.username -e mqtt.passwd -e mqtt.topic"
      " 2>/dev/null");
  Triples v;
  const char* names[] = {"clientid", "username", "passwd", "topic"};
  for (const std::string& line : ph::test::split_lines(out)) {
    std::vector<std::string> cols;
    size_t start = 0;
    for (size_t t; (t = line.find('\t', start)) != std::string::npos; start = t + 1)
      cols.push_back(line.substr(start, t - start));
    cols.push_back(line.substr(start));
    for (size_t i = 1; i < cols.size() && i <= 4; ++i) {
      size_t s = 0;
      const std::string& col = cols[i];
      if (col.empty()) continue;
      for (size_t a;; s = a + 1) {
        a = col.find(kAgg, s);
        std::string item = col.substr(s, a == std::string::npos ? std::string::npos : a - s);
        if (!item.empty()) v.push_back(cols[0] + " " + names[i - 1] + " " + item);
        if (a == std::string::npos) break;
      }
    }
  }
  std::sort(v.begin(), v.end());
  return v;
}

std::string text(const Triples& t) {
  std::string s;
  for (const auto& x : t) s += "  " + x + "\n";
  return s;
}

struct OracleCase {
  const char* file;
  const char* decode_as;  // tshark only dissects MQTT on 1883 by itself
};

class MqttOracle : public ::testing::TestWithParam<OracleCase> {};

TEST_P(MqttOracle, IdentitiesAndTopicsMatchTshark) {
  PH_REQUIRE_SHARED_CAPTURES();
  PH_REQUIRE_TSHARK();
  const std::string file = (ph::test::shared_captures() / GetParam().file).string();
  Collected sink;
  Triples mine = ours(file, sink);
  Triples ts = theirs(file, GetParam().decode_as);
  ASSERT_FALSE(ts.empty()) << "tshark found nothing in " << file;
  EXPECT_EQ(mine, ts) << "phonehome:\n" << text(mine) << "tshark:\n" << text(ts);
  EXPECT_TRUE(sink.anomalies.empty()) << ::testing::PrintToString(sink.anomalies);
}

INSTANTIATE_TEST_SUITE_P(
    Captures, MqttOracle,
    ::testing::Values(OracleCase{"proto/P61_mqtt311.pcap", ""},
                      OracleCase{"proto/P62_mqtt31_userpass.pcap", ""},
                      OracleCase{"proto/P63_mqtt5_publish_jpeg.pcap", ""},
                      OracleCase{"proto/P64_coap_mqtt.pcap", "-d tcp.port==17501,mqtt"}),
    [](const auto& info) { return std::string(info.param.file).substr(6, 3); });

TEST(MqttOracle, JpegPayloadOfP63IsWholeWithItsSize) {
  PH_REQUIRE_SHARED_CAPTURES();
  Collected sink;
  ours((ph::test::shared_captures() / "proto/P63_mqtt5_publish_jpeg.pcap").string(), sink);
  std::vector<const Message*> pubs;
  for (const auto& m : sink.messages)
    if (m.kind == "publish") pubs.push_back(&m);
  ASSERT_EQ(pubs.size(), 1u);
  EXPECT_EQ(pubs[0]->body.substr(0, 3), "\xFF\xD8\xFF");  // JPEG SOI
  EXPECT_FALSE(pubs[0]->body_truncated);
  // tshark: mqtt.len 35767 = topic (2 + 6) + property length (1) + payload.
  EXPECT_EQ(pubs[0]->body.size(), 35767u - 8 - 1);
}

}  // namespace
}  // namespace ph::proto::test
