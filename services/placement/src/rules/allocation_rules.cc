// The allocation key's validation and the choice of a child's kommun.
#include "rules/allocation_rules.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "integration/se/kommun.h"
#include "integration/status/status.h"
#include "integration/dates/day.h"

namespace integration::placement {

absl::StatusOr<KeyDefinition> CheckAllocationKey(const v1::AllocationKey& key,
                                                 std::string_view lanskod, int year,
                                                 std::string_view field) {
  const std::string f(field);
  status::FieldErrors errors;
  KeyDefinition out;
  out.lanskod = std::string(lanskod);
  out.year = year;
  out.county_total_per_mille = key.county_total_per_mille();
  if (key.county_total_per_mille() < 1 || key.county_total_per_mille() > kMaxCountyTotalPerMille) {
    errors.Add(f + ".county_total_per_mille",
               absl::StrCat("must be 1-", kMaxCountyTotalPerMille, " per mille"));
  }
  const absl::CivilDay new_year(year, 1, 1);
  out.base_date = new_year;
  if (key.has_base_date()) {
    std::optional<absl::CivilDay> base = dates::DayOf(key.base_date());
    if (!base) {
      errors.Add(f + ".base_date", "is not a calendar day");
    } else if (*base > new_year) {
      errors.Add(f + ".base_date", absl::StrCat("must not be after ", dates::DayText(new_year)));
    } else {
      out.base_date = *base;
    }
  }
  if (key.shares_size() == 0) errors.Add(f + ".shares", "must name at least one kommun");
  std::set<std::string> seen;
  int64_t sum = 0;
  for (int i = 0; i < key.shares_size(); ++i) {
    const v1::KommunShare& share = key.shares(i);
    const std::string at = absl::StrCat(f, ".shares[", i, "]");
    absl::StatusOr<se::Kommun> kommun = se::LookupKommun(share.kommunkod(), at + ".kommunkod");
    if (!kommun.ok()) {
      errors.Add(at + ".kommunkod", "is not a Swedish kommunkod");
    } else if (kommun->lanskod != lanskod) {
      errors.Add(at + ".kommunkod",
                 absl::StrCat(kommun->name, " is not in county ", std::string(lanskod)));
    } else if (!seen.insert(share.kommunkod()).second) {
      errors.Add(at + ".kommunkod", "appears twice");
    }
    if (share.per_mille() < 1) errors.Add(at + ".per_mille", "must be at least 1 per mille");
    sum += share.per_mille();
    out.shares.push_back({share.kommunkod(), share.per_mille()});
  }
  if (key.shares_size() > 0 && sum != key.county_total_per_mille()) {
    errors.Add(f + ".shares", absl::StrCat("sum to ", sum, " per mille, not the county total ",
                                           key.county_total_per_mille()));
  }
  if (!errors.empty()) return errors.ToStatus(kReasonAllocationKeyInvalid);
  std::sort(out.shares.begin(), out.shares.end(),
            [](const KeyShare& a, const KeyShare& b) { return a.kommunkod < b.kommunkod; });
  return out;
}

v1::Assignment ChooseByKey(const KeyStanding& key) {
  int64_t all_assigned = 0;
  for (const KeyShare& share : key.shares) {
    auto it = key.assigned.find(share.kommunkod);
    if (it != key.assigned.end()) all_assigned += it->second;
  }
  v1::Assignment out;
  v1::AssignmentExplanation* why = out.mutable_explanation();
  why->set_allocation_key(key.name);
  std::vector<KeyShare> shares = key.shares;
  std::sort(shares.begin(), shares.end(),
            [](const KeyShare& a, const KeyShare& b) { return a.kommunkod < b.kommunkod; });
  const v1::Standing* best = nullptr;
  for (const KeyShare& share : shares) {
    auto it = key.assigned.find(share.kommunkod);
    const int64_t assigned = it == key.assigned.end() ? 0 : it->second;
    v1::Standing* s = why->add_standings();
    s->set_kommunkod(share.kommunkod);
    s->set_per_mille(share.per_mille);
    s->set_assigned(assigned);
    // Scaled by the county total so that the comparison stays in integers: the kommun's share
    // of all assignments including this one, minus what it has.
    s->set_deficit(static_cast<int64_t>(share.per_mille) * (all_assigned + 1) -
                   assigned * key.county_total_per_mille);
  }
  for (const v1::Standing& s : why->standings()) {
    // Standings are in kommunkod order, so on equal deficit and share the first (lower
    // kommunkod) stays.
    if (best == nullptr || std::make_pair(s.deficit(), s.per_mille()) >
                               std::make_pair(best->deficit(), best->per_mille())) {
      best = &s;
    }
  }
  out.set_kommunkod(best->kommunkod());
  out.set_basis(v1::ASSIGNMENT_BASIS_ALLOCATION_KEY);
  why->set_summary(absl::StrCat("Kommun ", best->kommunkod(),
                                " was furthest below its share of the allocation key ", key.name,
                                " (deficit ", best->deficit(), ")."));
  return out;
}

std::optional<v1::Assignment> DecideAssignment(const AssignmentInput& input) {
  if (input.sibling) {
    v1::Assignment out;
    out.set_kommunkod(input.sibling->kommunkod);
    out.set_basis(v1::ASSIGNMENT_BASIS_SIBLING_GROUP);
    out.mutable_explanation()->set_sibling(input.sibling->child);
    out.mutable_explanation()->set_summary(
        absl::StrCat("A sibling (", input.sibling->child, ") was assigned to kommun ",
                     input.sibling->kommunkod, "; a sibling group goes to one kommun."));
    return out;
  }
  if (!input.strong_link_kommunkod.empty()) {
    v1::Assignment out;
    out.set_kommunkod(input.strong_link_kommunkod);
    out.set_basis(v1::ASSIGNMENT_BASIS_STRONG_LINK);
    out.mutable_explanation()->set_summary(
        absl::StrCat("The child has a strong link to kommun ", input.strong_link_kommunkod, "."));
    return out;
  }
  if (input.key && !input.key->shares.empty()) return ChooseByKey(*input.key);
  return std::nullopt;
}

absl::Status CheckShareTransfer(const v1::ShareTransfer& transfer, std::string_view lanskod,
                                std::string_view field) {
  const std::string f(field);
  status::FieldErrors errors;
  for (const auto& [name, code] :
       {std::pair<std::string, std::string>{"from_kommunkod", transfer.from_kommunkod()},
        {"to_kommunkod", transfer.to_kommunkod()}}) {
    absl::StatusOr<se::Kommun> kommun = se::LookupKommun(code, f + "." + name);
    if (!kommun.ok()) {
      errors.Add(f + "." + name, "is not a Swedish kommunkod");
    } else if (kommun->lanskod != lanskod) {
      errors.Add(f + "." + name,
                 absl::StrCat(kommun->name, " is not in county ", std::string(lanskod)));
    }
  }
  if (transfer.from_kommunkod() == transfer.to_kommunkod()) {
    errors.Add(f + ".to_kommunkod", "must differ from from_kommunkod");
  }
  if (transfer.per_mille() < 1) errors.Add(f + ".per_mille", "must be at least 1 per mille");
  if (transfer.agreement().size() < 3 || transfer.agreement().size() > 1000) {
    errors.Add(f + ".agreement", "name the agreement, 3-1000 bytes");
  }
  return errors.ToStatus(kReasonTransferInvalid);
}

absl::StatusOr<std::map<std::string, int>> ApplyShareTransfer(
    const std::map<std::string, int>& shares, const std::string& from, const std::string& to,
    int per_mille) {
  std::map<std::string, int> out = shares;
  auto giver = out.find(from);
  const int before = giver == out.end() ? 0 : giver->second;
  if (before - per_mille < 1) {
    return status::FailedPrecondition(
        kReasonShareBelowMinimum,
        absl::StrCat("kommun ", from, " has ", before, " per mille and must keep at least 1"),
        {{"per_mille", absl::StrCat(before)}});
  }
  out[from] = before - per_mille;
  out[to] += per_mille;
  return out;
}

v1::Assignment CorrectedAssignment(const v1::Assignment& current, std::string_view kommunkod,
                                   std::string_view reason) {
  v1::Assignment out;
  out.set_kommunkod(std::string(kommunkod));
  out.set_basis(v1::ASSIGNMENT_BASIS_CORRECTION);
  v1::AssignmentExplanation* why = out.mutable_explanation();
  why->set_previous_kommunkod(current.kommunkod());
  why->set_reason(std::string(reason));
  why->set_summary(absl::StrCat("A county officer corrected the assignment from kommun ",
                                current.kommunkod(), " to kommun ", std::string(kommunkod), "."));
  return out;
}

}  // namespace integration::placement
