// GrantsService's gRPC entry points: each hands the call to grpc::Serve (authentication, access
// policy, executor, metrics, error mapping) with the area's Do<Method>.
#include "grants_service.h"

#include "integration/grpc/serve.h"

namespace integration::grants {

// One entry point: Serve runs Do<method> on the executor and finishes the call with its status.
#define GRANTS_ENTRY(method, Request, Response)                                         \
  ::grpc::ServerUnaryReactor* GrantsServiceImpl::method(                                \
      ::grpc::CallbackServerContext* ctx, const v1::Request* req, v1::Response* resp) { \
    return grpc::Serve(deps_.runtime, ctx, req, resp, #method,                          \
                       [this](const grpc::CallContext& call, const v1::Request& r,      \
                              v1::Response* out) { return Do##method(call, r, out); }); \
  }

GRANTS_ENTRY(ListProgrammes, ListProgrammesRequest, ListProgrammesResponse)
GRANTS_ENTRY(GetProgramme, GetProgrammeRequest, Programme)
GRANTS_ENTRY(CreateProgramme, CreateProgrammeRequest, Programme)
GRANTS_ENTRY(UpdateProgramme, UpdateProgrammeRequest, Programme)
GRANTS_ENTRY(ListCalls, ListCallsRequest, ListCallsResponse)
GRANTS_ENTRY(GetCall, GetCallRequest, Call)
GRANTS_ENTRY(CreateCall, CreateCallRequest, Call)
GRANTS_ENTRY(UpdateCall, UpdateCallRequest, Call)
GRANTS_ENTRY(OpenCall, OpenCallRequest, Call)
GRANTS_ENTRY(CloseCall, CloseCallRequest, Call)
GRANTS_ENTRY(ArchiveCall, ArchiveCallRequest, Call)
GRANTS_ENTRY(CreateApplication, CreateApplicationRequest, Application)
GRANTS_ENTRY(GetApplication, GetApplicationRequest, Application)
GRANTS_ENTRY(ListApplications, ListApplicationsRequest, ListApplicationsResponse)
GRANTS_ENTRY(UpdateApplication, UpdateApplicationRequest, Application)
GRANTS_ENTRY(SubmitApplication, SubmitApplicationRequest, Application)
GRANTS_ENTRY(WithdrawApplication, WithdrawApplicationRequest, Application)
GRANTS_ENTRY(CreateReview, CreateReviewRequest, Review)
GRANTS_ENTRY(ListReviews, ListReviewsRequest, ListReviewsResponse)
GRANTS_ENTRY(RankApplications, RankApplicationsRequest, RankApplicationsResponse)
GRANTS_ENTRY(DecideApplication, DecideApplicationRequest, Application)
GRANTS_ENTRY(CreateDisbursement, CreateDisbursementRequest, Disbursement)
GRANTS_ENTRY(ListDisbursements, ListDisbursementsRequest, ListDisbursementsResponse)
GRANTS_ENTRY(PayDisbursement, PayDisbursementRequest, Disbursement)
GRANTS_ENTRY(CancelDisbursement, CancelDisbursementRequest, Disbursement)
GRANTS_ENTRY(ListReports, ListReportsRequest, ListReportsResponse)
GRANTS_ENTRY(GetReport, GetReportRequest, Report)
GRANTS_ENTRY(SubmitReport, SubmitReportRequest, Report)
GRANTS_ENTRY(AcceptReport, AcceptReportRequest, Report)
GRANTS_ENTRY(ReturnReport, ReturnReportRequest, Report)
GRANTS_ENTRY(ListOverdueReports, ListOverdueReportsRequest, ListOverdueReportsResponse)
GRANTS_ENTRY(RaiseReclaim, RaiseReclaimRequest, Reclaim)
GRANTS_ENTRY(ListReclaims, ListReclaimsRequest, ListReclaimsResponse)
GRANTS_ENTRY(SettleReclaim, SettleReclaimRequest, Reclaim)
GRANTS_ENTRY(WaiveReclaim, WaiveReclaimRequest, Reclaim)
GRANTS_ENTRY(CreateAmendment, CreateAmendmentRequest, Amendment)
GRANTS_ENTRY(ListAmendments, ListAmendmentsRequest, ListAmendmentsResponse)
GRANTS_ENTRY(DecideAmendment, DecideAmendmentRequest, Amendment)
GRANTS_ENTRY(CheckFunding, CheckFundingRequest, CheckFundingResponse)
GRANTS_ENTRY(GetCallStatistics, GetCallStatisticsRequest, GrantStatistics)
GRANTS_ENTRY(GetGrantStatistics, GetGrantStatisticsRequest, GrantStatistics)
GRANTS_ENTRY(ListAuditEvents, ListAuditEventsRequest, ListAuditEventsResponse)

#undef GRANTS_ENTRY

}  // namespace integration::grants
