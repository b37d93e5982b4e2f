// PlacementService statistics RPC: a county officer's figures of its county, with the settlement
// follow-up (also a section of the gateway's regional overview, which calls it with an empty
// request).
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "access.h"
#include "allocation_key_repository.h"
#include "integration/api/handler.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "placement_service.h"
#include "rules/names.h"
#include "rules/statistics.h"
#include "settlement_repository.h"
#include "statistics_repository.h"

namespace integration::placement {

absl::Status PlacementServiceImpl::DoGetPlacementStatistics(
    const grpc::CallContext& call, const v1::GetPlacementStatisticsRequest& req,
    v1::PlacementStatistics* resp) {
  const auth::Scope scope = auth::Scope::Of(call.caller());
  if (absl::Status st = auth::RequireRole(scope, {auth::Role::kCountyOfficer},
                                          "statistics are the county officers'");
      !st.ok()) {
    return st;
  }
  absl::StatusOr<std::string> lanskod = auth::CountyOf(scope);
  if (!lanskod.ok()) return lanskod.status();
  const int year = req.year() == 0 ? static_cast<int>(Today().year()) : req.year();
  if (year < kMinKeyYear || year > kMaxKeyYear) {
    return status::InvalidField("year", absl::StrCat("must be ", kMinKeyYear, "-", kMaxKeyYear,
                                                     ", or 0 for the current year"));
  }
  return deps_.pool.Transact(
      call.deadline(),
      [&](pqxx::work& tx) -> absl::Status {
        absl::StatusOr<std::optional<v1::AllocationKey>> key =
            AllocationKeyRepository(tx).Get(*lanskod, year);
        if (!key.ok()) return key.status();
        std::map<std::string, int> shares;
        if (*key) {
          for (const v1::KommunShare& s : (*key)->shares()) shares[s.kommunkod()] = s.per_mille();
        }
        absl::StatusOr<RawFigures> raw = StatisticsRepository(tx).Figures(
            *lanskod, absl::CivilDay(year, 1, 1), absl::CivilDay(year + 1, 1, 1));
        if (!raw.ok()) return raw.status();
        *resp = BuildStatistics(*lanskod, year,
                                *key ? std::string_view((*key)->name()) : std::string_view(),
                                shares, *raw);
        absl::StatusOr<v1::SettlementFollowUp> settlement =
            SettlementRepository(tx).FollowUp(*lanskod, year, "", Today());
        if (!settlement.ok()) return settlement.status();
        *resp->mutable_settlement() = *std::move(settlement);
        api::SetTimestamp(deps_.clock(), resp->mutable_compute_time());
        api::SetTimestamp(deps_.clock(), resp->mutable_settlement()->mutable_compute_time());
        return absl::OkStatus();
      },
      pg::Isolation::kRepeatableRead);
}

}  // namespace integration::placement
