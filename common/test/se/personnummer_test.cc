// Unit tests for personnummer / samordningsnummer parsing: forms, century rules, dates, checks.
#include "integration/se/personnummer.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/status/status.h"

namespace integration::se {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The reference day used unless a test needs another: 1 March 2026.
const absl::CivilDay kToday(2026, 3, 1);

std::string Reason(const absl::Status& status) {
  auto info = integration::status::GetErrorInfo(status);
  return info ? info->reason() : "";
}

std::string ViolationField(const absl::Status& status) {
  auto bad = integration::status::GetBadRequest(status);
  if (!bad || bad->field_violations_size() != 1) return "";
  return bad->field_violations(0).field();
}

TEST(PersonnummerTest, AllSpellingsOfOnePersonNormalizeAlike) {
  for (const char* text :
       {"811218-9876", "8112189876", "198112189876", "19811218-9876", "  811218-9876\n"}) {
    SCOPED_TRACE(text);
    absl::StatusOr<Personnummer> pnr = ParsePersonnummer(text, kToday);
    ASSERT_TRUE(pnr.ok()) << pnr.status();
    EXPECT_EQ(pnr->normalized, "198112189876");
    EXPECT_EQ(pnr->birth_date, absl::CivilDay(1981, 12, 18));
    EXPECT_FALSE(pnr->is_coordination_number);
    EXPECT_EQ(pnr->sex, Sex::kMale);  // 9th digit 7
    EXPECT_EQ(pnr->AgeOn(kToday), 44);
    EXPECT_EQ(pnr->TenDigitForm(kToday), "811218-9876");
  }
}

TEST(PersonnummerTest, EvenNinthDigitIsFemale) {
  absl::StatusOr<Personnummer> pnr = ParsePersonnummer("811218-9868", kToday);
  ASSERT_TRUE(pnr.ok()) << pnr.status();
  EXPECT_EQ(pnr->sex, Sex::kFemale);
}

TEST(PersonnummerTest, PlusMeansHundredOrOlder) {
  absl::StatusOr<Personnummer> old = ParsePersonnummer("121212+1212", kToday);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->normalized, "191212121212");
  EXPECT_EQ(old->birth_date, absl::CivilDay(1912, 12, 12));
  EXPECT_EQ(old->AgeOn(kToday), 113);
  EXPECT_EQ(old->TenDigitForm(kToday), "121212+1212");
  // Before the 100th birthday the register wrote '-'.
  EXPECT_EQ(old->TenDigitForm(absl::CivilDay(2012, 12, 11)), "121212-1212");
  EXPECT_EQ(old->TenDigitForm(absl::CivilDay(2012, 12, 12)), "121212+1212");

  absl::StatusOr<Personnummer> young = ParsePersonnummer("121212-1212", kToday);
  ASSERT_TRUE(young.ok()) << young.status();
  EXPECT_EQ(young->normalized, "201212121212");
  EXPECT_EQ(young->AgeOn(kToday), 13);

  absl::StatusOr<Personnummer> very_old = ParsePersonnummer("811218+9876", kToday);
  ASSERT_TRUE(very_old.ok()) << very_old.status();
  EXPECT_EQ(very_old->normalized, "188112189876");
}

