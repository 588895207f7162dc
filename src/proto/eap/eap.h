// EAP (RFC 3748): one packet's fields, shared by the parsers that carry EAP
// (EAPOL frames, RADIUS EAP-Message attributes). Identities are what
// matters: an EAP-Response/Identity, or the AT_IDENTITY attribute of
// EAP-SIM (RFC 4186), EAP-AKA (RFC 4187) and EAP-AKA' (RFC 9048), names the
// subscriber, and a permanent identity of the 3GPP form
// "<0|1|6><IMSI>@wlan.mnc<MNC>.mcc<MCC>.3gppnetwork.org" carries the IMSI.
//
// Fields added to the caller's message:
//   eap.code      "request", "response", "success", "failure", "initiate",
//                 "finish" or decimal
//   eap.type      requests/responses: "identity", "sim", "aka", "aka-prime",
//                 "tls", "peap", ... or decimal
//   eap.identity  the identity as sent (Response/Identity, or AT_IDENTITY)
//   eap.imsi      the IMSI digits of a permanent SIM/AKA/AKA' identity whose
//                 realm names the same MCC/MNC (pseudonyms and fast
//                 re-authentication identities get eap.identity only)
// Anomalies: "eap.short", "eap.bad-length", "eap.bad-attribute".
#pragma once

#include <cstdint>
#include <string_view>

#include "proto/protocol.h"

namespace ph::proto::eap {

struct Result {
  bool ok = false;   // the header parsed (fields were added)
  uint8_t code = 0;  // 1 request, 2 response, 3 success, 4 failure
};

// Parses one EAP packet (its length field may be shorter than `packet`:
// what follows is not EAP). Adds the fields above to `out`.
Result parse(Bytes packet, Message& out, MessageSink& sink);

std::string_view code_name(uint8_t code);  // "" when unknown
std::string_view type_name(uint8_t type);  // "" when unknown

// The IMSI of a permanent EAP-SIM ('1'), EAP-AKA ('0') or EAP-AKA' ('6')
// identity: the 6 to 15 digits after the prefix, when the realm carries
// "mnc<MNC>" and "mcc<MCC>" labels that agree with the IMSI's first digits
// (3GPP TS 23.003 14.2/19.3). Empty otherwise.
std::string_view imsi_from_nai(std::string_view identity);

}  // namespace ph::proto::eap
