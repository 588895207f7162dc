// FindingScanner on hand-made messages: how sightings of one value merge
// into a finding. The same occurrence seen at two layers (a JSON document's
// text, then its leaf) is one finding, and the inner layer, which knows the
// key, says what it is; pairs (lat/lon, a cell's parts) are reported at
// their leaves' parent, in their field, under their encodings. Identifiers
// are generated (check digits computed).
#include <gtest/gtest.h>

#include "fixture/encode.h"
#include "fixture/payloads.h"
#include "model/decode_budget.h"
#include "pipeline/findings.h"

namespace ph {
namespace {

struct Scanned {
  Stats stats;
  StringPool strings;
  std::vector<FindingRecord> findings;
  const FindingRecord* find(std::string_view type, std::string_view value) const {
    for (const auto& f : findings)
      if (f.data_type == type && f.value == value) return &f;
    return nullptr;
  }
};

// Scans one HTTP request whose body is `body` and whose URI is `uri`.
void scan(Scanned& s, std::string_view body, std::string_view content_type = {},
          std::string_view uri = "/") {
  proto::Message m;
  m.protocol = "http";
  m.kind = "request";
  m.add("http.uri", std::string(uri));
  m.body = std::string(body);
  m.content_type = std::string(content_type);
  FindingScanner scanner(s.stats, s.strings);
  scanner.scan(m, s.findings);
}

std::string joined(const std::vector<std::string_view>& v) {
  std::string s;
  for (auto x : v) s += (s.empty() ? "" : ",") + std::string(x);
  return s;
}

TEST(FindingScanner, ABssidIsNotAlsoADeviceMac) {
  // The document's text shows a MAC address; its leaf says it is a BSSID.
  Scanned s;
  scan(s, R"({"wifi":{"bssid":"a4:5e:60:e1:f2:c3"}})", "application/json");
  ASSERT_EQ(s.findings.size(), 1u);
  EXPECT_EQ(s.findings[0].data_type, "wifi_bssid");
  EXPECT_EQ(s.findings[0].confidence, "high");
  EXPECT_EQ(s.findings[0].path, "$.wifi.bssid");
  EXPECT_EQ(s.findings[0].count, 1u);
}

TEST(FindingScanner, AKeyThatCapsConfidenceIsNotOverruledByTheDocumentText) {
  // Luhn-valid with an allocated reporting body: an IMEI in free text, but
  // not under "order_id".
  const std::string number = fixture::with_luhn("35209900176148");
  Scanned s;
  scan(s, R"({"order_id":")" + number + R"(","ts":1700000000000})", "application/json");
  const FindingRecord* f = s.find("imei", number);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->confidence, "low") << f->rule;
  EXPECT_EQ(f->path, "$.order_id");
  // The same number in another field of the message is another occurrence,
  // not the same one seen twice: the stronger sighting wins and it counts.
  Scanned t;
  scan(t, R"({"order_id":")" + number + R"("})", "application/json", "/d/" + number);
  f = t.find("imei", number);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->confidence, "medium");
  EXPECT_EQ(f->where, "http.uri");
  EXPECT_EQ(f->count, 2u);
}

