// EarlyMeasuresService follow-up RPCs: the report figures grants takes into the organisation's
// grant report, and the statistics by type, kommun, sex and age band with small groups withheld.
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "access.h"
#include "early_measures_service.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "rules/names.h"
#include "rules/tia_rules.h"
#include "statistics_repository.h"

namespace integration::early_measures {
namespace {

// "calls/{call}/applications/{application}" as grants names it; only its shape is checked
// here (grants owns the name).
bool IsApplicationName(std::string_view name) {
  const absl::string_view n(name.data(), name.size());
  if (!absl::StartsWith(n, "calls/") || name.size() > 200) return false;
  int slashes = 0;
  for (char c : name) {
    if (c == '/') ++slashes;
    if (c == ' ' || c == '?' || c == '#') return false;
  }
  return slashes == 3 && absl::StrContains(n, "/applications/") && n.back() != '/';
}

}  // namespace

absl::Status EarlyMeasuresServiceImpl::DoGetParticipantFigures(
    const grpc::CallContext& call, const v1::GetParticipantFiguresRequest& req,
    v1::ParticipantFigures* resp) {
  absl::StatusOr<std::string> orgnr = ParseOrganisationName(req.organisation(), "organisation");
  if (!orgnr.ok()) return orgnr.status();
  if (!IsApplicationName(req.funding_application())) {
    return status::InvalidField("funding_application",
                                "required: \"calls/{call}/applications/{application}\"");
  }
  if (absl::Status st = access::CheckFiguresReader(auth::Scope::Of(call.caller()), *orgnr);
      !st.ok()) {
    return st;
  }
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    *resp = StatisticsRepository(tx).ReportFigures(*orgnr, req.funding_application());
    return absl::OkStatus();
  });
}

absl::Status EarlyMeasuresServiceImpl::DoGetStatistics(const grpc::CallContext& call,
                                                       const v1::GetStatisticsRequest& req,
                                                       v1::Statistics* resp) {
  const int this_year = ThisYear();
  const int year = req.year() == 0 ? this_year : req.year();
  if (year < 2016 || year > this_year + 1) {
    return status::InvalidField("year", "must be between 2016 (TIA began) and next year");
  }
  absl::StatusOr<access::StatisticsScope> scope =
      access::StatisticsOf(auth::Scope::Of(call.caller()));
  if (!scope.ok()) return scope.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<StatisticsCounts> counts =
        StatisticsRepository(tx).Counts(year, scope->lanskod, scope->orgnr);
    if (!counts.ok()) return counts.status();
    *resp = BuildStatistics(year, scope->lanskod, counts->groups, counts->organisations,
                            counts->participants, counts->minutes);
    return absl::OkStatus();
  });
}

}  // namespace integration::early_measures
