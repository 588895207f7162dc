// The periodic-contact detector on synthetic series: exact periods, jitter,
// missed beats, bursts, extra contacts, and series that are not periodic
// (random arrivals, back-off, too few contacts) must not be called so.
#include "enrich/periodicity.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "fixture/payloads.h"

namespace ph::enrich {
namespace {

constexpr Timestamp kT0 = 1'700'000'000 * kNsPerSec;
constexpr Timestamp kHour = 3600 * kNsPerSec;
constexpr Timestamp kMinute = 60 * kNsPerSec;

std::vector<Timestamp> beats(int n, Timestamp period, Timestamp start = kT0) {
  std::vector<Timestamp> out;
  for (int i = 0; i < n; ++i) out.push_back(start + i * period);
  return out;
}

// Uniform in [-1, 1) from the fixture PRNG.
double uniform(fixture::Prng& rng) { return double(rng.next() >> 11) / double(1ull << 52) - 1.0; }

TEST(Periodicity, ExactHourlyContacts) {
  auto p = detect_period(beats(6, kHour));
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->period_s, 3600);
  EXPECT_DOUBLE_EQ(p->jitter_s, 0);
  EXPECT_EQ(p->on_beat, 6u);
  EXPECT_EQ(p->missed, 0u);
  EXPECT_EQ(p->extra, 0u);
}

TEST(Periodicity, ShortPeriodsToo) {
  auto p = detect_period(beats(10, 30 * kNsPerSec));
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->period_s, 30);
}

TEST(Periodicity, JitterIsMeasuredAndTolerated) {
  fixture::Prng rng(7);
  std::vector<Timestamp> c;
  for (int i = 0; i < 8; ++i)
    c.push_back(kT0 + i * kHour + Timestamp(uniform(rng) * 30) * kNsPerSec);
  auto p = detect_period(c);
  ASSERT_TRUE(p);
  EXPECT_NEAR(p->period_s, 3600, 10);
  EXPECT_GT(p->jitter_s, 0);
  EXPECT_LE(p->jitter_s, 61);  // two contacts each off by at most 30 s
  EXPECT_EQ(p->on_beat, 8u);
}

TEST(Periodicity, AMissedBeatIsCountedNotFatal) {
  std::vector<Timestamp> c = {
      kT0, kT0 + kHour, kT0 + 2 * kHour, kT0 + 4 * kHour, kT0 + 5 * kHour, kT0 + 6 * kHour};
  auto p = detect_period(c);
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->period_s, 3600);
  EXPECT_EQ(p->on_beat, 6u);
  EXPECT_EQ(p->missed, 1u);
}

TEST(Periodicity, TooManyMissedBeatsIsNotASchedule) {
  // Hours 0, 1, 2, 3 and 20: the late contact would be 16 missed beats of 20.
  std::vector<Timestamp> c = beats(4, kHour);
  c.push_back(kT0 + 20 * kHour);
  EXPECT_FALSE(detect_period(c));
  std::vector<Timestamp> sparse = {kT0, kT0 + kHour, kT0 + 9 * kHour, kT0 + 17 * kHour};
  EXPECT_FALSE(detect_period(sparse));
  // A night off between two runs of hourly contacts is fine (7 of 26 missed).
  std::vector<Timestamp> night = beats(10, kHour);
  for (Timestamp t : beats(10, kHour, kT0 + 17 * kHour)) night.push_back(t);
  auto p = detect_period(night);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->on_beat, 20u);
  EXPECT_EQ(p->missed, 7u);
}

TEST(Periodicity, BurstsAreOneContact) {
  std::vector<Timestamp> flows;
  for (Timestamp t : beats(6, kHour)) {
    flows.push_back(t);
    flows.push_back(t + 300'000'000);  // parallel connections
    flows.push_back(t + 2 * kNsPerSec);
  }
  std::vector<Timestamp> contacts = merge_bursts(flows, 5 * kNsPerSec);
  EXPECT_EQ(contacts, beats(6, kHour));
  auto p = detect_period(contacts);
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->period_s, 3600);
  // Unmerged, the median interval is a fraction of a second: no schedule.
  EXPECT_FALSE(detect_period(flows));
}

TEST(Periodicity, BurstsChainButSpacedFlowsDoNot) {
  const Timestamp s = kNsPerSec;
  std::vector<Timestamp> flows = {0, 2 * s, 4 * s, 6 * s, 20 * s, 40 * s};
  EXPECT_EQ(merge_bursts(flows, 5 * s), (std::vector<Timestamp>{0, 20 * s, 40 * s}));
  EXPECT_TRUE(merge_bursts({}, 5 * s).empty());
}

