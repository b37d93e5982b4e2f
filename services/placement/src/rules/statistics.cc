// Placement statistics with suppression of small counts.
#include "rules/statistics.h"

#include <set>

#include "absl/status/statusor.h"
#include "integration/se/kommun.h"

namespace integration::placement {
namespace {

int64_t Get(const std::map<std::string, int64_t>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

int64_t Sum(const std::map<std::string, int64_t>& m) {
  int64_t sum = 0;
  for (const auto& [key, value] : m) sum += value;
  return sum;
}

}  // namespace

v1::ChildCount CountOf(int64_t value) {
  v1::ChildCount out;
  if (value < kSuppressBelow) {
    out.set_suppressed(true);
  } else {
    out.set_value(value);
  }
  return out;
}

v1::PlacementStatistics BuildStatistics(std::string_view lanskod, int year,
                                        std::string_view key_name,
                                        const std::map<std::string, int>& shares,
                                        const RawFigures& raw) {
  v1::PlacementStatistics out;
  out.set_lanskod(std::string(lanskod));
  out.set_year(year);
  out.set_allocation_key(std::string(key_name));
  v1::PlacementFigures& totals = *out.mutable_totals();
  *totals.mutable_arrivals() = CountOf(Sum(raw.arrivals));
  *totals.mutable_assignments() = CountOf(Sum(raw.assignments));
  *totals.mutable_waiting() = CountOf(Sum(raw.waiting));
  totals.set_places(Sum(raw.places));
  totals.set_vacancies(Sum(raw.places) - Sum(raw.taken));

  // Readiness: each kommun's share of the assignments to the key's kommuner.
  int64_t key_total = 0;
  int64_t key_assignments = 0;
  for (const auto& [k, per_mille] : shares) {
    key_total += per_mille;
    key_assignments += Get(raw.assignments, k);
  }

  std::set<std::string> kommuner;
  for (const auto& [k, v] : shares) kommuner.insert(k);
  for (const auto* m : {&raw.arrivals, &raw.assignments, &raw.waiting, &raw.places}) {
    for (const auto& [k, v] : *m) kommuner.insert(k);
  }
  for (const std::string& k : kommuner) {
    // Arrival kommuner of children handled elsewhere, and the unassigned, count in totals only.
    if (k.size() != 4 || std::string_view(k).substr(0, 2) != lanskod) continue;
    v1::KommunPlacementFigures* row = out.add_kommuner();
    row->set_kommunkod(k);
    absl::StatusOr<se::Kommun> kommun = se::LookupKommun(k);
    if (kommun.ok()) row->set_kommun_name(kommun->name);
    auto share = shares.find(k);
    row->set_per_mille(share == shares.end() ? 0 : share->second);
    if (key_total > 0) {
      // Rounded to the nearest child; shown only when the count it derives from is.
      const v1::ChildCount all = CountOf(key_assignments);
      if (all.suppressed()) {
        *row->mutable_expected_assignments() = all;
      } else {
        row->mutable_expected_assignments()->set_value(
            (2 * row->per_mille() * key_assignments + key_total) / (2 * key_total));
      }
    }
    v1::PlacementFigures& f = *row->mutable_figures();
    *f.mutable_arrivals() = CountOf(Get(raw.arrivals, k));
    *f.mutable_assignments() = CountOf(Get(raw.assignments, k));
    *f.mutable_waiting() = CountOf(Get(raw.waiting, k));
    f.set_places(Get(raw.places, k));
    f.set_vacancies(Get(raw.places, k) - Get(raw.taken, k));
  }
  for (v1::UnitType type : {v1::UNIT_TYPE_HVB, v1::UNIT_TYPE_FAMILJEHEM, v1::UNIT_TYPE_JOURHEM,
                            v1::UNIT_TYPE_STODBOENDE}) {
    v1::TypeFigures* row = out.add_by_type();
    row->set_type(type);
    *row->mutable_placements() = CountOf(Get(raw.by_type, v1::UnitType_Name(type)));
  }
  return out;
}

}  // namespace integration::placement
