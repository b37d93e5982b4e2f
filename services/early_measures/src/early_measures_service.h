// The early_measures service's implementation: the generated EarlyMeasuresServiceAdapter serves
// every RPC of EarlyMeasuresService through grpc::Serve with the private Do<Method> declared
// here, which validates, checks the caller's access to the records and makes one unit of work.
// The funding check with grants runs before the transaction, never inside it.
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "funding_client.h"
#include "integration/grpc/call_context.h"
#include "integration/grpc/names.h"  // first: see there
#include "integration/grpc/runtime.h"
#include "integration/pg/pool.h"
#include "integration/se/pnr_protector.h"
#include "lansstyrelsen/integration/early_measures/v1/early_measures_service.adapter.h"

namespace integration::early_measures {

namespace v1 = ::lansstyrelsen::integration::early_measures::v1;

// What the service uses; built by EarlyMeasuresSpec's factory (or a test) and kept by the handle.
struct EarlyMeasuresDeps {
  pg::Pool& pool;
  grpc::Runtime& runtime;
  // Service::Dependencies::nudge_outbox: called after a commit that enqueued events.
  std::function<void()> nudge_outbox;
  // Derives the keyed hash of LMA numbers (the suite's look-up key); the numbers are never
  // stored, so its encryption key is never used here.
  std::shared_ptr<const se::PnrProtector> protector;
  // Grants' CheckFunding.
  std::shared_ptr<FundingClient> funding;
  // The zone of the calendar year (age bands, statistics).
  absl::TimeZone zone = absl::UTCTimeZone();
  // The service's notion of "now"; tests move it.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

class EarlyMeasuresServiceImpl final
    : public v1::EarlyMeasuresServiceAdapter<EarlyMeasuresServiceImpl> {
 public:
  explicit EarlyMeasuresServiceImpl(EarlyMeasuresDeps deps)
      : EarlyMeasuresServiceAdapter(deps.runtime), deps_(std::move(deps)) {}

 private:
  friend class v1::EarlyMeasuresServiceAdapter<EarlyMeasuresServiceImpl>;

  // The calendar year of "now" in the board's zone.
  int ThisYear() const;

  // Handlers run on the runtime's executor (they may block on PostgreSQL or grants); the
  // caller's role (and an agency's scope) has been checked against the method's access policy
  // before they run; object-level access is theirs (access.h).
  // activity_handlers.cc
  absl::Status DoCreateActivity(const grpc::CallContext& call,
                                const v1::CreateActivityRequest& req, v1::Activity* resp);
  absl::Status DoGetActivity(const grpc::CallContext& call, const v1::GetActivityRequest& req,
                             v1::Activity* resp);
  absl::Status DoListActivities(const grpc::CallContext& call,
                                const v1::ListActivitiesRequest& req,
                                v1::ListActivitiesResponse* resp);
  absl::Status DoUpdateActivity(const grpc::CallContext& call,
                                const v1::UpdateActivityRequest& req, v1::Activity* resp);
  // participant_handlers.cc
  absl::Status DoRegisterParticipant(const grpc::CallContext& call,
                                     const v1::RegisterParticipantRequest& req,
                                     v1::Participant* resp);
  absl::Status DoListParticipants(const grpc::CallContext& call,
                                  const v1::ListParticipantsRequest& req,
                                  v1::ListParticipantsResponse* resp);
  // session_handlers.cc
  absl::Status DoCreateSession(const grpc::CallContext& call, const v1::CreateSessionRequest& req,
                               v1::Session* resp);
  absl::Status DoListSessions(const grpc::CallContext& call, const v1::ListSessionsRequest& req,
                              v1::ListSessionsResponse* resp);
  absl::Status DoRecordAttendance(const grpc::CallContext& call,
                                  const v1::RecordAttendanceRequest& req, v1::Session* resp);
  // statistics_handlers.cc
  absl::Status DoGetParticipantFigures(const grpc::CallContext& call,
                                       const v1::GetParticipantFiguresRequest& req,
                                       v1::ParticipantFigures* resp);
  absl::Status DoGetStatistics(const grpc::CallContext& call, const v1::GetStatisticsRequest& req,
                               v1::Statistics* resp);

  // The decision of grants that funds `orgnr`'s activity in `kommunkod` over `period` (made by
  // that kommun's county board): NO_COVERING_FUNDING_DECISION, or grants' unavailability.
  absl::StatusOr<FundingDecision> CoveringFunding(const grpc::CallContext& call,
                                                  std::string_view orgnr,
                                                  std::string_view kommunkod,
                                                  const Period& period);

  EarlyMeasuresDeps deps_;
};

}  // namespace integration::early_measures
