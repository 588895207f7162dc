// Destination attribution: address scopes from the special-purpose
// registries, the ASN range file (builder and reader), lookups in the data
// installed by scripts/install-geoip checked against the data files
// themselves (the ASN CSVs; the country MMDB through mmdblookup), MaxMind
// schemas through MMDB files written by the fixture library, damaged and
// missing databases, and the per-run cache (one lookup per address).
#include "geo/geo.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

#include "fixture/mmdb.h"
#include "geo/ranges.h"
#include "support/support.h"

namespace ph::geo {
namespace {

using test::run_command;
using test::shell_quote;
using test::TempDir;

const std::string kData = PHONEHOME_GEOIP_DIR;

#define PH_REQUIRE_GEOIP_DATA()                                                           \
  do {                                                                                    \
    if (!std::ifstream(kData + "/installed.txt"))                                         \
      FAIL() << kData << " is not installed: run scripts/install-geoip (make test does)"; \
  } while (0)

void write_bytes(const std::filesystem::path& p, const std::vector<uint8_t>& b) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), b.size());
}
void write_text(const std::filesystem::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary) << s;
}
std::string read_text(const std::filesystem::path& p) {
  std::stringstream ss;
  ss << std::ifstream(p, std::ios::binary).rdbuf();
  return ss.str();
}

// --- scopes -----------------------------------------------------------------

TEST(GeoScope, SpecialRangesAreLabelledAtTheirBoundaries) {
  const std::pair<const char*, const char*> cases[] = {
      {"10.0.0.0", "private"},
      {"10.255.255.255", "private"},
      {"9.255.255.255", "public"},
      {"11.0.0.0", "public"},
      {"172.15.255.255", "public"},
      {"172.16.0.0", "private"},
      {"172.31.255.255", "private"},
      {"172.32.0.0", "public"},
      {"192.167.255.255", "public"},
      {"192.168.0.1", "private"},
      {"192.169.0.0", "public"},
      {"100.63.255.255", "public"},
      {"100.64.0.0", "cgnat"},
      {"100.127.255.255", "cgnat"},
      {"100.128.0.0", "public"},
      {"127.0.0.1", "loopback"},
      {"127.255.255.254", "loopback"},
      {"169.254.1.1", "link-local"},
      {"169.253.255.255", "public"},
      {"224.0.0.251", "multicast"},
      {"239.255.255.250", "multicast"},
      {"192.0.2.7", "documentation"},
      {"192.0.3.0", "public"},
      {"198.51.100.80", "documentation"},
      {"203.0.113.255", "documentation"},
      {"203.0.114.0", "public"},
      {"0.0.0.0", "unspecified"},
      {"0.1.2.3", "unspecified"},
      {"255.255.255.255", "broadcast"},
      {"255.255.255.254", "reserved"},
      {"240.0.0.1", "reserved"},
      {"8.8.8.8", "public"},
      {"::", "unspecified"},
      {"::1", "loopback"},
      {"fc00::1", "private"},
      {"fdff:ffff::1", "private"},
      {"fe00::1", "reserved"},
      {"fe80::1", "link-local"},
      {"febf::1", "link-local"},
      {"fec0::1", "reserved"},
      {"ff02::fb", "multicast"},
      {"2001:db8::1", "documentation"},
      {"2001:db9::1", "public"},
      {"3fff::1", "documentation"},
      {"3fff:fff::1", "documentation"},
      {"3fff:1000::1", "public"},
      {"2a00:1450::1", "public"},
      {"4000::1", "reserved"},
  };
  for (const auto& [text, want] : cases) {
    IpAddr ip = IpAddr::parse(text);
    ASSERT_NE(ip.version, 0) << text;
    EXPECT_EQ(name(scope_of(ip)), want) << text;
  }
}

