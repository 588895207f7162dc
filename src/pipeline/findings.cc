// Message -> decoded leaves -> candidates -> findings (see findings.h).
#include "pipeline/findings.h"

#include <absl/container/flat_hash_set.h>
#include <absl/hash/hash.h>

#include <algorithm>

#include "base/crypto.h"
#include "base/encode.h"
#include "geo/geo.h"

namespace ph {
namespace {

// A field without a key of its own is named by its field name's last part
// ("dhcp.hostname" -> "hostname", "eap.imsi" -> "imsi"), so the keyword
// table sees what the protocol says the value is.
std::string_view implied_key(const proto::Field& f) {
  if (!f.key.empty()) return f.key;
  std::string_view n = f.name;
  size_t dot = n.rfind('.');
  return dot == std::string_view::npos ? n : n.substr(dot + 1);
}

// Fields not read for findings:
// - protocol mechanics, not data a device chose to send: a DHCP client must
//   give its hardware address and may ask for its old IP; handshake
//   fingerprints and transaction ids are hex that only looks like something;
// - fields that repeat another field's bytes, which is read instead:
//   http.path/http.query are inside http.uri (the decoder splits its query
//   with the keys as paths), the Host/User-Agent/Cookie/Authorization
//   headers have their own fields, SSDP's named headers are also headers;
// - headers whose values are protocol vocabulary (Accept, Connection...).
bool skip_field(const proto::Field& f) {
  static constexpr std::string_view kFields[] = {
      "dhcp.chaddr",
      "dhcp.client_id",
      "dhcp.client_mac",
      "dhcp.ciaddr",
      "dhcp.yiaddr",
      "dhcp.requested_ip",
      "dhcp.server_id",
      "dhcp.param_request_list",
      "dhcp.message_type",
      "dhcpv6.client_duid",
      "dhcpv6.client_mac",
      "dhcpv6.server_duid",
      "dhcpv6.ia_addr",
      "dhcpv6.ia_prefix",
      "dhcpv6.transaction_id",
      "dhcpv6.oro",
      "dns.id",
      "dns.qtype",
      "dns.opcode",
      "dns.rcode",
      "tls.ja3",
      "tls.ja3_hash",
      "tls.ja4",
      "tls.cipher",
      "tls.ciphers",
      "tls.version",
      "quic.version",
      "mqtt.keep_alive",
      "mqtt.protocol_level",
      "radius.code",
      "http.path",
      "http.query",
      "http.method",
      "http.version",
      "ssdp.server",
      "ssdp.location",
      "ssdp.usn",
      "ssdp.nt",
      "ssdp.nts",
      "ssdp.st",
      "ssdp.user_agent",
      "ssdp.method",
      "ntp.mode",
      "ntp.version",
  };
  static constexpr std::string_view kHeaders[] = {
      "accept",
      "accept-encoding",
      "accept-language",
      "accept-charset",
      "connection",
      "content-length",
      "content-type",
      "cache-control",
      "pragma",
      "date",
      "if-modified-since",
      "if-none-match",
      "upgrade-insecure-requests",
      "te",
      "range",
      "keep-alive",
      "expect",
      "dnt",
      "host",
      "user-agent",
      "cookie",
      "authorization",
      "man",
      "mx",
      "ext",
  };
  // Asked for every field of every message: one hash lookup, not a scan.
  static const absl::flat_hash_set<std::string_view> fields(std::begin(kFields), std::end(kFields));
  static const absl::flat_hash_set<std::string_view> headers(std::begin(kHeaders),
                                                             std::end(kHeaders));
  if (fields.count(f.name)) return true;
  return (f.name == "http.header" || f.name == "ssdp.header") && headers.count(f.key);
}

// Which of two sightings of one value is the better evidence: a match of
// the user's profile, then confidence, then a validated method, then one
// with a key path (it explains more).
int strength(const detect::Candidate& c, std::string_view path) {
  return (c.method == detect::Method::kProfile ? 16 : 0) + int(c.confidence) * 4 +
         (c.method == detect::Method::kKeyword ? 0 : 2) + (path.empty() ? 0 : 1);
}

// The leaf's encodings, then those the candidate's form adds.
void assign_encodings(std::vector<std::string_view>& to, std::span<const std::string_view> outer,
                      std::span<const std::string_view> inner, const detect::Candidate& c) {
  to.assign(outer.begin(), outer.end());
  to.insert(to.end(), inner.begin(), inner.end());
  for (std::string_view e : c.encodings)
    if (!e.empty()) to.push_back(e);
}

// Whose mobile network a SIM or cell identifier belongs to: the operator
// by MCC/MNC (IMSI, cell id "MCC-MNC-AREA-CELL"), else the MCC's country;
// an ICCID's country by its calling code. Nothing for a bare cell id.
std::optional<MobileContext> mobile_context(detect::DataType type, std::string_view value,
                                            StringPool& strings) {
  MobileContext m;
  if (type == detect::DataType::kIccid) {
    m.country = geo::country_code(detect::iccid_country(value));
  } else if (type == detect::DataType::kImsi || type == detect::DataType::kCellId) {
    std::string_view mcc = value.substr(0, 3), mnc;
    std::optional<detect::Operator> op;
    if (type == detect::DataType::kImsi) {
      op = detect::lookup_mcc_mnc(value);
    } else {
      const size_t dash = value.find('-', 4);
      if (value.size() < 5 || value[3] != '-' || dash == std::string_view::npos) return {};
      mnc = value.substr(4, dash - 4);
      op = detect::lookup_mcc_mnc(std::string(mcc).append(mnc));
      if (op && op->mnc != mnc) op.reset();
    }
    if (op) {
      m = {op->mcc, op->mnc, geo::country_code(op->country), op->name};
    } else {
      m.country = geo::country_code(detect::country_for_mcc(mcc));
      m.mcc = strings.intern(mcc);
      m.mnc = strings.intern(mnc);
    }
  }
  if (m.country.empty()) return {};
  return m;
}

}  // namespace

std::string sha256_hex(std::string_view value) {
  return crypto::digest_hex(crypto::sha256(), value);
}

// Feeds each leaf of one field (or the body) to the detectors.
class FindingScanner::Leaves final : public content::LeafSink {
 public:
  Leaves(FindingScanner& s, std::string_view where, std::string_view outer_key,
         std::span<const std::string_view> outer_encodings)
      : s_(s), where_(where), outer_key_(outer_key), outer_(outer_encodings) {}

