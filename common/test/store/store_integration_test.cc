// Audit rows and request-id idempotency against a real PostgreSQL database.
#include "integration/store/store.h"

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

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
  static constexpr char kId[] = "0f8fad5b-d9cb-469f-a165-70867728950e";
  integration::testing::TestDatabase db_;
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
    Audit(tx, {"u1", "learner", "SubmitAttempt", "learners/u1/attempts/1", "r1", "t1", "passed"});
    // Rolled back: no row.
  }
  {
    pqxx::work tx(*conn);
    Audit(tx, {"u2", "county_admin", "RevokeDiploma", "learners/u2/diplomas/X", "r2", "t2", ""});
    tx.commit();
  }
  pqxx::work tx(*conn);
  auto rows = tx.exec("SELECT actor, role, action, resource, request_id FROM audit_log");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].as<std::string>(), "u2");
  EXPECT_EQ(rows[0][2].as<std::string>(), "RevokeDiploma");
  EXPECT_EQ(rows[0][3].as<std::string>(), "learners/u2/diplomas/X");
}

TEST_F(StoreTest, RetryReturnsTheFirstResponse) {
  auto conn = Connect();
  const auto request = Request("A");
  google::rpc::ErrorInfo response;
  response.set_domain("first");
  {
    pqxx::work tx(*conn);
    auto prior = BeginRequest(tx, "u1/Create", kId, request, "domain");
    ASSERT_TRUE(prior.ok()) << prior.status();
    EXPECT_FALSE(prior->has_value());
    FinishRequest(tx, "u1/Create", kId, response);
    tx.commit();
  }
  pqxx::work tx(*conn);
  auto prior = BeginRequest(tx, "u1/Create", kId, request, "domain");
  ASSERT_TRUE(prior.ok()) << prior.status();
  ASSERT_TRUE(prior->has_value());
  google::rpc::ErrorInfo first;
  ASSERT_TRUE(first.ParseFromString(**prior));
  EXPECT_EQ(first.domain(), "first");
  // Another scope (caller or method) is independent.
  auto other = BeginRequest(tx, "u2/Create", kId, request, "domain");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
}

TEST_F(StoreTest, SameIdWithDifferentRequestIsRejected) {
  auto conn = Connect();
  {
    pqxx::work tx(*conn);
    ASSERT_TRUE(BeginRequest(tx, "u1/Create", kId, Request("A"), "domain").ok());
    FinishRequest(tx, "u1/Create", kId, Request("resp"));
    tx.commit();
  }
  pqxx::work tx(*conn);
  auto prior = BeginRequest(tx, "u1/Create", kId, Request("B"), "domain");
  ASSERT_FALSE(prior.ok());
  EXPECT_EQ(prior.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(status::GetErrorInfo(prior.status())->reason(), "REQUEST_ID_REUSED");
}

TEST_F(StoreTest, MalformedRequestIdIsInvalidArgument) {
  auto conn = Connect();
  pqxx::work tx(*conn);
  auto prior = BeginRequest(tx, "u1/Create", "not-a-uuid", Request("A"));
  ASSERT_FALSE(prior.ok());
  EXPECT_EQ(prior.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::GetBadRequest(prior.status())->field_violations(0).field(), "request_id");
}

TEST_F(StoreTest, ConcurrentRetryWaitsForTheFirstAndSeesItsResponse) {
  auto first_conn = Connect();
  auto second_conn = Connect();
  const auto request = Request("A");
  pqxx::work first(*first_conn);
  ASSERT_TRUE(BeginRequest(first, "u1/Create", kId, request, "domain").ok());

  std::optional<std::string> seen;
  std::thread retry([&] {
    pqxx::work second(*second_conn);
    auto prior = BeginRequest(second, "u1/Create", kId, request, "domain");  // blocks
    ASSERT_TRUE(prior.ok()) << prior.status();
    seen = *prior;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  FinishRequest(first, "u1/Create", kId, Request("done"));
  first.commit();
  retry.join();
  ASSERT_TRUE(seen.has_value());
  google::rpc::ErrorInfo response;
  ASSERT_TRUE(response.ParseFromString(*seen));
  EXPECT_EQ(response.reason(), "done");
}

// A call whose transaction rolls back (its work failed) leaves no record: the id is free for the
// retry, which does the work itself; a retry waiting meanwhile takes the id over.
TEST_F(StoreTest, RolledBackCallReleasesTheId) {
  auto first_conn = Connect();
  auto second_conn = Connect();
  const auto request = Request("A");
  {
    pqxx::work tx(*first_conn);
    auto prior = BeginRequest(tx, "u1/Create", kId, request, "domain");
    ASSERT_TRUE(prior.ok()) << prior.status();
    EXPECT_FALSE(prior->has_value());
    tx.abort();
  }
  pqxx::work first(*first_conn);
  auto claimed = BeginRequest(first, "u1/Create", kId, request, "domain");
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  EXPECT_FALSE(claimed->has_value()) << "a rolled-back call must not leave a response behind";

  std::optional<std::optional<std::string>> seen;
  std::atomic<bool> returned{false};
  std::thread retry([&] {
    pqxx::work second(*second_conn);
    auto prior = BeginRequest(second, "u1/Create", kId, request, "domain");  // blocks
    returned = true;
    ASSERT_TRUE(prior.ok()) << prior.status();
    seen = *prior;
    FinishRequest(second, "u1/Create", kId, Request("second"));
    second.commit();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(returned.load()) << "the retry did not wait for the first transaction";
  first.abort();
  retry.join();
  ASSERT_TRUE(seen.has_value());
  EXPECT_FALSE(seen->has_value()) << "the retry should have claimed the released id";

  pqxx::work check(*first_conn);
  auto replay = BeginRequest(check, "u1/Create", kId, request, "domain");
  ASSERT_TRUE(replay.ok()) << replay.status();
  ASSERT_TRUE(replay->has_value());
  google::rpc::ErrorInfo response;
  ASSERT_TRUE(response.ParseFromString(**replay));
  EXPECT_EQ(response.reason(), "second");
  EXPECT_EQ(check.exec("SELECT count(*) FROM request_ids")[0][0].as<int>(), 1);
}

}  // namespace
}  // namespace integration::store
