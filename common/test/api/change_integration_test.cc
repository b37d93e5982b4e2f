// api::Change against a real PostgreSQL database: what a committed change writes (audit rows,
// events typed by their message, the nudge), what a failed one leaves (nothing), and request-id
// idempotency: replays, reuse, access checked before any replay, concurrent retries, rollbacks.
#include <google/rpc/error_details.pb.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "integration/api/change.h"
#include "integration/outbox/outbox.h"
#include "integration/pg/pool.h"
#include "integration/status/status.h"
#include "integration/store/store.h"
#include "integration/testing/environment.h"

namespace integration::api {
namespace {

// RequestInfo has a request_id field, like every Create and transition request of the API;
// serving_data stands for the rest of the request.
using Request = google::rpc::RequestInfo;
using Response = google::rpc::ResourceInfo;

constexpr char kId[] = "3f0b9c1e-7a44-4d5e-9d7b-2c1f0e8a6b5d";

Request MakeRequest(const std::string& what, const std::string& request_id = kId) {
  Request r;
  r.set_request_id(request_id);
  r.set_serving_data(what);
  return r;
}

class ChangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Admin("CREATE SCHEMA s; SET search_path TO s;" + std::string(store::RuntimeTablesSql()) +
          std::string(outbox::OutboxTableSql()) +
          "CREATE TABLE things (id bigserial PRIMARY KEY, what text NOT NULL);");
    pg::PoolOptions options;
    options.dsn = db_.dsn();
    options.size = 4;
    options.search_path = "s";
    absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Create(std::move(options));
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
  }

  pqxx::result Admin(const std::string& sql) {
    pqxx::connection conn(db_.dsn());
    pqxx::work tx(conn);
    pqxx::result r = tx.exec(sql);
    tx.commit();
    return r;
  }
  int64_t Count(const std::string& sql) { return Admin(sql)[0][0].as<int64_t>(); }

  static grpc::CallContext Call(const std::string& subject = "officer-1",
                                const std::string& request_header = "req-1",
                                const std::string& role = "county_officer",
                                const std::string& lan = "03",
                                const std::string& issuer = "https://issuer.test") {
    auth::Caller caller;
    caller.authenticated = true;
    caller.subject = subject;
    caller.issuer = issuer;
    caller.role = role;
    caller.lan = lan;
    return grpc::CallContext(caller, request_header, grpc::TraceContext::NewRoot(),
                             absl::Now() + absl::Seconds(20));
  }

  // A change that records a thing named by the request: the thing's row, an audit row on it, an
  // event about it, and its name and row id as the response.
  absl::Status Create(const grpc::CallContext& call, const Request& req, Response* resp,
                      const absl::Status& access = absl::OkStatus(),
                      const absl::Status& failure = absl::OkStatus(),
                      const std::string& delay = "0") {
    Change change(*pool_, call, req, resp, [this] { ++nudges_; });
    return change.Run([&](pqxx::work&) { return access; },
                      [&](pqxx::work& tx) -> absl::Status {
                        tx.exec("SELECT pg_sleep(" + delay + ")");
                        const int64_t id =
                            tx.exec_params("INSERT INTO things (what) VALUES ($1) RETURNING id",
                                           req.serving_data())[0][0]
                                .as<int64_t>();
                        if (!failure.ok()) return failure;
                        resp->set_resource_name(absl::StrCat("things/", id));
                        resp->set_description(req.serving_data());
                        change.Audit(resp->resource_name(), "create", "detail");
                        google::rpc::ErrorInfo event;
                        event.set_reason("THING_CREATED");
                        event.set_domain(resp->resource_name());
                        auth::Owner owner = auth::Owner::County("12");
                        owner.kommuner = {"1280", "1281"};
                        return change.Emit(resp->resource_name(), event, owner);
                      });
  }

  testing::TestDatabase db_;
  std::unique_ptr<pg::Pool> pool_;
  std::atomic<int> nudges_{0};
};

