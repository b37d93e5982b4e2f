// The gRPC front: raw per-method handlers built from the descriptors, metadata to BackendCall,
// BackendResult to response bytes, headers or trailers, and the final status.
#include "grpc_front.h"

#include <grpcpp/impl/codegen/server_callback_handlers.h>
#include <grpcpp/impl/rpc_service_method.h>
#include <grpcpp/server_context.h>

#include <chrono>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "backends.h"
#include "integration/grpc/call_context.h"
#include "integration/grpc/runtime.h"
#include "integration/status/status.h"

namespace integration::gateway {
namespace {

std::string Header(const ::grpc::CallbackServerContext& ctx, std::string_view key) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(::grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

// Every value of `key` joined by ",", in the order sent.
std::string JoinedHeader(const ::grpc::CallbackServerContext& ctx, std::string_view key) {
  std::string out;
  const auto [begin, end] =
      ctx.client_metadata().equal_range(::grpc::string_ref(key.data(), key.size()));
  for (auto it = begin; it != end; ++it) {
    if (!out.empty()) out += ",";
    out.append(it->second.data(), it->second.size());
  }
  return out;
}

}  // namespace

RawUnaryService::RawUnaryService(const google::protobuf::ServiceDescriptor& service,
                                 std::vector<const google::protobuf::MethodDescriptor*> methods,
                                 Handler handler)
    : service_(service), handler_(std::move(handler)) {
  using RawHandler = ::grpc::internal::CallbackUnaryHandler<::grpc::ByteBuffer, ::grpc::ByteBuffer>;
  for (const google::protobuf::MethodDescriptor* m : methods) {
    paths_.push_back(
        std::make_unique<std::string>(absl::StrCat("/", service.full_name(), "/", m->name())));
    auto raw = std::make_unique<RawHandler>(
        [this, m](::grpc::CallbackServerContext* ctx, const ::grpc::ByteBuffer* request,
                  ::grpc::ByteBuffer* response) { return handler_(*m, ctx, request, response); });
    auto method = std::make_unique<::grpc::internal::RpcServiceMethod>(
        paths_.back()->c_str(), ::grpc::internal::RpcMethod::NORMAL_RPC, raw.release());
    method->SetServerApiType(::grpc::internal::RpcServiceMethod::ApiType::RAW_CALL_BACK);
    // ::grpc::Service takes ownership of the raw pointer, as generated code relies on.
    AddMethod(method.release());
  }
}

std::string PeerAddress(std::string_view peer) {
  if (peer.starts_with("ipv4:")) {
    peer.remove_prefix(5);
    const size_t colon = peer.rfind(':');
    return std::string(colon == std::string_view::npos ? peer : peer.substr(0, colon));
  }
  if (peer.starts_with("ipv6:")) {
    peer.remove_prefix(5);
    if (peer.starts_with("[")) {
      const size_t close = peer.find(']');
      if (close != std::string_view::npos) return std::string(peer.substr(1, close - 1));
    }
    return std::string(peer);
  }
  return std::string(peer);
}

GrpcFront::GrpcFront(Dispatcher& dispatcher) : dispatcher_(dispatcher) {
  // Group the exposed methods by service, keeping the dispatcher's order.
  std::vector<const google::protobuf::ServiceDescriptor*> order;
  std::map<const google::protobuf::ServiceDescriptor*,
           std::vector<const google::protobuf::MethodDescriptor*>>
      by_service;
  for (const google::protobuf::MethodDescriptor* m : dispatcher_.Methods()) {
    auto [it, inserted] = by_service.try_emplace(m->service());
    if (inserted) order.push_back(m->service());
    it->second.push_back(m);
  }
  for (const google::protobuf::ServiceDescriptor* s : order) {
    services_.push_back(std::make_unique<RawUnaryService>(
        *s, by_service[s],
        [this](const google::protobuf::MethodDescriptor& m, ::grpc::CallbackServerContext* ctx,
               const ::grpc::ByteBuffer* request,
               ::grpc::ByteBuffer* response) { return Handle(m, ctx, request, response); }));
  }
}

GrpcFront::~GrpcFront() = default;

absl::Status GrpcFront::AddTo(grpc::Runtime& runtime) {
  for (const auto& service : services_) {
    if (absl::Status st = runtime.AddService(service.get(), service->descriptor().full_name());
        !st.ok()) {
      return st;
    }
    for (int i = 0; i < service->descriptor().method_count(); ++i) {
      const google::protobuf::MethodDescriptor* m = service->descriptor().method(i);
      infos_[m] = runtime.FindMethod(*m);
    }
  }
  runtime_ = &runtime;
  return absl::OkStatus();
}

std::vector<std::string> GrpcFront::ServiceNames() const {
  std::vector<std::string> out;
  for (const auto& s : services_) out.push_back(s->descriptor().full_name());
  return out;
}

::grpc::ServerUnaryReactor* GrpcFront::Handle(const google::protobuf::MethodDescriptor& method,
                                              ::grpc::CallbackServerContext* ctx,
                                              const ::grpc::ByteBuffer* request,
                                              ::grpc::ByteBuffer* response) {
  ::grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  const absl::Time start = absl::Now();
  BackendCall call;
  call.method = &method;
  ::grpc::Slice bytes;
  if (request->Valid() && !request->DumpToSingleSlice(&bytes).ok()) {
    reactor->Finish(::grpc::Status(::grpc::StatusCode::INTERNAL, "internal error"));
    return reactor;
  }
  call.request.assign(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
  call.authorization = Header(*ctx, grpc::kAuthorizationHeader);
  call.request_id = Header(*ctx, grpc::kRequestIdHeader);
  // An id a client may not choose is replaced (by the dispatcher) rather than forwarded.
  if (!grpc::IsValidRequestId(call.request_id)) call.request_id.clear();
  call.traceparent = Header(*ctx, grpc::kTraceparentHeader);
  // gRPC reports "no deadline" as the largest time point.
  if (ctx->deadline() != std::chrono::system_clock::time_point::max()) {
    call.deadline = absl::FromChrono(ctx->deadline());
  }
  call.client_address = PeerAddress(ctx->peer());
  call.forwarding.forwarded = JoinedHeader(*ctx, "forwarded");
  call.forwarding.x_forwarded_for = JoinedHeader(*ctx, "x-forwarded-for");

  auto it = infos_.find(&method);
  const grpc::MethodInfo* info = it != infos_.end() ? it->second : nullptr;
  grpc::Runtime* runtime = runtime_;
  dispatcher_.Dispatch(
      std::move(call), [ctx, reactor, response, runtime, info, start](BackendResult result) {
        // Like the services: headers with a success, trailers with a failure, which keeps a
        // failure a "trailers-only" response that clients can retry.
        const bool ok = result.status.ok();
        auto add = [&](const std::string& key, const std::string& value) {
          if (ok) {
            ctx->AddInitialMetadata(key, value);
          } else {
            ctx->AddTrailingMetadata(key, value);
          }
        };
        if (!result.request_id.empty()) add(std::string(grpc::kRequestIdHeader), result.request_id);
        for (const auto& [key, value] : result.headers) add(key, value);
        if (ok) {
          ::grpc::Slice slice(result.response);
          ::grpc::ByteBuffer buffer(&slice, 1);
          response->Swap(&buffer);
        }
        if (runtime != nullptr) {
          runtime->RecordRpc(info, integration::status::CodeName(result.status.error_code()), absl::Now() - start);
        }
        reactor->Finish(result.status);
      });
  return reactor;
}

}  // namespace integration::gateway
