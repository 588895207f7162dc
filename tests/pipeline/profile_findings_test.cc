// The device profile through the whole pipeline: a phone sends the fixture
// identity hashed, encoded and reformatted (fixture/profile.h), and each
// request gives a profile finding with the encodings that were peeled, the
// hash last; a value the validators find too is one finding, the profile's;
// near misses give no profile finding; without a profile nothing is
// method "profile".
#include <gtest/gtest.h>

#include "capture/memory.h"
#include "detect/profile_matcher.h"
#include "fixture/profile.h"
#include "pipeline/engine.h"

namespace ph {
namespace {

Report scan(const std::vector<std::string>& requests, bool with_profile) {
  auto id = fixture::profile_identity();
  EngineOptions o;
  if (with_profile) {
    auto p = detect::parse_profile(fixture::profile_toml(id), detect::ProfileFormat::kToml, "p");
    EXPECT_TRUE(p.ok());
    auto m = detect::ProfileMatcher::build(*p);
    EXPECT_TRUE(m.ok());
    o.profile = std::move(m.value());
  }
  std::vector<uint8_t> pcap = fixture::write_pcap(fixture::profile_capture(requests), {});
  auto src = capture::open_memory(Bytes(pcap), "profile.pcap");
  EXPECT_TRUE(src.ok());
  Engine engine(o);
  engine.run(**src);
  return engine.finish();
}

std::vector<std::string> requests_of(const std::vector<fixture::ProfileLeak>& leaks) {
  std::vector<std::string> r;
  for (const auto& l : leaks) r.push_back(l.request);
  return r;
}

TEST(ProfileFindings, EveryLeakIsAProfileFindingWithItsEncodings) {
  auto id = fixture::profile_identity();
  auto leaks = fixture::profile_leaks(id);
  Report r = scan(requests_of(leaks), true);
  // One flow per request, in order: flow i + 1 carries leak i.
  for (size_t i = 0; i < leaks.size(); ++i) {
    const auto& leak = leaks[i];
    SCOPED_TRACE(leak.data_type + " " + std::to_string(i));
    const FindingRecord* f = nullptr;
    for (const auto& x : r.findings)
      if (x.flow == i + 1 && x.data_type == leak.data_type && x.value == leak.value) f = &x;
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->method, "profile");
    EXPECT_EQ(f->confidence, "high");
    EXPECT_EQ(std::vector<std::string>(f->encodings.begin(), f->encodings.end()), leak.encodings);
    EXPECT_EQ(f->rule.find(leak.value), std::string::npos) << f->rule;
    EXPECT_EQ(f->count, 1u);
    EXPECT_EQ(f->value_sha256, sha256_hex(leak.value));
  }
}

TEST(ProfileFindings, RulesSayWhichFormWasSeen) {
  auto id = fixture::profile_identity();
  Report r = scan(requests_of(fixture::profile_leaks(id)), true);
  auto rule_of = [&](uint64_t flow) {
    for (const auto& f : r.findings)
      if (f.flow == flow && f.method == "profile") return f.rule;
    return std::string();
  };
  EXPECT_EQ(rule_of(1), "your IMEI as SHA-1 hex under key di");
  EXPECT_EQ(rule_of(2), "your IMEI as SHA-256 hex under key h");
  EXPECT_EQ(rule_of(3), "your IMSI as MD5 base64 under key x");
  EXPECT_EQ(rule_of(5), "your phone number (national format) under key tel");
  EXPECT_EQ(rule_of(6), "your MAC address (with dashes) under key hw");
  EXPECT_EQ(rule_of(8), "your MAC address (upper case with colons) as MD5 bytes under key 1");
  EXPECT_EQ(rule_of(12), "your IMEI under key IMEI2");
  EXPECT_EQ(rule_of(13).find("within 300 m of your home location (latitude/longitude pair"), 0u)
      << rule_of(13);
}

TEST(ProfileFindings, AValueTheValidatorsFindIsOneFindingTheProfiles) {
  auto id = fixture::profile_identity();
  auto leaks = fixture::profile_leaks(id);
  Report with = scan(requests_of(leaks), true);
  Report without = scan(requests_of(leaks), false);
  auto of = [&](const Report& r, std::string_view type, const std::string& value) {
    std::vector<const FindingRecord*> v;
    for (const auto& f : r.findings)
      if (f.data_type == type && f.value == value) v.push_back(&f);
    return v;
  };
  // The second IMEI in plain JSON: validated without a profile, one profile
  // finding with it.
  auto plain = of(without, "imei", id.imei2);
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0]->method, "validated");
  auto profiled = of(with, "imei", id.imei2);
  ASSERT_EQ(profiled.size(), 1u);
  EXPECT_EQ(profiled[0]->method, "profile");
  EXPECT_EQ(profiled[0]->path, plain[0]->path);
  // Without a profile nothing is a profile finding, and the hashes are
  // not the values they hash.
  for (const auto& f : without.findings) {
    EXPECT_NE(f.method, "profile");
    EXPECT_NE(f.value, id.imsi);
    EXPECT_NE(f.value, id.android_id);
  }
  // The location: validated without, profile with.
  std::string loc = leaks[12].value;
  ASSERT_EQ(of(without, "location", loc).size(), 1u);
  EXPECT_EQ(of(without, "location", loc)[0]->method, "validated");
  EXPECT_EQ(of(with, "location", loc)[0]->method, "profile");
}

TEST(ProfileFindings, NearMissesGiveNoProfileFinding) {
  auto id = fixture::profile_identity();
  auto near = fixture::profile_near_misses(id);
  Report r = scan(near, true);
  EXPECT_EQ(r.stats.messages.get("http.request"), near.size());
  for (const auto& f : r.findings) EXPECT_NE(f.method, "profile") << f.data_type << " " << f.rule;
}

}  // namespace
}  // namespace ph
