// Unit tests of the early measures rules: age bands at their edges, the 18+ rule, which
// decision covers an activity, session checks and the suppression of small groups.
#include "rules/tia_rules.h"

#include "gtest/gtest.h"
#include "rules/names.h"

namespace integration::early_measures {
namespace {

std::string Reason(const absl::Status& st) {
  auto info = status::GetErrorInfo(st);
  return info ? info->reason() : "";
}

Period P(int y1, int m1, int d1, int y2, int m2, int d2) {
  return Period{absl::CivilDay(y1, m1, d1), absl::CivilDay(y2, m2, d2)};
}

TEST(AgeBandTest, BandsAtTheirEdges) {
  const int year = 2027;
  EXPECT_EQ(AgeBandOf(2010, year), v1::AGE_BAND_UNSPECIFIED);  // 17
  EXPECT_EQ(AgeBandOf(2009, year), v1::AGE_BAND_18_24);        // 18
  EXPECT_EQ(AgeBandOf(2003, year), v1::AGE_BAND_18_24);        // 24
  EXPECT_EQ(AgeBandOf(2002, year), v1::AGE_BAND_25_34);        // 25
  EXPECT_EQ(AgeBandOf(1993, year), v1::AGE_BAND_25_34);        // 34
  EXPECT_EQ(AgeBandOf(1992, year), v1::AGE_BAND_35_49);        // 35
  EXPECT_EQ(AgeBandOf(1978, year), v1::AGE_BAND_35_49);        // 49
  EXPECT_EQ(AgeBandOf(1977, year), v1::AGE_BAND_50_64);        // 50
  EXPECT_EQ(AgeBandOf(1963, year), v1::AGE_BAND_50_64);        // 64
  EXPECT_EQ(AgeBandOf(1962, year), v1::AGE_BAND_65_PLUS);      // 65
  EXPECT_EQ(AgeBandOf(1920, year), v1::AGE_BAND_65_PLUS);
}

TEST(ParticipantRulesTest, EighteenInTheYearIsEnough) {
  v1::Participant p;
  p.set_lma_number("12-345678");
  p.set_sex(type::SEX_FEMALE);
  p.set_birth_year(2009);
  EXPECT_TRUE(CheckParticipant(p, 2027, "participant").ok());
  p.set_birth_year(2010);
  absl::Status st = CheckParticipant(p, 2027, "participant");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(st), kReasonParticipantUnder18);
  auto bad = status::GetBadRequest(st);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "participant.birth_year");
  // Missing fields are reported together.
  st = CheckParticipant(v1::Participant(), 2027, "participant");
  EXPECT_EQ(Reason(st), kReasonParticipantInvalid);
  EXPECT_EQ(status::GetBadRequest(st)->field_violations_size(), 3);
  p.set_birth_year(2028);  // not born yet
  EXPECT_EQ(Reason(CheckParticipant(p, 2027, "participant")), kReasonParticipantInvalid);
}

TEST(FundingRulesTest, OneDecisionMustCoverTheWholePeriod) {
  const Period activity = P(2027, 3, 1, 2027, 6, 30);
  const FundingDecision spring{"calls/1/applications/1", "851-1-2027", P(2027, 1, 1, 2027, 4, 30)};
  const FundingDecision summer{"calls/1/applications/2", "851-2-2027", P(2027, 5, 1, 2027, 12, 31)};
  const FundingDecision year{"calls/1/applications/3", "851-3-2027", P(2027, 1, 1, 2027, 12, 31)};
  const FundingDecision exact{"calls/1/applications/4", "851-4-2027", P(2027, 3, 1, 2027, 6, 30)};
  // Two adjacent decisions that only together cover it do not fund it.
  EXPECT_FALSE(CoveringDecision({spring, summer}, activity).has_value());
  EXPECT_FALSE(CoveringDecision({}, activity).has_value());
  // A period one day outside.
  EXPECT_FALSE(CoveringDecision({exact}, P(2027, 2, 28, 2027, 6, 30)).has_value());
  EXPECT_FALSE(CoveringDecision({exact}, P(2027, 3, 1, 2027, 7, 1)).has_value());
  ASSERT_TRUE(CoveringDecision({exact}, activity).has_value());
  // The earliest-starting covering decision.
  std::optional<FundingDecision> chosen = CoveringDecision({spring, exact, year}, activity);
  ASSERT_TRUE(chosen.has_value());
  EXPECT_EQ(chosen->application, "calls/1/applications/3");
  EXPECT_EQ(Reason(NoCoveringDecision("802400-1235", "01", activity)), kReasonNoCoveringDecision);
}

