// Unit tests of HTTP/JSON <-> protobuf transcoding with the real training descriptors (and a
// small dynamic message for query types training does not use): bodies, query parameters,
// path variables, the 400s naming the field, responses, binary passthrough and error bodies.
#include <gmock/gmock.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/training/v1/training_service.pb.h"
#include "transcoder.h"

namespace integration::gateway {
namespace {

namespace training = lansstyrelsen::integration::training::v1;
using ::testing::HasSubstr;

std::vector<const google::protobuf::MethodDescriptor*> TrainingMethods() {
  const auto* service =
      training::ListPartsRequest::descriptor()->file()->FindServiceByName("TrainingService");
  std::vector<const google::protobuf::MethodDescriptor*> methods;
  for (int i = 0; i < service->method_count(); ++i) methods.push_back(service->method(i));
  return methods;
}

class TrainingTranscoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto table = RouteTable::Build(TrainingMethods());
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = std::make_unique<RouteTable>(*std::move(table));
  }

  // Routes and transcodes; `target` may carry a query string.
  absl::StatusOr<std::string> Transcode(const std::string& method, const std::string& target,
                                        const std::string& body = "") {
    const std::size_t question = target.find('?');
    const std::string path = target.substr(0, question);
    const std::string query = question == std::string::npos ? "" : target.substr(question + 1);
    RouteMatch match = table_->Match(method, path);
    if (match.route == nullptr) return absl::NotFoundError(absl::StrCat("no route ", target));
    route_ = match.route;
    return TranscodeRequest(*match.route, match.raw_values, query, body);
  }

  template <class T>
  T Parsed(const absl::StatusOr<std::string>& serialized) {
    T message;
    EXPECT_TRUE(serialized.ok()) << serialized.status();
    if (serialized.ok()) {
      EXPECT_TRUE(message.ParseFromString(*serialized));
    }
    return message;
  }

  std::unique_ptr<RouteTable> table_;
  const Route* route_ = nullptr;
};

// Expects a 400 from the transcoder with `reason` and one field violation on `field`.
void ExpectBadField(const absl::StatusOr<std::string>& result, std::string_view reason,
                    const std::string& field) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << result.status();
  auto info = status::GetErrorInfo(result.status());
  ASSERT_TRUE(info.has_value()) << result.status();
  EXPECT_EQ(info->reason(), reason) << result.status();
  auto bad = status::GetBadRequest(result.status());
  ASSERT_TRUE(bad.has_value()) << result.status();
  ASSERT_EQ(bad->field_violations_size(), 1) << result.status();
  EXPECT_EQ(bad->field_violations(0).field(), field) << result.status();
  EXPECT_THAT(std::string(result.status().message()), HasSubstr(field));
}

TEST_F(TrainingTranscoderTest, WholeBodyWithPathVariable) {
  auto request = Parsed<training::SubmitAttemptRequest>(
      Transcode("POST", "/v1/learners/l1/attempts/a1:submit",
                R"({"answers":[{"questionId":"q1","optionIds":["a","b"]},{"question_id":"q2"}]})"));
  EXPECT_EQ(request.name(), "learners/l1/attempts/a1");
  ASSERT_EQ(request.answers_size(), 2);
  EXPECT_EQ(request.answers(0).question_id(), "q1");
  EXPECT_EQ(request.answers(0).option_ids_size(), 2);
  EXPECT_EQ(request.answers(1).question_id(), "q2") << "proto names are accepted too";
}

TEST_F(TrainingTranscoderTest, EmptyBodyIsAnEmptyObject) {
  auto request = Parsed<training::PublishModuleRequest>(
      Transcode("POST", "/v1/parts/p1/modules/m1:publish", ""));
  EXPECT_EQ(request.name(), "parts/p1/modules/m1");
  EXPECT_TRUE(request.etag().empty());
}

TEST_F(TrainingTranscoderTest, PathAndBodyMustAgree) {
  auto same = Parsed<training::PublishModuleRequest>(Transcode(
      "POST", "/v1/parts/p1/modules/m1:publish", R"({"name":"parts/p1/modules/m1","etag":"e"})"));
  EXPECT_EQ(same.etag(), "e");
  ExpectBadField(
      Transcode("POST", "/v1/parts/p1/modules/m1:publish", R"({"name":"parts/p2/modules/m1"})"),
      kReasonInvalidFieldValue, "name");
}

