// Shared harness of the placement service's service and integration tests: a migrated
// placement-server running in-process (integration::testing::ServiceHarness with PlacementSpec,
// test personal-number keys and a movable clock) on a fresh test database and the test Redis,
// tokens of every role the service knows (the agency's with its scopes), the generated stub,
// direct SQL and request builders.
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
#include "lansstyrelsen/integration/placement/v1/placement_service.grpc.pb.h"

namespace integration::placement::testing {

namespace v1 = ::lansstyrelsen::integration::placement::v1;
using Stub = v1::PlacementService::Stub;
using integration::testing::Claims;
using integration::testing::Describe;
using integration::testing::ReasonOf;
using integration::testing::TestClock;

// The personal-number keys the test server runs with (hex, 32 bytes each).
inline constexpr char kTestEncryptionKey[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
inline constexpr char kTestHmacKey[] =
    "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

// The service's today in the tests is never before this day.
inline constexpr absl::CivilDay kEarliestToday(2027, 6, 1);

class PlacementTestEnv {
  struct PassKey {};

 public:
  explicit PlacementTestEnv(PassKey) {}
  // Starts placement-server (PlacementSpec) and waits until its health check answers SERVING.
  static absl::StatusOr<std::unique_ptr<PlacementTestEnv>> Start();

  Stub& stub() { return *stub_; }
  integration::testing::ServiceHarness& harness() { return *harness_; }
  const std::string& target() const { return harness_->target(); }
  TestClock& clock() { return *clock_; }

  // A bearer token of `role` for `subject`, accepted by this server.
  // What the service records for a token's subject (audit actors, reviewers): its pseudonym.
  std::string Subject(const std::string& subject) const { return harness_->Subject(subject); }
  std::string Token(const std::string& role, const std::string& subject,
                    const Claims& claims = {}) const {
    return harness_->Token(role, subject, claims);
  }
  // Tokens of a county officer and a county admin of `lan`, and of an officer of `kommun`.
  std::string OfficerToken(const std::string& lan = "03") const;
  std::string AdminToken(const std::string& lan = "03") const;
  std::string KommunToken(const std::string& kommun) const;
  // An agency_system token with `scopes` (default: the arrival scope).
  std::string AgencyToken(const std::vector<std::string>& scopes = {"placement.arrivals"}) const;

  // A national administrator: a county_admin (of `lan`) whose token carries the national
  // quota scope "placement.quotas.national" (without: none).
  std::string NationalToken(bool with_scope = true, const std::string& lan = "01") const;

  // One call through the stub: Call(&Stub::GetChild, token, request, &response).
  template <class Req, class Resp>
  ::grpc::Status Call(::grpc::Status (Stub::*method)(::grpc::ClientContext*, const Req&, Resp*),
                      const std::string& token, const Req& request, Resp* response) {
    std::unique_ptr<::grpc::ClientContext> ctx =
        integration::testing::ServiceHarness::Context(token);
    return ((*stub_).*method)(ctx.get(), request, response);
  }

  // --- Database (search_path placement) ---
  pqxx::result Query(const std::string& sql) { return harness_->Query(sql); }
  int64_t Count(const std::string& sql) { return harness_->Count(sql); }
  void Truncate() { harness_->Truncate(); }

  // --- Requests and seeds ---
  // A key of Uppsala län ("03") for `year`: shares "kommunkod:per_mille", summing to the total.
  static v1::AllocationKey Key(int year, const std::vector<std::pair<std::string, int>>& shares);
  // Creates the key through the API as Uppsala's county admin; fails the test otherwise.
  void SeedKey(int year, const std::vector<std::pair<std::string, int>>& shares);
  // An arrival in Uppsala (0380) on `date` ("YYYY-MM-DD"), assessed age 15, a girl speaking
  // Arabic with needs, dossier number `dossier`.
  static v1::Arrival Arrival(const std::string& dossier, const std::string& date = "2027-03-01");
  // Reports it as the agency; the child, or the test fails.
  v1::Child Report(const v1::Arrival& arrival);
  // A child assigned to `kommunkod` by a strong link (Arrival with dossier `dossier`).
  v1::Child ReportLinked(const std::string& dossier, const std::string& kommunkod);

  // An HVB for boys and girls of 13-17 with `places` places, speaking Arabic.
  static v1::Unit Hvb(int places);
  // Adds `unit` to `kommunkod` as its officer; the unit, or the test fails.
  v1::Unit SeedUnit(const std::string& kommunkod, const v1::Unit& unit);
  // Proposes placing `child` in `unit` as a county officer of 03; the placement, or the test
  // fails.
  v1::Placement Propose(const v1::Child& child, const v1::Unit& unit);

 private:
  std::unique_ptr<TestClock> clock_;
  std::unique_ptr<integration::testing::ServiceHarness> harness_;
  std::unique_ptr<Stub> stub_;
};

// Base fixture: one server per test suite, tables emptied and the clock reset (to no earlier
// than kEarliestToday) before each test.
class PlacementTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  static PlacementTestEnv& env() { return *env_; }

 private:
  static std::unique_ptr<PlacementTestEnv> env_;
  static std::string start_error_;
};

}  // namespace integration::placement::testing
