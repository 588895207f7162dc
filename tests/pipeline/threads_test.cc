// --threads: any number of worker pipelines gives the report of one, byte
// for byte, also where what one flow says decides what another means: a
// DNS answer naming a later flow to the address, an IMSI in one flow that
// gives the region of a national phone number in another, user agents of
// many flows gathered on one device.
#include <gtest/gtest.h>

#include <sstream>

#include "capture/memory.h"
#include "capture/source.h"
#include "fixture/builder.h"
#include "fixture/demo.h"
#include "fixture/hostile.h"
#include "model/decode_budget.h"
#include "pipeline/engine.h"
#include "report/report.h"
#include "support/support.h"

namespace ph {
namespace {

Report scan(const std::vector<uint8_t>& pcap, unsigned threads) {
  auto src = capture::open_memory(Bytes(pcap), "threads.pcap");
  EXPECT_TRUE(src.ok());
  EngineOptions o;
  o.threads = threads;
  Engine engine{o};
  engine.run(**src);
  return engine.finish();
}

std::string jsonl(const Report& r) {
  std::ostringstream out;
  report::Options reveal;
  reveal.reveal = true;
  report::write(r, report::Format::kJsonl, reveal, out);
  return out.str();
}

// A phone that resolves eight names, then talks to each server in its own
// flow (no Host header: the name comes from DNS): an IMSI to the first,
// a national-format phone number and its own User-Agent to each other.
std::vector<uint8_t> cross_flow_capture() {
  using namespace fixture;
  L2 phone{MacAddr{{0x02, 0x5a, 0x11, 0x22, 0x33, 0x44}}, MacAddr{{0x02, 0, 0, 0, 0, 0xfe}}, {}};
  L2 resolver_side{phone.dst, phone.src, {}};
  const IpAddr client = IpAddr::parse("192.168.1.23"), resolver = IpAddr::parse("192.168.1.1");
  Timestamp t = 1556697600LL * kNsPerSec;
  std::vector<Record> recs;
  auto add = [&](Frame f) {
    recs.push_back({t, std::move(f), 0, 0});
    t += 1'000'000;
  };
  auto server = [](int i) { return IpAddr::parse("198.51.100." + std::to_string(10 + 17 * i)); };
  auto name = [](int i) { return "reg" + std::to_string(i) + ".carrier.example"; };
  for (int i = 0; i < 8; ++i) {
    // A query and its answer (RFC 1035 wire format, no compression).
    std::vector<uint8_t> q = {0x12, uint8_t(i), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    std::vector<uint8_t> qname;
    std::string n = name(i);
    for (size_t at = 0; at <= n.size();) {
      size_t dot = n.find('.', at);
      if (dot == std::string::npos) dot = n.size();
      qname.push_back(uint8_t(dot - at));
      qname.insert(qname.end(), n.begin() + long(at), n.begin() + long(dot));
      at = dot + 1;
    }
    qname.push_back(0);
    q.insert(q.end(), qname.begin(), qname.end());
    q.insert(q.end(), {0, 1, 0, 1});
    std::vector<uint8_t> a = q;
    a[2] = 0x81;
    a[3] = 0x80;
    a[7] = 1;  // one answer
    a.insert(a.end(), qname.begin(), qname.end());
    a.insert(a.end(), {0, 1, 0, 1, 0, 0, 0, 60, 0, 4});
    const IpAddr s = server(i);
    a.insert(a.end(), s.b.begin(), s.b.begin() + 4);
    add(ethernet(phone,
                 udp_segment(client, resolver, uint16_t(50000 + i), 53, as_string(Bytes(q)))));
    add(ethernet(resolver_side,
                 udp_segment(resolver, client, 53, uint16_t(50000 + i), as_string(Bytes(a)))));
  }
  for (int i = 0; i < 8; ++i) {
    std::string body = i == 0 ? "{\"imsi\":\"242010123456789\"}" : "{\"phoneNumber\":\"92720426\"}";
    std::string req =
        "POST /v1/sim HTTP/1.0\r\nUser-Agent: ThreadsTest/" + std::to_string(i) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body;
    TcpConversation c(phone, client, uint16_t(40000 + i), server(i), 80);
    for (Frame& f : c.exchange(req, "HTTP/1.0 204 No Content\r\n\r\n")) add(std::move(f));
  }
  // A datagram in IP fragments (reassembled before the flows are shared
  // out): its IMEI is found whatever the number of shards.
  std::string raw = "{\"imei\":\"490154203237518\",\"pad\":\"" + std::string(600, 'x') + "\"}";
  for (auto& frag : fragment(udp_segment(client, server(3), 41000, 9999, raw), 200))
    add(ethernet(phone, frag));
  return write_pcap(recs, {});
}

TEST(Threads, CrossFlowFactsHoldInEveryShardCount) {
  const std::vector<uint8_t> pcap = cross_flow_capture();
  const Report one = scan(pcap, 1);
  // What one pipeline finds: every HTTP flow named by DNS, the numbers
  // read in the IMSI's region, every User-Agent on the one device.
  size_t named = 0, national = 0;
  for (const FlowRecord& f : one.flows)
    if (f.dst.port == 80 && f.dst.host.find(".carrier.example") != std::string_view::npos) ++named;
  for (const FindingRecord& f : one.findings)
    if (f.data_type == "msisdn" && f.value == "+4792720426" && f.confidence == "high") ++national;
  EXPECT_EQ(named, 8u);
  EXPECT_EQ(national, 7u);
  size_t imei = 0;
  for (const FindingRecord& f : one.findings)
    imei += f.data_type == "imei" && f.value == "490154203237518";
  EXPECT_EQ(imei, 1u);
  ASSERT_EQ(one.devices.size(), 1u);
  EXPECT_EQ(one.devices[0].user_agents.size(), 8u);
  const std::string want = jsonl(one);
  for (unsigned n : {2u, 3u, 4u, 7u}) {
    SCOPED_TRACE("threads " + std::to_string(n));
    const Report r = scan(pcap, n);
    EXPECT_EQ(jsonl(r), want);
  }
}

TEST(Threads, DemoCaptureIsTheSameWithAnyShardCount) {
  const std::vector<uint8_t> pcap = fixture::demo_pcap();
  const Report one = scan(pcap, 1);
  ASSERT_GE(one.findings.size(), 15u);
  const std::string want = jsonl(one);
  for (unsigned n : {2u, 3u, 8u}) {
    SCOPED_TRACE("threads " + std::to_string(n));
    EXPECT_EQ(jsonl(scan(pcap, n)), want);
  }
}

// One malformed value sent in many flows (which land in different shards):
// each repeat counts its drop, so the summary is the same with any number
// of shards although each shard's scanner remembers values on its own.
TEST(Threads, DropsOfRepeatedValuesAreTheSameWithAnyShardCount) {
  using namespace fixture;
  L2 phone{MacAddr{{0x02, 0x5a, 0x11, 0x22, 0x33, 0x45}}, MacAddr{{0x02, 0, 0, 0, 0, 0xfe}}, {}};
  const IpAddr client = IpAddr::parse("192.168.1.24");
  Timestamp t = 1556697600LL * kNsPerSec;
  std::vector<Record> recs;
  auto add = [&](Frame f) {
    recs.push_back({t, std::move(f), 0, 0});
    t += 1'000'000;
  };
  constexpr int kFlows = 24;
  for (int i = 0; i < kFlows; ++i) {
    const IpAddr server = IpAddr::parse("203.0.113." + std::to_string(1 + 9 * i));
    TcpConversation c(phone, client, uint16_t(41000 + i), server, 80);
    for (Frame& f : c.exchange("GET /s HTTP/1.0\r\nX-State: {\"a\":[1,}\r\n\r\n",
                               "HTTP/1.0 204 No Content\r\n\r\n"))
      add(std::move(f));
  }
  const std::vector<uint8_t> pcap = write_pcap(recs, {});
  const Report one = scan(pcap, 1);
  EXPECT_EQ(one.stats.drops.get("content.json-malformed"), uint64_t(kFlows));
  const std::string want = jsonl(one);
  for (unsigned n : {2u, 3u}) {
    SCOPED_TRACE("threads " + std::to_string(n));
    EXPECT_EQ(jsonl(scan(pcap, n)), want);
  }
}

// Decompression bombs, each in a flow of its own from its own address,
// spend the decoded-bytes budget (model/decode_budget.h): the budgets are
// per group of address pairs and the groups are whole in a shard, so where
// each bomb is cut does not depend on the number of shards either.
TEST(Threads, DecodeBudgetCutsAreTheSameWithAnyShardCount) {
  ::ph::test::TempDir dir;
  for (const char* kind : {"gzip-bomb"}) {
    SCOPED_TRACE(kind);
    fixture::HostileOptions o;
    o.out = dir.file(std::string(kind) + ".pcap").string();
    o.min_bytes = 1 << 20;
    const fixture::HostileResult made = fixture::write_hostile(kind, o);
    ASSERT_TRUE(made.ok) << made.error;
    std::string out[3];
    uint64_t cut = 0;
    for (unsigned n : {1u, 2u, 3u}) {
      EngineOptions e;
      e.threads = n;
      Engine engine{e};
      auto src = capture::open_file(o.out);
      ASSERT_TRUE(src.ok());
      engine.run(**src);
      const Report r = engine.finish();
      if (n == 1) cut = r.stats.drops.get(DecodeBudget::kCounter);
      out[n - 1] = jsonl(r);
    }
    EXPECT_GT(cut, 0u);
    EXPECT_EQ(out[1], out[0]);
    EXPECT_EQ(out[2], out[0]);
  }
}

// Every real capture (but the bench ones): malformed, cut short
// (snaplen), tunnelled, fragmented, many devices. Each runs with 1 and 3
// pipelines, in-process (the CLI's start-up would dominate).
TEST(Threads, RealCapturesAreTheSameWithThreeShards) {
  if (::ph::test::shared_captures().empty())
    GTEST_SKIP() << "../shared/captures is absent: the real-capture comparison did not run";
  size_t compared = 0;
  for (const char* dir : {"fp", "leak", "malformed", "pcapng-conformance", "proto"}) {
    for (const auto& path :
         ::ph::test::shared_files(dir, {".pcap", ".pcapng", ".cap", ".gz", ".zst"})) {
      SCOPED_TRACE(path.string());
      std::string out[2];
      for (int k = 0; k < 2; ++k) {
        EngineOptions o;
        o.threads = k == 0 ? 1 : 3;
        Engine engine{o};
        auto src = capture::open_file(path.string());
        if (!src) {
          engine.add_failed_input(path.string(), src.error().message);
        } else {
          engine.run(**src);
        }
        out[k] = jsonl(engine.finish());
      }
      EXPECT_EQ(out[1], out[0]);
      ++compared;
    }
  }
  EXPECT_GE(compared, 150u);
}

}  // namespace
}  // namespace ph
