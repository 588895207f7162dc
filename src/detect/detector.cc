// Detector::scan: key-directed checks on the whole value first (the key says
// IMEI: is the value one?), then free-text shapes anywhere in the value
// (digit runs, hex runs, separated MACs, e-mail, +phone, "lat,lon"), then a
// keyword-only finding when the key named an identifier and nothing
// validated. Free text is first summarised in one pass over a byte class
// table; a value with no long digit/hex run and none of @ + : - , returns
// before any validator runs, without allocating.
//
// Confidence policy: a shape found without a key is at most medium (numbers
// that pass a check digit by chance are common); the matching key raises it
// to high; decoy keys (order, timestamp, price...) cap it at low. Strongly
// structured forms (aa:bb:cc:dd:ee:ff, HTTP Basic, android-<hex> hostnames,
// EAP and IMS identities with a matching realm, urn:gsma:imei URNs, URL
// userinfo) are high on their own.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "detect/detect.h"
#include "detect/keywords.h"
#include "detect/validators.h"

namespace ph::detect {

std::string_view name(DataType type) {
  static constexpr std::string_view kNames[kDataTypeCount] = {
      "imei",       "imeisv",      "meid",   "imsi",       "iccid",    "msisdn",  "mac",
      "android_id", "ad_id",       "serial", "email",      "location", "cell_id", "wifi_bssid",
      "ssid",       "credentials", "name",   "ip_address", "other"};
  size_t i = size_t(type);
  return i < kDataTypeCount ? kNames[i] : "other";
}
std::string_view name(Method method) {
  switch (method) {
    case Method::kProfile:
      return "profile";
    case Method::kValidated:
      return "validated";
    case Method::kKeyword:
      return "keyword";
  }
  return "keyword";
}
std::string_view name(Confidence confidence) {
  switch (confidence) {
    case Confidence::kLow:
      return "low";
    case Confidence::kMedium:
      return "medium";
    case Confidence::kHigh:
      return "high";
  }
  return "low";
}

Detector::Detector(Options options) : options_(options) {}

namespace {

enum : uint8_t { kDigitC = 1, kHexLetterC = 2 };
constexpr std::array<uint8_t, 256> make_classes() {
  std::array<uint8_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = kDigitC;
  for (int c = 'a'; c <= 'f'; ++c) t[c] = kHexLetterC;
  for (int c = 'A'; c <= 'F'; ++c) t[c] = kHexLetterC;
  return t;
}
constexpr std::array<uint8_t, 256> kClass = make_classes();

std::string_view trim(std::string_view s) {
  auto junk = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"'; };
  while (!s.empty() && junk(s.front())) s.remove_prefix(1);
  while (!s.empty() && junk(s.back())) s.remove_suffix(1);
  return s;
}

// Values that mean "no value": never an identifier, whatever the key.
bool placeholder(std::string_view t) {
  static constexpr std::string_view kWords[] = {"",
                                                "null",
                                                "none",
                                                "nil",
                                                "unknown",
                                                "undefined",
                                                "n/a",
                                                "na",
                                                "-",
                                                "true",
                                                "false",
                                                "empty",
                                                "default",
                                                "0x0",
                                                "nan",
                                                "<unknown ssid>",
                                                "0123456789abcdef",
                                                "(null)"};
  if (t.size() <= 2 && all_digits(t)) return true;
  for (std::string_view w : kWords)
    if (iequal(t, w)) return true;
  if (t.size() > 1 && all_same(t)) return true;
  // All zeros with separators (00:00:00:00:00:00, 0000-0000-...).
  bool any_nonzero = false, any_zero = false;
  for (char c : t) {
    if (c == '0')
      any_zero = true;
    else if (c != ':' && c != '-' && c != '.' && c != ' ')
      any_nonzero = true;
  }
  return any_zero && !any_nonzero;
}

bool identifier_type(DataType t) {
  switch (t) {
    case DataType::kImei:
    case DataType::kImeisv:
    case DataType::kMeid:
    case DataType::kImsi:
    case DataType::kIccid:
    case DataType::kMsisdn:
    case DataType::kMac:
    case DataType::kWifiBssid:
    case DataType::kAndroidId:
    case DataType::kAdId:
      return true;
    default:
      return false;
  }
}

// Types a generic device-id key vouches for.
bool device_type(DataType t) {
  return t == DataType::kImei || t == DataType::kImeisv || t == DataType::kMeid ||
         t == DataType::kImsi || t == DataType::kAndroidId || t == DataType::kMac;
}

class Scan {
 public:
  Scan(const Context& ctx, std::string_view value, std::vector<Candidate>& out,
       const Options& options)
      : ctx_(ctx),
        key_(classify_key(ctx.key)),
        v_(value),
        out_(out),
        options_(options),
        first_(out.size()) {}

  void run() {
    if (key_.role != KeyRole::kNone && key_.role != KeyRole::kDecoy && keyed()) return;
    free_text();
    keyword_fallback();
  }

 private:
  // ---- output -------------------------------------------------------------
  std::string suffix() const {
    if (ctx_.key.empty()) return {};
    return " under key " + key_label(ctx_.key);
  }

