// `phonehome scan --profile`: the binary run on a fixture capture in which a
// phone sends the fixture identity hashed, encoded and reformatted; the
// jsonl findings are the profile's (TOML and JSON profiles alike), redacted;
// a bad profile is a usage error naming the place, never the value;
// warnings go to standard error and the summary.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <set>

#include "cli/scan_run.h"
#include "fixture/profile.h"
#include "pipeline/findings.h"

namespace ph::test {
namespace {

struct Fixture {
  TempDir dir;
  fixture::ProfileIdentity id = fixture::profile_identity();
  std::vector<fixture::ProfileLeak> leaks = fixture::profile_leaks(id);
  std::string capture;
  std::string toml, json;

  Fixture() {
    std::vector<std::string> requests;
    for (const auto& l : leaks) requests.push_back(l.request);
    capture = write_capture(dir, "leaks.pcap",
                            fixture::write_pcap(fixture::profile_capture(requests), {}));
    toml = write("device.toml", fixture::profile_toml(id));
    json = write("device.json", fixture::profile_json(id));
  }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir.file(name)) << text;
    return dir.file(name).string();
  }
};

// The profile findings of a jsonl report: "type sha256 encodings..." lines.
std::set<std::string> profile_findings(const std::string& jsonl) {
  std::set<std::string> out;
  simdjson::dom::parser parser;
  for (const auto& line : split_lines(jsonl)) {
    simdjson::dom::element e;
    if (parser.parse(line).get(e) || std::string_view(e["kind"]) != "finding") continue;
    if (std::string_view(e["method"]) != "profile") continue;
    EXPECT_EQ(std::string_view(e["confidence"]), "high");
    std::string s = std::string(std::string_view(e["data_type"])) + " " +
                    std::string(std::string_view(e["value_sha256"]));
    for (auto enc : e["encodings"].get_array()) s += " " + std::string(std::string_view(enc));
    out.insert(s);
  }
  return out;
}

TEST(ProfileCli, JsonlFindsTheProfileInEveryFormAndEncodingRedacted) {
  Fixture fx;
  ScanRun r =
      scan("--format jsonl --profile " + shell_quote(fx.toml) + " " + shell_quote(fx.capture));
  ASSERT_EQ(r.status, 0) << r.out;
  std::set<std::string> found = profile_findings(r.out);
  for (const auto& leak : fx.leaks) {
    std::string want = leak.data_type + " " + sha256_hex(leak.value);
    for (const auto& e : leak.encodings) want += " " + e;
    EXPECT_TRUE(found.count(want)) << want << "\n" << r.out;
  }
  EXPECT_EQ(found.size(), fx.leaks.size()) << "one profile finding a request, nothing else";
  for (const std::string& v : {fx.id.imei, fx.id.imei2, fx.id.email, fx.id.phone_e164, fx.id.mac})
    EXPECT_EQ(r.out.find(v), std::string::npos) << "redacted without --reveal";
  // A JSON profile gives the same findings.
  ScanRun j =
      scan("--format jsonl --profile " + shell_quote(fx.json) + " " + shell_quote(fx.capture));
  ASSERT_EQ(j.status, 0) << j.out;
  EXPECT_EQ(profile_findings(j.out), found);
  // --reveal shows them.
  ScanRun shown = scan("--format jsonl --reveal --profile " + shell_quote(fx.toml) + " " +
                       shell_quote(fx.capture));
  EXPECT_NE(shown.out.find("\"value\":\"" + fx.id.imei + "\""), std::string::npos);
}

TEST(ProfileCli, TextReportExplainsProfileFindings) {
  Fixture fx;
  ScanRun r =
      scan("--color never --profile " + shell_quote(fx.toml) + " " + shell_quote(fx.capture));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("high/profile"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", your IMEI as SHA-1 hex under key di; in http.uri query.di"),
            std::string::npos)
      << r.out;
}

TEST(ProfileCli, BadProfilesAreUsageErrorsThatNameThePlaceNotTheValue) {
  Fixture fx;
  const std::string cap = " " + shell_quote(fx.capture);
  std::string typo = fx.write("typo.toml", "imie = \"" + fx.id.imei + "\"\n");
  ScanRun r = scan("--profile " + shell_quote(typo) + cap);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "phonehome: " + typo + ":1:1: unknown key 'imie' (did you mean 'imei'?)\n");

  std::string two =
      fx.write("two.toml", "imei = [\"" + fx.id.imei.substr(1) + "\"]\nmac = \"02:00:00:00:00\"\n");
  r = scan("--profile " + shell_quote(two) + cap);
  EXPECT_EQ(r.status, 2);
  auto lines = split_lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0].rfind("phonehome: " + two + ":1:9: imei[1]: an IMEI has 15 digits", 0), 0u);
  EXPECT_EQ(lines[1].rfind("phonehome: " + two + ":2:7: mac: not a MAC address", 0), 0u);
  EXPECT_EQ(r.out.find(fx.id.imei.substr(1)), std::string::npos);

  std::string syntax = fx.write("syntax.toml", "imei = [\n");
  r = scan("--profile " + shell_quote(syntax) + cap);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out.rfind("phonehome: " + syntax + ":", 0), 0u) << r.out;

  std::string json = fx.write("bad.json", "{\"imei\": [\"" + fx.id.imei + "\",]}");
  r = scan("--profile " + shell_quote(json) + cap);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("phonehome: " + json + ": not valid JSON"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(fx.id.imei), std::string::npos);

  r = scan("--profile " + shell_quote(fx.dir.file("absent.toml").string()) + cap);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("cannot read profile"), std::string::npos);

  r = scan("--flows-only --profile " + shell_quote(fx.toml) + cap);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--profile needs protocol parsing"), std::string::npos);
}

TEST(ProfileCli, WarningsGoToStandardErrorAndTheSummary) {
  Fixture fx;
  std::string bad_luhn = fx.id.imei;
  bad_luhn.back() = char('0' + (bad_luhn.back() - '0' + 1) % 10);
  std::string p = fx.write("luhn.toml", "imei = \"" + bad_luhn + "\"\n");
  std::string err = fx.dir.file("stderr").string();
  int status = -1;
  std::string out =
      run_command(std::string(PHONEHOME_BINARY) + " scan --no-progress --format jsonl --profile " +
                      shell_quote(p) + " " + shell_quote(fx.capture) + " 2>" + shell_quote(err),
                  &status);
  EXPECT_EQ(status, 0);
  std::ifstream in(err);
  std::string stderr_text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string warning =
      p + ":1:8: imei: the Luhn check digit fails (a typo?); matched as written";
  EXPECT_EQ(stderr_text, "phonehome: warning: " + warning + "\n");
  EXPECT_NE(out.find("\"warnings\":[\"profile: " + warning + "\"]"), std::string::npos) << out;
  EXPECT_EQ(out.find(bad_luhn), std::string::npos);
  // -q keeps standard error quiet; the summary still says it.
  ScanRun quiet =
      scan("-q --format jsonl --profile " + shell_quote(p) + " " + shell_quote(fx.capture));
  EXPECT_EQ(quiet.out.find("phonehome: warning"), std::string::npos);
  EXPECT_NE(quiet.out.find("\"profile: " + warning + "\""), std::string::npos);
}

}  // namespace
}  // namespace ph::test
