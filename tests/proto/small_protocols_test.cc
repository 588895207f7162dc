// SSH identification strings, NTP and WireGuard: recognised by content so
// their flows are named and marked encrypted (SSH, WireGuard) or not (NTP).
// The SSH banners are also checked against tshark on the real captures.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "capture/source.h"
#include "fixture/payloads.h"
#include "oracle/tshark_oracle.h"
#include "pipeline/engine.h"
#include "proto/chunking.h"
#include "proto/ntp/ntp.h"
#include "proto/ssh/ssh.h"
#include "proto/wireguard/wireguard.h"
#include "support/support.h"

namespace ph::proto::test {
namespace {

const std::string kServerBanner = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";
const std::string kClientBanner = "SSH-2.0-dropbear_2022.83\r\n";

std::vector<Piece> ssh_exchange() {
  std::string kexinit("\x00\x00\x01\x2c\x0a\x14", 6);
  kexinit += std::string(40, '\x5a');
  return {{Direction::kDown, "Welcome to the box\r\n" + kServerBanner + kexinit},
          {Direction::kUp, kClientBanner + kexinit}};
}

TEST(Ssh, BannersOfBothSidesAndThenBypass) {
  Collected c = run(ssh::parser(), ssh_exchange(), Chunking::kWhole);
  ASSERT_EQ(c.messages.size(), 2u);
  const Message& server = c.messages[0];
  EXPECT_EQ(server.dir, Direction::kDown);
  EXPECT_EQ(server.find("ssh.banner")->value, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
  EXPECT_EQ(server.find("ssh.protocol")->value, "2.0");
  EXPECT_EQ(server.find("ssh.software")->value, "OpenSSH_9.2p1");
  EXPECT_EQ(server.find("ssh.comment")->value, "Debian-2+deb12u3");
  EXPECT_EQ(c.messages[1].find("ssh.software")->value, "dropbear_2022.83");
  EXPECT_EQ(c.messages[1].find("ssh.comment"), nullptr);
  EXPECT_TRUE(c.anomalies.empty());
}

TEST(Ssh, SameMessagesWhateverTheChunking) {
  const std::string whole = describe(run(ssh::parser(), ssh_exchange(), Chunking::kWhole).messages);
  EXPECT_EQ(describe(run(ssh::parser(), ssh_exchange(), Chunking::kByteByByte).messages), whole);
  for (uint32_t seed = 1; seed <= 5; ++seed)
    EXPECT_EQ(describe(run(ssh::parser(), ssh_exchange(), Chunking::kRandom, seed).messages),
              whole);
}

TEST(Ssh, GapBeforeTheBannerLosesOnlyThatDirection) {
  std::vector<Piece> p = {{Direction::kDown, "", 30}, {Direction::kUp, kClientBanner}};
  Collected c = run(ssh::parser(), p, Chunking::kWhole);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(c.messages[0].dir, Direction::kUp);
}

TEST(Ssh, OverlongLineAndEndlessPreambleAreAnomalies) {
  Collected a = run(ssh::parser(), {{Direction::kDown, std::string(300, 'x')}}, Chunking::kWhole);
  EXPECT_TRUE(a.messages.empty());
  EXPECT_EQ(a.anomalies, std::vector<std::string>{"ssh.line-too-long"});
  std::string preamble;
  for (int i = 0; i <= ssh::kMaxPreamble; ++i) preamble += "motd line\r\n";
  Collected b =
      run(ssh::parser(), {{Direction::kDown, preamble + kServerBanner}}, Chunking::kWhole);
  EXPECT_TRUE(b.messages.empty());
  EXPECT_EQ(b.anomalies, std::vector<std::string>{"ssh.no-banner"});
}

TEST(Ssh, ProbeWantsTheWholeVersionPrefix) {
  const Parser& p = ssh::parser();
  EXPECT_EQ(p.probe(Direction::kDown, as_bytes("SSH-2.0"), 22), 0) << "not decided yet";
  EXPECT_GT(p.probe(Direction::kDown, as_bytes("SSH-2.0-x\r\n"), 2222), 80);
  EXPECT_GT(p.probe(Direction::kUp, as_bytes("SSH-1.99-old\r\n"), 22), 80);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes("SSH-3.0-future\r\n"), 22), 0);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes("GET / HTTP/1.1\r\n"), 22), 0);
  Collected sink;
  auto s = p.make(sink);
  EXPECT_EQ(s->facts().app, "ssh");
  EXPECT_EQ(s->facts().encrypted, true);
}

std::string ntp_packet(int version, int mode, uint8_t stratum) {
  std::string d(48, '\0');
  d[0] = char(version << 3 | mode);
  d[1] = char(stratum);
  d[2] = 6;  // poll 64 s
  return d;
}

