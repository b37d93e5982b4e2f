// The authorization matrix against the reviewed table tests/authz/expected.tsv: every RPC of
// every service of the suite and of the gateway, for every caller kind (each role and no token),
// through the gateway and directly at the service. The expected answers come from the table,
// never from the protos' policies, so a wrong policy fails here; an RPC without a row, or a row
// naming no RPC, fails too. The requests are empty (or carry only a tenant), so a call the table
// allows ends in the handler's own answer (often INVALID_ARGUMENT) and changes nothing.
#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "integration/auth/auth.h"
#include "suite.h"

namespace integration::e2e {
namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;

constexpr char kPackagePrefix[] = "lansstyrelsen.integration.";

// The caller kinds of the table's columns, in column order; "anonymous" is no token.
const std::vector<std::string>& CallerKinds() {
  static const auto* kinds = new std::vector<std::string>{
      "county_officer", "county_admin", "municipality_officer", "organisation_rep",
      "agency_system",  "learner",      "anonymous"};
  return *kinds;
}

enum class Access { kAllow, kOwn, kDeny };

struct Row {
  std::map<std::string, Access> access;  // caller kind -> expected access
  std::string agency_scope;              // empty: none
  int line = 0;
};

// Reads the table; a malformed line fails the test that reads it.
std::map<std::string, Row> ReadTable(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read " + path;
    return {};
  }
  std::map<std::string, Row> rows;
  std::string line;
  int number = 0;
  bool header_seen = false;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells = absl::StrSplit(line, '\t');
    const size_t want = CallerKinds().size() + 2;
    if (cells.size() != want) {
      *error = absl::StrCat(path, ":", number, ": ", cells.size(), " columns, want ", want);
      return {};
    }
    if (!header_seen) {
      header_seen = true;
      for (size_t i = 0; i < CallerKinds().size(); ++i) {
        if (cells[i + 1] != CallerKinds()[i]) {
          *error = absl::StrCat(path, ":", number, ": column ", i + 2, " is \"", cells[i + 1],
                                "\", want \"", CallerKinds()[i], "\"");
          return {};
        }
      }
      continue;
    }
    Row row;
    row.line = number;
    for (size_t i = 0; i < CallerKinds().size(); ++i) {
      const std::string& cell = cells[i + 1];
      Access a;
      if (cell == "allow") {
        a = Access::kAllow;
      } else if (cell == "own") {
        a = Access::kOwn;
      } else if (cell == "deny") {
        a = Access::kDeny;
      } else {
        *error = absl::StrCat(path, ":", number, ": \"", cell, "\" is not allow, own or deny");
        return {};
      }
      row.access[CallerKinds()[i]] = a;
    }
    if (cells.back() != "-") row.agency_scope = cells.back();
    if (!rows.emplace(cells[0], row).second) {
      *error = absl::StrCat(path, ":", number, ": ", cells[0], " appears twice");
      return {};
    }
  }
  if (!header_seen) *error = path + ": no header line";
  return rows;
}

// The tenant of a caller kind in the suite's tokens, and another tenant of the same kind.
struct Tenant {
  std::string own;
  std::string other;
};
const std::map<std::string, Tenant>& Tenants() {
  static const auto* tenants = new std::map<std::string, Tenant>{
      {"municipality_officer", {"kommuner/0380", "kommuner/0305"}},
      {"organisation_rep", {"organisations/8024001235", "organisations/8024005673"}},
      // A learner names itself learners/me: its id is its subject's pseudonym.
      {"learner", {"learners/me", "learners/someone-else"}},
  };
  return *tenants;
}

// Reasons that mean "refused for who the caller is" rather than for what it asked.
bool IsCallerRefusal(const gateway::testing::CallResult& r) {
  const std::string reason = r.Reason();
  if (r.status.error_code() == ::grpc::StatusCode::UNAUTHENTICATED) return true;
  return r.status.error_code() == ::grpc::StatusCode::PERMISSION_DENIED &&
         (reason == "ROLE_NOT_ALLOWED" || reason == "NO_POLICY" || reason == "SCOPE_MISSING" ||
          reason == "TENANT_MISMATCH");
}

