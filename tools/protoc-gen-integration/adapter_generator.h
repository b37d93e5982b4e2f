// The code generator behind protoc-gen-integration: for every service of a .proto file, a class
// template <Service>Adapter<Impl> whose overrides serve each RPC through integration::grpc::Serve
// with Impl::Do<Method>.
#pragma once

#include <google/protobuf/compiler/code_generator.h>

#include <string>

namespace integration::adapter_gen {

class AdapterGenerator final : public google::protobuf::compiler::CodeGenerator {
 public:
  // Writes <file stem>.adapter.h for every file, also those without services (then it only
  // says so), so that a build system can name the output of each .proto in advance.
  bool Generate(const google::protobuf::FileDescriptor* file, const std::string& parameter,
                google::protobuf::compiler::GeneratorContext* context,
                std::string* error) const override;
};

}  // namespace integration::adapter_gen
