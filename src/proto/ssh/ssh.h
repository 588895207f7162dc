// SSH (RFC 4253): the identification strings ("SSH-2.0-OpenSSH_9.2p1
// Debian-2") both sides send in clear before the key exchange. They name
// the software on the device; everything after them is encrypted, so the
// flow is bypassed once both were read.
//
// Fields (one "banner" Message per direction): ssh.banner (the whole line
// without CR LF), ssh.protocol ("2.0"), ssh.software ("OpenSSH_9.2p1"),
// ssh.comment (after the first space, when present). Lines a server sends
// before its banner (RFC 4253 4.2) are skipped, at most kMaxPreamble
// lines. Anomalies: "ssh.line-too-long", "ssh.no-banner".
#pragma once

#include "proto/protocol.h"

namespace ph::proto::ssh {

const Parser& parser();  // "ssh", Transport::kStream

inline constexpr size_t kMaxLine = 255;  // RFC 4253 4.2, CR LF included
inline constexpr int kMaxPreamble = 16;

}  // namespace ph::proto::ssh
