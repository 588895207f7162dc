// Detector::scan end to end on single leaves: the examples of issue 4 (IMEI
// under IMEI1 high, under "order" not, Luhn-invalid under device_id a keyword
// finding, placeholders nothing), identifiers inside free text (a MAC in a
// firmware string, an IMSI in an EAP identity), every data type by key, and
// the pairers. All identifiers are generated (check digits computed here).
#include <gtest/gtest.h>

#include <algorithm>

#include "detect/detect.h"
#include "fixture/payloads.h"

namespace ph::detect {
namespace {

using fixture::with_luhn;

std::vector<Candidate> scan(std::string_view key, std::string_view value,
                            std::string_view home_mcc = "", std::string_view field = "") {
  static const Detector detector;
  std::vector<Candidate> out;
  Context ctx{key, key.empty() ? "" : std::string_view("$.x"), field, home_mcc};
  detector.scan(ctx, value, out);
  return out;
}

// A 15-digit IMEI with an allocated reporting body (35) and a valid Luhn digit.
const std::string kImei = with_luhn("35209900176148");

std::string luhn_broken(std::string s) {
  s.back() = char('0' + (s.back() - '0' + 1) % 10);
  return s;
}

TEST(Detector, ImeiUnderImeiKeyIsHigh) {
  auto c = scan("IMEI1", kImei);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].type, DataType::kImei);
  EXPECT_EQ(c[0].method, Method::kValidated);
  EXPECT_EQ(c[0].confidence, Confidence::kHigh);
  EXPECT_EQ(c[0].value, kImei);
  EXPECT_EQ(c[0].rule, "Luhn-valid 15 digits under key IMEI1");
  EXPECT_EQ(c[0].offset, 0u);
  EXPECT_EQ(c[0].length, 15u);
}

TEST(Detector, FormattedImeiUnderKeyIsNormalised) {
  std::string formatted = kImei.substr(0, 2) + "-" + kImei.substr(2, 6) + "-" + kImei.substr(8, 6) +
                          "-" + kImei.substr(14);
  auto c = scan("imei", formatted);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].value, kImei);
  EXPECT_EQ(c[0].confidence, Confidence::kHigh);
}

TEST(Detector, SameImeiUnderOrderOrNoKeyIsNotHigh) {
  auto none = scan("", kImei);
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].type, DataType::kImei);
  EXPECT_EQ(none[0].confidence, Confidence::kMedium);
  auto order = scan("order_id", kImei);
  ASSERT_EQ(order.size(), 1u);
  EXPECT_EQ(order[0].confidence, Confidence::kLow);
}

TEST(Detector, LuhnInvalidUnderDeviceIdIsKeywordMedium) {
  std::string bad = luhn_broken(kImei);
  auto c = scan("device_id", bad);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].type, DataType::kImei);
  EXPECT_EQ(c[0].method, Method::kKeyword);
  EXPECT_EQ(c[0].confidence, Confidence::kMedium);
  EXPECT_NE(c[0].rule.find("Luhn check fails"), std::string::npos) << c[0].rule;
  // Without a key the same number is nothing.
  EXPECT_TRUE(scan("", bad).empty());
}

TEST(Detector, PlaceholdersUnderImeiKeysGiveNothing) {
  for (const char* v : {"1", "0", "null", "", "unknown", "000000000000000", "N/A", "  "}) {
    EXPECT_TRUE(scan("imei", v).empty()) << v;
  }
}

TEST(Detector, ImeiInFreeTextAndKeyedList) {
  std::string text = "model=X1;imei:" + kImei + ";build=7";
  auto c = scan("", text);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(text.substr(c[0].offset, c[0].length), kImei);
  // Dual-SIM list under an IMEI key: both high.
  std::string second = with_luhn("86123456789012");
  auto list = scan("imeis", kImei + "," + second);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].value, second);
  EXPECT_EQ(list[0].confidence, Confidence::kHigh);
  EXPECT_EQ(list[1].confidence, Confidence::kHigh);
}