TEST(Ntp, ClientAndServerModes) {
  Collected c =
      run(ntp::parser(),
          {{Direction::kUp, ntp_packet(4, 3, 0)}, {Direction::kDown, ntp_packet(4, 4, 2)}},
          Chunking::kWhole);
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(c.messages[0].kind, "client");
  EXPECT_EQ(c.messages[0].find("ntp.version")->value, "4");
  EXPECT_EQ(c.messages[1].find("ntp.stratum")->value, "2");
  auto s = ntp::parser().make(c);
  EXPECT_EQ(s->facts().encrypted, false);
}

TEST(Ntp, ProbeNeedsTheShapeAndLeansOnThePort) {
  const Parser& p = ntp::parser();
  EXPECT_GE(p.probe(Direction::kUp, as_bytes(ntp_packet(3, 3, 0)), 123), 70);
  EXPECT_GT(p.probe(Direction::kUp, as_bytes(ntp_packet(3, 3, 0)), 4000), 0);
  EXPECT_LT(p.probe(Direction::kUp, as_bytes(ntp_packet(3, 3, 0)), 4000), 50)
      << "a weak shape alone must lose to content-specific parsers";
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(ntp_packet(5, 3, 0)), 123), 0);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(ntp_packet(4, 6, 0)), 123), 0) << "control mode";
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(ntp_packet(4, 3, 0).substr(0, 47)), 123), 0);
  Collected c =
      run(p, {{Direction::kUp, ntp_packet(4, 3, 0)}, {Direction::kUp, "short"}}, Chunking::kWhole);
  EXPECT_EQ(c.anomalies, std::vector<std::string>{"ntp.bad-packet"});
}

std::string wg(uint8_t type, size_t size) {
  std::string d(size, '\x11');
  d[0] = char(type);
  d[1] = d[2] = d[3] = 0;
  return d;
}

TEST(WireGuard, HandshakeShapesAreRecognisedAndEncrypted) {
  const Parser& p = wireguard::parser();
  EXPECT_GE(p.probe(Direction::kUp, as_bytes(wg(1, 148)), 40000), 60);
  EXPECT_GE(p.probe(Direction::kDown, as_bytes(wg(2, 92)), 40000), 60);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(wg(1, 149)), 51820), 0);
  EXPECT_EQ(p.probe(Direction::kUp, as_bytes(wg(5, 148)), 51820), 0);
  EXPECT_LT(p.probe(Direction::kUp, as_bytes(wg(4, 64)), 40000), 20) << "data alone is weak";
  Collected c = run(p, {{Direction::kUp, wg(1, 148)}}, Chunking::kWhole);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_EQ(c.messages[0].find("wireguard.message")->value, "handshake_initiation");
  auto s = p.make(c);
  EXPECT_EQ(s->facts().app, "wireguard");
  EXPECT_EQ(s->facts().encrypted, true);
}

// Oracle: every SSH identification string tshark reads (ssh.protocol) in the
// real captures, and only those, as a multiset.
class SshOracle : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(SshOracle, BannersMatchTshark) {
  PH_REQUIRE_TSHARK();
  const auto& file = GetParam();
  std::multiset<std::string> theirs;
  for (const std::string& line : ::ph::test::split_lines(
           ::ph::test::run_command("tshark -r " + ::ph::test::shell_quote(file.string()) +
                                   " -Y ssh.protocol -T fields -e ssh.protocol 2>/dev/null")))
    if (!line.empty()) theirs.insert(line);
  // Every TCP flow goes to an SSH session from its first byte, whichever
  // side speaks first (servers send their banner first); flows that are not
  // SSH yield no banner.
  struct AllSsh : flow::FlowConsumer {
    explicit AllSsh(Collected& sink) : feeder(ssh::parser().make(sink), sink) {}
    void on_data(Direction dir, Bytes data, Timestamp ts, uint64_t frame) override {
      feeder.data(dir, data, ts, frame);
    }
    void on_gap(Direction dir, uint64_t len) override { feeder.gap(dir, len); }
    Feeder feeder;
  };
  Collected sink;
  EngineOptions opts;
  opts.consumer_factory = [&](const flow::Flow& f) -> std::unique_ptr<flow::FlowConsumer> {
    if (f.proto != 6) return nullptr;
    return std::make_unique<AllSsh>(sink);
  };
  Engine engine(opts);
  auto src = capture::open_file(file.string());
  ASSERT_TRUE(static_cast<bool>(src));
  engine.run(**src);
  engine.finish();
  std::multiset<std::string> ours;
  for (const auto& m : sink.messages) ours.insert(m.find("ssh.banner")->value);
  EXPECT_EQ(ours, theirs) << file;
}

std::vector<std::filesystem::path> ssh_captures() {
  std::vector<std::filesystem::path> v;
  for (const auto& f : ::ph::test::real_capture_files({"proto"})) {
    const std::string name = f.filename().string();
    // The two captures of the corpus whose tshark protocol list has ssh
    // (MANIFEST.md); the snoop file is not a format phonehome reads.
    if (name.rfind("P51_", 0) == 0 || name.rfind("P70_", 0) == 0) v.push_back(f);
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(Real, SshOracle, ::testing::ValuesIn(ssh_captures()),
                         ::ph::test::capture_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SshOracle);

}  // namespace
}  // namespace ph::proto::test
