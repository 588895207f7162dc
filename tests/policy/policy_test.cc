// The policy gate on its own: reading rules (every key, the data type names
// and aliases, every mistake with its place) and judging findings (each
// condition of a rule on its own, host globs, CIDR prefixes, countries,
// encryption, confidence, device scoping) and a whole report.
#include "policy/policy.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/support.h"

namespace ph::policy {
namespace {

Policy parse_ok(const std::string& text) {
  auto p = parse_policy(text, "policy.toml");
  EXPECT_TRUE(p.ok()) << p.error().message;
  return p.ok() ? p.value() : Policy{};
}

std::string parse_error(const std::string& text) {
  auto p = parse_policy(text, "policy.toml");
  EXPECT_FALSE(p.ok()) << text;
  return p.ok() ? std::string() : p.error().message;
}

Rule rule_of(const std::string& body) {
  Policy p = parse_ok("[[rule]]\nname = \"r\"\n" + body);
  EXPECT_EQ(p.rules.size(), 1u);
  return p.rules.empty() ? Rule{} : p.rules[0];
}

// An unencrypted high-confidence IMEI to a.example-oem.com (203.0.113.7:80,
// public, CN) from device 1.
FindingRecord finding() {
  FindingRecord f;
  f.id = 1;
  f.device = 1;
  f.flow = 3;
  f.frame = 9;
  f.data_type = "imei";
  f.value = "358467100000039";
  f.confidence = "high";
  f.method = "validated";
  f.protocol = "http";
  f.encrypted = false;
  f.destination.ip = IpAddr::parse("203.0.113.7");
  f.destination.port = 80;
  f.destination.host = "a.example-oem.com";
  f.destination.country = "CN";
  f.destination.scope = "public";
  return f;
}

DeviceRecord device() {
  DeviceRecord d;
  d.id = 1;
  d.mac = MacAddr{{0xf8, 0xad, 0xcb, 0x12, 0x34, 0x9b}};
  d.ips = {IpAddr::parse("192.168.1.23")};
  d.hostname.text = "Nokia-7-plus";
  d.names = {{"Nokia-7-plus", {}}, {"kitchen-phone.local", {}}};
  return d;
}

TEST(PolicyParse, TheIssueShapeReadsAsWritten) {
  Policy p = parse_ok(R"(
[[rule]]
name = "no device identifiers in clear"
deny_data_types = ["imei", "imsi", "iccid", "msisdn", "cell_id"]
unencrypted_only = true          # only findings in unencrypted flows violate
allow_hosts = ["*.example-oem.com"]
deny_countries = []              # empty: any country
)");
  ASSERT_EQ(p.rules.size(), 1u);
  const Rule& r = p.rules[0];
  EXPECT_EQ(p.path, "policy.toml");
  EXPECT_EQ(r.name, "no device identifiers in clear");
  EXPECT_EQ(r.id, "no-device-identifiers-in-clear");
  EXPECT_EQ(r.line, 2u);
  EXPECT_EQ(r.data_types, (std::vector<std::string>{"imei", "imsi", "iccid", "msisdn", "cell_id"}));
  EXPECT_TRUE(r.unencrypted_only);
  ASSERT_EQ(r.allow_hosts.size(), 1u);
  EXPECT_EQ(r.allow_hosts[0].glob, "*.example-oem.com");
  EXPECT_TRUE(r.deny_countries.empty());
  EXPECT_EQ(r.min_confidence, 0);
  EXPECT_EQ(r.summary,
            "imei, imsi, iccid, msisdn, cell_id sent unencrypted to any host but "
            "*.example-oem.com");
}

TEST(PolicyParse, EveryKey) {
  Policy p = parse_ok(R"(
[[rule]]
id = "ids.v2"
name = "IDs"
description = "Identifiers stay with the vendor"
deny_data_types = "phone"
min_confidence = "medium"
unencrypted_only = false
allow_hosts = ["Vendor.Example.", "10.0.0.0/8", "2001:db8::1"]
deny_hosts = [".tracker.example"]
deny_countries = ["cn", "RU"]
allow_countries = ["DE"]
devices = ["F8-AD-CB-12-34-9B", "192.168.1.0/24", "nokia-*"]

[[rule]]
name = "anything"
deny_data_types = ["imei", "*"]
)");
  ASSERT_EQ(p.rules.size(), 2u);
  const Rule& r = p.rules[0];
  EXPECT_EQ(r.id, "ids.v2");
  EXPECT_EQ(r.description, "Identifiers stay with the vendor");
  EXPECT_EQ(r.data_types, std::vector<std::string>{"msisdn"});  // a string for a list, an alias
  EXPECT_EQ(r.min_confidence, 1);
  ASSERT_EQ(r.allow_hosts.size(), 3u);
  EXPECT_EQ(r.allow_hosts[0].glob, "vendor.example");  // lower case, no trailing dot
  ASSERT_TRUE(r.allow_hosts[1].prefix);
  EXPECT_EQ(r.allow_hosts[1].prefix->bits, 8u);
  ASSERT_TRUE(r.allow_hosts[2].prefix);
  EXPECT_EQ(r.allow_hosts[2].prefix->bits, 128u);
  EXPECT_EQ(r.deny_hosts[0].glob, ".tracker.example");
  EXPECT_EQ(r.deny_countries, (std::vector<std::string>{"CN", "RU"}));
  EXPECT_EQ(r.allow_countries, std::vector<std::string>{"DE"});
  ASSERT_EQ(r.devices.size(), 3u);
  EXPECT_EQ(r.devices[0].mac, device().mac);
  ASSERT_TRUE(r.devices[1].prefix);
  EXPECT_EQ(r.devices[2].glob, "nokia-*");
  EXPECT_TRUE(p.rules[1].data_types.empty()) << "\"*\" is any data type";
  EXPECT_EQ(p.rules[1].summary, "any personal data sent");
}

TEST(PolicyParse, DataTypeNamesAreTheContractsAndSomeAliases) {
  for (const char* n : {"imei", "imeisv", "meid", "imsi", "iccid", "msisdn", "mac", "android_id",
                        "ad_id", "serial", "email", "location", "cell_id", "wifi_bssid", "ssid",
                        "credentials", "name", "ip_address", "other"})
    EXPECT_EQ(data_type_name(n), n);
  EXPECT_EQ(data_type_name("phone"), "msisdn");
  EXPECT_EQ(data_type_name("phone_number"), "msisdn");
  EXPECT_EQ(data_type_name("mac_address"), "mac");
  EXPECT_EQ(data_type_name("advertising_id"), "ad_id");
  EXPECT_EQ(data_type_name("bssid"), "wifi_bssid");
  EXPECT_EQ(data_type_name("imie"), "");
  EXPECT_EQ(rule_of("deny_data_types = [\"IMEI\", \"Phone\"]\n").data_types,
            (std::vector<std::string>{"imei", "msisdn"}));
}

TEST(PolicyParse, MistakesAreErrorsWithFileLineAndColumn) {
  EXPECT_EQ(parse_error("[[rule]]\nname = \"x\"\ndeny_data_types = [\"imei\", \"imie\"]\n"),
            "policy.toml:3:28: rule[1] 'x': deny_data_types: unknown data type 'imie' (did you "
            "mean 'imei'?); \"*\" is any");
  EXPECT_EQ(parse_error("[[rule]]\nname = \"x\"\nallow_host = []\n"),
            "policy.toml:3:1: rule[1] 'x': unknown key 'allow_host' (did you mean "
            "'allow_hosts'?)");
  EXPECT_EQ(parse_error("[[rule]]\nname = \"x\"\nunencrypted_only = \"yes\"\n"),
            "policy.toml:3:20: rule[1] 'x': unencrypted_only: true or false");
  EXPECT_EQ(parse_error("[[rule]]\nname = \"x\"\nmin_confidence = \"certain\"\n"),
            "policy.toml:3:18: rule[1] 'x': min_confidence: one of \"low\", \"medium\", \"high\"");
  EXPECT_EQ(parse_error("[[rule]]\nname = \"x\"\ndeny_countries = [\"China\"]\n"),
            "policy.toml:3:19: rule[1] 'x': deny_countries: unknown country 'China' (ISO 3166 "
            "alpha-2 codes, such as \"CN\")");
  EXPECT_EQ(parse_error("[[rule]]\nname = \"x\"\nallow_hosts = [\"https://a.example/\"]\n"),
            "policy.toml:3:16: rule[1] 'x': allow_hosts: 'https://a.example/' is not a host name "
            "pattern (*.example.com), IP address or CIDR prefix");
  EXPECT_EQ(parse_error("[[rule]]\nname = \"x\"\nallow_hosts = [\"10.0.0.0/33\"]\n"),
            "policy.toml:3:16: rule[1] 'x': allow_hosts: '10.0.0.0/33' is not a host name "
            "pattern (*.example.com), IP address or CIDR prefix");
  EXPECT_EQ(parse_error("[[rule]]\nname = \"x\"\ndeny_hosts = [1]\n"),
            "policy.toml:3:15: rule[1] 'x': deny_hosts: a list of strings (\"...\") is expected");
  EXPECT_EQ(parse_error("[[rule]]\ndeny_data_types = [\"imei\"]\n"),
            "policy.toml:1:1: rule[1]: a rule needs a name: name = \"...\"");
  EXPECT_EQ(parse_error("[[rule]]\nname = \"A b\"\n[[rule]]\nname = \"a-B\"\n"),
            "policy.toml:3:1: rule[2] 'a-B': the id 'a-b' is already the rule's of line 1 (give "
            "one of them another name or an id)");
  EXPECT_EQ(parse_error("[[rule]]\nname = \"x\"\nid = \"no spaces\"\n"),
            "policy.toml:3:6: rule[1] 'x': id: letters, digits, '-', '_' and '.', at most 64");
  EXPECT_EQ(parse_error("# nothing\n"), "policy.toml: no rules: a policy has [[rule]] tables");
  EXPECT_EQ(parse_error("[[rule]]\nname = \"x\"\ndevices = [\"\"]\n"),
            "policy.toml:3:12: rule[1] 'x': devices: an entry is a MAC address, an IP address or "
            "prefix, or a name");
  EXPECT_EQ(parse_error("[rule]\nname = \"x\"\n"),
            "policy.toml:1:2: rule: rules are [[rule]] tables");
  EXPECT_EQ(parse_error("rules = []\n"),
            "policy.toml:1:1: unknown key 'rules' (did you mean 'rule'?); rules are [[rule]] "
            "tables");
  // Every problem is listed, one a line, in the order of the file.
  EXPECT_EQ(parse_error("[[rule]]\nname = \"x\"\nmin_confidence = 3\nfoo = 1\n"),
            "policy.toml:3:18: rule[1] 'x': min_confidence: one of \"low\", \"medium\", \"high\"\n"
            "policy.toml:4:1: rule[1] 'x': unknown key 'foo' (known: id name description "
            "deny_data_types min_confidence unencrypted_only allow_hosts deny_hosts deny_countries "
            "allow_countries devices)");
}

TEST(PolicyParse, SyntaxErrorsAndWhatTomlPlusPlusCannotTakeHaveTheirPlace) {
  EXPECT_EQ(parse_error("[[rule]]\nname = \"x\ndeny_hosts = []\n").rfind("policy.toml:2:", 0), 0u);
  // toml++ quotes what it stumbled on raw; the message stays one line.
  EXPECT_EQ(parse_error("[[rule]]\nname = \"x\"\nunencrypted_only = f\n"),
            "policy.toml:3:21: Error while parsing boolean: expected 'false', saw 'f\\n'");
  EXPECT_EQ(parse_error("[[rule]]\nname = Zo\xc3\xab\n"),
            "policy.toml:2:10: a character outside a quoted string that TOML does not allow");
  EXPECT_EQ(parse_error("[&]\n"), "policy.toml:1:2: a table header starts with its name: [[rule]]");
  EXPECT_EQ(parse_error("[[rule]]\nname = \"\xcc\"\n"),
            "policy.toml:2:9: not UTF-8 (a policy is a UTF-8 text file)");
  // Found by policy_fuzz: toml++ reaches undefined behaviour on a non-ASCII
  // character inside a number token or right after a backslash.
  EXPECT_EQ(parse_error("r=5\"\xce\xba"),
            "policy.toml:1:5: a character outside a quoted string that TOML does not allow");
  EXPECT_EQ(parse_error("r=[1979-05-27T\\\"\xce\xba\"]"),
            "policy.toml:1:17: a character outside a quoted string that TOML does not allow");
  EXPECT_EQ(parse_error("r=\"\"\"\\\xd2\x83\"\"\""),
            "policy.toml:1:6: a backslash before a non-ASCII character (not an escape)");
  EXPECT_EQ(parse_error("r=\"\\\xd2\x83\""),
            "policy.toml:1:4: a backslash before a non-ASCII character (not an escape)");
  // Non-ASCII in strings after a number is fine.
  EXPECT_EQ(
      parse_ok("[[rule]]\nname = \"caf\xc3\xa9\"\ndevices = [\"10.0.0.0/8\", \"caf\xc3\xa9*\"]\n")
          .rules.at(0)
          .devices.size(),
      2u);
}

TEST(PolicyParse, LoadReadsAFileAndRefusesWhatItCannot) {
  test::TempDir dir;
  std::ofstream(dir.file("p.toml")) << "[[rule]]\nname = \"x\"\n";
  auto p = load_policy(dir.file("p.toml").string());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->path, dir.file("p.toml").string());
  auto missing = load_policy(dir.file("absent.toml").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "cannot read policy " + dir.file("absent.toml").string());
  std::ofstream(dir.file("big.toml")) << "# " << std::string(2 << 20, 'x') << "\n";
  auto big = load_policy(dir.file("big.toml").string());
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("a policy is at most 1 MiB"), std::string::npos);
}

