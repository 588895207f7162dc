// Notes on a flow (what happened to it), as bits: set by the flow table,
// printed by the sinks under the names below (the output contract's
// `notes` array).
#pragma once

#include <cstdint>
#include <utility>

namespace ph {

enum FlowNote : uint32_t {
  kNoteMidstream = 1u << 0,  // no handshake seen; roles guessed from ports
  kNoteTcpGap = 1u << 1,     // a hole in a reassembled direction
  kNoteTruncated = 1u << 2,  // packets captured shorter than on the wire
  kNoteBypassed = 1u << 3,   // reassembly stopped because the consumer was done
  kNoteEvicted = 1u << 4,    // ended early by a memory or flow-count cap
  kNoteOverlap = 1u << 5,    // conflicting overlapping TCP data
  kNoteRst = 1u << 6,
  kNoteFin = 1u << 7,
};

inline constexpr std::pair<uint32_t, const char*> kFlowNoteNames[] = {
    {kNoteMidstream, "midstream"},
    {kNoteTcpGap, "tcp-gap"},
    {kNoteTruncated, "truncated"},
    {kNoteBypassed, "bypassed"},
    {kNoteEvicted, "evicted"},
    {kNoteOverlap, "tcp-overlap-conflict"},
    {kNoteRst, "rst"},
    {kNoteFin, "fin"},
};

// Calls f(name) for each note set in `bits`, in the order above.
template <class F>
void for_each_flow_note(uint32_t bits, F&& f) {
  for (const auto& [bit, name] : kFlowNoteNames)
    if (bits & bit) f(name);
}

}  // namespace ph
