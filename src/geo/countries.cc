// ISO 3166-1 alpha-2 codes and English short names, generated at build time
// by scripts/gen_countries.py from Debian's iso-codes and compiled in,
// sorted, so a lookup is a binary search with no file access at run time.
#include <algorithm>
#include <iterator>

#include "geo/geo.h"

namespace ph::geo {
namespace {

struct CountryRow {
  const char* code;
  const char* name;
};

#include "geo/countries.inc"

const CountryRow* find(std::string_view code) {
  if (code.size() != 2) return nullptr;
  const char key[2] = {char(code[0] & ~0x20), char(code[1] & ~0x20)};  // ASCII upper case
  const std::string_view k(key, 2);
  auto less = [](const CountryRow& row, std::string_view x) {
    return std::string_view(row.code) < x;
  };
  const CountryRow* it = std::lower_bound(std::begin(kCountries), std::end(kCountries), k, less);
  return it != std::end(kCountries) && it->code == k ? it : nullptr;
}

}  // namespace

std::string_view country_name(std::string_view code) {
  const CountryRow* row = find(code);
  return row ? row->name : std::string_view();
}

std::string_view country_code(std::string_view code) {
  const CountryRow* row = find(code);
  return row ? row->code : std::string_view();
}

}  // namespace ph::geo
