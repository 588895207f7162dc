// Opening GeoIP data: MaxMind DB files through libmaxminddb, the ASN range
// file, the credits that go with them, and the default search path.
#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>

#include "geo/geo.h"
#include "geo/ranges.h"

namespace ph::geo {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRangeFile = "asn.ranges";
constexpr const char* kCreditsFile = "sources.tsv";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Two ASCII letters, upper case; empty for anything else. Codes outside
// ISO 3166-1 that databases use (XK for Kosovo, EU) are kept.
std::string alpha2(std::string_view s) {
  if (s.size() != 2 || !std::isalpha(static_cast<unsigned char>(s[0])) ||
      !std::isalpha(static_cast<unsigned char>(s[1])))
    return {};
  return {char(std::toupper(static_cast<unsigned char>(s[0]))),
          char(std::toupper(static_cast<unsigned char>(s[1])))};
}

// One MaxMind DB file, open for the life of the Databases.
struct Mmdb {
  MMDB_s db{};
  bool open = false;
  std::string file;  // name within the directory
  mutable std::atomic<uint64_t> failures{0};
  mutable std::atomic<int> last_error{MMDB_SUCCESS};
  ~Mmdb() {
    if (open) MMDB_close(&db);
  }

  // The entry for `ip`, or nothing (not covered, or a failure, counted).
  bool find(const IpAddr& ip, MMDB_entry_s& entry) const {
    sockaddr_storage ss{};
    if (ip.version == 4) {
      auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
      sin->sin_family = AF_INET;
      std::memcpy(&sin->sin_addr, ip.b.data(), 4);
    } else if (ip.version == 6) {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
      sin6->sin6_family = AF_INET6;
      std::memcpy(&sin6->sin6_addr, ip.b.data(), 16);
    } else {
      return false;
    }
    int error = MMDB_SUCCESS;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&db, reinterpret_cast<sockaddr*>(&ss), &error);
    // An IPv6 address in an IPv4-only database is simply not covered.
    if (error != MMDB_SUCCESS && error != MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) {
      failed(error);
      return false;
    }
    if (error != MMDB_SUCCESS || !r.found_entry) return false;
    entry = r.entry;
    return true;
  }
  void failed(int error) const {
    failures.fetch_add(1, std::memory_order_relaxed);
    last_error.store(error, std::memory_order_relaxed);
  }
  // The value at `path` if it has the type wanted.
  bool get(MMDB_entry_s entry, const char* const* path, uint32_t type,
           MMDB_entry_data_s& out) const {
    int error = MMDB_aget_value(&entry, &out, path);
    if (error == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR) return false;
    if (error != MMDB_SUCCESS) {
      failed(error);
      return false;
    }
    return out.has_data && out.type == type;
  }
};

}  // namespace

struct Databases::Impl {
  std::string dir;
  std::unique_ptr<Mmdb> country;
  std::unique_ptr<Mmdb> asn_mmdb;
  std::unique_ptr<RangeFile> ranges;
};

Databases::Databases() : impl_(std::make_unique<Impl>()) {}
Databases::~Databases() = default;

bool Databases::has_country() const { return impl_->country != nullptr; }
bool Databases::has_asn() const { return impl_->asn_mmdb || impl_->ranges; }

Result<std::unique_ptr<Databases>> Databases::open(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return make_error("GeoIP directory " + dir + ": " +
                      (fs::exists(dir, ec) ? "not a directory" : "does not exist"));
  }
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) names.push_back(it->path().filename().string());
  }
  if (ec) return make_error("GeoIP directory " + dir + ": " + ec.message());
  std::sort(names.begin(), names.end());

  std::unique_ptr<Databases> d(new Databases);
  d->impl_->dir = dir;
  // Candidates of each kind, IPv6-capable first, then by name.
  std::vector<std::unique_ptr<Mmdb>> countries, asns;
  for (const std::string& name : names) {
    if (name.size() < 5 || name.compare(name.size() - 5, 5, ".mmdb") != 0) continue;
    auto m = std::make_unique<Mmdb>();
    m->file = name;
    const std::string path = dir + "/" + name;
    int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &m->db);
    if (status != MMDB_SUCCESS) {
      std::string why = MMDB_strerror(status);
      if (status == MMDB_IO_ERROR || status == MMDB_FILE_OPEN_ERROR)
        why += std::string(" (") + std::strerror(errno) + ")";
      return make_error(path + ": not a usable MaxMind DB file: " + why);
    }
    m->open = true;
    std::string type = lower(m->db.metadata.database_type ? m->db.metadata.database_type : "");
    if (type.find("asn") != std::string::npos) {
      asns.push_back(std::move(m));
    } else if (type.find("country") != std::string::npos ||
               type.find("city") != std::string::npos) {
      countries.push_back(std::move(m));
    }
  }
  auto best = [](std::vector<std::unique_ptr<Mmdb>>& v) -> std::unique_ptr<Mmdb> {
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      return a->db.metadata.ip_version > b->db.metadata.ip_version;
    });
    return v.empty() ? nullptr : std::move(v.front());
  };
  d->impl_->country = best(countries);
  d->impl_->asn_mmdb = best(asns);
  if (!d->impl_->asn_mmdb && std::binary_search(names.begin(), names.end(), kRangeFile)) {
    auto r = RangeFile::open(dir + "/" + kRangeFile);
    if (!r) return r.error();
    d->impl_->ranges = std::move(r.value());
  }
  if (!d->has_country() && !d->has_asn()) {
    return make_error("GeoIP directory " + dir +
                      " holds no country or ASN database (*.mmdb, asn.ranges)");
  }

  // Credits: the installer's line for a file when there is one.
  std::map<std::string, std::string> known;
  std::ifstream tsv(dir + "/" + kCreditsFile);
  for (std::string line; std::getline(tsv, line);) {
    size_t tab = line.find('\t');
    if (tab != std::string::npos) known[line.substr(0, tab)] = line.substr(tab + 1);
  }
  auto credit = [&](const char* kind, const std::string& file, const MMDB_s* m) {
    if (auto it = known.find(file); it != known.end()) return it->second;
    std::string s = std::string(kind) + " from " + file;
    if (m) {
      char date[16] = "";
      std::time_t t = std::time_t(m->metadata.build_epoch);
      std::tm tm{};
      if (gmtime_r(&t, &tm)) std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
      const std::string type = m->metadata.database_type ? m->metadata.database_type : "?";
      s += " (" + type + ", built " + date + ")";
      // The attributions these databases' licences ask for.
      if (type.rfind("GeoLite", 0) == 0) s += "; includes GeoLite2 data created by MaxMind";
      if (type.rfind("DBIP", 0) == 0) s += "; IP Geolocation by DB-IP";
    }
    return s;
  };
  if (d->impl_->country)
    d->credits_.push_back(credit("country", d->impl_->country->file, &d->impl_->country->db));
  if (d->impl_->asn_mmdb)
    d->credits_.push_back(credit("ASN", d->impl_->asn_mmdb->file, &d->impl_->asn_mmdb->db));
  if (d->impl_->ranges) d->credits_.push_back(credit("ASN", kRangeFile, nullptr));
  return d;
}

