#include "model/time.h"

#include <arpa/inet.h>
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

TEST(Time, RepeatedSecondsKeepTheirFractionAndOtherSecondsTheirText) {
  // The text of the last second is reused for the next timestamp in it:
  // the fraction must still be its own, and a change of second (forward,
  // back, across a day, before 1970) must not reuse it.
  const int64_t t = 1556697600LL * kNsPerSec;
  EXPECT_EQ(format_rfc3339(t + 1000), "2019-05-01T08:00:00.000001Z");
  EXPECT_EQ(format_rfc3339(t + 999'999'999), "2019-05-01T08:00:00.999999Z");
  EXPECT_EQ(format_rfc3339(t + kNsPerSec), "2019-05-01T08:00:01.000000Z");
  EXPECT_EQ(format_rfc3339(t + 5000), "2019-05-01T08:00:00.000005Z");
  EXPECT_EQ(format_rfc3339(t - 1), "2019-05-01T07:59:59.999999Z");
  EXPECT_EQ(format_rfc3339(t - 86400 * kNsPerSec + 7000), "2019-04-30T08:00:00.000007Z");
  EXPECT_EQ(format_rfc3339(-kNsPerSec + 2000), "1969-12-31T23:59:59.000002Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00.000000Z");
}

TEST(IpAddr, ParsesAndPrintsBothVersions) {
  EXPECT_EQ(IpAddr::parse("192.0.2.7").to_string(), "192.0.2.7");
  EXPECT_EQ(IpAddr::parse("2001:db8::1").to_string(), "2001:db8::1");
  EXPECT_EQ(IpAddr::parse("nope").version, 0);
  EXPECT_LT(IpAddr::parse("10.0.0.1"), IpAddr::parse("10.0.0.2"));
  // parse() takes views that are not C strings, and refuses over-long text.
  std::string_view padded = "192.0.2.70";
  EXPECT_EQ(IpAddr::parse(padded.substr(0, 9)).to_string(), "192.0.2.7");
  EXPECT_EQ(IpAddr::parse(std::string(100, '1')).version, 0);
}

// to_string() is its own formatter: inet_ntop is the oracle, on addresses
// built to hit every rule (zero runs of each length and position, ties,
// IPv4-mapped and -compatible forms) and on random ones.
TEST(IpAddr, PrintsLikeInetNtop) {
  auto check = [](const IpAddr& a) {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(a.version == 4 ? AF_INET : AF_INET6, a.b.data(), buf, sizeof buf);
    ASSERT_EQ(a.to_string(), buf);
  };
  uint64_t s = 0x9e3779b97f4a7c15ull;
  auto next = [&s] {
    s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
    return s * 2685821657736338717ull;
  };
  for (int mask = 0; mask < 256; ++mask) {  // each of the 8 groups zero or not
    for (int variant = 0; variant < 4; ++variant) {
      uint8_t bytes[16];
      for (int g = 0; g < 8; ++g) {
        uint16_t w = 0;
        if (mask & (1 << g)) {
          const uint16_t choices[] = {uint16_t(next()), 1, 0xffff, 0x00ab};
          w = choices[variant];
          if (w == 0) w = 0x10;
        }
        bytes[2 * g] = uint8_t(w >> 8);
        bytes[2 * g + 1] = uint8_t(w);
      }
      check(IpAddr::v6(bytes));
    }
  }
  for (int i = 0; i < 2000; ++i) {
    uint8_t bytes[16];
    for (auto& b : bytes) b = uint8_t(next());
    check(IpAddr::v4(bytes));
    check(IpAddr::v6(bytes));
    bytes[0] = bytes[1] = bytes[2] = bytes[3] = bytes[4] = bytes[5] = bytes[6] = bytes[7] = 0;
    bytes[8] = bytes[9] = 0;
    bytes[10] = bytes[11] = 0xff;  // ::ffff:a.b.c.d
    check(IpAddr::v6(bytes));
    bytes[10] = bytes[11] = 0;  // ::a.b.c.d
    check(IpAddr::v6(bytes));
  }
  uint8_t zero[16] = {};
  check(IpAddr::v4(zero));
  check(IpAddr::v6(zero));
  zero[15] = 1;
  check(IpAddr::v6(zero));  // ::1
}

}  // namespace ph