TEST(Detector, DigitsInsideHexOrDecimalsAreNotImeis) {
  EXPECT_TRUE(scan("", "a" + kImei + "f").empty());
  EXPECT_TRUE(scan("", "0." + kImei).empty());
  EXPECT_TRUE(scan("", kImei + ".5").empty());
}

TEST(Detector, ImeisvAndMeid) {
  auto sv = scan("imeisv", kImei.substr(0, 14) + "07");
  ASSERT_EQ(sv.size(), 1u);
  EXPECT_EQ(sv[0].type, DataType::kImeisv);
  EXPECT_EQ(sv[0].confidence, Confidence::kHigh);
  // 16 digits without a key: too much like a card number or a timestamp.
  EXPECT_TRUE(scan("", kImei.substr(0, 14) + "07").empty());
  auto meid = scan("meid", "A10000009296F2");
  ASSERT_EQ(meid.size(), 1u);
  EXPECT_EQ(meid[0].type, DataType::kMeid);
  EXPECT_EQ(meid[0].value, "a10000009296f2");
}

TEST(Detector, ImsiByTableWithAndWithoutKey) {
  // 242/01 and 310/260 are in the provider database (see e212_test).
  std::string imsi = "242010123456789";
  auto keyed = scan("SIM1LTEIMSI", imsi);
  ASSERT_EQ(keyed.size(), 1u);
  EXPECT_EQ(keyed[0].type, DataType::kImsi);
  EXPECT_EQ(keyed[0].confidence, Confidence::kHigh);
  EXPECT_NE(keyed[0].rule.find("MCC 242 MNC 01"), std::string::npos) << keyed[0].rule;
  auto bare = scan("", imsi);
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_EQ(bare[0].type, DataType::kImsi);
  EXPECT_EQ(bare[0].confidence, Confidence::kMedium);
  // Unknown MCC/MNC under an IMSI key: keyword only.
  auto unknown = scan("imsi", "999990123456789");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].method, Method::kKeyword);
}

TEST(Detector, ImsiInsideEapIdentity) {
  std::string_view nai = "1242010123456789@wlan.mnc001.mcc242.3gppnetwork.org";
  auto c = scan("identity", nai);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].type, DataType::kImsi);
  EXPECT_EQ(c[0].value, "242010123456789");
  EXPECT_EQ(c[0].confidence, Confidence::kHigh);
  EXPECT_EQ(nai.substr(c[0].offset, c[0].length), "242010123456789");
}

TEST(Detector, Iccid) {
  std::string iccid = with_luhn("8947080012345678901");  // 20 digits, +47 country code
  auto keyed = scan("SIM1ICCID", iccid);
  ASSERT_EQ(keyed.size(), 1u);
  EXPECT_EQ(keyed[0].type, DataType::kIccid);
  EXPECT_EQ(keyed[0].confidence, Confidence::kHigh);
  auto bare = scan("", "sim=" + iccid);
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_EQ(bare[0].type, DataType::kIccid);
  EXPECT_EQ(bare[0].confidence, Confidence::kMedium);
  EXPECT_TRUE(scan("", luhn_broken(iccid)).empty());
  auto bad = scan("iccid", luhn_broken(iccid));
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].method, Method::kKeyword);
}

