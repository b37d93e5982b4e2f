// Parsing and validation of Swedish organisation numbers.
#include "integration/se/organisationsnummer.h"

#include "integration/se/luhn.h"
#include "integration/status/status.h"
#include "text.h"

namespace integration::se {
namespace {

using internal::AllDigits;

constexpr int kMinGroupNumber = 20;

absl::Status FormatError(std::string_view field) {
  return integration::status::InvalidField(
      field, "must be an organisationsnummer written NNNNNN-NNNN or NNNNNNNNNN (or with prefix 16)",
      "ORGANISATIONSNUMMER_INVALID_FORMAT");
}

// The 10 digits of the accepted spellings, or an empty string.
std::string TenDigits(std::string_view s) {
  if (s.size() == 12 || s.size() == 13) {
    if (s.substr(0, 2) != "16") return {};
    s.remove_prefix(2);
  }
  if (s.size() == 10 && AllDigits(s)) return std::string(s);
  if (s.size() == 11 && s[6] == '-' && AllDigits(s.substr(0, 6)) && AllDigits(s.substr(7))) {
    return std::string(s.substr(0, 6)) + std::string(s.substr(7));
  }
  return {};
}

LegalForm LegalFormOf(char first_digit) {
  switch (first_digit) {
    case '2':
      return LegalForm::kPublicSector;
    case '5':
      return LegalForm::kLimitedCompany;
    case '7':
      return LegalForm::kEconomicAssociation;
    case '8':
      return LegalForm::kNonProfitOrFoundation;
    case '9':
      return LegalForm::kPartnership;
    default:
      return LegalForm::kOther;
  }
}

}  // namespace

std::string_view LegalFormName(LegalForm form) {
  switch (form) {
    case LegalForm::kPublicSector:
      return "PUBLIC_SECTOR";
    case LegalForm::kLimitedCompany:
      return "LIMITED_COMPANY";
    case LegalForm::kEconomicAssociation:
      return "ECONOMIC_ASSOCIATION";
    case LegalForm::kNonProfitOrFoundation:
      return "NON_PROFIT_OR_FOUNDATION";
    case LegalForm::kPartnership:
      return "PARTNERSHIP";
    case LegalForm::kOther:
      break;
  }
  return "OTHER";
}

absl::StatusOr<Organisationsnummer> ParseOrganisationsnummer(std::string_view text,
                                                             std::string_view field) {
  const std::string ten = TenDigits(internal::Trim(text));
  if (ten.empty()) return FormatError(field);
  if ((ten[2] - '0') * 10 + (ten[3] - '0') < kMinGroupNumber) {
    return integration::status::InvalidField(
        field, "digits 3-4 must form a number of at least 20 (lower values are personnummer)",
        "ORGANISATIONSNUMMER_INVALID_DIGITS_3_4");
  }
  if (!LuhnValid(ten)) {
    return integration::status::InvalidField(field, "check digit does not match (Luhn)",
                                             "ORGANISATIONSNUMMER_INVALID_CHECKSUM");
  }
  Organisationsnummer result;
  result.normalized = ten.substr(0, 6) + "-" + ten.substr(6);
  result.legal_form = LegalFormOf(ten[0]);
  return result;
}

}  // namespace integration::se
