// The JUnit XML sink: a policy's verdict for CI test reports (Jenkins,
// GitLab, GitHub test-report actions). One testsuite for the policy; one
// testcase a rule and device in its scope (a rule whose scope holds no
// device of the capture is one skipped testcase), failed with the list of
// its violations, values redacted unless --reveal. Text from the network
// (host names) is escaped and made valid XML 1.0.
#include <algorithm>
#include <map>
#include <set>

#include "report/json_writer.h"
#include "report/markup.h"
#include "report/report.h"

namespace ph::report {
namespace {

struct Case {
  size_t rule;
  uint64_t device;  // 0: the rule applies to no device of the capture
  std::vector<const ViolationRecord*> violations;
};

}  // namespace

void write_junit(const Report& r, const Options& o, std::ostream& out) {
  const PolicyVerdict& v = *r.verdict;
  std::vector<Case> cases;
  for (size_t i = 0; i < v.rules.size(); ++i) {
    std::map<uint64_t, std::vector<const ViolationRecord*>> by_device;
    for (uint64_t d : v.rules[i].devices) by_device[d];
    for (const auto& x : v.violations)
      if (x.rule == i) by_device[r.findings[x.finding].device].push_back(&x);
    if (by_device.empty()) cases.push_back({i, 0, {}});
    for (auto& [device, list] : by_device) cases.push_back({i, device, std::move(list)});
  }
  size_t failures = size_t(std::count_if(cases.begin(), cases.end(),
                                         [](const Case& c) { return !c.violations.empty(); }));
  size_t skipped = size_t(std::count_if(cases.begin(), cases.end(), [&](const Case& c) {
    return c.device == 0 && c.violations.empty();
  }));
  std::string b = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::string counts = " tests=\"" + std::to_string(cases.size()) + "\" failures=\"" +
                       std::to_string(failures) + "\" errors=\"0\" skipped=\"" +
                       std::to_string(skipped) + "\"";
  b += "<testsuites name=\"phonehome policy\"" + counts + ">\n";
  b += "  <testsuite name=\"" + xml("policy " + v.path) + "\"" + counts + ">\n";
  b += "    <properties>\n";
  b += "      <property name=\"policy\" value=\"" + xml(v.path) + "\"/>\n";
  for (const auto& in : r.inputs)
    b += "      <property name=\"capture\" value=\"" + xml(in.path) + "\"/>\n";
  b += "    </properties>\n";
  for (const Case& c : cases) {
    const PolicyRuleInfo& rule = v.rules[c.rule];
    std::string name = rule.name + (c.device ? " / " + device_label(r, c.device, o.reveal) : "");
    b += "    <testcase classname=\"" + xml("phonehome.policy." + rule.id) + "\" name=\"" +
         xml(name) + "\">\n";
    if (!c.violations.empty()) {
      std::set<std::string_view> types;
      for (const auto* x : c.violations) types.insert(r.findings[x->finding].data_type);
      std::string what;
      for (auto t : types) what += (what.empty() ? "" : ", ") + std::string(t);
      std::string message = std::to_string(c.violations.size()) + " violation" +
                            (c.violations.size() == 1 ? "" : "s") + " (" + what + ")";
      b += "      <failure type=\"policy violation\" message=\"" + xml(message) + "\">";
      b += xml("Denies " + rule.summary + ".\n", false);
      for (const auto* x : c.violations) b += xml(violation_message(r, *x, o.reveal) + "\n", false);
      b += "</failure>\n";
    } else if (c.device == 0) {
      b += "      <skipped message=\"no device of the capture is in this rule's scope\"/>\n";
    }
    b += "    </testcase>\n";
  }
  b += "  </testsuite>\n</testsuites>\n";
  out << b;
}

}  // namespace ph::report
