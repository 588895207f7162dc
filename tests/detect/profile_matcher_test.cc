// The profile's forms and the Vectorscan matcher: the forms include the
// hashes and encodings that coreutils (md5sum, sha1sum, sha256sum,
// sha512sum, base64) compute independently; every form of every value of the
// fixture identity is found in a leaf, with its rule and encodings; values
// changed in one character, numbers inside longer numbers and names inside
// longer words are not; the detectors' finding of the same bytes gives way
// to the profile's; location findings near home become profile findings.
#include "detect/profile_matcher.h"

#include <gtest/gtest.h>

#include "detect/validators.h"
#include "fixture/payloads.h"
#include "fixture/profile.h"
#include "support/support.h"

namespace ph::detect {
namespace {

Profile fixture_profile() {
  auto p = parse_profile(fixture::profile_toml(fixture::profile_identity()), ProfileFormat::kToml,
                         "device.toml");
  EXPECT_TRUE(p.ok());
  return p.ok() ? std::move(p.value()) : Profile{};
}

std::unique_ptr<ProfileMatcher> matcher(const Profile& p) {
  auto m = ProfileMatcher::build(p);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return m.ok() ? std::move(m.value()) : nullptr;
}

std::vector<Candidate> scan(ProfileMatcher& m, std::string_view value, std::string_view key = "k") {
  std::vector<Candidate> out;
  Context ctx{key, "$.k", "http.body", ""};
  m.scan(ctx, value, out);
  return out;
}

// What a coreutils tool prints for `value` on stdin (first word).
std::string tool(const std::string& cmd, const std::string& value) {
  std::string out = test::run_command("printf %s " + test::shell_quote(value) + " | " + cmd);
  return out.substr(0, out.find_first_of(" \n"));
}

bool has_form(const std::vector<ProfileForm>& forms, const std::string& bytes, bool caseless,
              std::string_view description) {
  for (const auto& f : forms)
    if (f.bytes == bytes && f.caseless == caseless && f.description == description) return true;
  return false;
}

TEST(ProfileForms, HashesAndEncodingsAgreeWithCoreutils) {
  auto id = fixture::profile_identity();
  auto imei = profile_forms({DataType::kImei, id.imei});
  EXPECT_TRUE(has_form(imei, id.imei, false, "your IMEI"));
  for (const auto& [cmd, label] :
       {std::pair{"md5sum", "MD5"}, std::pair{"sha1sum", "SHA-1"},
        std::pair{"sha256sum", "SHA-256"}, std::pair{"sha512sum", "SHA-512"}}) {
    std::string hex = tool(cmd, id.imei);
    ASSERT_GE(hex.size(), 32u) << cmd;
    EXPECT_TRUE(has_form(imei, hex, true, "your IMEI as " + std::string(label) + " hex")) << cmd;
  }
  std::string b64 = tool("base64 -w0", id.imei);
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  EXPECT_TRUE(has_form(imei, b64, false, "your IMEI as base64"));
  // base64 of the raw digest, from Python's hashlib and base64 modules.
  std::string sha1_b64 = test::run_command(
      "python3 -c 'import base64,hashlib,sys; "
      "print(base64.b64encode(hashlib.sha1(sys.argv[1].encode()).digest()).decode())' " +
      id.imei);
  while (!sha1_b64.empty() && (sha1_b64.back() == '=' || sha1_b64.back() == '\n'))
    sha1_b64.pop_back();
  EXPECT_TRUE(has_form(imei, sha1_b64, false, "your IMEI as SHA-1 base64"));
  // The e-mail address is hashed in lower case, as ad networks match it.
  auto email = profile_forms({DataType::kEmail, id.email});
  EXPECT_TRUE(has_form(email, tool("md5sum", id.email), true, "your e-mail address as MD5 hex"));
  EXPECT_TRUE(
      has_form(email, tool("sha256sum", id.email), true, "your e-mail address as SHA-256 hex"));
}

TEST(ProfileForms, EachTypeHasItsRenderings) {
  auto id = fixture::profile_identity();
  std::string imei_dashes = id.imei.substr(0, 2) + "-" + id.imei.substr(2, 6) + "-" +
                            id.imei.substr(8, 6) + "-" + id.imei.substr(14);
  EXPECT_TRUE(has_form(profile_forms({DataType::kImei, id.imei}), imei_dashes, false,
                       "your IMEI (with dashes)"));
  auto phone = profile_forms({DataType::kMsisdn, id.phone_e164});
  EXPECT_TRUE(has_form(phone, "+44 " + id.phone_national.substr(1), false,
                       "your phone number (international format)"));
  EXPECT_TRUE(has_form(phone, id.phone_national, false, "your phone number (national format)"));
  EXPECT_TRUE(
      has_form(phone, "0044" + id.phone_e164.substr(3), false, "your phone number (with 00)"));
  std::string national_url;
  for (char c : id.phone_national)
    national_url += c == ' ' ? std::string("%20") : std::string(1, c);
  EXPECT_TRUE(
      has_form(phone, national_url, false, "your phone number (national format) URL-encoded"));
  auto mac = profile_forms({DataType::kMac, id.mac});
  std::string bare = id.mac;
  std::erase(bare, ':');
  EXPECT_TRUE(has_form(mac, bare, true, "your MAC address (without separators)"));
  EXPECT_TRUE(has_form(mac, bare.substr(0, 4) + "." + bare.substr(4, 4) + "." + bare.substr(8),
                       true, "your MAC address (dotted)"));
  auto name = profile_forms({DataType::kName, "Alex Example"});
  EXPECT_TRUE(has_form(name, "Example, Alex", true, "your name (last name first)"));
  EXPECT_TRUE(has_form(name, "Alex%20Example", true, "your name URL-encoded"));
  EXPECT_TRUE(has_form(name, tool("sha256sum", "alex"), true,
                       "your name (one word of it, lower case) as SHA-256 hex"));
  // No two forms of a value are the same literal.
  for (const auto& forms : {phone, mac, name}) {
    for (size_t i = 0; i < forms.size(); ++i)
      for (size_t j = i + 1; j < forms.size(); ++j)
        EXPECT_FALSE(forms[i].bytes == forms[j].bytes && forms[i].caseless == forms[j].caseless)
            << forms[i].description << " / " << forms[j].description;
  }
}

TEST(ProfileMatcher, EveryFormOfEveryValueIsFoundWithItsRuleAndEncodings) {
  Profile p = fixture_profile();
  auto m = matcher(p);
  ASSERT_TRUE(m);
  size_t checked = 0;
  for (const ProfileValue& v : p.values) {
    for (const ProfileForm& f : profile_forms(v)) {
      SCOPED_TRACE(f.description);
      std::string leaf = "x=" + f.bytes + "&y=1";
      auto c = scan(*m, leaf, "di");
      auto it = std::find_if(c.begin(), c.end(), [&](const Candidate& x) {
        return x.value == v.value && x.offset == 2 && x.length == f.bytes.size();
      });
      ASSERT_NE(it, c.end());
      EXPECT_EQ(it->type, v.type);
      EXPECT_EQ(it->method, Method::kProfile);
      EXPECT_EQ(it->confidence, Confidence::kHigh);
      EXPECT_EQ(it->rule, f.description + " under key di");
      EXPECT_EQ(it->encodings, f.encodings);
      EXPECT_EQ(it->rule.find(v.value), std::string::npos);
      ++checked;
    }
  }
  EXPECT_GT(checked, 300u);
  EXPECT_EQ(checked, m->patterns());
}

TEST(ProfileMatcher, CaseDoesNotMatterWhereTheFormIsCaseless) {
  auto id = fixture::profile_identity();
  Profile p;
  p.values = {{DataType::kImei, id.imei}, {DataType::kEmail, id.email}};
  auto m = matcher(p);
  std::string sha = tool("sha256sum", id.imei);
  std::string upper = sha;
  for (char& c : upper) c = char(std::toupper(uint8_t(c)));
  ASSERT_EQ(scan(*m, sha).size(), 1u);
  ASSERT_EQ(scan(*m, upper).size(), 1u);
  std::string email = id.email;
  for (char& c : email) c = char(std::toupper(uint8_t(c)));
  auto c = scan(*m, "to: " + email + ".");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].value, id.email);
}