TEST_F(ChangeTest, ACommitWritesTheAuditRowAndTheEventAndNudgesOnce) {
  Response resp;
  ASSERT_TRUE(Create(Call(), MakeRequest("a", ""), &resp).ok());
  EXPECT_EQ(resp.resource_name(), "things/1");
  const pqxx::result audit =
      Admin("SELECT actor, role, action, resource, request_id, detail FROM s.audit_log");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0][0].as<std::string>(), "officer-1");
  EXPECT_EQ(audit[0][1].as<std::string>(), "county_officer");
  EXPECT_EQ(audit[0][2].as<std::string>(), "thing.create");
  EXPECT_EQ(audit[0][3].as<std::string>(), "things/1");
  EXPECT_EQ(audit[0][4].as<std::string>(), "req-1");
  EXPECT_EQ(audit[0][5].as<std::string>(), "detail");
  const pqxx::result events = Admin(
      "SELECT event_type, aggregate, payload, headers->>'request_id', "
      "headers->'tenant' = '{\"lan\": \"12\", \"kommuner\": [\"1280\", \"1281\"]}'::jsonb "
      "FROM s.outbox");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0][0].as<std::string>(), "google.rpc.ErrorInfo");
  EXPECT_EQ(events[0][1].as<std::string>(), "things/1");
  google::rpc::ErrorInfo event;
  const pqxx::binarystring payload(events[0][2]);
  ASSERT_TRUE(event.ParseFromString(payload.str()));
  EXPECT_EQ(event.reason(), "THING_CREATED");
  EXPECT_EQ(events[0][3].as<std::string>(), "req-1");
  EXPECT_TRUE(events[0][4].as<bool>()) << "the owner is the event's tenant";
  EXPECT_EQ(nudges_, 1);
  // Without a request id nothing is recorded for replays.
  EXPECT_EQ(Count("SELECT count(*) FROM s.request_ids"), 0);
}

TEST_F(ChangeTest, AFailedChangeLeavesNothing) {
  Response resp;
  const absl::Status st = Create(Call(), MakeRequest("a"), &resp, absl::OkStatus(),
                                 status::FailedPrecondition("NOT_NOW", "no"));
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Count("SELECT count(*) FROM s.things"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM s.audit_log"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM s.outbox"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM s.request_ids"), 0);
  EXPECT_EQ(nudges_, 0);
}

TEST_F(ChangeTest, ARetryGetsTheFirstResponseAndChangesNothing) {
  Response first, again;
  ASSERT_TRUE(Create(Call(), MakeRequest("a"), &first).ok());
  const absl::Status st = Create(Call("officer-1", "req-2"), MakeRequest("a"), &again);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Count("SELECT count(*) FROM s.things"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM s.audit_log"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM s.outbox"), 1);
  EXPECT_EQ(nudges_, 1);
}

TEST_F(ChangeTest, TheIdIsPerCaller) {
  Response first, other;
  ASSERT_TRUE(Create(Call("officer-1"), MakeRequest("a"), &first).ok());
  ASSERT_TRUE(Create(Call("officer-2"), MakeRequest("a"), &other).ok());
  EXPECT_NE(other.resource_name(), first.resource_name());
  EXPECT_EQ(Count("SELECT count(*) FROM s.things"), 2);
}

