// The report sinks: text for a person, jsonl and json for tools (the
// contract is ../shared/spec/output.md). They see only model/records.h.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "model/records.h"

namespace ph::report {

enum class Format { kText, kJson, kJsonl, kHtml };

struct Options {
  bool reveal = false;   // print identifiers whole
  bool color = false;    // ANSI colours (text, on a TTY)
  bool verbose = false;  // text: every flow, every finding, low-confidence ones too
  bool quiet = false;    // text: the personal data section alone
};

void write(const Report& report, Format format, const Options& options, std::ostream& out);

// The sinks behind write().
void write_json_records(const Report& report, Format format, const Options& options,
                        std::ostream& out);
void write_text(const Report& report, const Options& options, std::ostream& out);
// One self-contained HTML page (inline CSS/SVG/script, fetches nothing).
void write_html(const Report& report, const Options& options, std::ostream& out);

constexpr int kSchemaVersion = 1;

// Masks the middle of an identifier: keeps a few leading and trailing
// characters ("354785*******54"). MACs keep the OUI and the last octet.
std::string redact(std::string_view value);
std::string redact_mac(const MacAddr& mac);
// A device's name or software string as a report shows it: the identifier
// spans in it redacted unless `reveal`.
std::string shown(const IdentityText& text, bool reveal);

}  // namespace ph::report
