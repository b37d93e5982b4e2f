// Integration tests of offerings and sessions against PostgreSQL: shared offerings seen by each
// participating kommun (and their county) only, etags, sessions inside the period, minutes per
// theme, and cancellation that takes a session's minutes out of the offering.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "orientation_test_env.h"

namespace integration::orientation::testing {
namespace {

using ::testing::ElementsAre;

class OfferingTest : public OrientationTest {};

TEST_F(OfferingTest, ASharedOfferingIsSeenByEachOfItsKommunerAndTheirCountyOnly) {
  const v1::Offering shared = env().CreateOffering({"0381", "0380"}, "ti");
  EXPECT_THAT(shared.kommunkoder(), ElementsAre("0380", "0381"));
  EXPECT_EQ(shared.lanskod(), "03");
  EXPECT_FALSE(shared.etag().empty());
  const v1::Offering own = env().CreateOffering({"0382"}, "so");

  for (const std::string kommun : {"0380", "0381"}) {
    v1::GetOfferingRequest get;
    get.set_name(shared.name());
    v1::Offering got;
    ::grpc::Status st = env().Call(&Stub::GetOffering, env().KommunToken(kommun), get, &got);
    ASSERT_TRUE(st.ok()) << kommun << ": " << Describe(st);
    EXPECT_EQ(got.language(), "ti");
    v1::ListOfferingsResponse list;
    ASSERT_TRUE(env()
                    .Call(&Stub::ListOfferings, env().KommunToken(kommun),
                          v1::ListOfferingsRequest(), &list)
                    .ok());
    ASSERT_EQ(list.offerings_size(), 1) << kommun;
    EXPECT_EQ(list.offerings(0).name(), shared.name());
  }
  // A kommun outside it, and another county, do not see it.
  v1::GetOfferingRequest get;
  get.set_name(shared.name());
  v1::Offering got;
  ::grpc::Status st = env().Call(&Stub::GetOffering, env().KommunToken("0382"), get, &got);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "TENANT_MISMATCH");
  st = env().Call(&Stub::GetOffering, env().OfficerToken("01"), get, &got);
  EXPECT_EQ(ReasonOf(st), "LAN_MISMATCH");
  v1::ListOfferingsResponse list;
  ASSERT_TRUE(
      env()
          .Call(&Stub::ListOfferings, env().KommunToken("0382"), v1::ListOfferingsRequest(), &list)
          .ok());
  ASSERT_EQ(list.offerings_size(), 1);
  EXPECT_EQ(list.offerings(0).name(), own.name());
  // The county sees both.
  ASSERT_TRUE(
      env()
          .Call(&Stub::ListOfferings, env().OfficerToken("03"), v1::ListOfferingsRequest(), &list)
          .ok());
  EXPECT_EQ(list.offerings_size(), 2);
}

TEST_F(OfferingTest, AKommunCreatesOnlyOfferingsItTakesPartIn) {
  v1::CreateOfferingRequest req;
  *req.mutable_offering() = OrientationTestEnv::Offering({"0381"});
  v1::Offering out;
  ::grpc::Status st = env().Call(&Stub::CreateOffering, env().KommunToken("0380"), req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(env().Count("SELECT count(*) FROM offerings"), 0);
  *req.mutable_offering() = OrientationTestEnv::Offering({"0380", "0180"});
  st = env().Call(&Stub::CreateOffering, env().KommunToken("0380"), req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(integration::testing::ViolationFieldsOf(st), ElementsAre("offering.kommunkoder[1]"));
}

TEST_F(OfferingTest, UpdatesCheckTheEtagAndKeepSessionsAndEnrolmentsInside) {
  const v1::Offering offering = env().CreateOffering({"0380"}, "ar", 5);
  env().CreateSession(offering, absl::CivilDay(2027, 2, 1), {v1::THEME_HEALTH}, 120);
  v1::UpdateOfferingRequest req;
  *req.mutable_offering() = offering;
  req.mutable_offering()->set_communicator("Sara Tesfay");
  req.mutable_offering()->set_etag("r999");
  req.mutable_update_mask()->add_paths("communicator");
  v1::Offering out;
  ::grpc::Status st = env().Call(&Stub::UpdateOffering, env().KommunToken("0380"), req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");
  // Adding a session does not change the offering: its etag from creation still holds.
  req.mutable_offering()->set_etag(offering.etag());
  st = env().Call(&Stub::UpdateOffering, env().KommunToken("0380"), req, &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.communicator(), "Sara Tesfay");
  EXPECT_NE(out.etag(), offering.etag());
  EXPECT_EQ(out.minutes_offered(), 120);

  // The period must keep covering the session.
  req.mutable_offering()->set_etag(out.etag());
  *req.mutable_offering()->mutable_period()->mutable_start_date() =
      OrientationTestEnv::Date(absl::CivilDay(2027, 3, 1));
  req.mutable_update_mask()->set_paths(0, "period");
  st = env().Call(&Stub::UpdateOffering, env().KommunToken("0380"), req, &out);
  EXPECT_EQ(ReasonOf(st), "SESSIONS_OUTSIDE_PERIOD");
  // Another kommun cannot change it.
  st = env().Call(&Stub::UpdateOffering, env().KommunToken("0381"), req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(OfferingTest, SessionsCarryMinutesPerThemeAndCancellationRemovesThem) {
  const v1::Offering offering = env().CreateOffering({"0380"});
  // 1.5 h of two themes each: 180 minutes.
  const v1::Session first = env().CreateSession(offering, absl::CivilDay(2027, 2, 1),
                                                {v1::THEME_LIVING_IN_SWEDEN, v1::THEME_HEALTH}, 90);
  EXPECT_EQ(first.minutes(), 180);
  EXPECT_EQ(first.state(), v1::Session::STATE_SCHEDULED);
  ASSERT_EQ(first.themes_size(), 2);
  EXPECT_EQ(first.themes(0).theme(), v1::THEME_LIVING_IN_SWEDEN);
  const v1::Session second =
      env().CreateSession(offering, absl::CivilDay(2027, 4, 1), {v1::THEME_AGEING}, 45);

  v1::CreateSessionRequest outside;
  outside.set_parent(offering.name());
  *outside.mutable_session() = first;
  *outside.mutable_session()->mutable_date() = OrientationTestEnv::Date(absl::CivilDay(2028, 1, 2));
  v1::Session out;
  ::grpc::Status st = env().Call(&Stub::CreateSession, env().KommunToken("0380"), outside, &out);
  EXPECT_EQ(ReasonOf(st), "SESSION_OUTSIDE_PERIOD");

  v1::CancelSessionRequest cancel;
  cancel.set_name(second.name());
  cancel.set_reason("Kommunikatören är sjuk");
  cancel.set_etag("r7");
  st = env().Call(&Stub::CancelSession, env().KommunToken("0380"), cancel, &out);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");
  cancel.set_etag(second.etag());
  st = env().Call(&Stub::CancelSession, env().KommunToken("0380"), cancel, &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.state(), v1::Session::STATE_CANCELLED);
  EXPECT_EQ(out.cancel_reason(), "Kommunikatören är sjuk");
  cancel.clear_etag();
  st = env().Call(&Stub::CancelSession, env().KommunToken("0380"), cancel, &out);
  EXPECT_EQ(ReasonOf(st), "SESSION_CANCELLED");

  v1::GetOfferingRequest get;
  get.set_name(offering.name());
  v1::Offering got;
  ASSERT_TRUE(env().Call(&Stub::GetOffering, env().KommunToken("0380"), get, &got).ok());
  EXPECT_EQ(got.minutes_offered(), 180);

  v1::ListSessionsRequest list;
  list.set_parent(offering.name());
  v1::ListSessionsResponse sessions;
  ASSERT_TRUE(env().Call(&Stub::ListSessions, env().KommunToken("0380"), list, &sessions).ok());
  ASSERT_EQ(sessions.sessions_size(), 2);
  EXPECT_EQ(sessions.sessions(1).state(), v1::Session::STATE_CANCELLED);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'session.cancel'"), 1);
}

TEST_F(OfferingTest, ASessionWithAttendanceCannotBeCancelledAndACancelledOneIsNotAttended) {
  const v1::Offering offering = env().CreateOffering({"0380"});
  const v1::Session held =
      env().CreateSession(offering, absl::CivilDay(2027, 2, 1), {v1::THEME_HEALTH}, 120);
  const v1::Session later =
      env().CreateSession(offering, absl::CivilDay(2027, 3, 1), {v1::THEME_AGEING}, 120);
  const v1::Enrolment enrolment = env().Enrol(env().CreateParticipant("0380", kPnr), offering);
  ASSERT_TRUE(env().Attend("0380", held, {enrolment.name()}).ok());

  v1::CancelSessionRequest cancel;
  cancel.set_name(held.name());
  cancel.set_reason("Fel datum");
  v1::Session out;
  ::grpc::Status st = env().Call(&Stub::CancelSession, env().KommunToken("0380"), cancel, &out);
  EXPECT_EQ(ReasonOf(st), "SESSION_HAS_ATTENDANCE");

  cancel.set_name(later.name());
  ASSERT_TRUE(env().Call(&Stub::CancelSession, env().KommunToken("0380"), cancel, &out).ok());
  st = env().Attend("0380", later, {enrolment.name()});
  EXPECT_EQ(ReasonOf(st), "SESSION_CANCELLED");
}

}  // namespace
}  // namespace integration::orientation::testing
