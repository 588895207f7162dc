// Findings grouped for people (report/leaks.h) and the text report built on
// them: rows per device x data type x destination, the strongest evidence,
// the headline, and redaction of all of it.
#include "report/leaks.h"

#include <gtest/gtest.h>

#include <sstream>

#include "report/report.h"

namespace ph::report {
namespace {

constexpr Timestamp kSecond = 1000000000;
constexpr Timestamp kT0 = 1556697600 * kSecond;  // 2019-05-01 08:00:00 UTC

DestinationRecord china_http() {
  DestinationRecord d;
  d.ip = IpAddr::parse("101.95.46.35");
  d.port = 80;
  d.host = "zzhc.vnet.example";
  d.country = "CN";
  d.scope = "public";
  d.asn = 4812;
  d.org = "China Telecom";
  return d;
}

DestinationRecord us_tls() {
  DestinationRecord d;
  d.ip = IpAddr::parse("93.184.216.34");
  d.port = 443;
  d.host = "www.example.com";
  d.country = "US";
  d.scope = "public";
  return d;
}

FindingRecord finding(uint64_t id, uint64_t device, std::string_view type, std::string value,
                      Timestamp ts, DestinationRecord dest, std::optional<bool> encrypted,
                      std::string_view confidence = "high", std::string_view method = "validated") {
  FindingRecord f;
  f.id = id;
  f.device = device;
  f.data_type = type;
  f.value = std::move(value);
  f.ts = ts;
  f.since_device_first_seen_s = double(ts - kT0) / kSecond;
  f.destination = dest;
  f.encrypted = encrypted;
  f.confidence = confidence;
  f.method = method;
  f.protocol = encrypted.value_or(false) ? "tls" : "http";
  f.where = "http.body";
  f.path = "$.k" + std::to_string(id);
  f.rule = "rule " + std::to_string(id);
  return f;
}

Report two_devices() {
  Report r;
  DeviceRecord phone;
  phone.id = 1;
  phone.mac = MacAddr{{0xf8, 0xad, 0xcb, 0x12, 0x34, 0x9b}};
  phone.hostname.text = "Nokia-7-plus";
  DeviceRecord tv;
  tv.id = 2;
  tv.ips = {IpAddr::parse("192.0.2.7")};
  DeviceRecord quiet;
  quiet.id = 3;
  r.devices = {phone, tv, quiet};
  const Timestamp t0 = kT0;
  for (auto& d : r.devices) d.first_seen = kT0;
  r.findings = {
      finding(1, 1, "imei", "358467000000039", t0 + 4 * kSecond, china_http(), false, "medium",
              "keyword"),
      finding(2, 1, "imei", "358467000000012", t0 + 4 * kSecond, china_http(), false),
      finding(3, 1, "imei", "358467000000039", t0 + 64 * kSecond, china_http(), false),
      finding(4, 1, "email", "someone@example.org", t0 + 70 * kSecond, us_tls(), true),
      finding(5, 2, "mac", "f8:ad:cb:12:34:9b", t0 + 5 * kSecond, china_http(), false),
      finding(6, 2, "phone", "+4790000000", t0 + 6 * kSecond, us_tls(), true, "low", "keyword"),
  };
  r.findings[2].count = 2;
  return r;
}

TEST(LeakRows, GroupPerDeviceTypeAndDestinationWithTheStrongestEvidence) {
  Report r = two_devices();
  std::vector<LeakRow> rows = leak_rows(r, false);
  ASSERT_EQ(rows.size(), 3u) << "the low-confidence phone number is left out";
  EXPECT_EQ(rows[0].device, 1u);
  EXPECT_EQ(rows[0].data_type, "imei");
  EXPECT_EQ(rows[0].findings, 3u);
  EXPECT_EQ(rows[0].values, 2u);
  EXPECT_EQ(rows[0].count, 4u) << "occurrences summed over the messages";
  EXPECT_EQ(rows[0].first->id, 1u);
  EXPECT_EQ(rows[0].strongest->id, 2u) << "high/validated beats the earlier medium/keyword";
  EXPECT_EQ(rows[0].encrypted, std::optional<bool>(false));
  EXPECT_EQ(rows[1].data_type, "email");
  EXPECT_EQ(rows[1].encrypted, std::optional<bool>(true));
  EXPECT_EQ(rows[2].device, 2u);
  EXPECT_EQ(rows[2].data_type, "mac");

  std::vector<LeakRow> all = leak_rows(r, true);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[3].data_type, "phone");
}

TEST(LeakRows, SameTypeAndHostInClearAndEncryptedAreTwoRows) {
  Report r = two_devices();
  r.findings.push_back(finding(7, 1, "imei", "358467000000039", r.findings[0].ts + 90 * kSecond,
                               china_http(), true));
  std::vector<LeakRow> rows = leak_rows(r, false);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[2].data_type, "imei");
  EXPECT_EQ(rows[2].encrypted, std::optional<bool>(true));
}

