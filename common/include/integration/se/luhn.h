// The Luhn (mod 10) check digit used by Swedish personnummer and organisationsnummer.
#pragma once

#include <optional>
#include <string_view>

namespace integration::se {

// The check digit (0-9) that makes `digits` followed by it Luhn-valid. Standard Luhn: weights
// 1,2,1,2,… counted from the right with the check digit at weight 1, which for the 9-digit
// Swedish payload is 2,1,2,… from the left. nullopt when `digits` is empty or holds a
// non-digit.
std::optional<int> LuhnCheckDigit(std::string_view digits);

// True when `digits` (payload followed by its check digit) passes the Luhn check. False for
// fewer than two characters or any non-digit.
bool LuhnValid(std::string_view digits);

}  // namespace integration::se
