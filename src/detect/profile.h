// The device profile: the values a user knows about their own device (IMEI,
// IMSI, ICCID, phone number, MAC, Android ID, advertising ID, serial number,
// e-mail address, name, home location), read from a TOML or JSON file,
// checked and normalised the way findings report them. The format is in the
// README ("Device profile"); examples/device-profile.toml is an example.
//
// Messages (errors and warnings) name the entry ("imei[2]") and where it is
// in the file, never the value: profile values are never logged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "detect/detect.h"

namespace ph::detect {

struct ProfileValue {
  DataType type =
      DataType::kOther;  // imei imsi iccid msisdn mac android_id ad_id serial email name
  std::string value;     // normalised as findings report it (phone: E.164)
};

struct HomeLocation {
  double latitude = 0;
  double longitude = 0;
  double radius_m = 300;
};

struct Profile {
  std::vector<ProfileValue> values;
  std::vector<HomeLocation> homes;
  // Suspicious but usable entries ("imei[2]: the Luhn check digit fails"),
  // "FILE:LINE:COLUMN: " first when the position is known.
  std::vector<std::string> warnings;
};

// At most this many values (all keys together): a profile is one person's
// devices, not a list of everybody's.
inline constexpr size_t kMaxProfileValues = 1000;

enum class ProfileFormat { kAuto, kToml, kJson };

// Parses a profile; `name` is the file name messages start with. kAuto: JSON
// when the text starts with '{', else TOML. Errors list every problem found
// (one a line).
Result<Profile> parse_profile(std::string_view text, ProfileFormat format, std::string_view name);

// Reads and parses `path`: ".json" is JSON, ".toml" TOML, anything else by
// content.
Result<Profile> load_profile(const std::string& path);

}  // namespace ph::detect
