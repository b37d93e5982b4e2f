// Migrationsverket's LMA / dossier numbers ("NN-NNNNNN", optional card serial "/N").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace integration::se {

// Identifies an asylum seeker: personal data, so pseudonymise before storing
// (PnrProtector::LmaLookupKey) and never log it.
struct LmaNumber {
  std::string dossier_number;      // "NN-NNNNNN"
  std::optional<int> card_serial;  // the digit after '/' on an LMA card, when given

  // "NN-NNNNNN" or "NN-NNNNNN/N".
  std::string ToString() const;
};

// Parses "NN-NNNNNN" or "NNNNNNNN", each optionally followed by "/N" (one digit); surrounding
// whitespace is ignored. Errors: INVALID_ARGUMENT, reason LMA_NUMBER_INVALID_FORMAT, violation
// on `field`; the message does not echo the input.
absl::StatusOr<LmaNumber> ParseLmaNumber(std::string_view text,
                                         std::string_view field = "lma_number");

}  // namespace integration::se
