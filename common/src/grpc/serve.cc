// The unary call pipeline behind Serve(): gRPC thread part (ids, auth, policy, hand-off) and
// executor part (handler, error mapping, access log, metrics, Finish).
#include "integration/grpc/serve.h"

#include <grpcpp/server_context.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "integration/auth/auth.h"
#include "integration/grpc/request_text.h"
#include "integration/log/log.h"
#include "integration/status/status.h"
#include "text.h"

namespace integration::grpc {
namespace {

// Server faults are errors in the log; everything a client caused is ordinary traffic.
bool IsServerFault(::grpc::StatusCode code) {
  return code == ::grpc::StatusCode::INTERNAL || code == ::grpc::StatusCode::UNKNOWN ||
         code == ::grpc::StatusCode::DATA_LOSS || code == ::grpc::StatusCode::UNIMPLEMENTED;
}

std::optional<std::string_view> Header(const ::grpc::CallbackServerContext& ctx,
                                       std::string_view key) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(::grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return std::nullopt;
  return std::string_view(it->second.data(), it->second.size());
}

absl::Time EffectiveDeadline(const ::grpc::CallbackServerContext& ctx, absl::Time now,
                             const ServerOptions& options) {
  const absl::Time cap = now + absl::FromChrono(options.max_deadline);
  const auto client = ctx.deadline();
  // gRPC reports "no deadline" as the largest time point.
  if (client == std::chrono::system_clock::time_point::max()) {
    return now + absl::FromChrono(options.default_deadline);
  }
  return std::min(absl::FromChrono(client), cap);
}

// Everything a call needs once it left the gRPC thread. Shared between the closure queued on
// the executor and the gRPC thread, which still owns it when the queue refuses the closure.
struct UnaryCall {
  Runtime* rt;
  ::grpc::CallbackServerContext* ctx;
  ::grpc::ServerUnaryReactor* reactor;
  const MethodInfo* method;
  const google::protobuf::MethodDescriptor* descriptor;  // names unresolved methods in the log
  absl::Time start;
  std::optional<CallContext> call;
  internal::UnaryBody body;
};

// The single exit of every call: access log line, metrics, Finish. Nothing of the call may be
// touched after Finish (gRPC frees the context, request and response).
void FinishCall(UnaryCall& c, const ::grpc::Status& status, const absl::Status& cause) {
  const absl::Duration latency = absl::Now() - c.start;
  const std::string_view code = integration::status::CodeName(status.error_code());
  std::string reason;
  if (auto info = status::GetErrorInfo(cause); info.has_value()) reason = info->reason();
  std::string_view role = "anonymous";
  if (c.call.has_value() && c.call->caller().authenticated) role = c.call->caller().role;
  // Only a wiring mistake leaves the method unresolved; its name is put together just then.
  const std::string unresolved =
      c.method != nullptr
          ? std::string()
          : absl::StrCat(c.descriptor->service()->full_name(), "/", c.descriptor->name());
  const std::string_view method =
      c.method != nullptr ? std::string_view(c.method->full_name) : std::string_view(unresolved);
  const log::Level level =
      IsServerFault(status.error_code()) ? log::Level::kError : log::Level::kInfo;
  const double latency_ms = absl::ToDoubleMilliseconds(latency);
  if (reason.empty()) {
    log::Write(level, "rpc",
               {{"method", method}, {"code", code}, {"latency_ms", latency_ms}, {"role", role}});
  } else {
    log::Write(level, "rpc",
               {{"method", method},
                {"code", code},
                {"latency_ms", latency_ms},
                {"role", role},
                {"reason", reason}});
  }
  c.rt->RecordRpc(c.method, code, latency);
  // The request id goes with the headers of a success, but with the trailers of a failure: a
  // failure without custom headers is sent "trailers-only", the only form gRPC clients retry.
  if (c.call.has_value()) {
    if (status.ok()) {
      c.ctx->AddInitialMetadata(std::string(kRequestIdHeader), c.call->request_id());
    } else {
      c.ctx->AddTrailingMetadata(std::string(kRequestIdHeader), c.call->request_id());
    }
  }
  c.reactor->Finish(status);
}

void FinishWith(UnaryCall& c, const absl::Status& st) {
  FinishCall(c, status::ToGrpc(st, c.rt->error_domain()), st);
}

// The caller behind the call's metadata: anonymous without an authorization header (or
// without a verifier), the verified token's claims otherwise.
absl::StatusOr<auth::Caller> Authenticate(const Runtime& rt,
                                          const ::grpc::CallbackServerContext& ctx) {
  auth::Caller anonymous;
  auth::Verifier* verifier = rt.verifier();
  if (verifier == nullptr) return anonymous;
  std::optional<std::string_view> header = Header(ctx, kAuthorizationHeader);
  if (!header.has_value()) return anonymous;
  std::string_view token = auth::BearerToken(*header);
  if (token.empty()) {
    return status::Unauthenticated("TOKEN_MALFORMED",
                                   "the authorization metadata must be \"Bearer <token>\"");
  }
  absl::StatusOr<auth::Caller> caller = verifier->Verify(token);
  if (caller.ok() && caller->token.empty()) caller->token = std::string(token);
  return caller;
}

// Runs on the executor.
void RunOnExecutor(UnaryCall& c) {
  const CallContext& call = *c.call;
  log::ScopedContext scope(call.request_id(), call.trace_id());
  // Work nobody waits for any more is not started: it would only hold a thread and a
  // connection while the queue behind it grows.
  if (c.ctx->IsCancelled()) {
    FinishWith(c, absl::CancelledError("the call was cancelled before it started"));
    return;
  }
  if (absl::Now() >= call.deadline()) {
    FinishWith(c, absl::DeadlineExceededError("the deadline passed before the call started"));
    return;
  }
  absl::Status result;
  try {
    result = std::move(c.body)(call);
  } catch (const std::exception& e) {
    result = status::Internal(absl::StrCat("handler threw: ", e.what()));
  } catch (...) {
    result = status::Internal("handler threw a non-standard exception");
  }
  FinishWith(c, result);
}

}  // namespace

namespace internal {

::grpc::ServerUnaryReactor* ServeUnary(Runtime& rt, ::grpc::CallbackServerContext* ctx,
                                       const google::protobuf::Message& request,
                                       const google::protobuf::MethodDescriptor& method,
                                       UnaryBody body) {
  auto c = std::make_shared<UnaryCall>();
  c->rt = &rt;
  c->ctx = ctx;
  c->reactor = ctx->DefaultReactor();
  c->start = absl::Now();
  c->descriptor = &method;
  c->method = rt.FindMethod(method);
  if (c->method != nullptr && c->method->descriptor->input_type() != request.GetDescriptor()) {
    c->method = nullptr;  // a request of another method: the same wiring bug as below
  }

  std::string request_id;
  if (auto header = Header(*ctx, kRequestIdHeader); header && IsValidRequestId(*header)) {
    request_id = std::string(*header);
  } else {
    request_id = NewRequestId();
  }
  std::optional<TraceContext> parent;
  if (auto header = Header(*ctx, kTraceparentHeader); header.has_value()) {
    parent = TraceContext::Parse(*header);
  }
  TraceContext trace = parent.has_value() ? parent->Child() : TraceContext::NewRoot();
  log::ScopedContext scope(request_id, trace.trace_id);

  if (c->method == nullptr) {
    // A wiring mistake of the service (its service not added to the runtime, or a request of
    // another method): fail the call loudly instead of serving it without its access policy.
    c->call.emplace(auth::Caller{}, std::move(request_id), std::move(trace), c->start, ctx);
    FinishWith(*c, status::Internal(absl::StrCat(
                       "Serve(): no registered method \"", method.service()->full_name(), "/",
                       method.name(), "\" taking ", request.GetDescriptor()->full_name())));
    return c->reactor;
  }

  absl::StatusOr<auth::Caller> caller = Authenticate(rt, *ctx);
  c->call.emplace(caller.ok() ? *std::move(caller) : auth::Caller{}, std::move(request_id),
                  std::move(trace), EffectiveDeadline(*ctx, c->start, rt.options()), ctx,
                  c->method->descriptor);
  absl::Status admitted = caller.status();
  if (admitted.ok()) admitted = auth::Authorize(c->method->policy, c->call->caller());
  if (admitted.ok() && c->method->policy != nullptr) {
    admitted = auth::CheckTenant(*c->method->policy, c->call->caller(), request);
  }
  // Free text last: an unauthenticated or unauthorised caller learns nothing about the checks.
  if (admitted.ok()) admitted = CheckRequestText(request);
  if (!admitted.ok()) {
    FinishWith(*c, admitted);
    return c->reactor;
  }

  c->body = std::move(body);
  if (!rt.executor().TrySubmit([c]() { RunOnExecutor(*c); })) {
    FinishWith(*c, status::ResourceExhausted("SERVER_BUSY",
                                             "the server is busy; retry after a short back-off"));
  }
  return c->reactor;
}

}  // namespace internal
}  // namespace integration::grpc
