// Reclaims through the running grants-server on PostgreSQL: raising for unused funds (amount =
// paid − accepted use, exact in öre) and for a missing final report (only once it is overdue),
// settling and waiving with their rejections, at most one open reclaim also under ten
// parallel raises, tenant isolation, and the ReclaimRaised event of committed raises only.
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grants_test_env.h"
#include "gtest/gtest.h"
#include "lansstyrelsen/integration/grants/v1/events.pb.h"
#include "rules/values_rules.h"

namespace integration::grants::testing {
namespace {

using ::testing::ElementsAre;

class ReclaimTest : public GrantsTest {
 protected:
  void SetUp() override {
    GrantsTest::SetUp();
    env().SeedDemoProgrammes();
    call_id_ = env().SeedCall();
  }

  // An approved grant of `approved_ore` of which `paid_ore` is paid, to kommun A.
  int64_t SeedGrant(int64_t approved_ore, int64_t paid_ore) {
    SeedApplicationSpec spec;
    spec.call_id = call_id_;
    spec.state = "DECIDED";
    spec.decision_outcome = "APPROVED";
    spec.requested_ore = approved_ore;
    spec.approved_ore = approved_ore;
    spec.paid_ore = paid_ore;
    return env().SeedApplication(spec);
  }

  void SeedReport(int64_t app_id, const std::string& type, const std::string& due,
                  const std::string& state, int64_t used_ore = 0, int64_t accepted_ore = 0) {
    env().Query(absl::StrCat(
        "INSERT INTO reports (application_id, lanskod, report_type, due_date, state, used_ore,"
        " accepted_ore) SELECT application_id, lanskod, '",
        type, "', '", due, "', '", state, "', ", used_ore, ", ", accepted_ore,
        " FROM applications WHERE application_id = ", app_id));
  }

  std::string Day(int days) { return DayText(StockholmDay(env().clock().Now()) + days); }

  std::string App(int64_t app_id) {
    return absl::StrCat("calls/", call_id_, "/applications/", app_id);
  }

  static v1::RaiseReclaimRequest Raise(const std::string& parent, v1::ReclaimReason reason) {
    v1::RaiseReclaimRequest req;
    req.set_parent(parent);
    req.mutable_reclaim()->set_reason(reason);
    req.mutable_reclaim()->set_comment("Enligt beslutets villkor 4");
    return req;
  }

  int64_t RaisedEvents() {
    return env().Count(
        "SELECT count(*) FROM outbox WHERE event_type = "
        "'lansstyrelsen.integration.grants.v1.ReclaimRaisedEvent'");
  }

