// `phonehome scan --policy`: the binary run on examples/demo.pcap with
// examples/firmware-release-policy.toml (exit 1, exactly the violations the
// demo's leak gives), with a policy it keeps (exit 0), with bad policies
// (exit 2 before any input is read); the violations in every format
// (text, jsonl, json, SARIF, JUnit), redacted unless --reveal; exit code
// precedence over a damaged input.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <set>
#include <sstream>

#include "support/support.h"
#include "support/xml_tree.h"

namespace ph::test {
namespace {

constexpr const char* kPolicy = "examples/firmware-release-policy.toml";

struct PolicyRun {
  int status = -1;
  std::string out;  // standard output
  std::string err;
};

// Runs `phonehome scan` in the source directory, so paths in the output
// are the relative ones the README shows.
PolicyRun scan_in_source(const std::string& args) {
  TempDir dir;
  PolicyRun r;
  std::string err_file = dir.file("stderr").string();
  r.out = run_command("cd " + shell_quote(PHONEHOME_SOURCE_DIR) + " && " + PHONEHOME_BINARY +
                          " scan --no-progress " + args + " 2>" + shell_quote(err_file),
                      &r.status);
  std::ifstream in(err_file);
  std::stringstream s;
  s << in.rdbuf();
  r.err = s.str();
  return r;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string str(simdjson::dom::element e) { return std::string(std::string_view(e)); }

// "rule finding" of every violation record of a jsonl report.
std::set<std::string> violations(const std::string& jsonl) {
  std::set<std::string> out;
  simdjson::dom::parser parser;
  for (const auto& line : split_lines(jsonl)) {
    simdjson::dom::element e;
    if (parser.parse(line).get(e) || str(e["kind"]) != "violation") continue;
    out.insert(str(e["rule"]) + " " + std::to_string(uint64_t(e["finding"])));
  }
  return out;
}

// The demo's 18 findings (tests/golden/demo.jsonl) all go unencrypted to
// zzhc.vnet.example in China: per boot (flows 6, 12, 14) two IMEIs, an
// ICCID, an IMSI, a MAC and a cell id (findings 6, 12, 18).
std::set<std::string> expected_demo_violations() {
  std::set<std::string> want;
  for (int f = 1; f <= 18; ++f) {
    if (f % 6 != 5)  // not the MACs
      want.insert("no-device-identifiers-in-clear " + std::to_string(f));
    want.insert("identifiers-only-to-our-servers " + std::to_string(f));
    want.insert("no-personal-data-to-sanctioned-or-unapproved-regions " + std::to_string(f));
  }
  return want;
}

// The identifier values of the demo, from a --reveal run.
std::set<std::string> demo_values() {
  std::set<std::string> values;
  PolicyRun r = scan_in_source("--format jsonl --reveal examples/demo.pcap");
  simdjson::dom::parser parser;
  for (const auto& line : split_lines(r.out)) {
    simdjson::dom::element e;
    if (!parser.parse(line).get(e) && str(e["kind"]) == "finding") values.insert(str(e["value"]));
  }
  EXPECT_GE(values.size(), 6u);  // 2 IMEIs, an ICCID, an IMSI, a MAC, a cell id
  return values;
}

TEST(PolicyCli, ExamplePolicyFailsTheDemoWithExactlyItsViolations) {
  PolicyRun r =
      scan_in_source(std::string("--format jsonl --policy ") + kPolicy + " examples/demo.pcap");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(violations(r.out), expected_demo_violations());
  // Every other record is the one without a policy, byte for byte.
  std::string others;
  for (const auto& line : split_lines(r.out)) {
    if (line.find("{\"kind\":\"violation\"") == 0 || line.find("{\"kind\":\"policy\"") == 0)
      continue;
    others += line + "\n";
  }
  EXPECT_EQ(others, read_file(std::string(PHONEHOME_SOURCE_DIR) + "/tests/golden/demo.jsonl"));
  // The policy record: four rules, the last kept.
  simdjson::dom::parser parser;
  auto lines = split_lines(r.out);
  ASSERT_GE(lines.size(), 2u);
  simdjson::dom::element policy;
  ASSERT_EQ(parser.parse(lines[lines.size() - 2]).get(policy), simdjson::SUCCESS);
  EXPECT_EQ(str(policy["kind"]), "policy");
  EXPECT_EQ(str(policy["path"]), kPolicy);
  EXPECT_EQ(uint64_t(policy["violations"]), 51u);
  std::vector<uint64_t> per_rule;
  for (auto rule : policy["rules"].get_array()) per_rule.push_back(uint64_t(rule["violations"]));
  EXPECT_EQ(per_rule, (std::vector<uint64_t>{15, 18, 18, 0}));
}

TEST(PolicyCli, TextReportEndsWithTheVerdict) {
  PolicyRun r =
      scan_in_source(std::string("--color never --policy ") + kPolicy + " examples/demo.pcap");
  EXPECT_EQ(r.status, 1);
  size_t at = r.out.find(std::string("\nPOLICY ") + kPolicy +
                         ": FAILED (51 violations, 3 of 4 rules failed)\n");
  ASSERT_NE(at, std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  FAIL  no device identifiers in clear [no-device-identifiers-in-clear]: "
                       "15 violations\n",
                       at),
            std::string::npos);
  EXPECT_NE(r.out.find("        finding #1: imei 358467*******39 sent unencrypted to "
                       "zzhc.vnet.example (101.95.46.35:80, CN) by device 1, flow 6, frame 14 of "
                       "examples/demo.pcap\n",
                       at),
            std::string::npos);
  EXPECT_NE(
      r.out.find("  pass  no credentials in clear [no-credentials-in-clear]: 0 violations\n", at),
      std::string::npos);
  // Before the verdict, the report without a policy.
  EXPECT_EQ(r.out.substr(0, at),
            read_file(std::string(PHONEHOME_SOURCE_DIR) + "/tests/golden/demo.txt"));
}

TEST(PolicyCli, SarifOfTheDemoRedactedUnlessReveal) {
  std::set<std::string> values = demo_values();
  PolicyRun r =
      scan_in_source(std::string("--format sarif --policy ") + kPolicy + " examples/demo.pcap");
  EXPECT_EQ(r.status, 1) << r.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
  EXPECT_EQ(str(doc["version"]), "2.1.0");
  simdjson::dom::element run = doc["runs"].at(0);
  simdjson::dom::array rules = run["tool"]["driver"]["rules"].get_array();
  ASSERT_EQ(rules.size(), 4u);
  std::set<std::string> got;
  for (auto res : run["results"].get_array()) {
    EXPECT_EQ(str(res["level"]), "error");
    EXPECT_EQ(str(res["ruleId"]), str(rules.at(uint64_t(res["ruleIndex"]))["id"]));
    EXPECT_EQ(str(res["locations"].at(0)["physicalLocation"]["artifactLocation"]["uri"]),
              "examples/demo.pcap");
    got.insert(str(res["ruleId"]) + " " + std::to_string(uint64_t(res["properties"]["finding"])));
  }
  EXPECT_EQ(got, expected_demo_violations());
  for (const auto& v : values) EXPECT_EQ(r.out.find(v), std::string::npos) << v;
  PolicyRun shown = scan_in_source(std::string("--format sarif --reveal --policy ") + kPolicy +
                                   " examples/demo.pcap");
  for (const auto& v : values) EXPECT_NE(shown.out.find(v), std::string::npos) << v;
}

TEST(PolicyCli, JunitOfTheDemoRedactedUnlessReveal) {
  std::set<std::string> values = demo_values();
  TempDir dir;
  std::string xml_file = dir.file("policy.xml").string();
  PolicyRun r = scan_in_source(std::string("--format junit -o ") + shell_quote(xml_file) +
                               " --policy " + kPolicy + " examples/demo.pcap");
  EXPECT_EQ(r.status, 1) << r.err;
  std::string xml = read_file(xml_file);
  std::string error;
  auto root = parse_xml(xml, &error);
  ASSERT_TRUE(root) << error << "\n" << xml;
  auto suites = root->all("testsuite");
  ASSERT_EQ(suites.size(), 1u);
  EXPECT_EQ(suites[0]->attr("tests"), "4");
  EXPECT_EQ(suites[0]->attr("failures"), "3");
  std::vector<std::string> cases;
  for (const auto* c : suites[0]->all("testcase")) {
    const auto* failure = c->first("failure");
    cases.push_back(c->attr("name") + ": " + (failure ? failure->attr("message") : "pass"));
  }
  EXPECT_EQ(cases, (std::vector<std::string>{
                       "no device identifiers in clear / device 1 (f8:ad:cb:**:**:9b, "
                       "Nokia-7-plus): 15 violations (cell_id, iccid, imei, imsi)",
                       "identifiers only to our servers / device 1 (f8:ad:cb:**:**:9b, "
                       "Nokia-7-plus): 18 violations (cell_id, iccid, imei, imsi, mac)",
                       "no personal data to sanctioned or unapproved regions / device 1 "
                       "(f8:ad:cb:**:**:9b, Nokia-7-plus): 18 violations (cell_id, iccid, imei, "
                       "imsi, mac)",
                       "no credentials in clear / device 1 (f8:ad:cb:**:**:9b, Nokia-7-plus): "
                       "pass"}));
  for (const auto& v : values) EXPECT_EQ(xml.find(v), std::string::npos) << v;
  PolicyRun shown = scan_in_source(std::string("--format junit --reveal --policy ") + kPolicy +
                                   " examples/demo.pcap");
  for (const auto& v : values) EXPECT_NE(shown.out.find(v), std::string::npos) << v;
}

TEST(PolicyCli, APolicyTheDemoKeepsExitsZero) {
  TempDir dir;
  std::string policy = dir.file("keep.toml").string();
  std::ofstream(policy) << R"([[rule]]
name = "identifiers only to the carrier's registration server"
allow_hosts = ["zzhc.vnet.example"]
[[rule]]
name = "nothing encrypted leaves"
unencrypted_only = false
deny_data_types = ["credentials", "email"]
)";
  PolicyRun r =
      scan_in_source("--color never --policy " + shell_quote(policy) + " examples/demo.pcap");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("POLICY " + policy + ": PASSED (0 violations, 0 of 2 rules failed)"),
            std::string::npos)
      << r.out;
  PolicyRun junit =
      scan_in_source("--format junit --policy " + shell_quote(policy) + " examples/demo.pcap");
  EXPECT_EQ(junit.status, 0);
  auto root = parse_xml(junit.out);
  ASSERT_TRUE(root);
  EXPECT_EQ(root->first("testsuite")->attr("failures"), "0");
  EXPECT_EQ(root->first("testsuite")->attr("tests"), "2");
}

