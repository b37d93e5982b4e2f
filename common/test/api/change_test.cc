// The one naming rule of audit actions: "<resource type>.<verb>", the type from the name.
#include "integration/api/change.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace integration::api
