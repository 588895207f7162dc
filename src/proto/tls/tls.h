// TLS over a byte stream: the record layer (records split across segments,
// handshake messages split across records), the ClientHello (SNI, ALPN,
// versions, JA3, JA4, ECH noticed), the ServerHello (selected version and
// cipher) and, for TLS <= 1.2, the first certificate of the server's
// Certificate message (subject, issuer, SANs). Once the handshake turns
// encrypted (ChangeCipherSpec both ways, application data, or a TLS 1.3
// ServerHello) nothing more can be learned and the session says kDone.
#pragma once

#include "proto/protocol.h"

namespace ph::proto::tls {

// The registry entry ("tls", Transport::kStream).
const Parser& parser();

// Limits (each hit is an anomaly).
inline constexpr size_t kMaxRecord = 16384 + 2048;   // RFC 5246 6.2.3 ciphertext bound
inline constexpr size_t kMaxHandshake = 128 * 1024;  // one handshake message
inline constexpr size_t kMaxSans = 100;              // SANs reported per certificate

}  // namespace ph::proto::tls
