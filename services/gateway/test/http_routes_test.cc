// Unit tests of the route table: every TrainingService rule parses and routes to its method,
// precedence (literals, verbs), 405 vs 404, additional_bindings and conflicts.
#include "http_routes.h"

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lansstyrelsen/integration/training/v1/training_service.pb.h"

namespace integration::gateway {
namespace {

using google::protobuf::MethodDescriptor;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<const MethodDescriptor*> MethodsOf(const google::protobuf::ServiceDescriptor& service) {
  std::vector<const MethodDescriptor*> methods;
  for (int i = 0; i < service.method_count(); ++i) methods.push_back(service.method(i));
  return methods;
}

const google::protobuf::ServiceDescriptor& Training() {
  return *lansstyrelsen::integration::training::v1::ListPartsRequest::descriptor()
              ->file()
              ->FindServiceByName("TrainingService");
}

// A concrete request path for a template: every '*' becomes "x<i>", '**' becomes "y/z".
std::string ExamplePath(const PathTemplate& path) {
  std::vector<std::string> parts;
  int n = 0;
  for (const TemplateSegment& segment : path.segments()) {
    switch (segment.kind) {
      case TemplateSegment::Kind::kLiteral:
        parts.push_back(segment.literal);
        break;
      case TemplateSegment::Kind::kSingle:
        parts.push_back(absl::StrCat("x", ++n));
        break;
      case TemplateSegment::Kind::kMulti:
        parts.push_back("y/z");
        break;
    }
  }
  std::string out = absl::StrCat("/", absl::StrJoin(parts, "/"));
  if (!path.verb().empty()) absl::StrAppend(&out, ":", path.verb());
  return out;
}

TEST(RouteTableTest, EveryTrainingRuleParsesAndRoutesToItsMethod) {
  auto table = RouteTable::Build(MethodsOf(Training()));
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->routes().size(), static_cast<std::size_t>(Training().method_count()));
  for (const Route& route : table->routes()) {
    const std::string path = ExamplePath(route.path);
    RouteMatch match = table->Match(route.http_method, path);
    ASSERT_NE(match.route, nullptr) << route.http_method << " " << path;
    EXPECT_EQ(match.route->method, route.method)
        << route.http_method << " " << path << " went to " << match.route->method->name();
    EXPECT_EQ(match.raw_values.size(), route.path.variables().size());
  }
}

TEST(RouteTableTest, ResolvesNestedPathVariablesAndBodies) {
  auto table = RouteTable::Build(MethodsOf(Training()));
  ASSERT_TRUE(table.ok()) << table.status();
  RouteMatch match = table->Match("PATCH", "/v1/parts/intro");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->method->name(), "UpdatePart");
  ASSERT_EQ(match.route->variables.size(), 1u);
  EXPECT_EQ(FieldPathName(match.route->variables[0]), "part.name");
  EXPECT_EQ(match.route->body, "part");
  EXPECT_EQ(FieldPathName(match.route->body_field), "part");
  EXPECT_THAT(match.raw_values[0], ElementsAre("parts", "intro"));

  match = table->Match("POST", "/v1/learners/l1/attempts/a1:submit");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->method->name(), "SubmitAttempt");
  EXPECT_TRUE(match.route->body_is_whole_request());

  match = table->Match("GET", "/v1/diplomas/ABC123:verify");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->method->name(), "VerifyDiploma");
  EXPECT_THAT(match.raw_values[0], ElementsAre("ABC123"));
  EXPECT_FALSE(match.route->has_body());
}

TEST(RouteTableTest, CustomVerbBeatsVariableTakingTheColon) {
  auto table = RouteTable::Build(MethodsOf(Training()));
  ASSERT_TRUE(table.ok());
  RouteMatch pdf = table->Match("GET", "/v1/learners/l1/diplomas/D1:pdf");
  ASSERT_NE(pdf.route, nullptr);
  EXPECT_EQ(pdf.route->method->name(), "RenderDiplomaPdf");
  EXPECT_EQ(pdf.route->binary_content_type, "application/pdf");
  ASSERT_NE(pdf.route->binary_data, nullptr);

  RouteMatch plain = table->Match("GET", "/v1/learners/l1/diplomas/D1");
  ASSERT_NE(plain.route, nullptr);
  EXPECT_EQ(plain.route->method->name(), "GetDiploma");
  EXPECT_TRUE(plain.route->binary_content_type.empty());
}

