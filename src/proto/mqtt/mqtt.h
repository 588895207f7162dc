// MQTT 3.1 ("MQIsdp", level 3), 3.1.1 (level 4) and 5 over TCP: the registry
// entry and the Session that frames each direction into control packets and
// turns those that carry identities or data into Messages (protocol
// "mqtt"), in both directions (a broker's PUBLISH to a client is kDown).
//
//   kind "connect"      mqtt.protocol_level, mqtt.keep_alive, mqtt.client_id,
//                       mqtt.will_topic, mqtt.username, mqtt.password,
//                       mqtt.user_property (v5; key = name); the will payload
//                       is the message body (content type from the v5 will
//                       properties)
//   kind "connack"      mqtt.return_code (v5: the reason code),
//                       mqtt.assigned_client_id (v5)
//   kind "publish"      mqtt.topic (v5 topic aliases resolved per
//                       direction), mqtt.qos, mqtt.retain, mqtt.user_property;
//                       the payload is the body, content_type from the v5
//                       Content Type property
//   kind "subscribe"    mqtt.topic_filter per filter
//   kind "unsubscribe"  mqtt.topic_filter per filter
// Other packets (acks, pings, disconnect, auth) are framed and skipped.
//
// Limits: a packet is parsed from its first kMaxPacket (128 KiB) bytes; a
// longer PUBLISH keeps that much of its payload (body_truncated, anomaly
// "mqtt.body-truncated"), other longer packets are skipped
// ("mqtt.packet-too-big"); 256 fields per message; 1024 topic aliases per
// direction. Anomalies: "mqtt.bad-header" (framing lost: the direction is
// dropped), "mqtt.bad-<kind>" (a damaged packet, skipped), "mqtt.gap" (a
// hole lost the framing), "mqtt.gap-in-packet" (a hole inside a packet:
// that packet is lost, the framing kept), "mqtt.unknown-alias",
// "mqtt.too-many-aliases", "mqtt.too-many-fields".
#pragma once

#include "proto/protocol.h"

namespace ph::proto::mqtt {

// Transport::kStream, app "mqtt", encrypted false (MQTT over TLS is TLS).
// Recognised by content: a CONNECT packet (either direction's first bytes);
// failing that, first bytes that are exactly a run of well-formed MQTT
// packets (a capture that starts mid-connection) score low. Port 1883 only
// breaks ties.
const Parser& parser();

}  // namespace ph::proto::mqtt
