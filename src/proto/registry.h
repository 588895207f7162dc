// The one list of protocol parsers. Adding a protocol = one folder under
// src/proto/ and one line in registry.cc.
#pragma once

#include <span>

#include "proto/protocol.h"

namespace ph::proto {

std::span<const Parser* const> parsers();

// The best parser for a flow's first bytes (score > 0), or nullptr.
const Parser* identify(Transport transport, Direction dir, Bytes first, uint16_t server_port);

}  // namespace ph::proto
