// GetStatistics against a real server and PostgreSQL: counts by organisation type, kommun and
// month, module pass rates, the period filter and the county officer's län scope.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "training_test_env.h"

namespace integration::training::testing {
namespace {

namespace type = ::lansstyrelsen::integration::type::v1;

class StatisticsTest : public TrainingTest {
 protected:
  // One part with two modules; learners in Uppsala (0380) and Enköping (0381), both Uppsala
  // län (03):
  //   anna   0380 association  passes both modules  -> course diploma + part certificate
  //   bertil 0380 kommun       fails m1 once, then passes it
  //   cecilia 0381 company     enrolled, no attempts
  void SetUp() override {
    TrainingTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(env().CreatePart("introduktion", "Introduktion", 1).ok());
    ASSERT_TRUE(env().PublishedModule("introduktion", "m1", MakeQuiz()).ok());
    ASSERT_TRUE(env().PublishedModule("introduktion", "m2", MakeQuiz()).ok());
    Enrol("anna", "0380", type::ORGANISATION_TYPE_ASSOCIATION);
    Enrol("bertil", "0380", type::ORGANISATION_TYPE_KOMMUN);
    Enrol("cecilia", "0381", type::ORGANISATION_TYPE_COMPANY);
    Take("anna", "m1", true);
    Take("anna", "m2", true);
    Take("bertil", "m1", false);
    Take("bertil", "m1", true);
  }

  void Enrol(const std::string& id, const std::string& kommunkod,
             type::OrganisationType organisation_type) {
    v1::CreateLearnerRequest req;
    v1::Learner* l = req.mutable_learner();
    l->set_name(env().Learners(id));
    l->set_display_name("Deltagare " + id);
    l->set_email(id + "@example.se");
    l->set_organisation_type(organisation_type);
    l->set_organisation_name("Organisation i " + kommunkod);
    l->set_kommunkod(kommunkod);
    l->add_parts("parts/introduktion");
    v1::Learner created;
    ::grpc::Status st = env().Call(&Stub::CreateLearner, env().LearnerToken(id), req, &created);
    ASSERT_TRUE(st.ok()) << Describe(st);
  }

  // One attempt at a module, answered right or wrong (correct options read as county_admin).
  void Take(const std::string& learner, const std::string& module, bool right) {
    absl::StatusOr<v1::Attempt> attempt = env().Start(learner, "introduktion", module);
    ASSERT_TRUE(attempt.ok()) << attempt.status();
    v1::GetQuizRequest get;
    get.set_name("parts/introduktion/modules/" + module + "/quiz");
    v1::Quiz quiz;
    ::grpc::Status st = env().Call(&Stub::GetQuiz, env().AdminToken(), get, &quiz);
    ASSERT_TRUE(st.ok()) << Describe(st);
    absl::StatusOr<v1::Attempt> scored = env().Submit(
        learner, *attempt, right ? RightAnswers(*attempt, quiz) : WrongAnswers(*attempt, quiz));
    ASSERT_TRUE(scored.ok()) << scored.status();
    ASSERT_EQ(scored->passed(), right);
  }

  ::grpc::Status Get(const std::string& token, const v1::GetStatisticsRequest& req,
                     v1::Statistics* out) {
    return env().Call(&Stub::GetStatistics, token, req, out);
  }

  static const v1::StatisticsRow* Row(const google::protobuf::RepeatedPtrField<v1::StatisticsRow>&
                                          rows,
                                      const std::string& key) {
    for (const v1::StatisticsRow& r : rows) {
      if (r.key() == key) return &r;
    }
    return nullptr;
  }

  static type::Date Day(absl::CivilDay day) {
    type::Date d;
    d.set_year(static_cast<int32_t>(day.year()));
    d.set_month(day.month());
    d.set_day(day.day());
    return d;
  }

