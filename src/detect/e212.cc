// The E.212 table (MCC/MNC -> country and operator). The rows are generated at
// build time by scripts/gen_e212.py from the public-domain
// mobile-broadband-provider-info database and compiled in, sorted, so a lookup
// is a binary search with no allocation and no file access at run time.
#include <algorithm>
#include <iterator>

#include "detect/detect.h"

namespace ph::detect {
namespace {

struct E212Row {
  const char* mcc;
  const char* mnc;
  const char* country;
  const char* name;
};
struct MccRow {
  const char* mcc;
  const char* country;
};

#include "detect/e212_table.inc"

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

const E212Row* find(std::string_view mcc, std::string_view mnc) {
  auto less = [](const E212Row& row, std::pair<std::string_view, std::string_view> k) {
    int c = std::string_view(row.mcc).compare(k.first);
    return c < 0 || (c == 0 && std::string_view(row.mnc) < k.second);
  };
  auto key = std::make_pair(mcc, mnc);
  const E212Row* it = std::lower_bound(std::begin(kE212Rows), std::end(kE212Rows), key, less);
  if (it != std::end(kE212Rows) && it->mcc == mcc && it->mnc == mnc) return it;
  return nullptr;
}

}  // namespace

std::optional<Operator> lookup_mcc_mnc(std::string_view digits) {
  if (digits.size() < 5 || !all_digits(digits.substr(0, std::min<size_t>(6, digits.size())))) {
    return std::nullopt;
  }
  std::string_view mcc = digits.substr(0, 3);
  // MNCs are 2 or 3 digits; a few MCCs (208, 364, 405, 722) use both, so the
  // longer match is tried first: "405" "025" must not read as "405" "02".
  const E212Row* row = digits.size() >= 6 ? find(mcc, digits.substr(3, 3)) : nullptr;
  if (!row) row = find(mcc, digits.substr(3, 2));
  if (!row) return std::nullopt;
  return Operator{row->mcc, row->mnc, row->country, row->name};
}

std::string_view country_for_mcc(std::string_view mcc) {
  auto less = [](const MccRow& row, std::string_view k) { return std::string_view(row.mcc) < k; };
  const MccRow* it = std::lower_bound(std::begin(kMccRows), std::end(kMccRows), mcc, less);
  if (it != std::end(kMccRows) && it->mcc == mcc) return it->country;
  return {};
}

}  // namespace ph::detect
