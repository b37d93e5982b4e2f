// CheckFunding over the upstream client, and its answer as the rules' decisions.
#include "funding_client.h"

#include <grpcpp/channel.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "integration/log/log.h"
#include "integration/status/status.h"

namespace integration::early_measures {
namespace {

namespace grants = ::lansstyrelsen::integration::grants::v1;

constexpr char kCheckFundingPath[] =
    "/lansstyrelsen.integration.grants.v1.GrantsService/CheckFunding";

}  // namespace

FundingClient::FundingClient(std::unique_ptr<grpc::Upstream> upstream, std::string programme)
    : upstream_(std::move(upstream)),
      stub_(grants::GrantsService::NewStub(upstream_->channel())),
      programme_(std::move(programme)) {}

absl::StatusOr<std::vector<FundingDecision>> FundingClient::Decisions(
    const grpc::CallContext& call, std::string_view orgnr, std::string_view lanskod,
    const Period& period) {
  grants::CheckFundingRequest req;
  req.set_organisationsnummer(std::string(orgnr));
  req.set_lanskod(std::string(lanskod));
  req.set_programme(programme_);
  *req.mutable_period() = PeriodOf(period);
  grants::CheckFundingResponse resp;
  absl::Status st = upstream_->Call(&call, &grants::GrantsService::Stub::CheckFunding,
                                    stub_.get(), kCheckFundingPath, req, &resp);
  if (!st.ok()) {
    const std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
    if (info && info->reason() == kReasonFundingCheckUnavailable) return st;
    // Grants refused the question itself: this service's identity, scope or programme setting
    // is wrong. An operator's problem, logged; the caller learns only that nothing was stored.
    log::Error("funding_check_refused", {{"code", status::CodeName(
                                                       static_cast<::grpc::StatusCode>(st.code()))},
                                         {"reason", info ? info->reason() : std::string()},
                                         {"message", std::string(st.message())}});
    return status::Internal(absl::StrCat("grants refused the funding check: ", st.message()));
  }
  std::vector<FundingDecision> out;
  out.reserve(resp.decisions_size());
  for (const grants::FundingDecision& d : resp.decisions()) {
    if (d.lanskod() != lanskod) continue;
    const std::optional<absl::CivilDay> start = DayOf(d.project_period().start_date());
    const std::optional<absl::CivilDay> end = DayOf(d.project_period().end_date());
    if (!start || !end) {
      return status::Internal("grants answered a decision without a project period");
    }
    out.push_back(FundingDecision{d.application(), d.diarienummer(), Period{*start, *end}});
  }
  return out;
}

}  // namespace integration::early_measures
