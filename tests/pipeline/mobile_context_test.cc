// Mobile identity context on findings: an IMSI's and a cell id's MCC/MNC
// give the operator and country (E.212 table), an ICCID its country (E.118
// calling code); the values are the fixture library's generated ones, the
// expectations come from the E.212 lookup itself, not from memory.
#include <gtest/gtest.h>

#include "detect/detect.h"
#include "fixture/demo.h"
#include "geo/geo.h"
#include "pipeline/findings.h"

namespace ph {
namespace {

std::vector<FindingRecord> scan_json(const std::string& body) {
  Stats stats;
  static StringPool strings;  // views in the records outlive the call
  FindingScanner scanner(stats, strings);
  proto::Message m;
  m.protocol = "http";
  m.kind = "request";
  m.body = body;
  m.content_type = "application/json";
  std::vector<FindingRecord> out;
  scanner.scan(m, out);
  return out;
}

const FindingRecord* of_type(const std::vector<FindingRecord>& v, std::string_view type) {
  for (const auto& f : v)
    if (f.data_type == type) return &f;
  return nullptr;
}

// The upper-case country of the E.212 table's lower-case one.
std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(c & ~0x20);
  return out;
}

TEST(MobileContext, ImsiCellIdAndIccidNameTheirNetwork) {
  fixture::DemoIdentity id = fixture::demo_identity();  // IMSI 242 01 ..., ICCID 89 47 ...
  auto op = detect::lookup_mcc_mnc(id.imsi);
  ASSERT_TRUE(op);
  auto found = scan_json("{\"imsi\":\"" + id.imsi + "\",\"iccid\":\"" + id.iccid +
                         "\",\"cell\":{\"mcc\":\"242\",\"mnc\":\"01\",\"lac\":\"4660\","
                         "\"cid\":\"87654321\"},\"imei\":\"" +
                         id.imei1 + "\"}");
  const FindingRecord* imsi = of_type(found, "imsi");
  ASSERT_NE(imsi, nullptr);
  ASSERT_TRUE(imsi->mobile);
  EXPECT_EQ(imsi->mobile->mcc, "242");
  EXPECT_EQ(imsi->mobile->mnc, op->mnc);
  EXPECT_EQ(imsi->mobile->name, op->name);
  EXPECT_EQ(imsi->mobile->country, upper(op->country));
  EXPECT_FALSE(imsi->mobile->name.empty());

  const FindingRecord* cell = of_type(found, "cell_id");
  ASSERT_NE(cell, nullptr);
  EXPECT_EQ(cell->value, "242-01-4660-87654321");
  ASSERT_TRUE(cell->mobile);
  EXPECT_EQ(cell->mobile->name, op->name);
  EXPECT_EQ(cell->mobile->mnc, "01");

  // ICCID "89" + E.164 country code 47 (Norway) + issuer: country only.
  const FindingRecord* iccid = of_type(found, "iccid");
  ASSERT_NE(iccid, nullptr);
  ASSERT_TRUE(iccid->mobile);
  EXPECT_EQ(iccid->mobile->country, "NO");
  EXPECT_TRUE(iccid->mobile->mcc.empty());
  EXPECT_TRUE(iccid->mobile->name.empty());
  EXPECT_EQ(geo::country_name(iccid->mobile->country), "Norway");

  const FindingRecord* imei = of_type(found, "imei");
  ASSERT_NE(imei, nullptr);
  EXPECT_FALSE(imei->mobile);  // a device identity names no network
}

TEST(MobileContext, UnknownMncStillGivesTheMccsCountry) {
  // An MNC under MCC 242 that the table does not list.
  std::string mnc;
  for (int n = 99; n >= 10 && mnc.empty(); --n) {
    std::string candidate = std::to_string(n);
    if (!detect::lookup_mcc_mnc("242" + candidate)) mnc = candidate;
  }
  ASSERT_FALSE(mnc.empty());
  ASSERT_FALSE(detect::country_for_mcc("242").empty());
  auto found = scan_json("{\"cell\":{\"mcc\":\"242\",\"mnc\":\"" + mnc +
                         "\",\"lac\":\"4660\",\"cid\":\"87654321\"}}");
  const FindingRecord* cell = of_type(found, "cell_id");
  ASSERT_NE(cell, nullptr);
  ASSERT_TRUE(cell->mobile);
  EXPECT_EQ(cell->mobile->mcc, "242");
  EXPECT_EQ(cell->mobile->mnc, mnc);
  EXPECT_TRUE(cell->mobile->name.empty());
  EXPECT_EQ(cell->mobile->country, upper(detect::country_for_mcc("242")));

  // A bare cell id says nothing of its network.
  auto bare = scan_json("{\"SIM1CELLID\":\"87654321\"}");
  const FindingRecord* alone = of_type(bare, "cell_id");
  ASSERT_NE(alone, nullptr);
  EXPECT_FALSE(alone->mobile);
}

TEST(MobileContext, IccidCountryCodesOfEveryLength) {
  EXPECT_EQ(detect::iccid_country("8901260000000000000"), "US");  // 1
  EXPECT_EQ(detect::iccid_country("8986000000000000000"), "CN");  // 86
  EXPECT_EQ(detect::iccid_country("8935800000000000000"), "FI");  // 358
  EXPECT_EQ(detect::iccid_country("8988200000000000000"), "");    // 882: international networks
  EXPECT_EQ(detect::iccid_country("9947000000000000000"), "");    // not an ICCID
  EXPECT_EQ(detect::iccid_country("89"), "");
}

}  // namespace
}  // namespace ph
