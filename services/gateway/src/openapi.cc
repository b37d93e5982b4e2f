// Generates the OpenAPI 3.0.3 document of the HTTP/JSON API from the compiled descriptors.
#include "openapi.h"

#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "http_routes.h"
#include "lansstyrelsen/integration/auth/v1/policy.pb.h"

namespace integration::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;

// Objects keep their keys in insertion order, so the document reads in the order it was built
// (openapi, info, paths, components). Subtrees are built as values and moved into their parent
// once complete: a reference to a member does not survive the insertion of a sibling.
using Json = nlohmann::ordered_json;

Json Strings(const std::vector<std::string>& values) {
  Json array = Json::array();
  for (const std::string& value : values) array.push_back(value);
  return array;
}

Json Ref(absl::string_view where, absl::string_view name) {
  Json ref = Json::object();
  ref["$ref"] = absl::StrCat("#/components/", where, "/", name);
  return ref;
}

Json TypeSchema(std::string type, std::string format = "") {
  Json schema = Json::object();
  schema["type"] = std::move(type);
  if (!format.empty()) schema["format"] = std::move(format);
  return schema;
}

bool IsWrapperType(const Descriptor& type) {
  return type.file()->name() == "google/protobuf/wrappers.proto";
}

// "parts" -> "part", "activities" -> "activity", "kommuner" -> "kommunerId".
std::string Singular(absl::string_view collection) {
  if (absl::EndsWith(collection, "ies") && collection.size() > 3) {
    return absl::StrCat(collection.substr(0, collection.size() - 3), "y");
  }
  if (absl::EndsWith(collection, "s") && collection.size() > 1) {
    return std::string(collection.substr(0, collection.size() - 1));
  }
  return absl::StrCat(collection, "Id");
}

// The HTTP status of each shared error response, with what it means here.
struct ErrorResponseSpec {
  const char* status;
  const char* name;
  const char* description;
};
constexpr ErrorResponseSpec kErrorResponses[] = {
    {"400", "BadRequest",
     "Invalid request: malformed JSON, an unknown field, a value of the wrong type or a rule "
     "of the method broken (google.rpc.Status with ErrorInfo and BadRequest details)."},
    {"401", "Unauthenticated", "Missing, expired or invalid bearer token."},
    {"403", "PermissionDenied", "The caller's role or tenant may not do this."},
    {"404", "NotFound", "The resource does not exist or is not visible to the caller."},
    {"409", "Conflict",
     "The resource exists already, the request id was reused with other content, or the etag "
     "did not match."},
    {"429", "TooManyRequests",
     "Rate limit exceeded; retry after the Retry-After header's seconds."},
    {"503", "Unavailable", "The service behind the gateway is unavailable; retry later."},
};

class Builder {
 public:
  explicit Builder(const OpenApiOptions& options) : options_(options) {}

