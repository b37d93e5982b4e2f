// Swedish personal identity numbers (personnummer) and coordination numbers
// (samordningsnummer): parsing, validation and normalisation to the 12-digit form.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace integration::se {

// Legal sex as encoded in the number: odd 9th digit (of the 10-digit form) = male.
enum class Sex { kFemale, kMale };

// A validated personnummer or samordningsnummer. It is personal data: never log it and never
// put it in a status message; store it only through PnrProtector.
struct Personnummer {
  // "YYYYMMDDNNNC", exactly as issued: a samordningsnummer keeps its day + 60.
  std::string normalized;
  // The real birth date (day - 60 for a samordningsnummer).
  absl::CivilDay birth_date;
  bool is_coordination_number = false;
  Sex sex = Sex::kFemale;

  // Completed years on `day` (see the free AgeOn).
  int AgeOn(absl::CivilDay day) const;
  // The 10-digit form as the population register writes it on `day`: "YYMMDD-NNNC", with '+'
  // from the year the person turns 100.
  std::string TenDigitForm(absl::CivilDay day) const;
};

// Parses "YYMMDD-NNNC", "YYMMDD+NNNC", "YYMMDDNNNC", "YYYYMMDDNNNC" or "YYYYMMDD-NNNC"
// (surrounding whitespace ignored). The century of a 10-digit form is taken relative to
// `today` (passed in so that results are reproducible): '-' or no separator means the most
// recent century in which the person is born and under 100 on `today`, '+' means 100 or older.
// The date must be a real calendar date (day + 60 for a samordningsnummer), the Luhn check
// digit over the 10-digit form must match and the birth date must not be after `today` nor 200
// years or more before it (the oldest age a 10-digit form can express is 199).
//
// Errors are INVALID_ARGUMENT with an ErrorInfo reason and a BadRequest violation on `field`:
// PERSONNUMMER_INVALID_FORMAT, PERSONNUMMER_INVALID_DATE, PERSONNUMMER_INVALID_CHECKSUM,
// PERSONNUMMER_FUTURE_BIRTH_DATE. Messages never contain the number.
absl::StatusOr<Personnummer> ParsePersonnummer(std::string_view text, absl::CivilDay today,
                                               std::string_view field = "personnummer");

// Completed years between `birth_date` and `day`: the age goes up on the day whose month and
// day are not before the birth's (a 29 February birthday therefore counts from 1 March in
// common years). Negative when `day` is before `birth_date`.
int AgeOn(absl::CivilDay birth_date, absl::CivilDay day);

}  // namespace integration::se
