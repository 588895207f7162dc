// IPv4/IPv6 fragment reassembly (policy in defrag.h and docs/reassembly.md).
// Each datagram in progress owns a payload buffer sized to the highest byte
// seen and a sorted list of the byte ranges received; datagrams sit in an
// LRU list (least recently touched first) so timeouts and the limits on
// datagrams and bytes evict from the front in O(1). The completed datagram
// is written into one reusable output buffer, so a finished reassembly costs
// no allocation beyond the fragments' own buffer.
#include "flow/defrag.h"

#include <algorithm>
#include <cstring>
#include <list>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ph::flow {
namespace {

constexpr size_t kMaxDatagram = 65535;

struct Key {
  IpAddr src, dst;
  uint32_t id = 0;
  uint16_t vlan = 0;
  uint8_t proto = 0;
  uint8_t version = 0;
  bool operator==(const Key& o) const = default;
};

struct KeyHash {
  size_t operator()(const Key& k) const {
    // FNV-1a over the fields that vary; addresses are fixed-size arrays.
    uint64_t h = 1469598103934665603ull;
    auto mix = [&h](const uint8_t* p, size_t n) {
      for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    };
    mix(k.src.b.data(), 16);
    mix(k.dst.b.data(), 16);
    uint8_t rest[8] = {uint8_t(k.id),
                       uint8_t(k.id >> 8),
                       uint8_t(k.id >> 16),
                       uint8_t(k.id >> 24),
                       uint8_t(k.vlan),
                       uint8_t(k.vlan >> 8),
                       k.proto,
                       k.version};
    mix(rest, sizeof rest);
    return size_t(h);
  }
};

struct Range {
  uint32_t begin, end;  // [begin, end) of payload bytes
};

struct Datagram {
  Key key;
  Timestamp last_seen = 0;
  std::vector<uint8_t> data;    // payload bytes, indexed by fragment offset
  std::vector<Range> ranges;    // received, sorted, disjoint, non-adjacent
  std::vector<uint8_t> header;  // IPv4 header / IPv6 fixed header of offset 0
  uint8_t next_header = 0;      // IPv6: from the offset-0 fragment
  bool have_first = false;
  bool have_last = false;
  uint32_t total = 0;  // payload length, known once the last fragment came
};

}  // namespace

struct Defragmenter::Impl {
  DefragLimits limits;
  Stats& stats;
  std::list<Datagram> lru;  // front = least recently touched
  std::unordered_map<Key, std::list<Datagram>::iterator, KeyHash> index;
  size_t bytes = 0;
  std::vector<uint8_t> out;

  Impl(DefragLimits l, Stats& s) : limits(l), stats(s) {}

  void erase(std::list<Datagram>::iterator it) {
    bytes -= it->data.size();
    index.erase(it->key);
    lru.erase(it);
  }

  void expire(Timestamp now) {
    while (!lru.empty() && now - lru.front().last_seen > limits.timeout) {
      stats.drops.add("ip.frag-timeout");
      erase(lru.begin());
    }
  }

  // Evicts the oldest datagrams other than `keep` until `extra` more bytes
  // and one more datagram (when `adding`) fit. False if even then they do not.
  bool make_room(size_t extra, bool adding, std::list<Datagram>::iterator keep) {
    while (!lru.empty() &&
           ((adding && lru.size() >= limits.max_datagrams) || bytes + extra > limits.max_bytes)) {
      auto victim = lru.begin();
      if (victim == keep) {
        if (lru.size() == 1) break;
        victim = std::next(victim);
      }
      stats.drops.add("ip.frag-evicted");
      erase(victim);
    }
    return bytes + extra <= limits.max_bytes && (!adding || lru.size() < limits.max_datagrams);
  }

  std::optional<Bytes> add(const decode::PacketView& f, Timestamp ts);
  bool place(Datagram& d, const decode::PacketView& f, uint32_t begin, uint32_t end, bool& drop);
  Bytes build(const Datagram& d);
};

// Copies the fragment's bytes into the datagram under the overlap policy.
// Sets `drop` when the whole datagram must be discarded (IPv6 overlap).
bool Defragmenter::Impl::place(Datagram& d, const decode::PacketView& f, uint32_t begin,
                               uint32_t end, bool& drop) {
  const uint8_t* src = f.frag_payload.data();
  bool v6 = d.key.version == 6;
  // Walk the received ranges that intersect [begin, end).
  bool overlap = false, differs = false;
  for (const Range& r : d.ranges) {
    if (r.end <= begin || r.begin >= end) continue;
    overlap = true;
    uint32_t lo = std::max(r.begin, begin), hi = std::min(r.end, end);
    if (std::memcmp(d.data.data() + lo, src + (lo - begin), hi - lo) != 0) differs = true;
  }
  if (overlap) {
    bool exact_duplicate = false;
    for (const Range& r : d.ranges)
      if (r.begin <= begin && r.end >= end) exact_duplicate = !differs;
    if (v6 && !exact_duplicate) {
      // RFC 5722: any overlap abandons the datagram (except a byte-identical
      // retransmission of data already held).
      stats.anomalies.add("ipv6.frag-overlap");
      drop = true;
      return false;
    }
    if (differs) {
      stats.anomalies.add("ipv4.frag-overlap");
    } else if (exact_duplicate) {
      stats.drops.add("ip.frag-duplicate");
      return false;
    }
  }
  // First wins: copy only the gaps between ranges already held.
  uint32_t pos = begin;
  for (const Range& r : d.ranges) {
    if (r.end <= pos) continue;
    if (r.begin >= end) break;
    if (r.begin > pos) std::memcpy(d.data.data() + pos, src + (pos - begin), r.begin - pos);
    pos = std::max(pos, r.end);
    if (pos >= end) break;
  }
  if (pos < end) std::memcpy(d.data.data() + pos, src + (pos - begin), end - pos);
  // Merge [begin, end) into the range list.
  std::vector<Range> merged;
  merged.reserve(d.ranges.size() + 1);
  Range n{begin, end};
  bool placed = false;
  for (const Range& r : d.ranges) {
    if (r.end < n.begin) {
      merged.push_back(r);
    } else if (r.begin > n.end) {
      if (!placed) merged.push_back(n), placed = true;
      merged.push_back(r);
    } else {
      n.begin = std::min(n.begin, r.begin);
      n.end = std::max(n.end, r.end);
    }
  }
  if (!placed) merged.push_back(n);
  d.ranges.swap(merged);
  return true;
}

