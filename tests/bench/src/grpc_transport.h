// The gRPC transport of the load generator: generic (raw bytes) unary calls over several
// channels with the callback API, plus the health probe used to time start-up.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/generic/generic_stub.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "load.h"

namespace integration::bench {

// The canonical name of a gRPC status code ("DEADLINE_EXCEEDED").
std::string CodeName(::grpc::StatusCode code);

class GrpcTransport final : public Transport {
 public:
  // `channels` separate HTTP/2 connections to `target` (plaintext: the benchmarks run on
  // loopback); calls are spread over them round-robin. `method_path` is "/pkg.Service/Method".
  // UNAVAILABLE when the target does not accept a connection within connect_timeout.
  static absl::StatusOr<std::unique_ptr<GrpcTransport>> Create(
      std::string_view target, int channels, std::string method_path,
      std::chrono::milliseconds call_timeout, std::chrono::milliseconds connect_timeout);

  // Over channels that are already made; Create() is the usual way in.
  GrpcTransport(std::vector<std::shared_ptr<::grpc::Channel>> channels, std::string method_path,
                std::chrono::milliseconds call_timeout);

  // Waits until every call has ended and its callback has returned: a load run ends when the
  // last `done` was called, while gRPC's threads are still finishing those callbacks.
  ~GrpcTransport() override;

  void Send(std::shared_ptr<const Request> request, std::function<void(Outcome)> done) override;

 private:
  void CallEnded();

  std::vector<std::shared_ptr<::grpc::Channel>> channels_;
  std::vector<std::unique_ptr<::grpc::GenericStub>> stubs_;
  const std::string method_path_;
  const std::chrono::milliseconds call_timeout_;
  std::atomic<size_t> next_{0};
  std::mutex mu_;
  std::condition_variable idle_;
  size_t in_flight_ = 0;  // guarded by mu_
};

// Polls grpc.health.v1.Health/Check (overall service "") on `target` every `interval` until
// it answers SERVING; returns when it did, DEADLINE_EXCEEDED after `timeout`.
absl::Status WaitServing(std::string_view target, std::chrono::milliseconds timeout,
                         std::chrono::milliseconds interval);

}  // namespace integration::bench