TEST(Detector, MacInFirmwareStringAndEveryForm) {
  std::string_view fw = "DCH-S150_Ax_Default_FW_0120_908D78A8E143";
  auto c = scan("", fw);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].type, DataType::kMac);
  EXPECT_EQ(c[0].value, "90:8d:78:a8:e1:43");
  EXPECT_EQ(c[0].confidence, Confidence::kMedium);
  EXPECT_EQ(fw.substr(c[0].offset, c[0].length), "908D78A8E143");
  for (const char* form : {"00:1a:2b:3c:4d:5e", "00-1A-2B-3C-4D-5E", "001a.2b3c.4d5e"}) {
    auto s = scan("", std::string("seen ") + form + " today");
    ASSERT_EQ(s.size(), 1u) << form;
    EXPECT_EQ(s[0].value, "00:1a:2b:3c:4d:5e");
    EXPECT_EQ(s[0].confidence, Confidence::kHigh);
  }
  auto keyed = scan("MACID", "001A2B3C4D5E");
  ASSERT_EQ(keyed.size(), 1u);
  EXPECT_EQ(keyed[0].value, "00:1a:2b:3c:4d:5e");
  EXPECT_EQ(keyed[0].confidence, Confidence::kHigh);
  // A bare 12-digit number is not a MAC without a MAC key.
  EXPECT_TRUE(scan("", "id 001122334455 ok").empty());
  // Nor is a percent escape followed by ten digits (":1790775890" encoded),
  // while an encoded separator before a bare MAC does not hide it.
  EXPECT_TRUE(scan("", "payload=%7B%22t%22%3A1790775890%7D").empty());
  auto escaped = scan("", "mac%3D908D78A8E143%26v%3D2");
  ASSERT_EQ(escaped.size(), 1u);
  EXPECT_EQ(escaped[0].value, "90:8d:78:a8:e1:43");
}

TEST(Detector, MacExclusionsAndLocallyAdministered) {
  for (const char* v :
       {"ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00", "01:00:5e:7f:ff:fa", "02:00:00:00:00:00"}) {
    EXPECT_TRUE(scan("mac", v).empty()) << v;
    EXPECT_TRUE(scan("", v).empty()) << v;
  }
  auto random = scan("wifi_mac", "DA:A1:19:00:11:22");
  ASSERT_EQ(random.size(), 1u);
  EXPECT_NE(random[0].rule.find("locally administered"), std::string::npos);
  // Pieces of UUIDs and IPv6 addresses are not bare MACs.
  EXPECT_TRUE(scan("", "123e4567-e89b-12d3-a456-4266141740ab").empty());
  EXPECT_TRUE(scan("", "fe80::1a2b:3c4d:5e6f:7a8b").empty());
}

TEST(Detector, BssidAndSsid) {
  auto b = scan("bssid", "00:1a:2b:3c:4d:5e");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].type, DataType::kWifiBssid);
  auto s = scan("ssid", "\"HomeNet-5G\"");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].type, DataType::kSsid);
  EXPECT_EQ(s[0].value, "HomeNet-5G");
  EXPECT_TRUE(scan("ssid", "<unknown ssid>").empty());
}

TEST(Detector, PhoneNumbers) {
  // Written with +: found anywhere.
  auto plus = scan("", "call +47 912 34 567 now");
  ASSERT_EQ(plus.size(), 1u);
  EXPECT_EQ(plus[0].type, DataType::kMsisdn);
  EXPECT_EQ(plus[0].value, "+4791234567");
  EXPECT_EQ(plus[0].confidence, Confidence::kMedium);
  // National form: only under a phone key, with the home region from the MCC.
  EXPECT_TRUE(scan("", "91234567", "242").empty());
  auto home = scan("msisdn", "91234567", "242");
  ASSERT_EQ(home.size(), 1u);
  EXPECT_EQ(home[0].value, "+4791234567");
  EXPECT_EQ(home[0].confidence, Confidence::kHigh);
  // No region known: the national number is only a keyword finding.
  auto unknown = scan("msisdn", "91234567");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].method, Method::kKeyword);
  // International without +, as MSISDN fields often are.
  auto intl = scan("msisdn", "4791234567");
  ASSERT_EQ(intl.size(), 1u);
  EXPECT_EQ(intl[0].value, "+4791234567");
  EXPECT_EQ(intl[0].method, Method::kValidated);
  // A phone key over a non-number: nothing.
  EXPECT_TRUE(scan("phone_model", "Pixel").empty());
}

