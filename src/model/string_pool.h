// Interned strings for records: names that repeat across many flows (hosts,
// organisations, apps) are stored once, and records hold string_views into
// the pool, which keeps records small and cheap to build. Views stay valid
// as long as the pool lives (also after it is moved: std::deque never moves
// its elements).
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>

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

 private:
  std::deque<std::string> storage_;
  std::unordered_set<std::string_view> index_;
};

}  // namespace ph
