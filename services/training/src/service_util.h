// What the training service's handlers share: the common handler helpers and who may touch a
// learner's records.
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
#include "integration/api/handler.h"

namespace integration::training {

// The shared handler helpers (integration/api/handler.h), used unqualified by the handlers.
using api::CheckEtag;
using api::EtagOf;
using api::FromMicros;
using api::IsUniqueViolation;
using api::kReasonConcurrentUpdate;
using api::kReasonEtagMismatch;
using api::kReasonUpdateMaskInvalid;
using api::MaskPaths;
using api::SetTimestamp;
using api::SetTimestampMicros;
using api::ToMicros;

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
