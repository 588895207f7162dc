// Google Benchmark of the device-profile matcher (issue #4): 50 identifiers
// (five generated fixture identities: IMEIs, IMSI, ICCID, phone, MAC,
// Android ID, ad ID, serial, e-mail, name) in all their forms, one
// Vectorscan database; GB/s of ProfileMatcher::scan over a 64 KB body with
// nothing in it and with a few matches, the cost of one call on a short
// leaf (most leaves are short), and the compile time of the database.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "base/encode.h"
#include "detect/profile_matcher.h"
#include "fixture/payloads.h"
#include "fixture/profile.h"

namespace {

using ph::detect::Candidate;
using ph::detect::Context;
using ph::detect::DataType;
using ph::detect::Profile;
using ph::detect::ProfileMatcher;

Profile fifty() {
  static const char* kNames[] = {"Alex Example", "Robin Quayle", "Sam Sample", "Kim Placeholder",
                                 "Jo Fixture"};
  Profile p;
  for (uint64_t seed = 1; p.values.size() < 50; ++seed) {
    auto id = ph::fixture::profile_identity(seed);
    const std::pair<DataType, std::string> values[] = {{DataType::kImei, id.imei},
                                                       {DataType::kImei, id.imei2},
                                                       {DataType::kImsi, id.imsi},
                                                       {DataType::kIccid, id.iccid},
                                                       {DataType::kMsisdn, id.phone_e164},
                                                       {DataType::kMac, id.mac},
                                                       {DataType::kAndroidId, id.android_id},
                                                       {DataType::kAdId, id.ad_id},
                                                       {DataType::kSerial, id.serial},
                                                       {DataType::kEmail, id.email},
                                                       {DataType::kName, kNames[(seed - 1) % 5]}};
    for (const auto& [type, value] : values)
      if (p.values.size() < 50) p.values.push_back({type, value});
  }
  return p;
}

ProfileMatcher& matcher() {
  static auto m = ProfileMatcher::build(fifty());
  return *m.value();
}

// Telemetry-like JSON: timestamps, hex ids, versions, numbers; none of them
// a profile value.
std::string body64k() {
  ph::fixture::Prng rng(42);
  std::string body;
  while (body.size() < 65536) {
    body += "{\"ts\":" + std::to_string(1718000000000ULL + rng.next() % 100000000) + ",\"id\":\"" +
            ph::hex_encode(rng.bytes(16)) + "\",\"ver\":\"10.2." +
            std::to_string(rng.next() % 100) + "\",\"n\":" + std::to_string(rng.next() % 99999) +
            ",\"msg\":\"screen opened\"},";
  }
  body.resize(65536);
  return body;
}

void scan(benchmark::State& state, const std::string& text) {
  ProfileMatcher& m = matcher();
  std::vector<Candidate> out;
  Context ctx{"", "", "http.body", ""};
  for (auto _ : state) {
    out.clear();
    m.scan(ctx, text, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
  state.counters["patterns"] = double(m.patterns());
  state.counters["found"] = double(out.size());
}

void BM_ProfileScan64KNothing(benchmark::State& state) { scan(state, body64k()); }
BENCHMARK(BM_ProfileScan64KNothing);

void BM_ProfileScan64KWithMatches(benchmark::State& state) {
  std::string body = body64k();
  auto id = ph::fixture::profile_identity(1);
  // Eight matches spread over the body: plain, hashed, encoded.
  const std::string put[] = {id.imei,  id.email, id.phone_e164, ph::fixture::base64(id.serial),
                             id.imei2, id.mac,   id.ad_id,      id.android_id};
  for (size_t i = 0; i < 8; ++i)
    body.replace(4000 + i * 7000, put[i].size() + 2, " " + put[i] + " ");
  scan(state, body);
}
BENCHMARK(BM_ProfileScan64KWithMatches);

void BM_ProfileScanShortLeaf(benchmark::State& state) {
  scan(state, "Mozilla/5.0 (Linux; Android 9)");
}
BENCHMARK(BM_ProfileScanShortLeaf);

void BM_ProfileBuild(benchmark::State& state) {
  Profile p = fifty();
  for (auto _ : state) {
    auto m = ProfileMatcher::build(p);
    benchmark::DoNotOptimize(m.ok());
  }
}
BENCHMARK(BM_ProfileBuild)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
