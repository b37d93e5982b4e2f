// The training service's object-level rules (access.h) without a server: learners and their
// attempts, diplomas, statistics and content, and the reason of every refusal.
#include "access.h"

#include <gtest/gtest.h>

#include <string>

#include "integration/status/status.h"

namespace integration::training::access {
namespace {

std::string Reason(const absl::Status& st) {
  if (st.ok()) return "OK";
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
  return info ? info->reason() : "?";
}

auth::Scope As(const std::string& role, const std::string& subject, const std::string& lan = "") {
  auth::Caller caller;
  caller.authenticated = true;
  caller.role = role;
  caller.subject = subject;
  caller.lan = lan;
  return auth::Scope::Of(caller);
}

TEST(LearnerAccessTest, ALearnerItselfOrACountyOfficerOfItsCounty) {
  EXPECT_EQ(Reason(CheckCanReadLearner(As("learner", "anna"), "anna")), "OK");
  EXPECT_EQ(Reason(CheckCanReadLearner(As("learner", "bertil"), "anna")), "TENANT_MISMATCH");
  EXPECT_EQ(Reason(CheckCanReadLearner(As("county_officer", "o", "03"), "anna")), "OK");
  EXPECT_EQ(Reason(CheckCanReadLearner(As("county_officer", "o"), "anna")), "LAN_CLAIM_MISSING");
  EXPECT_EQ(Reason(CheckCanReadLearner(As("county_admin", "a", "03"), "anna")), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(Reason(CheckLearnerCounty(As("county_officer", "o", "03"), "03")), "OK");
  EXPECT_EQ(Reason(CheckLearnerCounty(As("county_officer", "o", "03"), "12")), "LAN_MISMATCH");
  EXPECT_EQ(Reason(CheckLearnerCounty(As("learner", "anna"), "12")), "OK");
}

TEST(LearnerAccessTest, OnlyTheLearnerActsForItself) {
  EXPECT_EQ(Reason(CheckIsLearner(As("learner", "anna"), "anna", "no")), "OK");
  EXPECT_EQ(Reason(CheckIsLearner(As("learner", "bertil"), "anna", "no")), "TENANT_MISMATCH");
  EXPECT_EQ(Reason(CheckIsLearner(As("county_officer", "anna", "03"), "anna", "no")),
            "TENANT_MISMATCH");
  EXPECT_EQ(*LearnerListCounty(As("county_officer", "o", "03")), "03");
  EXPECT_EQ(Reason(LearnerListCounty(As("county_officer", "o")).status()), "LAN_CLAIM_MISSING");
  EXPECT_EQ(Reason(LearnerListCounty(As("learner", "anna")).status()), "ROLE_NOT_ALLOWED");
}

TEST(DiplomaAccessTest, OwnDiplomasOrThoseOfTheTokensLan) {
  EXPECT_EQ(Reason(CheckCanSeeDiplomas(As("learner", "anna"), "anna", "03")), "OK");
  EXPECT_EQ(Reason(CheckCanSeeDiplomas(As("learner", "bertil"), "anna", "03")), "TENANT_MISMATCH");
  EXPECT_EQ(Reason(CheckCanSeeDiplomas(As("county_officer", "o", "03"), "anna", "03")), "OK");
  EXPECT_EQ(Reason(CheckCanSeeDiplomas(As("county_officer", "o", "12"), "anna", "03")),
            "TENANT_MISMATCH");
  EXPECT_EQ(Reason(CheckCanSeeDiplomas(As("county_officer", "o"), "anna", "03")),
            "LAN_CLAIM_MISSING");
}

TEST(DiplomaAccessTest, OnlyAnAdminOfTheLearnersCountyRevokes) {
  EXPECT_EQ(Reason(CheckCanRevokeDiploma(As("county_admin", "a", "03"), "03")), "OK");
  EXPECT_EQ(Reason(CheckCanRevokeDiploma(As("county_admin", "a", "12"), "03")), "LAN_MISMATCH");
  EXPECT_EQ(Reason(CheckCanRevokeDiploma(As("county_admin", "a"), "03")), "LAN_CLAIM_MISSING");
  EXPECT_EQ(Reason(CheckCanRevokeDiploma(As("county_officer", "o", "03"), "03")),
            "ROLE_NOT_ALLOWED");
  EXPECT_EQ(Reason(CheckCanRevokeDiploma(As("learner", "anna"), "03")), "ROLE_NOT_ALLOWED");
}

TEST(StatisticsAccessTest, ATokensLanIsTheOnlyLan) {
  EXPECT_EQ(*StatisticsCounty(As("county_officer", "o", "03"), ""), "03");
  EXPECT_EQ(*StatisticsCounty(As("county_officer", "o", "03"), "03"), "03");
  EXPECT_EQ(Reason(StatisticsCounty(As("county_officer", "o", "03"), "12").status()),
            "TENANT_MISMATCH");
  EXPECT_EQ(Reason(StatisticsCounty(As("county_officer", "o"), "").status()),
            "LAN_CLAIM_MISSING");
  EXPECT_EQ(Reason(StatisticsCounty(As("county_officer", "o"), "12").status()),
            "LAN_CLAIM_MISSING");
}

TEST(ContentAccessTest, TheAdminWritesAndSeesDrafts) {
  EXPECT_TRUE(IsContentAdmin(As("county_admin", "a", "03")));
  EXPECT_FALSE(IsContentAdmin(As("county_officer", "o", "03")));
  EXPECT_EQ(Reason(CheckContentAdmin(As("learner", "anna"), "no")), "ROLE_NOT_ALLOWED");
}

}  // namespace
}  // namespace integration::training::access