  absl::StatusOr<std::string> Build(const std::vector<const MethodDescriptor*>& methods) {
    Json doc = Json::object();
    doc["openapi"] = "3.0.3";
    Json info = Json::object();
    info["title"] = options_.title;
    info["version"] = options_.version;
    info["description"] =
        "Generated from the protobuf descriptors the gateway routes by (google.api.http "
        "rules). Bodies are proto3 canonical JSON: lowerCamel names, enums by name, 64-bit "
        "integers as strings, timestamps in RFC 3339; fields holding their default value are "
        "left out of responses. Errors are a google.rpc.Status with ErrorInfo and, for invalid "
        "input, BadRequest details. Requests may carry x-request-id (echoed), traceparent and "
        "x-timeout-ms (deadline).";
    doc["info"] = std::move(info);
    Json server = Json::object();
    server["url"] = options_.server_url;
    doc["servers"] = Json::array();
    doc["servers"].push_back(std::move(server));
    Json security = Json::object();
    security["bearerAuth"] = Json::array();
    doc["security"] = Json::array();
    doc["security"].push_back(std::move(security));
    Json tags = Json::array();
    Json paths = Json::object();

    std::set<std::string> tag_names;
    std::set<std::string> operation_ids;
    for (const MethodDescriptor* method : methods) {
      auto routes = RouteTable::RoutesOf(*method);
      if (!routes.ok()) return routes.status();
      const std::string tag = method->service()->name();
      if (!routes->empty() && tag_names.insert(tag).second) {
        Json entry = Json::object();
        entry["name"] = tag;
        entry["description"] = absl::StrCat("gRPC service ", method->service()->full_name(), ".");
        tags.push_back(std::move(entry));
      }
      for (const Route& route : *routes) {
        const std::string verb = absl::AsciiStrToLower(route.http_method);
        if (verb != "get" && verb != "put" && verb != "post" && verb != "delete" &&
            verb != "patch" && verb != "head" && verb != "options" && verb != "trace") {
          continue;  // a custom kind OpenAPI cannot describe
        }
        std::vector<Json> path_parameters;
        const std::string path = OpenApiPath(route, &path_parameters);
        // Creates the path item as an object (null stays null until a member is set).
        if (paths[path].contains(verb)) {
          return absl::InvalidArgumentError(absl::StrCat("OpenAPI: two operations for ",
                                                         route.http_method, " ", path, " (",
                                                         method->full_name(), ")"));
        }
        std::string operation_id = absl::StrCat(method->service()->name(), "_", method->name());
        if (route.binding > 0) absl::StrAppend(&operation_id, route.binding + 1);
        if (!operation_ids.insert(operation_id).second) {
          absl::StrAppend(&operation_id, "_", method->service()->file()->package());
        }
        Json operation = Operation(route, tag, operation_id, std::move(path_parameters));
        paths[path][verb] = std::move(operation);
      }
    }
    doc["tags"] = std::move(tags);
    doc["paths"] = std::move(paths);

    Json responses;  // null until a response is used, as the schemas
    for (const ErrorResponseSpec& spec : kErrorResponses) {
      if (!used_responses_.contains(spec.name)) continue;
      Json response = Json::object();
      response["description"] = spec.description;
      response["content"]["application/json"]["schema"] = SchemaRef(*status_type_);
      if (std::string_view(spec.status) == "429") {
        Json retry = Json::object();
        retry["description"] = "Seconds to wait before retrying.";
        retry["schema"] = TypeSchema("integer");
        response["headers"]["Retry-After"] = std::move(retry);
      }
      responses[spec.name] = std::move(response);
    }
    // Generating a schema may reference further messages: work through the queue.
    Json schemas;
    while (!queue_.empty()) {
      const Descriptor* type = queue_.front();
      queue_.pop_front();
      Json schema = MessageSchema(*type);
      schemas[type->full_name()] = std::move(schema);
    }
    Json scheme = Json::object();
    scheme["type"] = "http";
    scheme["scheme"] = "bearer";
    scheme["bearerFormat"] = "JWT";
    scheme["description"] = "A JWT (EdDSA or ES256) issued for the suite; its roles decide access.";
    Json components = Json::object();
    components["schemas"] = std::move(schemas);
    components["responses"] = std::move(responses);
    components["securitySchemes"]["bearerAuth"] = std::move(scheme);
    doc["components"] = std::move(components);

    // Descriptor text is UTF-8 (protoc checks it); replacing rather than throwing keeps a
    // stray byte from failing the whole document.
    return doc.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
  }

  void set_status_type(const Descriptor* type) { status_type_ = type; }

 private:
  // "/v1/{name=parts/*/modules/*}:publish" -> "/v1/parts/{part}/modules/{module}:publish".
  std::string OpenApiPath(const Route& route, std::vector<Json>* parameters) {
    const PathTemplate& path = route.path;
    std::vector<std::string> parts;
    std::set<std::string> names;
    std::size_t i = 0;
    while (i < path.segments().size()) {
      const TemplateVariable* variable = nullptr;
      std::size_t index = 0;
      for (const TemplateVariable& v : path.variables()) {
        if (v.begin == i) {
          variable = &v;
          break;
        }
        ++index;
      }
      if (variable == nullptr) {
        const TemplateSegment& segment = path.segments()[i];
        parts.push_back(segment.kind == TemplateSegment::Kind::kLiteral
                            ? segment.literal
                            : AnonymousParameter(route, "segment", &names, parameters));
        ++i;
        continue;
      }
      const FieldPath& field = route.variables[index];
      const std::string field_name = FieldPathName(field);
      const bool whole = variable->end - variable->begin == 1 &&
                         path.segments()[variable->begin].kind != TemplateSegment::Kind::kLiteral;
      for (std::size_t k = variable->begin; k < variable->end; ++k) {
        const TemplateSegment& segment = path.segments()[k];
        if (segment.kind == TemplateSegment::Kind::kLiteral) {
          parts.push_back(segment.literal);
          continue;
        }
        std::string name;
        if (whole) {
          name = field.back()->json_name();
        } else if (k > variable->begin &&
                   path.segments()[k - 1].kind == TemplateSegment::Kind::kLiteral) {
          name = Singular(path.segments()[k - 1].literal);
        } else {
          name = field.back()->json_name();
        }
        name = Unique(name, &names);
        Json parameter = Json::object();
        parameter["name"] = name;
        parameter["in"] = "path";
        parameter["required"] = true;
        if (whole) {
          parameter["description"] = absl::StrCat("Sets the request field `", field_name, "`.");
        } else {
          parameter["description"] = absl::StrCat(
              "One segment of the request field `", field_name, "`, which is `", variable->pattern,
              "` with this segment in place of a `*`",
              segment.kind == TemplateSegment::Kind::kMulti ? " (may contain '/')" : "", ".");
        }
        parameter["schema"] = whole ? FieldSchema(*field.back()) : TypeSchema("string");
        parameter["x-field"] = field_name;
        parameter["x-pattern"] = variable->pattern;
        parameters->push_back(std::move(parameter));
        parts.push_back(absl::StrCat("{", name, "}"));
      }
      i = variable->end;
    }
    std::string result = absl::StrCat("/", absl::StrJoin(parts, "/"));
    if (!path.verb().empty()) absl::StrAppend(&result, ":", path.verb());
    return result;
  }

