// Unit tests of integration-call's pieces that need no server: flags, method resolution from the
// generated pool, JSON conversion, the --output split and error formatting.
#include "call_lib.h"

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace integration::call {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kEcho = "lansstyrelsen.integration.echo.v1.EchoService/Echo";

const google::protobuf::Descriptor& EchoRequestType() {
  const auto* type = google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
      "lansstyrelsen.integration.echo.v1.EchoRequest");
  EXPECT_NE(type, nullptr);
  return *type;
}

TEST(ParseArgsTest, DefaultsAndEnvironmentTarget) {
  absl::StatusOr<Options> options = ParseArgs({std::string(kEcho)}, "");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->target, "localhost:50050");
  EXPECT_EQ(options->timeout, absl::Seconds(10));
  EXPECT_EQ(options->method, kEcho);
  EXPECT_FALSE(options->json.has_value());
  EXPECT_FALSE(options->tls);

  options = ParseArgs({std::string(kEcho)}, "env-host:1");
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->target, "env-host:1");

  options = ParseArgs({"--target", "flag-host:2", std::string(kEcho)}, "env-host:1");
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->target, "flag-host:2");
}

TEST(ParseArgsTest, FlagsInBothFormsAndAnywhere) {
  absl::StatusOr<Options> options =
      ParseArgs({std::string(kEcho), "--token=abc", R"({"message":"x"})", "--request-id", "r-1",
                 "--timeout=500ms", "--tls", "--ca-file", "roots.pem", "--output", "out.bin"},
                "");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->token, "abc");
  EXPECT_EQ(options->request_id, "r-1");
  EXPECT_EQ(options->timeout, absl::Milliseconds(500));
  EXPECT_TRUE(options->tls);
  EXPECT_EQ(options->ca_file, "roots.pem");
  EXPECT_EQ(options->output, "out.bin");
  EXPECT_EQ(options->json, R"({"message":"x"})");
}

TEST(ParseArgsTest, DashIsStdinAndBareTimeoutIsSeconds) {
  absl::StatusOr<Options> options = ParseArgs({std::string(kEcho), "-", "--timeout", "3"}, "");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->json, "-");
  EXPECT_EQ(options->timeout, absl::Seconds(3));
}

TEST(ParseArgsTest, BearerPrefixOfAPastedTokenIsDropped) {
  absl::StatusOr<Options> options = ParseArgs({std::string(kEcho), "--token", "Bearer ey.J"}, "");
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->token, "ey.J");
}

TEST(ParseArgsTest, ListAndHelpNeedNoMethod) {
  absl::StatusOr<Options> options = ParseArgs({"--list"}, "");
  ASSERT_TRUE(options.ok());
  EXPECT_TRUE(options->list);
  options = ParseArgs({"-h"}, "");
  ASSERT_TRUE(options.ok());
  EXPECT_TRUE(options->help);
}

TEST(ParseArgsTest, RejectsBadInvocations) {
  struct Case {
    std::vector<std::string> args;
    std::string message_part;
  };
  const std::vector<Case> cases = {
      {{}, "missing METHOD"},
      {{std::string(kEcho), "--bogus"}, "unknown flag --bogus"},
      {{std::string(kEcho), "--token"}, "--token needs a value"},
      {{std::string(kEcho), "--list=yes"}, "--list takes no value"},
      {{std::string(kEcho), "{}", "{}"}, "too many arguments"},
      {{std::string(kEcho), "--timeout", "soon"}, "--timeout soon"},
      {{std::string(kEcho), "--timeout", "0s"}, "positive"},
      {{std::string(kEcho), "--timeout", "-1s"}, "positive"},
      {{std::string(kEcho), "--target="}, "--target must not be empty"},
      {{std::string(kEcho), "--ca-file", "x.pem"}, "need --tls"},
      {{std::string(kEcho), "--tls", "--cert-file", "c.pem"}, "go together"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Options> options = ParseArgs(c.args, "");
    ASSERT_FALSE(options.ok()) << testing::PrintToString(c.args);
    EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(options.status().message()), HasSubstr(c.message_part));
  }
}

