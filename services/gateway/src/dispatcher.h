// The heart of the gateway shared by its gRPC and HTTP/JSON fronts: authenticate, authorise by
// the method's policy, rate limit, serve from cache, forward to the owning service.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <grpcpp/support/status.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client_address.h"

namespace integration::gateway {

// One call as either front received it; the request already in protobuf wire format.
struct BackendCall {
  const google::protobuf::MethodDescriptor* method = nullptr;  // from the generated pool
  std::string request;        // serialized request message
  std::string authorization;  // the "authorization" value ("Bearer …"), empty without a token
  std::string request_id;     // client x-request-id (validated) or empty: one is generated
  std::string traceparent;    // client traceparent or empty
  absl::Time deadline = absl::InfiniteFuture();  // client deadline; default/cap applied
  // The socket peer's address; the dispatcher replaces it by the client's (ClientAddress) for
  // the rate limits of anonymous callers and of every address.
  std::string client_address;
  ForwardingHeaders forwarding;  // believed only when the peer is a trusted proxy
};

struct BackendResult {
  grpc::Status status;  // with the backend's error details (google.rpc.Status) when it failed
  std::string response;  // serialized response message when status is OK
  std::string request_id;  // the request id used (echoed to the client)
  // Extra response headers for the fronts, e.g. {"retry-after", "3"} on RESOURCE_EXHAUSTED
  // from the rate limiter, {"x-cache", "hit"}.
  std::multimap<std::string, std::string> headers;
};

using Done = std::function<void(BackendResult)>;

// Implemented in dispatcher.cc. Thread-safe; `done` runs exactly once, on any thread, and never
// on the caller's stack frame of Dispatch when that would block a gRPC thread.
class Dispatcher {
 public:
  virtual ~Dispatcher() = default;
  // The methods this gateway exposes: every method of every service with a configured
  // backend, plus the gateway's own GatewayService.
  virtual std::vector<const google::protobuf::MethodDescriptor*> Methods() const = 0;
  virtual void Dispatch(BackendCall call, Done done) = 0;
};

}  // namespace integration::gateway

// ---------------------------------------------------------------------------------------------
// Construction of the gateway's Dispatcher (implemented in dispatcher.cc). The fronts only need
// the interface above; main() and the tests build it from its parts.

namespace lansstyrelsen::integration::auth::v1 {
class Policy;
}  // namespace lansstyrelsen::integration::auth::v1

namespace integration::auth {
class Verifier;
}  // namespace integration::auth

namespace integration::metrics {
class Metrics;
}  // namespace integration::metrics

namespace integration::gateway {

class Backends;
class RateLimiter;
class ResponseCache;

// The access policy of a method; auth::PolicyOf unless a test substitutes its own.
using PolicyLookup = std::function<const ::lansstyrelsen::integration::auth::v1::Policy*(
    const google::protobuf::MethodDescriptor&)>;

struct DispatcherOptions {
  // Verifies bearer tokens; null makes every call anonymous (tests without auth only).
  std::shared_ptr<auth::Verifier> verifier;
  Backends* backends = nullptr;          // required; outlives the dispatcher
  RateLimiter* rate_limiter = nullptr;   // null: no rate limits
  // Peers whose X-Forwarded-For / Forwarded name the client (the Kubernetes Gateway's
  // proxies); empty: the peer is the client.
  TrustedProxies trusted_proxies;
  ResponseCache* cache = nullptr;        // null: nothing cached
  // A call without a client deadline gets default_deadline; longer ones are capped.
  absl::Duration default_deadline = absl::Seconds(10);
  absl::Duration max_deadline = absl::Seconds(60);
  // Threads for the blocking steps (token check, Redis); the backend calls are asynchronous.
  size_t executor_threads = 8;
  size_t executor_queue = 1024;
  PolicyLookup policy_of;  // null: auth::PolicyOf
  std::shared_ptr<metrics::Metrics> metrics;  // null: no gateway metrics
};

// The Dispatcher of the gateway: authentication, policy and tenant check, rate limit, response
// cache, then the backend (raw bytes over the backend's channel) or, for GatewayService, the
// in-process implementation. Its destructor waits for calls still in flight (each bounded by
// its deadline). INVALID_ARGUMENT for missing parts or bad limits.
absl::StatusOr<std::unique_ptr<Dispatcher>> NewDispatcher(DispatcherOptions options);

}  // namespace integration::gateway
