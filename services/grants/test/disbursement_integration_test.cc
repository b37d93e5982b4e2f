// Integration tests of the disbursement RPCs against a real PostgreSQL: the payment plan of an
// approved application (never more than approved, also with parallel CreateDisbursement; 1/3
// splits in öre), paying with a reference (paid amount, DisbursementPaid event), cancelling,
// reading by the applicant, rejections, etags and request ids.
#include <atomic>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grants_test_env.h"
#include "gtest/gtest.h"
#include "lansstyrelsen/integration/grants/v1/events.pb.h"

namespace integration::grants::testing {
namespace {

std::string AppName(int64_t call_id, int64_t app_id) {
  return absl::StrCat("calls/", call_id, "/applications/", app_id);
}

v1::CreateDisbursementRequest Instalment(const std::string& parent, int64_t ore, int month = 3,
                                         int day = 1) {
  v1::CreateDisbursementRequest req;
  req.set_parent(parent);
  req.mutable_disbursement()->mutable_amount()->set_ore(ore);
  req.mutable_disbursement()->mutable_scheduled_date()->set_year(2027);
  req.mutable_disbursement()->mutable_scheduled_date()->set_month(month);
  req.mutable_disbursement()->mutable_scheduled_date()->set_day(day);
  return req;
}

v1::PayDisbursementRequest Pay(const std::string& name,
                               const std::string& reference = "BG-2027-0042") {
  v1::PayDisbursementRequest req;
  req.set_name(name);
  req.set_payment_reference(reference);
  return req;
}

class DisbursementTest : public GrantsTest {
 protected:
  void SetUp() override {
    GrantsTest::SetUp();
    if (HasFatalFailure()) return;
    env().SeedDemoProgrammes();
    call_ = env().SeedCall();
  }

  // An application of kommun A in `state` with `outcome`.
  int64_t SeedApp(const std::string& state, const std::string& outcome, int64_t approved,
                  int64_t requested = 1'000'000) {
    SeedApplicationSpec spec;
    spec.call_id = call_;
    spec.state = state;
    spec.requested_ore = requested;
    spec.decision_outcome = outcome;
    spec.approved_ore = approved;
    return env().SeedApplication(spec);
  }
  int64_t Approved(int64_t approved = 1'000'000) {
    return SeedApp("DECIDED", approved == 1'000'000 ? "APPROVED" : "PARTIALLY_APPROVED", approved);
  }

  ::grpc::Status Create(const v1::CreateDisbursementRequest& req, v1::Disbursement* out) {
    return env().Call(&Stub::CreateDisbursement, env().OfficerToken(), req, out);
  }
  int64_t PaidOf(int64_t app) {
    return env().Count(
        absl::StrCat("SELECT paid_ore FROM applications WHERE application_id = ", app));
  }
  int64_t Committed(int64_t app) {
    return env().Count(
        absl::StrCat("SELECT coalesce(sum(amount_ore), 0)::bigint FROM disbursements"
                     " WHERE state <> 'CANCELLED' AND application_id = ",
                     app));
  }