TEST(Detector, EmailAndUrlCredentials) {
  auto e = scan("", "contact: Jane.Doe@Example.org.");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].type, DataType::kEmail);
  EXPECT_EQ(e[0].value, "jane.doe@example.org");
  EXPECT_EQ(e[0].confidence, Confidence::kMedium);
  EXPECT_EQ(scan("email", "jane.doe@example.org")[0].confidence, Confidence::kHigh);
  EXPECT_TRUE(scan("", "logo@2x.png").empty());
  auto url2 = scan("", "https://admin:s3cret@cam.example.com/snap.jpg");
  ASSERT_EQ(url2.size(), 1u);
  EXPECT_EQ(url2[0].type, DataType::kCredentials);
  EXPECT_EQ(url2[0].value, "admin");
}

TEST(Detector, UrlCredentialsWhateverTheHost) {
  // IP cameras and NAS boxes put their own address in the URL: no TLD, so no
  // e-mail address either, but the user name and password are there.
  struct Case {
    const char* url;
    const char* user;
  };
  for (Case k : {Case{"ftp://admin:s3cret@192.0.2.1/", "admin"},
                 Case{"rtsp://cam:12345@192.168.1.64:554/s1", "cam"},
                 Case{"http://root:pa:ss@nas.local/", "root"},
                 Case{"smb://backup:x7!k@[2001:db8::1]/share", "backup"}}) {
    auto c = scan("", std::string("stream ") + k.url + " ok");
    ASSERT_EQ(c.size(), 1u) << k.url;
    EXPECT_EQ(c[0].type, DataType::kCredentials) << k.url;
    EXPECT_EQ(c[0].confidence, Confidence::kHigh) << k.url;
    EXPECT_EQ(c[0].value, k.user) << k.url;
  }
  // No scheme, no password, no host: not a URL's userinfo.
  EXPECT_TRUE(scan("", "admin:s3cret@192.0.2.1").empty());
  EXPECT_TRUE(scan("", "ftp://admin@192.0.2.1/").empty());
  EXPECT_TRUE(scan("", "ftp://admin:@192.0.2.1/").empty());
  EXPECT_TRUE(scan("", "http://a:b@ /").empty());
}

TEST(Detector, MacAfterALabelOrBeforeAnotherSeparator) {
  for (const char* text :
       {"MAC:a4:5e:60:e1:f2:c3", "ID:A4-5E-60-E1-F2-C3", "CAFE:a4:5e:60:e1:f2:c3",
        "a4-5e-60-e1-f2-c3.cfg.vendor.example", "a4:5e:60:e1:f2:c3.b"}) {
    auto c = scan("", text);
    ASSERT_EQ(c.size(), 1u) << text;
    EXPECT_EQ(c[0].type, DataType::kMac) << text;
    EXPECT_EQ(c[0].value, "a4:5e:60:e1:f2:c3") << text;
    EXPECT_EQ(c[0].confidence, Confidence::kHigh) << text;
  }
  // Pieces of longer runs of the same groups: IPv6 addresses, an EUI-64.
  for (const char* text :
       {"2001:db8:a4:5e:60:e1:f2:c3", "2001:cafe:a4:5e:60:e1:f2:c3", "fe80::a4:5e:60:e1:f2:c3",
        "a4:5e:60:e1:f2:c3:00:11", "0a4:5e:60:e1:f2:c3"})
    EXPECT_TRUE(scan("", text).empty()) << text;
}

TEST(Detector, ImeiUrnOfSipInstanceIds) {
  // RFC 7254: TAC, serial number, a spare digit; the check digit is computed.
  std::string urn = "<urn:gsma:imei:" + kImei.substr(0, 8) + "-" + kImei.substr(8, 6) + "-0>";
  auto c = scan("", "+sip.instance=\"" + urn + "\"");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].type, DataType::kImei);
  EXPECT_EQ(c[0].value, kImei);
  EXPECT_EQ(c[0].confidence, Confidence::kHigh);
  EXPECT_EQ(c[0].rule.find(kImei), std::string::npos);
  // An unallocated reporting body: medium; a malformed URN: nothing.
  auto odd = scan("", "urn:gsma:imei:12345678-123456-0");
  ASSERT_EQ(odd.size(), 1u);
  EXPECT_EQ(odd[0].confidence, Confidence::kMedium);
  EXPECT_TRUE(scan("", "urn:gsma:imei:3520990-176148-0").empty());
  EXPECT_TRUE(scan("", "urn:gsma:imei:35209900-176148-01").empty());
}

