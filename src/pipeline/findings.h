// The content and detection stages for one message: every field value and
// the body go through the decoder chain (src/content), every decoded leaf
// through the identifier detectors (src/detect), and what they find becomes
// FindingRecords: one per (message, data type, value), the strongest
// evidence kept and repeats counted. With a device profile, each leaf also
// goes through its matcher (one Vectorscan scan), and a profile match is
// stronger evidence than any detector's.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <string>
#include <vector>

#include "content/decoder.h"
#include "detect/detect.h"
#include "detect/profile_matcher.h"
#include "model/records.h"
#include "model/stats.h"
#include "proto/protocol.h"

namespace ph {

class FindingScanner {
 public:
  // `profile` (may be null: no profile) outlives the scanner.
  FindingScanner(Stats& stats, StringPool& strings, detect::ProfileMatcher* profile = nullptr);

  // Appends the findings of `m` to `out` (without id, device, destination:
  // the Engine fills those). `home_mcc`: the sending device's home network
  // when known (from an IMSI it sent before), the region of phone numbers
  // written in national format; the first IMSI in the message itself wins
  // over it. home_mcc() then says the MCC this message leaves known.
  // `budget`: the run's decoded-bytes budget the decoders take from (null:
  // only the per-call caps).
  void scan(const proto::Message& m, std::vector<FindingRecord>& out,
            std::string_view home_mcc = {}, DecodeBudget* budget = nullptr);
  const std::string& home_mcc() const { return home_mcc_; }
  // Of the last scan: whether an IMSI in the message set home_mcc(), and
  // whether a phone number was read with the `home_mcc` argument (the
  // region the device's earlier messages gave).
  bool message_mcc() const { return message_mcc_; }
  bool used_device_region() const { return device_region_used_; }

 private:
  class Leaves;
  struct Pending {
    detect::Candidate candidate;
    std::string_view where;  // valid during scan() (the message's or a member)
    std::string path;
    std::vector<std::string_view> encodings;
    size_t depth = 0;  // encodings peeled to the leaf it was seen in
    uint64_t count = 1;
    // The latest sighting (field, layers peeled), and whether the evidence
    // kept is of the same occurrence.
    std::string_view seen_where;
    size_t seen_depth = 0;
    bool kept_is_seen = true;
  };
  void add(const detect::Candidate& c, std::string_view where, std::string_view path,
           std::span<const std::string_view> outer, std::span<const std::string_view> inner);
  // Where a leaf held by the pairers came from, so that a pair is reported
  // in the field and under the encodings of its leaves.
  struct Origin {
    std::string path;
    std::string_view where;
    std::vector<std::string_view> encodings;
  };
  const Origin* origin_of(std::string_view pair_path) const;
  // Runs `decode` (which says whether a leaf gave a candidate) unless the
  // value `id` gave nothing before; remembers it when it gives nothing now.
  // A remembered value counts again what decoding it counted (budget spent,
  // drops), so the counts do not depend on what this scanner remembers
  // (nor on how many pipelines there are).
  template <class Decode>
  void unless_known(uint64_t id, DecodeBudget* budget, Decode&& decode);

  StringPool& strings_;
  Counters& drops_;
  Counters cuts_;                    // the drops of the value being decoded (then added to drops_)
  detect::ProfileMatcher* profile_;  // null without profile values
  const detect::ProfileMatcher* home_;  // null without home locations
  content::Decoder decoder_;
  detect::Detector detector_;
  detect::LocationPairer locations_;
  detect::CellPairer cells_;
  std::vector<detect::Candidate> candidates_;  // reused
  std::vector<Pending> pending_;               // this message's findings
  std::vector<Origin> origins_;                // this message's paired leaves
  bool in_dns_ = false;
  std::string home_mcc_;      // of the message being scanned (see scan())
  bool message_mcc_ = false;  // home_mcc_ comes from an IMSI in this message
  bool device_region_used_ = false;
  bool field_region_asked_ = false;  // of the field being scanned
  // Hashes of field values (name, key, value) and bodies (where, media
  // type, encodings, bytes) that gave no candidate and nothing to pair:
  // skipped when seen again (bounded; cleared when full).
  static constexpr size_t kNothingInMax = 1 << 16;
  struct Known {
    uint64_t spent = 0;  // of the decode budget
    bool cut = false;    // its drops are in cuts_in_
  };
  absl::flat_hash_map<uint64_t, Known> nothing_in_;
  absl::flat_hash_map<uint64_t, std::vector<std::pair<std::string, uint64_t>>> cuts_in_;
  // Where names built per message; interned only when a finding is kept.
  std::string body_where_, paired_where_;  // the message is DNS/mDNS/LLMNR
};

// Hex SHA-256 of `value`.
std::string sha256_hex(std::string_view value);

}  // namespace ph
