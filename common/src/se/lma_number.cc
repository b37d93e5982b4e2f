// Parsing and normalisation of LMA / dossier numbers.
#include "integration/se/lma_number.h"

#include "absl/strings/str_cat.h"
#include "integration/status/status.h"
#include "text.h"

namespace integration::se {

std::string LmaNumber::ToString() const {
  if (!card_serial) return dossier_number;
  return absl::StrCat(dossier_number, "/", *card_serial);
}

absl::StatusOr<LmaNumber> ParseLmaNumber(std::string_view text, std::string_view field) {
  std::string_view input = internal::Trim(text);
  LmaNumber result;
  if (input.size() >= 2 && input[input.size() - 2] == '/' && internal::IsDigit(input.back())) {
    result.card_serial = input.back() - '0';
    input.remove_suffix(2);
  }
  if (input.size() == 9 && input[2] == '-' && internal::AllDigits(input.substr(0, 2)) &&
      internal::AllDigits(input.substr(3))) {
    result.dossier_number = std::string(input);
  } else if (input.size() == 8 && internal::AllDigits(input)) {
    result.dossier_number = std::string(input.substr(0, 2)) + "-" + std::string(input.substr(2));
  } else {
    return integration::status::InvalidField(
        field, "must be an LMA / dossier number written NN-NNNNNN, optionally followed by /N",
        "LMA_NUMBER_INVALID_FORMAT");
  }
  return result;
}

}  // namespace integration::se
