// ProfileMatcher (see profile_matcher.h): one Vectorscan literal database of
// every form, one hs_scan per leaf, boundaries checked on the few hits, a
// hit inside a longer hit of the same value dropped (the national digits
// inside "+47 912 34 567"), and the detectors' candidate for the same bytes
// replaced.
#include "detect/profile_matcher.h"

#include <hs/hs.h>

#include <algorithm>
#include <cmath>

#include "detect/keywords.h"
#include "detect/validators.h"

namespace ph::detect {
namespace {

bool base64_symbol(char c) { return is_alnum(c) || c == '+' || c == '/' || c == '-' || c == '_'; }

// Great-circle distance in metres (haversine, mean Earth radius).
double distance_m(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kRadius = 6371008.8, kRad = M_PI / 180;
  double dlat = (lat2 - lat1) * kRad, dlon = (lon2 - lon1) * kRad;
  double a = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(lat1 * kRad) *
                                                           std::cos(lat2 * kRad) *
                                                           std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kRadius * std::asin(std::min(1.0, std::sqrt(a)));
}

}  // namespace

Result<std::unique_ptr<ProfileMatcher>> ProfileMatcher::build(const Profile& profile) {
  std::unique_ptr<ProfileMatcher> m(new ProfileMatcher);
  m->values_ = profile.values;
  m->homes_ = profile.homes;
  for (size_t i = 0; i < m->values_.size(); ++i) {
    for (ProfileForm& f : profile_forms(m->values_[i])) m->forms_.push_back({std::move(f), i});
  }
  if (m->forms_.empty()) return m;
  std::vector<const char*> exprs;
  std::vector<size_t> lens;
  std::vector<unsigned> flags, ids;
  m->min_length_ = SIZE_MAX;
  for (size_t i = 0; i < m->forms_.size(); ++i) {
    Form& form = m->forms_[i];
    const std::string& b = form.form.bytes;
    // Vectorscan 5.4's literal API takes a literal that starts with NUL for
    // an empty one (raw digests and MACs can start with zero bytes): the
    // database gets the rest, on_match() checks the NULs.
    while (form.lead_nuls < b.size() && b[form.lead_nuls] == '\0') ++form.lead_nuls;
    if (form.lead_nuls == b.size()) continue;  // all zeros: no value has such a form
    exprs.push_back(b.data() + form.lead_nuls);
    lens.push_back(b.size() - form.lead_nuls);
    flags.push_back(form.form.caseless ? HS_FLAG_CASELESS : 0);
    ids.push_back(unsigned(i));
    m->min_length_ = std::min(m->min_length_, b.size());
  }
  if (exprs.empty()) return m;  // nothing to search: scan() returns at once
  hs_compile_error_t* err = nullptr;
  hs_database* db = nullptr;
  if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                           unsigned(exprs.size()), HS_MODE_BLOCK, nullptr, &db,
                           &err) != HS_SUCCESS) {
    // The message names the failing pattern by number, never by its bytes.
    std::string msg = "profile: Vectorscan could not compile the forms: ";
    msg += err && err->message ? err->message : "unknown error";
    hs_free_compile_error(err);
    return make_error(std::move(msg));
  }
  m->db_.reset(db, hs_free_database);
  if (hs_alloc_scratch(db, &m->scratch_) != HS_SUCCESS)
    return make_error("profile: Vectorscan could not allocate its scratch space");
  m->hits_.reserve(64);
  return m;
}

ProfileMatcher::~ProfileMatcher() { hs_free_scratch(scratch_); }

std::unique_ptr<ProfileMatcher> ProfileMatcher::clone() const {
  std::unique_ptr<ProfileMatcher> m(new ProfileMatcher());
  m->values_ = values_;
  m->homes_ = homes_;
  m->forms_ = forms_;
  m->min_length_ = min_length_;
  m->db_ = db_;
  // Without a database there is no scratch to clone (and none is used).
  if (scratch_ && hs_clone_scratch(scratch_, &m->scratch_) != HS_SUCCESS) throw std::bad_alloc();
  m->hits_.reserve(64);
  return m;
}

int ProfileMatcher::on_match(unsigned id, unsigned long long, unsigned long long to, unsigned,
                             void* self) {
  auto& m = *static_cast<ProfileMatcher*>(self);
  if (m.hits_.size() >= kMaxHits) {
    m.capped_ = true;
    return 1;  // stop scanning
  }
  const Form& f = m.forms_[id];
  const size_t end = size_t(to), size = f.form.bytes.size();
  if (end < size) return 0;  // the leading NULs would lie before the text
  for (size_t i = 0; i < f.lead_nuls; ++i)
    if (m.scanning_[end - size + i] != '\0') return 0;
  m.hits_.push_back({id, end - size, end});
  return 0;
}

