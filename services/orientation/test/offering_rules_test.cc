// Unit tests of the checks of offerings and participants: the identity number's forms
// (personnummer, samordningsnummer day + 60, '+' for 100 and older), the derived birth date,
// and the fields of an offering.
#include "rules/offering_rules.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/dates/day.h"
#include "integration/status/status.h"

namespace integration::orientation {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::CivilDay kToday(2027, 3, 15);

v1::Participant WithNumber(const std::string& number) {
  v1::Participant p;
  p.set_personnummer(number);
  p.set_registered_kommunkod("0380");
  *p.mutable_registration_date() = dates::DateOf(absl::CivilDay(2026, 9, 1));
  *p.mutable_first_registration_date() = dates::DateOf(absl::CivilDay(2026, 9, 1));
  p.set_permit_type(v1::PERMIT_TYPE_PROTECTION);
  p.add_citizenships("SY");
  return p;
}

std::vector<std::string> Fields(const absl::Status& st) {
  std::vector<std::string> out;
  if (std::optional<google::rpc::BadRequest> bad = status::GetBadRequest(st)) {
    for (const auto& v : bad->field_violations()) out.push_back(v.field());
  }
  return out;
}

struct NumberCase {
  std::string text;
  absl::CivilDay birth;
  bool coordination;
};

class NumberFormsTest : public ::testing::TestWithParam<NumberCase> {};

TEST_P(NumberFormsTest, ParsesAndDerivesTheBirthDate) {
  absl::StatusOr<CheckedParticipant> checked =
      CheckParticipant(WithNumber(GetParam().text), kToday, "participant");
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(checked->pnr.birth_date, GetParam().birth);
  EXPECT_EQ(checked->pnr.is_coordination_number, GetParam().coordination);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, NumberFormsTest,
    ::testing::Values(NumberCase{"19900512-1232", absl::CivilDay(1990, 5, 12), false},
                      NumberCase{"199005121232", absl::CivilDay(1990, 5, 12), false},
                      NumberCase{"900512-1232", absl::CivilDay(1990, 5, 12), false},
                      NumberCase{"9005121232", absl::CivilDay(1990, 5, 12), false},
                      // Samordningsnummer: day + 60.
                      NumberCase{"198511630009", absl::CivilDay(1985, 11, 3), true},
                      NumberCase{"851163-0009", absl::CivilDay(1985, 11, 3), true},
                      // '+': 100 or older, so the century before the '-' reading.
                      NumberCase{"230512+1234", absl::CivilDay(1923, 5, 12), false},
                      NumberCase{"230512-1234", absl::CivilDay(2023, 5, 12), false}));

TEST(CheckParticipantTest, BadNumbersAreRefusedWithoutEchoingThem) {
  for (const std::string bad :
       {"19900512-1233", "19900532-1230", "1990051", "abcdefghij", "19901372-1232"}) {
    absl::StatusOr<CheckedParticipant> checked =
        CheckParticipant(WithNumber(bad), kToday, "participant");
    ASSERT_FALSE(checked.ok()) << bad;
    EXPECT_EQ(checked.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(Fields(checked.status()), ElementsAre("participant.personnummer"));
    EXPECT_THAT(std::string(checked.status().message()), ::testing::Not(HasSubstr(bad)));
  }
}

TEST(CheckParticipantTest, EveryBadFieldIsReported) {
  v1::Participant p = WithNumber("19900512-1232");
  p.set_registered_kommunkod("9999");
  *p.mutable_registration_date() = dates::DateOf(absl::CivilDay(2027, 4, 1));
  p.set_permit_type(v1::PERMIT_TYPE_UNSPECIFIED);
  p.clear_citizenships();
  p.add_languages("Arabic");
  absl::StatusOr<CheckedParticipant> checked = CheckParticipant(p, kToday, "participant");
  ASSERT_FALSE(checked.ok());
  EXPECT_THAT(Fields(checked.status()),
              ElementsAre("participant.registered_kommunkod", "participant.registration_date",
                          "participant.permit_type", "participant.citizenships",
                          "participant.languages[0]"));
}

TEST(CheckOfferingTest, KommunerOfOneCountySortedAndFieldsChecked) {
  v1::Offering o;
  o.set_display_name("SO på dari");
  o.set_language("prs");
  o.set_communicator("Farid Ahmadi");
  *o.mutable_period()->mutable_start_date() = dates::DateOf(absl::CivilDay(2027, 1, 10));
  *o.mutable_period()->mutable_end_date() = dates::DateOf(absl::CivilDay(2027, 6, 30));
  o.set_capacity(15);
  o.add_kommunkoder("0381");
  o.add_kommunkoder("0380");
  absl::StatusOr<CheckedOffering> checked = CheckOffering(o, "offering");
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(checked->lanskod, "03");
  EXPECT_THAT(checked->kommunkoder, ElementsAre("0380", "0381"));

  o.add_kommunkoder("0180");  // Stockholm: another county
  o.add_kommunkoder("0380");  // twice
  o.set_language("Dari");
  o.set_capacity(0);
  *o.mutable_period()->mutable_end_date() = dates::DateOf(absl::CivilDay(2026, 12, 31));
  EXPECT_THAT(Fields(CheckOffering(o, "offering").status()),
              ElementsAre("offering.language", "offering.period.end_date", "offering.capacity",
                          "offering.kommunkoder[2]", "offering.kommunkoder[3]"));
}

}  // namespace
}  // namespace integration::orientation
