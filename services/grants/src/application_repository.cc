// Applications in PostgreSQL: the SQL of sql/queries/application_*.sql (over the
// application_row view) and diarienummer_next.sql.
#include "application_repository.h"

#include "call_repository.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
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

// A stored date column that may be NULL (a draft's period): nullopt for NULL.
absl::StatusOr<std::optional<type::Date>> StoredDate(const pqxx::field& field) {
  if (field.is_null()) return std::optional<type::Date>();
  std::optional<type::Date> date = ParseDateText(field.as<std::string>());
  if (!date) return status::Internal(absl::StrCat("stored ", field.name(), " is not a date"));
  return date;
}

// Reads a row with the columns of application_row (by name); NULLs are the absent values.
absl::StatusOr<ApplicationRecord> ApplicationFromRow(const pqxx::row& row) {
  ApplicationRecord rec;
  rec.application_id = row["application_id"].as<int64_t>();
  rec.call_id = row["call_id"].as<int64_t>();
  rec.lanskod = row["lanskod"].as<std::string>();
  rec.programme_id = row["programme_id"].as<std::string>();
  rec.applicant_kommunkod = row["applicant_kommunkod"].as<std::string>(std::string());
  rec.applicant_orgnr = row["applicant_orgnr"].as<std::string>(std::string());
  rec.stored_state = row["state"].as<std::string>();
  rec.decision_outcome = row["decision_outcome"].as<std::string>(std::string());
  rec.requested_ore = row["requested_ore"].as<int64_t>();
  rec.approved_ore = row["approved_ore"].as<int64_t>();
  rec.paid_ore = row["paid_ore"].as<int64_t>();
  rec.revision = row["revision"].as<int64_t>();

  v1::Application& a = rec.application;
  a.set_name(rec.Name());
  a.set_diarienummer(row["diarienummer"].as<std::string>(std::string()));
  a.set_state(ApplicationStateOf(rec.stored_state));
  v1::Applicant* applicant = a.mutable_applicant();
  if (!rec.applicant_kommunkod.empty()) {
    applicant->set_kommunkod(rec.applicant_kommunkod);
  } else {
    applicant->set_organisationsnummer(rec.applicant_orgnr);
  }
  v1::ApplicantType type = v1::APPLICANT_TYPE_UNSPECIFIED;
  if (!v1::ApplicantType_Parse(row["applicant_type"].as<std::string>(), &type)) {
    return status::Internal("stored applicant type is unknown");
  }
  applicant->set_type(type);
  applicant->set_display_name(row["applicant_name"].as<std::string>());
  a.set_project_title(row["project_title"].as<std::string>());
  a.set_description(row["description"].as<std::string>());
  absl::StatusOr<std::optional<type::Date>> start = StoredDate(row["period_start"]);
  if (!start.ok()) return start.status();
  absl::StatusOr<std::optional<type::Date>> end = StoredDate(row["period_end"]);
  if (!end.ok()) return end.status();
  if (*start) *a.mutable_project_period()->mutable_start_date() = **start;
  if (*end) *a.mutable_project_period()->mutable_end_date() = **end;
  if (*start && *end) rec.period = Period{ToCivilDay(**start), ToCivilDay(**end)};
  v1::BudgetPlan budget;
  const pqxx::binarystring budget_blob(row["budget"]);
  if (!budget.ParseFromArray(budget_blob.data(), static_cast<int>(budget_blob.size()))) {
    return status::Internal("stored budget is corrupt");
  }
  *a.mutable_budget_lines() = std::move(*budget.mutable_lines());
  a.mutable_requested_amount()->set_ore(rec.requested_ore);
  v1::Application partners;
  const pqxx::binarystring partners_blob(row["partners"]);
  if (!partners.ParseFromArray(partners_blob.data(), static_cast<int>(partners_blob.size()))) {
    return status::Internal("stored partners are corrupt");
  }
  *a.mutable_partners() = std::move(*partners.mutable_partners());
  for (absl::string_view k : absl::StrSplit(row["co_applicant_kommuner_list"].as<std::string>(),
                                            ',', absl::SkipEmpty())) {
    a.add_co_applicant_kommuner(std::string(k));
  }
  if (const pqxx::field submit = row["submit_micros"]; !submit.is_null()) {
    api::SetTimestampMicros(submit.as<int64_t>(), a.mutable_submit_time());
  }
  if (!rec.decision_outcome.empty()) {
    v1::Decision* d = a.mutable_decision();
    v1::DecisionOutcome outcome = v1::DECISION_OUTCOME_UNSPECIFIED;
    if (!v1::DecisionOutcome_Parse(absl::StrCat("DECISION_OUTCOME_", rec.decision_outcome),
                                   &outcome)) {
      return status::Internal("stored decision outcome is unknown");
    }
    d->set_outcome(outcome);
    d->mutable_approved_amount()->set_ore(rec.approved_ore);
    d->set_conditions(row["conditions"].as<std::string>());
    d->set_decider(row["decider"].as<std::string>());
    api::SetTimestampMicros(row["decide_micros"].as<int64_t>(0), d->mutable_decide_time());
  }
  a.mutable_paid_amount()->set_ore(rec.paid_ore);
  a.set_lanskod(rec.lanskod);
  api::SetTimestampMicros(row["create_micros"].as<int64_t>(), a.mutable_create_time());
  api::SetTimestampMicros(row["update_micros"].as<int64_t>(), a.mutable_update_time());
  a.set_withdraw_reason(row["withdraw_reason"].as<std::string>());
  a.set_etag(api::EtagOf(rec.revision));
  return rec;
}

}  // namespace

