// Re-presentation of unconsumed bytes to a Session (see feeder.h).
#include "proto/feeder.h"

namespace ph::proto {

void Feeder::data(Direction dir, Bytes bytes, Timestamp ts, uint64_t frame) {
  const int d = index(dir);
  if (done_ || failed_[d] || bytes.empty()) return;
  std::vector<uint8_t>& pending = pending_[d];
  Bytes input = bytes;
  if (!pending.empty()) {
    pending.insert(pending.end(), bytes.begin(), bytes.end());
    input = Bytes(pending);
  }
  Consumed c = session_->on_data(dir, input, ts, frame);
  if (c.bytes > input.size()) c.bytes = input.size();  // a session bug must not overread
  switch (c.status) {
    case Status::kDone:
      done_ = true;
      pending_[0].clear();
      pending_[1].clear();
      return;
    case Status::kMalformed:
      failed_[d] = true;
      pending.clear();
      return;
    case Status::kOk:
    case Status::kNeedMore:
      break;
  }
  Bytes rest = input.subspan(c.bytes);
  if (rest.size() > cap_) {
    // An incomplete message larger than any we keep: give up on it.
    sink_.on_anomaly("proto.pending-cap");
    failed_[d] = true;
    pending.clear();
    return;
  }
  if (pending.empty()) {
    pending.assign(rest.begin(), rest.end());
  } else {
    pending.erase(pending.begin(), pending.begin() + static_cast<long>(c.bytes));
  }
}

void Feeder::gap(Direction dir, uint64_t length) {
  const int d = index(dir);
  if (done_ || failed_[d]) return;
  // Bytes before a hole cannot be completed: the session learns of the hole
  // and resynchronises (or gives up) on what follows.
  pending_[d].clear();
  session_->on_gap(dir, length);
}

void Feeder::end(Timestamp ts) { session_->on_end(ts); }

}  // namespace ph::proto
