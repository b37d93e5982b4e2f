// Unit tests for organisationsnummer parsing: forms, digits 3-4, check digit and legal form.
#include "integration/se/organisationsnummer.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/status/status.h"

namespace integration::se {
namespace {

std::string Reason(const absl::Status& status) {
  auto info = integration::status::GetErrorInfo(status);
  return info ? info->reason() : "";
}

TEST(OrganisationsnummerTest, AcceptedSpellingsNormalize) {
  for (const char* text :
       {"556036-0793", "5560360793", "165560360793", "16556036-0793", " 556036-0793 "}) {
    SCOPED_TRACE(text);
    absl::StatusOr<Organisationsnummer> orgnr = ParseOrganisationsnummer(text);
    ASSERT_TRUE(orgnr.ok()) << orgnr.status();
    EXPECT_EQ(orgnr->normalized, "556036-0793");
    EXPECT_EQ(orgnr->legal_form, LegalForm::kLimitedCompany);
  }
}

TEST(OrganisationsnummerTest, LegalFormFromFirstDigit) {
  struct Case {
    const char* text;
    LegalForm form;
    const char* name;
  };
  // Check digits computed independently (Luhn).
  for (const Case& c :
       {Case{"202100-5489", LegalForm::kPublicSector, "PUBLIC_SECTOR"},
        Case{"556036-0793", LegalForm::kLimitedCompany, "LIMITED_COMPANY"},
        Case{"716421-5555", LegalForm::kEconomicAssociation, "ECONOMIC_ASSOCIATION"},
        Case{"802474-4875", LegalForm::kNonProfitOrFoundation, "NON_PROFIT_OR_FOUNDATION"},
        Case{"969661-2341", LegalForm::kPartnership, "PARTNERSHIP"},
        Case{"102000-0004", LegalForm::kOther, "OTHER"},
        Case{"302000-0000", LegalForm::kOther, "OTHER"},
        Case{"402000-0008", LegalForm::kOther, "OTHER"},
        Case{"602000-0003", LegalForm::kOther, "OTHER"}}) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<Organisationsnummer> orgnr = ParseOrganisationsnummer(c.text);
    ASSERT_TRUE(orgnr.ok()) << orgnr.status();
    EXPECT_EQ(orgnr->legal_form, c.form);
    EXPECT_EQ(LegalFormName(orgnr->legal_form), c.name);
  }
}

TEST(OrganisationsnummerTest, DigitsThreeAndFourMustBeAtLeastTwenty) {
  // Luhn-valid, so only digits 3-4 are at fault; the second is a personnummer.
  for (const char* text : {"551900-0003", "811218-9876", "100000-0008"}) {
    SCOPED_TRACE(text);
    absl::Status status = ParseOrganisationsnummer(text).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(status), "ORGANISATIONSNUMMER_INVALID_DIGITS_3_4");
    EXPECT_THAT(std::string(status.message()), ::testing::Not(::testing::HasSubstr("811218")));
  }
  EXPECT_TRUE(ParseOrganisationsnummer("552000-0000").ok());  // exactly 20
}

TEST(OrganisationsnummerTest, BadChecksum) {
  for (const char* text : {"556036-0794", "5560360790", "165560360792"}) {
    SCOPED_TRACE(text);
    absl::Status status = ParseOrganisationsnummer(text).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(status), "ORGANISATIONSNUMMER_INVALID_CHECKSUM");
  }
}

TEST(OrganisationsnummerTest, BadFormats) {
  for (const char* text :
       {"", "556036079", "55603607930", "5560-360793", "556036+0793", "195560360793", "16556036079",
        "556036-079x", "1655603607931", "556 036 0793"}) {
    SCOPED_TRACE(text);
    absl::Status status = ParseOrganisationsnummer(text, "applicant.orgnr").status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(status), "ORGANISATIONSNUMMER_INVALID_FORMAT");
    auto bad = integration::status::GetBadRequest(status);
    ASSERT_TRUE(bad.has_value());
    ASSERT_EQ(bad->field_violations_size(), 1);
    EXPECT_EQ(bad->field_violations(0).field(), "applicant.orgnr");
  }
}

}  // namespace
}  // namespace integration::se
