#include "cli/options.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

namespace ph::cli {
namespace {

ParseResult parse_args(std::vector<std::string> args) {
  args.insert(args.begin(), "phonehome");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return parse(int(argv.size()), argv.data());
}

TEST(Options, ScanWithFormatOutputAndLimits) {
  auto r = parse_args({"scan", "--format", "jsonl", "-o", "out.jsonl", "--reveal", "--max-flows",
                       "1000", "--stream-cap", "64K", "a.pcap", "b.pcapng.gz"});
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->format, report::Format::kJsonl);
  EXPECT_EQ(r.options->output, "out.jsonl");
  EXPECT_TRUE(r.options->report.reveal);
  EXPECT_EQ(r.options->engine.flow.max_flows, 1000u);
  EXPECT_EQ(r.options->engine.flow.stream_cap, 64u * 1024);
  EXPECT_EQ(r.options->inputs, (std::vector<std::string>{"a.pcap", "b.pcapng.gz"}));
}

TEST(Options, ThreadsDefaultToTheCores) {
  auto r = parse_args({"scan", "a.pcap"});
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->engine.threads, std::clamp(std::thread::hardware_concurrency(), 1u, 32u));
  r = parse_args({"scan", "--threads", "3", "a.pcap"});
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->engine.threads, 3u);
}

TEST(Options, ProfileIsAFileName) {
  auto r = parse_args({"scan", "--profile", "my phone.toml", "a.pcap"});
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->profile, "my phone.toml");  // read by main, not by the option parser
  EXPECT_EQ(r.options->inputs, std::vector<std::string>{"a.pcap"});
}

TEST(Options, UsageErrorsExitWithTwoAndSayWhy) {
  struct Case {
    std::vector<std::string> args;
    const char* says;
  };
  for (const auto& c : std::vector<Case>{
           {{"scan"}, "needs a capture file"},
           {{"scan", "--format", "xml", "a.pcap"}, "--format must be"},
           {{"scan", "--bogus", "a.pcap"}, "unknown option --bogus"},
           {{"scan", "-o"}, "needs a value"},
           {{"scan", "-i", "eth0", "a.pcap"}, "not both"},
           {{"scan", "-f", "tcp", "a.pcap"}, "applies to live capture"},
           {{"scan", "--flows-only", "--profile", "p.toml", "a.pcap"}, "--profile needs protocol"},
           {{"scan", "a.pcap", "--profile"}, "needs a value"},
           {{"frobnicate"}, "unknown command"},
           {{"scan", "--threads", "0", "a.pcap"}, "--threads takes a count from 1 to 32"},
           {{"scan", "--threads", "33", "a.pcap"}, "--threads takes a count from 1 to 32"},
           {{"scan", "--threads", "two", "a.pcap"}, "--threads takes a count from 1 to 32"},
       }) {
    auto r = parse_args(c.args);
    EXPECT_FALSE(r.options);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.message.find(c.says), std::string::npos) << r.message;
    EXPECT_TRUE(r.to_stderr);
  }
}

TEST(Options, HelpDocumentsExitCodes) {
  auto r = parse_args({"--help"});
  EXPECT_FALSE(r.options);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.message.find("Exit codes"), std::string::npos);
  EXPECT_NE(r.message.find("4  an input is damaged"), std::string::npos);
}

TEST(Options, FlowsOnlyTurnsParsingOff) {
  auto r = parse_args({"scan", "--flows-only", "a.pcap"});
  ASSERT_TRUE(r.options);
  EXPECT_TRUE(r.options->engine.flows_only);
  EXPECT_FALSE(parse_args({"scan", "a.pcap"}).options->engine.flows_only);
}

TEST(Options, LiveCaptureTakesInterfaceAndFilter) {
  auto r = parse_args({"scan", "-i", "lo", "-f", "udp port 53", "--duration", "2.5"});
  ASSERT_TRUE(r.options);
  EXPECT_EQ(r.options->interface, "lo");
  EXPECT_EQ(r.options->filter, "udp port 53");
  EXPECT_DOUBLE_EQ(r.options->duration_s, 2.5);
}

}  // namespace
}  // namespace ph::cli
