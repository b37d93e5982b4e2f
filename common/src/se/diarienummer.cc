// Parsing and formatting of diarienummer.
#include "integration/se/diarienummer.h"

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "integration/status/status.h"
#include "text.h"

namespace integration::se {
namespace {

constexpr std::string_view kReason = "DIARIENUMMER_INVALID_FORMAT";

bool ValidParts(int registry, int64_t sequence, int year) {
  return registry >= 0 && registry <= 999 && sequence >= 1 && year >= 1000 && year <= 9999;
}

}  // namespace

std::string Diarienummer::ToString() const {
  return absl::StrFormat("%03d-%d-%04d", registry, sequence, year);
}

absl::StatusOr<Diarienummer> ParseDiarienummer(std::string_view text, std::string_view field) {
  std::vector<std::string_view> parts;
  for (absl::string_view part : absl::StrSplit(internal::Av(internal::Trim(text)), '-')) {
    parts.push_back(internal::Sv(part));
  }
  const bool shape_ok = parts.size() == 3 && parts[0].size() == 3 && !parts[1].empty() &&
                        parts[1].size() <= 18 && parts[1][0] != '0' && parts[2].size() == 4 &&
                        parts[2][0] != '0';
  std::optional<int64_t> registry, sequence, year;
  if (shape_ok) {
    registry = internal::DigitsValue(parts[0]);
    sequence = internal::DigitsValue(parts[1]);
    year = internal::DigitsValue(parts[2]);
  }
  if (!registry || !sequence || !year) {
    return integration::status::InvalidField(
        field,
        "must be a diarienummer written RRR-N-YYYY: 3-digit registry, sequence number "
        "without leading zeros, 4-digit year (e.g. 851-1234-2026)",
        kReason);
  }
  return Diarienummer{static_cast<int>(*registry), *sequence, static_cast<int>(*year)};
}

absl::StatusOr<std::string> FormatDiarienummer(int registry, int64_t sequence, int year) {
  if (!ValidParts(registry, sequence, year)) {
    return integration::status::Error(
        absl::StatusCode::kInvalidArgument, kReason,
        absl::StrCat("diarienummer parts out of range: registry ", registry, " (0-999), sequence ",
                     sequence, " (from 1), year ", year, " (1000-9999)"));
  }
  return Diarienummer{registry, sequence, year}.ToString();
}

}  // namespace integration::se
