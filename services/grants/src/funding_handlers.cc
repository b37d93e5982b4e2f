// GrantsService CheckFunding: the approved decisions that fund an applicant (a kommun or an
// organisation) in a programme during a period, and whether they cover all of it. Called by
// early_measures before it accepts a TIA activity, by other authorities' systems, by county
// officers (their county's calls) and by applicants about themselves.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "access.h"
#include "funding_repository.h"
#include "grants_service.h"
#include "integration/auth/tenancy.h"
#include "integration/se/kommun.h"
#include "integration/se/organisationsnummer.h"
#include "integration/status/status.h"
#include "programme_repository.h"
#include "rules/decision_rules.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

constexpr std::string_view kReasonFundingQueryInvalid = "FUNDING_QUERY_INVALID";

// Adds the violations of a validator's INVALID_ARGUMENT to `errors` (its message on `field`
// when it carries none).
void AddViolations(const absl::Status& st, std::string_view field, status::FieldErrors& errors) {
  std::optional<google::rpc::BadRequest> bad = status::GetBadRequest(st);
  if (bad && bad->field_violations_size() > 0) {
    for (const auto& v : bad->field_violations()) errors.Add(v.field(), v.description());
  } else {
    errors.Add(field, std::string(st.message()));
  }
}

}  // namespace

absl::Status GrantsServiceImpl::DoCheckFunding(const grpc::CallContext& call,
                                               const v1::CheckFundingRequest& req,
                                               v1::CheckFundingResponse* resp) {
  status::FieldErrors errors;
  std::optional<absl::Status> only_error;  // an identifier's own error, when it is the only one
  std::string kommunkod;
  std::string orgnr;
  switch (req.applicant_case()) {
    case v1::CheckFundingRequest::kKommunkod:
      if (absl::Status st = se::ValidateKommunkod(req.kommunkod(), "kommunkod"); !st.ok()) {
        AddViolations(st, "kommunkod", errors);
        only_error = st;
      } else {
        kommunkod = req.kommunkod();
      }
      break;
    case v1::CheckFundingRequest::kOrganisationsnummer: {
      absl::StatusOr<se::Organisationsnummer> parsed =
          se::ParseOrganisationsnummer(req.organisationsnummer(), "organisationsnummer");
      if (!parsed.ok()) {
        AddViolations(parsed.status(), "organisationsnummer", errors);
        only_error = parsed.status();
      } else {
        orgnr = parsed->normalized;
      }
      break;
    }
    default:
      errors.Add("kommunkod", "required: exactly one of kommunkod or organisationsnummer");
  }
  std::string programme_id;
  if (req.programme().empty()) {
    errors.Add("programme", "required: \"programmes/{programme}\"");
    only_error.reset();
  } else if (absl::StatusOr<std::string> id = ParseProgrammeName(req.programme(), "programme");
             !id.ok()) {
    AddViolations(id.status(), "programme", errors);
    only_error.reset();
  } else {
    programme_id = *id;
  }
  status::FieldErrors period_errors;
  const std::optional<Period> period = CheckPeriod(req.period(), "period", period_errors);
  if (!period) {
    AddViolations(period_errors.ToStatus(), "period", errors);
    only_error.reset();
  }
  if (!req.lanskod().empty()) {
    if (absl::Status st = se::ValidateLanskod(req.lanskod(), "lanskod"); !st.ok()) {
      AddViolations(st, "lanskod", errors);
      only_error.reset();
    }
  }
  if (only_error) return *only_error;
  if (!errors.empty()) return errors.ToStatus(kReasonFundingQueryInvalid);

  // Officers see the decisions of their county's calls only; a caller may narrow to one county.
  absl::StatusOr<std::string> lanskod =
      access::FundingCounty(auth::Scope::Of(call.caller()), kommunkod, orgnr);
  if (!lanskod.ok()) return lanskod.status();
  if (!req.lanskod().empty()) {
    if (!lanskod->empty() && *lanskod != req.lanskod()) {
      return auth::LanMismatch("you may only ask about the decisions of your own county");
    }
    *lanskod = req.lanskod();
  }
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<std::optional<v1::Programme>> programme =
        ProgrammeRepository(tx).Find(programme_id);
    if (!programme.ok()) return programme.status();
    if (!*programme) return ProgrammeNotFound(programme_id);
    absl::StatusOr<std::vector<FundingRow>> rows =
        FundingRepository(tx).ApprovedDecisions(kommunkod, orgnr, programme_id, *period, *lanskod);
    if (!rows.ok()) return rows.status();
    std::vector<Period> periods;
    periods.reserve(rows->size());
    for (FundingRow& row : *rows) {
      row.decision.set_covers_whole_period(PeriodInside(*period, row.period));
      periods.push_back(row.period);
      *resp->add_decisions() = std::move(row.decision);
    }
    resp->set_period_covered(PeriodsCover(std::move(periods), *period));
    return absl::OkStatus();
  });
}

}  // namespace integration::grants
