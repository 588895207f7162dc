// The sinks of a policy's verdict on a report made in the test: SARIF 2.1.0
// (parsed with simdjson: driver rules, results with ruleId, level, message,
// locations), JUnit XML (parsed with expat: one testsuite, a testcase a rule
// and device, failures), the jsonl/json records and the text section; values
// redacted unless --reveal; text from the network escaped.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <set>
#include <sstream>

#include "policy/policy.h"
#include "report/report.h"
#include "support/support.h"
#include "support/xml_tree.h"

namespace ph::report {
namespace {

constexpr const char* kImei = "358467100000039";
constexpr const char* kMac = "64:d3:aa:bb:cc:9b";

// One device, two findings (an IMEI and a MAC, unencrypted, to China) and
// a verdict of three rules: the first two violated, the third in the scope
// of no device.
struct Fixture {
  Report r;
  std::string host = "zzhc.vnet.example";

  explicit Fixture(std::string_view host_name = "zzhc.vnet.example") : host(host_name) {
    r.inputs.push_back({});
    r.inputs[0].path = "caps/first boot.pcap";
    r.inputs[0].format = "pcap";
    r.input_opened = {true};
    DeviceRecord d;
    d.id = 1;
    d.mac = MacAddr{{0xf8, 0xad, 0xcb, 0x12, 0x34, 0x9b}};
    d.ips = {IpAddr::parse("192.168.1.23")};
    d.hostname.text = "Nokia-7-plus";
    r.devices.push_back(d);
    FindingRecord f;
    f.id = 1, f.device = 1, f.flow = 6, f.frame = 14;
    f.data_type = "imei", f.value = kImei, f.value_sha256 = "ab12";
    f.confidence = "high", f.method = "validated", f.protocol = "http", f.encrypted = false;
    f.destination.ip = IpAddr::parse("101.95.46.35");
    f.destination.port = 80;
    f.destination.host = host;
    f.destination.country = "CN";
    f.destination.scope = "public";
    r.findings.push_back(f);
    f.id = 2, f.data_type = "mac", f.value = kMac, f.value_sha256 = "cd34";
    r.findings.push_back(f);
    auto p = policy::parse_policy(R"(
[[rule]]
name = "no device identifiers in clear"
deny_data_types = ["imei", "imsi"]
unencrypted_only = true
[[rule]]
name = "nothing to China"
description = "Not a byte."
deny_countries = ["CN"]
[[rule]]
name = "the pixel"
devices = ["pixel*"]
)",
                                  "release.toml");
    EXPECT_TRUE(p.ok()) << p.error().message;
    r.verdict = policy::evaluate(*p, r);
  }

  std::string write(Format f, bool reveal = false) const {
    std::ostringstream out;
    Options o;
    o.reveal = reveal;
    report::write(r, f, o, out);
    return out.str();
  }
};

std::string str(simdjson::dom::element e) { return std::string(std::string_view(e)); }

TEST(PolicySarif, DriverRulesAndResultsWithLocations) {
  Fixture fx;
  std::string out = fx.write(Format::kSarif);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(out).get(doc), simdjson::SUCCESS) << out;
  EXPECT_EQ(str(doc["version"]), "2.1.0");
  EXPECT_EQ(str(doc["$schema"]), "https://json.schemastore.org/sarif-2.1.0.json");
  simdjson::dom::array runs = doc["runs"].get_array();
  ASSERT_EQ(runs.size(), 1u);
  simdjson::dom::element run = runs.at(0);
  EXPECT_EQ(str(run["tool"]["driver"]["name"]), "phonehome");
  simdjson::dom::array rules = run["tool"]["driver"]["rules"].get_array();
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(str(rules.at(0)["id"]), "no-device-identifiers-in-clear");
  EXPECT_EQ(str(rules.at(0)["shortDescription"]["text"]), "no device identifiers in clear");
  EXPECT_EQ(str(rules.at(0)["fullDescription"]["text"]), "imei, imsi sent unencrypted");
  EXPECT_EQ(str(rules.at(1)["fullDescription"]["text"]), "Not a byte.");
  EXPECT_EQ(str(rules.at(1)["defaultConfiguration"]["level"]), "error");
  EXPECT_EQ(str(run["artifacts"].at(0)["location"]["uri"]), "caps/first%20boot.pcap");