TEST(GeoScope, MappedAndNat64AddressesAreJudgedByTheIpv4TheyCarry) {
  EXPECT_EQ(name(scope_of(IpAddr::parse("::ffff:192.168.1.1"))), "private");
  EXPECT_EQ(name(scope_of(IpAddr::parse("::ffff:8.8.8.8"))), "public");
  EXPECT_EQ(name(scope_of(IpAddr::parse("64:ff9b::10.1.2.3"))), "private");
  EXPECT_EQ(embedded_v4(IpAddr::parse("64:ff9b::101.95.46.35")), IpAddr::parse("101.95.46.35"));
  EXPECT_EQ(embedded_v4(IpAddr::parse("2a00:1450::1")), IpAddr::parse("2a00:1450::1"));
}

using u128 = unsigned __int128;
u128 parse_u128(std::string_view s) {
  u128 v = 0;
  for (char c : s) v = v * 10 + u128(c - '0');
  return v;
}
IpAddr from_u128(u128 v, int version) {
  IpAddr a;
  a.version = uint8_t(version);
  const int n = version == 4 ? 4 : 16;
  for (int i = n - 1; i >= 0; --i, v >>= 8) a.b[size_t(i)] = uint8_t(v & 0xff);
  return a;
}

u128 to_u128(const IpAddr& a) {
  u128 v = 0;
  for (int i = 0; i < (a.version == 4 ? 4 : 16); ++i) v = v << 8 | a.b[size_t(i)];
  return v;
}
std::string decimal(u128 v) {
  std::string s;
  do {
    s.insert(s.begin(), char('0' + int(v % 10)));
    v /= 10;
  } while (v);
  return s;
}

// --- the ASN range file ---------------------------------------------------

struct BuiltRanges {
  TempDir dir;
  std::string path;
};

// Runs the set-up's builder on CSVs written here.
void build_ranges(BuiltRanges& b, const std::string& v4_csv, const std::string& v6_csv) {
  write_text(b.dir.file("v4.csv"), v4_csv);
  write_text(b.dir.file("v6.csv"), v6_csv);
  b.path = b.dir.file("asn.ranges").string();
  int status = -1;
  std::string out = run_command(
      "python3 " + shell_quote(std::string(PHONEHOME_SOURCE_DIR) + "/scripts/build_asn_ranges.py") +
          " " + shell_quote(b.dir.file("v4.csv").string()) + " " +
          shell_quote(b.dir.file("v6.csv").string()) + " " + shell_quote(b.path) + " 2>&1",
      &status);
  ASSERT_EQ(status, 0) << out;
}

