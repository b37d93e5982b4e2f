// absl::Status with google.rpc error details, and its one mapping to and from grpc::Status.
#include "integration/status/status.h"

#include <string>
#include <utility>

#include "absl/strings/cord.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/status.pb.h"
#include "integration/log/log.h"

namespace integration::status {
namespace {

constexpr std::string_view kErrorInfoUrl = "type.googleapis.com/google.rpc.ErrorInfo";
constexpr std::string_view kBadRequestUrl = "type.googleapis.com/google.rpc.BadRequest";
constexpr std::string_view kInternalMessage = "internal error";
constexpr std::string_view kInternalReason = "INTERNAL";

// Debian's Abseil has its own string_view type, distinct from std::string_view.
absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }
std::string_view Sv(absl::string_view s) { return std::string_view(s.data(), s.size()); }

// The canonical upper-case code name, as used in google.rpc.Code ("NOT_FOUND").
std::string_view CodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return "OK";
    case absl::StatusCode::kCancelled:
      return "CANCELLED";
    case absl::StatusCode::kUnknown:
      return "UNKNOWN";
    case absl::StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case absl::StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case absl::StatusCode::kNotFound:
      return "NOT_FOUND";
    case absl::StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case absl::StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case absl::StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case absl::StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case absl::StatusCode::kAborted:
      return "ABORTED";
    case absl::StatusCode::kOutOfRange:
      return "OUT_OF_RANGE";
    case absl::StatusCode::kUnimplemented:
      return "UNIMPLEMENTED";
    case absl::StatusCode::kInternal:
      return "INTERNAL";
    case absl::StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case absl::StatusCode::kDataLoss:
      return "DATA_LOSS";
    case absl::StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

// Codes whose message may carry internals (SQL, hosts, stack details) and is never sent.
bool HidesDetails(absl::StatusCode code) {
  int value = static_cast<int>(code);
  return code == absl::StatusCode::kInternal || code == absl::StatusCode::kUnknown ||
         code == absl::StatusCode::kDataLoss || value < 0 ||
         value > static_cast<int>(absl::StatusCode::kUnauthenticated);
}

template <typename Message>
std::optional<Message> ParsePayload(const absl::Status& status, std::string_view url) {
  absl::optional<absl::Cord> payload = status.GetPayload(Av(url));
  if (!payload.has_value()) return std::nullopt;
  Message message;
  if (!message.ParseFromString(std::string(*payload))) return std::nullopt;
  return message;
}

void SetPayload(absl::Status& status, std::string_view url,
                const google::protobuf::MessageLite& message) {
  status.SetPayload(Av(url), absl::Cord(message.SerializeAsString()));
}

void AddDetail(google::rpc::Status& rpc, std::string_view url, std::string value) {
  google::protobuf::Any* any = rpc.add_details();
  any->set_type_url(std::string(url));
  any->set_value(std::move(value));
}

}  // namespace

absl::Status Error(absl::StatusCode code, std::string_view reason, std::string_view message,
                   Metadata metadata, std::vector<FieldViolation> violations) {
  if (code == absl::StatusCode::kOk) return absl::OkStatus();
  absl::Status status(code, Av(message));
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason.empty() ? CodeName(code) : reason));
  for (auto& [key, value] : metadata) (*info.mutable_metadata())[key] = std::move(value);
  SetPayload(status, kErrorInfoUrl, info);
  if (!violations.empty()) {
    google::rpc::BadRequest bad_request;
    for (FieldViolation& v : violations) {
      google::rpc::BadRequest::FieldViolation* out = bad_request.add_field_violations();
      out->set_field(std::move(v.field));
      out->set_description(std::move(v.description));
    }
    SetPayload(status, kBadRequestUrl, bad_request);
  }
  return status;
}

absl::Status InvalidField(std::string_view field, std::string_view description,
                          std::string_view reason) {
  std::string message = std::string(field).append(": ").append(description);
  return Error(absl::StatusCode::kInvalidArgument, reason, message, {},
               {FieldViolation{std::string(field), std::string(description)}});
}

absl::Status NotFound(std::string_view reason, std::string_view message, Metadata metadata) {
  return Error(absl::StatusCode::kNotFound, reason, message, std::move(metadata));
}

absl::Status FailedPrecondition(std::string_view reason, std::string_view message,
                                Metadata metadata) {
  return Error(absl::StatusCode::kFailedPrecondition, reason, message, std::move(metadata));
}

absl::Status AlreadyExists(std::string_view reason, std::string_view message, Metadata metadata) {
  return Error(absl::StatusCode::kAlreadyExists, reason, message, std::move(metadata));
}

absl::Status Aborted(std::string_view reason, std::string_view message, Metadata metadata) {
  return Error(absl::StatusCode::kAborted, reason, message, std::move(metadata));
}

