// The county board's case numbers (diarienummer), e.g. "851-1234-2026".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace integration::se {

struct Diarienummer {
  int registry = 0;      // the 3-digit registry (diarium) prefix, 0-999
  int64_t sequence = 0;  // running number within the year, from 1
  int year = 0;          // 4 digits

  // "RRR-S…-YYYY", e.g. "851-1234-2026".
  std::string ToString() const;
};

// Parses "RRR-S…-YYYY": a 3-digit registry prefix, a sequence number of 1 to 18 digits
// without a leading zero, and a 4-digit year (1000-9999); surrounding whitespace is ignored.
// Errors: INVALID_ARGUMENT, reason DIARIENUMMER_INVALID_FORMAT, violation on `field`.
absl::StatusOr<Diarienummer> ParseDiarienummer(std::string_view text,
                                               std::string_view field = "diarienummer");

// Builds the text of a diarienummer; INVALID_ARGUMENT (DIARIENUMMER_INVALID_FORMAT) when the
// registry is outside 0-999, the sequence below 1 or the year outside 1000-9999.
absl::StatusOr<std::string> FormatDiarienummer(int registry, int64_t sequence, int year);

}  // namespace integration::se
