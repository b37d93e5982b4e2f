// bench-forwarder: a one-hop generic gRPC proxy (grpc::CallbackGenericService) that forwards
// each unary call's raw bytes, deadline and auth/request-id/trace metadata to one backend. It
// does nothing a gateway could skip, so its throughput is the ceiling of any gateway.
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "integration/config/flags.h"
#include "integration/grpc/process.h"
#include "integration/grpc/signals.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Metadata that a gateway passes on; everything else stays at this hop.
constexpr std::string_view kForwarded[] = {"authorization", "x-request-id", "traceparent"};
// Deadline of a forwarded call whose caller set none.
constexpr std::chrono::seconds kDefaultDeadline{30};

// One forwarded call: read the request, call the backend, write its answer and status.
class ForwardCall final : public ::grpc::ServerGenericBidiReactor {
 public:
  ForwardCall(::grpc::GenericCallbackServerContext* ctx, ::grpc::GenericStub& backend)
      : ctx_(ctx), backend_(backend) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(::grpc::Status(::grpc::StatusCode::INTERNAL, "the call carried no request message"));
      return;
    }
    const auto deadline = ctx_->deadline();
    const auto fallback = std::chrono::system_clock::now() + kDefaultDeadline;
    client_.set_deadline(deadline < fallback ? deadline : fallback);
    for (const auto& [key, value] : ctx_->client_metadata()) {
      const std::string_view k(key.data(), key.size());
      for (std::string_view wanted : kForwarded) {
        if (k == wanted) client_.AddMetadata(std::string(k), std::string(value.data(), value.size()));
      }
    }
    backend_.UnaryCall(&client_, ctx_->method(), ::grpc::StubOptions(), &request_, &response_,
                       [this](::grpc::Status status) { OnBackendDone(std::move(status)); });
  }

  void OnCancel() override { client_.TryCancel(); }

  // gRPC hands the reactor back here once the call is over; it was released to gRPC in
  // Forwarder::CreateReactor, as the callback API requires.
  void OnDone() override { std::unique_ptr<ForwardCall> self(this); }

 private:
  void OnBackendDone(::grpc::Status status) {
    for (const auto& [key, value] : client_.GetServerInitialMetadata()) {
      if (std::string_view(key.data(), key.size()) == "x-request-id") {
        ctx_->AddInitialMetadata("x-request-id", std::string(value.data(), value.size()));
      }
    }
    if (status.ok()) {
      StartWriteAndFinish(&response_, ::grpc::WriteOptions(), ::grpc::Status::OK);
    } else {
      Finish(status);
    }
  }

  ::grpc::GenericCallbackServerContext* const ctx_;
  ::grpc::GenericStub& backend_;
  ::grpc::ClientContext client_;
  ::grpc::ByteBuffer request_;
  ::grpc::ByteBuffer response_;
};

class Forwarder final : public ::grpc::CallbackGenericService {
 public:
  explicit Forwarder(std::vector<std::unique_ptr<::grpc::GenericStub>> stubs)
      : stubs_(std::move(stubs)) {}

  ::grpc::ServerGenericBidiReactor* CreateReactor(
      ::grpc::GenericCallbackServerContext* ctx) override {
    ::grpc::GenericStub& stub = *stubs_[next_.fetch_add(1, std::memory_order_relaxed) % stubs_.size()];
    // Owned by gRPC until ForwardCall::OnDone takes it back.
    return std::make_unique<ForwardCall>(ctx, stub).release();
  }

 private:
  std::vector<std::unique_ptr<::grpc::GenericStub>> stubs_;
  std::atomic<size_t> next_{0};
};

int Main(int argc, char** argv) {
  integration::grpc::SignalWaiter signals;
  integration::config::Flags flags(
      "bench-forwarder", "BENCH_FORWARDER",
      "One-hop generic gRPC forwarder of the benchmarks: every unary call to --port is passed "
      "to --backend as raw bytes.");
  std::string* host = flags.String("host", "127.0.0.1", "address to listen on");
  int64_t* port = flags.Int("port", 0, "port to listen on (required)", 0, 65535);
  std::string* backend = flags.String("backend", "", "host:port to forward to", true);
  int64_t* channels = flags.Int("channels", 2, "connections to the backend", 1, 64);
  const std::vector<std::string> positional = integration::config::ParseOrExit(flags, argc, argv);
  if (!positional.empty() || *port == 0) {
    std::cerr << "bench-forwarder: usage: --port P --backend host:port [--channels N]\n";
    return kExitUsage;
  }

  std::vector<std::unique_ptr<::grpc::GenericStub>> stubs;
  for (int64_t i = 0; i < *channels; ++i) {
    ::grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one connection per channel
    stubs.push_back(std::make_unique<::grpc::GenericStub>(
        ::grpc::CreateCustomChannel(*backend, ::grpc::InsecureChannelCredentials(), args)));
  }
  Forwarder forwarder(std::move(stubs));

  // The health service answers for the forwarder itself (start-up probes); every other method
  // goes to the backend.
  ::grpc::EnableDefaultHealthCheckService(true);
  ::grpc::ServerBuilder builder;
  int bound = 0;
  builder.AddListeningPort(absl::StrCat(*host, ":", *port), ::grpc::InsecureServerCredentials(),
                           &bound);
  builder.RegisterCallbackGenericService(&forwarder);
  std::unique_ptr<::grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound == 0) {
    std::cerr << "bench-forwarder: cannot listen on " << *host << ":" << *port << "\n";
    return kExitFailure;
  }
  server->GetHealthCheckService()->SetServingStatus(true);
  std::cerr << "bench-forwarder: " << *host << ":" << bound << " -> " << *backend << "\n";
  absl::Notification stopped;
  signals.Start([&server, &stopped](int) {
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    stopped.Notify();
  });
  server->Wait();
  stopped.WaitForNotification();
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  integration::grpc::ConfigureProcess();
  return Main(argc, argv);
}
