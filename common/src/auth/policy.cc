// Authorization from the proto access policy: the role check and the object-level tenant check.
#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "integration/auth/auth.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "keys.h"

namespace integration::auth {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The tenant claim of a role and the collection segment that names it in resource names.
// A learner owns the ids of all its pseudonyms and kSelfId.
struct TenantClaim {
  std::vector<std::string_view> values;  // empty: the token lacks the claim
  const char* collection;
};

std::optional<TenantClaim> TenantOf(const Caller& caller) {
  const std::optional<Role> role = ParseRole(caller.role);
  auto claim = [](const std::string& value, const char* collection) {
    TenantClaim tenant{{}, collection};
    if (!value.empty()) tenant.values.push_back(value);
    return tenant;
  };
  if (role == Role::kMunicipalityOfficer) return claim(caller.kommun, "kommuner");
  if (role == Role::kOrganisationRep) return claim(caller.orgnr, "organisations");
  if (role == Role::kLearner) {
    TenantClaim tenant = claim(caller.subject, "learners");
    if (tenant.values.empty()) return tenant;
    for (const std::string& former : caller.former_subjects) tenant.values.push_back(former);
    tenant.values.push_back(kSelfId);
    return tenant;
  }
  return std::nullopt;
}

bool BelongsTo(std::string_view value, const TenantClaim& tenant) {
  auto own = [&](std::string_view id) {
    return std::find(tenant.values.begin(), tenant.values.end(), id) != tenant.values.end();
  };
  if (own(value)) return true;
  const std::vector<std::string_view> segments = internal::Split(value, '/');
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    if (segments[i] == tenant.collection && own(segments[i + 1])) return true;
  }
  return false;
}

absl::Status BadTenantField(const Policy& policy, const Descriptor& type, const std::string& why) {
  return status::Error(absl::StatusCode::kInvalidArgument, "POLICY_TENANT_FIELD_INVALID",
                       absl::StrCat("access policy tenant_field \"", policy.tenant_field(),
                                    "\" of ", type.full_name(), ": ", why));
}

// Walks the dotted path with reflection; unset messages on the way read as their defaults,
// so the value is then "" (which never matches a non-empty claim).
absl::StatusOr<std::string> TenantFieldValue(const Policy& policy, const Message& request) {
  const Message* message = &request;
  const std::vector<std::string> path = absl::StrSplit(policy.tenant_field(), '.');
  for (size_t i = 0; i < path.size(); ++i) {
    const Descriptor& type = *message->GetDescriptor();
    const FieldDescriptor* field = type.FindFieldByName(path[i]);
    if (field == nullptr) {
      return BadTenantField(policy, *request.GetDescriptor(),
                            absl::StrCat("no field \"", path[i], "\" in ", type.full_name()));
    }
    if (field->is_repeated()) {
      return BadTenantField(policy, *request.GetDescriptor(),
                            absl::StrCat("field \"", path[i], "\" is repeated"));
    }
    const Reflection& reflection = *message->GetReflection();
    const bool last = i + 1 == path.size();
    if (!last) {
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
        return BadTenantField(policy, *request.GetDescriptor(),
                              absl::StrCat("field \"", path[i], "\" is not a message"));
      }
      message = &reflection.GetMessage(*message, field);
      continue;
    }
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_STRING ||
        field->type() == FieldDescriptor::TYPE_BYTES) {
      return BadTenantField(policy, *request.GetDescriptor(),
                            absl::StrCat("field \"", path[i], "\" is not a string"));
    }
    return reflection.GetString(*message, field);
  }
  return BadTenantField(policy, *request.GetDescriptor(), "empty path");
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::string_view BearerToken(std::string_view authorization_header) {
  const std::string_view value = Trim(authorization_header);
  constexpr std::string_view kScheme = "bearer";
  // The scheme is case-insensitive (RFC 7235) and must be followed by whitespace.
  if (value.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(absl::string_view(value.data(), kScheme.size()), "bearer") ||
      !absl::ascii_isspace(static_cast<unsigned char>(value[kScheme.size()]))) {
    return {};
  }
  return Trim(value.substr(kScheme.size()));
}

const Policy* PolicyOf(const google::protobuf::MethodDescriptor& method) {
  const auto& options = method.options();
  if (!options.HasExtension(::lansstyrelsen::integration::auth::v1::policy)) return nullptr;
  return &options.GetExtension(::lansstyrelsen::integration::auth::v1::policy);
}

absl::Status CheckAgencyScope(const Policy& policy, const Caller& caller) {
  const auto& wanted = policy.agency_scopes();
  if (wanted.empty()) {
    return status::PermissionDenied(kReasonScopeMissing,
                                    "this method names no scope for agency systems");
  }
  for (const std::string& scope : caller.scopes) {
    if (std::find(wanted.begin(), wanted.end(), scope) != wanted.end()) return absl::OkStatus();
  }
  const std::string names = absl::StrJoin(wanted, " ");
  return status::Error(absl::StatusCode::kPermissionDenied, kReasonScopeMissing,
                       absl::StrCat("the token carries none of the scopes this method needs: ",
                                    names),
                       {{"required_scopes", names}});
}

absl::Status Authorize(const Policy* policy, const Caller& caller) {
  if (policy == nullptr) {
    return status::PermissionDenied("NO_POLICY", "method has no access policy");
  }
  if (policy->public_()) return absl::OkStatus();
  if (!caller.authenticated) {
    return status::Unauthenticated("TOKEN_MISSING", "a bearer token is required");
  }
  const auto& roles = policy->roles();
  if (caller.role.empty() || std::find(roles.begin(), roles.end(), caller.role) == roles.end()) {
    return RoleNotAllowed(absl::StrCat("role \"", caller.role, "\" may not call this method"));
  }
  if (caller.role == RoleName(Role::kAgencySystem)) return CheckAgencyScope(*policy, caller);
  return absl::OkStatus();
}

absl::Status CheckTenant(const Policy& policy, const Caller& caller,
                         const google::protobuf::Message& request) {
  if (policy.tenant_field().empty()) return absl::OkStatus();
  // The path is resolved for every caller so that a wrong policy fails in any test.
  absl::StatusOr<std::string> value = TenantFieldValue(policy, request);
  if (!value.ok()) return value.status();
  const std::optional<TenantClaim> tenant = TenantOf(caller);
  if (!tenant) return absl::OkStatus();
  // A tenant role without its claim owns nothing.
  if (tenant->values.empty() || !BelongsTo(*value, *tenant)) {
    return TenantMismatch(
        absl::StrCat(policy.tenant_field(), " is outside the caller's ", tenant->collection));
  }
  return absl::OkStatus();
}

}  // namespace integration::auth
