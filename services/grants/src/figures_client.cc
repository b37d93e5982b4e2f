// GetParticipantFigures over the upstream client.
#include "figures_client.h"

#include <grpcpp/channel.h>

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "integration/log/log.h"
#include "integration/status/status.h"

namespace integration::grants {
namespace {

namespace em = ::lansstyrelsen::integration::early_measures::v1;
namespace v1 = ::lansstyrelsen::integration::grants::v1;

constexpr char kFiguresPath[] =
    "/lansstyrelsen.integration.early_measures.v1.EarlyMeasuresService/GetParticipantFigures";

}  // namespace

FiguresClient::FiguresClient(std::unique_ptr<grpc::Upstream> upstream)
    : upstream_(std::move(upstream)),
      stub_(em::EarlyMeasuresService::NewStub(upstream_->channel())) {}

absl::StatusOr<v1::Participants> FiguresClient::Participants(const grpc::CallContext& call,
                                                             std::string_view orgnr,
                                                             std::string_view application) {
  em::GetParticipantFiguresRequest req;
  // early_measures names organisations by their ten digits.
  req.set_organisation(absl::StrCat(
      "organisations/", absl::StrReplaceAll(absl::string_view(orgnr.data(), orgnr.size()),
                                            {{"-", ""}})));
  req.set_funding_application(std::string(application));
  em::ParticipantFigures figures;
  absl::Status st = upstream_->Call(&call, &em::EarlyMeasuresService::Stub::GetParticipantFigures,
                                    stub_.get(), kFiguresPath, req, &figures);
  if (!st.ok()) {
    const std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
    if (info && info->reason() == kReasonFiguresUnavailable) return st;
    // early_measures refused the question: grants' identity or scope is misconfigured.
    log::Error("participant_figures_refused",
               {{"reason", info ? info->reason() : std::string()},
                {"message", std::string(st.message())}});
    return status::Internal(absl::StrCat("early_measures refused the figures: ", st.message()));
  }
  v1::Participants out;
  out.set_women(figures.participants().women());
  out.set_men(figures.participants().men());
  out.set_other(figures.participants().other());
  return out;
}

}  // namespace integration::grants
