// QUIC v1 (RFC 9000/9001) and v2 (RFC 9369) over datagrams: the client's
// Initial packets are decrypted (keys from the Destination Connection ID of
// its first Initial), their CRYPTO frames reassembled by offset across
// packets and coalesced packets, and the ClientHello inside parsed with the
// TLS code (SNI, ALPN, JA4 with 'q'). Every other packet is encrypted and
// only counted. Once the ClientHello is read the session says kDone.
#pragma once

#include "proto/protocol.h"

namespace ph::proto::quic {

// The registry entry ("quic", Transport::kDatagram).
const Parser& parser();

// Limits (each hit is an anomaly).
inline constexpr size_t kMaxCrypto = 64 * 1024;           // reassembled CRYPTO bytes
inline constexpr size_t kMaxClientInitialDatagrams = 32;  // before giving up on the hello

}  // namespace ph::proto::quic
