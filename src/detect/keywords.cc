// Key classification. The key is squashed once into a small stack buffer
// (lower case, letters and digits only) with token boundaries recorded
// (separators, camelCase humps, letter/digit changes); the table is then
// checked in priority order. No allocation.
#include "detect/keywords.h"

#include <array>
#include <cstring>
#include <string>
#include <unordered_map>

namespace ph::detect {
namespace {

// kSub: anywhere in the squashed key. kAffix: at the start or end of a token
// ("deviceimei", "LTEIMSI", but not "timeid" or "maximsize"). kTok: a whole
// token or run of up to three tokens ("ad_id", but not "threadid").
enum class Match : uint8_t { kSub, kAffix, kTok };

struct Entry {
  std::string_view word;
  Match match;
  KeyRole role;
  DataType type;
};

using R = KeyRole;
using T = DataType;

// Priority order: the first entry that matches wins, so specific words come
// before the words they contain (imeisv before imei, simserial before serial,
// bssid before ssid, email before mail).
constexpr Entry kTable[] = {
    // Words that contain a keyword but name something else.
    {"microphone", Match::kSub, R::kNone, T::kOther},
    {"headphone", Match::kSub, R::kNone, T::kOther},
    {"earphone", Match::kSub, R::kNone, T::kOther},
    {"iphone", Match::kTok, R::kNone, T::kOther},
    {"imeisv", Match::kAffix, R::kTyped, T::kImeisv},
    {"imeisv", Match::kTok, R::kTyped, T::kImeisv},
    {"imei", Match::kAffix, R::kTyped, T::kImei},
    {"imsi", Match::kAffix, R::kTyped, T::kImsi},
    {"iccid", Match::kSub, R::kTyped, T::kIccid},
    {"simserial", Match::kSub, R::kTyped, T::kIccid},
    {"meid", Match::kTok, R::kTyped, T::kMeid},
    {"msisdn", Match::kSub, R::kTyped, T::kMsisdn},
    {"phone", Match::kAffix, R::kTyped, T::kMsisdn},
    {"mobileno", Match::kSub, R::kTyped, T::kMsisdn},
    {"mobilenumber", Match::kSub, R::kTyped, T::kMsisdn},
    {"mobile", Match::kTok, R::kTyped, T::kMsisdn},
    {"tel", Match::kTok, R::kTyped, T::kMsisdn},
    {"mdn", Match::kTok, R::kTyped, T::kMsisdn},
    {"androidid", Match::kSub, R::kTyped, T::kAndroidId},
    {"ssaid", Match::kSub, R::kTyped, T::kAndroidId},
    {"advertisingid", Match::kSub, R::kTyped, T::kAdId},
    {"advertiserid", Match::kSub, R::kTyped, T::kAdId},
    {"adverid", Match::kSub, R::kTyped, T::kAdId},
    {"gaid", Match::kAffix, R::kTyped, T::kAdId},
    {"idfa", Match::kAffix, R::kTyped, T::kAdId},
    {"adid", Match::kTok, R::kTyped, T::kAdId},
    {"aaid", Match::kTok, R::kTyped, T::kAdId},
    {"oaid", Match::kTok, R::kTyped, T::kAdId},
    {"ifa", Match::kTok, R::kTyped, T::kAdId},
    {"rida", Match::kTok, R::kTyped, T::kAdId},
    {"afai", Match::kTok, R::kTyped, T::kAdId},
    {"bssid", Match::kSub, R::kTyped, T::kWifiBssid},
    {"essid", Match::kSub, R::kTyped, T::kSsid},
    {"wifissid", Match::kSub, R::kTyped, T::kSsid},
    {"ssid", Match::kTok, R::kTyped, T::kSsid},
    {"wifiname", Match::kSub, R::kTyped, T::kSsid},
    {"macaddr", Match::kSub, R::kTyped, T::kMac},
    {"macid", Match::kSub, R::kTyped, T::kMac},
    {"wifimac", Match::kSub, R::kTyped, T::kMac},
    {"wlanmac", Match::kSub, R::kTyped, T::kMac},
    {"ethmac", Match::kSub, R::kTyped, T::kMac},
    {"btmac", Match::kSub, R::kTyped, T::kMac},
    {"mac", Match::kTok, R::kTyped, T::kMac},
    {"email", Match::kSub, R::kTyped, T::kEmail},
    {"mail", Match::kTok, R::kTyped, T::kEmail},
    {"latitude", Match::kSub, R::kLatitude, T::kLocation},
    {"longitude", Match::kSub, R::kLongitude, T::kLocation},
    {"lat", Match::kTok, R::kLatitude, T::kLocation},
    {"lng", Match::kTok, R::kLongitude, T::kLocation},
    {"lon", Match::kTok, R::kLongitude, T::kLocation},
    {"long", Match::kTok, R::kLongitude, T::kLocation},
    {"latlng", Match::kTok, R::kTyped, T::kLocation},
    {"latlon", Match::kTok, R::kTyped, T::kLocation},
    {"location", Match::kTok, R::kTyped, T::kLocation},
    {"loc", Match::kTok, R::kTyped, T::kLocation},
    {"geo", Match::kTok, R::kTyped, T::kLocation},
    {"gps", Match::kTok, R::kTyped, T::kLocation},
    {"coords", Match::kTok, R::kTyped, T::kLocation},
    {"cellidentity", Match::kSub, R::kCell, T::kCellId},
    {"cellid", Match::kSub, R::kCell, T::kCellId},
    {"cid", Match::kTok, R::kCell, T::kCellId},
    {"ci", Match::kTok, R::kCell, T::kCellId},
    {"eci", Match::kTok, R::kCell, T::kCellId},
    {"mcc", Match::kTok, R::kMcc, T::kCellId},
    {"mnc", Match::kTok, R::kMnc, T::kCellId},
    {"lac", Match::kTok, R::kArea, T::kCellId},
    {"tac", Match::kTok, R::kArea, T::kCellId},
    {"password", Match::kSub, R::kPassword, T::kCredentials},
    {"passwd", Match::kSub, R::kPassword, T::kCredentials},
    {"passphrase", Match::kSub, R::kPassword, T::kCredentials},
    {"pwd", Match::kTok, R::kPassword, T::kCredentials},
    {"pass", Match::kTok, R::kPassword, T::kCredentials},
    {"authorization", Match::kSub, R::kAuthorization, T::kCredentials},
    // Not credentials although they contain "user".
    {"useragent", Match::kSub, R::kNone, T::kOther},
    {"userid", Match::kSub, R::kGenericId, T::kOther},
    {"username", Match::kSub, R::kUser, T::kCredentials},
    {"login", Match::kTok, R::kUser, T::kCredentials},
    {"user", Match::kTok, R::kUser, T::kCredentials},
    {"serialno", Match::kSub, R::kTyped, T::kSerial},
    {"serialnumber", Match::kSub, R::kTyped, T::kSerial},
    {"serialnum", Match::kSub, R::kTyped, T::kSerial},
    {"deviceserial", Match::kSub, R::kTyped, T::kSerial},
    {"serial", Match::kTok, R::kTyped, T::kSerial},
    {"sn", Match::kTok, R::kTyped, T::kSerial},
    {"clientip", Match::kSub, R::kTyped, T::kIpAddress},
    {"ipaddr", Match::kSub, R::kTyped, T::kIpAddress},
    {"localip", Match::kSub, R::kTyped, T::kIpAddress},
    {"publicip", Match::kSub, R::kTyped, T::kIpAddress},
    {"wanip", Match::kSub, R::kTyped, T::kIpAddress},
    {"lanip", Match::kSub, R::kTyped, T::kIpAddress},
    {"remoteaddr", Match::kSub, R::kTyped, T::kIpAddress},
    {"xforwardedfor", Match::kSub, R::kTyped, T::kIpAddress},
    {"xrealip", Match::kSub, R::kTyped, T::kIpAddress},
    {"ip", Match::kTok, R::kTyped, T::kIpAddress},
    {"firstname", Match::kSub, R::kTyped, T::kName},
    {"lastname", Match::kSub, R::kTyped, T::kName},
    {"fullname", Match::kSub, R::kTyped, T::kName},
    {"surname", Match::kSub, R::kTyped, T::kName},
    {"givenname", Match::kSub, R::kTyped, T::kName},
    {"familyname", Match::kSub, R::kTyped, T::kName},
    {"displayname", Match::kSub, R::kTyped, T::kName},
    {"hostname", Match::kSub, R::kHostname, T::kOther},
    {"deviceid", Match::kSub, R::kGenericId, T::kOther},
    {"deviceuuid", Match::kSub, R::kGenericId, T::kOther},
    {"hardwareid", Match::kSub, R::kGenericId, T::kOther},
    {"installid", Match::kSub, R::kGenericId, T::kOther},
    {"installationid", Match::kSub, R::kGenericId, T::kOther},
    {"uniqueid", Match::kSub, R::kGenericId, T::kOther},
    {"udid", Match::kTok, R::kGenericId, T::kOther},
    {"hwid", Match::kTok, R::kGenericId, T::kOther},
    {"devid", Match::kTok, R::kGenericId, T::kOther},
    {"did", Match::kTok, R::kGenericId, T::kOther},
    {"uuid", Match::kTok, R::kGenericId, T::kOther},
    {"guid", Match::kTok, R::kGenericId, T::kOther},
    {"order", Match::kSub, R::kDecoy, T::kOther},
    {"invoice", Match::kSub, R::kDecoy, T::kOther},
    {"transaction", Match::kSub, R::kDecoy, T::kOther},
    {"timestamp", Match::kSub, R::kDecoy, T::kOther},
    {"isbn", Match::kSub, R::kDecoy, T::kOther},
    {"price", Match::kSub, R::kDecoy, T::kOther},
    {"amount", Match::kSub, R::kDecoy, T::kOther},
    {"version", Match::kSub, R::kDecoy, T::kOther},
    {"nonce", Match::kSub, R::kDecoy, T::kOther},
    {"checksum", Match::kSub, R::kDecoy, T::kOther},
    {"sequence", Match::kSub, R::kDecoy, T::kOther},
    {"txn", Match::kTok, R::kDecoy, T::kOther},
    {"ts", Match::kTok, R::kDecoy, T::kOther},
    {"time", Match::kTok, R::kDecoy, T::kOther},
    {"date", Match::kTok, R::kDecoy, T::kOther},
    {"seq", Match::kTok, R::kDecoy, T::kOther},
    {"ean", Match::kTok, R::kDecoy, T::kOther},
    {"sku", Match::kTok, R::kDecoy, T::kOther},
};

constexpr size_t kMaxKey = 64;
constexpr size_t kMaxTokens = 24;

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_upper(c) || is_lower(c) || is_digit(c); }

struct Squashed {
  std::array<char, kMaxKey> text;
  size_t size = 0;
  // Token i is text[starts[i], starts[i+1]); starts[count] == size.
  std::array<uint8_t, kMaxTokens + 1> starts;
  size_t count = 0;

