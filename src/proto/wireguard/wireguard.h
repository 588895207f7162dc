// WireGuard (the protocol paper, section 5.4): recognised from its fixed
// message shapes so that a VPN tunnel is reported as encrypted rather than
// unknown. Nothing in it is readable; the flow is bypassed after the first
// message. Fields: wireguard.message ("handshake_initiation",
// "handshake_response", "cookie_reply", "transport_data").
#pragma once

#include "proto/protocol.h"

namespace ph::proto::wireguard {

const Parser& parser();  // "wireguard", Transport::kDatagram

}  // namespace ph::proto::wireguard