  absl::CivilDay Today() {
    absl::TimeZone stockholm;
    EXPECT_TRUE(absl::LoadTimeZone("Europe/Stockholm", &stockholm));
    return absl::ToCivilDay(env().clock().Now(), stockholm);
  }
};

TEST_F(StatisticsTest, CountsByOrganisationTypeKommunMonthAndModule) {
  v1::Statistics stats;
  ::grpc::Status st = Get(env().OfficerToken(kTestLan), v1::GetStatisticsRequest(), &stats);
  ASSERT_TRUE(st.ok()) << Describe(st);

  EXPECT_EQ(stats.total().enrolments(), 3);
  EXPECT_EQ(stats.total().attempts(), 4);
  EXPECT_EQ(stats.total().passed_attempts(), 3);
  EXPECT_EQ(stats.total().pass_rate_permille(), 750);
  EXPECT_EQ(stats.total().course_diplomas(), 1);
  EXPECT_EQ(stats.total().part_certificates(), 1);

  ASSERT_EQ(stats.by_kommun_size(), 2);
  const v1::StatisticsRow* uppsala = Row(stats.by_kommun(), "0380");
  const v1::StatisticsRow* enkoping = Row(stats.by_kommun(), "0381");
  ASSERT_NE(uppsala, nullptr);
  ASSERT_NE(enkoping, nullptr);
  EXPECT_EQ(uppsala->label(), "Uppsala");
  EXPECT_EQ(uppsala->enrolments(), 2);
  EXPECT_EQ(uppsala->attempts(), 4);
  EXPECT_EQ(uppsala->passed_attempts(), 3);
  EXPECT_EQ(uppsala->course_diplomas(), 1);
  EXPECT_EQ(enkoping->label(), "Enköping");
  EXPECT_EQ(enkoping->enrolments(), 1);
  EXPECT_EQ(enkoping->attempts(), 0);
  EXPECT_EQ(enkoping->pass_rate_permille(), 0);

  // In the enum's order: kommun, association, company.
  ASSERT_EQ(stats.by_organisation_type_size(), 3);
  EXPECT_EQ(stats.by_organisation_type(0).key(), "ORGANISATION_TYPE_KOMMUN");
  EXPECT_EQ(stats.by_organisation_type(0).label(), "Kommun");
  EXPECT_EQ(stats.by_organisation_type(0).attempts(), 2);
  EXPECT_EQ(stats.by_organisation_type(0).pass_rate_permille(), 500);
  EXPECT_EQ(stats.by_organisation_type(1).key(), "ORGANISATION_TYPE_ASSOCIATION");
  EXPECT_EQ(stats.by_organisation_type(1).course_diplomas(), 1);
  EXPECT_EQ(stats.by_organisation_type(2).key(), "ORGANISATION_TYPE_COMPANY");
  EXPECT_EQ(stats.by_organisation_type(2).enrolments(), 1);

  const absl::CivilDay today = Today();
  ASSERT_EQ(stats.by_month_size(), 1);
  EXPECT_EQ(stats.by_month(0).key(),
            absl::StrCat(today.year(), "-", today.month() < 10 ? "0" : "", today.month()));
  EXPECT_EQ(stats.by_month(0).enrolments(), 3);
  EXPECT_EQ(stats.by_month(0).attempts(), 4);

  ASSERT_EQ(stats.modules_size(), 2);
  EXPECT_EQ(stats.modules(0).module(), "parts/introduktion/modules/m1");
  EXPECT_EQ(stats.modules(0).attempts(), 3);
  EXPECT_EQ(stats.modules(0).passed_attempts(), 2);
  EXPECT_EQ(stats.modules(0).pass_rate_permille(), 667);
  EXPECT_EQ(stats.modules(1).module(), "parts/introduktion/modules/m2");
  EXPECT_EQ(stats.modules(1).pass_rate_permille(), 1000);
  EXPECT_TRUE(stats.has_compute_time());

  // The same with an explicit, matching länskod.
  v1::GetStatisticsRequest same_lan;
  same_lan.set_lanskod(kTestLan);
  v1::Statistics again;
  st = Get(env().OfficerToken(kTestLan), same_lan, &again);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(again.total().enrolments(), 3);
}

TEST_F(StatisticsTest, AnOfficerOfAnotherLanSeesNoneOfThem) {
  v1::Statistics stats;
  ::grpc::Status st = Get(env().OfficerToken("12"), v1::GetStatisticsRequest(), &stats);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(stats.total().enrolments(), 0);
  EXPECT_EQ(stats.total().attempts(), 0);
  EXPECT_EQ(stats.total().course_diplomas(), 0);
  EXPECT_EQ(stats.by_kommun_size(), 0);
  EXPECT_EQ(stats.by_organisation_type_size(), 0);
  EXPECT_EQ(stats.by_month_size(), 0);
  for (const v1::ModuleStatistics& m : stats.modules()) EXPECT_EQ(m.attempts(), 0);

  // Asking for Uppsala län with a Skåne token is refused, not quietly answered.
  v1::GetStatisticsRequest other;
  other.set_lanskod(kTestLan);
  st = Get(env().OfficerToken("12"), other, &stats);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);

