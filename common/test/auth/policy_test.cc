// Unit tests of authorization from the proto access policy: role checks, the tenant check over
// request fields (dynamic messages), and reading the policy option from method descriptors.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "integration/auth/auth.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/echo/v1/echo.pb.h"

namespace integration::auth {
namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::DynamicMessageFactory;
using google::protobuf::FieldDescriptorProto;
using google::protobuf::FileDescriptorProto;
using google::protobuf::Message;

std::string Reason(const absl::Status& status) {
  const auto info = status::GetErrorInfo(status);
  return info ? info->reason() : "<no ErrorInfo>";
}

Caller MakeCaller(const std::string& role) {
  Caller caller;
  caller.authenticated = true;
  caller.role = role;
  caller.subject = "subject-1";
  return caller;
}

Policy RolesPolicy(std::initializer_list<const char*> roles, const std::string& tenant_field = "") {
  Policy policy;
  for (const char* role : roles) policy.add_roles(role);
  policy.set_tenant_field(tenant_field);
  return policy;
}

void AddField(google::protobuf::DescriptorProto* message, const std::string& name, int number,
              FieldDescriptorProto::Type type, const std::string& type_name = "",
              bool repeated = false) {
  auto* field = message->add_field();
  field->set_name(name);
  field->set_number(number);
  field->set_type(type);
  field->set_label(repeated ? FieldDescriptorProto::LABEL_REPEATED
                            : FieldDescriptorProto::LABEL_OPTIONAL);
  if (!type_name.empty()) field->set_type_name(type_name);
}

// Request types built at run time, so the tests need no proto of their own:
//   message Application { string name = 1; }
//   message Request { string parent = 1; Application application = 2;
//                     repeated string names = 3; int32 count = 4; bytes blob = 5; }
//   service TestService { rpc Open(Request) returns (Request);
//                         rpc Guarded(Request) returns (Request) { option policy = {...}; } }
class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FileDescriptorProto file;
    file.set_name("authtest/tenant.proto");
    file.set_package("authtest");
    file.set_syntax("proto3");
    auto* application = file.add_message_type();
    application->set_name("Application");
    AddField(application, "name", 1, FieldDescriptorProto::TYPE_STRING);
    auto* request = file.add_message_type();
    request->set_name("Request");
    AddField(request, "parent", 1, FieldDescriptorProto::TYPE_STRING);
    AddField(request, "application", 2, FieldDescriptorProto::TYPE_MESSAGE,
             ".authtest.Application");
    AddField(request, "names", 3, FieldDescriptorProto::TYPE_STRING, "", /*repeated=*/true);
    AddField(request, "count", 4, FieldDescriptorProto::TYPE_INT32);
    AddField(request, "blob", 5, FieldDescriptorProto::TYPE_BYTES);
    auto* service = file.add_service();
    service->set_name("TestService");
    auto* open = service->add_method();
    open->set_name("Open");
    open->set_input_type(".authtest.Request");
    open->set_output_type(".authtest.Request");
    auto* guarded = service->add_method();
    guarded->set_name("Guarded");
    guarded->set_input_type(".authtest.Request");
    guarded->set_output_type(".authtest.Request");
    Policy* option = guarded->mutable_options()->MutableExtension(
        ::lansstyrelsen::integration::auth::v1::policy);
    option->add_roles("learner");
    option->set_tenant_field("application.name");

    file_ = pool_.BuildFile(file);
    ASSERT_NE(file_, nullptr);
    request_type_ = file_->FindMessageTypeByName("Request");
    ASSERT_NE(request_type_, nullptr);
  }

  std::unique_ptr<Message> Request(const std::string& parent,
                                   const std::string& application_name = "") {
    std::unique_ptr<Message> message(factory_.GetPrototype(request_type_)->New());
    const auto* reflection = message->GetReflection();
    reflection->SetString(message.get(), request_type_->FindFieldByName("parent"), parent);
    if (!application_name.empty()) {
      Message* application =
          reflection->MutableMessage(message.get(), request_type_->FindFieldByName("application"));
      application->GetReflection()->SetString(
          application, application->GetDescriptor()->FindFieldByName("name"), application_name);
    }
    return message;
  }

  DescriptorPool pool_;
  DynamicMessageFactory factory_{&pool_};
  const google::protobuf::FileDescriptor* file_ = nullptr;
  const google::protobuf::Descriptor* request_type_ = nullptr;
};

