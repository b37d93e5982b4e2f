// What every parse of a personnummer or samordningsnummer must satisfy, shared by the two
// targets (they differ in their seeds and in what they feed the parser).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "fuzz_support.h"
#include "integration/se/personnummer.h"

namespace integration::fuzz {

// A fixed "today" keeps every run reproducible.
inline constexpr absl::CivilDay kFuzzToday(2026, 3, 1);

// Parses `text` and checks: an accepted number is 12 digits, its day is the birth day (+ 60 for a
// samordningsnummer), its birth is not after today, and each of its printed forms parses back to
// the same person; a refused one is INVALID_ARGUMENT with a reason and never echoes the digits.
inline void CheckPersonnummer(std::string_view text) {
  const absl::StatusOr<se::Personnummer> pnr = se::ParsePersonnummer(text, kFuzzToday);
  if (!pnr.ok()) {
    RequireClientError(pnr.status(), "personnummer error is not INVALID_ARGUMENT + reason");
    RequireNotEchoed(pnr.status(), text);
    return;
  }
  const std::string& n = pnr->normalized;
  Require(n.size() == 12 && n.find_first_not_of("0123456789") == std::string::npos,
          "normalized form is not 12 digits");
  const int day = (n[6] - '0') * 10 + (n[7] - '0');
  Require(pnr->is_coordination_number == (day > 60), "coordination flag disagrees with the day");
  Require(pnr->birth_date.day() == (pnr->is_coordination_number ? day - 60 : day),
          "birth day disagrees with the number");
  Require(pnr->birth_date <= kFuzzToday, "birth date after today accepted");
  Require(pnr->sex == (((n[10] - '0') % 2 == 1) ? se::Sex::kMale : se::Sex::kFemale),
          "sex disagrees with the 9th digit");

  const absl::StatusOr<se::Personnummer> again = se::ParsePersonnummer(n, kFuzzToday);
  Require(again.ok() && again->normalized == n && again->birth_date == pnr->birth_date,
          "normalized form does not parse back to itself");
  const std::string ten = pnr->TenDigitForm(kFuzzToday);
  const absl::StatusOr<se::Personnummer> from_ten = se::ParsePersonnummer(ten, kFuzzToday);
  Require(from_ten.ok() && from_ten->normalized == n,
          "10-digit form does not parse back to the same person");
  Require(pnr->AgeOn(kFuzzToday) >= 0, "negative age on today");
}

}  // namespace integration::fuzz
