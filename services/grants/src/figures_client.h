// The participant figures of an organisation's grant report, asked of early_measures
// (GetParticipantFigures) where the attendance is recorded, so that they are never typed twice.
// Through the suite's upstream client with grants' own identity (scope
// "early_measures.figures.read"); early_measures down, slow or its circuit open: UNAVAILABLE
// with reason PARTICIPANT_FIGURES_UNAVAILABLE.
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "integration/grpc/call_context.h"
#include "integration/grpc/upstream.h"
#include "lansstyrelsen/integration/early_measures/v1/early_measures_service.grpc.pb.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"

namespace integration::grants {

inline constexpr std::string_view kReasonFiguresUnavailable = "PARTICIPANT_FIGURES_UNAVAILABLE";
// The scope early_measures' GetParticipantFigures policy names; grants' token carries it.
inline constexpr std::string_view kFiguresScope = "early_measures.figures.read";

class FiguresClient {
 public:
  explicit FiguresClient(std::unique_ptr<grpc::Upstream> upstream);

  // Participants by sex who attended the activities of organisation `orgnr` ("NNNNNN-NNNN")
  // that `application` ("calls/{call}/applications/{application}") funds.
  absl::StatusOr<::lansstyrelsen::integration::grants::v1::Participants> Participants(
      const grpc::CallContext& call, std::string_view orgnr, std::string_view application);

 private:
  std::unique_ptr<grpc::Upstream> upstream_;
  std::unique_ptr<::lansstyrelsen::integration::early_measures::v1::EarlyMeasuresService::Stub>
      stub_;
};

}  // namespace integration::grants
