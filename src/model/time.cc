// Formatting of capture timestamps for reports.
#include "model/time.h"

#include <cstdio>
#include <ctime>

namespace ph {

std::string format_rfc3339(Timestamp ts) {
  int64_t secs = ts / kNsPerSec;
  int64_t ns = ts % kNsPerSec;
  if (ns < 0) {
    ns += kNsPerSec;
    secs -= 1;
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ns / 1000));
  return buf;
}

}  // namespace ph
