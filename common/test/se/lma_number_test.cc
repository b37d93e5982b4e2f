// Unit tests for LMA / dossier number parsing and normalisation.
#include "integration/se/lma_number.h"

#include <string>

#include "gtest/gtest.h"
#include "integration/status/status.h"

namespace integration::se {
namespace {

std::string Reason(const absl::Status& status) {
  auto info = integration::status::GetErrorInfo(status);
  return info ? info->reason() : "";
}

TEST(LmaNumberTest, ParsesAndNormalises) {
  absl::StatusOr<LmaNumber> plain = ParseLmaNumber("12-345678");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->dossier_number, "12-345678");
  EXPECT_FALSE(plain->card_serial.has_value());
  EXPECT_EQ(plain->ToString(), "12-345678");

  absl::StatusOr<LmaNumber> compact = ParseLmaNumber(" 12345678 ");
  ASSERT_TRUE(compact.ok()) << compact.status();
  EXPECT_EQ(compact->ToString(), "12-345678");

  absl::StatusOr<LmaNumber> card = ParseLmaNumber("12-345678/3");
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ(card->dossier_number, "12-345678");
  EXPECT_EQ(card->card_serial, 3);
  EXPECT_EQ(card->ToString(), "12-345678/3");

  EXPECT_EQ(ParseLmaNumber("12345678/0")->ToString(), "12-345678/0");
}

TEST(LmaNumberTest, RejectsOtherShapes) {
  for (const char* text :
       {"", "12-34567", "12-3456789", "1-2345678", "123-45678", "12_345678", "12-345678/",
        "12-345678/12", "12-345678/x", "ab-345678", "12-345678 /1", "1234567", "12-3456/78"}) {
    SCOPED_TRACE(text);
    absl::Status status = ParseLmaNumber(text, "participant.lma_number").status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(status), "LMA_NUMBER_INVALID_FORMAT");
    auto bad = integration::status::GetBadRequest(status);
    ASSERT_TRUE(bad.has_value());
    EXPECT_EQ(bad->field_violations(0).field(), "participant.lma_number");
  }
}

}  // namespace
}  // namespace integration::se
