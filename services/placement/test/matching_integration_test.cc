// ProposeMatches through the real server and PostgreSQL: proposals for a county's waiting
// children in its free places, the greedy baseline beside them, nothing written, and each
// proposal one an officer can turn into a placement.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "placement_test_env.h"

namespace integration::placement::testing {
namespace {

class ProposeMatchesTest : public PlacementTest {
 protected:
  ::grpc::Status Propose(const std::string& token, v1::MatchProposal* out,
                         const std::string& parent = "counties/03") {
    v1::ProposeMatchesRequest req;
    req.set_parent(parent);
    return env().Call(&Stub::ProposeMatches, token, req, out);
  }
};

TEST_F(ProposeMatchesTest, ProposesFreePlacesAndChangesNothing) {
  v1::Unit young = PlacementTestEnv::Hvb(1);
  young.set_max_age(15);
  const v1::Unit uppsala_young = env().SeedUnit("0380", young);
  v1::Unit older = PlacementTestEnv::Hvb(1);
  older.set_min_age(16);
  older.clear_languages();
  const v1::Unit habo_older = env().SeedUnit("0305", older);
  // Two girls of 15 assigned to Uppsala (the test arrivals), and one of 17 who fits only Håbo.
  const v1::Child a = env().ReportLinked("51-000001", "0380");
  const v1::Child b = env().ReportLinked("51-000002", "0380");
  v1::Arrival older_girl = PlacementTestEnv::Arrival("51-000003");
  older_girl.set_assessed_age(17);
  older_girl.set_strong_link_kommunkod("0380");
  const v1::Child c = env().Report(older_girl);
  // A child with an open placement is not waiting; its place is not free.
  const v1::Unit spare = env().SeedUnit("0380", PlacementTestEnv::Hvb(1));
  env().Propose(env().ReportLinked("51-000004", "0380"), spare);

  v1::MatchProposal proposal;
  ::grpc::Status st = Propose(env().OfficerToken(), &proposal);
  ASSERT_TRUE(st.ok()) << Describe(st);
  // Three waiting children, two free places: only c fits Håbo's, a and b compete for
  // Uppsala's, which goes to the first reported.
  ASSERT_EQ(proposal.proposals_size(), 2);
  ASSERT_EQ(proposal.unplaced_children_size(), 1);
  EXPECT_EQ(proposal.proposals(1).child(), c.name());
  EXPECT_EQ(proposal.proposals(1).unit(), habo_older.name());
  EXPECT_EQ(proposal.proposals(0).unit(), uppsala_young.name());
  EXPECT_EQ(proposal.proposals(0).cost(), 0);
  EXPECT_EQ(proposal.proposals(1).cost(), 110);  // another kommun, no shared language
  EXPECT_EQ(proposal.objective(), 0 + 110 + 1000);
  EXPECT_GE(proposal.greedy_objective(), proposal.objective());
  EXPECT_EQ(proposal.proposals(0).child(), a.name());
  EXPECT_EQ(proposal.unplaced_children(0), b.name());
  EXPECT_EQ(env().Count("SELECT count(*) FROM placements"), 1);

  // Each proposal is one an officer can make.
  for (const v1::ProposedPlacement& p : proposal.proposals()) {
    v1::CreatePlacementRequest req;
    req.set_parent(p.child());
    req.mutable_placement()->set_unit(p.unit());
    v1::Placement placement;
    st = env().Call(&Stub::CreatePlacement, env().OfficerToken(), req, &placement);
    EXPECT_TRUE(st.ok()) << Describe(st);
  }
}

TEST_F(ProposeMatchesTest, OnlyTheCountysOfficers) {
  v1::MatchProposal proposal;
  EXPECT_EQ(ReasonOf(Propose(env().KommunToken("0380"), &proposal)), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(Propose(env().AdminToken(), &proposal)), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(Propose(env().OfficerToken("01"), &proposal)), "LAN_MISMATCH");
  ::grpc::Status st = Propose(env().OfficerToken(), &proposal);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(proposal.proposals_size(), 0);
  EXPECT_EQ(proposal.objective(), 0);
}

}  // namespace
}  // namespace integration::placement::testing
