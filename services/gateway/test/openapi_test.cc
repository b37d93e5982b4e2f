// Unit tests of the generated OpenAPI document: paths from the training rules, parameters,
// bodies, schemas of proto3 JSON types, security of public methods, and internal consistency.
#include "openapi.h"

#include <gmock/gmock.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "lansstyrelsen/integration/echo/v1/echo.pb.h"
#include "lansstyrelsen/integration/gateway/v1/gateway_service.pb.h"
#include "lansstyrelsen/integration/training/v1/training_service.pb.h"

namespace integration::gateway {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using ::testing::IsSupersetOf;

std::vector<const google::protobuf::MethodDescriptor*> AllMethods() {
  std::vector<const google::protobuf::MethodDescriptor*> methods;
  for (const google::protobuf::ServiceDescriptor* service :
       {lansstyrelsen::integration::training::v1::ListPartsRequest::descriptor()
            ->file()
            ->FindServiceByName("TrainingService"),
        lansstyrelsen::integration::echo::v1::EchoRequest::descriptor()->file()->FindServiceByName(
            "EchoService"),
        lansstyrelsen::integration::gateway::v1::GetRegionalOverviewRequest::descriptor()
            ->file()
            ->FindServiceByName("GatewayService")}) {
    for (int i = 0; i < service->method_count(); ++i) methods.push_back(service->method(i));
  }
  return methods;
}

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto json = BuildOpenApi(AllMethods());
    ASSERT_TRUE(json.ok()) << json.status();
    json_ = *json;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json_, &doc_).ok());
  }

  const Struct& Object(const Struct& parent, const std::string& key) {
    auto it = parent.fields().find(key);
    EXPECT_NE(it, parent.fields().end()) << "missing " << key;
    if (it == parent.fields().end()) return Struct::default_instance();
    return it->second.struct_value();
  }
  std::string String(const Struct& parent, const std::string& key) {
    auto it = parent.fields().find(key);
    return it == parent.fields().end() ? "" : it->second.string_value();
  }
  const Struct& Operation(const std::string& path, const std::string& verb) {
    return Object(Object(Object(doc_, "paths"), path), verb);
  }
  // name -> parameter object of an operation.
  std::map<std::string, Struct> Parameters(const Struct& operation) {
    std::map<std::string, Struct> out;
    auto it = operation.fields().find("parameters");
    if (it == operation.fields().end()) return out;
    for (const Value& value : it->second.list_value().values()) {
      out[String(value.struct_value(), "name")] = value.struct_value();
    }
    return out;
  }
  const Struct& Schema(const std::string& name) {
    return Object(Object(Object(doc_, "components"), "schemas"), name);
  }

  std::string json_;
  Struct doc_;
};

TEST_F(OpenApiTest, HeaderAndSecurityScheme) {
  EXPECT_EQ(String(doc_, "openapi"), "3.0.3");
  EXPECT_FALSE(String(Object(doc_, "info"), "title").empty());
  const Struct& scheme =
      Object(Object(Object(doc_, "components"), "securitySchemes"), "bearerAuth");
  EXPECT_EQ(String(scheme, "type"), "http");
  EXPECT_EQ(String(scheme, "scheme"), "bearer");
  EXPECT_EQ(String(scheme, "bearerFormat"), "JWT");
  EXPECT_EQ(doc_.fields().at("openapi").string_value(), "3.0.3");
  EXPECT_TRUE(json_.starts_with(R"({"openapi":"3.0.3")")) << "ordered for humans";
}

TEST_F(OpenApiTest, PatternVariablesBecomeLiteralSegmentsAndParameters) {
  const Struct& get_module = Operation("/v1/parts/{part}/modules/{module}", "get");
  EXPECT_EQ(String(get_module, "operationId"), "TrainingService_GetModule");
  auto parameters = Parameters(get_module);
  ASSERT_TRUE(parameters.contains("part"));
  ASSERT_TRUE(parameters.contains("module"));
  EXPECT_EQ(String(parameters["part"], "in"), "path");
  EXPECT_TRUE(parameters["part"].fields().at("required").bool_value());
  EXPECT_EQ(String(parameters["module"], "x-field"), "name");
  EXPECT_EQ(String(parameters["module"], "x-pattern"), "parts/*/modules/*");

  const Struct& update = Operation("/v1/parts/{part}", "patch");
  EXPECT_EQ(String(update, "operationId"), "TrainingService_UpdatePart");
  EXPECT_EQ(String(Parameters(update)["part"], "x-field"), "part.name");
  EXPECT_EQ(String(Operation("/v1/parts/{part}", "get"), "operationId"), "TrainingService_GetPart");

  const Struct& verify = Operation("/v1/diplomas/{code}:verify", "get");
  EXPECT_EQ(String(verify, "operationId"), "TrainingService_VerifyDiploma");
  EXPECT_EQ(String(Parameters(verify)["code"], "x-field"), "code");
  EXPECT_EQ(String(Operation("/v1/parts/{part}/modules/{module}:publish", "post"), "operationId"),
            "TrainingService_PublishModule");
  EXPECT_EQ(String(Operation("/v1/parts/{part}/modules/{module}/quiz", "get"), "operationId"),
            "TrainingService_GetQuiz");
}

