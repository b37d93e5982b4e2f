// The grants service's implementation: the generated GrantsServiceAdapter serves every RPC of
// GrantsService through grpc::Serve with the private Do<Method> here, which validates, checks
// the caller's access to the records, converts and calls a repository. The Do methods live in
// one file per area (<area>_handlers.cc), named in the comments below.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "figures_client.h"
#include "integration/grpc/call_context.h"
#include "integration/grpc/names.h"  // first: see there
#include "integration/grpc/runtime.h"
#include "integration/pg/pool.h"
#include "lansstyrelsen/integration/grants/v1/grants_service.adapter.h"
#include "rules/values_rules.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// What the service uses; built by GrantsSpec's factory (or a test) and kept by the handle.
struct GrantsDeps {
  pg::Pool& pool;
  grpc::Runtime& runtime;
  // Service::Dependencies::nudge_outbox: called after a commit that enqueued events.
  std::function<void()> nudge_outbox;
  // The registry (diarium) prefix of the diarienummer this board assigns, 0-999.
  int diarium_registry = 0;
  // The service's notion of "now" (call windows, due dates, overdue reports); tests move it.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Where the participant figures of organisations' reports in `figures_programmes` come from
  // (early_measures); null: every report's figures are typed by the applicant.
  std::shared_ptr<FiguresClient> figures = nullptr;
  std::set<std::string> figures_programmes = {};
};

class GrantsServiceImpl final : public v1::GrantsServiceAdapter<GrantsServiceImpl> {
 public:
  explicit GrantsServiceImpl(GrantsDeps deps)
      : GrantsServiceAdapter(deps.runtime), deps_(std::move(deps)) {}

 private:
  friend class v1::GrantsServiceAdapter<GrantsServiceImpl>;

