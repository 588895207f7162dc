// What a DNS response teaches about names and addresses, for the per-device
// name cache: a later flow from that device to an address gets the name it
// looked up. CNAME chains are followed so that the name asked for (not only
// the CDN name holding the A record) is paired with each address.
#pragma once

#include <string_view>
#include <vector>

#include "proto/protocol.h"

namespace ph::proto::dns {

// Views into the Message's fields: valid while it is.
struct NameAddress {
  std::string_view name;     // as written in the message
  std::string_view address;  // textual IPv4/IPv6
  bool queried = false;      // `name` is one of the message's questions
};

// The (name, address) pairs of a "dns" response Message: for every name
// that is a question, a CNAME owner or an A/AAAA owner, the addresses found
// at the end of its CNAME chain (and on the way), plus HTTPS/SVCB
// ipv4hint/ipv6hint addresses for their owner. Names match case-insensitively;
// chains are followed at most 16 steps (loops end there). Pairs are unique
// (by lowercased name and address), queried names first, then in the order
// names appear. Queries and other protocols' messages give nothing. At most
// the first 256 question/CNAME/address records are read.
std::vector<NameAddress> name_addresses(const Message& response);

}  // namespace ph::proto::dns
