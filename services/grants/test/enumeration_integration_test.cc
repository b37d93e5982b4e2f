// Ids cannot be probed across counties and applicants (#12 item 10): an application outside
// the caller's scope, and what hangs below it, answers exactly as a missing one (code, reason,
// message and metadata alike), and a caller from elsewhere never waits on, or holds, its row
// lock.
#include <google/rpc/error_details.pb.h>
#include <google/rpc/status.pb.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <pqxx/pqxx>
#include <regex>
#include <string>

#include "absl/strings/str_cat.h"
#include "grants_test_env.h"
#include "gtest/gtest.h"

namespace integration::grants::testing {
namespace {

std::string AppName(int64_t call_id, int64_t app_id) {
  return absl::StrCat("calls/", call_id, "/applications/", app_id);
}

// What a caller learns from a failure, with the application's id blanked out: equal for two
// applications exactly when the answers cannot tell them apart.
std::string Shape(const ::grpc::Status& st) {
  const std::regex id("applications/[0-9]+");
  std::string out = absl::StrCat(st.error_code(), "|",
                                  std::regex_replace(st.error_message(), id, "applications/#"));
  google::rpc::Status rpc;
  if (rpc.ParseFromString(st.error_details())) {
    for (const auto& any : rpc.details()) {
      google::rpc::ErrorInfo info;
      if (!any.UnpackTo(&info)) continue;
      absl::StrAppend(&out, "|", info.reason(), "|", info.domain());
      const std::map<std::string, std::string> sorted(info.metadata().begin(),
                                                      info.metadata().end());
      for (const auto& [key, value] : sorted) {
        absl::StrAppend(&out, "|", key, "=", std::regex_replace(value, id, "applications/#"));
      }
    }
  }
  return out;
}

v1::DecideApplicationRequest Decide(const std::string& name) {
  v1::DecideApplicationRequest req;
  req.set_name(name);
  req.set_outcome(v1::DECISION_OUTCOME_REJECTED);
  req.set_conditions("Avslag.");
  return req;
}

class EnumerationTest : public GrantsTest {
 protected:
  void SetUp() override {
    GrantsTest::SetUp();
    if (HasFatalFailure()) return;
    env().SeedDemoProgrammes();
    call_ = env().SeedCall();
    SeedApplicationSpec spec;
    spec.call_id = call_;
    app_ = env().SeedApplication(spec);
    missing_ = app_ + 1000;
  }

  int64_t call_ = 0;
  int64_t app_ = 0;
  int64_t missing_ = 0;
};

TEST_F(EnumerationTest, AnotherScopesApplicationAnswersExactlyAsAMissingOne) {
  const std::string officer_elsewhere = env().OfficerToken("o-01", kOtherLan);
  const std::string other_kommun = env().KommunToken(kKommunB);
  const std::string other_org = env().OrgToken(kOrgAssociation2);
  for (const std::string& token : {officer_elsewhere, other_kommun, other_org}) {
    auto get = [&](int64_t app) {
      v1::GetApplicationRequest req;
      req.set_name(AppName(call_, app));
      v1::Application out;
      return env().Call(&Stub::GetApplication, token, req, &out);
    };
    const ::grpc::Status hidden = get(app_);
    EXPECT_EQ(hidden.error_code(), ::grpc::StatusCode::NOT_FOUND) << Describe(hidden);
    EXPECT_EQ(ReasonOf(hidden), "APPLICATION_NOT_FOUND");
    EXPECT_EQ(Shape(hidden), Shape(get(missing_)));

    auto reports = [&](int64_t app) {
      v1::GetReportRequest req;
      req.set_name(absl::StrCat(AppName(call_, app), "/reports/1"));
      v1::Report out;
      return env().Call(&Stub::GetReport, token, req, &out);
    };
    EXPECT_EQ(Shape(reports(app_)), Shape(reports(missing_)));
    EXPECT_EQ(ReasonOf(reports(app_)), "REPORT_NOT_FOUND");

    auto disbursements = [&](int64_t app) {
      v1::ListDisbursementsRequest req;
      req.set_parent(AppName(call_, app));
      v1::ListDisbursementsResponse out;
      return env().Call(&Stub::ListDisbursements, token, req, &out);
    };
    EXPECT_EQ(Shape(disbursements(app_)), Shape(disbursements(missing_)));
  }

  // Changes too: the board of another county, an applicant that is not this one.
  auto decide = [&](int64_t app) {
    v1::Application out;
    return env().Call(&Stub::DecideApplication, officer_elsewhere, Decide(AppName(call_, app)),
                      &out);
  };
  EXPECT_EQ(ReasonOf(decide(app_)), "APPLICATION_NOT_FOUND");
  EXPECT_EQ(Shape(decide(app_)), Shape(decide(missing_)));
  auto withdraw = [&](int64_t app) {
    v1::WithdrawApplicationRequest req;
    req.set_name(AppName(call_, app));
    v1::Application out;
    return env().Call(&Stub::WithdrawApplication, other_kommun, req, &out);
  };
  EXPECT_EQ(ReasonOf(withdraw(app_)), "APPLICATION_NOT_FOUND");
  EXPECT_EQ(Shape(withdraw(app_)), Shape(withdraw(missing_)));

  // Who may read it still learns why it may not act: the county's admin is no officer.
  v1::Application unchanged;
  const ::grpc::Status admin = env().Call(&Stub::DecideApplication, env().AdminToken(),
                                          Decide(AppName(call_, app_)), &unchanged);
  EXPECT_EQ(admin.error_code(), ::grpc::StatusCode::PERMISSION_DENIED) << Describe(admin);
}

TEST_F(EnumerationTest, NoRowLockIsTakenBeforeTheCallerIsAllowed) {
  // Another transaction holds the call's and the application's row locks.
  pqxx::connection holder(env().harness().admin_dsn());
  pqxx::work tx(holder);
  tx.exec("SET search_path TO grants");
  tx.exec(absl::StrCat("SELECT 1 FROM calls WHERE call_id = ", call_, " FOR UPDATE"));
  tx.exec(absl::StrCat("SELECT 1 FROM applications WHERE call_id = ", call_,
                       " AND application_id = ", app_, " FOR UPDATE"));

  // Callers from elsewhere are answered at once, without queueing behind (or taking) a lock.
  const auto begin = std::chrono::steady_clock::now();
  v1::Application out;
  const ::grpc::Status decided =
      env().Call(&Stub::DecideApplication, env().OfficerToken("o-01", kOtherLan),
                 Decide(AppName(call_, app_)), &out);
  EXPECT_EQ(ReasonOf(decided), "APPLICATION_NOT_FOUND") << Describe(decided);
  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_name(AppName(call_, app_));
  const ::grpc::Status withdrawn =
      env().Call(&Stub::WithdrawApplication, env().KommunToken(kKommunB), withdraw, &out);
  EXPECT_EQ(ReasonOf(withdrawn), "APPLICATION_NOT_FOUND") << Describe(withdrawn);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(2));
  tx.abort();
}

}  // namespace
}  // namespace integration::grants::testing
