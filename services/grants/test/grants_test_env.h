// Shared harness of the grants service's service and integration tests: a migrated
// grants-server running in-process (integration::testing::ServiceHarness with GrantsSpec) on a
// fresh test database and the test Redis, tokens for every role, the generated stub, a movable
// clock, direct SQL, and SQL seeds of programmes, calls and applications in any state.
#pragma once

#include <cstdint>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "integration/testing/service_harness.h"
#include "lansstyrelsen/integration/grants/v1/grants_service.grpc.pb.h"

namespace integration::grants::testing {

namespace v1 = ::lansstyrelsen::integration::grants::v1;
using Stub = v1::GrantsService::Stub;
using integration::testing::Claims;
using integration::testing::Describe;
using integration::testing::MetadataOf;
using integration::testing::ReasonOf;
using integration::testing::TestClock;
using integration::testing::ViolationFieldsOf;

// Uppsala län and two of its kommuner; another county and one of its kommuner.
inline constexpr char kTestLan[] = "03";
inline constexpr char kKommunA[] = "0380";  // Uppsala
inline constexpr char kKommunB[] = "0381";  // Enköping
inline constexpr char kOtherLan[] = "01";
inline constexpr char kOtherLanKommun[] = "0180";  // Stockholm
// Valid organisationsnummer: two non-profit associations (legal form 8), a limited company
// (5) and a public-sector body (2).
inline constexpr char kOrgAssociation[] = "802400-1235";
inline constexpr char kOrgAssociation2[] = "802500-4568";
inline constexpr char kOrgCompany[] = "556600-7893";
inline constexpr char kOrgPublic[] = "222000-1115";

// A call inserted straight into the table (no RPC rules applied).
struct SeedCallSpec {
  std::string programme_id = "kapacitet";
  std::string lanskod = kTestLan;
  std::string state = "OPEN";  // stored state
  int64_t budget_ore = 100'000'000;
  int64_t max_ore = 10'000'000;
  std::string funding_start = "2027-01-01";
  std::string funding_end = "2027-12-31";
  struct Criterion {
    std::string id;
    std::string title;
    int weight = 1;
  };
  std::vector<Criterion> criteria = {{"need", "Behov", 2}, {"quality", "Kvalitet", 1}};
  // open_time = clock now + open_offset; close_time = clock now + close_offset.
  absl::Duration open_offset = absl::Hours(-24);
  absl::Duration close_offset = absl::Hours(24 * 30);
  std::string title = "Utlysning";
};

// An application inserted straight into the table (no RPC rules applied).
struct SeedApplicationSpec {
  int64_t call_id = 0;
  std::string kommunkod = kKommunA;  // set exactly one of kommunkod / orgnr
  std::string orgnr;
  std::string applicant_type = "APPLICANT_TYPE_KOMMUN";  // enum name
  std::string applicant_name = "Uppsala kommun";
  std::string state = "SUBMITTED";  // stored state
  int64_t requested_ore = 1'000'000;
  std::string period_start = "2027-02-01";
  std::string period_end = "2027-11-30";
  std::string diarienummer;      // "" = NULL for drafts, else generated when empty
  std::string decision_outcome;  // "" = none; else "APPROVED" ...
  int64_t approved_ore = 0;
  int64_t paid_ore = 0;
  std::string project_title = "Projekt";
};

class GrantsTestEnv {
  struct PassKey {};

 public:
  explicit GrantsTestEnv(PassKey) {}
  // Starts grants-server (GrantsSpec with the test clock, registry 851) and waits until its
  // health check answers SERVING.
  static absl::StatusOr<std::unique_ptr<GrantsTestEnv>> Start();

  Stub& stub() { return *stub_; }
  integration::testing::ServiceHarness& harness() { return *harness_; }
  const std::string& target() const { return harness_->target(); }