  void on_leaf(const content::Leaf& leaf) override {
    detect::Context ctx;
    ctx.key = leaf.key.empty() ? outer_key_ : leaf.key;
    ctx.path = leaf.path;
    ctx.field = where_;
    s_.candidates_.clear();
    ctx.home_mcc = s_.home_mcc_;
    bool region_asked = false;
    ctx.region_asked = &region_asked;
    const bool device_region = !s_.message_mcc_;  // not yet from this message's IMSI
    s_.detector_.scan(ctx, leaf.value, s_.candidates_);
    if (region_asked) {
      s_.field_region_asked_ = true;
      if (device_region) s_.device_region_used_ = true;
    }
    // A validated IMSI names the home network for what follows in this
    // message, before what the device sent earlier (a device may hold
    // several SIMs).
    if (!s_.message_mcc_) {
      for (const auto& c : s_.candidates_) {
        if (c.type == detect::DataType::kImsi && c.confidence == detect::Confidence::kHigh &&
            c.value.size() >= 3) {
          s_.home_mcc_.assign(c.value, 0, 3);
          s_.message_mcc_ = true;
          break;
        }
      }
    }
    if (s_.profile_) {
      s_.profile_->scan(ctx, leaf.value, s_.candidates_);
      if (s_.profile_->last_scan_capped()) s_.cuts_.add("profile.matches-cap");
    }
    // DNS TXT keys are short and mean other things (HomeKit's "ci" is a
    // category, not a cell id): no pairing across DNS records.
    if (!s_.in_dns_) {
      const size_t held = s_.locations_.held() + s_.cells_.held();
      s_.locations_.add(ctx, leaf.value);
      s_.cells_.add(ctx, leaf.value);
      if (s_.locations_.held() + s_.cells_.held() != held) {
        Origin& o = s_.origins_.emplace_back();
        o.path.assign(leaf.path);
        o.where = where_;
        o.encodings.assign(outer_.begin(), outer_.end());
        o.encodings.insert(o.encodings.end(), leaf.encodings.begin(), leaf.encodings.end());
      }
    }
    for (const auto& c : s_.candidates_) s_.add(c, where_, leaf.path, outer_, leaf.encodings);
    found_ |= !s_.candidates_.empty();
  }
  bool found() const { return found_; }