  int64_t call_id_ = 0;
};

TEST_F(ReclaimTest, UnusedFundsReclaimsPaidMinusAcceptedUseToTheOre) {
  const int64_t app = SeedGrant(1'000'000'00, 987'654'32);
  SeedReport(app, "FINAL", Day(-20), "ACCEPTED", 900'000'00, 876'543'21);
  SeedReport(app, "INTERIM", Day(-200), "ACCEPTED", 500'000'00, 500'000'00);  // not counted

  v1::Reclaim reclaim;
  const grpc::Status st = env().Call(&Stub::RaiseReclaim, env().OfficerToken(),
                                     Raise(App(app), v1::RECLAIM_REASON_UNUSED_FUNDS), &reclaim);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(reclaim.amount().ore(), 111'111'11);
  EXPECT_EQ(reclaim.state(), v1::RECLAIM_STATE_RAISED);
  EXPECT_EQ(reclaim.reason(), v1::RECLAIM_REASON_UNUSED_FUNDS);
  EXPECT_EQ(reclaim.comment(), "Enligt beslutets villkor 4");
  EXPECT_EQ(reclaim.name(), App(app) + "/reclaims/1");
  EXPECT_TRUE(reclaim.has_raise_time());

  ASSERT_EQ(RaisedEvents(), 1);
  const pqxx::result payload = env().Query(
      "SELECT payload, aggregate FROM outbox WHERE event_type = "
      "'lansstyrelsen.integration.grants.v1.ReclaimRaisedEvent'");
  v1::ReclaimRaisedEvent event;
  ASSERT_TRUE(event.ParseFromString(pqxx::binarystring(payload[0][0]).str()));
  EXPECT_EQ(event.reclaim(), reclaim.name());
  EXPECT_EQ(event.amount().ore(), 111'111'11);
  EXPECT_EQ(payload[0][1].as<std::string>(), reclaim.name());

  // The applicant sees the claim.
  v1::ListReclaimsRequest list;
  list.set_parent(App(app));
  v1::ListReclaimsResponse listed;
  ASSERT_TRUE(env().Call(&Stub::ListReclaims, env().KommunToken(), list, &listed).ok());
  ASSERT_EQ(listed.reclaims_size(), 1);
  EXPECT_EQ(listed.reclaims(0).SerializeAsString(), reclaim.SerializeAsString());
}

TEST_F(ReclaimTest, UnwarrantedReclaimsAreRefusedWithTheirFigures) {
  const int64_t covered = SeedGrant(500'000'00, 400'000'00);
  SeedReport(covered, "FINANCIAL", Day(-20), "ACCEPTED", 420'000'00, 400'000'00);
  v1::Reclaim out;
  grpc::Status st = env().Call(&Stub::RaiseReclaim, env().OfficerToken(),
                               Raise(App(covered), v1::RECLAIM_REASON_UNUSED_FUNDS), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "RECLAIM_NOT_WARRANTED");
  EXPECT_EQ(MetadataOf(st)["paid_ore"], "40000000");
  EXPECT_EQ(MetadataOf(st)["accepted_use_ore"], "40000000");

  // Before the final report is accepted there is no accepted use to compare with.
  const int64_t pending = SeedGrant(500'000'00, 500'000'00);
  SeedReport(pending, "FINAL", Day(-5), "SUBMITTED", 100'000'00);
  st = env().Call(&Stub::RaiseReclaim, env().OfficerToken(),
                  Raise(App(pending), v1::RECLAIM_REASON_UNUSED_FUNDS), &out);
  EXPECT_EQ(ReasonOf(st), "RECLAIM_NOT_WARRANTED");
  // ... and the report is not missing: it was submitted.
  st = env().Call(&Stub::RaiseReclaim, env().OfficerToken(),
                  Raise(App(pending), v1::RECLAIM_REASON_REPORT_MISSING), &out);
  EXPECT_EQ(ReasonOf(st), "RECLAIM_NOT_WARRANTED");
  EXPECT_EQ(MetadataOf(st)["basis"], "REPORT_NOT_OVERDUE");

  // A rejected application has nothing to reclaim.
  SeedApplicationSpec rejected;
  rejected.call_id = call_id_;
  rejected.kommunkod = kKommunB;
  rejected.state = "DECIDED";
  rejected.decision_outcome = "REJECTED";
  const int64_t no_grant = env().SeedApplication(rejected);
  st = env().Call(&Stub::RaiseReclaim, env().OfficerToken(),
                  Raise(App(no_grant), v1::RECLAIM_REASON_UNUSED_FUNDS), &out);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_APPROVED");

  v1::RaiseReclaimRequest no_reason = Raise(App(covered), v1::RECLAIM_REASON_UNSPECIFIED);
  st = env().Call(&Stub::RaiseReclaim, env().OfficerToken(), no_reason, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("reclaim.reason"));

  EXPECT_EQ(env().Count("SELECT count(*) FROM reclaims"), 0);
  EXPECT_EQ(RaisedEvents(), 0);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log"), 0);
}

TEST_F(ReclaimTest, AMissingFinalReportIsReclaimableOnlyAfterItsDueDate) {
  const int64_t app = SeedGrant(300'000'00, 250'000'00);
  SeedReport(app, "FINAL", Day(1), "DUE");
  v1::Reclaim out;
  grpc::Status st = env().Call(&Stub::RaiseReclaim, env().OfficerToken(),
                               Raise(App(app), v1::RECLAIM_REASON_REPORT_MISSING), &out);
  EXPECT_EQ(ReasonOf(st), "RECLAIM_NOT_WARRANTED") << Describe(st);

  env().clock().Advance(absl::Hours(48));
  st = env().Call(&Stub::RaiseReclaim, env().OfficerToken(),
                  Raise(App(app), v1::RECLAIM_REASON_REPORT_MISSING), &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.reason(), v1::RECLAIM_REASON_REPORT_MISSING);
  EXPECT_EQ(out.amount().ore(), 250'000'00);  // nothing accepted: all that was paid
}

TEST_F(ReclaimTest, SettleAndWaiveCloseARaisedReclaimOnce) {
  const int64_t app = SeedGrant(100'000'00, 100'000'00);
  SeedReport(app, "FINAL", Day(-20), "ACCEPTED", 60'000'00, 60'000'00);
  v1::Reclaim raised;
  ASSERT_TRUE(env()
                  .Call(&Stub::RaiseReclaim, env().OfficerToken(),
                        Raise(App(app), v1::RECLAIM_REASON_UNUSED_FUNDS), &raised)
                  .ok());
  ASSERT_EQ(raised.amount().ore(), 40'000'00);

  v1::SettleReclaimRequest settle;
  settle.set_name(raised.name());
  settle.mutable_settled_amount()->set_ore(40'000'01);
  settle.set_payment_reference("OCR 1234567890");
  v1::Reclaim out;
  grpc::Status st = env().Call(&Stub::SettleReclaim, env().OfficerToken(), settle, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "SETTLED_ABOVE_AMOUNT");
  settle.mutable_settled_amount()->set_ore(0);
  settle.clear_payment_reference();
  st = env().Call(&Stub::SettleReclaim, env().OfficerToken(), settle, &out);
  EXPECT_THAT(ViolationFieldsOf(st),
              ::testing::UnorderedElementsAre("settled_amount.ore", "payment_reference"));
  settle.mutable_settled_amount()->set_ore(39'000'00);
  settle.set_payment_reference("OCR 1234567890");
  settle.set_etag("r77");
  st = env().Call(&Stub::SettleReclaim, env().OfficerToken(), settle, &out);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");
  settle.set_etag(raised.etag());
  st = env().Call(&Stub::SettleReclaim, env().KommunToken(), settle, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  st = env().Call(&Stub::SettleReclaim, env().OfficerToken("o2", kOtherLan), settle, &out);
  EXPECT_EQ(ReasonOf(st), "RECLAIM_NOT_FOUND") << "another county's: as if missing";

  st = env().Call(&Stub::SettleReclaim, env().OfficerToken(), settle, &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.state(), v1::RECLAIM_STATE_SETTLED);
  EXPECT_EQ(out.settled_amount().ore(), 39'000'00);
  EXPECT_EQ(out.payment_reference(), "OCR 1234567890");
  EXPECT_TRUE(out.has_close_time());

  // Closed: neither settled again nor waived.
  settle.clear_etag();
  st = env().Call(&Stub::SettleReclaim, env().OfficerToken(), settle, &out);
  EXPECT_EQ(ReasonOf(st), "RECLAIM_NOT_RAISED");
  EXPECT_EQ(MetadataOf(st)["state"], "SETTLED");
  v1::WaiveReclaimRequest waive;
  waive.set_name(raised.name());
  waive.set_reason("Ringa belopp");
  st = env().Call(&Stub::WaiveReclaim, env().OfficerToken(), waive, &out);
  EXPECT_EQ(ReasonOf(st), "RECLAIM_NOT_RAISED");

  // With the first one closed a new one may be raised, and waived with a reason.
  v1::Reclaim second;
  ASSERT_TRUE(env()
                  .Call(&Stub::RaiseReclaim, env().OfficerToken(),
                        Raise(App(app), v1::RECLAIM_REASON_UNUSED_FUNDS), &second)
                  .ok());
  waive.set_name(second.name());
  waive.set_reason("");
  st = env().Call(&Stub::WaiveReclaim, env().OfficerToken(), waive, &out);
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("reason"));
  waive.set_reason("Kommunen har redovisat kostnaderna i efterhand");
  st = env().Call(&Stub::WaiveReclaim, env().OfficerToken(), waive, &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.state(), v1::RECLAIM_STATE_WAIVED);
  EXPECT_EQ(out.waive_reason(), "Kommunen har redovisat kostnaderna i efterhand");

  const pqxx::result actions =
      env().Query("SELECT action FROM audit_log WHERE resource LIKE '%/reclaims/%' ORDER BY id");
  std::vector<std::string> names;
  for (const pqxx::row& r : actions) names.push_back(r[0].as<std::string>());
  EXPECT_THAT(names,
              ElementsAre("reclaim.raise", "reclaim.settle", "reclaim.raise", "reclaim.waive"));
}

TEST_F(ReclaimTest, OnlyOneReclaimIsOpenAtATime) {
  const int64_t app = SeedGrant(100'000'00, 100'000'00);
  SeedReport(app, "FINAL", Day(-20), "ACCEPTED", 10'000'00, 10'000'00);
  v1::Reclaim first;
  ASSERT_TRUE(env()
                  .Call(&Stub::RaiseReclaim, env().OfficerToken(),
                        Raise(App(app), v1::RECLAIM_REASON_UNUSED_FUNDS), &first)
                  .ok());
  v1::Reclaim out;
  const grpc::Status st = env().Call(&Stub::RaiseReclaim, env().OfficerToken("officer-2"),
                                     Raise(App(app), v1::RECLAIM_REASON_UNUSED_FUNDS), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "RECLAIM_ALREADY_RAISED");
  EXPECT_EQ(MetadataOf(st)["reclaim"], first.name());
}

TEST_F(ReclaimTest, TenParallelRaisesRaiseExactlyOne) {
  const int64_t app = SeedGrant(100'000'00, 100'000'00);
  SeedReport(app, "FINAL", Day(-20), "ACCEPTED", 25'000'00, 25'000'00);
  constexpr int kRaisers = 10;
  std::vector<grpc::Status> results(kRaisers);
  std::vector<std::thread> threads;
  const std::string parent = App(app);
  for (int i = 0; i < kRaisers; ++i) {
    const std::string token = env().OfficerToken(absl::StrCat("officer-", i));
    threads.emplace_back([&, i, token] {
      v1::Reclaim out;
      results[i] = env().Call(&Stub::RaiseReclaim, token,
                              Raise(parent, v1::RECLAIM_REASON_UNUSED_FUNDS), &out);
    });
  }
  for (std::thread& t : threads) t.join();
  int ok = 0;
  for (const grpc::Status& st : results) {
    if (st.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(ReasonOf(st), "RECLAIM_ALREADY_RAISED") << Describe(st);
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM reclaims WHERE state = 'RAISED'"), 1);
  EXPECT_EQ(env().Count("SELECT sum(amount_ore) FROM reclaims"), 75'000'00);
  EXPECT_EQ(RaisedEvents(), 1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'reclaim.raise'"), 1);
}

TEST_F(ReclaimTest, OtherApplicantsAndCountiesSeeNoReclaims) {
  const int64_t app = SeedGrant(100'000'00, 100'000'00);
  SeedReport(app, "FINAL", Day(-20), "ACCEPTED", 10'000'00, 10'000'00);
  v1::ListReclaimsRequest list;
  list.set_parent(App(app));
  v1::ListReclaimsResponse listed;
  grpc::Status st = env().Call(&Stub::ListReclaims, env().KommunToken(kKommunB), list, &listed);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  st = env().Call(&Stub::ListReclaims, env().OrgToken(kOrgAssociation), list, &listed);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  v1::Reclaim out;
  st = env().Call(&Stub::RaiseReclaim, env().OfficerToken("o2", kOtherLan),
                  Raise(App(app), v1::RECLAIM_REASON_UNUSED_FUNDS), &out);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  st = env().Call(&Stub::RaiseReclaim, env().KommunToken(),
                  Raise(App(app), v1::RECLAIM_REASON_UNUSED_FUNDS), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(env().Count("SELECT count(*) FROM reclaims"), 0);
}

TEST_F(ReclaimTest, ARetriedRaiseReturnsTheSameReclaim) {
  const int64_t app = SeedGrant(100'000'00, 100'000'00);
  SeedReport(app, "FINAL", Day(-20), "ACCEPTED", 10'000'00, 10'000'00);
  v1::RaiseReclaimRequest req = Raise(App(app), v1::RECLAIM_REASON_UNUSED_FUNDS);
  req.set_request_id("0b7f3a0e-5d0c-4e6e-8d8e-6b1f1c2d3e4f");
  v1::Reclaim first;
  v1::Reclaim retry;
  ASSERT_TRUE(env().Call(&Stub::RaiseReclaim, env().OfficerToken(), req, &first).ok());
  const grpc::Status st = env().Call(&Stub::RaiseReclaim, env().OfficerToken(), req, &retry);
  ASSERT_TRUE(st.ok()) << Describe(st);  // not RECLAIM_ALREADY_RAISED
  EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(env().Count("SELECT count(*) FROM reclaims"), 1);
  EXPECT_EQ(RaisedEvents(), 1);
}

}  // namespace
}  // namespace integration::grants::testing
