// The placement service's object-level rules: the arrival scope, the county and kommun
// boundaries of keys and children, and what of a child each reader sees.
#include "access.h"

#include <gtest/gtest.h>

#include <string>

#include "integration/status/status.h"

namespace integration::placement::access {
namespace {

std::string Reason(const absl::Status& st) {
  auto info = status::GetErrorInfo(st);
  return info ? info->reason() : "";
}

auth::Scope Of(auth::Role role, std::string lan = "", std::string kommun = "") {
  auth::Scope s;
  s.role = role;
  s.subject = "someone";
  s.lan = std::move(lan);
  s.kommun = std::move(kommun);
  return s;
}

TEST(AccessTest, ArrivalsNeedAnAgencyWithTheScope) {
  auth::Scope agency = Of(auth::Role::kAgencySystem);
  EXPECT_EQ(Reason(CheckArrivalReporter(agency)), auth::kReasonScopeMissing);
  agency.scopes = {"other", std::string(kArrivalScope)};
  EXPECT_TRUE(CheckArrivalReporter(agency).ok());
  EXPECT_EQ(Reason(CheckArrivalReporter(Of(auth::Role::kCountyOfficer, "03"))),
            auth::kReasonRoleNotAllowed);
}

TEST(AccessTest, KeysAreEnteredByTheCountysAdminAndReadByItsKommuner) {
  EXPECT_TRUE(CheckKeyAdmin(Of(auth::Role::kCountyAdmin, "03"), "03").ok());
  EXPECT_EQ(Reason(CheckKeyAdmin(Of(auth::Role::kCountyAdmin, "01"), "03")),
            auth::kReasonLanMismatch);
  EXPECT_EQ(Reason(CheckKeyAdmin(Of(auth::Role::kCountyOfficer, "03"), "03")),
            auth::kReasonRoleNotAllowed);
  EXPECT_TRUE(CheckKeyReader(Of(auth::Role::kMunicipalityOfficer, "", "0380"), "03").ok());
  EXPECT_EQ(Reason(CheckKeyReader(Of(auth::Role::kMunicipalityOfficer, "", "0180"), "03")),
            auth::kReasonTenantMismatch);
  EXPECT_TRUE(CheckKeyReader(Of(auth::Role::kCountyOfficer, "03"), "03").ok());
  EXPECT_EQ(Reason(CheckKeyReader(Of(auth::Role::kCountyOfficer), "03")),
            auth::kReasonLanClaimMissing);
}

TEST(AccessTest, AChildIsReadByItsCountyAndItsAssignedKommunOnly) {
  const ChildOwners assigned{"03", "0380"};
  const ChildOwners waiting{"03", ""};
  EXPECT_TRUE(CheckChildReader(Of(auth::Role::kCountyOfficer, "03"), assigned).ok());
  EXPECT_EQ(Reason(CheckChildReader(Of(auth::Role::kCountyOfficer, "01"), assigned)),
            auth::kReasonLanMismatch);
  EXPECT_TRUE(CheckChildReader(Of(auth::Role::kMunicipalityOfficer, "", "0380"), assigned).ok());
  EXPECT_EQ(Reason(CheckChildReader(Of(auth::Role::kMunicipalityOfficer, "", "0305"), assigned)),
            auth::kReasonTenantMismatch);
  EXPECT_EQ(Reason(CheckChildReader(Of(auth::Role::kMunicipalityOfficer, "", "0380"), waiting)),
            auth::kReasonTenantMismatch);
  EXPECT_EQ(Reason(CheckChildReader(Of(auth::Role::kAgencySystem), assigned)),
            auth::kReasonRoleNotAllowed);
}

TEST(AccessTest, OnlyCountyOfficersDecideAndOnlyAdminsReadTheLog) {
  EXPECT_TRUE(CheckCountyOfficer(Of(auth::Role::kCountyOfficer, "03"), "03").ok());
  EXPECT_EQ(Reason(CheckCountyOfficer(Of(auth::Role::kCountyAdmin, "03"), "03")),
            auth::kReasonRoleNotAllowed);
  EXPECT_TRUE(CheckAccessLogReader(Of(auth::Role::kCountyAdmin, "03"), "03").ok());
  EXPECT_EQ(Reason(CheckAccessLogReader(Of(auth::Role::kCountyOfficer, "03"), "03")),
            auth::kReasonRoleNotAllowed);
  EXPECT_EQ(Reason(CheckAccessLogReader(Of(auth::Role::kCountyAdmin, "01"), "03")),
            auth::kReasonLanMismatch);
}

TEST(AccessTest, ListsAreTheCountysOrTheKommuns) {
  absl::StatusOr<auth::Tenant> county = ChildListScope(Of(auth::Role::kCountyAdmin, "03"));
  ASSERT_TRUE(county.ok());
  EXPECT_EQ(county->kind, auth::Tenant::Kind::kLan);
  absl::StatusOr<auth::Tenant> kommun =
      ChildListScope(Of(auth::Role::kMunicipalityOfficer, "", "0380"));
  ASSERT_TRUE(kommun.ok());
  EXPECT_EQ(kommun->kind, auth::Tenant::Kind::kKommun);
  EXPECT_EQ(kommun->value, "0380");
  EXPECT_FALSE(ChildListScope(Of(auth::Role::kAgencySystem)).ok());
}

TEST(AccessTest, NeedsForTheCountyAndTheKommunExplanationForTheCountyOnly) {
  v1::Child child;
  child.set_lanskod("03");
  child.mutable_arrival()->set_needs("needs");
  child.mutable_assignment()->set_kommunkod("0380");
  child.mutable_assignment()->mutable_explanation()->set_summary("why");

  v1::Child county = child;
  RestrictChild(Of(auth::Role::kCountyOfficer, "03"), county);
  EXPECT_EQ(county.arrival().needs(), "needs");
  EXPECT_EQ(county.assignment().explanation().summary(), "why");

  v1::Child kommun = child;
  RestrictChild(Of(auth::Role::kMunicipalityOfficer, "", "0380"), kommun);
  EXPECT_EQ(kommun.arrival().needs(), "needs");
  EXPECT_FALSE(kommun.assignment().has_explanation());

  v1::Child agency = child;
  RestrictChild(Of(auth::Role::kAgencySystem), agency);
  EXPECT_TRUE(agency.arrival().needs().empty());
  EXPECT_FALSE(agency.assignment().has_explanation());
}

}  // namespace
}  // namespace integration::placement::access