  Confidence adjust(DataType type, Confidence base) const {
    if (key_.role == KeyRole::kDecoy) return Confidence::kLow;
    bool vouched = (key_.role == KeyRole::kTyped && key_.type == type) ||
                   (key_.role == KeyRole::kGenericId && device_type(type)) ||
                   (type == DataType::kMac && key_.role == KeyRole::kTyped &&
                    key_.type == DataType::kWifiBssid);
    return vouched ? Confidence::kHigh : base;
  }

  void add(DataType type, Method method, Confidence confidence, std::string value, std::string rule,
           size_t offset, size_t length) {
    Candidate c;
    c.type = type;
    c.method = method;
    c.confidence = confidence;
    c.value = std::move(value);
    c.rule = std::move(rule);
    c.offset = offset;
    c.length = length;
    out_.push_back(std::move(c));
  }
  bool added(DataType type) const {
    for (size_t i = first_; i < out_.size(); ++i)
      if (out_[i].type == type) return true;
    return false;
  }
  size_t off(std::string_view part) const { return size_t(part.data() - v_.data()); }

  // ---- key-directed ---------------------------------------------------------
  // Returns true when the key decided what the whole value is (including
  // "nothing": a placeholder under an IMEI key).
  bool keyed() {
    std::string_view t = trim(v_);
    switch (key_.role) {
      case KeyRole::kLatitude:
      case KeyRole::kLongitude:
      case KeyRole::kMcc:
      case KeyRole::kMnc:
      case KeyRole::kArea:
      case KeyRole::kCell:
        return true;  // LocationPairer / CellPairer own these
      default:
        break;
    }
    if (placeholder(t)) return true;
    switch (key_.role) {
      case KeyRole::kPassword:
        return password(t);
      case KeyRole::kUser:
        // A user name that is an identifier (an MQTT client logging in with
        // its IMEI, an IMS private identity) is reported as that identifier.
        free_text();
        return out_.size() > first_ || user(t);
      case KeyRole::kAuthorization:
        return authorization(t);
      case KeyRole::kGenericId:
        return generic_id(t);
      case KeyRole::kTyped:
        break;
      default:
        return false;
    }
    switch (key_.type) {
      case DataType::kImei:
      case DataType::kImeisv:
      case DataType::kMeid:
      case DataType::kImsi:
      case DataType::kIccid:
        return digits_keyed(t, key_.type);
      case DataType::kMsisdn:
        return phone_keyed(t);
      case DataType::kMac:
      case DataType::kWifiBssid:
        return mac_keyed(t);
      case DataType::kAndroidId:
        return android_keyed(t);
      case DataType::kAdId:
        return ad_id_keyed(t);
      case DataType::kEmail:
        return email_keyed(t);
      case DataType::kSerial:
        return serial_keyed(t);
      case DataType::kSsid:
        return ssid_keyed(t);
      case DataType::kIpAddress:
        return ip_keyed(t);
      case DataType::kName:
        return name_keyed(t);
      default:
        return false;
    }
  }

  // Digits of a value made of digits and a few separators ("35-209900-
  // 176148-1"), into `buf`; 0 when the value is anything else.
  static size_t digits_of(std::string_view t, char* buf, size_t cap) {
    size_t n = 0, seps = 0;
    for (char c : t) {
      if (is_digit(c)) {
        if (n == cap) return 0;
        buf[n++] = c;
      } else if (c == '-' || c == ' ' || c == '.' || c == '/') {
        if (++seps > 6) return 0;
      } else {
        return 0;
      }
    }
    return n;
  }

  std::string rbi(std::string_view d) const { return std::string(d.substr(0, 2)); }

  bool digits_keyed(std::string_view t, DataType want) {
    char buf[24];
    size_t n = digits_of(t, buf, sizeof buf);
    std::string_view d(buf, n);
    size_t o = off(t);
    std::string k = suffix();
    if (want == DataType::kMeid && n == 0) {
      if (t.size() == 15 && meid_check_valid(t)) {
        add(DataType::kMeid, Method::kValidated, Confidence::kHigh, to_lower(t.substr(0, 14)),
            "15 hex digits with a valid MEID check digit" + k, o, t.size());
        return true;
      }
      if (meid_shape(t)) {
        add(DataType::kMeid, Method::kValidated, Confidence::kHigh, to_lower(t),
            "14 hex digits with manufacturer code A0-FF (MEID)" + k, o, t.size());
        return true;
      }
      return false;
    }
    if (n == 0) return false;
    switch (want) {
      case DataType::kImei:
      case DataType::kImeisv:
      case DataType::kMeid:
        return imei_digits(d, want, o, t.size(), k, Confidence::kHigh);
      case DataType::kImsi: {
        if (n == 15 || n == 14) {
          if (auto op = lookup_mcc_mnc(d)) {
            add(DataType::kImsi, Method::kValidated, Confidence::kHigh, std::string(d),
                std::to_string(n) + " digits" + k + ", MCC " + std::string(op->mcc) + " MNC " +
                    std::string(op->mnc) + " in the E.212 table (" + std::string(op->name) + ", " +
                    std::string(op->country) + ")",
                o, t.size());
          } else {
            add(DataType::kImsi, Method::kKeyword, Confidence::kMedium, std::string(d),
                std::to_string(n) + " digits" + k + ", MCC/MNC not in the E.212 table", o,
                t.size());
          }
          return true;
        }
        if (n >= 6) {
          add(DataType::kImsi, Method::kKeyword, Confidence::kLow, std::string(d),
              std::to_string(n) + " digits" + k + ", not IMSI length (14-15)", o, t.size());
          return true;
        }
        return false;
      }
      case DataType::kIccid: {
        if (n >= 18 && n <= 20 && d.substr(0, 2) == "89") {
          if (luhn_valid(d)) {
            add(DataType::kIccid, Method::kValidated, Confidence::kHigh, std::string(d),
                "Luhn-valid " + std::to_string(n) + " digits starting 89" + k, o, t.size());
          } else {
            add(DataType::kIccid, Method::kKeyword, Confidence::kMedium, std::string(d),
                std::to_string(n) + " digits starting 89" + k + ", Luhn check fails", o, t.size());
          }
          return true;
        }
        if (n >= 15) {
          add(DataType::kIccid, Method::kKeyword, Confidence::kLow, std::string(d),
              std::to_string(n) + " digits" + k + ", not an ICCID shape (89, 18-20 digits)", o,
              t.size());
          return true;
        }
        return false;
      }
      default:
        return false;
    }
  }

