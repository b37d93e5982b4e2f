// Integration tests of enrolment and attendance: every failing eligibility reason as a field
// violation, the officer's recorded exception, capacity, and attendance adding up to a
// completion with its events in the outbox.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lansstyrelsen/integration/orientation/v1/events.pb.h"
#include "orientation_test_env.h"

namespace integration::orientation::testing {
namespace {

using ::testing::ElementsAre;

constexpr char kEventPrefix[] = "lansstyrelsen.integration.orientation.v1.";

class EnrolmentTest : public OrientationTest {
 protected:
  int64_t Events(const std::string& type) {
    return env().Count(
        absl::StrCat("SELECT count(*) FROM outbox WHERE event_type = '", kEventPrefix, type, "'"));
  }
};

TEST_F(EnrolmentTest, AnIneligiblePersonIsRefusedWithEveryReason) {
  const v1::Offering offering = env().CreateOffering({"0380"});
  v1::CreateParticipantRequest create;
  create.set_parent("kommuner/0380");
  *create.mutable_participant() = OrientationTestEnv::Participant(
      "0380", OrientationTestEnv::Pnr(absl::CivilDay(2009, 6, 1), 123));  // 17 today
  create.mutable_participant()->set_permit_type(v1::PERMIT_TYPE_OTHER);
  create.mutable_participant()->add_citizenships("FI");
  create.mutable_participant()->set_registered_kommunkod("0381");
  v1::Participant p;
  ASSERT_TRUE(env().Call(&Stub::CreateParticipant, env().KommunToken("0380"), create, &p).ok());

  v1::CreateEnrolmentRequest req;
  req.set_parent(p.name());
  req.mutable_enrolment()->set_offering(offering.name());
  v1::Enrolment out;
  ::grpc::Status st = env().Call(&Stub::CreateEnrolment, env().KommunToken("0380"), req, &out);
  ASSERT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "NOT_ELIGIBLE");
  EXPECT_EQ(integration::testing::MetadataOf(st)["reasons"],
            "INELIGIBILITY_REASON_AGE_BELOW_MINIMUM,INELIGIBILITY_REASON_PERMIT_NOT_ELIGIBLE,"
            "INELIGIBILITY_REASON_EEA_OR_SWISS_CITIZEN,"
            "INELIGIBILITY_REASON_REGISTERED_IN_OTHER_KOMMUN");
  EXPECT_THAT(integration::testing::ViolationFieldsOf(st),
              ElementsAre("enrolment.enrol_date", "participant.permit_type",
                          "participant.citizenships", "participant.registered_kommunkod"));
  EXPECT_EQ(env().Count("SELECT count(*) FROM enrolments"), 0);
  EXPECT_EQ(Events("ParticipantEnrolledEvent"), 0);

  // On the 18th birthday the age no longer fails; the rest still does.
  env().SetToday(absl::CivilDay(2027, 6, 1));
  st = env().Call(&Stub::CreateEnrolment, env().KommunToken("0380"), req, &out);
  EXPECT_EQ(integration::testing::MetadataOf(st)["reasons"],
            "INELIGIBILITY_REASON_PERMIT_NOT_ELIGIBLE,INELIGIBILITY_REASON_EEA_OR_SWISS_CITIZEN,"
            "INELIGIBILITY_REASON_REGISTERED_IN_OTHER_KOMMUN");

