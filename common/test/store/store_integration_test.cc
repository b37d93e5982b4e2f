// Audit rows and the request-id records against a real PostgreSQL database.
#include "integration/store/store.h"

#include <memory>
#include <optional>

#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <string>

#include "google/rpc/error_details.pb.h"
#include "integration/status/status.h"
#include "integration/testing/environment.h"

namespace integration::store {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pqxx::connection conn(db_.dsn());
    pqxx::work tx(conn);
    tx.exec("DROP SCHEMA IF EXISTS s CASCADE; CREATE SCHEMA s; SET search_path TO s");
    tx.exec(std::string(RuntimeTablesSql()));
    tx.commit();
  }
  std::unique_ptr<pqxx::connection> Connect() {
    auto conn = std::make_unique<pqxx::connection>(db_.dsn());
    pqxx::nontransaction(*conn).exec("SET search_path TO s");
    return conn;
  }
  integration::testing::TestDatabase db_;

 public:
  static constexpr char kId[] = "0f8fad5b-d9cb-469f-a165-70867728950e";
};

google::rpc::ErrorInfo Request(const std::string& reason) {
  google::rpc::ErrorInfo info;
  info.set_reason(reason);
  return info;
}

TEST_F(StoreTest, AuditRowIsWrittenWithTheTransaction) {
  auto conn = Connect();
  {
    pqxx::work tx(*conn);
    Audit(tx, {"u1", "learner", "attempt.submit", "learners/u1/attempts/1", "r1", "t1", "passed"});
    // Rolled back: no row.
  }
  {
    pqxx::work tx(*conn);
    Audit(tx, {"u2", "county_admin", "diploma.revoke", "learners/u2/diplomas/X", "r2", "t2", ""});
    tx.commit();
  }
  pqxx::work tx(*conn);
  auto rows = tx.exec("SELECT actor, role, action, resource, request_id FROM audit_log");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].as<std::string>(), "u2");
  EXPECT_EQ(rows[0][2].as<std::string>(), "diploma.revoke");
  EXPECT_EQ(rows[0][3].as<std::string>(), "learners/u2/diplomas/X");
}

// What api::Change writes when it claims an id (its statement is tested in
// common/test/api/change_integration_test.cc, with concurrent retries and rollbacks).
void Record(pqxx::work& tx, const std::string& scope, const google::protobuf::Message& request,
            const google::protobuf::Message& response) {
  tx.exec_params(
      "INSERT INTO request_ids (scope, request_id, fingerprint, response) "
      "VALUES ($1, $2::uuid, $3, $4)",
      scope, StoreTest::kId, pqxx::binarystring(RequestFingerprint(request, "domain")),
      pqxx::binarystring(ResponseBytes(response)));
}

TEST_F(StoreTest, TheRecordedResponseAnswersTheSameRequest) {
  auto conn = Connect();
  const auto request = Request("A");
  google::rpc::ErrorInfo response;
  response.set_domain("first");
  {
    pqxx::work tx(*conn);
    Record(tx, "u1/Create", request, response);
    tx.commit();
  }
  pqxx::work tx(*conn);
  auto recorded = RecordedResponse(tx, "u1/Create", kId, RequestFingerprint(request, "domain"));
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  ASSERT_TRUE(recorded->has_value());
  google::rpc::ErrorInfo first;
  ASSERT_TRUE(first.ParseFromString(**recorded));
  EXPECT_EQ(first.domain(), "first");
  // Another scope (caller or method) is independent.
  auto other = RecordedResponse(tx, "u2/Create", kId, RequestFingerprint(request, "domain"));
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
}

TEST_F(StoreTest, TheSameIdWithADifferentRequestIsRejected) {
  auto conn = Connect();
  {
    pqxx::work tx(*conn);
    Record(tx, "u1/Create", Request("A"), Request("resp"));
    tx.commit();
  }
  pqxx::work tx(*conn);
  auto recorded =
      RecordedResponse(tx, "u1/Create", kId, RequestFingerprint(Request("B"), "domain"));
  ASSERT_FALSE(recorded.ok());
  EXPECT_EQ(recorded.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(status::GetErrorInfo(recorded.status())->reason(), "REQUEST_ID_REUSED");
}

TEST_F(StoreTest, TheFingerprintLeavesOutTheIdField) {
  google::rpc::ErrorInfo a = Request("A");
  google::rpc::ErrorInfo b = Request("A");
  a.set_domain("3f0b9c1e-7a44-4d5e-9d7b-2c1f0e8a6b5d");
  b.set_domain("0f8fad5b-d9cb-469f-a165-70867728950e");
  EXPECT_EQ(RequestFingerprint(a, "domain"), RequestFingerprint(b, "domain"));
  EXPECT_NE(RequestFingerprint(a, "domain"), RequestFingerprint(Request("B"), "domain"));
}

TEST_F(StoreTest, AMalformedRequestIdIsInvalidArgument) {
  EXPECT_TRUE(CheckRequestId(kId).ok());
  EXPECT_TRUE(CheckRequestId("0F8FAD5B-D9CB-469F-A165-70867728950E").ok());
  const absl::Status st = CheckRequestId("not-a-uuid");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::GetErrorInfo(st)->reason(), "INVALID_REQUEST_ID");
  EXPECT_EQ(status::GetBadRequest(st)->field_violations(0).field(), "request_id");
}

}  // namespace
}  // namespace integration::store
