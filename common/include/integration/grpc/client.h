// Channels to other services and the client context of an outgoing call: deadline from the
// incoming call, forwarded token, request id and trace.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "integration/grpc/names.h"  // keeps grpc:: meaning gRPC; see there

namespace integration::grpc {

class CallContext;

// TLS of a channel; the files are watched and re-read when they change.
struct ChannelTls {
  bool enabled = false;   // plaintext when false (loopback development only)
  std::string ca_file;    // roots for the server's certificate; empty: system roots
  std::string cert_file;  // client certificate for mutual TLS (with key_file)
  std::string key_file;
  std::string server_name_override;  // name to verify instead of the target's host
  std::chrono::seconds reload_interval{60};
};

struct ChannelOptions {
  ChannelTls tls;
  // Idempotent methods that are retried on UNAVAILABLE, as "pkg.Service/Method" (or
  // "pkg.Service" for every method of a service). Nothing else is ever retried.
  std::vector<std::string> retry_methods;
  int max_attempts = 3;
  std::chrono::milliseconds keepalive_time{30000};
  std::chrono::milliseconds keepalive_timeout{10000};
  int max_message_bytes = 4 * 1024 * 1024;
  // Reconnect backoff after a failed connection attempt; zero keeps gRPC's defaults (1 s
  // initially, growing to 120 s), which would keep a service that returned unreachable for
  // minutes. Upstream sets them short.
  std::chrono::milliseconds initial_reconnect_backoff{0};
  std::chrono::milliseconds max_reconnect_backoff{0};
  // gRPC's load balancing policy over the addresses the target resolves to. round_robin keeps
  // a connection to every address (every pod behind a headless Service, "dns:///svc-pods:50051")
  // and spreads calls over them; gRPC's default, pick_first, would send everything to one.
  std::string load_balancing_policy = "round_robin";
};

// A channel to `target` ("host:port", or any gRPC target URI). INVALID_ARGUMENT for a bad
// retry method name, FAILED_PRECONDITION naming a TLS file that cannot be read. Connecting
// is lazy: the first call connects.
absl::StatusOr<std::shared_ptr<::grpc::Channel>> MakeChannel(std::string_view target,
                                                             const ChannelOptions& options);

// The service config JSON that MakeChannel installs: the retry policy of RetryServiceConfig
// and options.load_balancing_policy (exposed for tests).
absl::StatusOr<std::string> ChannelServiceConfig(const ChannelOptions& options);

// The retry part of the service config (exposed for tests and the CLI).
absl::StatusOr<std::string> RetryServiceConfig(const std::vector<std::string>& retry_methods,
                                               int max_attempts);

// Subtracted from the incoming deadline, so that this service still has time to answer its
// own caller after the outgoing call failed by deadline.
inline constexpr absl::Duration kDeadlineMargin = absl::Milliseconds(50);

// Prepares `context` for a call made while serving `parent` (null for calls of background
// jobs): deadline = min(parent deadline - kDeadlineMargin, now + default_timeout); forwards the
// caller's bearer token as "authorization", the request id as "x-request-id" and a
// "traceparent" with the same trace id and a new span id. Call before the RPC starts.
void PrepareClientContext(::grpc::ClientContext& context, const CallContext* parent,
                          std::chrono::milliseconds default_timeout);
// The same with `bearer_token` sent instead of the caller's: a service calling with its own
// identity (see Upstream). Returns the deadline it set.
absl::Time PrepareClientContext(::grpc::ClientContext& context, const CallContext* parent,
                                std::chrono::milliseconds default_timeout,
                                std::string_view bearer_token);

}  // namespace integration::grpc
