// The verdict of a policy (--policy) over a report: which rules were judged,
// which devices each applied to, and which findings broke them. Made by
// src/policy/ from a Report alone; the report sinks render it (text, jsonl,
// json, SARIF, JUnit). A violation refers to its finding, so a sink redacts
// the value the way it redacts findings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ph {

struct PolicyRuleInfo {
  std::string id;                 // stable, unique in the policy ("no-device-identifiers-in-clear")
  std::string name;               // as the user wrote it
  std::string description;        // as the user wrote it; may be empty
  std::string summary;            // what the rule denies, in words (made from its fields)
  std::vector<uint64_t> devices;  // ids of the report's devices the rule applies to
};

struct ViolationRecord {
  size_t rule = 0;     // index into PolicyVerdict::rules
  size_t finding = 0;  // index into Report::findings
};

struct PolicyVerdict {
  std::string path;  // the policy file, as given
  std::vector<PolicyRuleInfo> rules;
  std::vector<ViolationRecord> violations;  // by rule, then finding
  bool passed() const { return violations.empty(); }
};

}  // namespace ph