TEST(FindingScanner, PairsAreReportedAtTheirLeavesWithTheirEncodings) {
  // The 2019 shape: base64 of JSON, here with a location and a full cell.
  const std::string json = R"({"IMEI1":"x","gps":{"lat":59.91273,"lng":10.74609},)"
                           R"("cell":{"mcc":"242","mnc":"01","lac":12345,"cid":27683841}})";
  Scanned s;
  scan(s, fixture::base64(json, 76, "\n") + "\n", "text/plain");
  const FindingRecord* loc = s.find("location", "59.91273,10.74609");
  ASSERT_NE(loc, nullptr);
  EXPECT_EQ(loc->where, "http.body");
  EXPECT_EQ(loc->path, "$.gps");
  EXPECT_EQ(joined(loc->encodings), "base64,json");
  EXPECT_EQ(loc->confidence, "high");
  const FindingRecord* cell = s.find("cell_id", "242-01-12345-27683841");
  ASSERT_NE(cell, nullptr);
  EXPECT_EQ(cell->path, "$.cell");
  EXPECT_EQ(joined(cell->encodings), "base64,json");
  // In a query string: the URI field, under the query layer.
  Scanned q;
  scan(q, "", "", "/v1/ping?lat=59.91273&lon=10.74609&v=2");
  loc = q.find("location", "59.91273,10.74609");
  ASSERT_NE(loc, nullptr);
  EXPECT_EQ(loc->where, "http.uri");
  EXPECT_EQ(loc->path, "query");
  EXPECT_EQ(joined(loc->encodings), "query");
}

// A body scanned again (the scanner remembers bodies that gave nothing)
// gives what it gave the first time: its findings, the budget it spent, the
// drops it counted.
TEST(FindingScanner, RepeatedBodiesGiveWhatTheyGaveTheFirstTime) {
  Stats stats;
  StringPool strings;
  FindingScanner scanner(stats, strings);
  DecodeBudget budget;
  auto scan_body = [&](const std::string& body, std::string_view type) {
    proto::Message m;
    m.protocol = "http";
    m.kind = "request";
    m.body = body;
    m.content_type = std::string(type);
    std::vector<FindingRecord> out;
    scanner.scan(m, out, {}, &budget);
    return out;
  };
  const std::string imei = fixture::with_luhn("35209900176148");
  const std::string with_imei = R"({"imei":")" + imei + R"("})";
  // Nothing personal, behind two layers of base64 (decoding spends budget).
  const std::string plain = fixture::base64(fixture::base64("nothing to see in this text here"));
  const std::string deep = std::string(100, '[') + "1" + std::string(100, ']');
  std::vector<uint64_t> spent;
  for (int i = 0; i < 3; ++i) {
    auto found = scan_body(with_imei, "application/json");
    ASSERT_EQ(found.size(), 1u) << i;
    EXPECT_EQ(found[0].value, imei);
    const uint64_t before = budget.spent();
    EXPECT_TRUE(scan_body(plain, "text/plain").empty());
    spent.push_back(budget.spent() - before);
    EXPECT_TRUE(scan_body(deep, "application/json").empty());
    EXPECT_EQ(stats.drops.get("content.json-depth"), uint64_t(i + 1));
  }
  EXPECT_GT(spent[0], 0u);
  EXPECT_EQ(spent[1], spent[0]);
  EXPECT_EQ(spent[2], spent[0]);
}

// A field value remembered for giving nothing counts its drops again each
// time it is skipped, so the counts are those of decoding every repeat: they
// do not depend on what a scanner remembers, nor on how many pipelines
// (each with its own scanner) shared the repeats.
TEST(FindingScanner, RepeatedFieldValuesCountTheirDropsEachTime) {
  Stats stats;
  StringPool strings;
  FindingScanner scanner(stats, strings);
  DecodeBudget budget;
  proto::Message m;
  m.protocol = "http";
  m.kind = "request";
  m.add("http.header", R"({"state":[1,2,})", "x-state");  // braces, not JSON
  for (int i = 0; i < 3; ++i) {
    std::vector<FindingRecord> out;
    scanner.scan(m, out, {}, &budget);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(stats.drops.get("content.json-malformed"), uint64_t(i + 1)) << i;
  }
  // Two scanners sharing the repeats count what one counts.
  Stats a, b;
  StringPool sa, sb;
  FindingScanner first(a, sa), second(b, sb);
  for (int i = 0; i < 3; ++i) {
    std::vector<FindingRecord> out;
    (i == 1 ? second : first).scan(m, out, {}, &budget);
  }
  a.merge(b);
  EXPECT_EQ(a.drops.all(), stats.drops.all());
}

}  // namespace
}  // namespace ph
