// Running the real `phonehome scan` binary in CLI tests, and writing the
// fixture captures it reads.
#pragma once

#include <string>
#include <vector>

#include "fixture/builder.h"
#include "support/support.h"

namespace ph::test {

struct ScanRun {
  int status = -1;
  std::string out;  // standard output and standard error
};

inline ScanRun scan(const std::string& args) {
  ScanRun r;
  r.out = run_command(std::string(PHONEHOME_BINARY) + " scan --no-progress " + args + " 2>&1",
                      &r.status);
  return r;
}

inline std::string write_capture(const TempDir& dir, const std::string& name,
                                 const std::vector<uint8_t>& bytes) {
  auto p = dir.file(name).string();
  fixture::write_file(p, bytes);
  return p;
}

}  // namespace ph::test