TEST(GeoRanges, BuilderFlattensOverlapsAndTheReaderFindsEachPiece) {
  // 10.0.0.0-10.0.255.255 AS100 holds 10.0.1.0/24 AS200 (more specific,
  // wins inside, AS100 resumes after); 10.0.255.0-10.1.0.255 AS300 starts
  // inside AS100 and runs past it (the later one wins); 10.2.0.0/24 and
  // 10.2.1.0/24 are adjacent with one AS (merged); then a gap.
  auto row = [](const char* a, const char* b, int asn, const char* org) {
    return decimal(to_u128(IpAddr::parse(a))) + "," + decimal(to_u128(IpAddr::parse(b))) + "," +
           std::to_string(asn) + "," + org + "\n";
  };
  std::string v4_csv = row("10.0.1.0", "10.0.1.255", 200, "Inner \"B\"") +  // out of order
                       row("10.0.0.0", "10.0.255.255", 100, "\"Outer, Inc.\"") +
                       row("10.0.255.0", "10.1.0.255", 300, "Straddle") +
                       row("10.2.0.0", "10.2.0.255", 400, "Twin") +
                       row("10.2.1.0", "10.2.1.255", 400, "Twin");
  // 2001:db8::/48 AS500 and 2001:db8:1::/48 AS600.
  std::string v6_csv = row("2001:db8::", "2001:db8:0:ffff:ffff:ffff:ffff:ffff", 500, "Six") +
                       row("2001:db8:1::", "2001:db8:1:ffff:ffff:ffff:ffff:ffff", 600, "Seven");
  BuiltRanges b;
  build_ranges(b, v4_csv, v6_csv);
  auto f = RangeFile::open(b.path);
  ASSERT_TRUE(f.ok()) << f.error().message;
  const RangeFile& r = **f;
  // Outer, inner, outer again, straddle (which cut the outer short), twin.
  EXPECT_EQ(r.v4_ranges(), 5u);
  EXPECT_EQ(r.v6_ranges(), 2u);
  struct Want {
    const char* ip;
    uint32_t asn;
    const char* org;
  };
  for (const Want& w :
       {Want{"9.255.255.255", 0, ""}, Want{"10.0.0.0", 100, "Outer, Inc."},
        Want{"10.0.0.255", 100, "Outer, Inc."}, Want{"10.0.1.0", 200, "Inner \"B\""},
        Want{"10.0.1.255", 200, "Inner \"B\""}, Want{"10.0.2.0", 100, "Outer, Inc."},
        Want{"10.0.254.255", 100, "Outer, Inc."}, Want{"10.0.255.0", 300, "Straddle"},
        Want{"10.1.0.255", 300, "Straddle"}, Want{"10.1.1.0", 0, ""}, Want{"10.2.0.0", 400, "Twin"},
        Want{"10.2.1.255", 400, "Twin"}, Want{"10.2.2.0", 0, ""},
        Want{"2001:db7:ffff:ffff::", 0, ""}, Want{"2001:db8::", 500, "Six"},
        Want{"2001:db8:0:ffff::1", 500, "Six"}, Want{"2001:db8:1::", 600, "Seven"},
        Want{"2001:db8:1:ffff:ffff:ffff:ffff:ffff", 600, "Seven"}, Want{"2001:db8:2::", 0, ""}}) {
    AsnEntry e = r.lookup(IpAddr::parse(w.ip));
    EXPECT_EQ(e.asn, w.asn) << w.ip;
    EXPECT_EQ(e.org, w.org) << w.ip;
  }
}

TEST(GeoRanges, DamagedFilesAreRefusedOrTheirBadEntriesCounted) {
  BuiltRanges b;
  build_ranges(b, "1,10,64500,A\n20,30,64501,B\n", "");
  const std::string good = read_text(b.path);
  ASSERT_TRUE(RangeFile::open(b.path).ok());
  // Layout: 24-byte header, 16-byte IPv4 entries, then 3 offsets, "AB".
  const size_t offsets = 24 + 2 * 16;
  std::string bad_magic = good, bad_offsets = good, bad_org = good;
  bad_magic[0] = 'X';
  bad_offsets[offsets + 8] = 1;  // the last offset short of the names' end
  bad_org[24 + 12] = 9;          // the first range's organisation index past the table
  struct Damage {
    const char* what;
    std::string bytes;
    const char* message;
  };
  for (const Damage& d : {Damage{"truncated", good.substr(0, good.size() - 1), "damaged"},
                          Damage{"too short", good.substr(0, 10), "too short"},
                          Damage{"bad magic", bad_magic, "bad magic"},
                          Damage{"bad offsets", bad_offsets, "offsets do not span"}}) {
    write_text(b.path, d.bytes);
    auto f = RangeFile::open(b.path);
    ASSERT_FALSE(f.ok()) << d.what;
    EXPECT_NE(f.error().message.find(d.message), std::string::npos)
        << d.what << ": " << f.error().message;
    EXPECT_NE(f.error().message.find(b.path), std::string::npos) << f.error().message;
  }
  EXPECT_FALSE(RangeFile::open(b.dir.file("absent").string()).ok());
  // An entry that points outside the names is found only when used: it
  // gives nothing and is counted, the other entries still answer.
  write_text(b.path, bad_org);
  auto f = RangeFile::open(b.path);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ((*f)->lookup(IpAddr::parse("0.0.0.5")).asn, 0u);
  EXPECT_EQ((*f)->lookup(IpAddr::parse("0.0.0.25")).asn, 64501u);
  EXPECT_EQ((*f)->failures(), 1u);
  auto db = Databases::open(b.dir.path().string());
  ASSERT_TRUE(db.ok()) << db.error().message;
  (*db)->lookup(IpAddr::parse("0.0.0.1"));
  std::vector<std::string> w = (*db)->warnings();
  EXPECT_NE(
      std::find(w.begin(), w.end(),
                "1 ASN lookup failed in " + b.dir.path().string() + "/asn.ranges: damaged entry"),
      w.end())
      << ::testing::PrintToString(w);
}

