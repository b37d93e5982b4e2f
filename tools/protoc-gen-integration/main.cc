// protoc-gen-integration: protoc runs it with --integration_out=<dir> (see AdapterGenerator).
#include <google/protobuf/compiler/plugin.h>

#include "adapter_generator.h"

int main(int argc, char* argv[]) {
  integration::adapter_gen::AdapterGenerator generator;
  return google::protobuf::compiler::PluginMain(argc, argv, &generator);
}
