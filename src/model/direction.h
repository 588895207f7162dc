// Direction of data within a flow, shared by the flow table and the
// protocol parsers.
#pragma once

#include <cstdint>

namespace ph {

enum class Direction : uint8_t { kUp = 0, kDown = 1 };  // up: client -> server
inline int index(Direction d) { return static_cast<int>(d); }

}  // namespace ph
