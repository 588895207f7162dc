// The periodic-contact detector (see periodicity.h).
#include "enrich/periodicity.h"

#include <algorithm>
#include <cmath>

namespace ph::enrich {
namespace {

double median(std::vector<double> v) {
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  double m = v[mid];
  if (v.size() % 2 == 0) m = (m + *std::max_element(v.begin(), v.begin() + mid)) / 2;
  return m;
}

struct Walk {
  std::vector<size_t> on;  // indexes of the on-beat contacts
  std::vector<int64_t> k;  // beats between on[i] and on[i + 1]
  uint32_t beats = 0;
  uint32_t extra = 0;
};

Walk walk(std::span<const Timestamp> c, size_t anchor, double period, double tolerance) {
  Walk w;
  w.extra = uint32_t(anchor);  // contacts before the anchor are off the beat
  w.on.push_back(anchor);
  Timestamp last = c[anchor];
  for (size_t j = anchor + 1; j < c.size(); ++j) {
    const double x = double(c[j] - last);
    const double k = std::round(x / period);
    if (k < 1 || std::fabs(x - k * period) > tolerance) {
      ++w.extra;
      continue;
    }
    w.on.push_back(j);
    w.k.push_back(int64_t(k));
    w.beats += uint32_t(k);
    last = c[j];
  }
  return w;
}

}  // namespace

std::vector<Timestamp> merge_bursts(std::span<const Timestamp> starts, Timestamp burst_gap) {
  std::vector<Timestamp> out;
  Timestamp previous = 0;
  for (size_t i = 0; i < starts.size(); ++i) {
    if (i == 0 || starts[i] - previous >= burst_gap) out.push_back(starts[i]);
    previous = starts[i];
  }
  return out;
}

std::optional<Period> detect_period(std::span<const Timestamp> c, const PeriodOptions& o) {
  if (c.size() < std::max<size_t>(o.min_contacts, 2)) return std::nullopt;
  std::vector<double> intervals;
  intervals.reserve(c.size() - 1);
  for (size_t i = 1; i < c.size(); ++i) intervals.push_back(double(c[i] - c[i - 1]));
  const double p0 = median(intervals);
  if (p0 <= 0) return std::nullopt;
  const double tolerance = std::max(double(o.min_tolerance), o.tolerance * p0);

  Walk best;
  for (size_t anchor = 0; anchor < 3 && anchor + o.min_contacts <= c.size(); ++anchor) {
    Walk w = walk(c, anchor, p0, tolerance);
    if (w.on.size() > best.on.size() || (w.on.size() == best.on.size() && w.extra < best.extra)) {
      best = std::move(w);
    }
  }
  const size_t on = best.on.size();
  if (on < o.min_contacts || best.beats == 0) return std::nullopt;
  const uint32_t missed = best.beats - uint32_t(on - 1);
  if (double(best.extra) > o.max_extra * double(on - 2)) return std::nullopt;
  if (double(missed) > o.max_missed * double(best.beats)) return std::nullopt;

  const double period = double(c[best.on.back()] - c[best.on.front()]) / double(best.beats);
  std::vector<double> per_beat;
  for (size_t i = 0; i + 1 < on; ++i)
    per_beat.push_back(double(c[best.on[i + 1]] - c[best.on[i]]) / double(best.k[i]));
  const double mid = median(per_beat);
  std::vector<double> deviations;
  double jitter = 0;
  for (double u : per_beat) {
    deviations.push_back(std::fabs(u - mid));
    jitter = std::max(jitter, std::fabs(u - period));
  }
  if (median(deviations) > o.max_spread * period) return std::nullopt;

  Period p;
  p.period_s = period / kNsPerSec;
  p.jitter_s = jitter / kNsPerSec;
  p.on_beat = uint32_t(on);
  p.missed = missed;
  p.extra = best.extra;
  return p;
}

}  // namespace ph::enrich
