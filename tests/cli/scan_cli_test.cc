// End-to-end tests of `phonehome scan`: captures made by the fixture
// builder, the real binary run as a user would, its output and exit code
// checked.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>

#include "cli/scan_run.h"
#include "fixture/builder.h"
#include "support/support.h"

namespace ph::test {
namespace {

using fixture::Record;

// A small capture: one device, a DNS exchange and an HTTP request.
std::vector<Record> small_capture() {
  fixture::L2 l2{
      MacAddr{{0x02, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e}}, MacAddr{{0x02, 0, 0, 0, 0, 0xfe}}, {}};
  fixture::L2 back{l2.dst, l2.src, {}};
  IpAddr phone = IpAddr::parse("192.168.1.23"), dns = IpAddr::parse("192.168.1.1"),
         web = IpAddr::parse("198.51.100.80");
  Timestamp t = 1556697600LL * kNsPerSec;
  std::vector<Record> recs;
  auto add = [&](fixture::Frame f) {
    recs.push_back({t, std::move(f), 0, 0});
    t += 1'000'000;
  };
  add(fixture::ethernet(l2, fixture::udp_segment(phone, dns, 40000, 53, "query")));
  add(fixture::ethernet(back, fixture::udp_segment(dns, phone, 53, 40000, "answer")));
  fixture::TcpConversation c(l2, phone, 50000, web, 80);
  for (fixture::Frame& f :
       c.exchange("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n"))
    add(std::move(f));
  return recs;
}

TEST(ScanCli, JsonlHasDeviceFlowContactAndSummaryRecordsPerTheContract) {
  TempDir dir;
  auto path = write_capture(dir, "small.pcap", fixture::write_pcap(small_capture(), {}));
  ScanRun r = scan("--format jsonl " + shell_quote(path));
  ASSERT_EQ(r.status, 0) << r.out;
  std::vector<std::string> lines = split_lines(r.out);
  simdjson::dom::parser parser;
  ASSERT_EQ(lines.size(), 6u) << r.out;  // 1 device, 2 flows, 2 contacts, summary
  std::vector<std::string> kinds;
  for (const auto& l : lines) {
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(l).get(e), simdjson::SUCCESS) << l;
    kinds.emplace_back(std::string_view(e["kind"]));
    if (kinds.back() == "device") {
      EXPECT_EQ(std::string_view(e["mac"]), "02:1a:2b:**:**:5e");  // redacted by default
      EXPECT_EQ(std::string_view(e["first_seen"]), "2019-05-01T08:00:00.000000Z");
      EXPECT_EQ(uint64_t(e["ips"].get_array().size()), 1u);
    } else if (kinds.back() == "flow" && uint64_t(e["id"]) == 2) {
      EXPECT_EQ(std::string_view(e["proto"]), "tcp");
      EXPECT_EQ(std::string_view(e["src"]["ip"]), "192.168.1.23");
      EXPECT_EQ(uint64_t(e["dst"]["port"]), 80u);
      EXPECT_EQ(uint64_t(e["packets_up"]), 4u);
      EXPECT_EQ(uint64_t(e["packets_down"]), 3u);
      EXPECT_EQ(uint64_t(e["payload_up"]), 37u);
      EXPECT_EQ(uint64_t(e["payload_down"]), 27u);
      EXPECT_EQ(uint64_t(e["device"]), 1u);
    } else if (kinds.back() == "contact" && uint64_t(e["destination"]["port"]) == 80) {
      // A kind beyond the contract (README): added records, the others unchanged.
      EXPECT_EQ(uint64_t(e["device"]), 1u);
      EXPECT_EQ(std::string_view(e["destination"]["host"]), "example.com");
      EXPECT_EQ(uint64_t(e["flows"]), 1u);
      EXPECT_TRUE(e["period_s"].is_null());
    } else if (kinds.back() == "summary") {
      EXPECT_EQ(int64_t(e["schema"]), 1);
      EXPECT_EQ(uint64_t(e["flows"]), 2u);
      EXPECT_EQ(uint64_t(e["devices"]), 1u);
      EXPECT_EQ(uint64_t(e["inputs"].at(0)["packets"]), 9u);
      EXPECT_EQ(std::string_view(e["inputs"].at(0)["linktype"]), "EN10MB");
    }
  }
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"device", "flow", "flow", "contact", "contact", "summary"}));
}

TEST(ScanCli, ProtocolsAreRecognisedUnlessFlowsOnly) {
  TempDir dir;
  auto path = write_capture(dir, "small.pcap", fixture::write_pcap(small_capture(), {}));
  ScanRun parsed = scan("--format jsonl " + shell_quote(path));
  EXPECT_NE(parsed.out.find("\"app\":\"http\""), std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("\"host\":\"example.com\""), std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("\"http.request\":1"), std::string::npos) << parsed.out;
  ScanRun flows = scan("--format jsonl --flows-only " + shell_quote(path));
  EXPECT_EQ(flows.out.find("\"app\":\"http\""), std::string::npos) << flows.out;
  EXPECT_EQ(flows.out.find("\"messages\":{}"), flows.out.rfind("\"messages\":{}")) << flows.out;
  EXPECT_NE(flows.out.find("\"messages\":{}"), std::string::npos) << flows.out;
}

TEST(ScanCli, RevealPrintsIdentifiersWhole) {
  TempDir dir;
  auto path = write_capture(dir, "small.pcap", fixture::write_pcap(small_capture(), {}));
  ScanRun hidden = scan("--format jsonl " + shell_quote(path));
  ScanRun shown = scan("--format jsonl --reveal " + shell_quote(path));
  EXPECT_EQ(hidden.out.find("02:1a:2b:3c:4d:5e"), std::string::npos);
  EXPECT_NE(shown.out.find("02:1a:2b:3c:4d:5e"), std::string::npos);
}

