// Shared harness of the orientation service's service and integration tests: a migrated
// orientation-server running in-process (integration::testing::ServiceHarness with
// OrientationSpec, test personal-number keys and a movable clock) on a fresh test database and
// the test Redis, tokens of the roles the service knows, the generated stub, direct SQL and
// request builders.
#pragma once

#include <cstdint>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "integration/testing/service_harness.h"
#include "lansstyrelsen/integration/orientation/v1/orientation_service.grpc.pb.h"

namespace integration::orientation::testing {

namespace v1 = ::lansstyrelsen::integration::orientation::v1;
namespace type = ::lansstyrelsen::integration::type::v1;
using Stub = v1::OrientationService::Stub;
using integration::testing::Claims;
using integration::testing::Describe;
using integration::testing::ReasonOf;
using integration::testing::TestClock;

// The personal-number keys the test server runs with (hex, 32 bytes each).
inline constexpr char kTestEncryptionKey[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
inline constexpr char kTestHmacKey[] =
    "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

// The day the tests' clock starts on (TestClock's start is the real now; the harness moves it
// here so that ages and windows are reproducible).
inline constexpr absl::CivilDay kTestToday(2027, 3, 15);

// Valid numbers of the tests (Luhn-correct; fictitious): a personnummer of a person born
// 1990-05-12, and a samordningsnummer of a person born 1985-11-03 (day 63).
inline constexpr char kPnr[] = "19900512-1232";
inline constexpr char kSamordningsnummer[] = "198511630009";

class OrientationTestEnv {
  struct PassKey {};

 public:
  explicit OrientationTestEnv(PassKey) {}
  // Starts orientation-server (OrientationSpec) and waits until its health check answers SERVING.
  static absl::StatusOr<std::unique_ptr<OrientationTestEnv>> Start();

  Stub& stub() { return *stub_; }
  integration::testing::ServiceHarness& harness() { return *harness_; }
  const std::string& target() const { return harness_->target(); }
  TestClock& clock() { return *clock_; }
  // The PKCS#8 PEM key the server signs certificates with.
  const std::string& certificate_key_pem() const { return certificate_key_pem_; }
  // Puts the service's clock at noon (Stockholm) of `day`.
  void SetToday(absl::CivilDay day);

  // A bearer token of `role` for `subject`, accepted by this server.
  std::string Token(const std::string& role, const std::string& subject,
                    const Claims& claims = {}) const {
    return harness_->Token(role, subject, claims);
  }
  // Tokens of an officer of `kommun`, and of a county officer / admin of `lan`.
  std::string KommunToken(const std::string& kommun) const;
  std::string OfficerToken(const std::string& lan = "03") const;
  std::string AdminToken(const std::string& lan = "03") const;

  // One call through the stub: Call(&Stub::GetOffering, token, request, &response).
  template <class Req, class Resp>
  ::grpc::Status Call(::grpc::Status (Stub::*method)(::grpc::ClientContext*, const Req&, Resp*),
                      const std::string& token, const Req& request, Resp* response) {
    std::unique_ptr<::grpc::ClientContext> ctx =
        integration::testing::ServiceHarness::Context(token);
    return ((*stub_).*method)(ctx.get(), request, response);
  }

  // --- Database (search_path orientation) ---
  pqxx::result Query(const std::string& sql) { return harness_->Query(sql); }
  int64_t Count(const std::string& sql) { return harness_->Count(sql); }
  void Truncate() { harness_->Truncate(); }

  // --- Requests and seeds (each fails the test when the call fails) ---
  // A valid 12-digit personnummer of a person born on `birth` with birth number `serial`
  // (0-999), its check digit computed; day + 60 when `coordination`.
  static std::string Pnr(absl::CivilDay birth, int serial, bool coordination = false);
  static type::Date Date(absl::CivilDay day);
  // An offering in `language` of `kommuner` (Uppsala län) for 2027-01-01..2027-12-31.
  static v1::Offering Offering(const std::vector<std::string>& kommuner,
                               const std::string& language = "ar", int capacity = 20);
  v1::Offering CreateOffering(const std::vector<std::string>& kommuner,
                              const std::string& language = "ar", int capacity = 20);
  // The eight themes in order.
  static std::vector<v1::Theme> AllThemes();
  // A session of `offering` on `day` with `minutes` per theme of `themes`.
  v1::Session CreateSession(const v1::Offering& offering, absl::CivilDay day,
                            const std::vector<v1::Theme>& themes, int minutes_each);
  // An eligible participant of `kommun` with number `pnr`: protection permit, Syrian,
  // registered there on 2026-09-01 (first registration in Sweden the same day).
  static v1::Participant Participant(const std::string& kommun, const std::string& pnr);
  v1::Participant CreateParticipant(const std::string& kommun, const std::string& pnr);
  v1::Enrolment Enrol(const v1::Participant& participant, const v1::Offering& offering);
  // Records `status` for `enrolments` at `session` as an officer of `kommun`.
  ::grpc::Status Attend(const std::string& kommun, const v1::Session& session,
                        const std::vector<std::string>& enrolments,
                        v1::AttendanceStatus status = v1::ATTENDANCE_STATUS_PRESENT,
                        v1::RecordAttendanceResponse* out = nullptr);

 private:
  std::unique_ptr<TestClock> clock_;
  std::string certificate_key_pem_;
  std::unique_ptr<integration::testing::ServiceHarness> harness_;
  std::unique_ptr<Stub> stub_;
};

// Base fixture: one server per test suite, tables emptied and the clock on kTestToday before
// each test.
class OrientationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  static OrientationTestEnv& env() { return *env_; }

 private:
  static std::unique_ptr<OrientationTestEnv> env_;
  static std::string start_error_;
};

}  // namespace integration::orientation::testing
