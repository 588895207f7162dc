// Single-shape validators. Everything except phone_e164 works on the given
// bytes without allocation; libphonenumber wants std::string and is only
// reached for the few candidates that already look like phone numbers.
#include "detect/validators.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "detect/detect.h"
#include "phonenumbers/phonenumberutil.h"

namespace ph::detect {

bool all_digits(std::string_view s) { return std::all_of(s.begin(), s.end(), is_digit); }
bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? char(a[i] + 32) : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? char(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}
std::string to_lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = c >= 'A' && c <= 'Z' ? char(c + 32) : c;
  return r;
}
std::string to_upper(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = c >= 'a' && c <= 'z' ? char(c - 32) : c;
  return r;
}
bool email_local_char(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool all_hex(std::string_view s) { return std::all_of(s.begin(), s.end(), is_hex); }
bool all_same(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) { return c == s[0]; });
}

bool luhn_valid(std::string_view digits) {
  if (digits.size() < 2 || !all_digits(digits)) return false;
  int sum = 0;
  bool twice = false;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

// Reporting body identifiers (the first two TAC digits) that have been
// allocated, after the GSMA TAC allocation rules and the list of reporting
// bodies: 01 PTCRB (US), 30 Iridium, 33 DGPT (FR), 35 and 44 and 98 BABT (GB),
// 45 NTA (DK), 49 and 50 BZT/BAPT (DE), 51 and 52 Cetecom ICT (DE), 53 TUV
// (DE), 54 Phoenix (GB), 86 TAF (CN), 91 MSAI (IN), 99 GHA (dual-mode
// 3GPP2). 00 (test IMEIs) and 10 (DECT) are left out on purpose: neither is a
// phone in the field, and 16-digit microsecond timestamps of this decade
// start with 16/17, which are not allocated either.
bool plausible_tac(std::string_view digits) {
  if (digits.size() < 2 || !is_digit(digits[0]) || !is_digit(digits[1])) return false;
  int rbi = (digits[0] - '0') * 10 + (digits[1] - '0');
  switch (rbi) {
    case 1:
    case 30:
    case 33:
    case 35:
    case 44:
    case 45:
    case 49:
    case 50:
    case 51:
    case 52:
    case 53:
    case 54:
    case 86:
    case 91:
    case 98:
    case 99:
      return true;
    default:
      return false;
  }
}

bool meid_check_valid(std::string_view hex15) {
  if (hex15.size() != 15 || !all_hex(hex15)) return false;
  int sum = 0;
  bool twice = false;
  for (size_t i = hex15.size(); i-- > 0;) {
    int d = hex_value(hex15[i]);
    if (twice) {
      d *= 2;
      d = d / 16 + d % 16;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 16 == 0;
}

bool meid_shape(std::string_view hex14) {
  return hex14.size() == 14 && all_hex(hex14) && hex_value(hex14[0]) >= 0xA;
}

std::optional<Mac> parse_mac(std::string_view t) {
  Mac mac{};
  auto byte_at = [&](size_t pos, size_t idx) {
    if (!is_hex(t[pos]) || !is_hex(t[pos + 1])) return false;
    mac[idx] = uint8_t(hex_value(t[pos]) << 4 | hex_value(t[pos + 1]));
    return true;
  };
  if (t.size() == 12) {
    for (size_t i = 0; i < 6; ++i)
      if (!byte_at(2 * i, i)) return std::nullopt;
    return mac;
  }
  if (t.size() == 17) {
    char sep = t[2];
    if (sep != ':' && sep != '-') return std::nullopt;
    for (size_t i = 0; i < 6; ++i) {
      if (!byte_at(3 * i, i)) return std::nullopt;
      if (i < 5 && t[3 * i + 2] != sep) return std::nullopt;
    }
    return mac;
  }
  if (t.size() == 14 && t[4] == '.' && t[9] == '.') {
    for (size_t i = 0; i < 6; ++i)
      if (!byte_at(2 * i + i / 2, i)) return std::nullopt;
    return mac;
  }
  return std::nullopt;
}

std::string format_mac(const Mac& mac) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(17, ':');
  for (size_t i = 0; i < 6; ++i) {
    s[3 * i] = kHex[mac[i] >> 4];
    s[3 * i + 1] = kHex[mac[i] & 15];
  }
  return s;
}

bool mac_identifies_device(const Mac& mac) {
  if (mac[0] & 0x01) return false;  // group address; covers broadcast
  bool zero_tail = std::all_of(mac.begin() + 1, mac.end(), [](uint8_t b) { return b == 0; });
  if (zero_tail && (mac[0] == 0 || mac[0] == 0x02)) return false;
  return true;
}

bool is_uuid(std::string_view t) {
  if (t.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? t[i] != '-' : !is_hex(t[i])) return false;
  }
  return true;
}

namespace {

bool domain_char(char c) { return is_alnum(c) || c == '.' || c == '-'; }

// "icon@2x.png", "module@1.2.js", "x@host.local": letters-only, but not a
// registrable top-level domain.
constexpr std::string_view kNotTld[] = {
    "png",  "jpg",     "jpeg", "gif",         "svg", "webp", "ico",      "bmp",       "js",
    "mjs",  "css",     "map",  "html",        "htm", "php",  "asp",      "aspx",      "jsp",
    "json", "xml",     "txt",  "pdf",         "zip", "gz",   "tar",      "so",        "dll",
    "exe",  "apk",     "jar",  "class",       "dex", "mp3",  "mp4",      "wav",       "ogg",
    "woff", "ttf",     "otf",  "local",       "lan", "home", "internal", "localhost", "invalid",
    "test", "example", "arpa", "localdomain", "ts",  "rb",   "go",
};

}  // namespace

size_t email_at(std::string_view t, size_t at, size_t& start) {
  if (at >= t.size() || t[at] != '@') return 0;
  size_t s = at;
  while (s > 0 && email_local_char(t[s - 1]) && at - s < 64) --s;
  // Trim leading separators that belong to the surrounding text.
  while (s < at && (t[s] == '.' || t[s] == '-' || t[s] == '+')) ++s;
  if (s == at || t[at - 1] == '.') return 0;
  size_t e = at + 1;
  while (e < t.size() && domain_char(t[e]) && e - at < 255) ++e;
  while (e > at + 1 && (t[e - 1] == '.' || t[e - 1] == '-')) --e;
  std::string_view domain = t.substr(at + 1, e - at - 1);
  // Labels: non-empty, no leading/trailing hyphen; at least two labels.
  size_t labels = 0, label_start = 0;
  for (size_t i = 0; i <= domain.size(); ++i) {
    if (i == domain.size() || domain[i] == '.') {
      std::string_view label = domain.substr(label_start, i - label_start);
      if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
        return 0;
      }
      ++labels;
      label_start = i + 1;
    }
  }
  if (labels < 2) return 0;
  std::string_view tld = domain.substr(domain.rfind('.') + 1);
  if (tld.size() < 2 || tld.size() > 24 || !std::all_of(tld.begin(), tld.end(), is_alpha)) {
    return 0;
  }
  for (std::string_view bad : kNotTld)
    if (iequal(tld, bad)) return 0;
  start = s;
  return e - s;
}

