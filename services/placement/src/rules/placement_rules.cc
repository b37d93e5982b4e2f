// Units, fit and the placement state machine.
#include "rules/placement_rules.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "integration/status/status.h"
#include "rules/arrival_rules.h"

namespace integration::placement {

absl::Status CheckUnit(const v1::Unit& unit, std::string_view field) {
  const std::string f(field);
  status::FieldErrors errors;
  if (unit.display_name().empty() || unit.display_name().size() > kMaxUnitTextBytes) {
    errors.Add(f + ".display_name", absl::StrCat("1-", kMaxUnitTextBytes, " bytes"));
  }
  if (unit.type() == v1::UNIT_TYPE_UNSPECIFIED || !v1::UnitType_IsValid(unit.type())) {
    errors.Add(f + ".type", "must be HVB, FAMILJEHEM, JOURHEM or STODBOENDE");
  }
  if (unit.places() < 1 || unit.places() > kMaxUnitPlaces) {
    errors.Add(f + ".places", absl::StrCat("must be 1-", kMaxUnitPlaces));
  }
  const bool ages_valid =
      unit.min_age() >= 0 && unit.max_age() <= kMaxUnitAge && unit.min_age() <= unit.max_age();
  if (!ages_valid) {
    errors.Add(f + ".min_age",
               absl::StrCat("ages must lie in 0-", kMaxUnitAge, " with min_age <= max_age"));
  }
  const bool stodboende = unit.type() == v1::UNIT_TYPE_STODBOENDE;
  if (stodboende && unit.min_age() < kStodboendeMinAge) {
    errors.Add(f + ".min_age",
               absl::StrCat("a stödboende takes ages ", kStodboendeMinAge, "-", kMaxUnitAge));
  }
  const bool takes_minors = unit.min_age() < kAdultAgeForUnits;
  if (stodboende && takes_minors &&
      (unit.special_reason().size() < kMinReasonBytes ||
       unit.special_reason().size() > kMaxReasonBytes)) {
    errors.Add(f + ".special_reason",
               absl::StrCat("a stödboende taking 16-17-year-olds needs a special reason, ",
                            kMinReasonBytes, "-", kMaxReasonBytes, " bytes"));
  }
  if (!(stodboende && takes_minors) && !unit.special_reason().empty()) {
    errors.Add(f + ".special_reason",
               "only a stödboende taking 16-17-year-olds records a special reason");
  }
  std::set<int> sexes;
  for (int i = 0; i < unit.sexes_size(); ++i) {
    const int sex = unit.sexes(i);
    if (sex != v1::SEX_FEMALE && sex != v1::SEX_MALE) {
      errors.Add(absl::StrCat(f, ".sexes[", i, "]"), "must be SEX_FEMALE or SEX_MALE");
    } else if (!sexes.insert(sex).second) {
      errors.Add(absl::StrCat(f, ".sexes[", i, "]"), "appears twice");
    }
  }
  if (unit.languages_size() > kMaxUnitLanguages) {
    errors.Add(f + ".languages", absl::StrCat("at most ", kMaxUnitLanguages, " languages"));
  }
  std::set<std::string> languages;
  for (int i = 0; i < unit.languages_size(); ++i) {
    const std::string& code = unit.languages(i);
    if (!IsLanguageCode(code)) {
      errors.Add(absl::StrCat(f, ".languages[", i, "]"),
                 "must be an ISO 639 code of 2-3 lower-case letters");
    } else if (!languages.insert(code).second) {
      errors.Add(absl::StrCat(f, ".languages[", i, "]"), "appears twice");
    }
  }
  return errors.ToStatus(kReasonUnitInvalid);
}

absl::Status CheckFit(int age, v1::Sex sex, const v1::Unit& unit) {
  if (age < unit.min_age() || age > unit.max_age()) {
    return status::FailedPrecondition(kReasonAgeOutsideUnit,
                                      absl::StrCat("the child is ", age, "; the unit takes ages ",
                                                   unit.min_age(), "-", unit.max_age()),
                                      {{"age", absl::StrCat(age)}});
  }
  if (unit.sexes_size() > 0) {
    bool accepted = false;
    for (int s : unit.sexes()) accepted = accepted || s == sex;
    if (!accepted) {
      return status::FailedPrecondition(kReasonSexNotAccepted,
                                        "the unit does not take children of the child's sex");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPlacementTransition(v1::PlacementState from, v1::PlacementState to,
                                      std::string_view name) {
  const bool allowed =
      (from == v1::PLACEMENT_STATE_PROPOSED && to == v1::PLACEMENT_STATE_CONFIRMED) ||
      (from == v1::PLACEMENT_STATE_CONFIRMED && to == v1::PLACEMENT_STATE_ACTIVE) ||
      (from != v1::PLACEMENT_STATE_ENDED && from != v1::PLACEMENT_STATE_UNSPECIFIED &&
       to == v1::PLACEMENT_STATE_ENDED);
  if (allowed) return absl::OkStatus();
  return status::FailedPrecondition(
      kReasonPlacementState,
      absl::StrCat(std::string(name), " is ", v1::PlacementState_Name(from), " and cannot become ",
                   v1::PlacementState_Name(to)),
      {{"state", v1::PlacementState_Name(from)}});
}

}  // namespace integration::placement
