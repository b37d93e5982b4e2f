// Programmes, calls and applications read from PostgreSQL.
#include "records.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "integration/api/handler.h"
#include "integration/status/status.h"

namespace integration::grants {
namespace {

// This Abseil's string_view is its own type: its functions need it spelled out.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

v1::CallState CallStateOf(std::string_view stored) {
  if (stored == "DRAFT") return v1::CALL_STATE_DRAFT;
  if (stored == "OPEN") return v1::CALL_STATE_OPEN;
  if (stored == "CLOSED") return v1::CALL_STATE_CLOSED;
  if (stored == "ARCHIVED") return v1::CALL_STATE_ARCHIVED;
  return v1::CALL_STATE_UNSPECIFIED;
}

v1::ApplicationState ApplicationStateOf(std::string_view stored) {
  if (stored == "DRAFT") return v1::APPLICATION_STATE_DRAFT;
  if (stored == "SUBMITTED") return v1::APPLICATION_STATE_SUBMITTED;
  if (stored == "UNDER_REVIEW") return v1::APPLICATION_STATE_UNDER_REVIEW;
  if (stored == "DECIDED") return v1::APPLICATION_STATE_DECIDED;
  if (stored == "WITHDRAWN") return v1::APPLICATION_STATE_WITHDRAWN;
  return v1::APPLICATION_STATE_UNSPECIFIED;
}

absl::StatusOr<type::Date> StoredDate(std::string_view text, std::string_view what) {
  std::optional<type::Date> date = ParseDateText(text);
  if (!date) return status::Internal(absl::StrCat("stored ", AV(what), " is not a date"));
  return *date;
}

}  // namespace

// ---- Programmes ------------------------------------------------------------------------------

absl::Status ProgrammeNotFound(std::string_view programme_id) {
  const std::string name = ProgrammeName(programme_id);
  return status::NotFound("PROGRAMME_NOT_FOUND", absl::StrCat(name, " does not exist"),
                          {{"programme", name}});
}

absl::StatusOr<v1::Programme> ProgrammeFromRow(const pqxx::row& row) {
  v1::Programme p;
  p.set_name(ProgrammeName(row[0].as<std::string>()));
  p.set_display_name(row[1].as<std::string>());
  p.set_legal_basis(row[2].as<std::string>());
  p.set_description(row[3].as<std::string>());
  const std::string types = row[4].as<std::string>();
  for (absl::string_view t : absl::StrSplit(types, ',', absl::SkipEmpty())) {
    v1::ApplicantType type = v1::APPLICANT_TYPE_UNSPECIFIED;
    if (!v1::ApplicantType_Parse(std::string(t), &type)) {
      return status::Internal("stored applicant type is unknown");
    }
    p.add_eligible_applicant_types(type);
  }
  v1::Programme reports;
  const pqxx::binarystring blob(row[5]);
  if (!reports.ParseFromArray(blob.data(), static_cast<int>(blob.size()))) {
    return status::Internal("stored required reports are corrupt");
  }
  *p.mutable_required_reports() = std::move(*reports.mutable_required_reports());
  api::SetTimestampMicros(row[6].as<int64_t>(), p.mutable_create_time());
  api::SetTimestampMicros(row[7].as<int64_t>(), p.mutable_update_time());
  p.set_etag(api::EtagOf(row[8].as<int64_t>()));
  return p;
}

absl::StatusOr<std::optional<v1::Programme>> FindProgramme(pqxx::work& tx,
                                                           std::string_view programme_id) {
  pqxx::result r = tx.exec_prepared("record_programme_get", std::string(programme_id));
  if (r.empty()) return std::optional<v1::Programme>();
  absl::StatusOr<v1::Programme> p = ProgrammeFromRow(r[0]);
  if (!p.ok()) return p.status();
  return std::optional<v1::Programme>(*std::move(p));
}

// ---- Calls -----------------------------------------------------------------------------------

bool CallRecord::AcceptsSubmissions(absl::Time now) const {
  return stored_state == "OPEN" && open_time <= now && now < close_time;
}

v1::CallState EffectiveCallState(std::string_view stored_state, absl::Time close_time,
                                 absl::Time now) {
  if (stored_state == "OPEN" && now >= close_time) return v1::CALL_STATE_CLOSED;
  return CallStateOf(stored_state);
}

absl::Status CallNotFound(int64_t call_id) {
  const std::string name = CallName(call_id);
  return status::NotFound("CALL_NOT_FOUND", absl::StrCat(name, " does not exist"),
                          {{"call", name}});
}

absl::StatusOr<CallRecord> CallFromRow(const pqxx::row& row, absl::Time now) {
  CallRecord rec;
  rec.call_id = row[0].as<int64_t>();
  rec.programme_id = row[1].as<std::string>();
  rec.lanskod = row[2].as<std::string>();
  rec.open_time = api::FromMicros(row[5].as<int64_t>());
  rec.close_time = api::FromMicros(row[6].as<int64_t>());
  rec.budget_ore = row[7].as<int64_t>();
  rec.max_per_application_ore = row[8].as<int64_t>();
  absl::StatusOr<type::Date> start = StoredDate(row[9].as<std::string>(), "funding start");
  if (!start.ok()) return start.status();
  absl::StatusOr<type::Date> end = StoredDate(row[10].as<std::string>(), "funding end");
  if (!end.ok()) return end.status();
  rec.funding = Period{ToCivilDay(*start), ToCivilDay(*end)};
  rec.stored_state = row[12].as<std::string>();
  rec.approved_total_ore = row[13].as<int64_t>();
  rec.revision = row[16].as<int64_t>();

  v1::Call& c = rec.call;
  const pqxx::binarystring criteria(row[11]);
  if (!c.ParseFromArray(criteria.data(), static_cast<int>(criteria.size()))) {
    return status::Internal("stored criteria are corrupt");
  }
  c.set_name(CallName(rec.call_id));
  c.set_programme(ProgrammeName(rec.programme_id));
  c.set_lanskod(rec.lanskod);
  c.set_title(row[3].as<std::string>());
  c.set_description(row[4].as<std::string>());
  api::SetTimestamp(rec.open_time, c.mutable_open_time());
  api::SetTimestamp(rec.close_time, c.mutable_close_time());
  c.mutable_budget()->set_ore(rec.budget_ore);
  c.mutable_max_amount_per_application()->set_ore(rec.max_per_application_ore);
  *c.mutable_funding_period()->mutable_start_date() = *start;
  *c.mutable_funding_period()->mutable_end_date() = *end;
  c.set_state(EffectiveCallState(rec.stored_state, rec.close_time, now));
  c.mutable_approved_total()->set_ore(rec.approved_total_ore);
  api::SetTimestampMicros(row[14].as<int64_t>(), c.mutable_create_time());
  api::SetTimestampMicros(row[15].as<int64_t>(), c.mutable_update_time());
  c.set_etag(api::EtagOf(rec.revision));
  return rec;
}

absl::StatusOr<std::optional<CallRecord>> FindCall(pqxx::work& tx, int64_t call_id,
                                                   bool for_update, absl::Time now) {
  // The lock first (a statement of its own, so that one query reads the call either way).
  if (for_update && tx.exec_prepared("record_call_lock", call_id).empty()) {
    return std::optional<CallRecord>();
  }
  pqxx::result r = tx.exec_prepared("record_call_get", call_id);
  if (r.empty()) return std::optional<CallRecord>();
  absl::StatusOr<CallRecord> rec = CallFromRow(r[0], now);
  if (!rec.ok()) return rec.status();
  return std::optional<CallRecord>(*std::move(rec));
}

absl::StatusOr<std::optional<CallWithProgramme>> FindCallWithProgramme(pqxx::work& tx,
                                                                       int64_t call_id,
                                                                       absl::Time now) {
  pqxx::result r = tx.exec_prepared("record_call_with_programme", call_id);
  if (r.empty()) return std::optional<CallWithProgramme>();
  constexpr pqxx::row::size_type kCallColumns = 17;
  absl::StatusOr<CallRecord> call = CallFromRow(r[0].slice(0, kCallColumns), now);
  if (!call.ok()) return call.status();
  absl::StatusOr<v1::Programme> programme = ProgrammeFromRow(r[0].slice(kCallColumns, r[0].size()));
  if (!programme.ok()) return programme.status();
  return std::optional<CallWithProgramme>(
      CallWithProgramme{.call = *std::move(call), .programme = *std::move(programme)});
}

bool CanSeeCall(const auth::Scope& scope, const CallRecord& call) {
  return access::CanSeeCall(scope, call.stored_state, call.lanskod);
}

// ---- Applications ----------------------------------------------------------------------------

access::ApplicationOwners ApplicationRecord::Owners() const {
  return access::ApplicationOwners{
      .lanskod = lanskod,
      .applicant_kommunkod = applicant_kommunkod,
      .applicant_orgnr = applicant_orgnr,
      .co_applicant_kommuner = {application.co_applicant_kommuner().begin(),
                                application.co_applicant_kommuner().end()}};
}

bool ApplicationRecord::Approved() const {
  return stored_state == "DECIDED" &&
         (decision_outcome == "APPROVED" || decision_outcome == "PARTIALLY_APPROVED");
}

absl::Status ApplicationNotFound(int64_t call_id, int64_t application_id) {
  const std::string name = ApplicationName(call_id, application_id);
  return status::NotFound("APPLICATION_NOT_FOUND", absl::StrCat(name, " does not exist"),
                          {{"application", name}});
}

absl::StatusOr<ApplicationRecord> ApplicationFromRow(const pqxx::row& row) {
  ApplicationRecord rec;
  rec.application_id = row[0].as<int64_t>();
  rec.call_id = row[1].as<int64_t>();
  rec.lanskod = row[2].as<std::string>();
  rec.programme_id = row[3].as<std::string>();
  rec.applicant_kommunkod = row[4].as<std::string>();
  rec.applicant_orgnr = row[5].as<std::string>();
  rec.stored_state = row[16].as<std::string>();
  rec.decision_outcome = row[19].as<std::string>();
  rec.requested_ore = row[13].as<int64_t>();
  rec.approved_ore = row[20].as<int64_t>();
  rec.paid_ore = row[24].as<int64_t>();
  rec.revision = row[27].as<int64_t>();

  v1::Application& a = rec.application;
  a.set_name(rec.Name());
  a.set_diarienummer(row[17].as<std::string>());
  a.set_state(ApplicationStateOf(rec.stored_state));
  v1::Applicant* applicant = a.mutable_applicant();
  if (!rec.applicant_kommunkod.empty()) {
    applicant->set_kommunkod(rec.applicant_kommunkod);
  } else {
    applicant->set_organisationsnummer(rec.applicant_orgnr);
  }
  v1::ApplicantType type = v1::APPLICANT_TYPE_UNSPECIFIED;
  if (!v1::ApplicantType_Parse(row[6].as<std::string>(), &type)) {
    return status::Internal("stored applicant type is unknown");
  }
  applicant->set_type(type);
  applicant->set_display_name(row[7].as<std::string>());
  a.set_project_title(row[8].as<std::string>());
  a.set_description(row[9].as<std::string>());
  const std::string start_text = row[10].as<std::string>();
  const std::string end_text = row[11].as<std::string>();
  if (!start_text.empty()) {
    absl::StatusOr<type::Date> d = StoredDate(start_text, "project start");
    if (!d.ok()) return d.status();
    *a.mutable_project_period()->mutable_start_date() = *d;
  }
  if (!end_text.empty()) {
    absl::StatusOr<type::Date> d = StoredDate(end_text, "project end");
    if (!d.ok()) return d.status();
    *a.mutable_project_period()->mutable_end_date() = *d;
  }
  if (!start_text.empty() && !end_text.empty()) {
    rec.period = Period{ToCivilDay(a.project_period().start_date()),
                        ToCivilDay(a.project_period().end_date())};
  }
  v1::BudgetPlan budget;
  const pqxx::binarystring budget_blob(row[12]);
  if (!budget.ParseFromArray(budget_blob.data(), static_cast<int>(budget_blob.size()))) {
    return status::Internal("stored budget is corrupt");
  }
  *a.mutable_budget_lines() = std::move(*budget.mutable_lines());
  a.mutable_requested_amount()->set_ore(rec.requested_ore);
  v1::Application partners;
  const pqxx::binarystring partners_blob(row[14]);
  if (!partners.ParseFromArray(partners_blob.data(), static_cast<int>(partners_blob.size()))) {
    return status::Internal("stored partners are corrupt");
  }
  *a.mutable_partners() = std::move(*partners.mutable_partners());
  for (absl::string_view k : absl::StrSplit(row[15].as<std::string>(), ',', absl::SkipEmpty())) {
    a.add_co_applicant_kommuner(std::string(k));
  }
  if (const int64_t submit = row[18].as<int64_t>(); submit != 0) {
    api::SetTimestampMicros(submit, a.mutable_submit_time());
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
    d->set_conditions(row[21].as<std::string>());
    d->set_decider(row[22].as<std::string>());
    api::SetTimestampMicros(row[23].as<int64_t>(), d->mutable_decide_time());
  }
  a.mutable_paid_amount()->set_ore(rec.paid_ore);
  a.set_lanskod(rec.lanskod);
  api::SetTimestampMicros(row[25].as<int64_t>(), a.mutable_create_time());
  api::SetTimestampMicros(row[26].as<int64_t>(), a.mutable_update_time());
  a.set_etag(api::EtagOf(rec.revision));
  return rec;
}

absl::StatusOr<std::optional<ApplicationRecord>> FindApplication(pqxx::work& tx, int64_t call_id,
                                                                 int64_t application_id,
                                                                 bool for_update) {
  if (for_update &&
      tx.exec_prepared("record_application_lock", call_id, application_id).empty()) {
    return std::optional<ApplicationRecord>();
  }
  pqxx::result r = tx.exec_prepared("record_application_get", call_id, application_id);
  if (r.empty()) return std::optional<ApplicationRecord>();
  absl::StatusOr<ApplicationRecord> rec = ApplicationFromRow(r[0]);
  if (!rec.ok()) return rec.status();
  return std::optional<ApplicationRecord>(*std::move(rec));
}

absl::StatusOr<ApplicationRecord> LoadApplication(pqxx::work& tx, const auth::Scope& scope,
                                                  const ApplicationKey& key, access::Acting acting,
                                                  bool for_update) {
  absl::StatusOr<std::optional<ApplicationRecord>> app =
      FindApplication(tx, key.call_id, key.application_id, for_update);
  if (!app.ok()) return app.status();
  if (!*app) return ApplicationNotFound(key.call_id, key.application_id);
  if (absl::Status st = access::CheckApplication(scope, (*app)->Owners(), acting); !st.ok()) {
    return st;
  }
  return *std::move(*app);
}

absl::Status WrongState(std::string_view reason, std::string_view resource,
                        std::string_view state, std::string_view message) {
  return status::FailedPrecondition(reason, message,
                                    {{"resource", std::string(resource)},
                                     {"state", std::string(state)}});
}

}  // namespace integration::grants
