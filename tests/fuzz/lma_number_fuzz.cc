// libFuzzer target: ParseLmaNumber (Migrationsverket's LMA card and dossier numbers). An
// accepted number prints as "NN-NNNNNN" or "NN-NNNNNN/N" and parses back to the same value; a
// refused one is INVALID_ARGUMENT with a reason and does not echo the digits.
// Seeds: corpus/lma_number.
#include <string>

#include "fuzz_support.h"
#include "integration/se/lma_number.h"

using integration::fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = integration::fuzz::AsText(data, size);
  const auto lma = integration::se::ParseLmaNumber(text);
  if (!lma.ok()) {
    integration::fuzz::RequireClientError(lma.status(), "LMA number error");
    integration::fuzz::RequireNotEchoed(lma.status(), text);
    return 0;
  }
  const std::string& dossier = lma->dossier_number;
  Require(dossier.size() == 9 && dossier[2] == '-' &&
              (dossier.substr(0, 2) + dossier.substr(3)).find_first_not_of("0123456789") ==
                  std::string::npos,
          "dossier number is not NN-NNNNNN");
  Require(!lma->card_serial || (*lma->card_serial >= 0 && *lma->card_serial <= 9),
          "card serial is not one digit");
  const std::string printed = lma->ToString();
  const auto again = integration::se::ParseLmaNumber(printed);
  Require(again.ok() && again->dossier_number == dossier && again->card_serial == lma->card_serial,
          "printed form does not parse back to the same number");
  Require(again->ToString() == printed, "printing is not stable");
  return 0;
}