TEST_F(TrainingTranscoderTest, BodyFieldWithNestedPathVariableAndQuery) {
  auto request = Parsed<training::UpdatePartRequest>(
      Transcode("PATCH", "/v1/parts/intro?updateMask=title,description",
                R"({"title":"Introduktion","position":2})"));
  EXPECT_EQ(request.part().name(), "parts/intro");
  EXPECT_EQ(request.part().title(), "Introduktion");
  EXPECT_EQ(request.part().position(), 2);
  ASSERT_EQ(request.update_mask().paths_size(), 2);
  EXPECT_EQ(request.update_mask().paths(0), "title");
  EXPECT_EQ(request.update_mask().paths(1), "description");

  ExpectBadField(Transcode("PATCH", "/v1/parts/intro", R"({"name":"parts/other"})"),
                 kReasonInvalidFieldValue, "part.name");
}

TEST_F(TrainingTranscoderTest, BodyFieldRestFromQueryByJsonOrProtoName) {
  auto request = Parsed<training::CreatePartRequest>(Transcode(
      "POST", "/v1/parts?partId=intro&request_id=r-1", R"({"title":"Intro","position":1})"));
  EXPECT_EQ(request.part_id(), "intro");
  EXPECT_EQ(request.request_id(), "r-1");
  EXPECT_EQ(request.part().title(), "Intro");
}

TEST_F(TrainingTranscoderTest, NoBodyNestedQueryParameters) {
  auto request = Parsed<training::GetStatisticsRequest>(
      Transcode("GET",
                "/v1/statistics?period.startDate.year=2026&period.start_date.month=1"
                "&period.endDate.year=2026&lanskod=03"));
  EXPECT_EQ(request.period().start_date().year(), 2026);
  EXPECT_EQ(request.period().start_date().month(), 1);
  EXPECT_EQ(request.period().end_date().year(), 2026);
  EXPECT_EQ(request.lanskod(), "03");
}

TEST_F(TrainingTranscoderTest, QueryValuesArePercentDecoded) {
  auto request = Parsed<training::ListLearnersRequest>(
      Transcode("GET", "/v1/learners?pageToken=a%2Bb%3D&kommunkod=0180+x&pageSize=10"));
  EXPECT_EQ(request.page_token(), "a+b=");
  EXPECT_EQ(request.kommunkod(), "0180 x");
  EXPECT_EQ(request.page_size(), 10);
}

// Found by tests/fuzz (transcoder_fuzz): a query parameter name of raw bytes that are not UTF-8
// went into ErrorInfo and BadRequest as it was; those details then did not serialize and the
// client got the 400 without its reason. The name is reported with U+FFFD for each bad byte.
TEST_F(TrainingTranscoderTest, QueryNameThatIsNotUtf8IsReportedAsUtf8) {
  const absl::StatusOr<std::string> result =
      Transcode("GET", "/v1/parts?x\xf5\x9e=1");
  ExpectBadField(result, kReasonUnknownField, "x\uFFFD\uFFFD");
}

TEST_F(TrainingTranscoderTest, UnknownJsonFieldNamesTheField) {
  ExpectBadField(Transcode("POST", "/v1/parts?partId=x", R"({"title":"T","titlex":"a"})"),
                 kReasonUnknownField, "part.titlex");
  ExpectBadField(Transcode("POST", "/v1/learners/l1/attempts/a1:submit",
                           R"({"answers":[{"questionId":"q"},{"bogus":1}]})"),
                 kReasonUnknownField, "answers[1].bogus");
  ExpectBadField(Transcode("POST", "/v1/learners/l1/attempts", R"({"extra":true})"),
                 kReasonUnknownField, "extra");
}

TEST_F(TrainingTranscoderTest, WrongJsonTypeNamesTheField) {
  ExpectBadField(Transcode("POST", "/v1/parts?partId=x", R"({"position":"abc"})"),
                 kReasonInvalidFieldValue, "part.position");
  ExpectBadField(Transcode("POST", "/v1/parts?partId=x", R"({"position":1.5})"),
                 kReasonInvalidFieldValue, "part.position");
  ExpectBadField(Transcode("POST", "/v1/parts?partId=x", R"({"createTime":"yesterday"})"),
                 kReasonInvalidFieldValue, "part.create_time");
  ExpectBadField(Transcode("POST", "/v1/learners/l1/attempts/a1:submit",
                           R"({"answers":[{"optionIds":[{}]}]})"),
                 kReasonInvalidFieldValue, "answers[0].option_ids");
}

