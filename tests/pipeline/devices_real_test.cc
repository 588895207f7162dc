// Device identity on the real captures against ../shared/captures/MANIFEST.md:
// the devices it describes are found by their MAC (or address), with the
// names and models it lists, and their vendor is the organisation the
// installed IEEE registry gives for the MAC's prefix (read by the test
// through Python's csv module, not written here). Skipped when the
// captures are absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "capture/source.h"
#include "detect/validators.h"
#include "pipeline/engine.h"
#include "support/support.h"

namespace ph {
namespace {

Report scan(const std::string& relative) {
  Engine engine{EngineOptions{}};
  auto src = capture::open_file((test::shared_captures() / relative).string());
  EXPECT_TRUE(static_cast<bool>(src)) << relative;
  if (src) engine.run(**src);
  return engine.finish();
}

const DeviceRecord* by_mac(const Report& r, std::string_view mac) {
  auto m = detect::parse_mac(mac);
  for (const auto& d : r.devices)
    if (m && d.mac && d.mac->b == *m) return &d;
  return nullptr;
}

const DeviceRecord* by_ip(const Report& r, std::string_view ip) {
  const IpAddr a = IpAddr::parse(std::string(ip));
  for (const auto& d : r.devices)
    if (std::find(d.ips.begin(), d.ips.end(), a) != d.ips.end()) return &d;
  return nullptr;
}

bool any_contains(const std::vector<IdentityText>& list, std::string_view part) {
  return std::any_of(list.begin(), list.end(),
                     [&](const IdentityText& t) { return t.text.find(part) != std::string::npos; });
}

std::string registry_vendor(const MacAddr& mac) {
  std::string hex = mac.to_string();
  hex.erase(std::remove(hex.begin(), hex.end(), ':'), hex.end());
  for (auto& c : hex) c = char(std::toupper(static_cast<unsigned char>(c)));
  // Longest registration first, as the lookup does.
  for (auto [file, digits] :
       {std::pair{"oui36.csv", 9}, {"iab.csv", 9}, {"mam.csv", 7}, {"oui.csv", 6}}) {
    std::string org = test::ieee_organization(file, hex.substr(0, size_t(digits)));
    if (!org.empty()) return org;
  }
  return {};
}

struct Expected {
  const char* file;
  const char* mac;         // the device's MAC, or empty: found by `ip`
  const char* ip;          // an address it holds (may be empty)
  const char* hostname;    // exact, or empty: not checked
  const char* name;        // one of its names contains this
  const char* user_agent;  // one of its User-Agents contains this
  const char* model;       // one of its models or SSDP servers contains this
};

// MANIFEST.md: device descriptions and "Device model" rows.
const Expected kDevices[] = {
    {"leak/L21_android_dhcp_hostname_androidid.pcapng", "78:f8:82:d3:fb:c2", "172.16.42.216",
     "android-1c1335ec95a27318", "", "LGLS751", ""},
    {"leak/L07_iot_hue_bridge_mac_eui64_phone_model.pcap", "00:17:88:24:76:ff", "10.10.10.6", "",
     "Philips hue", "", "BSB002"},
    {"leak/L07_iot_hue_bridge_mac_eui64_phone_model.pcap", "", "10.10.10.30", "", "", "SM-N7505",
     ""},
    {"leak/L05_iot_dlink_dchs150_mac_mdns_http.pcap", "90:8d:78:a8:e1:43", "10.10.10.72", "",
     "dchE143", "", ""},
    {"leak/L06_iot_fitbit_aria_serial_ssid.pcap", "20:f8:5e:ca:91:52", "10.10.10.123", "", "", "",
     ""},
    {"leak/L08_iot_dlink_homehub_mac_url.pcap", "1c:5f:2b:aa:fd:4e", "10.10.10.87", "", "", "", ""},
    {"leak/L09_iot_ednet_gateway_smartconfig_mac_udp.pcap", "ac:cf:23:62:3c:6e", "10.10.10.149", "",
     "", "", ""},
    {"leak/L01_android_1kxun_adids.pcap", "bc:ee:7b:0c:b3:de", "", "android-f7ca0f571270c52d", "",
     "", ""},
    {"leak/L01_android_1kxun_adids.pcap", "", "192.168.2.126", "", "", "sdk_gphone_x86", ""},
    {"leak/L03_android_sdk_deviceid_json_gzip_label.pcap", "", "192.168.86.18", "", "",
     "Moto G (7)", ""},
    {"leak/L10_eapol_eapsim_imsi.pcap", "00:04:23:57:a5:7a", "", "", "", "", ""},
    {"leak/L20_android_capptain_deviceid.pcap", "", "192.168.180.2", "", "", "GT-P7510", ""},
    {"fp/F01_placeholder_bssid_xiaomi.pcap", "", "", "", "", "Redmi Note 9 Pro", ""},
    {"proto/P57_dhcp.pcap", "90:b1:1c:99:49:29", "", "btest.is.cool", "", "", ""},
};

TEST(DevicesOnRealCaptures, ManifestDevicesAreIdentified) {
  PH_REQUIRE_SHARED_CAPTURES();
  for (const Expected& x : kDevices) {
    SCOPED_TRACE(std::string(x.file) + " " + x.mac + " " + x.ip);
    Report r = scan(x.file);
    const DeviceRecord* d = nullptr;
    if (*x.mac) {
      d = by_mac(r, x.mac);
    } else if (*x.ip) {
      d = by_ip(r, x.ip);
    } else {
      for (const auto& y : r.devices)
        if (any_contains(y.user_agents, x.user_agent)) d = &y;
    }
    ASSERT_NE(d, nullptr);
    if (*x.mac && *x.ip) {
      EXPECT_NE(std::find(d->ips.begin(), d->ips.end(), IpAddr::parse(x.ip)), d->ips.end());
    }
    if (*x.hostname) {
      EXPECT_EQ(d->hostname.text, x.hostname);
    }
    if (*x.name) {
      EXPECT_TRUE(any_contains(d->names, x.name)) << x.name;
    }
    if (*x.user_agent) {
      EXPECT_TRUE(any_contains(d->user_agents, x.user_agent)) << x.user_agent;
    }
    if (*x.model) {
      EXPECT_TRUE(any_contains(d->models, x.model) || any_contains(d->ssdp_servers, x.model))
          << x.model;
    }
    if (d->mac && test::have_ieee_data()) {
      EXPECT_EQ(d->vendor, d->mac->is_locally_administered() ? "" : registry_vendor(*d->mac));
    }
  }
}

// Android put its Android ID in the DHCP host name: the name is kept, the
// identifier in it is marked for masking.
TEST(DevicesOnRealCaptures, AndroidIdInTheHostNameIsMarked) {
  PH_REQUIRE_SHARED_CAPTURES();
  Report r = scan("leak/L21_android_dhcp_hostname_androidid.pcapng");
  const DeviceRecord* d = by_mac(r, "78:f8:82:d3:fb:c2");
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(d->hostname.identifiers.size(), 1u);
  auto [offset, length] = d->hostname.identifiers[0];
  EXPECT_EQ(d->hostname.text.substr(offset, length), "1c1335ec95a27318");
  EXPECT_EQ(d->dhcp_vendor_class.text, "dhcpcd-5.5.6");  // MANIFEST: vendor class
  EXPECT_FALSE(d->ja4.empty()) << "it speaks TLS";
}

// Broadcast DHCP replies and DHCPv6 to its multicast group make no device
// of the group address (the flow's client is the sender).
TEST(DevicesOnRealCaptures, NoDeviceIsAGroupAddress) {
  PH_REQUIRE_SHARED_CAPTURES();
  for (const char* file :
       {"leak/L01_android_1kxun_adids.pcap", "proto/P57_dhcp.pcap", "proto/P60_dhcpv6.pcap",
        "leak/L07_iot_hue_bridge_mac_eui64_phone_model.pcap"}) {
    Report r = scan(file);
    for (const auto& d : r.devices) {
      if (d.mac) continue;
      ASSERT_FALSE(d.ips.empty()) << file;
      const IpAddr& a = d.ips[0];
      const bool group = a.version == 4 ? a.b[0] >= 224 : a.b[0] == 0xff;
      EXPECT_FALSE(group) << file << ": device keyed by " << a.to_string();
    }
  }
}

}  // namespace
}  // namespace ph