TEST(ScanCli, JsonFormatIsOneDocumentAndOutputFileWorks) {
  TempDir dir;
  auto path = write_capture(dir, "small.pcap", fixture::write_pcap(small_capture(), {}));
  auto out = dir.file("report.json").string();
  ScanRun r = scan("--format json -o " + shell_quote(out) + " " + shell_quote(path));
  ASSERT_EQ(r.status, 0) << r.out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.load(out).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["devices"].get_array().size(), 1u);
  EXPECT_EQ(doc["flows"].get_array().size(), 2u);
  EXPECT_EQ(doc["findings"].get_array().size(), 0u);
  EXPECT_EQ(doc["contacts"].get_array().size(), 2u);
  EXPECT_EQ(uint64_t(doc["summary"]["contacts"]), 2u);
  EXPECT_EQ(int64_t(doc["summary"]["schema"]), 1);
}

TEST(ScanCli, OutputIsDeterministic) {
  TempDir dir;
  auto path = write_capture(dir, "small.pcap", fixture::write_pcap(small_capture(), {}));
  EXPECT_EQ(scan("--format jsonl " + shell_quote(path)).out,
            scan("--format jsonl " + shell_quote(path)).out);
}

TEST(ScanCli, TextReportListsDevicesFlowsAndSummary) {
  TempDir dir;
  auto path = write_capture(dir, "small.pcap", fixture::write_pcap(small_capture(), {}));
  ScanRun r = scan(shell_quote(path));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("DEVICES (1)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FLOWS (2)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("198.51.100.80:80"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\033["), std::string::npos) << "no colours when not a terminal";
}

TEST(ScanCli, TruncatedFileKeepsWhatCameBeforeAndExitsFour) {
  TempDir dir;
  auto bytes = fixture::write_pcap(small_capture(), {});
  bytes.resize(bytes.size() - 10);  // cut inside the last record
  auto path = write_capture(dir, "cut.pcap", bytes);
  ScanRun r = scan("--format jsonl " + shell_quote(path));
  EXPECT_EQ(r.status, 4) << r.out;
  EXPECT_NE(r.out.find("\"packets\":8"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("record 9"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"damaged\":true"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"kind\":\"flow\""), std::string::npos) << r.out;
}

TEST(ScanCli, UnknownLinkTypeIsNamedInTheError) {
  TempDir dir;
  fixture::PcapOptions o;
  o.linktype = 147;  // LINKTYPE_USER0
  auto path = write_capture(dir, "user0.pcap", fixture::write_pcap(small_capture(), o));
  ScanRun r = scan("--format jsonl " + shell_quote(path));
  EXPECT_EQ(r.status, 4) << r.out;
  EXPECT_NE(r.out.find("link type 147 (USER0) is not supported: 9 packets skipped"),
            std::string::npos)
      << r.out;
}

TEST(ScanCli, MissingInputExitsThreeButOtherInputsAreRead) {
  TempDir dir;
  auto path = write_capture(dir, "small.pcap", fixture::write_pcap(small_capture(), {}));
  ScanRun r = scan("--format jsonl /nonexistent/x.pcap " + shell_quote(path));
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find("/nonexistent/x.pcap"), std::string::npos);
  EXPECT_NE(r.out.find("\"flows\":2"), std::string::npos) << r.out;
}

TEST(ScanCli, NotACaptureIsAClearError) {
  TempDir dir;
  auto path = write_capture(dir, "notes.txt",
                            {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n'});
  ScanRun r = scan(shell_quote(path));
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find("not a pcap or pcapng file"), std::string::npos) << r.out;
}

TEST(ScanCli, CompressedFilesAndStdinGiveTheSameFlows) {
  TempDir dir;
  auto plain = fixture::write_pcap(small_capture(), {});
  auto p1 = write_capture(dir, "a.pcap", plain);
  auto p2 = write_capture(dir, "a.pcap.gz", fixture::compress(plain, fixture::Compression::kGzip));
  auto p3 = write_capture(
      dir, "a.pcapng.zst",
      fixture::compress(fixture::write_pcapng(small_capture(), {{}}), fixture::Compression::kZstd));
  auto flows_of = [](const std::string& out) {
    std::string f;
    size_t pos = 0;
    while ((pos = out.find("{\"kind\":\"flow\"", pos)) != std::string::npos) {
      size_t end = out.find("\"input\"", pos);
      f += out.substr(pos, end - pos) + "\n";
      pos = end;
    }
    return f;
  };
  std::string a = flows_of(scan("--format jsonl " + shell_quote(p1)).out);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, flows_of(scan("--format jsonl " + shell_quote(p2)).out));
  EXPECT_EQ(a, flows_of(scan("--format jsonl " + shell_quote(p3)).out));
  EXPECT_EQ(a, flows_of(scan("--format jsonl - < " + shell_quote(p2)).out));
}

TEST(ScanCli, SeveralFilesAreOneRun) {
  TempDir dir;
  auto recs = small_capture();
  std::vector<Record> first(recs.begin(), recs.begin() + 2), second(recs.begin() + 2, recs.end());
  auto p1 = write_capture(dir, "1.pcap", fixture::write_pcap(first, {}));
  auto p2 = write_capture(dir, "2.pcap", fixture::write_pcap(second, {}));
  ScanRun r = scan("--format jsonl " + shell_quote(p1) + " " + shell_quote(p2));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\"flows\":2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"devices\":1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"input\":" + std::string("\"") + p2 + "\""), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ph::test
