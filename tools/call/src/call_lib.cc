// integration-call's building blocks; see call_lib.h. Everything is driven by the descriptors
// compiled into the binary, so a new service proto needs no change here.
#include "call_lib.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/channel_arguments.h>
#include <grpcpp/support/slice.h>
#include <grpcpp/support/stub_options.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <iostream>
#include <iterator>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace integration::call {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;

// A message of any type from any pool. Generated types come from the generated factory (so
// Any fields and well-known types behave exactly as in the services); others are dynamic.
// The factory owns the prototypes, so it must outlive the message: members are destroyed in
// reverse order.
class AnyMessage {
 public:
  explicit AnyMessage(const Descriptor& type) {
    factory_.SetDelegateToGeneratedFactory(true);
    message_.reset(factory_.GetPrototype(&type)->New());
  }
  Message& operator*() { return *message_; }
  Message* operator->() { return message_.get(); }

 private:
  google::protobuf::DynamicMessageFactory factory_;
  std::unique_ptr<Message> message_;
};

// Debian's Abseil has its own string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0), so the public
// std::string_view arguments are converted before they meet Abseil.
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string ToString(google::protobuf::StringPiece piece) {
  return std::string(piece.data(), piece.size());
}

// Canonical proto3 JSON as the services' HTTP mapping shows it.
absl::StatusOr<std::string> PrintJson(const Message& message, bool indent) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = indent;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = false;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot print ", message.GetTypeName(),
                                            " as JSON: ", ToString(status.message())));
  }
  json.erase(std::find_if(json.rbegin(), json.rend(),
                          [](unsigned char c) { return !absl::ascii_isspace(c); })
                 .base(),
             json.end());
  return json;
}

