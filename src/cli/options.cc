// Parsing of `phonehome` command lines (getopt_long) and the help text.
#include "cli/options.h"

#include <getopt.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace ph::cli {
namespace {

// "64M", "1G", "4096" -> bytes; false when not a size.
bool parse_size(const char* text, size_t& out) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (errno || end == text) return false;
  unsigned long long mult = 1;
  if (*end == 'k' || *end == 'K')
    mult = 1ull << 10, ++end;
  else if (*end == 'm' || *end == 'M')
    mult = 1ull << 20, ++end;
  else if (*end == 'g' || *end == 'G')
    mult = 1ull << 30, ++end;
  if (*end == 'B' || *end == 'b') ++end;
  if (*end != '\0') return false;
  out = size_t(v * mult);
  return true;
}

ParseResult fail(const std::string& msg) {
  ParseResult r;
  r.exit_code = kExitUsage;
  r.message = "phonehome: " + msg + "\nTry 'phonehome --help'.\n";
  r.to_stderr = true;
  return r;
}

}  // namespace

std::string usage() {
  return R"(phonehome )" PHONEHOME_VERSION R"( - which personal data does each device send where?

Usage:
  phonehome scan [options] CAPTURE...     read pcap/pcapng files (gzip/zstd ok, - for stdin)
  phonehome scan [options] -i IFACE       capture live until Ctrl-C (or --duration)
  phonehome watch [options] -i IFACE      live: print each finding the moment it is seen,
                                          the full report at Ctrl-C (or --duration)
  phonehome report --db FILE [options]    the report of runs stored with scan --db
  phonehome --help | --version

Output:
  --format text|json|jsonl|html
                             text for people (default), json/jsonl for tools, html: a
                             self-contained page
  --format sarif|junit       the --policy verdict as SARIF 2.1.0 or JUnit XML (for CI)
  -o, --output FILE          write the report to FILE instead of standard output
  --html FILE                also write the report as one self-contained HTML page
                             (opens offline: it loads nothing from the network)
  --reveal                   print identifiers whole (they are redacted by default)
  -v, --verbose              text: every finding, flow and low-confidence finding
  -q, --quiet                text: only the personal data found; no progress, no warnings
  --no-progress              no progress display (it is shown only on a terminal anyway)
  --color auto|always|never  colours in text output (auto: only on a terminal)
  --db FILE                  scan: also store the run in the SQLite database FILE (created
                             if missing; the same captures are stored once); the report is
                             then printed only when --format or -o is given
                             report: read the runs from FILE (see docs/sqlite-schema.md)
  --run N                    report: only run N (default: every run, devices merged)
  --capture FILE|SHA256      report: only the runs that read this capture (the file, or
                             the first digits of the SHA-256 of its bytes)

Analysis:
  --profile FILE             your device's known values (IMEI, IMSI, phone, MAC, e-mail,
                             home location...; TOML or JSON): found in any form, encoding
                             or hash (see examples/device-profile.toml)
  --policy FILE              rules (TOML) the findings must keep, e.g. no IMEI unencrypted
                             or outside *.example-oem.com; a violation exits 1 (see
                             examples/firmware-release-policy.toml)
  --flows-only               no protocol parsing: flows, bytes and TCP reassembly only
  --threads N                worker pipelines (default: one per core); flows are shared
                             out by address pair and the report is the same for any N
                             (watch runs one, to report each finding at once)
  --geoip DIR                country/ASN data from DIR (*.mmdb such as GeoLite2-Country,
                             GeoLite2-City, GeoLite2-ASN; asn.ranges) instead of the data
                             installed by scripts/install-geoip