// --- the installed data, checked against its own files ----------------------

struct CsvRow {
  u128 first, last;
  uint32_t asn;
  std::string org;
};

// The upstream CSV as the builder reads it (quoted fields, "" escapes).
std::vector<CsvRow> read_csv(const std::string& path) {
  std::vector<CsvRow> rows;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cols(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cols.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        cols.emplace_back();
      } else {
        cols.back() += c;
      }
    }
    if (cols.size() != 4) continue;
    std::string org = cols[3];  // stripped as the builder does
    while (!org.empty() && std::isspace(static_cast<unsigned char>(org.back()))) org.pop_back();
    while (!org.empty() && std::isspace(static_cast<unsigned char>(org.front()))) org.erase(0, 1);
    rows.push_back({parse_u128(cols[0]), parse_u128(cols[1]), uint32_t(std::stoul(cols[2])), org});
  }
  return rows;
}

// Rows spread over the file that overlap neither neighbour (where rows
// overlap, the builder's rule decides, tested above).
std::vector<size_t> samples(const std::vector<CsvRow>& rows, size_t want) {
  std::vector<size_t> out;
  const size_t step = std::max<size_t>(1, rows.size() / want);
  for (size_t i = 1; i + 1 < rows.size(); i += step) {
    if (rows[i - 1].last < rows[i].first && rows[i].last < rows[i + 1].first) out.push_back(i);
  }
  return out;
}

std::unique_ptr<Databases> installed() {
  auto db = Databases::open(kData);
  EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().message);
  return db.ok() ? std::move(db.value()) : nullptr;
}

TEST(GeoData, AsnAndOrganisationMatchTheInstalledCsv) {
  PH_REQUIRE_GEOIP_DATA();
  auto db = installed();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->has_asn());
  for (int version : {4, 6}) {
    SCOPED_TRACE(version);
    const auto rows = read_csv(kData + "/csv/asn-ipv" + std::to_string(version) + "-num.csv");
    ASSERT_GT(rows.size(), 10000u);
    const auto picked = samples(rows, 300);
    ASSERT_GT(picked.size(), 200u);
    size_t gaps = 0;
    for (size_t i : picked) {
      const CsvRow& r = rows[i];
      for (u128 a : {r.first, r.first + (r.last - r.first) / 2, r.last}) {
        IpAddr ip = from_u128(a, version);
        Place p = db->lookup(ip);
        ASSERT_EQ(p.asn, r.asn) << ip.to_string();
        ASSERT_EQ(p.org, r.org) << ip.to_string();
      }
      if (r.last + 1 < rows[i + 1].first) {
        ++gaps;
        EXPECT_EQ(db->lookup(from_u128(r.last + 1, version)).asn, 0u);
      }
    }
    EXPECT_GT(gaps, 0u);
  }
}

// mmdblookup (Debian mmdb-bin) reads the MMDB on its own: the oracle.
std::string mmdblookup_country(const std::string& file, const IpAddr& ip) {
  std::string out = run_command("mmdblookup --file " + shell_quote(file) + " --ip " +
                                ip.to_string() + " country_code 2>/dev/null");
  size_t a = out.find('"');
  size_t b = a == std::string::npos ? a : out.find('"', a + 1);
  return b == std::string::npos ? "" : out.substr(a + 1, b - a - 1);
}

