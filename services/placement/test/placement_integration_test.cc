// Placements through the real server and PostgreSQL: PROPOSED → CONFIRMED → ACTIVE → ENDED,
// the capacity invariant under 50 simultaneous confirmations, age and sex fit, siblings
// together unless overridden, who may act, and the events.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lansstyrelsen/integration/placement/v1/events.pb.h"
#include "placement_test_env.h"

namespace integration::placement::testing {
namespace {

class PlacementFlowTest : public PlacementTest {
 protected:
  template <class Req>
  ::grpc::Status Move(::grpc::Status (Stub::*method)(::grpc::ClientContext*, const Req&,
                                                     v1::Placement*),
                      const std::string& name, v1::Placement* out, const std::string& token = "") {
    Req req;
    req.set_name(name);
    return env().Call(method, token.empty() ? env().OfficerToken() : token, req, out);
  }
  ::grpc::Status End(const std::string& name, v1::EndReason reason, v1::Placement* out,
                     const std::string& token = "") {
    v1::EndPlacementRequest req;
    req.set_name(name);
    req.set_reason(reason);
    return env().Call(&Stub::EndPlacement, token.empty() ? env().OfficerToken() : token, req, out);
  }
  ::grpc::Status Propose(const v1::Child& child, const v1::Unit& unit, v1::Placement* out,
                         const std::string& token, const std::string& override_reason = "") {
    v1::CreatePlacementRequest req;
    req.set_parent(child.name());
    req.mutable_placement()->set_unit(unit.name());
    req.mutable_placement()->set_sibling_override_reason(override_reason);
    return env().Call(&Stub::CreatePlacement, token, req, out);
  }
  int64_t Events(const std::string& type) {
    return env().Count(absl::StrCat(
        "SELECT count(*) FROM outbox WHERE event_type = 'lansstyrelsen.integration.placement.v1.",
        type, "'"));
  }
};

TEST_F(PlacementFlowTest, ProposedConfirmedActiveEnded) {
  const v1::Unit unit = env().SeedUnit("0380", PlacementTestEnv::Hvb(1));
  const v1::Child child = env().ReportLinked("31-000001", "0380");
  const v1::Placement proposed = env().Propose(child, unit);
  EXPECT_EQ(proposed.state(), v1::PLACEMENT_STATE_PROPOSED);
  EXPECT_EQ(proposed.unit(), unit.name());
  EXPECT_THAT(proposed.name(), ::testing::StartsWith(child.name() + "/placements/"));

  v1::Placement p;
  EXPECT_EQ(ReasonOf(Move(&Stub::StartPlacement, proposed.name(), &p)), "PLACEMENT_STATE");
  // The unit's kommun confirms and starts; the placement takes the place.
  ::grpc::Status st = Move(&Stub::ConfirmPlacement, proposed.name(), &p, env().KommunToken("0380"));
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(p.state(), v1::PLACEMENT_STATE_CONFIRMED);
  EXPECT_GT(p.confirm_time().seconds(), 0);
  st = Move(&Stub::StartPlacement, proposed.name(), &p, env().KommunToken("0380"));
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(p.state(), v1::PLACEMENT_STATE_ACTIVE);
  v1::GetUnitRequest get;
  get.set_name(unit.name());
  v1::Unit read;
  ASSERT_TRUE(env().Call(&Stub::GetUnit, env().OfficerToken(), get, &read).ok());
  EXPECT_EQ(read.occupied(), 1);
  EXPECT_EQ(read.vacancies(), 0);

  EXPECT_EQ(End(proposed.name(), v1::END_REASON_UNSPECIFIED, &p).error_code(),
            ::grpc::StatusCode::INVALID_ARGUMENT);
  st = End(proposed.name(), v1::END_REASON_TURNED_18, &p);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(p.state(), v1::PLACEMENT_STATE_ENDED);
  EXPECT_EQ(p.end_reason(), v1::END_REASON_TURNED_18);
  EXPECT_EQ(ReasonOf(End(proposed.name(), v1::END_REASON_MOVED, &p)), "PLACEMENT_STATE");
  ASSERT_TRUE(env().Call(&Stub::GetUnit, env().OfficerToken(), get, &read).ok());
  EXPECT_EQ(read.vacancies(), 1);

  EXPECT_EQ(Events("PlacementConfirmedEvent"), 1);
  EXPECT_EQ(Events("PlacementEndedEvent"), 1);
  pqxx::result rows = env().Query(
      "SELECT payload FROM outbox WHERE event_type = "
      "'lansstyrelsen.integration.placement.v1.PlacementEndedEvent'");
  v1::PlacementEndedEvent ended;
  ASSERT_TRUE(ended.ParseFromString(pqxx::binarystring(rows[0][0]).str()));
  EXPECT_EQ(ended.placement(), proposed.name());
  EXPECT_EQ(ended.unit(), unit.name());
  EXPECT_EQ(ended.reason(), v1::END_REASON_TURNED_18);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE resource = '" + proposed.name() +
                        "' AND action IN ('placement.propose', 'placement.confirm', "
                        "'placement.start', 'placement.end')"),
            4);

