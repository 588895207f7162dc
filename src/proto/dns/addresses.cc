// Name/address pairs from a DNS response (see addresses.h). Responses hold a
// handful of records, so small vectors of views and linear searches beat
// maps of copied strings; a response with more records than kMaxRecords has
// the rest ignored.
#include "proto/dns/addresses.h"

#include <algorithm>

namespace ph::proto::dns {
namespace {

constexpr int kMaxChain = 16;
constexpr size_t kMaxRecords = 256;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

struct Edge {
  std::string_view owner, target;
};

}  // namespace

std::vector<NameAddress> name_addresses(const Message& response) {
  std::vector<NameAddress> out;
  if (response.protocol != "dns" || response.kind != "response") return out;

  // Names in order of appearance (first spelling kept), whether asked for,
  // and the CNAME and address edges out of each owner. Scratch kept per
  // thread: every DNS response comes here, and six vectors each time were
  // six allocations.
  struct Name {
    std::string_view written;
    bool queried = false;
  };
  thread_local std::vector<Name> names;
  thread_local std::vector<Edge> cnames, addrs;
  thread_local std::vector<std::string_view> frontier, next, visited;
  names.clear();
  cnames.clear();
  addrs.clear();
  auto note = [&](std::string_view name, bool queried) {
    for (Name& n : names) {
      if (iequals(n.written, name)) {
        n.queried |= queried;
        return;
      }
    }
    names.push_back({name, queried});
  };
  size_t records = 0;
  for (const Field& f : response.fields) {
    const std::string_view n = f.name;
    const bool address = n == "dns.answer.a" || n == "dns.answer.aaaa" ||
                         n == "dns.svcb.ipv4hint" || n == "dns.svcb.ipv6hint";
    if (!address && n != "dns.qname" && n != "dns.answer.cname") continue;
    if (++records > kMaxRecords) break;
    if (n == "dns.qname") {
      note(f.value, true);
    } else if (address) {
      note(f.key, false);
      addrs.push_back({f.key, f.value});
    } else {
      note(f.key, false);
      cnames.push_back({f.key, f.value});
    }
  }
  if (addrs.empty()) return out;

  auto resolve = [&](const Name& name) {
    // Breadth-first along CNAME edges; `visited` ends loops, kMaxChain long chains.
    const size_t start = out.size();
    frontier.assign(1, name.written);
    visited.assign(1, name.written);
    for (int depth = 0; depth <= kMaxChain && !frontier.empty(); ++depth) {
      next.clear();
      for (std::string_view n : frontier) {
        for (const Edge& a : addrs) {
          if (!iequals(a.owner, n)) continue;
          const bool dup = std::any_of(out.begin() + std::ptrdiff_t(start), out.end(),
                                       [&](const NameAddress& p) { return p.address == a.target; });
          if (!dup) out.push_back({name.written, a.target, name.queried});
        }
        for (const Edge& c : cnames) {
          if (!iequals(c.owner, n)) continue;
          const bool seen = std::any_of(visited.begin(), visited.end(),
                                        [&](std::string_view v) { return iequals(v, c.target); });
          if (!seen) {
            visited.push_back(c.target);
            next.push_back(c.target);
          }
        }
      }
      frontier.swap(next);
    }
  };
  for (const Name& n : names)
    if (n.queried) resolve(n);
  for (const Name& n : names)
    if (!n.queried) resolve(n);
  return out;
}

}  // namespace ph::proto::dns
