// `phonehome scan` and its GeoIP data: --geoip DIR replaces the default
// data (and must work: a bad DIR is a usage error before anything is read),
// missing default data is a warning in the summary and the scan goes on,
// and the data used is credited in the report.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>

#include "fixture/mmdb.h"
#include "support/support.h"

namespace ph::test {
namespace {

struct ScanResult {
  int status = -1;
  std::string out;
};

ScanResult scan(const std::string& binary, const std::string& args) {
  ScanResult r;
  r.out = run_command("cd " + shell_quote(PHONEHOME_SOURCE_DIR) + " && " + binary +
                          " scan --no-progress " + args + " examples/demo.pcap 2>&1",
                      &r.status);
  return r;
}

void write_bytes(const std::filesystem::path& p, const std::vector<uint8_t>& b) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), b.size());
}

// The summary line of a jsonl run.
simdjson::dom::element summary(simdjson::dom::parser& parser, const std::string& out) {
  std::vector<std::string> lines = split_lines(out);
  simdjson::dom::element e;
  EXPECT_EQ(parser.parse(lines.back()).get(e), simdjson::SUCCESS) << lines.back();
  return e;
}

std::vector<std::string> strings(simdjson::dom::element array) {
  std::vector<std::string> out;
  for (simdjson::dom::element s : array.get_array()) out.emplace_back(std::string_view(s));
  return out;
}

TEST(GeoipCli, ABadGeoipDirectoryIsAUsageErrorNamingTheProblem) {
  TempDir dir;
  ScanResult r = scan(PHONEHOME_BINARY, "--geoip " + shell_quote(dir.file("absent").string()));
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("phonehome: --geoip: GeoIP directory " + dir.file("absent").string() +
                       ": does not exist"),
            std::string::npos)
      << r.out;
  write_bytes(dir.file("GeoLite2-City.mmdb"), std::vector<uint8_t>(100, 0));
  r = scan(PHONEHOME_BINARY, "--geoip " + shell_quote(dir.path().string()));
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("GeoLite2-City.mmdb: not a usable MaxMind DB file"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("INPUTS"), std::string::npos) << "nothing is scanned";
}

TEST(GeoipCli, GeoipDirectoryReplacesTheDefaultData) {
  TempDir dir;
  // A made-up answer for the demo's registration server, so the output
  // shows which database was used.
  fixture::MmdbSpec spec;
  spec.database_type = "GeoLite2-Country";
  spec.networks = {{IpAddr::parse("101.95.46.0"), 24,
                    fixture::MmdbValue::map(
                        {{"country", fixture::MmdbValue::map(
                                         {{"iso_code", fixture::MmdbValue::string("AQ")}})}})}};
  write_bytes(dir.file("GeoLite2-Country.mmdb"), fixture::mmdb_file(spec));
  ScanResult r =
      scan(PHONEHOME_BINARY, "--format jsonl --geoip " + shell_quote(dir.path().string()));
  ASSERT_EQ(r.status, 0) << r.out;
  simdjson::dom::parser parser;
  size_t located = 0;
  for (const std::string& line : split_lines(r.out)) {
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(line).get(e), simdjson::SUCCESS) << line;
    if (std::string_view(e["kind"]) != "finding") continue;
    simdjson::dom::element d = e["destination"];
    if (std::string_view(d["ip"]) != "101.95.46.35") continue;
    EXPECT_EQ(std::string_view(d["country"]), "AQ");
    EXPECT_TRUE(d["asn"].is_null());  // no ASN database in DIR
    EXPECT_EQ(std::string_view(d["scope"]), "public");
    ++located;
  }
  EXPECT_GT(located, 0u);
  simdjson::dom::element s = summary(parser, r.out);
  std::vector<std::string> warnings = strings(s["warnings"]);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "no ASN database in " + dir.path().string() + ": asn and org left empty");
  std::vector<std::string> sources = strings(s["data_sources"]);
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0].rfind("country from GeoLite2-Country.mmdb (GeoLite2-Country, built ", 0), 0u)
      << sources[0];
}

TEST(GeoipCli, MissingDefaultDataIsAWarningAndTheScanGoesOn) {
  for (const char* dir : {"/usr/local/share/phonehome/geoip", "/usr/share/phonehome/geoip"}) {
    if (std::filesystem::exists(dir)) GTEST_SKIP() << dir << " exists: the default data is found";
  }
  // The binary copied away from the source tree finds no data beside it.
  TempDir dir;
  std::filesystem::create_directories(dir.file("bin"));
  std::filesystem::copy_file(PHONEHOME_BINARY, dir.file("bin") / "phonehome");
  ScanResult r = scan(shell_quote((dir.file("bin") / "phonehome").string()), "--format jsonl");
  ASSERT_EQ(r.status, 0) << r.out;
  simdjson::dom::parser parser;
  simdjson::dom::element s = summary(parser, r.out);
  std::vector<std::string> warnings = strings(s["warnings"]);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].rfind("GeoIP data not found: run scripts/install-geoip", 0), 0u)
      << warnings[0];
  EXPECT_TRUE(strings(s["data_sources"]).empty());
  EXPECT_GT(uint64_t(s["findings"]), 0u);
  // Scopes need no data.
  EXPECT_NE(r.out.find("\"ip\":\"192.168.1.1\",\"port\":53,\"host\":null,\"country\":null,"
                       "\"asn\":null,\"org\":null,\"scope\":\"private\""),
            std::string::npos)
      << r.out;
  ScanResult text = scan(shell_quote((dir.file("bin") / "phonehome").string()), "--color never");
  EXPECT_NE(text.out.find("  warning: GeoIP data not found"), std::string::npos) << text.out;
}

TEST(GeoipCli, TheInstalledDataIsCreditedInTheReport) {
  if (!std::ifstream(std::string(PHONEHOME_SOURCE_DIR) + "/data/geoip/installed.txt"))
    FAIL() << "data/geoip is not installed: run scripts/install-geoip (make test does)";
  ScanResult r = scan(PHONEHOME_BINARY, "--color never");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("  data: country from ip-location-db geo-whois-asn-country "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  data: ASN from ip-location-db asn "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("warning: "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ph::test