TEST(PersonnummerTest, CenturyBoundaryFollowsReferenceDate) {
  // Born today: the current century, age 0.
  absl::StatusOr<Personnummer> today = ParsePersonnummer("260301-1236", kToday);
  ASSERT_TRUE(today.ok()) << today.status();
  EXPECT_EQ(today->normalized, "202603011236");
  EXPECT_EQ(today->AgeOn(kToday), 0);

  // One day later would be in the future, so the person was born a century earlier and is 99.
  absl::StatusOr<Personnummer> tomorrow = ParsePersonnummer("260302-1235", kToday);
  ASSERT_TRUE(tomorrow.ok()) << tomorrow.status();
  EXPECT_EQ(tomorrow->normalized, "192603021235");
  EXPECT_EQ(tomorrow->AgeOn(kToday), 99);
  // Without a separator the rule is the same as '-'.
  EXPECT_EQ(ParsePersonnummer("2603021235", kToday)->normalized, "192603021235");

  // '+' on the 100th birthday.
  absl::StatusOr<Personnummer> hundred = ParsePersonnummer("260301+1236", kToday);
  ASSERT_TRUE(hundred.ok()) << hundred.status();
  EXPECT_EQ(hundred->normalized, "192603011236");
  EXPECT_EQ(hundred->AgeOn(kToday), 100);

  // '+' for someone who would be 99: must be a century earlier still.
  absl::StatusOr<Personnummer> older = ParsePersonnummer("260302+1235", kToday);
  ASSERT_TRUE(older.ok()) << older.status();
  EXPECT_EQ(older->normalized, "182603021235");
  EXPECT_EQ(older->AgeOn(kToday), 199);

  // The same text read on another day lands in another century.
  EXPECT_EQ(ParsePersonnummer("260302-1235", absl::CivilDay(2026, 3, 2))->normalized,
            "202603021235");
}

TEST(PersonnummerTest, SamordningsnummerAddsSixtyToTheDay) {
  for (const char* text : {"701063-2391", "197010632391", "19701063-2391"}) {
    SCOPED_TRACE(text);
    absl::StatusOr<Personnummer> pnr = ParsePersonnummer(text, kToday);
    ASSERT_TRUE(pnr.ok()) << pnr.status();
    EXPECT_EQ(pnr->normalized, "197010632391");  // kept as issued, day + 60
    EXPECT_EQ(pnr->birth_date, absl::CivilDay(1970, 10, 3));
    EXPECT_TRUE(pnr->is_coordination_number);
    EXPECT_EQ(pnr->sex, Sex::kMale);  // 9th digit 9
    EXPECT_EQ(pnr->TenDigitForm(kToday), "701063-2391");
  }
}

TEST(PersonnummerTest, LeapDays) {
  absl::StatusOr<Personnummer> y2000 = ParsePersonnummer("000229-1235", kToday);
  ASSERT_TRUE(y2000.ok()) << y2000.status();
  EXPECT_EQ(y2000->normalized, "200002291235");
  EXPECT_EQ(y2000->birth_date, absl::CivilDay(2000, 2, 29));
  EXPECT_EQ(ParsePersonnummer("000229-1243", kToday)->sex, Sex::kFemale);

  // 1900 was not a leap year, so the '+' reading of the same digits is no date at all.
  absl::StatusOr<Personnummer> y1900 = ParsePersonnummer("000229+1235", kToday);
  EXPECT_EQ(y1900.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(y1900.status()), "PERSONNUMMER_INVALID_DATE");

  // 2023 is not a leap year (check digit valid, so only the date is wrong).
  EXPECT_EQ(Reason(ParsePersonnummer("230229-1238", kToday).status()), "PERSONNUMMER_INVALID_DATE");
  EXPECT_EQ(Reason(ParsePersonnummer("20230229-1238", kToday).status()),
            "PERSONNUMMER_INVALID_DATE");

  // 2024-02-29 read on 2024-02-28 is in the future; 1924 was a leap year, so that is the date.
  absl::StatusOr<Personnummer> y1924 =
      ParsePersonnummer("240229-9875", absl::CivilDay(2024, 2, 28));
  ASSERT_TRUE(y1924.ok()) << y1924.status();
  EXPECT_EQ(y1924->normalized, "192402299875");
  EXPECT_EQ(ParsePersonnummer("240229-9875", kToday)->normalized, "202402299875");
}

