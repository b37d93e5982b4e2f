// Small pieces the training service's handlers share: audit entries from the call, times
// between absl, protobuf and SQL, update masks, etags and request-id scopes.
#pragma once

#include "integration/grpc/names.h"  // first: see there

#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "integration/grpc/call_context.h"
#include "integration/status/status.h"
#include "integration/store/store.h"

namespace integration::training {

// ErrorInfo reasons shared by the handlers.
inline constexpr std::string_view kReasonEtagMismatch = "ETAG_MISMATCH";
inline constexpr std::string_view kReasonUpdateMaskInvalid = "UPDATE_MASK_INVALID";
inline constexpr std::string_view kReasonConcurrentUpdate = "CONCURRENT_UPDATE";

// The audit row of a change made by `call`.
inline store::AuditEntry AuditOf(const grpc::CallContext& call, std::string_view action,
                                 std::string_view resource, std::string_view detail = "") {
  return store::AuditEntry{.actor = call.caller().subject,
                           .role = call.caller().role,
                           .action = std::string(action),
                           .resource = std::string(resource),
                           .request_id = call.request_id(),
                           .trace_id = call.trace_id(),
                           .detail = std::string(detail)};
}

// Times travel to and from SQL as microseconds since the Unix epoch (exact both ways: a
// query reads `(extract(epoch FROM t) * 1000000)::bigint` and writes
// `timestamptz 'epoch' + $n * interval '1 microsecond'`).
inline int64_t ToMicros(absl::Time t) { return absl::ToUnixMicros(t); }
inline absl::Time FromMicros(int64_t us) { return absl::FromUnixMicros(us); }
inline void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t us = absl::ToUnixMicros(t);
  int64_t seconds = us / 1000000;
  int64_t micros = us % 1000000;
  if (micros < 0) {
    micros += 1000000;
    seconds -= 1;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(micros * 1000));
}
inline void SetTimestampMicros(int64_t us, google::protobuf::Timestamp* out) {
  SetTimestamp(FromMicros(us), out);
}

// The paths of an update mask, checked against the fields a method may change. An empty mask
// or "*" means every allowed field (AIP-134). An unknown path is INVALID_ARGUMENT,
// UPDATE_MASK_INVALID, with a violation on "update_mask" naming it and the allowed ones.
inline absl::StatusOr<std::set<std::string>> MaskPaths(
    const google::protobuf::FieldMask& mask, std::initializer_list<std::string_view> allowed) {
  std::set<std::string> all(allowed.begin(), allowed.end());
  if (mask.paths_size() == 0 || (mask.paths_size() == 1 && mask.paths(0) == "*")) return all;
  std::set<std::string> paths;
  status::FieldErrors errors;
  for (const std::string& path : mask.paths()) {
    if (all.count(path) == 0) {
      errors.Add("update_mask", absl::StrCat("unknown or read-only path \"", path,
                                             "\"; allowed: ", absl::StrJoin(all, ", ")));
    } else {
      paths.insert(path);
    }
  }
  if (!errors.empty()) return errors.ToStatus(kReasonUpdateMaskInvalid);
  return paths;
}

// The etag of a row revision; opaque to clients, it changes on every update.
inline std::string EtagOf(int64_t revision) { return absl::StrCat("r", revision); }

// OK when the client sent no etag or the current one; ABORTED ETAG_MISMATCH otherwise.
inline absl::Status CheckEtag(std::string_view given, std::string_view current,
                              std::string_view resource) {
  if (given.empty() || given == current) return absl::OkStatus();
  return status::Aborted(kReasonEtagMismatch,
                         absl::StrCat(std::string(resource),
                                      " was changed since it was read; read it again and "
                                      "reapply the change"),
                         {{"resource", std::string(resource)}});
}

// Whether `st` is pg::Pool's unique violation of `constraint`.
inline bool IsUniqueViolation(const absl::Status& st, std::string_view constraint) {
  if (st.code() != absl::StatusCode::kAlreadyExists) return false;
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
  if (!info || info->reason() != "UNIQUE_VIOLATION") return false;
  auto it = info->metadata().find("constraint");
  return it != info->metadata().end() && it->second == constraint;
}

// The scope of a request id (store::BeginRequest): per caller and method, so that two callers
// can never see each other's responses by reusing an id.
inline std::string RequestScope(const grpc::CallContext& call, std::string_view method) {
  return absl::StrCat(call.caller().role, ":", call.caller().subject, "/", std::string(method));
}

// --- Who may touch learners/{id} and what hangs below it (attempts, progress, diplomas) ---

inline constexpr std::string_view kLearnerRole = "learner";
inline constexpr std::string_view kCountyOfficerRole = "county_officer";

// NOT_FOUND LEARNER_NOT_FOUND: the learner has not enrolled.
inline absl::Status LearnerNotFound(std::string_view learner_id) {
  const std::string name = absl::StrCat("learners/", std::string(learner_id));
  return status::NotFound("LEARNER_NOT_FOUND", absl::StrCat(name, " has not enrolled"),
                          {{"learner", name}});
}

// Before loading anything: a learner only itself (the runtime's tenant check did the same from
// the policy; this keeps it true should a policy be edited), a county officer only with a län
// claim, nobody else. PERMISSION_DENIED TENANT_MISMATCH / LAN_CLAIM_MISSING / ROLE_NOT_ALLOWED.
inline absl::Status CheckLearnerAccess(const grpc::CallContext& call, std::string_view learner_id) {
  const auth::Caller& caller = call.caller();
  if (caller.role == kLearnerRole) {
    if (caller.subject == learner_id) return absl::OkStatus();
    return status::PermissionDenied("TENANT_MISMATCH",
                                    "a learner may only use its own learners/{subject}");
  }
  if (caller.role == kCountyOfficerRole) {
    if (!caller.lan.empty()) return absl::OkStatus();
    return status::PermissionDenied("LAN_CLAIM_MISSING",
                                    "a county officer's token must carry a lan claim");
  }
  return status::PermissionDenied("ROLE_NOT_ALLOWED", "this role may not read learners");
}

// After loading the learner: a county officer sees only learners who work in the officer's
// county (the learner's kommun's län). PERMISSION_DENIED LAN_MISMATCH otherwise.
inline absl::Status CheckLearnerCounty(const grpc::CallContext& call,
                                       std::string_view learner_lanskod) {
  const auth::Caller& caller = call.caller();
  if (caller.role != kCountyOfficerRole || caller.lan == learner_lanskod) {
    return absl::OkStatus();
  }
  return status::PermissionDenied("LAN_MISMATCH", "the learner works in another county");
}

}  // namespace integration::training
