// Reading a policy (toml++, behind the shared pre-pass of base/config_file.h)
// and judging a report's findings against its rules (see policy.h).
//
// What a user gets for a mistake: a file that does not parse, an unknown key
// (with the nearest known one), a value of the wrong kind, an unknown data
// type, confidence or country, a host entry that is neither a name pattern
// nor an address, a rule without a name or two rules with one id: each is an
// error with its place, and every such error is listed.
#include "policy/policy.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <tuple>
#include <unordered_map>

#include "base/config_file.h"
#include "detect/detect.h"
#include "detect/keywords.h"
#include "detect/validators.h"
#include "geo/geo.h"

namespace ph::policy {
namespace {

constexpr std::string_view kRuleKeys[] = {
    "id",
    "name",
    "description",
    "deny_data_types",
    "min_confidence",
    "unencrypted_only",
    "allow_hosts",
    "deny_hosts",
    "deny_countries",
    "allow_countries",
    "devices",
};
constexpr std::string_view kConfidences[] = {"low", "medium", "high"};

// Other names users write for the contract's data types.
struct Alias {
  std::string_view alias, name;
};
constexpr Alias kAliases[] = {
    {"phone", "msisdn"},         {"phone_number", "msisdn"}, {"mac_address", "mac"},
    {"advertising_id", "ad_id"}, {"bssid", "wifi_bssid"},    {"serial_number", "serial"},
    {"password", "credentials"}, {"ip", "ip_address"},       {"gps", "location"},
};

std::vector<std::string_view> type_names() {
  std::vector<std::string_view> v;
  for (size_t i = 0; i < detect::kDataTypeCount; ++i)
    v.push_back(detect::name(detect::DataType(i)));
  return v;
}

// "*" and "all" stand for every data type.
bool any_type(std::string_view s) { return s == "*" || s == "all"; }

std::optional<Prefix> parse_prefix(std::string_view s) {
  size_t slash = s.find('/');
  IpAddr ip = IpAddr::parse(s.substr(0, slash));
  if (!ip.version) return std::nullopt;
  unsigned max = ip.version == 4 ? 32 : 128, bits = max;
  if (slash != std::string_view::npos) {
    std::string_view b = s.substr(slash + 1);
    if (b.empty() || b.size() > 3 || !detect::all_digits(b)) return std::nullopt;
    bits = unsigned(std::stoul(std::string(b)));
    if (bits > max) return std::nullopt;
  }
  return Prefix{ip, bits};
}

bool host_char(char c) {
  return detect::is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '*' || c == '?';
}

std::string lower_host(std::string_view h) {
  std::string s = detect::to_lower(h);
  while (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// "No device identifiers in clear!" -> "no-device-identifiers-in-clear".
std::string slug(std::string_view name) {
  std::string s;
  for (char c : name) {
    if (detect::is_alnum(c)) {
      s.push_back(char(std::tolower(static_cast<unsigned char>(c))));
    } else if (!s.empty() && s.back() != '-') {
      s.push_back('-');
    }
  }
  while (!s.empty() && s.back() == '-') s.pop_back();
  return s.substr(0, 64);
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return detect::is_alnum(c) || c == '-' || c == '_' || c == '.';
  });
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

class Reader {
 public:
  explicit Reader(std::string_view name) : name_(name) {}

  Result<Policy> read(std::string_view text);

 private:
  std::string at(const toml::source_region& r) const {
    return std::string(name_) + ":" + std::to_string(r.begin.line) + ":" +
           std::to_string(r.begin.column) + ": ";
  }
  void error(const toml::source_region& r, const std::string& msg) {
    errors_.push_back({r.begin.line, r.begin.column, at(r) + context_ + msg});
  }
  void error(const toml::node& n, const std::string& msg) { error(n.source(), msg); }
  void error(const toml::key& k, const std::string& msg) { error(k.source(), msg); }

  void rule(const toml::table& t, size_t index);
  // A string or a list of strings; each element with its node.
  std::vector<std::pair<std::string, const toml::node*>> strings(const toml::key& k,
                                                                 const toml::node& n);
  void data_types(Rule& r, const toml::key& k, const toml::node& n);
  void hosts(std::vector<HostPattern>& out, const toml::key& k, const toml::node& n);
  void countries(std::vector<std::string>& out, const toml::key& k, const toml::node& n);
  void devices(Rule& r, const toml::key& k, const toml::node& n);
  static std::string summary(const Rule& r);

  std::string_view name_;
  std::string context_;  // "rule[2] 'no ids': "
  // Line, column, message: toml++ tables iterate in key order, so errors
  // are sorted back into the order of the file.
  std::vector<std::tuple<size_t, size_t, std::string>> errors_;
  Policy policy_;
};

std::vector<std::pair<std::string, const toml::node*>> Reader::strings(const toml::key& k,
                                                                       const toml::node& n) {
  std::vector<std::pair<std::string, const toml::node*>> out;
  if (auto s = n.as_string()) {
    out.emplace_back(s->get(), &n);
  } else if (auto a = n.as_array()) {
    if (a->size() > kMaxEntries) {
      error(k, std::string(k.str()) + ": more than " + std::to_string(kMaxEntries) + " entries");
      return out;
    }
    for (const auto& el : *a) {
      if (auto s = el.as_string()) {
        out.emplace_back(s->get(), &el);
      } else {
        error(el, std::string(k.str()) + ": a list of strings (\"...\") is expected");
      }
    }
  } else {
    error(n, std::string(k.str()) + ": a string or a list of strings is expected");
  }
  return out;
}

void Reader::data_types(Rule& r, const toml::key& k, const toml::node& n) {
  static const std::vector<std::string_view> known = type_names();
  bool any = false;
  for (const auto& [s, node] : strings(k, n)) {
    std::string lower = detect::to_lower(s);
    if (any_type(lower)) {
      any = true;
    } else if (std::string_view t = data_type_name(lower); !t.empty()) {
      if (std::find(r.data_types.begin(), r.data_types.end(), t) == r.data_types.end())
        r.data_types.emplace_back(t);
    } else {
      error(*node, "deny_data_types: unknown data type '" + detect::key_label(s) + "'" +
                       suggestion(lower, known) + "; \"*\" is any");
    }
  }
  if (any) r.data_types.clear();
}

void Reader::hosts(std::vector<HostPattern>& out, const toml::key& k, const toml::node& n) {
  for (const auto& [s, node] : strings(k, n)) {
    if (auto p = parse_prefix(s)) {
      out.push_back({"", p});
      continue;
    }
    std::string h = lower_host(s);
    if (h.empty() || !std::all_of(h.begin(), h.end(), host_char)) {
      error(*node, std::string(k.str()) + ": '" + detect::key_label(s) +
                       "' is not a host name pattern (*.example.com), IP address or CIDR prefix");
      continue;
    }
    out.push_back({h, std::nullopt});
  }
}

void Reader::countries(std::vector<std::string>& out, const toml::key& k, const toml::node& n) {
  for (const auto& [s, node] : strings(k, n)) {
    std::string_view code = geo::country_code(s);
    if (code.empty()) {
      error(*node, std::string(k.str()) + ": unknown country '" + detect::key_label(s) +
                       "' (ISO 3166 alpha-2 codes, such as \"CN\")");
    } else if (std::find(out.begin(), out.end(), code) == out.end()) {
      out.emplace_back(code);
    }
  }
}

void Reader::devices(Rule& r, const toml::key& k, const toml::node& n) {
  for (const auto& [s, node] : strings(k, n)) {
    DeviceSelector d;
    if (auto mac = detect::parse_mac(s)) {
      d.mac = MacAddr::from(mac->data());
    } else if (auto p = parse_prefix(s)) {
      d.prefix = p;
    } else if (!s.empty() && std::all_of(s.begin(), s.end(),
                                         [](char c) { return uint8_t(c) >= 0x20 && c != 0x7f; })) {
      d.glob = detect::to_lower(s);
    } else {
      error(*node, "devices: an entry is a MAC address, an IP address or prefix, or a name");
      continue;
    }
    r.devices.push_back(std::move(d));
  }
}

std::string Reader::summary(const Rule& r) {
  std::string s = r.data_types.empty() ? "any personal data" : join(r.data_types);
  if (r.min_confidence > 0)
    s += " (" + std::string(kConfidences[r.min_confidence]) + " confidence or more)";
  s += r.unencrypted_only ? " sent unencrypted" : " sent";
  auto patterns = [](const std::vector<HostPattern>& v) {
    std::vector<std::string> out;
    out.reserve(v.size());
    for (const auto& p : v) {
      out.push_back(p.prefix ? p.prefix->ip.to_string() + "/" + std::to_string(p.prefix->bits)
                             : p.glob);
    }
    return join(out);
  };
  if (!r.deny_hosts.empty()) s += " to " + patterns(r.deny_hosts);
  if (!r.allow_hosts.empty()) s += " to any host but " + patterns(r.allow_hosts);
  if (!r.deny_countries.empty()) s += " to servers in " + join(r.deny_countries);
  if (!r.allow_countries.empty()) s += " to servers outside " + join(r.allow_countries);
  if (!r.devices.empty())
    s += " by the rule's " + std::to_string(r.devices.size()) + " device entr" +
         (r.devices.size() == 1 ? "y" : "ies");
  return s;
}

void Reader::rule(const toml::table& t, size_t index) {
  Rule r;
  r.line = t.source().begin.line;
  std::string id;
  const toml::node* id_node = nullptr;
  std::string description;
  context_ = "rule[" + std::to_string(index) + "]: ";
  if (auto n = t.get_as<std::string>("name"); n && !n->get().empty()) {
    r.name = n->get();
    context_ = "rule[" + std::to_string(index) + "] '" + detect::key_label(r.name) + "': ";
  }
  for (auto&& [k, v] : t) {
    std::string_view key = k.str();
    if (key == "name" || key == "id" || key == "description") {
      auto s = v.as_string();
      if (!s) {
        error(v, std::string(key) + ": a string is expected");
      } else if (key == "id") {
        id = s->get(), id_node = &v;
      } else if (key == "description") {
        description = s->get();
      }
    } else if (key == "deny_data_types") {
      data_types(r, k, v);
    } else if (key == "min_confidence") {
      auto s = v.as_string();
      auto c = s ? std::find(std::begin(kConfidences), std::end(kConfidences), s->get())
                 : std::end(kConfidences);
      if (c == std::end(kConfidences)) {
        error(v, "min_confidence: one of \"low\", \"medium\", \"high\"");
      } else {
        r.min_confidence = int(c - std::begin(kConfidences));
      }
    } else if (key == "unencrypted_only") {
      if (auto b = v.as_boolean()) {
        r.unencrypted_only = b->get();
      } else {
        error(v, "unencrypted_only: true or false");
      }
    } else if (key == "allow_hosts" || key == "deny_hosts") {
      hosts(key == "allow_hosts" ? r.allow_hosts : r.deny_hosts, k, v);
    } else if (key == "deny_countries" || key == "allow_countries") {
      countries(key == "deny_countries" ? r.deny_countries : r.allow_countries, k, v);
    } else if (key == "devices") {
      devices(r, k, v);
    } else {
      error(k, "unknown key '" + detect::key_label(key) + "'" + suggestion(key, kRuleKeys));
    }
  }
  if (r.name.empty()) {
    error(t, "a rule needs a name: name = \"...\"");
  }
  if (id_node && !valid_id(id)) {
    error(*id_node, "id: letters, digits, '-', '_' and '.', at most 64");
    id.clear();
  }
  r.id = id.empty() ? slug(r.name) : id;
  if (r.id.empty()) r.id = "rule-" + std::to_string(index);
  for (const Rule& other : policy_.rules) {
    if (other.id == r.id) {
      error(id_node ? *id_node : static_cast<const toml::node&>(t),
            "the id '" + r.id + "' is already the rule's of line " + std::to_string(other.line) +
                (id_node ? "" : " (give one of them another name or an id)"));
    }
  }
  r.description = std::move(description);
  r.summary = summary(r);
  policy_.rules.push_back(std::move(r));
  context_.clear();
}

Result<Policy> Reader::read(std::string_view text) {
  policy_.path = std::string(name_);
  if (auto problem = toml_guard(text, "a policy", "[[rule]]")) {
    return make_error(std::string(name_) + ":" + std::to_string(problem->line) + ":" +
                      std::to_string(problem->column) + ": " + problem->message);
  }
  toml::table root;
  try {
    root = toml::parse(text, name_);
  } catch (const toml::parse_error& e) {
    return make_error(at(e.source()) + one_line(e.description()));
  }
  static constexpr std::string_view kTopKeys[] = {"rule"};
  size_t index = 0;
  for (auto&& [k, v] : root) {
    if (k.str() != "rule") {
      error(k, "unknown key '" + detect::key_label(k.str()) + "'" + suggestion(k.str(), kTopKeys) +
                   "; rules are [[rule]] tables");
      continue;
    }
    auto a = v.as_array();
    if (!a || !a->is_array_of_tables()) {
      error(k, "rule: rules are [[rule]] tables");
      continue;
    }
    if (a->size() > kMaxRules) {
      error(k, "more than " + std::to_string(kMaxRules) + " rules");
      continue;
    }
    for (auto& el : *a) rule(*el.as_table(), ++index);
  }
  if (index == 0 && errors_.empty())
    return make_error(std::string(name_) + ": no rules: a policy has [[rule]] tables");
  if (!errors_.empty()) {
    std::stable_sort(errors_.begin(), errors_.end(), [](const auto& a, const auto& b) {
      return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    std::string m;
    for (const auto& e : errors_) m += (m.empty() ? "" : "\n") + std::get<2>(e);
    return make_error(m);
  }
  return std::move(policy_);
}

}  // namespace

bool Prefix::contains(const IpAddr& a) const {
  if (a.version != ip.version) return false;
  unsigned full = bits / 8, rest = bits % 8;
  if (!std::equal(ip.b.begin(), ip.b.begin() + full, a.b.begin())) return false;
  if (rest == 0) return true;
  uint8_t mask = uint8_t(0xff << (8 - rest));
  return (ip.b[full] & mask) == (a.b[full] & mask);
}

std::string_view data_type_name(std::string_view name) {
  for (size_t i = 0; i < detect::kDataTypeCount; ++i) {
    std::string_view n = detect::name(detect::DataType(i));
    if (n == name) return n;
  }
  for (const Alias& a : kAliases)
    if (a.alias == name) return a.name;
  return {};
}

bool glob_match(std::string_view p, std::string_view t) {
  // Iterative matching with one backtrack point: linear in practice, never
  // exponential.
  size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    char c = char(std::tolower(static_cast<unsigned char>(t[ti])));
    if (pi < p.size() && (p[pi] == '?' || p[pi] == c)) {
      ++pi, ++ti;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++, mark = ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1, ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool host_matches(const HostPattern& p, const DestinationRecord& d) {
  if (p.prefix) return d.ip.version && p.prefix->contains(d.ip);
  if (d.host.empty()) return false;
  std::string host = lower_host(d.host);
  if (p.glob.front() == '.') {
    // ".example.com": the domain and every name under it.
    return host == std::string_view(p.glob).substr(1) ||
           (host.size() > p.glob.size() && host.ends_with(p.glob));
  }
  return glob_match(p.glob, host);
}

bool applies_to(const Rule& rule, const DeviceRecord* device) {
  if (rule.devices.empty()) return true;
  if (!device) return false;
  for (const DeviceSelector& s : rule.devices) {
    if (s.mac && device->mac && *s.mac == *device->mac) return true;
    if (s.prefix) {
      for (const IpAddr& ip : device->ips)
        if (s.prefix->contains(ip)) return true;
    }
    if (!s.glob.empty()) {
      if (!device->hostname.text.empty() && glob_match(s.glob, device->hostname.text)) return true;
      for (const IdentityText& n : device->names)
        if (glob_match(s.glob, n.text)) return true;
    }
  }
  return false;
}

bool violates(const Rule& r, const FindingRecord& f, const DeviceRecord* device) {
  if (!r.data_types.empty() &&
      std::find(r.data_types.begin(), r.data_types.end(), f.data_type) == r.data_types.end())
    return false;
  auto confidence = std::find(std::begin(kConfidences), std::end(kConfidences), f.confidence);
  if (confidence - std::begin(kConfidences) < r.min_confidence) return false;
  if (r.unencrypted_only && f.encrypted.value_or(false)) return false;
  const DestinationRecord& d = f.destination;
  auto any_host = [&](const std::vector<HostPattern>& v) {
    return std::any_of(v.begin(), v.end(),
                       [&](const HostPattern& p) { return host_matches(p, d); });
  };
  if (!r.deny_hosts.empty() && !any_host(r.deny_hosts)) return false;
  if (!r.allow_hosts.empty() && any_host(r.allow_hosts)) return false;
  auto listed = [&](const std::vector<std::string>& v) {
    return std::find(v.begin(), v.end(), d.country) != v.end();
  };
  if (!r.deny_countries.empty() && (d.country.empty() || !listed(r.deny_countries))) return false;
  if (!r.allow_countries.empty() && (d.scope != "public" || listed(r.allow_countries)))
    return false;
  return applies_to(r, device);
}

PolicyVerdict evaluate(const Policy& policy, const Report& report) {
  PolicyVerdict v;
  v.path = policy.path;
  std::unordered_map<uint64_t, const DeviceRecord*> by_id;
  for (const DeviceRecord& d : report.devices) by_id.emplace(d.id, &d);
  auto device_of = [&](uint64_t id) -> const DeviceRecord* {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : it->second;
  };
  for (size_t ri = 0; ri < policy.rules.size(); ++ri) {
    const Rule& r = policy.rules[ri];
    PolicyRuleInfo info{r.id, r.name, r.description, r.summary, {}};
    for (const DeviceRecord& d : report.devices)
      if (applies_to(r, &d)) info.devices.push_back(d.id);
    v.rules.push_back(std::move(info));
    for (size_t fi = 0; fi < report.findings.size(); ++fi) {
      const FindingRecord& f = report.findings[fi];
      if (violates(r, f, device_of(f.device))) v.violations.push_back({ri, fi});
    }
  }
  return v;
}

Result<Policy> parse_policy(std::string_view text, std::string_view name) {
  return Reader(name).read(text);
}

Result<Policy> load_policy(const std::string& path) {
  auto text = read_config_file(path, "policy", 1 << 20);
  if (!text) return text.error();
  return parse_policy(*text, path);
}

}  // namespace ph::policy