TEST(RouteTableTest, LiteralSegmentsBeatVariables) {
  // GET /v1/learners (ListLearners) and GET /v1/{name=learners/*} (GetLearner) share a prefix;
  // GET /v1/{name=learners/*/progress} has a literal where GetAttempt-like paths have '*'.
  auto table = RouteTable::Build(MethodsOf(Training()));
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->Match("GET", "/v1/learners").route->method->name(), "ListLearners");
  EXPECT_EQ(table->Match("GET", "/v1/learners/l1").route->method->name(), "GetLearner");
  EXPECT_EQ(table->Match("GET", "/v1/learners/l1/progress").route->method->name(), "GetProgress");
  EXPECT_EQ(table->Match("GET", "/v1/diplomaPublicKey").route->method->name(),
            "GetDiplomaPublicKey");
}

TEST(RouteTableTest, WrongMethodListsAllowedMethodsUnknownPathNone) {
  auto table = RouteTable::Build(MethodsOf(Training()));
  ASSERT_TRUE(table.ok());
  RouteMatch wrong = table->Match("DELETE", "/v1/parts/intro");
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_THAT(wrong.allowed_methods, ElementsAre("GET", "PATCH"));

  RouteMatch unknown = table->Match("GET", "/v1/nothing/here");
  EXPECT_EQ(unknown.route, nullptr);
  EXPECT_TRUE(unknown.allowed_methods.empty());
  EXPECT_EQ(table->Match("GET", "/v1/parts/").route, nullptr) << "empty '*' segment";
  EXPECT_EQ(table->Match("GET", "v1/parts").route, nullptr) << "no leading slash";
  EXPECT_EQ(table->Match("POST", "/v1/parts/p/modules/m:unknownverb").route, nullptr);
}

// Builds a file in a pool over the generated one (for google.api.http) from text format.
class CustomPool {
 public:
  explicit CustomPool(const std::string& file_text)
      : pool_(google::protobuf::DescriptorPool::generated_pool()) {
    google::protobuf::FileDescriptorProto proto;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(file_text, &proto));
    file_ = pool_.BuildFile(proto);
    EXPECT_NE(file_, nullptr);
  }
  std::vector<const MethodDescriptor*> Methods() const {
    return file_ == nullptr ? std::vector<const MethodDescriptor*>{}
                            : MethodsOf(*file_->service(0));
  }

 private:
  google::protobuf::DescriptorPool pool_;
  const google::protobuf::FileDescriptor* file_ = nullptr;
};

std::string TestFile(const std::string& methods, const std::string& extra_fields = "") {
  return absl::StrCat(
      R"pb(
        name: "gwtest/routes.proto"
        package: "gwtest.v1"
        syntax: "proto3"
        dependency: "google/api/annotations.proto"
        message_type {
          name: "Thing"
          field { name: "name" number: 1 type: TYPE_STRING label: LABEL_OPTIONAL json_name: "name" }
          field {
            name: "count"
            number: 2
            type: TYPE_INT32
            label: LABEL_OPTIONAL
            json_name: "count"
          }
          field { name: "tags" number: 3 type: TYPE_STRING label: LABEL_REPEATED json_name: "tags" }
          field {
            name: "inner"
            number: 4
            type: TYPE_MESSAGE
            type_name: ".gwtest.v1.Thing"
            label: LABEL_OPTIONAL
            json_name: "inner"
          }
      )pb",
      extra_fields, R"pb(
        }
        service { name: "Things" )pb",
      methods, "}");
}

std::string Method(const std::string& name, const std::string& rule) {
  return absl::StrCat("method { name: \"", name,
                      "\" input_type: \".gwtest.v1.Thing\" output_type: \".gwtest.v1.Thing\" "
                      "options { [google.api.http] { ",
                      rule, " } } }");
}