bool parse_coordinate(std::string_view t, double& value, int& decimals) {
  size_t i = 0;
  bool negative = false;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) negative = t[i++] == '-';
  size_t int_start = i;
  double v = 0;
  while (i < t.size() && is_digit(t[i]) && i - int_start < 4) v = v * 10 + (t[i++] - '0');
  size_t int_digits = i - int_start;
  if (int_digits == 0 || int_digits > 3) return false;
  decimals = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    double scale = 0.1;
    while (i < t.size() && is_digit(t[i]) && decimals < 17) {
      v += (t[i++] - '0') * scale;
      scale /= 10;
      ++decimals;
    }
    if (decimals == 0) return false;
  }
  if (i != t.size()) return false;
  value = negative ? -v : v;
  return true;
}

namespace {
const i18n::phonenumbers::PhoneNumberUtil& phone_util() {
  return *i18n::phonenumbers::PhoneNumberUtil::GetInstance();
}

// Parses `text` as a phone number (international with '+', or national for
// `region`); false when libphonenumber cannot.
bool parse_phone(std::string_view text, std::string_view region,
                 i18n::phonenumbers::PhoneNumber& number) {
  if (text.empty() || text.size() > 40) return false;
  std::string reg(region.empty() ? "ZZ" : region);
  for (char& c : reg) c = c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c;
  return phone_util().Parse(std::string(text), reg, &number) ==
         i18n::phonenumbers::PhoneNumberUtil::NO_PARSING_ERROR;
}
}  // namespace