std::string Describe(const gateway::testing::CallResult& r) {
  return absl::StrCat(r.status.error_code(), " ", r.Reason(), ": ", r.status.error_message());
}

class AuthorizationMatrixTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<Suite>> suite = Suite::Start(RealServices());
    if (suite.ok()) {
      suite_ = *std::move(suite);
    } else {
      start_error_ = suite.status().ToString();
    }
  }
  static void TearDownTestSuite() { suite_.reset(); }
  void SetUp() override {
    ASSERT_NE(suite_, nullptr) << start_error_;
    const char* path = std::getenv("INTEGRATION_AUTHZ_TABLE");
    ASSERT_NE(path, nullptr) << "INTEGRATION_AUTHZ_TABLE names tests/authz/expected.tsv (ctest "
                                "sets it)";
    std::string error;
    table_ = ReadTable(path, &error);
    ASSERT_TRUE(error.empty()) << error;
  }

  // The bearer of one caller kind; agency systems carry `scopes`.
  std::string Bearer(const std::string& kind, const std::vector<std::string>& scopes = {}) {
    integration::testing::Claims claims;
    if (kind == "anonymous") return "";
    if (kind == "county_officer" || kind == "county_admin") claims.lan = kLan;
    if (kind == "municipality_officer") claims.kommun = kKommun;
    if (kind == "organisation_rep") claims.orgnr = "8024001235";
    if (kind == "agency_system") {
      claims.agency = "migrationsverket";
      claims.scopes = scopes;
    }
    const std::string subject = kind == "learner" ? "matrix-learner" : "matrix-" + kind;
    return suite_->Bearer(kind, subject, claims);
  }

  static std::unique_ptr<Suite> suite_;
  static std::string start_error_;
  std::map<std::string, Row> table_;
};

std::unique_ptr<Suite> AuthorizationMatrixTest::suite_;
std::string AuthorizationMatrixTest::start_error_;

