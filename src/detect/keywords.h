// The keyword table: what a key name says about its value. Keys are matched
// case- and separator-insensitively ("IMEI1", "imei_1", "deviceImei",
// "SIM1LTEIMSI" all say IMEI/IMSI). Distinctive words (imei, iccid, msisdn)
// match anywhere in the squashed key; short or common ones (mac, lat, cid,
// adid, meid) only as a whole token or run of tokens, so "threadId" is not an
// ad id and "timeId" is not an MEID.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "detect/detect.h"

namespace ph::detect {

enum class KeyRole : uint8_t {
  kNone,
  kTyped,      // the key names `type` (imei, msisdn, mac, email, ...)
  kGenericId,  // device_id, udid, uuid: an identifier of unknown kind
  kDecoy,      // order, timestamp, price, isbn: numbers here are not identifiers
  kLatitude,
  kLongitude,
  kMcc,
  kMnc,
  kArea,  // LAC / TAC
  kCell,  // cell id / ECI
  kPassword,
  kUser,
  kAuthorization,
  kHostname,
};

struct KeyInfo {
  KeyRole role = KeyRole::kNone;
  DataType type = DataType::kOther;  // meaningful for kTyped, kPassword, kUser
  std::string_view keyword;          // the table word that matched, for tests
};

KeyInfo classify_key(std::string_view key);

// A key as rules quote it: keys come from untrusted data, so printable ASCII
// only ('?' for the rest), at most 40 characters ("..." after).
std::string key_label(std::string_view key);

}  // namespace ph::detect