Live capture:
  -i, --interface IFACE      capture from IFACE through libpcap (needs privileges)
  -f, --filter EXPR          BPF filter, e.g. 'host 192.168.1.23'
  --duration SECONDS         stop after SECONDS
  --user NAME                when run as root: the user to continue as once the
                             interface is open (default: $SUDO_USER's ids, else nobody)

Limits (memory stays bounded; what is dropped is counted in the summary):
  --max-flows N              flows tracked at once (default 1048576)
  --stream-cap SIZE          out-of-order bytes buffered per TCP direction (default 1M)
  --reassembly-budget SIZE   out-of-order bytes buffered in all (default 256M)
  (--max-flows and --reassembly-budget are shared among the --threads pipelines)

Exit codes:
  0  success (with --policy: no rule violated, and every input read whole)
  1  --policy: a rule was violated (this wins over 3 and 4: what was read
     violates the policy whatever else went wrong)
  2  usage error (also: --geoip DIR holds no usable database, a profile or
     policy that cannot be read, or a --db database that cannot be used)
  3  an input could not be opened or is not a capture (other inputs are still read)
  4  an input is damaged (truncated, corrupt, unsupported link type): everything
     before the damage was read and reported; the summary says where and why

Examples:
  phonehome scan examples/demo.pcap
  phonehome scan --profile my-phone.toml capture.pcapng
  phonehome scan --html report.html capture.pcapng
  phonehome scan --policy release.toml --format junit -o policy.xml boot.pcap
  phonehome scan --format jsonl -o report.jsonl day1.pcapng.gz day2.pcapng.zst
  phonehome scan --db phonehome.sqlite day1.pcap && phonehome report --db phonehome.sqlite
  sudo phonehome scan -i wlan0 -f 'ether host 02:00:00:00:00:01' --duration 600
  sudo phonehome watch -i wlan0 -f 'ether host 02:00:00:00:00:01'
)";
}

