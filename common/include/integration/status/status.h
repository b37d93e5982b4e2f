// Errors a caller can act on: absl::Status with google.rpc.ErrorInfo / BadRequest details,
// and the one mapping between absl::Status and grpc::Status used by every service.
#pragma once

#include <grpcpp/support/status.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"

namespace integration::status {

struct FieldViolation {
  std::string field;        // dotted request field path, e.g. "project_period.end_date"
  std::string description;  // what is wrong and what would be right
};

using Metadata = std::map<std::string, std::string>;

// The general constructor: a status with an ErrorInfo{reason, metadata} payload and, when
// violations are given, a BadRequest payload.
absl::Status Error(absl::StatusCode code, std::string_view reason, std::string_view message,
                   Metadata metadata = {}, std::vector<FieldViolation> violations = {});

// "field X invalid because Y" in one line: INVALID_ARGUMENT, reason defaults to INVALID_FIELD.
absl::Status InvalidField(std::string_view field, std::string_view description,
                          std::string_view reason = "INVALID_FIELD");
// Shorthands with a reason.
absl::Status NotFound(std::string_view reason, std::string_view message, Metadata metadata = {});
absl::Status FailedPrecondition(std::string_view reason, std::string_view message,
                                Metadata metadata = {});
absl::Status AlreadyExists(std::string_view reason, std::string_view message,
                           Metadata metadata = {});
absl::Status Aborted(std::string_view reason, std::string_view message, Metadata metadata = {});
absl::Status PermissionDenied(std::string_view reason, std::string_view message);
absl::Status Unauthenticated(std::string_view reason, std::string_view message);
absl::Status ResourceExhausted(std::string_view reason, std::string_view message);
absl::Status Unavailable(std::string_view reason, std::string_view message);
absl::Status Internal(std::string_view message);  // logged, never sent to the caller

// Collects every bad field of a request, then yields one INVALID_ARGUMENT with all of them.
class FieldErrors {
 public:
  void Add(std::string_view field, std::string_view description);
  bool empty() const { return violations_.empty(); }
  // OkStatus when nothing was added.
  absl::Status ToStatus(std::string_view reason = "INVALID_FIELD") const;

 private:
  std::vector<FieldViolation> violations_;
};

// Reads the details back (from an absl::Status made here or by FromGrpc).
std::optional<google::rpc::ErrorInfo> GetErrorInfo(const absl::Status& status);
std::optional<google::rpc::BadRequest> GetBadRequest(const absl::Status& status);

// absl -> gRPC: same code and message; details = serialized google.rpc.Status carrying the
// ErrorInfo (domain filled in from `domain`, e.g. "training.integration.lansstyrelsen.se")
// and BadRequest. INTERNAL and UNKNOWN are logged and sent as "internal error" only.
grpc::Status ToGrpc(const absl::Status& status, std::string_view domain);
// gRPC -> absl, keeping ErrorInfo and BadRequest as payloads.
absl::Status FromGrpc(const grpc::Status& status);

// The domain string of a service: "<service>.integration.lansstyrelsen.se".
std::string DomainOf(std::string_view service);

// The canonical upper-case name of a gRPC code ("NOT_FOUND"), for logs and metric labels.
std::string_view CodeName(::grpc::StatusCode code);

}  // namespace integration::status