TEST_F(OpenApiTest, EveryTemplatedPathParameterIsDeclaredAndRequired) {
  for (const auto& [path, item] : Object(doc_, "paths").fields()) {
    std::set<std::string> in_path;
    for (std::size_t open = path.find('{'); open != std::string::npos;
         open = path.find('{', open + 1)) {
      in_path.insert(path.substr(open + 1, path.find('}', open) - open - 1));
    }
    for (const auto& [verb, operation] : item.struct_value().fields()) {
      std::set<std::string> declared;
      for (const auto& [name, parameter] : Parameters(operation.struct_value())) {
        if (String(parameter, "in") != "path") continue;
        declared.insert(name);
        EXPECT_TRUE(parameter.fields().at("required").bool_value()) << path << " " << name;
      }
      EXPECT_EQ(declared, in_path) << verb << " " << path;
    }
  }
}

TEST_F(OpenApiTest, QueryParametersAndBodies) {
  auto list = Parameters(Operation("/v1/learners", "get"));
  for (const char* name : {"pageSize", "pageToken", "kommunkod"}) {
    ASSERT_TRUE(list.contains(name)) << name;
    EXPECT_EQ(String(list[name], "in"), "query");
  }
  auto statistics = Parameters(Operation("/v1/statistics", "get"));
  EXPECT_TRUE(statistics.contains("period.startDate.year"));
  EXPECT_TRUE(statistics.contains("period.endDate.day"));
  EXPECT_TRUE(statistics.contains("lanskod"));

  const Struct& create = Operation("/v1/parts", "post");
  auto create_parameters = Parameters(create);
  EXPECT_TRUE(create_parameters.contains("partId"));
  EXPECT_TRUE(create_parameters.contains("requestId"));
  EXPECT_FALSE(create_parameters.contains("part.title")) << "body fields are not query params";
  const Struct& body_schema = Object(
      Object(Object(Object(create, "requestBody"), "content"), "application/json"), "schema");
  EXPECT_EQ(String(body_schema, "$ref"),
            "#/components/schemas/lansstyrelsen.integration.training.v1.Part");

  // body "*" with a path variable: the body schema leaves the path-bound field out.
  const Struct& submit = Operation("/v1/learners/{learner}/attempts/{attempt}:submit", "post");
  EXPECT_FALSE(Parameters(submit).contains("answers"));
  const Struct& submit_body = Object(
      Object(Object(Object(submit, "requestBody"), "content"), "application/json"), "schema");
  const Struct& properties = Object(submit_body, "properties");
  EXPECT_TRUE(properties.fields().contains("answers"));
  EXPECT_FALSE(properties.fields().contains("name"));
}

TEST_F(OpenApiTest, ResponsesBinaryAndErrors) {
  const Struct& pdf = Operation("/v1/learners/{learner}/diplomas/{diploma}:pdf", "get");
  const Struct& ok = Object(Object(Object(pdf, "responses"), "200"), "content");
  ASSERT_TRUE(ok.fields().contains("application/pdf"));
  EXPECT_EQ(String(Object(Object(ok, "application/pdf"), "schema"), "format"), "binary");

  const Struct& responses = Object(Operation("/v1/parts", "post"), "responses");
  for (const char* status : {"400", "401", "403", "429", "503"}) {
    EXPECT_TRUE(responses.fields().contains(status)) << status;
  }
  const Struct& too_many =
      Object(Object(Object(doc_, "components"), "responses"), "TooManyRequests");
  EXPECT_TRUE(Object(too_many, "headers").fields().contains("Retry-After"));
  const Struct& status = Schema("google.rpc.Status");
  EXPECT_TRUE(Object(status, "properties").fields().contains("details"));
}