  // An IMEI-ish key (imei, imeisv, meid or a device-id key) over `d` digits.
  bool imei_digits(std::string_view d, DataType want, size_t o, size_t len, const std::string& k,
                   Confidence top) {
    size_t n = d.size();
    bool tac = plausible_tac(d);
    if (n == 15) {
      if (luhn_valid(d)) {
        if (tac) {
          add(DataType::kImei, Method::kValidated, top, std::string(d), "Luhn-valid 15 digits" + k,
              o, len);
        } else {
          add(DataType::kImei, Method::kValidated, Confidence::kMedium, std::string(d),
              "Luhn-valid 15 digits" + k + ", reporting body " + rbi(d) + " not allocated", o, len);
        }
      } else if (want == DataType::kOther && !tac && lookup_mcc_mnc(d)) {
        // A device-id key over a non-IMEI 15-digit number with a known
        // MCC/MNC: more likely the IMSI than a mistyped IMEI.
        auto op = lookup_mcc_mnc(d);
        add(DataType::kImsi, Method::kValidated, Confidence::kMedium, std::string(d),
            "15 digits" + k + ", MCC " + std::string(op->mcc) + " MNC " + std::string(op->mnc) +
                " in the E.212 table (" + std::string(op->name) + ", " + std::string(op->country) +
                ")",
            o, len);
      } else {
        add(DataType::kImei, Method::kKeyword, Confidence::kMedium, std::string(d),
            "15 digits" + k + ", Luhn check fails", o, len);
      }
      return true;
    }
    if (n == 16) {
      Confidence c = want == DataType::kOther ? Confidence::kMedium : top;
      if (tac) {
        add(DataType::kImeisv, Method::kValidated, c, std::string(d),
            "16 digits (IMEISV: IMEI body and software version)" + k, o, len);
      } else {
        add(DataType::kImeisv, Method::kKeyword, Confidence::kLow, std::string(d),
            "16 digits" + k + ", reporting body " + rbi(d) + " not allocated", o, len);
      }
      return true;
    }
    if (n == 14) {
      if (want == DataType::kMeid) {
        add(DataType::kMeid, Method::kKeyword, Confidence::kMedium, std::string(d),
            "14 digits" + k + ", manufacturer code below A0", o, len);
        return true;
      }
      add(DataType::kImei, tac ? Method::kValidated : Method::kKeyword,
          tac ? Confidence::kMedium : Confidence::kLow, std::string(d),
          "14 digits (IMEI without check digit)" + k +
              (tac ? "" : ", reporting body " + rbi(d) + " not allocated"),
          o, len);
      return true;
    }
    if (n == 18 && want == DataType::kMeid) {
      add(DataType::kMeid, Method::kValidated, Confidence::kMedium, std::string(d),
          "18 digits (decimal MEID)" + k, o, len);
      return true;
    }
    if (want != DataType::kOther && n >= 8) {
      add(want == DataType::kOther ? DataType::kImei : want, Method::kKeyword, Confidence::kLow,
          std::string(d), std::to_string(n) + " digits" + k + ", not an IMEI length", o, len);
      return true;
    }
    return false;
  }

  bool generic_id(std::string_view t) {
    char buf[24];
    size_t n = digits_of(t, buf, sizeof buf);
    std::string k = suffix();
    if (n >= 14 && n <= 16 &&
        imei_digits(std::string_view(buf, n), DataType::kOther, off(t), t.size(), k,
                    Confidence::kHigh)) {
      return true;
    }
    if (is_uuid(t)) {
      add(DataType::kOther, Method::kKeyword, Confidence::kLow, to_lower(t), "UUID" + k, off(t),
          t.size());
      return true;
    }
    if (t.size() == 16 && all_hex(t)) {
      add(DataType::kAndroidId, Method::kKeyword, Confidence::kMedium, to_lower(t),
          "16 hex digits (Android ID shape)" + k, off(t), t.size());
      return true;
    }
    if (opaque(t)) {
      add(DataType::kOther, Method::kKeyword, Confidence::kLow, std::string(t),
          "opaque identifier" + k, off(t), t.size());
      return true;
    }
    return false;
  }