  // Handlers run on the runtime's executor (they may block on PostgreSQL); the caller's role
  // has been checked against the method's access policy before they run. Object-level access
  // (own kommun / organisation, own county) is theirs to check.
  // programme_handlers.cc
  absl::Status DoListProgrammes(const grpc::CallContext& call, const v1::ListProgrammesRequest& req,
                                v1::ListProgrammesResponse* resp);
  absl::Status DoGetProgramme(const grpc::CallContext& call, const v1::GetProgrammeRequest& req,
                              v1::Programme* resp);
  absl::Status DoCreateProgramme(const grpc::CallContext& call,
                                 const v1::CreateProgrammeRequest& req, v1::Programme* resp);
  absl::Status DoUpdateProgramme(const grpc::CallContext& call,
                                 const v1::UpdateProgrammeRequest& req, v1::Programme* resp);
  // call_handlers.cc
  absl::Status DoListCalls(const grpc::CallContext& call, const v1::ListCallsRequest& req,
                           v1::ListCallsResponse* resp);
  absl::Status DoGetCall(const grpc::CallContext& call, const v1::GetCallRequest& req,
                         v1::Call* resp);
  absl::Status DoCreateCall(const grpc::CallContext& call, const v1::CreateCallRequest& req,
                            v1::Call* resp);
  absl::Status DoUpdateCall(const grpc::CallContext& call, const v1::UpdateCallRequest& req,
                            v1::Call* resp);
  absl::Status DoOpenCall(const grpc::CallContext& call, const v1::OpenCallRequest& req,
                          v1::Call* resp);
  absl::Status DoCloseCall(const grpc::CallContext& call, const v1::CloseCallRequest& req,
                           v1::Call* resp);
  absl::Status DoArchiveCall(const grpc::CallContext& call, const v1::ArchiveCallRequest& req,
                             v1::Call* resp);
  // application_handlers.cc
  absl::Status DoCreateApplication(const grpc::CallContext& call,
                                   const v1::CreateApplicationRequest& req, v1::Application* resp);
  absl::Status DoGetApplication(const grpc::CallContext& call, const v1::GetApplicationRequest& req,
                                v1::Application* resp);
  absl::Status DoListApplications(const grpc::CallContext& call,
                                  const v1::ListApplicationsRequest& req,
                                  v1::ListApplicationsResponse* resp);
  absl::Status DoUpdateApplication(const grpc::CallContext& call,
                                   const v1::UpdateApplicationRequest& req, v1::Application* resp);
  absl::Status DoSubmitApplication(const grpc::CallContext& call,
                                   const v1::SubmitApplicationRequest& req, v1::Application* resp);
  absl::Status DoWithdrawApplication(const grpc::CallContext& call,
                                     const v1::WithdrawApplicationRequest& req,
                                     v1::Application* resp);
  // review_handlers.cc
  absl::Status DoCreateReview(const grpc::CallContext& call, const v1::CreateReviewRequest& req,
                              v1::Review* resp);
  absl::Status DoListReviews(const grpc::CallContext& call, const v1::ListReviewsRequest& req,
                             v1::ListReviewsResponse* resp);
  absl::Status DoRankApplications(const grpc::CallContext& call,
                                  const v1::RankApplicationsRequest& req,
                                  v1::RankApplicationsResponse* resp);
  // decision_handlers.cc
  absl::Status DoDecideApplication(const grpc::CallContext& call,
                                   const v1::DecideApplicationRequest& req, v1::Application* resp);
  // disbursement_handlers.cc
  absl::Status DoCreateDisbursement(const grpc::CallContext& call,
                                    const v1::CreateDisbursementRequest& req,
                                    v1::Disbursement* resp);
  absl::Status DoListDisbursements(const grpc::CallContext& call,
                                   const v1::ListDisbursementsRequest& req,
                                   v1::ListDisbursementsResponse* resp);
  absl::Status DoPayDisbursement(const grpc::CallContext& call,
                                 const v1::PayDisbursementRequest& req, v1::Disbursement* resp);
  absl::Status DoCancelDisbursement(const grpc::CallContext& call,
                                    const v1::CancelDisbursementRequest& req,
                                    v1::Disbursement* resp);
  // report_handlers.cc
  absl::Status DoListReports(const grpc::CallContext& call, const v1::ListReportsRequest& req,
                             v1::ListReportsResponse* resp);
  absl::Status DoGetReport(const grpc::CallContext& call, const v1::GetReportRequest& req,
                           v1::Report* resp);
  // The participants of a report being submitted: for an organisation's report in a programme
  // of figures_programmes those recorded in early_measures (typed ones must be empty or
  // equal: PARTICIPANTS_FROM_EARLY_MEASURES), otherwise as typed.
  absl::StatusOr<v1::Participants> ReportParticipants(const grpc::CallContext& call,
                                                      const v1::SubmitReportRequest& req,
                                                      const ChildKey& key);
  absl::Status DoSubmitReport(const grpc::CallContext& call, const v1::SubmitReportRequest& req,
                              v1::Report* resp);
  absl::Status DoAcceptReport(const grpc::CallContext& call, const v1::AcceptReportRequest& req,
                              v1::Report* resp);
  absl::Status DoReturnReport(const grpc::CallContext& call, const v1::ReturnReportRequest& req,
                              v1::Report* resp);
  absl::Status DoListOverdueReports(const grpc::CallContext& call,
                                    const v1::ListOverdueReportsRequest& req,
                                    v1::ListOverdueReportsResponse* resp);
  // reclaim_handlers.cc
  absl::Status DoRaiseReclaim(const grpc::CallContext& call, const v1::RaiseReclaimRequest& req,
                              v1::Reclaim* resp);
  absl::Status DoListReclaims(const grpc::CallContext& call, const v1::ListReclaimsRequest& req,
                              v1::ListReclaimsResponse* resp);
  absl::Status DoSettleReclaim(const grpc::CallContext& call, const v1::SettleReclaimRequest& req,
                               v1::Reclaim* resp);
  absl::Status DoWaiveReclaim(const grpc::CallContext& call, const v1::WaiveReclaimRequest& req,
                              v1::Reclaim* resp);
  // amendment_handlers.cc
  absl::Status DoCreateAmendment(const grpc::CallContext& call,
                                 const v1::CreateAmendmentRequest& req, v1::Amendment* resp);
  absl::Status DoListAmendments(const grpc::CallContext& call, const v1::ListAmendmentsRequest& req,
                                v1::ListAmendmentsResponse* resp);
  absl::Status DoDecideAmendment(const grpc::CallContext& call,
                                 const v1::DecideAmendmentRequest& req, v1::Amendment* resp);
  // funding_handlers.cc
  absl::Status DoCheckFunding(const grpc::CallContext& call, const v1::CheckFundingRequest& req,
                              v1::CheckFundingResponse* resp);
  // statistics_handlers.cc
  absl::Status DoGetCallStatistics(const grpc::CallContext& call,
                                   const v1::GetCallStatisticsRequest& req,
                                   v1::GrantStatistics* resp);
  absl::Status DoGetGrantStatistics(const grpc::CallContext& call,
                                    const v1::GetGrantStatisticsRequest& req,
                                    v1::GrantStatistics* resp);
  // audit_handlers.cc
  absl::Status DoListAuditEvents(const grpc::CallContext& call,
                                 const v1::ListAuditEventsRequest& req,
                                 v1::ListAuditEventsResponse* resp);

  GrantsDeps deps_;
};

}  // namespace integration::grants