  // A wildcard outside any variable: matched but not bound to a field.
  std::string AnonymousParameter(const Route&, absl::string_view base, std::set<std::string>* names,
                                 std::vector<Json>* parameters) {
    const std::string name = Unique(std::string(base), names);
    Json parameter = Json::object();
    parameter["name"] = name;
    parameter["in"] = "path";
    parameter["required"] = true;
    parameter["description"] = "Any path segment; not passed to the method.";
    parameter["schema"] = TypeSchema("string");
    parameters->push_back(std::move(parameter));
    return absl::StrCat("{", name, "}");
  }

  static std::string Unique(std::string name, std::set<std::string>* names) {
    std::string candidate = name;
    for (int n = 2; names->contains(candidate); ++n) candidate = absl::StrCat(name, n);
    names->insert(candidate);
    return candidate;
  }

  Json Operation(const Route& route, const std::string& tag, const std::string& operation_id,
                 std::vector<Json> path_parameters) {
    const MethodDescriptor& method = *route.method;
    const auto& policy =
        method.options().GetExtension(lansstyrelsen::integration::auth::v1::policy);
    Json op = Json::object();
    op["operationId"] = operation_id;
    op["summary"] = method.name();
    std::string description =
        absl::StrCat("gRPC method `", method.service()->full_name(), "/", method.name(), "`. ");
    if (policy.public_()) {
      absl::StrAppend(&description, "Public: no token needed.");
    } else if (policy.roles().empty()) {
      absl::StrAppend(&description, "No role may call it.");
    } else {
      absl::StrAppend(&description, "Roles: ", absl::StrJoin(policy.roles(), ", "), ".");
    }
    if (!policy.tenant_field().empty()) {
      absl::StrAppend(&description, " `", policy.tenant_field(),
                      "` must belong to the caller's tenant.");
    }
    op["description"] = description;
    op["tags"] = Strings({tag});

    Json parameters = Json::array();
    for (Json& parameter : path_parameters) parameters.push_back(std::move(parameter));
    if (!route.body_is_whole_request()) {
      std::set<const Descriptor*> visiting;
      AddQueryParameters(route, *method.input_type(), {}, "", &visiting, &parameters);
    }
    if (!parameters.empty()) op["parameters"] = std::move(parameters);

    if (route.has_body()) {
      const bool whole = route.body_is_whole_request();
      Json body = Json::object();
      body["content"]["application/json"]["schema"] =
          whole ? BodySchema(route) : SchemaRef(*route.body_field.back()->message_type());
      if (!whole) body["required"] = true;
      op["requestBody"] = std::move(body);
    }

    Json responses = Json::object();
    Json ok = Json::object();
    ok["description"] = absl::StrCat("The ", method.output_type()->name(), ".");
    if (route.binary_data != nullptr) {
      ok["content"][route.binary_content_type]["schema"] = TypeSchema("string", "binary");
    } else {
      const Descriptor& type = route.response_field.empty()
                                   ? *method.output_type()
                                   : *route.response_field.back()->message_type();
      ok["content"]["application/json"]["schema"] = SchemaRef(type);
    }
    responses["200"] = std::move(ok);
    auto error = [&](absl::string_view status, const char* name) {
      used_responses_.insert(name);
      responses[std::string(status)] = Ref("responses", name);
    };
    error("400", "BadRequest");
    if (!policy.public_()) {
      error("401", "Unauthenticated");
      error("403", "PermissionDenied");
    }
    if (!route.variables.empty()) error("404", "NotFound");
    if (route.http_method != "GET") error("409", "Conflict");
    error("429", "TooManyRequests");
    error("503", "Unavailable");
    op["responses"] = std::move(responses);

    if (policy.public_()) op["security"] = Json::array();
    if (!policy.roles().empty()) {
      op["x-roles"] =
          Strings(std::vector<std::string>(policy.roles().begin(), policy.roles().end()));
    }
    if (policy.cacheable()) op["x-cacheable"] = true;
    return op;
  }