Bytes Defragmenter::Impl::build(const Datagram& d) {
  out.clear();
  if (d.key.version == 4) {
    out.insert(out.end(), d.header.begin(), d.header.end());
    size_t total = d.header.size() + d.total;
    out[2] = uint8_t(total >> 8);
    out[3] = uint8_t(total);
    out[6] &= 0xc0;  // keep reserved/DF, clear MF and the offset
    out[7] = 0;
    out[10] = out[11] = 0;
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < out.size(); i += 2) sum += uint32_t(out[i] << 8 | out[i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    uint16_t csum = uint16_t(~sum);
    out[10] = uint8_t(csum >> 8);
    out[11] = uint8_t(csum);
  } else {
    out.insert(out.end(), d.header.begin(), d.header.begin() + 40);
    out[4] = uint8_t(d.total >> 8);
    out[5] = uint8_t(d.total);
    out[6] = d.next_header;
  }
  out.insert(out.end(), d.data.begin(), d.data.begin() + d.total);
  return {out.data(), out.size()};
}

std::optional<Bytes> Defragmenter::Impl::add(const decode::PacketView& f, Timestamp ts) {
  expire(ts);
  if (f.ip_version != 4 && f.ip_version != 6) return std::nullopt;
  if (f.truncated) {
    // Bytes the capture never held cannot be reassembled.
    stats.drops.add("ip.frag-truncated");
    return std::nullopt;
  }
  Key key{f.src,       f.dst, f.frag_id, f.vlan, f.ip_version == 4 ? f.l4proto : f.frag_next_header,
          f.ip_version};
  if (f.ip_datagram.empty()) return std::nullopt;  // not a decoded fragment
  size_t hlen = f.ip_version == 4 ? size_t(f.ip_datagram[0] & 15) * 4 : 40;
  if (hlen < 20 || f.ip_datagram.size() < hlen) return std::nullopt;
  uint64_t begin = f.frag_offset;
  uint64_t end = begin + f.frag_payload.size();
  // The reassembled datagram must fit the 16-bit length field.
  if ((f.ip_version == 4 ? hlen + end : end) > kMaxDatagram) {
    stats.anomalies.add("ip.frag-too-big");
    auto it = index.find(key);
    if (it != index.end()) erase(it->second);
    return std::nullopt;
  }

  auto found = index.find(key);
  std::list<Datagram>::iterator it;
  if (found == index.end()) {
    if (!make_room(0, true, lru.end())) return std::nullopt;
    lru.emplace_back();
    it = std::prev(lru.end());
    it->key = key;
    index.emplace(key, it);
  } else {
    it = found->second;
    lru.splice(lru.end(), lru, it);  // most recently touched goes last
  }
  Datagram& d = *it;
  d.last_seen = ts;

  // The last fragment fixes the length; a second, different one (or data
  // beyond it) contradicts the first and is ignored: first wins.
  if (!f.frag_more) {
    if (d.have_last && d.total != end) {
      stats.anomalies.add("ip.frag-inconsistent");
      return std::nullopt;
    }
    if (!d.have_last && !d.ranges.empty() && d.ranges.back().end > end) {
      stats.anomalies.add("ip.frag-inconsistent");
      return std::nullopt;
    }
    d.have_last = true;
    d.total = uint32_t(end);
  } else if (d.have_last && end > d.total) {
    stats.anomalies.add("ip.frag-inconsistent");
    return std::nullopt;
  }

  if (end > d.data.size()) {
    size_t grow = size_t(end) - d.data.size();
    if (!make_room(grow, false, it)) {
      stats.drops.add("ip.frag-evicted");
      erase(it);
      return std::nullopt;
    }
    d.data.resize(size_t(end));
    bytes += grow;
  }
  if (end > begin) {
    bool drop = false;
    place(d, f, uint32_t(begin), uint32_t(end), drop);
    if (drop) {
      erase(it);
      return std::nullopt;
    }
  }
  if (begin == 0 && !d.have_first) {
    d.have_first = true;
    d.header.assign(f.ip_datagram.begin(), f.ip_datagram.begin() + long(hlen));
    d.next_header = f.frag_next_header;
  }

  if (d.have_first && d.have_last &&
      (d.total == 0 ||
       (d.ranges.size() == 1 && d.ranges[0].begin == 0 && d.ranges[0].end == d.total))) {
    Bytes result = build(d);
    erase(it);
    return result;
  }
  return std::nullopt;
}

Defragmenter::Defragmenter(DefragLimits limits, Stats& stats)
    : impl_(std::make_unique<Impl>(limits, stats)) {}
Defragmenter::~Defragmenter() = default;

std::optional<Bytes> Defragmenter::add(const decode::PacketView& fragment, Timestamp ts) {
  return impl_->add(fragment, ts);
}
void Defragmenter::expire(Timestamp now) { impl_->expire(now); }
size_t Defragmenter::in_progress() const { return impl_->lru.size(); }
size_t Defragmenter::buffered_bytes() const { return impl_->bytes; }

}  // namespace ph::flow
