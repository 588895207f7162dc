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

void send_udp(uint16_t port, int count) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < count; ++i) {
    const char msg[] = "phonehome live test";
    sendto(fd, msg, sizeof msg - 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  close(fd);
}

TEST(LiveCli, CapturesLoopbackTrafficThroughABpfFilter) {
  if (geteuid() != 0) GTEST_SKIP() << "live capture needs root (CI runs as root): skipped";
  auto result = std::async(std::launch::async, [] {
    int status = -1;
    std::string out = run_command(std::string(PHONEHOME_BINARY) +
                                      " scan --format jsonl -i lo -f 'udp port 47123' --duration 3 2>&1",
                                  &status);
    return std::make_pair(status, out);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // let libpcap open
  send_udp(47123, 5);
  send_udp(47124, 5);  // filtered out
  auto [status, out] = result.get();
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("\"format\":\"live\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"port\":47123"), std::string::npos) << out;
  EXPECT_EQ(out.find("\"port\":47124"), std::string::npos) << out;
  EXPECT_NE(out.find("\"packets_up\":5"), std::string::npos) << out;
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