absl::Status ParseWire(std::string_view wire, Message& message) {
  if (!message.ParseFromArray(wire.data(), static_cast<int>(wire.size()))) {
    return absl::DataLossError(absl::StrCat("the response is not a valid ", message.GetTypeName()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(absl::string_view flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", flag, " ", path));
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", flag, " ", path));
  return content;
}

std::string CodeName(grpc::StatusCode code) {
  // grpc::StatusCode and absl::StatusCode share the canonical numbering.
  std::string name = absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  return name.empty() ? absl::StrCat("CODE_", static_cast<int>(code)) : name;
}

// A detail that is neither ErrorInfo nor BadRequest, as "type: {json}" when the type is known.
std::string DescribeDetail(const google::protobuf::Any& any) {
  const absl::string_view url = any.type_url();
  const std::string type_name(url.substr(url.rfind('/') + 1));
  const Descriptor* type = DescriptorPool::generated_pool()->FindMessageTypeByName(type_name);
  if (type == nullptr) return absl::StrCat(url, " (type not compiled in)");
  AnyMessage detail(*type);
  if (!detail->ParseFromString(any.value())) return absl::StrCat(type_name, " (undecodable)");
  absl::StatusOr<std::string> json = PrintJson(*detail, /*indent=*/false);
  return absl::StrCat(type_name, ": ", json.ok() ? *json : "(unprintable)");
}

int UsageError(Io& io, const absl::Status& status) {
  io.err << "integration-call: " << status.message() << "\n";
  return kExitUsage;
}

}  // namespace

absl::StatusOr<Options> ParseArgs(const std::vector<std::string>& args,
                                  std::string_view env_target) {
  Options options;
  if (!env_target.empty()) options.target = std::string(env_target);
  std::string timeout_text;
  const std::pair<absl::string_view, std::string*> string_flags[] = {
      {"--target", &options.target},     {"--token", &options.token},
      {"--timeout", &timeout_text},      {"--request-id", &options.request_id},
      {"--ca-file", &options.ca_file},   {"--cert-file", &options.cert_file},
      {"--key-file", &options.key_file}, {"--output", &options.output},
  };
  const std::pair<absl::string_view, bool*> bool_flags[] = {
      {"--list", &options.list},
      {"--tls", &options.tls},
      {"--help", &options.help},
      {"-h", &options.help},
  };

  std::vector<std::string> positional;
  bool flags_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (flags_ended || arg == "-" || !absl::StartsWith(arg, "-")) {
      positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_ended = true;
      continue;
    }
    std::string name = arg;
    std::optional<std::string> value;
    if (const size_t eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    bool known = false;
    for (const auto& [flag, target] : string_flags) {
      if (name != flag) continue;
      known = true;
      if (!value) {
        if (i + 1 >= args.size()) {
          return absl::InvalidArgumentError(absl::StrCat(flag, " needs a value"));
        }
        value = args[++i];
      }
      *target = *value;
    }
    for (const auto& [flag, target] : bool_flags) {
      if (name != flag) continue;
      known = true;
      if (value) return absl::InvalidArgumentError(absl::StrCat(flag, " takes no value"));
      *target = true;
    }
    if (!known) return absl::InvalidArgumentError(absl::StrCat("unknown flag ", name));
  }

  if (positional.size() > 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("too many arguments: expected METHOD [JSON], got ", positional.size(),
                     " (quote the JSON as one argument)"));
  }
  if (!positional.empty()) options.method = positional[0];
  if (positional.size() == 2) options.json = positional[1];
  if (options.help) return options;
  if (options.method.empty() && !options.list) {
    return absl::InvalidArgumentError("missing METHOD (package.Service/Method); --list shows them");
  }
  if (options.target.empty()) return absl::InvalidArgumentError("--target must not be empty");

  if (!timeout_text.empty()) {
    int64_t seconds = 0;
    // A bare number means seconds, as people type it.
    if (absl::SimpleAtoi(timeout_text, &seconds)) {
      options.timeout = absl::Seconds(seconds);
    } else if (!absl::ParseDuration(timeout_text, &options.timeout)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--timeout ", timeout_text, " is not a duration such as 500ms, 10s or 1m"));
    }
  }
  if (options.timeout <= absl::ZeroDuration() || options.timeout == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError("--timeout must be positive and finite");
  }

  // Accept a token pasted together with its scheme.
  if (absl::StartsWithIgnoreCase(options.token, "Bearer ")) {
    options.token = std::string(absl::StripAsciiWhitespace(options.token.substr(7)));
  }

  if (!options.tls &&
      (!options.ca_file.empty() || !options.cert_file.empty() || !options.key_file.empty())) {
    return absl::InvalidArgumentError("--ca-file, --cert-file and --key-file need --tls");
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return absl::InvalidArgumentError("--cert-file and --key-file go together");
  }
  return options;
}

std::string Usage() {
  return absl::StrCat(
      "usage: integration-call [flags] METHOD [JSON]\n"
      "       integration-call --list\n"
      "\n"
      "Calls one unary RPC of the suite and prints the response as JSON. METHOD is\n"
      "package.Service/Method (or package.Service.Method). JSON is the request in proto3 JSON;\n"
      "it is read from stdin when it is \"-\" or absent (absent with stdin a terminal sends {}).\n"
      "\n"
      "flags:\n"
      "  --target HOST:PORT  server (default: $INTEGRATION_TARGET, else ",
      Sv(kDefaultTarget),
      ")\n"
      "  --token T           send \"authorization: Bearer T\"\n"
      "  --timeout D         deadline of the call, e.g. 500ms, 10s, 1m (default 10s)\n"
      "  --request-id ID     send \"",
      Sv(kRequestIdHeader),
      ": ID\" (retries with the same id return the first result)\n"
      "  --tls               use TLS instead of plaintext\n"
      "  --ca-file F         PEM roots that sign the server certificate (default: system roots)\n"
      "  --cert-file F --key-file F\n"
      "                      client certificate and key for mutual TLS\n"
      "  --output F          write the response's bytes field \"data\" raw to F (\"-\": stdout,\n"
      "                      which must not be a terminal); the rest is printed as JSON\n"
      "  --list              list every method this binary knows\n"
      "  -h, --help          this text\n"
      "\n"
      "exit status: 0 success; 1 the call failed (code, ErrorInfo reason and field violations\n"
      "on stderr); 2 usage error (bad flag, unknown method, invalid request JSON).\n");
}

absl::StatusOr<const MethodDescriptor*> ResolveMethod(std::string_view name) {
  const DescriptorPool& pool = *DescriptorPool::generated_pool();
  absl::string_view spec = absl::StripAsciiWhitespace(Sv(name));
  if (absl::StartsWith(spec, "/")) spec.remove_prefix(1);
  if (spec.empty()) return absl::InvalidArgumentError("missing METHOD (package.Service/Method)");

  absl::string_view service_name;
  absl::string_view method_name;
  if (const size_t slash = spec.rfind('/'); slash != absl::string_view::npos) {
    service_name = spec.substr(0, slash);
    method_name = spec.substr(slash + 1);
  } else {
    if (const MethodDescriptor* method = pool.FindMethodByName(std::string(spec))) return method;
    const size_t dot = spec.rfind('.');
    if (dot == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", spec, "\" is not of the form package.Service/Method"));
    }
    service_name = spec.substr(0, dot);
    method_name = spec.substr(dot + 1);
  }
  if (service_name.empty() || method_name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", spec, "\" is not of the form package.Service/Method"));
  }

  const ServiceDescriptor* service = pool.FindServiceByName(std::string(service_name));
  if (service == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown service \"", service_name,
                                            "\" (--list shows the services compiled in)"));
  }
  if (const MethodDescriptor* method = service->FindMethodByName(std::string(method_name))) {
    return method;
  }
  std::vector<std::string> known;
  for (int i = 0; i < service->method_count(); ++i) known.push_back(service->method(i)->name());
  return absl::NotFoundError(absl::StrCat("service ", service->full_name(), " has no method \"",
                                          method_name, "\"; it has: ", absl::StrJoin(known, ", ")));
}

