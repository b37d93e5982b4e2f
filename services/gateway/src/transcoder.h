// HTTP/JSON <-> protobuf for the HTTP front: builds the request message from path variables,
// JSON body and query parameters; prints responses and errors (google.rpc.Status) as JSON.
//
// JSON is proto3 canonical JSON both ways. Responses use lowerCamel names, enums by name, int64
// as strings and omit fields that hold their default value (as the canonical mapping does), so
// a client treats a missing field as its default. Requests accept lowerCamel and proto names.
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "http_routes.h"

namespace integration::gateway {

// ErrorInfo reasons of the 400s the transcoder itself produces (domain
// "gateway.integration.lansstyrelsen.se"); each comes with a BadRequest field violation naming
// the field (proto field path, e.g. "part.position", "answers[1].option_ids[0]").
inline constexpr std::string_view kReasonInvalidJson = "INVALID_JSON";
inline constexpr std::string_view kReasonUnknownField = "UNKNOWN_FIELD";
inline constexpr std::string_view kReasonInvalidFieldValue = "INVALID_FIELD_VALUE";
inline constexpr std::string_view kReasonInvalidPathVariable = "INVALID_PATH_VARIABLE";

// The error domain of errors made by the gateway itself.
std::string GatewayErrorDomain();

// Builds the serialized request message of `route`: first the JSON body (body "*": the whole
// request; body "field": that field; no body: none is read), then the query parameters (every
// field not bound by the path or the body; dotted names for nested fields, repeated fields by
// repeating the parameter, enums by name or number, bools as true/false), then the path
// variables. A body or query value for a path-bound field must be empty or equal to the path's.
// Errors are INVALID_ARGUMENT statuses with ErrorInfo and BadRequest payloads
// (integration::status), ready for ErrorResponse.
// `factory` makes the request message; null means the generated factory (the methods of the
// gateway come from the generated pool; tests pass a DynamicMessageFactory for their own).
absl::StatusOr<std::string> TranscodeRequest(
    const Route& route, const std::vector<std::vector<std::string_view>>& raw_path_values,
    std::string_view query, std::string_view body,
    google::protobuf::MessageFactory* factory = nullptr);

// An HTTP response ready to send.
struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// The successful response: JSON of the response message (or of its response_body field), or
// the raw bytes of `data` for binary routes. A response that does not parse is a 500.
HttpResponse TranscodeResponse(const Route& route, std::string_view serialized_response,
                               google::protobuf::MessageFactory* factory = nullptr);

// The HTTP status for a gRPC code, as grpc-gateway maps it (CANCELLED 499, ...).
int HttpStatusFromGrpc(grpc::StatusCode code);

// A JSON google.rpc.Status body: code and message from `status`, details from its
// error_details (a serialized google.rpc.Status, as the services send it); details whose type
// is not in the generated descriptor pool are dropped rather than failing the response.
HttpResponse ErrorResponse(const grpc::Status& status);
// Same for an error made in the gateway (payloads as in integration::status).
HttpResponse ErrorResponse(const absl::Status& status);
// Same with an explicit HTTP status (413, 431, 405, ...) for errors of the HTTP layer.
HttpResponse ErrorResponse(int http_status, const absl::Status& status);

}  // namespace integration::gateway
