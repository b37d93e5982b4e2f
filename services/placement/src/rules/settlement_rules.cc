// The settlement rules (see settlement_rules.h).
#include "rules/settlement_rules.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "integration/dates/day.h"
#include "integration/se/kommun.h"
#include "integration/status/status.h"

namespace integration::placement {
namespace {

constexpr double kMaxWeight = 1e6;
constexpr double kMaxFactorValue = 1e12;
// Scores are turned into integer weights in these units for the exact split.
constexpr double kScoreUnits = 1e12;
constexpr size_t kMinHouseholdBytes = 3;
constexpr size_t kMaxHouseholdBytes = 40;

bool InRange(double v, double max) { return std::isfinite(v) && v >= 0 && v <= max; }

// Whether `kommunkod` is a known kommun of county `lanskod`; a violation on `field` otherwise.
bool CheckCountyKommun(std::string_view kommunkod, std::string_view lanskod,
                       const std::string& field, status::FieldErrors& errors) {
  if (!se::ValidateKommunkod(kommunkod, field).ok()) {
    errors.Add(field, "is not a known kommunkod");
    return false;
  }
  if (kommunkod.substr(0, 2) != lanskod) {
    errors.Add(field, absl::StrCat("must be a kommun of county ", std::string(lanskod)));
    return false;
  }
  return true;
}

void AddFigures(const v1::SettlementFigures& row, v1::SettlementFigures& total) {
  total.set_kommun_number(total.kommun_number() + row.kommun_number());
  total.set_assigned(total.assigned() + row.assigned());
  total.set_received(total.received() + row.received());
  total.set_overdue(total.overdue() + row.overdue());
  total.set_remaining(total.remaining() + row.remaining());
}

void AppendCsvRow(std::string& out, std::string_view label, const v1::SettlementFigures& f) {
  absl::StrAppend(&out, std::string(label), ",", f.kommun_number(), ",", f.assigned(), ",",
                  f.received(), ",", f.overdue(), ",", f.remaining(), "\r\n");
}

}  // namespace

bool IsAgencyReference(std::string_view text, size_t min_bytes, size_t max_bytes) {
  if (text.size() < min_bytes || text.size() > max_bytes) return false;
  for (char c : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

absl::StatusOr<std::vector<int>> SplitLargestRemainder(int total,
                                                       const std::vector<int64_t>& weights) {
  if (total < 0) return absl::InvalidArgumentError("the total must not be negative");
  __int128 sum = 0;
  for (int64_t w : weights) {
    if (w < 0) return absl::InvalidArgumentError("weights must not be negative");
    sum += w;
  }
  if (sum == 0) return absl::InvalidArgumentError("at least one weight must be positive");
  std::vector<int> parts(weights.size());
  std::vector<__int128> remainders(weights.size());
  int64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const __int128 exact = static_cast<__int128>(total) * weights[i];
    parts[i] = static_cast<int>(exact / sum);
    remainders[i] = exact % sum;
    given += parts[i];
  }
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (remainders[a] != remainders[b]) return remainders[a] > remainders[b];
    return weights[a] > weights[b];  // stable: the lower index first
  });
  // Σ floor(quota) > total − n, so fewer units are left than there are parts.
  for (int64_t left = total - given, k = 0; left > 0; --left, ++k) ++parts[order[k]];
  return parts;
}