Place Databases::lookup(const IpAddr& ip) const {
  Place p;
  MMDB_entry_s entry{};
  if (const Mmdb* m = impl_->country.get(); m && m->find(ip, entry)) {
    // ip-location-db: country_code; MaxMind/DB-IP: country.iso_code, else
    // the country the network is registered in.
    static const char* const kPaths[][3] = {{"country_code", nullptr, nullptr},
                                            {"country", "iso_code", nullptr},
                                            {"registered_country", "iso_code", nullptr}};
    for (const auto& path : kPaths) {
      MMDB_entry_data_s v{};
      if (m->get(entry, path, MMDB_DATA_TYPE_UTF8_STRING, v)) {
        p.country = alpha2(std::string_view(v.utf8_string, v.data_size));
        if (!p.country.empty()) break;
      }
    }
  }
  if (const Mmdb* m = impl_->asn_mmdb.get(); m && m->find(ip, entry)) {
    static const char* const kNumber[] = {"autonomous_system_number", nullptr};
    static const char* const kOrg[] = {"autonomous_system_organization", nullptr};
    MMDB_entry_data_s v{};
    if (m->get(entry, kNumber, MMDB_DATA_TYPE_UINT32, v)) p.asn = v.uint32;
    if (m->get(entry, kOrg, MMDB_DATA_TYPE_UTF8_STRING, v))
      p.org.assign(v.utf8_string, v.data_size);
  } else if (impl_->ranges) {
    AsnEntry a = impl_->ranges->lookup(ip);
    p.asn = a.asn;
    p.org.assign(a.org);
  }
  return p;
}

std::vector<std::string> Databases::warnings() const {
  std::vector<std::string> out;
  if (!has_country())
    out.push_back("no country database in " + impl_->dir + ": country left empty");
  if (!has_asn()) out.push_back("no ASN database in " + impl_->dir + ": asn and org left empty");
  if (impl_->ranges && impl_->ranges->failures()) {
    uint64_t n = impl_->ranges->failures();
    out.push_back(std::to_string(n) + " ASN lookup" + (n == 1 ? "" : "s") + " failed in " +
                  impl_->dir + "/" + kRangeFile + ": damaged entry");
  }
  for (const Mmdb* m : {impl_->country.get(), impl_->asn_mmdb.get()}) {
    if (!m) continue;
    uint64_t n = m->failures.load();
    if (n) {
      out.push_back(std::to_string(n) + " GeoIP lookup" + (n == 1 ? "" : "s") + " failed in " +
                    impl_->dir + "/" + m->file + ": " + MMDB_strerror(m->last_error.load()));
    }
  }
  return out;
}

std::vector<std::string> default_search_path(const std::string& exe_path) {
  std::vector<std::string> out;
  if (!exe_path.empty()) {
    fs::path bin = fs::path(exe_path).parent_path();
    out.push_back((bin.parent_path() / "data" / "geoip").string());
    out.push_back((bin.parent_path() / "share" / "phonehome" / "geoip").string());
  }
  out.push_back("/usr/local/share/phonehome/geoip");
  out.push_back("/usr/share/phonehome/geoip");
  return out;
}

Found open_first(const std::vector<std::string>& search) {
  Found f;
  std::error_code ec;
  for (const std::string& dir : search) {
    if (!fs::is_directory(dir, ec)) continue;
    auto db = Databases::open(dir);
    if (!db) {
      f.warning = db.error().message +
                  "; run scripts/install-geoip (make demo/test do) or pass "
                  "--geoip DIR";
      return f;
    }
    f.db = std::move(db.value());
    return f;
  }
  f.warning =
      "GeoIP data not found: run scripts/install-geoip (make demo/test do) or pass --geoip DIR; "
      "destinations have no country/ASN";
  return f;
}

}  // namespace ph::geo
