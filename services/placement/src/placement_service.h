// The placement service's implementation: the generated PlacementServiceAdapter serves every RPC of
// PlacementService through grpc::Serve with the private Do<Method> declared here, which
// validates, checks the caller's access to the records and makes one unit of work. A new RPC in
// the proto does not compile until its Do<Method> is declared here and written in
// <area>_handlers.cc.
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "integration/grpc/call_context.h"
#include "integration/grpc/names.h"  // first: see there
#include "integration/grpc/runtime.h"
#include "integration/pg/pool.h"
#include "integration/se/pnr_protector.h"
#include "lansstyrelsen/integration/placement/v1/placement_service.adapter.h"

namespace integration::placement {

namespace v1 = ::lansstyrelsen::integration::placement::v1;

// What the service uses; built by PlacementSpec's factory (or a test) and kept by the handle.
struct PlacementDeps {
  pg::Pool& pool;
  grpc::Runtime& runtime;
  // Service::Dependencies::nudge_outbox: called after a commit that enqueued events.
  std::function<void()> nudge_outbox;
  // Encrypts dossier numbers and derives their look-up hash (the suite's personnummer keys).
  std::shared_ptr<const se::PnrProtector> protector;
  // The zone of the board's calendar days (arrival dates are not in the future).
  absl::TimeZone zone = absl::UTCTimeZone();
  // The service's notion of "now"; tests move it.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

class PlacementServiceImpl final : public v1::PlacementServiceAdapter<PlacementServiceImpl> {
 public:
  explicit PlacementServiceImpl(PlacementDeps deps)
      : PlacementServiceAdapter(deps.runtime), deps_(std::move(deps)) {}

 private:
  friend class v1::PlacementServiceAdapter<PlacementServiceImpl>;

  // Handlers run on the runtime's executor (they may block on PostgreSQL); the caller's role
  // has been checked against the method's access policy before they run. Object-level access
  // (own county, own kommun, the arrival scope) is theirs to check (access.h).
  // allocation_key_handlers.cc
  absl::Status DoCreateAllocationKey(const grpc::CallContext& call,
                                     const v1::CreateAllocationKeyRequest& req,
                                     v1::AllocationKey* resp);
  absl::Status DoGetAllocationKey(const grpc::CallContext& call,
                                  const v1::GetAllocationKeyRequest& req, v1::AllocationKey* resp);
  absl::Status DoListAllocationKeys(const grpc::CallContext& call,
                                    const v1::ListAllocationKeysRequest& req,
                                    v1::ListAllocationKeysResponse* resp);
  absl::Status DoCreateShareTransfer(const grpc::CallContext& call,
                                     const v1::CreateShareTransferRequest& req,
                                     v1::ShareTransfer* resp);
  absl::Status DoListShareTransfers(const grpc::CallContext& call,
                                    const v1::ListShareTransfersRequest& req,
                                    v1::ListShareTransfersResponse* resp);
  absl::Status DoDecideShareTransfer(const grpc::CallContext& call,
                                     const v1::DecideShareTransferRequest& req,
                                     v1::ShareTransfer* resp);
  // child_handlers.cc
  absl::Status DoReportArrival(const grpc::CallContext& call, const v1::ReportArrivalRequest& req,
                               v1::Child* resp);
  absl::Status DoGetChild(const grpc::CallContext& call, const v1::GetChildRequest& req,
                          v1::Child* resp);
  absl::Status DoListChildren(const grpc::CallContext& call, const v1::ListChildrenRequest& req,
                              v1::ListChildrenResponse* resp);
  absl::Status DoListChildReads(const grpc::CallContext& call, const v1::ListChildReadsRequest& req,
                                v1::ListChildReadsResponse* resp);
  // assignment_handlers.cc
  absl::Status DoAssignChild(const grpc::CallContext& call, const v1::AssignChildRequest& req,
                             v1::Child* resp);
  absl::Status DoCorrectAssignment(const grpc::CallContext& call,
                                   const v1::CorrectAssignmentRequest& req, v1::Child* resp);
  // unit_handlers.cc
  absl::Status DoCreateUnit(const grpc::CallContext& call, const v1::CreateUnitRequest& req,
                            v1::Unit* resp);
  absl::Status DoGetUnit(const grpc::CallContext& call, const v1::GetUnitRequest& req,
                         v1::Unit* resp);
  absl::Status DoListUnits(const grpc::CallContext& call, const v1::ListUnitsRequest& req,
                           v1::ListUnitsResponse* resp);
  absl::Status DoUpdateUnit(const grpc::CallContext& call, const v1::UpdateUnitRequest& req,
                            v1::Unit* resp);
  // placement_handlers.cc
  absl::Status DoCreatePlacement(const grpc::CallContext& call,
                                 const v1::CreatePlacementRequest& req, v1::Placement* resp);
  absl::Status DoGetPlacement(const grpc::CallContext& call, const v1::GetPlacementRequest& req,
                              v1::Placement* resp);
  absl::Status DoListPlacements(const grpc::CallContext& call, const v1::ListPlacementsRequest& req,
                                v1::ListPlacementsResponse* resp);
  absl::Status DoConfirmPlacement(const grpc::CallContext& call,
                                  const v1::ConfirmPlacementRequest& req, v1::Placement* resp);
  absl::Status DoStartPlacement(const grpc::CallContext& call, const v1::StartPlacementRequest& req,
                                v1::Placement* resp);
  absl::Status DoEndPlacement(const grpc::CallContext& call, const v1::EndPlacementRequest& req,
                              v1::Placement* resp);
  // matching_handlers.cc
  absl::Status DoProposeMatches(const grpc::CallContext& call, const v1::ProposeMatchesRequest& req,
                                v1::MatchProposal* resp);
  // statistics_handlers.cc
  absl::Status DoGetPlacementStatistics(const grpc::CallContext& call,
                                        const v1::GetPlacementStatisticsRequest& req,
                                        v1::PlacementStatistics* resp);

