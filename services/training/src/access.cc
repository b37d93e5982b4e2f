// The training service's object-level access rules.
#include "access.h"

#include "absl/strings/str_cat.h"

namespace integration::training::access {

auth::Owner LearnerOwner(std::string_view learner_id, std::string_view learner_lanskod) {
  auth::Owner owner = auth::Owner::Person(learner_id);
  owner.lan = std::string(learner_lanskod);
  return owner;
}
namespace {

using auth::Role;

}  // namespace

absl::Status CheckCanReadLearner(const auth::Scope& scope, std::string_view learner_id) {
  if (scope.Is(Role::kLearner)) {
    return auth::CheckInScope(scope, auth::Owner::Person(learner_id), "the learner");
  }
  if (scope.Is(Role::kCountyOfficer)) return auth::CountyOf(scope).status();
  return auth::RoleNotAllowed("this role may not read learners");
}

absl::Status CheckLearnerCounty(const auth::Scope& scope, std::string_view learner_lanskod) {
  if (!scope.Is(Role::kCountyOfficer) || scope.lan == learner_lanskod) return absl::OkStatus();
  return auth::LanMismatch("the learner works in another county");
}

absl::Status CheckIsLearner(const auth::Scope& scope, std::string_view learner_id,
                            std::string_view message) {
  if (scope.Is(Role::kLearner) && scope.IsSubject(learner_id)) return absl::OkStatus();
  return auth::TenantMismatch(message);
}

absl::StatusOr<std::string> LearnerListCounty(const auth::Scope& scope) {
  if (absl::Status st =
          auth::RequireRole(scope, {Role::kCountyOfficer}, "only county officers list learners");
      !st.ok()) {
    return st;
  }
  return auth::CountyOf(scope);
}

absl::Status CheckCanSeeDiplomas(const auth::Scope& scope, std::string_view learner_id,
                                 std::string_view learner_lanskod) {
  if (scope.Is(Role::kLearner) && !scope.IsSubject(learner_id)) {
    return auth::TenantMismatch("a learner may only see their own diplomas");
  }
  if (scope.Is(Role::kCountyOfficer)) {
    // A county role without its county claim sees nothing (LAN_CLAIM_MISSING), as everywhere.
    absl::StatusOr<std::string> lan = auth::CountyOf(scope);
    if (!lan.ok()) return lan.status();
    if (*lan != learner_lanskod) {
      return auth::TenantMismatch(
          absl::StrCat("the learner does not belong to län ", *lan, " of your token"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckCanRevokeDiploma(const auth::Scope& scope, std::string_view learner_lanskod) {
  if (absl::Status st =
          auth::RequireRole(scope, {Role::kCountyAdmin}, "only a county admin revokes diplomas");
      !st.ok()) {
    return st;
  }
  absl::StatusOr<std::string> lan = auth::CountyOf(scope);
  if (!lan.ok()) return lan.status();
  if (*lan != learner_lanskod) {
    return auth::LanMismatch("the diploma's learner works in another county");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> StatisticsCounty(const auth::Scope& scope, std::string_view requested) {
  absl::StatusOr<std::string> lan = auth::CountyOf(scope);
  if (!lan.ok()) return lan.status();
  if (!requested.empty() && requested != scope.lan) {
    return auth::TenantMismatch(
        absl::StrCat("your token is for län ", scope.lan, ", not län ", std::string(requested)));
  }
  return scope.lan;
}

bool IsContentAdmin(const auth::Scope& scope) { return scope.Is(Role::kCountyAdmin); }

absl::Status CheckContentAdmin(const auth::Scope& scope, std::string_view message) {
  return auth::RequireRole(scope, {Role::kCountyAdmin}, message);
}

}  // namespace integration::training::access