TEST(Detector, UserNameThatIsAnIdentifierIsReportedAsIt) {
  // An MQTT client logging in with its IMEI, an IMS private identity.
  auto imei = scan("username", kImei);
  ASSERT_EQ(imei.size(), 1u);
  EXPECT_EQ(imei[0].type, DataType::kImei);
  // (The IMS private identity under "username": ImsiInImsPrivateIdentity.)
  // Other user names stay user names.
  auto user = scan("username", "alice");
  ASSERT_EQ(user.size(), 1u);
  EXPECT_EQ(user[0].type, DataType::kCredentials);
  EXPECT_EQ(user[0].confidence, Confidence::kLow);
}

TEST(Detector, ImsiInImsPrivateIdentity) {
  // 3GPP TS 23.003 13.3: IMSI@ims.mncMNC.mccMCC.3gppnetwork.org, alone or
  // as a SIP Digest user name.
  for (const char* key : {"", "username"}) {
    auto agrees = scan(key, "242010123456789@ims.mnc001.mcc242.3gppnetwork.org");
    ASSERT_EQ(agrees.size(), 1u) << key;
    EXPECT_EQ(agrees[0].type, DataType::kImsi) << key;
    EXPECT_EQ(agrees[0].value, "242010123456789") << key;
    EXPECT_EQ(agrees[0].confidence, Confidence::kHigh) << key;
  }
  auto other = scan("", "242010123456789@ims.mnc002.mcc242.3gppnetwork.org");
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].confidence, Confidence::kMedium);
  // An IMSI that also passes as an IMEI (Luhn-valid, reporting body 44)
  // is the IMSI when the realm is built from it.
  std::string both = with_luhn("44010123456789");
  ASSERT_EQ(scan("", both)[0].type, DataType::kImei);
  auto ims = scan("", both + "@ims.mnc010.mcc440.3gppnetwork.org");
  ASSERT_EQ(ims.size(), 1u);
  EXPECT_EQ(ims[0].type, DataType::kImsi);
  EXPECT_EQ(ims[0].confidence, Confidence::kHigh);
}

TEST(Detector, Location) {
  auto c = scan("", "pos=59.91273,10.74609;acc=12");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].type, DataType::kLocation);
  EXPECT_EQ(c[0].value, "59.91273,10.74609");
  EXPECT_EQ(c[0].confidence, Confidence::kMedium);
  EXPECT_EQ(scan("location", "-33.86882, 151.20929")[0].confidence, Confidence::kHigh);
  EXPECT_EQ(scan("location", "-33.86882, 151.20929")[0].value, "-33.86882,151.20929");
  // Too few decimals, out of range, near 0,0, part of a longer vector.
  EXPECT_TRUE(scan("", "59.91,10.74").empty());
  EXPECT_TRUE(scan("", "95.12345,10.12345").empty());
  EXPECT_TRUE(scan("", "0.12345,0.54321").empty());
  EXPECT_TRUE(scan("", "1.5,59.91273,10.74609").empty());
}