  // An identifier-like token: 8-128 characters of letters, digits and - _ . :
  // with at least 4 digits or hex letters mixed in.
  static bool opaque(std::string_view t) {
    if (t.size() < 8 || t.size() > 128) return false;
    size_t digits = 0;
    for (char c : t) {
      if (is_digit(c))
        ++digits;
      else if (!is_alpha(c) && c != '-' && c != '_' && c != '.' && c != ':' && c != '=' &&
               c != '+' && c != '/')
        return false;
    }
    return digits >= 4;
  }

  bool phone_keyed(std::string_view t) {
    std::string k = suffix();
    std::string_view country = country_for_mcc(ctx_.home_mcc);
    if (ctx_.region_asked) *ctx_.region_asked = true;
    std::optional<std::string> e164;
    Confidence c = Confidence::kHigh;
    std::string how;
    if (t.size() > 2 && t[0] == '0' && t[1] == '0') {
      e164 = phone_e164("+" + std::string(t.substr(2)), "");
      how = "valid international number";
    } else if (!t.empty() && t[0] == '+') {
      e164 = phone_e164(t, "");
      how = "valid international number";
    } else if (!country.empty()) {
      e164 = phone_e164(t, country);
      how = "valid number for home region " + to_lower(country);
    }
    if (!e164 && !t.empty() && t[0] != '+' && all_digits(t) && t.size() >= 10) {
      // International form without the +, as many APIs send MSISDNs.
      e164 = phone_e164("+" + std::string(t), "");
      how = "valid international number without +";
      c = Confidence::kMedium;
    }
    if (e164) {
      add(DataType::kMsisdn, Method::kValidated, c, std::move(*e164), how + k, off(t), t.size());
      return true;
    }
    size_t digits = size_t(std::count_if(t.begin(), t.end(), is_digit));
    if (digits >= 6 && digits * 10 >= t.size() * 7) {
      std::string d;
      for (char ch : t)
        if (is_digit(ch)) d.push_back(ch);
      add(DataType::kMsisdn, Method::kKeyword, Confidence::kLow, std::move(d),
          "digits" + k + ", not a valid phone number" +
              (country.empty() ? std::string(" (home region unknown)") : std::string()),
          off(t), t.size());
      return true;
    }
    return false;
  }

  void mac_candidate(const Mac& mac, DataType type, Confidence c, const std::string& what, size_t o,
                     size_t len) {
    add(type, Method::kValidated, c, format_mac(mac),
        what +
            (mac_locally_administered(mac) ? " (locally administered: randomised or virtual)" : ""),
        o, len);
  }

  bool mac_keyed(std::string_view t) {
    auto mac = parse_mac(t);
    if (!mac) return false;
    if (mac_identifies_device(*mac)) {
      mac_candidate(*mac, key_.type, Confidence::kHigh, "MAC address" + suffix(), off(t), t.size());
    }
    return true;
  }

  bool android_keyed(std::string_view t) {
    if (t.size() >= 13 && t.size() <= 16 && all_hex(t)) {
      if (!iequal(t, "9774d56d682e549c")) {  // the emulator/Android 2.2 constant
        add(DataType::kAndroidId, Method::kValidated, Confidence::kHigh, to_lower(t),
            std::to_string(t.size()) + " hex digits" + suffix(), off(t), t.size());
      }
      return true;
    }
    return false;
  }

  bool ad_id_keyed(std::string_view t) {
    if (is_uuid(t)) {
      add(DataType::kAdId, Method::kValidated, Confidence::kHigh, to_lower(t), "UUID" + suffix(),
          off(t), t.size());
      return true;
    }
    if (t.size() == 32 && all_hex(t)) {
      add(DataType::kAdId, Method::kValidated, Confidence::kMedium, to_lower(t),
          "32 hex digits (UUID without dashes)" + suffix(), off(t), t.size());
      return true;
    }
    return false;
  }

  bool email_keyed(std::string_view t) {
    size_t at = t.find('@'), start = 0;
    if (at == std::string_view::npos) return false;
    size_t len = email_at(t, at, start);
    if (len == 0 || start != 0 || len != t.size()) return false;
    add(DataType::kEmail, Method::kValidated, Confidence::kHigh, to_lower(t),
        "e-mail address" + suffix(), off(t), t.size());
    return true;
  }

  bool serial_keyed(std::string_view t) {
    if (t.size() < 5 || t.size() > 40) return false;
    size_t digits = 0;
    for (char c : t) {
      if (is_digit(c))
        ++digits;
      else if (!is_alpha(c) && c != '-' && c != '_' && c != '.')
        return false;
    }
    if (digits == 0) return false;
    add(DataType::kSerial, Method::kKeyword, Confidence::kMedium, std::string(t),
        std::to_string(t.size()) + " characters" + suffix(), off(t), t.size());
    return true;
  }

  bool ssid_keyed(std::string_view t) {
    if (t.empty() || t.size() > 32) return false;
    add(DataType::kSsid, Method::kKeyword, Confidence::kMedium, std::string(t),
        "network name" + suffix(), off(t), t.size());
    return true;
  }

  bool ip_keyed(std::string_view t) {
    if (!plausible_ip(t)) return false;
    add(DataType::kIpAddress, Method::kValidated, Confidence::kHigh, to_lower(t),
        "IP address" + suffix(), off(t), t.size());
    return true;
  }