TEST_F(TrainingTranscoderTest, MalformedJsonIsInvalidJson) {
  ExpectBadField(Transcode("POST", "/v1/parts?partId=x", R"({"title":)"), kReasonInvalidJson,
                 "part");
  ExpectBadField(Transcode("POST", "/v1/learners/l1/attempts", "[1,2]"), kReasonInvalidJson, "*");
  ExpectBadField(Transcode("POST", "/v1/learners/l1/attempts", "not json"), kReasonInvalidJson,
                 "*");
}

TEST_F(TrainingTranscoderTest, BadPathVariables) {
  ExpectBadField(Transcode("GET", "/v1/parts/a%2Fb"), kReasonInvalidPathVariable, "name");
  ExpectBadField(Transcode("GET", "/v1/parts/%ZZ"), kReasonInvalidPathVariable, "name");
  ExpectBadField(Transcode("GET", "/v1/parts/%FF"), kReasonInvalidPathVariable, "name");
  ExpectBadField(Transcode("GET", "/v1/parts/a%0Ab"), kReasonInvalidPathVariable, "name");
  ExpectBadField(Transcode("PATCH", "/v1/parts/a%2F..%2Fb", "{}"), kReasonInvalidPathVariable,
                 "part.name");
  auto decoded = Parsed<training::GetPartRequest>(Transcode("GET", "/v1/parts/%C3%A5r%20ett"));
  EXPECT_EQ(decoded.name(), "parts/\xC3\xA5r ett");
}

TEST_F(TrainingTranscoderTest, BadQueryParameters) {
  ExpectBadField(Transcode("GET", "/v1/learners?nope=1"), kReasonUnknownField, "nope");
  ExpectBadField(Transcode("GET", "/v1/learners?pageSize=ten"), kReasonInvalidFieldValue,
                 "page_size");
  ExpectBadField(Transcode("GET", "/v1/learners?pageSize=99999999999"), kReasonInvalidFieldValue,
                 "page_size");
  ExpectBadField(Transcode("GET", "/v1/learners?pageSize=1&page_size=2"), kReasonInvalidFieldValue,
                 "page_size");
  ExpectBadField(Transcode("GET", "/v1/parts/p1?name=parts/p2"), kReasonUnknownField, "name");
  ExpectBadField(Transcode("POST", "/v1/parts?part.title=x", "{}"), kReasonUnknownField,
                 "part.title");
  ExpectBadField(Transcode("POST", "/v1/learners/l1/attempts?module=m", "{}"), kReasonUnknownField,
                 "module");
  ExpectBadField(Transcode("GET", "/v1/statistics?period=x"), kReasonUnknownField, "period");
  ExpectBadField(Transcode("GET", "/v1/statistics?lanskod.x=1"), kReasonUnknownField, "lanskod.x");
  ExpectBadField(Transcode("GET", "/v1/learners?kommunkod=%FF"), kReasonInvalidFieldValue,
                 "kommunkod");
}

TEST_F(TrainingTranscoderTest, ResponseIsCanonicalJson) {
  ASSERT_TRUE(Transcode("GET", "/v1/statistics").ok());
  training::Statistics statistics;
  statistics.mutable_total()->set_key("all");
  statistics.mutable_total()->set_enrolments(5);
  statistics.mutable_total()->set_pass_rate_permille(0);  // default: omitted
  statistics.add_by_month()->set_key("2026-01");
  statistics.mutable_compute_time()->set_seconds(1767225600);
  HttpResponse response = TranscodeResponse(*route_, statistics.SerializeAsString());
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body,
            R"({"total":{"key":"all","enrolments":"5"},"byMonth":[{"key":"2026-01"}],)"
            R"("computeTime":"2026-01-01T00:00:00Z"})");

  ASSERT_TRUE(Transcode("GET", "/v1/diplomas/C1:verify").ok());
  training::VerifyDiplomaResponse verify;
  verify.set_verdict(training::VERDICT_REVOKED);
  verify.set_signature("\x01\x02");
  response = TranscodeResponse(*route_, verify.SerializeAsString());
  EXPECT_EQ(response.body, R"({"verdict":"VERDICT_REVOKED","signature":"AQI="})");
}

