// Progress display for long inputs.
#include "cli/progress.h"

#include <string>

namespace ph::cli {

void ProgressLine::update(const Progress& p) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  double mb = double(p.position) / (1 << 20);
  double rate = secs > 0 ? mb / secs : 0;
  std::string name = p.input ? p.input->path : "";
  if (name.size() > 32) name = "..." + name.substr(name.size() - 29);
  char buf[256];
  if (p.total_size > 0) {
    double frac = double(p.position) / double(p.total_size);
    double eta = frac > 0 && rate > 0 ? (double(p.total_size) / (1 << 20) - mb) / rate : 0;
    std::snprintf(buf, sizeof buf,
                  "\r\033[K%s  %3.0f%%  %.1f MB  %llu packets  %.0f MB/s  ETA %.0fs", name.c_str(),
                  frac * 100, mb, static_cast<unsigned long long>(p.packets), rate, eta);
  } else {
    std::snprintf(buf, sizeof buf, "\r\033[K%s  %.1f MB  %llu packets  %.0f MB/s", name.c_str(), mb,
                  static_cast<unsigned long long>(p.packets), rate);
  }
  std::fputs(buf, stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressLine::clear() {
  if (drawn_) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace ph::cli
