// The grants service's test harness: the in-process server and SQL seeds.
#include "grants_test_env.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "grants_spec.h"
#include "integration/api/handler.h"

namespace integration::grants::testing {
namespace {

// A PostgreSQL text[] literal of enum names (letters and '_' only: no quoting needed).
std::string TextArray(const std::vector<std::string>& values) {
  return absl::StrCat("'{", absl::StrJoin(values, ","), "}'");
}

// A bytea literal of serialized protobuf bytes.
std::string Bytea(pqxx::work& tx, const google::protobuf::Message& message) {
  std::string bytes;
  message.SerializeToString(&bytes);
  return absl::StrCat("'", tx.esc_raw(bytes), "'::bytea");
}

v1::ReportRequirement Requirement(v1::ReportType type, v1::ReportAnchor anchor, int months) {
  v1::ReportRequirement r;
  r.set_type(type);
  r.set_anchor(anchor);
  r.set_months_after(months);
  return r;
}

}  // namespace

absl::StatusOr<std::unique_ptr<GrantsTestEnv>> GrantsTestEnv::Start() {
  auto env = std::make_unique<GrantsTestEnv>(PassKey());
  env->clock_ = std::make_unique<TestClock>();
  TestClock* clock = env->clock_.get();
  integration::testing::HarnessOptions options;
  options.issuer = "https://issuer.grants.test";
  options.audience = "grants-test";
  options.extra_args = {"--diarium-registry=851"};
  absl::StatusOr<std::unique_ptr<integration::testing::ServiceHarness>> harness =
      integration::testing::ServiceHarness::Start(
          GrantsSpec({.clock = [clock] { return clock->Now(); }}), options);
  if (!harness.ok()) return harness.status();
  env->harness_ = *std::move(harness);
  env->stub_ = v1::GrantsService::NewStub(env->harness_->channel());

  if (absl::Status st = env->harness_->WaitServing(absl::Seconds(20)); !st.ok()) return st;
  return env;
}

void GrantsTestEnv::SeedProgramme(const std::string& programme_id,
                                  const std::vector<std::string>& eligible,
                                  const std::vector<v1::ReportRequirement>& reports) {
  pqxx::connection conn(harness_->admin_dsn());
  pqxx::work tx(conn);
  v1::Programme only_reports;
  for (const v1::ReportRequirement& r : reports) *only_reports.add_required_reports() = r;
  tx.exec(absl::StrCat(
      "INSERT INTO grants.programmes (programme_id, display_name, legal_basis, description,"
      " eligible_types, required_reports) VALUES (",
      tx.quote(programme_id), ", ", tx.quote("Programme " + programme_id), ", ",
      tx.quote("Förordning (2010:1122)"), ", '', ", TextArray(eligible), ", ",
      Bytea(tx, only_reports), ")"));
  tx.commit();
}

void GrantsTestEnv::SeedDemoProgrammes() {
  SeedProgramme("kapacitet", {"APPLICANT_TYPE_KOMMUN", "APPLICANT_TYPE_KOMMUNALFORBUND"},
                {Requirement(v1::REPORT_TYPE_FINAL, v1::REPORT_ANCHOR_PROJECT_END, 2)});
  SeedProgramme("guider", {"APPLICANT_TYPE_KOMMUN"},
                {Requirement(v1::REPORT_TYPE_INTERIM, v1::REPORT_ANCHOR_PROJECT_START, 6),
                 Requirement(v1::REPORT_TYPE_FINAL, v1::REPORT_ANCHOR_PROJECT_END, 2)});
  SeedProgramme("tia",
                {"APPLICANT_TYPE_NON_PROFIT_ASSOCIATION", "APPLICANT_TYPE_FAITH_COMMUNITY",
                 "APPLICANT_TYPE_STUDY_ASSOCIATION", "APPLICANT_TYPE_KOMMUN"},
                {Requirement(v1::REPORT_TYPE_FINAL, v1::REPORT_ANCHOR_PROJECT_END, 2)});
}

int64_t GrantsTestEnv::SeedCall(const SeedCallSpec& spec) {
  pqxx::connection conn(harness_->admin_dsn());
  pqxx::work tx(conn);
  v1::Call only_criteria;
  for (const SeedCallSpec::Criterion& c : spec.criteria) {
    v1::Criterion* out = only_criteria.add_criteria();
    out->set_id(c.id);
    out->set_title(c.title);
    out->set_weight(c.weight);
  }
  const absl::Time now = clock_->Now();
  pqxx::result r = tx.exec(absl::StrCat(
      "INSERT INTO grants.calls (programme_id, lanskod, title, open_time, close_time, budget_ore,"
      " max_per_application_ore, funding_start, funding_end, criteria, state) VALUES (",
      tx.quote(spec.programme_id), ", ", tx.quote(spec.lanskod), ", ", tx.quote(spec.title),
      ", timestamptz 'epoch' + ", api::ToMicros(now + spec.open_offset),
      " * interval '1 microsecond', timestamptz 'epoch' + ",
      api::ToMicros(now + spec.close_offset), " * interval '1 microsecond', ", spec.budget_ore,
      ", ", spec.max_ore, ", ", tx.quote(spec.funding_start), ", ", tx.quote(spec.funding_end),
      ", ", Bytea(tx, only_criteria), ", ", tx.quote(spec.state), ") RETURNING call_id"));
  tx.commit();
  return r[0][0].as<int64_t>();
}

int64_t GrantsTestEnv::SeedApplication(const SeedApplicationSpec& spec) {
  pqxx::connection conn(harness_->admin_dsn());
  pqxx::work tx(conn);
  // One budget line of the whole requested amount.
  v1::BudgetPlan budget;
  if (spec.requested_ore > 0) {
    v1::BudgetLine* line = budget.add_lines();
    line->set_category(v1::BUDGET_CATEGORY_PERSONNEL);
    line->set_description("Personal");
    line->mutable_amount()->set_ore(spec.requested_ore);
  }
  std::string diarienummer = "NULL";
  if (spec.state != "DRAFT") {
    diarienummer = tx.quote(spec.diarienummer.empty()
                                ? absl::StrCat("851-", next_diarienummer_++, "-2027")
                                : spec.diarienummer);
  }
  const std::string kommun = spec.kommunkod.empty() ? "NULL" : tx.quote(spec.kommunkod);
  const std::string orgnr = spec.orgnr.empty() ? "NULL" : tx.quote(spec.orgnr);
  const std::string outcome =
      spec.decision_outcome.empty() ? "NULL" : tx.quote(spec.decision_outcome);
  const std::string submit_time = spec.state == "DRAFT" ? "NULL" : "now()";
  const std::string decide_time = spec.decision_outcome.empty() ? "NULL" : "now()";
  const std::string applicant_type =
      spec.applicant_type.rfind("APPLICANT_TYPE_", 0) == 0
          ? spec.applicant_type
          : absl::StrCat("APPLICANT_TYPE_", spec.applicant_type);
  pqxx::result r = tx.exec(absl::StrCat(
      "INSERT INTO grants.applications (call_id, lanskod, applicant_kommunkod, applicant_orgnr,"
      " applicant_type, applicant_name, project_title, description, period_start, period_end,"
      " budget, requested_ore, state, diarienummer, submit_time, decision_outcome, approved_ore,"
      " conditions, decider, decide_time, paid_ore)"
      " SELECT ", spec.call_id, ", c.lanskod, ", kommun, ", ", orgnr, ", ",
      tx.quote(applicant_type), ", ", tx.quote(spec.applicant_name), ", ",
      tx.quote(spec.project_title), ", 'Beskrivning', ", tx.quote(spec.period_start), ", ",
      tx.quote(spec.period_end), ", ", Bytea(tx, budget), ", ", spec.requested_ore, ", ",
      tx.quote(spec.state), ", ", diarienummer, ", ", submit_time, ", ", outcome, ", ",
      spec.approved_ore, ", ", spec.decision_outcome.empty() ? "''" : "'Villkor'", ", ",
      spec.decision_outcome.empty() ? "''" : "'officer-1'", ", ", decide_time, ", ",
      spec.paid_ore, " FROM grants.calls c WHERE c.call_id = ", spec.call_id,
      " RETURNING application_id"));
  if (spec.decision_outcome == "APPROVED" || spec.decision_outcome == "PARTIALLY_APPROVED") {
    tx.exec(absl::StrCat("UPDATE grants.calls SET approved_total_ore = approved_total_ore + ",
                         spec.approved_ore, " WHERE call_id = ", spec.call_id));
  }
  tx.commit();
  EXPECT_EQ(r.size(), 1u) << "call " << spec.call_id << " does not exist";
  return r.empty() ? 0 : r[0][0].as<int64_t>();
}

// ---------------------------------------------------------------------------------------------
// GrantsTest

std::unique_ptr<GrantsTestEnv> GrantsTest::env_;
std::string GrantsTest::start_error_;

void GrantsTest::SetUpTestSuite() {
  absl::StatusOr<std::unique_ptr<GrantsTestEnv>> env = GrantsTestEnv::Start();
  if (env.ok()) {
    env_ = *std::move(env);
    start_error_.clear();
  } else {
    start_error_ = env.status().ToString();
  }
}

void GrantsTest::TearDownTestSuite() { env_.reset(); }

void GrantsTest::SetUp() {
  ASSERT_NE(env_, nullptr) << "the grants test server did not start: " << start_error_;
  env_->Truncate();
  env_->clock().Reset();
}

}  // namespace integration::grants::testing
