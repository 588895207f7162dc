// RADIUS (RFC 2865 authentication, RFC 2866 accounting, RFC 5176 dynamic
// authorization) over UDP: the registry entry and the Session that turns
// each datagram into a Message whose kind is the code's name
// ("access-request", "accounting-request", "access-challenge", ...).
//
// Fields (values are bytes as seen unless said otherwise):
//   radius.code                   the code's name (as the kind), or decimal
//   radius.user_name              User-Name (1): often an EAP NAI with the IMSI
//   radius.imsi                   the IMSI of a User-Name of the permanent
//                                 EAP-SIM/AKA/AKA' form (eap::imsi_from_nai)
//   radius.user_password_present  "1" when User-Password (2) is there; its
//                                 bytes are obfuscated and never reported
//   radius.nas_ip                 NAS-IP-Address (4), dotted
//   radius.framed_ip              Framed-IP-Address (8), dotted
//   radius.called_station_id      Called-Station-Id (30): AP MAC[:SSID]
//   radius.calling_station_id     Calling-Station-Id (31): the client's MAC
//   radius.nas_identifier         NAS-Identifier (32)
//   radius.acct_session_id        Acct-Session-Id (44)
//   radius.vendor                 Vendor-Specific (26): key "vendor:<id>/<type>"
//                                 per sub-attribute, or "vendor:<id>" when the
//                                 value is not in the RFC 2865 sub-attribute
//                                 format; value in lower-case hex
//   eap.*                         EAP-Message (79), concatenated across
//                                 attributes, decoded by proto/eap/eap.h
// A datagram's octets beyond its Length field are padding (RFC 2865 3). A
// damaged attribute stops the datagram's parsing; the fields before it are
// still emitted. Anomalies: "radius.short", "radius.bad-code",
// "radius.bad-length", "radius.bad-attribute", "radius.too-many-fields",
// "eap.*".
#pragma once

#include "proto/protocol.h"

namespace ph::proto::radius {

// Transport::kDatagram, app "radius", encrypted false. Recognised by
// content: a known code, a Length equal to the datagram's, attributes that
// tile the packet exactly; ports 1812/1813/1645/1646/3799 break ties.
const Parser& parser();

}  // namespace ph::proto::radius