TEST(PolicyMatch, DataTypes) {
  DeviceRecord d = device();
  FindingRecord f = finding();
  EXPECT_TRUE(violates(rule_of("deny_data_types = [\"imei\"]\n"), f, &d));
  EXPECT_FALSE(violates(rule_of("deny_data_types = [\"imsi\", \"iccid\"]\n"), f, &d));
  EXPECT_TRUE(violates(rule_of("deny_data_types = [\"*\"]\n"), f, &d));
  EXPECT_TRUE(violates(rule_of(""), f, &d)) << "no deny_data_types: any";
  f.data_type = "msisdn";
  EXPECT_TRUE(violates(rule_of("deny_data_types = [\"phone\"]\n"), f, &d));
}

TEST(PolicyMatch, MinConfidence) {
  DeviceRecord d = device();
  FindingRecord f = finding();
  Rule medium = rule_of("min_confidence = \"medium\"\n");
  f.confidence = "low";
  EXPECT_FALSE(violates(medium, f, &d));
  EXPECT_TRUE(violates(rule_of(""), f, &d)) << "low by default";
  f.confidence = "medium";
  EXPECT_TRUE(violates(medium, f, &d));
  EXPECT_FALSE(violates(rule_of("min_confidence = \"high\"\n"), f, &d));
}