  // The body of a body:"*" route: the request without the fields the path sets.
  Json BodySchema(const Route& route) {
    const Descriptor& type = *route.method->input_type();
    std::set<const FieldDescriptor*> bound;
    for (const FieldPath& path : route.variables) {
      if (path.size() == 1) bound.insert(path.front());
    }
    if (bound.empty()) return SchemaRef(type);
    Json schema = TypeSchema("object");
    Json properties = Json::object();
    for (int i = 0; i < type.field_count(); ++i) {
      const FieldDescriptor* field = type.field(i);
      if (bound.contains(field)) continue;
      properties[field->json_name()] = FieldSchema(*field);
    }
    if (!properties.empty()) schema["properties"] = std::move(properties);
    schema["additionalProperties"] = false;
    return schema;
  }

  void AddQueryParameters(const Route& route, const Descriptor& type, const FieldPath& prefix,
                          const std::string& name_prefix, std::set<const Descriptor*>* visiting,
                          Json* parameters) {
    if (!visiting->insert(&type).second) return;  // recursive message: stop
    for (int i = 0; i < type.field_count(); ++i) {
      const FieldDescriptor* field = type.field(i);
      FieldPath path = prefix;
      path.push_back(field);
      if (route.has_body() && path == route.body_field) continue;
      bool bound = false;
      for (const FieldPath& variable : route.variables) bound = bound || variable == path;
      if (bound || field->is_map()) continue;
      const std::string name = name_prefix + field->json_name();
      const Descriptor* message = field->message_type();
      const bool scalar_like = message == nullptr || IsWrapperType(*message) ||
                               message->full_name() == "google.protobuf.Timestamp" ||
                               message->full_name() == "google.protobuf.Duration" ||
                               message->full_name() == "google.protobuf.FieldMask";
      if (!scalar_like) {
        if (!field->is_repeated() && message->file()->name().rfind("google/protobuf/", 0) != 0) {
          AddQueryParameters(route, *message, path, name + ".", visiting, parameters);
        }
        continue;
      }
      Json parameter = Json::object();
      parameter["name"] = name;
      parameter["in"] = "query";
      parameter["description"] =
          absl::StrCat("Sets `", FieldPathName(path), "`",
                       field->is_repeated() ? "; repeat the parameter for several values." : ".");
      parameter["schema"] = FieldSchema(*field);
      parameters->push_back(std::move(parameter));
    }
    visiting->erase(&type);
  }

  Json SchemaRef(const Descriptor& type) {
    if (std::optional<Json> wkt = WellKnownSchema(type)) return *std::move(wkt);
    if (queued_.insert(&type).second) queue_.push_back(&type);
    return Ref("schemas", type.full_name());
  }

  std::optional<Json> WellKnownSchema(const Descriptor& type) {
    const std::string& name = type.full_name();
    if (name == "google.protobuf.Timestamp") return TypeSchema("string", "date-time");
    if (name == "google.protobuf.Duration") {
      Json schema = TypeSchema("string");
      schema["pattern"] = "^-?[0-9]+(\\.[0-9]{1,9})?s$";
      schema["description"] = "Seconds with an 's' suffix, e.g. \"3.5s\".";
      return schema;
    }
    if (name == "google.protobuf.FieldMask") {
      Json schema = TypeSchema("string");
      schema["description"] =
          "Comma-separated field paths in lowerCamel, e.g. \"title,description\".";
      return schema;
    }
    if (name == "google.protobuf.Any") {
      Json schema = TypeSchema("object");
      schema["properties"]["@type"] = TypeSchema("string");
      schema["required"] = Strings({"@type"});
      schema["additionalProperties"] = true;
      schema["description"] =
          "A message of the type named by @type (type.googleapis.com/<full name>) with its "
          "fields alongside.";
      return schema;
    }
    if (name == "google.protobuf.Struct") {
      Json schema = TypeSchema("object");
      schema["additionalProperties"] = true;
      return schema;
    }
    if (name == "google.protobuf.Value") {
      Json schema = Json::object();
      schema["description"] = "Any JSON value.";
      return schema;
    }
    if (name == "google.protobuf.ListValue") {
      Json schema = TypeSchema("array");
      schema["items"] = Json::object();
      return schema;
    }
    if (name == "google.protobuf.Empty") return TypeSchema("object");
    if (IsWrapperType(type)) {
      Json schema = ValueSchema(*type.FindFieldByName("value"));
      schema["nullable"] = true;
      return schema;
    }
    return std::nullopt;
  }

