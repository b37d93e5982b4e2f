// Allocation keys through the real server and PostgreSQL: a county admin enters its county's
// key per year, the county and its kommuner read them; validation, duplicates, request ids,
// tenancy, pagination and audit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "placement_test_env.h"

namespace integration::placement::testing {
namespace {

constexpr char kRequestId[] = "6f1d2c3b-4a59-4e8f-9d7c-1b2a3c4d5e6f";

class AllocationKeyTest : public PlacementTest {
 protected:
  ::grpc::Status Create(const v1::AllocationKey& key, v1::AllocationKey* out,
                        const std::string& token, const std::string& parent = "counties/03",
                        const std::string& request_id = "") {
    v1::CreateAllocationKeyRequest req;
    req.set_parent(parent);
    *req.mutable_allocation_key() = key;
    req.set_request_id(request_id);
    return env().Call(&Stub::CreateAllocationKey, token, req, out);
  }
  ::grpc::Status Get(const std::string& name, const std::string& token, v1::AllocationKey* out) {
    v1::GetAllocationKeyRequest req;
    req.set_name(name);
    return env().Call(&Stub::GetAllocationKey, token, req, out);
  }
};

TEST_F(AllocationKeyTest, AdminEntersAKeyAndTheCountyAndItsKommunerReadIt) {
  v1::AllocationKey created;
  ::grpc::Status st = Create(PlacementTestEnv::Key(2027, {{"0380", 20}, {"0305", 5}, {"0360", 5}}),
                             &created, env().AdminToken());
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(created.name(), "counties/03/allocationKeys/2027");
  EXPECT_EQ(created.year(), 2027);
  EXPECT_EQ(created.county_total_per_mille(), 30);
  EXPECT_EQ(created.base_date().year(), 2027);
  EXPECT_EQ(created.base_date().month(), 1);
  EXPECT_EQ(created.base_date().day(), 1);
  ASSERT_EQ(created.shares_size(), 3);
  EXPECT_EQ(created.shares(0).kommunkod(), "0305");
  EXPECT_EQ(created.shares(2).per_mille(), 20);
  EXPECT_GT(created.create_time().seconds(), 0);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'allocationKey.create' "
                        "AND resource = 'counties/03/allocationKeys/2027' AND role = "
                        "'county_admin'"),
            1);

  for (const std::string& token : {env().OfficerToken(), env().KommunToken("0360")}) {
    v1::AllocationKey read;
    st = Get(created.name(), token, &read);
    ASSERT_TRUE(st.ok()) << Describe(st);
    EXPECT_EQ(read.SerializeAsString(), created.SerializeAsString());
  }
  v1::AllocationKey other;
  st = Get(created.name(), env().KommunToken("0180"), &other);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "TENANT_MISMATCH");
  st = Get(created.name(), env().OfficerToken("01"), &other);
  EXPECT_EQ(ReasonOf(st), "LAN_MISMATCH");
  st = Get("counties/03/allocationKeys/2031", env().OfficerToken(), &other);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(st), "ALLOCATION_KEY_NOT_FOUND");
}

TEST_F(AllocationKeyTest, RefusesAnInvalidKeyAndChangesNothing) {
  v1::AllocationKey key = PlacementTestEnv::Key(2027, {{"0380", 20}, {"0180", 5}});
  key.set_county_total_per_mille(30);
  v1::AllocationKey out;
  ::grpc::Status st = Create(key, &out, env().AdminToken());
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "ALLOCATION_KEY_INVALID");
  EXPECT_THAT(integration::testing::ViolationFieldsOf(st),
              ::testing::UnorderedElementsAre("allocation_key.shares[1].kommunkod",
                                              "allocation_key.shares"));
  st = Create(PlacementTestEnv::Key(2027, {{"0380", 1}}), &out, env().AdminToken(), "counties/01");
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "NAME_INVALID");
  EXPECT_EQ(env().Count("SELECT count(*) FROM allocation_keys"), 0);
}

