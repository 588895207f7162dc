// Report lines formatted on several threads come out as one thread writes
// them: every count of items (empty, less than a chunk, not a multiple of
// one), every thread count, and whole jsonl reports; a failing line is
// reported, not a hang.
#include "report/parallel_lines.h"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

#include "report/report.h"

namespace ph::report {
namespace {

std::string line_of(size_t i) {
  // Lines of different lengths, so chunk boundaries move.
  return std::to_string(i) + std::string(i % 37, 'x') + "\n";
}

std::string written(size_t n, unsigned threads) {
  std::ostringstream out;
  write_in_order(
      n, threads, [](size_t i, std::string& text) { text += line_of(i); }, out);
  return out.str();
}

TEST(ParallelLines, AnyThreadCountWritesTheLinesInOrder) {
  for (size_t n : {size_t(0), size_t(1), size_t(1023), size_t(1024), size_t(1025), size_t(10'000),
                   size_t(33'333)}) {
    std::string want;
    for (size_t i = 0; i < n; ++i) want += line_of(i);
    for (unsigned threads : {1u, 2u, 3u, 8u})
      EXPECT_EQ(written(n, threads), want) << n << " " << threads;
  }
}

TEST(ParallelLines, AFailingLineIsThrownWhicheverThreadFormatsIt) {
  for (size_t bad : {size_t(5), size_t(1500), size_t(2600), size_t(9999)}) {
    for (unsigned threads : {1u, 2u, 3u}) {
      std::ostringstream out;
      auto format = [bad](size_t i, std::string& text) {
        if (i == bad) throw std::runtime_error("line " + std::to_string(i));
        text += line_of(i);
      };
      EXPECT_THROW(write_in_order(10'000, threads, format, out), std::runtime_error)
          << bad << " " << threads;
    }
  }
}

Report many_records() {
  Report r;
  r.inputs.emplace_back().path = "some \"quoted\" path.pcap";
  r.input_opened.push_back(true);
  DeviceRecord d;
  d.id = 1;
  r.devices.push_back(d);
  for (uint64_t i = 1; i <= 5000; ++i) {
    FlowRecord f;
    f.id = i;
    f.device = 1;
    f.proto = i % 3 ? 6 : 17;
    f.src_ip = IpAddr::parse("10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250));
    f.src_port = uint16_t(40000 + i % 20000);
    f.dst.ip = IpAddr::parse("2001:db8::" + std::to_string(i % 9000));
    f.dst.port = 443;
    f.first_seen = int64_t(i) * 1'234'567;
    f.last_seen = f.first_seen + 5'000'000'000;
    f.packets_up = i;
    r.flows.push_back(f);
  }
  for (uint64_t i = 1; i <= 3000; ++i) {
    FindingRecord g;
    g.id = i;
    g.device = 1;
    g.flow = i;
    g.ts = int64_t(i) * 7'000'001;
    g.data_type = "imei";
    g.value = "35" + std::to_string(100000000000 + i);
    g.value_sha256 = std::string(64, 'a');
    g.where = "http.body";
    g.method = "validated";
    g.confidence = "high";
    g.rule = "IMEI";
    g.protocol = "http";
    r.findings.push_back(g);
  }
  return r;
}

TEST(ParallelLines, JsonlReportsAreByteIdenticalWithAnyThreadCount) {
  const Report r = many_records();
  std::ostringstream one;
  Options o;
  write_json_records(r, Format::kJsonl, o, one);
  ASSERT_GT(one.str().size(), 1'000'000u);
  for (unsigned threads : {2u, 3u, 5u}) {
    o.threads = threads;
    std::ostringstream many;
    write_json_records(r, Format::kJsonl, o, many);
    EXPECT_TRUE(many.str() == one.str()) << threads << " threads";
  }
}

}  // namespace
}  // namespace ph::report