TEST(GeoData, CountryMatchesMmdblookupOnTheInstalledDatabase) {
  PH_REQUIRE_GEOIP_DATA();
  if (run_command("command -v mmdblookup").empty())
    FAIL() << "mmdblookup missing: scripts/install-deps installs mmdb-bin";
  auto db = installed();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->has_country());
  const std::string mmdb = kData + "/geo-whois-asn-country.mmdb";
  size_t known = 0, checked = 0;
  for (int version : {4, 6}) {
    const auto rows = read_csv(kData + "/csv/asn-ipv" + std::to_string(version) + "-num.csv");
    for (size_t i : samples(rows, 40)) {
      IpAddr ip = from_u128(rows[i].first + (rows[i].last - rows[i].first) / 2, version);
      std::string want = mmdblookup_country(mmdb, ip);
      EXPECT_EQ(db->lookup(ip).country, want) << ip.to_string();
      known += !want.empty();
      ++checked;
    }
  }
  EXPECT_GT(checked, 60u);
  EXPECT_GT(known, checked * 9 / 10);  // nearly every routed address has a country
  // The demo's registration server (tools/fixture/demo.cc) too.
  IpAddr demo = IpAddr::parse("101.95.46.35");
  EXPECT_EQ(db->lookup(demo).country, mmdblookup_country(mmdb, demo));
  EXPECT_FALSE(db->lookup(demo).country.empty());
}

TEST(GeoData, CreditsComeFromTheInstallersSourcesFile) {
  PH_REQUIRE_GEOIP_DATA();
  auto db = installed();
  ASSERT_TRUE(db);
  std::map<std::string, std::string> tsv;
  std::ifstream in(kData + "/sources.tsv");
  for (std::string line; std::getline(in, line);)
    tsv[line.substr(0, line.find('\t'))] = line.substr(line.find('\t') + 1);
  EXPECT_EQ(db->credits(),
            (std::vector<std::string>{tsv.at("geo-whois-asn-country.mmdb"), tsv.at("asn.ranges")}));
  EXPECT_NE(tsv.at("asn.ranges").find("CC BY 4.0"), std::string::npos);
  EXPECT_TRUE(db->warnings().empty());
}

// --- MaxMind schemas, via MMDB files written by the fixture library --------

fixture::MmdbValue iso(const char* code) {
  return fixture::MmdbValue::map({{"iso_code", fixture::MmdbValue::string(code)}});
}