ParseResult parse(int argc, char** argv) {
  if (argc < 2) return fail("no command given");
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    ParseResult r;
    r.message = usage();
    return r;
  }
  if (cmd == "--version") {
    ParseResult r;
    r.message = "phonehome " PHONEHOME_VERSION "\n";
    return r;
  }
  if (cmd != "scan" && cmd != "watch" && cmd != "report")
    return fail("unknown command '" + cmd + "'");

  Options o;
  o.command = cmd;
  o.engine.threads = std::clamp(std::thread::hardware_concurrency(), 1u, 32u);
  enum {
    kFormat = 256,
    kFlowsOnly,
    kReveal,
    kNoProgress,
    kColor,
    kDuration,
    kMaxFlows,
    kStreamCap,
    kBudget,
    kGeoip,
    kProfile,
    kHtml,
    kUser,
    kDb,
    kRun,
    kCapture,
    kPolicy,
    kThreads,
  };
  static const option kLong[] = {
      {"format", required_argument, nullptr, kFormat},
      {"output", required_argument, nullptr, 'o'},
      {"reveal", no_argument, nullptr, kReveal},
      {"verbose", no_argument, nullptr, 'v'},
      {"quiet", no_argument, nullptr, 'q'},
      {"no-progress", no_argument, nullptr, kNoProgress},
      {"color", required_argument, nullptr, kColor},
      {"interface", required_argument, nullptr, 'i'},
      {"filter", required_argument, nullptr, 'f'},
      {"duration", required_argument, nullptr, kDuration},
      {"max-flows", required_argument, nullptr, kMaxFlows},
      {"stream-cap", required_argument, nullptr, kStreamCap},
      {"reassembly-budget", required_argument, nullptr, kBudget},
      {"flows-only", no_argument, nullptr, kFlowsOnly},
      {"threads", required_argument, nullptr, kThreads},
      {"geoip", required_argument, nullptr, kGeoip},
      {"profile", required_argument, nullptr, kProfile},
      {"html", required_argument, nullptr, kHtml},
      {"user", required_argument, nullptr, kUser},
      {"db", required_argument, nullptr, kDb},
      {"run", required_argument, nullptr, kRun},
      {"capture", required_argument, nullptr, kCapture},
      {"policy", required_argument, nullptr, kPolicy},
      {"help", no_argument, nullptr, 'h'},
      {nullptr, 0, nullptr, 0},
  };
  optind = 2;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":o:vqi:f:h", kLong, nullptr)) != -1) {
    size_t size = 0;
    switch (c) {
      case kFormat: {
        std::string f = optarg;
        if (f == "text")
          o.format = report::Format::kText;
        else if (f == "json")
          o.format = report::Format::kJson;
        else if (f == "jsonl")
          o.format = report::Format::kJsonl;
        else if (f == "html")
          o.format = report::Format::kHtml;
        else if (f == "sarif")
          o.format = report::Format::kSarif;
        else if (f == "junit")
          o.format = report::Format::kJunit;
        else
          return fail("--format must be text, json, jsonl, html, sarif or junit (got '" + f + "')");
        o.report_asked = true;
        break;
      }
      case 'o':
        o.output = optarg;
        o.report_asked = true;
        break;
      case kHtml:
        o.html = optarg;
        break;
      case kUser:
        o.user = optarg;
        if (o.user.empty()) return fail("--user takes a user name");
        break;
      case kReveal:
        o.report.reveal = true;
        break;
      case 'v':
        o.report.verbose = true;
        break;
      case 'q':
        o.quiet = true;
        o.report.quiet = true;
        o.progress = false;
        break;
      case kNoProgress:
        o.progress = false;
        break;
      case kColor:
        o.color = optarg;
        if (o.color != "auto" && o.color != "always" && o.color != "never")
          return fail("--color must be auto, always or never");
        break;
      case 'i':
        o.interface = optarg;
        break;
      case 'f':
        o.filter = optarg;
        break;
      case kDuration: {
        char* end = nullptr;
        o.duration_s = std::strtod(optarg, &end);
        if (end == optarg || *end || o.duration_s < 0)
          return fail("--duration takes a number of seconds");
        break;
      }
      case kMaxFlows:
        if (!parse_size(optarg, size) || size == 0) return fail("--max-flows takes a count");
        o.engine.flow.max_flows = size;
        break;
      case kStreamCap:
        if (!parse_size(optarg, size)) return fail("--stream-cap takes a size such as 1M");
        o.engine.flow.stream_cap = size;
        break;
      case kBudget:
        if (!parse_size(optarg, size)) return fail("--reassembly-budget takes a size such as 256M");
        o.engine.flow.reassembly_budget = size;
        break;
      case kFlowsOnly:
        o.engine.flows_only = true;
        break;
      case kThreads:
        if (!parse_size(optarg, size) || size == 0 || size > 32)
          return fail("--threads takes a count from 1 to 32");
        o.engine.threads = unsigned(size);
        break;
      case kGeoip:
        o.geoip_dir = optarg;
        if (o.geoip_dir.empty()) return fail("--geoip takes a directory");
        break;
      case kProfile:
        o.profile = optarg;
        break;
      case kDb:
        o.db = optarg;
        if (o.db.empty()) return fail("--db takes a file name");
        break;
      case kRun: {
        char* end = nullptr;
        errno = 0;
        long long n = std::strtoll(optarg, &end, 10);
        if (errno || end == optarg || *end || n < 1)
          return fail("--run takes a run number (1, 2, ...)");
        o.run = n;
        break;
      }
      case kCapture:
        o.capture = optarg;
        if (o.capture.empty()) return fail("--capture takes a capture file or its SHA-256");
        break;
      case kPolicy:
        o.policy = optarg;
        if (o.policy.empty()) return fail("--policy takes a file");
        break;
      case 'h': {
        ParseResult r;
        r.message = usage();
        return r;
      }
      case ':':
        return fail(std::string("option ") + argv[optind - 1] + " needs a value");
      default:
        return fail(std::string("unknown option ") + argv[optind - 1]);
    }
  }
  for (int i = optind; i < argc; ++i) o.inputs.emplace_back(argv[i]);
  if (o.command == "report") {
    if (o.db.empty()) return fail("report needs --db FILE");
    if (!o.inputs.empty() || !o.interface.empty())
      return fail("report reads the database; scan reads captures");
    if (!o.profile.empty() || !o.filter.empty() || o.engine.flows_only || !o.geoip_dir.empty())
      return fail("report takes only output options (see phonehome --help)");
    if (o.run && !o.capture.empty()) return fail("give --run or --capture, not both");
    ParseResult r;
    r.options = std::move(o);
    return r;
  }
  if (o.run || !o.capture.empty()) return fail("--run and --capture apply to report");
  if (cmd == "watch" && (o.interface.empty() || !o.inputs.empty()))
    return fail("watch reads a live interface: phonehome watch -i IFACE (scan reads files)");
  if (cmd == "watch" && o.engine.flows_only)
    return fail("watch reports findings: it needs protocol parsing, not --flows-only");
  if (o.inputs.empty() && o.interface.empty())
    return fail("scan needs a capture file (or - for stdin), or -i IFACE");
  if (!o.inputs.empty() && !o.interface.empty())
    return fail("give capture files or -i IFACE, not both");
  if (!o.filter.empty() && o.interface.empty())
    return fail("-f/--filter applies to live capture (-i IFACE)");
  if (!o.profile.empty() && o.engine.flows_only)
    return fail("--profile needs protocol parsing; it does nothing with --flows-only");
  if (!o.policy.empty() && o.engine.flows_only)
    return fail("--policy judges findings, which need protocol parsing (not --flows-only)");
  if ((o.format == report::Format::kSarif || o.format == report::Format::kJunit) &&
      o.policy.empty())
    return fail("--format sarif and junit report a policy's verdict: give --policy FILE");
  ParseResult r;
  r.options = std::move(o);
  return r;
}

}  // namespace ph::cli
