// Checks of the offerings and participants a kommun officer sends: shapes, codes and dates,
// each bad field a violation. Pure (today is passed in).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "integration/se/personnummer.h"
#include "lansstyrelsen/integration/orientation/v1/resources.pb.h"

namespace integration::orientation {

namespace v1 = ::lansstyrelsen::integration::orientation::v1;

// An offering's kept fields as checked.
struct CheckedOffering {
  absl::CivilDay start;
  absl::CivilDay end;
  std::string lanskod;
  std::vector<std::string> kommunkoder;  // sorted, unique
};

// display_name and communicator 1-200 bytes, language an ISO 639 code (2-3 lower-case
// letters), a real period of at most 2 years, capacity 1-1000, 1-20 known kommuner all of one
// county (each once). `field` prefixes the violations ("offering").
absl::StatusOr<CheckedOffering> CheckOffering(const v1::Offering& offering, std::string_view field);

// Whether `code` looks like an ISO 639-1/-2/-3 code: 2-3 lower-case ASCII letters.
bool IsLanguageCode(std::string_view code);

// A participant's fields as checked; the number is parsed (never put in a message).
struct CheckedParticipant {
  se::Personnummer pnr;
  std::string registered_kommunkod;
  absl::CivilDay registration_date;
  absl::CivilDay first_registration_date;
  v1::PermitType permit = v1::PERMIT_TYPE_UNSPECIFIED;
  std::vector<std::string> citizenships;
  std::vector<std::string> languages;
};

// The number valid (se::ParsePersonnummer: check digit, samordningsnummer day + 60, '+'),
// registered_kommunkod a known kommun, registration dates real and not after `today` (the
// first registration in Sweden not after the one in the kommun), a permit type, 1-5
// citizenships (ISO 3166-1 alpha-2 upper case, "XX" stateless), at most 5 language codes.
// Every bad field is reported together except the number, whose error comes alone.
absl::StatusOr<CheckedParticipant> CheckParticipant(const v1::Participant& participant,
                                                    absl::CivilDay today, std::string_view field);

}  // namespace integration::orientation
