// A small capture cut at every byte offset, through the whole pipeline
// (issue #7): never a crash; a cut inside a record is damage named by record
// and offset (exit 4 from the binary), a cut between records a clean end;
// every flow that has a complete packet before the cut and every identifier
// in a complete packet is reported, and nothing from the cut record. Both
// pcap and pcapng, in process at every offset, through the binary at the
// boundaries.
#include <gtest/gtest.h>

#include <set>

#include "adversarial/hostile_support.h"
#include "capture/memory.h"
#include "cli/scan_run.h"
#include "fixture/builder.h"
#include "fixture/hostile.h"
#include "pipeline/engine.h"

namespace ph::test {
namespace {

using fixture::Record;

struct Small {
  std::vector<Record> records;
  std::vector<std::string> imei;  // carried by each record ("" for none)
  std::vector<int> flow;          // which flow each record belongs to
};

// UDP with an IMEI, an HTTP POST with another, UDP with a third: 12 records.
Small small_capture() {
  Small s;
  const fixture::L2 l2{MacAddr{{0x02, 0x54, 0, 0, 0, 1}}, MacAddr{{0x02, 0x54, 0, 0, 0, 2}}, {}};
  const IpAddr phone = IpAddr::parse("10.54.0.2"), server = IpAddr::parse("198.51.100.54");
  Timestamp t = 1'767'225'600 * kNsPerSec;
  auto add = [&](fixture::Frame f, int flow, std::string imei = {}) {
    s.records.push_back({t += 1'000'000, std::move(f), 0, 0});
    s.flow.push_back(flow);
    s.imei.push_back(std::move(imei));
  };
  auto udp = [&](uint16_t port, const std::string& imei) {
    add(fixture::ethernet(
            l2, fixture::udp_segment(phone, server, port, port, R"({"imei":")" + imei + "\"}")),
        port, imei);
  };
  udp(40001, fixture::hostile_imei(54001));
  fixture::TcpConversation c(l2, phone, 50000, server, 80);
  add(c.handshake_syn(), 0);
  add(c.handshake_synack(), 0);
  add(c.handshake_ack(), 0);
  const std::string imei = fixture::hostile_imei(54002);
  add(c.client_send("POST /c HTTP/1.1\r\nHost: cut.example\r\nContent-Type: application/json\r\n"
                    "Content-Length: 26\r\n\r\n{\"imei\":\"" +
                    imei + "\"}"),
      0, imei);
  add(c.server_send("HTTP/1.1 204 No Content\r\n\r\n"), 0);
  add(c.client_fin(), 0);
  add(c.server_fin(), 0);
  add(c.client_ack(), 0);
  udp(40002, fixture::hostile_imei(54003));
  add(fixture::ethernet(l2, fixture::udp_segment(phone, server, 40003, 40003, "no identifier")),
      40003);
  udp(40001, fixture::hostile_imei(54004));  // the first flow again
  return s;
}

struct Layout {
  std::vector<uint8_t> file;
  size_t header = 0;           // file header (pcap) or SHB + IDB (pcapng)
  size_t opens = 0;            // what a file needs to open: its header, or the SHB
  std::vector<uint64_t> ends;  // each record's end offset
  std::string unit;            // "record" or "block"
  uint64_t first_unit = 1;     // the number the reader gives the first packet's unit
};

Layout layout(const Small& s, bool pcapng) {
  Layout l;
  const std::vector<fixture::Interface> ifaces = {fixture::Interface{}};
  auto whole = [&](const std::vector<Record>& r) {
    return pcapng ? fixture::write_pcapng(r, ifaces) : fixture::write_pcap(r, {});
  };
  l.file = whole(s.records);
  l.header = whole({}).size();
  l.opens = pcapng ? 28 : 24;
  l.unit = pcapng ? "block" : "record";
  l.first_unit = pcapng ? 3 : 1;  // pcapng counts the SHB and IDB
  uint64_t end = l.header;
  for (const Record& r : s.records) l.ends.push_back(end += whole({r}).size() - l.header);
  return l;
}

// What a correct run reports when the file ends at `cut`.
struct Want {
  size_t complete = 0;  // records wholly before the cut
  std::set<std::string> values;
  uint64_t flows = 0;
  std::string error;  // prefix of the one input error; empty: a clean end
};

Want want_at(const Small& s, const Layout& l, size_t cut) {
  Want w;
  std::set<int> flows;
  while (w.complete < l.ends.size() && l.ends[w.complete] <= cut) {
    if (!s.imei[w.complete].empty()) w.values.insert(s.imei[w.complete]);
    flows.insert(s.flow[w.complete]);
    ++w.complete;
  }
  w.flows = flows.size();
  const uint64_t start = w.complete ? l.ends[w.complete - 1] : l.header;
  if (cut != start)
    w.error = l.unit + " " + std::to_string(l.first_unit + w.complete) + " at offset " +
              std::to_string(start) + ": truncated";
  return w;
}

void check_in_process(bool pcapng) {
  const Small s = small_capture();
  const Layout l = layout(s, pcapng);
  for (size_t cut = l.header; cut <= l.file.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    const Want w = want_at(s, l, cut);
    auto src = capture::open_memory(Bytes(l.file.data(), cut), "cut");
    ASSERT_TRUE(src.ok()) << src.error().message;
    Engine engine{EngineOptions{}};
    engine.run(**src);
    Report r = engine.finish();
    std::set<std::string> values;
    for (const auto& f : r.findings)
      if (f.data_type == "imei") values.insert(f.value);
    EXPECT_EQ(values, w.values);
    EXPECT_EQ(r.flows.size(), w.flows);
    ASSERT_EQ(r.inputs.size(), 1u);
    EXPECT_EQ(r.inputs[0].damaged, !w.error.empty());
    if (w.error.empty()) {
      EXPECT_TRUE(r.inputs[0].errors.empty());
    } else {
      ASSERT_EQ(r.inputs[0].errors.size(), 1u);
      EXPECT_EQ(r.inputs[0].errors[0].rfind(w.error, 0), 0u) << r.inputs[0].errors[0];
    }
  }
}

TEST(Truncation, PcapCutAtEveryOffsetThroughThePipeline) { check_in_process(false); }
TEST(Truncation, PcapngCutAtEveryOffsetThroughThePipeline) { check_in_process(true); }

// The binary: exit 3 inside the file header (pcapng: the section header),
// 4 inside a record or block, 0 between them; the summary names the damage; findings and flows as
// above. Every offset runs in process above (the same reader and pipeline); an ASan run of the
// binary costs about half a second, so here the cuts are around the end of the file header (pcapng:
// of the SHB and of the IDB), and each record boundary with the byte before and after it.
void check_binary(bool pcapng) {
  const Small s = small_capture();
  const Layout l = layout(s, pcapng);
  std::set<size_t> cuts = {0, 1, l.opens - 1, l.opens, l.opens + 2, l.header - 1};
  for (uint64_t end : l.ends) cuts.insert({size_t(end) - 1, size_t(end), size_t(end) + 1});
  cuts.insert(l.header);
  cuts.insert(l.header + 1);
  TempDir dir;
  const std::string path = dir.file(pcapng ? "cut.pcapng" : "cut.pcap").string();
  for (size_t cut : cuts) {
    if (cut > l.file.size()) continue;
    SCOPED_TRACE("cut at " + std::to_string(cut));
    fixture::write_file(path, std::vector<uint8_t>(l.file.begin(), l.file.begin() + long(cut)));
    MeasuredRun run = measured_scan(dir, path);
    ASSERT_EQ(run.signal, 0) << run.err;
    ScanReport r = read_report(run.out);
    ASSERT_TRUE(r.has_summary) << run.err;
    if (cut < l.opens) {  // not even a file header (pcap) or section header (pcapng)
      EXPECT_EQ(run.status, 3) << run.err;
      EXPECT_EQ(r.errors.size(), 1u);
      continue;
    }
    if (cut < l.header) {  // pcapng: inside the interface block, before any packet
      EXPECT_EQ(run.status, cut == l.opens ? 0 : 4) << run.err;
      EXPECT_EQ(r.flows, 0u);
      ASSERT_EQ(r.errors.size(), cut == l.opens ? 0u : 1u);
      if (cut != l.opens) {
        EXPECT_EQ(r.errors[0].rfind("block 2 at offset 28: truncated", 0), 0u) << r.errors[0];
      }
      continue;
    }
    const Want w = want_at(s, l, cut);
    EXPECT_EQ(run.status, w.error.empty() ? 0 : 4) << run.err;
    EXPECT_EQ(r.imeis, w.values);
    EXPECT_EQ(r.flows, w.flows);
    if (w.error.empty()) {
      EXPECT_TRUE(r.errors.empty());
    } else {
      ASSERT_EQ(r.errors.size(), 1u);
      EXPECT_EQ(r.errors[0].rfind(w.error, 0), 0u) << r.errors[0];
      // The terminal says it too, naming the file.
      EXPECT_NE(run.err.find(path + ": " + w.error), std::string::npos) << run.err;
    }
  }
}

TEST(Truncation, PcapCutAtRecordBoundariesThroughTheBinary) { check_binary(false); }
TEST(Truncation, PcapngCutAtBlockBoundariesThroughTheBinary) { check_binary(true); }

}  // namespace
}  // namespace ph::test
