// The gateway's gRPC front: every exposed method under its own service and method name, served
// with raw request and response bytes and handed to the Dispatcher.
#pragma once

#include <google/protobuf/descriptor.h>
#include <grpcpp/impl/service_type.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/server_callback.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "dispatcher.h"

namespace integration::grpc {
class Runtime;
struct MethodInfo;
}  // namespace integration::grpc

namespace integration::gateway {

// A ::grpc::Service whose methods take and return raw bytes: the callback API's "raw" handlers
// that generated code offers per method, assembled at run time from a service descriptor.
// Registered like any generated service (so health, reflection and the Runtime see the real
// service name) without knowing its C++ types. Unary methods only.
class RawUnaryService : public ::grpc::Service {
 public:
  using Handler = std::function<::grpc::ServerUnaryReactor*(
      const google::protobuf::MethodDescriptor& method, ::grpc::CallbackServerContext* context,
      const ::grpc::ByteBuffer* request, ::grpc::ByteBuffer* response)>;

  // `methods` belong to `service` and are unary; each call of one of them runs `handler`.
  RawUnaryService(const google::protobuf::ServiceDescriptor& service,
                  std::vector<const google::protobuf::MethodDescriptor*> methods, Handler handler);

  const google::protobuf::ServiceDescriptor& descriptor() const { return service_; }

 private:
  const google::protobuf::ServiceDescriptor& service_;
  std::vector<std::unique_ptr<std::string>> paths_;  // the method names gRPC keeps pointers to
  Handler handler_;
};

// "ipv4:10.1.2.3:5555" -> "10.1.2.3", "ipv6:[::1]:5555" -> "::1"; other peers unchanged.
std::string PeerAddress(std::string_view peer);

// Serves Dispatcher::Methods() over gRPC. Create before the Runtime it is added to (the
// services must outlive the server) and keep it until the Runtime has been destroyed.
class GrpcFront {
 public:
  explicit GrpcFront(Dispatcher& dispatcher);
  ~GrpcFront();
  GrpcFront(const GrpcFront&) = delete;
  GrpcFront& operator=(const GrpcFront&) = delete;

  // Registers one RawUnaryService per service that has exposed methods (the gateway's own
  // included) on `runtime`, before runtime.Start(). Errors from Runtime::AddService.
  absl::Status AddTo(grpc::Runtime& runtime);

  // Full names of the registered services ("lansstyrelsen.integration.training.v1.
  // TrainingService"), for logs and tests.
  std::vector<std::string> ServiceNames() const;

 private:
  ::grpc::ServerUnaryReactor* Handle(const google::protobuf::MethodDescriptor& method,
                                     ::grpc::CallbackServerContext* context,
                                     const ::grpc::ByteBuffer* request,
                                     ::grpc::ByteBuffer* response);

  Dispatcher& dispatcher_;
  grpc::Runtime* runtime_ = nullptr;
  std::vector<std::unique_ptr<RawUnaryService>> services_;
  absl::flat_hash_map<const google::protobuf::MethodDescriptor*, const grpc::MethodInfo*> infos_;
};

}  // namespace integration::gateway
