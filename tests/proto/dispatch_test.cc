// Protocol recognition per flow: by content, not by port; early bytes
// replayed in order; unknown flows bypassed after a bounded look.
#include "proto/dispatch.h"

#include <gtest/gtest.h>
#include <netinet/in.h>

#include "fixture/payloads.h"
#include "proto/chunking.h"

namespace ph::proto::test {
namespace {

flow::Flow tcp_flow(uint16_t server_port) {
  flow::Flow f;
  f.proto = IPPROTO_TCP;
  f.server.port = server_port;
  return f;
}

TEST(Dispatcher, RecognisesTlsByContentOnAnyPort) {
  fixture::Prng rng(7);
  std::string hello = fixture::tls_client_hello("phone.example", {"h2"}, rng);
  Collected sink;
  flow::Flow f = tcp_flow(9999);
  Dispatcher d(f, sink);
  // Split in two so recognition happens on partial data and the rest follows.
  d.on_data(Direction::kUp, as_bytes(hello).first(40), 1, 1);
  d.on_data(Direction::kUp, as_bytes(hello).subspan(40), 2, 2);
  ASSERT_NE(d.parser(), nullptr);
  EXPECT_EQ(d.parser()->name, "tls");
  ASSERT_EQ(sink.messages.size(), 1u);
  EXPECT_EQ(sink.messages[0].find("tls.sni")->value, "phone.example");
  FlowFacts facts = d.facts();
  EXPECT_EQ(facts.app, "tls");
  EXPECT_EQ(facts.sni, "phone.example");
  ASSERT_TRUE(facts.encrypted.has_value());
  EXPECT_TRUE(*facts.encrypted);
}

TEST(Dispatcher, ServerSpeaksFirstIsReplayedBeforeTheClient) {
  // Neither direction's first bytes are recognisable until the client's
  // ClientHello arrives; the server's earlier bytes are replayed first.
  fixture::Prng rng(3);
  std::string hello = fixture::tls_client_hello("x.example", {}, rng);
  Collected sink;
  flow::Flow f = tcp_flow(443);
  Dispatcher d(f, sink);
  d.on_data(Direction::kDown, as_bytes(std::string("\x01\x02\x03", 3)), 1, 1);
  EXPECT_EQ(d.parser(), nullptr);
  d.on_data(Direction::kUp, as_bytes(hello), 2, 2);
  ASSERT_NE(d.parser(), nullptr);
  EXPECT_EQ(d.parser()->name, "tls");
  EXPECT_EQ(sink.messages.size(), 1u);
}

TEST(Dispatcher, UnknownStreamIsBypassedAfterBothDirectionsWereLookedAt) {
  Collected sink;
  flow::Flow f = tcp_flow(5555);
  Dispatcher d(f, sink);
  std::string noise(Dispatcher::kProbeBytes, 'z');
  d.on_data(Direction::kUp, as_bytes(noise), 1, 1);
  EXPECT_FALSE(d.done()) << "the other direction may still tell";
  d.on_data(Direction::kDown, as_bytes(noise), 2, 2);
  EXPECT_TRUE(d.done());
  EXPECT_EQ(d.facts().app, "unknown");
  EXPECT_FALSE(d.facts().encrypted.has_value());
}

TEST(Dispatcher, UnknownDatagramsGiveUpAfterAFew) {
  Collected sink;
  flow::Flow f;
  f.proto = IPPROTO_UDP;
  f.server.port = 40000;
  Dispatcher d(f, sink);
  for (int i = 0; i < Dispatcher::kProbeDatagrams; ++i) {
    EXPECT_FALSE(d.done());
    d.on_data(Direction::kUp, as_bytes("not a protocol we know"), i, uint64_t(i));
  }
  EXPECT_TRUE(d.done());
}

TEST(Dispatcher, GapBeforeRecognitionIsNeverSpliced) {
  fixture::Prng rng(5);
  std::string hello = fixture::tls_client_hello("gap.example", {}, rng);
  Collected sink;
  flow::Flow f = tcp_flow(443);
  Dispatcher d(f, sink);
  d.on_data(Direction::kUp, as_bytes(hello).first(3), 1, 1);  // too little to tell
  d.on_gap(Direction::kUp, 100);
  d.on_data(Direction::kUp, as_bytes(hello).subspan(3), 2, 2);
  // The bytes after the hole were not glued to the bytes before it: no
  // ClientHello can come out of that direction.
  EXPECT_TRUE(sink.messages.empty());
}

TEST(Dispatcher, UnknownFlowsFirstBytesLeaveAsRawMessagesOncePerDirection) {
  Collected sink;
  flow::Flow f = tcp_flow(5555);
  Dispatcher d(f, sink);
  std::string up(Dispatcher::kProbeBytes + 100, 'u');
  d.on_data(Direction::kUp, as_bytes(up), 1, 1);
  d.on_data(Direction::kDown, as_bytes(std::string(Dispatcher::kProbeBytes, 'd')), 2, 2);
  d.on_end(3);
  ASSERT_EQ(sink.messages.size(), 2u);
  EXPECT_EQ(sink.messages[0].protocol, "raw");
  EXPECT_EQ(sink.messages[0].dir, Direction::kUp);
  EXPECT_EQ(sink.messages[0].body, up.substr(0, Dispatcher::kProbeBytes)) << "the documented limit";
  EXPECT_EQ(sink.messages[1].dir, Direction::kDown);
  EXPECT_EQ(d.looks_like(), "text");
}

TEST(Dispatcher, ShortUnknownStreamLeavesItsBytesAtTheEnd) {
  Collected sink;
  flow::Flow f = tcp_flow(5555);
  Dispatcher d(f, sink);
  d.on_data(Direction::kUp, as_bytes(std::string("\x00\x01\x02\x03", 4)), 1, 1);
  EXPECT_TRUE(sink.messages.empty()) << "more bytes could still identify it";
  d.on_end(2);
  ASSERT_EQ(sink.messages.size(), 1u);
  EXPECT_EQ(sink.messages[0].body.size(), 4u);
  EXPECT_EQ(d.looks_like(), "binary");
}

TEST(Dispatcher, RepeatedDatagramsAreSkippedAndCounted) {
  Collected sink;
  flow::Flow f;
  f.proto = IPPROTO_UDP;
  f.server.port = 53;
  Dispatcher d(f, sink);
  std::string q1 = fixture::dns_query(1, "a.example"), q2 = fixture::dns_query(2, "b.example");
  d.on_data(Direction::kUp, as_bytes(q1), 1, 1);
  d.on_data(Direction::kUp, as_bytes(q2), 2, 2);
  d.on_data(Direction::kUp, as_bytes(q1), 3, 3);  // a retransmission: nothing new
  d.on_data(Direction::kUp, as_bytes(q2), 4, 4);
  EXPECT_EQ(sink.messages.size(), 2u);
  EXPECT_EQ(sink.skipped,
            (std::vector<std::string>{"proto.repeated-datagrams", "proto.repeated-datagrams"}));
  d.on_data(Direction::kUp, as_bytes(fixture::dns_query(3, "c.example")), 5, 5);
  EXPECT_EQ(sink.messages.size(), 3u) << "a new datagram is parsed";
}

TEST(LooksLike, TextBinaryRandomEmpty) {
  fixture::Prng rng(9);
  EXPECT_EQ(looks_like(as_bytes(rng.bytes(128))), "random");
  EXPECT_EQ(looks_like(as_bytes(rng.bytes(512))), "random");
  EXPECT_EQ(looks_like(as_bytes(rng.bytes(100))), "binary") << "too short to call random";
  EXPECT_EQ(looks_like(as_bytes("GET / HTTP/1.1\r\n")), "text");
  std::string structured;
  for (int i = 0; i < 64; ++i) structured += std::string("\x00\x00\x01", 3) + char(i);
  EXPECT_EQ(looks_like(as_bytes(structured)), "binary");
  EXPECT_EQ(looks_like({}), "empty");
}

}  // namespace
}  // namespace ph::proto::test
