// OpenAPI 3.0.3 description of the HTTP/JSON API, generated from the same descriptors (http
// rules, access policies, message types) the HTTP front routes by.
#pragma once

#include <google/protobuf/descriptor.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace integration::gateway {

struct OpenApiOptions {
  std::string title = "Länsstyrelsen integration API";
  std::string version = "v1";
  // The "servers" entry; "/" means the origin the document was fetched from.
  std::string server_url = "/";
};

// The document as compact JSON. Path templates are written out as OpenAPI paths: literal
// segments of a variable's pattern stay literal and each "*" becomes a required path
// parameter, so "/v1/{name=parts/*/modules/*}" is "/v1/parts/{part}/modules/{module}" (two
// methods with "/v1/{name=...}" rules would otherwise share one OpenAPI path); the parameter
// carries the request field and its pattern in x-field and x-pattern. Errors: the same as
// RouteTable::Build for a bad rule.
absl::StatusOr<std::string> BuildOpenApi(
    const std::vector<const google::protobuf::MethodDescriptor*>& methods,
    const OpenApiOptions& options = {});

}  // namespace integration::gateway
