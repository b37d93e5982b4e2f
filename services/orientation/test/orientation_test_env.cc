// The orientation service's test harness: the in-process server, its fixture and seeds.
#include "orientation_test_env.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "integration/se/luhn.h"
#include "orientation_spec.h"

namespace integration::orientation::testing {

absl::StatusOr<std::unique_ptr<OrientationTestEnv>> OrientationTestEnv::Start() {
  auto env = std::make_unique<OrientationTestEnv>(PassKey());
  env->clock_ = std::make_unique<TestClock>();
  env->SetToday(kTestToday);
  integration::testing::HarnessOptions options;
  options.issuer = "https://issuer.orientation.test";
  options.audience = "orientation-test";
  std::string certificate_public_key;
  if (absl::Status st =
          integration::testing::NewEd25519Key(&env->certificate_key_pem_, &certificate_public_key);
      !st.ok()) {
    return st;
  }
  options.files = {{"pnr_encryption_key", kTestEncryptionKey},
                   {"pnr_hmac_key", kTestHmacKey},
                   {"certificate_key.pem", env->certificate_key_pem_}};
  options.extra_args = {
      absl::StrCat("--", se::kPnrEncryptionKeyFileFlag, "={dir}/pnr_encryption_key"),
      absl::StrCat("--", se::kPnrHmacKeyFileFlag, "={dir}/pnr_hmac_key"),
      absl::StrCat("--", kCertificateKeyFileFlag, "={dir}/certificate_key.pem")};
  TestClock* clock = env->clock_.get();
  absl::StatusOr<std::unique_ptr<integration::testing::ServiceHarness>> harness =
      integration::testing::ServiceHarness::Start(
          OrientationSpec({.clock = [clock] { return clock->Now(); }}), options);
  if (!harness.ok()) return harness.status();
  env->harness_ = *std::move(harness);
  env->stub_ = v1::OrientationService::NewStub(env->harness_->channel());

  if (absl::Status st = env->harness_->WaitServing(absl::Seconds(20)); !st.ok()) return st;
  return env;
}

void OrientationTestEnv::SetToday(absl::CivilDay day) {
  absl::TimeZone stockholm;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Stockholm", &stockholm));
  clock_->Reset();
  clock_->Advance(
      absl::FromCivil(absl::CivilHour(day.year(), day.month(), day.day(), 12), stockholm) -
      clock_->Now());
}

std::string OrientationTestEnv::KommunToken(const std::string& kommun) const {
  Claims claims;
  claims.kommun = kommun;
  return Token("municipality_officer", "kommun-" + kommun, claims);
}

std::string OrientationTestEnv::OfficerToken(const std::string& lan) const {
  Claims claims;
  claims.lan = lan;
  return Token("county_officer", "officer-" + lan, claims);
}

std::string OrientationTestEnv::AdminToken(const std::string& lan) const {
  Claims claims;
  claims.lan = lan;
  return Token("county_admin", "admin-" + lan, claims);
}

std::string OrientationTestEnv::Pnr(absl::CivilDay birth, int serial, bool coordination) {
  const std::string payload = absl::StrFormat("%02d%02d%02d%03d", birth.year() % 100, birth.month(),
                                              birth.day() + (coordination ? 60 : 0), serial);
  const std::optional<int> check = se::LuhnCheckDigit(payload);
  return absl::StrCat(birth.year() / 100, payload, check.value_or(0));
}

type::Date OrientationTestEnv::Date(absl::CivilDay day) {
  type::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

v1::Offering OrientationTestEnv::Offering(const std::vector<std::string>& kommuner,
                                          const std::string& language, int capacity) {
  v1::Offering o;
  o.set_display_name(absl::StrCat("Samhällsorientering (", language, ")"));
  o.set_language(language);
  o.set_communicator("Amal Haddad");
  *o.mutable_period()->mutable_start_date() = Date(absl::CivilDay(2027, 1, 1));
  *o.mutable_period()->mutable_end_date() = Date(absl::CivilDay(2027, 12, 31));
  o.set_capacity(capacity);
  for (const std::string& k : kommuner) o.add_kommunkoder(k);
  return o;
}

v1::Offering OrientationTestEnv::CreateOffering(const std::vector<std::string>& kommuner,
                                                const std::string& language, int capacity) {
  v1::CreateOfferingRequest req;
  *req.mutable_offering() = Offering(kommuner, language, capacity);
  v1::Offering out;
  ::grpc::Status st = Call(&Stub::CreateOffering, KommunToken(kommuner.front()), req, &out);
  EXPECT_TRUE(st.ok()) << Describe(st);
  return out;
}

std::vector<v1::Theme> OrientationTestEnv::AllThemes() {
  std::vector<v1::Theme> out;
  for (int t = v1::THEME_COMING_TO_SWEDEN; t <= v1::THEME_AGEING; ++t) {
    out.push_back(static_cast<v1::Theme>(t));
  }
  return out;
}

v1::Session OrientationTestEnv::CreateSession(const v1::Offering& offering, absl::CivilDay day,
                                              const std::vector<v1::Theme>& themes,
                                              int minutes_each) {
  v1::CreateSessionRequest req;
  req.set_parent(offering.name());
  *req.mutable_session()->mutable_date() = Date(day);
  for (v1::Theme theme : themes) {
    v1::ThemeMinutes* t = req.mutable_session()->add_themes();
    t->set_theme(theme);
    t->set_minutes(minutes_each);
  }
  v1::Session out;
  ::grpc::Status st = Call(&Stub::CreateSession, KommunToken(offering.kommunkoder(0)), req, &out);
  EXPECT_TRUE(st.ok()) << Describe(st);
  return out;
}

v1::Participant OrientationTestEnv::Participant(const std::string& kommun, const std::string& pnr) {
  v1::Participant p;
  p.set_personnummer(pnr);
  p.set_registered_kommunkod(kommun);
  *p.mutable_registration_date() = Date(absl::CivilDay(2026, 9, 1));
  *p.mutable_first_registration_date() = Date(absl::CivilDay(2026, 9, 1));
  p.set_permit_type(v1::PERMIT_TYPE_PROTECTION);
  p.add_citizenships("SY");
  p.add_languages("ar");
  return p;
}

v1::Participant OrientationTestEnv::CreateParticipant(const std::string& kommun,
                                                      const std::string& pnr) {
  v1::CreateParticipantRequest req;
  req.set_parent(absl::StrCat("kommuner/", kommun));
  *req.mutable_participant() = Participant(kommun, pnr);
  v1::Participant out;
  ::grpc::Status st = Call(&Stub::CreateParticipant, KommunToken(kommun), req, &out);
  EXPECT_TRUE(st.ok()) << Describe(st);
  return out;
}

v1::Enrolment OrientationTestEnv::Enrol(const v1::Participant& participant,
                                        const v1::Offering& offering) {
  v1::CreateEnrolmentRequest req;
  req.set_parent(participant.name());
  req.mutable_enrolment()->set_offering(offering.name());
  v1::Enrolment out;
  const std::string kommun = participant.name().substr(9, 4);
  ::grpc::Status st = Call(&Stub::CreateEnrolment, KommunToken(kommun), req, &out);
  EXPECT_TRUE(st.ok()) << Describe(st);
  return out;
}

::grpc::Status OrientationTestEnv::Attend(const std::string& kommun, const v1::Session& session,
                                          const std::vector<std::string>& enrolments,
                                          v1::AttendanceStatus status,
                                          v1::RecordAttendanceResponse* out) {
  v1::RecordAttendanceRequest req;
  req.set_session(session.name());
  for (const std::string& e : enrolments) {
    v1::Attendance* a = req.add_attendances();
    a->set_enrolment(e);
    a->set_status(status);
  }
  v1::RecordAttendanceResponse ignored;
  return Call(&Stub::RecordAttendance, KommunToken(kommun), req, out ? out : &ignored);
}

std::unique_ptr<OrientationTestEnv> OrientationTest::env_;
std::string OrientationTest::start_error_;

void OrientationTest::SetUpTestSuite() {
  absl::StatusOr<std::unique_ptr<OrientationTestEnv>> env = OrientationTestEnv::Start();
  if (env.ok()) {
    env_ = *std::move(env);
    start_error_.clear();
  } else {
    start_error_ = env.status().ToString();
  }
}

void OrientationTest::TearDownTestSuite() { env_.reset(); }

void OrientationTest::SetUp() {
  ASSERT_NE(env_, nullptr) << "the orientation test server did not start: " << start_error_;
  env_->Truncate();
  env_->SetToday(kTestToday);
}

}  // namespace integration::orientation::testing
