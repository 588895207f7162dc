// The OUI registries, read once for the MACs of one report (see oui.h).
#include "enrich/oui.h"

#include <cstdio>

namespace ph::enrich {
namespace {

constexpr unsigned kManufBits[] = {24, 28, 32, 36, 40, 44, 48};

uint64_t as_integer(const MacAddr& mac) {
  uint64_t v = 0;
  for (uint8_t b : mac.b) v = v << 8 | b;
  return v;
}

uint64_t key(unsigned bits, uint64_t prefix) { return uint64_t(bits) << 48 | prefix; }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Reads the whole file into `out` (one allocation, reused across files).
bool read_file(const std::string& path, std::string& out) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  long size = -1;
  if (std::fseek(f, 0, SEEK_END) == 0) size = std::ftell(f);
  bool ok = size >= 0 && std::fseek(f, 0, SEEK_SET) == 0;
  if (ok) {
    out.resize(size_t(size));
    ok = std::fread(out.data(), 1, out.size(), f) == out.size();
  }
  std::fclose(f);
  return ok;
}

// Calls `line` for each line of `text` (without its '\n').
template <class F>
void each_line(std::string_view text, F&& line) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    line(text.substr(pos, end - pos));
    pos = end + 1;
  }
}

// The first CSV field of `s` (RFC 4180 quoting).
std::string csv_field(std::string_view s) {
  if (s.empty() || s.front() != '"') return std::string(s.substr(0, s.find(',')));
  std::string out;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] != '"') {
      out.push_back(s[i]);
    } else if (i + 1 < s.size() && s[i + 1] == '"') {
      out.push_back('"');
      ++i;
    } else {
      break;
    }
  }
  return out;
}

}  // namespace

OuiSources OuiSources::defaults() {
  OuiSources s;
  for (const char* f : {"oui.csv", "mam.csv", "oui36.csv", "iab.csv"})
    s.ieee_csv.push_back(std::string("/usr/share/ieee-data/") + f);
  s.manuf.push_back("/usr/share/wireshark/manuf");
  return s;
}

VendorTable VendorTable::load(std::span<const MacAddr> macs, const OuiSources& sources) {
  VendorTable t;
  for (const MacAddr& m : macs) {
    if (m.is_multicast() || m.is_locally_administered()) continue;
    const uint64_t v = as_integer(m);
    for (unsigned bits : kManufBits) t.wanted_.insert(key(bits, v >> (48 - bits)));
  }
  if (t.wanted_.empty()) return t;
  std::string text;
  for (const auto& path : sources.ieee_csv) {
    if (!read_file(path, text)) continue;
    t.files_.push_back(path);
    t.scan_ieee_csv(text);
  }
  if (!t.files_.empty()) return t;
  for (const auto& path : sources.manuf) {
    if (!read_file(path, text)) continue;
    t.files_.push_back(path);
    t.scan_manuf(text);
  }
  return t;
}

void VendorTable::keep(unsigned bits, uint64_t prefix, std::string_view org) {
  org = trim(org);
  if (org.empty() || !wanted_.count(key(bits, prefix))) return;
  names_.try_emplace(key(bits, prefix), org);  // the first file that names it wins
}

// "MA-L,001788,Philips Lighting BV,Address...": the assignment's hex digits
// give the prefix and its length (6 -> 24 bits, 7 -> 28, 9 -> 36).
void VendorTable::scan_ieee_csv(std::string_view text) {
  each_line(text, [&](std::string_view line) {
    size_t c1 = line.find(',');
    if (c1 == std::string_view::npos) return;
    size_t c2 = line.find(',', c1 + 1);
    if (c2 == std::string_view::npos) return;
    std::string_view hex = line.substr(c1 + 1, c2 - c1 - 1);
    if (hex.size() < 6 || hex.size() > 9) return;  // also skips the header line
    uint64_t prefix = 0;
    for (char c : hex) {
      int d = hex_digit(c);
      if (d < 0) return;
      prefix = prefix << 4 | unsigned(d);
    }
    const unsigned bits = unsigned(hex.size()) * 4;
    if (!wanted_.count(key(bits, prefix))) return;  // most lines end here
    keep(bits, prefix, csv_field(line.substr(c2 + 1)));
  });
}

// "00:00:0C<TAB>Cisco<TAB>Cisco Systems, Inc" or
// "00:1B:C5:00:00:00/36<TAB>Converging<TAB>Converging Systems Inc.": the
// long name when there is one, else the short one.
void VendorTable::scan_manuf(std::string_view text) {
  each_line(text, [&](std::string_view line) {
    if (line.empty() || line.front() == '#') return;
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos) return;
    std::string_view addr = line.substr(0, tab);
    unsigned mask = 0;
    if (size_t slash = addr.find('/'); slash != std::string_view::npos) {
      for (char c : addr.substr(slash + 1)) {
        if (c < '0' || c > '9' || mask > 48) return;
        mask = mask * 10 + unsigned(c - '0');
      }
      addr = addr.substr(0, slash);
    }
    uint64_t value = 0;
    unsigned digits = 0;
    for (char c : addr) {
      if (c == ':' || c == '-' || c == '.') continue;
      int d = hex_digit(c);
      if (d < 0 || digits == 12) return;
      value = value << 4 | unsigned(d);
      ++digits;
    }
    if (digits % 2 || digits < 6) return;
    const unsigned given = digits * 4;
    if (mask == 0) mask = given;
    if (mask > given || mask % 4 || mask < 24) return;
    const uint64_t prefix = value >> (given - mask);
    if (!wanted_.count(key(mask, prefix))) return;
    std::string_view names = line.substr(tab + 1);
    const size_t tab2 = names.find('\t');
    std::string_view long_name =
        tab2 == std::string_view::npos ? std::string_view() : trim(names.substr(tab2 + 1));
    keep(mask, prefix, long_name.empty() ? names.substr(0, tab2) : long_name);
  });
}

std::string_view VendorTable::vendor(const MacAddr& mac) const {
  if (mac.is_multicast() || mac.is_locally_administered() || names_.empty()) return {};
  const uint64_t v = as_integer(mac);
  for (auto it = std::rbegin(kManufBits); it != std::rend(kManufBits); ++it) {
    auto found = names_.find(key(*it, v >> (48 - *it)));
    if (found != names_.end()) return found->second;
  }
  return {};
}

}  // namespace ph::enrich
