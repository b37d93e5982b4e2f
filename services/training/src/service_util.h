// What the training service's handlers share: the common handler helpers and the missing
// learner (who may touch a learner's records is access.h's).
#pragma once

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
#include "integration/api/handler.h"
#include "integration/auth/tenancy.h"
#include "integration/grpc/call_context.h"
#include "integration/grpc/names.h"  // first: see there
#include "integration/status/status.h"
#include "rules/content_rules.h"

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

// NOT_FOUND LEARNER_NOT_FOUND: the learner has not enrolled.
inline absl::Status LearnerNotFound(std::string_view learner_id) {
  const std::string name = LearnerName(learner_id);
  return status::NotFound("LEARNER_NOT_FOUND", absl::StrCat(name, " has not enrolled"),
                          {{"learner", name}});
}

// A learner names itself "learners/me" (auth::kSelfId) in the names of its own records: clients
// cannot compute their pseudonym. For a learner's token, "me" becomes its subject's pseudonym.
inline void ResolveSelf(const grpc::CallContext& call, std::string& learner_id) {
  if (learner_id == auth::kSelfId && auth::ParseRole(call.caller().role) == auth::Role::kLearner) {
    learner_id = call.caller().subject;
  }
}

// The learner id of a "learners/{learner}" name in field `field`, "me" resolved (ResolveSelf).
inline absl::StatusOr<std::string> LearnerIdOf(const grpc::CallContext& call, std::string_view name,
                                               std::string_view field) {
  absl::StatusOr<std::string> id = ParseLearnerName(name, field);
  if (id.ok()) ResolveSelf(call, *id);
  return id;
}

}  // namespace integration::training
