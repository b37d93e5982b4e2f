// Keeps `grpc::X` meaning gRPC's X inside namespace integration, where this concern's
// namespace integration::grpc would otherwise hide ::grpc (e.g. status.h's grpc::Status).
// Every header of the concern includes it before opening that namespace. New code should
// still write `::grpc::`.
#pragma once

#include <grpcpp/support/status.h>

namespace grpc {
class Channel;
class ChannelCredentials;
class ClientContext;
class CallbackServerContext;
class Server;
class ServerBuilder;
class ServerContext;
class ServerCredentials;
class Service;
class ServerUnaryReactor;
template <class Response>
class ServerWriteReactor;
template <class Request>
class ServerReadReactor;
template <class Request, class Response>
class ServerBidiReactor;
}  // namespace grpc

namespace integration::grpc {
using ::grpc::CallbackServerContext;
using ::grpc::Channel;
using ::grpc::ChannelCredentials;
using ::grpc::ClientContext;
using ::grpc::Server;
using ::grpc::ServerBidiReactor;
using ::grpc::ServerBuilder;
using ::grpc::ServerContext;
using ::grpc::ServerCredentials;
using ::grpc::ServerReadReactor;
using ::grpc::ServerUnaryReactor;
using ::grpc::ServerWriteReactor;
using ::grpc::Service;
using ::grpc::Status;
using ::grpc::StatusCode;
}  // namespace integration::grpc
