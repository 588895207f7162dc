// Live capture through libpcap: clear errors for a bad interface or filter,
// and on the loopback interface (when we may capture there) kIdle while
// quiet and a UDP datagram we send ourselves.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "capture/source.h"

namespace ph::capture {
namespace {

LiveOptions live(const std::string& interface, const std::string& bpf = "") {
  LiveOptions o;
  o.interface = interface;
  o.bpf = bpf;
  o.poll_ms = 100;
  return o;
}

TEST(Live, UnknownInterfaceIsAClearError) {
  auto r = open_live(live("no-such-if0"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("live capture on no-such-if0: ", 0), 0u) << r.error().message;
  EXPECT_GT(r.error().message.size(), std::strlen("live capture on no-such-if0: "));
}

// Opening lo needs CAP_NET_RAW; without it, skip rather than fail.
std::unique_ptr<Source> open_lo(const std::string& bpf) {
  auto r = open_live(live("lo", bpf));
  if (!r.ok()) return nullptr;
  return std::move(r.value());
}

TEST(Live, BadFilterIsAClearError) {
  if (!open_lo("")) GTEST_SKIP() << "cannot capture on lo here";
  auto r = open_live(live("lo", "udp port banana"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("live capture on lo: bad filter \"udp port banana\": ", 0), 0u)
      << r.error().message;
}

TEST(Live, IdleWhenQuietThenSeesADatagram) {
  auto s = open_lo("udp and dst port 47999");
  if (!s) GTEST_SKIP() << "cannot capture on lo here";
  EXPECT_EQ(s->info().format, "live");
  EXPECT_EQ(s->info().linktype, 1u);  // Linux loopback presents as Ethernet
  Packet p;
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(s->next(p), ReadStatus::kIdle);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(47999);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const char msg[] = "phonehome-live-test";
  ASSERT_EQ(sendto(fd, msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            ssize_t(sizeof msg));
  close(fd);
  ReadStatus st = ReadStatus::kIdle;
  for (int i = 0; i < 30 && st == ReadStatus::kIdle; ++i) st = s->next(p);
  ASSERT_EQ(st, ReadStatus::kPacket);
  ASSERT_EQ(p.caplen, 14u + 20 + 8 + sizeof msg);
  EXPECT_EQ(std::memcmp(p.data + 42, msg, sizeof msg), 0);
  EXPECT_EQ(p.origlen, p.caplen);
  EXPECT_GT(p.ts, 1'600'000'000 * kNsPerSec);
  EXPECT_EQ(s->info().packets, 1u);

  s->interrupt();
  EXPECT_EQ(s->next(p), ReadStatus::kEnd);
  EXPECT_FALSE(s->info().damaged);
}

}  // namespace
}  // namespace ph::capture
