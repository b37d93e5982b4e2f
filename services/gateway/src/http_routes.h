// The HTTP route table of the gateway, built from the google.api.http rules (with their
// additional_bindings) of the exposed methods; no hand-written routes.
#pragma once

#include <google/protobuf/descriptor.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "http_rule.h"

namespace integration::gateway {

using FieldPath = std::vector<const google::protobuf::FieldDescriptor*>;

// One HTTP binding of one method, with its field paths resolved against the request and
// response messages.
struct Route {
  const google::protobuf::MethodDescriptor* method = nullptr;
  int binding = 0;          // 0: the rule itself, 1..n: its additional_bindings in order
  std::string http_method;  // "GET", "POST", ... (custom kinds upper-cased)
  PathTemplate path;
  std::string body;                  // "", "*" or the request field path taking the body
  std::string response_body;         // "" or the response field path printed as the body
  std::vector<FieldPath> variables;  // per path template variable: the request field it sets
  FieldPath body_field;              // resolved `body` unless "" or "*" (a message field)
  FieldPath response_field;          // resolved `response_body` (a message field)
  // From the policy's http_content_type: the response's bytes field `data` is served raw with
  // this content type.
  std::string binary_content_type;
  const google::protobuf::FieldDescriptor* binary_data = nullptr;

  bool body_is_whole_request() const { return body == "*"; }
  bool has_body() const { return !body.empty(); }
};

// The outcome of routing one request.
struct RouteMatch {
  // The matching route; null when none matched the method and path.
  const Route* route = nullptr;
  // With route: per variable, the raw (percent-encoded) path segments it covered.
  std::vector<std::vector<std::string_view>> raw_values;
  // Without route: the HTTP methods that would match the path (405 when non-empty, else 404).
  std::vector<std::string> allowed_methods;
};

// Immutable after Build; Match is thread-safe. Movable (routes keep their addresses).
class RouteTable {
 public:
  // The routes of every unary method with a google.api.http rule (others are gRPC only).
  // Errors name the method: an unparsable template, a variable or body naming a field that
  // does not exist or cannot be bound, a binary policy without a bytes `data` field, or two
  // bindings with the same HTTP method matching exactly the same paths.
  static absl::StatusOr<RouteTable> Build(
      const std::vector<const google::protobuf::MethodDescriptor*>& methods);
  // The routes of one method (its rule and additional bindings), validated as in Build.
  static absl::StatusOr<std::vector<Route>> RoutesOf(
      const google::protobuf::MethodDescriptor& method);

  // `path` is the request target's path (no query), raw. Literal segments beat "*", which
  // beats "**", compared from the left; a route with a custom verb beats one without, whose
  // last variable would otherwise take "x:verb" as its value.
  RouteMatch Match(std::string_view http_method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Finds a field by its proto name or its JSON name.
const google::protobuf::FieldDescriptor* FindFieldByAnyName(
    const google::protobuf::Descriptor& message, std::string_view name);
// The dotted proto names of a path, e.g. "part.name".
std::string FieldPathName(const FieldPath& path);

}  // namespace integration::gateway