TEST(ActivityRulesTest, EveryBadFieldIsNamed) {
  v1::Activity a;
  a.set_kommunkod("0399");
  a.mutable_period()->mutable_start_date()->set_year(2027);
  absl::Status st = CheckActivity(a, "activity");
  EXPECT_EQ(Reason(st), kReasonActivityInvalid);
  std::vector<std::string> fields;
  const std::optional<google::rpc::BadRequest> bad = status::GetBadRequest(st);
  ASSERT_TRUE(bad.has_value());
  for (const auto& v : bad->field_violations()) fields.push_back(v.field());
  EXPECT_EQ(fields, (std::vector<std::string>{
                        "activity.display_name", "activity.type", "activity.kommunkod",
                        "activity.period.start_date", "activity.period.end_date",
                        "activity.planned_sessions", "activity.planned_hours"}));
  a.set_display_name("Svenska");
  a.set_type(v1::ACTIVITY_TYPE_SWEDISH_LANGUAGE);
  a.set_kommunkod("0180");
  *a.mutable_period() = PeriodOf(P(2027, 3, 1, 2027, 6, 30));
  a.set_planned_sessions(20);
  a.set_planned_hours(40);
  EXPECT_TRUE(CheckActivity(a, "activity").ok());
  *a.mutable_period() = PeriodOf(P(2027, 3, 1, 2027, 2, 28));
  EXPECT_FALSE(CheckActivity(a, "activity").ok());
}

TEST(SessionRulesTest, InsideThePeriodAndOfSensibleLength) {
  const Period period = P(2027, 3, 1, 2027, 6, 30);
  v1::Session s;
  *s.mutable_date() = DateOf(absl::CivilDay(2027, 3, 1));
  s.set_duration_minutes(90);
  EXPECT_TRUE(CheckSession(s, period, "session").ok());
  *s.mutable_date() = DateOf(absl::CivilDay(2027, 7, 1));
  EXPECT_EQ(Reason(CheckSession(s, period, "session")), kReasonSessionInvalid);
  *s.mutable_date() = DateOf(absl::CivilDay(2027, 6, 30));
  s.set_duration_minutes(0);
  EXPECT_FALSE(CheckSession(s, period, "session").ok());
  s.set_duration_minutes(601);
  EXPECT_FALSE(CheckSession(s, period, "session").ok());
}

TEST(StatisticsRulesTest, GroupsBelowFiveAreWithheldAndBirthYearsMergeIntoBands) {
  std::vector<GroupCount> groups = {
      {v1::ACTIVITY_TYPE_HEALTH, "0180", type::SEX_FEMALE, 2000, 3, 300},  // 27: 25-34
      {v1::ACTIVITY_TYPE_HEALTH, "0180", type::SEX_FEMALE, 1995, 2, 120},  // 32: 25-34
      {v1::ACTIVITY_TYPE_HEALTH, "0180", type::SEX_MALE, 1990, 4, 240},    // 37: 35-49
  };
  std::vector<OrganisationCount> orgs = {{"802400-1235", "0180", 1, 9, 660},
                                         {"802480-6377", "0180", 2, 4, 60}};
  v1::Statistics s = BuildStatistics(2027, "01", groups, orgs, 9, 660);
  ASSERT_EQ(s.rows_size(), 2);
  EXPECT_EQ(s.rows(0).age_band(), v1::AGE_BAND_25_34);
  EXPECT_EQ(s.rows(0).participants(), 5);
  EXPECT_DOUBLE_EQ(s.rows(0).participant_hours(), 7.0);
  EXPECT_FALSE(s.rows(0).suppressed());
  EXPECT_TRUE(s.rows(1).suppressed());
  EXPECT_EQ(s.rows(1).participants(), 0);
  EXPECT_EQ(s.rows(1).participant_hours(), 0);
  EXPECT_EQ(s.organisations(0).organisation(), "organisations/8024001235");
  EXPECT_EQ(s.organisations(0).participants(), 9);
  EXPECT_TRUE(s.organisations(1).suppressed());
  EXPECT_EQ(s.organisations(1).activities(), 2);
  EXPECT_EQ(s.participants(), 9);
  EXPECT_TRUE(BuildStatistics(2027, "01", {}, {}, 4, 100).suppressed());
}

TEST(NamesTest, OrganisationNumbersInNamesAreCheckedAndNormalised) {
  absl::StatusOr<ActivityId> id = ParseActivityName("organisations/8024001235/activities/7", "name");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->orgnr, "802400-1235");
  EXPECT_EQ(ActivityName(id->orgnr, 7), "organisations/8024001235/activities/7");
  EXPECT_EQ(Reason(ParseActivityName("organisations/8024001234/activities/7", "name").status()),
            "ORGANISATIONSNUMMER_INVALID_CHECKSUM");
  EXPECT_EQ(Reason(ParseActivityName("organisations/802400-1235/activities/7", "name").status()),
            kReasonNameInvalid);
  EXPECT_EQ(Reason(ParseSessionName("organisations/8024001235/activities/7/sessions/0", "n")
                       .status()),
            kReasonNameInvalid);
}

}  // namespace
}  // namespace integration::early_measures
