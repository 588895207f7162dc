// Key normalisation: case, separators, camelCase, digits and SIM-slot
// prefixes all reach the same data type; common words that merely contain a
// short keyword do not.
#include "detect/keywords.h"

#include <gtest/gtest.h>

namespace ph::detect {
namespace {

struct Case {
  const char* key;
  KeyRole role;
  DataType type;
};

TEST(Keywords, SpellingsOfTheSameKey) {
  const Case cases[] = {
      {"IMEI1", KeyRole::kTyped, DataType::kImei},
      {"imei_1", KeyRole::kTyped, DataType::kImei},
      {"deviceImei", KeyRole::kTyped, DataType::kImei},
      {"DEVICE-IMEI", KeyRole::kTyped, DataType::kImei},
      {"imeiSv", KeyRole::kTyped, DataType::kImeisv},
      {"deviceimei", KeyRole::kTyped, DataType::kImei},
      {"PHONEIMEI", KeyRole::kTyped, DataType::kImei},
      {"userphone", KeyRole::kTyped, DataType::kMsisdn},
      {"SIM1ICCID", KeyRole::kTyped, DataType::kIccid},
      {"sim_serial_number", KeyRole::kTyped, DataType::kIccid},
      {"SIM1LTEIMSI", KeyRole::kTyped, DataType::kImsi},
      {"SIM1CELLID", KeyRole::kCell, DataType::kCellId},
      {"cell_id", KeyRole::kCell, DataType::kCellId},
      {"MACID", KeyRole::kTyped, DataType::kMac},
      {"mac_address", KeyRole::kTyped, DataType::kMac},
      {"wifiMac", KeyRole::kTyped, DataType::kMac},
      {"wlanmac", KeyRole::kTyped, DataType::kMac},
      {"_android_id", KeyRole::kTyped, DataType::kAndroidId},
      {"AndroidID", KeyRole::kTyped, DataType::kAndroidId},
      {"gaid", KeyRole::kTyped, DataType::kAdId},
      {"idfa", KeyRole::kTyped, DataType::kAdId},
      {"googleAdId", KeyRole::kTyped, DataType::kAdId},
      {"ad_id", KeyRole::kTyped, DataType::kAdId},
      {"advertising_id", KeyRole::kTyped, DataType::kAdId},
      {"msisdn", KeyRole::kTyped, DataType::kMsisdn},
      {"phone", KeyRole::kTyped, DataType::kMsisdn},
      {"phoneNumber", KeyRole::kTyped, DataType::kMsisdn},
      {"tel", KeyRole::kTyped, DataType::kMsisdn},
      {"lat", KeyRole::kLatitude, DataType::kLocation},
      {"Latitude", KeyRole::kLatitude, DataType::kLocation},
      {"lng", KeyRole::kLongitude, DataType::kLocation},
      {"gps_lon", KeyRole::kLongitude, DataType::kLocation},
      {"mcc", KeyRole::kMcc, DataType::kCellId},
      {"SIM1MNC", KeyRole::kMnc, DataType::kCellId},
      {"lac", KeyRole::kArea, DataType::kCellId},
      {"bssid", KeyRole::kTyped, DataType::kWifiBssid},
      {"wifi_ssid", KeyRole::kTyped, DataType::kSsid},
      {"SSID", KeyRole::kTyped, DataType::kSsid},
      {"email", KeyRole::kTyped, DataType::kEmail},
      {"e_mail", KeyRole::kTyped, DataType::kEmail},
      {"serialNo", KeyRole::kTyped, DataType::kSerial},
      {"ro.serialno", KeyRole::kTyped, DataType::kSerial},
      {"password", KeyRole::kPassword, DataType::kCredentials},
      {"pwd", KeyRole::kPassword, DataType::kCredentials},
      {"Authorization", KeyRole::kAuthorization, DataType::kCredentials},
      {"client_ip", KeyRole::kTyped, DataType::kIpAddress},
      {"device_id", KeyRole::kGenericId, DataType::kOther},
      {"udid", KeyRole::kGenericId, DataType::kOther},
      {"order_id", KeyRole::kDecoy, DataType::kOther},
      {"timestamp", KeyRole::kDecoy, DataType::kOther},
      {"ts", KeyRole::kDecoy, DataType::kOther},
  };
  for (const Case& c : cases) {
    KeyInfo k = classify_key(c.key);
    EXPECT_EQ(int(k.role), int(c.role)) << c.key << " matched " << k.keyword;
    if (c.role == KeyRole::kTyped) {
      EXPECT_EQ(name(k.type), name(c.type)) << c.key;
    }
  }
}

TEST(Keywords, WordsThatOnlyContainAShortKeywordDoNotMatch) {
  for (const char* key :
       {"threadId", "nameid", "classid", "allocation", "machine", "emacs", "category", "platform",
        "lacquer", "description", "user_agent", "ship", "tips", "cities", "serializer", "maximsize",
        "microphone", "anytimeid", ""}) {
    KeyInfo k = classify_key(key);
    EXPECT_EQ(int(k.role), int(KeyRole::kNone)) << key << " matched " << k.keyword;
  }
}

TEST(Keywords, TimeIdIsADecoyNotAnImeiOrMeid) {
  EXPECT_EQ(int(classify_key("timeId").role), int(KeyRole::kDecoy));
  EXPECT_EQ(int(classify_key("anytimeid").role), int(KeyRole::kNone));
}

TEST(Keywords, LongKeysKeepTheirTail) {
  std::string key(200, 'x');
  key += "_imei";
  EXPECT_EQ(classify_key(key).type, DataType::kImei);
}

}  // namespace
}  // namespace ph::detect