TEST(PolicyCli, ABadPolicyIsAUsageErrorBeforeAnyInputIsRead) {
  TempDir dir;
  std::string policy = dir.file("bad.toml").string();
  std::ofstream(policy)
      << "[[rule]]\nname = \"x\"\ndeny_data_types = [\"imie\"]\nallow_host = []\n";
  // The input does not exist: had it been opened, the exit would be 3.
  PolicyRun r = scan_in_source("--policy " + shell_quote(policy) + " /nonexistent/capture.pcap");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "phonehome: " + policy +
                       ":3:20: rule[1] 'x': deny_data_types: unknown data type 'imie' (did you "
                       "mean 'imei'?); \"*\" is any\n"
                       "phonehome: " +
                       policy +
                       ":4:1: rule[1] 'x': unknown key 'allow_host' (did you mean "
                       "'allow_hosts'?)\n");
  PolicyRun missing = scan_in_source("--policy /nonexistent/policy.toml examples/demo.pcap");
  EXPECT_EQ(missing.status, 2);
  EXPECT_EQ(missing.err, "phonehome: cannot read policy /nonexistent/policy.toml\n");
  PolicyRun sarif = scan_in_source("--format sarif examples/demo.pcap");
  EXPECT_EQ(sarif.status, 2);
  EXPECT_NE(sarif.err.find("--format sarif and junit report a policy's verdict: give --policy"),
            std::string::npos);
  PolicyRun flows =
      scan_in_source(std::string("--flows-only --policy ") + kPolicy + " examples/demo.pcap");
  EXPECT_EQ(flows.status, 2);
}

