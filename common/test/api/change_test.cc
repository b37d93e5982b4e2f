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
