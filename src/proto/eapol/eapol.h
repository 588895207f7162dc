// EAPOL (IEEE 802.1X, ethertype 0x888e): the registry entry and the Session
// that turns each frame into a Message. There is no IP layer: the caller
// hands on_data() the bytes after the Ethernet header (version, type,
// length, body), one frame per call.
//
// Messages (protocol "eapol"):
//   type 0 EAP packet   kind = the EAP code ("request", "response",
//                       "success", "failure", ...), with the fields of the
//                       EAP helper (proto/eap/eap.h): eap.code, eap.type,
//                       eap.identity, eap.imsi
//   type 1 Start        kind "start";  type 2 Logoff: kind "logoff"
//   type 3 Key          kind "key", eapol.key_type ("rc4", "rsn", "wpa" or
//                       decimal descriptor type)
//   other types         no message
// Anomalies: "eapol.short", "eapol.bad-version", "eapol.bad-length", and the
// EAP helper's "eap.*".
#pragma once

#include "proto/protocol.h"

namespace ph::proto::eapol {

// Transport::kDatagram; app "eapol", encrypted false. The probe checks the
// header (version 1-3, a known type, a length that fits the frame). It is
// meant for frames already chosen by their ethertype (0x888e), not for the
// by-content recognition of UDP datagrams: four bytes of header are too
// weak a sign, so this parser must not join the UDP candidates of
// identify().
const Parser& parser();

}  // namespace ph::proto::eapol
