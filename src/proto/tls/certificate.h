// The first certificate of a TLS <= 1.2 Certificate handshake message,
// parsed with OpenSSL: subject, issuer (RFC 2253 strings) and subject
// alternative names (DNS names, IP addresses, e-mail addresses).
#pragma once

#include <string>
#include <vector>

#include "base/bytes.h"

namespace ph::proto::tls {

struct CertificateInfo {
  std::string subject;
  std::string issuer;
  std::vector<std::string> sans;
  bool sans_truncated = false;  // more than kMaxSans
};

// `body` is the Certificate message body (after the handshake header).
// False when the message or the DER of its first certificate is malformed,
// or when the list is empty.
bool parse_first_certificate(Bytes body, CertificateInfo& out);

}  // namespace ph::proto::tls
