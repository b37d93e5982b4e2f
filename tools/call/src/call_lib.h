// integration-call's building blocks: argument parsing, method resolution from the compiled
// descriptors, JSON <-> wire conversion, the generic unary call and error formatting.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/support/status.h>

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"

namespace integration::call {

// Exit codes of the command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRpcError = 1;  // the call was made and failed (any gRPC status)
inline constexpr int kExitUsage = 2;     // bad arguments, unknown method, invalid request JSON

inline constexpr std::string_view kDefaultTarget = "localhost:50050";
// Metadata key carrying --request-id.
inline constexpr std::string_view kRequestIdHeader = "x-request-id";

// What the command line asked for.
struct Options {
  std::string target{kDefaultTarget};
  std::string token;  // sent as "authorization: Bearer <token>" when not empty
  absl::Duration timeout = absl::Seconds(10);
  std::string request_id;
  bool tls = false;
  std::string ca_file;    // PEM roots; the system roots when empty
  std::string cert_file;  // client certificate for mutual TLS
  std::string key_file;
  std::string output;  // write the response's bytes field "data" raw here ("-": stdout)
  bool list = false;
  bool help = false;
  std::string method;               // "package.Service/Method" or "package.Service.Method"
  std::optional<std::string> json;  // request JSON; nullopt or "-" means stdin
};

// Parses argv[1..]. `env_target` is $INTEGRATION_TARGET (empty when unset); --target wins over
// it, and it wins over kDefaultTarget. Errors are INVALID_ARGUMENT with a message for the user.
absl::StatusOr<Options> ParseArgs(const std::vector<std::string>& args,
                                  std::string_view env_target);

// The --help text.
std::string Usage();

// Finds a method in the generated descriptor pool. Accepts "package.Service/Method",
// "/package.Service/Method" and "package.Service.Method". NOT_FOUND names what is missing.
absl::StatusOr<const google::protobuf::MethodDescriptor*> ResolveMethod(std::string_view name);

// Every service method compiled into the binary, sorted by service and method name.
std::vector<const google::protobuf::MethodDescriptor*> AllMethods();
// The --list text: one line per method with its request and response types.
std::string ListMethods();

// Parses proto3 canonical JSON into a message of `type` and returns its wire encoding.
// Unknown fields, wrong types and malformed JSON are INVALID_ARGUMENT naming the problem.
absl::StatusOr<std::string> JsonToWire(const google::protobuf::Descriptor& type,
                                       std::string_view json);
// Decodes a wire-encoded message of `type` and prints it as indented canonical JSON
// (lowerCamelCase names, default-valued fields included), ending in a newline.
absl::StatusOr<std::string> WireToJson(const google::protobuf::Descriptor& type,
                                       std::string_view wire);

// The singular bytes field named "data" of `type` (binary documents carry their content there),
// or FAILED_PRECONDITION when the type has none.
absl::StatusOr<const google::protobuf::FieldDescriptor*> DataField(
    const google::protobuf::Descriptor& type);

// A response split for --output: the raw content of its "data" field, and the JSON of the
// response with "data" cleared.
struct SplitResponse {
  std::string data;
  std::string json;
};
absl::StatusOr<SplitResponse> SplitDataField(const google::protobuf::Descriptor& type,
                                             std::string_view wire);

// A channel to options.target: plaintext, or TLS with the given roots / client certificate.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const Options& options);

// The outcome of one unary call: the gRPC status and, when OK, the wire-encoded response.
struct CallResult {
  grpc::Status status;
  std::string response;
};
// Makes one unary call of `method` with a wire-encoded request, the deadline options.timeout
// from now and the authorization / request id metadata of `options`. Blocks until done.
CallResult Invoke(const std::shared_ptr<grpc::Channel>& channel,
                  const google::protobuf::MethodDescriptor& method, std::string_view request,
                  const Options& options);

// A failed status for a human: "CODE: message", then the google.rpc.ErrorInfo reason, domain
// and metadata, every google.rpc.BadRequest field violation as "field: description", and any
// other detail as JSON. Ends in a newline.
std::string FormatError(const grpc::Status& status);

// Where Run reads and writes; the TTY flags decide whether stdin is read when no JSON is given
// and whether raw bytes may go to stdout.
struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool stdin_is_tty = false;
  bool stdout_is_tty = false;
};

// The whole command for parsed options; returns the exit code.
int Run(const Options& options, Io& io);

}  // namespace integration::call
