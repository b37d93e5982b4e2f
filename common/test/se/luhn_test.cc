// Unit tests for the Luhn check digit shared by personnummer and organisationsnummer.
#include "integration/se/luhn.h"

#include <string>

#include "gtest/gtest.h"

namespace integration::se {
namespace {

// The vectors were computed with an independent Luhn implementation.
TEST(LuhnTest, KnownVectors) {
  EXPECT_TRUE(LuhnValid("8112189876"));
  EXPECT_TRUE(LuhnValid("7010632391"));
  EXPECT_TRUE(LuhnValid("5560360793"));
  EXPECT_FALSE(LuhnValid("8112189875"));
  EXPECT_FALSE(LuhnValid("811218987a"));
  EXPECT_FALSE(LuhnValid("8"));
  EXPECT_EQ(LuhnCheckDigit("811218987"), 6);
  EXPECT_EQ(LuhnCheckDigit("000229123"), 5);
  EXPECT_EQ(LuhnCheckDigit("7992739871"), 3);  // the textbook example 79927398713
  EXPECT_TRUE(LuhnValid("79927398713"));
  EXPECT_FALSE(LuhnValid("79927398714"));
  EXPECT_FALSE(LuhnCheckDigit("").has_value());
  EXPECT_FALSE(LuhnCheckDigit("12x").has_value());
}

TEST(LuhnTest, CheckDigitCompletesEveryPayloadOfNineDigits) {
  // Whatever the payload, appending its check digit gives a valid number and any other digit
  // gives an invalid one.
  for (const char* payload : {"000000000", "811218987", "556036079", "999999999", "701063239"}) {
    SCOPED_TRACE(payload);
    const int check = LuhnCheckDigit(payload).value();
    for (int d = 0; d <= 9; ++d) {
      EXPECT_EQ(LuhnValid(std::string(payload) + static_cast<char>('0' + d)), d == check);
    }
  }
}

}  // namespace
}  // namespace integration::se