  bool name_keyed(std::string_view t) {
    if (t.size() < 2 || t.size() > 64) return false;
    size_t letters = 0;
    for (char c : t) {
      if (is_alpha(c) || uint8_t(c) >= 0x80)
        ++letters;
      else if (c != ' ' && c != '-' && c != '.' && c != '\'')
        return false;
    }
    if (letters < 2) return false;
    add(DataType::kName, Method::kKeyword, Confidence::kMedium, std::string(t),
        "person name" + suffix(), off(t), t.size());
    return true;
  }

  bool password(std::string_view t) {
    // The MQTT CONNECT password and similar protocol fields are passwords by
    // definition; a JSON "password" key is very likely one.
    bool field = ctx_.field.size() >= 8 && ctx_.field.substr(ctx_.field.size() - 8) == "password";
    if (t.size() > 256) return false;
    add(DataType::kCredentials, field ? Method::kValidated : Method::kKeyword,
        field ? Confidence::kHigh : Confidence::kMedium, std::string(t),
        field ? "password field of " + key_label(ctx_.field) : "password" + suffix(), off(t),
        t.size());
    return true;
  }

  bool user(std::string_view t) {
    if (t.size() > 128) return false;
    add(DataType::kCredentials, Method::kKeyword, Confidence::kLow, std::string(t),
        "user name" + suffix(), off(t), t.size());
    return true;
  }

  bool authorization(std::string_view t) {
    if (t.size() < 7 || !iequal(t.substr(0, 6), "basic ")) return false;
    std::string_view b64 = trim(t.substr(6));
    char buf[512];
    size_t n = 0;
    if (!base64_decode(b64, buf, sizeof buf, n)) return false;
    std::string_view decoded(buf, n);
    size_t colon = decoded.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    add(DataType::kCredentials, Method::kValidated, Confidence::kHigh,
        std::string(decoded.substr(0, colon)), "HTTP Basic user and password" + suffix(), off(t),
        t.size());
    return true;
  }

  // ---- free text ------------------------------------------------------------
  void free_text() {
    size_t n = v_.size();
    size_t max_digit = 0, max_hex = 0, run_digit = 0, run_hex = 0;
    size_t seps = 0, dots = 0;
    bool at = false, plus = false, comma = false;
    const auto* p = reinterpret_cast<const uint8_t*>(v_.data());
    for (size_t i = 0; i < n; ++i) {
      uint8_t cls = kClass[p[i]];
      if (cls) {
        ++run_hex;
        run_digit = cls == kDigitC ? run_digit + 1 : 0;
        max_digit = std::max(max_digit, run_digit);
        continue;
      }
      max_hex = std::max(max_hex, run_hex);
      run_hex = run_digit = 0;
      switch (p[i]) {
        case '@':
          at = true;
          break;
        case '+':
          plus = true;
          break;
        case ',':
          comma = true;
          break;
        case ':':
        case '-':
          ++seps;
          break;
        case '.':
          ++dots;
          break;
        default:
          break;
      }
    }
    max_hex = std::max(max_hex, run_hex);
    bool digit_runs_possible = max_digit >= 14;
    bool hex_runs_possible = max_hex >= 12;
    bool macs_possible = seps >= 5 || dots >= 2;
    bool coords_possible = comma && dots >= 2 && max_digit >= 3;
    bool urns_possible = seps >= 3 && max_digit >= 8;
    if (!digit_runs_possible && !hex_runs_possible && !at && !plus && !macs_possible &&
        !coords_possible && !urns_possible) {
      return;
    }
    if (urns_possible) imei_urns();
    if (digit_runs_possible) digit_runs();
    if (hex_runs_possible) hex_runs();
    if (macs_possible) separated_macs();
    if (at) emails();
    if (plus) phones();
    if (coords_possible) coordinates();
  }

  char at(size_t i) const { return i < v_.size() ? v_[i] : '\0'; }

  void digit_runs() {
    size_t n = v_.size();
    for (size_t i = 0; i < n;) {
      if (!is_digit(v_[i])) {
        ++i;
        continue;
      }
      size_t s = i;
      while (i < n && is_digit(v_[i])) ++i;
      size_t len = i - s;
      if (len < 14 || len > 20) continue;
      // Part of a hex token, a decimal fraction, or a +phone number.
      if ((s > 0 && is_hex(v_[s - 1])) || (i < n && is_hex(v_[i]))) continue;
      if (s > 0 && (v_[s - 1] == '.' || v_[s - 1] == '+')) continue;
      if (at(i) == '.' && is_digit(at(i + 1))) continue;
      digit_run(v_.substr(s, len), s);
    }
  }

