// WatchEvents on the gateway's gRPC front: the generated EventService's callback API, one
// write reactor per watcher (no thread per stream), fed by the EventFeed.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "event_feed.h"
#include "integration/auth/auth.h"
#include "lansstyrelsen/integration/gateway/v1/event_service.grpc.pb.h"

namespace integration::gateway {

// The caller of a watch from the "authorization" header value, checked against WatchEvents'
// access policy: UNAUTHENTICATED without or with a bad token, PERMISSION_DENIED for a role the
// policy does not list (an agency_system also without any of its scopes). Shared by the gRPC
// and the SSE front. `verifier` null: every caller anonymous (refused).
absl::StatusOr<auth::Scope> WatchCaller(const auth::Verifier* verifier,
                                        std::string_view authorization);

// A watched event as the API shows it (event and cursor), or a heartbeat.
::lansstyrelsen::integration::gateway::v1::WatchEventsResponse ToResponse(const Delivery& d);

class EventServiceImpl final
    : public ::lansstyrelsen::integration::gateway::v1::EventService::CallbackService {
 public:
  // Both outlive the gRPC server the service is registered with.
  EventServiceImpl(EventFeed& feed, std::shared_ptr<auth::Verifier> verifier);

  ::grpc::ServerWriteReactor<::lansstyrelsen::integration::gateway::v1::WatchEventsResponse>*
  WatchEvents(
      ::grpc::CallbackServerContext* context,
      const ::lansstyrelsen::integration::gateway::v1::WatchEventsRequest* request) override;

 private:
  EventFeed& feed_;
  std::shared_ptr<auth::Verifier> verifier_;
};

}  // namespace integration::gateway
