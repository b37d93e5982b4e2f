// Checks of arrival reports.
#include "rules/arrival_rules.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "integration/se/kommun.h"
#include "integration/se/lma_number.h"
#include "integration/status/status.h"
#include "integration/dates/day.h"
#include "integration/se/personnummer.h"
#include "rules/settlement_rules.h"

namespace integration::placement {
namespace {

}  // namespace

bool IsLanguageCode(std::string_view code) {
  if (code.size() < 2 || code.size() > 3) return false;
  for (char c : code) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}

absl::StatusOr<CheckedArrival> CheckArrival(const v1::Arrival& arrival, absl::CivilDay today,
                                            std::string_view field) {
  const std::string f(field);
  status::FieldErrors errors;
  CheckedArrival out;
  out.arrival = arrival;

  absl::StatusOr<se::LmaNumber> dossier =
      se::ParseLmaNumber(arrival.dossier_number(), f + ".dossier_number");
  if (!dossier.ok()) {
    errors.Add(f + ".dossier_number", "must be Migrationsverket's dossier number NN-NNNNNN");
  } else {
    out.dossier_number = dossier->dossier_number;
    out.arrival.set_dossier_number(out.dossier_number);
  }

  std::optional<absl::CivilDay> arrived;
  if (!arrival.has_arrival_date()) {
    errors.Add(f + ".arrival_date", "is required");
  } else if (arrived = dates::DayOf(arrival.arrival_date()); !arrived) {
    errors.Add(f + ".arrival_date", "is not a calendar day");
  } else if (*arrived > today) {
    errors.Add(f + ".arrival_date", absl::StrCat("must not be after today, ", dates::DayText(today)));
  } else {
    out.arrival_date = *arrived;
  }

  switch (arrival.age_case()) {
    case v1::Arrival::kBirthDate: {
      std::optional<absl::CivilDay> born = dates::DayOf(arrival.birth_date());
      if (!born) {
        errors.Add(f + ".birth_date", "is not a calendar day");
      } else if (arrived && *born > *arrived) {
        errors.Add(f + ".birth_date", "must not be after the arrival date");
      } else if (arrived && se::AgeOn(*born, *arrived) >= kAdultAge) {
        errors.Add(f + ".birth_date", "the child must be under 18 on the arrival date");
      }
      break;
    }
    case v1::Arrival::kAssessedAge:
      if (arrival.assessed_age() < 0 || arrival.assessed_age() >= kAdultAge) {
        errors.Add(f + ".assessed_age", "must be 0-17");
      }
      break;
    case v1::Arrival::AGE_NOT_SET:
      errors.Add(f + ".birth_date", "a birth date or an assessed age is required");
      break;
  }

  if (arrival.sex() != v1::SEX_FEMALE && arrival.sex() != v1::SEX_MALE) {
    errors.Add(f + ".sex", "must be SEX_FEMALE or SEX_MALE");
  }
  if (arrival.languages_size() > kMaxLanguages) {
    errors.Add(f + ".languages", absl::StrCat("at most ", kMaxLanguages, " languages"));
  }
  std::set<std::string> languages;
  for (int i = 0; i < arrival.languages_size(); ++i) {
    const std::string& code = arrival.languages(i);
    if (!IsLanguageCode(code)) {
      errors.Add(absl::StrCat(f, ".languages[", i, "]"),
                 "must be an ISO 639 code of 2-3 lower-case letters");
    } else if (!languages.insert(code).second) {
      errors.Add(absl::StrCat(f, ".languages[", i, "]"), "appears twice");
    }
  }
  if (arrival.needs().size() > kMaxNeedsBytes) {
    errors.Add(f + ".needs", absl::StrCat("at most ", kMaxNeedsBytes, " bytes"));
  }
  if (!arrival.sibling_group().empty() && !IsAgencyReference(arrival.sibling_group(), 1, kMaxSiblingGroupBytes)) {
    errors.Add(f + ".sibling_group", "1-40 letters, digits or '-'");
  }
  absl::StatusOr<se::Kommun> home =
      se::LookupKommun(arrival.arrival_kommunkod(), f + ".arrival_kommunkod");
  if (!home.ok()) errors.Add(f + ".arrival_kommunkod", "must be a Swedish kommunkod");
  std::optional<se::Kommun> link;
  if (!arrival.strong_link_kommunkod().empty()) {
    absl::StatusOr<se::Kommun> k =
        se::LookupKommun(arrival.strong_link_kommunkod(), f + ".strong_link_kommunkod");
    if (!k.ok()) {
      errors.Add(f + ".strong_link_kommunkod", "must be a Swedish kommunkod");
    } else {
      link = *k;
    }
  }
  if (!errors.empty()) return errors.ToStatus(kReasonArrivalInvalid);
  out.lanskod = link ? link->lanskod : home->lanskod;
  return out;
}

int ChildAgeOn(const v1::Arrival& arrival, absl::CivilDay on) {
  if (arrival.has_birth_date()) {
    std::optional<absl::CivilDay> born = dates::DayOf(arrival.birth_date());
    if (born) return se::AgeOn(*born, on);
  }
  std::optional<absl::CivilDay> arrived = dates::DayOf(arrival.arrival_date());
  if (!arrived) return arrival.assessed_age();
  return arrival.assessed_age() + se::AgeOn(*arrived, on);
}

}  // namespace integration::placement
