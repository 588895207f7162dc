// The SIP message reader shared by the UDP and TCP sessions and the probe:
// start lines, the header section (folding, compact names, the named
// fields of sip.h), name-addr values and the SDP of a body. Framing (where
// a message ends) is the sessions' business; this only reads a head that
// is complete, and a body once it is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "proto/protocol.h"
#include "proto/sip/sip.h"

namespace ph::proto::sip {

// "METHOD SP Request-URI SP SIP/2.0" (method a token, the URI without spaces).
bool parse_request_line(std::string_view line, std::string_view& method, std::string_view& uri);
// "SIP/2.0 SP 3DIGIT [SP reason]".
bool parse_status_line(std::string_view line, std::string_view& code, std::string_view& reason);
inline bool is_start_line(std::string_view line) {
  std::string_view a, b;
  return parse_request_line(line, a, b) || parse_status_line(line, a, b);
}

// The first line of `s` without its CR; `complete` says whether its '\n' was seen.
std::string_view first_line(std::string_view s, bool& complete);

// What the sessions need from a head to frame the body.
struct Framing {
  bool request = false;
  bool has_length = false;
  uint64_t content_length = 0;
};

// Reads `head` (the start line and the header lines, without the empty line
// that ends them) into `msg` (protocol, kind, fields, content_type). False,
// with nothing reported, when the start line is not SIP's.
bool parse_head(std::string_view head, const Limits& limits, MessageSink& sink, Message& msg,
                Framing& framing);

// Adds the fields found in msg.body (the SDP connection addresses).
void parse_body(MessageSink& sink, Message& msg);

// A name-addr or addr-spec ("\"Bob\" <sip:bob@host>;tag=1", "sip:bob@host;tag=1").
struct NameAddr {
  std::string display;      // unquoted display name, may be empty
  std::string_view uri;     // without <>
  std::string_view params;  // after the URI (and '>'), starting at ';' when any
};
bool parse_name_addr(std::string_view value, NameAddr& out);

// The user part of a sip:/sips: URI (before '@', without a password) or the
// number of a tel: URI (before its parameters); empty when there is none.
std::string_view uri_user(std::string_view uri);

// The value of parameter `name` (case-insensitive) in ";a=1;b=\"x\"",
// unquoted; `found` says whether it was there.
std::string param_value(std::string_view params, std::string_view name, bool& found);

}  // namespace ph::proto::sip