TEST(ResolveMethodTest, AcceptsSlashDotAndPathForms) {
  for (std::string_view name :
       {kEcho, std::string_view("lansstyrelsen.integration.echo.v1.EchoService.Echo"),
        std::string_view("/lansstyrelsen.integration.echo.v1.EchoService/Echo")}) {
    absl::StatusOr<const google::protobuf::MethodDescriptor*> method = ResolveMethod(name);
    ASSERT_TRUE(method.ok()) << name << ": " << method.status();
    EXPECT_EQ((*method)->full_name(), "lansstyrelsen.integration.echo.v1.EchoService.Echo");
    EXPECT_EQ((*method)->input_type()->full_name(),
              "lansstyrelsen.integration.echo.v1.EchoRequest");
  }
}

TEST(ResolveMethodTest, UnknownServiceAndMethodAreNamed) {
  absl::StatusOr<const google::protobuf::MethodDescriptor*> method =
      ResolveMethod("lansstyrelsen.integration.nope.v1.NopeService/Get");
  ASSERT_EQ(method.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(method.status().message()),
              HasSubstr("lansstyrelsen.integration.nope.v1.NopeService"));

  method = ResolveMethod("lansstyrelsen.integration.echo.v1.EchoService/Shout");
  ASSERT_EQ(method.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(method.status().message()), HasSubstr("\"Shout\""));
  EXPECT_THAT(std::string(method.status().message()), HasSubstr("it has: Echo"));

  EXPECT_EQ(ResolveMethod("Echo").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveMethod("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveMethod("pkg.Service/").status().code(), absl::StatusCode::kInvalidArgument);
}

// Nothing in this binary references a symbol of the echo proto library: finding its service
// proves the library is linked with --no-as-needed and registered its descriptors.
TEST(AllMethodsTest, ListsServicesLinkedOnlyForTheirDescriptors) {
  std::vector<std::string> names;
  for (const auto* method : AllMethods()) names.push_back(method->full_name());
  EXPECT_THAT(names, testing::Contains("lansstyrelsen.integration.echo.v1.EchoService.Echo"));
  EXPECT_THAT(ListMethods(), HasSubstr("lansstyrelsen.integration.echo.v1.EchoService/Echo("
                                       "lansstyrelsen.integration.echo.v1.EchoRequest) returns ("
                                       "lansstyrelsen.integration.echo.v1.EchoResponse)\n"));
}

TEST(JsonToWireTest, UnknownFieldIsRejectedByName) {
  absl::StatusOr<std::string> wire = JsonToWire(EchoRequestType(), R"({"mesage": "hej"})");
  ASSERT_EQ(wire.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(wire.status().message()), HasSubstr("mesage"));
}

TEST(JsonToWireTest, WrongTypeAndMalformedJsonAreRejected) {
  EXPECT_EQ(JsonToWire(EchoRequestType(), R"({"message": 5})").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(JsonToWire(EchoRequestType(), R"({"payload": "not base64!"})").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(JsonToWire(EchoRequestType(), R"({"message": )").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(JsonToWireTest, RoundTripsThroughWire) {
  absl::StatusOr<std::string> wire =
      JsonToWire(EchoRequestType(), R"({"message": "Länsstyrelsen", "payload": "AAEC"})");
  ASSERT_TRUE(wire.ok()) << wire.status();
  absl::StatusOr<std::string> json = WireToJson(EchoRequestType(), *wire);
  ASSERT_TRUE(json.ok()) << json.status();
  // Defaults are printed too (note, parts).
  EXPECT_EQ(*json,
            "{\n \"message\": \"Länsstyrelsen\",\n \"payload\": \"AAEC\",\n \"note\": \"\",\n"
            " \"parts\": []\n}\n");
}

TEST(JsonToWireTest, EmptyBodyIsTheEmptyRequestAndDefaultsArePrinted) {
  absl::StatusOr<std::string> wire = JsonToWire(EchoRequestType(), "  \n");
  ASSERT_TRUE(wire.ok()) << wire.status();
  EXPECT_TRUE(wire->empty());
  absl::StatusOr<std::string> json = WireToJson(EchoRequestType(), *wire);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json,
            "{\n \"message\": \"\",\n \"payload\": \"\",\n \"note\": \"\",\n \"parts\": []\n}\n");
}

TEST(WireToJsonTest, GarbageIsDataLoss) {
  EXPECT_EQ(WireToJson(EchoRequestType(), "\xff\xff\xff").status().code(),
            absl::StatusCode::kDataLoss);
}

// A binary-document response type like the suite's PDF methods return, built at run time.
class DocumentTypeTest : public testing::Test {
 protected:
  void SetUp() override {
    google::protobuf::FileDescriptorProto file;
    file.set_name("test/document.proto");
    file.set_package("test");
    file.set_syntax("proto3");
    google::protobuf::DescriptorProto* message = file.add_message_type();
    message->set_name("Document");
    auto* name = message->add_field();
    name->set_name("file_name");
    name->set_json_name("fileName");
    name->set_number(1);
    name->set_type(google::protobuf::FieldDescriptorProto::TYPE_STRING);
    name->set_label(google::protobuf::FieldDescriptorProto::LABEL_OPTIONAL);
    auto* data = message->add_field();
    data->set_name("data");
    data->set_json_name("data");
    data->set_number(2);
    data->set_type(google::protobuf::FieldDescriptorProto::TYPE_BYTES);
    data->set_label(google::protobuf::FieldDescriptorProto::LABEL_OPTIONAL);
    ASSERT_NE(pool_.BuildFile(file), nullptr);
    type_ = pool_.FindMessageTypeByName("test.Document");
    ASSERT_NE(type_, nullptr);
  }

  google::protobuf::DescriptorPool pool_;
  const google::protobuf::Descriptor* type_ = nullptr;
};

TEST_F(DocumentTypeTest, SplitsRawDataFromTheRest) {
  absl::StatusOr<const google::protobuf::FieldDescriptor*> field = DataField(*type_);
  ASSERT_TRUE(field.ok());
  google::protobuf::DynamicMessageFactory factory;
  std::unique_ptr<google::protobuf::Message> document(factory.GetPrototype(type_)->New());
  const std::string pdf("%PDF-1.7\n\0\xff", 11);
  document->GetReflection()->SetString(document.get(), type_->FindFieldByName("file_name"),
                                       "intyg.pdf");
  document->GetReflection()->SetString(document.get(), *field, pdf);

  absl::StatusOr<SplitResponse> split = SplitDataField(*type_, document->SerializeAsString());
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_EQ(split->data, pdf);
  EXPECT_THAT(split->json, HasSubstr("\"fileName\": \"intyg.pdf\""));
  EXPECT_THAT(split->json, Not(HasSubstr("JVBER")));  // base64 of "%PDF"
}

TEST(DataFieldTest, TypesWithoutBytesDataAreRefused) {
  absl::StatusOr<const google::protobuf::FieldDescriptor*> field = DataField(EchoRequestType());
  ASSERT_EQ(field.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(field.status().message()),
              HasSubstr("lansstyrelsen.integration.echo.v1.EchoRequest has none"));
}

TEST(FormatErrorTest, PlainStatus) {
  EXPECT_EQ(FormatError(grpc::Status(grpc::StatusCode::NOT_FOUND, "no such grant")),
            "NOT_FOUND: no such grant\n");
  EXPECT_EQ(FormatError(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "")), "UNAUTHENTICATED\n");
}

TEST(FormatErrorTest, ErrorInfoBadRequestAndOtherDetails) {
  google::rpc::Status details;
  details.set_code(static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  google::rpc::ErrorInfo info;
  info.set_reason("CALL_CLOSED");
  info.set_domain("grants.integration.lansstyrelsen.se");
  (*info.mutable_metadata())["closed_on"] = "2024-03-01";
  (*info.mutable_metadata())["call"] = "calls/42";
  details.add_details()->PackFrom(info);
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field("application.amount");
  violation->set_description("must be at most 500000 öre");
  details.add_details()->PackFrom(bad_request);
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(5);
  details.add_details()->PackFrom(retry);

  const std::string text = FormatError(grpc::Status(
      grpc::StatusCode::FAILED_PRECONDITION, "the call is closed", details.SerializeAsString()));
  EXPECT_EQ(text,
            "FAILED_PRECONDITION: the call is closed\n"
            "  reason: CALL_CLOSED\n"
            "  domain: grants.integration.lansstyrelsen.se\n"
            "  metadata:\n"
            "    call: calls/42\n"
            "    closed_on: 2024-03-01\n"
            "  field violations:\n"
            "    application.amount: must be at most 500000 öre\n"
            "  google.rpc.RetryInfo: {\"retryDelay\":\"5s\"}\n");
}

TEST(FormatErrorTest, UndecodableDetailsAreReportedNotDropped) {
  const std::string text =
      FormatError(grpc::Status(grpc::StatusCode::INTERNAL, "internal error", "\xff\xff"));
  EXPECT_THAT(text, HasSubstr("INTERNAL: internal error\n"));
  EXPECT_THAT(text, HasSubstr("not a google.rpc.Status"));
}

}  // namespace
}  // namespace integration::call
