// Fuzz target for the whole pipeline: the input is a capture file (pcap or
// pcapng, plain, gzip or zstd), opened from memory and run through the real
// Engine (decode, defrag, flows, reassembly, every protocol parser, content
// decoders, detectors, devices, timeline), then written as jsonl. No GeoIP,
// no OUI registry: those read files, which would only slow the fuzzer.
// Checks: ids are 1..N without holes; every flow and finding names an
// existing device, every finding flow 0 or an existing flow (then the
// flow's device); devices' and contacts' flow counts add up to the flows;
// the packet counts agree with the input's; every jsonl line parses as
// JSON, and the summary line comes last and counts the lines of each kind;
// three worker pipelines (--threads 3) write the same jsonl as one.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "capture/memory.h"
#include "pipeline/engine.h"
#include "report/report.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void check_report(const ph::Report& r) {
  check(r.inputs.size() == 1);
  check(r.stats.packets == r.inputs[0].packets);
  check(r.stats.bytes == r.inputs[0].bytes);
  const uint64_t devices = r.devices.size();
  for (uint64_t i = 0; i < devices; ++i) check(r.devices[i].id == i + 1);
  uint64_t device_flows = 0;
  for (const auto& d : r.devices) device_flows += d.flows;
  check(device_flows == r.flows.size());
  for (uint64_t i = 0; i < r.flows.size(); ++i) {
    check(r.flows[i].id == i + 1);
    check(r.flows[i].device >= 1 && r.flows[i].device <= devices);
  }
  for (uint64_t i = 0; i < r.findings.size(); ++i) {
    const ph::FindingRecord& f = r.findings[i];
    check(f.id == i + 1);
    check(f.device >= 1 && f.device <= devices);
    check(f.flow <= r.flows.size());
    if (f.flow != 0) check(r.flows[f.flow - 1].device == f.device);
    check(f.count >= 1 && !f.value.empty() && f.value_sha256.size() == 64);
  }
  uint64_t contact_flows = 0;
  for (const auto& c : r.contacts) {
    check(c.device >= 1 && c.device <= devices);
    check(c.flows >= 1 && c.contacts >= 1 && c.contacts <= c.flows);
    contact_flows += c.flows;
  }
  check(contact_flows == r.flows.size());
}

uint64_t summary_count(simdjson::dom::element summary, const char* key) {
  uint64_t n = 0;
  check(summary[key].get(n) == simdjson::SUCCESS);
  return n;
}

void check_jsonl(const std::string& out, const ph::Report& r) {
  simdjson::dom::parser parser;
  uint64_t devices = 0, flows = 0, findings = 0, contacts = 0;
  bool summary_seen = false;
  size_t pos = 0;
  while (pos < out.size()) {
    check(!summary_seen);  // the summary is the last line
    size_t end = out.find('\n', pos);
    check(end != std::string::npos);  // every line ends with a newline
    simdjson::padded_string line(std::string_view(out).substr(pos, end - pos));
    pos = end + 1;
    simdjson::dom::element e;
    check(parser.parse(line).get(e) == simdjson::SUCCESS);
    std::string_view kind;
    check(e["kind"].get(kind) == simdjson::SUCCESS);
    if (kind == "device") {
      ++devices;
    } else if (kind == "flow") {
      ++flows;
    } else if (kind == "finding") {
      ++findings;
    } else if (kind == "contact") {
      ++contacts;
    } else if (kind == "summary") {
      summary_seen = true;
      check(summary_count(e, "devices") == devices && devices == r.devices.size());
      check(summary_count(e, "flows") == flows && flows == r.flows.size());
      check(summary_count(e, "findings") == findings && findings == r.findings.size());
      check(summary_count(e, "contacts") == contacts && contacts == r.contacts.size());
    }
  }
  check(summary_seen);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One pipeline, then three (--threads 3): the same report, byte for byte.
  std::string jsonl[2];
  for (int k = 0; k < 2; ++k) {
    auto source = ph::capture::open_memory({data, size}, "fuzz.pcap");
    if (!source) return 0;
    ph::EngineOptions options;
    options.oui = {};  // no registry files: vendors stay unknown
    options.threads = k == 0 ? 1 : 3;
    ph::Engine engine(options);
    engine.run(**source);
    const ph::Report report = engine.finish();
    check_report(report);
    std::ostringstream out;
    ph::report::write(report, ph::report::Format::kJsonl, {}, out);
    jsonl[k] = out.str();
    check_jsonl(jsonl[k], report);
  }
  check(jsonl[0] == jsonl[1]);
  return 0;
}
