// The authorization matrix, generated from the descriptors: every exposed method × every role
// plus no token, through the gRPC front, against a backend that accepts everything. A new RPC
// or service is covered without new test code.
#include <google/protobuf/message.h>
#include <google/protobuf/reflection.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "dispatcher_test_support.h"

namespace integration::gateway::testing {
namespace {

// Every role of DOMAIN.md's roles table.
std::vector<std::string> Roles() {
  return {"county_officer",   "county_admin",  "municipality_officer",
          "organisation_rep", "agency_system", "learner"};
}

// The value of a tenant field that belongs to `claims` (see auth::CheckTenant).
std::string TenantValue(const Claims& claims) {
  if (claims.role == "municipality_officer") return "kommuner/" + claims.kommun;
  if (claims.role == "organisation_rep") return "organisations/" + claims.orgnr;
  // A learner names itself learners/me (its id is its subject's pseudonym).
  if (claims.role == "learner") return "learners/me";
  return "";
}

// An agency_system caller whose token carries no scope: refused (SCOPE_MISSING) even where
// the role is listed.
constexpr char kUnscopedAgency[] = "agency_system without scope";

// The expected code and, for refusals, the ErrorInfo reason.
std::pair<::grpc::StatusCode, std::string> Expected(const auth::Policy* policy,
                                                    const std::string& caller) {
  if (policy == nullptr) return {::grpc::StatusCode::PERMISSION_DENIED, "ROLE_NOT_ALLOWED"};
  if (policy->public_()) return {::grpc::StatusCode::OK, ""};
  if (caller.empty()) return {::grpc::StatusCode::UNAUTHENTICATED, "TOKEN_MISSING"};
  const std::string role = caller == kUnscopedAgency ? "agency_system" : caller;
  const auto& roles = policy->roles();
  if (std::find(roles.begin(), roles.end(), role) == roles.end()) {
    return {::grpc::StatusCode::PERMISSION_DENIED, "ROLE_NOT_ALLOWED"};
  }
  if (role == "agency_system" &&
      (caller == kUnscopedAgency || policy->agency_scopes().empty())) {
    return {::grpc::StatusCode::PERMISSION_DENIED, "SCOPE_MISSING"};
  }
  return {::grpc::StatusCode::OK, ""};
}

BackendReply AcceptEverything(const SeenCall&) { return BackendReply{}; }

TEST(AuthorizationMatrix, EveryMethodEveryRoleAsThePolicySays) {
  TokenIssuer issuer;
  TestBackend backend({kTrainingService, kEchoService}, AcceptEverything);
  GatewayParts parts;
  parts.backends = {{"training", backend.target()}, {"echo", backend.target()}};
  parts.verifier = issuer.verifier();
  TestGateway gateway(parts);

  const std::vector<const google::protobuf::MethodDescriptor*> methods =
      gateway.dispatcher().Methods();
  // The matrix covers the whole exposed surface: every unary method of the configured services
  // and the gateway's own.
  size_t expected_methods = 0;
  for (const char* service : {kTrainingService, kEchoService, kGatewayService}) {
    const auto* s = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
    ASSERT_NE(s, nullptr);
    for (int i = 0; i < s->method_count(); ++i) {
      if (!s->method(i)->client_streaming() && !s->method(i)->server_streaming())
        ++expected_methods;
    }
  }
  ASSERT_EQ(methods.size(), expected_methods);

  std::vector<std::string> callers = Roles();
  callers.push_back(kUnscopedAgency);
  callers.push_back("");  // no token
  int checked = 0;
  for (const google::protobuf::MethodDescriptor* m : methods) {
    const auth::Policy* policy = auth::PolicyOf(*m);
    EXPECT_NE(policy, nullptr) << m->full_name() << " has no access policy";
    const std::string path = "/" + m->service()->full_name() + "/" + m->name();
    for (const std::string& role : callers) {
      CallOptions options;
      std::unique_ptr<google::protobuf::Message> request(
          google::protobuf::MessageFactory::generated_factory()
              ->GetPrototype(m->input_type())
              ->New());
      if (!role.empty()) {
        Claims claims = role == kUnscopedAgency
                            ? ClaimsFor("agency_system", "subject-unscoped-agency")
                            : ClaimsFor(role, "subject-" + role);
        // An agency system is granted the scopes of the methods it may call.
        if (role == "agency_system" && policy != nullptr) {
          claims.scopes.assign(policy->agency_scopes().begin(), policy->agency_scopes().end());
        }
        options.metadata["authorization"] = issuer.Bearer(claims);
        // Tenant-scoped methods get the caller's own tenant, so that only the role decides.
        const std::string tenant = TenantValue(claims);
        if (policy != nullptr && !policy->tenant_field().empty() && !tenant.empty()) {
          ASSERT_TRUE(SetPath(request.get(), policy->tenant_field(), tenant))
              << m->full_name() << ": tenant_field " << policy->tenant_field();
        }
      }
      CallResult r = Call(gateway.target(), path, *request, options);
      const auto [want, reason] = Expected(policy, role);
      EXPECT_EQ(r.status.error_code(), want)
          << m->full_name() << " as " << (role.empty() ? "anonymous" : role) << ": "
          << r.status.error_message();
      if (want != ::grpc::StatusCode::OK) {
        EXPECT_EQ(r.Reason(), reason) << m->full_name();
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(methods.size() * callers.size()));
}

}  // namespace
}  // namespace integration::gateway::testing
