// Who sees which child through the real server: kommun A never sees kommun B's children, a
// county only its own; needs and explanations by field; every read of a record logged with
// its purpose, and the log listed by the county admin only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "placement_test_env.h"

namespace integration::placement::testing {
namespace {

class ChildAccessTest : public PlacementTest {
 protected:
  void SetUp() override {
    PlacementTest::SetUp();
    // Uppsala gets the first child, Håbo the second (allocation key), a third waits in Stockholm.
    env().SeedKey(2027, {{"0380", 11}, {"0305", 10}});
    uppsala_ = env().Report(PlacementTestEnv::Arrival("21-000001"));
    habo_ = env().Report(PlacementTestEnv::Arrival("21-000002"));
    v1::Arrival stockholm = PlacementTestEnv::Arrival("21-000003");
    stockholm.set_arrival_kommunkod("0180");
    waiting_ = env().Report(stockholm);
    ASSERT_EQ(uppsala_.assignment().kommunkod(), "0380");
    ASSERT_EQ(habo_.assignment().kommunkod(), "0305");
    ASSERT_EQ(waiting_.state(), v1::CHILD_STATE_WAITING);
  }

  ::grpc::Status Get(const std::string& name, const std::string& token, v1::Child* out,
                     const std::string& purpose = "planning the reception") {
    v1::GetChildRequest req;
    req.set_name(name);
    req.set_purpose(purpose);
    return env().Call(&Stub::GetChild, token, req, out);
  }
  std::vector<std::string> List(const std::string& token) {
    v1::ListChildrenRequest req;
    v1::ListChildrenResponse resp;
    ::grpc::Status st = env().Call(&Stub::ListChildren, token, req, &resp);
    EXPECT_TRUE(st.ok()) << Describe(st);
    std::vector<std::string> names;
    for (const v1::Child& c : resp.children()) {
      EXPECT_TRUE(c.arrival().dossier_number().empty());
      EXPECT_TRUE(c.arrival().needs().empty());
      EXPECT_FALSE(c.assignment().has_explanation());
      names.push_back(c.name());
    }
    return names;
  }

  v1::Child uppsala_, habo_, waiting_;
};

TEST_F(ChildAccessTest, AKommunSeesOnlyTheChildrenAssignedToIt) {
  using ::testing::ElementsAre;
  EXPECT_THAT(List(env().KommunToken("0380")), ElementsAre(uppsala_.name()));
  EXPECT_THAT(List(env().KommunToken("0305")), ElementsAre(habo_.name()));
  EXPECT_THAT(List(env().KommunToken("0180")), ElementsAre());
  v1::Child out;
  ::grpc::Status st = Get(habo_.name(), env().KommunToken("0380"), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "TENANT_MISMATCH");
  EXPECT_EQ(ReasonOf(Get(waiting_.name(), env().KommunToken("0180"), &out)), "TENANT_MISMATCH");
  EXPECT_EQ(ReasonOf(Get(uppsala_.name(), env().AgencyToken(), &out)), "ROLE_NOT_ALLOWED");
}

TEST_F(ChildAccessTest, ACountySeesOnlyItsOwnChildren) {
  using ::testing::ElementsAre;
  EXPECT_THAT(List(env().OfficerToken("03")), ElementsAre(uppsala_.name(), habo_.name()));
  EXPECT_THAT(List(env().OfficerToken("01")), ElementsAre(waiting_.name()));
  v1::ListChildrenRequest req;
  req.set_state(v1::CHILD_STATE_WAITING);
  v1::ListChildrenResponse resp;
  ASSERT_TRUE(env().Call(&Stub::ListChildren, env().AdminToken("03"), req, &resp).ok());
  EXPECT_EQ(resp.children_size(), 0);
  v1::Child out;
  EXPECT_EQ(ReasonOf(Get(uppsala_.name(), env().OfficerToken("01"), &out)), "LAN_MISMATCH");
  EXPECT_EQ(ReasonOf(Get(uppsala_.name(), env().Token("county_officer", "x"), &out)),
            "LAN_CLAIM_MISSING");
}

TEST_F(ChildAccessTest, NeedsForTheCountyAndTheAssignedKommunExplanationForTheCounty) {
  v1::Child county, kommun;
  ASSERT_TRUE(Get(uppsala_.name(), env().OfficerToken(), &county).ok());
  EXPECT_EQ(county.arrival().needs(), "Behöver stöd i skolan");
  EXPECT_EQ(county.arrival().dossier_number(), "21-000001");
  EXPECT_EQ(county.assignment().explanation().standings_size(), 2);
  ASSERT_TRUE(Get(uppsala_.name(), env().KommunToken("0380"), &kommun).ok());
  EXPECT_EQ(kommun.arrival().needs(), "Behöver stöd i skolan");
  EXPECT_FALSE(kommun.assignment().has_explanation());
}

TEST_F(ChildAccessTest, EveryReadIsLoggedAndTheCountyAdminListsTheLog) {
  v1::Child out;
  ASSERT_TRUE(Get(uppsala_.name(), env().OfficerToken(), &out, "assignment review").ok());
  ASSERT_TRUE(Get(uppsala_.name(), env().KommunToken("0380"), &out, "finding a home").ok());
  // Refused reads and reads without a purpose are not reads.
  EXPECT_EQ(ReasonOf(Get(uppsala_.name(), env().KommunToken("0305"), &out)), "TENANT_MISMATCH");
  EXPECT_EQ(Get(uppsala_.name(), env().OfficerToken(), &out, "").error_code(),
            ::grpc::StatusCode::INVALID_ARGUMENT);

  v1::ListChildReadsRequest req;
  req.set_parent(uppsala_.name());
  req.set_page_size(1);
  v1::ListChildReadsResponse page;
  ::grpc::Status st = env().Call(&Stub::ListChildReads, env().AdminToken(), req, &page);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_EQ(page.reads_size(), 1);
  EXPECT_EQ(page.reads(0).actor(), env().Subject("officer-03"));
  EXPECT_EQ(page.reads(0).role(), "county_officer");
  EXPECT_EQ(page.reads(0).purpose(), "assignment review");
  EXPECT_GT(page.reads(0).read_time().seconds(), 0);
  req.set_page_token(page.next_page_token());
  ASSERT_TRUE(env().Call(&Stub::ListChildReads, env().AdminToken(), req, &page).ok());
  ASSERT_EQ(page.reads_size(), 1);
  EXPECT_EQ(page.reads(0).actor(), env().Subject("kommun-0380"));
  EXPECT_EQ(page.reads(0).purpose(), "finding a home");
  EXPECT_TRUE(page.next_page_token().empty());

  req.clear_page_token();
  EXPECT_EQ(ReasonOf(env().Call(&Stub::ListChildReads, env().OfficerToken(), req, &page)),
            "ROLE_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(env().Call(&Stub::ListChildReads, env().AdminToken("01"), req, &page)),
            "LAN_MISMATCH");
}

}  // namespace
}  // namespace integration::placement::testing
