// HTTP/JSON <-> protobuf transcoding of requests, responses and errors for the HTTP front.
#include "transcoder.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "google/rpc/status.pb.h"
#include "integration/status/status.h"
#include "integration/text/utf8.h"

namespace integration::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using integration::text::IsValidUtf8;

absl::Status FieldError(std::string_view reason, absl::string_view raw_field,
                        absl::string_view description) {
  // The field comes from the client (a query parameter's name as sent, raw bytes included):
  // ErrorInfo and BadRequest carry proto strings, which must be UTF-8, or the details would not
  // serialize and the client would get the error without its reason.
  const std::string field = integration::text::ToValidUtf8(ToStd(raw_field));
  return status::Error(absl::StatusCode::kInvalidArgument, reason,
                       absl::StrCat("invalid request: ", field, ": ", description),
                       {{"field", field}}, {{field, std::string(description)}});
}

std::unique_ptr<Message> NewMessage(const Descriptor& type,
                                    google::protobuf::MessageFactory* factory = nullptr) {
  if (factory == nullptr) factory = google::protobuf::MessageFactory::generated_factory();
  const Message* prototype = factory->GetPrototype(&type);
  if (prototype == nullptr) return nullptr;
  return std::unique_ptr<Message>(prototype->New());
}

google::protobuf::util::JsonPrintOptions PrintOptions() {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.always_print_primitive_fields = false;
  options.always_print_enums_as_ints = false;
  options.preserve_proto_field_names = false;
  return options;
}

// Makes protobuf's type names readable: "TYPE_INT32" -> "int32",
// "type.googleapis.com/google.protobuf.Timestamp" -> "google.protobuf.Timestamp".
std::string TidyDescription(absl::string_view text) {
  std::string out = absl::StrReplaceAll(text, {{"type.googleapis.com/", ""}});
  std::size_t pos = 0;
  while ((pos = out.find("TYPE_", pos)) != std::string::npos) {
    std::size_t end = pos + 5;
    while (end < out.size() && (absl::ascii_isupper(out[end]) || absl::ascii_isdigit(out[end]))) {
      ++end;
    }
    std::string name = absl::AsciiStrToLower(out.substr(pos + 5, end - pos - 5));
    out.replace(pos, end - pos, name);
    pos += name.size();
  }
  return out;
}

std::string JoinField(absl::string_view prefix, absl::string_view field) {
  if (prefix.empty()) return std::string(field);
  if (field.empty()) return std::string(prefix);
  return absl::StrCat(prefix, ".", field);
}

// Turns a failure of JsonStringToMessage into the gateway's 400. protobuf (3.21) reports
// "(loc) name: Cannot find field." for unknown fields and "(loc): invalid value ..." for values
// of the wrong type, where loc is the proto field path inside the parsed message; anything else
// is malformed JSON.
absl::Status JsonParseError(absl::string_view message, absl::string_view prefix,
                            absl::string_view body_field) {
  constexpr absl::string_view kUnknown = ": Cannot find field.";
  if (absl::EndsWith(message, kUnknown)) {
    absl::string_view head = message.substr(0, message.size() - kUnknown.size());
    absl::string_view loc;
    if (absl::StartsWith(head, "(")) {
      const std::size_t close = head.find(") ");
      if (close != absl::string_view::npos) {
        loc = head.substr(1, close - 1);
        head = head.substr(close + 2);
      }
    }
    std::string field = JoinField(prefix, JoinField(loc, head));
    return FieldError(kReasonUnknownField, field, "unknown field");
  }
  constexpr absl::string_view kInvalid = "): invalid value ";
  if (absl::StartsWith(message, "(")) {
    const std::size_t close = message.find(kInvalid);
    if (close != absl::string_view::npos) {
      std::string field = JoinField(prefix, message.substr(1, close - 1));
      return FieldError(
          kReasonInvalidFieldValue, field,
          TidyDescription(absl::StrCat("invalid value ", message.substr(close + kInvalid.size()))));
    }
  }
  // The parser's message may span lines (it draws a caret under the offending input).
  absl::string_view first_line = message.substr(0, message.find('\n'));
  return FieldError(kReasonInvalidJson, body_field,
                    absl::StrCat("malformed JSON: ", absl::StripAsciiWhitespace(first_line)));
}

