// The placement service's test harness: the in-process server and its fixture.
#include "placement_test_env.h"

#include <chrono>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "integration/auth/auth.h"
#include "placement_spec.h"

namespace integration::placement::testing {

absl::StatusOr<std::unique_ptr<PlacementTestEnv>> PlacementTestEnv::Start() {
  auto env = std::make_unique<PlacementTestEnv>(PassKey());
  env->clock_ = std::make_unique<TestClock>();
  integration::testing::HarnessOptions options;
  options.issuer = "https://issuer.placement.test";
  options.audience = "placement-test";
  options.files = {{"pnr_encryption_key", kTestEncryptionKey}, {"pnr_hmac_key", kTestHmacKey}};
  options.extra_args = {absl::StrCat("--", kPnrEncryptionKeyFileFlag, "={dir}/pnr_encryption_key"),
                        absl::StrCat("--", kPnrHmacKeyFileFlag, "={dir}/pnr_hmac_key")};
  TestClock* clock = env->clock_.get();
  absl::StatusOr<std::unique_ptr<integration::testing::ServiceHarness>> harness =
      integration::testing::ServiceHarness::Start(
          PlacementSpec({.clock = [clock] { return clock->Now(); }}), options);
  if (!harness.ok()) return harness.status();
  env->harness_ = *std::move(harness);
  env->stub_ = v1::PlacementService::NewStub(env->harness_->channel());

  if (absl::Status st = env->harness_->WaitServing(absl::Seconds(20)); !st.ok()) return st;
  return env;
}

std::string PlacementTestEnv::OfficerToken(const std::string& lan) const {
  Claims claims;
  claims.lan = lan;
  return Token("county_officer", "officer-" + lan, claims);
}

std::string PlacementTestEnv::AdminToken(const std::string& lan) const {
  Claims claims;
  claims.lan = lan;
  return Token("county_admin", "admin-" + lan, claims);
}

std::string PlacementTestEnv::KommunToken(const std::string& kommun) const {
  Claims claims;
  claims.kommun = kommun;
  return Token("municipality_officer", "kommun-" + kommun, claims);
}

std::string PlacementTestEnv::AgencyToken(const std::vector<std::string>& scopes) const {
  // The harness's tokens carry no scopes; this one is signed with the harness's key and no kid,
  // which the server accepts because its JWKS holds that one key.
  auth::TokenClaims claims;
  claims.issuer = harness_->options().issuer;
  claims.audience = harness_->options().audience;
  claims.subject = "system-migrationsverket";
  claims.role = "agency_system";
  claims.agency = "migrationsverket";
  claims.scopes = scopes;
  claims.not_before = std::chrono::system_clock::now() - std::chrono::minutes(1);
  claims.expires_at = std::chrono::system_clock::now() + std::chrono::hours(2);
  absl::StatusOr<std::string> token = auth::SignToken(claims, harness_->jwt_key_pem(), "");
  EXPECT_TRUE(token.ok()) << token.status();
  return token.ok() ? *token : "";
}

std::string PlacementTestEnv::NationalToken(bool with_scope, const std::string& lan) const {
  Claims claims;
  claims.lan = lan;
  if (with_scope) claims.scopes = {"placement.quotas.national"};
  return Token("county_admin", "national-admin", claims);
}

v1::AllocationKey PlacementTestEnv::Key(int year,
                                        const std::vector<std::pair<std::string, int>>& shares) {
  v1::AllocationKey key;
  key.set_name(absl::StrCat("counties/03/allocationKeys/", year));
  int total = 0;
  for (const auto& [kommunkod, per_mille] : shares) {
    v1::KommunShare* s = key.add_shares();
    s->set_kommunkod(kommunkod);
    s->set_per_mille(per_mille);
    total += per_mille;
  }
  key.set_county_total_per_mille(total);
  return key;
}

void PlacementTestEnv::SeedKey(int year, const std::vector<std::pair<std::string, int>>& shares) {
  v1::CreateAllocationKeyRequest req;
  req.set_parent("counties/03");
  *req.mutable_allocation_key() = Key(year, shares);
  v1::AllocationKey out;
  ::grpc::Status st = Call(&Stub::CreateAllocationKey, AdminToken(), req, &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
}

v1::Arrival PlacementTestEnv::Arrival(const std::string& dossier, const std::string& date) {
  v1::Arrival a;
  a.set_dossier_number(dossier);
  a.set_assessed_age(15);
  a.set_sex(v1::SEX_FEMALE);
  a.add_languages("ar");
  a.set_needs("Behöver stöd i skolan");
  a.set_arrival_kommunkod("0380");
  int y = 0, m = 0, d = 0;
  EXPECT_TRUE(absl::SimpleAtoi(date.substr(0, 4), &y) && absl::SimpleAtoi(date.substr(5, 2), &m) &&
              absl::SimpleAtoi(date.substr(8, 2), &d))
      << date;
  a.mutable_arrival_date()->set_year(y);
  a.mutable_arrival_date()->set_month(m);
  a.mutable_arrival_date()->set_day(d);
  return a;
}

v1::Child PlacementTestEnv::Report(const v1::Arrival& arrival) {
  v1::ReportArrivalRequest req;
  *req.mutable_arrival() = arrival;
  v1::Child child;
  ::grpc::Status st = Call(&Stub::ReportArrival, AgencyToken(), req, &child);
  EXPECT_TRUE(st.ok()) << Describe(st);
  return child;
}

v1::Child PlacementTestEnv::ReportLinked(const std::string& dossier, const std::string& kommunkod) {
  v1::Arrival arrival = Arrival(dossier);
  arrival.set_strong_link_kommunkod(kommunkod);
  return Report(arrival);
}

v1::Unit PlacementTestEnv::Hvb(int places) {
  v1::Unit u;
  u.set_display_name("Solgläntan HVB");
  u.set_type(v1::UNIT_TYPE_HVB);
  u.set_places(places);
  u.set_min_age(13);
  u.set_max_age(17);
  u.add_languages("ar");
  return u;
}

v1::Unit PlacementTestEnv::SeedUnit(const std::string& kommunkod, const v1::Unit& unit) {
  v1::CreateUnitRequest req;
  req.set_parent("kommuner/" + kommunkod);
  *req.mutable_unit() = unit;
  v1::Unit out;
  ::grpc::Status st = Call(&Stub::CreateUnit, KommunToken(kommunkod), req, &out);
  EXPECT_TRUE(st.ok()) << Describe(st);
  return out;
}

v1::Placement PlacementTestEnv::Propose(const v1::Child& child, const v1::Unit& unit) {
  v1::CreatePlacementRequest req;
  req.set_parent(child.name());
  req.mutable_placement()->set_unit(unit.name());
  v1::Placement out;
  ::grpc::Status st = Call(&Stub::CreatePlacement, OfficerToken(), req, &out);
  EXPECT_TRUE(st.ok()) << Describe(st);
  return out;
}

std::unique_ptr<PlacementTestEnv> PlacementTest::env_;
std::string PlacementTest::start_error_;

void PlacementTest::SetUpTestSuite() {
  absl::StatusOr<std::unique_ptr<PlacementTestEnv>> env = PlacementTestEnv::Start();
  if (env.ok()) {
    env_ = *std::move(env);
    start_error_.clear();
  } else {
    start_error_ = env.status().ToString();
  }
}

void PlacementTest::TearDownTestSuite() { env_.reset(); }

void PlacementTest::SetUp() {
  ASSERT_NE(env_, nullptr) << "the placement test server did not start: " << start_error_;
  env_->Truncate();
  env_->clock().Reset();
  // The tests' arrival dates are fixed; the service's today is at least kEarliestToday so that
  // they never lie in the future.
  const absl::Time earliest = absl::FromCivil(kEarliestToday, absl::UTCTimeZone());
  const absl::Time now = env_->clock().Now();
  if (now < earliest) env_->clock().Advance(earliest - now);
}

}  // namespace integration::placement::testing
