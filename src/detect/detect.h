// The identifier detectors: given one decoded (key, value) leaf and a little
// context, find the personal identifiers in the value (IMEI, IMSI, ICCID,
// phone number, MAC, Android ID, ad ID, email, location, ...) and say how
// sure we are and why. Validators find shapes without hints (check digits,
// E.212 table, libphonenumber); the key name (keywords.h) raises or caps the
// confidence and types values that fail validation. This module knows
// nothing about packets, flows or decoders; the Engine feeds it leaves.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ph::detect {

enum class DataType : uint8_t {
  kImei,
  kImeisv,
  kMeid,
  kImsi,
  kIccid,
  kMsisdn,
  kMac,
  kAndroidId,
  kAdId,
  kSerial,
  kEmail,
  kLocation,
  kCellId,
  kWifiBssid,
  kSsid,
  kCredentials,
  kName,
  kIpAddress,
  kOther,
};
inline constexpr size_t kDataTypeCount = size_t(DataType::kOther) + 1;
// The output contract's names: "imei", "imeisv", ..., "ip_address", "other".
std::string_view name(DataType type);

enum class Method : uint8_t { kProfile, kValidated, kKeyword };
enum class Confidence : uint8_t { kLow, kMedium, kHigh };
std::string_view name(Method method);          // "profile" | "validated" | "keyword"
std::string_view name(Confidence confidence);  // "low" | "medium" | "high"

struct Candidate {
  DataType type = DataType::kOther;
  Method method = Method::kKeyword;
  Confidence confidence = Confidence::kLow;
  // Normalised per the output contract: IMEI/IMSI/ICCID digits, MAC
  // aa:bb:cc:dd:ee:ff, phone E.164, location "lat,lon", UUIDs lower case.
  std::string value;
  // The explanation shown to users. Never contains the value.
  std::string rule;
  // Where in the scanned value the identifier was found (bytes). Pairer
  // results (LocationPairer, CellPairer) span the whole of the first value.
  size_t offset = 0;
  size_t length = 0;
  // Pairer results only: the key path of what was paired (the parent of the
  // leaves, e.g. "$.gps"; a lone cell id's own path).
  std::string path;
  // Encodings seen through by the detector itself, after the leaf's own
  // (a profile form: {"base64", "sha256"}); empty entries are unused.
  std::array<std::string_view, 2> encodings{};
};

struct Context {
  std::string_view key;       // the leaf's own key ("IMEI1", "di"); may be empty
  std::string_view path;      // the key path ("$.data.IMEI1"), for pairing
  std::string_view field;     // where the protocol put it, e.g. "http.query", "mqtt.password"
  std::string_view home_mcc;  // the device's MCC when known ("242"), for phone regions
  // Set to true when a phone number's reading depended on home_mcc.
  bool* region_asked = nullptr;
};

struct Options {
  // Report keyword-only findings (key says IMEI, value fails validation).
  bool keyword_findings = true;
};

class Detector {
 public:
  explicit Detector(Options options = {});
  // Appends the candidates found in `value`, which may be a whole free-text
  // string (identifiers inside it are found too). Cheap when there is
  // nothing: one pass over character classes, no allocation.
  void scan(const Context& ctx, std::string_view value, std::vector<Candidate>& out) const;

 private:
  Options options_;
};

// The parent of a key path: "$.gps.lat" -> "$.gps", "$.cells[1]" -> "$.cells",
// "xml.dev@lat" -> "xml.dev", "lat" -> "" (also cut at '/'). Leaves with one
// parent are siblings.
std::string_view parent_path(std::string_view path);

// Pairs latitude/longitude leaves of one message: feed every leaf with add(),
// then finish() appends one location candidate per (lat, lon) pair found under
// the same parent path. Reusable after finish(). Copies only the leaves whose
// key names a coordinate.
class LocationPairer {
 public:
  void add(const Context& ctx, std::string_view value);
  void finish(std::vector<Candidate>& out);
  size_t held() const { return parts_.size(); }  // leaves kept for pairing

 private:
  struct Part {
    std::string parent;
    std::string key;
    std::string number;
    bool latitude;
    bool keyword_is_short;  // "lat"/"lon" rather than "latitude"
  };
  std::vector<Part> parts_;
};

// Same for cell identity: MCC, MNC, LAC/TAC and cell id leaves under one
// parent make one cell_id candidate "MCC-MNC-LAC-CI" (3GPP CGI notation);
// a cell id without the others is reported alone.
class CellPairer {
 public:
  void add(const Context& ctx, std::string_view value);
  void finish(std::vector<Candidate>& out);
  size_t held() const { return leaves_.size(); }  // leaves kept for pairing

 private:
  enum class Part : uint8_t { kMcc, kMnc, kArea, kCell };
  struct Leaf {
    std::string parent;
    std::string path;
    std::string key;
    std::string number;
    Part part;
  };
  std::vector<Leaf> leaves_;
};

// E.212: the operator of an IMSI (or any string starting with MCC+MNC).
// Table generated at build time from mobile-broadband-provider-info.
struct Operator {
  std::string_view mcc;      // "242"
  std::string_view mnc;      // "01"
  std::string_view country;  // ISO 3166 alpha-2, lower case: "no"
  std::string_view name;     // "Telenor"
};
std::optional<Operator> lookup_mcc_mnc(std::string_view digits);
// The country (ISO alpha-2, lower case) of a mobile country code, or empty.
std::string_view country_for_mcc(std::string_view mcc);
// The country (ISO alpha-2, upper case) of an ICCID's issuer, from the
// E.118 country calling code after its "89" ("8947..." -> "NO"), or empty.
std::string iccid_country(std::string_view digits);

}  // namespace ph::detect