absl::StatusOr<CheckedBasis> CheckBasis(const v1::SettlementBasis& basis, std::string_view lanskod,
                                        std::string_view field) {
  const std::string f(field);
  status::FieldErrors errors;
  CheckedBasis out;
  out.basis = basis;
  std::set<int> weighted;
  bool positive = false;
  for (int i = 0; i < basis.weights_size(); ++i) {
    const v1::FactorWeight& w = basis.weights(i);
    const std::string wf = absl::StrCat(f, ".weights[", i, "]");
    if (w.factor() == v1::SETTLEMENT_FACTOR_UNSPECIFIED) {
      errors.Add(wf + ".factor", "is required");
    } else if (!weighted.insert(w.factor()).second) {
      errors.Add(wf + ".factor", "is weighted twice");
    }
    if (!InRange(w.weight(), kMaxWeight)) {
      errors.Add(wf + ".weight", absl::StrCat("must be 0-", kMaxWeight));
    } else if (w.weight() > 0) {
      positive = true;
    }
  }
  if (!positive) errors.Add(f + ".weights", "at least one factor needs a positive weight");
  if (basis.kommuner_size() == 0) errors.Add(f + ".kommuner", "name the kommuner taking part");
  std::set<std::string> kommuner;
  for (int i = 0; i < basis.kommuner_size(); ++i) {
    const v1::KommunFactors& k = basis.kommuner(i);
    const std::string kf = absl::StrCat(f, ".kommuner[", i, "]");
    if (CheckCountyKommun(k.kommunkod(), lanskod, kf + ".kommunkod", errors)) {
      if (!kommuner.insert(k.kommunkod()).second) {
        errors.Add(kf + ".kommunkod", "is listed twice");
      } else {
        absl::StatusOr<se::Kommun> kommun =
            se::KommunRegistry::Embedded().FindKommun(k.kommunkod());
        if (!kommun.ok()) return kommun.status();
        v1::KommunFactors* filled = out.basis.mutable_kommuner(i);
        filled->set_population(kommun->population);
        filled->set_population_year(kommun->population_year);
      }
    }
    std::set<int> factors;
    for (int j = 0; j < k.values_size(); ++j) {
      const v1::FactorValue& v = k.values(j);
      const std::string vf = absl::StrCat(kf, ".values[", j, "]");
      if (v.factor() == v1::SETTLEMENT_FACTOR_UNSPECIFIED) {
        errors.Add(vf + ".factor", "is required");
      } else if (v.factor() == v1::SETTLEMENT_FACTOR_POPULATION) {
        errors.Add(vf + ".factor", "the population comes from the kommun list, not entered");
      } else if (!factors.insert(v.factor()).second) {
        errors.Add(vf + ".factor", "is given twice");
      }
      if (!InRange(v.value(), kMaxFactorValue)) {
        errors.Add(vf + ".value", absl::StrCat("must be 0-", kMaxFactorValue));
      }
    }
  }
  if (!errors.empty()) return errors.ToStatus(kReasonBasisInvalid);
  std::sort(out.basis.mutable_kommuner()->begin(), out.basis.mutable_kommuner()->end(),
            [](const v1::KommunFactors& a, const v1::KommunFactors& b) {
              return a.kommunkod() < b.kommunkod();
            });
  return out;
}

absl::StatusOr<std::vector<v1::KommunNumber>> SplitCountyNumber(int county_number,
                                                                const v1::SettlementBasis& basis) {
  const int n = basis.kommuner_size();
  // value[k][factor]
  std::vector<std::map<int, double>> values(n);
  std::map<int, double> sums;
  for (int k = 0; k < n; ++k) {
    const v1::KommunFactors& kommun = basis.kommuner(k);
    values[k][v1::SETTLEMENT_FACTOR_POPULATION] = static_cast<double>(kommun.population());
    for (const v1::FactorValue& v : kommun.values()) values[k][v.factor()] = v.value();
    for (const auto& [factor, value] : values[k]) sums[factor] += value;
  }
  double weight_sum = 0;
  for (const v1::FactorWeight& w : basis.weights()) weight_sum += w.weight();
  std::vector<double> scores(n, 0.0);
  for (const v1::FactorWeight& w : basis.weights()) {
    const double factor_sum = sums[w.factor()];
    if (w.weight() <= 0 || factor_sum <= 0) continue;
    for (int k = 0; k < n; ++k) {
      scores[k] += w.weight() / weight_sum * (values[k][w.factor()] / factor_sum);
    }
  }
  std::vector<int64_t> units(n);
  for (int k = 0; k < n; ++k) units[k] = std::llround(scores[k] * kScoreUnits);
  if (std::all_of(units.begin(), units.end(), [](int64_t u) { return u == 0; })) {
    return status::FailedPrecondition(
        kReasonBasisInvalid,
        "the basis gives no kommun a score: every weighted factor is 0 for all its kommuner");
  }
  absl::StatusOr<std::vector<int>> parts = SplitLargestRemainder(county_number, units);
  if (!parts.ok()) return parts.status();
  std::vector<v1::KommunNumber> out(n);
  for (int k = 0; k < n; ++k) {
    out[k].set_kommunkod(basis.kommuner(k).kommunkod());
    out[k].set_persons((*parts)[k]);
    out[k].set_score(scores[k]);
  }
  return out;
}