  void digit_run(std::string_view d, size_t s) {
    size_t len = d.size();
    std::string k = suffix();
    if (len == 15) {
      bool imei = luhn_valid(d) && plausible_tac(d);
      std::optional<Operator> op = lookup_mcc_mnc(d);
      bool want_imsi = key_.role == KeyRole::kTyped && key_.type == DataType::kImsi;
      // An IMS private identity or EAP identity without the method digit
      // (3GPP TS 23.003 13.3, 19.3): IMSI@realm, the realm built from it.
      bool nai = op && at(s + len) == '@';
      bool agrees = nai && realm_agrees(*op, s + len + 1);
      if (imei && !agrees && !(want_imsi && op)) {
        add(DataType::kImei, Method::kValidated, adjust(DataType::kImei, Confidence::kMedium),
            std::string(d), "Luhn-valid 15 digits with allocated reporting body " + rbi(d) + k, s,
            len);
      } else if (nai) {
        add(DataType::kImsi, Method::kValidated,
            agrees ? Confidence::kHigh : adjust(DataType::kImsi, Confidence::kMedium),
            std::string(d),
            "IMSI in a network access identifier, MCC/MNC in the E.212 table (" +
                std::string(op->name) + ", " + std::string(op->country) + ")" +
                (agrees ? ", realm agrees" : "") + k,
            s, len);
      } else if (op) {
        add(DataType::kImsi, Method::kValidated, adjust(DataType::kImsi, Confidence::kMedium),
            std::string(d),
            "15 digits with MCC " + std::string(op->mcc) + " MNC " + std::string(op->mnc) +
                " in the E.212 table (" + std::string(op->name) + ", " + std::string(op->country) +
                ")" + k,
            s, len);
      }
      return;
    }
    if (len == 16) {
      // EAP-AKA/SIM permanent identity: a one-digit method prefix, the IMSI,
      // then @realm (RFC 4187 / 3GPP TS 23.003).
      if (at(s + len) == '@' && (d[0] == '0' || d[0] == '1' || d[0] == '6')) {
        std::string_view imsi = d.substr(1);
        if (auto op = lookup_mcc_mnc(imsi)) {
          bool matches = realm_agrees(*op, s + len + 1);
          add(DataType::kImsi, Method::kValidated,
              matches ? Confidence::kHigh : adjust(DataType::kImsi, Confidence::kMedium),
              std::string(imsi),
              std::string("IMSI in an EAP identity (NAI), MCC/MNC in the E.212 table (") +
                  std::string(op->name) + ", " + std::string(op->country) + ")" +
                  (matches ? ", realm agrees" : "") + k,
              s + 1, 15);
          return;
        }
      }
      if (key_.role == KeyRole::kTyped &&
          (key_.type == DataType::kImeisv || key_.type == DataType::kImei) && plausible_tac(d)) {
        add(DataType::kImeisv, Method::kValidated, Confidence::kHigh, std::string(d),
            "16 digits (IMEISV)" + k, s, len);
      }
      return;
    }
    if ((len == 19 || len == 20) && d.substr(0, 2) == "89" && luhn_valid(d) &&
        country_code_length(d.substr(2)) > 0) {
      add(DataType::kIccid, Method::kValidated, adjust(DataType::kIccid, Confidence::kMedium),
          std::string(d),
          "Luhn-valid " + std::to_string(len) + " digits starting 89 and a country code" + k, s,
          len);
    }
  }

  // Whether the realm starting at `from` names the operator's network
  // ("...mnc001.mcc242.3gppnetwork.org"), as NAIs built from the IMSI do.
  bool realm_agrees(const Operator& op, size_t from) const {
    std::string tag = "mnc" + std::string(3 - std::min<size_t>(op.mnc.size(), 3), '0') +
                      std::string(op.mnc) + ".mcc" + std::string(op.mcc);
    size_t end = from;
    while (end < v_.size() && (is_alnum(v_[end]) || v_[end] == '.' || v_[end] == '-')) ++end;
    return to_lower(v_.substr(from, end - from)).find(tag) != std::string::npos;
  }

  // RFC 7254 IMEI URNs ("urn:gsma:imei:35209900-176148-0", the SIP
  // instance id of IMS phones): TAC, serial number and a spare digit; the
  // check digit is not sent, so it is computed.
  void imei_urns() {
    size_t n = v_.size();
    for (size_t colon = v_.find(':', 4); colon != std::string_view::npos && colon + 18 <= n;
         colon = v_.find(':', colon + 1)) {
      if (!iequal(v_.substr(colon - 4, 4), "imei")) continue;
      const size_t i = colon - 4;
      std::string_view u = v_.substr(i + 5, 17);
      if (!all_digits(u.substr(0, 8)) || u[8] != '-' || !all_digits(u.substr(9, 6)) ||
          u[15] != '-' || !is_digit(u[16]) || (i + 22 < n && is_alnum(v_[i + 22])))
        continue;
      std::string imei = std::string(u.substr(0, 8)) + std::string(u.substr(9, 6)) + '0';
      while (!luhn_valid(imei)) ++imei.back();
      bool tac = plausible_tac(imei);
      add(DataType::kImei, Method::kValidated,
          tac ? adjust(DataType::kImei, Confidence::kHigh) : Confidence::kMedium, imei,
          "IMEI URN (RFC 7254), check digit computed" +
              (tac ? std::string() : ", reporting body " + rbi(imei) + " not allocated") + suffix(),
          i + 5, 17);
    }
  }

