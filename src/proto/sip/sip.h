// SIP (RFC 3261) over UDP (one message per datagram) and over TCP (a byte
// stream of messages framed by Content-Length, several per connection,
// CRLF keep-alives between them, RFC 5626 3.5.1). Every SIP message becomes
// a Message of kind "request" or "response" (app "sip", cleartext).
//
// Fields (values are bytes as seen; header values trimmed, folded lines
// joined by one space):
//   sip.method, sip.request_uri, sip.request_uri.user   request line
//   sip.status, sip.reason                               status line
//   sip.header          every header: key = lowercased full name (compact
//                       forms f/t/m/i/l/v/... expanded), value as sent
//   sip.from / sip.to   the whole header value; sip.from.uri / .user /
//                       .display the URI, its user part ("+4712345678" of
//                       sip:+4712345678@host or tel:+4712345678) and the
//                       display name (unquoted)
//   sip.contact, sip.p_asserted_identity, sip.p_preferred_identity
//                       the whole header value, then .uri / .user / .display
//                       per element of the comma-separated list
//   sip.contact.instance  a Contact's +sip.instance parameter without quotes
//                       and <> (e.g. "urn:gsma:imei:35209900-176148-1")
//   sip.call_id, sip.user_agent, sip.server
//   sip.authorization   Authorization / Proxy-Authorization digest
//                       parameters: key "username" / "realm" / "uri"
//   sip.sdp.c           the address of each SDP "c=" line of the body
// The body is handed on (Message::body, content_type = media type
// lowercased without parameters), cut at Limits::max_body.
//
// Limits (each hit is an anomaly "sip.<what>"): header line length, header
// count, head size, body size. A TCP direction that loses its framing
// (hole, bad start line) resynchronises at the next start line.
#pragma once

#include <cstddef>
#include <memory>

#include "proto/protocol.h"

namespace ph::proto::sip {

struct Limits {
  size_t max_line = 8 * 1024;   // one header line (after unfolding)
  size_t max_headers = 256;     // header lines per message
  size_t max_head = 64 * 1024;  // start line + header section
  size_t max_body = 64 * 1024;  // body kept per message
};

// SIP over UDP (port 5060/5061 breaks ties).
const Parser& parser();
// SIP over TCP (or TLS-decrypted streams): Content-Length framing.
const Parser& tcp_parser();

// A session with other limits (tests; `stream` = TCP framing).
std::unique_ptr<Session> make_session(MessageSink& sink, const Limits& limits, bool stream);

}  // namespace ph::proto::sip
