// Swedish organisation numbers (organisationsnummer): validation, normalisation, legal form.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace integration::se {

// The legal form group encoded in the first digit.
enum class LegalForm {
  kOther,                  // 1 (estates), 3 (foreign companies), 4, 6 and anything else
  kPublicSector,           // 2: the state, regions, kommuner
  kLimitedCompany,         // 5: aktiebolag
  kEconomicAssociation,    // 7: ekonomisk förening
  kNonProfitOrFoundation,  // 8: ideell förening or stiftelse
  kPartnership,            // 9: handelsbolag / kommanditbolag
};

// A stable machine name, e.g. "PUBLIC_SECTOR", "LIMITED_COMPANY", "OTHER".
std::string_view LegalFormName(LegalForm form);

struct Organisationsnummer {
  std::string normalized;  // "NNNNNN-NNNN"
  LegalForm legal_form = LegalForm::kOther;
};

// Parses "NNNNNNNNNN", "NNNNNN-NNNN" or the 12-digit forms with the prefix "16"
// ("16NNNNNNNNNN", "16NNNNNN-NNNN"); surrounding whitespace is ignored. Digits 3-4 must form
// a number of at least 20 (which keeps organisation numbers apart from personnummer) and the
// last digit must be the Luhn check digit.
//
// Errors are INVALID_ARGUMENT with a BadRequest violation on `field` and the reason
// ORGANISATIONSNUMMER_INVALID_FORMAT, ORGANISATIONSNUMMER_INVALID_DIGITS_3_4 or
// ORGANISATIONSNUMMER_INVALID_CHECKSUM. Messages never echo the input (it may be a
// personnummer typed into the wrong field).
absl::StatusOr<Organisationsnummer> ParseOrganisationsnummer(
    std::string_view text, std::string_view field = "organisationsnummer");

}  // namespace integration::se
