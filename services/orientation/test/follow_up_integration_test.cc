// Integration tests of the county's follow-up: enrolled, started within the window, completed
// (within a year), minutes and languages offered per kommun and in total for a survey year,
// persons below 5 suppressed, and the CSV export.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "orientation_test_env.h"

namespace integration::orientation::testing {
namespace {

using ::testing::ElementsAre;

class FollowUpTest : public OrientationTest {
 protected:
  // A participant of `kommun` registered there on `registered`, enrolled in `offering`.
  std::string Enrolled(const std::string& kommun, int serial, absl::CivilDay registered,
                       const v1::Offering& offering) {
    v1::CreateParticipantRequest req;
    req.set_parent(absl::StrCat("kommuner/", kommun));
    *req.mutable_participant() = OrientationTestEnv::Participant(
        kommun, OrientationTestEnv::Pnr(absl::CivilDay(1985, 4, 2), serial));
    *req.mutable_participant()->mutable_registration_date() = OrientationTestEnv::Date(registered);
    *req.mutable_participant()->mutable_first_registration_date() =
        OrientationTestEnv::Date(registered);
    v1::Participant p;
    ::grpc::Status st = env().Call(&Stub::CreateParticipant, env().KommunToken(kommun), req, &p);
    EXPECT_TRUE(st.ok()) << Describe(st);
    return env().Enrol(p, offering).name();
  }
};

TEST_F(FollowUpTest, FiguresPerKommunAndCountyForTheSurveyYear) {
  env().SetToday(absl::CivilDay(2027, 1, 1));
  const v1::Offering shared = env().CreateOffering({"0380", "0381"}, "ar");
  const v1::Offering own = env().CreateOffering({"0380"}, "so");
  const std::vector<v1::Theme> all = OrientationTestEnv::AllThemes();
  std::vector<v1::Session> sessions;
  for (int i = 0; i < 25; ++i) {
    sessions.push_back(env().CreateSession(shared, absl::CivilDay(2027, 1, 3) + 7 * i, all, 30));
  }
  env().CreateSession(own, absl::CivilDay(2027, 2, 1), {v1::THEME_HEALTH}, 60);
  const v1::Session cancelled =
      env().CreateSession(own, absl::CivilDay(2027, 2, 8), {v1::THEME_HEALTH}, 60);
  v1::CancelSessionRequest cancel;
  cancel.set_name(cancelled.name());
  cancel.set_reason("Inställt");
  v1::Session ignored;
  ASSERT_TRUE(env().Call(&Stub::CancelSession, env().KommunToken("0380"), cancel, &ignored).ok());

  // 0380: five registered a month before the start, one four months before; 0381: two.
  std::vector<std::string> uppsala, enkoping;
  for (int i = 0; i < 5; ++i) {
    uppsala.push_back(Enrolled("0380", 100 + i, absl::CivilDay(2026, 12, 1), shared));
  }
  uppsala.push_back(Enrolled("0380", 200, absl::CivilDay(2026, 9, 1), shared));
  for (int i = 0; i < 2; ++i) {
    enkoping.push_back(Enrolled("0381", 300 + i, absl::CivilDay(2026, 12, 1), shared));
  }
  env().SetToday(absl::CivilDay(2027, 7, 1));
  for (const v1::Session& s : sessions) {
    ASSERT_TRUE(env().Attend("0380", s, uppsala).ok());
    ASSERT_TRUE(env().Attend("0381", s, enkoping).ok());
  }

  v1::FollowUp f;
  ::grpc::Status st =
      env().Call(&Stub::GetFollowUp, env().OfficerToken("03"), v1::GetFollowUpRequest(), &f);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(f.survey_year(), 2027);
  EXPECT_EQ(f.lanskod(), "03");
  ASSERT_EQ(f.kommuner_size(), 2);
  const v1::FollowUpFigures& u = f.kommuner(0).figures();
  EXPECT_EQ(f.kommuner(0).kommunkod(), "0380");
  EXPECT_EQ(u.enrolled().value(), 6);
  EXPECT_EQ(u.started_within_window().value(), 5);
  EXPECT_EQ(u.completed().value(), 6);
  EXPECT_EQ(u.completed_within_one_year().value(), 6);
  EXPECT_EQ(u.minutes_offered(), 25 * 240 + 60);
  EXPECT_THAT(u.languages_offered(), ElementsAre("ar", "so"));
  const v1::FollowUpFigures& e = f.kommuner(1).figures();
  EXPECT_TRUE(e.enrolled().suppressed());
  EXPECT_EQ(e.enrolled().value(), 0);
  EXPECT_TRUE(e.completed().suppressed());
  EXPECT_EQ(e.minutes_offered(), 25 * 240);
  EXPECT_THAT(e.languages_offered(), ElementsAre("ar"));
  EXPECT_EQ(f.total().enrolled().value(), 8);
  EXPECT_EQ(f.total().started_within_window().value(), 7);
  EXPECT_EQ(f.total().completed().value(), 8);
  EXPECT_EQ(f.total().minutes_offered(), 25 * 240 + 60) << "a shared session counts once";

  // The previous survey year has nothing; another county sees nothing of this one.
  v1::GetFollowUpRequest previous;
  previous.set_survey_year(2026);
  ASSERT_TRUE(env().Call(&Stub::GetFollowUp, env().OfficerToken("03"), previous, &f).ok());
  EXPECT_EQ(f.kommuner_size(), 0);
  ASSERT_TRUE(
      env().Call(&Stub::GetFollowUp, env().AdminToken("01"), v1::GetFollowUpRequest(), &f).ok());
  EXPECT_EQ(f.lanskod(), "01");
  EXPECT_EQ(f.kommuner_size(), 0);
  st = env().Call(&Stub::GetFollowUp, env().KommunToken("0380"), v1::GetFollowUpRequest(), &f);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);

  v1::ExportFollowUpRequest csv;
  csv.set_survey_year(2027);
  v1::FollowUpExport exported;
  ASSERT_TRUE(env().Call(&Stub::ExportFollowUp, env().OfficerToken("03"), csv, &exported).ok());
  EXPECT_EQ(exported.filename(), "orientation-follow-up-03-2027.csv");
  EXPECT_EQ(exported.data(),
            "kommunkod,enrolled,started_within_window,completed,completed_within_one_year,"
            "minutes_offered,languages_offered\r\n"
            "0380,6,5,6,6,6060,ar so\r\n"
            "0381,<5,<5,<5,<5,6000,ar\r\n"
            "lan 03,8,7,8,8,6060,ar so\r\n");
}

}  // namespace
}  // namespace integration::orientation::testing