  // A learner may not read statistics at all.
  st = Get(env().LearnerToken("anna"), v1::GetStatisticsRequest(), &stats);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
}

TEST_F(StatisticsTest, PeriodFilterUsesSwedishDates) {
  const absl::CivilDay today = Today();
  v1::GetStatisticsRequest req;
  *req.mutable_period()->mutable_start_date() = Day(today - 1);
  *req.mutable_period()->mutable_end_date() = Day(today);
  v1::Statistics stats;
  ::grpc::Status st = Get(env().OfficerToken(kTestLan), req, &stats);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(stats.total().enrolments(), 3);
  EXPECT_EQ(stats.total().attempts(), 4);

  *req.mutable_period()->mutable_start_date() = Day(absl::CivilDay(2020, 1, 1));
  *req.mutable_period()->mutable_end_date() = Day(today - 1);
  st = Get(env().OfficerToken(kTestLan), req, &stats);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(stats.total().enrolments(), 0);
  EXPECT_EQ(stats.total().attempts(), 0);
  EXPECT_EQ(stats.by_kommun_size(), 0);
  ASSERT_EQ(stats.modules_size(), 2);
  EXPECT_EQ(stats.modules(0).attempts(), 0);

  // Open at the start.
  req.mutable_period()->clear_start_date();
  *req.mutable_period()->mutable_end_date() = Day(today);
  st = Get(env().OfficerToken(kTestLan), req, &stats);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(stats.total().enrolments(), 3);
}

TEST_F(StatisticsTest, BadInputIsRejectedNamingTheField) {
  v1::Statistics stats;
  v1::GetStatisticsRequest bad_lan;
  bad_lan.set_lanskod("3");
  ::grpc::Status st = Get(env().OfficerToken(""), bad_lan, &stats);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT) << Describe(st);
  EXPECT_THAT(ViolationFieldsOf(st), ::testing::ElementsAre("lanskod"));

  v1::GetStatisticsRequest backwards;
  *backwards.mutable_period()->mutable_start_date() = Day(absl::CivilDay(2026, 3, 2));
  *backwards.mutable_period()->mutable_end_date() = Day(absl::CivilDay(2026, 3, 1));
  st = Get(env().OfficerToken(kTestLan), backwards, &stats);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT) << Describe(st);
  EXPECT_THAT(ViolationFieldsOf(st), ::testing::ElementsAre("period.end_date"));

  v1::GetStatisticsRequest not_a_date;
  type::Date feb30;
  feb30.set_year(2026);
  feb30.set_month(2);
  feb30.set_day(30);
  *not_a_date.mutable_period()->mutable_start_date() = feb30;
  st = Get(env().OfficerToken(kTestLan), not_a_date, &stats);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT) << Describe(st);
  EXPECT_THAT(ViolationFieldsOf(st), ::testing::ElementsAre("period.start_date"));
}

// A county role without its county claim is refused, as everywhere in the suite: it used to
// see every county's figures.
TEST_F(StatisticsTest, AnOfficerWithoutLanClaimIsRefused) {
  Enrol("david", "0180", type::ORGANISATION_TYPE_AUTHORITY);  // Stockholm, län 01
  v1::Statistics stats;
  ::grpc::Status st = Get(env().OfficerToken(""), v1::GetStatisticsRequest(), &stats);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "LAN_CLAIM_MISSING");
  v1::GetStatisticsRequest stockholm;
  stockholm.set_lanskod("01");
  st = Get(env().OfficerToken(""), stockholm, &stats);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "LAN_CLAIM_MISSING");
  EXPECT_EQ(stats.total().enrolments(), 0);
}

}  // namespace
}  // namespace integration::training::testing
