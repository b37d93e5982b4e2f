// Which roles may read the record an event is about, derived from the owning service's read
// RPCs: the event's resource name (its aggregate) is matched against the name patterns of the
// service's Get methods ("GET /v1/{name=learners/*/diplomas/*}") and of its List methods
// ("GET /v1/{parent=calls/*/applications/*}/reclaims" reads "calls/*/applications/*/reclaims/*"),
// and the roles those methods' access policies let in are the roles that may see the event. Built
// once from the descriptors, so a new service's events are authorized with no table to edit.
#pragma once

#include <google/protobuf/descriptor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "integration/auth/auth.h"
#include "integration/auth/tenancy.h"
#include "integration/names/path_template.h"

namespace integration::gateway {

// A set of auth::Role, one bit per role.
using RoleMask = uint32_t;
constexpr RoleMask RoleBit(auth::Role role) { return RoleMask{1} << static_cast<int>(role); }

// The roles (agency systems excepted: the feed lets them in by their event scope) whose
// callers `policy` admits, by auth::Authorize. Zero for a null policy (deny-all).
RoleMask RolesAdmittedBy(const auth::Policy* policy);

// Resource name pattern -> roles that may read it, per service. Immutable once built, so
// shared by every watcher and thread without a lock.
class EventReadRoles {
 public:
  // From the read methods of `services` (the suite's services, see SuiteServices): unary
  // methods whose HTTP binding is a GET, without a custom verb, of one "name" variable covering
  // the path after its literal prefix (Get), or of one "parent" variable and a collection
  // (List). Services without a stem are skipped.
  static std::shared_ptr<const EventReadRoles> FromServices(
      const std::vector<const google::protobuf::ServiceDescriptor*>& services);

  // Adds a rule by hand (tests of the feed with services the suite does not have).
  // INVALID_ARGUMENT for a malformed pattern ("things/*").
  absl::Status Add(std::string_view service, std::string_view pattern, RoleMask roles);

  // The roles that may read `aggregate` of `service`: the union over every read method whose
  // pattern matches it; zero when no read method exposes it (then no tenant role sees it).
  RoleMask Of(std::string_view service, std::string_view aggregate) const;

 private:
  struct Rule {
    std::vector<names::TemplateSegment> segments;  // of the resource name, e.g. learners/*
    RoleMask roles = 0;
  };
  absl::flat_hash_map<std::string, std::vector<Rule>> rules_;  // by service stem
};

}  // namespace integration::gateway
