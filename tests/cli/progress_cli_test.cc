// The progress line: drawn on stderr when it is a terminal (run under
// script(1), which gives the command a pseudo-terminal), never otherwise.
#include <gtest/gtest.h>

#include "support/support.h"

namespace ph::test {
namespace {

std::string demo() { return std::string(PHONEHOME_SOURCE_DIR) + "/examples/demo.pcap"; }

TEST(ProgressCli, ShownOnATerminal) {
  int status = -1;
  run_command("command -v script >/dev/null", &status);
  if (status != 0) GTEST_SKIP() << "script(1) is not installed: skipped";
  std::string cmd =
      std::string(PHONEHOME_BINARY) + " scan --format jsonl -o /dev/null " + shell_quote(demo());
  std::string out = run_command("script -qec " + shell_quote(cmd) + " /dev/null", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("demo.pcap"), std::string::npos) << out;
  EXPECT_NE(out.find("75 packets"), std::string::npos) << out;
  EXPECT_NE(out.find("packets/s"), std::string::npos) << out;
  EXPECT_NE(out.find("####################] 100%"), std::string::npos) << "a full bar at the end";
  EXPECT_NE(out.find("ETA 0 s"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\033[K"), std::string::npos) << "the line is cleared at the end";
}

TEST(ProgressCli, NotShownWhenStderrIsNotATerminal) {
  int status = -1;
  std::string out =
      run_command(std::string(PHONEHOME_BINARY) + " scan --format jsonl -o /dev/null " +
                      shell_quote(demo()) + " 2>&1",
                  &status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace ph::test