  // After it ended, the child can be placed again.
  v1::ListPlacementsRequest list;
  list.set_parent(child.name());
  v1::ListPlacementsResponse placements;
  env().Propose(child, unit);
  ASSERT_TRUE(env().Call(&Stub::ListPlacements, env().KommunToken("0380"), list, &placements).ok());
  ASSERT_EQ(placements.placements_size(), 2);
  EXPECT_EQ(placements.placements(0).state(), v1::PLACEMENT_STATE_ENDED);
  EXPECT_EQ(placements.placements(1).state(), v1::PLACEMENT_STATE_PROPOSED);
}

TEST_F(PlacementFlowTest, FiftySimultaneousConfirmationsOnThreePlacesConfirmExactlyThree) {
  constexpr int kChildren = 50;
  const v1::Unit unit = env().SeedUnit("0380", PlacementTestEnv::Hvb(3));
  std::vector<std::string> names;
  for (int i = 0; i < kChildren; ++i) {
    const v1::Child child = env().ReportLinked(absl::StrCat("41-", 100000 + i), "0380");
    names.push_back(env().Propose(child, unit).name());
  }
  std::vector<::grpc::Status> results(kChildren);
  std::vector<std::thread> officers;
  // Officers of the county and of the kommun confirm at once.
  const std::string tokens[2] = {env().OfficerToken(), env().KommunToken("0380")};
  for (int i = 0; i < kChildren; ++i) {
    officers.emplace_back([&, i] {
      v1::Placement p;
      results[i] = Move(&Stub::ConfirmPlacement, names[i], &p, tokens[i % 2]);
    });
  }
  for (std::thread& t : officers) t.join();
  int confirmed = 0;
  for (const ::grpc::Status& st : results) {
    if (st.ok()) {
      ++confirmed;
    } else {
      EXPECT_EQ(ReasonOf(st), "UNIT_FULL") << Describe(st);
    }
  }
  EXPECT_EQ(confirmed, 3);
  EXPECT_EQ(env().Count("SELECT count(*) FROM placements WHERE state = 'CONFIRMED'"), 3);
  EXPECT_EQ(Events("PlacementConfirmedEvent"), 3);
}

TEST_F(PlacementFlowTest, AgeAndSexMustFitTheUnit) {
  v1::Unit girls = PlacementTestEnv::Hvb(2);
  girls.add_sexes(v1::SEX_FEMALE);
  girls.set_min_age(16);
  const v1::Unit unit = env().SeedUnit("0380", girls);
  // The test arrivals are girls assessed 15 on arrival.
  const v1::Child child = env().ReportLinked("32-000001", "0380");
  v1::Placement p;
  EXPECT_EQ(ReasonOf(Propose(child, unit, &p, env().OfficerToken())), "AGE_OUTSIDE_UNIT");
  v1::Arrival boy = PlacementTestEnv::Arrival("32-000002");
  boy.set_strong_link_kommunkod("0380");
  boy.set_sex(v1::SEX_MALE);
  boy.set_assessed_age(17);
  EXPECT_EQ(ReasonOf(Propose(env().Report(boy), unit, &p, env().OfficerToken())),
            "SEX_NOT_ACCEPTED");
  EXPECT_EQ(env().Count("SELECT count(*) FROM placements"), 0);
}

