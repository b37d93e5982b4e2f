// Roles, the caller's scope and CheckInScope: the reason of every refusal, per role.
#include "integration/auth/tenancy.h"

#include <gtest/gtest.h>

#include <string>

#include "integration/status/status.h"

namespace integration::auth {
namespace {

std::string Reason(const absl::Status& st) {
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
  return info ? info->reason() : "";
}

Scope ScopeOf(const std::string& role, const std::string& claim = "") {
  Caller caller;
  caller.authenticated = true;
  caller.role = role;
  caller.subject = role == "learner" ? claim : "subject-1";
  if (role == "county_officer" || role == "county_admin") caller.lan = claim;
  if (role == "municipality_officer") caller.kommun = claim;
  if (role == "organisation_rep") caller.orgnr = claim;
  if (role == "agency_system") caller.agency = claim;
  return Scope::Of(caller);
}

TEST(RoleTest, EveryRoleHasOneSpellingBothWays) {
  for (Role role : kAllRoles) {
    EXPECT_FALSE(RoleName(role).empty());
    EXPECT_EQ(ParseRole(RoleName(role)), role) << RoleName(role);
  }
  EXPECT_EQ(ParseRole("county_officer"), Role::kCountyOfficer);
  EXPECT_EQ(ParseRole("learner"), Role::kLearner);
  EXPECT_EQ(ParseRole("County_Officer"), std::nullopt);
  EXPECT_EQ(ParseRole("superuser"), std::nullopt);
  EXPECT_EQ(ParseRole(""), std::nullopt);
}

TEST(ScopeTest, ParsesTheRoleAndNormalisesTheOrganisation) {
  Caller caller;
  caller.authenticated = true;
  caller.role = "organisation_rep";
  caller.subject = "org-1";
  caller.orgnr = "5560360793";
  caller.scopes = {"grants.read"};
  const Scope scope = Scope::Of(caller);
  EXPECT_TRUE(scope.Is(Role::kOrganisationRep));
  EXPECT_FALSE(scope.IsCounty());
  EXPECT_EQ(scope.orgnr, "556036-0793");
  EXPECT_EQ(scope.subject, "org-1");
  EXPECT_EQ(scope.scopes.size(), 1u);
  caller.orgnr = "5560360794";  // wrong check digit
  EXPECT_EQ(Scope::Of(caller).orgnr, "");
  caller.role = "root";
  EXPECT_EQ(Scope::Of(caller).role, std::nullopt);
  EXPECT_TRUE(ScopeOf("county_admin", "03").IsCounty());
  EXPECT_TRUE(ScopeOf("county_officer", "03").IsCounty());
}

TEST(RequireRoleTest, RefusesOtherRoles) {
  const Scope officer = ScopeOf("county_officer", "03");
  EXPECT_TRUE(RequireRole(officer, {Role::kCountyOfficer}, "officers only").ok());
  const absl::Status st = RequireRole(officer, {Role::kCountyAdmin, Role::kLearner}, "no");
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Reason(st), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(Reason(RequireRole(ScopeOf("root"), {Role::kCountyOfficer}, "no")), "ROLE_NOT_ALLOWED");
}

TEST(CountyOfTest, NeedsTheLanClaim) {
  EXPECT_EQ(*CountyOf(ScopeOf("county_officer", "03")), "03");
  EXPECT_EQ(Reason(CountyOf(ScopeOf("county_officer")).status()), "LAN_CLAIM_MISSING");
}

TEST(TenantOfTest, IsTheRolesClaim) {
  absl::StatusOr<Tenant> lan = TenantOf(ScopeOf("county_admin", "03"), "no");
  ASSERT_TRUE(lan.ok());
  EXPECT_EQ(lan->kind, Tenant::Kind::kLan);
  EXPECT_EQ(lan->value, "03");
  absl::StatusOr<Tenant> kommun = TenantOf(ScopeOf("municipality_officer", "0380"), "no");
  ASSERT_TRUE(kommun.ok());
  EXPECT_EQ(kommun->kind, Tenant::Kind::kKommun);
  EXPECT_EQ(kommun->value, "0380");
  absl::StatusOr<Tenant> org = TenantOf(ScopeOf("organisation_rep", "556036-0793"), "no");
  ASSERT_TRUE(org.ok());
  EXPECT_EQ(org->kind, Tenant::Kind::kOrgnr);
  absl::StatusOr<Tenant> learner = TenantOf(ScopeOf("learner", "anna"), "no");
  ASSERT_TRUE(learner.ok());
  EXPECT_EQ(learner->kind, Tenant::Kind::kSubject);
  EXPECT_EQ(learner->value, "anna");
}

TEST(TenantOfTest, RefusesWithoutTheClaimOrForOtherRoles) {
  EXPECT_EQ(Reason(TenantOf(ScopeOf("county_officer"), "no").status()), "LAN_CLAIM_MISSING");
  EXPECT_EQ(Reason(TenantOf(ScopeOf("municipality_officer"), "no").status()),
            "TENANT_CLAIM_MISSING");
  EXPECT_EQ(Reason(TenantOf(ScopeOf("organisation_rep", "not-a-number"), "no").status()),
            "TENANT_CLAIM_MISSING");
  EXPECT_EQ(Reason(TenantOf(ScopeOf("agency_system", "msb"), "no").status()), "ROLE_NOT_ALLOWED");
}

class CheckInScopeTest : public ::testing::Test {
 protected:
  // Owned by county 03, kommun 0380 (applicant) and 0381 (co-applicant), an organisation and a
  // learner: each role finds its own claim there.
  const Owner owner_{
      .lan = "03", .kommuner = {"0380", "0381"}, .orgnr = "556036-0793", .subject = "anna"};
  std::string Check(const Scope& scope) {
    const absl::Status st = CheckInScope(scope, owner_, "the record");
    if (st.ok()) return "OK";
    EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
    return Reason(st);
  }
};

TEST_F(CheckInScopeTest, CountyRolesSeeTheirCounty) {
  EXPECT_EQ(Check(ScopeOf("county_officer", "03")), "OK");
  EXPECT_EQ(Check(ScopeOf("county_admin", "03")), "OK");
  EXPECT_EQ(Check(ScopeOf("county_officer", "12")), "LAN_MISMATCH");
  EXPECT_EQ(Check(ScopeOf("county_admin")), "LAN_CLAIM_MISSING");
}

TEST_F(CheckInScopeTest, TenantRolesSeeTheirOwn) {
  EXPECT_EQ(Check(ScopeOf("municipality_officer", "0380")), "OK");
  EXPECT_EQ(Check(ScopeOf("municipality_officer", "0381")), "OK");
  EXPECT_EQ(Check(ScopeOf("municipality_officer", "0180")), "TENANT_MISMATCH");
  EXPECT_EQ(Check(ScopeOf("municipality_officer")), "TENANT_MISMATCH");
  EXPECT_EQ(Check(ScopeOf("organisation_rep", "5560360793")), "OK");
  EXPECT_EQ(Check(ScopeOf("organisation_rep", "552000-0000")), "TENANT_MISMATCH");
  EXPECT_EQ(Check(ScopeOf("organisation_rep")), "TENANT_MISMATCH");
  EXPECT_EQ(Check(ScopeOf("learner", "anna")), "OK");
  EXPECT_EQ(Check(ScopeOf("learner", "bertil")), "TENANT_MISMATCH");
  // Records written before a subject key rotation name the former pseudonym.
  Scope rotated = ScopeOf("learner", "anna-2");
  EXPECT_EQ(Check(rotated), "TENANT_MISMATCH");
  rotated.former_subjects = {"x", "anna"};
  EXPECT_EQ(Check(rotated), "OK");
  EXPECT_TRUE(rotated.IsSubject("anna-2"));
  EXPECT_TRUE(rotated.IsSubject("x"));
  EXPECT_FALSE(rotated.IsSubject(""));
  EXPECT_FALSE(rotated.IsSubject("ann"));
}

TEST_F(CheckInScopeTest, OtherRolesAreRefused) {
  EXPECT_EQ(Check(ScopeOf("agency_system", "msb")), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(Check(ScopeOf("root")), "ROLE_NOT_ALLOWED");
}

TEST_F(CheckInScopeTest, AnEmptyOwnerIsNobodysTenant) {
  // A kommun-less record is not every kommun officer's because their claim is "" too.
  const Owner county_only{.lan = "03", .kommuner = {}, .orgnr = "", .subject = ""};
  Scope nobody = ScopeOf("organisation_rep");
  EXPECT_EQ(Reason(CheckInScope(nobody, county_only, "x")), "TENANT_MISMATCH");
  Scope learner = ScopeOf("learner");
  EXPECT_EQ(Reason(CheckInScope(learner, county_only, "x")), "TENANT_MISMATCH");
}

}  // namespace
}  // namespace integration::auth
