// The profile matcher: every value of a device profile (profile.h) in every
// form a device or SDK is likely to send it (separators, case, phone number
// formats, URL-encoding, base64, hex, MD5/SHA-1/SHA-256/SHA-512 as hex,
// base64 or raw bytes), as literals in one Vectorscan database compiled once
// per run; scan() runs it once over a decoded leaf. The home locations turn
// location findings near them into profile findings.
//
// Forms that could occur by chance are bounded: numbers must not continue
// into more digits (a longer number is another number), names and short
// forms (under 12 characters) are whole words, e-mail addresses whole
// addresses, base64 forms whole base64 tokens. Long forms (hashes, a MAC with
// separators, a 15-digit IMEI in hex) are found anywhere.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "detect/detect.h"
#include "detect/profile.h"

struct hs_database;
struct hs_scratch;

namespace ph::detect {

enum class Boundary : uint8_t {
  kNone,
  kDigits,  // no digit just before or after
  kWord,    // no letter or digit just before or after
  kEmail,   // no address character before, no domain character after
  kBase64,  // no base64 symbol before or after ('=' may follow)
};

struct ProfileForm {
  std::string bytes;  // the literal searched for
  bool caseless = false;
  Boundary boundary = Boundary::kNone;
  // How the value appears, for rules: "your IMEI as SHA-1 hex". Never the value.
  std::string description;
  // Encodings this form adds to the leaf's, outermost first: {"base64", "sha256"}.
  std::array<std::string_view, 2> encodings{};
};

// Every form of one profile value, without duplicates (the first, plainest
// description kept).
std::vector<ProfileForm> profile_forms(const ProfileValue& value);

class ProfileMatcher {
 public:
  // Compiles the database of every form of every value and allocates the
  // scan scratch (once: scan() allocates nothing when nothing matches).
  static Result<std::unique_ptr<ProfileMatcher>> build(const Profile& profile);
  ~ProfileMatcher();
  ProfileMatcher(const ProfileMatcher&) = delete;
  ProfileMatcher& operator=(const ProfileMatcher&) = delete;
  // Another matcher of the same database (shared) with its own scratch,
  // for another thread.
  std::unique_ptr<ProfileMatcher> clone() const;

  // Appends a candidate (method profile, confidence high) for each profile
  // value found in `value`. A candidate already in `out` from index `first`
  // on (the detectors' findings in the same leaf) that covers the same bytes
  // and is the same value or type is replaced: the profile match wins.
  void scan(const Context& ctx, std::string_view value, std::vector<Candidate>& out,
            size_t first = 0);

  // A location candidate ("lat,lon") within the radius of a home location
  // becomes a profile finding; returns whether it did.
  bool near_home(Candidate& c) const;

  bool has_values() const { return !forms_.empty(); }
  bool has_homes() const { return !homes_.empty(); }
  size_t patterns() const { return forms_.size(); }
  // Matches dropped in the last scan() because one leaf had more than
  // kMaxHits (counted by the caller).
  bool last_scan_capped() const { return capped_; }
  static constexpr size_t kMaxHits = 1024;

 private:
  ProfileMatcher() = default;
  struct Form {
    ProfileForm form;
    size_t value;          // index into values_
    size_t lead_nuls = 0;  // leading NUL bytes checked after the hit (see build())
  };
  struct Hit {
    unsigned id;
    size_t start, end;
  };
  static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                      void* self);
  bool bounded(const Form& f, std::string_view v, size_t start, size_t end) const;

  std::vector<ProfileValue> values_;
  std::vector<HomeLocation> homes_;
  std::vector<Form> forms_;  // by pattern id
  size_t min_length_ = 0;
  std::shared_ptr<hs_database> db_;
  hs_scratch* scratch_ = nullptr;
  std::string_view scanning_;  // the text of the scan in progress
  std::vector<Hit> hits_;      // reused
  std::vector<size_t> drop_;   // reused
  bool capped_ = false;
};

}  // namespace ph::detect