TEST_F(AuthorizationMatrixTest, EveryRpcEveryCallerKindAsTheTableSays) {
  // The exposed surface: each service of the suite (lansstyrelsen.integration.<stem>.v1.
  // <Stem>Service, served at its own address) and the gateway's own service.
  struct Target {
    const ServiceDescriptor* service;
    std::string direct;  // the service's own address; empty for the gateway's service
  };
  std::vector<Target> targets;
  for (const SuiteService& s : RealServices()) {
    std::string camel;
    const std::vector<std::string> words = absl::StrSplit(s.spec.name, '_');
    for (const std::string& word : words) {
      camel += absl::StrCat(std::string(1, static_cast<char>(std::toupper(word[0]))),
                            word.substr(1));
    }
    const std::string full = absl::StrCat(kPackagePrefix, s.spec.name, ".v1.", camel, "Service");
    const ServiceDescriptor* d = DescriptorPool::generated_pool()->FindServiceByName(full);
    ASSERT_NE(d, nullptr) << full << " (service " << s.spec.name << ") has no descriptor";
    targets.push_back({d, suite_->service(s.spec.name).target()});
  }
  const ServiceDescriptor* gateway_service = DescriptorPool::generated_pool()->FindServiceByName(
      absl::StrCat(kPackagePrefix, "gateway.v1.GatewayService"));
  ASSERT_NE(gateway_service, nullptr);
  targets.push_back({gateway_service, ""});

  std::set<std::string> seen;
  int calls = 0;
  for (const Target& target : targets) {
    for (int i = 0; i < target.service->method_count(); ++i) {
      const MethodDescriptor* m = target.service->method(i);
      if (m->client_streaming() || m->server_streaming()) continue;
      const std::string key = absl::StrCat(
          absl::StripPrefix(m->service()->full_name(), kPackagePrefix), "/", m->name());
      auto row = table_.find(key);
      if (row == table_.end()) {
        ADD_FAILURE() << key << " has no row in tests/authz/expected.tsv";
        continue;
      }
      seen.insert(key);
      const auth::Policy* policy = auth::PolicyOf(*m);
      const std::string tenant_field = policy != nullptr ? policy->tenant_field() : "";
      const std::string path = "/" + m->service()->full_name() + "/" + m->name();
      std::vector<std::pair<std::string, std::string>> fronts = {
          {"gateway", suite_->gateway().grpc_target()}};
      if (!target.direct.empty()) fronts.push_back({"direct", target.direct});

      for (const std::string& kind : CallerKinds()) {
        const Access want = row->second.access.at(kind);
        // Agency systems carry the row's scope: the table's allow means "with that scope".
        std::vector<std::string> scopes;
        if (!row->second.agency_scope.empty()) scopes.push_back(row->second.agency_scope);
        const std::string bearer = Bearer(kind, scopes);
        auto tenant = Tenants().find(kind);

        auto request = [&](const std::string& tenant_value) {
          std::unique_ptr<google::protobuf::Message> req(
              google::protobuf::MessageFactory::generated_factory()
                  ->GetPrototype(m->input_type())
                  ->New());
          if (!tenant_field.empty() && !tenant_value.empty()) {
            EXPECT_TRUE(gateway::testing::SetPath(req.get(), tenant_field, tenant_value))
                << key << ": tenant_field " << tenant_field;
          }
          return req;
        };
        for (const auto& [front, address] : fronts) {
          const std::string where = absl::StrCat(key, " as ", kind, " (", front, ")");
          gateway::testing::CallOptions options;
          if (!bearer.empty()) options.metadata["authorization"] = bearer;
          const std::string own = tenant != Tenants().end() ? tenant->second.own : "";
          gateway::testing::CallResult r =
              gateway::testing::Call(address, path, *request(own), options);
          ++calls;
          if (want == Access::kDeny) {
            if (kind == "anonymous") {
              EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::UNAUTHENTICATED) << where;
              EXPECT_EQ(r.Reason(), "TOKEN_MISSING") << where << ": " << Describe(r);
            } else {
              EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::PERMISSION_DENIED)
                  << where << ": " << Describe(r);
              EXPECT_EQ(r.Reason(), "ROLE_NOT_ALLOWED") << where << ": " << Describe(r);
            }
            continue;
          }
          EXPECT_FALSE(IsCallerRefusal(r)) << where << " is refused: " << Describe(r);
          if (want == Access::kOwn) {
            // Own only: a tenant that is not the caller's is refused, where the request names
            // one (others are found by id and checked by the service's object-level tests).
            EXPECT_NE(tenant, Tenants().end()) << where << ": own for a kind without a tenant";
            if (tenant != Tenants().end() && !tenant_field.empty()) {
              gateway::testing::CallResult other = gateway::testing::Call(
                  address, path, *request(tenant->second.other), options);
              ++calls;
              EXPECT_THAT(other.status.error_code(),
                          ::testing::AnyOf(::grpc::StatusCode::PERMISSION_DENIED,
                                           ::grpc::StatusCode::NOT_FOUND))
                  << where << " for another tenant: " << Describe(other);
            }
          }
          // The scope is part of the right: an agency system without it is refused.
          if (kind == "agency_system" && !row->second.agency_scope.empty()) {
            gateway::testing::CallOptions bare;
            bare.metadata["authorization"] = Bearer(kind);
            gateway::testing::CallResult unscoped =
                gateway::testing::Call(address, path, *request(""), bare);
            ++calls;
            EXPECT_EQ(unscoped.status.error_code(), ::grpc::StatusCode::PERMISSION_DENIED)
                << where << " without the scope " << row->second.agency_scope << ": "
                << Describe(unscoped);
            EXPECT_EQ(unscoped.Reason(), "SCOPE_MISSING") << where << ": " << Describe(unscoped);
          }
        }
      }
    }
  }
  for (const auto& [method, row] : table_) {
    EXPECT_TRUE(seen.count(method) > 0)
        << "tests/authz/expected.tsv:" << row.line << ": " << method
        << " is no RPC of the suite (renamed or removed?)";
  }
  // Every row was exercised for every caller kind, at least through the gateway.
  EXPECT_GE(calls, static_cast<int>(table_.size() * CallerKinds().size()));
}

}  // namespace
}  // namespace integration::e2e