  std::string_view view() const { return {text.data(), size}; }
  // Tokens [i, j) joined.
  std::string_view tokens(size_t i, size_t j) const {
    return {text.data() + starts[i], size_t(starts[j] - starts[i])};
  }
};

void squash(std::string_view key, Squashed& s) {
  // Long keys keep their tail: the word that names the value is last
  // ("payload.device.info.imei").
  size_t from = 0, alnum = 0;
  for (size_t i = key.size(); i-- > 0;) {
    if (is_alnum(key[i]) && ++alnum > kMaxKey) {
      from = i + 1;
      break;
    }
  }
  bool boundary = true;
  for (size_t i = from; i < key.size(); ++i) {
    char c = key[i];
    if (!is_alnum(c)) {
      boundary = true;
      continue;
    }
    if (s.size > 0 && !boundary) {
      char p = key[i - 1];
      bool next_lower = i + 1 < key.size() && is_lower(key[i + 1]);
      if ((is_upper(c) && (is_lower(p) || (is_upper(p) && next_lower))) ||
          (is_digit(c) != is_digit(p))) {
        boundary = true;
      }
    }
    if (boundary && s.count < kMaxTokens) s.starts[s.count++] = uint8_t(s.size);
    boundary = false;
    s.text[s.size++] = is_upper(c) ? char(c - 'A' + 'a') : c;
  }
  s.starts[s.count] = uint8_t(s.size);
}

bool affix_match(const Squashed& s, std::string_view word) {
  for (size_t i = 0; i < s.count; ++i) {
    std::string_view t = s.tokens(i, i + 1);
    if (t.size() >= word.size() &&
        (t.substr(0, word.size()) == word || t.substr(t.size() - word.size()) == word)) {
      return true;
    }
  }
  return false;
}

bool token_match(const Squashed& s, std::string_view word) {
  // A word matches one token or a run of up to three ("ad_id", "googleAdId").
  for (size_t i = 0; i < s.count; ++i) {
    for (size_t j = i + 1; j <= s.count && j <= i + 3; ++j) {
      std::string_view run = s.tokens(i, j);
      if (run.size() > word.size()) break;
      if (run == word) return true;
    }
  }
  return false;
}

}  // namespace

