// Google Benchmark of Detector::scan on typical leaf values: values with
// nothing in them (the common case, which must be rejected by the character
// class pass), values under ordinary keys, identifiers under their keys, and a
// 64 KB text body. Also counts heap allocations per scan (operator new is
// replaced in this binary only) so "no allocation when nothing is found" is
// measured, not assumed.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "detect/detect.h"

namespace {
std::atomic<size_t> g_allocations{0};
}  // namespace

void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace {

using ph::detect::Candidate;
using ph::detect::Context;
using ph::detect::Detector;

struct Leaf {
  const char* key;
  std::string value;
};

void run(benchmark::State& state, const std::vector<Leaf>& leaves) {
  Detector detector;
  std::vector<Candidate> out;
  out.reserve(64);
  size_t bytes = 0, found = 0;
  size_t before = g_allocations.load();
  size_t scans = 0;
  for (auto _ : state) {
    for (const Leaf& l : leaves) {
      detector.scan(Context{l.key, "$.x", "http.body", ""}, l.value, out);
      bytes += l.value.size();
      ++scans;
    }
    found += out.size();
    out.clear();
  }
  state.SetBytesProcessed(int64_t(bytes));
  state.counters["allocs/scan"] =
      benchmark::Counter(double(g_allocations.load() - before) / double(scans ? scans : 1));
  state.counters["found/iter"] =
      benchmark::Counter(double(found) / double(state.iterations() ? state.iterations() : 1));
}

void BM_NothingPlain(benchmark::State& state) {
  run(state, {{"", "Mozilla/5.0 (Linux; Android 10; SM-G960F) AppleWebKit/537.36"},
              {"", "application/json; charset=utf-8"},
              {"", "gzip, deflate, br"},
              {"", "keep-alive"},
              {"", "/api/v2/config?lang=en&country=NO"},
              {"", "en-US,en;q=0.9"}});
}
BENCHMARK(BM_NothingPlain);

void BM_NothingUnderKeys(benchmark::State& state) {
  run(state, {{"lang", "en"},
              {"app_version", "10.2.15.1234"},
              {"ts", "1718000000123"},
              {"os", "android"},
              {"model", "SM-G960F"},
              {"theme", "dark"},
              {"count", "42"},
              {"session", "d41d8cd98f00b204"}});
}
BENCHMARK(BM_NothingUnderKeys);

void BM_IdentifiersUnderKeys(benchmark::State& state) {
  run(state, {{"IMEI1", "352099001761481"},
              {"SIM1ICCID", "89470800123456789012"},
              {"SIM1LTEIMSI", "242010123456789"},
              {"MACID", "00:1a:2b:3c:4d:5e"},
              {"gaid", "38400000-8cf0-11bd-b23e-10b96e40000d"},
              {"email", "someone@example.org"}});
}
BENCHMARK(BM_IdentifiersUnderKeys);

void BM_Phone(benchmark::State& state) { run(state, {{"", "call +47 912 34 567 now"}}); }
BENCHMARK(BM_Phone);

void BM_TextBody64K(benchmark::State& state) {
  std::string body;
  while (body.size() < 65536) {
    body +=
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit 2024-06-10T12:00:00Z "
        "id=4711 v1.2.3 price 12.99; ";
  }
  body.resize(65536);
  run(state, {{"", body}});
}
BENCHMARK(BM_TextBody64K);

void BM_JsonBody64KWithIds(benchmark::State& state) {
  std::string body;
  while (body.size() < 65536) {
    body +=
        "{\"event\":\"open\",\"ts\":1718000000123,\"device\":\"352099001761481\","
        "\"mac\":\"00:1a:2b:3c:4d:5e\",\"ver\":\"10.2.15\"},";
  }
  body.resize(65536);
  run(state, {{"", body}});
}
BENCHMARK(BM_JsonBody64KWithIds);

}  // namespace

BENCHMARK_MAIN();
