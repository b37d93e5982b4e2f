// Builds the route table from the google.api.http rules in the descriptors and routes requests.
#include "http_routes.h"

#include <algorithm>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/api/annotations.pb.h"
#include "google/api/http.pb.h"
#include "lansstyrelsen/integration/auth/v1/policy.pb.h"

namespace integration::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;

absl::Status MethodError(const MethodDescriptor& method, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("http rule of ", method.full_name(), ": ", what));
}

// Resolves a dotted path through singular message fields of `message`.
absl::StatusOr<FieldPath> ResolvePath(const Descriptor& message,
                                      const std::vector<std::string>& names) {
  FieldPath path;
  const Descriptor* current = &message;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (current == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(absl::StrJoin(names, "."), ": ", names[i - 1], " is not a message"));
    }
    const FieldDescriptor* field = current->FindFieldByName(names[i]);
    if (field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(absl::StrJoin(names, "."), ": no field ",
                                                     names[i], " in ", current->full_name()));
    }
    if (i + 1 < names.size() && (field->is_repeated() || field->message_type() == nullptr)) {
      return absl::InvalidArgumentError(absl::StrCat(absl::StrJoin(names, "."), ": ", names[i],
                                                     " is not a singular message field"));
    }
    path.push_back(field);
    current = field->message_type();
  }
  return path;
}

bool IsBindableScalar(const FieldDescriptor& field) {
  if (field.is_repeated()) return false;
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return field.type() == FieldDescriptor::TYPE_STRING;
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
    case FieldDescriptor::CPPTYPE_BOOL:
    case FieldDescriptor::CPPTYPE_ENUM:
      return true;
    default:
      return false;
  }
}

// Ranks a route for a request it matched: lower is more specific.
std::vector<int> Specificity(const Route& route) {
  std::vector<int> rank;
  for (const TemplateSegment& segment : route.path.segments()) {
    rank.push_back(static_cast<int>(segment.kind));  // literal 0 < single 1 < multi 2
  }
  // Shorter templates that matched used "**" for the rest: after all segment ranks compare
  // equal, a verb decides.
  rank.push_back(route.path.verb().empty() ? 1 : 0);
  return rank;
}

absl::StatusOr<Route> MakeRoute(const MethodDescriptor& method, const google::api::HttpRule& rule,
                                int binding) {
  Route route;
  route.method = &method;
  route.binding = binding;
  std::string pattern;
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      route.http_method = "GET";
      pattern = rule.get();
      break;
    case google::api::HttpRule::kPut:
      route.http_method = "PUT";
      pattern = rule.put();
      break;
    case google::api::HttpRule::kPost:
      route.http_method = "POST";
      pattern = rule.post();
      break;
    case google::api::HttpRule::kDelete:
      route.http_method = "DELETE";
      pattern = rule.delete_();
      break;
    case google::api::HttpRule::kPatch:
      route.http_method = "PATCH";
      pattern = rule.patch();
      break;
    case google::api::HttpRule::kCustom:
      route.http_method = absl::AsciiStrToUpper(rule.custom().kind());
      pattern = rule.custom().path();
      if (route.http_method.empty()) return MethodError(method, "custom rule without a kind");
      break;
    case google::api::HttpRule::PATTERN_NOT_SET:
      return MethodError(method, "no HTTP method and path");
  }
  auto path = PathTemplate::Parse(pattern);
  if (!path.ok()) return MethodError(method, path.status().message());
  route.path = *std::move(path);

  const Descriptor& request = *method.input_type();
  for (const TemplateVariable& variable : route.path.variables()) {
    auto field = ResolvePath(request, variable.field_path);
    if (!field.ok()) return MethodError(method, field.status().message());
    if (!IsBindableScalar(*field->back())) {
      return MethodError(method, absl::StrCat("path variable ", variable.FieldPathString(),
                                              " must be a singular string, integer, bool or "
                                              "enum field"));
    }
    route.variables.push_back(*std::move(field));
  }

  route.body = rule.body();
  if (route.has_body() && !route.body_is_whole_request()) {
    auto field = ResolvePath(request, absl::StrSplit(route.body, '.'));
    if (!field.ok()) return MethodError(method, absl::StrCat("body: ", field.status().message()));
    const FieldDescriptor& last = *field->back();
    if (last.is_repeated() || last.message_type() == nullptr) {
      return MethodError(method,
                         absl::StrCat("body ", route.body, " must be a singular message field"));
    }
    route.body_field = *std::move(field);
  }

  route.response_body = rule.response_body();
  if (!route.response_body.empty()) {
    auto field = ResolvePath(*method.output_type(), absl::StrSplit(route.response_body, '.'));
    if (!field.ok()) {
      return MethodError(method, absl::StrCat("response_body: ", field.status().message()));
    }
    const FieldDescriptor& last = *field->back();
    if (last.is_repeated() || last.message_type() == nullptr) {
      return MethodError(method, absl::StrCat("response_body ", route.response_body,
                                              " must be a singular message field"));
    }
    route.response_field = *std::move(field);
  }

  const auto& policy = method.options().GetExtension(lansstyrelsen::integration::auth::v1::policy);
  if (!policy.http_content_type().empty()) {
    const FieldDescriptor* data = method.output_type()->FindFieldByName("data");
    if (data == nullptr || data->is_repeated() || data->type() != FieldDescriptor::TYPE_BYTES) {
      return MethodError(method, absl::StrCat("http_content_type ", policy.http_content_type(),
                                              " needs a bytes field `data` in ",
                                              method.output_type()->full_name()));
    }
    route.binary_content_type = policy.http_content_type();
    route.binary_data = data;
  }
  return route;
}

}  // namespace

