// LocationPairer and CellPairer: identifiers that only exist as several
// leaves of one message (latitude + longitude, MCC + MNC + LAC + cell id).
// Leaves are grouped by their parent path, so {"lat":..,"lng":..} and two
// cells in a neighbour list ($.cells[0], $.cells[1]) stay apart.
#include <algorithm>
#include <cmath>

#include "detect/detect.h"
#include "detect/keywords.h"
#include "detect/validators.h"

namespace ph::detect {
namespace {

std::string_view trim(std::string_view s) {
  auto junk = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"'; };
  while (!s.empty() && junk(s.front())) s.remove_prefix(1);
  while (!s.empty() && junk(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view parent_path(std::string_view path) {
  size_t cut = path.find_last_of("./[@");
  return cut == std::string_view::npos ? std::string_view() : path.substr(0, cut);
}

void LocationPairer::add(const Context& ctx, std::string_view value) {
  KeyInfo key = classify_key(ctx.key);
  if (key.role != KeyRole::kLatitude && key.role != KeyRole::kLongitude) return;
  std::string_view t = trim(value);
  double v;
  int decimals;
  if (!parse_coordinate(t, v, decimals)) return;
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  parts_.push_back({std::string(parent_path(ctx.path)), key_label(ctx.key), std::string(t),
                    key.role == KeyRole::kLatitude, key.keyword.size() <= 4});
}

void LocationPairer::finish(std::vector<Candidate>& out) {
  std::vector<bool> used(parts_.size(), false);
  for (size_t i = 0; i < parts_.size(); ++i) {
    if (!parts_[i].latitude) continue;
    for (size_t j = 0; j < parts_.size(); ++j) {
      if (used[j] || parts_[j].latitude || parts_[j].parent != parts_[i].parent) continue;
      double lat, lon;
      int lat_dec, lon_dec;
      parse_coordinate(parts_[i].number, lat, lat_dec);
      parse_coordinate(parts_[j].number, lon, lon_dec);
      used[j] = true;
      if (std::abs(lat) > 90 || std::abs(lon) > 180) break;
      if (std::abs(lat) < 1e-9 && std::abs(lon) < 1e-9) break;  // "no fix"
      int decimals = std::min(lat_dec, lon_dec);
      Candidate c;
      c.type = DataType::kLocation;
      c.method = Method::kValidated;
      c.confidence = decimals >= 3   ? Confidence::kHigh
                     : decimals == 2 ? Confidence::kMedium
                                     : Confidence::kLow;
      c.value = parts_[i].number + "," + parts_[j].number;
      c.rule = "latitude/longitude pair in range under keys " + parts_[i].key + " and " +
               parts_[j].key + ", " + std::to_string(decimals) + " decimals";
      c.offset = 0;
      c.length = parts_[i].number.size();
      c.path = parts_[i].parent;
      out.push_back(std::move(c));
      break;
    }
  }
  parts_.clear();
}

namespace {

// Values that Android and modems use for "not available".
bool unavailable(std::string_view t) {
  static constexpr std::string_view kNone[] = {"0",     "-1",        "65535",
                                               "65534", "268435455", "2147483647"};
  return std::find(std::begin(kNone), std::end(kNone), t) != std::end(kNone);
}

}  // namespace

void CellPairer::add(const Context& ctx, std::string_view value) {
  KeyInfo key = classify_key(ctx.key);
  Part part;
  switch (key.role) {
    case KeyRole::kMcc:
      part = Part::kMcc;
      break;
    case KeyRole::kMnc:
      part = Part::kMnc;
      break;
    case KeyRole::kArea:
      part = Part::kArea;
      break;
    case KeyRole::kCell:
      part = Part::kCell;
      break;
    default:
      return;
  }
  std::string_view t = trim(value);
  std::string parent(parent_path(ctx.path));
  std::string k = key_label(ctx.key);
  if (part == Part::kCell && t.size() >= 9 && t.size() <= 40) {
    // A combined "MCC-MNC-LAC-CI" value under a cell key.
    std::string_view pieces[4];
    size_t count = 0, from = 0;
    for (size_t i = 0; i <= t.size() && count < 4; ++i) {
      if (i == t.size() || t[i] == '-' || t[i] == '_' || t[i] == ':' || t[i] == '/') {
        pieces[count++] = t.substr(from, i - from);
        from = i + 1;
      }
    }
    if (count == 4 && from > t.size() && pieces[0].size() == 3 && all_digits(pieces[0]) &&
        (pieces[1].size() == 2 || pieces[1].size() == 3) && all_digits(pieces[1]) &&
        !pieces[2].empty() && all_hex(pieces[2]) && !pieces[3].empty() && all_hex(pieces[3])) {
      parent += "#" + std::to_string(leaves_.size());  // its own group
      const Part parts[4] = {Part::kMcc, Part::kMnc, Part::kArea, Part::kCell};
      for (size_t i = 0; i < 4; ++i)
        leaves_.push_back({parent, std::string(ctx.path), k, std::string(pieces[i]), parts[i]});
      return;
    }
  }
  if (t.empty() || t.size() > 16 || unavailable(t)) return;
  bool ok = (part == Part::kMcc)   ? t.size() == 3 && all_digits(t)
            : (part == Part::kMnc) ? (t.size() == 2 || t.size() == 3) && all_digits(t)
                                   : all_digits(t) || all_hex(t);
  if (!ok) return;
  leaves_.push_back({std::move(parent), std::string(ctx.path), std::move(k), std::string(t), part});
}

void CellPairer::finish(std::vector<Candidate>& out) {
  for (size_t i = 0; i < leaves_.size(); ++i) {
    const Leaf& cell = leaves_[i];
    if (cell.part != Part::kCell) continue;
    const Leaf* found[3] = {nullptr, nullptr, nullptr};  // mcc, mnc, area
    for (const Leaf& l : leaves_) {
      if (l.parent != cell.parent || l.part == Part::kCell) continue;
      const Leaf*& slot = found[size_t(l.part)];
      if (!slot) slot = &l;
    }
    Candidate c;
    c.type = DataType::kCellId;
    c.offset = 0;
    c.length = cell.number.size();
    // A group of sibling leaves is reported at their parent; a lone or
    // combined ("MCC-MNC-LAC-CI") value at its own path.
    const bool siblings = found[0] && found[1] && found[2] && cell.parent == parent_path(cell.path);
    c.path = siblings ? cell.parent : cell.path;
    if (found[0] && found[1] && found[2]) {
      std::string mccmnc = found[0]->number + found[1]->number;
      auto op = lookup_mcc_mnc(mccmnc);
      bool known = op && op->mnc == found[1]->number;
      c.method = Method::kValidated;
      c.confidence = known ? Confidence::kHigh : Confidence::kMedium;
      c.value =
          found[0]->number + "-" + found[1]->number + "-" + found[2]->number + "-" + cell.number;
      c.rule = "cell identity (MCC, MNC, area code, cell id) under keys " + found[0]->key + ", " +
               found[1]->key + ", " + found[2]->key + ", " + cell.key +
               (known ? ", MCC/MNC in the E.212 table (" + std::string(op->name) + ")"
                      : ", MCC/MNC not in the E.212 table");
    } else {
      c.method = Method::kKeyword;
      c.confidence = Confidence::kMedium;
      c.value = cell.number;
      c.rule = "cell id under key " + cell.key + " without the full MCC/MNC/area";
    }
    out.push_back(std::move(c));
  }
  leaves_.clear();
}

}  // namespace ph::detect