std::optional<std::string> phone_e164(std::string_view text, std::string_view region) {
  i18n::phonenumbers::PhoneNumber number;
  if (!parse_phone(text, region, number) || !phone_util().IsValidNumber(number)) {
    return std::nullopt;
  }
  std::string out;
  phone_util().Format(number, i18n::phonenumbers::PhoneNumberUtil::E164, &out);
  return out;
}

std::optional<PhoneForms> phone_forms(std::string_view text, std::string_view region) {
  using i18n::phonenumbers::PhoneNumberUtil;
  i18n::phonenumbers::PhoneNumber number;
  if (!parse_phone(text, region, number)) return std::nullopt;
  PhoneForms f;
  phone_util().Format(number, PhoneNumberUtil::E164, &f.e164);
  phone_util().Format(number, PhoneNumberUtil::INTERNATIONAL, &f.international);
  phone_util().Format(number, PhoneNumberUtil::NATIONAL, &f.national);
  phone_util().Format(number, PhoneNumberUtil::RFC3966, &f.rfc3966);
  phone_util().GetNationalSignificantNumber(number, &f.significant);
  f.country_code = std::to_string(number.country_code());
  f.valid = phone_util().IsValidNumber(number);
  return f;
}

bool valid_country_code(int cc) {
  std::string region;
  phone_util().GetRegionCodeForCountryCode(cc, &region);
  // Non-geographic codes (800, 882, 883...) map to "001".
  return region != "ZZ";
}

std::string iccid_country(std::string_view digits) {
  if (digits.size() < 4 || digits.substr(0, 2) != "89") return {};
  const size_t n = country_code_length(digits.substr(2));
  if (n == 0) return {};
  std::string region;
  phone_util().GetRegionCodeForCountryCode(std::stoi(std::string(digits.substr(2, n))), &region);
  // "001": a non-geographic code (global SIMs) names no country.
  return region.size() == 2 && region != "ZZ" ? region : std::string();
}

size_t country_code_length(std::string_view digits) {
  int cc = 0;
  for (size_t n = 1; n <= 3 && n <= digits.size() && is_digit(digits[n - 1]); ++n) {
    cc = cc * 10 + (digits[n - 1] - '0');
    if (cc != 0 && valid_country_code(cc)) return n;
  }
  return 0;
}

bool plausible_ip(std::string_view text) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buf)) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  uint8_t addr[16];
  if (inet_pton(AF_INET, buf, addr) == 1) {
    uint32_t v = uint32_t(addr[0]) << 24 | addr[1] << 16 | addr[2] << 8 | addr[3];
    return v != 0 && addr[0] != 127 && v != 0xffffffffu;
  }
  if (inet_pton(AF_INET6, buf, addr) == 1) {
    static constexpr uint8_t kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static constexpr uint8_t kZero[16] = {};
    return std::memcmp(addr, kLoopback, 16) != 0 && std::memcmp(addr, kZero, 16) != 0;
  }
  return false;
}

bool base64_decode(std::string_view in, char* out, size_t capacity, size_t& size) {
  size = 0;
  uint32_t acc = 0;
  int bits = 0;
  size_t i = 0;
  for (; i < in.size() && in[i] != '='; ++i) {
    char c = in[i];
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (is_digit(c))
      v = c - '0' + 52;
    else if (c == '+' || c == '-')
      v = 62;
    else if (c == '/' || c == '_')
      v = 63;
    else
      return false;
    acc = acc << 6 | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (size == capacity) return false;
      out[size++] = char((acc >> bits) & 0xff);
    }
  }
  for (; i < in.size(); ++i)
    if (in[i] != '=') return false;
  return true;
}

}  // namespace ph::detect