  simdjson::dom::array results = run["results"].get_array();
  ASSERT_EQ(results.size(), 3u);  // the IMEI (rule 0), the IMEI and the MAC (rule 1)
  std::vector<std::string> got;
  for (simdjson::dom::element res : results) {
    EXPECT_EQ(str(res["level"]), "error");
    uint64_t index = res["ruleIndex"];
    EXPECT_EQ(str(res["ruleId"]), str(rules.at(index)["id"]));
    simdjson::dom::element loc = res["locations"].at(0);
    EXPECT_EQ(str(loc["physicalLocation"]["artifactLocation"]["uri"]), "caps/first%20boot.pcap");
    EXPECT_EQ(uint64_t(loc["physicalLocation"]["artifactLocation"]["index"]), 0u);
    EXPECT_EQ(str(loc["logicalLocations"].at(0)["fullyQualifiedName"]), "device 1/flow 6");
    EXPECT_EQ(str(res["partialFingerprints"]["phonehomeViolation/v1"]).size(), 64u);
    got.push_back(str(res["ruleId"]) + " " + str(res["properties"]["data_type"]) + " " +
                  str(res["message"]["text"]));
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "no-device-identifiers-in-clear imei imei 358467*******39 sent unencrypted "
                     "to zzhc.vnet.example (101.95.46.35:80, CN) by device 1, flow 6, frame 14 "
                     "of caps/first boot.pcap",
                     "nothing-to-china imei imei 358467*******39 sent unencrypted to "
                     "zzhc.vnet.example (101.95.46.35:80, CN) by device 1, flow 6, frame 14 of "
                     "caps/first boot.pcap",
                     "nothing-to-china mac mac 64:d3:*********9b sent unencrypted to "
                     "zzhc.vnet.example (101.95.46.35:80, CN) by device 1, flow 6, frame 14 of "
                     "caps/first boot.pcap"}));
  // The same leak has the same fingerprint under one rule, another under another.
  EXPECT_NE(str(results.at(0)["partialFingerprints"]["phonehomeViolation/v1"]),
            str(results.at(1)["partialFingerprints"]["phonehomeViolation/v1"]));
}

TEST(PolicySarif, ValuesRedactedUnlessReveal) {
  Fixture fx;
  std::string hidden = fx.write(Format::kSarif);
  EXPECT_EQ(hidden.find(kImei), std::string::npos);
  EXPECT_EQ(hidden.find(kMac), std::string::npos);
  std::string shown = fx.write(Format::kSarif, true);
  EXPECT_NE(shown.find(std::string("\"value\":\"") + kImei + "\""), std::string::npos);
  EXPECT_NE(shown.find(std::string("mac ") + kMac + " sent"), std::string::npos);
}

TEST(PolicyJunit, OneSuiteACaseARuleAndDeviceFailuresListViolations) {
  Fixture fx;
  std::string out = fx.write(Format::kJunit);
  std::string error;
  auto root = test::parse_xml(out, &error);
  ASSERT_TRUE(root) << error << "\n" << out;
  EXPECT_EQ(root->name, "testsuites");
  auto suites = root->all("testsuite");
  ASSERT_EQ(suites.size(), 1u);
  const test::XmlElement& suite = *suites[0];
  EXPECT_EQ(suite.attr("name"), "policy release.toml");
  EXPECT_EQ(suite.attr("tests"), "3");
  EXPECT_EQ(suite.attr("failures"), "2");
  EXPECT_EQ(suite.attr("skipped"), "1");
  auto cases = suite.all("testcase");
  ASSERT_EQ(cases.size(), 3u);
  EXPECT_EQ(cases[0]->attr("classname"), "phonehome.policy.no-device-identifiers-in-clear");
  EXPECT_EQ(cases[0]->attr("name"),
            "no device identifiers in clear / device 1 (f8:ad:cb:**:**:9b, Nokia-7-plus)");
  const test::XmlElement* f0 = cases[0]->first("failure");
  ASSERT_TRUE(f0);
  EXPECT_EQ(f0->attr("message"), "1 violation (imei)");
  EXPECT_EQ(f0->text,
            "Denies imei, imsi sent unencrypted.\n"
            "imei 358467*******39 sent unencrypted to zzhc.vnet.example (101.95.46.35:80, CN) by "
            "device 1, flow 6, frame 14 of caps/first boot.pcap\n");
  const test::XmlElement* f1 = cases[1]->first("failure");
  ASSERT_TRUE(f1);
  EXPECT_EQ(f1->attr("message"), "2 violations (imei, mac)");
  EXPECT_EQ(cases[2]->attr("name"), "the pixel");
  EXPECT_FALSE(cases[2]->first("failure"));
  EXPECT_TRUE(cases[2]->first("skipped"));
  EXPECT_EQ(out.find(kImei), std::string::npos);
  EXPECT_EQ(out.find("f8:ad:cb:12:34:9b"), std::string::npos);
  std::string shown = fx.write(Format::kJunit, true);
  auto revealed = test::parse_xml(shown);
  ASSERT_TRUE(revealed);
  const test::XmlElement* c0 = revealed->first("testsuite")->first("testcase");
  EXPECT_EQ(c0->attr("name"),
            "no device identifiers in clear / device 1 (f8:ad:cb:12:34:9b, Nokia-7-plus)");
  EXPECT_NE(c0->first("failure")->text.find(std::string("imei ") + kImei + " sent"),
            std::string::npos);
}

