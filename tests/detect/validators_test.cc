// Single-shape validators: Luhn, TAC plausibility, MEID check digit, every
// MAC form, UUID, e-mail, coordinates, phone numbers, IP, base64. Identifiers
// are generated here (check digits computed by the fixture helpers or by an
// independent implementation below), never real ones.
#include "detect/validators.h"

#include <gtest/gtest.h>

#include "fixture/payloads.h"

namespace ph::detect {
namespace {

using fixture::with_luhn;

// Base-16 Luhn check digit, written independently of validators.cc.
char meid_check_digit(std::string_view hex14) {
  int sum = 0;
  for (size_t i = 0; i < 14; ++i) {
    int d = std::stoi(std::string(1, hex14[i]), nullptr, 16);
    if (i % 2 == 1) {  // every second digit from the left, as 14 is even
      d *= 2;
      d = d / 16 + d % 16;
    }
    sum += d;
  }
  int check = (16 - sum % 16) % 16;
  return "0123456789ABCDEF"[check];
}

TEST(Luhn, ValidInvalidAndWrongInput) {
  std::string imei = with_luhn("35209900176148");
  EXPECT_TRUE(luhn_valid(imei));
  std::string bad = imei;
  bad.back() = char('0' + (bad.back() - '0' + 1) % 10);
  EXPECT_FALSE(luhn_valid(bad));
  EXPECT_FALSE(luhn_valid("3520990017614a"));
  EXPECT_FALSE(luhn_valid("7"));
  EXPECT_TRUE(luhn_valid(with_luhn("8947080012345678901")));
}

TEST(Luhn, EveryCheckDigitOfOneBodyOnlyOnePasses) {
  int passing = 0;
  for (char c = '0'; c <= '9'; ++c) passing += luhn_valid(std::string("86123456789012") + c);
  EXPECT_EQ(passing, 1);
}

TEST(Tac, AllocatedReportingBodies) {
  for (const char* ok : {"01", "35", "86", "99", "44", "49", "91"})
    EXPECT_TRUE(plausible_tac(std::string(ok) + "1234567890123")) << ok;
  for (const char* no : {"00", "10", "16", "17", "20", "77"})
    EXPECT_FALSE(plausible_tac(std::string(no) + "1234567890123")) << no;
  EXPECT_FALSE(plausible_tac("3"));
}

TEST(Meid, CheckDigitAndShape) {
  std::string body = "A0000012345678";
  std::string full = body + meid_check_digit(body);
  EXPECT_TRUE(meid_check_valid(full));
  std::string bad = full;
  bad.back() = bad.back() == '0' ? '1' : '0';
  EXPECT_FALSE(meid_check_valid(bad));
  EXPECT_TRUE(
      meid_check_valid("A10000009296F2" + std::string(1, meid_check_digit("A10000009296F2"))));
  EXPECT_TRUE(meid_shape("A10000009296F2"));
  EXPECT_FALSE(meid_shape("3510000009296F"));  // decimal IMEI space
  EXPECT_FALSE(meid_shape("A10000009296F"));   // 13
  EXPECT_FALSE(meid_shape("A10000009296FG"));
}

TEST(Mac, EveryFormParsesToTheSameAddress) {
  const char* forms[] = {"00:1a:2b:3c:4d:5e", "00:1A:2B:3C:4D:5E", "00-1a-2b-3c-4d-5e",
                         "00-1A-2B-3C-4D-5E", "001a.2b3c.4d5e",    "001A.2B3C.4D5E",
                         "001a2b3c4d5e",      "001A2B3C4D5E"};
  for (const char* f : forms) {
    auto mac = parse_mac(f);
    ASSERT_TRUE(mac) << f;
    EXPECT_EQ(format_mac(*mac), "00:1a:2b:3c:4d:5e") << f;
  }
}

TEST(Mac, MalformedFormsRejected) {
  for (const char* f : {"00:1a:2b:3c:4d", "00:1a-2b:3c:4d:5e", "00:1a:2b:3c:4d:5g", "001a2b3c4d5",
                        "001a.2b3c-4d5e", "0:1a:2b:3c:4d:5e:", ""}) {
    EXPECT_FALSE(parse_mac(f)) << f;
  }
}

TEST(Mac, NonDeviceAddressesExcludedLocallyAdministeredNoted) {
  EXPECT_FALSE(mac_identifies_device(*parse_mac("00:00:00:00:00:00")));
  EXPECT_FALSE(mac_identifies_device(*parse_mac("ff:ff:ff:ff:ff:ff")));
  EXPECT_FALSE(mac_identifies_device(*parse_mac("01:00:5e:00:00:fb")));  // IPv4 multicast
  EXPECT_FALSE(mac_identifies_device(*parse_mac("33:33:00:00:00:01")));  // IPv6 multicast
  EXPECT_FALSE(mac_identifies_device(*parse_mac("02:00:00:00:00:00")));  // Android placeholder
  auto random = parse_mac("da:a1:19:12:34:56");
  EXPECT_TRUE(mac_identifies_device(*random));
  EXPECT_TRUE(mac_locally_administered(*random));
  EXPECT_FALSE(mac_locally_administered(*parse_mac("00:1a:2b:3c:4d:5e")));
}

TEST(Uuid, Shape) {
  EXPECT_TRUE(is_uuid("38400000-8cf0-11bd-b23e-10b96e40000d"));
  EXPECT_TRUE(is_uuid("38400000-8CF0-11BD-B23E-10B96E40000D"));
  EXPECT_FALSE(is_uuid("38400000-8cf0-11bd-b23e-10b96e40000"));
  EXPECT_FALSE(is_uuid("384000008cf011bdb23e10b96e40000d"));
  EXPECT_FALSE(is_uuid("38400000-8cf0-11bd-b23e_10b96e40000d"));
}

size_t email_len(std::string_view text, size_t& start) {
  return email_at(text, text.find('@'), start);
}

TEST(Email, FoundWithBoundsAndTld) {
  size_t start = 99;
  std::string_view t = "mail me: john.doe+tag@mail.example.co.uk, thanks";
  size_t len = email_len(t, start);
  EXPECT_EQ(t.substr(start, len), "john.doe+tag@mail.example.co.uk");
  std::string_view q = "\"x_y-z@sub-domain.example.museum\"";
  len = email_len(q, start);
  EXPECT_EQ(q.substr(start, len), "x_y-z@sub-domain.example.museum");
}

TEST(Email, NotAddresses) {
  size_t start;
  for (const char* t :
       {"icon@2x.png", "lib@1.2.3", "user@localhost", "user@host", "@example.com", "a@-bad.com",
        "a@b.c0m", "x@y.local", "scope@types.json", "user.@example.com"}) {
    EXPECT_EQ(email_len(t, start), 0u) << t;
  }
}

TEST(Coordinate, ParsesDecimalsAndSign) {
  double v;
  int dec;
  ASSERT_TRUE(parse_coordinate("-33.8688", v, dec));
  EXPECT_NEAR(v, -33.8688, 1e-9);
  EXPECT_EQ(dec, 4);
  ASSERT_TRUE(parse_coordinate("151", v, dec));
  EXPECT_EQ(dec, 0);
  EXPECT_FALSE(parse_coordinate("1512.5", v, dec));
  EXPECT_FALSE(parse_coordinate("12.", v, dec));
  EXPECT_FALSE(parse_coordinate("12.5x", v, dec));
  EXPECT_FALSE(parse_coordinate("", v, dec));
}

TEST(Phone, InternationalAndRegional) {
  EXPECT_EQ(phone_e164("+47 912 34 567", ""), "+4791234567");
  EXPECT_EQ(phone_e164("91234567", "no"), "+4791234567");
  EXPECT_EQ(phone_e164("+44 7400 123456", ""), "+447400123456");
  EXPECT_FALSE(phone_e164("91234567", ""));      // no region: cannot tell
  EXPECT_FALSE(phone_e164("+47 12", ""));        // too short
  EXPECT_FALSE(phone_e164("+999 1234567", ""));  // no such country code
  EXPECT_TRUE(valid_country_code(47));
  EXPECT_FALSE(valid_country_code(999));
  EXPECT_EQ(country_code_length("4712345"), 2u);
  EXPECT_EQ(country_code_length("1234"), 1u);
  EXPECT_EQ(country_code_length("3531234"), 3u);
}

TEST(Ip, PlausibleAddresses) {
  EXPECT_TRUE(plausible_ip("192.0.2.10"));
  EXPECT_TRUE(plausible_ip("2001:db8::1"));
  EXPECT_FALSE(plausible_ip("0.0.0.0"));
  EXPECT_FALSE(plausible_ip("127.0.0.1"));
  EXPECT_FALSE(plausible_ip("::1"));
  EXPECT_FALSE(plausible_ip("300.1.1.1"));
  EXPECT_FALSE(plausible_ip("1.2.3"));
}

TEST(Base64, DecodesAndRejects) {
  char buf[16];
  size_t n;
  ASSERT_TRUE(base64_decode("dXNlcjpwYXNz", buf, sizeof buf, n));
  EXPECT_EQ(std::string_view(buf, n), "user:pass");
  ASSERT_TRUE(base64_decode("YQ==", buf, sizeof buf, n));
  EXPECT_EQ(std::string_view(buf, n), "a");
  EXPECT_FALSE(base64_decode("dXNl cjpw", buf, sizeof buf, n));
  EXPECT_FALSE(base64_decode("YQ==YQ", buf, sizeof buf, n));
  EXPECT_FALSE(base64_decode("dXNlcjpwYXNzdXNlcjpwYXNz", buf, 4, n));  // overflow
}

}  // namespace
}  // namespace ph::detect