absl::Status PermissionDenied(std::string_view reason, std::string_view message) {
  return Error(absl::StatusCode::kPermissionDenied, reason, message);
}

absl::Status Unauthenticated(std::string_view reason, std::string_view message) {
  return Error(absl::StatusCode::kUnauthenticated, reason, message);
}

absl::Status ResourceExhausted(std::string_view reason, std::string_view message) {
  return Error(absl::StatusCode::kResourceExhausted, reason, message);
}

absl::Status Unavailable(std::string_view reason, std::string_view message) {
  return Error(absl::StatusCode::kUnavailable, reason, message);
}

absl::Status Internal(std::string_view message) {
  return Error(absl::StatusCode::kInternal, kInternalReason, message);
}

void FieldErrors::Add(std::string_view field, std::string_view description) {
  violations_.push_back(FieldViolation{std::string(field), std::string(description)});
}

absl::Status FieldErrors::ToStatus(std::string_view reason) const {
  if (violations_.empty()) return absl::OkStatus();
  std::string message = "invalid request: ";
  for (size_t i = 0; i < violations_.size(); ++i) {
    if (i > 0) message.append("; ");
    message.append(violations_[i].field).append(": ").append(violations_[i].description);
  }
  return Error(absl::StatusCode::kInvalidArgument, reason, message, {}, violations_);
}

std::optional<google::rpc::ErrorInfo> GetErrorInfo(const absl::Status& status) {
  return ParsePayload<google::rpc::ErrorInfo>(status, kErrorInfoUrl);
}

std::optional<google::rpc::BadRequest> GetBadRequest(const absl::Status& status) {
  return ParsePayload<google::rpc::BadRequest>(status, kBadRequestUrl);
}

grpc::Status ToGrpc(const absl::Status& status, std::string_view domain) {
  if (status.ok()) return grpc::Status::OK;
  absl::StatusCode code = status.code();
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);

  google::rpc::Status rpc;
  if (HidesDetails(code)) {
    // The caller learns only that it failed; the operator finds the cause in the log line,
    // joined by the request id.
    log::Error("internal_error", {{"code", CodeName(code)},
                                  {"reason", info.has_value() ? info->reason() : std::string()},
                                  {"message", Sv(status.message())},
                                  {"domain", domain}});
    if (code != absl::StatusCode::kUnknown && code != absl::StatusCode::kDataLoss) {
      code = absl::StatusCode::kInternal;
    }
    google::rpc::ErrorInfo internal;
    internal.set_reason(std::string(kInternalReason));
    internal.set_domain(std::string(domain));
    rpc.set_code(static_cast<int>(code));
    rpc.set_message(std::string(kInternalMessage));
    AddDetail(rpc, kErrorInfoUrl, internal.SerializeAsString());
    return grpc::Status(static_cast<grpc::StatusCode>(code), std::string(kInternalMessage),
                        rpc.SerializeAsString());
  }

  if (!info.has_value()) {
    info.emplace();
    info->set_reason(std::string(CodeName(code)));
  }
  if (info->domain().empty()) info->set_domain(std::string(domain));

  rpc.set_code(static_cast<int>(code));
  rpc.set_message(std::string(status.message()));
  AddDetail(rpc, kErrorInfoUrl, info->SerializeAsString());
  // BadRequest and any other payload travel as they are, in a stable order after ErrorInfo.
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    if (Sv(url) == kErrorInfoUrl) return;
    AddDetail(rpc, Sv(url), std::string(payload));
  });
  return grpc::Status(static_cast<grpc::StatusCode>(code), std::string(status.message()),
                      rpc.SerializeAsString());
}

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status result(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  const std::string& details = status.error_details();
  if (details.empty()) return result;
  google::rpc::Status rpc;
  // Details that do not parse are dropped: the code and message still hold.
  if (!rpc.ParseFromString(details)) return result;
  for (const google::protobuf::Any& any : rpc.details()) {
    result.SetPayload(any.type_url(), absl::Cord(any.value()));
  }
  return result;
}

std::string DomainOf(std::string_view service) {
  return std::string(service).append(".integration.lansstyrelsen.se");
}

std::string_view CodeName(::grpc::StatusCode code) {
  switch (code) {
    case ::grpc::StatusCode::OK:
      return "OK";
    case ::grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case ::grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case ::grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case ::grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case ::grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case ::grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case ::grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case ::grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case ::grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case ::grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case ::grpc::StatusCode::ABORTED:
      return "ABORTED";
    case ::grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case ::grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case ::grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case ::grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case ::grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    default:
      return "UNKNOWN";
  }
}

}  // namespace integration::status
