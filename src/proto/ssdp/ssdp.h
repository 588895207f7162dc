// SSDP (UPnP Device Architecture 2.0, section 1): HTTP messages over UDP,
// one per datagram: M-SEARCH and NOTIFY requests ("* HTTP/1.1") and the
// "HTTP/1.1 200 OK" answers to a search. Devices announce themselves here
// (names, models, firmware in SERVER, UUIDs that often embed the MAC, and
// vendor headers such as Philips' hue-bridgeid).
//
// Each datagram becomes a Message of kind "request" or "response" (app
// "ssdp", cleartext) with the fields:
//   ssdp.method, ssdp.uri            request line
//   ssdp.status, ssdp.reason         status line
//   ssdp.header     every header, key = lowercased name, value as sent
//                   (trimmed, folded lines joined by one space): vendor
//                   headers are kept this way
//   ssdp.server, ssdp.user_agent, ssdp.location, ssdp.usn, ssdp.nt,
//   ssdp.nts, ssdp.st               the named headers
//   ssdp.uuid       the device UUID of the USN ("uuid:<this>::...")
// Limits (an anomaly "ssdp.<what>" each): header line length, header count.
#pragma once

#include <cstddef>
#include <memory>

#include "proto/protocol.h"

namespace ph::proto::ssdp {

struct Limits {
  size_t max_line = 4096;    // one header line (after unfolding)
  size_t max_headers = 128;  // header lines per message
};

// The registry entry: by content (a "* HTTP/1.x" search/notify or a
// response with SSDP headers), port 1900 breaking ties.
const Parser& parser();

std::unique_ptr<Session> make_session(MessageSink& sink, const Limits& limits);

}  // namespace ph::proto::ssdp
