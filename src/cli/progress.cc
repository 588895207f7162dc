// Progress display for long inputs.
#include "cli/progress.h"

#include <algorithm>
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
  double pps = secs > 0 ? double(p.packets) / secs : 0;
  char buf[320];
  if (p.total_size > 0) {
    double frac = std::min(1.0, double(p.position) / double(p.total_size));
    double eta = frac > 0 && rate > 0 ? (double(p.total_size) / (1 << 20) - mb) / rate : 0;
    constexpr int kBar = 20;
    char bar[kBar + 1];
    int filled = int(frac * kBar);
    for (int i = 0; i < kBar; ++i) bar[i] = i < filled ? '#' : '-';
    bar[kBar] = 0;
    std::snprintf(buf, sizeof buf,
                  "\r\033[K%s [%s] %3.0f%%  %.1f MB  %llu packets  %.0f packets/s  %.0f MB/s  "
                  "ETA %.0f s",
                  name.c_str(), bar, frac * 100, mb, static_cast<unsigned long long>(p.packets),
                  pps, rate, eta);
  } else {
    std::snprintf(buf, sizeof buf, "\r\033[K%s  %.1f MB  %llu packets  %.0f packets/s  %.0f MB/s",
                  name.c_str(), mb, static_cast<unsigned long long>(p.packets), pps, rate);
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
