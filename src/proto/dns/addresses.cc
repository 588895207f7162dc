// Name/address pairs from a DNS response (see addresses.h).
#include "proto/dns/addresses.h"

#include <map>
#include <set>
#include <utility>

namespace ph::proto::dns {
namespace {

constexpr int kMaxChain = 16;

std::string lower(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

}  // namespace

std::vector<NameAddress> name_addresses(const Message& response) {
  std::vector<NameAddress> out;
  if (response.protocol != "dns" || response.kind != "response") return out;

  // Names in order of appearance (first spelling kept), and what each leads to.
  std::vector<std::pair<std::string, std::string>> names;  // (lowercased, as written)
  std::set<std::string> seen, queried;
  std::map<std::string, std::vector<std::string>> cnames;  // owner -> targets (lowercased)
  std::map<std::string, std::vector<std::string>> addrs;   // owner -> addresses
  auto note = [&](const std::string& name) {
    std::string l = lower(name);
    if (seen.insert(l).second) names.emplace_back(l, name);
    return l;
  };
  for (const Field& f : response.fields) {
    if (f.name == "dns.qname") {
      queried.insert(note(f.value));
    } else if (f.name == "dns.answer.cname") {
      cnames[note(f.key)].push_back(lower(f.value));
    } else if (f.name == "dns.answer.a" || f.name == "dns.answer.aaaa" ||
               f.name == "dns.svcb.ipv4hint" || f.name == "dns.svcb.ipv6hint") {
      addrs[note(f.key)].push_back(f.value);
    }
  }

  std::set<std::pair<std::string, std::string>> emitted;
  auto resolve = [&](const std::string& l, const std::string& written, bool is_queried) {
    // Breadth-first along CNAME edges; `visited` ends loops, kMaxChain long chains.
    std::vector<std::string> frontier = {l};
    std::set<std::string> visited = {l};
    for (int depth = 0; depth <= kMaxChain && !frontier.empty(); ++depth) {
      std::vector<std::string> next;
      for (const std::string& n : frontier) {
        if (auto a = addrs.find(n); a != addrs.end()) {
          for (const std::string& addr : a->second)
            if (emitted.emplace(l, addr).second) out.push_back({written, addr, is_queried});
        }
        if (auto c = cnames.find(n); c != cnames.end()) {
          for (const std::string& t : c->second)
            if (visited.insert(t).second) next.push_back(t);
        }
      }
      frontier = std::move(next);
    }
  };
  for (const auto& [l, written] : names)
    if (queried.count(l)) resolve(l, written, true);
  for (const auto& [l, written] : names)
    if (!queried.count(l)) resolve(l, written, false);
  return out;
}

}  // namespace ph::proto::dns
