// Reading a device profile (see profile.h): toml++ or simdjson turn the file
// into (key, scalar, position) items; one Builder checks and normalises them
// the same way for both formats.
//
// What a user gets for a mistake: a file that does not parse, an unknown key
// (with the nearest known one), a value of the wrong kind (a number where a
// string belongs: IMEIs as numbers lose leading zeros), or a value that
// cannot be what its key says (an IMEI of 14 digits, a MAC that is not one)
// is an error, and every such error is listed. A value that has the right
// shape but fails a check real identifiers pass (Luhn, an E.212 operator, an
// assigned phone range) is a warning and is still matched as written: cheap
// devices ship with invalid IMEIs, and the user knows their device.
#include "detect/profile.h"

#include <simdjson.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <optional>
#include <span>

#include "base/config_file.h"
#include "detect/keywords.h"
#include "detect/validators.h"

namespace ph::detect {
namespace {

struct Pos {
  size_t line = 0;  // 1-based; 0 when unknown (JSON)
  size_t column = 0;
};

struct Scalar {
  enum class Kind { kString, kNumber, kOther } kind = Kind::kOther;
  std::string text;       // kString
  double number = 0;      // kNumber
  std::string_view what;  // kOther: "a table", "a boolean"...
  Pos pos;
};

// The keys of values, in the order the README lists them.
struct KeyType {
  std::string_view key;
  DataType type;
};
constexpr KeyType kValueKeys[] = {
    {"imei", DataType::kImei},   {"imsi", DataType::kImsi},
    {"iccid", DataType::kIccid}, {"phone", DataType::kMsisdn},
    {"mac", DataType::kMac},     {"android_id", DataType::kAndroidId},
    {"ad_id", DataType::kAdId},  {"serial", DataType::kSerial},
    {"email", DataType::kEmail}, {"name", DataType::kName},
};
constexpr std::string_view kRegionKey = "phone_region";
constexpr std::string_view kHomeKey = "home";
constexpr std::string_view kHomeFields[] = {"latitude", "longitude", "radius_m"};

const KeyType* value_key(std::string_view key) {
  for (const KeyType& k : kValueKeys)
    if (k.key == key) return &k;
  return nullptr;
}

// "unknown key 'imie' (did you mean 'imei'?)"; keys come from the file, so
// they are quoted printable and bounded like keys in rules.
std::string unknown_key(std::string_view key, std::span<const std::string_view> known) {
  return "unknown key '" + key_label(key) + "'" + suggestion(key, known);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Digits of a number written with spaces, dashes, dots or slashes; nullopt
// when anything else is in it.
std::optional<std::string> digits_of(std::string_view s) {
  std::string d;
  for (char c : s) {
    if (is_digit(c))
      d.push_back(c);
    else if (c != ' ' && c != '-' && c != '.' && c != '/')
      return std::nullopt;
  }
  return d;
}

class Builder {
 public:
  explicit Builder(std::string_view name) : name_(name) {}

  // A top-level key with one scalar (index 0) or an array element (index
  // 1, 2...).
  void value(std::string_view key, Pos key_pos, size_t index, Scalar s) {
    raw_.push_back({std::string(key), key_pos, index, std::move(s)});
  }
  // One [home] table (index 0) or one of several [[home]] (index 1, 2...).
  struct Field {
    std::string key;
    Pos key_pos;
    Scalar s;
  };
  struct RawHome {
    size_t index;
    Pos pos;
    std::vector<Field> fields;
  };
  RawHome& home(size_t index, Pos pos) {
    homes_.push_back({index, pos, {}});
    return homes_.back();
  }
  void error(Pos pos, const std::string& message) { errors_.push_back(at(pos) + message); }

  Result<Profile> finish();

 private:
  struct Raw {
    std::string key;
    Pos key_pos;
    size_t index;
    Scalar s;
  };

  std::string at(Pos pos) const {
    std::string r(name_);
    if (pos.line) r += ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
    return r + ": ";
  }
  static std::string label(std::string_view key, size_t index) {
    std::string r = key_label(key);
    if (index) r += "[" + std::to_string(index) + "]";
    return r;
  }
  // Messages about the item being checked.
  void fail(const std::string& msg) { errors_.push_back(current_ + msg); }
  void warn(const std::string& msg) { profile_.warnings.push_back(current_ + msg); }

  std::optional<std::string> normalise(DataType type, std::string_view text);
  std::optional<std::string> imei(std::string_view t);
  std::optional<std::string> imsi(std::string_view t);
  std::optional<std::string> iccid(std::string_view t);
  std::optional<std::string> phone(std::string_view t);
  std::optional<std::string> name(std::string_view t);
  void add_home(const RawHome& h);

  std::string_view name_;
  std::vector<Raw> raw_;
  std::vector<RawHome> homes_;
  std::vector<std::string> errors_;
  std::string current_;  // "device.toml:3:9: imei[2]: "
  std::string region_;   // for national phone numbers
  Profile profile_;
};

std::optional<std::string> Builder::imei(std::string_view t) {
  auto d = digits_of(t);
  if (!d || d->size() != 15) {
    fail("an IMEI has 15 digits (spaces and dashes allowed)" +
         (d ? "; this has " + std::to_string(d->size()) : std::string()));
    return std::nullopt;
  }
  if (!luhn_valid(*d)) warn("the Luhn check digit fails (a typo?); matched as written");
  if (!plausible_tac(*d)) warn("the first two digits are not an allocated reporting body");
  return d;
}

std::optional<std::string> Builder::imsi(std::string_view t) {
  auto d = digits_of(t);
  if (!d || d->size() < 14 || d->size() > 15) {
    fail("an IMSI has 14 or 15 digits" +
         (d ? "; this has " + std::to_string(d->size()) : std::string()));
    return std::nullopt;
  }
  if (!lookup_mcc_mnc(*d)) warn("MCC/MNC not in the E.212 table; matched as written");
  return d;
}

std::optional<std::string> Builder::iccid(std::string_view t) {
  // Some systems pad ICCIDs to 20 characters with 'F'.
  while (!t.empty() && (t.back() == 'F' || t.back() == 'f')) t.remove_suffix(1);
  auto d = digits_of(t);
  if (!d || d->size() < 18 || d->size() > 20) {
    fail("an ICCID has 18 to 20 digits" +
         (d ? "; this has " + std::to_string(d->size()) : std::string()));
    return std::nullopt;
  }
  if (d->compare(0, 2, "89") != 0) warn("does not start with 89 (telecom); matched as written");
  if (!luhn_valid(*d)) warn("the Luhn check digit fails (a typo?); matched as written");
  return d;
}

std::optional<std::string> Builder::phone(std::string_view t) {
  bool international = !t.empty() && (t[0] == '+' || (t.size() > 2 && t[0] == '0' && t[1] == '0'));
  std::string text(t);
  if (t.size() > 2 && t[0] == '0' && t[1] == '0') text = "+" + text.substr(2);
  if (!international && region_.empty()) {
    fail(
        "a national number needs phone_region (e.g. phone_region = \"NO\") or an IMSI; or write "
        "it in international form (+47...)");
    return std::nullopt;
  }
  auto forms = phone_forms(text, international ? "" : region_);
  if (!forms) {
    fail("not a phone number");
    return std::nullopt;
  }
  if (!forms->valid) warn("not in an assigned number range; matched as written");
  return forms->e164;
}

std::optional<std::string> Builder::name(std::string_view t) {
  std::string r;
  size_t letters = 0, words = 0;
  bool space = true;
  for (char c : t) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (uint8_t(c) < 0x20 || c == 0x7f) {
      fail("a name has no control characters");
      return std::nullopt;
    }
    if (space && !r.empty()) r.push_back(' ');
    words += space;
    space = false;
    r.push_back(c);
    letters += is_alpha(c) || uint8_t(c) >= 0x80;
  }
  if (letters < 2 || r.size() > 100) {
    fail("a name has 2 to 100 characters, letters among them");
    return std::nullopt;
  }
  if (words == 1) warn("a single word: matched wherever it appears as a whole word");
  return r;
}

std::optional<std::string> Builder::normalise(DataType type, std::string_view text) {
  std::string_view t = trim(text);
  switch (type) {
    case DataType::kImei:
      return imei(t);
    case DataType::kImsi:
      return imsi(t);
    case DataType::kIccid:
      return iccid(t);
    case DataType::kMsisdn:
      return phone(t);
    case DataType::kMac: {
      auto mac = parse_mac(t);
      if (!mac) {
        fail("not a MAC address (aa:bb:cc:dd:ee:ff, aa-bb-..., aabb.ccdd.eeff or 12 hex digits)");
        return std::nullopt;
      }
      if (!mac_identifies_device(*mac)) {
        fail("a zero, broadcast or multicast address identifies no device");
        return std::nullopt;
      }
      return format_mac(*mac);
    }
    case DataType::kAndroidId:
      if (t.size() < 13 || t.size() > 16 || !all_hex(t)) {
        fail("an Android ID has 13 to 16 hex digits");
        return std::nullopt;
      }
      if (to_lower(t) == "9774d56d682e549c")
        warn("the Android ID many emulators and old devices share; matched as written");
      return to_lower(t);
    case DataType::kAdId: {
      std::string id = to_lower(t);
      if (id.size() == 32 && all_hex(id)) {
        for (size_t at : {8, 13, 18, 23}) id.insert(at, 1, '-');
      }
      if (!is_uuid(id)) {
        fail("an advertising ID is a UUID (8-4-4-4-12 hex digits)");
        return std::nullopt;
      }
      if (id == "00000000-0000-0000-0000-000000000000") {
        fail("the all-zero ID is what devices send when tracking is limited; it identifies nobody");
        return std::nullopt;
      }
      return id;
    }
    case DataType::kSerial: {
      if (t.size() < 5 || t.size() > 64) {
        fail("a serial number has 5 to 64 characters (shorter ones match too much)");
        return std::nullopt;
      }
      for (char c : t) {
        if (uint8_t(c) <= 0x20 || uint8_t(c) >= 0x7f) {
          fail("a serial number is printable ASCII without spaces");
          return std::nullopt;
        }
      }
      return std::string(t);
    }
    case DataType::kEmail: {
      size_t at = t.find('@'), start = 0;
      if (at == std::string_view::npos || email_at(t, at, start) != t.size() || start != 0) {
        fail("not an e-mail address");
        return std::nullopt;
      }
      return to_lower(t);
    }
    case DataType::kName:
      return name(t);
    default:
      return std::nullopt;
  }
}

void Builder::add_home(const RawHome& h) {
  std::optional<double> field[3];
  for (const auto& [key, key_pos, s] : h.fields) {
    current_ = at(s.pos) + "home" + (h.index ? "[" + std::to_string(h.index) + "]" : "") + "." +
               key_label(key) + ": ";
    std::string_view k = key;  // short spellings too
    if (k == "lat") k = "latitude";
    if (k == "lon" || k == "lng") k = "longitude";
    auto it = std::find(std::begin(kHomeFields), std::end(kHomeFields), k);
    if (it == std::end(kHomeFields)) {
      errors_.push_back(at(key_pos) + "home: " + unknown_key(key, kHomeFields));
      continue;
    }
    if (s.kind != Scalar::Kind::kNumber || !std::isfinite(s.number)) {
      fail("must be a number (got " +
           std::string(s.kind == Scalar::Kind::kString ? "a string" : s.what) + ")");
      continue;
    }
    field[it - std::begin(kHomeFields)] = s.number;
  }
  current_ = at(h.pos) + "home" + (h.index ? "[" + std::to_string(h.index) + "]" : "") + ": ";
  if (!field[0] || !field[1]) {
    fail("needs latitude and longitude (decimal degrees)");
    return;
  }
  HomeLocation home;
  home.latitude = *field[0];
  home.longitude = *field[1];
  if (field[2]) home.radius_m = *field[2];
  if (std::abs(home.latitude) > 90 || std::abs(home.longitude) > 180) {
    fail("latitude must be within -90..90 and longitude within -180..180");
    return;
  }
  if (!(home.radius_m > 0 && home.radius_m <= 100000)) {
    fail("radius_m must be more than 0 and at most 100000 (metres)");
    return;
  }
  profile_.homes.push_back(home);
}

Result<Profile> Builder::finish() {
  if (raw_.size() > kMaxProfileValues) {
    return make_error(std::string(name_) + ": more than " + std::to_string(kMaxProfileValues) +
                      " values");
  }
  std::vector<std::string_view> top_keys;
  for (const KeyType& k : kValueKeys) top_keys.push_back(k.key);
  top_keys.push_back(kRegionKey);
  top_keys.push_back(kHomeKey);
  // toml++ tables iterate in key order: back to the order of the file, so
  // that values and messages follow it (JSON has no positions and keeps its
  // order).
  std::stable_sort(raw_.begin(), raw_.end(), [](const Raw& a, const Raw& b) {
    return std::pair(a.key_pos.line, a.key_pos.column) <
           std::pair(b.key_pos.line, b.key_pos.column);
  });
  for (RawHome& h : homes_) {
    std::stable_sort(h.fields.begin(), h.fields.end(), [](const Field& a, const Field& b) {
      return std::pair(a.key_pos.line, a.key_pos.column) <
             std::pair(b.key_pos.line, b.key_pos.column);
    });
  }
  // The region for national phone numbers: phone_region, else the first
  // IMSI's country.
  for (const Raw& r : raw_) {
    if (r.key != kRegionKey) continue;
    current_ = at(r.s.pos) + label(r.key, r.index) + ": ";
    std::string region = to_upper(trim(r.s.text));
    if (r.index || r.s.kind != Scalar::Kind::kString || region.size() != 2 ||
        !is_alpha(region[0]) || !is_alpha(region[1])) {
      fail("must be one ISO 3166 country code as a string, e.g. \"NO\"");
      continue;
    }
    region_ = region;
  }
  if (region_.empty()) {
    for (const Raw& r : raw_) {
      if (r.key != "imsi" || r.s.kind != Scalar::Kind::kString) continue;
      auto d = digits_of(trim(r.s.text));
      if (d && d->size() >= 3) region_ = country_for_mcc(std::string_view(*d).substr(0, 3));
      break;
    }
  }
  for (const Raw& r : raw_) {
    if (r.key == kRegionKey) continue;
    current_ = at(r.s.pos) + label(r.key, r.index) + ": ";
    const KeyType* k = value_key(r.key);
    if (!k) {
      errors_.push_back(at(r.key_pos) + unknown_key(r.key, top_keys));
      continue;
    }
    if (r.s.kind != Scalar::Kind::kString) {
      fail("must be a string or a list of strings (got " +
           std::string(r.s.kind == Scalar::Kind::kNumber ? "a number" : r.s.what) + ")" +
           (r.s.kind == Scalar::Kind::kNumber ? "; quote it: as a number, leading zeros are lost"
                                              : ""));
      continue;
    }
    auto v = normalise(k->type, r.s.text);
    if (!v) continue;
    bool seen = false;
    for (const ProfileValue& p : profile_.values) seen |= p.type == k->type && p.value == *v;
    if (seen) {
      warn("the same value is listed before; matched once");
      continue;
    }
    profile_.values.push_back({k->type, std::move(*v)});
  }
  for (const RawHome& h : homes_) add_home(h);
  if (errors_.empty() && profile_.values.empty() && profile_.homes.empty()) {
    std::string msg = std::string(name_) + ": no values; give at least one of:";
    for (const KeyType& k : kValueKeys) msg += " " + std::string(k.key);
    errors_.push_back(msg + " home");
  }
  if (!errors_.empty()) {
    std::string msg;
    for (const std::string& e : errors_) msg += (msg.empty() ? "" : "\n") + e;
    return make_error(std::move(msg));
  }
  return std::move(profile_);
}

// ---- TOML -------------------------------------------------------------------

Pos toml_pos(const toml::source_region& r) { return {r.begin.line, r.begin.column}; }

Scalar toml_scalar(const toml::node& n) {
  Scalar s;
  s.pos = toml_pos(n.source());
  if (auto v = n.as_string()) {
    s.kind = Scalar::Kind::kString;
    s.text = v->get();
  } else if (auto i = n.as_integer()) {
    s.kind = Scalar::Kind::kNumber;
    s.number = double(i->get());
  } else if (auto f = n.as_floating_point()) {
    s.kind = Scalar::Kind::kNumber;
    s.number = f->get();
  } else {
    s.what = n.is_table()     ? "a table"
             : n.is_array()   ? "a list"
             : n.is_boolean() ? "a boolean"
                              : "a date or time";
  }
  return s;
}

void toml_home(const toml::table& t, size_t index, Builder& b) {
  auto& home = b.home(index, toml_pos(t.source()));
  for (auto&& [k, v] : t)
    home.fields.push_back({std::string(k.str()), toml_pos(k.source()), toml_scalar(v)});
}

void read_toml(std::string_view text, std::string_view name, Builder& b) {
  if (auto problem = toml_guard(text, "a profile", "[home]")) {
    b.error({problem->line, problem->column}, problem->message);
    return;
  }
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    b.error(toml_pos(e.source()), one_line(e.description()));
    return;
  }
  for (auto&& [k, node] : root) {
    if (k.str() == kHomeKey) {
      if (auto t = node.as_table()) {
        toml_home(*t, 0, b);
      } else if (auto a = node.as_array(); a && a->is_array_of_tables()) {
        size_t i = 0;
        for (auto& el : *a) toml_home(*el.as_table(), ++i, b);
      } else {
        b.error(toml_pos(k.source()), "home: must be a table ([home]) or tables ([[home]])");
      }
    } else if (auto a = node.as_array()) {
      size_t i = 0;
      for (auto& el : *a) b.value(k.str(), toml_pos(k.source()), ++i, toml_scalar(el));
    } else {
      b.value(k.str(), toml_pos(k.source()), 0, toml_scalar(node));
    }
  }
}

// ---- JSON -------------------------------------------------------------------

Scalar json_scalar(simdjson::dom::element e) {
  Scalar s;
  switch (e.type()) {
    case simdjson::dom::element_type::STRING:
      s.kind = Scalar::Kind::kString;
      s.text = std::string(std::string_view(e));
      break;
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      s.kind = Scalar::Kind::kNumber;
      if (e.get_double().get(s.number)) s.kind = Scalar::Kind::kOther, s.what = "a number";
      break;
    case simdjson::dom::element_type::ARRAY:
      s.what = "a list";
      break;
    case simdjson::dom::element_type::OBJECT:
      s.what = "an object";
      break;
    case simdjson::dom::element_type::BOOL:
      s.what = "a boolean";
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      s.what = "null";
      break;
  }
  return s;
}

void json_home(simdjson::dom::object o, size_t index, Builder& b) {
  auto& home = b.home(index, {});
  for (auto [k, v] : o) home.fields.push_back({std::string(k), {}, json_scalar(v)});
}

void read_json(std::string_view text, Builder& b) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root)) {
    b.error({}, std::string("not valid JSON: ") + simdjson::error_message(err));
    return;
  }
  simdjson::dom::object top;
  if (root.get_object().get(top)) {
    b.error({}, "a JSON profile is one object: {\"imei\": [...], ...}");
    return;
  }
  for (auto [k, v] : top) {
    if (k == kHomeKey) {
      simdjson::dom::object o;
      simdjson::dom::array a;
      if (!v.get_object().get(o)) {
        json_home(o, 0, b);
      } else if (!v.get_array().get(a)) {
        size_t i = 0;
        for (auto el : a) {
          ++i;
          if (el.get_object().get(o))
            b.error({}, "home[" + std::to_string(i) + "]: must be an object");
          else
            json_home(o, i, b);
        }
      } else {
        b.error({}, "home: must be an object or a list of objects");
      }
    } else if (simdjson::dom::array a; !v.get_array().get(a)) {
      size_t i = 0;
      for (auto el : a) b.value(k, {}, ++i, json_scalar(el));
    } else {
      b.value(k, {}, 0, json_scalar(v));
    }
  }
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && to_lower(s.substr(s.size() - suffix.size())) == suffix;
}

}  // namespace

Result<Profile> parse_profile(std::string_view text, ProfileFormat format, std::string_view name) {
  if (format == ProfileFormat::kAuto) {
    std::string_view t = text;
    while (!t.empty() &&
           (t.front() == ' ' || t.front() == '\t' || t.front() == '\n' || t.front() == '\r'))
      t.remove_prefix(1);
    format = !t.empty() && t.front() == '{' ? ProfileFormat::kJson : ProfileFormat::kToml;
  }
  Builder b(name);
  if (format == ProfileFormat::kJson)
    read_json(text, b);
  else
    read_toml(text, name, b);
  return b.finish();
}

Result<Profile> load_profile(const std::string& path) {
  auto text = read_config_file(path, "profile", 1 << 20);
  if (!text) return text.error();
  ProfileFormat f = ends_with(path, ".json")   ? ProfileFormat::kJson
                    : ends_with(path, ".toml") ? ProfileFormat::kToml
                                               : ProfileFormat::kAuto;
  return parse_profile(*text, f, path);
}

}  // namespace ph::detect