TEST(ProfileMatcher, NearValuesAreNotMatched) {
  auto id = fixture::profile_identity();
  Profile p;
  p.values = {{DataType::kImei, id.imei},
              {DataType::kEmail, id.email},
              {DataType::kName, id.name},
              {DataType::kSerial, id.serial},
              {DataType::kMsisdn, id.phone_e164}};
  auto m = matcher(p);
  for (size_t i = 0; i < id.imei.size(); ++i) {
    std::string near = id.imei;
    near[i] = char('0' + (near[i] - '0' + 1) % 10);
    EXPECT_TRUE(scan(*m, "imei=" + near).empty()) << i;
    EXPECT_TRUE(scan(*m, tool("sha1sum", near)).empty()) << i;
  }
  // A number inside a longer number is another number; a letter next to it
  // is no digit.
  EXPECT_TRUE(scan(*m, "1" + id.imei).empty());
  EXPECT_TRUE(scan(*m, id.imei + "0").empty());
  EXPECT_EQ(scan(*m, "IMEI" + id.imei + "x").size(), 1u);
  std::string national = id.phone_national;
  std::erase(national, ' ');
  EXPECT_TRUE(scan(*m, "ts=1" + national + "7").empty());
  EXPECT_EQ(scan(*m, "tel:" + national + ";").size(), 1u);
  // Names are whole words.
  EXPECT_TRUE(scan(*m, "Alex Examples").empty());
  EXPECT_TRUE(scan(*m, "Malex Example").empty());
  EXPECT_EQ(scan(*m, "by ALEX EXAMPLE.").size(), 1u);
  // E-mail addresses are whole addresses.
  EXPECT_TRUE(scan(*m, "x" + id.email).empty());
  EXPECT_TRUE(scan(*m, id.email + ".au").empty());
  EXPECT_EQ(scan(*m, "<" + id.email + ">").size(), 1u);
  // Short forms and base64 forms are whole tokens.
  EXPECT_TRUE(scan(*m, "SN" + id.serial).empty());
  std::string b64 = fixture::base64(id.serial);
  EXPECT_EQ(scan(*m, "s=" + b64).size(), 1u);
  EXPECT_TRUE(scan(*m, "Q" + b64).empty());
}

