// Format validators for single identifier shapes: check digits (Luhn for
// IMEI/ICCID, base-16 Luhn for MEID), IMEI type allocation plausibility, MAC
// address forms, UUIDs, e-mail addresses, coordinates and phone numbers
// (libphonenumber, kept behind this header). Each takes exactly the candidate
// text; finding candidates inside free text is detector.cc's job.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ph::detect {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
inline int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}
bool all_digits(std::string_view s);
// ASCII case: identifiers and keys are compared and normalised as ASCII
// (other bytes are kept as they are).
bool iequal(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
bool all_hex(std::string_view s);
bool all_same(std::string_view s);

// Luhn (mod 10) over all digits, the last being the check digit.
bool luhn_valid(std::string_view digits);
// IMEI type allocation code plausibility: the first two digits are a
// reporting body identifier that GSMA has allocated (see validators.cc).
bool plausible_tac(std::string_view digits);
// Luhn in base 16 over 15 hex digits (an MEID with its check digit).
bool meid_check_valid(std::string_view hex15);
// An MEID's manufacturer code (first two hex digits) is A0..FF; lower values
// are the decimal IMEI space.
bool meid_shape(std::string_view hex14);

using Mac = std::array<uint8_t, 6>;
// Any form: aa:bb:cc:dd:ee:ff, aa-bb-..., aabb.ccdd.eeff, or 12 bare hex
// digits; any case; separators must be consistent.
std::optional<Mac> parse_mac(std::string_view text);
std::string format_mac(const Mac& mac);  // "aa:bb:cc:dd:ee:ff"
// Zero, broadcast, group (multicast) addresses and Android's 02:00:00:00:00:00
// placeholder identify no device.
bool mac_identifies_device(const Mac& mac);
inline bool mac_locally_administered(const Mac& mac) { return mac[0] & 0x02; }

// 8-4-4-4-12 hex.
bool is_uuid(std::string_view text);

// A character of an e-mail address's local part (as email_at() reads it).
bool email_local_char(char c);
// Length of the e-mail address whose '@' is at `at`, with its start in
// `start`; 0 when it is not a plausible address (RFC 5322 dot-atom local
// part, a domain with a letters-only TLD that is not a file extension).
size_t email_at(std::string_view text, size_t at, size_t& start);

// A decimal coordinate: optional sign, 1-3 integer digits, optional fraction.
// `decimals` is the number of fraction digits.
bool parse_coordinate(std::string_view text, double& value, int& decimals);

// Phone numbers through libphonenumber. `region` is ISO alpha-2 (any case)
// or empty for numbers written in international form only. Returns the
// E.164 form of a valid number.
std::optional<std::string> phone_e164(std::string_view text, std::string_view region);
// The renderings of one phone number (libphonenumber's formats).
struct PhoneForms {
  std::string e164;           // "+4791234567"
  std::string international;  // "+47 912 34 567"
  std::string national;       // "912 34 567", "07700 900123" (with the trunk prefix)
  std::string rfc3966;        // "tel:+47-912-34-567"
  std::string significant;    // national significant number: "91234567"
  std::string country_code;   // "47"
  bool valid = false;         // a number in an assigned range
};
// Parses `text` (international with '+', or national for `region`); nullopt
// when it is not a phone number at all, `valid` false when it parses but is
// not in an assigned range.
std::optional<PhoneForms> phone_forms(std::string_view text, std::string_view region);
// Whether `cc` is an assigned ITU-T E.164 country calling code.
bool valid_country_code(int cc);
// The length (1-3) of the country calling code at the start of `digits`, or 0.
size_t country_code_length(std::string_view digits);

// IPv4 dotted quad or IPv6 text, not unspecified or loopback.
bool plausible_ip(std::string_view text);

// Standard base64 decode into a caller buffer; false on bad input or
// overflow. Whitespace is not allowed (HTTP Basic has none).
bool base64_decode(std::string_view in, char* out, size_t capacity, size_t& size);

}  // namespace ph::detect
