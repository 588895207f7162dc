// Findings grouped for people: rows of data type x destination per device,
// and the headline sentence.
#include "report/leaks.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "report/report.h"
#include "report/words.h"

namespace ph::report {
namespace {

int confidence_rank(std::string_view c) { return c == "high" ? 2 : c == "medium" ? 1 : 0; }
int method_rank(std::string_view m) { return m == "profile" ? 2 : m == "validated" ? 1 : 0; }

// Better evidence first: surer, then by a stronger method, then earlier.
bool stronger(const FindingRecord& a, const FindingRecord& b) {
  return std::make_tuple(confidence_rank(a.confidence), method_rank(a.method), -int64_t(a.id)) >
         std::make_tuple(confidence_rank(b.confidence), method_rank(b.method), -int64_t(b.id));
}

// The destination as grouped: host name when known, else the address.
std::string destination_key(const DestinationRecord& d) {
  return d.host.empty() ? d.ip.to_string() : std::string(d.host);
}

}  // namespace

std::vector<LeakRow> leak_rows(const Report& r, bool with_low) {
  // (device, type, destination, port, encrypted) -> row index.
  using Key = std::tuple<uint64_t, std::string_view, std::string, uint16_t, int>;
  std::map<Key, size_t> index;
  std::vector<LeakRow> rows;
  std::vector<std::set<std::string_view>> values;
  for (const auto& f : r.findings) {
    if (!with_low && f.confidence == "low") continue;
    Key key{f.device, f.data_type, destination_key(f.destination), f.destination.port,
            f.encrypted ? int(*f.encrypted) : -1};
    auto [it, added] = index.try_emplace(std::move(key), rows.size());
    if (added) {
      LeakRow row;
      row.device = f.device;
      row.data_type = f.data_type;
      row.encrypted = f.encrypted;
      row.first = row.strongest = &f;
      rows.push_back(row);
      values.emplace_back();
    }
    LeakRow& row = rows[it->second];
    if (f.ts < row.first->ts) row.first = &f;
    if (stronger(f, *row.strongest)) row.strongest = &f;
    row.findings += 1;
    row.count += f.count;
    values[it->second].insert(f.value);
  }
  for (size_t i = 0; i < rows.size(); ++i) rows[i].values = values[i].size();
  std::stable_sort(rows.begin(), rows.end(), [](const LeakRow& a, const LeakRow& b) {
    return std::make_tuple(a.device, a.first->ts, a.first->id) <
           std::make_tuple(b.device, b.first->ts, b.first->id);
  });
  return rows;
}

const DeviceRecord* find_device(const Report& r, uint64_t id) {
  if (id >= 1 && id <= r.devices.size() && r.devices[id - 1].id == id) return &r.devices[id - 1];
  auto it = std::find_if(r.devices.begin(), r.devices.end(),
                         [&](const DeviceRecord& d) { return d.id == id; });
  return it == r.devices.end() ? nullptr : &*it;
}

std::string device_label(const DeviceRecord& d, bool reveal) {
  std::string name = shown(d.hostname, reveal);
  if (name.empty() && !d.names.empty()) name = shown(d.names.front(), reveal);
  if (name.empty() && d.mac) name = shown_mac(*d.mac, reveal);
  if (name.empty() && !d.ips.empty()) name = d.ips.front().to_string();
  return "#" + std::to_string(d.id) + (name.empty() ? "" : " " + name);
}

std::string headline(const Report& r, bool reveal) {
  std::vector<LeakRow> rows = leak_rows(r, false);
  std::vector<std::string> sentences;
  size_t senders = 0;
  for (size_t i = 0; i < rows.size();) {
    const uint64_t device = rows[i].device;
    // Per device: what went in clear (or unknown) and what encrypted, each
    // with the places it went to, in order of first appearance.
    struct Part {
      std::vector<std::string> types, places;
    } clear, encrypted;
    for (; i < rows.size() && rows[i].device == device; ++i) {
      Part& p = rows[i].encrypted.value_or(false) ? encrypted : clear;
      auto add = [](std::vector<std::string>& v, std::string s) {
        if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
      };
      add(p.types, std::string(rows[i].data_type));
      add(p.places, place_in_words(rows[i].first->destination));
    }
    auto dev = std::find_if(r.devices.begin(), r.devices.end(),
                            [&](const DeviceRecord& d) { return d.id == device; });
    std::string s =
        dev != r.devices.end() ? device_label(*dev, reveal) : "#" + std::to_string(device);
    s += " sent ";
    if (!clear.types.empty())
      s += join_words(clear.types) + " unencrypted to " + join_words(clear.places);
    if (!encrypted.types.empty()) {
      s += (clear.types.empty() ? "" : "; ") + join_words(encrypted.types) + " encrypted to " +
           join_words(encrypted.places);
    }
    sentences.push_back(s);
    ++senders;
  }
  const size_t n = r.devices.size();
  std::string out = std::to_string(senders) + " of " + counted(n, "device") + " sent personal data";
  if (senders == 0) return out + ".";
  out += ": ";
  for (size_t i = 0; i < sentences.size(); ++i) out += (i ? ". " : "") + sentences[i];
  return out + ".";
}

}  // namespace ph::report