TEST(GeoMmdb, MaxMindCountryCityAndAsnSchemasAreRead) {
  TempDir dir;
  fixture::MmdbSpec country;  // GeoLite2-Country: country.iso_code
  country.database_type = "GeoLite2-Country";
  country.networks = {
      {IpAddr::parse("8.8.8.0"), 24, fixture::MmdbValue::map({{"country", iso("us")}})},
      {IpAddr::parse("2a00:1450::"), 32, fixture::MmdbValue::map({{"country", iso("IE")}})},
      // Only the registered country (anycast, satellite): used as the fallback.
      {IpAddr::parse("9.9.9.0"), 24, fixture::MmdbValue::map({{"registered_country", iso("CH")}})},
  };
  fixture::MmdbSpec asn;  // GeoLite2-ASN
  asn.database_type = "GeoLite2-ASN";
  asn.networks = {
      {IpAddr::parse("8.8.8.0"), 24,
       fixture::MmdbValue::map(
           {{"autonomous_system_number", fixture::MmdbValue::uint32(64496)},
            {"autonomous_system_organization", fixture::MmdbValue::string("Example Net")}})},
      {IpAddr::parse("2a00:1450::"), 32,
       fixture::MmdbValue::map(
           {{"autonomous_system_number", fixture::MmdbValue::uint32(4200000000)},
            {"autonomous_system_organization",
             fixture::MmdbValue::string("Thirty-two bit ASN, a name longer "
                                        "than twenty-nine bytes")}})},
  };
  write_bytes(dir.file("GeoLite2-Country.mmdb"), fixture::mmdb_file(country));
  write_bytes(dir.file("GeoLite2-ASN.mmdb"), fixture::mmdb_file(asn));
  write_text(dir.file("README.txt"), "not a database");
  auto db = Databases::open(dir.path().string());
  ASSERT_TRUE(db.ok()) << db.error().message;
  Place p = (*db)->lookup(IpAddr::parse("8.8.8.8"));
  EXPECT_EQ(p.country, "US");  // upper-cased
  EXPECT_EQ(p.asn, 64496u);
  EXPECT_EQ(p.org, "Example Net");
  p = (*db)->lookup(IpAddr::parse("2a00:1450:4001::5"));
  EXPECT_EQ(p.country, "IE");
  EXPECT_EQ(p.asn, 4200000000u);
  EXPECT_EQ(p.org, "Thirty-two bit ASN, a name longer than twenty-nine bytes");
  EXPECT_EQ((*db)->lookup(IpAddr::parse("9.9.9.9")).country, "CH");
  p = (*db)->lookup(IpAddr::parse("1.1.1.1"));  // in neither
  EXPECT_EQ(p.country, "");
  EXPECT_EQ(p.asn, 0u);
  ASSERT_EQ((*db)->credits().size(), 2u);
  EXPECT_EQ((*db)->credits()[0],
            "country from GeoLite2-Country.mmdb (GeoLite2-Country, built 2023-11-14); includes "
            "GeoLite2 data created by MaxMind");
  EXPECT_NE((*db)->credits()[1].find("ASN from GeoLite2-ASN.mmdb"), std::string::npos);
  EXPECT_TRUE((*db)->warnings().empty());
}

TEST(GeoMmdb, CityDatabasesGiveCountriesAndIpv6CapableOnesArePreferred) {
  TempDir dir;
  fixture::MmdbSpec v4only;
  v4only.database_type = "DBIP-Country-Lite";
  v4only.ip_version = 4;
  v4only.networks = {
      {IpAddr::parse("8.8.8.0"), 24, fixture::MmdbValue::map({{"country", iso("FR")}})}};
  fixture::MmdbSpec city;
  city.database_type = "GeoLite2-City";
  city.networks = {
      {IpAddr::parse("8.8.8.0"), 24,
       fixture::MmdbValue::map({{"city", fixture::MmdbValue::map({})}, {"country", iso("DE")}})}};
  // "A..." sorts first but is IPv4-only: the City database wins.
  write_bytes(dir.file("A-country.mmdb"), fixture::mmdb_file(v4only));
  write_bytes(dir.file("B-city.mmdb"), fixture::mmdb_file(city));
  auto db = Databases::open(dir.path().string());
  ASSERT_TRUE(db.ok()) << db.error().message;
  EXPECT_EQ((*db)->lookup(IpAddr::parse("8.8.8.8")).country, "DE");
  EXPECT_FALSE((*db)->has_asn());
  ASSERT_EQ((*db)->warnings().size(), 1u);
  EXPECT_NE((*db)->warnings()[0].find("no ASN database"), std::string::npos);

  // Alone, the IPv4-only one answers IPv4 and quietly not IPv6.
  TempDir only;
  write_bytes(only.file("A-country.mmdb"), fixture::mmdb_file(v4only));
  auto db4 = Databases::open(only.path().string());
  ASSERT_TRUE(db4.ok());
  EXPECT_EQ((*db4)->lookup(IpAddr::parse("8.8.8.8")).country, "FR");
  EXPECT_EQ((*db4)->lookup(IpAddr::parse("2a00:1450::1")).country, "");
  EXPECT_NE((*db4)->credits()[0].find("IP Geolocation by DB-IP"), std::string::npos);
  EXPECT_EQ((*db4)->warnings().size(), 1u);  // no ASN; the IPv6 miss is not a failure
}

