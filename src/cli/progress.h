// The progress line on stderr (only when stderr is a terminal): input,
// percent, bytes, packets, rate and ETA, redrawn at most ten times a second.
#pragma once

#include <chrono>
#include <cstdio>

#include "pipeline/engine.h"

namespace ph::cli {

class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled) {}
  ~ProgressLine() { clear(); }
  void update(const Progress& p);
  void clear();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace ph::cli
