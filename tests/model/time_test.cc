#include "model/time.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>

#include "model/ip.h"

namespace ph {

TEST(Time, FormatsRfc3339WithMicroseconds) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_rfc3339(1556697600LL * kNsPerSec + 123456789), "2019-05-01T08:00:00.123456Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_rfc3339(951782400LL * kNsPerSec), "2000-02-29T00:00:00.000000Z");
  EXPECT_EQ(format_rfc3339(4107542399LL * kNsPerSec), "2100-02-28T23:59:59.000000Z");
  EXPECT_EQ(format_rfc3339(2147483648LL * kNsPerSec), "2038-01-19T03:14:08.000000Z");
}

TEST(Time, AgreesWithGmtimeOverCenturies) {
  for (int64_t secs = -2208988800LL; secs < 7258118400LL; secs += 86399 * 37 + 12345) {
    time_t t = static_cast<time_t>(secs);
    struct tm tm {};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.000000Z", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    ASSERT_EQ(format_rfc3339(secs * kNsPerSec), buf) << secs;
  }
}

TEST(IpAddr, ParsesAndPrintsBothVersions) {
  EXPECT_EQ(IpAddr::parse("192.0.2.7").to_string(), "192.0.2.7");
  EXPECT_EQ(IpAddr::parse("2001:db8::1").to_string(), "2001:db8::1");
  EXPECT_EQ(IpAddr::parse("nope").version, 0);
  EXPECT_LT(IpAddr::parse("10.0.0.1"), IpAddr::parse("10.0.0.2"));
}

}  // namespace ph