TEST(RouteTableTest, AdditionalBindingsRouteToTheSameMethod) {
  CustomPool pool(TestFile(
      Method("Get", R"(get: "/v1/{name=things/*}")"
                    R"( additional_bindings { get: "/v1/{name=shelves/*/things/*}" })"
                    R"( additional_bindings { post: "/v1/{name=things/*}:fetch" body: "*" })")));
  auto table = RouteTable::Build(pool.Methods());
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->routes().size(), 3u);
  EXPECT_EQ(table->routes()[1].binding, 1);
  RouteMatch nested = table->Match("GET", "/v1/shelves/s1/things/t1");
  ASSERT_NE(nested.route, nullptr);
  EXPECT_EQ(nested.route->method->name(), "Get");
  EXPECT_EQ(nested.route->binding, 1);
  RouteMatch fetch = table->Match("POST", "/v1/things/t1:fetch");
  ASSERT_NE(fetch.route, nullptr);
  EXPECT_EQ(fetch.route->binding, 2);
  EXPECT_TRUE(fetch.route->body_is_whole_request());
}

TEST(RouteTableTest, ConflictingRulesAreRejectedNamingBothMethods) {
  CustomPool pool(TestFile(Method("A", R"(get: "/v1/{name=things/*}")") +
                           Method("B", R"(get: "/v1/things/{name}")")));
  auto table = RouteTable::Build(pool.Methods());
  ASSERT_FALSE(table.ok());
  EXPECT_THAT(std::string(table.status().message()), HasSubstr("gwtest.v1.Things.A"));
  EXPECT_THAT(std::string(table.status().message()), HasSubstr("gwtest.v1.Things.B"));

  // Same path, other HTTP method, or another verb: no conflict.
  CustomPool fine(TestFile(Method("A", R"(get: "/v1/{name=things/*}")") +
                           Method("B", R"(delete: "/v1/{name=things/*}")") +
                           Method("C", R"(post: "/v1/{name=things/*}:go" body: "*")")));
  EXPECT_TRUE(RouteTable::Build(fine.Methods()).ok());
}

TEST(RouteTableTest, RulesNamingUnusableFieldsAreRejected) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"(get: "/v1/{nope=things/*}")", "no field nope"},
      {R"(get: "/v1/{tags=things/*}")", "tags"},    // repeated
      {R"(get: "/v1/{inner=things/*}")", "inner"},  // message
      {R"(get: "/v1/{count.x=things/*}")", "not a singular message"},
      {R"(post: "/v1/things" body: "name")", "body name"},  // body must be a message
      {R"(post: "/v1/things" body: "missing")", "no field missing"},
      {R"(get: "/v1/things" response_body: "count")", "response_body count"},
      {R"(get: "/v1/{name=things/*")", "template"},
  };
  for (const auto& [rule, expected] : cases) {
    CustomPool pool(TestFile(Method("A", rule)));
    auto table = RouteTable::Build(pool.Methods());
    ASSERT_FALSE(table.ok()) << rule;
    EXPECT_THAT(std::string(table.status().message()), HasSubstr(expected)) << rule;
    EXPECT_THAT(std::string(table.status().message()), HasSubstr("gwtest.v1.Things.A"));
  }
}

TEST(RouteTableTest, NestedBodyAndVariableInsideBodyAreAccepted) {
  CustomPool pool(
      TestFile(Method("Update", R"(patch: "/v1/{inner.name=things/*}" body: "inner")")));
  auto table = RouteTable::Build(pool.Methods());
  ASSERT_TRUE(table.ok()) << table.status();
  RouteMatch match = table->Match("PATCH", "/v1/things/t1");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(FieldPathName(match.route->variables[0]), "inner.name");
}

TEST(RouteTableTest, MethodsWithoutRuleOrStreamingAreNotRouted) {
  CustomPool pool(absl::StrCat(R"pb(
    name: "gwtest/plain.proto"
    package: "gwtest.v1"
    syntax: "proto3"
    dependency: "google/api/annotations.proto"
    message_type { name: "M" }
    service {
      name: "Plain"
      method { name: "NoRule" input_type: ".gwtest.v1.M" output_type: ".gwtest.v1.M" }
      method {
        name: "Stream"
        input_type: ".gwtest.v1.M"
        output_type: ".gwtest.v1.M"
        server_streaming: true
        options {
          [google.api.http] { get: "/v1/stream" }
        }
      }
    })pb"));
  auto table = RouteTable::Build(pool.Methods());
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_TRUE(table->routes().empty());
}

}  // namespace
}  // namespace integration::gateway
