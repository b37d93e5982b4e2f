// Placement units through the real server and PostgreSQL: a kommun's officers add and keep
// them, the kommun and its county read them; kommun A never sees kommun B's units.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "placement_test_env.h"

namespace integration::placement::testing {
namespace {

class UnitTest : public PlacementTest {
 protected:
  ::grpc::Status Get(const std::string& name, const std::string& token, v1::Unit* out) {
    v1::GetUnitRequest req;
    req.set_name(name);
    return env().Call(&Stub::GetUnit, token, req, out);
  }
};

TEST_F(UnitTest, AKommunAddsAUnitAndItsCountyReadsIt) {
  const v1::Unit unit = env().SeedUnit("0380", PlacementTestEnv::Hvb(3));
  EXPECT_THAT(unit.name(), ::testing::StartsWith("kommuner/0380/units/"));
  EXPECT_EQ(unit.places(), 3);
  EXPECT_EQ(unit.occupied(), 0);
  EXPECT_EQ(unit.vacancies(), 3);
  EXPECT_FALSE(unit.etag().empty());
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'unit.create'"), 1);
  v1::Unit read;
  ASSERT_TRUE(Get(unit.name(), env().OfficerToken(), &read).ok());
  EXPECT_EQ(read.display_name(), unit.display_name());
  ASSERT_TRUE(Get(unit.name(), env().KommunToken("0380"), &read).ok());
}

TEST_F(UnitTest, KommunANeverSeesOrKeepsKommunBsUnits) {
  const v1::Unit unit = env().SeedUnit("0380", PlacementTestEnv::Hvb(3));
  v1::Unit out;
  ::grpc::Status st = Get(unit.name(), env().KommunToken("0305"), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "TENANT_MISMATCH");
  EXPECT_EQ(ReasonOf(Get(unit.name(), env().OfficerToken("01"), &out)), "LAN_MISMATCH");
  v1::ListUnitsRequest list;
  list.set_parent("kommuner/0380");
  v1::ListUnitsResponse units;
  EXPECT_EQ(ReasonOf(env().Call(&Stub::ListUnits, env().KommunToken("0305"), list, &units)),
            "TENANT_MISMATCH");
  ASSERT_TRUE(env().Call(&Stub::ListUnits, env().KommunToken("0380"), list, &units).ok());
  EXPECT_EQ(units.units_size(), 1);
  v1::CreateUnitRequest create;
  create.set_parent("kommuner/0380");
  *create.mutable_unit() = PlacementTestEnv::Hvb(2);
  EXPECT_EQ(ReasonOf(env().Call(&Stub::CreateUnit, env().KommunToken("0305"), create, &out)),
            "TENANT_MISMATCH");
  EXPECT_EQ(ReasonOf(env().Call(&Stub::CreateUnit, env().OfficerToken(), create, &out)),
            "ROLE_NOT_ALLOWED");
  v1::UpdateUnitRequest update;
  *update.mutable_unit() = unit;
  update.mutable_unit()->set_places(5);
  EXPECT_EQ(ReasonOf(env().Call(&Stub::UpdateUnit, env().KommunToken("0305"), update, &out)),
            "TENANT_MISMATCH");
  // A unit id under another kommun's name does not exist there.
  const std::string elsewhere =
      "kommuner/0305/units/" + unit.name().substr(unit.name().rfind('/') + 1);
  EXPECT_EQ(ReasonOf(Get(elsewhere, env().KommunToken("0305"), &out)), "UNIT_NOT_FOUND");
  EXPECT_EQ(env().Count("SELECT places FROM units"), 3);
}

TEST_F(UnitTest, KeepsTheUnitCurrentWithEtagsAndMasks) {
  const v1::Unit unit = env().SeedUnit("0380", PlacementTestEnv::Hvb(3));
  v1::UpdateUnitRequest req;
  *req.mutable_unit() = unit;
  req.mutable_unit()->set_places(5);
  req.mutable_unit()->set_display_name("ignored");
  req.mutable_update_mask()->add_paths("places");
  v1::Unit out;
  ::grpc::Status st = env().Call(&Stub::UpdateUnit, env().KommunToken("0380"), req, &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.places(), 5);
  EXPECT_EQ(out.vacancies(), 5);
  EXPECT_EQ(out.display_name(), unit.display_name());
  EXPECT_NE(out.etag(), unit.etag());
  // The old etag is stale now.
  st = env().Call(&Stub::UpdateUnit, env().KommunToken("0380"), req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ABORTED);
  req.mutable_unit()->clear_etag();
  req.mutable_unit()->set_places(0);
  EXPECT_EQ(ReasonOf(env().Call(&Stub::UpdateUnit, env().KommunToken("0380"), req, &out)),
            "UNIT_INVALID");
  req.mutable_update_mask()->add_paths("type");
  EXPECT_EQ(ReasonOf(env().Call(&Stub::UpdateUnit, env().KommunToken("0380"), req, &out)),
            "UPDATE_MASK_INVALID");
}

TEST_F(UnitTest, AStodboendeFor16To17NeedsItsSpecialReason) {
  v1::Unit stod = PlacementTestEnv::Hvb(4);
  stod.set_type(v1::UNIT_TYPE_STODBOENDE);
  stod.set_min_age(16);
  stod.set_max_age(20);
  v1::CreateUnitRequest req;
  req.set_parent("kommuner/0380");
  *req.mutable_unit() = stod;
  v1::Unit out;
  ::grpc::Status st = env().Call(&Stub::CreateUnit, env().KommunToken("0380"), req, &out);
  EXPECT_EQ(ReasonOf(st), "UNIT_INVALID");
  EXPECT_THAT(integration::testing::ViolationFieldsOf(st),
              ::testing::ElementsAre("unit.special_reason"));
  req.mutable_unit()->set_special_reason("Ungdomar 16-17 år med god förmåga att bo självständigt");
  st = env().Call(&Stub::CreateUnit, env().KommunToken("0380"), req, &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.special_reason(), req.unit().special_reason());
}

}  // namespace
}  // namespace integration::placement::testing
