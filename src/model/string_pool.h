// Interned strings for records: names that repeat across many flows (hosts,
// organisations, apps) are stored once, and records hold string_views into
// the pool, which keeps records small and cheap to build. Views stay valid
// as long as the pool lives (also after it is moved: std::deque never moves
// its elements).
#pragma once

#include <absl/container/flat_hash_set.h>

#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace ph {

class StringPool {
 public:
  std::string_view intern(std::string_view s) {
    if (s.empty()) return {};
    if (auto it = index_.find(s); it != index_.end()) return *it;
    std::string_view v = storage_.emplace_back(s);
    index_.insert(v);
    return v;
  }
  size_t size() const { return storage_.size(); }
  // Keeps the strings of `other` alive as long as this pool (the views
  // into them stay valid; they are not indexed here).
  void adopt(StringPool&& other) {
    adopted_.push_back(std::move(other.storage_));
    other.index_.clear();
  }

 private:
  std::deque<std::string> storage_;
  absl::flat_hash_set<std::string_view> index_;
  std::vector<std::deque<std::string>> adopted_;
};

}  // namespace ph
