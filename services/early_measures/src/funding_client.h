// The funding check: asks grants (CheckFunding) which approved TIA decisions fund an
// organisation during a period, through the suite's upstream client with the service's own
// identity. Grants down, slow or its circuit open: UNAVAILABLE with reason
// FUNDING_CHECK_UNAVAILABLE (DEADLINE_EXCEEDED with it when the caller's own deadline ran out);
// never an answer that lets an activity in unchecked.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "integration/grpc/call_context.h"
#include "integration/grpc/upstream.h"
#include "lansstyrelsen/integration/grants/v1/grants_service.grpc.pb.h"
#include "rules/tia_rules.h"

namespace integration::early_measures {

inline constexpr std::string_view kReasonFundingCheckUnavailable = "FUNDING_CHECK_UNAVAILABLE";
// The scope grants' CheckFunding policy names; the service's token carries it.
inline constexpr std::string_view kFundingScope = "grants.funding.read";

class FundingClient {
 public:
  // `programme`: the grants programme of TIA, "programmes/{programme}".
  FundingClient(std::unique_ptr<grpc::Upstream> upstream, std::string programme);

  // The approved decisions of organisation `orgnr` ("NNNNNN-NNNN") made by county `lanskod`'s
  // board whose project periods overlap `period`, within `call`'s deadline. A county board
  // funds activities in its own county only, so another county's decision never counts (also
  // when an older grants ignored the county in the request: its answer is filtered here).
  absl::StatusOr<std::vector<FundingDecision>> Decisions(const grpc::CallContext& call,
                                                         std::string_view orgnr,
                                                         std::string_view lanskod,
                                                         const Period& period);

  grpc::Upstream& upstream() { return *upstream_; }

 private:
  std::unique_ptr<grpc::Upstream> upstream_;
  std::unique_ptr<::lansstyrelsen::integration::grants::v1::GrantsService::Stub> stub_;
  const std::string programme_;
};

}  // namespace integration::early_measures