namespace {

KeyInfo classify_uncached(std::string_view key) {
  Squashed s;
  squash(key, s);
  if (s.size == 0) return {};
  std::string_view all = s.view();
  for (const Entry& e : kTable) {
    bool hit = e.match == Match::kSub     ? all.find(e.word) != std::string_view::npos
               : e.match == Match::kAffix ? affix_match(s, e.word)
                                          : token_match(s, e.word);
    if (hit) return {e.role, e.type, e.word};
  }
  return {};
}

}  // namespace

// Keys repeat endlessly (header names, query keys, JSON keys), and the table
// walk costs ~300 ns, so the result of this pure function is memoised per
// thread (bounded: cleared when full). The one piece of mutable state here is
// a cache; results do not depend on it.
KeyInfo classify_key(std::string_view key) {
  if (key.empty()) return {};
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view v) const { return std::hash<std::string_view>()(v); }
  };
  constexpr size_t kMemoKeys = 8192, kMemoKeyLength = 96;
  thread_local std::unordered_map<std::string, KeyInfo, Hash, std::equal_to<>> memo;
  if (key.size() > kMemoKeyLength) return classify_uncached(key);
  if (auto it = memo.find(key); it != memo.end()) return it->second;
  KeyInfo info = classify_uncached(key);
  if (memo.size() >= kMemoKeys) memo.clear();
  memo.emplace(std::string(key), info);
  return info;
}

std::string key_label(std::string_view key) {
  std::string r;
  for (char c : key.substr(0, 40)) r.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (key.size() > 40) r += "...";
  return r;
}

}  // namespace ph::detect
