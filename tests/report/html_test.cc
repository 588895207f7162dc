// The HTML sink without a browser: what a capture controls (host names,
// User-Agents, paths) cannot become markup, and the page's caps hold.
#include <gtest/gtest.h>

#include <sstream>

#include "report/report.h"

namespace ph::report {
namespace {

Report hostile() {
  Report r;
  DeviceRecord d;
  d.id = 1;
  d.hostname.text = "<script>alert(1)</script>";
  d.user_agents.push_back({"Mozilla\" onload=\"x()\x01", {}});
  r.devices.push_back(d);
  FlowRecord f;
  f.id = 1;
  f.device = 1;
  f.proto = 6;
  f.dst.host = "evil</td><img src=x>";
  f.dst.ip = IpAddr::parse("192.0.2.1");
  f.dst.port = 80;
  f.dst.scope = "documentation";
  r.flows.push_back(f);
  FindingRecord g;
  g.id = 1;
  g.device = 1;
  g.data_type = "email";
  g.value = "a@b.example";
  g.confidence = "high";
  g.method = "validated";
  g.where = "http.query";
  g.path = "<b>";
  g.rule = "e-mail address";
  g.destination = f.dst;
  g.encrypted = false;
  r.findings.push_back(g);
  return r;
}

TEST(HtmlReport, WhatTheCaptureControlsIsEscaped) {
  std::ostringstream out;
  write_html(hostile(), {}, out);
  const std::string& h = out.str();
  EXPECT_EQ(h.find("<script>alert"), std::string::npos);
  EXPECT_NE(h.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(h.find("<img"), std::string::npos);
  EXPECT_NE(h.find("evil&lt;/td&gt;&lt;img src=x&gt;"), std::string::npos);
  EXPECT_NE(h.find("Mozilla&quot; onload=&quot;x()\xEF\xBF\xBD"), std::string::npos)
      << "quotes escaped, a control byte shown as U+FFFD";
  EXPECT_NE(h.find("http.query &lt;b&gt;"), std::string::npos);
  // Exactly the page's own script element.
  size_t scripts = 0;
  for (size_t p = h.find("<script"); p != std::string::npos; p = h.find("<script", p + 1))
    ++scripts;
  EXPECT_EQ(scripts, 1u);
}

TEST(HtmlReport, ValuesRedactedUnlessRevealed) {
  Options o;
  std::ostringstream redacted, revealed;
  write_html(hostile(), o, redacted);
  o.reveal = true;
  write_html(hostile(), o, revealed);
  EXPECT_EQ(redacted.str().find("a@b.example"), std::string::npos);
  EXPECT_NE(redacted.str().find(redact("a@b.example")), std::string::npos);
  EXPECT_NE(revealed.str().find("a@b.example"), std::string::npos);
}

TEST(HtmlReport, ADeviceSeenForOneInstantHasAFiniteTimeline) {
  // Found by the browser test's console check on a real capture: today's
  // epoch nanoseconds in a double made 0/0 of a one-instant device.
  Report r = hostile();
  r.devices[0].first_seen = r.devices[0].last_seen = 1700000000123456789;
  r.flows[0].first_seen = r.devices[0].first_seen;
  std::ostringstream out;
  write_html(r, {}, out);
  EXPECT_NE(out.str().find("class=\"flow\" x=\"250.0\""), std::string::npos) << "at the start";
  EXPECT_EQ(out.str().find("nan"), std::string::npos);
}

TEST(HtmlReport, LongFlowTablesAreCappedAndSaySo) {
  Report r = hostile();
  for (uint64_t i = 2; i <= 6000; ++i) {
    FlowRecord f = r.flows.front();
    f.id = i;
    r.flows.push_back(f);
  }
  std::ostringstream out;
  write_html(r, {}, out);
  const std::string& h = out.str();
  const size_t table = h.find("id=\"flow-table\"");
  ASSERT_NE(table, std::string::npos);
  const size_t end = h.find("</table>", table);
  size_t rows = 0;
  for (size_t p = h.find("<tr>", table); p < end; p = h.find("<tr>", p + 1)) ++rows;
  EXPECT_EQ(rows, 1u + 5000u);
  EXPECT_NE(h.find("The first 5000 of 6000 flows; all are in the JSON output."), std::string::npos);
}

}  // namespace
}  // namespace ph::report
