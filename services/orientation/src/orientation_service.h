// The orientation service's implementation: the generated OrientationServiceAdapter serves every
// RPC of OrientationService through grpc::Serve with the private Do<Method> declared here, which
// validates, checks the caller's access to the records and makes one unit of work. A new RPC in
// the proto does not compile until its Do<Method> is declared here and written in
// <area>_handlers.cc.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "integration/document/signing.h"
#include "integration/grpc/call_context.h"
#include "integration/grpc/names.h"  // first: see there
#include "integration/grpc/runtime.h"
#include "integration/pg/pool.h"
#include "integration/se/pnr_protector.h"
#include "lansstyrelsen/integration/orientation/v1/orientation_service.adapter.h"

namespace integration::orientation {

namespace v1 = ::lansstyrelsen::integration::orientation::v1;

// What the service uses; built by OrientationSpec's factory (or a test) and kept by the handle.
struct OrientationDeps {
  pg::Pool& pool;
  grpc::Runtime& runtime;
  // Service::Dependencies::nudge_outbox: called after a commit that enqueued events.
  std::function<void()> nudge_outbox;
  // Encrypts participants' identity numbers and derives their look-up hash (the suite's
  // personnummer keys).
  std::shared_ptr<const se::PnrProtector> protector;
  // Signs certificates of completion (--certificate-signing-key-file).
  std::shared_ptr<const document::Signer> certificate_signer;
  // The pension reference age by the year it applies from (--pension-reference-ages).
  std::map<int, int> pension_reference_ages = {{2023, 66}, {2026, 67}};
  // Days after the registration within which a start counts in the follow-up
  // (--start-window-days).
  int start_window_days = 90;
  // The zone of the kommuner's calendar days.
  absl::TimeZone zone = absl::UTCTimeZone();
  // The service's notion of "now"; tests move it.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

class OrientationServiceImpl final : public v1::OrientationServiceAdapter<OrientationServiceImpl> {
 public:
  explicit OrientationServiceImpl(OrientationDeps deps)
      : OrientationServiceAdapter(deps.runtime), deps_(std::move(deps)) {}

 private:
  friend class v1::OrientationServiceAdapter<OrientationServiceImpl>;

  // Handlers run on the runtime's executor (they may block on PostgreSQL); the caller's role
  // has been checked against the method's access policy before they run. Object-level access
  // (own kommun, the offering's kommuner, own county) is theirs to check (access.h).
  // offering_handlers.cc
  absl::Status DoCreateOffering(const grpc::CallContext& call, const v1::CreateOfferingRequest& req,
                                v1::Offering* resp);
  absl::Status DoGetOffering(const grpc::CallContext& call, const v1::GetOfferingRequest& req,
                             v1::Offering* resp);
  absl::Status DoListOfferings(const grpc::CallContext& call, const v1::ListOfferingsRequest& req,
                               v1::ListOfferingsResponse* resp);
  absl::Status DoUpdateOffering(const grpc::CallContext& call, const v1::UpdateOfferingRequest& req,
                                v1::Offering* resp);
  absl::Status DoCreateSession(const grpc::CallContext& call, const v1::CreateSessionRequest& req,
                               v1::Session* resp);
  absl::Status DoListSessions(const grpc::CallContext& call, const v1::ListSessionsRequest& req,
                              v1::ListSessionsResponse* resp);
  absl::Status DoCancelSession(const grpc::CallContext& call, const v1::CancelSessionRequest& req,
                               v1::Session* resp);
  // participant_handlers.cc
  absl::Status DoCreateParticipant(const grpc::CallContext& call,
                                   const v1::CreateParticipantRequest& req, v1::Participant* resp);
  absl::Status DoGetParticipant(const grpc::CallContext& call, const v1::GetParticipantRequest& req,
                                v1::Participant* resp);
  absl::Status DoListParticipants(const grpc::CallContext& call,
                                  const v1::ListParticipantsRequest& req,
                                  v1::ListParticipantsResponse* resp);
  absl::Status DoLookupParticipant(const grpc::CallContext& call,
                                   const v1::LookupParticipantRequest& req, v1::Participant* resp);
  // enrolment_handlers.cc
  absl::Status DoCreateEnrolment(const grpc::CallContext& call,
                                 const v1::CreateEnrolmentRequest& req, v1::Enrolment* resp);
  absl::Status DoGetEnrolment(const grpc::CallContext& call, const v1::GetEnrolmentRequest& req,
                              v1::Enrolment* resp);
  absl::Status DoListEnrolments(const grpc::CallContext& call, const v1::ListEnrolmentsRequest& req,
                                v1::ListEnrolmentsResponse* resp);
  absl::Status DoRecordAttendance(const grpc::CallContext& call,
                                  const v1::RecordAttendanceRequest& req,
                                  v1::RecordAttendanceResponse* resp);
  // certificate_handlers.cc
  absl::Status DoIssueCompletionCertificate(const grpc::CallContext& call,
                                            const v1::IssueCompletionCertificateRequest& req,
                                            v1::CompletionCertificate* resp);
  absl::Status DoGetCertificatePublicKey(const grpc::CallContext& call,
                                         const v1::GetCertificatePublicKeyRequest& req,
                                         v1::CertificatePublicKey* resp);
  // follow_up_handlers.cc
  absl::Status DoGetFollowUp(const grpc::CallContext& call, const v1::GetFollowUpRequest& req,
                             v1::FollowUp* resp);
  absl::Status DoExportFollowUp(const grpc::CallContext& call, const v1::ExportFollowUpRequest& req,
                                v1::FollowUpExport* resp);

  // Today in the kommuner's calendar.
  absl::CivilDay Today() const { return absl::ToCivilDay(deps_.clock(), deps_.zone); }
  // The follow-up of the caller's county for `survey_year` (0: today's).
  absl::Status FollowUpOf(const grpc::CallContext& call, int survey_year, v1::FollowUp* out);

  OrientationDeps deps_;
};

}  // namespace integration::orientation
