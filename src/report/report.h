// The report sinks: text for a person, jsonl and json for tools (the
// contract is ../shared/spec/output.md), SARIF and JUnit XML for CI systems
// (a policy's verdict). They see only model/records.h.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "model/records.h"

namespace ph::report {

enum class Format { kText, kJson, kJsonl, kHtml, kSarif, kJunit };

struct Options {
  bool reveal = false;   // print identifiers whole
  bool color = false;    // ANSI colours (text, on a TTY)
  bool verbose = false;  // text: every flow, every finding, low-confidence ones too
  bool quiet = false;    // text: the personal data section alone
  unsigned threads = 1;  // jsonl: threads formatting flows and findings (--threads)
};

void write(const Report& report, Format format, const Options& options, std::ostream& out);

// The sinks behind write().
void write_json_records(const Report& report, Format format, const Options& options,
                        std::ostream& out);
void write_text(const Report& report, const Options& options, std::ostream& out);
// phonehome watch: one finding as it happens (Engine's on_finding), as a
// line of text or, for json/jsonl, a "live_finding" record (provisional:
// id and device are 0; device_mac or device_ip says which device). The
// caller flushes.
void write_live_finding(const FindingRecord& finding, Format format, const Options& options,
                        std::ostream& out);
void write_live_finding_record(const FindingRecord& finding, const Options& options,
                               std::ostream& out);
// watch --policy: a rule the live finding just written breaks, as a text
// line or a "live_violation" record (no value: its hash and type only).
void write_live_violation(const FindingRecord& finding, std::string_view rule_id,
                          std::string_view rule_name, Format format, std::ostream& out);
void write_live_violation_record(const FindingRecord& finding, std::string_view rule_id,
                                 std::string_view rule_name, std::ostream& out);
// One self-contained HTML page (inline CSS/SVG/script, fetches nothing).
void write_html(const Report& report, const Options& options, std::ostream& out);
// SARIF 2.1.0 and JUnit XML of report.verdict (which must be set).
void write_sarif(const Report& report, const Options& options, std::ostream& out);
void write_junit(const Report& report, const Options& options, std::ostream& out);

// One violation in words, the value redacted unless `reveal`: "imei
// 358467*******39 sent unencrypted to zzhc.vnet.example (101.95.46.35:80,
// CN) by device 1, flow 6, frame 14 of examples/demo.pcap".
std::string violation_message(const Report& report, const ViolationRecord& v, bool reveal);
// "device 1 (f8:ad:cb:**:**:9b, Nokia-7-plus)": a device as the policy
// outputs name it.
std::string device_label(const Report& report, uint64_t device, bool reveal);

constexpr int kSchemaVersion = 1;

// Masks the middle of an identifier: keeps a few leading and trailing
// characters ("354785*******54"). MACs keep the OUI and the last octet.
std::string redact(std::string_view value);
std::string redact_mac(const MacAddr& mac);
// A MAC as a report shows it: whole with `reveal`, else redact_mac().
std::string shown_mac(const MacAddr& mac, bool reveal);
// A device's name or software string as a report shows it: the identifier
// spans in it redacted unless `reveal`.
std::string shown(const IdentityText& text, bool reveal);

}  // namespace ph::report