  void hex_runs() {
    size_t n = v_.size();
    for (size_t i = 0; i < n;) {
      if (!is_hex(v_[i])) {
        ++i;
        continue;
      }
      size_t s = i;
      while (i < n && is_hex(v_[i])) ++i;
      // Text still percent-encoded ("%3A1790775890"): the escape's two
      // digits are not part of the token.
      const bool escaped = s > 0 && v_[s - 1] == '%' && i - s >= 2;
      if (escaped) s += 2;
      size_t letters = 0, upper = 0;
      for (size_t k = s; k < i; ++k) {
        if (!is_digit(v_[k])) {
          ++letters;
          if (v_[k] <= 'F') ++upper;
        }
      }
      size_t len = i - s;
      if (len == 16 && s >= 8 && iequal(v_.substr(s - 8, 8), "android-") &&
          (s == 8 || !is_alnum(v_[s - 9]))) {
        std::string_view id = v_.substr(s, 16);
        if (!all_same(id) && !iequal(id, "9774d56d682e549c")) {
          add(DataType::kAndroidId, Method::kValidated, Confidence::kHigh, to_lower(id),
              "android-<16 hex> host name (Android ID)" + suffix(), s, 16);
        }
        continue;
      }
      if (len != 12) continue;
      // A bare 12-hex token: letters and digits both, one case, not a piece of
      // a UUID / IPv6 / separated structure, not glued to other letters.
      if (letters == 0 || letters == 12 || (upper != 0 && upper != letters)) continue;
      auto glued = [&](size_t pos, size_t next) {
        return pos < n && (v_[pos] == '-' || v_[pos] == ':') && next < n && is_hex(v_[next]);
      };
      if (!escaped && s >= 2 && glued(s - 1, s - 2)) continue;
      if (glued(i, i + 1)) continue;
      if ((!escaped && s > 0 && is_alpha(v_[s - 1])) || (i < n && is_alpha(v_[i]))) continue;
      auto mac = parse_mac(v_.substr(s, 12));
      if (!mac || !mac_identifies_device(*mac)) continue;
      mac_candidate(*mac, DataType::kMac, adjust(DataType::kMac, Confidence::kMedium),
                    "12 hex digits delimited by non-hex (bare MAC)" + suffix(), s, 12);
    }
  }

  void separated_macs() {
    size_t n = v_.size();
    for (size_t i = 0; i + 14 <= n; ++i) {
      if (!is_hex(v_[i]) || (i > 0 && is_hex(v_[i - 1]))) continue;
      size_t len = 0;
      if (i + 17 <= n && (v_[i + 2] == ':' || v_[i + 2] == '-'))
        len = 17;
      else if (v_[i + 4] == '.')
        len = 14;
      else
        continue;
      // Not a piece of a longer run of groups joined by the same separator
      // (an IPv6 address, an EUI-64): before it, "::" or a hex group that
      // has a digit or follows the separator too. A label ("MAC:", "ID-")
      // is not a group, nor is a different separator (a DNS name's dots).
      const char sep = len == 17 ? v_[i + 2] : '.';
      if (i >= 2 && v_[i - 1] == sep && (v_[i - 2] == sep || is_hex(v_[i - 2]))) {
        size_t g = i - 1;
        bool digit = false;
        while (g > 0 && is_hex(v_[g - 1])) digit |= is_digit(v_[--g]);
        if (g == i - 1 || digit || (g > 0 && v_[g - 1] == sep)) continue;
      }
      auto mac = parse_mac(v_.substr(i, len));
      if (!mac) continue;
      size_t e = i + len;
      if (e < n && (is_hex(v_[e]) || (v_[e] == sep && is_hex(at(e + 1))))) continue;
      if (mac_identifies_device(*mac)) {
        mac_candidate(*mac, DataType::kMac, adjust(DataType::kMac, Confidence::kHigh),
                      "MAC address" + suffix(), i, len);
      }
      i = e - 1;
    }
  }

  // scheme://user:password@host is credentials, whatever the host (an IP
  // camera's own address, a .local name), not an e-mail address. `at_pos`
  // is the '@'; true when it ends such a userinfo.
  bool url_credentials(size_t at_pos) {
    auto userinfo = [](char c) {
      return is_alnum(c) || (c != '\0' && std::strchr("-._~%!$&'()*+,;=:", c) != nullptr);
    };
    size_t u = at_pos;
    while (u > 0 && userinfo(v_[u - 1])) --u;
    if (u < 3 || v_[u - 1] != '/' || v_[u - 2] != '/' || v_[u - 3] != ':') return false;
    size_t scheme = u - 3;
    while (scheme > 0 && (is_alnum(v_[scheme - 1]) || v_[scheme - 1] == '+' ||
                          v_[scheme - 1] == '-' || v_[scheme - 1] == '.'))
      --scheme;
    if (scheme == u - 3 || !is_alpha(v_[scheme])) return false;
    std::string_view info = v_.substr(u, at_pos - u);
    size_t colon = info.find(':');
    if (colon == 0 || colon == std::string_view::npos || colon + 1 == info.size()) return false;
    if (at_pos + 1 >= v_.size() || !(is_alnum(v_[at_pos + 1]) || v_[at_pos + 1] == '[')) {
      return false;
    }
    add(DataType::kCredentials, Method::kValidated,
        adjust(DataType::kCredentials, Confidence::kHigh), std::string(info.substr(0, colon)),
        "user and password in a URL" + suffix(), u, at_pos - u);
    return true;
  }

