// Fuzz target for the identifier detectors: the first byte is the key length
// (mod 64), then the key, then the value. The value also goes through both
// pairers under the same key. Checks the Candidate invariants: the span lies
// inside the value, the value is non-empty, the rule never contains it.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "detect/detect.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ph::detect;
  if (size < 1) return 0;
  size_t key_len = data[0] % 64;
  if (key_len > size - 1) key_len = size - 1;
  std::string_view key(reinterpret_cast<const char*>(data + 1), key_len);
  std::string_view value(reinterpret_cast<const char*>(data + 1 + key_len), size - 1 - key_len);
  static const Detector detector;
  std::vector<Candidate> out;
  Context ctx{key, "$.a.b", "http.body", (data[0] & 64) ? "242" : ""};
  detector.scan(ctx, value, out);
  for (const Candidate& c : out) {
    if (c.offset > value.size() || c.length > value.size() - c.offset) std::abort();
    if (c.value.empty() || c.rule.empty()) std::abort();
    if (c.value.size() >= 6 && c.rule.find(c.value) != std::string::npos &&
        key.find(c.value) == std::string_view::npos && c.type != DataType::kCredentials) {
      std::abort();  // the value leaked into the explanation
    }
    if (name(c.type).empty()) std::abort();
  }
  LocationPairer locations;
  CellPairer cells;
  locations.add(ctx, value);
  cells.add(ctx, value);
  std::vector<Candidate> paired;
  locations.finish(paired);
  cells.finish(paired);
  return 0;
}