TEST(ProfileMatcher, OneOccurrenceIsOneCandidateNotOnePerOverlappingForm) {
  auto id = fixture::profile_identity();
  Profile p;
  p.values = {{DataType::kMsisdn, id.phone_e164}};
  auto m = matcher(p);
  // "+442079460xxx" contains the forms without '+' ("442079460xxx") and
  // the national significant number (after a digit: not a number of its own).
  auto e164 = scan(*m, "tel=" + id.phone_e164 + "&");
  ASSERT_EQ(e164.size(), 1u);
  EXPECT_EQ(e164[0].rule, "your phone number under key k");
  EXPECT_EQ(e164[0].length, id.phone_e164.size());
  auto c = scan(*m, "call +44 " + id.phone_national.substr(1) + " now");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].rule, "your phone number (international format) under key k");
  // Two occurrences are two candidates.
  EXPECT_EQ(scan(*m, id.phone_e164 + "," + id.phone_e164).size(), 2u);
}

TEST(ProfileMatcher, TheDetectorsFindingOfTheSameBytesGivesWay) {
  auto id = fixture::profile_identity();
  Profile p;
  p.values = {{DataType::kImei, id.imei}, {DataType::kMac, id.mac}};
  auto m = matcher(p);
  Detector detector;
  for (auto [key, value] :
       {std::pair{std::string("IMEI1"), id.imei}, std::pair{std::string("wifi_mac"), id.mac}}) {
    std::vector<Candidate> out;
    Context ctx{key, "$.d", "http.body", ""};
    detector.scan(ctx, value, out);
    ASSERT_EQ(out.size(), 1u) << key;
    EXPECT_EQ(out[0].method, Method::kValidated);
    m->scan(ctx, value, out);
    ASSERT_EQ(out.size(), 1u) << key;
    EXPECT_EQ(out[0].method, Method::kProfile);
    EXPECT_EQ(out[0].confidence, Confidence::kHigh);
    EXPECT_EQ(out[0].rule.find("your "), 0u);
  }
  // A detector finding elsewhere in the leaf stays.
  std::string other = fixture::with_luhn("35209900176148");
  std::vector<Candidate> out;
  Context ctx{"", "", "http.body", ""};
  std::string text = id.imei + " " + other;
  detector.scan(ctx, text, out);
  m->scan(ctx, text, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].method, Method::kProfile);
  EXPECT_EQ(out[1].method, Method::kValidated);
  EXPECT_EQ(out[1].value, other);
}

TEST(ProfileMatcher, LocationsNearHomeBecomeProfileFindings) {
  Profile p;
  p.homes = {{51.50800, -0.12810, 300}};
  auto m = matcher(p);
  EXPECT_FALSE(m->has_values());
  EXPECT_TRUE(scan(*m, "51.50800,-0.12810").empty());  // homes only: no scan at all
  Candidate near;
  near.type = DataType::kLocation;
  near.method = Method::kValidated;
  near.confidence = Confidence::kMedium;
  near.value = "51.51050,-0.12810";  // 278 m north
  near.rule = "latitude/longitude pair in range under keys lat and lon, 5 decimals";
  ASSERT_TRUE(m->near_home(near));
  EXPECT_EQ(near.method, Method::kProfile);
  EXPECT_EQ(near.confidence, Confidence::kHigh);
  EXPECT_EQ(near.rule,
            "within 300 m of your home location (latitude/longitude pair in range under keys lat "
            "and lon, 5 decimals)");
  Candidate far = near;
  far.method = Method::kValidated;
  far.value = "51.51100,-0.12810";  // 334 m north
  EXPECT_FALSE(m->near_home(far));
  EXPECT_EQ(far.method, Method::kValidated);
  Candidate not_location = far;
  not_location.type = DataType::kCellId;
  not_location.value = "51.50800,-0.12810";
  EXPECT_FALSE(m->near_home(not_location));
}

TEST(ProfileMatcher, TooManyHitsInOneLeafAreCapped) {
  auto id = fixture::profile_identity();
  Profile p;
  p.values = {{DataType::kImei, id.imei}};
  auto m = matcher(p);
  std::string leaf;
  for (size_t i = 0; i < ProfileMatcher::kMaxHits + 10; ++i) leaf += id.imei + ",";
  auto c = scan(*m, leaf);
  EXPECT_TRUE(m->last_scan_capped());
  EXPECT_EQ(c.size(), ProfileMatcher::kMaxHits);
  scan(*m, id.imei);
  EXPECT_FALSE(m->last_scan_capped());
}

}  // namespace
}  // namespace ph::detect
