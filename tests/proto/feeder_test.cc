// The Feeder's side of the parser contract, with a toy line protocol.
#include "proto/feeder.h"

#include <gtest/gtest.h>

#include "proto/chunking.h"

namespace ph::proto::test {
namespace {

// Emits one message per "\n"-terminated line; "BAD" is malformed, "STOP" done.
class Lines : public Session {
 public:
  explicit Lines(MessageSink& sink) : sink_(sink) {}
  Consumed on_data(Direction dir, Bytes data, Timestamp, uint64_t) override {
    std::string_view s = as_string(data);
    size_t used = 0;
    for (size_t nl; (nl = s.find('\n', used)) != std::string_view::npos; used = nl + 1) {
      std::string_view line = s.substr(used, nl - used);
      if (line == "BAD") {
        sink_.on_anomaly("lines.bad");
        return {used, Status::kMalformed};
      }
      if (line == "STOP") return {nl + 1, Status::kDone};
      Message m;
      m.protocol = "lines";
      m.kind = "line";
      m.dir = dir;
      m.add("lines.text", std::string(line));
      sink_.on_message(std::move(m));
    }
    return {used, used == s.size() ? Status::kOk : Status::kNeedMore};
  }
  void on_gap(Direction, uint64_t length) override { gaps += length; }
  FlowFacts facts() const override { return {"lines", false, {}, {}}; }
  uint64_t gaps = 0;

 private:
  MessageSink& sink_;
};

const Parser kLines{
    "lines", Transport::kStream, [](Direction, Bytes, uint16_t) { return 1; },
    [](MessageSink& s) -> std::unique_ptr<Session> { return std::make_unique<Lines>(s); }};

TEST(Feeder, SameMessagesWholeByteByByteAndInRandomChunks) {
  std::vector<Piece> pieces = {{Direction::kUp, "hello\nwor"},
                               {Direction::kDown, "reply one\nreply two\n"},
                               {Direction::kUp, "ld\nlast\n"}};
  std::string whole = describe(run(kLines, pieces, Chunking::kWhole).messages);
  EXPECT_EQ(whole,
            "lines/line up\n  lines.text[]=hello\n"
            "lines/line down\n  lines.text[]=reply one\n"
            "lines/line down\n  lines.text[]=reply two\n"
            "lines/line up\n  lines.text[]=world\n"
            "lines/line up\n  lines.text[]=last\n");
  EXPECT_EQ(describe(run(kLines, pieces, Chunking::kByteByByte).messages), whole);
  for (uint32_t seed = 1; seed < 20; ++seed)
    EXPECT_EQ(describe(run(kLines, pieces, Chunking::kRandom, seed).messages), whole);
}

TEST(Feeder, GapDropsTheIncompleteMessageAndTellsTheSession) {
  Collected sink;
  auto lines = std::make_unique<Lines>(sink);
  Lines* raw = lines.get();
  Feeder f(std::move(lines), sink);
  f.data(Direction::kUp, as_bytes("par"), 1, 1);
  f.gap(Direction::kUp, 10);
  f.data(Direction::kUp, as_bytes("next\n"), 2, 2);
  ASSERT_EQ(sink.messages.size(), 1u);
  EXPECT_EQ(sink.messages[0].find("lines.text")->value, "next");
  EXPECT_EQ(raw->gaps, 10u);
}

TEST(Feeder, MalformedStopsOneDirectionDoneStopsAll) {
  Collected sink;
  Feeder f(std::make_unique<Lines>(sink), sink);
  f.data(Direction::kUp, as_bytes("a\nBAD\nb\n"), 1, 1);
  f.data(Direction::kUp, as_bytes("c\n"), 2, 2);
  f.data(Direction::kDown, as_bytes("x\nSTOP\ny\n"), 3, 3);
  f.data(Direction::kDown, as_bytes("z\n"), 4, 4);
  EXPECT_TRUE(f.failed(Direction::kUp));
  EXPECT_TRUE(f.done());
  EXPECT_EQ(describe(sink.messages),
            "lines/line up\n  lines.text[]=a\nlines/line down\n  lines.text[]=x\n");
  EXPECT_EQ(sink.anomalies, std::vector<std::string>{"lines.bad"});
}

TEST(Feeder, PendingCapGivesUpOnAnEndlessMessage) {
  Collected sink;
  Feeder f(std::make_unique<Lines>(sink), sink, /*pending_cap=*/16);
  f.data(Direction::kUp, as_bytes("0123456789"), 1, 1);
  EXPECT_FALSE(f.failed(Direction::kUp));
  f.data(Direction::kUp, as_bytes("0123456789"), 2, 2);
  EXPECT_TRUE(f.failed(Direction::kUp));
  EXPECT_EQ(sink.anomalies, std::vector<std::string>{"proto.pending-cap"});
}

}  // namespace
}  // namespace ph::proto::test
