// Integration tests of DecideApplication against a real PostgreSQL: every outcome and
// rejection, the required reports of an approval, the ApplicationDecided event, etags and
// request ids, the call budget with sums near the int64 limit, and the concurrency rule of the
// issue: 50 parallel decisions on a call whose budget fits 10 approve exactly 10.
#include <atomic>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grants_test_env.h"
#include "gtest/gtest.h"
#include "lansstyrelsen/integration/grants/v1/events.pb.h"

namespace integration::grants::testing {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

std::string AppName(int64_t call_id, int64_t app_id) {
  return absl::StrCat("calls/", call_id, "/applications/", app_id);
}

v1::DecideApplicationRequest Decide(const std::string& name, v1::DecisionOutcome outcome,
                                    int64_t approved = -1, const std::string& request_id = "") {
  v1::DecideApplicationRequest req;
  req.set_name(name);
  req.set_outcome(outcome);
  if (approved >= 0) req.mutable_approved_amount()->set_ore(approved);
  req.set_conditions("Bidraget får användas enligt ansökan.");
  req.set_request_id(request_id);
  return req;
}

class DecisionTest : public GrantsTest {
 protected:
  void SetUp() override {
    GrantsTest::SetUp();
    if (HasFatalFailure()) return;
    env().SeedDemoProgrammes();
  }

  int64_t SeedApp(int64_t call_id, int64_t requested, const std::string& state = "SUBMITTED",
                  const std::string& outcome = "", int64_t approved = 0) {
    SeedApplicationSpec spec;
    spec.call_id = call_id;
    spec.state = state;
    spec.requested_ore = requested;
    spec.decision_outcome = outcome;
    spec.approved_ore = approved;
    return env().SeedApplication(spec);
  }

  // A call of `programme` with budget and max per application.
  int64_t SeedCall(int64_t budget, int64_t max, const std::string& programme = "kapacitet") {
    SeedCallSpec spec;
    spec.programme_id = programme;
    spec.budget_ore = budget;
    spec.max_ore = max;
    return env().SeedCall(spec);
  }

  ::grpc::Status Run(const v1::DecideApplicationRequest& req, v1::Application* out,
                     const std::string& officer = "officer-1") {
    return env().Call(&Stub::DecideApplication, env().OfficerToken(officer), req, out);
  }

  int64_t ApprovedTotal(int64_t call_id) {
    return env().Count(
        absl::StrCat("SELECT approved_total_ore FROM calls WHERE call_id = ", call_id));
  }
  int64_t DecidedEvents() {
    return env().Count(
        "SELECT count(*) FROM outbox WHERE event_type = "
        "'lansstyrelsen.integration.grants.v1.ApplicationDecidedEvent'");
  }
  std::string StateOf(int64_t app) {
    return env()
        .Query(absl::StrCat("SELECT state FROM applications WHERE application_id = ", app))[0][0]
        .as<std::string>();
  }
};

TEST_F(DecisionTest, ApprovalDecidesCreatesReportsAndAnnounces) {
  const int64_t call = SeedCall(5'000'000, 5'000'000, "guider");
  const int64_t app = SeedApp(call, 1'000'000, "UNDER_REVIEW");
  v1::Application out;
  ::grpc::Status st = Run(Decide(AppName(call, app), v1::DECISION_OUTCOME_APPROVED), &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.state(), v1::APPLICATION_STATE_DECIDED);
  EXPECT_EQ(out.decision().outcome(), v1::DECISION_OUTCOME_APPROVED);
  EXPECT_EQ(out.decision().approved_amount().ore(), 1'000'000);
  EXPECT_EQ(out.decision().conditions(), "Bidraget får användas enligt ansökan.");
  EXPECT_EQ(out.decision().decider(), env().Subject("officer-1"));
  EXPECT_GE(out.decision().decide_time().seconds(), absl::ToUnixSeconds(env().clock().Now()) - 60);
  EXPECT_EQ(ApprovedTotal(call), 1'000'000);

  // guider: interim 6 months after the start (2027-02-01), final 2 months after the end
  // (2027-11-30): 2027-08-01 and 2028-01-30; in the call's county.
  pqxx::result reports = env().Query(absl::StrCat(
      "SELECT report_type, due_date::text, lanskod, state FROM reports WHERE application_id = ",
      app, " ORDER BY due_date"));
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0][0].as<std::string>(), "INTERIM");
  EXPECT_EQ(reports[0][1].as<std::string>(), "2027-08-01");
  EXPECT_EQ(reports[0][2].as<std::string>(), kTestLan);
  EXPECT_EQ(reports[0][3].as<std::string>(), "DUE");
  EXPECT_EQ(reports[1][0].as<std::string>(), "FINAL");
  EXPECT_EQ(reports[1][1].as<std::string>(), "2028-01-30");

  pqxx::result events = env().Query(
      "SELECT aggregate, payload FROM outbox WHERE event_type = "
      "'lansstyrelsen.integration.grants.v1.ApplicationDecidedEvent'");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0][0].as<std::string>(), AppName(call, app));
  v1::ApplicationDecidedEvent event;
  ASSERT_TRUE(event.ParseFromString(pqxx::binarystring(events[0][1]).str()));
  EXPECT_EQ(event.application(), AppName(call, app));
  EXPECT_EQ(event.programme(), "programmes/guider");
  EXPECT_EQ(event.outcome(), v1::DECISION_OUTCOME_APPROVED);
  EXPECT_EQ(event.approved_amount().ore(), 1'000'000);
  EXPECT_EQ(event.applicant().kommunkod(), kKommunA);
  EXPECT_EQ(event.diarienummer(), out.diarienummer());
  EXPECT_EQ(event.project_period().start_date().month(), 2);
  EXPECT_EQ(env().Count(absl::StrCat("SELECT count(*) FROM audit_log WHERE action = "
                                     "'application.decide' AND resource = '",
                                     AppName(call, app), "' AND actor = '",
                                     env().Subject("officer-1"), "'")),
            1);
}