TEST(PolicyJunit, HostileTextFromTheNetworkStaysWellFormed) {
  Fixture fx("a<b>&\"c'\x01\xff.example");
  std::string out = fx.write(Format::kJunit);
  std::string error;
  auto root = test::parse_xml(out, &error);
  ASSERT_TRUE(root) << error << "\n" << out;
  const test::XmlElement* failure = root->first("testsuite")->first("testcase")->first("failure");
  ASSERT_TRUE(failure);
  EXPECT_NE(failure->text.find("to a<b>&\"c'\xef\xbf\xbd\xef\xbf\xbd.example (101.95.46.35:80"),
            std::string::npos)
      << failure->text;
  // SARIF of the same is valid JSON too.
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(fx.write(Format::kSarif)).get(doc), simdjson::SUCCESS);
}

TEST(PolicyRecords, JsonlViolationAndPolicyRecordsBeforeTheSummary) {
  Fixture fx;
  auto lines = test::split_lines(fx.write(Format::kJsonl));
  simdjson::dom::parser parser;
  std::vector<std::string> kinds;
  std::vector<std::string> violations;
  for (const auto& l : lines) {
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(l).get(e), simdjson::SUCCESS) << l;
    kinds.push_back(str(e["kind"]));
    if (kinds.back() == "violation") {
      violations.push_back(str(e["rule"]) + " " + std::to_string(uint64_t(e["finding"])) + " " +
                           str(e["value"]) + " " + str(e["destination"]["host"]));
      EXPECT_EQ(uint64_t(e["flow"]), 6u);
      EXPECT_FALSE(bool(e["encrypted"]));
    }
    if (kinds.back() == "policy") {
      EXPECT_EQ(str(e["path"]), "release.toml");
      EXPECT_FALSE(bool(e["passed"]));
      EXPECT_EQ(uint64_t(e["violations"]), 3u);
      EXPECT_EQ(uint64_t(e["rules"].at(1)["violations"]), 2u);
      EXPECT_EQ(e["rules"].at(2)["devices"].get_array().size(), 0u);
    }
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"device", "finding", "finding", "violation",
                                             "violation", "violation", "policy", "summary"}));
  EXPECT_EQ(violations, (std::vector<std::string>{
                            "no-device-identifiers-in-clear 1 358467*******39 zzhc.vnet.example",
                            "nothing-to-china 1 358467*******39 zzhc.vnet.example",
                            "nothing-to-china 2 64:d3:*********9b zzhc.vnet.example"}));
  simdjson::dom::element doc;
  std::string json = fx.write(Format::kJson);
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["violations"].get_array().size(), 3u);
  EXPECT_EQ(str(doc["policy"]["rules"].at(0)["summary"]), "imei, imsi sent unencrypted");
  // Without a verdict there is neither record nor key.
  fx.r.verdict.reset();
  EXPECT_EQ(fx.write(Format::kJsonl).find("\"kind\":\"violation\""), std::string::npos);
  EXPECT_EQ(fx.write(Format::kJson).find("\"policy\""), std::string::npos);
}

TEST(PolicyText, AVerdictSectionLast) {
  Fixture fx;
  std::string out = fx.write(Format::kText);
  size_t at = out.find("POLICY release.toml: FAILED (3 violations, 2 of 3 rules failed)\n");
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_GT(at, out.find("SUMMARY"));
  EXPECT_EQ(out.substr(at + out.substr(at).find('\n') + 1),
            "  FAIL  no device identifiers in clear [no-device-identifiers-in-clear]: 1 violation\n"
            "        denies imei, imsi sent unencrypted\n"
            "        finding #1: imei 358467*******39 sent unencrypted to zzhc.vnet.example "
            "(101.95.46.35:80, CN) by device 1, flow 6, frame 14 of caps/first boot.pcap\n"
            "  FAIL  nothing to China [nothing-to-china]: 2 violations\n"
            "        denies any personal data sent to servers in CN\n"
            "        finding #1: imei 358467*******39 sent unencrypted to zzhc.vnet.example "
            "(101.95.46.35:80, CN) by device 1, flow 6, frame 14 of caps/first boot.pcap\n"
            "        finding #2: mac 64:d3:*********9b sent unencrypted to zzhc.vnet.example "
            "(101.95.46.35:80, CN) by device 1, flow 6, frame 14 of caps/first boot.pcap\n"
            "  pass  the pixel [the-pixel]: 0 violations\n"
            "        denies any personal data sent by the rule's 1 device entry; no device in the "
            "capture is in its scope\n");
  EXPECT_EQ(out.find(kImei), std::string::npos);
}

}  // namespace
}  // namespace ph::report
