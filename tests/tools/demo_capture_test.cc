// Tests of the committed demo capture (examples/demo.pcap): it must stay
// byte-identical to what tools/fixture generates, tshark (an independent
// dissector) must parse it without malformed packets and see the traffic the
// demo promises, and the identifiers in it must be valid generated ones.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fixture/demo.h"
#include "fixture/payloads.h"
#include "support/support.h"

namespace ph::fixture {
namespace {

namespace fs = std::filesystem;
using ph::test::run_command;

std::vector<uint8_t> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs a shell command and returns its stdout (stderr discarded).
std::string run(const std::string& cmd) { return run_command(cmd + " 2>/dev/null"); }

using ph::test::have_tshark;

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

class DemoCapture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("phonehome-demo-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    path_ = dir_ / "demo.pcap";
    write_file(path_.string(), demo_pcap());
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_, path_;
};

TEST_F(DemoCapture, RegeneratesByteIdenticalToCommittedExample) {
  fs::path committed = fs::path(PHONEHOME_SOURCE_DIR) / "examples" / "demo.pcap";
  ASSERT_TRUE(fs::exists(committed)) << committed << " is missing; run `make fixtures`";
  std::vector<uint8_t> fresh = read_bytes(path_);
  ASSERT_GT(fresh.size(), 1000u);
  EXPECT_TRUE(fresh == read_bytes(committed))
      << "examples/demo.pcap differs from tools/fixture's output; run `make fixtures` and "
         "commit the result";
  // And generation itself is deterministic.
  EXPECT_TRUE(demo_pcap() == fresh);
}

TEST_F(DemoCapture, TheToolWritesTheSameBytes) {
  // phonehome-fixture is built next to phonehome in the same build tree.
  fs::path tool = fs::path(PHONEHOME_BINARY).parent_path() / "phonehome-fixture";
  if (!fs::exists(tool)) GTEST_SKIP() << tool << " not built";
  fs::path out = dir_ / "tool.pcap";
  run(tool.string() + " demo " + out.string());
  EXPECT_TRUE(read_bytes(out) == read_bytes(path_));
}

TEST_F(DemoCapture, TsharkParsesItWithoutMalformedPackets) {
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed (scripts/install-deps installs it)";
  const std::string f = path_.string();
  // Sanity: tshark reads the file at all (otherwise an empty filter result proves nothing).
  EXPECT_EQ(lines(run("tshark -r " + f)).size(), demo_records().size());
  EXPECT_EQ(run("tshark -r " + f + " -Y _ws.malformed"), "");
  EXPECT_EQ(run("tshark -r " + f + " -Y '_ws.expert.severity >= \"warning\"'"), "");
}

TEST_F(DemoCapture, TsharkSeesTheDemoTraffic) {
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed (scripts/install-deps installs it)";
  const std::string f = path_.string();

  std::vector<std::string> posts =
      lines(run("tshark -r " + f +
                " -Y 'http.request.method == \"POST\"' -T fields "
                "-e http.host -e http.request.uri -e http.content_length"));
  ASSERT_EQ(posts.size(), 3u) << "one self-registration POST per boot";
  for (const auto& p : posts)
    EXPECT_EQ(p,
              "zzhc.vnet.example\t/zzhc/reg\t" + std::to_string(demo_registration_body().size()));

  std::set<std::string> names;
  for (const auto& n : lines(run("tshark -r " + f +
                                 " -Y 'dns.flags.response == 0' -T fields "
                                 "-e dns.qry.name")))
    names.insert(n);
  EXPECT_EQ(names, (std::set<std::string>{"zzhc.vnet.example", "www.example.com",
                                          "update.vendor.example", "time.vendor.example"}));
  EXPECT_EQ(run("tshark -r " + f + " -Y 'dns.a' -T fields -e dns.qry.name -e dns.a | sort -u"),
            "time.vendor.example\t83.168.200.199\n"
            "update.vendor.example\t151.236.222.98\n"
            "www.example.com\t93.184.216.34\n"
            "zzhc.vnet.example\t101.95.46.35\n");

  EXPECT_EQ(run("tshark -r " + f +
                " -Y 'tls.handshake.type == 1' -T fields "
                "-e tls.handshake.extensions_server_name -e tls.handshake.extensions_alpn_str"),
            "www.example.com\th2,http/1.1\n");
  std::string ja3 =
      run("tshark -r " + f + " -Y 'tls.handshake.type == 1' -T fields -e tls.handshake.ja3");
  EXPECT_EQ(ja3.size(), 33u) << "tshark computes a JA3 hash from a well-formed ClientHello";
  EXPECT_EQ(run("tshark -r " + f +
                " -Y 'tls.handshake.type == 2' -T fields "
                "-e tls.handshake.extensions.supported_version"),
            "0x0304\n");

  EXPECT_EQ(run("tshark -r " + f +
                " -Y 'http.request.method == \"GET\"' -T fields "
                "-e http.user_agent"),
            "Dalvik/2.1.0 (Linux; U; Android 9; Nokia 7 plus Build/PPR1.180610.011)\n");

  const DemoIdentity id = demo_identity();
  std::string dhcp = run("tshark -r " + f +
                         " -Y 'dhcp.option.dhcp == 1' -T fields "
                         "-e eth.src -e dhcp.option.hostname -e dhcp.option.vendor_class_id");
  EXPECT_EQ(lines(dhcp).size(), 3u) << "one DISCOVER per boot";
  EXPECT_EQ(lines(dhcp).at(0), id.mac + "\t" + id.hostname + "\t" + id.vendor_class);

  EXPECT_EQ(run("tshark -r " + f + " -Y ntp -T fields -e ntp.flags.mode"), "3\n4\n");

  // Every TCP connection is complete: as many FINs as SYNs, twice.
  std::string syns = run("tshark -r " + f + " -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0'");
  std::string fins = run("tshark -r " + f + " -Y 'tcp.flags.fin == 1'");
  EXPECT_EQ(lines(syns).size(), 5u);
  EXPECT_EQ(lines(fins).size(), 10u);
}

std::string base64_decode(const std::string& s) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    size_t v = kAlphabet.find(c);
    if (v == std::string::npos) continue;  // newlines, padding
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((acc >> bits) & 0xff));
    }
  }
  return out;
}