// A violation wins over a damaged input; without one, the damage's 4 stays.
TEST(PolicyCli, ViolationWinsOverADamagedInput) {
  TempDir dir;
  std::string demo = read_file(std::string(PHONEHOME_SOURCE_DIR) + "/examples/demo.pcap");
  std::string cut = dir.file("cut.pcap").string();
  std::ofstream(cut, std::ios::binary) << demo.substr(0, demo.size() - 30);
  PolicyRun plain = scan_in_source("--format jsonl " + shell_quote(cut));
  EXPECT_EQ(plain.status, 4);
  PolicyRun gated =
      scan_in_source(std::string("--format jsonl --policy ") + kPolicy + " " + shell_quote(cut));
  EXPECT_EQ(gated.status, 1);
  EXPECT_EQ(violations(gated.out), expected_demo_violations());
  std::string keep = dir.file("keep.toml").string();
  std::ofstream(keep)
      << "[[rule]]\nname = \"no credentials\"\ndeny_data_types = [\"credentials\"]\n";
  PolicyRun kept =
      scan_in_source("--format jsonl --policy " + shell_quote(keep) + " " + shell_quote(cut));
  EXPECT_EQ(kept.status, 4) << "a pass over a damaged input is not a pass";
}

TEST(PolicyCli, HelpDocumentsThePolicyAndItsExitCode) {
  int status = -1;
  std::string help = run_command(std::string(PHONEHOME_BINARY) + " --help", &status);
  EXPECT_EQ(status, 0);
  EXPECT_NE(help.find("--policy FILE"), std::string::npos);
  EXPECT_NE(help.find("--format sarif|junit"), std::string::npos);
  EXPECT_NE(help.find("  1  --policy: a rule was violated (this wins over 3 and 4"),
            std::string::npos);
}

}  // namespace
}  // namespace ph::test