TEST_F(TrainingTranscoderTest, UnparsableResponseIs500) {
  ASSERT_TRUE(Transcode("GET", "/v1/statistics").ok());
  HttpResponse response = TranscodeResponse(*route_, "\xff\xff\xff");
  EXPECT_EQ(response.status, 500);
  EXPECT_THAT(response.body, HasSubstr(R"("code":13)"));
}

TEST_F(TrainingTranscoderTest, BinaryResponsePassesBytesThrough) {
  ASSERT_TRUE(Transcode("GET", "/v1/learners/l1/diplomas/D1:pdf").ok());
  training::RenderDiplomaPdfResponse pdf;
  const std::string bytes("%PDF-1.7\n\x00\xff binary", 18);
  pdf.set_content_type("application/pdf");
  pdf.set_data(bytes);
  HttpResponse response = TranscodeResponse(*route_, pdf.SerializeAsString());
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/pdf");
  EXPECT_EQ(response.body, bytes);
}

TEST(HttpStatusTest, GrpcGatewayTable) {
  const std::vector<std::pair<grpc::StatusCode, int>> table = {
      {grpc::StatusCode::OK, 200},
      {grpc::StatusCode::CANCELLED, 499},
      {grpc::StatusCode::UNKNOWN, 500},
      {grpc::StatusCode::INVALID_ARGUMENT, 400},
      {grpc::StatusCode::DEADLINE_EXCEEDED, 504},
      {grpc::StatusCode::NOT_FOUND, 404},
      {grpc::StatusCode::ALREADY_EXISTS, 409},
      {grpc::StatusCode::PERMISSION_DENIED, 403},
      {grpc::StatusCode::UNAUTHENTICATED, 401},
      {grpc::StatusCode::RESOURCE_EXHAUSTED, 429},
      {grpc::StatusCode::FAILED_PRECONDITION, 400},
      {grpc::StatusCode::ABORTED, 409},
      {grpc::StatusCode::OUT_OF_RANGE, 400},
      {grpc::StatusCode::UNIMPLEMENTED, 501},
      {grpc::StatusCode::INTERNAL, 500},
      {grpc::StatusCode::UNAVAILABLE, 503},
      {grpc::StatusCode::DATA_LOSS, 500},
  };
  for (const auto& [code, http] : table) {
    EXPECT_EQ(HttpStatusFromGrpc(code), http) << code;
  }
}

TEST(ErrorResponseTest, PrintsBackendDetailsAndDropsUnknownTypes) {
  google::rpc::Status rpc;
  rpc.set_code(3);
  google::rpc::ErrorInfo info;
  info.set_reason("PERIOD_OUTSIDE_FUNDING_PERIOD");
  info.set_domain("grants.integration.lansstyrelsen.se");
  (*info.mutable_metadata())["funding_period_end"] = "2027-12-31";
  rpc.add_details()->PackFrom(info);
  google::rpc::BadRequest bad;
  auto* violation = bad.add_field_violations();
  violation->set_field("project_period.end_date");
  violation->set_description("must not be after 2027-12-31");
  rpc.add_details()->PackFrom(bad);
  auto* unknown = rpc.add_details();
  unknown->set_type_url("type.googleapis.com/not.a.known.Type");
  unknown->set_value("xyz");

  HttpResponse response = ErrorResponse(
      grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "period too late", rpc.SerializeAsString()));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, R"({"code":3,"message":"period too late","details":[)"
                           R"({"@type":"type.googleapis.com/google.rpc.ErrorInfo",)"
                           R"("reason":"PERIOD_OUTSIDE_FUNDING_PERIOD",)"
                           R"("domain":"grants.integration.lansstyrelsen.se",)"
                           R"("metadata":{"funding_period_end":"2027-12-31"}},)"
                           R"({"@type":"type.googleapis.com/google.rpc.BadRequest",)"
                           R"("fieldViolations":[{"field":"project_period.end_date",)"
                           R"("description":"must not be after 2027-12-31"}]}]})");
}

