// Unit tests of the target-group check: every reason alone and together, at the edges of the
// dates (18th birthday, pension reference age, exactly three years after first registration).
#include "rules/eligibility.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/status/status.h"

namespace integration::orientation {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

// An eligible person: born 1990-05-12, protection permit, Syrian, registered in Uppsala (0380)
// since 2026-09-01, enrolled there on 2027-03-15 with reference age 67.
EligibilityFacts Eligible() {
  return EligibilityFacts{
      .birth_date = absl::CivilDay(1990, 5, 12),
      .enrol_date = absl::CivilDay(2027, 3, 15),
      .pension_reference_age = 67,
      .permit = v1::PERMIT_TYPE_PROTECTION,
      .first_registration_date = absl::CivilDay(2026, 9, 1),
      .registration_date = absl::CivilDay(2026, 9, 1),
      .citizenships = {"SY"},
      .registered_kommunkod = "0380",
      .enrolling_kommunkod = "0380",
  };
}

std::vector<v1::IneligibilityReason> Reasons(const EligibilityFacts& facts) {
  std::vector<v1::IneligibilityReason> out;
  for (const Ineligibility& f : CheckEligibility(facts)) out.push_back(f.reason);
  return out;
}

struct Case {
  std::string name;
  void (*change)(EligibilityFacts&);
  std::vector<v1::IneligibilityReason> expected;
};

class EligibilityTableTest : public ::testing::TestWithParam<Case> {};

TEST_P(EligibilityTableTest, ReportsExactlyTheFailingReasons) {
  EligibilityFacts facts = Eligible();
  GetParam().change(facts);
  EXPECT_THAT(Reasons(facts), ElementsAreArray(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EligibilityTableTest,
    ::testing::Values(
        Case{"eligible", [](EligibilityFacts&) {}, {}},
        // Age 18: on the birthday, not the day before.
        Case{"day_before_18th_birthday",
             [](EligibilityFacts& f) {
               f.birth_date = absl::CivilDay(2009, 3, 16);
               f.first_registration_date = f.registration_date = absl::CivilDay(2026, 9, 1);
             },
             {v1::INELIGIBILITY_REASON_AGE_BELOW_MINIMUM}},
        Case{"on_18th_birthday",
             [](EligibilityFacts& f) { f.birth_date = absl::CivilDay(2009, 3, 15); },
             {}},
        // A 29 February birthday: 18 on 1 March of a common year.
        Case{"leap_day_born_on_28_february",
             [](EligibilityFacts& f) {
               f.birth_date = absl::CivilDay(2008, 2, 29);
               f.enrol_date = absl::CivilDay(2026, 2, 28);
               f.first_registration_date = f.registration_date = absl::CivilDay(2025, 9, 1);
             },
             {v1::INELIGIBILITY_REASON_AGE_BELOW_MINIMUM}},
        Case{"leap_day_born_on_1_march",
             [](EligibilityFacts& f) {
               f.birth_date = absl::CivilDay(2008, 2, 29);
               f.enrol_date = absl::CivilDay(2026, 3, 1);
               f.first_registration_date = f.registration_date = absl::CivilDay(2025, 9, 1);
             },
             {}},
        // Pension reference age 67: eligible the day before the 67th birthday, not on it.
        Case{"day_before_pension_reference_age",
             [](EligibilityFacts& f) { f.birth_date = absl::CivilDay(1960, 3, 16); },
             {}},
        Case{"on_pension_reference_age",
             [](EligibilityFacts& f) { f.birth_date = absl::CivilDay(1960, 3, 15); },
             {v1::INELIGIBILITY_REASON_AGE_AT_OR_ABOVE_PENSION_REFERENCE_AGE}},
        Case{"reference_age_is_data",
             [](EligibilityFacts& f) {
               f.birth_date = absl::CivilDay(1961, 3, 15);
               f.pension_reference_age = 66;
             },
             {v1::INELIGIBILITY_REASON_AGE_AT_OR_ABOVE_PENSION_REFERENCE_AGE}},
        // Three years: the day before the third anniversary is inside, the anniversary not.
        Case{"day_before_three_years",
             [](EligibilityFacts& f) { f.first_registration_date = absl::CivilDay(2024, 3, 16); },
             {}},
        Case{"exactly_three_years",
             [](EligibilityFacts& f) { f.first_registration_date = absl::CivilDay(2024, 3, 15); },
             {v1::INELIGIBILITY_REASON_REGISTRATION_WINDOW_EXPIRED}},
        Case{"permit_other",
             [](EligibilityFacts& f) { f.permit = v1::PERMIT_TYPE_OTHER; },
             {v1::INELIGIBILITY_REASON_PERMIT_NOT_ELIGIBLE}},
        Case{"permit_family_member",
             [](EligibilityFacts& f) { f.permit = v1::PERMIT_TYPE_FAMILY_MEMBER; },
             {}},
        Case{"permit_missing",
             [](EligibilityFacts& f) { f.permit = v1::PERMIT_TYPE_UNSPECIFIED; },
             {v1::INELIGIBILITY_REASON_PERMIT_NOT_ELIGIBLE}},
        Case{"eea_citizen_beside_another",
             [](EligibilityFacts& f) {
               f.citizenships = {"SY", "DE"};
             },
             {v1::INELIGIBILITY_REASON_EEA_OR_SWISS_CITIZEN}},
        Case{"swiss_citizen",
             [](EligibilityFacts& f) { f.citizenships = {"CH"}; },
             {v1::INELIGIBILITY_REASON_EEA_OR_SWISS_CITIZEN}},
        Case{"norwegian_citizen",
             [](EligibilityFacts& f) { f.citizenships = {"NO"}; },
             {v1::INELIGIBILITY_REASON_EEA_OR_SWISS_CITIZEN}},
        Case{
            "british_citizen_is_not_eea", [](EligibilityFacts& f) { f.citizenships = {"GB"}; }, {}},
        Case{"registered_in_other_kommun",
             [](EligibilityFacts& f) { f.registered_kommunkod = "0381"; },
             {v1::INELIGIBILITY_REASON_REGISTERED_IN_OTHER_KOMMUN}},
        Case{"enrolled_before_registration",
             [](EligibilityFacts& f) { f.enrol_date = absl::CivilDay(2026, 8, 31); },
             {v1::INELIGIBILITY_REASON_NOT_YET_REGISTERED}},
        // Combinations: every failing reason, in the enum's order.
        Case{"all_at_once",
             [](EligibilityFacts& f) {
               f.birth_date = absl::CivilDay(2010, 1, 1);
               f.permit = v1::PERMIT_TYPE_OTHER;
               f.first_registration_date = absl::CivilDay(2020, 1, 1);
               f.registration_date = absl::CivilDay(2027, 6, 1);
               f.citizenships = {"FR"};
               f.registered_kommunkod = "0180";
             },
             {v1::INELIGIBILITY_REASON_AGE_BELOW_MINIMUM,
              v1::INELIGIBILITY_REASON_PERMIT_NOT_ELIGIBLE,
              v1::INELIGIBILITY_REASON_REGISTRATION_WINDOW_EXPIRED,
              v1::INELIGIBILITY_REASON_EEA_OR_SWISS_CITIZEN,
              v1::INELIGIBILITY_REASON_REGISTERED_IN_OTHER_KOMMUN,
              v1::INELIGIBILITY_REASON_NOT_YET_REGISTERED}},
        Case{"old_eea_citizen_with_expired_window",
             [](EligibilityFacts& f) {
               f.birth_date = absl::CivilDay(1950, 1, 1);
               f.first_registration_date = absl::CivilDay(2023, 1, 1);
               f.citizenships = {"IT"};
             },
             {v1::INELIGIBILITY_REASON_AGE_AT_OR_ABOVE_PENSION_REFERENCE_AGE,
              v1::INELIGIBILITY_REASON_REGISTRATION_WINDOW_EXPIRED,
              v1::INELIGIBILITY_REASON_EEA_OR_SWISS_CITIZEN}}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(EligibilityTest, NotEligibleStatusCarriesEveryReasonAsAViolation) {
  EligibilityFacts facts = Eligible();
  facts.permit = v1::PERMIT_TYPE_OTHER;
  facts.citizenships = {"PL"};
  const absl::Status st = NotEligibleStatus(CheckEligibility(facts));
  ASSERT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), kReasonNotEligible);
  EXPECT_EQ(info->metadata().at("reasons"),
            "INELIGIBILITY_REASON_PERMIT_NOT_ELIGIBLE,INELIGIBILITY_REASON_EEA_OR_SWISS_CITIZEN");
  std::optional<google::rpc::BadRequest> bad = status::GetBadRequest(st);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 2);
  EXPECT_EQ(bad->field_violations(0).field(), "participant.permit_type");
  EXPECT_THAT(bad->field_violations(0).description(),
              HasSubstr("INELIGIBILITY_REASON_PERMIT_NOT_ELIGIBLE: "));
  EXPECT_EQ(bad->field_violations(1).field(), "participant.citizenships");
  EXPECT_THAT(bad->field_violations(1).description(),
              HasSubstr("INELIGIBILITY_REASON_EEA_OR_SWISS_CITIZEN: "));
  EXPECT_TRUE(NotEligibleStatus({}).ok());
}

TEST(EligibilityTest, PensionReferenceAgesAreASettingByYear) {
  absl::StatusOr<std::map<int, int>> ages = ParsePensionReferenceAges("2023:66, 2026:67,2030:68");
  ASSERT_TRUE(ages.ok()) << ages.status();
  EXPECT_EQ(PensionReferenceAgeIn(*ages, 2022), 66);
  EXPECT_EQ(PensionReferenceAgeIn(*ages, 2025), 66);
  EXPECT_EQ(PensionReferenceAgeIn(*ages, 2026), 67);
  EXPECT_EQ(PensionReferenceAgeIn(*ages, 2031), 68);
  EXPECT_FALSE(ParsePensionReferenceAges("").ok());
  EXPECT_FALSE(ParsePensionReferenceAges("2026:67,2023:66").ok());
  EXPECT_FALSE(ParsePensionReferenceAges("2026=67").ok());
  EXPECT_FALSE(ParsePensionReferenceAges("2026:99").ok());
}

}  // namespace
}  // namespace integration::orientation
