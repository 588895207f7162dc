// Formatting of capture timestamps for reports. Done by hand (civil date
// from days, after Howard Hinnant's algorithm) because gmtime_r + snprintf
// dominated the cost of writing large reports.
#include "model/time.h"

#include <cstring>

namespace ph {
namespace {

void put_digits(char* p, int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = char('0' + v % 10);
    v /= 10;
  }
}

}  // namespace

std::string format_rfc3339(Timestamp ts) {
  char buf[kRfc3339Size];
  return std::string(format_rfc3339(ts, buf));
}

std::string_view format_rfc3339(Timestamp ts, char (&out)[kRfc3339Size]) {
  int64_t secs = ts / kNsPerSec;
  int64_t ns = ts % kNsPerSec;
  if (ns < 0) {
    ns += kNsPerSec;
    secs -= 1;
  }
  // Records come in time order, many within the same second: its text is
  // kept from the last call on this thread.
  thread_local int64_t last_secs = INT64_MIN;
  thread_local char last_text[20];
  if (secs == last_secs) {
    std::memcpy(out, last_text, 20);
    put_digits(out + 20, ns / 1000, 6);
    out[26] = 'Z';
    return {out, kRfc3339Size};
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  // Days since 1970-01-01 -> year, month, day (proleptic Gregorian).
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);

  char* p = out;  // YYYY-MM-DDTHH:MM:SS.ffffffZ
  put_digits(p, year < 0 ? 0 : year % 10000, 4);
  p[4] = '-';
  put_digits(p + 5, month, 2);
  p[7] = '-';
  put_digits(p + 8, day, 2);
  p[10] = 'T';
  put_digits(p + 11, rem / 3600, 2);
  p[13] = ':';
  put_digits(p + 14, rem / 60 % 60, 2);
  p[16] = ':';
  put_digits(p + 17, rem % 60, 2);
  p[19] = '.';
  put_digits(p + 20, ns / 1000, 6);
  p[26] = 'Z';
  std::memcpy(last_text, out, 20);
  last_secs = secs;
  return {out, kRfc3339Size};
}

}  // namespace ph