TEST_F(OpenApiTest, PublicMethodsNeedNoToken) {
  const Struct& verify = Operation("/v1/diplomas/{code}:verify", "get");
  ASSERT_TRUE(verify.fields().contains("security"));
  EXPECT_EQ(verify.fields().at("security").list_value().values_size(), 0);
  EXPECT_FALSE(Object(verify, "responses").fields().contains("401"));
  const Struct& create = Operation("/v1/parts", "post");
  EXPECT_FALSE(create.fields().contains("security")) << "inherits the bearer requirement";
  const auto& roles = create.fields().at("x-roles").list_value();
  ASSERT_EQ(roles.values_size(), 1);
  EXPECT_EQ(roles.values(0).string_value(), "county_admin");
}

TEST_F(OpenApiTest, SchemasFollowProto3Json) {
  const Struct& part = Object(Schema("lansstyrelsen.integration.training.v1.Part"), "properties");
  EXPECT_EQ(String(Object(part, "createTime"), "type"), "string");
  EXPECT_EQ(String(Object(part, "createTime"), "format"), "date-time");
  EXPECT_EQ(String(Object(part, "position"), "type"), "integer");
  EXPECT_EQ(String(Object(part, "moduleCount"), "format"), "int32");

  const Struct& row =
      Object(Schema("lansstyrelsen.integration.training.v1.StatisticsRow"), "properties");
  EXPECT_EQ(String(Object(row, "enrolments"), "type"), "string");
  EXPECT_EQ(String(Object(row, "enrolments"), "format"), "int64");

  const Struct& module =
      Object(Schema("lansstyrelsen.integration.training.v1.Module"), "properties");
  const Struct& state = Object(module, "state");
  EXPECT_EQ(String(state, "type"), "string");
  std::vector<std::string> values;
  for (const Value& v : state.fields().at("enum").list_value().values()) {
    values.push_back(v.string_value());
  }
  EXPECT_THAT(values, IsSupersetOf({"CONTENT_STATE_DRAFT", "CONTENT_STATE_PUBLISHED"}));
  const Struct& content = Object(module, "content");
  EXPECT_EQ(String(content, "type"), "array");
  EXPECT_EQ(String(Object(content, "items"), "$ref"),
            "#/components/schemas/lansstyrelsen.integration.training.v1.ContentItem");

  const Struct& diploma =
      Object(Schema("lansstyrelsen.integration.training.v1.Diploma"), "properties");
  EXPECT_EQ(String(Object(diploma, "signature"), "format"), "byte");

  const Struct& section =
      Object(Schema("lansstyrelsen.integration.gateway.v1.Section"), "properties");
  EXPECT_TRUE(Object(Object(section, "figures"), "properties").fields().contains("@type"));
}

// Every "$ref" points at something the document defines.
void CollectRefs(const Value& value, std::vector<std::string>* refs) {
  if (value.has_struct_value()) {
    for (const auto& [key, child] : value.struct_value().fields()) {
      if (key == "$ref") refs->push_back(child.string_value());
      CollectRefs(child, refs);
    }
  } else if (value.has_list_value()) {
    for (const Value& child : value.list_value().values()) CollectRefs(child, refs);
  }
}

TEST_F(OpenApiTest, EveryReferenceResolvesAndOperationIdsAreUnique) {
  Value root;
  *root.mutable_struct_value() = doc_;
  std::vector<std::string> refs;
  CollectRefs(root, &refs);
  ASSERT_FALSE(refs.empty());
  for (const std::string& ref : refs) {
    ASSERT_TRUE(ref.starts_with("#/components/")) << ref;
    const std::string rest = ref.substr(strlen("#/components/"));
    const std::string kind = rest.substr(0, rest.find('/'));
    const std::string name = rest.substr(rest.find('/') + 1);
    EXPECT_TRUE(Object(Object(doc_, "components"), kind).fields().contains(name)) << ref;
  }
  std::set<std::string> ids;
  int operations = 0;
  for (const auto& [path, item] : Object(doc_, "paths").fields()) {
    for (const auto& [verb, operation] : item.struct_value().fields()) {
      ++operations;
      EXPECT_TRUE(ids.insert(String(operation.struct_value(), "operationId")).second)
          << path << " " << verb;
    }
  }
  // Every training and gateway method and the echo method have exactly one http rule.
  EXPECT_EQ(operations, static_cast<int>(AllMethods().size()));
}

}  // namespace
}  // namespace integration::gateway