TEST(Headline, SaysWhoSentWhatWhereAndWhetherInClear) {
  Report r = two_devices();
  EXPECT_EQ(headline(r, false),
            "2 of 3 devices sent personal data: #1 Nokia-7-plus sent imei unencrypted to China; "
            "email encrypted to United States. #2 192.0.2.7 sent mac unencrypted to China.");
  Report none;
  none.devices = r.devices;
  EXPECT_EQ(headline(none, false), "0 of 3 devices sent personal data.");
}

TEST(Headline, DeviceNamesAreRedactedWhereTheyHoldIdentifiers) {
  Report r = two_devices();
  r.devices[0].hostname.text = "android-1c1335ec95a27318";
  r.devices[0].hostname.identifiers = {{8, 16}};
  std::string h = headline(r, false);
  EXPECT_EQ(h.find("1c1335ec95a27318"), std::string::npos) << h;
  EXPECT_NE(h.find("#1 android-"), std::string::npos) << h;
  EXPECT_NE(headline(r, true).find("#1 android-1c1335ec95a27318"), std::string::npos);
  r.devices[0].hostname = {};
  EXPECT_NE(headline(r, false).find("#1 f8:ad:cb:**:**:9b sent"), std::string::npos)
      << "no name: the MAC, redacted";
}

TEST(TextReport, PersonalDataTableRedactsUnlessRevealed) {
  Report r = two_devices();
  r.input_opened = {};
  Options o;
  std::ostringstream redacted, revealed;
  write_text(r, o, redacted);
  o.reveal = true;
  write_text(r, o, revealed);
  for (const char* value : {"358467000000012", "someone@example.org", "12:34"}) {
    EXPECT_EQ(redacted.str().find(value), std::string::npos) << value;
    EXPECT_NE(revealed.str().find(value), std::string::npos) << value;
  }
  const std::string& t = redacted.str();
  EXPECT_NE(t.find("device #1 Nokia-7-plus (f8:ad:cb:**:**:9b)"), std::string::npos) << t;
  // The imei row: 2 values, to the host, in China, in clear, 4 occurrences.
  size_t row = t.find("    imei ");
  ASSERT_NE(row, std::string::npos) << t;
  std::string line = t.substr(row, t.find('\n', row) - row);
  for (const char* cell : {"2 values", "zzhc.vnet.example:80", "China, AS4812 China Telecom",
                           "http UNENCRYPTED", "08:00:04 +4.0 s", " 4 ", "high/validated"})
    EXPECT_NE(line.find(cell), std::string::npos) << cell << " in " << line;
  // Its evidence is the strongest finding (#2), redacted.
  EXPECT_NE(t.find("evidence: 358467*******12, rule 2; in http.body $.k2"), std::string::npos) << t;
  EXPECT_NE(t.find("1 low-confidence finding (--verbose shows them)"), std::string::npos) << t;
  EXPECT_EQ(t.find("why: "), std::string::npos) << "findings one by one only with --verbose";
}

TEST(TextReport, QuietIsThePersonalDataAloneAndVerboseListsEveryFinding) {
  Report r = two_devices();
  Options o;
  o.quiet = true;
  std::ostringstream quiet;
  write_text(r, o, quiet);
  EXPECT_EQ(quiet.str().rfind("PERSONAL DATA\n", 0), 0u) << quiet.str();
  for (const char* section : {"INPUTS", "DEVICES", "FLOWS", "SUMMARY"})
    EXPECT_EQ(quiet.str().find(section), std::string::npos) << section;

  o.quiet = false;
  o.verbose = true;
  std::ostringstream verbose;
  write_text(r, o, verbose);
  const std::string& t = verbose.str();
  EXPECT_NE(t.find("FINDINGS (6)"), std::string::npos) << t;
  size_t whys = 0;
  for (size_t p = t.find("why: "); p != std::string::npos; p = t.find("why: ", p + 1)) ++whys;
  EXPECT_EQ(whys, 6u);
  EXPECT_NE(t.find("    phone "), std::string::npos) << "low-confidence rows with --verbose";
}

}  // namespace
}  // namespace ph::report
