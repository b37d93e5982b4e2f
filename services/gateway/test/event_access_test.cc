// Event authorization by the read RPCs: the roles derived from the suite's Get methods and
// their access policies, and MaySee combining them with the tenant check and the agency scope.
#include "event_access.h"

#include <gtest/gtest.h>

#include <memory>

#include "backends.h"
#include "event_feed.h"

namespace integration::gateway {
namespace {

constexpr RoleMask kTenantRoles =
    RoleBit(auth::Role::kCountyOfficer) | RoleBit(auth::Role::kCountyAdmin) |
    RoleBit(auth::Role::kMunicipalityOfficer) | RoleBit(auth::Role::kOrganisationRep) |
    RoleBit(auth::Role::kLearner);

const EventReadRoles& Suite() {
  static const std::shared_ptr<const EventReadRoles> roles =
      EventReadRoles::FromServices(SuiteServices());
  return *roles;
}

FeedEntry Event(std::string service, std::string aggregate, outbox::Tenant tenant) {
  FeedEntry e;
  e.service = std::move(service);
  e.aggregate = std::move(aggregate);
  e.tenant = std::move(tenant);
  e.readers = Suite().Of(e.service, e.aggregate);
  return e;
}

outbox::Tenant Learner(const std::string& lan, const std::string& subject) {
  outbox::Tenant t;
  t.lan = lan;
  t.learner = subject;
  return t;
}

auth::Scope As(auth::Role role) {
  auth::Scope s;
  s.role = role;
  s.subject = "caller";
  return s;
}

TEST(EventReadRolesTest, TheRolesOfTheGetMethodWhosePatternMatchesTheResource) {
  const RoleMask learner_or_officer =
      RoleBit(auth::Role::kLearner) | RoleBit(auth::Role::kCountyOfficer);
  EXPECT_EQ(Suite().Of("training", "learners/p1"), learner_or_officer);  // GetLearner
  EXPECT_EQ(Suite().Of("training", "learners/p1/diplomas/D1"), learner_or_officer);
  EXPECT_EQ(Suite().Of("training", "parts/p"), kTenantRoles) << "GetPart is public";
  EXPECT_EQ(Suite().Of("training", "parts/p/modules/m/quiz"), RoleBit(auth::Role::kCountyAdmin));
  EXPECT_EQ(Suite().Of("placement", "kommuner/0180/settlementAssignments/a1"),
            RoleBit(auth::Role::kCountyOfficer) | RoleBit(auth::Role::kCountyAdmin) |
                RoleBit(auth::Role::kMunicipalityOfficer));
  // A resource with no Get method is read through its List (ListReclaims).
  EXPECT_EQ(Suite().Of("grants", "calls/c/applications/a/reclaims/r"),
            RoleBit(auth::Role::kMunicipalityOfficer) | RoleBit(auth::Role::kOrganisationRep) |
                RoleBit(auth::Role::kCountyOfficer));
  EXPECT_EQ(Suite().Of("grants", "calls/c/applications/a/reclaims"), 0u) << "the collection";
  // No read method: nobody (by role).
  EXPECT_EQ(Suite().Of("training", "learners"), 0u);
  EXPECT_EQ(Suite().Of("training", "learners/p1/nothing/x"), 0u);
  EXPECT_EQ(Suite().Of("training", "learners//diplomas/D1"), 0u) << "an empty segment";
  EXPECT_EQ(Suite().Of("training", ""), 0u);
  EXPECT_EQ(Suite().Of("nope", "learners/p1"), 0u);
  // Another service's pattern does not apply.
  EXPECT_EQ(Suite().Of("placement", "learners/p1"), 0u);
}

TEST(EventReadRolesTest, RolesAdmittedByFollowAuthorize) {
  auth::Policy policy;
  EXPECT_EQ(RolesAdmittedBy(nullptr), 0u);
  EXPECT_EQ(RolesAdmittedBy(&policy), 0u);
  policy.add_roles("county_officer");
  policy.add_roles("agency_system");
  policy.add_agency_scopes("x.read");
  EXPECT_EQ(RolesAdmittedBy(&policy), RoleBit(auth::Role::kCountyOfficer))
      << "agency systems are let in by their event scope, not here";
  policy.set_public_(true);
  EXPECT_EQ(RolesAdmittedBy(&policy), kTenantRoles);
}

TEST(EventReadRolesTest, AddRejectsWhatIsNoResourcePattern) {
  EventReadRoles roles;
  EXPECT_TRUE(roles.Add("s", "things/*/parts/*", kTenantRoles).ok());
  EXPECT_EQ(roles.Of("s", "things/t/parts/p"), kTenantRoles);
  EXPECT_EQ(roles.Of("s", "things/t"), 0u);
  EXPECT_FALSE(roles.Add("s", "{name=things/*}", kTenantRoles).ok());
  EXPECT_FALSE(roles.Add("s", "things/*:verb", kTenantRoles).ok());
}

TEST(MaySeeByPolicyTest, ACountyAdminDoesNotGetLearnerEventsItsRoleCannotRead) {
  const FeedEntry enrolled = Event("training", "learners/p1", Learner("12", "p1"));
  auth::Scope admin = As(auth::Role::kCountyAdmin);
  admin.lan = "12";
  EXPECT_FALSE(MaySee(admin, enrolled)) << "GetLearner lets learners and county officers in";
  auth::Scope officer = As(auth::Role::kCountyOfficer);
  officer.lan = "12";
  EXPECT_TRUE(MaySee(officer, enrolled));
  officer.lan = "13";
  EXPECT_FALSE(MaySee(officer, enrolled)) << "the tenant check still applies";
  // A quiz change is public by its tenant but only county_admin reads quizzes.
  outbox::Tenant open;
  open.is_public = true;
  const FeedEntry quiz = Event("training", "parts/p/modules/m/quiz", open);
  EXPECT_FALSE(MaySee(officer, quiz));
  EXPECT_TRUE(MaySee(admin, quiz));
  const FeedEntry part = Event("training", "parts/p", open);
  EXPECT_TRUE(MaySee(officer, part));
  EXPECT_TRUE(MaySee(As(auth::Role::kLearner), part));
}

TEST(MaySeeByPolicyTest, ALearnerGetsOnlyItsOwnEvents) {
  auth::Scope learner = As(auth::Role::kLearner);
  learner.subject = "p1";
  EXPECT_TRUE(MaySee(learner, Event("training", "learners/p1/diplomas/D1", Learner("12", "p1"))));
  EXPECT_FALSE(MaySee(learner, Event("training", "learners/p2/diplomas/D2", Learner("12", "p2"))));
  learner.subject = "p1-new";
  learner.former_subjects = {"p1"};
  EXPECT_TRUE(MaySee(learner, Event("training", "learners/p1", Learner("12", "p1"))));
  // A learner's own record in a service whose read RPC does not admit learners.
  outbox::Tenant own = Learner("12", "p1");
  own.kommuner = {"0180"};
  EXPECT_FALSE(MaySee(learner, Event("placement", "kommuner/0180/settlementAssignments/a", own)));
}

TEST(MaySeeByPolicyTest, AMunicipalityOfficerGetsOnlyItsOwnKommunsEvents) {
  outbox::Tenant in_0180;
  in_0180.lan = "01";
  in_0180.kommuner = {"0180"};
  const FeedEntry assigned = Event("placement", "kommuner/0180/settlementAssignments/a1", in_0180);
  auth::Scope officer = As(auth::Role::kMunicipalityOfficer);
  officer.kommun = "0180";
  EXPECT_TRUE(MaySee(officer, assigned));
  officer.kommun = "1280";
  EXPECT_FALSE(MaySee(officer, assigned));
  officer.kommun = "";
  EXPECT_FALSE(MaySee(officer, assigned)) << "without its claim";
  // Its kommun's learner, but GetLearner does not admit municipality officers.
  outbox::Tenant learner = Learner("01", "p1");
  learner.kommuner = {"0180"};
  officer.kommun = "0180";
  EXPECT_FALSE(MaySee(officer, Event("training", "learners/p1", learner)));
}

TEST(MaySeeByPolicyTest, AnAgencySystemNeedsTheEventScopeOfTheService) {
  const FeedEntry enrolled = Event("training", "learners/p1", Learner("12", "p1"));
  const FeedEntry unexposed = Event("training", "learners/p1/nothing/x", Learner("12", "p1"));
  ASSERT_EQ(unexposed.readers, 0u);
  auth::Scope agency = As(auth::Role::kAgencySystem);
  EXPECT_FALSE(MaySee(agency, enrolled));
  agency.scopes = {"placement.events.read", "training.diplomas.read"};
  EXPECT_FALSE(MaySee(agency, enrolled));
  agency.scopes.push_back(EventScope("training"));
  EXPECT_TRUE(MaySee(agency, enrolled));
  EXPECT_TRUE(MaySee(agency, unexposed)) << "the scope covers events no read RPC exposes";
  // Events no read RPC exposes: no tenant role, however close its tenant.
  auth::Scope officer = As(auth::Role::kCountyOfficer);
  officer.lan = "12";
  EXPECT_FALSE(MaySee(officer, unexposed));
  auth::Scope learner = As(auth::Role::kLearner);
  learner.subject = "p1";
  EXPECT_FALSE(MaySee(learner, unexposed));
  EXPECT_FALSE(MaySee(auth::Scope{}, enrolled)) << "no role";
}

}  // namespace
}  // namespace integration::gateway
