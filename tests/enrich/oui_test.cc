// Vendor lookup: against the installed IEEE registries (the expected names
// are read from the files by Python's csv module, not written here), the
// longest prefix winning (MA-S over MA-M over MA-L), CSV quoting, the
// Wireshark manuf fallback, and addresses that have no vendor.
#include "enrich/oui.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "support/support.h"

namespace ph::enrich {
namespace {

using test::IeeeEntry;

// A MAC inside the block of `assignment` (6, 7 or 9 hex digits), its
// remaining hex digits `fill`.
MacAddr mac_in(const std::string& assignment, char fill = '5') {
  std::string hex = assignment + std::string(12 - std::min<size_t>(12, assignment.size()), fill);
  MacAddr m;
  for (size_t i = 0; i < 6; ++i) m.b[i] = uint8_t(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  return m;
}

std::string lookup(const MacAddr& mac, const OuiSources& sources = OuiSources::defaults()) {
  std::vector<MacAddr> macs = {mac};
  return std::string(VendorTable::load(macs, sources).vendor(mac));
}

TEST(OuiRegistry, MaLFromTheInstalledRegistry) {
  PH_REQUIRE_IEEE_DATA();
  IeeeEntry e = test::ieee_first_entry("oui.csv");
  ASSERT_EQ(e.assignment.size(), 6u) << "no MA-L entry read from oui.csv";
  EXPECT_EQ(lookup(mac_in(e.assignment)), e.organization) << e.assignment;
  // A quoted name with a comma in it ("Cisco Systems, Inc").
  IeeeEntry quoted = test::ieee_first_entry("oui.csv", "',' in org");
  ASSERT_FALSE(quoted.assignment.empty());
  EXPECT_EQ(lookup(mac_in(quoted.assignment, '1')), quoted.organization) << quoted.assignment;
}

TEST(OuiRegistry, LongestPrefixWins) {
  PH_REQUIRE_IEEE_DATA();
  for (const char* file : {"mam.csv", "oui36.csv"}) {
    IeeeEntry e = test::ieee_first_entry(file);
    ASSERT_FALSE(e.assignment.empty()) << file;
    const MacAddr mac = mac_in(e.assignment);
    EXPECT_EQ(lookup(mac), e.organization) << file << " " << e.assignment;
    // The MA-L around the block is someone else (usually the IEEE itself).
    const std::string outer = test::ieee_organization("oui.csv", e.assignment.substr(0, 6));
    if (!outer.empty() && outer != e.organization) {
      EXPECT_NE(lookup(mac), outer);
    }
  }
}

TEST(OuiRegistry, SeveralMacsInOneRead) {
  PH_REQUIRE_IEEE_DATA();
  IeeeEntry a = test::ieee_first_entry("oui.csv");
  IeeeEntry b = test::ieee_first_entry("oui36.csv");
  std::vector<MacAddr> macs = {mac_in(a.assignment), mac_in(b.assignment),
                               mac_in("02AB12")};  // locally administered
  VendorTable t = VendorTable::load(macs, OuiSources::defaults());
  EXPECT_EQ(t.vendor(macs[0]), a.organization);
  EXPECT_EQ(t.vendor(macs[1]), b.organization);
  EXPECT_EQ(t.vendor(macs[2]), "");
  EXPECT_FALSE(t.files().empty());
}

TEST(OuiRegistry, LocalAndMulticastAddressesHaveNoVendorAndReadNothing) {
  std::vector<MacAddr> macs = {MacAddr{{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}},   // local
                               MacAddr{{0xda, 0xa1, 0x19, 0x00, 0x00, 0x01}},   // local (random)
                               MacAddr{{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}}};  // multicast
  VendorTable t = VendorTable::load(macs, OuiSources::defaults());
  EXPECT_TRUE(t.files().empty()) << "no registry needs reading for these";
  for (const auto& m : macs) EXPECT_EQ(t.vendor(m), "");
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(OuiRegistry, CsvQuotingAndShapes) {
  test::TempDir dir;
  write(dir.file("oui.csv").string(),
        "Registry,Assignment,Organization Name,Organization Address\n"
        "MA-L,A4B1C2,\"Acme, \"\"Widgets\"\" Inc.\",\"1 Road, Town\"\r\n"
        "MA-L,A4B1C3,  Spaced Name  ,x\n"
        "MA-L,ZZZZZZ,Not Hex,x\n"
        "MA-L,A4B1C4\n"
        "MA-M,A4B1C2D,Block Owner,x\n");
  OuiSources s;
  s.ieee_csv = {dir.file("missing.csv").string(), dir.file("oui.csv").string()};
  EXPECT_EQ(lookup(MacAddr{{0xa4, 0xb1, 0xc2, 0x01, 0x02, 0x03}}, s), "Acme, \"Widgets\" Inc.");
  EXPECT_EQ(lookup(MacAddr{{0xa4, 0xb1, 0xc2, 0xd1, 0x02, 0x03}}, s), "Block Owner");
  EXPECT_EQ(lookup(MacAddr{{0xa4, 0xb1, 0xc3, 0x00, 0x00, 0x01}}, s), "Spaced Name");
  EXPECT_EQ(lookup(MacAddr{{0xa4, 0xb1, 0xc4, 0x00, 0x00, 0x01}}, s), "");
  EXPECT_EQ(lookup(MacAddr{{0xa4, 0xb1, 0xc5, 0x00, 0x00, 0x01}}, s), "");
}

TEST(OuiRegistry, WiresharkManufIsTheFallback) {
  test::TempDir dir;
  write(dir.file("manuf").string(),
        "# comment\n"
        "00:00:0C\tCisco\tCisco Systems, Inc\n"
        "00:1B:C5:00:00:00/36\tConvergi\tConverging Systems Inc.\n"
        "00:1B:C5\tIeeeRegi\tIEEE Registration Authority\n"
        "08-00-2B\tDEC\n"
        "00:11:22:33:44:55/99\tBad mask\n"
        "garbage line without tab\n");
  OuiSources s;
  s.ieee_csv = {dir.file("absent-oui.csv").string()};
  s.manuf = {dir.file("manuf").string()};
  EXPECT_EQ(lookup(MacAddr{{0x00, 0x00, 0x0c, 0x12, 0x34, 0x56}}, s), "Cisco Systems, Inc");
  EXPECT_EQ(lookup(MacAddr{{0x00, 0x1b, 0xc5, 0x00, 0x00, 0x77}}, s), "Converging Systems Inc.");
  EXPECT_EQ(lookup(MacAddr{{0x00, 0x1b, 0xc5, 0x00, 0x10, 0x77}}, s),
            "IEEE Registration Authority");
  EXPECT_EQ(lookup(MacAddr{{0x08, 0x00, 0x2b, 0x01, 0x02, 0x03}}, s), "DEC");  // short name only

  // With an IEEE registry present, manuf is not read.
  write(dir.file("oui.csv").string(),
        "Registry,Assignment,Organization Name,Organization Address\n"
        "MA-L,00000C,From Ieee,x\n");
  s.ieee_csv = {dir.file("oui.csv").string()};
  std::vector<MacAddr> macs = {MacAddr{{0x00, 0x00, 0x0c, 0x12, 0x34, 0x56}},
                               MacAddr{{0x08, 0x00, 0x2b, 0x01, 0x02, 0x03}}};
  VendorTable t = VendorTable::load(macs, s);
  EXPECT_EQ(t.vendor(macs[0]), "From Ieee");
  EXPECT_EQ(t.vendor(macs[1]), "");
  EXPECT_EQ(t.files(), std::vector<std::string>{dir.file("oui.csv").string()});
}

TEST(OuiRegistry, NoRegistryAtAll) {
  OuiSources s;
  s.ieee_csv = {"/nonexistent/oui.csv"};
  s.manuf = {"/nonexistent/manuf"};
  std::vector<MacAddr> macs = {MacAddr{{0x00, 0x00, 0x0c, 0x12, 0x34, 0x56}}};
  VendorTable t = VendorTable::load(macs, s);
  EXPECT_TRUE(t.files().empty());
  EXPECT_EQ(t.vendor(macs[0]), "");
}

}  // namespace
}  // namespace ph::enrich