 private:
  FindingScanner& s_;
  std::string_view where_;
  std::string_view outer_key_;
  std::span<const std::string_view> outer_;
  bool found_ = false;
};

FindingScanner::FindingScanner(Stats& stats, StringPool& strings, detect::ProfileMatcher* profile)
    : strings_(strings),
      drops_(stats.drops),
      profile_(profile && profile->has_values() ? profile : nullptr),
      home_(profile && profile->has_homes() ? profile : nullptr),
      decoder_(content::Limits{}, cuts_) {}

// An EAP-SIM/AKA network access identifier ("1<IMSI>@wlan.mnc001.mcc242.
// 3gppnetwork.org") has the shape of an e-mail address but is a SIM
// identity, reported as the IMSI it carries.
bool nai_realm(std::string_view address) {
  size_t at = address.rfind('@');
  if (at == std::string_view::npos) return false;
  std::string_view realm = address.substr(at + 1);
  return realm.find("3gppnetwork.org") != std::string_view::npos ||
         (realm.find("mnc") != std::string_view::npos &&
          realm.find(".mcc") != std::string_view::npos);
}

void FindingScanner::add(const detect::Candidate& found, std::string_view where,
                         std::string_view path, std::span<const std::string_view> outer,
                         std::span<const std::string_view> inner) {
  if (found.type == detect::DataType::kEmail && nai_realm(found.value)) return;
  // A location near a home of the profile is the profile's finding (copied
  // only then: the common path copies nothing).
  const detect::Candidate* cp = &found;
  detect::Candidate home;
  if (home_ && found.type == detect::DataType::kLocation) {
    home = found;
    if (home_->near_home(home)) cp = &home;
  }
  const detect::Candidate& c = *cp;
  const size_t depth = outer.size() + inner.size();
  auto keep = [&](Pending& p) {
    p.candidate = c;
    p.where = where;
    p.path.assign(path);
    p.depth = depth;
    assign_encodings(p.encodings, outer, inner, c);
    p.kept_is_seen = true;
  };
  for (Pending& p : pending_) {
    if (p.candidate.value != c.value) continue;
    // The same occurrence seen at two layers (in a base64 blob's decoded
    // text and again as its JSON leaf) is not a repeat: a repeat is another
    // field, or the same layers at another path. Of one occurrence the inner
    // layer, which knows the key, says what the value is: a BSSID under
    // "bssid" is not also a device MAC for being in the document's text, a
    // Luhn-valid number under "order_id" not a medium IMEI. Of two
    // occurrences the stronger evidence is kept.
    const bool layered = p.seen_where == where && depth != p.seen_depth;
    if (p.candidate.type != c.type && !layered) continue;
    p.seen_where = where;
    p.seen_depth = depth;
    if (layered) {
      if (p.kept_is_seen && depth > p.depth) keep(p);
    } else {
      ++p.count;
      p.kept_is_seen = false;
      if (strength(c, path) > strength(p.candidate, p.path)) keep(p);
    }
    return;
  }
  Pending& p = pending_.emplace_back();
  keep(p);
  p.seen_where = where;
  p.seen_depth = depth;
}

const FindingScanner::Origin* FindingScanner::origin_of(std::string_view pair_path) const {
  for (const Origin& o : origins_)
    if (o.path == pair_path || detect::parent_path(o.path) == pair_path) return &o;
  return nullptr;
}

template <class Decode>
void FindingScanner::unless_known(uint64_t id, DecodeBudget* budget, Decode&& decode) {
  // What decoding it took from the budget is taken again, as decoding it
  // again would, so the budget's later cuts do not depend on what this
  // shard remembers; where less is left, the value is decoded again.
  if (auto it = nothing_in_.find(id);
      it != nothing_in_.end() && (!budget || budget->left() >= it->second.spent)) {
    if (budget) budget->spend(it->second.spent);
    if (it->second.cut)
      if (auto c = cuts_in_.find(id); c != cuts_in_.end())
        for (const auto& [what, n] : c->second) drops_.add(what, n);
    return;
  }
  const size_t pending = pending_.size(), held = locations_.held() + cells_.held();
  const uint64_t spent = budget ? budget->spent() : 0, cuts = budget ? budget->cuts() : 0;
  field_region_asked_ = false;
  const bool found = decode();
  const bool cut = cuts_.total() > 0;
  // (A phone number's reading depends on the device: not remembered; nor
  // is a value the budget cut, which more budget might decode further.)
  if (!found && !field_region_asked_ && pending_.size() == pending &&
      locations_.held() + cells_.held() == held && (!budget || budget->cuts() == cuts)) {
    if (nothing_in_.size() >= kNothingInMax) {
      nothing_in_.clear();
      cuts_in_.clear();
    }
    nothing_in_.emplace(id, Known{budget ? budget->spent() - spent : 0, cut});
    if (cut) cuts_in_[id].assign(cuts_.all().begin(), cuts_.all().end());
  }
  if (cut) {
    drops_.merge(cuts_);
    cuts_ = Counters();
  }
}

void FindingScanner::scan(const proto::Message& m, std::vector<FindingRecord>& out,
                          std::string_view home_mcc, DecodeBudget* budget) {
  decoder_.set_budget(budget);
  home_mcc_.assign(home_mcc);
  message_mcc_ = false;
  device_region_used_ = false;
  pending_.clear();
  origins_.clear();
  in_dns_ = m.protocol == "dns";
  for (const proto::Field& f : m.fields) {
    if (skip_field(f)) continue;
    // Field values repeat across messages (User-Agent, cookies, tokens).
    const uint64_t id = absl::HashOf(f.name, f.key, f.value);
    unless_known(id, budget, [&] {
      Leaves leaves(*this, f.name, implied_key(f), {});
      decoder_.decode(f.value, {}, f.key, implied_key(f), leaves);
      return leaves.found();
    });
  }
  std::vector<std::string_view> body_encodings;
  if (!m.body.empty()) {
    for (const auto& e : m.encodings) body_encodings.push_back(strings_.intern(e));
    body_where_.assign(m.protocol).append(".body");
    // Bodies repeat too (a device's periodic report, the first bytes of its
    // unrecognised flows); each repeat counts the drops the first counted.
    const uint64_t id = absl::HashOf(body_where_, m.content_type, m.body, m.encodings);
    unless_known(id, budget, [&] {
      Leaves leaves(*this, body_where_, {}, body_encodings);
      decoder_.decode(m.body, m.content_type, {}, {}, leaves);
      return leaves.found();
    });
  }
  decoder_.set_budget(nullptr);
  candidates_.clear();
  locations_.finish(candidates_);
  cells_.finish(candidates_);
  // Pairs span several leaves: they are reported at the leaves' parent, in
  // their field and under their encodings.
  paired_where_.assign(m.protocol).append(m.body.empty() ? ".fields" : ".body");
  for (const auto& c : candidates_) {
    if (const Origin* o = origin_of(c.path))
      add(c, o->where, c.path, o->encodings, {});
    else
      add(c, paired_where_, {}, body_encodings, {});
  }
  origins_.clear();
  for (Pending& p : pending_) {
    FindingRecord r;
    r.ts = m.ts;
    r.frame = m.frame;
    r.data_type = detect::name(p.candidate.type);
    r.value = std::move(p.candidate.value);
    r.value_sha256 = sha256_hex(r.value);
    for (auto e : p.encodings) r.encodings.push_back(strings_.intern(e));
    r.where = strings_.intern(p.where);
    r.path = std::move(p.path);
    r.method = detect::name(p.candidate.method);
    r.confidence = detect::name(p.candidate.confidence);
    r.rule = std::move(p.candidate.rule);
    r.protocol = strings_.intern(m.protocol);
    r.count = p.count;
    r.mobile = mobile_context(p.candidate.type, r.value, strings_);
    out.push_back(std::move(r));
  }
}

}  // namespace ph
