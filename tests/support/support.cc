// Test support implementation.
#include "support/support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace ph::test {

std::string run_command(const std::string& command, int* status) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) {
    if (status) *status = -1;
    return out;
  }
  std::array<char, 65536> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int rc = pclose(p);
  if (status) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::filesystem::path shared_captures() {
  std::filesystem::path p = PHONEHOME_SHARED_CAPTURES;
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec)) return std::filesystem::weakly_canonical(p, ec);
  return {};
}

std::vector<std::filesystem::path> shared_files(const std::string& dir,
                                                const std::vector<std::string>& exts) {
  std::vector<std::filesystem::path> out;
  auto root = shared_captures();
  if (root.empty()) return out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(root / dir, ec)) {
    std::string name = e.path().filename().string();
    for (const auto& x : exts) {
      if (name.size() >= x.size() && name.compare(name.size() - x.size(), x.size(), x) == 0) {
        out.push_back(e.path());
        break;
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool have_ieee_data() {
  std::error_code ec;
  return std::filesystem::exists(std::string(kIeeeDataDir) + "/oui.csv", ec);
}

namespace {
std::vector<std::string> python_csv(const std::string& file, const std::string& condition) {
  const std::string script =
      "import csv,sys\n"
      "for row in csv.reader(open(sys.argv[1], encoding='utf-8')):\n"
      "    if len(row) < 3 or row[0] == 'Registry': continue\n"
      "    a, org = row[1], row[2].strip()\n"
      "    if " +
      condition +
      ":\n"
      "        print(a); print(org); break\n";
  std::string out = run_command("python3 -c " + shell_quote(script) + " " +
                                shell_quote(std::string(kIeeeDataDir) + "/" + file));
  return split_lines(out);
}
}  // namespace

std::string ieee_organization(const std::string& file, const std::string& assignment) {
  // Hex digits only, so it can stand in the Python expression as it is.
  if (assignment.empty() || !std::all_of(assignment.begin(), assignment.end(), ::isxdigit))
    return {};
  auto lines = python_csv(file, "a == '" + assignment + "'");
  return lines.size() == 2 ? lines[1] : std::string();
}

IeeeEntry ieee_first_entry(const std::string& file, const std::string& accept) {
  auto lines = python_csv(file, "org and org != 'Private' and (" + accept + ")");
  if (lines.size() != 2) return {};
  return {lines[0], lines[1]};
}

bool have_tshark() {
  int status = 0;
  run_command("command -v tshark >/dev/null 2>&1", &status);
  return status == 0;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "phonehome-test-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  if (made) path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

}  // namespace ph::test
