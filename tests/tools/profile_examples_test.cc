// The committed profile examples (examples/device-profile.toml and
// examples/profile-demo.pcap) stay what tools/fixture generates (`make
// fixtures`), byte for byte, and the tool writes the same bytes as the
// library.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "fixture/profile.h"
#include "support/support.h"

namespace ph::fixture {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string demo_pcap() {
  std::vector<std::string> requests;
  for (const auto& leak : profile_leaks(profile_identity())) requests.push_back(leak.request);
  std::vector<uint8_t> bytes = write_pcap(profile_capture(requests), {});
  return std::string(bytes.begin(), bytes.end());
}

TEST(ProfileExamples, CommittedFilesAreTheFixtureOutput) {
  fs::path dir = fs::path(PHONEHOME_SOURCE_DIR) / "examples";
  EXPECT_EQ(read(dir / "device-profile.toml"), profile_toml(profile_identity()))
      << "run `make fixtures` and commit the result";
  std::string pcap = demo_pcap();
  ASSERT_GT(pcap.size(), 1000u);
  EXPECT_TRUE(read(dir / "profile-demo.pcap") == pcap) << "run `make fixtures`";
}

TEST(ProfileExamples, TheToolWritesTheSameBytes) {
  fs::path tool = fs::path(PHONEHOME_BINARY).parent_path() / "phonehome-fixture";
  if (!fs::exists(tool)) GTEST_SKIP() << tool << " not built";
  test::TempDir dir;
  test::run_command(tool.string() + " profile " + dir.file("p.toml").string() + " && " +
                    tool.string() + " profile-demo " + dir.file("p.pcap").string());
  EXPECT_EQ(read(dir.file("p.toml")), profile_toml(profile_identity()));
  EXPECT_TRUE(read(dir.file("p.pcap")) == demo_pcap());
}

}  // namespace
}  // namespace ph::fixture