absl::StatusOr<std::map<std::string, int>> CheckKommunNumbers(
    const google::protobuf::RepeatedPtrField<v1::KommunNumber>& numbers, std::string_view lanskod,
    std::string_view field) {
  status::FieldErrors errors;
  std::map<std::string, int> out;
  if (numbers.empty()) errors.Add(field, "give the kommun numbers");
  for (int i = 0; i < numbers.size(); ++i) {
    const v1::KommunNumber& k = numbers[i];
    const std::string f = absl::StrCat(std::string(field), "[", i, "]");
    if (CheckCountyKommun(k.kommunkod(), lanskod, f + ".kommunkod", errors) &&
        !out.emplace(k.kommunkod(), k.persons()).second) {
      errors.Add(f + ".kommunkod", "is listed twice");
    }
    if (k.persons() < 0 || k.persons() > kMaxCountyNumber) {
      errors.Add(f + ".persons", absl::StrCat("must be 0-", kMaxCountyNumber));
    }
  }
  if (!errors.empty()) return errors.ToStatus(kReasonQuotaInvalid);
  return out;
}

absl::Status CheckSumEquals(const std::map<std::string, int>& numbers, int county_number) {
  int64_t sum = 0;
  for (const auto& [kommun, persons] : numbers) sum += persons;
  if (sum == county_number) return absl::OkStatus();
  return status::FailedPrecondition(
      kReasonSumMismatch,
      absl::StrCat("the kommun numbers sum to ", sum, " but the county number is ", county_number),
      {{"sum", absl::StrCat(sum)}, {"county_number", absl::StrCat(county_number)}});
}

absl::CivilDay SettlementDueDate(absl::CivilDay assigned) {
  const absl::CivilMonth month = absl::CivilMonth(assigned) + kReceptionMonths;
  const absl::CivilDay last_of_month = absl::CivilDay(month + 1) - 1;
  // A day past the month's end would roll over into the next month: clamp it.
  return std::min(absl::CivilDay(month.year(), month.month(), assigned.day()), last_of_month);
}

v1::SettlementState SettlementStateOn(absl::CivilDay due, std::optional<absl::CivilDay> received,
                                      absl::CivilDay today) {
  if (received) return v1::SETTLEMENT_STATE_RECEIVED;
  return today > due ? v1::SETTLEMENT_STATE_OVERDUE : v1::SETTLEMENT_STATE_ASSIGNED;
}

absl::StatusOr<CheckedSettlementAssignment> CheckSettlementAssignment(
    const v1::SettlementAssignment& assignment, absl::CivilDay today, std::string_view field) {
  const std::string f(field);
  status::FieldErrors errors;
  CheckedSettlementAssignment out;
  if (!IsAgencyReference(assignment.household_reference(), kMinHouseholdBytes,
                         kMaxHouseholdBytes)) {
    errors.Add(f + ".household_reference", absl::StrCat(kMinHouseholdBytes, "-", kMaxHouseholdBytes,
                                                        " letters, digits and \"-\""));
  }
  out.household_reference = assignment.household_reference();
  if (assignment.persons() < 1 || assignment.persons() > kMaxHouseholdPersons) {
    errors.Add(f + ".persons", absl::StrCat("must be 1-", kMaxHouseholdPersons));
  }
  out.persons = assignment.persons();
  if (!se::ValidateKommunkod(assignment.kommunkod(), f + ".kommunkod").ok()) {
    errors.Add(f + ".kommunkod", "is not a known kommunkod");
  } else {
    out.kommunkod = assignment.kommunkod();
    out.lanskod = out.kommunkod.substr(0, 2);
  }
  std::optional<absl::CivilDay> day;
  if (!assignment.has_assignment_date()) {
    errors.Add(f + ".assignment_date", "is required");
  } else if (day = dates::DayOf(assignment.assignment_date()); !day) {
    errors.Add(f + ".assignment_date", "is not a calendar day");
  } else if (*day > today) {
    errors.Add(f + ".assignment_date",
               absl::StrCat("must not be after today, ", dates::DayText(today)));
  } else {
    out.assignment_date = *day;
    out.due_date = SettlementDueDate(*day);
  }
  if (!errors.empty()) return errors.ToStatus(kReasonAssignmentInvalid);
  return out;
}