  // settlement_handlers.cc
  absl::Status DoSetCountyNumber(const grpc::CallContext& call,
                                 const v1::SetCountyNumberRequest& req, v1::SettlementQuota* resp);
  absl::Status DoGetSettlementQuota(const grpc::CallContext& call,
                                    const v1::GetSettlementQuotaRequest& req,
                                    v1::SettlementQuota* resp);
  absl::Status DoListSettlementQuotaRevisions(const grpc::CallContext& call,
                                              const v1::ListSettlementQuotaRevisionsRequest& req,
                                              v1::ListSettlementQuotaRevisionsResponse* resp);
  absl::Status DoProposeKommunNumbers(const grpc::CallContext& call,
                                      const v1::ProposeKommunNumbersRequest& req,
                                      v1::KommunNumbersProposal* resp);
  absl::Status DoDecideKommunNumbers(const grpc::CallContext& call,
                                     const v1::DecideKommunNumbersRequest& req,
                                     v1::SettlementQuota* resp);
  absl::Status DoReportSettlementAssignment(const grpc::CallContext& call,
                                            const v1::ReportSettlementAssignmentRequest& req,
                                            v1::SettlementAssignment* resp);
  absl::Status DoGetSettlementAssignment(const grpc::CallContext& call,
                                         const v1::GetSettlementAssignmentRequest& req,
                                         v1::SettlementAssignment* resp);
  absl::Status DoListSettlementAssignments(const grpc::CallContext& call,
                                           const v1::ListSettlementAssignmentsRequest& req,
                                           v1::ListSettlementAssignmentsResponse* resp);
  absl::Status DoRecordSettlementReception(const grpc::CallContext& call,
                                           const v1::RecordSettlementReceptionRequest& req,
                                           v1::SettlementAssignment* resp);
  absl::Status DoGetSettlementFollowUp(const grpc::CallContext& call,
                                       const v1::GetSettlementFollowUpRequest& req,
                                       v1::SettlementFollowUp* resp);
  absl::Status DoExportSettlementFollowUp(const grpc::CallContext& call,
                                          const v1::ExportSettlementFollowUpRequest& req,
                                          v1::SettlementFollowUpExport* resp);
  // The follow-up the caller sees for `year` (0: this year): its county's, or its kommun's
  // row (the shared part of the two follow-up RPCs).
  absl::Status LoadSettlementFollowUp(const grpc::CallContext& call, int year,
                                      v1::SettlementFollowUp* out);

  // Today in the board's calendar.
  absl::CivilDay Today() const { return absl::ToCivilDay(deps_.clock(), deps_.zone); }

  PlacementDeps deps_;
};

}  // namespace integration::placement