absl::Status ApplicationNotFound(int64_t call_id, int64_t application_id) {
  const std::string name = ApplicationName(call_id, application_id);
  return status::NotFound("APPLICATION_NOT_FOUND", absl::StrCat(name, " does not exist"),
                          {{"application", name}});
}

absl::StatusOr<std::optional<ApplicationRecord>> ApplicationRepository::Find(int64_t call_id,
                                                                             int64_t application_id,
                                                                             bool for_update) {
  // The lock is a statement of its own: through application_row it would lock the call too.
  if (for_update && tx_.exec_prepared("application_lock", call_id, application_id).empty()) {
    return std::optional<ApplicationRecord>();
  }
  pqxx::result r = tx_.exec_prepared("application_get", call_id, application_id);
  if (r.empty()) return std::optional<ApplicationRecord>();
  absl::StatusOr<ApplicationRecord> rec = ApplicationFromRow(r[0]);
  if (!rec.ok()) return rec.status();
  return std::optional<ApplicationRecord>(*std::move(rec));
}

absl::StatusOr<ApplicationRecord> ApplicationRepository::Load(const auth::Scope& scope,
                                                              const ApplicationKey& key,
                                                              access::Acting acting,
                                                              bool for_update,
                                                              std::optional<absl::Status> missing) {
  auto not_found = [&] {
    return missing.has_value() ? *missing : ApplicationNotFound(key.call_id, key.application_id);
  };
  absl::StatusOr<std::optional<ApplicationRecord>> app =
      Find(key.call_id, key.application_id, /*for_update=*/false);
  if (!app.ok()) return app.status();
  if (!*app) return not_found();
  const access::ApplicationOwners owners = access::OwnersOf(**app);
  if (!access::CheckApplication(scope, owners, access::Acting::kReader).ok()) return not_found();
  if (absl::Status st = access::CheckApplication(scope, owners, acting); !st.ok()) return st;
  if (!for_update) return *std::move(*app);
  // Allowed: now the lock, and the row as it is under it. Its owners never change.
  absl::StatusOr<std::optional<ApplicationRecord>> locked =
      Find(key.call_id, key.application_id, /*for_update=*/true);
  if (!locked.ok()) return locked.status();
  if (!*locked) return not_found();
  return *std::move(*locked);
}

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
  return r[0]["last"].as<int64_t>();
}

bool ApplicationRepository::Submit(int64_t call_id, int64_t application_id,
                                   std::string_view diarienummer, absl::Time now) {
  pqxx::result r = tx_.exec_prepared("application_submit", call_id, application_id,
                                     std::string(diarienummer), api::ToMicros(now));
  return r.affected_rows() == 1;
}

bool ApplicationRepository::Withdraw(int64_t call_id, int64_t application_id,
                                     std::string_view reason, absl::Time now) {
  pqxx::result r = tx_.exec_prepared("application_withdraw", call_id, application_id,
                                     api::ToMicros(now), std::string(reason));
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

absl::StatusOr<LockedCallAndApplication> LockCallAndApplication(pqxx::work& tx,
                                                                const auth::Scope& scope,
                                                                const ApplicationKey& key,
                                                                access::Acting acting,
                                                                absl::Time now) {
  ApplicationRepository apps(tx);
  if (absl::StatusOr<ApplicationRecord> allowed = apps.Load(scope, key, acting, false);
      !allowed.ok()) {
    return allowed.status();
  }
  absl::StatusOr<std::optional<CallRecord>> c = CallRepository(tx).Find(key.call_id, true, now);
  if (!c.ok()) return c.status();
  absl::StatusOr<std::optional<ApplicationRecord>> app =
      apps.Find(key.call_id, key.application_id, /*for_update=*/true);
  if (!app.ok()) return app.status();
  if (!*c || !*app) return ApplicationNotFound(key.call_id, key.application_id);
  return LockedCallAndApplication{std::move(**c), std::move(**app)};
}

}  // namespace integration::grants