TEST(ErrorResponseTest, WithoutDetailsAndWithGarbageDetails) {
  HttpResponse plain = ErrorResponse(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"));
  EXPECT_EQ(plain.status, 503);
  EXPECT_EQ(plain.body, R"({"code":14,"message":"down"})");
  HttpResponse garbage =
      ErrorResponse(grpc::Status(grpc::StatusCode::NOT_FOUND, "gone", "\xff\xfe not proto"));
  EXPECT_EQ(garbage.status, 404);
  EXPECT_EQ(garbage.body, R"({"code":5,"message":"gone"})");
}

TEST(ErrorResponseTest, GatewayErrorsCarryGatewayDomain) {
  HttpResponse response = ErrorResponse(
      413, status::Error(absl::StatusCode::kResourceExhausted, "REQUEST_TOO_LARGE", "too big"));
  EXPECT_EQ(response.status, 413);
  EXPECT_THAT(response.body, HasSubstr(R"("reason":"REQUEST_TOO_LARGE")"));
  EXPECT_THAT(response.body, HasSubstr(R"("domain":"gateway.integration.lansstyrelsen.se")"));
  EXPECT_THAT(response.body, HasSubstr(R"("code":8)"));
}

// Query parameter types that training's requests do not use, on a dynamic message.
class DynamicTranscoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    google::protobuf::FileDescriptorProto file;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
        R"pb(
          name: "gwtest/query.proto"
          package: "gwtest.v1"
          syntax: "proto3"
          dependency: "google/api/annotations.proto"
          dependency: "google/protobuf/timestamp.proto"
          dependency: "google/protobuf/field_mask.proto"
          dependency: "google/protobuf/wrappers.proto"
          enum_type {
            name: "Color"
            value { name: "COLOR_UNSPECIFIED" number: 0 }
            value { name: "COLOR_RED" number: 1 }
            value { name: "COLOR_BLUE" number: 2 }
          }
          message_type {
            name: "Inner"
            field {
              name: "label"
              number: 1
              type: TYPE_STRING
              label: LABEL_OPTIONAL
              json_name: "label"
            }
            field { name: "id" number: 2 type: TYPE_INT64 label: LABEL_OPTIONAL json_name: "id" }
          }
          message_type {
            name: "Query"
            field {
              name: "name"
              number: 1
              type: TYPE_STRING
              label: LABEL_OPTIONAL
              json_name: "name"
            }
            field {
              name: "tags"
              number: 2
              type: TYPE_STRING
              label: LABEL_REPEATED
              json_name: "tags"
            }
            field {
              name: "nums"
              number: 3
              type: TYPE_INT32
              label: LABEL_REPEATED
              json_name: "nums"
            }
            field {
              name: "color"
              number: 4
              type: TYPE_ENUM
              type_name: ".gwtest.v1.Color"
              label: LABEL_OPTIONAL
              json_name: "color"
            }
            field {
              name: "colors"
              number: 5
              type: TYPE_ENUM
              type_name: ".gwtest.v1.Color"
              label: LABEL_REPEATED
              json_name: "colors"
            }
            field { name: "flag" number: 6 type: TYPE_BOOL label: LABEL_OPTIONAL json_name: "flag" }
            field { name: "big" number: 7 type: TYPE_UINT64 label: LABEL_OPTIONAL json_name: "big" }
            field {
              name: "ratio"
              number: 8
              type: TYPE_DOUBLE
              label: LABEL_OPTIONAL
              json_name: "ratio"
            }
            field {
              name: "data"
              number: 9
              type: TYPE_BYTES
              label: LABEL_OPTIONAL
              json_name: "data"
            }
            field {
              name: "when"
              number: 10
              type: TYPE_MESSAGE
              type_name: ".google.protobuf.Timestamp"
              label: LABEL_OPTIONAL
              json_name: "when"
            }
            field {
              name: "mask"
              number: 11
              type: TYPE_MESSAGE
              type_name: ".google.protobuf.FieldMask"
              label: LABEL_OPTIONAL
              json_name: "mask"
            }
            field {
              name: "limit"
              number: 12
              type: TYPE_MESSAGE
              type_name: ".google.protobuf.Int32Value"
              label: LABEL_OPTIONAL
              json_name: "limit"
            }
            field {
              name: "inner"
              number: 13
              type: TYPE_MESSAGE
              type_name: ".gwtest.v1.Inner"
              label: LABEL_OPTIONAL
              json_name: "inner"
            }
            field {
              name: "inners"
              number: 14
              type: TYPE_MESSAGE
              type_name: ".gwtest.v1.Inner"
              label: LABEL_REPEATED
              json_name: "inners"
            }
            field {
              name: "shard"
              number: 15
              type: TYPE_INT32
              label: LABEL_OPTIONAL
              json_name: "shard"
            }
          }
          service {
            name: "Q"
            method {
              name: "Find"
              input_type: ".gwtest.v1.Query"
              output_type: ".gwtest.v1.Query"
              options {
                [google.api.http] { get: "/v1/{name=things/*}/shards/{shard}" }
              }
            }
          }
        )pb",
        &file));
    const google::protobuf::FileDescriptor* built = pool_.BuildFile(file);
    ASSERT_NE(built, nullptr);
    auto table = RouteTable::Build({built->service(0)->method(0)});
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = std::make_unique<RouteTable>(*std::move(table));
    type_ = built->FindMessageTypeByName("Query");
  }

  // The request as JSON (proto names), or the error.
  absl::StatusOr<std::string> Json(const std::string& path, const std::string& query) {
    RouteMatch match = table_->Match("GET", path);
    if (match.route == nullptr) return absl::NotFoundError("no route");
    auto serialized = TranscodeRequest(*match.route, match.raw_values, query, "", &factory_);
    if (!serialized.ok()) return serialized.status();
    std::unique_ptr<google::protobuf::Message> message(factory_.GetPrototype(type_)->New());
    EXPECT_TRUE(message->ParseFromString(*serialized));
    std::string json;
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    EXPECT_TRUE(google::protobuf::util::MessageToJsonString(*message, &json, options).ok());
    return json;
  }

  google::protobuf::DescriptorPool pool_{google::protobuf::DescriptorPool::generated_pool()};
  google::protobuf::DynamicMessageFactory factory_{&pool_};
  const google::protobuf::Descriptor* type_ = nullptr;
  std::unique_ptr<RouteTable> table_;
};

