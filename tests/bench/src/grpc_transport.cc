// Generic unary calls over several channels, and the health probe.
#include "grpc_transport.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "string_util.h"

namespace integration::bench {
namespace {

// A call in flight: gRPC needs the context and both buffers until the callback ran.
struct GrpcCall {
  ::grpc::ClientContext context;
  ::grpc::ByteBuffer request;
  ::grpc::ByteBuffer response;
  std::function<void(Outcome)> done;
};

::grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  ::grpc::Slice slice(bytes);
  return ::grpc::ByteBuffer(&slice, 1);
}

}  // namespace

std::string CodeName(::grpc::StatusCode code) {
  switch (code) {
    case ::grpc::StatusCode::OK: return "OK";
    case ::grpc::StatusCode::CANCELLED: return "CANCELLED";
    case ::grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case ::grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case ::grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case ::grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case ::grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case ::grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case ::grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    case ::grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case ::grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case ::grpc::StatusCode::ABORTED: return "ABORTED";
    case ::grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case ::grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case ::grpc::StatusCode::INTERNAL: return "INTERNAL";
    case ::grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case ::grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    default: return absl::StrCat("CODE_", static_cast<int>(code));
  }
}

absl::StatusOr<std::unique_ptr<GrpcTransport>> GrpcTransport::Create(
    std::string_view target, int channels, std::string method_path,
    std::chrono::milliseconds call_timeout, std::chrono::milliseconds connect_timeout) {
  std::vector<std::shared_ptr<::grpc::Channel>> made;
  for (int i = 0; i < channels; ++i) {
    ::grpc::ChannelArguments args;
    // Without a private subchannel pool, channels with equal arguments share one connection.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
    std::shared_ptr<::grpc::Channel> channel = ::grpc::CreateCustomChannel(
        std::string(target), ::grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + connect_timeout)) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to ", Av(target), " within ", connect_timeout.count(), " ms"));
    }
    made.push_back(std::move(channel));
  }
  return std::make_unique<GrpcTransport>(std::move(made), std::move(method_path), call_timeout);
}

GrpcTransport::GrpcTransport(std::vector<std::shared_ptr<::grpc::Channel>> channels,
                             std::string method_path, std::chrono::milliseconds call_timeout)
    : channels_(std::move(channels)),
      method_path_(std::move(method_path)),
      call_timeout_(call_timeout) {
  for (const auto& channel : channels_) {
    stubs_.push_back(std::make_unique<::grpc::GenericStub>(channel));
  }
}

GrpcTransport::~GrpcTransport() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return in_flight_ == 0; });
}

void GrpcTransport::CallEnded() {
  std::lock_guard lock(mu_);
  if (--in_flight_ == 0) idle_.notify_all();
}

void GrpcTransport::Send(std::shared_ptr<const Request> request,
                         std::function<void(Outcome)> done) {
  {
    std::lock_guard lock(mu_);
    ++in_flight_;
  }
  auto call = std::make_shared<GrpcCall>();
  call->done = std::move(done);
  call->context.set_deadline(std::chrono::system_clock::now() + call_timeout_);
  if (!request->token.empty()) {
    call->context.AddMetadata("authorization", absl::StrCat("Bearer ", request->token));
  }
  if (!request->request_id.empty()) {
    call->context.AddMetadata("x-request-id", request->request_id);
  }
  call->request = ToByteBuffer(request->body);
  ::grpc::GenericStub& stub = *stubs_[next_.fetch_add(1, std::memory_order_relaxed) % stubs_.size()];
  // The lambda holds the call until gRPC runs it; the call (context and buffers) is released
  // before `done`, and the transport learns last that the callback has nothing left to do.
  stub.UnaryCall(&call->context, method_path_, ::grpc::StubOptions(), &call->request,
                 &call->response, [this, call](::grpc::Status status) mutable {
                   Outcome outcome;
                   outcome.ok = status.ok();
                   outcome.code = CodeName(status.error_code());
                   if (!status.ok()) outcome.message = status.error_message();
                   std::function<void(Outcome)> finish = std::move(call->done);
                   call.reset();
                   finish(std::move(outcome));
                   CallEnded();
                 });
}

absl::Status WaitServing(std::string_view target, std::chrono::milliseconds timeout,
                         std::chrono::milliseconds interval) {
  ::grpc::ChannelArguments args;
  // A refused connection must not put the channel into seconds of reconnect back-off: the
  // probe measures start-up time to the millisecond.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 1);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 1);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(interval.count()) + 1);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = ::grpc::CreateCustomChannel(std::string(target),
                                             ::grpc::InsecureChannelCredentials(), args);
  ::grpc::GenericStub stub(channel);
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  // grpc.health.v1.HealthCheckRequest{service: ""} is the empty message; the response
  // HealthCheckResponse{status: SERVING (1)} is field 1, varint 1: bytes 0x08 0x01.
  const std::string serving("\x08\x01", 2);
  std::string last = "no answer";
  while (std::chrono::steady_clock::now() < give_up) {
    ::grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
    ::grpc::ByteBuffer request = ToByteBuffer("");
    ::grpc::ByteBuffer response;
    std::mutex mu;
    std::condition_variable cv;
    bool finished = false;
    ::grpc::Status status;
    stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", ::grpc::StubOptions(), &request,
                   &response, [&](::grpc::Status s) {
                     std::lock_guard lock(mu);
                     status = std::move(s);
                     finished = true;
                     cv.notify_all();
                   });
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return finished; });
    }
    if (status.ok()) {
      std::vector<::grpc::Slice> slices;
      std::string bytes;
      if (response.Dump(&slices).ok()) {
        for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
      if (bytes == serving) return absl::OkStatus();
      last = "answers, but not SERVING yet";
    } else {
      last = absl::StrCat(CodeName(status.error_code()), ": ", status.error_message());
    }
    std::this_thread::sleep_for(interval);
  }
  return absl::DeadlineExceededError(
      absl::StrCat(Av(target), " did not report SERVING within ", timeout.count(), " ms (", last, ")"));
}

}  // namespace integration::bench