  Json MessageSchema(const Descriptor& type) {
    Json schema = TypeSchema("object");
    Json properties = Json::object();
    for (int i = 0; i < type.field_count(); ++i) {
      const FieldDescriptor* field = type.field(i);
      properties[field->json_name()] = FieldSchema(*field);
    }
    if (!properties.empty()) schema["properties"] = std::move(properties);
    schema["description"] = absl::StrCat("Protobuf message ", type.full_name(), ".");
    return schema;
  }

  Json FieldSchema(const FieldDescriptor& field) {
    if (field.is_map()) {
      Json schema = TypeSchema("object");
      schema["additionalProperties"] = ValueSchema(*field.message_type()->map_value());
      return schema;
    }
    if (field.is_repeated()) {
      Json schema = TypeSchema("array");
      schema["items"] = ValueSchema(field);
      return schema;
    }
    return ValueSchema(field);
  }

  // The schema of one value of the field (ignoring repetition).
  Json ValueSchema(const FieldDescriptor& field) {
    switch (field.type()) {
      case FieldDescriptor::TYPE_DOUBLE:
        return TypeSchema("number", "double");
      case FieldDescriptor::TYPE_FLOAT:
        return TypeSchema("number", "float");
      case FieldDescriptor::TYPE_INT32:
      case FieldDescriptor::TYPE_SINT32:
      case FieldDescriptor::TYPE_SFIXED32:
        return TypeSchema("integer", "int32");
      case FieldDescriptor::TYPE_UINT32:
      case FieldDescriptor::TYPE_FIXED32: {
        Json schema = TypeSchema("integer", "int64");
        schema["minimum"] = 0;
        schema["maximum"] = 4294967295LL;
        return schema;
      }
      case FieldDescriptor::TYPE_INT64:
      case FieldDescriptor::TYPE_SINT64:
      case FieldDescriptor::TYPE_SFIXED64:
        return TypeSchema("string", "int64");
      case FieldDescriptor::TYPE_UINT64:
      case FieldDescriptor::TYPE_FIXED64:
        return TypeSchema("string", "uint64");
      case FieldDescriptor::TYPE_BOOL:
        return TypeSchema("boolean");
      case FieldDescriptor::TYPE_STRING:
        return TypeSchema("string");
      case FieldDescriptor::TYPE_BYTES:
        return TypeSchema("string", "byte");
      case FieldDescriptor::TYPE_ENUM: {
        if (field.enum_type()->full_name() == "google.protobuf.NullValue") {
          Json schema = Json::object();
          schema["nullable"] = true;
          return schema;
        }
        Json schema = TypeSchema("string");
        std::vector<std::string> names;
        for (int i = 0; i < field.enum_type()->value_count(); ++i) {
          names.push_back(field.enum_type()->value(i)->name());
        }
        schema["enum"] = Strings(names);
        return schema;
      }
      case FieldDescriptor::TYPE_MESSAGE:
      case FieldDescriptor::TYPE_GROUP:
        return SchemaRef(*field.message_type());
    }
    return Json::object();
  }

  const OpenApiOptions& options_;
  const Descriptor* status_type_ = nullptr;
  std::deque<const Descriptor*> queue_;
  std::set<const Descriptor*> queued_;
  std::set<std::string> used_responses_;
};

}  // namespace

absl::StatusOr<std::string> BuildOpenApi(const std::vector<const MethodDescriptor*>& methods,
                                         const OpenApiOptions& options) {
  const Descriptor* status =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          "google.rpc.Status");
  if (status == nullptr) {
    return absl::InternalError("google.rpc.Status is not linked into this binary");
  }
  Builder builder(options);
  builder.set_status_type(status);
  return builder.Build(methods);
}

}  // namespace integration::gateway