const FieldDescriptor* FindFieldByAnyName(const Descriptor& message, std::string_view name) {
  for (int i = 0; i < message.field_count(); ++i) {
    const FieldDescriptor* field = message.field(i);
    if (field->name() == name || field->json_name() == name) return field;
  }
  return nullptr;
}

std::string FieldPathName(const FieldPath& path) {
  return absl::StrJoin(path, ".", [](std::string* out, const FieldDescriptor* field) {
    out->append(field->name());
  });
}

absl::StatusOr<std::vector<Route>> RouteTable::RoutesOf(const MethodDescriptor& method) {
  std::vector<Route> routes;
  if (method.client_streaming() || method.server_streaming()) return routes;
  if (!method.options().HasExtension(google::api::http)) return routes;
  const google::api::HttpRule& rule = method.options().GetExtension(google::api::http);
  auto main = MakeRoute(method, rule, 0);
  if (!main.ok()) return main.status();
  routes.push_back(*std::move(main));
  for (int i = 0; i < rule.additional_bindings_size(); ++i) {
    const google::api::HttpRule& extra = rule.additional_bindings(i);
    if (extra.additional_bindings_size() > 0) {
      return MethodError(method, "additional_bindings must not nest");
    }
    auto route = MakeRoute(method, extra, i + 1);
    if (!route.ok()) return route.status();
    routes.push_back(*std::move(route));
  }
  return routes;
}

absl::StatusOr<RouteTable> RouteTable::Build(const std::vector<const MethodDescriptor*>& methods) {
  RouteTable table;
  for (const MethodDescriptor* method : methods) {
    auto routes = RoutesOf(*method);
    if (!routes.ok()) return routes.status();
    for (Route& route : *routes) {
      for (const Route& other : table.routes_) {
        if (other.http_method == route.http_method && other.path.SameShape(route.path)) {
          return absl::InvalidArgumentError(absl::StrCat(
              "conflicting http rules: ", route.http_method, " ", route.path.text(), " of ",
              method->full_name(), " and ", other.http_method, " ", other.path.text(), " of ",
              other.method->full_name(), " match the same paths"));
        }
      }
      table.routes_.push_back(std::move(route));
    }
  }
  return table;
}

RouteMatch RouteTable::Match(std::string_view http_method, std::string_view path) const {
  RouteMatch result;
  if (path.empty() || path.front() != '/') return result;
  std::vector<std::string_view> segments;
  for (absl::string_view segment : absl::StrSplit(ToAbsl(path.substr(1)), '/')) {
    segments.push_back(ToStd(segment));
  }

  // Two readings of the last segment "x:verb": a custom verb, or part of the value.
  std::optional<std::vector<std::string_view>> verb_segments;
  std::string_view verb;
  if (const std::size_t colon = segments.back().rfind(':'); colon != std::string_view::npos) {
    verb_segments = segments;
    verb = segments.back().substr(colon + 1);
    verb_segments->back() = segments.back().substr(0, colon);
  }

  std::vector<int> best_rank;
  std::vector<std::vector<std::string_view>> values;
  for (const Route& route : routes_) {
    const bool matched =
        route.path.Match(segments, "", &values) ||
        (verb_segments.has_value() && route.path.Match(*verb_segments, verb, &values));
    if (!matched) continue;
    if (route.http_method != http_method) {
      if (std::find(result.allowed_methods.begin(), result.allowed_methods.end(),
                    route.http_method) == result.allowed_methods.end()) {
        result.allowed_methods.push_back(route.http_method);
      }
      continue;
    }
    std::vector<int> rank = Specificity(route);
    if (result.route == nullptr || rank < best_rank) {
      result.route = &route;
      result.raw_values = values;
      best_rank = std::move(rank);
    }
  }
  if (result.route != nullptr) {
    result.allowed_methods.clear();
  } else {
    std::sort(result.allowed_methods.begin(), result.allowed_methods.end());
  }
  return result;
}

}  // namespace integration::gateway
