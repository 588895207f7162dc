// Timestamps: nanoseconds since the Unix epoch in a signed 64-bit integer
// (good until 2262), whatever resolution the capture recorded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ph {

using Timestamp = int64_t;  // ns since 1970-01-01T00:00:00Z
constexpr Timestamp kNsPerSec = 1'000'000'000;

// RFC 3339 UTC with microseconds, e.g. "2019-05-01T08:00:00.123456Z".
std::string format_rfc3339(Timestamp ts);
// The same text written to `out` (no allocation), returned as a view of it.
constexpr size_t kRfc3339Size = 27;
std::string_view format_rfc3339(Timestamp ts, char (&out)[kRfc3339Size]);

}  // namespace ph