  void emails() {
    size_t n = v_.size();
    for (size_t i = 0; i < n; ++i) {
      if (v_[i] != '@' || url_credentials(i)) continue;
      size_t start = 0;
      size_t len = email_at(v_, i, start);
      if (len == 0) continue;
      std::string_view local = v_.substr(start, i - start);
      std::string_view domain = v_.substr(i + 1, start + len - i - 1);
      if (all_digits(local) && to_lower(domain).find("3gppnetwork.org") != std::string::npos) {
        continue;  // an EAP identity; digit_runs() reports the IMSI
      }
      add(DataType::kEmail, Method::kValidated, adjust(DataType::kEmail, Confidence::kMedium),
          to_lower(v_.substr(start, len)), "e-mail address" + suffix(), start, len);
      i = start + len - 1;
    }
  }

  void phones() {
    size_t n = v_.size();
    for (size_t i = 0; i + 1 < n; ++i) {
      if (v_[i] != '+' || !is_digit(v_[i + 1]) || (i > 0 && is_alnum(v_[i - 1]))) continue;
      size_t j = i + 1, digits = 0, last_digit = i;
      while (j < n && j - i <= 24) {
        char c = v_[j];
        if (is_digit(c)) {
          ++digits;
          last_digit = j;
        } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
          break;
        }
        ++j;
      }
      size_t e = last_digit + 1;
      if (digits < 8 || digits > 15) continue;
      if (e < n && (is_alnum(v_[e]) || (v_[e] == '.' && is_digit(at(e + 1))))) continue;
      if (auto e164 = phone_e164(v_.substr(i, e - i), "")) {
        add(DataType::kMsisdn, Method::kValidated, adjust(DataType::kMsisdn, Confidence::kMedium),
            std::move(*e164), "valid international phone number" + suffix(), i, e - i);
      }
      i = e - 1;
    }
  }

  // A signed decimal ending at `e` (exclusive), reading backwards: its start.
  size_t number_before(size_t e) const {
    size_t s = e;
    while (s > 0 && (is_digit(v_[s - 1]) || v_[s - 1] == '.')) --s;
    if (s > 0 && (v_[s - 1] == '-' || v_[s - 1] == '+')) --s;
    return s;
  }
  size_t number_after(size_t s) const {
    size_t e = s;
    if (e < v_.size() && (v_[e] == '-' || v_[e] == '+')) ++e;
    while (e < v_.size() && (is_digit(v_[e]) || v_[e] == '.')) ++e;
    return e;
  }

  void coordinates() {
    size_t n = v_.size();
    for (size_t i = 1; i + 1 < n; ++i) {
      if (v_[i] != ',') continue;
      size_t ls = number_before(i);
      size_t rs = i + 1 + (v_[i + 1] == ' ' ? 1 : 0);
      size_t re = number_after(rs);
      if (ls == i || re == rs) continue;
      // Not a piece of a longer list of numbers on the left, nor glued on.
      if (ls > 0 && (is_alnum(v_[ls - 1]) || v_[ls - 1] == '.')) continue;
      if (ls > 1 && v_[ls - 1] == ',' && is_digit(v_[ls - 2])) continue;
      if (re < n && (is_alnum(v_[re]) || v_[re] == '.')) continue;
      std::string_view lat_s = v_.substr(ls, i - ls), lon_s = v_.substr(rs, re - rs);
      double lat, lon;
      int lat_dec, lon_dec;
      if (!parse_coordinate(lat_s, lat, lat_dec) || !parse_coordinate(lon_s, lon, lon_dec)) {
        continue;
      }
      if (lat_dec < 3 || lon_dec < 3) continue;
      if (lat < -90 || lat > 90 || lon < -180 || lon > 180) continue;
      if (std::max(std::abs(lat), std::abs(lon)) < 1) continue;  // null island, unit vectors
      auto strip_plus = [](std::string_view s) { return s[0] == '+' ? s.substr(1) : s; };
      add(DataType::kLocation, Method::kValidated, adjust(DataType::kLocation, Confidence::kMedium),
          std::string(strip_plus(lat_s)) + "," + std::string(strip_plus(lon_s)),
          "\"lat,lon\" in range with " + std::to_string(std::min(lat_dec, lon_dec)) + "+ decimals" +
              suffix(),
          ls, re - ls);
      i = re - 1;
    }
  }

  // ---- keyword only -------------------------------------------------------
  void keyword_fallback() {
    if (!options_.keyword_findings || key_.role != KeyRole::kTyped || !identifier_type(key_.type) ||
        added(key_.type)) {
      return;
    }
    std::string_view t = trim(v_);
    if (placeholder(t) || !opaque(t)) return;
    bool hex = all_hex(t);
    add(key_.type, Method::kKeyword, Confidence::kLow, hex ? to_lower(t) : std::string(t),
        std::to_string(t.size()) + (hex ? " hex digits" : " characters") + suffix() +
            ", not a valid " + std::string(name(key_.type)) +
            (hex && (t.size() == 32 || t.size() == 40 || t.size() == 64) ? " (a hash of one?)"
                                                                         : ""),
        off(t), t.size());
  }

  const Context& ctx_;
  KeyInfo key_;
  std::string_view v_;
  std::vector<Candidate>& out_;
  const Options& options_;
  size_t first_;
};

}  // namespace

void Detector::scan(const Context& ctx, std::string_view value, std::vector<Candidate>& out) const {
  Scan(ctx, value, out, options_).run();
}

}  // namespace ph::detect