TEST_F(PolicyTest, PublicMethodNeedsNoToken) {
  Policy policy;
  policy.set_public_(true);
  EXPECT_TRUE(Authorize(&policy, Caller{}).ok());
  EXPECT_TRUE(Authorize(&policy, MakeCaller("learner")).ok());
}

TEST_F(PolicyTest, MissingTokenIsUnauthenticated) {
  const Policy policy = RolesPolicy({"county_officer"});
  const absl::Status status = Authorize(&policy, Caller{});
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Reason(status), "TOKEN_MISSING");
}

TEST_F(PolicyTest, RoleMustBeListed) {
  const Policy policy = RolesPolicy({"county_officer", "county_admin"});
  EXPECT_TRUE(Authorize(&policy, MakeCaller("county_admin")).ok());
  EXPECT_TRUE(Authorize(&policy, MakeCaller("county_officer")).ok());
  for (const char* role : {"municipality_officer", "learner", "County_Admin", ""}) {
    const absl::Status status = Authorize(&policy, MakeCaller(role));
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << role;
    EXPECT_EQ(Reason(status), "ROLE_NOT_ALLOWED") << role;
  }
  // A policy listing no roles and not public lets nobody in.
  const Policy empty;
  EXPECT_EQ(Reason(Authorize(&empty, MakeCaller("county_admin"))), "ROLE_NOT_ALLOWED");
}

TEST_F(PolicyTest, AgencySystemNeedsAScopeThePolicyNames) {
  Policy policy = RolesPolicy({"agency_system", "county_officer"});
  Caller agency = MakeCaller("agency_system");
  // A policy that names no agency scope lets no agency system in, whatever its token says.
  agency.scopes = {"grants.funding.read"};
  absl::Status status = Authorize(&policy, agency);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Reason(status), "SCOPE_MISSING");

  policy.add_agency_scopes("grants.funding.read");
  policy.add_agency_scopes("grants.admin");
  EXPECT_TRUE(Authorize(&policy, agency).ok());
  agency.scopes = {"placement.arrivals", "grants.admin"};
  EXPECT_TRUE(Authorize(&policy, agency).ok());
  for (std::vector<std::string> scopes : std::vector<std::vector<std::string>>{
           {}, {"placement.arrivals"}, {"grants.funding"}, {"GRANTS.FUNDING.READ"}}) {
    agency.scopes = scopes;
    status = Authorize(&policy, agency);
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(Reason(status), "SCOPE_MISSING");
    std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(status);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->metadata().at("required_scopes"), "grants.funding.read grants.admin");
  }
  // Other roles are not asked for scopes.
  EXPECT_TRUE(Authorize(&policy, MakeCaller("county_officer")).ok());
}

TEST_F(PolicyTest, NoPolicyDeniesEveryone) {
  for (const Caller& caller : {Caller{}, MakeCaller("county_admin")}) {
    const absl::Status status = Authorize(nullptr, caller);
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(Reason(status), "NO_POLICY");
  }
}

TEST_F(PolicyTest, PolicyOfTheEchoMethod) {
  // Looked up by full name, as the gateway does from the descriptors of a request.
  const auto* file = ::lansstyrelsen::integration::echo::v1::EchoRequest::descriptor()->file();
  const auto* method =
      file->pool()->FindMethodByName("lansstyrelsen.integration.echo.v1.EchoService.Echo");
  ASSERT_NE(method, nullptr);
  const Policy* policy = PolicyOf(*method);
  ASSERT_NE(policy, nullptr);
  EXPECT_FALSE(policy->public_());
  ASSERT_EQ(policy->roles_size(), 3);
  EXPECT_EQ(policy->roles(0), "county_officer");
  EXPECT_EQ(policy->roles(1), "county_admin");
  EXPECT_EQ(policy->roles(2), "agency_system");
  ASSERT_EQ(policy->agency_scopes_size(), 1);
  EXPECT_EQ(policy->agency_scopes(0), "echo.echo");
  Caller agency = MakeCaller("agency_system");
  EXPECT_EQ(Reason(Authorize(policy, agency)), "SCOPE_MISSING");
  agency.scopes = {"echo.echo"};
  EXPECT_TRUE(Authorize(policy, agency).ok());
  EXPECT_EQ(Reason(Authorize(policy, MakeCaller("learner"))), "ROLE_NOT_ALLOWED");
}

