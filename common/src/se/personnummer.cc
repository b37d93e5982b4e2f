// Parsing and validation of personnummer and samordningsnummer.
#include "integration/se/personnummer.h"

#include <cstdint>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "integration/se/luhn.h"
#include "integration/status/status.h"
#include "text.h"

namespace integration::se {
namespace {

using internal::AllDigits;

constexpr int kCoordinationDayOffset = 60;
// The oldest age the 10-digit form can express is 199 (the "+" separator covers 100-199).
constexpr int kMaxAge = 200;

absl::Status FormatError(std::string_view field) {
  return integration::status::InvalidField(
      field,
      "must be a personnummer or samordningsnummer written YYMMDD-NNNC, YYMMDD+NNNC, "
      "YYMMDDNNNC, YYYYMMDDNNNC or YYYYMMDD-NNNC",
      "PERSONNUMMER_INVALID_FORMAT");
}

int TwoDigits(std::string_view s, size_t pos) { return (s[pos] - '0') * 10 + (s[pos + 1] - '0'); }

bool IsRealDate(int64_t year, int month, int day) {
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  absl::CivilDay d(year, month, day);  // normalises out-of-range days, so compare back
  return d.year() == year && d.month() == month && d.day() == day;
}

}  // namespace

int AgeOn(absl::CivilDay birth_date, absl::CivilDay day) {
  int64_t years = day.year() - birth_date.year();
  if (std::make_tuple(day.month(), day.day()) <
      std::make_tuple(birth_date.month(), birth_date.day())) {
    --years;
  }
  return static_cast<int>(years);
}

int Personnummer::AgeOn(absl::CivilDay day) const { return se::AgeOn(birth_date, day); }

std::string Personnummer::TenDigitForm(absl::CivilDay day) const {
  std::string_view digits = normalized;
  if (digits.size() != 12) return {};
  const char separator = se::AgeOn(birth_date, day) >= 100 ? '+' : '-';
  std::string result(digits.substr(2, 6));
  result += separator;
  result += digits.substr(8, 4);
  return result;
}

absl::StatusOr<Personnummer> ParsePersonnummer(std::string_view text, absl::CivilDay today,
                                               std::string_view field) {
  const std::string_view input = internal::Trim(text);

  // Split into an optional century, the 10-digit form and the separator (if any).
  std::string_view century;
  std::string ten;  // YYMMDDNNNC
  char separator = '\0';
  switch (input.size()) {
    case 10:  // YYMMDDNNNC
      if (!AllDigits(input)) return FormatError(field);
      ten = std::string(input);
      break;
    case 11:  // YYMMDD-NNNC / YYMMDD+NNNC
      if (!AllDigits(input.substr(0, 6)) || !AllDigits(input.substr(7)) ||
          (input[6] != '-' && input[6] != '+')) {
        return FormatError(field);
      }
      separator = input[6];
      ten = std::string(input.substr(0, 6)) + std::string(input.substr(7));
      break;
    case 12:  // YYYYMMDDNNNC
      if (!AllDigits(input)) return FormatError(field);
      century = input.substr(0, 2);
      ten = std::string(input.substr(2));
      break;
    case 13:  // YYYYMMDD-NNNC
      if (!AllDigits(input.substr(0, 8)) || input[8] != '-' || !AllDigits(input.substr(9))) {
        return FormatError(field);
      }
      century = input.substr(0, 2);
      ten = std::string(input.substr(2, 6)) + std::string(input.substr(9));
      break;
    default:
      return FormatError(field);
  }

  const int yy = TwoDigits(ten, 0);
  const int month = TwoDigits(ten, 2);
  int day = TwoDigits(ten, 4);
  const bool coordination = day > kCoordinationDayOffset;
  if (coordination) day -= kCoordinationDayOffset;

  int64_t year;
  if (!century.empty()) {
    year = TwoDigits(century, 0) * 100 + yy;
  } else {
    // The latest year ending in yy whose month/day is not after today; a '+' moves it back
    // one more century. Comparing tuples avoids building a possibly invalid date.
    year = today.year() - today.year() % 100 + yy;
    if (std::make_tuple(year, month, day) > std::make_tuple(today.year(),
                                                            static_cast<int>(today.month()),
                                                            static_cast<int>(today.day()))) {
      year -= 100;
    }
    if (separator == '+') year -= 100;
  }

  if (!IsRealDate(year, month, day)) {
    return integration::status::InvalidField(
        field,
        coordination ? "is not a real date of birth (a samordningsnummer adds 60 to the day)"
                     : "is not a real date of birth",
        "PERSONNUMMER_INVALID_DATE");
  }
  if (!LuhnValid(ten)) {
    return integration::status::InvalidField(field, "check digit does not match (Luhn)",
                                             "PERSONNUMMER_INVALID_CHECKSUM");
  }
  const absl::CivilDay birth_date(year, month, day);
  if (birth_date > today) {
    return integration::status::InvalidField(field, "date of birth is in the future",
                                             "PERSONNUMMER_FUTURE_BIRTH_DATE");
  }
  // The 10-digit form names ages 0-199 ('+' from 100): a person of 200 or more cannot be written
  // in it, and is no one alive (a 12-digit "11981128…" is a typing error, not a person of 827).
  if (AgeOn(birth_date, today) >= kMaxAge) {
    return integration::status::InvalidField(field, "is not a possible date of birth",
                                             "PERSONNUMMER_INVALID_DATE");
  }

  Personnummer result;
  result.normalized = absl::StrCat(year / 100 < 10 ? "0" : "", year / 100, ten);
  result.birth_date = birth_date;
  result.is_coordination_number = coordination;
  result.sex = (ten[8] - '0') % 2 == 1 ? Sex::kMale : Sex::kFemale;
  return result;
}

}  // namespace integration::se