absl::Status ParseJsonInto(absl::string_view json, Message* message, absl::string_view prefix,
                           absl::string_view body_field) {
  if (absl::StripAsciiWhitespace(json).empty()) json = "{}";
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  options.case_insensitive_enum_parsing = false;
  const auto st = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (st.ok()) return absl::OkStatus();
  return JsonParseError(absl::string_view(st.message().data(), st.message().size()), prefix,
                        body_field);
}

bool IsWrapper(const Descriptor& type) {
  static constexpr absl::string_view kWrappers[] = {
      "google.protobuf.DoubleValue", "google.protobuf.FloatValue",  "google.protobuf.Int64Value",
      "google.protobuf.UInt64Value", "google.protobuf.Int32Value",  "google.protobuf.UInt32Value",
      "google.protobuf.BoolValue",   "google.protobuf.StringValue", "google.protobuf.BytesValue"};
  for (absl::string_view name : kWrappers) {
    if (type.full_name() == name) return true;
  }
  return false;
}

// Well-known types whose JSON form is a string, so a query parameter can carry them.
bool IsStringWkt(const Descriptor& type) {
  return type.full_name() == "google.protobuf.Timestamp" ||
         type.full_name() == "google.protobuf.Duration" ||
         type.full_name() == "google.protobuf.FieldMask";
}

// Whether a field can be set from one text value (query parameter or path variable).
bool IsTextSettable(const FieldDescriptor& field) {
  if (field.is_map()) return false;
  if (field.message_type() == nullptr) return true;
  return IsWrapper(*field.message_type()) || IsStringWkt(*field.message_type());
}

template <typename T>
bool ParseInteger(absl::string_view text, T* out) {
  return absl::SimpleAtoi(text, out);
}