  // The officer enrols with an exception: recorded with what it overrides.
  req.mutable_enrolment()->set_exception_reason(
      "Beslut i socialnämnden 2027-05-20: särskilda skäl.");
  st = env().Call(&Stub::CreateEnrolment, env().KommunToken("0380"), req, &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_THAT(out.overridden_reasons(),
              ElementsAre(v1::INELIGIBILITY_REASON_PERMIT_NOT_ELIGIBLE,
                          v1::INELIGIBILITY_REASON_EEA_OR_SWISS_CITIZEN,
                          v1::INELIGIBILITY_REASON_REGISTERED_IN_OTHER_KOMMUN));
  EXPECT_EQ(out.exception_reason(), "Beslut i socialnämnden 2027-05-20: särskilda skäl.");
  EXPECT_EQ(out.state(), v1::Enrolment::STATE_ENROLLED);
  EXPECT_EQ(
      env().Count("SELECT count(*) FROM audit_log WHERE action = 'enrolment.create' "
                  "AND detail LIKE '%exception for INELIGIBILITY_REASON_PERMIT_NOT_ELIGIBLE%'"),
      1);
  EXPECT_EQ(Events("ParticipantEnrolledEvent"), 1);
}

TEST_F(EnrolmentTest, AnExceptionIsOnlyForTheIneligibleAndPlacesAreLimited) {
  const v1::Offering offering = env().CreateOffering({"0380", "0381"}, "uk", 2);
  const v1::Participant a = env().CreateParticipant("0380", kPnr);
  v1::CreateEnrolmentRequest req;
  req.set_parent(a.name());
  req.mutable_enrolment()->set_offering(offering.name());
  req.mutable_enrolment()->set_exception_reason("Ingen anledning");
  v1::Enrolment out;
  ::grpc::Status st = env().Call(&Stub::CreateEnrolment, env().KommunToken("0380"), req, &out);
  EXPECT_EQ(ReasonOf(st), "EXCEPTION_NOT_NEEDED");
  req.mutable_enrolment()->clear_exception_reason();
  ASSERT_TRUE(env().Call(&Stub::CreateEnrolment, env().KommunToken("0380"), req, &out).ok());
  EXPECT_EQ(out.enrol_date().year(), 2027);
  EXPECT_EQ(out.enrol_date().day(), 15);
  st = env().Call(&Stub::CreateEnrolment, env().KommunToken("0380"), req, &out);
  EXPECT_EQ(ReasonOf(st), "ALREADY_ENROLLED");

  env().Enrol(env().CreateParticipant("0381", kSamordningsnummer), offering);
  const v1::Participant c =
      env().CreateParticipant("0380", OrientationTestEnv::Pnr(absl::CivilDay(1980, 1, 20), 456));
  req.set_parent(c.name());
  st = env().Call(&Stub::CreateEnrolment, env().KommunToken("0380"), req, &out);
  EXPECT_EQ(ReasonOf(st), "OFFERING_FULL");

  // An offering the kommun does not take part in is not found for it.
  const v1::Offering other = env().CreateOffering({"0382"});
  req.mutable_enrolment()->set_offering(other.name());
  st = env().Call(&Stub::CreateEnrolment, env().KommunToken("0380"), req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
}

TEST_F(EnrolmentTest, AttendanceAddsUpToCompletionWithEventsOfIdsOnly) {
  const v1::Offering offering = env().CreateOffering({"0380"});
  const std::vector<v1::Theme> all = OrientationTestEnv::AllThemes();
  // 26 sessions of 4 h (30 min per theme), weekly from 3 January; one is cancelled.
  std::vector<v1::Session> sessions;
  for (int i = 0; i < 26; ++i) {
    sessions.push_back(env().CreateSession(offering, absl::CivilDay(2027, 1, 3) + 7 * i, all, 30));
  }
  v1::CancelSessionRequest cancel;
  cancel.set_name(sessions[3].name());
  cancel.set_reason("Lokalen var stängd");
  v1::Session cancelled;
  ASSERT_TRUE(env().Call(&Stub::CancelSession, env().KommunToken("0380"), cancel, &cancelled).ok());
  const v1::Enrolment enrolment = env().Enrol(env().CreateParticipant("0380", kPnr), offering);
  const v1::Enrolment absent =
      env().Enrol(env().CreateParticipant("0380", kSamordningsnummer), offering);
  env().SetToday(absl::CivilDay(2027, 8, 1));

  v1::RecordAttendanceResponse response;
  for (int i = 0; i < 26; ++i) {
    if (i == 3) {
      EXPECT_EQ(ReasonOf(env().Attend("0380", sessions[i], {enrolment.name()})),
                "SESSION_CANCELLED");
      continue;
    }
    ASSERT_TRUE(env()
                    .Attend("0380", sessions[i], {enrolment.name()}, v1::ATTENDANCE_STATUS_PRESENT,
                            &response)
                    .ok());
    ASSERT_TRUE(
        env().Attend("0380", sessions[i], {absent.name()}, v1::ATTENDANCE_STATUS_EXCUSED).ok());
    const v1::Enrolment& now = response.enrolments(0);
    const int attended = i < 3 ? i + 1 : i;
    EXPECT_EQ(now.attended_minutes(), attended * 240) << "after session " << i;
    EXPECT_EQ(now.state() == v1::Enrolment::STATE_COMPLETED, attended >= 25)
        << "after session " << i;
  }
  v1::GetEnrolmentRequest get;
  get.set_name(enrolment.name());
  v1::Enrolment done;
  ASSERT_TRUE(env().Call(&Stub::GetEnrolment, env().KommunToken("0380"), get, &done).ok());
  EXPECT_EQ(done.state(), v1::Enrolment::STATE_COMPLETED);
  EXPECT_EQ(done.attended_minutes(), 25 * 240);
  ASSERT_EQ(done.theme_minutes_size(), 8);
  EXPECT_EQ(done.theme_minutes(7).minutes(), 25 * 30);
  EXPECT_EQ(done.start_date().month(), 1);
  EXPECT_EQ(done.start_date().day(), 3);
  // The 25th attended session is the 26th held (one was cancelled).
  const absl::CivilDay completed = absl::CivilDay(2027, 1, 3) + 7 * 25;
  EXPECT_EQ(done.completion_date().month(), completed.month());
  EXPECT_EQ(done.completion_date().day(), completed.day());
  get.set_name(absent.name());
  v1::Enrolment excused;
  ASSERT_TRUE(env().Call(&Stub::GetEnrolment, env().KommunToken("0380"), get, &excused).ok());
  EXPECT_EQ(excused.attended_minutes(), 0);
  EXPECT_FALSE(excused.has_start_date());

  EXPECT_EQ(Events("ParticipantEnrolledEvent"), 2);
  EXPECT_EQ(Events("AttendanceRecordedEvent"), 50);
  EXPECT_EQ(Events("ParticipantCompletedEvent"), 1);
  pqxx::result payload = env().Query(absl::StrCat("SELECT payload FROM outbox WHERE event_type = '",
                                                  kEventPrefix, "ParticipantCompletedEvent'"));
  ASSERT_EQ(payload.size(), 1u);
  v1::ParticipantCompletedEvent event;
  ASSERT_TRUE(event.ParseFromString(pqxx::binarystring(payload[0][0]).str()));
  EXPECT_EQ(event.enrolment(), enrolment.name());

  // Attendance later changed to absent takes the completion back.
  ASSERT_TRUE(
      env()
          .Attend("0380", sessions[25], {enrolment.name()}, v1::ATTENDANCE_STATUS_ABSENT, &response)
          .ok());
  EXPECT_EQ(response.enrolments(0).state(), v1::Enrolment::STATE_ENROLLED);
  EXPECT_FALSE(response.enrolments(0).has_completion_date());
}

TEST_F(EnrolmentTest, AttendanceIsRefusedBeforeTheSessionAndOutsideItsOffering) {
  const v1::Offering offering = env().CreateOffering({"0380"});
  const v1::Offering other = env().CreateOffering({"0380"}, "so");
  const v1::Session future =
      env().CreateSession(offering, absl::CivilDay(2027, 4, 1), {v1::THEME_HEALTH}, 60);
  const v1::Session past =
      env().CreateSession(offering, absl::CivilDay(2027, 3, 1), {v1::THEME_HEALTH}, 60);
  const v1::Enrolment elsewhere = env().Enrol(env().CreateParticipant("0380", kPnr), other);
  EXPECT_EQ(ReasonOf(env().Attend("0380", future, {elsewhere.name()})), "SESSION_IN_FUTURE");
  EXPECT_EQ(ReasonOf(env().Attend("0380", past, {elsewhere.name()})), "ENROLMENT_NOT_IN_OFFERING");
  EXPECT_EQ(env().Count("SELECT count(*) FROM attendance"), 0);
}

}  // namespace
}  // namespace integration::orientation::testing