  // --- Tokens ---
  // What the service records for a token's subject (audit actors, reviewers): its pseudonym.
  std::string Subject(const std::string& subject) const { return harness_->Subject(subject); }
  std::string Token(const std::string& role, const std::string& subject,
                    const Claims& claims = {}) const {
    return harness_->Token(role, subject, claims);
  }
  std::string AdminToken(const std::string& lan = kTestLan) const {
    Claims claims;
    claims.lan = lan;
    return Token("county_admin", "admin-1", claims);
  }
  // A county admin who may also create and change national programmes.
  std::string NationalAdminToken(const std::string& lan = kTestLan) const {
    Claims claims;
    claims.lan = lan;
    claims.scopes = {"grants.programmes.national"};
    return Token("county_admin", "admin-1", claims);
  }
  std::string OfficerToken(const std::string& subject = "officer-1",
                           const std::string& lan = kTestLan) const {
    Claims claims;
    claims.lan = lan;
    return Token("county_officer", subject, claims);
  }
  std::string KommunToken(const std::string& kommun = kKommunA,
                          const std::string& subject = "") const {
    Claims claims;
    claims.kommun = kommun;
    return Token("municipality_officer", subject.empty() ? "kommun-" + kommun : subject, claims);
  }
  std::string OrgToken(const std::string& orgnr = kOrgAssociation,
                       const std::string& subject = "") const {
    Claims claims;
    claims.orgnr = orgnr;
    return Token("organisation_rep", subject.empty() ? "org-" + orgnr : subject, claims);
  }
  // An agency system's token; by default with the scope CheckFunding names.
  std::string AgencyToken(const std::string& agency = "migrationsverket",
                          std::vector<std::string> scopes = {"grants.funding.read"}) const {
    Claims claims;
    claims.agency = agency;
    claims.scopes = std::move(scopes);
    return Token("agency_system", "system-" + agency, claims);
  }

  // One call through the stub: Call(&Stub::GetCall, token, request, &response). An empty token
  // calls without one.
  template <class Req, class Resp>
  ::grpc::Status Call(::grpc::Status (Stub::*method)(::grpc::ClientContext*, const Req&, Resp*),
                      const std::string& token, const Req& request, Resp* response) {
    std::unique_ptr<::grpc::ClientContext> ctx =
        integration::testing::ServiceHarness::Context(token);
    return ((*stub_).*method)(ctx.get(), request, response);
  }

  TestClock& clock() { return *clock_; }

  // --- Database (search_path grants) ---
  pqxx::result Query(const std::string& sql) { return harness_->Query(sql); }
  int64_t Count(const std::string& sql) { return harness_->Count(sql); }
  void Truncate() { harness_->Truncate(); }

  // --- Seeds ---
  // A programme: `eligible` ApplicantType enum names, `reports` the required reports.
  void SeedProgramme(const std::string& programme_id, const std::vector<std::string>& eligible,
                     const std::vector<v1::ReportRequirement>& reports = {});
  // The three programmes of the demo: "kapacitet" (§ 37: KOMMUN, KOMMUNALFORBUND; final report
  // 2 months after the end), "guider" (§ 37 a: KOMMUN; interim 6 months after the start, final 2
  // months after the end) and "tia" (2016:1364: associations, faith communities, study
  // associations, KOMMUN; final 2 months after the end).
  void SeedDemoProgrammes();
  int64_t SeedCall(const SeedCallSpec& spec = {});
  int64_t SeedApplication(const SeedApplicationSpec& spec);

 private:
  std::unique_ptr<TestClock> clock_;
  std::unique_ptr<integration::testing::ServiceHarness> harness_;
  std::unique_ptr<Stub> stub_;
  int64_t next_diarienummer_ = 9000;
};

// Base fixture: one server per test suite, tables emptied and the clock reset before each test.
class GrantsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  static GrantsTestEnv& env() { return *env_; }

 private:
  static std::unique_ptr<GrantsTestEnv> env_;
  static std::string start_error_;
};

}  // namespace integration::grants::testing
