// Luhn (mod 10) check digits for Swedish identity and organisation numbers.
#include "integration/se/luhn.h"

#include <cstddef>

namespace integration::se {
namespace {

// Sum of the Luhn digit products when the first character gets weight `first_weight`.
std::optional<int> WeightedSum(std::string_view digits, int first_weight) {
  int sum = 0;
  int weight = first_weight;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    int product = (c - '0') * weight;
    sum += product / 10 + product % 10;
    weight = weight == 2 ? 1 : 2;
  }
  return sum;
}

}  // namespace

std::optional<int> LuhnCheckDigit(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  // The check digit itself has weight 1, so counted from the right the payload's last digit
  // has weight 2; for an odd-length payload (the Swedish 9 digits) that means the first
  // character also has weight 2.
  std::optional<int> sum = WeightedSum(digits, digits.size() % 2 == 1 ? 2 : 1);
  if (!sum) return std::nullopt;
  return (10 - *sum % 10) % 10;
}

bool LuhnValid(std::string_view digits) {
  if (digits.size() < 2) return false;
  std::optional<int> sum = WeightedSum(digits, digits.size() % 2 == 0 ? 2 : 1);
  return sum.has_value() && *sum % 10 == 0;
}

}  // namespace integration::se
