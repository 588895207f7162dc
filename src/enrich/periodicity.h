// Periodic contact: does a device reach a destination on a schedule
// ("every 60 min ± 1 min, 5 times")? Works on the start times of the flows
// to one destination, nothing else.
//
// 1. Bursts are one contact: a flow that starts less than `burst_gap` after
//    the previous flow (parallel connections, retries) joins its contact.
// 2. The period candidate is the median interval between contacts.
// 3. A beat walk from an anchor contact: the next contact is on the beat
//    when its distance from the last on-beat contact is a whole number k >= 1
//    of periods within the tolerance (k > 1: beats were missed); contacts
//    off the beat are extras (a user opened the app). The first three
//    contacts are tried as anchors (the first one may be an extra); the walk
//    with the most on-beat contacts wins.
// 4. Periodic when at least `min_contacts` contacts are on the beat, extras
//    are at most `max_extra` of the on-beat contacts beyond the first two (4
//    or 5 on the beat allow none, 6 to 9 one: a few random contacts often
//    line up with one left over), missed beats at most `max_missed` of the
//    beats, and the per-beat intervals agree (their median absolute
//    deviation at most `max_spread` of the period). The period reported is
//    the mean per-beat interval over the on-beat contacts; the jitter the
//    largest deviation of a per-beat interval from it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "model/time.h"

namespace ph::enrich {

struct PeriodOptions {
  Timestamp burst_gap = 5 * kNsPerSec;
  size_t min_contacts = 4;  // three intervals
  double tolerance = 0.2;   // of the period: how far off the beat a contact may be
  Timestamp min_tolerance = 2 * kNsPerSec;
  double max_extra = 0.25;   // extras per on-beat contact beyond the first two
  double max_missed = 0.5;   // missed beats per beat
  double max_spread = 0.08;  // median absolute deviation of per-beat intervals, of the period
};

struct Period {
  double period_s = 0;
  double jitter_s = 0;   // largest deviation of a per-beat interval from the period
  uint32_t on_beat = 0;  // contacts on the beat
  uint32_t missed = 0;   // beats without a contact
  uint32_t extra = 0;    // contacts off the beat
};

// Sorted flow start times -> contact start times (bursts merged).
std::vector<Timestamp> merge_bursts(std::span<const Timestamp> sorted_starts, Timestamp burst_gap);

// Contact start times (sorted, bursts already merged) -> the period, if any.
std::optional<Period> detect_period(std::span<const Timestamp> contacts,
                                    const PeriodOptions& options = {});

}  // namespace ph::enrich