TEST_F(ChangeTest, TheSameIdForAnotherRequestIsRefused) {
  Response first, again;
  ASSERT_TRUE(Create(Call(), MakeRequest("a"), &first).ok());
  const absl::Status st = Create(Call(), MakeRequest("b"), &again);
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(status::GetErrorInfo(st)->reason(), "REQUEST_ID_REUSED");
  EXPECT_EQ(Count("SELECT count(*) FROM s.things"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM s.outbox"), 1);
  // Also when the work of the second request fails.
  const absl::Status failed = Create(Call(), MakeRequest("b"), &again, absl::OkStatus(),
                                     status::FailedPrecondition("NOT_NOW", "no"));
  EXPECT_EQ(status::GetErrorInfo(failed)->reason(), "REQUEST_ID_REUSED");
}

TEST_F(ChangeTest, AMalformedIdIsInvalid) {
  Response resp;
  const absl::Status st = Create(Call(), MakeRequest("a", "not-a-uuid"), &resp);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::GetErrorInfo(st)->reason(), "INVALID_REQUEST_ID");
  EXPECT_EQ(Count("SELECT count(*) FROM s.things"), 0);
}

TEST_F(ChangeTest, AccessIsCheckedBeforeAnyReplay) {
  Response first, again;
  ASSERT_TRUE(Create(Call(), MakeRequest("a"), &first).ok());
  // The caller lost access to the target since: the access error, not the stored response.
  const absl::Status st = Create(Call(), MakeRequest("a"), &again,
                                 status::PermissionDenied("LAN_MISMATCH", "another county"));
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(status::GetErrorInfo(st)->reason(), "LAN_MISMATCH");
  EXPECT_TRUE(again.resource_name().empty());
}

TEST_F(ChangeTest, AnAccessErrorOfTheWorkItselfIsNeverAnsweredByAReplay) {
  Response first;
  ASSERT_TRUE(Create(Call(), MakeRequest("a"), &first).ok());
  // Handlers that load the target inside the work check the caller there: a denial or a target
  // outside the caller's scope (answered as missing) must not turn into the stored response.
  for (const absl::Status& denial :
       {status::PermissionDenied("LAN_MISMATCH", "another county"),
        status::NotFound("THING_NOT_FOUND", "things/1 does not exist"),
        status::Unauthenticated("TOKEN_MISSING", "no token")}) {
    Response again;
    const absl::Status st = Create(Call(), MakeRequest("a"), &again, absl::OkStatus(), denial);
    EXPECT_EQ(st.code(), denial.code()) << denial;
    EXPECT_TRUE(again.resource_name().empty()) << denial;
  }
}

TEST_F(ChangeTest, TheScopeIsTheIssuerAndSubjectNotTheRoleOrTenant) {
  Response first, other_role, other_issuer;
  ASSERT_TRUE(Create(Call(), MakeRequest("a"), &first).ok());
  // The same person with another role or county in the token: the same scope, so the retry
  // is answered by the first response (after the access check) instead of a second change.
  ASSERT_TRUE(
      Create(Call("officer-1", "req-2", "county_admin", "12"), MakeRequest("a"), &other_role).ok());
  EXPECT_EQ(other_role.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Count("SELECT count(*) FROM s.things"), 1);
  // The same subject from another issuer is someone else.
  ASSERT_TRUE(Create(Call("officer-1", "req-3", "county_officer", "03", "https://other.test"),
                     MakeRequest("a"), &other_issuer)
                  .ok());
  EXPECT_NE(other_issuer.resource_name(), first.resource_name());
  EXPECT_EQ(Count("SELECT count(*) FROM s.things"), 2);
}

TEST_F(ChangeTest, AnErrorOfTheWorkOnARetryIsAnsweredWithTheFirstResponse) {
  Response first, again;
  ASSERT_TRUE(Create(Call(), MakeRequest("a"), &first).ok());
  // What a transition's retry meets: the first call moved the state on.
  const absl::Status st = Create(Call(), MakeRequest("a"), &again, absl::OkStatus(),
                                 status::FailedPrecondition("ALREADY_DONE", "done"));
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Count("SELECT count(*) FROM s.things"), 1);
}

TEST_F(ChangeTest, ARolledBackChangeReleasesTheId) {
  Response resp;
  ASSERT_FALSE(Create(Call(), MakeRequest("a"), &resp, absl::OkStatus(),
                      status::FailedPrecondition("NOT_NOW", "no"))
                   .ok());
  ASSERT_TRUE(Create(Call(), MakeRequest("a"), &resp).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM s.things"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM s.request_ids"), 1);
}

TEST_F(ChangeTest, ConcurrentRetriesCommitOnceAndAnswerAlike) {
  Response first, second;
  absl::Status first_st, second_st;
  std::thread a([&] { first_st = Create(Call(), MakeRequest("a"), &first, {}, {}, "0.3"); });
  std::thread b([&] { second_st = Create(Call(), MakeRequest("a"), &second, {}, {}, "0.3"); });
  a.join();
  b.join();
  ASSERT_TRUE(first_st.ok()) << first_st;
  ASSERT_TRUE(second_st.ok()) << second_st;
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(Count("SELECT count(*) FROM s.things"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM s.outbox"), 1);
  EXPECT_EQ(nudges_, 1);
}

TEST_F(ChangeTest, AChangeWithoutBookkeepingCommitsItsWork) {
  const grpc::CallContext call = Call();
  const Request req = MakeRequest("quiet", "");
  Response resp;
  Change change(*pool_, call, req, &resp, [this] { ++nudges_; });
  ASSERT_TRUE(change
                  .Run([&](pqxx::work& tx) {
                    tx.exec("INSERT INTO things (what) VALUES ('quiet')");
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(Count("SELECT count(*) FROM s.things"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM s.audit_log"), 0);
  EXPECT_EQ(nudges_, 0);
}

TEST_F(ChangeTest, TheTargetOfTheAccessCheckReachesTheWork) {
  const grpc::CallContext call = Call();
  const Request req = MakeRequest("t", "");
  Response resp;
  Change change(*pool_, call, req, &resp);
  const absl::Status st = change.Run(
      [](pqxx::work&) -> absl::StatusOr<std::string> { return std::string("things/42"); },
      [&](pqxx::work&, const std::string& target) -> absl::Status {
        resp.set_resource_name(target);
        return absl::OkStatus();
      });
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(resp.resource_name(), "things/42");
}

}  // namespace
}  // namespace integration::api