TEST_F(PlacementFlowTest, SiblingsArePlacedTogetherUnlessAnOfficerGivesAReason) {
  const v1::Unit first = env().SeedUnit("0380", PlacementTestEnv::Hvb(2));
  const v1::Unit second = env().SeedUnit("0380", PlacementTestEnv::Hvb(2));
  v1::Arrival a = PlacementTestEnv::Arrival("33-000001");
  a.set_strong_link_kommunkod("0380");
  a.set_sibling_group("SG-33");
  v1::Arrival b = PlacementTestEnv::Arrival("33-000002");
  b.set_sibling_group("SG-33");
  const v1::Child older = env().Report(a);
  const v1::Child younger = env().Report(b);
  ASSERT_EQ(younger.assignment().kommunkod(), "0380");
  env().Propose(older, first);
  v1::Placement p;
  ::grpc::Status st = Propose(younger, second, &p, env().OfficerToken());
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "SIBLINGS_APART");
  st = Propose(younger, second, &p, env().OfficerToken(), "Syskonen behöver olika stöd");
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(p.sibling_override_reason(), "Syskonen behöver olika stöd");
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'placement.propose' AND "
                        "detail LIKE '%siblings apart'"),
            1);
}

TEST_F(PlacementFlowTest, WhoMayProposeAndDecide) {
  const v1::Unit uppsala = env().SeedUnit("0380", PlacementTestEnv::Hvb(2));
  const v1::Unit habo = env().SeedUnit("0305", PlacementTestEnv::Hvb(2));
  const v1::Unit stockholm = env().SeedUnit("0180", PlacementTestEnv::Hvb(2));
  const v1::Child child = env().ReportLinked("34-000001", "0380");
  v1::Placement p;
  // A kommun proposes for its own children in its own units only.
  EXPECT_EQ(ReasonOf(Propose(child, habo, &p, env().KommunToken("0305"))), "TENANT_MISMATCH");
  EXPECT_EQ(ReasonOf(Propose(child, habo, &p, env().KommunToken("0380"))), "TENANT_MISMATCH");
  // A county officer: units of the child's county only.
  EXPECT_EQ(ReasonOf(Propose(child, stockholm, &p, env().OfficerToken())), "LAN_MISMATCH");
  EXPECT_EQ(ReasonOf(Propose(child, uppsala, &p, env().OfficerToken("01"))), "LAN_MISMATCH");
  ::grpc::Status st = Propose(child, habo, &p, env().OfficerToken());
  ASSERT_TRUE(st.ok()) << Describe(st);
  // One open placement per child.
  v1::Placement again;
  EXPECT_EQ(ReasonOf(Propose(child, uppsala, &again, env().KommunToken("0380"))),
            "CHILD_ALREADY_PLACED");
  // The unit's kommun decides on its place; the child's kommun does not.
  v1::Placement moved;
  EXPECT_EQ(ReasonOf(Move(&Stub::ConfirmPlacement, p.name(), &moved, env().KommunToken("0380"))),
            "TENANT_MISMATCH");
  st = Move(&Stub::ConfirmPlacement, p.name(), &moved, env().KommunToken("0305"));
  ASSERT_TRUE(st.ok()) << Describe(st);
  // A waiting child cannot be placed.
  v1::Arrival waiting = PlacementTestEnv::Arrival("34-000002");
  const v1::Child unassigned = env().Report(waiting);
  EXPECT_EQ(ReasonOf(Propose(unassigned, uppsala, &p, env().OfficerToken())), "CHILD_NOT_ASSIGNED");
}

}  // namespace
}  // namespace integration::placement::testing
