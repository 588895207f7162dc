// A first labelled set: generated identifiers of every validated type in
// typical positions (under their keys, under other keys, inside free text),
// and a decoy set (timestamps, order numbers, ISBN-13, request UUIDs,
// version strings, prices, non-Luhn 15-digit numbers, random hex). Measures
// recall on the labelled set and precision of high-confidence findings, and
// requires zero high-confidence findings on the decoys. Deterministic PRNG.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "detect/detect.h"
#include "fixture/payloads.h"

namespace ph::detect {
namespace {

using fixture::Prng;
using fixture::with_luhn;

struct Labelled {
  std::string key;
  std::string value;
  DataType type;
  std::string expected;  // normalised
};

std::string digits(Prng& rng, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(char('0' + rng.next() % 10));
  return s;
}
std::string hex(Prng& rng, size_t n, bool upper = false) {
  const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(set[rng.next() % 16]);
  return s;
}
std::string uuid(Prng& rng) {
  return hex(rng, 8) + "-" + hex(rng, 4) + "-4" + hex(rng, 3) + "-a" + hex(rng, 3) + "-" +
         hex(rng, 12);
}
bool luhn_valid_digits(const std::string& s) {
  return fixture::with_luhn(s.substr(0, s.size() - 1)) == s;
}
std::string non_luhn(std::string s) {
  if (luhn_valid_digits(s)) s.back() = char('0' + (s.back() - '0' + 1) % 10);
  return s;
}
std::string isbn13(Prng& rng) {
  std::string s = "978" + digits(rng, 9);
  int sum = 0;
  for (size_t i = 0; i < 12; ++i) sum += (s[i] - '0') * (i % 2 ? 3 : 1);
  s.push_back(char('0' + (10 - sum % 10) % 10));
  return s;
}
std::string unicast_mac(Prng& rng) {
  bool upper = rng.next() % 2;
  std::string m = hex(rng, 12, upper);
  int first = std::stoi(m.substr(0, 2), nullptr, 16) & 0xfc;  // unicast, global
  if (first == 0) first = 0x3c;
  char buf[3];
  std::snprintf(buf, sizeof buf, upper ? "%02X" : "%02x", first);
  m[0] = buf[0];
  m[1] = buf[1];
  if (m.find_first_of("abcdefABCDEF") == std::string::npos) m[11] = upper ? 'C' : 'c';
  if (m.find_first_of("0123456789") == std::string::npos) m[11] = '7';
  return m;
}
std::string colon_mac(const std::string& bare) {
  std::string r;
  for (size_t i = 0; i < 12; i += 2) {
    if (i) r.push_back(':');
    for (size_t j = i; j < i + 2; ++j) r.push_back(char(std::tolower(bare[j])));
  }
  return r;
}

std::vector<Labelled> labelled_set() {
  Prng rng(4);
  std::vector<Labelled> set;
  const char* imsi_prefixes[] = {"24201", "310260", "26201", "23410", "20801", "46000"};
  for (int i = 0; i < 40; ++i) {
    const char* tacs[] = {"35", "86", "01", "99"};
    std::string imei = with_luhn(std::string(tacs[i % 4]) + digits(rng, 12));
    const char* keys[] = {"IMEI1", "imei", "deviceImei", "device_id", ""};
    std::string key = keys[i % 5];
    set.push_back({key, key.empty() ? "imei=" + imei + "&v=2" : imei, DataType::kImei, imei});

    std::string prefix = imsi_prefixes[i % 6];
    std::string imsi = prefix + digits(rng, 15 - prefix.size());
    set.push_back({i % 2 ? "SIM1LTEIMSI" : "imsi", imsi, DataType::kImsi, imsi});

    const char* ccs[] = {"47", "49", "44", "1"};
    std::string body = std::string("89") + ccs[i % 4];
    std::string iccid = with_luhn(body + digits(rng, 19 - body.size()));
    set.push_back({i % 3 ? "SIM1ICCID" : "", iccid, DataType::kIccid, iccid});

    std::string mac = unicast_mac(rng);
    std::string colon = colon_mac(mac);
    switch (i % 4) {
      case 0:
        set.push_back({"MACID", mac, DataType::kMac, colon});
        break;
      case 1:
        set.push_back({"", "FW_1.2_" + mac, DataType::kMac, colon});
        break;
      case 2:
        set.push_back({"", "wlan0 " + colon + " up", DataType::kMac, colon});
        break;
      default: {
        std::string dashed = colon;
        for (char& c : dashed) c = c == ':' ? '-' : char(std::toupper(c));
        set.push_back({"hw", dashed, DataType::kMac, colon});
      }
    }
    std::string local = "user" + digits(rng, 4);
    std::string email = local + "@example" + digits(rng, 2) + ".com";
    set.push_back({i % 2 ? "email" : "", i % 2 ? email : "from " + email, DataType::kEmail, email});

    std::string phone = "+479" + digits(rng, 7);
    set.push_back({i % 2 ? "msisdn" : "", phone, DataType::kMsisdn, phone});

    std::string aid = hex(rng, 16);
    set.push_back({i % 2 ? "android_id" : "hostname", i % 2 ? aid : "android-" + aid,
                   DataType::kAndroidId, aid});

    std::string ad = uuid(rng);
    set.push_back({i % 2 ? "gaid" : "idfa", ad, DataType::kAdId, ad});

    std::string lat = std::to_string(10 + rng.next() % 60) + "." + digits(rng, 5);
    std::string lon = std::to_string(1 + rng.next() % 170) + "." + digits(rng, 5);
    set.push_back({i % 2 ? "location" : "", lat + "," + lon, DataType::kLocation, lat + "," + lon});
  }
  return set;
}

std::vector<std::pair<std::string, std::string>> decoy_set() {
  Prng rng(7);
  std::vector<std::pair<std::string, std::string>> set;
  const char* no_key = "";
  for (int i = 0; i < 60; ++i) {
    set.push_back({no_key, "17" + digits(rng, 8)});                        // epoch s
    set.push_back({"ts", "17" + digits(rng, 11)});                         // epoch ms
    set.push_back({no_key, "17" + digits(rng, 14)});                       // epoch us
    set.push_back({"timestamp", "17" + digits(rng, 17)});                  // epoch ns
    set.push_back({"order_id", with_luhn("35" + digits(rng, 12))});        // Luhn-valid!
    set.push_back({no_key, "order " + non_luhn("35" + digits(rng, 13))});  // non-Luhn 15
    set.push_back({no_key, non_luhn(digits(rng, 15))});
    set.push_back({"isbn", isbn13(rng)});
    set.push_back({no_key, "ISBN " + isbn13(rng)});
    set.push_back({"request_id", uuid(rng)});
    set.push_back({no_key, "X-Request-Id: " + uuid(rng)});
    set.push_back({"version", std::to_string(rng.next() % 20) + "." +
                                  std::to_string(rng.next() % 10) + "." + digits(rng, 4)});
    set.push_back({no_key, "price=" + std::to_string(rng.next() % 5000) + "." + digits(rng, 2)});
    set.push_back({no_key, std::to_string(rng.next() % 900 + 100) + "," + digits(rng, 3) + ".99"});
    set.push_back({no_key, hex(rng, 32)});
    set.push_back({no_key, hex(rng, 40)});
    set.push_back({"sha256", hex(rng, 64)});
    set.push_back({no_key, "etag " + hex(rng, 12)});
    set.push_back({no_key, digits(rng, 20)});
    set.push_back({"session", hex(rng, 16)});
  }
  return set;
}

TEST(Labelled, RecallAndHighConfidencePrecision) {
  Detector detector;
  std::map<DataType, std::pair<int, int>> per_type;  // found, total
  int high = 0, high_correct = 0, found = 0, total = 0;
  for (const Labelled& l : labelled_set()) {
    std::vector<Candidate> out;
    detector.scan(Context{l.key, "$.x", "http.body", ""}, l.value, out);
    bool hit = false;
    for (const Candidate& c : out) {
      bool correct = c.type == l.type && c.value == l.expected;
      hit |= correct;
      if (c.confidence == Confidence::kHigh) {
        ++high;
        high_correct += correct;
        EXPECT_TRUE(correct) << "high-confidence " << name(c.type) << " '" << c.value << "' for "
                             << name(l.type) << " under '" << l.key << "': " << c.rule;
      }
    }
    EXPECT_TRUE(hit) << name(l.type) << " '" << l.value << "' under '" << l.key << "' missed";
    ++per_type[l.type].second;
    per_type[l.type].first += hit;
    found += hit;
    ++total;
  }
  double recall = double(found) / total;
  double precision = high ? double(high_correct) / high : 1.0;
  for (const auto& [type, ft] : per_type) {
    std::printf("  %-11s recall %d/%d\n", std::string(name(type)).c_str(), ft.first, ft.second);
  }
  std::printf("recall %.3f (%d/%d), high-confidence precision %.3f (%d/%d)\n", recall, found, total,
              precision, high_correct, high);
  EXPECT_GE(recall, 0.95);
  EXPECT_GE(precision, 0.99);
}

TEST(Labelled, NoHighConfidenceFindingOnDecoys) {
  Detector detector;
  int findings = 0;
  for (const auto& [key, value] : decoy_set()) {
    std::vector<Candidate> out;
    detector.scan(Context{key, "$.x", "http.body", ""}, value, out);
    for (const Candidate& c : out) {
      ++findings;
      EXPECT_NE(c.confidence, Confidence::kHigh)
          << name(c.type) << " '" << c.value << "' under '" << key << "': " << c.rule;
    }
  }
  std::printf("decoys: %d findings, none high\n", findings);
}

}  // namespace
}  // namespace ph::detect