TEST(PolicyMatch, UnencryptedOnly) {
  DeviceRecord d = device();
  FindingRecord f = finding();
  Rule r = rule_of("unencrypted_only = true\n");
  EXPECT_TRUE(violates(r, f, &d));
  f.encrypted = true;
  EXPECT_FALSE(violates(r, f, &d));
  EXPECT_TRUE(violates(rule_of("unencrypted_only = false\n"), f, &d));
  f.encrypted.reset();
  EXPECT_TRUE(violates(r, f, &d)) << "not known to be encrypted counts as unencrypted";
}

TEST(PolicyMatch, HostGlobs) {
  auto dest = [](std::string_view host) {
    DestinationRecord d;
    d.host = host;
    return d;
  };
  auto matches = [&](const std::string& pattern, std::string_view host) {
    Rule r = rule_of("allow_hosts = [\"" + pattern + "\"]\n");
    return host_matches(r.allow_hosts.at(0), dest(host));
  };
  EXPECT_TRUE(matches("*.example-oem.com", "a.example-oem.com"));
  EXPECT_TRUE(matches("*.example-oem.com", "a.b.example-oem.com"));
  EXPECT_TRUE(matches("*.example-oem.com", "A.Example-OEM.com."));
  EXPECT_FALSE(matches("*.example-oem.com", "example-oem.com")) << "not the apex";
  EXPECT_FALSE(matches("*.example-oem.com", "evil-example-oem.com"));
  EXPECT_FALSE(matches("*.example-oem.com", "a.example-oem.com.evil.example"));
  EXPECT_TRUE(matches(".example-oem.com", "example-oem.com")) << "a leading dot: the apex too";
  EXPECT_TRUE(matches(".example-oem.com", "x.y.example-oem.com"));
  EXPECT_FALSE(matches(".example-oem.com", "badexample-oem.com"));
  EXPECT_TRUE(matches("example-oem.com", "example-oem.com"));
  EXPECT_FALSE(matches("example-oem.com", "a.example-oem.com"));
  EXPECT_TRUE(matches("api?.vendor.example", "api2.vendor.example"));
  EXPECT_FALSE(matches("api?.vendor.example", "api.vendor.example"));
  EXPECT_TRUE(matches("*", "anything.example"));
  EXPECT_FALSE(matches("*", "")) << "no name: a name pattern cannot match";
  EXPECT_TRUE(glob_match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(glob_match("a*b*c", "axxbyy"));
  EXPECT_FALSE(glob_match(std::string(30, '*') + "b", std::string(5000, 'a')));
}

TEST(PolicyMatch, AllowAndDenyHostsWithAddresses) {
  DeviceRecord d = device();
  FindingRecord f = finding();
  EXPECT_FALSE(violates(rule_of("allow_hosts = [\"*.example-oem.com\"]\n"), f, &d));
  EXPECT_TRUE(violates(rule_of("allow_hosts = [\"*.other.example\"]\n"), f, &d));
  EXPECT_FALSE(violates(rule_of("allow_hosts = [\"203.0.113.0/24\"]\n"), f, &d));
  EXPECT_FALSE(violates(rule_of("allow_hosts = [\"203.0.113.7\"]\n"), f, &d));
  EXPECT_TRUE(violates(rule_of("allow_hosts = [\"203.0.113.8\"]\n"), f, &d));
  EXPECT_TRUE(violates(rule_of("allow_hosts = [\"203.0.112.0/24\"]\n"), f, &d));
  EXPECT_FALSE(violates(rule_of("allow_hosts = [\"203.0.113.0/25\"]\n"), f, &d));
  EXPECT_TRUE(violates(rule_of("allow_hosts = [\"203.0.113.0/30\"]\n"), f, &d));
  EXPECT_TRUE(violates(rule_of("allow_hosts = [\"2001:db8::/32\"]\n"), f, &d));
  EXPECT_TRUE(violates(rule_of("deny_hosts = [\"*.example-oem.com\"]\n"), f, &d));
  EXPECT_FALSE(violates(rule_of("deny_hosts = [\"*.tracker.example\"]\n"), f, &d));
  EXPECT_TRUE(violates(rule_of("deny_hosts = [\"0.0.0.0/0\"]\n"), f, &d));
  // A destination without a name is outside every name pattern.
  f.destination.host = {};
  EXPECT_TRUE(violates(rule_of("allow_hosts = [\"*.example-oem.com\"]\n"), f, &d));
  EXPECT_FALSE(violates(rule_of("deny_hosts = [\"*\"]\n"), f, &d));
}

TEST(PolicyMatch, Countries) {
  DeviceRecord d = device();
  FindingRecord f = finding();
  EXPECT_TRUE(violates(rule_of("deny_countries = [\"CN\"]\n"), f, &d));
  EXPECT_FALSE(violates(rule_of("deny_countries = [\"RU\", \"US\"]\n"), f, &d));
  EXPECT_TRUE(violates(rule_of("deny_countries = []\n"), f, &d)) << "empty: any country";
  EXPECT_TRUE(violates(rule_of("allow_countries = [\"DE\", \"NO\"]\n"), f, &d));
  EXPECT_FALSE(violates(rule_of("allow_countries = [\"cn\"]\n"), f, &d));
  // Unknown country: not in a deny list, outside an allow list when public.
  f.destination.country = {};
  EXPECT_FALSE(violates(rule_of("deny_countries = [\"CN\"]\n"), f, &d));
  EXPECT_TRUE(violates(rule_of("allow_countries = [\"DE\"]\n"), f, &d));
  // A private destination is in no country.
  f.destination.scope = "private";
  EXPECT_FALSE(violates(rule_of("allow_countries = [\"DE\"]\n"), f, &d));
}

TEST(PolicyMatch, Devices) {
  DeviceRecord d = device();
  FindingRecord f = finding();
  for (const char* entry : {"f8:ad:cb:12:34:9b", "F8-AD-CB-12-34-9B", "f8ad.cb12.349b",
                            "192.168.1.23", "192.168.0.0/16", "nokia-*", "KITCHEN-*"}) {
    Rule r = rule_of(std::string("devices = [\"") + entry + "\"]\n");
    EXPECT_TRUE(applies_to(r, &d)) << entry;
    EXPECT_TRUE(violates(r, f, &d)) << entry;
  }
  for (const char* entry : {"f8:ad:cb:12:34:9c", "192.168.1.24", "10.0.0.0/8", "pixel*"}) {
    Rule r = rule_of(std::string("devices = [\"") + entry + "\"]\n");
    EXPECT_FALSE(applies_to(r, &d)) << entry;
    EXPECT_FALSE(violates(r, f, &d)) << entry;
  }
  EXPECT_TRUE(applies_to(rule_of(""), nullptr)) << "no devices: every device";
  EXPECT_FALSE(applies_to(rule_of("devices = [\"*\"]\n"), nullptr));
  EXPECT_TRUE(applies_to(rule_of("devices = [\"pixel*\", \"192.168.1.23\"]\n"), &d));
}

TEST(PolicyMatch, EveryConditionMustHold) {
  DeviceRecord d = device();
  FindingRecord f = finding();
  Rule r = rule_of(R"(deny_data_types = ["imei"]
unencrypted_only = true
deny_countries = ["CN"]
allow_hosts = ["*.vendor.example"]
devices = ["nokia-*"]
)");
  EXPECT_TRUE(violates(r, f, &d));
  FindingRecord g = f;
  g.data_type = "mac";
  EXPECT_FALSE(violates(r, g, &d));
  g = f, g.encrypted = true;
  EXPECT_FALSE(violates(r, g, &d));
  g = f, g.destination.country = "US";
  EXPECT_FALSE(violates(r, g, &d));
  g = f, g.destination.host = "eu.vendor.example";
  EXPECT_FALSE(violates(r, g, &d));
  DeviceRecord other = d;
  other.hostname.text = "pixel";
  other.names.clear();
  EXPECT_FALSE(violates(r, f, &other));
}

TEST(PolicyEvaluate, ViolationsByRuleThenFindingAndTheDevicesInScope) {
  Policy p = parse_ok(R"(
[[rule]]
name = "no imei"
deny_data_types = ["imei"]
[[rule]]
name = "nothing from the pixel"
devices = ["pixel*"]
[[rule]]
name = "nothing to China"
deny_countries = ["CN"]
)");
  Report r;
  r.devices = {device()};
  DeviceRecord pixel;
  pixel.id = 2;
  pixel.hostname.text = "pixel-7";
  r.devices.push_back(pixel);
  FindingRecord a = finding(), b = finding(), c = finding();
  b.id = 2, b.data_type = "email", b.destination.country = "US";
  c.id = 3, c.device = 2, c.destination.country = "US";
  r.findings = {a, b, c};
  PolicyVerdict v = evaluate(p, r);
  EXPECT_EQ(v.path, "policy.toml");
  ASSERT_EQ(v.rules.size(), 3u);
  EXPECT_EQ(v.rules[0].id, "no-imei");
  EXPECT_EQ(v.rules[0].devices, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(v.rules[1].devices, std::vector<uint64_t>{2});
  std::vector<std::pair<size_t, size_t>> got;
  for (const auto& x : v.violations) got.emplace_back(x.rule, x.finding);
  EXPECT_EQ(got, (std::vector<std::pair<size_t, size_t>>{{0, 0}, {0, 2}, {1, 2}, {2, 0}}));
  EXPECT_FALSE(v.passed());
  r.findings = {b};
  r.findings[0].device = 1;
  EXPECT_TRUE(evaluate(p, r).passed());
}

}  // namespace
}  // namespace ph::policy