TEST_F(AllocationKeyTest, OnlyTheCountysAdminEntersAndOnlyOncePerYear) {
  const v1::AllocationKey key = PlacementTestEnv::Key(2027, {{"0380", 3}});
  v1::AllocationKey out;
  EXPECT_EQ(ReasonOf(Create(key, &out, env().AdminToken("01"))), "LAN_MISMATCH");
  EXPECT_EQ(ReasonOf(Create(key, &out, env().OfficerToken())), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(Create(key, &out, env().KommunToken("0380"))), "ROLE_NOT_ALLOWED");
  ASSERT_TRUE(Create(key, &out, env().AdminToken()).ok());
  ::grpc::Status st = Create(PlacementTestEnv::Key(2027, {{"0380", 4}}), &out, env().AdminToken());
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(st), "ALLOCATION_KEY_EXISTS");
  EXPECT_EQ(env().Count("SELECT per_mille FROM allocation_key_shares"), 3);
}

TEST_F(AllocationKeyTest, ARetryWithTheRequestIdGetsTheFirstAnswer) {
  v1::AllocationKey first, second;
  const v1::AllocationKey key = PlacementTestEnv::Key(2027, {{"0380", 3}});
  ASSERT_TRUE(Create(key, &first, env().AdminToken(), "counties/03", kRequestId).ok());
  ::grpc::Status st = Create(key, &second, env().AdminToken(), "counties/03", kRequestId);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log"), 1);
}

TEST_F(AllocationKeyTest, ListsNewestFirstInPages) {
  for (int year : {2025, 2026, 2027}) env().SeedKey(year, {{"0380", 3}});
  v1::ListAllocationKeysRequest req;
  req.set_parent("counties/03");
  req.set_page_size(2);
  v1::ListAllocationKeysResponse page;
  ::grpc::Status st = env().Call(&Stub::ListAllocationKeys, env().KommunToken("0380"), req, &page);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_EQ(page.allocation_keys_size(), 2);
  EXPECT_EQ(page.allocation_keys(0).year(), 2027);
  EXPECT_EQ(page.allocation_keys(1).year(), 2026);
  ASSERT_FALSE(page.next_page_token().empty());
  req.set_page_token(page.next_page_token());
  st = env().Call(&Stub::ListAllocationKeys, env().KommunToken("0380"), req, &page);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_EQ(page.allocation_keys_size(), 1);
  EXPECT_EQ(page.allocation_keys(0).year(), 2025);
  EXPECT_TRUE(page.next_page_token().empty());
  req.set_parent("counties/01");
  EXPECT_EQ(ReasonOf(env().Call(&Stub::ListAllocationKeys, env().OfficerToken("01"), req, &page)),
            "PAGE_TOKEN_INVALID");
}

}  // namespace
}  // namespace integration::placement::testing