std::vector<const MethodDescriptor*> AllMethods() {
  // The generated pool builds descriptors lazily, so its files are enumerated through the
  // database that every linked *.pb.cc registered itself in.
  std::vector<std::string> files;
  DescriptorPool::internal_generated_database()->FindAllFileNames(&files);
  std::vector<const MethodDescriptor*> methods;
  for (const std::string& file_name : files) {
    const google::protobuf::FileDescriptor* file =
        DescriptorPool::generated_pool()->FindFileByName(file_name);
    if (file == nullptr) continue;
    for (int s = 0; s < file->service_count(); ++s) {
      const ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) methods.push_back(service->method(m));
    }
  }
  std::sort(methods.begin(), methods.end(), [](const auto* a, const auto* b) {
    return std::pair(a->service()->full_name(), a->name()) <
           std::pair(b->service()->full_name(), b->name());
  });
  return methods;
}

std::string ListMethods() {
  const std::vector<const MethodDescriptor*> methods = AllMethods();
  if (methods.empty()) return "no services are compiled into this binary\n";
  std::string out;
  for (const MethodDescriptor* method : methods) {
    absl::StrAppend(&out, method->service()->full_name(), "/", method->name(), "(",
                    method->client_streaming() ? "stream " : "", method->input_type()->full_name(),
                    ") returns (", method->server_streaming() ? "stream " : "",
                    method->output_type()->full_name(), ")\n");
  }
  return out;
}

absl::StatusOr<std::string> JsonToWire(const Descriptor& type, std::string_view json) {
  absl::string_view text = absl::StripAsciiWhitespace(Sv(json));
  if (text.empty()) text = "{}";  // an empty body is the empty request
  AnyMessage message(type);
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a typo must not silently become a default value
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(text.data(), text.size()), &*message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid request JSON for ", type.full_name(),
                                                   ": ", ToString(status.message())));
  }
  std::string wire;
  if (!message->SerializeToString(&wire)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request is not a complete ", type.full_name()));
  }
  return wire;
}

absl::StatusOr<std::string> WireToJson(const Descriptor& type, std::string_view wire) {
  AnyMessage message(type);
  if (absl::Status parsed = ParseWire(wire, *message); !parsed.ok()) return parsed;
  absl::StatusOr<std::string> json = PrintJson(*message, /*indent=*/true);
  if (!json.ok()) return json.status();
  return absl::StrCat(*json, "\n");
}

