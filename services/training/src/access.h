// Who may see and change the training service's records: its object-level rules on the common
// tenancy types (integration/auth/tenancy.h), applied after the role check of the method's
// access policy (which the rules repeat where a policy edit must not open a learner's records).
// No I/O: the handlers load the records and ask here.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "integration/auth/tenancy.h"

namespace integration::training::access {

// --- learners/{learner} and what hangs below it (attempts, progress) ---

// Before loading anything: a learner only itself (TENANT_MISMATCH), a county officer only with
// a lan claim (LAN_CLAIM_MISSING), nobody else (ROLE_NOT_ALLOWED).
absl::Status CheckCanReadLearner(const auth::Scope& scope, std::string_view learner_id);

// After loading the learner: a county officer sees only learners who work in its county (the
// learner's kommun's län): LAN_MISMATCH otherwise.
absl::Status CheckLearnerCounty(const auth::Scope& scope, std::string_view learner_lanskod);

// What only the learner itself does (enrol, change its enrolment, take its quiz attempts):
// TENANT_MISMATCH for anyone else, with `message`.
absl::Status CheckIsLearner(const auth::Scope& scope, std::string_view learner_id,
                            std::string_view message);

// The tenant of a learner's events (api::Change::Emit): the learner itself and the county
// officers of its county (the readers CheckCanReadLearner and CheckLearnerCounty let in).
auth::Owner LearnerOwner(std::string_view learner_id, std::string_view learner_lanskod);

// The county whose learners a county officer lists: ROLE_NOT_ALLOWED for other roles,
// LAN_CLAIM_MISSING without the claim.
absl::StatusOr<std::string> LearnerListCounty(const auth::Scope& scope);

// --- Diplomas ---

// A learner sees its own diplomas; a county officer those of its län's learners
// (LAN_CLAIM_MISSING without the claim, TENANT_MISMATCH for another län's learner).
absl::Status CheckCanSeeDiplomas(const auth::Scope& scope, std::string_view learner_id,
                                 std::string_view learner_lanskod);

// Revoking: a county admin of the learner's län only (ROLE_NOT_ALLOWED for other roles,
// LAN_CLAIM_MISSING without the claim, LAN_MISMATCH for another län's learner).
absl::Status CheckCanRevokeDiploma(const auth::Scope& scope, std::string_view learner_lanskod);

// --- Statistics ---

// The län the figures are for: the token's län (LAN_CLAIM_MISSING without one); asking for
// another län is TENANT_MISMATCH rather than silently the own län's figures.
absl::StatusOr<std::string> StatisticsCounty(const auth::Scope& scope, std::string_view requested);

// --- Course content ---

// county_admin writes content and sees drafts and quizzes; everyone else published content.
bool IsContentAdmin(const auth::Scope& scope);
// ROLE_NOT_ALLOWED with `message` unless IsContentAdmin.
absl::Status CheckContentAdmin(const auth::Scope& scope, std::string_view message);

}  // namespace integration::training::access
