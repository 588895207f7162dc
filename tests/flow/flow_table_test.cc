// Tests of the flow table: roles, per-direction counters, TCP delivery to
// consumers, FIN/RST with linger, port reuse, idle timeouts, the flow cap,
// the reassembly budget and bypass. Packets are PacketView structs built
// here directly, so these tests do not depend on the decoder.
#include "flow/flow_table.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace ph::flow {
namespace {

using decode::kAck;
using decode::kFin;
using decode::kPsh;
using decode::kRst;
using decode::kSyn;

const IpAddr kClient = IpAddr::parse("10.0.0.2");
const IpAddr kServer = IpAddr::parse("192.0.2.80");
constexpr Timestamp kSec = kNsPerSec;

// What a consumer saw, kept after the flow is destroyed.
struct Seen {
  std::string stream[2];  // data with "[gap N]" markers
  int data_calls[2] = {0, 0};
  bool ended = false;
  // Snapshot at close.
  uint64_t id = 0;
  FlowEnd end = FlowEnd::kActive;
  uint32_t notes = 0;
  Endpoint client, server;
  DirectionStats dir[2];
  bool has_macs = false;
  MacAddr client_mac;
};

class Consumer : public FlowConsumer {
 public:
  Consumer(Seen& seen, size_t done_after) : seen_(seen), done_after_(done_after) {}
  void on_data(Direction d, Bytes data, Timestamp, uint64_t) override {
    seen_.stream[index(d)] += std::string(as_string(data));
    ++seen_.data_calls[index(d)];
    total_ += data.size();
  }
  void on_gap(Direction d, uint64_t n) override {
    seen_.stream[index(d)] += "[gap " + std::to_string(n) + "]";
  }
  void on_end(Timestamp) override { seen_.ended = true; }
  bool done() const override { return total_ >= done_after_; }

 private:
  Seen& seen_;
  size_t done_after_;
  size_t total_ = 0;
};

struct Harness {
  explicit Harness(FlowLimits limits = {})
      : table(
            limits, stats,
            [this](const Flow& f) {
              Seen& s = seen[f.id];
              return std::make_unique<Consumer>(s, done_after);
            },
            [this](Flow& f) {
              Seen& s = seen[f.id];
              s.id = f.id;
              s.end = f.end;
              s.notes = f.notes;
              s.client = f.client;
              s.server = f.server;
              s.dir[0] = f.dir[0];
              s.dir[1] = f.dir[1];
              s.has_macs = f.has_macs;
              s.client_mac = f.client_mac;
              closed.push_back(f.id);
            }) {}

  void tcp(const IpAddr& src, uint16_t sport, const IpAddr& dst, uint16_t dport, uint32_t seq,
           uint8_t flags, const std::string& payload, Timestamp ts, uint16_t vlan = 0) {
    decode::PacketView v;
    v.ip_version = 4;
    v.src = src;
    v.dst = dst;
    v.l4proto = 6;
    v.sport = sport;
    v.dport = dport;
    v.seq = seq;
    v.tcp_flags = flags;
    v.vlan = vlan;
    v.payload = as_bytes(payload);
    table.on_packet(v, ts, ++frame, static_cast<uint32_t>(54 + payload.size()));
  }
  void udp(const IpAddr& src, uint16_t sport, const IpAddr& dst, uint16_t dport,
           const std::string& payload, Timestamp ts) {
    decode::PacketView v;
    v.ip_version = 4;
    v.src = src;
    v.dst = dst;
    v.l4proto = 17;
    v.sport = sport;
    v.dport = dport;
    v.payload = as_bytes(payload);
    table.on_packet(v, ts, ++frame, static_cast<uint32_t>(42 + payload.size()));
  }
  // Client 10.0.0.2:40000 <-> server 192.0.2.80:80 with a handshake.
  void handshake(Timestamp ts, uint32_t cisn = 1000, uint32_t sisn = 5000) {
    tcp(kClient, 40000, kServer, 80, cisn, kSyn, "", ts);
    tcp(kServer, 80, kClient, 40000, sisn, kSyn | kAck, "", ts);
    tcp(kClient, 40000, kServer, 80, cisn + 1, kAck, "", ts);
  }