namespace integration::placement::testing {
namespace {

class ShareTransferTest : public PlacementTest {
 protected:
  ::grpc::Status Register(const std::string& token, const std::string& from, const std::string& to,
                          int per_mille, v1::ShareTransfer* out) {
    v1::CreateShareTransferRequest req;
    req.set_parent("counties/03/allocationKeys/2027");
    req.mutable_share_transfer()->set_from_kommunkod(from);
    req.mutable_share_transfer()->set_to_kommunkod(to);
    req.mutable_share_transfer()->set_per_mille(per_mille);
    req.mutable_share_transfer()->set_agreement("Avtal mellan kommunerna 2027-02-01");
    return env().Call(&Stub::CreateShareTransfer, token, req, out);
  }
  ::grpc::Status Decide(const std::string& name, bool confirm, v1::ShareTransfer* out,
                        const std::string& token = "") {
    v1::DecideShareTransferRequest req;
    req.set_name(name);
    req.set_confirm(confirm);
    return env().Call(&Stub::DecideShareTransfer, token.empty() ? env().OfficerToken() : token, req,
                      out);
  }
  std::map<std::string, int> Shares() {
    v1::GetAllocationKeyRequest req;
    req.set_name("counties/03/allocationKeys/2027");
    v1::AllocationKey key;
    EXPECT_TRUE(env().Call(&Stub::GetAllocationKey, env().OfficerToken(), req, &key).ok());
    std::map<std::string, int> out;
    for (const v1::KommunShare& s : key.shares()) out[s.kommunkod()] = s.per_mille();
    EXPECT_EQ(key.county_total_per_mille(), 30);
    return out;
  }
};

TEST_F(ShareTransferTest, AgreedThenConfirmedMovesTheShareAndTheNextAssignments) {
  env().SeedKey(2027, {{"0380", 20}, {"0305", 10}});
  v1::ShareTransfer agreed;
  // The giving kommun registers it; another kommun cannot give Uppsala's share away.
  EXPECT_EQ(ReasonOf(Register(env().KommunToken("0305"), "0380", "0360", 15, &agreed)),
            "TENANT_MISMATCH");
  ::grpc::Status st = Register(env().KommunToken("0380"), "0380", "0360", 15, &agreed);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(agreed.state(), v1::TRANSFER_STATE_AGREED);
  EXPECT_EQ(Shares(), (std::map<std::string, int>{{"0305", 10}, {"0380", 20}}));

  v1::ShareTransfer decided;
  EXPECT_EQ(ReasonOf(Decide(agreed.name(), true, &decided, env().AdminToken())),
            "ROLE_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(Decide(agreed.name(), true, &decided, env().OfficerToken("01"))),
            "LAN_MISMATCH");
  st = Decide(agreed.name(), true, &decided);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(decided.state(), v1::TRANSFER_STATE_CONFIRMED);
  EXPECT_GT(decided.decide_time().seconds(), 0);
  EXPECT_EQ(Shares(), (std::map<std::string, int>{{"0305", 10}, {"0360", 15}, {"0380", 5}}));
  EXPECT_EQ(ReasonOf(Decide(agreed.name(), false, &decided)), "TRANSFER_DECIDED");
  // Tierp has the largest share now.
  EXPECT_EQ(env().Report(PlacementTestEnv::Arrival("71-000001")).assignment().kommunkod(), "0360");
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action IN "
                        "('transfer.create', 'transfer.confirm')"),
            2);
}

TEST_F(ShareTransferTest, NeverBelowOnePerMilleAndRefusalsChangeNothing) {
  env().SeedKey(2027, {{"0380", 20}, {"0305", 10}});
  v1::ShareTransfer all, refused, decided;
  ASSERT_TRUE(Register(env().AdminToken(), "0305", "0380", 10, &all).ok());
  EXPECT_EQ(ReasonOf(Decide(all.name(), true, &decided)), "SHARE_BELOW_MINIMUM");
  ASSERT_TRUE(Register(env().AdminToken(), "0380", "0305", 1, &refused).ok());
  ::grpc::Status st = Decide(refused.name(), false, &decided);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(decided.state(), v1::TRANSFER_STATE_REFUSED);
  EXPECT_EQ(Shares(), (std::map<std::string, int>{{"0305", 10}, {"0380", 20}}));
  EXPECT_EQ(ReasonOf(Register(env().AdminToken(), "0380", "0180", 1, &decided)),
            "TRANSFER_INVALID");

  // The history: every transfer with its state, oldest first.
  v1::ListShareTransfersRequest req;
  req.set_parent("counties/03/allocationKeys/2027");
  v1::ListShareTransfersResponse history;
  ASSERT_TRUE(env().Call(&Stub::ListShareTransfers, env().KommunToken("0305"), req, &history).ok());
  ASSERT_EQ(history.share_transfers_size(), 2);
  EXPECT_EQ(history.share_transfers(0).state(), v1::TRANSFER_STATE_AGREED);
  EXPECT_EQ(history.share_transfers(1).state(), v1::TRANSFER_STATE_REFUSED);
}

}  // namespace
}  // namespace integration::placement::testing
