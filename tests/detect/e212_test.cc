// The E.212 lookup against the installed provider database: the test reads
// serviceproviders.xml itself (a plain text scan, independent of the Python
// generator) and checks that every network id it finds is looked up with the
// same MCC/MNC and one of the (country, provider) pairs that list it.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "detect/detect.h"

namespace ph::detect {
namespace {

std::string attribute(const std::string& tag, const std::string& name) {
  size_t p = tag.find(name + "=\"");
  if (p == std::string::npos) return {};
  p += name.size() + 2;
  return tag.substr(p, tag.find('"', p) - p);
}

std::string unescape(std::string s) {
  const std::pair<const char*, const char*> entities[] = {
      {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
  for (const auto& [from, to] : entities) {
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + 1)) {
      s.replace(p, std::string_view(from).size(), to);
    }
  }
  return s;
}

// (mcc, mnc) -> {(country, provider name)}
std::map<std::pair<std::string, std::string>, std::set<std::pair<std::string, std::string>>>
read_database() {
  std::ifstream in(PHONEHOME_E212_XML);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string xml = ss.str();
  std::map<std::pair<std::string, std::string>, std::set<std::pair<std::string, std::string>>> db;
  std::string country, provider;
  bool in_provider = false, have_name = false;
  for (size_t p = xml.find('<'); p != std::string::npos; p = xml.find('<', p + 1)) {
    size_t e = xml.find('>', p);
    if (e == std::string::npos) break;
    std::string tag = xml.substr(p, e - p + 1);
    if (tag.rfind("<country ", 0) == 0) {
      country = attribute(tag, "code");
    } else if (tag.rfind("<provider", 0) == 0) {
      in_provider = true;
      have_name = false;
    } else if (tag == "</provider>") {
      in_provider = false;
    } else if (tag == "<name>" && in_provider && !have_name) {
      size_t end = xml.find("</name>", e);
      provider = unescape(xml.substr(e + 1, end - e - 1));
      have_name = true;
    } else if (tag.rfind("<network-id ", 0) == 0) {
      db[{attribute(tag, "mcc"), attribute(tag, "mnc")}].insert({country, provider});
    }
  }
  return db;
}

TEST(E212, EveryNetworkIdInTheDatabaseIsFound) {
  auto db = read_database();
  if (db.empty()) GTEST_SKIP() << PHONEHOME_E212_XML << " not readable";
  ASSERT_GT(db.size(), 500u);
  for (const auto& [key, owners] : db) {
    auto op = lookup_mcc_mnc(key.first + key.second);
    ASSERT_TRUE(op) << key.first << "/" << key.second;
    EXPECT_EQ(op->mcc, key.first);
    EXPECT_EQ(op->mnc, key.second);
    bool listed = false;
    for (const auto& [country, provider] : owners) {
      // Names are whitespace-normalised by the generator.
      std::string squashed;
      for (char c : provider) {
        if (c == '\n' || c == '\t') c = ' ';
        if (c == ' ' && (squashed.empty() || squashed.back() == ' ')) continue;
        squashed.push_back(c);
      }
      while (!squashed.empty() && squashed.back() == ' ') squashed.pop_back();
      if (op->country == country && op->name == squashed) listed = true;
    }
    EXPECT_TRUE(listed) << key.first << "/" << key.second << " -> " << op->name;
  }
}

TEST(E212, NorwegianSimIsTelenorAndLookupsTolerateImsiTails) {
  auto db = read_database();
  if (db.empty()) GTEST_SKIP() << PHONEHOME_E212_XML << " not readable";
  auto owners = db[{"242", "01"}];
  ASSERT_TRUE(owners.count({"no", "Telenor"})) << "database changed: 242/01 not Telenor";
  auto op = lookup_mcc_mnc("242010123456789");
  ASSERT_TRUE(op);
  EXPECT_EQ(op->name, "Telenor");
  EXPECT_EQ(op->country, "no");
  EXPECT_EQ(country_for_mcc("242"), "no");
}

TEST(E212, UnknownAndMalformed) {
  EXPECT_FALSE(lookup_mcc_mnc("99999123456"));
  EXPECT_FALSE(lookup_mcc_mnc("2420"));
  EXPECT_FALSE(lookup_mcc_mnc("24a01"));
  EXPECT_FALSE(lookup_mcc_mnc(""));
  EXPECT_EQ(country_for_mcc("999"), "");
}

}  // namespace
}  // namespace ph::detect
