// Event read roles from the services' Get methods and their access policies (event_access.h).
#include "event_access.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "backends.h"
#include "google/api/annotations.pb.h"
#include "google/api/http.pb.h"

namespace integration::gateway {
namespace {

using names::PathTemplate;
using names::TemplateSegment;

// The pattern of the resource names a read method exposes: a Get's GET binding takes them as
// its one "name" variable after a literal prefix ("/v1/{name=learners/*}"), a List's as its
// "parent" variable followed by the collection ("/v1/{parent=learners/*}/diplomas" exposes
// "learners/*/diplomas/*"). Empty when the method is neither (a custom verb such as ":rank", a
// streaming call, a write).
std::vector<TemplateSegment> ReadPattern(const google::protobuf::MethodDescriptor& method) {
  if (method.client_streaming() || method.server_streaming()) return {};
  const google::api::HttpRule& rule = method.options().GetExtension(google::api::http);
  if (rule.pattern_case() != google::api::HttpRule::kGet) return {};
  absl::StatusOr<PathTemplate> path = PathTemplate::Parse(rule.get());
  if (!path.ok() || !path->verb().empty() || path->variables().size() != 1) return {};
  const std::vector<TemplateSegment>& segments = path->segments();
  const names::TemplateVariable& v = path->variables().front();
  if (v.begin == v.end) return {};
  for (size_t i = 0; i < v.begin; ++i) {
    if (segments[i].kind != TemplateSegment::Kind::kLiteral) return {};
  }
  std::vector<TemplateSegment> out(segments.begin() + static_cast<std::ptrdiff_t>(v.begin),
                                   segments.begin() + static_cast<std::ptrdiff_t>(v.end));
  if (v.field_path == std::vector<std::string>{"name"} && v.end == segments.size()) return out;
  if (v.field_path == std::vector<std::string>{"parent"} && v.end + 1 == segments.size() &&
      segments.back().kind == TemplateSegment::Kind::kLiteral) {
    out.push_back(segments.back());
    out.push_back(TemplateSegment{.kind = TemplateSegment::Kind::kSingle, .literal = {}});
    return out;
  }
  return {};
}

bool Matches(const std::vector<TemplateSegment>& pattern,
             const std::vector<absl::string_view>& name) {
  const bool multi = !pattern.empty() && pattern.back().kind == TemplateSegment::Kind::kMulti;
  const size_t fixed = multi ? pattern.size() - 1 : pattern.size();
  if (multi ? name.size() < fixed : name.size() != fixed) return false;
  for (size_t i = 0; i < fixed; ++i) {
    if (name[i].empty()) return false;
    if (pattern[i].kind == TemplateSegment::Kind::kLiteral && pattern[i].literal != name[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

RoleMask RolesAdmittedBy(const auth::Policy* policy) {
  RoleMask mask = 0;
  for (const auth::Role role : auth::kAllRoles) {
    if (role == auth::Role::kAgencySystem) continue;
    auth::Caller caller;
    caller.authenticated = true;
    caller.subject = "event-feed";
    caller.role = std::string(auth::RoleName(role));
    if (auth::Authorize(policy, caller).ok()) mask |= RoleBit(role);
  }
  return mask;
}

std::shared_ptr<const EventReadRoles> EventReadRoles::FromServices(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  auto roles = std::make_shared<EventReadRoles>();
  for (const google::protobuf::ServiceDescriptor* service : services) {
    const std::string stem = ServiceStem(*service);
    if (stem.empty()) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor& method = *service->method(i);
      std::vector<TemplateSegment> pattern = ReadPattern(method);
      if (pattern.empty()) continue;
      roles->rules_[stem].push_back(
          Rule{.segments = std::move(pattern), .roles = RolesAdmittedBy(auth::PolicyOf(method))});
    }
  }
  return roles;
}

absl::Status EventReadRoles::Add(std::string_view service, std::string_view pattern,
                                 RoleMask roles) {
  absl::StatusOr<PathTemplate> path =
      PathTemplate::Parse(absl::StrCat("/", absl::string_view(pattern.data(), pattern.size())));
  if (!path.ok()) return path.status();
  if (!path->variables().empty() || !path->verb().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", absl::string_view(pattern.data(), pattern.size()),
                     "\" is not a resource name pattern like \"things/*\""));
  }
  rules_[std::string(service)].push_back(Rule{.segments = path->segments(), .roles = roles});
  return absl::OkStatus();
}

RoleMask EventReadRoles::Of(std::string_view service, std::string_view aggregate) const {
  const auto it = rules_.find(absl::string_view(service.data(), service.size()));
  if (it == rules_.end() || aggregate.empty()) return 0;
  const std::vector<absl::string_view> name =
      absl::StrSplit(absl::string_view(aggregate.data(), aggregate.size()), '/');
  RoleMask mask = 0;
  for (const Rule& rule : it->second) {
    if (Matches(rule.segments, name)) mask |= rule.roles;
  }
  return mask;
}

}  // namespace integration::gateway