TEST(GeoMmdb, MissingOrCorruptDatabasesAreClearErrors) {
  TempDir dir;
  auto err = [](const std::string& d) {
    auto db = Databases::open(d);
    return db.ok() ? std::string("(opened)") : db.error().message;
  };
  EXPECT_NE(err(dir.file("absent").string()).find("does not exist"), std::string::npos);
  write_text(dir.file("plain"), "x");
  EXPECT_NE(err(dir.file("plain").string()).find("not a directory"), std::string::npos);
  EXPECT_NE(err(dir.path().string()).find("holds no country or ASN database"), std::string::npos);

  fixture::MmdbSpec spec;
  spec.networks = {
      {IpAddr::parse("8.8.8.0"), 24, fixture::MmdbValue::map({{"country", iso("US")}})}};
  std::vector<uint8_t> good = fixture::mmdb_file(spec);
  // Garbage, and a good file cut before its metadata.
  write_bytes(dir.file("GeoLite2-Country.mmdb"), std::vector<uint8_t>(4096, 0x5a));
  std::string e = err(dir.path().string());
  EXPECT_NE(e.find("GeoLite2-Country.mmdb: not a usable MaxMind DB file"), std::string::npos) << e;
  write_bytes(dir.file("GeoLite2-Country.mmdb"),
              std::vector<uint8_t>(good.begin(), good.begin() + long(good.size() / 2)));
  e = err(dir.path().string());
  EXPECT_NE(e.find("not a usable MaxMind DB file"), std::string::npos) << e;
  // A damaged range file next to a good MMDB is an error too.
  write_bytes(dir.file("GeoLite2-Country.mmdb"), good);
  write_text(dir.file("asn.ranges"), "PHASNRG1 but no more");
  e = err(dir.path().string());
  EXPECT_NE(e.find("asn.ranges: not an ASN range file"), std::string::npos) << e;
}

TEST(GeoMmdb, LookupsThatFailInADamagedTreeAreCountedAndWarned) {
  TempDir dir;
  fixture::MmdbSpec spec;
  spec.ip_version = 4;
  // 0.0.0.0/1: the root's left record points into the data section.
  spec.networks = {
      {IpAddr::parse("0.0.0.0"), 1, fixture::MmdbValue::map({{"country", iso("US")}})}};
  std::vector<uint8_t> file = fixture::mmdb_file(spec);
  write_bytes(dir.file("c.mmdb"), file);
  {
    auto db = Databases::open(dir.path().string());
    ASSERT_TRUE(db.ok());
    EXPECT_EQ((*db)->lookup(IpAddr::parse("1.2.3.4")).country, "US");
  }
  file[0] = file[1] = file[2] = 0xff;  // a pointer far past the data section
  write_bytes(dir.file("c.mmdb"), file);
  auto db = Databases::open(dir.path().string());
  ASSERT_TRUE(db.ok()) << db.error().message;  // only a lookup can tell
  EXPECT_EQ((*db)->lookup(IpAddr::parse("1.2.3.4")).country, "");
  EXPECT_EQ((*db)->lookup(IpAddr::parse("1.2.3.5")).country, "");
  bool warned = false;
  for (const auto& w : (*db)->warnings())
    warned |= w.find("2 GeoIP lookups failed in " + dir.path().string() + "/c.mmdb") == 0;
  EXPECT_TRUE(warned) << ::testing::PrintToString((*db)->warnings());
}