TEST_F(PolicyTest, PolicyOfDynamicMethods) {
  const auto* service = file_->FindServiceByName("TestService");
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(PolicyOf(*service->FindMethodByName("Open")), nullptr);
  EXPECT_EQ(Reason(Authorize(PolicyOf(*service->FindMethodByName("Open")), MakeCaller("learner"))),
            "NO_POLICY");
  const Policy* guarded = PolicyOf(*service->FindMethodByName("Guarded"));
  ASSERT_NE(guarded, nullptr);
  ASSERT_EQ(guarded->roles_size(), 1);
  EXPECT_EQ(guarded->roles(0), "learner");
  EXPECT_EQ(guarded->tenant_field(), "application.name");
}

TEST_F(PolicyTest, NoTenantFieldMeansNoTenantCheck) {
  Caller caller = MakeCaller("municipality_officer");
  caller.kommun = "0180";
  EXPECT_TRUE(CheckTenant(RolesPolicy({"municipality_officer"}), caller,
                          *Request("kommuner/1480/applications/1"))
                  .ok());
}

TEST_F(PolicyTest, MunicipalityOfficerOwnKommunOnly) {
  const Policy policy = RolesPolicy({"municipality_officer"}, "parent");
  Caller caller = MakeCaller("municipality_officer");
  caller.kommun = "0180";
  for (const char* ok : {"kommuner/0180", "kommuner/0180/applications/42", "0180",
                         "calls/7/kommuner/0180/applications/1"}) {
    EXPECT_TRUE(CheckTenant(policy, caller, *Request(ok)).ok()) << ok;
  }
  for (const char* denied :
       {"kommuner/1480/applications/42", "1480", "kommuner/01800", "kommuner/018",
        "organisations/0180", "kommuner", "0180/kommuner", "", "kommuner/-/applications/1"}) {
    const absl::Status status = CheckTenant(policy, caller, *Request(denied));
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << denied;
    EXPECT_EQ(Reason(status), "TENANT_MISMATCH") << denied;
  }
  // Without its claim the role owns nothing, not even empty values.
  Caller no_claim = MakeCaller("municipality_officer");
  EXPECT_EQ(Reason(CheckTenant(policy, no_claim, *Request(""))), "TENANT_MISMATCH");
  EXPECT_EQ(Reason(CheckTenant(policy, no_claim, *Request("kommuner/"))), "TENANT_MISMATCH");
}

TEST_F(PolicyTest, OrganisationRepOwnOrganisationOnly) {
  const Policy policy = RolesPolicy({"organisation_rep"}, "parent");
  Caller caller = MakeCaller("organisation_rep");
  caller.orgnr = "8024567890";
  EXPECT_TRUE(CheckTenant(policy, caller, *Request("organisations/8024567890/activities/3")).ok());
  EXPECT_TRUE(CheckTenant(policy, caller, *Request("8024567890")).ok());
  EXPECT_EQ(Reason(CheckTenant(policy, caller, *Request("organisations/8024567891/activities/3"))),
            "TENANT_MISMATCH");
  EXPECT_EQ(Reason(CheckTenant(policy, caller, *Request("kommuner/8024567890"))),
            "TENANT_MISMATCH");
}

