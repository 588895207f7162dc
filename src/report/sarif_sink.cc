// The SARIF 2.1.0 sink: a policy's verdict for code-scanning UIs (GitHub,
// GitLab, Azure DevOps). One run; the tool's rules are the policy's rules;
// one result a violation, level "error", located in the capture file (a
// physical location) and at its device and flow (a logical location),
// with the finding's fields (value redacted unless --reveal) as properties
// and a fingerprint that stays the same across captures of the same leak.
#include <cstdio>

#include "base/crypto.h"
#include "report/json_records.h"

namespace ph::report {
namespace {

// A relative URI reference for a file path: unreserved characters and '/'
// kept, everything else percent-encoded.
std::string file_uri(std::string_view path) {
  std::string s;
  for (char c : path) {
    auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == '/') {
      s.push_back(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", u);
      s += buf;
    }
  }
  return s;
}

void text(JsonWriter& w, std::string_view key, std::string_view s) {
  w.key(key).begin_object().field("text", s).end_object();
}

}  // namespace

void write_sarif(const Report& r, const Options& o, std::ostream& out) {
  const PolicyVerdict& v = *r.verdict;
  std::string buf;
  JsonWriter w(buf);
  w.begin_object();
  w.field("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  w.field("version", "2.1.0");
  w.key("runs").begin_array().begin_object();
  w.key("tool").begin_object().key("driver").begin_object();
  w.field("name", "phonehome").field("version", PHONEHOME_VERSION);
  w.key("rules").begin_array();
  for (const PolicyRuleInfo& rule : v.rules) {
    w.begin_object();
    w.field("id", rule.id);
    text(w, "shortDescription", rule.name);
    text(w, "fullDescription", rule.description.empty() ? rule.summary : rule.description);
    text(w, "help", "Denies " + rule.summary + " (policy " + v.path + ")");
    w.key("defaultConfiguration").begin_object().field("level", "error").end_object();
    w.end_object();
  }
  w.end_array();
  w.end_object().end_object();  // driver, tool
  w.key("artifacts").begin_array();
  for (const auto& in : r.inputs) {
    w.begin_object().key("location").begin_object().field("uri", file_uri(in.path)).end_object();
    w.end_object();
  }
  w.end_array();
  w.key("results").begin_array();
  for (const ViolationRecord& x : v.violations) {
    const FindingRecord& f = r.findings[x.finding];
    const PolicyRuleInfo& rule = v.rules[x.rule];
    w.begin_object();
    w.field("ruleId", rule.id).field("ruleIndex", uint64_t(x.rule));
    w.field("level", "error");
    text(w, "message", violation_message(r, x, o.reveal));
    w.key("locations").begin_array().begin_object();
    if (f.input < r.inputs.size()) {
      w.key("physicalLocation").begin_object().key("artifactLocation").begin_object();
      w.field("uri", file_uri(r.inputs[f.input].path)).field("index", uint64_t(f.input));
      w.end_object().end_object();
    }
    std::string device = "device " + std::to_string(f.device);
    std::string flow =
        f.flow ? "flow " + std::to_string(f.flow) : "frame " + std::to_string(f.frame);
    w.key("logicalLocations").begin_array().begin_object();
    w.field("name", flow).field("fullyQualifiedName", device + "/" + flow);
    w.field("kind", "resource");
    w.end_object().end_array();
    w.end_object().end_array();  // location, locations
    // The same leak (rule, data type, value, destination name) in another
    // capture gets the same fingerprint; the value enters only hashed.
    w.key("partialFingerprints").begin_object();
    w.field("phonehomeViolation/v1",
            crypto::digest_hex(crypto::sha256(), rule.id + "\n" + std::string(f.data_type) + "\n" +
                                                     f.value_sha256 + "\n" +
                                                     std::string(f.destination.host)));
    w.end_object();
    w.key("properties").begin_object();
    violation_fields(w, r, x, o);
    w.end_object();
    w.end_object();
  }
  w.end_array();
  w.end_object().end_array();  // run, runs
  w.end_object();
  buf.push_back('\n');
  out << buf;
}

}  // namespace ph::report