TEST(GeoMmdb, DefaultSearchTakesTheFirstDirectoryThatExists) {
  TempDir dir;
  Found none = open_first({dir.file("a").string(), dir.file("b").string()});
  EXPECT_FALSE(none.db);
  EXPECT_EQ(none.warning.rfind("GeoIP data not found: run scripts/install-geoip", 0), 0u)
      << none.warning;
  std::filesystem::create_directory(dir.file("b"));
  Found broken = open_first({dir.file("a").string(), dir.file("b").string()});
  EXPECT_FALSE(broken.db);
  EXPECT_NE(broken.warning.find("holds no country or ASN database"), std::string::npos);
  fixture::MmdbSpec spec;
  spec.networks = {
      {IpAddr::parse("8.8.8.0"), 24, fixture::MmdbValue::map({{"country", iso("US")}})}};
  write_bytes(dir.file("b") / "x.mmdb", fixture::mmdb_file(spec));
  Found found = open_first({dir.file("a").string(), dir.file("b").string()});
  ASSERT_TRUE(found.db);
  EXPECT_TRUE(found.warning.empty());
  EXPECT_EQ(default_search_path("/opt/ph/build/phonehome").front(), "/opt/ph/data/geoip");
}

// --- the cache -----------------------------------------------------------

TEST(GeoLocator, OneDatabaseLookupPerDistinctPublicAddress) {
  PH_REQUIRE_GEOIP_DATA();
  auto db = installed();
  ASSERT_TRUE(db);
  StringPool strings;
  Locator locator(db.get(), strings);
  const char* publics[] = {"101.95.46.35", "8.8.8.8", "2a00:1450:4001:80b::200e"};
  const char* others[] = {"192.168.1.1", "ff02::fb", "198.51.100.80"};
  for (int round = 0; round < 100; ++round) {
    for (const char* text : publics) {
      DestinationRecord d;
      d.ip = IpAddr::parse(text);
      locator.locate(d);
      Place p = db->lookup(d.ip);
      ASSERT_EQ(d.country, p.country) << text;
      ASSERT_EQ(d.asn, p.asn) << text;
      ASSERT_EQ(d.org, p.org) << text;
      ASSERT_EQ(d.scope, "public");
    }
    for (const char* text : others) {
      DestinationRecord d;
      d.ip = IpAddr::parse(text);
      locator.locate(d);
      ASSERT_EQ(d.scope, name(scope_of(d.ip)));
      ASSERT_TRUE(d.country.empty() && d.asn == 0 && d.org.empty()) << text;
    }
  }
  EXPECT_EQ(locator.lookups(), 3u);  // 600 destinations, three public addresses
  DestinationRecord link_layer;      // EAPOL: no address, nothing to say
  locator.locate(link_layer);
  EXPECT_TRUE(link_layer.scope.empty());
}

TEST(GeoLocator, WithoutDataScopesAreStillLabelled) {
  StringPool strings;
  Locator locator(nullptr, strings);
  DestinationRecord d;
  d.ip = IpAddr::parse("101.95.46.35");
  locator.locate(d);
  EXPECT_EQ(d.scope, "public");
  EXPECT_TRUE(d.country.empty());
  d.ip = IpAddr::parse("100.64.1.1");
  locator.locate(d);
  EXPECT_EQ(d.scope, "cgnat");
  EXPECT_EQ(locator.lookups(), 0u);
}

// --- country names ----------------------------------------------------------

TEST(GeoCountries, NamesAreIso3166sShortNames) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.load(PHONEHOME_ISO3166_JSON).get(doc), simdjson::SUCCESS);
  size_t n = 0;
  for (simdjson::dom::element c : doc["3166-1"].get_array()) {
    std::string_view code = c["alpha_2"];
    std::string_view want;
    if (c["common_name"].get(want) != simdjson::SUCCESS) want = c["name"];
    EXPECT_EQ(country_name(code), want) << code;
    std::string lower{char(code[0] | 0x20), char(code[1] | 0x20)};
    EXPECT_EQ(country_name(lower), want) << lower;
    EXPECT_EQ(country_code(lower), code);
    ++n;
  }
  EXPECT_GT(n, 240u);
  EXPECT_EQ(country_name("ZZ"), "");
  EXPECT_EQ(country_name("NOR"), "");
}

}  // namespace
}  // namespace ph::geo