bool ProfileMatcher::bounded(const Form& f, std::string_view v, size_t start, size_t end) const {
  const char before = start > 0 ? v[start - 1] : '\0';
  const char after = end < v.size() ? v[end] : '\0';
  const char after2 = end + 1 < v.size() ? v[end + 1] : '\0';
  switch (f.form.boundary) {
    case Boundary::kNone:
      return true;
    case Boundary::kDigits:
      return !is_digit(before) && !is_digit(after);
    case Boundary::kWord:
      return !is_alnum(before) && !is_alnum(after);
    case Boundary::kEmail:
      return !email_local_char(before) && !is_alnum(after) && after != '-' && after != '_' &&
             !(after == '.' && is_alnum(after2));
    case Boundary::kBase64:
      return !base64_symbol(before) && !base64_symbol(after);
  }
  return true;
}

void ProfileMatcher::scan(const Context& ctx, std::string_view v, std::vector<Candidate>& out,
                          size_t first) {
  capped_ = false;
  if (!db_ || v.size() < min_length_) return;
  hits_.clear();
  scanning_ = v;
  hs_scan(db_.get(), v.data(), unsigned(v.size()), 0, scratch_, on_match, this);
  if (hits_.empty()) return;
  std::erase_if(hits_, [&](const Hit& h) { return !bounded(forms_[h.id], v, h.start, h.end); });
  // Longest first within a value, so that a hit inside one already kept is
  // the same occurrence.
  std::sort(hits_.begin(), hits_.end(), [&](const Hit& a, const Hit& b) {
    size_t va = forms_[a.id].value, vb = forms_[b.id].value;
    if (va != vb) return va < vb;
    if (a.end - a.start != b.end - b.start) return a.end - a.start > b.end - b.start;
    return a.start < b.start;
  });
  const size_t detected = out.size();
  drop_.clear();
  for (size_t i = 0; i < hits_.size(); ++i) {
    const Hit& h = hits_[i];
    const Form& f = forms_[h.id];
    bool inside = false;
    for (size_t j = 0; j < i && !inside; ++j) {
      inside = forms_[hits_[j].id].value == f.value && hits_[j].start <= h.start &&
               h.end <= hits_[j].end;
    }
    if (inside) continue;
    const ProfileValue& pv = values_[f.value];
    Candidate c;
    c.type = pv.type;
    c.method = Method::kProfile;
    c.confidence = Confidence::kHigh;
    c.value = pv.value;
    c.rule = f.form.description;
    if (!ctx.key.empty()) c.rule += " under key " + key_label(ctx.key);
    c.offset = h.start;
    c.length = h.end - h.start;
    c.encodings = f.form.encodings;
    // The detectors' finding of the same bytes is this one: the first takes
    // its place, any other is dropped.
    bool placed = false;
    for (size_t j = first; j < detected; ++j) {
      const Candidate& d = out[j];
      if (d.method == Method::kProfile || d.offset >= h.end || h.start >= d.offset + d.length ||
          !(d.type == c.type || iequal(d.value, c.value)))
        continue;
      if (placed) {
        drop_.push_back(j);
      } else {
        out[j] = c;
        placed = true;
      }
    }
    if (!placed) out.push_back(std::move(c));
  }
  std::sort(drop_.begin(), drop_.end());
  drop_.erase(std::unique(drop_.begin(), drop_.end()), drop_.end());
  for (size_t k = drop_.size(); k-- > 0;) out.erase(out.begin() + std::ptrdiff_t(drop_[k]));
}

bool ProfileMatcher::near_home(Candidate& c) const {
  if (c.type != DataType::kLocation || c.method == Method::kProfile || homes_.empty()) return false;
  size_t comma = c.value.find(',');
  if (comma == std::string::npos) return false;
  double lat, lon;
  int lat_dec, lon_dec;
  if (!parse_coordinate(std::string_view(c.value).substr(0, comma), lat, lat_dec) ||
      !parse_coordinate(std::string_view(c.value).substr(comma + 1), lon, lon_dec))
    return false;
  for (const HomeLocation& h : homes_) {
    if (distance_m(lat, lon, h.latitude, h.longitude) > h.radius_m) continue;
    c.method = Method::kProfile;
    c.confidence = Confidence::kHigh;
    c.rule = "within " + std::to_string(std::lround(h.radius_m)) + " m of your home location (" +
             c.rule + ")";
    return true;
  }
  return false;
}

}  // namespace ph::detect
