// How reports say things: sizes, times, durations, places, transports and
// explanations, in the same words in every sink meant for people.
#include "report/words.h"

#include <cmath>
#include <cstdio>

#include "geo/geo.h"

namespace ph::report {

std::string human_bytes(uint64_t n) {
  char buf[32];
  if (n < 1024) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  } else if (n < (1u << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f KB", double(n) / 1024);
  } else if (n < (1ull << 30)) {
    std::snprintf(buf, sizeof buf, "%.1f MB", double(n) / (1 << 20));
  } else {
    std::snprintf(buf, sizeof buf, "%.2f GB", double(n) / (1 << 30));
  }
  return buf;
}

std::string endpoint(const IpAddr& ip, uint16_t port) {
  std::string s = ip.version == 6 ? "[" + ip.to_string() + "]" : ip.to_string();
  return s + ":" + std::to_string(port);
}

// "2019-05-01 08:00:00" from the RFC 3339 form.
std::string short_time(Timestamp ts) {
  std::string s = format_rfc3339(ts);
  return s.substr(0, 10) + " " + s.substr(11, 8);
}

// Where a destination is: "China, AS4812 China Telecom" for a public
// address with data, its scope ("private", "link-local") otherwise.
std::string place(const DestinationRecord& d) {
  if (d.scope != "public") return std::string(d.scope);
  std::string s = d.country.empty() ? "" : country_name(d.country);
  if (d.asn) {
    s += (s.empty() ? "AS" : ", AS") + std::to_string(d.asn);
    if (!d.org.empty()) s += " " + std::string(d.org);
  }
  return s;
}

// The flow table's short form: "CN AS4812", "private".
std::string short_place(const DestinationRecord& d) {
  if (d.scope != "public") return std::string(d.scope);
  std::string s(d.country);
  if (d.asn) s += (s.empty() ? "AS" : " AS") + std::to_string(d.asn);
  return s;
}

// "SIM of Telenor, Norway (MCC 242 MNC 01); data sent to China": the mobile
// identity's network next to where its data went.
std::string mobile_line(const FindingRecord& f) {
  const MobileContext& m = *f.mobile;
  std::string s = f.data_type == "cell_id" ? "cell of " : "SIM of ";
  if (!m.name.empty()) {
    s += std::string(m.name) + ", " + country_name(m.country);
  } else {
    s = (f.data_type == "cell_id" ? "cell in " : "SIM from ") + country_name(m.country);
  }
  if (!m.mcc.empty())
    s += " (MCC " + std::string(m.mcc) + (m.mnc.empty() ? "" : " MNC " + std::string(m.mnc)) + ")";
  const DestinationRecord& d = f.destination;
  if (d.scope == "public" && !d.country.empty()) {
    s += "; data sent to " + country_name(d.country);
  } else if (!d.scope.empty() && d.scope != "public") {
    s += "; data sent to a " + std::string(d.scope) + " address";
  }
  return s;
}

// The time of day alone when `ts` falls on the same day as `day`, else
// date and time.
std::string time_on(Timestamp ts, Timestamp day) {
  std::string s = short_time(ts);
  return s.compare(0, 10, short_time(day), 0, 10) == 0 ? s.substr(11) : s;
}

// "45 s", "1.5 s", "60 min", "2 h", "1.5 h".
std::string human_duration(double s) {
  char buf[32];
  auto number = [&](double v, const char* unit) {
    if (v < 10 && std::fabs(v - std::round(v)) >= 0.05) {
      std::snprintf(buf, sizeof buf, "%.1f %s", v, unit);
    } else {
      std::snprintf(buf, sizeof buf, "%.0f %s", v, unit);
    }
    return std::string(buf);
  };
  if (s < 120) return number(s, "s");
  if (s < 7200) return number(s / 60, "min");
  if (s < 2 * 86400) return number(s / 3600, "h");
  return number(s / 86400, "d");
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

// "every 60 min ± 1 min, 5×" for a periodic contact, else empty.
std::string schedule(const ContactRecord& c) {
  if (c.period_s <= 0) return {};
  std::string s = "every " + human_duration(c.period_s) + " ± " + human_duration(c.jitter_s) +
                  ", " + std::to_string(c.periodic_contacts) + "×";
  if (c.missed_beats) s += " (" + std::to_string(c.missed_beats) + " missed)";
  return s;
}

// "+4.5 s" after the device appeared.
std::string since(double s) {
  if (s >= 120) return "+" + human_duration(s);  // "+2.1 min", "+1735 d"
  char buf[32];
  std::snprintf(buf, sizeof buf, "+%.1f s", s);
  return buf;
}

// Why a finding was flagged and where in the message it was.
std::string explanation(const FindingRecord& f) {
  std::string chain;
  for (auto e : f.encodings) chain += (chain.empty() ? "" : " > ") + std::string(e);
  return f.rule + "; in " + std::string(f.where) + (f.path.empty() ? "" : " " + f.path) +
         (chain.empty() ? "" : " [" + chain + "]");
}

std::string transport(const std::optional<bool>& encrypted) {
  return encrypted.has_value() ? (*encrypted ? "encrypted" : "UNENCRYPTED") : "unknown";
}

std::string join_words(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

std::string country_name(std::string_view code) {
  std::string_view n = geo::country_name(code);
  return std::string(n.empty() ? code : n);
}

std::string place_in_words(const DestinationRecord& d) {
  if (d.scope == "public")
    return d.country.empty() ? "an unknown country" : country_name(d.country);
  if (d.scope.empty()) return "the local link";
  return "a " + std::string(d.scope) + " address";
}

std::string destination_name(const DestinationRecord& d) {
  if (!d.ip.version) return "(link layer)";
  return d.host.empty() ? endpoint(d.ip, d.port)
                        : std::string(d.host) + ":" + std::to_string(d.port);
}

std::string counted(size_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

}  // namespace ph::report
