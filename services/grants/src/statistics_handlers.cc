// GrantsService statistics RPCs: key figures (applications, requested, approved, paid,
// reclaimed) of one call or of the officer's county, in total and per applicant kommun. The
// gateway's regional overview calls GetGrantStatistics with an empty request.
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "access.h"
#include "call_repository.h"
#include "grants_service.h"
#include "integration/api/handler.h"
#include "integration/auth/tenancy.h"
#include "integration/se/kommun.h"
#include "integration/status/status.h"
#include "programme_repository.h"
#include "rules/values_rules.h"
#include "statistics_repository.h"

namespace integration::grants {
namespace {

// Fills `resp` from the figures; kommun names come from the official list (organisations,
// under "", have none).
void FillStatistics(std::string scope, StatisticsFigures figures, absl::Time now,
                    v1::GrantStatistics* resp) {
  resp->set_scope(std::move(scope));
  *resp->mutable_totals() = std::move(figures.totals);
  for (auto& [kommunkod, f] : figures.kommuner) {
    v1::KommunFigures* k = resp->add_kommuner();
    k->set_kommunkod(kommunkod);
    if (!kommunkod.empty()) {
      absl::StatusOr<se::Kommun> kommun = se::LookupKommun(kommunkod);
      if (kommun.ok()) k->set_kommun_name(kommun->name);
    }
    *k->mutable_figures() = std::move(f);
  }
  api::SetTimestamp(now, resp->mutable_compute_time());
}

}  // namespace

absl::Status GrantsServiceImpl::DoGetCallStatistics(const grpc::CallContext& call,
                                                    const v1::GetCallStatisticsRequest& req,
                                                    v1::GrantStatistics* resp) {
  absl::StatusOr<int64_t> call_id = ParseCallName(req.name(), "name");
  if (!call_id.ok()) return call_id.status();
  const absl::Time now = deps_.clock();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<std::optional<CallRecord>> c =
        CallRepository(tx).Find(*call_id, /*for_update=*/false, now);
    if (!c.ok()) return c.status();
    // Another county's draft is answered as a missing call.
    if (!*c || !access::CanSeeCall(auth::Scope::Of(call.caller()), **c)) {
      return CallNotFound(*call_id);
    }
    if (absl::Status s = access::CheckCountyOfficer(auth::Scope::Of(call.caller()), (*c)->lanskod);
        !s.ok())
      return s;
    StatisticsScope scope;
    scope.lanskod = (*c)->lanskod;
    scope.call_id = *call_id;
    absl::StatusOr<StatisticsFigures> figures = StatisticsRepository(tx).Figures(scope);
    if (!figures.ok()) return figures.status();
    FillStatistics(CallName(*call_id), *std::move(figures), now, resp);
    return absl::OkStatus();
  });
}

absl::Status GrantsServiceImpl::DoGetGrantStatistics(const grpc::CallContext& call,
                                                     const v1::GetGrantStatisticsRequest& req,
                                                     v1::GrantStatistics* resp) {
  status::FieldErrors errors;
  std::string programme_id;
  if (!req.programme().empty()) {
    absl::StatusOr<std::string> id = ParseProgrammeName(req.programme(), "programme");
    if (!id.ok()) {
      errors.Add("programme", "must be \"programmes/{programme}\" or empty for every programme");
    } else {
      programme_id = *id;
    }
  }
  if (req.year() != 0 && (req.year() < 1900 || req.year() > 9999)) {
    errors.Add("year", "must be a year (1900-9999), or 0 for every year");
  }
  if (!errors.empty()) return errors.ToStatus("STATISTICS_QUERY_INVALID");
  absl::StatusOr<std::string> county = access::OfficerCounty(auth::Scope::Of(call.caller()));
  if (!county.ok()) return county.status();
  const absl::Time now = deps_.clock();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    if (!programme_id.empty()) {
      absl::StatusOr<std::optional<v1::Programme>> programme =
          ProgrammeRepository(tx).Find(programme_id);
      if (!programme.ok()) return programme.status();
      if (!*programme) return ProgrammeNotFound(programme_id);
    }
    StatisticsScope scope;
    scope.lanskod = *county;
    scope.programme_id = programme_id;
    scope.year = req.year();
    absl::StatusOr<StatisticsFigures> figures = StatisticsRepository(tx).Figures(scope);
    if (!figures.ok()) return figures.status();
    FillStatistics(absl::StrCat("lan/", *county), *std::move(figures), now, resp);
    return absl::OkStatus();
  });
}

}  // namespace integration::grants
