// Live capture through libpcap: `phonehome scan -i lo -f EXPR --duration`
// while the test sends UDP datagrams over loopback. Needs capture
// privileges (CI runs as root); skipped with a message otherwise.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

#include "support/support.h"

namespace ph::test {
namespace {

// Sends one datagram from `fd` to 127.0.0.1:port.
void send_udp(int fd, uint16_t port) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const char msg[] = "phonehome live test";
  sendto(fd, msg, sizeof msg - 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
}

TEST(LiveCli, CapturesLoopbackTrafficThroughABpfFilter) {
  if (geteuid() != 0) GTEST_SKIP() << "live capture needs root (CI runs as root): skipped";
  auto result = std::async(std::launch::async, [] {
    int status = -1;
    std::string out =
        run_command(std::string(PHONEHOME_BINARY) +
                        " scan --format jsonl -i lo -f 'udp port 47123' --duration 6 2>&1",
                    &status);
    return std::make_pair(status, out);
  });
  // The capture opens at some point in the first second or two (slower
  // under sanitizers and load): keep sending through most of its duration.
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 40; ++i) {
    send_udp(fd, 47123);
    send_udp(fd, 47124);  // filtered out
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  close(fd);
  auto [status, out] = result.get();
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("\"format\":\"live\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"port\":47123"), std::string::npos) << out;
  EXPECT_EQ(out.find("\"port\":47124"), std::string::npos) << out;
  // All datagrams came from one socket: one flow, every captured one counted up.
  size_t at = out.find("\"packets_up\":");
  ASSERT_NE(at, std::string::npos) << out;
  int up = std::stoi(out.substr(at + 13));
  EXPECT_GE(up, 10) << out;
  EXPECT_LE(up, 40) << out;
}

TEST(LiveCli, BadInterfaceAndBadFilterAreClearErrors) {
  int status = -1;
  std::string out = run_command(
      std::string(PHONEHOME_BINARY) + " scan -i no-such-iface0 --duration 1 2>&1", &status);
  EXPECT_EQ(status, 3) << out;
  EXPECT_NE(out.find("no-such-iface0"), std::string::npos) << out;
  if (geteuid() == 0) {
    out = run_command(std::string(PHONEHOME_BINARY) + " scan -i lo -f 'udp port' --duration 1 2>&1",
                      &status);
    EXPECT_EQ(status, 3) << out;
    EXPECT_NE(out.find("filter"), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace ph::test