TEST(Detector, AndroidIdAndAdId) {
  auto a = scan("_android_id", "9c3f0a1b2d4e5f67");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].type, DataType::kAndroidId);
  EXPECT_EQ(a[0].confidence, Confidence::kHigh);
  auto host = scan("hostname", "android-9c3f0a1b2d4e5f67");
  ASSERT_EQ(host.size(), 1u);
  EXPECT_EQ(host[0].type, DataType::kAndroidId);
  EXPECT_EQ(host[0].value, "9c3f0a1b2d4e5f67");
  // 16 hex without a key or prefix: nothing.
  EXPECT_TRUE(scan("", "9c3f0a1b2d4e5f67").empty());
  auto ad = scan("gaid", "38400000-8CF0-11BD-B23E-10B96E40000D");
  ASSERT_EQ(ad.size(), 1u);
  EXPECT_EQ(ad[0].type, DataType::kAdId);
  EXPECT_EQ(ad[0].value, "38400000-8cf0-11bd-b23e-10b96e40000d");
  EXPECT_EQ(ad[0].confidence, Confidence::kHigh);
  EXPECT_TRUE(scan("idfa", "00000000-0000-0000-0000-000000000000").empty());
  // A request UUID without an ad key is nothing.
  EXPECT_TRUE(scan("request_id", "38400000-8cf0-11bd-b23e-10b96e40000d").empty());
}

TEST(Detector, SerialIpNameAndCredentials) {
  auto s = scan("serialNo", "R58M12ABCDE");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].type, DataType::kSerial);
  EXPECT_EQ(s[0].method, Method::kKeyword);
  EXPECT_TRUE(scan("serial", "unknown").empty());
  auto ip = scan("client_ip", "198.51.100.23");
  ASSERT_EQ(ip.size(), 1u);
  EXPECT_EQ(ip[0].type, DataType::kIpAddress);
  EXPECT_TRUE(scan("", "198.51.100.23").empty());  // only under IP keys
  auto name = scan("firstName", "Kari");
  ASSERT_EQ(name.size(), 1u);
  EXPECT_EQ(name[0].type, DataType::kName);
  auto basic = scan("Authorization", "Basic dXNlcjpwYXNz");  // user:pass
  ASSERT_EQ(basic.size(), 1u);
  EXPECT_EQ(basic[0].type, DataType::kCredentials);
  EXPECT_EQ(basic[0].value, "user");
  EXPECT_EQ(basic[0].confidence, Confidence::kHigh);
  EXPECT_TRUE(scan("Authorization", "Bearer abc.def.ghi").empty());
  auto mqtt = scan("password", "hunter2", "", "mqtt.connect.password");
  ASSERT_EQ(mqtt.size(), 1u);
  EXPECT_EQ(mqtt[0].method, Method::kValidated);
  EXPECT_EQ(mqtt[0].confidence, Confidence::kHigh);
  auto json = scan("passwd", "hunter2");
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0].method, Method::kKeyword);
}

TEST(Detector, HashUnderImeiKeyIsKeywordLow) {
  auto c = scan("imei_md5", "9e107d9d372bb6826bd81d3542a419d6");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].type, DataType::kImei);
  EXPECT_EQ(c[0].method, Method::kKeyword);
  EXPECT_EQ(c[0].confidence, Confidence::kLow);
  Options quiet;
  quiet.keyword_findings = false;
  Detector d(quiet);
  std::vector<Candidate> out;
  d.scan(Context{"imei_md5", "", "", ""}, "9e107d9d372bb6826bd81d3542a419d6", out);
  EXPECT_TRUE(out.empty());
}

TEST(Detector, RulesNeverContainTheValue) {
  std::string values[] = {kImei, "00:1a:2b:3c:4d:5e", "jane.doe@example.org", "+4791234567",
                          "242010123456789"};
  for (const std::string& v : values) {
    for (const char* key : {"", "imei", "mac", "email", "phone", "imsi", "device_id"}) {
      for (const Candidate& c : scan(key, v)) {
        EXPECT_EQ(c.rule.find(c.value), std::string::npos) << c.rule;
        EXPECT_EQ(c.rule.find(v), std::string::npos) << c.rule;
      }
    }
  }
}

TEST(Detector, NothingInOrdinaryText) {
  for (const char* v :
       {"Mozilla/5.0 (Linux; Android 10; SM-G960F) AppleWebKit/537.36",
        "application/json; charset=utf-8", "1.2.3-beta+build.45", "price 12.99", "{\"ok\":true}"}) {
    EXPECT_TRUE(scan("", v).empty()) << v;
  }
}

