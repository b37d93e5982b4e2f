// Writes <file>.adapter.h: per service, the adapter base class that a service implementation
// derives from (CRTP). Each unary RPC becomes a final override that hands the call to
// integration::grpc::Serve with the method's descriptor and Impl::Do<Method>; a server-streaming
// RPC forwards to Impl::Do<Method>(context, request), which returns its reactor. A method of the
// proto without its Do<Method> therefore fails to compile, and no method is found by a
// hand-written name.
#include "adapter_generator.h"

#include <google/protobuf/compiler/code_generator.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/printer.h>
#include <google/protobuf/io/zero_copy_stream.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace integration::adapter_gen {
namespace {

namespace pb = google::protobuf;

std::string StemOf(const std::string& proto_path) {
  return std::string(absl::StripSuffix(proto_path, ".proto"));
}

// "a.b.v1" -> "::a::b::v1".
std::string NamespaceOf(const std::string& package) {
  return package.empty() ? "" : absl::StrCat("::", absl::StrReplaceAll(package, {{".", "::"}}));
}

// The C++ class of a message: its package's namespace and its name within the file, nested
// types joined by '_' as protoc's C++ generator does.
std::string ClassOf(const pb::Descriptor& message) {
  std::string local = message.full_name();
  const std::string& package = message.file()->package();
  if (!package.empty()) local = local.substr(package.size() + 1);
  return absl::StrCat(NamespaceOf(package), "::", absl::StrReplaceAll(local, {{".", "_"}}));
}

void WriteUnary(pb::io::Printer& out, const pb::MethodDescriptor& method, int index) {
  out.Print(
      {{"method", method.name()},
       {"index", absl::StrCat(index)},
       {"request", ClassOf(*method.input_type())},
       {"response", ClassOf(*method.output_type())}},
      R"(  // $method$: Serve() with Impl::Do$method$.
  ::grpc::ServerUnaryReactor* $method$(::grpc::CallbackServerContext* context,
      const $request$* request, $response$* response) final {
    return ::integration::grpc::Serve(runtime_, context, request, response, *Method($index$),
        [this](const ::integration::grpc::CallContext& call, const $request$& req,
               $response$* resp) { return static_cast<Impl*>(this)->Do$method$(call, req, resp); });
  }
)");
}

void WriteServerStreaming(pb::io::Printer& out, const pb::MethodDescriptor& method) {
  out.Print(
      {{"method", method.name()},
       {"request", ClassOf(*method.input_type())},
       {"response", ClassOf(*method.output_type())}},
      R"(  // $method$ (server streaming): the reactor of Impl::Do$method$.
  ::grpc::ServerWriteReactor<$response$>* $method$(::grpc::CallbackServerContext* context,
      const $request$* request) final {
    return static_cast<Impl*>(this)->Do$method$(context, request);
  }
)");
}

bool WriteService(pb::io::Printer& out, const pb::ServiceDescriptor& service, std::string* error) {
  out.Print({{"service", service.name()}, {"full_name", service.full_name()}},
            R"(
// The base of $service$'s implementation:
//
//   class Impl final : public $service$Adapter<Impl> {
//    public:
//     explicit Impl(::integration::grpc::Runtime& runtime) : $service$Adapter(runtime) {}
//    private:
//     friend class $service$Adapter<Impl>;
//     absl::Status Do<Method>(const ::integration::grpc::CallContext& call,
//                             const <Request>& request, <Response>* response);  // one per RPC
//   };
//
// Register it with runtime.AddService<$service$>(&impl).
template <class Impl>
class $service$Adapter : public $service$::CallbackService {
 public:
)");
  for (int i = 0; i < service.method_count(); ++i) {
    const pb::MethodDescriptor& method = *service.method(i);
    if (method.client_streaming()) {
      *error = absl::StrCat(method.full_name(),
                            ": client and bidirectional streaming are not supported by the "
                            "adapter; serve such a method in a service of its own");
      return false;
    }
    if (method.server_streaming()) {
      WriteServerStreaming(out, method);
    } else {
      WriteUnary(out, method, i);
    }
  }
  out.Print({{"service", service.name()}, {"full_name", service.full_name()}},
            R"(
 protected:
  explicit $service$Adapter(::integration::grpc::Runtime& runtime) : runtime_(runtime) {}
  ::integration::grpc::Runtime& runtime() const { return runtime_; }

 private:
  // The compiled descriptor of the index-th method, looked up once.
  static const ::google::protobuf::MethodDescriptor* Method(int index) {
    static const ::google::protobuf::ServiceDescriptor* const service =
        ::google::protobuf::DescriptorPool::generated_pool()->FindServiceByName("$full_name$");
    return service->method(index);
  }

  ::integration::grpc::Runtime& runtime_;
};
)");
  return true;
}

}  // namespace

bool AdapterGenerator::Generate(const pb::FileDescriptor* file, const std::string& /*parameter*/,
                                pb::compiler::GeneratorContext* context,
                                std::string* error) const {
  const std::string stem = StemOf(file->name());
  std::unique_ptr<pb::io::ZeroCopyOutputStream> stream(
      context->Open(absl::StrCat(stem, ".adapter.h")));
  pb::io::Printer out(stream.get(), '$');
  out.Print({{"file", file->name()}},
            "// Service adapters of $file$, generated by protoc-gen-integration. Do not edit.\n"
            "#pragma once\n");
  if (file->service_count() == 0) {
    out.Print("// (this file declares no service)\n");
    return true;
  }
  out.Print({{"stem", stem}}, R"(
#include <google/protobuf/descriptor.h>
#include <grpcpp/support/server_callback.h>

#include "integration/grpc/call_context.h"
#include "integration/grpc/runtime.h"
#include "integration/grpc/serve.h"
#include "$stem$.grpc.pb.h"
)");
  const std::string ns = NamespaceOf(file->package());
  if (!ns.empty()) out.Print({{"ns", ns.substr(2)}}, "\nnamespace $ns$ {\n");
  for (int i = 0; i < file->service_count(); ++i) {
    if (!WriteService(out, *file->service(i), error)) return false;
  }
  if (!ns.empty()) out.Print({{"ns", ns.substr(2)}}, "\n}  // namespace $ns$\n");
  return true;
}

}  // namespace integration::adapter_gen