TEST_F(DynamicTranscoderTest, RepeatedEnumsBoolsNumbersAndWellKnownTypes) {
  auto json = Json("/v1/things/t1/shards/7",
                   "tags=a&tags=b%20c&nums=1&nums=-2&color=COLOR_BLUE&colors=1&colors=COLOR_BLUE"
                   "&flag=true&big=18446744073709551615&ratio=0.25&data=AQI%3D"
                   "&when=2026-01-01T12:00:00Z&mask=label,id&limit=0&inner.label=x&inner.id=9");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json,
            R"({"name":"things/t1","tags":["a","b c"],"nums":[1,-2],"color":"COLOR_BLUE",)"
            R"("colors":["COLOR_RED","COLOR_BLUE"],"flag":true,"big":"18446744073709551615",)"
            R"("ratio":0.25,"data":"AQI=","when":"2026-01-01T12:00:00Z","mask":"label,id",)"
            R"("limit":0,"inner":{"label":"x","id":"9"},"shard":7})");
}

TEST_F(DynamicTranscoderTest, NonStringPathVariableIsParsed) {
  auto bad = Json("/v1/things/t1/shards/seven", "");
  ASSERT_FALSE(bad.ok());
  auto info = status::GetErrorInfo(bad.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), kReasonInvalidPathVariable);
  EXPECT_EQ(status::GetBadRequest(bad.status())->field_violations(0).field(), "shard");
}

TEST_F(DynamicTranscoderTest, BadTypedValuesNameTheParameter) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"color=PURPLE", "color"}, {"colors=9", "colors"},
      {"flag=yes", "flag"},      {"big=-1", "big"},
      {"ratio=abc", "ratio"},    {"ratio=inf", "ratio"},
      {"data=***", "data"},      {"when=yesterday", "when"},
      {"limit=x", "limit"},      {"inners.label=x", "inners.label"},
      {"nums=1.5", "nums"},
  };
  for (const auto& [query, field] : cases) {
    auto result = Json("/v1/things/t1/shards/1", query);
    ASSERT_FALSE(result.ok()) << query;
    auto bad = status::GetBadRequest(result.status());
    ASSERT_TRUE(bad.has_value()) << query;
    EXPECT_EQ(bad->field_violations(0).field(), field) << query << ": " << result.status();
  }
}

}  // namespace
}  // namespace integration::gateway
