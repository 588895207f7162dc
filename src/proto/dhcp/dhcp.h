// DHCPv4 (RFC 2131/2132) and DHCPv6 (RFC 8415): the registry entries and
// the datagram Sessions that turn each DHCP message into a Message whose
// kind is the message type lowercased ("discover", "request", "ack", ...;
// v6 "solicit", "advertise", "reply", "information-request", ...). A flow
// may carry many messages, one per datagram. Both are cleartext.
//
// DHCPv4 fields (values are bytes as seen unless said otherwise):
//   dhcp.message_type      option 53, the same lowercased name as the kind
//   dhcp.chaddr            client hardware address "aa:bb:cc:dd:ee:ff"
//                          (hlen bytes; omitted when all zero)
//   dhcp.ciaddr / yiaddr   dotted, when not 0.0.0.0
//   dhcp.hostname (12), dhcp.domain_name (15), dhcp.vendor_class (60)
//   dhcp.fqdn (81)         the name: ASCII, or wire-format labels joined
//                          with '.' when the E flag is set
//   dhcp.client_id (61)    lowercase hex of the whole option, type byte first
//   dhcp.client_mac        for client_id type 1 with 6 bytes, and for type
//                          255 (RFC 4361) whose DUID is DUID-LL/LLT Ethernet
//   dhcp.param_request_list (55)  decimal codes joined with ',' in order
//   dhcp.requested_ip (50), dhcp.server_id (54)  dotted
//   dhcp.user_class (77)   each RFC 3004 instance, or the whole option when
//                          it is not an RFC 3004 list (many clients send text)
//   dhcp.relay_agent (82)  one per sub-option, key "circuit_id" (1),
//                          "remote_id" (2), "subscriber_id" (6), or the
//                          decimal sub-option code
// Options are read from the options field and, when option 52 says so, from
// the file and sname fields (in that order); repeated options are
// concatenated (RFC 3396) before decoding.
//
// DHCPv6 fields:
//   dhcpv6.transaction_id  6 lowercase hex digits
//   dhcpv6.client_duid / server_duid  lowercase hex (options 1 / 2)
//   dhcpv6.client_mac      link-layer address of a DUID-LL/LLT client DUID
//   dhcpv6.fqdn (39)       wire-format name, labels joined with '.'
//   dhcpv6.vendor_class (16)  key = enterprise number, one per data string
//   dhcpv6.vendor_opts (17)   key = enterprise number, one per sub-option's
//                          data (the whole data when it has no sub-options)
//   dhcpv6.user_class (15) one per data string
//   dhcpv6.oro (6)         option codes joined with ',' in order
//   dhcpv6.ia_addr         each address of an IA_NA / IA_TA (textual)
//   dhcpv6.ia_prefix       each prefix of an IA_PD ("addr/len")
//   dhcpv6.relay_peer      relay messages: each relay's peer address
//   dhcpv6.interface_id (18), dhcpv6.remote_id (37, key = enterprise),
//   dhcpv6.subscriber_id (38)  from relay messages
// Relay-forward/reply messages (12/13) are unwrapped through their relay
// message option (9); the Message takes the innermost message's kind.
//
// Limits (each hit is an anomaly "dhcp.<what>" / "dhcpv6.<what>"): 255
// options per v4 message, 512 options per v6 message (nested ones
// included), 8 levels of v6 relaying and 4 levels of option nesting.
#pragma once

#include "proto/protocol.h"

namespace ph::proto::dhcp {

// DHCPv4 ("dhcp", Transport::kDatagram): BOOTP header with the DHCP magic
// cookie; ports 67/68 break ties.
const Parser& parser();
// DHCPv6 ("dhcpv6", Transport::kDatagram): message type 1..13 followed by
// options that end exactly at the end of the datagram; ports 546/547 break
// ties.
const Parser& v6_parser();

inline constexpr size_t kMaxOptions = 255;
inline constexpr size_t kMaxV6Options = 512;
inline constexpr int kMaxRelayDepth = 8;
inline constexpr int kMaxOptionDepth = 4;

}  // namespace ph::proto::dhcp
