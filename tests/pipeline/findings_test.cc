// Findings through the whole pipeline: the demo phone's self-registration
// (base64 of JSON in an HTTP POST) gives its IMEIs, ICCID, IMSI and MAC with
// the path, the encodings peeled, the destination and the time since the
// phone appeared; protocol mechanics (DHCP hardware address) and what
// servers send back are not findings; the jsonl sink redacts unless told.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "capture/memory.h"
#include "fixture/builder.h"
#include "fixture/demo.h"
#include "fixture/profile.h"
#include "pipeline/engine.h"
#include "report/report.h"

namespace ph {
namespace {

Report scan_demo() {
  std::vector<uint8_t> pcap = fixture::demo_pcap();
  auto src = capture::open_memory(Bytes(pcap), "demo.pcap");
  EXPECT_TRUE(src.ok());
  Engine engine{EngineOptions{}};
  engine.run(**src);
  return engine.finish();
}

const FindingRecord* find(const Report& r, std::string_view type, const std::string& value) {
  for (const auto& f : r.findings)
    if (f.data_type == type && f.value == value) return &f;
  return nullptr;
}

TEST(Findings, TheMotivatingLeakIsFoundWithItsContext) {
  Report r = scan_demo();
  fixture::DemoIdentity id = fixture::demo_identity();
  struct Want {
    std::string_view type;
    std::string value;
    std::string path;
  };
  for (const Want& w : {Want{"imei", id.imei1, "$.IMEI1"}, Want{"imei", id.imei2, "$.IMEI2"},
                        Want{"iccid", id.iccid, "$.SIM1ICCID"},
                        Want{"imsi", id.imsi, "$.SIM1LTEIMSI"}, Want{"mac", id.mac, "$.MACID"}}) {
    SCOPED_TRACE(std::string(w.type) + " " + w.path);
    const FindingRecord* f = find(r, w.type, w.value);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->where, "http.body");
    EXPECT_EQ(f->path, w.path);
    EXPECT_EQ(f->encodings, (std::vector<std::string_view>{"base64", "json"}));
    EXPECT_EQ(f->confidence, "high");
    EXPECT_EQ(f->method, "validated");
    EXPECT_EQ(f->protocol, "http");
    ASSERT_TRUE(f->encrypted.has_value());
    EXPECT_FALSE(*f->encrypted);
    EXPECT_EQ(f->destination.host, "zzhc.vnet.example");
    EXPECT_EQ(f->destination.ip, IpAddr::parse("101.95.46.35"));
    EXPECT_EQ(f->destination.port, 80);
    EXPECT_EQ(f->device, 1u);
    EXPECT_GT(f->flow, 0u);
    EXPECT_EQ(f->value_sha256, sha256_hex(w.value));
    // The POST completes 4.53 s after the phone's first packet (demo.cc).
    EXPECT_NEAR(f->since_device_first_seen_s, 4.53, 0.01);
    EXPECT_EQ(f->rule.find(w.value), std::string::npos) << "rules never carry the value";
    // Seen twice (in the base64 layer's decoded text and as the JSON leaf)
    // but sent once: not a repeat.
    EXPECT_EQ(f->count, 1u);
  }
  // The phone posts at boot and twice more (three POSTs): each message
  // gives its own findings.
  size_t imei1 = 0;
  for (const auto& f : r.findings) imei1 += f.value == id.imei1;
  EXPECT_EQ(imei1, 3u);
}

TEST(Findings, ProtocolMechanicsAndServerRepliesAreNotFindings) {
  Report r = scan_demo();
  for (const auto& f : r.findings) {
    EXPECT_NE(f.where, "dhcp.chaddr");
    EXPECT_NE(f.where, "tls.ja4");
    EXPECT_NE(f.protocol, "ntp");
  }
  // Only the client side's messages are read for findings: every finding's
  // flow has the phone as client.
  for (const auto& f : r.findings) {
    ASSERT_GT(f.flow, 0u);
    EXPECT_EQ(r.flows[f.flow - 1].device, f.device);
  }
}

TEST(Findings, JsonlRedactsUnlessRevealAndCountsThem) {
  Report r = scan_demo();
  fixture::DemoIdentity id = fixture::demo_identity();
  std::ostringstream redacted, revealed;
  report::write(r, report::Format::kJsonl, {}, redacted);
  report::Options reveal;
  reveal.reveal = true;
  report::write(r, report::Format::kJsonl, reveal, revealed);
  EXPECT_EQ(redacted.str().find(id.imei1), std::string::npos);
  EXPECT_EQ(redacted.str().find(id.imsi), std::string::npos);
  EXPECT_NE(redacted.str().find(sha256_hex(id.imei1)), std::string::npos);
  EXPECT_NE(revealed.str().find("\"value\":\"" + id.imei1 + "\""), std::string::npos);
  EXPECT_NE(redacted.str().find("\"findings\":" + std::to_string(r.findings.size())),
            std::string::npos);
  EXPECT_GE(r.findings.size(), 15u);
}

}  // namespace
}  // namespace ph

namespace ph {
namespace {

Report scan_requests(const std::vector<std::string>& requests) {
  std::vector<uint8_t> pcap = fixture::write_pcap(fixture::profile_capture(requests), {});
  auto src = capture::open_memory(Bytes(pcap), "requests.pcap");
  EXPECT_TRUE(src.ok());
  Engine engine{EngineOptions{}};
  engine.run(**src);
  return engine.finish();
}

std::string post_json(const std::string& json) {
  return "POST /v1/sim HTTP/1.1\r\nHost: reg.carrier.example\r\nContent-Type: "
         "application/json\r\nContent-Length: " +
         std::to_string(json.size()) + "\r\n\r\n" + json;
}

// A phone number in national format is read in the region of the device's
// SIM: from an IMSI earlier in the same message, else from the last IMSI
// the device sent; without either it stays a low-confidence guess.
TEST(Findings, NationalPhoneNumbersTakeTheRegionOfTheDevicesImsi) {
  const std::string imsi = "242010123456789";  // Telenor Norway
  const std::string get =
      "GET /register?phoneNumber=92720426 HTTP/1.1\r\nHost: "
      "reg.carrier.example\r\n\r\n";
  auto msisdn = [](const Report& r) -> const FindingRecord* {
    for (const auto& f : r.findings)
      if (f.data_type == "msisdn") return &f;
    return nullptr;
  };
  // The IMSI in an earlier message of the same device.
  Report later = scan_requests({post_json("{\"imsi\":\"" + imsi + "\"}"), get});
  const FindingRecord* f = msisdn(later);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->value, "+4792720426");
  EXPECT_EQ(f->confidence, "high");
  EXPECT_NE(f->rule.find("valid number for home region no"), std::string::npos) << f->rule;
  // In the same message, before the number.
  Report same =
      scan_requests({post_json("{\"imsi\":\"" + imsi + "\",\"phoneNumber\":\"92720426\"}")});
  f = msisdn(same);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->value, "+4792720426");
  EXPECT_EQ(f->confidence, "high");
  // No IMSI: the region is unknown, the digits a low-confidence finding.
  Report alone = scan_requests({get});
  f = msisdn(alone);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->value, "92720426");
  EXPECT_EQ(f->confidence, "low");
  EXPECT_NE(f->rule.find("home region unknown"), std::string::npos) << f->rule;
}

}  // namespace
}  // namespace ph