absl::StatusOr<const FieldDescriptor*> DataField(const Descriptor& type) {
  const FieldDescriptor* field = type.FindFieldByName("data");
  if (field == nullptr || field->type() != FieldDescriptor::TYPE_BYTES || field->is_repeated()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--output needs a response with a bytes field \"data\"; ", type.full_name(), " has none"));
  }
  return field;
}

absl::StatusOr<SplitResponse> SplitDataField(const Descriptor& type, std::string_view wire) {
  absl::StatusOr<const FieldDescriptor*> field = DataField(type);
  if (!field.ok()) return field.status();
  AnyMessage message(type);
  if (absl::Status parsed = ParseWire(wire, *message); !parsed.ok()) return parsed;
  SplitResponse split;
  split.data = message->GetReflection()->GetString(*message, *field);
  message->GetReflection()->ClearField(&*message, *field);
  absl::StatusOr<std::string> json = PrintJson(*message, /*indent=*/true);
  if (!json.ok()) return json.status();
  split.json = absl::StrCat(*json, "\n");
  return split;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(const Options& options) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.tls) {
    grpc::SslCredentialsOptions ssl;
    if (!options.ca_file.empty()) {
      absl::StatusOr<std::string> roots = ReadFile("--ca-file", options.ca_file);
      if (!roots.ok()) return roots.status();
      ssl.pem_root_certs = *std::move(roots);
    }
    if (!options.cert_file.empty()) {
      absl::StatusOr<std::string> chain = ReadFile("--cert-file", options.cert_file);
      if (!chain.ok()) return chain.status();
      absl::StatusOr<std::string> key = ReadFile("--key-file", options.key_file);
      if (!key.ok()) return key.status();
      ssl.pem_cert_chain = *std::move(chain);
      ssl.pem_private_key = *std::move(key);
    }
    credentials = grpc::SslCredentials(ssl);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  grpc::ChannelArguments arguments;
  // Documents (PDF diplomas, decisions) may exceed gRPC's 4 MiB default; the server bounds them.
  arguments.SetMaxReceiveMessageSize(-1);
  return grpc::CreateCustomChannel(options.target, credentials, arguments);
}

CallResult Invoke(const std::shared_ptr<grpc::Channel>& channel, const MethodDescriptor& method,
                  std::string_view request, const Options& options) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::time_point_cast<std::chrono::system_clock::duration>(
      std::chrono::system_clock::now() + absl::ToChronoNanoseconds(options.timeout)));
  if (!options.token.empty()) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", options.token));
  }
  if (!options.request_id.empty()) {
    context.AddMetadata(std::string(kRequestIdHeader), options.request_id);
  }

  grpc::Slice slice(request.data(), request.size());
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  std::promise<grpc::Status> done;
  std::future<grpc::Status> finished = done.get_future();
  grpc::GenericStub stub(channel);
  stub.UnaryCall(&context, absl::StrCat("/", method.service()->full_name(), "/", method.name()),
                 grpc::StubOptions(), &request_buffer, &response_buffer,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });

  CallResult result;
  result.status = finished.get();
  if (!result.status.ok()) return result;
  std::vector<grpc::Slice> slices;
  if (grpc::Status dumped = response_buffer.Dump(&slices); !dumped.ok()) {
    result.status = dumped;
    return result;
  }
  for (const grpc::Slice& part : slices) {
    result.response.append(reinterpret_cast<const char*>(part.begin()), part.size());
  }
  return result;
}