absl::StatusOr<absl::CivilDay> CheckReceptionDate(
    const ::lansstyrelsen::integration::type::v1::Date* date, absl::CivilDay assigned,
    absl::CivilDay today) {
  constexpr std::string_view kField = "reception_date";
  if (date == nullptr) return status::InvalidField(kField, "is required", kReasonReceptionInvalid);
  std::optional<absl::CivilDay> day = dates::DayOf(*date);
  if (!day) return status::InvalidField(kField, "is not a calendar day", kReasonReceptionInvalid);
  if (*day < assigned) {
    return status::InvalidField(
        kField, absl::StrCat("must not be before the assignment date, ", dates::DayText(assigned)),
        kReasonReceptionInvalid);
  }
  if (*day > today) {
    return status::InvalidField(kField,
                                absl::StrCat("must not be after today, ", dates::DayText(today)),
                                kReasonReceptionInvalid);
  }
  return *day;
}

v1::SettlementFollowUp BuildSettlementFollowUp(
    std::string_view lanskod, int year, std::string_view quota_name, int county_number,
    const std::map<std::string, int>& kommun_numbers,
    const std::map<std::string, SettlementCounts>& counts, std::string_view only_kommun) {
  v1::SettlementFollowUp out;
  out.set_lanskod(std::string(lanskod));
  out.set_year(year);
  out.set_settlement_quota(std::string(quota_name));
  out.set_county_number(county_number);
  std::set<std::string> kommuner;
  for (const auto& [k, n] : kommun_numbers) kommuner.insert(k);
  for (const auto& [k, c] : counts) kommuner.insert(k);
  v1::SettlementFigures* totals = out.mutable_totals();
  for (const std::string& k : kommuner) {
    if (!only_kommun.empty() && k != only_kommun) continue;
    v1::KommunSettlementFigures* row = out.add_kommuner();
    row->set_kommunkod(k);
    absl::StatusOr<se::Kommun> kommun = se::KommunRegistry::Embedded().FindKommun(k);
    if (kommun.ok()) row->set_kommun_name(kommun->name);
    v1::SettlementFigures* f = row->mutable_figures();
    auto number = kommun_numbers.find(k);
    f->set_kommun_number(number == kommun_numbers.end() ? 0 : number->second);
    auto c = counts.find(k);
    if (c != counts.end()) {
      f->set_assigned(c->second.assigned);
      f->set_received(c->second.received);
      f->set_overdue(c->second.overdue);
    }
    f->set_remaining(std::max(0, f->kommun_number() - f->assigned()));
    AddFigures(*f, *totals);
  }
  return out;
}

std::string SettlementFollowUpCsv(const v1::SettlementFollowUp& follow_up) {
  std::string out = "kommunkod,kommun_number,assigned,received,overdue,remaining\r\n";
  for (const v1::KommunSettlementFigures& row : follow_up.kommuner()) {
    AppendCsvRow(out, row.kommunkod(), row.figures());
  }
  AppendCsvRow(out, absl::StrCat("lan ", follow_up.lanskod()), follow_up.totals());
  return out;
}

}  // namespace integration::placement