TEST(Periodicity, AnExtraContactIsSkipped) {
  std::vector<Timestamp> c = beats(6, kHour);
  c.push_back(kT0 + kHour + 20 * kMinute);  // the user opened the app
  std::sort(c.begin(), c.end());
  auto p = detect_period(c);
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->period_s, 3600);
  EXPECT_EQ(p->on_beat, 6u);
  EXPECT_EQ(p->extra, 1u);
}

TEST(Periodicity, FourOnTheBeatAndAnExtraIsNotEnough) {
  // Few contacts that line up with one left over happen by chance.
  std::vector<Timestamp> c = beats(4, kHour);
  c.push_back(kT0 + kHour + 30 * kMinute);
  std::sort(c.begin(), c.end());
  EXPECT_FALSE(detect_period(c));
  c.push_back(kT0 + 4 * kHour);
  c.push_back(kT0 + 5 * kHour);
  EXPECT_TRUE(detect_period(c)) << "six on the beat carry one extra";
}

TEST(Periodicity, AnExtraFirstContactDoesNotShiftTheBeat) {
  std::vector<Timestamp> c = beats(6, kHour);
  c.insert(c.begin(), kT0 - 25 * kMinute);
  auto p = detect_period(c);
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->period_s, 3600);
  EXPECT_EQ(p->on_beat, 6u);
  EXPECT_EQ(p->extra, 1u);
}

TEST(Periodicity, ThreeContactsAreTooFew) {
  EXPECT_FALSE(detect_period(beats(3, kHour)));
  EXPECT_FALSE(detect_period({}));
  EXPECT_FALSE(detect_period(beats(1, kHour)));
  EXPECT_TRUE(detect_period(beats(4, kHour)));
}

TEST(Periodicity, BackOffIsNotPeriodic) {
  std::vector<Timestamp> c = {kT0};
  for (int i = 0; i < 7; ++i) c.push_back(c.back() + (Timestamp(1) << i) * kMinute);
  EXPECT_FALSE(detect_period(c));
}

TEST(Periodicity, HalfTheContactsOffTheBeatIsNotASchedule) {
  std::vector<Timestamp> c = beats(5, kHour);
  for (int i = 0; i < 4; ++i) c.push_back(kT0 + i * kHour + (13 + 11 * i) * kMinute);
  std::sort(c.begin(), c.end());
  EXPECT_FALSE(detect_period(c));
}

// Random arrivals (exponential intervals, mean 20 min): the detector must
// almost never call them periodic. Counted over many seeds.
TEST(Periodicity, RandomArrivalsAreRarelyCalledPeriodic) {
  int periodic = 0;
  const int kSeries = 2000;
  for (int seed = 1; seed <= kSeries; ++seed) {
    fixture::Prng rng(uint64_t(seed) * 7919);
    const int n = 5 + seed % 30;
    std::vector<Timestamp> c = {kT0};
    for (int i = 1; i < n; ++i) {
      double u = (uniform(rng) + 1) / 2;  // [0, 1)
      c.push_back(c.back() + Timestamp(-std::log(1 - u) * 20 * 60) * kNsPerSec + 6 * kNsPerSec);
    }
    periodic += detect_period(c).has_value();
  }
  std::printf("random arrivals: %d of %d series called periodic\n", periodic, kSeries);
  EXPECT_LE(periodic, kSeries / 200) << periodic << " of " << kSeries << " random series";
}

// And jittered schedules with a missed beat and an extra contact are
// still found: each contact up to `jitter` of the period early or late.
int noisy_schedules_found(double jitter, int series) {
  int found = 0;
  for (int seed = 1; seed <= series; ++seed) {
    fixture::Prng rng(uint64_t(seed) * 104729);
    const Timestamp period = (5 + seed % 120) * kMinute;
    std::vector<Timestamp> c;
    for (int i = 0; i < 10; ++i) {
      if (i == 4) continue;  // missed
      c.push_back(kT0 + i * period + Timestamp(uniform(rng) * jitter * double(period)));
    }
    c.push_back(kT0 + 6 * period + period / 3);  // extra
    std::sort(c.begin(), c.end());
    auto p = detect_period(c);
    const double want = double(period) / kNsPerSec;
    if (p && std::fabs(p->period_s - want) < 0.03 * want) ++found;
  }
  std::printf("schedules with ±%.0f%% jitter, a missed beat and an extra: %d of %d found\n",
              jitter * 100, found, series);
  return found;
}

TEST(Periodicity, NoisySchedulesAreFound) {
  EXPECT_GE(noisy_schedules_found(0.03, 500), 500 * 99 / 100);
  EXPECT_GE(noisy_schedules_found(0.08, 500), 500 * 85 / 100);
}

}  // namespace
}  // namespace ph::enrich