  Stats stats;
  std::map<uint64_t, Seen> seen;
  std::vector<uint64_t> closed;
  size_t done_after = SIZE_MAX;
  uint64_t frame = 0;
  FlowTable table;
};

TEST(FlowTable, HandshakeDataAndCountersPerDirection) {
  Harness h;
  h.handshake(1 * kSec);
  h.tcp(kClient, 40000, kServer, 80, 1001, kAck | kPsh, "GET / HTTP/1.1\r\n\r\n", 2 * kSec);
  h.tcp(kServer, 80, kClient, 40000, 5001, kAck | kPsh, "HTTP/1.1 200 OK\r\n\r\n", 3 * kSec);
  ASSERT_EQ(h.table.size(), 1u);
  h.table.flush_all(10 * kSec);
  ASSERT_EQ(h.closed, std::vector<uint64_t>{1});
  const Seen& s = h.seen[1];
  EXPECT_TRUE(s.ended);
  EXPECT_EQ(s.end, FlowEnd::kInputEnd);
  EXPECT_EQ(s.client.ip, kClient);
  EXPECT_EQ(s.client.port, 40000);
  EXPECT_EQ(s.server.ip, kServer);
  EXPECT_EQ(s.server.port, 80);
  EXPECT_EQ(s.stream[0], "GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(s.stream[1], "HTTP/1.1 200 OK\r\n\r\n");
  EXPECT_EQ(s.dir[0].packets, 3u);
  EXPECT_EQ(s.dir[1].packets, 2u);
  EXPECT_EQ(s.dir[0].payload_bytes, 18u);
  EXPECT_EQ(s.dir[1].payload_bytes, 19u);
  EXPECT_EQ(s.dir[0].wire_bytes, 3 * 54u + 18);
  EXPECT_EQ(s.notes & kNoteMidstream, 0u);
  EXPECT_EQ(h.table.size(), 0u);
}

TEST(FlowTable, OutOfOrderAndGapReachTheConsumer) {
  Harness h;
  h.handshake(kSec);
  h.tcp(kClient, 40000, kServer, 80, 1001 + 10, kAck, "world", kSec);
  h.tcp(kClient, 40000, kServer, 80, 1001, kAck, "hello", kSec);
  h.tcp(kClient, 40000, kServer, 80, 1001 + 15, kAck, "tail", kSec);
  h.table.flush_all(2 * kSec);
  EXPECT_EQ(h.seen[1].stream[0], "hello[gap 5]worldtail");
  EXPECT_TRUE(h.seen[1].notes & kNoteTcpGap);
}

TEST(FlowTable, ConflictingOverlapIsNoted) {
  Harness h;
  h.handshake(kSec);
  h.tcp(kClient, 40000, kServer, 80, 1003, kAck, "CD", kSec);
  h.tcp(kClient, 40000, kServer, 80, 1001, kAck, "abXY", kSec);
  h.table.flush_all(2 * kSec);
  EXPECT_EQ(h.seen[1].stream[0], "abCD");
  EXPECT_TRUE(h.seen[1].notes & kNoteOverlap);
  EXPECT_EQ(h.stats.anomalies.get("tcp.overlap-conflict"), 1u);
}

TEST(FlowTable, RolesFromSynAckWhenSynMissing) {
  Harness h;
  // Server on a high port, client on a lower one: only the SYN+ACK tells.
  h.tcp(kServer, 8080, kClient, 443, 5000, kSyn | kAck, "", kSec);
  h.tcp(kClient, 443, kServer, 8080, 1001, kAck, "hi", kSec);
  h.table.flush_all(kSec);
  const Seen& s = h.seen[1];
  EXPECT_EQ(s.server.port, 8080);
  EXPECT_EQ(s.client.port, 443);
  EXPECT_EQ(s.stream[0], "hi");
  EXPECT_EQ(s.notes & kNoteMidstream, 0u);
}

TEST(FlowTable, RolesMidstreamLowerPortIsServer) {
  Harness h;
  // First packet seen is from the server (port 443) to the client.
  h.tcp(kServer, 443, kClient, 51000, 777, kAck, "data", kSec);
  h.table.flush_all(kSec);
  const Seen& s = h.seen[1];
  EXPECT_EQ(s.server.port, 443);
  EXPECT_EQ(s.server.ip, kServer);
  EXPECT_EQ(s.stream[1], "data");
  EXPECT_TRUE(s.notes & kNoteMidstream);
  EXPECT_EQ(s.dir[1].packets, 1u);
}

TEST(FlowTable, RolesUdpBetweenHighPortsFirstSenderIsClient) {
  Harness h;
  h.udp(kClient, 45306, kServer, 47123, "q", kSec);  // to the higher port
  h.udp(kServer, 47123, kClient, 45306, "r", kSec);
  h.udp(kServer, 4000, kClient, 5000, "x", kSec);    // another pair, also first sender
  h.udp(kClient, 40000, kServer, 123, "ntp", kSec);  // well-known port wins
  h.udp(kServer, 67, kClient, 68, "offer", kSec);    // both well-known: lower is server
  h.table.flush_all(kSec);
  EXPECT_EQ(h.seen[4].server.port, 67);
  EXPECT_EQ(h.seen[4].client.ip, kClient);
  EXPECT_EQ(h.seen[1].client.port, 45306);
  EXPECT_EQ(h.seen[2].client.port, 4000);
  EXPECT_EQ(h.seen[3].server.port, 123);
}

TEST(FlowTable, RolesDhcpv6AndGroupDestinations) {
  Harness h;
  const IpAddr all_servers = IpAddr::parse("ff02::1:2"), client6 = IpAddr::parse("fe80::2");
  h.udp(client6, 546, all_servers, 547, "solicit", kSec);  // DHCPv6: 547 is the server
  h.udp(IpAddr::parse("fe80::1"), 547, client6, 546, "reply", kSec);
  // A DHCP server's broadcast reply: the broadcast address is no client.
  h.udp(kServer, 67, IpAddr::parse("255.255.255.255"), 68, "offer", kSec);
  h.udp(kClient, 40000, IpAddr::parse("239.255.255.250"), 80, "x", kSec);
  h.table.flush_all(kSec);
  EXPECT_EQ(h.seen[1].client.ip, client6);
  EXPECT_EQ(h.seen[1].server.port, 547);
  EXPECT_EQ(h.seen[2].client.ip, client6);
  EXPECT_EQ(h.seen[2].server.port, 547);
  EXPECT_EQ(h.seen[3].client.ip, kServer);
  EXPECT_EQ(h.seen[3].client.port, 67);
  EXPECT_EQ(h.seen[4].client.ip, kClient);
}

TEST(FlowTable, RolesTieGoesToFirstSenderAsClient) {
  Harness h;
  h.udp(kServer, 5353, kClient, 5353, "q", kSec);
  h.udp(kClient, 5353, kServer, 5353, "r", kSec);
  h.table.flush_all(kSec);
  const Seen& s = h.seen[1];
  EXPECT_EQ(s.client.ip, kServer);
  EXPECT_EQ(s.stream[0], "q");
  EXPECT_EQ(s.stream[1], "r");
  EXPECT_EQ(s.notes & kNoteMidstream, 0u);  // UDP has no handshake to miss
}

TEST(FlowTable, UdpDatagramsGoStraightToTheConsumer) {
  Harness h;
  h.udp(kClient, 53000, kServer, 53, "query", kSec);
  h.udp(kServer, 53, kClient, 53000, "answer", kSec);
  h.udp(kClient, 53000, kServer, 53, "again", kSec);
  h.table.flush_all(kSec);
  const Seen& s = h.seen[1];
  EXPECT_EQ(s.server.port, 53);
  EXPECT_EQ(s.stream[0], "queryagain");
  EXPECT_EQ(s.data_calls[0], 2);
  EXPECT_EQ(s.stream[1], "answer");
}

TEST(FlowTable, FinBothWaysLingersThenEnds) {
  FlowLimits limits;
  limits.closed_linger = 30 * kSec;
  Harness h(limits);
  h.handshake(kSec);
  h.tcp(kClient, 40000, kServer, 80, 1001, kAck | kFin, "x", 2 * kSec);
  h.tcp(kServer, 80, kClient, 40000, 5001, kAck | kFin, "", 2 * kSec);
  // The last ACK after both FINs still belongs to the flow.
  h.tcp(kClient, 40000, kServer, 80, 1003, kAck, "", 3 * kSec);
  EXPECT_EQ(h.table.size(), 1u);
  h.table.expire(20 * kSec);
  EXPECT_TRUE(h.closed.empty());
  h.table.expire(34 * kSec);
  ASSERT_EQ(h.closed, std::vector<uint64_t>{1});
  EXPECT_EQ(h.seen[1].end, FlowEnd::kClosed);
  EXPECT_TRUE(h.seen[1].notes & kNoteFin);
  EXPECT_EQ(h.seen[1].dir[0].packets, 4u);
  EXPECT_EQ(h.seen[1].stream[0], "x");
}

TEST(FlowTable, RstClosesAndRetransmissionsDuringLingerCount) {
  Harness h;
  h.handshake(kSec);
  h.tcp(kServer, 80, kClient, 40000, 5001, kRst | kAck, "", 2 * kSec);
  h.tcp(kClient, 40000, kServer, 80, 1001, kAck, "late", 3 * kSec);
  EXPECT_EQ(h.table.size(), 1u);
  EXPECT_EQ(h.table.flows_created(), 1u);
  h.table.expire(3 * kSec + 31 * kSec);
  ASSERT_EQ(h.closed.size(), 1u);
  EXPECT_EQ(h.seen[1].end, FlowEnd::kClosed);
  EXPECT_TRUE(h.seen[1].notes & kNoteRst);
  EXPECT_EQ(h.seen[1].dir[0].packets, 3u);
}

TEST(FlowTable, NewSynOnClosedTupleStartsASecondFlow) {
  Harness h;
  h.handshake(kSec);
  h.tcp(kClient, 40000, kServer, 80, 1001, kAck | kPsh, "one", kSec);
  h.tcp(kClient, 40000, kServer, 80, 1004, kAck | kFin, "", kSec);
  h.tcp(kServer, 80, kClient, 40000, 5001, kAck | kFin, "", kSec);
  h.handshake(2 * kSec, 90000, 70000);
  h.tcp(kClient, 40000, kServer, 80, 90001, kAck | kPsh, "two", 2 * kSec);
  EXPECT_EQ(h.table.flows_created(), 2u);
  ASSERT_EQ(h.closed, std::vector<uint64_t>{1});  // ended at once, no linger
  EXPECT_EQ(h.seen[1].end, FlowEnd::kClosed);
  EXPECT_EQ(h.seen[1].stream[0], "one");
  h.table.flush_all(3 * kSec);
  EXPECT_EQ(h.seen[2].stream[0], "two");
  EXPECT_EQ(h.seen[2].dir[0].packets, 3u);
}

TEST(FlowTable, SynOnOpenFlowDoesNotSplitIt) {
  Harness h;
  h.handshake(kSec);
  h.tcp(kClient, 40000, kServer, 80, 1000, kSyn, "", kSec);  // SYN retransmission
  EXPECT_EQ(h.table.flows_created(), 1u);
}

TEST(FlowTable, SynWithNewIsnOnOpenFlowStartsANewFlow) {
  // As tshark's tcp.stream: a device that abandons a connection (reboot)
  // and reconnects from the same port starts a new conversation.
  Harness h;
  h.handshake(kSec);
  h.tcp(kClient, 40000, kServer, 80, 1001, kAck | kPsh, "old", kSec);
  h.handshake(2 * kSec, 777000, 888000);
  h.tcp(kClient, 40000, kServer, 80, 777001, kAck | kPsh, "new", 2 * kSec);
  EXPECT_EQ(h.table.flows_created(), 2u);
  h.table.flush_all(3 * kSec);
  EXPECT_EQ(h.seen[1].stream[0], "old");
  EXPECT_EQ(h.seen[2].stream[0], "new");
  EXPECT_EQ(h.seen[2].dir[0].packets, 3u);
}

TEST(FlowTable, RetransmittedSynAfterRstStaysInItsFlow) {
  Harness h;
  h.tcp(kClient, 40000, kServer, 80, 3000, kSyn, "", kSec);
  h.tcp(kClient, 40000, kServer, 80, 99, kRst, "", kSec);        // resets an older connection
  h.tcp(kClient, 40000, kServer, 80, 3000, kSyn, "", 2 * kSec);  // same ISN: a retry
  EXPECT_EQ(h.table.flows_created(), 1u);
  // The retried handshake reopened the flow: it is not ended by the
  // closed-linger timeout, only by the (longer) idle one.
  h.tcp(kServer, 80, kClient, 40000, 8000, kSyn | kAck, "", 2 * kSec);
  h.tcp(kClient, 40000, kServer, 80, 3001, kAck | kPsh, "hi", 100 * kSec);
  EXPECT_EQ(h.table.flows_created(), 1u);
  h.table.flush_all(101 * kSec);
  EXPECT_EQ(h.seen[1].stream[0], "hi");
}

TEST(FlowTable, IdleTimeoutsByCaptureTime) {
  FlowLimits limits;
  limits.tcp_idle = 100 * kSec;
  limits.udp_idle = 10 * kSec;
  Harness h(limits);
  h.handshake(0);                                     // flow 1, TCP
  h.udp(kClient, 53000, kServer, 53, "q", 1 * kSec);  // flow 2, UDP
  h.table.expire(5 * kSec);
  EXPECT_TRUE(h.closed.empty());
  h.table.expire(12 * kSec);  // UDP idle, TCP still within its timeout
  ASSERT_EQ(h.closed, std::vector<uint64_t>{2});
  EXPECT_EQ(h.seen[2].end, FlowEnd::kIdle);
  h.tcp(kClient, 40000, kServer, 80, 1001, kAck, "k", 50 * kSec);  // keeps it alive
  h.table.expire(140 * kSec);
  EXPECT_EQ(h.closed.size(), 1u);
  h.table.expire(151 * kSec);
  ASSERT_EQ(h.closed, (std::vector<uint64_t>{2, 1}));
  EXPECT_EQ(h.seen[1].end, FlowEnd::kIdle);
  EXPECT_EQ(h.seen[1].stream[0], "k");
}

TEST(FlowTable, IdleFlowEndsOnArrivalEvenWithoutExpireCalls) {
  FlowLimits limits;
  limits.udp_idle = 10 * kSec;
  Harness h(limits);
  h.udp(kClient, 53000, kServer, 53, "a", 0);
  h.udp(kClient, 53000, kServer, 53, "b", 60 * kSec);
  EXPECT_EQ(h.table.flows_created(), 2u);
  ASSERT_EQ(h.closed, std::vector<uint64_t>{1});
  EXPECT_EQ(h.seen[1].end, FlowEnd::kIdle);
  EXPECT_EQ(h.seen[1].stream[0], "a");
}

TEST(FlowTable, MaxFlowsEvictsTheOldest) {
  FlowLimits limits;
  limits.max_flows = 2;
  Harness h(limits);
  h.udp(kClient, 1001, kServer, 53, "a", 1 * kSec);
  h.udp(kClient, 1002, kServer, 53, "b", 2 * kSec);
  h.udp(kClient, 1001, kServer, 53, "a2", 3 * kSec);  // flow 1 now most recent
  h.udp(kClient, 1003, kServer, 53, "c", 4 * kSec);
  EXPECT_EQ(h.table.size(), 2u);
  ASSERT_EQ(h.closed, std::vector<uint64_t>{2});
  EXPECT_EQ(h.seen[2].end, FlowEnd::kEvicted);
  EXPECT_TRUE(h.seen[2].notes & kNoteEvicted);
  EXPECT_EQ(h.stats.drops.get("flow.max-flows"), 1u);
  h.table.flush_all(5 * kSec);
  EXPECT_EQ(h.closed, (std::vector<uint64_t>{2, 1, 3}));
}

TEST(FlowTable, VlanSeparatesFlows) {
  Harness h;
  h.tcp(kClient, 40000, kServer, 80, 1, kSyn, "", kSec, 10);
  h.tcp(kClient, 40000, kServer, 80, 1, kSyn, "", kSec, 20);
  EXPECT_EQ(h.table.size(), 2u);
}

TEST(FlowTable, BypassStopsDeliveryButKeepsCounting) {
  Harness h;
  h.done_after = 4;
  h.handshake(kSec);
  h.tcp(kClient, 40000, kServer, 80, 1001, kAck, "abcd", kSec);
  h.tcp(kClient, 40000, kServer, 80, 1005 + 3, kAck, "zzz", kSec);  // buffered? no: bypassed
  h.tcp(kClient, 40000, kServer, 80, 1005, kAck, "efg", kSec);
  h.tcp(kServer, 80, kClient, 40000, 5001, kAck, "reply", kSec);
  h.table.flush_all(2 * kSec);
  const Seen& s = h.seen[1];
  EXPECT_EQ(s.stream[0], "abcd");
  EXPECT_EQ(s.stream[1], "");
  EXPECT_EQ(s.data_calls[0], 1);
  EXPECT_TRUE(s.notes & kNoteBypassed);
  EXPECT_EQ(s.dir[0].packets, 5u);
  EXPECT_EQ(s.dir[0].payload_bytes, 10u);
  EXPECT_EQ(s.dir[1].payload_bytes, 5u);
  EXPECT_EQ(h.stats.drops.get("flow.bypassed-bytes"), 3u + 3u + 5u);
  EXPECT_TRUE(s.ended);
}

TEST(FlowTable, BypassMidwayFreesBufferedBytes) {
  Harness h;
  h.done_after = 3;
  h.handshake(kSec);
  h.tcp(kClient, 40000, kServer, 80, 1001 + 10, kAck, "later", kSec);  // buffered
  h.tcp(kClient, 40000, kServer, 80, 1001, kAck, "abc", kSec);         // done
  h.table.flush_all(2 * kSec);
  EXPECT_EQ(h.seen[1].stream[0], "abc");
  EXPECT_EQ(h.stats.drops.get("flow.bypassed-bytes"), 5u);
}

TEST(FlowTable, PerStreamCapGivesUpTheHole) {
  FlowLimits limits;
  limits.stream_cap = 8;
  Harness h(limits);
  h.handshake(kSec);
  h.tcp(kClient, 40000, kServer, 80, 1001 + 4, kAck, "12345", kSec);
  h.tcp(kClient, 40000, kServer, 80, 1001 + 20, kAck, "6789", kSec);
  EXPECT_EQ(h.stats.drops.get("tcp.stream-cap"), 1u);
  h.table.flush_all(kSec);
  EXPECT_EQ(h.seen[1].stream[0], "[gap 4]12345[gap 11]6789");
  EXPECT_TRUE(h.seen[1].notes & kNoteTcpGap);
}

TEST(FlowTable, GlobalBudgetEvictsTheFlowHoldingMost) {
  FlowLimits limits;
  limits.reassembly_budget = 20;
  Harness h(limits);
  // Flow 1 buffers 12 bytes, flow 2 buffers 6, then flow 2 buffers 6 more:
  // 24 > 20, and flow 1 holds most.
  h.tcp(kClient, 40001, kServer, 80, 100, kSyn, "", kSec);
  h.tcp(kClient, 40002, kServer, 80, 200, kSyn, "", kSec);
  h.tcp(kClient, 40001, kServer, 80, 101 + 3, kAck, std::string(12, 'a'), kSec);
  h.tcp(kClient, 40002, kServer, 80, 201 + 3, kAck, std::string(6, 'b'), kSec);
  EXPECT_EQ(h.stats.drops.get("tcp.budget-evicted-bytes"), 0u);
  h.tcp(kClient, 40002, kServer, 80, 201 + 20, kAck, std::string(6, 'c'), kSec);
  EXPECT_EQ(h.stats.drops.get("tcp.budget-evicted-bytes"), 12u);
  EXPECT_EQ(h.seen[1].stream[0], "[gap 15]");
  EXPECT_EQ(h.seen[2].stream[0], "");
  // Flow 1 continues after the gap.
  h.tcp(kClient, 40001, kServer, 80, 101 + 15, kAck, "go", kSec);
  h.table.flush_all(kSec);
  EXPECT_EQ(h.seen[1].stream[0], "[gap 15]go");
  EXPECT_TRUE(h.seen[1].notes & kNoteTcpGap);
  EXPECT_EQ(h.seen[2].stream[0], "[gap 3]bbbbbb[gap 11]cccccc");
}

TEST(FlowTable, TruncatedPacketIsNotedAndItsTailIsAGap) {
  Harness h;
  h.handshake(kSec);
  // An IPv4 header claiming 20 + 20 + 100 bytes, of which 8 payload bytes
  // were captured.
  std::vector<uint8_t> datagram(20 + 20 + 8, 0);
  datagram[0] = 0x45;
  datagram[2] = 0;
  datagram[3] = 140;
  std::memcpy(datagram.data() + 40, "captured", 8);
  decode::PacketView v;
  v.ip_version = 4;
  v.src = kClient;
  v.dst = kServer;
  v.l4proto = 6;
  v.sport = 40000;
  v.dport = 80;
  v.seq = 1001;
  v.tcp_flags = kAck;
  v.ip_datagram = datagram;
  v.payload = Bytes(datagram).subspan(40);
  v.truncated = true;
  h.table.on_packet(v, kSec, 99, 154);
  h.tcp(kClient, 40000, kServer, 80, 1101, kAck, "next", kSec);
  h.table.flush_all(kSec);
  EXPECT_EQ(h.seen[1].stream[0], "captured[gap 92]next");
  EXPECT_TRUE(h.seen[1].notes & kNoteTruncated);
  EXPECT_EQ(h.seen[1].dir[0].payload_bytes, 104u);
}

TEST(FlowTable, MacsFollowRoles) {
  Harness h;
  const uint8_t cmac[6] = {0x02, 0, 0, 0, 0, 0xc1}, smac[6] = {0x02, 0, 0, 0, 0, 0x51};
  decode::PacketView v;
  v.mac_src = smac;
  v.mac_dst = cmac;
  v.src = kServer;
  v.dst = kClient;
  v.l4proto = 6;
  v.sport = 80;
  v.dport = 40000;
  v.tcp_flags = kSyn | kAck;
  h.table.on_packet(v, kSec, 1, 60);
  h.table.flush_all(kSec);
  EXPECT_TRUE(h.seen[1].has_macs);
  EXPECT_EQ(h.seen[1].client_mac, MacAddr::from(cmac));
}

TEST(FlowTable, FlushAllEndsInIdOrder) {
  Harness h;
  for (uint16_t p = 0; p < 20; ++p) h.udp(kClient, 30000 + (p * 7919) % 1000, kServer, 53, "x", p);
  h.table.flush_all(kSec);
  ASSERT_EQ(h.closed.size(), 20u);
  for (size_t i = 0; i < 20; ++i) EXPECT_EQ(h.closed[i], i + 1);
  for (auto& [id, s] : h.seen) EXPECT_EQ(s.end, FlowEnd::kInputEnd);
}

TEST(FlowTable, TheTableWorksOnAfterFlushAll) {
  // flush_all empties the table and its idle lists at once (no erase per
  // flow): flows seen afterwards are new, idle out and flush as usual, and
  // flows holding out-of-order bytes flush them first.
  FlowLimits limits;
  limits.udp_idle = 10 * kSec;
  Harness h(limits);
  h.handshake(kSec);
  h.tcp(kClient, 40000, kServer, 80, 1001 + 4, kAck, "tail", kSec);  // waits for a hole
  h.udp(kClient, 53000, kServer, 53, "q", kSec);
  h.table.flush_all(2 * kSec);
  ASSERT_EQ(h.closed, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(h.seen[1].stream[0], "[gap 4]tail");
  EXPECT_EQ(h.table.size(), 0u);
  h.udp(kClient, 53000, kServer, 53, "again", 3 * kSec);  // same tuple: a new flow
  h.udp(kClient, 53001, kServer, 53, "other", 20 * kSec);
  EXPECT_EQ(h.table.size(), 2u);
  h.table.expire(15 * kSec);
  ASSERT_EQ(h.closed, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(h.seen[3].end, FlowEnd::kIdle);
  EXPECT_EQ(h.seen[3].stream[0], "again");
  h.table.flush_all(21 * kSec);
  ASSERT_EQ(h.closed, (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(h.seen[4].end, FlowEnd::kInputEnd);
  EXPECT_EQ(h.table.size(), 0u);
}

TEST(FlowTable, NonTcpUdpIsCountedNotTracked) {
  Harness h;
  decode::PacketView v;
  v.src = kClient;
  v.dst = kServer;
  v.l4proto = 1;
  h.table.on_packet(v, kSec, 1, 60);
  EXPECT_EQ(h.table.size(), 0u);
  EXPECT_EQ(h.stats.anomalies.get("flow.not-tcp-udp"), 1u);
}

}  // namespace
}  // namespace ph::flow