  int64_t call_ = 0;
};

TEST_F(DisbursementTest, PlanInThirdsNeverAboveApproved) {
  const int64_t app = Approved();
  const std::string parent = AppName(call_, app);
  v1::Disbursement d;
  ::grpc::Status st = Create(Instalment(parent, 333'333, 3), &d);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(d.name(), absl::StrCat(parent, "/disbursements/1"));
  EXPECT_EQ(d.state(), v1::DISBURSEMENT_STATE_SCHEDULED);
  EXPECT_EQ(d.amount().ore(), 333'333);
  EXPECT_EQ(d.scheduled_date().month(), 3);
  EXPECT_EQ(d.etag(), "r1");
  ASSERT_TRUE(Create(Instalment(parent, 333'333, 6), &d).ok());
  st = Create(Instalment(parent, 333'335, 9), &d);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "DISBURSEMENTS_EXCEED_APPROVED");
  std::map<std::string, std::string> meta = MetadataOf(st);
  EXPECT_EQ(meta["approved_ore"], "1000000");
  EXPECT_EQ(meta["committed_ore"], "666666");
  EXPECT_EQ(meta["requested_ore"], "333335");
  EXPECT_EQ(meta["remaining_ore"], "333334");
  ASSERT_TRUE(Create(Instalment(parent, 333'334, 9), &d).ok());
  EXPECT_EQ(ReasonOf(Create(Instalment(parent, 1, 12), &d)), "DISBURSEMENTS_EXCEED_APPROVED");
  EXPECT_EQ(Committed(app), 1'000'000);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'disbursement.create'"), 3);

  // The plan, by date, readable by the applicant.
  v1::ListDisbursementsRequest list;
  list.set_parent(parent);
  v1::ListDisbursementsResponse plan;
  st = env().Call(&Stub::ListDisbursements, env().KommunToken(kKommunA), list, &plan);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_EQ(plan.disbursements_size(), 3);
  EXPECT_EQ(plan.disbursements(0).scheduled_date().month(), 3);
  EXPECT_EQ(plan.disbursements(2).amount().ore(), 333'334);
}

TEST_F(DisbursementTest, AHugeInstalmentIsRefusedCleanly) {
  const int64_t app = Approved();
  v1::Disbursement d;
  ASSERT_TRUE(Create(Instalment(AppName(call_, app), 1, 3), &d).ok());
  ::grpc::Status st =
      Create(Instalment(AppName(call_, app), std::numeric_limits<int64_t>::max(), 4), &d);
  EXPECT_EQ(ReasonOf(st), "DISBURSEMENTS_EXCEED_APPROVED") << Describe(st);
  EXPECT_EQ(Committed(app), 1);
}

TEST_F(DisbursementTest, OnlyApprovedApplicationsArePaid) {
  for (const auto& [state, outcome] : std::vector<std::pair<std::string, std::string>>{
           {"SUBMITTED", ""}, {"UNDER_REVIEW", ""}, {"DECIDED", "REJECTED"}}) {
    const int64_t app = SeedApp(state, outcome, 0);
    v1::Disbursement d;
    ::grpc::Status st = Create(Instalment(AppName(call_, app), 100), &d);
    EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION) << state;
    EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_APPROVED") << state;
  }
  const int64_t app = Approved(400'000);  // partially approved
  v1::Disbursement d;
  EXPECT_TRUE(Create(Instalment(AppName(call_, app), 400'000), &d).ok());
  // Invalid instalments.
  ::grpc::Status st = Create(Instalment(AppName(call_, app), 0), &d);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationFieldsOf(st), std::vector<std::string>{"disbursement.amount"});
  st = Create(Instalment(AppName(call_, app), 5, 2, 30), &d);
  EXPECT_EQ(ViolationFieldsOf(st), std::vector<std::string>{"disbursement.scheduled_date"});
  EXPECT_EQ(env().Count("SELECT count(*) FROM disbursements"), 1);
}

TEST_F(DisbursementTest, ParallelInstalmentsNeverExceedApproved) {
  const int64_t app = Approved();
  std::atomic<int> ok{0};
  std::atomic<int> exceeded{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 25; ++i) {
    threads.emplace_back([&, i] {
      v1::Disbursement d;
      ::grpc::Status st = Create(Instalment(AppName(call_, app), 100'000, 1 + i % 12), &d);
      if (st.ok()) ++ok;
      if (ReasonOf(st) == "DISBURSEMENTS_EXCEED_APPROVED") ++exceeded;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(exceeded.load(), 15);
  EXPECT_EQ(Committed(app), 1'000'000);
}

TEST_F(DisbursementTest, PayMarksPaidAddsToPaidAndAnnounces) {
  const int64_t app = Approved();
  v1::Disbursement d;
  ASSERT_TRUE(Create(Instalment(AppName(call_, app), 600'000), &d).ok());
  v1::Disbursement paid;
  ::grpc::Status st =
      env().Call(&Stub::PayDisbursement, env().OfficerToken(), Pay(d.name(), ""), &paid);
  EXPECT_EQ(ReasonOf(st), "PAYMENT_REFERENCE_INVALID");
  v1::PayDisbursementRequest req = Pay(d.name());
  req.set_etag("r7");
  st = env().Call(&Stub::PayDisbursement, env().OfficerToken(), req, &paid);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");
  req.set_etag(d.etag());
  req.set_request_id("0d4c2f8a-1e6b-4c3d-9a7f-2b5e8c1d0f34");
  st = env().Call(&Stub::PayDisbursement, env().OfficerToken(), req, &paid);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(paid.state(), v1::DISBURSEMENT_STATE_PAID);
  EXPECT_EQ(paid.payment_reference(), "BG-2027-0042");
  EXPECT_TRUE(paid.has_pay_time());
  EXPECT_EQ(paid.etag(), "r2");
  EXPECT_EQ(PaidOf(app), 600'000);
  // A retry with the same request id answers the same and pays nothing more.
  v1::Disbursement again;
  ASSERT_TRUE(env().Call(&Stub::PayDisbursement, env().OfficerToken(), req, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), paid.SerializeAsString());
  EXPECT_EQ(PaidOf(app), 600'000);
  // Paying again without it is refused.
  st = env().Call(&Stub::PayDisbursement, env().OfficerToken(), Pay(d.name()), &again);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "DISBURSEMENT_NOT_SCHEDULED");
  EXPECT_EQ(MetadataOf(st)["state"], "PAID");

  pqxx::result events = env().Query(
      "SELECT aggregate, payload FROM outbox WHERE event_type = "
      "'lansstyrelsen.integration.grants.v1.DisbursementPaidEvent'");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0][0].as<std::string>(), d.name());
  v1::DisbursementPaidEvent event;
  ASSERT_TRUE(event.ParseFromString(pqxx::binarystring(events[0][1]).str()));
  EXPECT_EQ(event.disbursement(), d.name());
  EXPECT_EQ(event.amount().ore(), 600'000);
  EXPECT_EQ(event.payment_reference(), "BG-2027-0042");
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'disbursement.pay'"), 1);

  // The application shows the paid amount.
  v1::ListDisbursementsRequest list;
  list.set_parent(AppName(call_, app));
  v1::ListDisbursementsResponse plan;
  ASSERT_TRUE(env().Call(&Stub::ListDisbursements, env().OfficerToken(), list, &plan).ok());
  EXPECT_EQ(plan.disbursements(0).state(), v1::DISBURSEMENT_STATE_PAID);
}

TEST_F(DisbursementTest, CancelFreesThePlan) {
  const int64_t app = Approved();
  v1::Disbursement first;
  v1::Disbursement second;
  ASSERT_TRUE(Create(Instalment(AppName(call_, app), 700'000), &first).ok());
  ASSERT_TRUE(Create(Instalment(AppName(call_, app), 300'000), &second).ok());
  v1::Disbursement out;
  EXPECT_EQ(ReasonOf(Create(Instalment(AppName(call_, app), 1), &out)),
            "DISBURSEMENTS_EXCEED_APPROVED");
  v1::CancelDisbursementRequest cancel;
  cancel.set_name(first.name());
  ::grpc::Status st = env().Call(&Stub::CancelDisbursement, env().OfficerToken(), cancel, &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.state(), v1::DISBURSEMENT_STATE_CANCELLED);
  EXPECT_EQ(Committed(app), 300'000);
  EXPECT_TRUE(Create(Instalment(AppName(call_, app), 700'000), &out).ok());
  // Cancelled and paid instalments cannot be cancelled (or paid).
  st = env().Call(&Stub::CancelDisbursement, env().OfficerToken(), cancel, &out);
  EXPECT_EQ(ReasonOf(st), "DISBURSEMENT_NOT_SCHEDULED");
  st = env().Call(&Stub::PayDisbursement, env().OfficerToken(), Pay(first.name()), &out);
  EXPECT_EQ(ReasonOf(st), "DISBURSEMENT_NOT_SCHEDULED");
  ASSERT_TRUE(
      env().Call(&Stub::PayDisbursement, env().OfficerToken(), Pay(second.name()), &out).ok());
  cancel.set_name(second.name());
  st = env().Call(&Stub::CancelDisbursement, env().OfficerToken(), cancel, &out);
  EXPECT_EQ(ReasonOf(st), "DISBURSEMENT_NOT_SCHEDULED");
  EXPECT_EQ(PaidOf(app), 300'000);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'disbursement.cancel'"), 1);
  cancel.set_name(absl::StrCat(AppName(call_, app), "/disbursements/99"));
  st = env().Call(&Stub::CancelDisbursement, env().OfficerToken(), cancel, &out);
  EXPECT_EQ(ReasonOf(st), "DISBURSEMENT_NOT_FOUND");
}

TEST_F(DisbursementTest, AccessAndPaging) {
  const int64_t app = Approved();
  for (int month = 1; month <= 5; ++month) {
    v1::Disbursement d;
    ASSERT_TRUE(Create(Instalment(AppName(call_, app), 1000, 6 - month), &d).ok());
  }
  v1::Disbursement d;
  ::grpc::Status st = env().Call(&Stub::CreateDisbursement, env().OfficerToken("o", kOtherLan),
                                 Instalment(AppName(call_, app), 5), &d);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND") << "another county's: as if missing";
  st = env().Call(&Stub::CreateDisbursement, env().KommunToken(kKommunA),
                  Instalment(AppName(call_, app), 5), &d);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  st = env().Call(&Stub::PayDisbursement, env().KommunToken(kKommunA),
                  Pay(absl::StrCat(AppName(call_, app), "/disbursements/1")), &d);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);

  v1::ListDisbursementsRequest list;
  list.set_parent(AppName(call_, app));
  v1::ListDisbursementsResponse page;
  st = env().Call(&Stub::ListDisbursements, env().KommunToken(kKommunB), list, &page);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  st = env().Call(&Stub::ListDisbursements, env().OrgToken(), list, &page);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  list.set_page_size(2);
  std::vector<int> months;
  do {
    st = env().Call(&Stub::ListDisbursements, env().KommunToken(kKommunA), list, &page);
    ASSERT_TRUE(st.ok()) << Describe(st);
    for (const v1::Disbursement& x : page.disbursements())
      months.push_back(x.scheduled_date().month());
    list.set_page_token(page.next_page_token());
  } while (!page.next_page_token().empty());
  EXPECT_EQ(months, (std::vector<int>{1, 2, 3, 4, 5}));
}

}  // namespace
}  // namespace integration::grants::testing
