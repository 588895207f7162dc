#include "report/parallel_lines.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace ph::report {
namespace {

constexpr size_t kChunk = 1024;  // items per chunk, written at once

// The text of one chunk, made by a helper, waiting to be written.
struct Slot {
  size_t chunk = SIZE_MAX;  // SIZE_MAX: free
  bool ready = false;
  std::string text;
  std::exception_ptr error;
};

}  // namespace

void write_in_order(size_t n, unsigned threads,
                    const std::function<void(size_t, std::string&)>& format, std::ostream& out) {
  const size_t chunks = (n + kChunk - 1) / kChunk;
  const size_t t = std::max<size_t>(1, std::min<size_t>(threads, chunks));
  auto format_chunk = [&](size_t c, std::string& buf) {
    for (size_t i = c * kChunk, end = std::min(n, i + kChunk); i < end; ++i) format(i, buf);
  };
  std::string buf;
  // Chunk c is the caller's when c % t == 0 (every chunk with one thread),
  // else helper c % t's, which puts it in slot c % (2t): each helper works
  // at most two chunks ahead.
  std::vector<Slot> slots(2 * t);
  std::mutex mu;
  std::condition_variable changed;
  bool stop = false;  // a chunk failed: helpers give up
  std::vector<std::thread> helpers;
  for (size_t h = 1; h < t; ++h) {
    helpers.emplace_back([&, h] {
      for (size_t c = h; c < chunks; c += t) {
        Slot& s = slots[c % slots.size()];
        {
          std::unique_lock lock(mu);
          changed.wait(lock, [&] { return stop || s.chunk == SIZE_MAX; });
          if (stop) return;
          s.chunk = c;
        }
        std::exception_ptr error;
        try {
          format_chunk(c, s.text);
        } catch (...) {
          error = std::current_exception();
        }
        std::lock_guard lock(mu);
        s.error = error;
        s.ready = true;
        changed.notify_all();
        if (error) return;
      }
    });
  }
  std::exception_ptr failed;
  try {
    for (size_t c = 0; c < chunks; ++c) {
      if (c % t == 0) {
        format_chunk(c, buf);
        out.write(buf.data(), std::streamsize(buf.size()));
        buf.clear();
        continue;
      }
      Slot& s = slots[c % slots.size()];
      {
        std::unique_lock lock(mu);
        changed.wait(lock, [&] { return s.chunk == c && s.ready; });
      }
      if (s.error) std::rethrow_exception(s.error);
      out.write(s.text.data(), std::streamsize(s.text.size()));
      std::lock_guard lock(mu);
      s.text.clear();
      s.ready = false;
      s.chunk = SIZE_MAX;
      changed.notify_all();
    }
  } catch (...) {
    failed = std::current_exception();
    std::lock_guard lock(mu);
    stop = true;
    changed.notify_all();
  }
  for (auto& h : helpers) h.join();
  if (failed) std::rethrow_exception(failed);
}

}  // namespace ph::report
