// Assignment (anvisning) through the real server and PostgreSQL: furthest below share with its
// tie-break, strong links, sibling groups, the key that changes on 1 January, children waiting
// for a key, the stored explanation, and a county officer's audited correction.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "placement_test_env.h"

namespace integration::placement::testing {
namespace {

class AssignmentTest : public PlacementTest {
 protected:
  v1::Child Get(const std::string& name, const std::string& token = "") {
    v1::GetChildRequest req;
    req.set_name(name);
    req.set_purpose("assignment review");
    v1::Child child;
    ::grpc::Status st =
        env().Call(&Stub::GetChild, token.empty() ? env().OfficerToken() : token, req, &child);
    EXPECT_TRUE(st.ok()) << Describe(st);
    return child;
  }
  ::grpc::Status Correct(const v1::Child& child, const std::string& kommunkod, v1::Child* out,
                         const std::string& token = "", const std::string& etag = "") {
    v1::CorrectAssignmentRequest req;
    req.set_name(child.name());
    req.set_kommunkod(kommunkod);
    req.set_reason("Mostern bor i kommunen");
    req.set_etag(etag);
    return env().Call(&Stub::CorrectAssignment, token.empty() ? env().OfficerToken() : token, req,
                      out);
  }
};

TEST_F(AssignmentTest, EachChildGoesToTheKommunFurthestBelowItsShare) {
  env().SeedKey(2027, {{"0380", 20}, {"0305", 5}, {"0360", 5}});
  // Worked out in allocation_rules.h's terms: deficits (0380, 0305, 0360) before each child
  // are (20,5,5), (10,10,10), (0,15,15), (20,-10,20), (10,-5,25), (30,0,0).
  const std::vector<std::string> expected = {"0380", "0380", "0305", "0380", "0360", "0380"};
  for (size_t i = 0; i < expected.size(); ++i) {
    const v1::Child child = env().Report(PlacementTestEnv::Arrival(absl::StrCat("50-00000", i)));
    EXPECT_EQ(child.assignment().kommunkod(), expected[i]) << "child " << i;
  }
  // The explanation of the fifth: the standings it was computed from, readable by the county.
  const v1::Child fifth = Get("children/5");
  const v1::AssignmentExplanation& why = fifth.assignment().explanation();
  EXPECT_EQ(why.allocation_key(), "counties/03/allocationKeys/2027");
  ASSERT_EQ(why.standings_size(), 3);
  EXPECT_EQ(why.standings(0).kommunkod(), "0305");
  EXPECT_EQ(why.standings(0).assigned(), 1);
  EXPECT_EQ(why.standings(0).deficit(), -5);
  EXPECT_EQ(why.standings(1).deficit(), 25);
  EXPECT_EQ(why.standings(2).assigned(), 3);
  EXPECT_THAT(why.summary(), ::testing::HasSubstr("0360"));
}

TEST_F(AssignmentTest, AStrongLinkDecidesWithoutAKeyAndCountsInTheStandings) {
  v1::Arrival linked = PlacementTestEnv::Arrival("60-000001");
  linked.set_strong_link_kommunkod("0360");
  const v1::Child child = env().Report(linked);
  EXPECT_EQ(child.assignment().kommunkod(), "0360");
  EXPECT_EQ(child.assignment().basis(), v1::ASSIGNMENT_BASIS_STRONG_LINK);
  env().SeedKey(2027, {{"0305", 10}, {"0360", 10}});
  // Tierp has one already: Håbo is further below its share.
  EXPECT_EQ(env().Report(PlacementTestEnv::Arrival("60-000002")).assignment().kommunkod(), "0305");
}

TEST_F(AssignmentTest, ALinkInAnotherCountyMovesTheChildThere) {
  v1::Arrival linked = PlacementTestEnv::Arrival("60-000003");
  linked.set_strong_link_kommunkod("0180");
  const v1::Child child = env().Report(linked);
  EXPECT_EQ(child.lanskod(), "01");
  EXPECT_EQ(child.assignment().kommunkod(), "0180");
}

TEST_F(AssignmentTest, ASiblingGroupGoesToOneKommun) {
  env().SeedKey(2027, {{"0380", 20}, {"0305", 5}, {"0360", 5}});
  v1::Arrival older = PlacementTestEnv::Arrival("70-000001");
  older.set_sibling_group("SG-1");
  v1::Arrival younger = PlacementTestEnv::Arrival("70-000002");
  younger.set_sibling_group("SG-1");
  younger.set_strong_link_kommunkod("0305");  // the group's first assignment still decides
  const v1::Child a = env().Report(older);
  const v1::Child b = env().Report(younger);
  EXPECT_EQ(a.assignment().kommunkod(), "0380");
  EXPECT_EQ(b.assignment().kommunkod(), "0380");
  EXPECT_EQ(b.assignment().basis(), v1::ASSIGNMENT_BASIS_SIBLING_GROUP);
  EXPECT_EQ(Get(b.name()).assignment().explanation().sibling(), a.name());
}

TEST_F(AssignmentTest, TheKeyChangesOnTheFirstOfJanuary) {
  env().SeedKey(2026, {{"0380", 10}, {"0305", 10}});
  env().SeedKey(2027, {{"0305", 10}, {"0360", 20}});
  // 31 December: the 2026 key (tie on deficit and share: the lower code, Håbo).
  const v1::Child december = env().Report(PlacementTestEnv::Arrival("80-000001", "2026-12-31"));
  EXPECT_EQ(december.assignment().kommunkod(), "0305");
  // 1 January: the 2027 key, counting only from its base date, so Håbo's December child
  // does not count: Tierp has the larger share.
  const v1::Child january = env().Report(PlacementTestEnv::Arrival("80-000002", "2027-01-01"));
  EXPECT_EQ(january.assignment().kommunkod(), "0360");
  EXPECT_EQ(Get(january.name()).assignment().explanation().allocation_key(),
            "counties/03/allocationKeys/2027");
  EXPECT_EQ(Get(january.name()).assignment().explanation().standings(0).assigned(), 0);
}

TEST_F(AssignmentTest, AChildWaitsForItsCountysKeyAndIsAssignedThen) {
  const v1::Child waiting = env().Report(PlacementTestEnv::Arrival("90-000001"));
  EXPECT_EQ(waiting.state(), v1::CHILD_STATE_WAITING);
  EXPECT_FALSE(waiting.has_assignment());
  v1::AssignChildRequest req;
  req.set_name(waiting.name());
  v1::Child out;
  ::grpc::Status st = env().Call(&Stub::AssignChild, env().OfficerToken(), req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "ALLOCATION_KEY_MISSING");
  EXPECT_EQ(ReasonOf(env().Call(&Stub::AssignChild, env().OfficerToken("01"), req, &out)),
            "LAN_MISMATCH");

  env().SeedKey(2027, {{"0331", 7}});
  st = env().Call(&Stub::AssignChild, env().OfficerToken(), req, &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.state(), v1::CHILD_STATE_ASSIGNED);
  EXPECT_EQ(out.assignment().kommunkod(), "0331");
  EXPECT_EQ(ReasonOf(env().Call(&Stub::AssignChild, env().OfficerToken(), req, &out)),
            "CHILD_ALREADY_ASSIGNED");
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'child.assign'"), 1);
}

TEST_F(AssignmentTest, ACountyOfficerCorrectsTheGroupWithAReasonAudited) {
  env().SeedKey(2027, {{"0380", 20}, {"0305", 5}, {"0360", 5}});
  v1::Arrival first = PlacementTestEnv::Arrival("11-000001");
  first.set_sibling_group("SG-9");
  v1::Arrival second = PlacementTestEnv::Arrival("11-000002");
  second.set_sibling_group("SG-9");
  const v1::Child a = env().Report(first);
  const v1::Child b = env().Report(second);
  ASSERT_EQ(b.assignment().kommunkod(), "0380");

  v1::Child out;
  EXPECT_EQ(ReasonOf(Correct(a, "0360", &out, "", "r999")), "ETAG_MISMATCH");
  EXPECT_EQ(ReasonOf(Correct(a, "0180", &out)), "INVALID_FIELD");
  EXPECT_EQ(ReasonOf(Correct(a, "0380", &out)), "ASSIGNMENT_UNCHANGED");
  EXPECT_EQ(ReasonOf(Correct(a, "0360", &out, env().KommunToken("0380"))), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(Correct(a, "0360", &out, env().OfficerToken("01"))), "LAN_MISMATCH");

  const v1::Child current = Get(a.name());
  ::grpc::Status st = Correct(a, "0360", &out, "", current.etag());
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.assignment().kommunkod(), "0360");
  EXPECT_EQ(out.assignment().basis(), v1::ASSIGNMENT_BASIS_CORRECTION);
  EXPECT_EQ(out.assignment().explanation().previous_kommunkod(), "0380");
  EXPECT_EQ(out.assignment().explanation().reason(), "Mostern bor i kommunen");
  EXPECT_NE(out.etag(), current.etag());
  // The sibling moved with the child.
  EXPECT_EQ(Get(b.name()).assignment().kommunkod(), "0360");
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = "
                        "'child.correctAssignment' AND role = 'county_officer' AND detail LIKE "
                        "'from kommun 0380 to kommun 0360%'"),
            2);
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox WHERE event_type = "
                        "'lansstyrelsen.integration.placement.v1.ChildAssignedEvent'"),
            4);
}

}  // namespace
}  // namespace integration::placement::testing
