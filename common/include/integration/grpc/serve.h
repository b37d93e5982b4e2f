// The one wrapper every unary RPC of every service goes through: request id, trace, deadline,
// authentication, access policy, tenant check, executor hand-off, error mapping, access log.
#pragma once

#include <grpcpp/support/server_callback.h>

#include <functional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "integration/grpc/call_context.h"
#include "integration/grpc/names.h"  // keeps grpc:: meaning gRPC; see there
#include "integration/grpc/runtime.h"

namespace integration::grpc {

namespace internal {
using UnaryBody = absl::AnyInvocable<absl::Status(const CallContext&) &&>;
// The type-erased pipeline behind Serve().
::grpc::ServerUnaryReactor* ServeUnary(Runtime& rt, ::grpc::CallbackServerContext* ctx,
                                       const google::protobuf::Message& request,
                                       const google::protobuf::MethodDescriptor& method,
                                       UnaryBody body);
}  // namespace internal

// Serves one unary call of `method`. Services do not call it by hand: the adapter generated
// from the proto (protoc-gen-integration, <file>.adapter.h) overrides every RPC of the
// service with
//
//   return Serve(runtime, ctx, req, resp, *method_descriptor,
//                [impl](const CallContext& call, const Req& r, Resp* out) {
//                  return impl->Do<Method>(call, r, out); });
//
// On the gRPC thread (never blocking): finds the method among the runtime's registered ones
// (not registered: INTERNAL, a wiring bug), takes x-request-id (or makes one) and echoes it (in
// the initial metadata of a success, the trailing metadata of a failure, which keeps
// failures retryable "trailers-only" responses), reads traceparent, caps the deadline, verifies the
// bearer token (none: anonymous caller), applies the method's access policy and tenant check, and
// queues the call on the executor (full: RESOURCE_EXHAUSTED, reason SERVER_BUSY). On the executor:
// skips calls already cancelled or past their deadline, runs `fn` with the request id and trace id
// on every log line, maps its status with status::ToGrpc (a thrown exception becomes
// INTERNAL), writes one access log line and the RPC metrics, and finishes the call.
// `fn` fills `resp`; whatever it returns other than OK discards the response.
template <class Req, class Resp>
::grpc::ServerUnaryReactor* Serve(
    Runtime& rt, ::grpc::CallbackServerContext* ctx, const Req* req, Resp* resp,
    const google::protobuf::MethodDescriptor& method,
    // type_identity: Req and Resp come from the pointers, so a lambda converts here.
    std::type_identity_t<std::function<absl::Status(const CallContext&, const Req&, Resp*)>> fn) {
  return internal::ServeUnary(rt, ctx, *req, method,
                              [req, resp, fn = std::move(fn)](const CallContext& call) mutable {
                                return fn(call, *req, resp);
                              });
}

}  // namespace integration::grpc