TEST(LocationPairer, PairsBySiblingKeys) {
  LocationPairer p;
  p.add({"lat", "$.loc.lat", "", ""}, "59.9127");
  p.add({"name", "$.loc.name", "", ""}, "x");
  p.add({"lng", "$.loc.lng", "", ""}, "10.7461");
  p.add({"latitude", "$.other.latitude", "", ""}, "60.1");  // no partner
  std::vector<Candidate> out;
  p.finish(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, DataType::kLocation);
  EXPECT_EQ(out[0].value, "59.9127,10.7461");
  EXPECT_EQ(out[0].confidence, Confidence::kHigh);
  // Reusable, and a no-fix 0,0 gives nothing.
  p.add({"lat", "$.lat", "", ""}, "0");
  p.add({"lon", "$.lon", "", ""}, "0.0");
  out.clear();
  p.finish(out);
  EXPECT_TRUE(out.empty());
  // Two decimals: medium.
  p.add({"Latitude", "Latitude", "", ""}, "59.91");
  p.add({"Longitude", "Longitude", "", ""}, "10.75");
  p.finish(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].confidence, Confidence::kMedium);
}

TEST(LocationPairer, ReportsThePathOfThePair) {
  EXPECT_EQ(parent_path("$.gps.lat"), "$.gps");
  EXPECT_EQ(parent_path("$.cells[1]"), "$.cells");
  EXPECT_EQ(parent_path("xml.report.net@lat"), "xml.report.net");
  EXPECT_EQ(parent_path("lat"), "");
  LocationPairer p;
  p.add({"lat", "xml.fix@lat", "", ""}, "59.9127");
  p.add({"lon", "xml.fix@lon", "", ""}, "10.7461");
  std::vector<Candidate> out;
  p.finish(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].path, "xml.fix");
}

TEST(CellPairer, CombinesSiblingsAndCombinedValues) {
  CellPairer p;
  p.add({"SIM1MCC", "$.SIM1MCC", "", ""}, "242");
  p.add({"SIM1MNC", "$.SIM1MNC", "", ""}, "01");
  p.add({"SIM1LAC", "$.SIM1LAC", "", ""}, "12345");
  p.add({"SIM1CELLID", "$.SIM1CELLID", "", ""}, "67890123");
  p.add({"cid", "$.neighbours[0].cid", "", ""}, "4242");
  p.add({"cid", "$.neighbours[1].cid", "", ""}, "2147483647");  // unavailable
  std::vector<Candidate> out;
  p.finish(out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].value, "242-01-12345-67890123");
  EXPECT_EQ(out[0].confidence, Confidence::kHigh);
  EXPECT_EQ(out[0].path, "$");  // the siblings' parent
  EXPECT_EQ(out[1].value, "4242");
  EXPECT_EQ(out[1].method, Method::kKeyword);
  EXPECT_EQ(out[1].path, "$.neighbours[0].cid");  // alone: its own path
  p.add({"cellid", "$.cgi", "", ""}, "242-01-1A2B-0C3D4E");
  out.clear();
  p.finish(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, "242-01-1A2B-0C3D4E");
  EXPECT_EQ(out[0].path, "$.cgi");
}

TEST(Names, OutputContractNames) {
  EXPECT_EQ(name(DataType::kImei), "imei");
  EXPECT_EQ(name(DataType::kAndroidId), "android_id");
  EXPECT_EQ(name(DataType::kWifiBssid), "wifi_bssid");
  EXPECT_EQ(name(DataType::kIpAddress), "ip_address");
  EXPECT_EQ(name(DataType::kOther), "other");
  EXPECT_EQ(name(Method::kValidated), "validated");
  EXPECT_EQ(name(Confidence::kMedium), "medium");
}

}  // namespace
}  // namespace ph::detect
