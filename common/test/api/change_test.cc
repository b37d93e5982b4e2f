// The one naming rule of audit actions: "<resource type>.<verb>", the type from the name; and
// the scope of request ids.
#include "integration/api/change.h"

#include <gtest/gtest.h>

#include "integration/api/handler.h"

namespace integration::api {
namespace {

TEST(ResourceTypeTest, IsTheSingularOfTheLastCollection) {
  EXPECT_EQ(ResourceType("programmes/kapacitet"), "programme");
  EXPECT_EQ(ResourceType("calls/7"), "call");
  EXPECT_EQ(ResourceType("calls/7/applications/12"), "application");
  EXPECT_EQ(ResourceType("calls/7/applications/12/reports/3"), "report");
  EXPECT_EQ(ResourceType("learners/anna/attempts/4"), "attempt");
  EXPECT_EQ(ResourceType("learners/anna/diplomas/ABCD-EFGH"), "diploma");
  EXPECT_EQ(ResourceType("parts/intro/modules/m1"), "module");
  // Irregular and "-es" plurals.
  EXPECT_EQ(ResourceType("children/42"), "child");
  EXPECT_EQ(ResourceType("children/42/placements/3"), "placement");
  EXPECT_EQ(ResourceType("kommuner/0180/units/7"), "unit");
  EXPECT_EQ(ResourceType("kommuner/0180"), "kommun");
  EXPECT_EQ(ResourceType("organisations/802400-1235/activities/9"), "activity");
  EXPECT_EQ(ResourceType("courses/3/sessions/1"), "session");
  EXPECT_EQ(ResourceType("counties/03/matches/1"), "match");
  EXPECT_EQ(ResourceType("people/x"), "person");
  EXPECT_EQ(ResourceType("modules/m1/quizzes/q1"), "quiz");
  EXPECT_EQ(ResourceType("addresses/1"), "address");
  EXPECT_EQ(ResourceType("boxes/1"), "box");
}

TEST(ResourceTypeTest, IsTheNameOfASingleton) {
  EXPECT_EQ(ResourceType("parts/intro/modules/m1/quiz"), "quiz");
}

TEST(AuditActionTest, JoinsTypeAndVerb) {
  EXPECT_EQ(AuditAction("calls/7/applications/12", "submit"), "application.submit");
  EXPECT_EQ(AuditAction("learners/anna", "create"), "learner.create");
  EXPECT_EQ(AuditAction("parts/intro/modules/m1", "publish"), "module.publish");
}

grpc::CallContext CallOf(const std::string& issuer, const std::string& subject,
                         const std::string& role, const std::string& lan) {
  auth::Caller caller;
  caller.authenticated = true;
  caller.issuer = issuer;
  caller.subject = subject;
  caller.role = role;
  caller.lan = lan;
  return grpc::CallContext(caller, "req", grpc::TraceContext::NewRoot(),
                           absl::Now() + absl::Seconds(1));
}

TEST(RequestScopeTest, IsIssuerSubjectAndMethodWithoutRoleOrTenant) {
  const std::string scope =
      RequestScope(CallOf("https://idp.test", "u1", "county_officer", "03"), "SubmitApplication");
  EXPECT_EQ(scope, "16:https://idp.test u1/SubmitApplication");
  EXPECT_EQ(RequestScope(CallOf("https://idp.test", "u1", "county_admin", "12"),
                         "SubmitApplication"),
            scope);
  EXPECT_NE(RequestScope(CallOf("https://idp.test", "u1", "county_officer", "03"), "Withdraw"),
            scope);
  EXPECT_NE(RequestScope(CallOf("https://other.test", "u1", "county_officer", "03"),
                         "SubmitApplication"),
            scope);
  // Claim values cannot be chosen to collide: the issuer's length ends it.
  EXPECT_NE(RequestScope(CallOf("a b", "c/M", "", ""), "M"),
            RequestScope(CallOf("a", "b c/M", "", ""), "M"));
}

}  // namespace
}  // namespace integration::api
