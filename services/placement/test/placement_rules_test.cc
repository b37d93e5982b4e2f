// Units (types, ages, the stödboende rule), the fit of a child, and the placement state machine.
#include "rules/placement_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "integration/status/status.h"
#include "violations.h"

namespace integration::placement {
namespace {

using ::testing::UnorderedElementsAre;

using testing::Violations;

v1::Unit Hvb() {
  v1::Unit u;
  u.set_display_name("Solgläntan HVB");
  u.set_type(v1::UNIT_TYPE_HVB);
  u.set_places(3);
  u.set_min_age(13);
  u.set_max_age(17);
  u.add_sexes(v1::SEX_MALE);
  u.add_languages("ar");
  return u;
}

TEST(CheckUnitTest, AcceptsAUnit) { EXPECT_TRUE(CheckUnit(Hvb(), "unit").ok()); }

TEST(CheckUnitTest, RejectsEveryBadField) {
  v1::Unit u;
  u.set_places(0);
  u.set_min_age(12);
  u.set_max_age(11);
  u.add_sexes(v1::SEX_UNSPECIFIED);
  u.add_languages("AR");
  u.set_special_reason("why");
  const absl::Status st = CheckUnit(u, "unit");
  EXPECT_EQ(status::GetErrorInfo(st)->reason(), kReasonUnitInvalid);
  EXPECT_THAT(Violations(st),
              UnorderedElementsAre("unit.display_name", "unit.type", "unit.places", "unit.min_age",
                                   "unit.sexes[0]", "unit.languages[0]", "unit.special_reason"));
}

TEST(CheckUnitTest, AStodboendeIs16To20AndFor16To17NeedsASpecialReason) {
  v1::Unit u = Hvb();
  u.set_type(v1::UNIT_TYPE_STODBOENDE);
  u.set_min_age(15);
  u.set_max_age(20);
  u.set_special_reason("Kommunens behov av platser för 16-17-åringar med eget boende");
  EXPECT_THAT(Violations(CheckUnit(u, "unit")), UnorderedElementsAre("unit.min_age"));
  u.set_min_age(16);
  EXPECT_TRUE(CheckUnit(u, "unit").ok());
  u.clear_special_reason();
  EXPECT_THAT(Violations(CheckUnit(u, "unit")), UnorderedElementsAre("unit.special_reason"));
  u.set_min_age(18);
  EXPECT_TRUE(CheckUnit(u, "unit").ok());
  u.set_max_age(21);
  EXPECT_THAT(Violations(CheckUnit(u, "unit")), UnorderedElementsAre("unit.min_age"));
}

TEST(CheckFitTest, AgeAndSexMustFit) {
  const v1::Unit u = Hvb();
  EXPECT_TRUE(CheckFit(13, v1::SEX_MALE, u).ok());
  EXPECT_TRUE(CheckFit(17, v1::SEX_MALE, u).ok());
  EXPECT_EQ(status::GetErrorInfo(CheckFit(12, v1::SEX_MALE, u))->reason(), kReasonAgeOutsideUnit);
  EXPECT_EQ(status::GetErrorInfo(CheckFit(18, v1::SEX_MALE, u))->reason(), kReasonAgeOutsideUnit);
  EXPECT_EQ(status::GetErrorInfo(CheckFit(15, v1::SEX_FEMALE, u))->reason(), kReasonSexNotAccepted);
  v1::Unit any = u;
  any.clear_sexes();
  EXPECT_TRUE(CheckFit(15, v1::SEX_FEMALE, any).ok());
}

TEST(PlacementTransitionTest, ProposedConfirmedActiveEnded) {
  using S = v1::PlacementState;
  const S proposed = v1::PLACEMENT_STATE_PROPOSED, confirmed = v1::PLACEMENT_STATE_CONFIRMED,
          active = v1::PLACEMENT_STATE_ACTIVE, ended = v1::PLACEMENT_STATE_ENDED;
  EXPECT_TRUE(CheckPlacementTransition(proposed, confirmed, "p").ok());
  EXPECT_TRUE(CheckPlacementTransition(confirmed, active, "p").ok());
  for (S from : {proposed, confirmed, active}) {
    EXPECT_TRUE(CheckPlacementTransition(from, ended, "p").ok());
  }
  for (auto [from, to] : std::vector<std::pair<S, S>>{{proposed, active},
                                                      {confirmed, confirmed},
                                                      {active, confirmed},
                                                      {ended, ended},
                                                      {ended, active}}) {
    const absl::Status st = CheckPlacementTransition(from, to, "p");
    EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(status::GetErrorInfo(st)->reason(), kReasonPlacementState);
  }
}

}  // namespace
}  // namespace integration::placement
