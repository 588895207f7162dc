// Reading device profiles: TOML and JSON give the same normalised values;
// every kind of mistake is an error with its place in the file (line and
// column for TOML), all of them listed; suspicious but usable values are
// warnings; no message ever carries a profile value. Values are generated
// by the fixture library.
#include "detect/profile.h"

#include <gtest/gtest.h>

#include <fstream>

#include "fixture/payloads.h"
#include "fixture/profile.h"
#include "support/support.h"

namespace ph::detect {
namespace {

using fixture::with_luhn;

const std::string kImei = with_luhn("35209900176148");

Profile parse_ok(std::string_view text, ProfileFormat f = ProfileFormat::kToml) {
  auto p = parse_profile(text, f, "device.toml");
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  return p.ok() ? std::move(p.value()) : Profile{};
}

std::string parse_error(std::string_view text, ProfileFormat f = ProfileFormat::kToml) {
  auto p = parse_profile(text, f, f == ProfileFormat::kJson ? "device.json" : "device.toml");
  EXPECT_FALSE(p.ok()) << text;
  return p.ok() ? "" : p.error().message;
}

std::vector<std::string> values_of(const Profile& p, DataType t) {
  std::vector<std::string> r;
  for (const auto& v : p.values)
    if (v.type == t) r.push_back(v.value);
  return r;
}

TEST(ProfileParse, TomlAndJsonOfTheFixtureGiveTheSameValues) {
  auto id = fixture::profile_identity();
  Profile toml = parse_ok(fixture::profile_toml(id));
  Profile json = parse_ok(fixture::profile_json(id), ProfileFormat::kJson);
  EXPECT_EQ(values_of(toml, DataType::kImei), (std::vector<std::string>{id.imei, id.imei2}));
  EXPECT_EQ(values_of(toml, DataType::kImsi), std::vector<std::string>{id.imsi});
  EXPECT_EQ(values_of(toml, DataType::kIccid), std::vector<std::string>{id.iccid});
  // The national number with phone_region "GB" becomes E.164.
  EXPECT_EQ(values_of(toml, DataType::kMsisdn), std::vector<std::string>{id.phone_e164});
  EXPECT_EQ(values_of(toml, DataType::kMac), std::vector<std::string>{id.mac});
  EXPECT_EQ(values_of(toml, DataType::kAndroidId), std::vector<std::string>{id.android_id});
  EXPECT_EQ(values_of(toml, DataType::kAdId), std::vector<std::string>{id.ad_id});
  EXPECT_EQ(values_of(toml, DataType::kSerial), std::vector<std::string>{id.serial});
  EXPECT_EQ(values_of(toml, DataType::kEmail), std::vector<std::string>{id.email});
  EXPECT_EQ(values_of(toml, DataType::kName), std::vector<std::string>{id.name});
  EXPECT_TRUE(toml.warnings.empty()) << toml.warnings[0];
  ASSERT_EQ(toml.homes.size(), 1u);
  EXPECT_NEAR(toml.homes[0].latitude, id.home_lat, 1e-5);
  EXPECT_NEAR(toml.homes[0].longitude, id.home_lon, 1e-5);
  EXPECT_EQ(toml.homes[0].radius_m, 300);
  ASSERT_EQ(json.values.size(), toml.values.size());
  for (size_t i = 0; i < json.values.size(); ++i) {
    EXPECT_EQ(json.values[i].type, toml.values[i].type);
    EXPECT_EQ(json.values[i].value, toml.values[i].value);
  }
  ASSERT_EQ(json.homes.size(), 1u);
  EXPECT_EQ(json.homes[0].latitude, toml.homes[0].latitude);
}

TEST(ProfileParse, ValuesAreNormalisedAsFindingsReportThem) {
  std::string dashed = kImei.substr(0, 2) + "-" + kImei.substr(2, 6) + "-" + kImei.substr(8, 6) +
                       "-" + kImei.substr(14);
  std::string iccid = with_luhn("894410123456789012");
  Profile p = parse_ok("imei = \"" + dashed + "\"\n" +
                       "imsi = \"234 10 1234567890\"\n"
                       "iccid = \"" +
                       iccid +
                       "F\"\n"
                       "mac = \"00-00-5E-00-53-2A\"\n"
                       "ad_id = \"3F2504E04F8941D39A0C0305E82C3301\"\n"
                       "android_id = \"9F3C2A1B0D4E5F60\"\n"
                       "email = \"  Alex.Example@Example.COM \"\n"
                       "name = \"  Alex   Example \"\n"
                       "phone = \"+44 20 7946 0123\"\n");
  EXPECT_EQ(values_of(p, DataType::kImei), std::vector<std::string>{kImei});
  EXPECT_EQ(values_of(p, DataType::kImsi), std::vector<std::string>{"234101234567890"});
  EXPECT_EQ(values_of(p, DataType::kIccid), std::vector<std::string>{iccid});
  EXPECT_EQ(values_of(p, DataType::kMac), std::vector<std::string>{"00:00:5e:00:53:2a"});
  EXPECT_EQ(values_of(p, DataType::kAdId),
            std::vector<std::string>{"3f2504e0-4f89-41d3-9a0c-0305e82c3301"});
  EXPECT_EQ(values_of(p, DataType::kAndroidId), std::vector<std::string>{"9f3c2a1b0d4e5f60"});
  EXPECT_EQ(values_of(p, DataType::kEmail), std::vector<std::string>{"alex.example@example.com"});
  EXPECT_EQ(values_of(p, DataType::kName), std::vector<std::string>{"Alex Example"});
  EXPECT_EQ(values_of(p, DataType::kMsisdn), std::vector<std::string>{"+442079460123"});
}

TEST(ProfileParse, NationalPhoneNumbersTakeTheRegionFromTheImsiWithoutPhoneRegion) {
  Profile p = parse_ok("imsi = \"234101234567890\"\nphone = \"020 7946 0123\"\n");
  EXPECT_EQ(values_of(p, DataType::kMsisdn), std::vector<std::string>{"+442079460123"});
  std::string e = parse_error("phone = \"020 7946 0123\"\n");
  EXPECT_NE(e.find("device.toml:1:9: phone: a national number needs phone_region"),
            std::string::npos)
      << e;
  EXPECT_NE(parse_error("phone = \"020 7946 0123\"\nphone_region = \"Great Britain\"\n")
                .find("phone_region"),
            std::string::npos);
}

TEST(ProfileParse, TomlSyntaxErrorsSayLineAndColumn) {
  std::string e = parse_error("imei = \"" + kImei + "\"\nimsi = [\"234101234567890\"\n");
  EXPECT_EQ(e.rfind("device.toml:2:", 0), 0u) << e;
  EXPECT_EQ(e.find(kImei), std::string::npos) << e;
  // toml++ quotes what it stumbled on raw; the message stays one line.
  EXPECT_EQ(parse_error("imei = f\n"),
            "device.toml:1:9: Error while parsing boolean: expected 'false', saw 'f\\n'");
}

// What toml++ 3.3 cannot take without undefined behaviour or a failed
// assertion (non-ASCII outside strings, a header without a name, bytes that
// are not UTF-8) is an error with its place, before toml++ sees it.
TEST(ProfileParse, FilesTomlPlusPlusCannotTakeAreErrorsWithTheirPlace) {
  EXPECT_EQ(parse_error("name = Zo\xc3\xab\n"),
            "device.toml:1:10: a character outside a quoted string that TOML does not allow");
  EXPECT_EQ(parse_error("name = \"x\" \xc2\xa7\n"),
            "device.toml:1:12: a character outside a quoted string that TOML does not allow");
  EXPECT_EQ(parse_error("imei = []\n[&]\n"),
            "device.toml:2:2: a table header starts with its name: [home]");
  EXPECT_EQ(parse_error("[ #home\nlatitude = 1\n"),
            "device.toml:1:3: a table header starts with its name: [home]");
  EXPECT_EQ(parse_error("name = \"\"\"\\\n\xc2\xa7\"\"\"\n"),
            "device.toml:1:11: a non-ASCII character right after a line-ending backslash");
  EXPECT_EQ(parse_error("name = \"\xcc\"\n"),
            "device.toml:1:9: not UTF-8 (a profile is a UTF-8 text file)");
  EXPECT_EQ(parse_error("name = \"\xed\xa0\x80\"\n"),
            "device.toml:1:9: not UTF-8 (a profile is a UTF-8 text file)");
  // Non-ASCII in strings and comments is fine; a nested array at the start
  // of a line is no header.
  Profile ok = parse_ok(
      "# caf\xc3\xa9\n"
      "name = ['''Zo\xc3\xab Example''', \"\"\"B\xc3\xa9"
      "a Sample\"\"\"]  # \xc2\xa7\n"
      "serial = [\n  \"SN12345\",\n]\n");
  EXPECT_EQ(values_of(ok, DataType::kName), (std::vector<std::string>{"Zo\xc3\xab Example",
                                                                      "B\xc3\xa9"
                                                                      "a Sample"}));
  EXPECT_EQ(values_of(ok, DataType::kSerial), std::vector<std::string>{"SN12345"});
}

TEST(ProfileParse, UnknownKeysAreErrorsWithTheNearestKnownOne) {
  std::string e = parse_error("imie = \"" + kImei + "\"\n");
  EXPECT_EQ(e, "device.toml:1:1: unknown key 'imie' (did you mean 'imei'?)");
  std::string far = parse_error("favourite_colour = \"blue\"\n");
  EXPECT_NE(far.find("unknown key 'favourite_colour' (known: imei imsi iccid"), std::string::npos)
      << far;
  std::string home = parse_error("[home]\nlatitude = 51.5\nlongitude = -0.12\nradus_m = 200\n");
  EXPECT_NE(home.find("device.toml:4:1: home: unknown key 'radus_m' (did you mean 'radius_m'?)"),
            std::string::npos)
      << home;
  std::string json = parse_error("{\"imie\": \"" + kImei + "\"}", ProfileFormat::kJson);
  EXPECT_EQ(json, "device.json: unknown key 'imie' (did you mean 'imei'?)");
}

TEST(ProfileParse, NumbersWhereStringsBelongAreErrors) {
  std::string e = parse_error("imei = " + kImei + "\n");
  EXPECT_NE(e.find("device.toml:1:8: imei: must be a string or a list of strings (got a number); "
                   "quote it"),
            std::string::npos)
      << e;
  EXPECT_EQ(e.find(kImei), std::string::npos);
  std::string json =
      parse_error("{\"imsi\": [\"234101234567890\", 234101234567891]}", ProfileFormat::kJson);
  EXPECT_NE(json.find("device.json: imsi[2]: must be a string"), std::string::npos) << json;
  EXPECT_NE(parse_error("email = true\n").find("(got a boolean)"), std::string::npos);
}

TEST(ProfileParse, ValuesThatCannotBeWhatTheirKeySaysAreErrorsAllListed) {
  const std::string short_imei = kImei.substr(0, 14);
  std::string e = parse_error("imei = [\"" + kImei + "\", \"" + short_imei +
                              "\"]\n"
                              "mac = \"ff:ff:ff:ff:ff:ff\"\n"
                              "ad_id = \"00000000-0000-0000-0000-000000000000\"\n"
                              "email = \"alex.example\"\n"
                              "serial = \"AB1\"\n"
                              "iccid = \"12345\"\n");
  auto lines = test::split_lines(e);
  ASSERT_EQ(lines.size(), 6u) << e;
  EXPECT_EQ(lines[0],
            "device.toml:1:" + std::to_string(13 + kImei.size()) +
                ": imei[2]: an IMEI has 15 digits (spaces and dashes allowed); this has 14");
  EXPECT_NE(lines[1].find("mac: a zero, broadcast or multicast address identifies no device"),
            std::string::npos);
  EXPECT_NE(lines[2].find("ad_id: the all-zero ID"), std::string::npos);
  EXPECT_NE(lines[3].find("email: not an e-mail address"), std::string::npos);
  EXPECT_NE(lines[4].find("serial: a serial number has 5 to 64 characters"), std::string::npos);
  EXPECT_NE(lines[5].find("iccid: an ICCID has 18 to 20 digits"), std::string::npos);
  for (std::string_view v : {std::string_view(short_imei), std::string_view("alex.example")})
    EXPECT_EQ(e.find(v), std::string::npos) << "messages never carry a value";
}

TEST(ProfileParse, SuspiciousValuesAreWarningsAndStillMatched) {
  std::string bad_luhn = kImei;
  bad_luhn.back() = char('0' + (bad_luhn.back() - '0' + 1) % 10);
  Profile p = parse_ok("imei = [\"" + kImei + "\", \"" + bad_luhn + "\", \"" + kImei +
                       "\"]\nimsi = \"999991234567890\"\nname = \"Alex\"\n");
  EXPECT_EQ(values_of(p, DataType::kImei), (std::vector<std::string>{kImei, bad_luhn}));
  EXPECT_EQ(values_of(p, DataType::kImsi), std::vector<std::string>{"999991234567890"});
  ASSERT_EQ(p.warnings.size(), 4u);
  EXPECT_EQ(p.warnings[0],
            "device.toml:1:" + std::to_string(13 + kImei.size()) +
                ": imei[2]: the Luhn check digit fails (a typo?); matched as written");
  EXPECT_NE(p.warnings[1].find("imei[3]: the same value is listed before; matched once"),
            std::string::npos);
  EXPECT_NE(p.warnings[2].find("imsi: MCC/MNC not in the E.212 table"), std::string::npos);
  EXPECT_NE(p.warnings[3].find("name: a single word"), std::string::npos);
  for (const auto& w : p.warnings) EXPECT_EQ(w.find(bad_luhn), std::string::npos) << w;
}

TEST(ProfileParse, HomeLocations) {
  Profile one = parse_ok("[home]\nlat = 51.5081\nlon = -0.1281\n");
  ASSERT_EQ(one.homes.size(), 1u);
  EXPECT_EQ(one.homes[0].radius_m, 300);  // the default
  Profile two = parse_ok(
      "[[home]]\nlatitude = 51.5\nlongitude = -0.12\nradius_m = 150\n"
      "[[home]]\nlatitude = 59.9\nlongitude = 10.7\nradius_m = 1000\n");
  ASSERT_EQ(two.homes.size(), 2u);
  EXPECT_EQ(two.homes[1].radius_m, 1000);
  Profile json = parse_ok(
      "{\"home\": [{\"latitude\": 51.5, \"longitude\": -0.12}, {\"lat\": 1.5, \"lng\": 2}]}",
      ProfileFormat::kJson);
  ASSERT_EQ(json.homes.size(), 2u);
  EXPECT_EQ(json.homes[1].longitude, 2);
  EXPECT_NE(parse_error("[home]\nlatitude = 51.5\n")
                .find("device.toml:1:1: home: needs latitude and longitude"),
            std::string::npos);
  EXPECT_NE(parse_error("[home]\nlatitude = 91\nlongitude = 0\n").find("within -90..90"),
            std::string::npos);
  EXPECT_NE(
      parse_error("[home]\nlatitude = 1\nlongitude = 1\nradius_m = 0\n").find("radius_m must be"),
      std::string::npos);
  EXPECT_NE(parse_error("[home]\nlatitude = \"51.5\"\nlongitude = 1\n")
                .find("device.toml:2:12: home.latitude: must be a number (got a string)"),
            std::string::npos);
  EXPECT_NE(parse_error("home = \"Trafalgar Square\"\n").find("home: must be a table"),
            std::string::npos);
}

TEST(ProfileParse, EmptyOrNonObjectProfilesAreErrors) {
  EXPECT_NE(parse_error("# nothing\n").find("device.toml: no values; give at least one of: imei"),
            std::string::npos);
  EXPECT_NE(parse_error("[1, 2]", ProfileFormat::kJson).find("one object"), std::string::npos);
  std::string many = "serial = [";
  for (size_t i = 0; i <= kMaxProfileValues; ++i)
    many += "\"SN" + std::to_string(100000 + i) + "\",";
  EXPECT_EQ(parse_error(many + "]\n"), "device.toml: more than 1000 values");
  EXPECT_NE(parse_error("{\"imei\": ", ProfileFormat::kJson).find("device.json: not valid JSON"),
            std::string::npos);
}

TEST(ProfileParse, TheFormatIsSniffedWhenNotGiven) {
  auto id = fixture::profile_identity();
  auto json = parse_profile(fixture::profile_json(id), ProfileFormat::kAuto, "p");
  auto toml = parse_profile(fixture::profile_toml(id), ProfileFormat::kAuto, "p");
  ASSERT_TRUE(json.ok());
  ASSERT_TRUE(toml.ok());
  EXPECT_EQ(json->values.size(), toml->values.size());
}

TEST(ProfileParse, LoadProfileReadsByExtension) {
  test::TempDir dir;
  auto id = fixture::profile_identity(3);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir.file(name)) << text;
    return dir.file(name).string();
  };
  auto toml = load_profile(write("device.toml", fixture::profile_toml(id)));
  ASSERT_TRUE(toml.ok()) << toml.error().message;
  EXPECT_EQ(values_of(*toml, DataType::kImei)[0], id.imei);
  // A JSON profile named .json is read as JSON even when it would sniff as TOML.
  auto json = load_profile(write("device.json", " \n" + fixture::profile_json(id)));
  ASSERT_TRUE(json.ok()) << json.error().message;
  auto wrong = load_profile(write("wrong.json", fixture::profile_toml(id)));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("not valid JSON"), std::string::npos);
  auto missing = load_profile(dir.file("absent.toml").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot read profile"), std::string::npos);
  auto huge = load_profile(write("huge.toml", "# " + std::string(2 << 20, 'x') + "\n"));
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.error().message.find("at most 1 MiB"), std::string::npos);
}

}  // namespace
}  // namespace ph::detect