TEST(PersonnummerTest, AgeCountsCompletedYears) {
  const absl::CivilDay leap_birth(2000, 2, 29);
  EXPECT_EQ(AgeOn(leap_birth, absl::CivilDay(2001, 2, 28)), 0);
  EXPECT_EQ(AgeOn(leap_birth, absl::CivilDay(2001, 3, 1)), 1);
  EXPECT_EQ(AgeOn(leap_birth, absl::CivilDay(2004, 2, 29)), 4);
  const absl::CivilDay birth(2008, 6, 15);
  EXPECT_EQ(AgeOn(birth, absl::CivilDay(2026, 6, 14)), 17);
  EXPECT_EQ(AgeOn(birth, absl::CivilDay(2026, 6, 15)), 18);
  EXPECT_EQ(AgeOn(birth, birth), 0);
  EXPECT_LT(AgeOn(birth, absl::CivilDay(2008, 6, 14)), 0);
}

TEST(PersonnummerTest, BadFormats) {
  for (const char* text : {"", "811218", "81121-89876", "811218 9876", "811218/9876",
                           "811218--9876", "19811218+9876", "1981121898765", "abcdef-ghij",
                           "8112189876x", "+811218-9876", "19811218 9876", "811218-98765"}) {
    SCOPED_TRACE(text);
    absl::Status status = ParsePersonnummer(text, kToday).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(status), "PERSONNUMMER_INVALID_FORMAT");
    EXPECT_EQ(ViolationField(status), "personnummer");
  }
}

TEST(PersonnummerTest, BadDates) {
  // Each has a valid check digit, so the date is the only fault.
  for (const char* text : {"811318-9875",     // month 13
                           "811200-9876",     // day 0
                           "811232-9878",     // day 32
                           "701060-2394",     // samordningsnummer day 0
                           "701092-2396"}) {  // samordningsnummer day 32
    SCOPED_TRACE(text);
    absl::Status status = ParsePersonnummer(text, kToday).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(status), "PERSONNUMMER_INVALID_DATE");
  }
}

TEST(PersonnummerTest, BadChecksum) {
  for (const char* text : {"811218-9875", "198112189877", "701063-2392", "121212+1213"}) {
    SCOPED_TRACE(text);
    absl::Status status = ParsePersonnummer(text, kToday).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(status), "PERSONNUMMER_INVALID_CHECKSUM");
  }
}

TEST(PersonnummerTest, FutureBirthDateIn12DigitForm) {
  absl::Status status = ParsePersonnummer("202603021235", kToday).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(status), "PERSONNUMMER_FUTURE_BIRTH_DATE");
  EXPECT_TRUE(ParsePersonnummer("202603011236", kToday).ok());
}

// Found by tests/fuzz (personnummer_fuzz): "119811289876" was accepted as born in 1198, whose
// 10-digit form "981128+9876" names someone born in 1898. The 10-digit form expresses ages up to
// 199, so a 12-digit form 200 years or more back is refused, and every accepted number's
// 10-digit form names the same person.
TEST(PersonnummerTest, BirthTwoHundredYearsAgoOrMoreIsRefused) {
  for (const char* text : {"119811289876", "182603011236", "17981128-9876"}) {
    SCOPED_TRACE(text);
    absl::Status status = ParsePersonnummer(text, kToday).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(status), "PERSONNUMMER_INVALID_DATE");
  }
  absl::StatusOr<Personnummer> oldest = ParsePersonnummer("182603021235", kToday);
  ASSERT_TRUE(oldest.ok()) << oldest.status();
  EXPECT_EQ(oldest->AgeOn(kToday), 199);
  EXPECT_EQ(oldest->TenDigitForm(kToday), "260302+1235");
  EXPECT_EQ(ParsePersonnummer(oldest->TenDigitForm(kToday), kToday)->normalized, "182603021235");
}

TEST(PersonnummerTest, ErrorsNameTheFieldButNeverTheNumber) {
  absl::Status status =
      ParsePersonnummer("811218-9875", kToday, "participant.personnummer").status();
  EXPECT_EQ(ViolationField(status), "participant.personnummer");
  EXPECT_THAT(std::string(status.message()), HasSubstr("participant.personnummer"));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("811218")));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("9875")));
  EXPECT_THAT(status.ToString(), Not(HasSubstr("811218")));
}

}  // namespace
}  // namespace integration::se