bool ParseDouble(absl::string_view text, double* out) {
  if (text == "NaN") {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (text == "Infinity") {
    *out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (text == "-Infinity") {
    *out = -std::numeric_limits<double>::infinity();
    return true;
  }
  // SimpleAtod would accept "inf"/"nan" spellings that proto JSON does not.
  const std::string lower = absl::AsciiStrToLower(text);
  if (absl::StrContains(lower, "inf") || absl::StrContains(lower, "nan")) {
    return false;
  }
  return absl::SimpleAtod(text, out);
}

// Sets (or, for repeated fields, appends) `value` as the value of `field` in `message`.
absl::Status SetFromText(Message* message, const FieldDescriptor* field, absl::string_view value,
                         std::string_view reason, absl::string_view name) {
  const Reflection* reflection = message->GetReflection();
  const bool repeated = field->is_repeated();
  auto bad = [&](absl::string_view what) {
    return FieldError(reason, name, absl::StrCat("\"", value, "\" is not ", what));
  };
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string bytes;
      if (field->type() == FieldDescriptor::TYPE_BYTES) {
        if (!absl::Base64Unescape(value, &bytes) && !absl::WebSafeBase64Unescape(value, &bytes)) {
          return bad("base64");
        }
      } else {
        if (!IsValidUtf8(ToStd(value))) return FieldError(reason, name, "is not valid UTF-8");
        bytes = std::string(value);
      }
      if (repeated) {
        reflection->AddString(message, field, std::move(bytes));
      } else {
        reflection->SetString(message, field, std::move(bytes));
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!ParseInteger(value, &v)) return bad("a 32-bit integer");
      repeated ? reflection->AddInt32(message, field, v) : reflection->SetInt32(message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!ParseInteger(value, &v)) return bad("a 64-bit integer");
      repeated ? reflection->AddInt64(message, field, v) : reflection->SetInt64(message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!ParseInteger(value, &v)) return bad("an unsigned 32-bit integer");
      repeated ? reflection->AddUInt32(message, field, v)
               : reflection->SetUInt32(message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!ParseInteger(value, &v)) return bad("an unsigned 64-bit integer");
      repeated ? reflection->AddUInt64(message, field, v)
               : reflection->SetUInt64(message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double v;
      if (!ParseDouble(value, &v)) return bad("a number");
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
        repeated ? reflection->AddDouble(message, field, v)
                 : reflection->SetDouble(message, field, v);
      } else {
        if (std::isfinite(v) && std::fabs(v) > std::numeric_limits<float>::max()) {
          return bad("a 32-bit float");
        }
        const auto f = static_cast<float>(v);
        repeated ? reflection->AddFloat(message, field, f)
                 : reflection->SetFloat(message, field, f);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (absl::EqualsIgnoreCase(value, "true") || value == "1") {
        v = true;
      } else if (absl::EqualsIgnoreCase(value, "false") || value == "0") {
        v = false;
      } else {
        return bad("true or false");
      }
      repeated ? reflection->AddBool(message, field, v) : reflection->SetBool(message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const google::protobuf::EnumValueDescriptor* enum_value =
          field->enum_type()->FindValueByName(std::string(value));
      int32_t number;
      if (enum_value == nullptr && ParseInteger(value, &number)) {
        enum_value = field->enum_type()->FindValueByNumber(number);
      }
      if (enum_value == nullptr) {
        std::vector<std::string> names;
        for (int i = 0; i < field->enum_type()->value_count(); ++i) {
          names.push_back(field->enum_type()->value(i)->name());
        }
        return bad(absl::StrCat("one of ", absl::StrJoin(names, ", ")));
      }
      repeated ? reflection->AddEnum(message, field, enum_value)
               : reflection->SetEnum(message, field, enum_value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Descriptor& type = *field->message_type();
      if (IsWrapper(type)) {
        Message* wrapper = repeated ? reflection->AddMessage(message, field)
                                    : reflection->MutableMessage(message, field);
        return SetFromText(wrapper, type.FindFieldByName("value"), value, reason, name);
      }
      if (IsStringWkt(type)) {
        std::unique_ptr<Message> parsed = NewMessage(type);
        // The value as a JSON string, for protobuf's JSON parser of the type.
        const std::string json =
            nlohmann::json(ToStd(value))
                .dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
        if (parsed == nullptr ||
            !google::protobuf::util::JsonStringToMessage(json, parsed.get()).ok()) {
          return bad(type.full_name() == "google.protobuf.Timestamp"
                         ? "an RFC 3339 timestamp"
                         : absl::StrCat("a valid ", type.full_name()));
        }
        Message* target = repeated ? reflection->AddMessage(message, field)
                                   : reflection->MutableMessage(message, field);
        target->CopyFrom(*parsed);
        return absl::OkStatus();
      }
      return FieldError(kReasonUnknownField, name,
                        "is a message; set its fields with dotted names instead");
    }
  }
  return FieldError(reason, name, "cannot be set from text");
}

// The message holding the last field of `path`, created along the way.
Message* MutableParent(Message* root, const FieldPath& path) {
  Message* current = root;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    current = current->GetReflection()->MutableMessage(current, path[i]);
  }
  return current;
}

bool IsPrefix(const FieldPath& prefix, const FieldPath& path) {
  return prefix.size() <= path.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

absl::Status ApplyQuery(const Route& route, absl::string_view query, Message* request) {
  std::set<std::string> seen;
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    const std::size_t eq = pair.find('=');
    absl::string_view raw_key = pair.substr(0, eq);
    absl::string_view raw_value = eq == absl::string_view::npos ? "" : pair.substr(eq + 1);
    auto key = PercentDecode(ToStd(raw_key), /*plus_as_space=*/true);
    if (!key.ok() || !IsValidUtf8(*key)) {
      return FieldError(kReasonUnknownField, raw_key, "query parameter name is not well-formed");
    }
    auto value = PercentDecode(ToStd(raw_value), /*plus_as_space=*/true);
    if (!value.ok()) {
      return FieldError(kReasonInvalidFieldValue, *key, "bad percent-encoding in the query value");
    }
    // Resolve the dotted name through singular message fields.
    FieldPath path;
    const Descriptor* type = request->GetDescriptor();
    for (absl::string_view part : absl::StrSplit(*key, '.')) {
      if (type == nullptr ||
          (!path.empty() && (path.back()->is_repeated() || IsTextSettable(*path.back())))) {
        return FieldError(kReasonUnknownField, *key,
                          "unknown query parameter: only singular message fields have "
                          "dotted sub-fields");
      }
      const FieldDescriptor* field = FindFieldByAnyName(*type, ToStd(part));
      if (field == nullptr) {
        return FieldError(kReasonUnknownField, *key,
                          absl::StrCat("unknown query parameter: no field \"", part, "\" in ",
                                       type->full_name()));
      }
      path.push_back(field);
      type = field->message_type();
    }
    const std::string name = FieldPathName(path);
    if (route.body_is_whole_request()) {
      return FieldError(kReasonUnknownField, name,
                        "this method takes every field in the JSON body, not in the query");
    }
    if (route.has_body() && IsPrefix(route.body_field, path)) {
      return FieldError(kReasonUnknownField, name,
                        absl::StrCat("belongs in the JSON body (", route.body, ")"));
    }
    for (const FieldPath& variable : route.variables) {
      if (variable == path) {
        return FieldError(kReasonUnknownField, name, "is set by the URL path");
      }
    }
    const FieldDescriptor* field = path.back();
    if (!IsTextSettable(*field)) {
      return FieldError(kReasonUnknownField, name,
                        field->is_map() ? "a map cannot be set from the query"
                                        : "is a message; set its fields with dotted names");
    }
    if (!field->is_repeated() && !seen.insert(name).second) {
      return FieldError(kReasonInvalidFieldValue, name, "given more than once");
    }
    Message* parent = MutableParent(request, path);
    if (auto st = SetFromText(parent, field, *value, kReasonInvalidFieldValue, name); !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> DecodePathValue(const std::vector<std::string_view>& raw,
                                            absl::string_view name) {
  std::vector<std::string> segments;
  for (std::string_view segment : raw) {
    auto decoded = PercentDecode(segment, /*plus_as_space=*/false);
    if (!decoded.ok()) {
      return FieldError(kReasonInvalidPathVariable, name, "bad percent-encoding in the URL path");
    }
    if (!IsValidUtf8(*decoded)) {
      return FieldError(kReasonInvalidPathVariable, name, "is not valid UTF-8");
    }
    for (char c : *decoded) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '/' || u < 0x20 || u == 0x7f) {
        return FieldError(kReasonInvalidPathVariable, name,
                          "a path segment must not contain '/' or control characters");
      }
    }
    segments.push_back(*std::move(decoded));
  }
  return absl::StrJoin(segments, "/");
}

absl::Status ApplyPathVariables(const Route& route,
                                const std::vector<std::vector<std::string_view>>& raw_values,
                                Message* request) {
  for (std::size_t i = 0; i < route.variables.size() && i < raw_values.size(); ++i) {
    const FieldPath& path = route.variables[i];
    const std::string name = FieldPathName(path);
    auto value = DecodePathValue(raw_values[i], name);
    if (!value.ok()) return value.status();
    Message* parent = MutableParent(request, path);
    const FieldDescriptor* field = path.back();
    const Reflection* reflection = parent->GetReflection();
    if (reflection->HasField(*parent, field)) {
      // The body (or a query parameter) set it too: both must name the same thing, so the
      // service never sees a resource other than the one the URL addresses.
      std::unique_ptr<Message> scratch(parent->New());
      if (auto st = SetFromText(scratch.get(), field, *value, kReasonInvalidPathVariable, name);
          !st.ok()) {
        return st;
      }
      std::string body_text;
      std::string path_text;
      google::protobuf::TextFormat::PrintFieldValueToString(*parent, field, -1, &body_text);
      google::protobuf::TextFormat::PrintFieldValueToString(*scratch, field, -1, &path_text);
      if (body_text != path_text) {
        return FieldError(kReasonInvalidFieldValue, name,
                          absl::StrCat("the body says ", body_text, " but the URL path says ",
                                       path_text, "; leave it out of the body or make them equal"));
      }
    }
    if (auto st = SetFromText(parent, field, *value, kReasonInvalidPathVariable, name); !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string GatewayErrorDomain() { return status::DomainOf("gateway"); }

absl::StatusOr<std::string> TranscodeRequest(
    const Route& route, const std::vector<std::vector<std::string_view>>& raw_path_values,
    std::string_view query, std::string_view body, google::protobuf::MessageFactory* factory) {
  std::unique_ptr<Message> request = NewMessage(*route.method->input_type(), factory);
  if (request == nullptr) {
    return status::Internal(
        absl::StrCat("no generated type for ", route.method->input_type()->full_name()));
  }
  if (route.body_is_whole_request()) {
    if (auto st = ParseJsonInto(ToAbsl(body), request.get(), "", "*"); !st.ok()) return st;
  } else if (route.has_body()) {
    Message* target = request->GetReflection()->MutableMessage(
        MutableParent(request.get(), route.body_field), route.body_field.back());
    if (auto st = ParseJsonInto(ToAbsl(body), target, route.body, route.body); !st.ok()) {
      return st;
    }
  }
  if (auto st = ApplyQuery(route, ToAbsl(query), request.get()); !st.ok()) return st;
  if (auto st = ApplyPathVariables(route, raw_path_values, request.get()); !st.ok()) return st;
  std::string serialized;
  if (!request->SerializeToString(&serialized)) {
    return status::Internal("request serialization failed");
  }
  return serialized;
}

int HttpStatusFromGrpc(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::UNKNOWN:
      return 500;
    case grpc::StatusCode::INVALID_ARGUMENT:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::FAILED_PRECONDITION:
      return 400;
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::INTERNAL:
      return 500;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::DATA_LOSS:
      return 500;
    default:
      return 500;
  }
}

HttpResponse ErrorResponse(const grpc::Status& status) {
  google::rpc::Status rpc;
  if (!status.error_details().empty() && !rpc.ParseFromString(status.error_details())) {
    rpc.Clear();
  }
  rpc.set_code(static_cast<int>(status.error_code()));
  rpc.set_message(status.error_message());
  // Keep only details a client can decode: types this binary knows.
  auto* details = rpc.mutable_details();
  for (int i = details->size() - 1; i >= 0; --i) {
    const std::string& url = details->Get(i).type_url();
    const std::string type_name = url.substr(url.rfind('/') + 1);
    if (google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type_name) ==
        nullptr) {
      details->DeleteSubrange(i, 1);
    }
  }
  HttpResponse response;
  response.status = HttpStatusFromGrpc(status.error_code());
  if (!google::protobuf::util::MessageToJsonString(rpc, &response.body, PrintOptions()).ok()) {
    // A detail that does not parse as its declared type: the code and message still hold.
    rpc.clear_details();
    response.body.clear();
    if (!google::protobuf::util::MessageToJsonString(rpc, &response.body, PrintOptions()).ok()) {
      response.body = absl::StrCat("{\"code\":", rpc.code(), "}");
    }
  }
  return response;
}

HttpResponse ErrorResponse(const absl::Status& status) {
  return ErrorResponse(status::ToGrpc(status, GatewayErrorDomain()));
}

HttpResponse ErrorResponse(int http_status, const absl::Status& status) {
  HttpResponse response = ErrorResponse(status);
  response.status = http_status;
  return response;
}

HttpResponse TranscodeResponse(const Route& route, std::string_view serialized_response,
                               google::protobuf::MessageFactory* factory) {
  std::unique_ptr<Message> response = NewMessage(*route.method->output_type(), factory);
  if (response == nullptr ||
      !response->ParseFromArray(serialized_response.data(),
                                static_cast<int>(serialized_response.size()))) {
    return ErrorResponse(status::Internal(absl::StrCat("response of ", route.method->full_name(),
                                                       " does not parse as ",
                                                       route.method->output_type()->full_name())));
  }
  HttpResponse result;
  if (route.binary_data != nullptr) {
    result.content_type = route.binary_content_type;
    result.body = response->GetReflection()->GetString(*response, route.binary_data);
    return result;
  }
  const Message* target = response.get();
  for (const FieldDescriptor* field : route.response_field) {
    target = &target->GetReflection()->GetMessage(*target, field);
  }
  if (auto st = google::protobuf::util::MessageToJsonString(*target, &result.body, PrintOptions());
      !st.ok()) {
    return ErrorResponse(
        status::Internal(absl::StrCat("response of ", route.method->full_name(),
                                      " cannot be printed as JSON: ", std::string(st.message()))));
  }
  return result;
}

}  // namespace integration::gateway
