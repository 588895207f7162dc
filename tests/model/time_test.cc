#include "model/time.h"

#include <gtest/gtest.h>

#include "model/ip.h"

namespace ph {

TEST(Time, FormatsRfc3339WithMicroseconds) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_rfc3339(1556697600LL * kNsPerSec + 123456789), "2019-05-01T08:00:00.123456Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(IpAddr, ParsesAndPrintsBothVersions) {
  EXPECT_EQ(IpAddr::parse("192.0.2.7").to_string(), "192.0.2.7");
  EXPECT_EQ(IpAddr::parse("2001:db8::1").to_string(), "2001:db8::1");
  EXPECT_EQ(IpAddr::parse("nope").version, 0);
  EXPECT_LT(IpAddr::parse("10.0.0.1"), IpAddr::parse("10.0.0.2"));
}

}  // namespace ph
