// The grants service's object-level rules (access.h) without a server: who may read, act as
// the applicant or as the board on an application, create one, list, administer calls and ask
// about funding, and the reason of every refusal.
#include "access.h"

#include <gtest/gtest.h>

#include <string>

#include "integration/status/status.h"

namespace integration::grants::access {
namespace {

std::string Reason(const absl::Status& st) {
  if (st.ok()) return "OK";
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
  return info ? info->reason() : "?";
}

auth::Scope As(const std::string& role, const std::string& lan = "", const std::string& kommun = "",
               const std::string& orgnr = "") {
  auth::Caller caller;
  caller.authenticated = true;
  caller.subject = "s";
  caller.role = role;
  caller.lan = lan;
  caller.kommun = kommun;
  caller.orgnr = orgnr;
  return auth::Scope::Of(caller);
}

// Kommun 0380's application with 0381 as co-applicant, in a call of county 03.
const ApplicationOwners kKommunApp{.lanskod = "03",
                                   .applicant_kommunkod = "0380",
                                   .applicant_orgnr = "",
                                   .co_applicant_kommuner = {"0381"}};
const ApplicationOwners kOrgApp{.lanskod = "03",
                                .applicant_kommunkod = "",
                                .applicant_orgnr = "556036-0793",
                                .co_applicant_kommuner = {}};

TEST(ApplicationAccessTest, ReadersAreTheApplicantsAndTheCounty) {
  EXPECT_EQ(
      Reason(CheckApplication(As("municipality_officer", "", "0380"), kKommunApp, Acting::kReader)),
      "OK");
  EXPECT_EQ(
      Reason(CheckApplication(As("municipality_officer", "", "0381"), kKommunApp, Acting::kReader)),
      "OK");
  EXPECT_EQ(
      Reason(CheckApplication(As("municipality_officer", "", "0180"), kKommunApp, Acting::kReader)),
      "TENANT_MISMATCH");
  EXPECT_EQ(Reason(CheckApplication(As("organisation_rep", "", "", "5560360793"), kOrgApp,
                                    Acting::kReader)),
            "OK");
  EXPECT_EQ(Reason(CheckApplication(As("county_admin", "03"), kKommunApp, Acting::kReader)), "OK");
  EXPECT_EQ(Reason(CheckApplication(As("county_officer", "12"), kKommunApp, Acting::kReader)),
            "LAN_MISMATCH");
  EXPECT_EQ(Reason(CheckApplication(As("county_officer"), kKommunApp, Acting::kReader)),
            "LAN_CLAIM_MISSING");
  EXPECT_EQ(Reason(CheckApplication(As("agency_system"), kKommunApp, Acting::kReader)),
            "ROLE_NOT_ALLOWED");
}

TEST(ApplicationAccessTest, OnlyTheApplicantActsAsIt) {
  EXPECT_EQ(Reason(CheckApplication(As("municipality_officer", "", "0380"), kKommunApp,
                                    Acting::kApplicant)),
            "OK");
  // A co-applicant reads, but does not act for the applicant.
  EXPECT_EQ(Reason(CheckApplication(As("municipality_officer", "", "0381"), kKommunApp,
                                    Acting::kApplicant)),
            "TENANT_MISMATCH");
  EXPECT_EQ(Reason(CheckApplication(As("organisation_rep", "", "", "552000-0000"), kOrgApp,
                                    Acting::kApplicant)),
            "TENANT_MISMATCH");
  EXPECT_EQ(Reason(CheckApplication(As("county_officer", "03"), kKommunApp, Acting::kApplicant)),
            "ROLE_NOT_ALLOWED");
}

TEST(ApplicationAccessTest, TheBoardIsACountyOfficerOfTheCallsCounty) {
  EXPECT_EQ(
      Reason(CheckApplication(As("county_officer", "03"), kKommunApp, Acting::kCountyOfficer)),
      "OK");
  EXPECT_EQ(Reason(CheckApplication(As("county_admin", "03"), kKommunApp, Acting::kCountyOfficer)),
            "ROLE_NOT_ALLOWED");
  EXPECT_EQ(Reason(CheckCountyOfficer(As("county_officer", "12"), "03")), "LAN_MISMATCH");
  EXPECT_EQ(Reason(OfficerCounty(As("county_officer")).status()), "LAN_CLAIM_MISSING");
  EXPECT_EQ(*OfficerCounty(As("county_officer", "03")), "03");
}

TEST(NewApplicationTest, IsForTheCallersOwnKommunOrOrganisation) {
  v1::Applicant kommun;
  kommun.set_kommunkod("0380");
  v1::Applicant org;
  org.set_organisationsnummer("556036-0793");
  EXPECT_EQ(Reason(CheckNewApplication(As("municipality_officer", "", "0380"), kommun)), "OK");
  EXPECT_EQ(Reason(CheckNewApplication(As("municipality_officer", "", "0381"), kommun)),
            "TENANT_MISMATCH");
  EXPECT_EQ(Reason(CheckNewApplication(As("municipality_officer"), kommun)),
            "TENANT_CLAIM_MISSING");
  EXPECT_EQ(Reason(CheckNewApplication(As("organisation_rep", "", "", "5560360793"), org)), "OK");
  EXPECT_EQ(Reason(CheckNewApplication(As("organisation_rep", "", "", "5560360793"), kommun)),
            "TENANT_MISMATCH");
  EXPECT_EQ(Reason(CheckNewApplication(As("organisation_rep", "", "", "bad"), org)),
            "TENANT_CLAIM_MISSING");
  EXPECT_EQ(Reason(CheckNewApplication(As("county_officer", "03"), kommun)), "ROLE_NOT_ALLOWED");
}

TEST(ListScopeTest, IsTheCallersTenant) {
  EXPECT_EQ(ApplicationListScope(As("county_officer", "03"))->kind, auth::Tenant::Kind::kLan);
  EXPECT_EQ(ApplicationListScope(As("organisation_rep", "", "", "5560360793"))->value,
            "556036-0793");
  EXPECT_EQ(Reason(ApplicationListScope(As("county_admin")).status()), "LAN_CLAIM_MISSING");
  EXPECT_EQ(Reason(ApplicationListScope(As("agency_system")).status()), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(Reason(ApplicationListScope(As("learner")).status()), "ROLE_NOT_ALLOWED");
}

TEST(CallAccessTest, DraftsAreTheirCountysOnly) {
  EXPECT_TRUE(CanSeeCall(As("municipality_officer", "", "0380"), "OPEN", "03"));
  EXPECT_FALSE(CanSeeCall(As("municipality_officer", "", "0380"), "DRAFT", "03"));
  EXPECT_TRUE(CanSeeCall(As("county_admin", "03"), "DRAFT", "03"));
  EXPECT_FALSE(CanSeeCall(As("county_admin", "12"), "DRAFT", "03"));
  EXPECT_EQ(DraftsCounty(As("county_officer", "03")), "03");
  EXPECT_EQ(DraftsCounty(As("organisation_rep")), "");
  EXPECT_EQ(Reason(CheckCallAdmin(As("county_admin", "12"), "03")), "LAN_MISMATCH");
  EXPECT_EQ(Reason(CheckCallAdmin(As("county_admin"), "03")), "LAN_CLAIM_MISSING");
}

TEST(FundingAccessTest, OwnFundingOrAnyonesForAgenciesAndTheCountysForOfficers) {
  EXPECT_EQ(*FundingCounty(As("agency_system"), "0380", ""), "");
  EXPECT_EQ(*FundingCounty(As("county_officer", "03"), "0380", ""), "03");
  EXPECT_EQ(Reason(FundingCounty(As("county_officer"), "0380", "").status()), "LAN_CLAIM_MISSING");
  EXPECT_EQ(*FundingCounty(As("municipality_officer", "", "0380"), "0380", ""), "");
  EXPECT_EQ(Reason(FundingCounty(As("municipality_officer", "", "0380"), "0381", "").status()),
            "TENANT_MISMATCH");
  EXPECT_EQ(*FundingCounty(As("organisation_rep", "", "", "5560360793"), "", "556036-0793"), "");
  EXPECT_EQ(
      Reason(
          FundingCounty(As("organisation_rep", "", "", "5560360793"), "", "552000-0000").status()),
      "TENANT_MISMATCH");
  EXPECT_EQ(Reason(FundingCounty(As("county_admin", "03"), "0380", "").status()),
            "ROLE_NOT_ALLOWED");
}

}  // namespace
}  // namespace integration::grants::access