TEST_F(DecisionTest, PartialApprovalAndRejection) {
  const int64_t call = SeedCall(5'000'000, 5'000'000);
  const int64_t part = SeedApp(call, 1'000'000);
  const int64_t rej = SeedApp(call, 2'000'000);
  v1::Application out;
  ASSERT_TRUE(
      Run(Decide(AppName(call, part), v1::DECISION_OUTCOME_PARTIALLY_APPROVED, 333'333), &out)
          .ok());
  EXPECT_EQ(out.decision().outcome(), v1::DECISION_OUTCOME_PARTIALLY_APPROVED);
  EXPECT_EQ(out.decision().approved_amount().ore(), 333'333);
  EXPECT_EQ(env().Count(absl::StrCat("SELECT count(*) FROM reports WHERE application_id = ", part)),
            1);  // kapacitet: the final report
  ::grpc::Status st = Run(Decide(AppName(call, rej), v1::DECISION_OUTCOME_REJECTED), &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.state(), v1::APPLICATION_STATE_DECIDED);
  EXPECT_EQ(out.decision().outcome(), v1::DECISION_OUTCOME_REJECTED);
  EXPECT_EQ(out.decision().approved_amount().ore(), 0);
  EXPECT_EQ(env().Count(absl::StrCat("SELECT count(*) FROM reports WHERE application_id = ", rej)),
            0);
  EXPECT_EQ(ApprovedTotal(call), 333'333);
  EXPECT_EQ(DecidedEvents(), 2);
}

TEST_F(DecisionTest, AmountsMustFitTheOutcome) {
  const int64_t call = env().SeedCall();
  const int64_t app = SeedApp(call, 1'000'000);
  const std::string name = AppName(call, app);
  struct Case {
    v1::DecisionOutcome outcome;
    int64_t approved;
    const char* reason;
  };
  for (const Case& c : std::vector<Case>{
           {v1::DECISION_OUTCOME_APPROVED, 999'999, "DECISION_INVALID"},
           {v1::DECISION_OUTCOME_APPROVED, 1'000'001, "APPROVED_ABOVE_REQUESTED"},
           {v1::DECISION_OUTCOME_PARTIALLY_APPROVED, 1'000'000, "DECISION_INVALID"},
           {v1::DECISION_OUTCOME_PARTIALLY_APPROVED, 0, "DECISION_INVALID"},
           {v1::DECISION_OUTCOME_PARTIALLY_APPROVED, kMax, "APPROVED_ABOVE_REQUESTED"},
           {v1::DECISION_OUTCOME_REJECTED, 1, "DECISION_INVALID"},
           {v1::DECISION_OUTCOME_REJECTED, -1 - 1, "DECISION_INVALID"},
       }) {
    v1::DecideApplicationRequest req = Decide(name, c.outcome, c.approved);
    if (c.approved < -1) req.mutable_approved_amount()->set_ore(-5);
    v1::Application out;
    ::grpc::Status st = Run(req, &out);
    EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT) << Describe(st);
    EXPECT_EQ(ReasonOf(st), c.reason) << Describe(st);
    EXPECT_EQ(ViolationFieldsOf(st), std::vector<std::string>{"approved_amount"}) << Describe(st);
  }
  v1::DecideApplicationRequest no_conditions = Decide(name, v1::DECISION_OUTCOME_APPROVED);
  no_conditions.clear_conditions();
  v1::Application out;
  ::grpc::Status st = Run(no_conditions, &out);
  EXPECT_EQ(ViolationFieldsOf(st), std::vector<std::string>{"conditions"});
  st = Run(Decide(name, v1::DECISION_OUTCOME_UNSPECIFIED), &out);
  EXPECT_EQ(ViolationFieldsOf(st), std::vector<std::string>{"outcome"});
  EXPECT_EQ(StateOf(app), "SUBMITTED");
  EXPECT_EQ(ApprovedTotal(call), 0);
  EXPECT_EQ(DecidedEvents(), 0);
}

TEST_F(DecisionTest, OnlySubmittedOrUnderReviewAreDecided) {
  const int64_t call = env().SeedCall();
  for (const auto& [state, outcome] : std::vector<std::pair<std::string, std::string>>{
           {"DRAFT", ""}, {"WITHDRAWN", ""}, {"DECIDED", "REJECTED"}}) {
    const int64_t app = SeedApp(call, 1'000'000, state, outcome);
    v1::Application out;
    ::grpc::Status st = Run(Decide(AppName(call, app), v1::DECISION_OUTCOME_APPROVED), &out);
    EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION) << state;
    EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_DECIDABLE") << state;
    EXPECT_EQ(MetadataOf(st)["state"], state);
  }
  // Deciding twice: the second is refused and changes nothing.
  const int64_t app = SeedApp(call, 1'000'000);
  v1::Application out;
  ASSERT_TRUE(Run(Decide(AppName(call, app), v1::DECISION_OUTCOME_APPROVED), &out).ok());
  ::grpc::Status st = Run(Decide(AppName(call, app), v1::DECISION_OUTCOME_REJECTED), &out);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_DECIDABLE");
  EXPECT_EQ(ApprovedTotal(call), 1'000'000);
  EXPECT_EQ(DecidedEvents(), 1);
}

TEST_F(DecisionTest, BudgetExceededChangesNothing) {
  const int64_t call = SeedCall(1'500'000, 1'500'000);
  const int64_t first = SeedApp(call, 1'000'000);
  const int64_t second = SeedApp(call, 1'000'000);
  v1::Application out;
  ASSERT_TRUE(Run(Decide(AppName(call, first), v1::DECISION_OUTCOME_APPROVED), &out).ok());
  const int64_t revision = env().Count(
      absl::StrCat("SELECT revision FROM applications WHERE application_id = ", second));
  ::grpc::Status st = Run(Decide(AppName(call, second), v1::DECISION_OUTCOME_APPROVED), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "CALL_BUDGET_EXCEEDED");
  std::map<std::string, std::string> meta = MetadataOf(st);
  EXPECT_EQ(meta["budget_ore"], "1500000");
  EXPECT_EQ(meta["approved_total_ore"], "1000000");
  EXPECT_EQ(meta["requested_approval_ore"], "1000000");
  EXPECT_EQ(meta["remaining_ore"], "500000");
  EXPECT_EQ(StateOf(second), "SUBMITTED");
  EXPECT_EQ(env().Count(
                absl::StrCat("SELECT revision FROM applications WHERE application_id = ", second)),
            revision);
  EXPECT_EQ(
      env().Count(absl::StrCat("SELECT count(*) FROM reports WHERE application_id = ", second)), 0);
  EXPECT_EQ(ApprovedTotal(call), 1'000'000);
  EXPECT_EQ(DecidedEvents(), 1);
  // What remains fits exactly; a rejection needs no budget.
  ASSERT_TRUE(
      Run(Decide(AppName(call, second), v1::DECISION_OUTCOME_PARTIALLY_APPROVED, 500'000), &out)
          .ok());
  EXPECT_EQ(ApprovedTotal(call), 1'500'000);
  const int64_t third = SeedApp(call, 1);
  EXPECT_EQ(ReasonOf(Run(Decide(AppName(call, third), v1::DECISION_OUTCOME_APPROVED), &out)),
            "CALL_BUDGET_EXCEEDED");
  EXPECT_TRUE(Run(Decide(AppName(call, third), v1::DECISION_OUTCOME_REJECTED), &out).ok());
}

TEST_F(DecisionTest, AmountsNearTheInt64LimitAreRejectedCleanly) {
  const int64_t call = SeedCall(kMax, kMax);
  const int64_t big = SeedApp(call, kMax - 1);
  const int64_t small = SeedApp(call, 2);
  v1::Application out;
  ::grpc::Status st = Run(Decide(AppName(call, big), v1::DECISION_OUTCOME_APPROVED), &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.decision().approved_amount().ore(), kMax - 1);
  // kMax - 1 + 2 overflows int64: refused as over budget, never wrapped.
  st = Run(Decide(AppName(call, small), v1::DECISION_OUTCOME_APPROVED), &out);
  EXPECT_EQ(ReasonOf(st), "CALL_BUDGET_EXCEEDED") << Describe(st);
  EXPECT_EQ(MetadataOf(st)["remaining_ore"], "1");
  st = Run(Decide(AppName(call, small), v1::DECISION_OUTCOME_PARTIALLY_APPROVED, 1), &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(ApprovedTotal(call), kMax);
}

TEST_F(DecisionTest, EtagAndRequestId) {
  const int64_t call = env().SeedCall();
  const int64_t app = SeedApp(call, 1'000'000);
  v1::DecideApplicationRequest req = Decide(AppName(call, app), v1::DECISION_OUTCOME_APPROVED);
  req.set_etag("r999");
  v1::Application out;
  ::grpc::Status st = Run(req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");
  req.set_etag("r1");
  req.set_request_id("5f0c6c2e-2f9e-4a77-8a51-9b7c0f1d2e3a");
  ASSERT_TRUE(Run(req, &out).ok());
  v1::Application again;
  st = Run(req, &again);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(again.SerializeAsString(), out.SerializeAsString());
  EXPECT_EQ(DecidedEvents(), 1);
  EXPECT_EQ(ApprovedTotal(call), 1'000'000);
  req.set_outcome(v1::DECISION_OUTCOME_REJECTED);
  st = Run(req, &again);
  EXPECT_EQ(ReasonOf(st), "REQUEST_ID_REUSED");
}

TEST_F(DecisionTest, AccessIsTheCountysOfficers) {
  const int64_t call = env().SeedCall();
  const int64_t app = SeedApp(call, 1'000'000);
  v1::Application out;
  ::grpc::Status st = env().Call(&Stub::DecideApplication, env().OfficerToken("o", kOtherLan),
                                 Decide(AppName(call, app), v1::DECISION_OUTCOME_APPROVED), &out);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND") << "another county's: as if missing";
  st = env().Call(&Stub::DecideApplication, env().AdminToken(),
                  Decide(AppName(call, app), v1::DECISION_OUTCOME_APPROVED), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  st = env().Call(&Stub::DecideApplication, env().KommunToken(),
                  Decide(AppName(call, app), v1::DECISION_OUTCOME_APPROVED), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  st = Run(Decide(AppName(call, app + 1), v1::DECISION_OUTCOME_APPROVED), &out);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  st = Run(Decide(AppName(call + 1, app), v1::DECISION_OUTCOME_APPROVED), &out);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  EXPECT_EQ(StateOf(app), "SUBMITTED");
}

// The concurrency rule: 50 officers decide 50 applications of one call at once; the
// budget fits 10 of them.
TEST_F(DecisionTest, FiftyParallelApprovalsOnABudgetForTen) {
  const int64_t call = SeedCall(10 * 1'000'000, 1'000'000);
  std::vector<int64_t> apps;
  for (int i = 0; i < 50; ++i) apps.push_back(SeedApp(call, 1'000'000));
  std::atomic<int> approved{0};
  std::atomic<int> exceeded{0};
  std::vector<std::string> other(50);
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      v1::Application out;
      ::grpc::Status st = Run(Decide(AppName(call, apps[i]), v1::DECISION_OUTCOME_APPROVED), &out,
                              absl::StrCat("officer-", i));
      if (st.ok()) {
        ++approved;
      } else if (st.error_code() == ::grpc::StatusCode::FAILED_PRECONDITION &&
                 ReasonOf(st) == "CALL_BUDGET_EXCEEDED") {
        ++exceeded;
      } else {
        other[i] = Describe(st);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& o : other) EXPECT_EQ(o, "");
  EXPECT_EQ(approved.load(), 10);
  EXPECT_EQ(exceeded.load(), 40);
  EXPECT_EQ(ApprovedTotal(call), 10'000'000);
  EXPECT_EQ(env().Count(absl::StrCat("SELECT sum(approved_ore)::bigint FROM applications WHERE "
                                     "call_id = ",
                                     call, " AND state = 'DECIDED'")),
            10'000'000);
  EXPECT_EQ(env().Count("SELECT count(*) FROM applications WHERE state = 'DECIDED'"), 10);
  EXPECT_EQ(env().Count("SELECT count(*) FROM applications WHERE state = 'SUBMITTED'"), 40);
  EXPECT_EQ(DecidedEvents(), 10);
  EXPECT_EQ(env().Count("SELECT count(*) FROM reports"), 10);
}

}  // namespace
}  // namespace integration::grants::testing
