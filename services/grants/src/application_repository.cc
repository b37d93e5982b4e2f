// Applications in PostgreSQL: the SQL of sql/queries/application_*.sql and
// diarienummer_next.sql.
#include "application_repository.h"

#include <utility>

#include "absl/strings/str_join.h"
#include "integration/api/handler.h"
#include "integration/status/status.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

// The stored form of the budget: a BudgetPlan of the lines.
pqxx::binarystring BudgetBytes(const v1::Application& application) {
  v1::BudgetPlan plan;
  *plan.mutable_lines() = application.budget_lines();
  return pqxx::binarystring(plan.SerializeAsString());
}

// The stored form of the partners: an Application holding only them.
pqxx::binarystring PartnersBytes(const v1::Application& application) {
  v1::Application only_partners;
  *only_partners.mutable_partners() = application.partners();
  return pqxx::binarystring(only_partners.SerializeAsString());
}

std::string CoApplicantsText(const v1::Application& application) {
  return absl::StrJoin(application.co_applicant_kommuner(), ",");
}

// "YYYY-MM-DD" of a period end, or "" while a draft has none.
std::string StartText(const v1::Application& application) {
  return application.project_period().has_start_date()
             ? DateText(application.project_period().start_date())
             : "";
}
std::string EndText(const v1::Application& application) {
  return application.project_period().has_end_date()
             ? DateText(application.project_period().end_date())
             : "";
}

std::string_view ScopeName(ApplicationScopeKind kind) {
  switch (kind) {
    case ApplicationScopeKind::kLan:
      return "lan";
    case ApplicationScopeKind::kKommun:
      return "kommun";
    case ApplicationScopeKind::kOrgnr:
      return "orgnr";
  }
  return "";
}

}  // namespace

absl::StatusOr<ApplicationRecord> ApplicationRepository::Insert(int64_t call_id,
                                                              std::string_view lanskod,
                                                              const v1::Application& application,
                                                              absl::Time now) {
  const v1::Applicant& applicant = application.applicant();
  pqxx::result r = tx_.exec_prepared(
      "application_insert", call_id, std::string(lanskod), applicant.kommunkod(),
      applicant.organisationsnummer(), v1::ApplicantType_Name(applicant.type()),
      applicant.display_name(), application.project_title(), application.description(),
      StartText(application), EndText(application), BudgetBytes(application),
      application.requested_amount().ore(), PartnersBytes(application),
      CoApplicantsText(application), api::ToMicros(now));
  if (r.empty()) return status::Internal("the inserted application was not returned");
  return ApplicationFromRow(r[0]);
}

void ApplicationRepository::Update(int64_t call_id, int64_t application_id,
                                   const v1::Application& application, absl::Time now) {
  tx_.exec_prepared("application_update", call_id, application_id,
                    application.applicant().display_name(), application.project_title(),
                    application.description(), StartText(application), EndText(application),
                    BudgetBytes(application), application.requested_amount().ore(),
                    PartnersBytes(application), CoApplicantsText(application), api::ToMicros(now));
}

int64_t ApplicationRepository::NextDiarienummerSequence(int registry, int year) {
  pqxx::result r = tx_.exec_prepared("diarienummer_next", registry, year);
  return r[0][0].as<int64_t>();
}

bool ApplicationRepository::Submit(int64_t call_id, int64_t application_id,
                                   std::string_view diarienummer, absl::Time now) {
  pqxx::result r = tx_.exec_prepared("application_submit", call_id, application_id,
                                     std::string(diarienummer), api::ToMicros(now));
  return r.affected_rows() == 1;
}

bool ApplicationRepository::Withdraw(int64_t call_id, int64_t application_id, absl::Time now) {
  pqxx::result r =
      tx_.exec_prepared("application_withdraw", call_id, application_id, api::ToMicros(now));
  return r.affected_rows() == 1;
}

absl::StatusOr<std::vector<ApplicationRecord>> ApplicationRepository::List(
    const ApplicationFilter& filter, int64_t after_id, int limit) {
  std::vector<ApplicationRecord> out;
  for (const pqxx::row& row : tx_.exec_prepared(
           "application_list", filter.call_id, after_id, filter.state, filter.kommunkod,
           std::string(ScopeName(filter.scope.kind)), filter.scope.value, limit)) {
    absl::StatusOr<ApplicationRecord> rec = ApplicationFromRow(row);
    if (!rec.ok()) return rec.status();
    out.push_back(*std::move(rec));
  }
  return out;
}

}  // namespace integration::grants
