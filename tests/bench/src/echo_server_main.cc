// bench-echo-server: the echo baselines of the benchmarks. With --raw-port, a plain gRPC
// callback EchoService without the runtime (the gRPC ceiling of the machine); otherwise the
// EchoService served through integration::grpc::Runtime and Serve (token verification, access
// policy, executor hand-off, access log, metrics: the cost every service call pays).
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "integration/config/flags.h"
#include "integration/grpc/call_context.h"
#include "integration/grpc/process.h"
#include "integration/grpc/runtime.h"
#include "integration/grpc/serve.h"
#include "integration/grpc/server_flags.h"
#include "integration/grpc/signals.h"
#include "integration/log/log.h"
#include "lansstyrelsen/integration/echo/v1/echo.adapter.h"

namespace {

namespace echo = ::lansstyrelsen::integration::echo::v1;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Answers on gRPC's own thread: nothing but the copy.
class RawEcho final : public echo::EchoService::CallbackService {
 public:
  ::grpc::ServerUnaryReactor* Echo(::grpc::CallbackServerContext* ctx, const echo::EchoRequest* req,
                                   echo::EchoResponse* resp) override {
    resp->set_message(req->message());
    resp->set_payload(req->payload());
    ::grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(::grpc::Status::OK);
    return reactor;
  }
};

// The same answer through the service runtime's pipeline (the generated adapter).
class RuntimeEcho final : public echo::EchoServiceAdapter<RuntimeEcho> {
 public:
  explicit RuntimeEcho(integration::grpc::Runtime& rt) : EchoServiceAdapter(rt) {}

 private:
  friend class echo::EchoServiceAdapter<RuntimeEcho>;
  absl::Status DoEcho(const integration::grpc::CallContext&, const echo::EchoRequest& r,
                      echo::EchoResponse* out) {
    out->set_message(r.message());
    out->set_payload(r.payload());
    return absl::OkStatus();
  }
};

int ServeRaw(integration::grpc::SignalWaiter& signals, const std::string& host, int port) {
  RawEcho service;
  ::grpc::EnableDefaultHealthCheckService(true);
  ::grpc::ServerBuilder builder;
  int bound = 0;
  builder.AddListeningPort(absl::StrCat(host, ":", port), ::grpc::InsecureServerCredentials(),
                           &bound);
  builder.RegisterService(&service);
  std::unique_ptr<::grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound == 0) {
    std::cerr << "bench-echo-server: cannot listen on " << host << ":" << port << "\n";
    return kExitFailure;
  }
  server->GetHealthCheckService()->SetServingStatus(true);
  std::cerr << "bench-echo-server: raw echo on port " << bound << "\n";
  // The server outlives the signal thread's Shutdown() call, not only its effect.
  absl::Notification stopped;
  signals.Start([&server, &stopped](int) {
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    stopped.Notify();
  });
  server->Wait();
  stopped.WaitForNotification();
  return kExitOk;
}

int Main(int argc, char** argv) {
  // Before any thread starts, so that every thread inherits the blocked signals.
  integration::grpc::SignalWaiter signals;
  integration::config::Flags flags(
      "bench-echo-server", "BENCH_ECHO",
      "Echo server of the benchmarks: --raw-port P serves a plain gRPC EchoService (no runtime); "
      "without it the EchoService runs through the service runtime (needs --jwks-file).");
  int64_t* raw_port =
      flags.Int("raw-port", 0, "serve the plain echo (no runtime) on this port", 0, 65535);
  std::string* raw_host = flags.String("raw-host", "127.0.0.1", "address of the plain echo");
  integration::grpc::ServerFlags server_flags(flags, 0, 0);
  const std::vector<std::string> positional = integration::config::ParseOrExit(flags, argc, argv);
  if (!positional.empty()) {
    std::cerr << "bench-echo-server: unexpected argument " << positional[0] << "\n";
    return kExitUsage;
  }
  if (*raw_port > 0) return ServeRaw(signals, *raw_host, static_cast<int>(*raw_port));

  absl::StatusOr<integration::grpc::ServerOptions> options = server_flags.Options("bench_echo");
  if (!options.ok()) {
    std::cerr << "bench-echo-server: " << options.status().message() << "\n";
    return kExitUsage;
  }
  integration::grpc::Runtime rt(*std::move(options));
  RuntimeEcho service(rt);
  if (absl::Status st = rt.AddService<echo::EchoService>(&service); !st.ok()) {
    std::cerr << "bench-echo-server: " << st.message() << "\n";
    return kExitFailure;
  }
  if (absl::Status st = rt.Start(); !st.ok()) {
    std::cerr << "bench-echo-server: " << st.message() << "\n";
    return kExitFailure;
  }
  integration::log::Info("bench_echo_started", {{"port", rt.port()}});
  const std::chrono::milliseconds drain = server_flags.drain_timeout();
  absl::Notification stopped;
  signals.Start([&rt, &stopped, drain](int) {
    rt.Shutdown(drain);
    stopped.Notify();
  });
  rt.Wait();
  stopped.WaitForNotification();
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  integration::grpc::ConfigureProcess();
  return Main(argc, argv);
}
