// NTP (RFC 5905) over UDP: recognised so that time-sync flows are named,
// not "unknown". A client's request carries its transmit timestamp and
// little else; the fields say which version and mode a device uses (a hint
// to its software). Fields: ntp.version, ntp.mode ("client", "server",
// "symmetric_active", ...), ntp.stratum (server replies). The flow is
// bypassed after the first exchange. Anomaly: "ntp.bad-packet".
#pragma once

#include "proto/protocol.h"

namespace ph::proto::ntp {

const Parser& parser();  // "ntp", Transport::kDatagram

}  // namespace ph::proto::ntp
