// Fuzz target for the device profile: the first byte picks the format (TOML,
// JSON, sniffed), the rest is the file. A profile that parses is compiled
// (when small) and its matcher run over the file's own text. Checks: the
// warnings never carry an identifier value, candidates lie inside the
// scanned text, are profile/high and their rules never carry the value.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "detect/profile.h"
#include "detect/profile_matcher.h"

namespace {

// Values made of digits and hex (the identifiers): never in a message.
bool identifier(ph::detect::DataType t) {
  using ph::detect::DataType;
  return t == DataType::kImei || t == DataType::kImsi || t == DataType::kIccid ||
         t == DataType::kMsisdn || t == DataType::kMac || t == DataType::kAndroidId ||
         t == DataType::kAdId;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ph::detect;
  if (size < 1) return 0;
  const ProfileFormat formats[] = {ProfileFormat::kToml, ProfileFormat::kJson,
                                   ProfileFormat::kAuto};
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto p = parse_profile(text, formats[data[0] % 3], "fuzz");
  if (!p.ok()) {
    if (p.error().message.empty()) std::abort();
    return 0;
  }
  if (p->values.empty() && p->homes.empty()) std::abort();  // an empty profile is an error
  for (const auto& v : p->values) {
    if (v.value.empty()) std::abort();
    if (!identifier(v.type) || v.value.size() < 6) continue;
    for (const auto& w : p->warnings)
      if (w.find(v.value) != std::string::npos) std::abort();
  }
  if (p->values.size() > 8) return 0;  // compiling big databases only slows the fuzzer
  auto m = ProfileMatcher::build(*p);
  if (!m.ok()) std::abort();
  std::vector<Candidate> out;
  Context ctx{"key", "$.key", "http.body", ""};
  (*m)->scan(ctx, text, out);
  for (const Candidate& c : out) {
    if (c.offset > text.size() || c.length > text.size() - c.offset || c.length == 0) std::abort();
    if (c.method != Method::kProfile || c.confidence != Confidence::kHigh) std::abort();
    if (identifier(c.type) && c.value.size() >= 6 && c.rule.find(c.value) != std::string::npos)
      std::abort();
  }
  return 0;
}
