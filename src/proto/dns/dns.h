// DNS, mDNS and LLMNR (one wire format, RFC 1035 / 6762 / 4795): the
// registry entries and the Session that turns each DNS message of a flow
// into a Message ("query" or "response") with its questions and the records
// of all three record sections (answer, authority, additional).
//
// Fields (values are bytes as seen; names are labels joined with '.', the
// root is "."):
//   dns.id                 transaction id, decimal
//   dns.opcode             only when not 0 (a standard query)
//   dns.rcode              responses: "NOERROR", "NXDOMAIN", ... or decimal
//   dns.qname              each question's name
//   dns.qtype              key = qname, value = "A", "AAAA", ... or "TYPE<n>"
//   dns.answer.<type>      one per record of any section, key = owner name:
//                          a, aaaa (textual address), cname, ptr, ns, mx
//                          (target name), txt (each non-empty string), srv
//                          ("target:port"), https / svcb (target name)
//   dns.svcb.alpn / .port / .ipv4hint / .ipv6hint / .ech
//                          HTTPS/SVCB parameters, key = owner name
//   dns.txt                key = a TXT "key=value" string's key, value = its
//                          value (mDNS, and DNS-SD owners "<i>._x._tcp...")
//   dns.instance           DNS-SD service instance: key = service type
//                          ("_http._tcp.local"), value = instance label
//   dns.edns.ecs           EDNS Client Subnet: "address/prefix"
//
// Limits (each hit is an anomaly "dns.<what>"): names of at most 255 bytes
// and 32 compression pointers, 64 questions and 512 records per message,
// 4096 fields per message. A damaged record stops the message's parsing; the
// fields parsed before it are still emitted.
#pragma once

#include "proto/protocol.h"

namespace ph::proto::dns {

// DNS over UDP (port 53 breaks ties).
const Parser& parser();
// DNS over TCP: each message preceded by its 2-byte length (RFC 1035 4.2.2).
const Parser& tcp_parser();
// Multicast DNS (UDP 5353, or DNS content that looks like mDNS: id 0 and
// ".local"/".arpa" names); app "mdns".
const Parser& mdns_parser();
// LLMNR (UDP 5355); app "llmnr".
const Parser& llmnr_parser();

// The content score shared by the probes: 0 when `msg` cannot be the start
// of a DNS message (header, counts, first name), up to 70. `complete` says
// `msg` holds the whole message (a datagram); otherwise only its start.
int content_score(Bytes msg, bool complete);

}  // namespace ph::proto::dns