bool luhn_valid(const std::string& s) {
  int sum = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    int d = s[s.size() - 1 - i] - '0';
    if (i % 2 == 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 == 0;
}

TEST(DemoIdentity, IdentifiersAreValidGeneratedValues) {
  const DemoIdentity id = demo_identity();
  EXPECT_EQ(id.imei1.size(), 15u);
  EXPECT_EQ(id.imei2.size(), 15u);
  EXPECT_TRUE(luhn_valid(id.imei1));
  EXPECT_TRUE(luhn_valid(id.imei2));
  EXPECT_EQ(id.imei1.substr(0, 8), id.imei2.substr(0, 8)) << "same TAC on a dual-SIM phone";
  EXPECT_NE(id.imei1, id.imei2);
  EXPECT_EQ(id.iccid.substr(0, 4), "8947");
  EXPECT_EQ(id.iccid.size(), 19u);
  EXPECT_TRUE(luhn_valid(id.iccid));
  EXPECT_EQ(id.imsi.substr(0, 5), "24201");
  EXPECT_EQ(id.imsi.size(), 15u);
  EXPECT_EQ(id.mac, "f8:ad:cb:4e:21:9b");
  // A corrupted digit breaks the check (the validator above is not trivially true).
  std::string bad = id.imei1;
  bad[3] = bad[3] == '9' ? '0' : char(bad[3] + 1);
  EXPECT_FALSE(luhn_valid(bad));
}

TEST(DemoIdentity, RegistrationBodyIsWrappedBase64OfTheJson) {
  const std::string body = demo_registration_body();
  const std::vector<std::string> ls = lines(body);
  ASSERT_GE(ls.size(), 3u);
  for (size_t i = 0; i + 1 < ls.size(); ++i) EXPECT_EQ(ls[i].size(), 76u);
  EXPECT_LE(ls.back().size(), 76u);
  EXPECT_EQ(body.back(), '\n');
  const DemoIdentity id = demo_identity();
  EXPECT_EQ(base64_decode(body),
            "{\"IMEI1\":\"" + id.imei1 + "\",\"IMEI2\":\"" + id.imei2 + "\",\"SIM1ICCID\":\"" +
                id.iccid + "\",\"SIM1LTEIMSI\":\"" + id.imsi + "\",\"SIM1CELLID\":\"" + id.cell_id +
                "\",\"MACID\":\"" + id.mac + "\",\"MODEL\":\"" + id.model + "\"}");
}

TEST(Payloads, Base64AndLuhnMatchKnownVectors) {
  // RFC 4648 section 10.
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64("foobar", 4, "\n"), "Zm9v\nYmFy");
  // The IMEI example from 3GPP TS 23.003 Annex B: 49015420323751 -> check digit 8.
  EXPECT_EQ(luhn_digit("49015420323751"), '8');
  EXPECT_EQ(with_luhn("7992739871"), "79927398713");
}

}  // namespace
}  // namespace ph::fixture
