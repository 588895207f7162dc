// Google Benchmark of the per-report enrichment that runs in
// Engine::finish(): reading the installed OUI registries for a report's
// MACs (the whole cost of vendor lookup, paid once per run, only when a
// device has a MAC with a vendor part) and the periodic-contact detector on
// one destination's contact times.
#include <benchmark/benchmark.h>

#include <vector>

#include "enrich/oui.h"
#include "enrich/periodicity.h"

namespace {

using ph::MacAddr;

// `n` MACs spread over the address space (vendor bit patterns, universal).
std::vector<MacAddr> macs(size_t n) {
  std::vector<MacAddr> out;
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < n; ++i) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    uint64_t v = x * 0x2545F4914F6CDD1Dull;
    MacAddr m;
    for (int b = 0; b < 6; ++b) m.b[size_t(b)] = uint8_t(v >> (8 * b));
    m.b[0] &= 0xfc;  // unicast, universally administered
    out.push_back(m);
  }
  return out;
}

void BM_OuiLoad(benchmark::State& state) {
  const std::vector<MacAddr> list = macs(size_t(state.range(0)));
  const ph::enrich::OuiSources sources = ph::enrich::OuiSources::defaults();
  size_t named = 0;
  for (auto _ : state) {
    ph::enrich::VendorTable t = ph::enrich::VendorTable::load(list, sources);
    if (t.files().empty()) {
      state.SkipWithError("no OUI registry installed (ieee-data)");
      return;
    }
    named = 0;
    for (const auto& m : list) named += !t.vendor(m).empty();
    benchmark::DoNotOptimize(named);
  }
  state.counters["named"] = double(named);
}
BENCHMARK(BM_OuiLoad)->Arg(1)->Arg(100)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_DetectPeriod(benchmark::State& state) {
  std::vector<ph::Timestamp> contacts;
  for (int64_t i = 0; i < state.range(0); ++i)
    contacts.push_back(i * 3600 * ph::kNsPerSec + (i * 7919 % 61) * ph::kNsPerSec);
  for (auto _ : state) benchmark::DoNotOptimize(ph::enrich::detect_period(contacts));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_DetectPeriod)->Arg(6)->Arg(1000)->Arg(100000);

}  // namespace