std::string FormatError(const grpc::Status& status) {
  std::string out = CodeName(status.error_code());
  if (!status.error_message().empty()) absl::StrAppend(&out, ": ", status.error_message());
  out += "\n";
  if (status.error_details().empty()) return out;

  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) {
    absl::StrAppend(&out, "  details: not a google.rpc.Status (", status.error_details().size(),
                    " bytes)\n");
    return out;
  }
  for (const google::protobuf::Any& any : details.details()) {
    if (any.Is<google::rpc::ErrorInfo>()) {
      google::rpc::ErrorInfo info;
      if (!any.UnpackTo(&info)) {
        out += "  ErrorInfo: (undecodable)\n";
        continue;
      }
      absl::StrAppend(&out, "  reason: ", info.reason(), "\n");
      if (!info.domain().empty()) absl::StrAppend(&out, "  domain: ", info.domain(), "\n");
      if (!info.metadata().empty()) {
        // Map order is unspecified; sorted output is stable for people and tests.
        std::vector<std::pair<std::string, std::string>> entries(info.metadata().begin(),
                                                                 info.metadata().end());
        std::sort(entries.begin(), entries.end());
        out += "  metadata:\n";
        for (const auto& [key, value] : entries)
          absl::StrAppend(&out, "    ", key, ": ", value, "\n");
      }
    } else if (any.Is<google::rpc::BadRequest>()) {
      google::rpc::BadRequest bad_request;
      if (!any.UnpackTo(&bad_request)) {
        out += "  BadRequest: (undecodable)\n";
        continue;
      }
      out += "  field violations:\n";
      for (const auto& violation : bad_request.field_violations()) {
        absl::StrAppend(&out, "    ", violation.field(), ": ", violation.description(), "\n");
      }
    } else {
      absl::StrAppend(&out, "  ", DescribeDetail(any), "\n");
    }
  }
  return out;
}

int Run(const Options& options, Io& io) {
  if (options.help) {
    io.out << Usage();
    return kExitOk;
  }
  if (options.list) {
    io.out << ListMethods();
    return kExitOk;
  }

  absl::StatusOr<const MethodDescriptor*> resolved = ResolveMethod(options.method);
  if (!resolved.ok()) return UsageError(io, resolved.status());
  const MethodDescriptor& method = **resolved;
  if (method.client_streaming() || method.server_streaming()) {
    return UsageError(io,
                      absl::InvalidArgumentError(absl::StrCat(
                          method.full_name(), " is streaming; only unary methods can be called")));
  }
  if (!options.output.empty()) {
    if (auto field = DataField(*method.output_type()); !field.ok()) {
      return UsageError(io, field.status());
    }
    if (options.output == "-" && io.stdout_is_tty) {
      return UsageError(io, absl::InvalidArgumentError(
                                "not writing binary data to a terminal; redirect stdout or "
                                "give --output FILE"));
    }
  }

  std::string json;
  if (options.json.has_value() && *options.json != "-") {
    json = *options.json;
  } else if (!options.json.has_value() && io.stdin_is_tty) {
    json = "{}";  // nobody is going to type a request into a bare prompt
  } else {
    json.assign(std::istreambuf_iterator<char>(io.in), std::istreambuf_iterator<char>());
  }
  absl::StatusOr<std::string> request = JsonToWire(*method.input_type(), json);
  if (!request.ok()) return UsageError(io, request.status());

  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeChannel(options);
  if (!channel.ok()) return UsageError(io, channel.status());

  const CallResult result = Invoke(*channel, method, *request, options);
  if (!result.status.ok()) {
    io.err << FormatError(result.status);
    return kExitRpcError;
  }

  if (options.output.empty()) {
    absl::StatusOr<std::string> text = WireToJson(*method.output_type(), result.response);
    if (!text.ok()) {
      io.err << "integration-call: " << text.status().message() << "\n";
      return kExitRpcError;
    }
    io.out << *text;
    return kExitOk;
  }

  absl::StatusOr<SplitResponse> split = SplitDataField(*method.output_type(), result.response);
  if (!split.ok()) {
    io.err << "integration-call: " << split.status().message() << "\n";
    return kExitRpcError;
  }
  if (options.output == "-") {
    io.out.write(split->data.data(), static_cast<std::streamsize>(split->data.size()));
    io.out.flush();
    return kExitOk;
  }
  std::ofstream file(options.output, std::ios::binary | std::ios::trunc);
  file.write(split->data.data(), static_cast<std::streamsize>(split->data.size()));
  file.close();
  if (!file) {
    io.err << "integration-call: cannot write --output " << options.output << "\n";
    return kExitRpcError;
  }
  io.err << "integration-call: wrote " << split->data.size() << " bytes of data to "
         << options.output << "\n";
  io.out << split->json;
  return kExitOk;
}

}  // namespace integration::call
