// Shared test support: running commands, locating the real captures in
// ../shared/captures, temporary directories.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ph::test {

// Runs `command` through /bin/sh, returns its standard output; `status`
// receives the exit status (or -1 when it could not be started).
std::string run_command(const std::string& command, int* status = nullptr);

// `text` cut at '\n' (a last line without one counts; no empty line after
// a final '\n').
std::vector<std::string> split_lines(const std::string& text);

// Quotes `s` for /bin/sh.
std::string shell_quote(const std::string& s);

// The real-capture corpus (../shared/captures), or empty when absent.
std::filesystem::path shared_captures();

// Files under shared_captures()/dir with one of the given extensions, sorted.
std::vector<std::filesystem::path> shared_files(const std::string& dir,
                                                const std::vector<std::string>& exts = {".pcap",
                                                                                        ".pcapng"});

bool have_tshark();

// The IEEE registries as Debian's ieee-data installs them, read here with
// Python's csv module (an oracle independent of src/enrich/oui.cc).
struct IeeeEntry {
  std::string assignment;  // hex digits: 6 (MA-L), 7 (MA-M) or 9 (MA-S, IAB)
  std::string organization;
};
constexpr const char* kIeeeDataDir = "/usr/share/ieee-data";
bool have_ieee_data();
// The organisation `assignment` (upper-case hex) is registered to in `file`
// ("oui.csv", "mam.csv", ...), or empty.
std::string ieee_organization(const std::string& file, const std::string& assignment);
// The first entry of `file` whose organisation is not "Private" and that
// `accept` (a Python expression over `org`, e.g. "',' in org") holds for.
IeeeEntry ieee_first_entry(const std::string& file, const std::string& accept = "True");

// A fresh directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path file(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace ph::test

// Skips the current test when the shared captures are absent.
#define PH_REQUIRE_SHARED_CAPTURES()                                             \
  do {                                                                           \
    if (::ph::test::shared_captures().empty())                                   \
      GTEST_SKIP() << "../shared/captures is absent: real-capture test skipped"; \
  } while (0)
#define PH_REQUIRE_IEEE_DATA()                                                       \
  do {                                                                               \
    if (!::ph::test::have_ieee_data())                                               \
      GTEST_SKIP() << "/usr/share/ieee-data is absent (package ieee-data): skipped"; \
  } while (0)
#define PH_REQUIRE_TSHARK()                                                             \
  do {                                                                                  \
    if (!::ph::test::have_tshark()) GTEST_SKIP() << "tshark is not installed: skipped"; \
  } while (0)