TEST_F(PolicyTest, LearnerOnlyItself) {
  const Policy policy = RolesPolicy({"learner"}, "parent");
  Caller caller = MakeCaller("learner");
  caller.subject = "abc";
  EXPECT_TRUE(CheckTenant(policy, caller, *Request("learners/abc/attempts/1")).ok());
  EXPECT_TRUE(CheckTenant(policy, caller, *Request("abc")).ok());
  EXPECT_EQ(Reason(CheckTenant(policy, caller, *Request("learners/abcd"))), "TENANT_MISMATCH");
  EXPECT_EQ(Reason(CheckTenant(policy, caller, *Request("learners/ab"))), "TENANT_MISMATCH");
  // A learner names itself learners/me: it cannot compute its pseudonym.
  EXPECT_TRUE(CheckTenant(policy, caller, *Request("learners/me")).ok());
  EXPECT_TRUE(CheckTenant(policy, caller, *Request("learners/me/attempts/1")).ok());
  // After a subject key rotation its records under the former pseudonym are still its own.
  EXPECT_EQ(Reason(CheckTenant(policy, caller, *Request("learners/old-abc"))), "TENANT_MISMATCH");
  caller.former_subjects = {"old-abc"};
  EXPECT_TRUE(CheckTenant(policy, caller, *Request("learners/old-abc/attempts/1")).ok());
  EXPECT_EQ(Reason(CheckTenant(policy, caller, *Request("learners/old-abcd"))), "TENANT_MISMATCH");
  // "me" is nobody's tenant but a learner's.
  Caller officer = MakeCaller("municipality_officer");
  officer.kommun = "0180";
  EXPECT_EQ(Reason(CheckTenant(policy, officer, *Request("kommuner/me"))), "TENANT_MISMATCH");
}

TEST_F(PolicyTest, RolesWithoutTenantClaimPass) {
  const Policy policy = RolesPolicy({}, "parent");
  for (const char* role : {"county_officer", "county_admin", "agency_system"}) {
    Caller caller = MakeCaller(role);
    caller.kommun = "0180";  // ignored for these roles
    EXPECT_TRUE(CheckTenant(policy, caller, *Request("kommuner/1480/applications/1")).ok()) << role;
  }
}

TEST_F(PolicyTest, NestedTenantField) {
  const Policy policy = RolesPolicy({"municipality_officer"}, "application.name");
  Caller caller = MakeCaller("municipality_officer");
  caller.kommun = "0180";
  EXPECT_TRUE(
      CheckTenant(policy, caller, *Request("ignored", "kommuner/0180/applications/7")).ok());
  EXPECT_EQ(Reason(CheckTenant(policy, caller,
                               *Request("kommuner/0180", "kommuner/1480/applications/7"))),
            "TENANT_MISMATCH");
  // Unset message on the path reads as empty, which belongs to nobody.
  EXPECT_EQ(Reason(CheckTenant(policy, caller, *Request("kommuner/0180"))), "TENANT_MISMATCH");
}

TEST_F(PolicyTest, TenantFieldThatDoesNotExistIsInvalidArgument) {
  Caller officer = MakeCaller("municipality_officer");
  officer.kommun = "0180";
  for (const char* path : {"nope", "parent.name", "application", "application.nope", "names",
                           "count", "blob", "", "application.", ".parent"}) {
    if (std::string(path).empty()) continue;  // empty means "not tenant-scoped"
    const Policy policy = RolesPolicy({"municipality_officer"}, path);
    // Reported for every caller, so a wrong policy fails whichever role a test uses.
    for (const Caller& caller : {officer, MakeCaller("county_officer")}) {
      const absl::Status status = CheckTenant(policy, caller, *Request("kommuner/0180"));
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << path << " " << caller.role;
    }
  }
}

TEST_F(PolicyTest, TenantCheckOnGeneratedMessages) {
  ::lansstyrelsen::integration::echo::v1::EchoRequest request;
  request.set_message("organisations/5566778899");
  Caller caller = MakeCaller("organisation_rep");
  caller.orgnr = "5566778899";
  EXPECT_TRUE(CheckTenant(RolesPolicy({"organisation_rep"}, "message"), caller, request).ok());
  caller.orgnr = "5566778898";
  EXPECT_EQ(Reason(CheckTenant(RolesPolicy({"organisation_rep"}, "message"), caller, request)),
            "TENANT_MISMATCH");
  EXPECT_EQ(CheckTenant(RolesPolicy({"organisation_rep"}, "payload"), caller, request).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace integration::auth
