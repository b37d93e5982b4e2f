// Service tests of the HTTP/JSON front over real sockets (a Beast client) with a fake
// Dispatcher: routing, headers in and out, the status table, 413/431/415, CORS, keep-alive,
// binary passthrough, error bodies, asynchronous completion and stopping with calls in flight.
#include <gmock/gmock.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "http_front.h"
#include "http_test_client.h"
#include "integration/metrics/metrics.h"
#include "lansstyrelsen/integration/training/v1/training_service.pb.h"

namespace integration::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace training = lansstyrelsen::integration::training::v1;
using tcp = asio::ip::tcp;
using ::testing::HasSubstr;

const google::protobuf::ServiceDescriptor& TrainingService() {
  return *training::ListPartsRequest::descriptor()->file()->FindServiceByName("TrainingService");
}

// Records every call and answers with what `respond` returns: at once (on the Dispatch
// caller's stack, which the front must cope with), or later when `hold` is set and the test
// calls CompleteHeld from its own thread.
class FakeDispatcher : public Dispatcher {
 public:
  std::vector<const google::protobuf::MethodDescriptor*> Methods() const override {
    std::vector<const google::protobuf::MethodDescriptor*> methods;
    for (int i = 0; i < TrainingService().method_count(); ++i) {
      methods.push_back(TrainingService().method(i));
    }
    return methods;
  }

  void Dispatch(BackendCall call, Done done) override {
    BackendResult result;
    {
      absl::MutexLock lock(&mu_);
      calls_.push_back(call);
      result = respond_ ? respond_(call) : BackendResult{};
      if (hold_) {
        held_.emplace_back(std::move(done), std::move(result));
        return;
      }
    }
    done(std::move(result));
  }

  void Respond(std::function<BackendResult(const BackendCall&)> respond) {
    absl::MutexLock lock(&mu_);
    respond_ = std::move(respond);
  }
  void Hold(bool hold) {
    absl::MutexLock lock(&mu_);
    hold_ = hold;
  }
  std::size_t HeldCount() {
    absl::MutexLock lock(&mu_);
    return held_.size();
  }
  void CompleteHeld() {
    std::vector<std::pair<Done, BackendResult>> held;
    {
      absl::MutexLock lock(&mu_);
      held.swap(held_);
    }
    for (auto& [done, result] : held) done(std::move(result));
  }
  std::vector<BackendCall> Calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  absl::Mutex mu_;
  std::function<BackendResult(const BackendCall&)> respond_ ABSL_GUARDED_BY(mu_);
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::pair<Done, BackendResult>> held_ ABSL_GUARDED_BY(mu_);
  std::vector<BackendCall> calls_ ABSL_GUARDED_BY(mu_);
};

BackendResult Ok(const google::protobuf::Message& response, std::string request_id = "rid-1") {
  BackendResult result;
  result.response = response.SerializeAsString();
  result.request_id = std::move(request_id);
  return result;
}

using Response = testing::HttpResponse;
using Client = testing::HttpClient;

google::protobuf::Struct ParseJson(const std::string& json) {
  google::protobuf::Struct parsed;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  return parsed;
}

class HttpFrontTest : public ::testing::Test {
 protected:
  void SetUp() override { Start({}); }

  void Start(HttpFrontOptions options) {
    front_.reset();
    options.bind = "127.0.0.1";
    options.port = 0;
    options.max_body_bytes = 4096;
    options.max_header_bytes = 4096;
    options.cors_origins = {"https://kurs.example.se"};
    auto started = HttpFront::Start(dispatcher_, std::move(options));
    ASSERT_TRUE(started.ok()) << started.status();
    front_ = *std::move(started);
  }

  FakeDispatcher dispatcher_;
  std::unique_ptr<HttpFront> front_;
};

TEST_F(HttpFrontTest, RoutesTranscodesAndPassesHeaders) {
  training::Part part;
  part.set_name("parts/intro");
  part.set_title("Introduktion");
  dispatcher_.Respond([&](const BackendCall&) { return Ok(part, "rid-from-dispatcher"); });

  Client client(front_->port());
  const absl::Time before = absl::Now();
  Response response =
      client.Send(http::verb::get, "/v1/parts/intro", "",
                  {{"authorization", "Bearer abc.def.ghi"},
                   {"x-request-id", "client-id-1"},
                   {"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
                   {"x-timeout-ms", "1500"}});
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response[http::field::content_type], "application/json");
  EXPECT_EQ(response["x-request-id"], "rid-from-dispatcher");
  EXPECT_EQ(response.body(), R"({"name":"parts/intro","title":"Introduktion"})");

  std::vector<BackendCall> calls = dispatcher_.Calls();
  ASSERT_EQ(calls.size(), 1u);
  const BackendCall& call = calls[0];
  EXPECT_EQ(call.method->full_name(),
            "lansstyrelsen.integration.training.v1.TrainingService.GetPart");
  training::GetPartRequest request;
  ASSERT_TRUE(request.ParseFromString(call.request));
  EXPECT_EQ(request.name(), "parts/intro");
  EXPECT_EQ(call.authorization, "Bearer abc.def.ghi");
  EXPECT_EQ(call.request_id, "client-id-1");
  EXPECT_EQ(call.traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  EXPECT_EQ(call.client_address, "127.0.0.1");
  EXPECT_GE(call.deadline, before + absl::Milliseconds(1500));
  EXPECT_LE(call.deadline, absl::Now() + absl::Milliseconds(1500));
}

TEST_F(HttpFrontTest, WithoutTimeoutHeaderTheDeadlineIsLeftToTheDispatcher) {
  dispatcher_.Respond([](const BackendCall&) { return Ok(training::Part()); });
  Client client(front_->port());
  EXPECT_EQ(client.Send(http::verb::get, "/v1/parts/intro").result_int(), 200);
  EXPECT_EQ(dispatcher_.Calls().at(0).deadline, absl::InfiniteFuture());
  EXPECT_EQ(
      client.Send(http::verb::get, "/v1/parts/intro", "", {{"x-timeout-ms", "soon"}}).result_int(),
      400);
  EXPECT_EQ(dispatcher_.Calls().size(), 1u);
}

TEST_F(HttpFrontTest, PostWithBodyFieldAndQuery) {
  dispatcher_.Respond([](const BackendCall&) { return Ok(training::Part()); });
  Client client(front_->port());
  Response response =
      client.Send(http::verb::post, "/v1/parts?partId=intro", R"({"title":"T","position":1})");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "{}");
  training::CreatePartRequest request;
  ASSERT_TRUE(request.ParseFromString(dispatcher_.Calls().at(0).request));
  EXPECT_EQ(request.part_id(), "intro");
  EXPECT_EQ(request.part().title(), "T");
}

TEST_F(HttpFrontTest, StatusTableOnOneKeptAliveConnection) {
  const std::vector<std::pair<grpc::StatusCode, int>> table = {
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
  Client client(front_->port());
  for (const auto& [code, http_status] : table) {
    dispatcher_.Respond([code = code](const BackendCall&) {
      BackendResult result;
      result.status = grpc::Status(code, "backend says no");
      return result;
    });
    Response response = client.Send(http::verb::get, "/v1/parts/intro");
    EXPECT_EQ(response.result_int(), http_status) << code;
    EXPECT_EQ(response[http::field::content_type], "application/json");
    google::protobuf::Struct body = ParseJson(response.body());
    EXPECT_EQ(body.fields().at("code").number_value(), static_cast<int>(code));
    EXPECT_EQ(body.fields().at("message").string_value(), "backend says no");
    EXPECT_TRUE(response.keep_alive());
  }
  EXPECT_EQ(dispatcher_.Calls().size(), table.size());
}

TEST_F(HttpFrontTest, RateLimitedPassesRetryAfterAndCacheHeaders) {
  dispatcher_.Respond([](const BackendCall&) {
    BackendResult result;
    result.status = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "slow down");
    result.headers.emplace("retry-after", "3");
    return result;
  });
  Client client(front_->port());
  Response limited = client.Send(http::verb::get, "/v1/parts/intro");
  EXPECT_EQ(limited.result_int(), 429);
  EXPECT_EQ(limited[http::field::retry_after], "3");

  dispatcher_.Respond([](const BackendCall&) {
    BackendResult result = Ok(training::Part());
    result.headers.emplace("X-Cache", "hit");
    return result;
  });
  EXPECT_EQ(client.Send(http::verb::get, "/v1/parts/intro")["x-cache"], "hit");
}

TEST_F(HttpFrontTest, ErrorBodyCarriesTheBackendDetails) {
  google::rpc::Status rpc;
  google::rpc::ErrorInfo info;
  info.set_reason("ETAG_MISMATCH");
  info.set_domain("training.integration.lansstyrelsen.se");
  rpc.add_details()->PackFrom(info);
  google::rpc::BadRequest bad;
  bad.add_field_violations()->set_field("etag");
  rpc.add_details()->PackFrom(bad);
  dispatcher_.Respond([&](const BackendCall&) {
    BackendResult result;
    result.status =
        grpc::Status(grpc::StatusCode::ABORTED, "the module changed", rpc.SerializeAsString());
    return result;
  });
  Client client(front_->port());
  Response response = client.Send(http::verb::post, "/v1/parts/p/modules/m:publish", "{}");
  EXPECT_EQ(response.result_int(), 409);
  EXPECT_EQ(response.body(),
            R"({"code":10,"message":"the module changed","details":[)"
            R"({"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"ETAG_MISMATCH",)"
            R"("domain":"training.integration.lansstyrelsen.se"},)"
            R"({"@type":"type.googleapis.com/google.rpc.BadRequest",)"
            R"("fieldViolations":[{"field":"etag"}]}]})");
}

TEST_F(HttpFrontTest, TranscodingErrorsNeverReachTheDispatcher) {
  Client client(front_->port());
  Response unknown = client.Send(http::verb::post, "/v1/parts?partId=x", R"({"titel":"T"})");
  EXPECT_EQ(unknown.result_int(), 400);
  google::protobuf::Struct body = ParseJson(unknown.body());
  EXPECT_EQ(body.fields().at("code").number_value(), 3);
  const auto& details = body.fields().at("details").list_value();
  ASSERT_EQ(details.values_size(), 2);
  const auto& info = details.values(0).struct_value().fields();
  EXPECT_EQ(info.at("@type").string_value(), "type.googleapis.com/google.rpc.ErrorInfo");
  EXPECT_EQ(info.at("reason").string_value(), "UNKNOWN_FIELD");
  EXPECT_EQ(info.at("domain").string_value(), "gateway.integration.lansstyrelsen.se");
  const auto& violations = details.values(1).struct_value().fields().at("fieldViolations");
  EXPECT_EQ(violations.list_value().values(0).struct_value().fields().at("field").string_value(),
            "part.titel");
  EXPECT_FALSE(unknown["x-request-id"].empty()) << "a request id even before dispatch";

  EXPECT_EQ(
      client.Send(http::verb::post, "/v1/parts?partId=x", R"({"position":"one"})").result_int(),
      400);
  EXPECT_EQ(client.Send(http::verb::post, "/v1/parts?partId=x", "{not json").result_int(), 400);
  EXPECT_EQ(client.Send(http::verb::get, "/v1/parts/a%2Fb").result_int(), 400);
  Response media = client.Send(http::verb::post, "/v1/parts?partId=x", "title=T",
                               {{"content-type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(media.result_int(), 415);
  EXPECT_TRUE(dispatcher_.Calls().empty());
}

TEST_F(HttpFrontTest, UnknownRouteIs404WrongMethodIs405) {
  Client client(front_->port());
  Response missing = client.Send(http::verb::get, "/v1/nowhere");
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_THAT(missing.body(), HasSubstr("ROUTE_NOT_FOUND"));
  Response wrong = client.Send(http::verb::delete_, "/v1/parts/intro");
  EXPECT_EQ(wrong.result_int(), 405);
  EXPECT_EQ(wrong[http::field::allow], "GET, PATCH");
  EXPECT_THAT(wrong.body(), HasSubstr(R"("code":12)"));
  EXPECT_TRUE(dispatcher_.Calls().empty());
}

TEST_F(HttpFrontTest, OversizedBodyIs413) {
  Client client(front_->port());
  const std::string big = R"({"title":")" + std::string(5000, 'x') + R"("})";
  Response response = client.Send(http::verb::post, "/v1/parts?partId=x", big);
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_EQ(response[http::field::content_type], "application/json");
  EXPECT_THAT(response.body(), HasSubstr("REQUEST_TOO_LARGE"));
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(client.Closed());
  EXPECT_TRUE(dispatcher_.Calls().empty());
}

TEST_F(HttpFrontTest, OversizedChunkedBodyIs413) {
  Client client(front_->port());
  std::string request =
      "POST /v1/parts?partId=x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i) request += "400\r\n" + std::string(1024, ' ') + "\r\n";
  request += "0\r\n\r\n";
  client.WriteRaw(request);
  Response response = client.Read();
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_TRUE(dispatcher_.Calls().empty());
}

TEST_F(HttpFrontTest, DeclaredOversizedLengthIsRefusedBeforeTheBodyArrives) {
  Client client(front_->port());
  client.WriteRaw(
      "POST /v1/parts?partId=x HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
      "Content-Type: application/json\r\n\r\n");
  EXPECT_EQ(client.Read().result_int(), 413);
}

TEST_F(HttpFrontTest, OversizedHeadersAre431) {
  Client client(front_->port());
  Response response =
      client.Send(http::verb::get, "/v1/parts/intro", "", {{"x-filler", std::string(6000, 'a')}});
  EXPECT_EQ(response.result_int(), 431);
  EXPECT_THAT(response.body(), HasSubstr("HEADERS_TOO_LARGE"));
}

TEST_F(HttpFrontTest, SlowHeadersAreCutOffAndConnectionsBeyondTheCapGet503) {
  HttpFrontOptions options;
  options.max_connections = 1;
  options.header_timeout = std::chrono::milliseconds(300);
  Start(options);
  Client admitted(front_->port());
  ASSERT_EQ(admitted.Get("/healthz").result_int(), 200);
  // The next request's headers begin and never end (slowloris).
  admitted.WriteRaw("GET /v1/parts HTTP/1.1\r\nHost: x\r\n");
  const auto begin = std::chrono::steady_clock::now();

  Client over(front_->port());
  Response refused = over.Read();
  EXPECT_EQ(refused.result_int(), 503);
  EXPECT_EQ(refused["retry-after"], "1");
  EXPECT_FALSE(refused.keep_alive());
  EXPECT_THAT(refused.body(), HasSubstr("TOO_MANY_CONNECTIONS"));
  EXPECT_TRUE(over.Closed());

  EXPECT_TRUE(admitted.Closed());
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(1500));
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    Client next(front_->port());
    status = next.Get("/healthz").result_int();
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 200) << "the closed connection's place is free again";
  EXPECT_TRUE(dispatcher_.Calls().empty());
}

TEST_F(HttpFrontTest, ForwardingHeadersReachTheDispatcherJoined) {
  dispatcher_.Respond([](const BackendCall&) { return Ok(training::Part()); });
  Client client(front_->port());
  client.WriteRaw(
      "GET /v1/parts/intro HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.2.3.4\r\n"
      "X-Forwarded-For: 198.51.100.1\r\nForwarded: for=198.51.100.1\r\n\r\n");
  EXPECT_EQ(client.Read().result_int(), 200);
  const BackendCall call = dispatcher_.Calls().at(0);
  EXPECT_EQ(call.client_address, "127.0.0.1") << "the peer; the dispatcher decides whom to trust";
  EXPECT_EQ(call.forwarding.x_forwarded_for, "1.2.3.4,198.51.100.1");
  EXPECT_EQ(call.forwarding.forwarded, "for=198.51.100.1");
}

TEST_F(HttpFrontTest, CorsPreflightForAllowedOrigin) {
  Client client(front_->port());
  Response response =
      client.Send(http::verb::options, "/v1/parts", "",
                  {{"origin", "https://kurs.example.se"},
                   {"access-control-request-method", "POST"},
                   {"access-control-request-headers", "authorization,content-type"}});
  EXPECT_EQ(response.result_int(), 204);
  EXPECT_EQ(response[http::field::access_control_allow_origin], "https://kurs.example.se");
  EXPECT_THAT(std::string(response[http::field::access_control_allow_methods]), HasSubstr("POST"));
  const std::string allowed_headers(response[http::field::access_control_allow_headers]);
  for (const char* header : {"authorization", "content-type", "x-request-id", "traceparent"}) {
    EXPECT_THAT(allowed_headers, HasSubstr(header));
  }
  EXPECT_EQ(response[http::field::vary], "Origin");
  EXPECT_FALSE(response[http::field::access_control_max_age].empty());
  EXPECT_TRUE(dispatcher_.Calls().empty());
}

TEST_F(HttpFrontTest, CorsPreflightForOtherOriginIsRefused) {
  Client client(front_->port());
  Response response =
      client.Send(http::verb::options, "/v1/parts", "",
                  {{"origin", "https://evil.example"}, {"access-control-request-method", "POST"}});
  EXPECT_EQ(response.result_int(), 403);
  EXPECT_TRUE(response[http::field::access_control_allow_origin].empty());
  EXPECT_THAT(response.body(), HasSubstr("CORS_ORIGIN_NOT_ALLOWED"));
}

TEST_F(HttpFrontTest, CorsHeadersOnActualRequestsOnlyForAllowedOrigins) {
  dispatcher_.Respond([](const BackendCall&) { return Ok(training::Part()); });
  Client client(front_->port());
  Response allowed =
      client.Send(http::verb::get, "/v1/parts/intro", "", {{"origin", "https://kurs.example.se"}});
  EXPECT_EQ(allowed[http::field::access_control_allow_origin], "https://kurs.example.se");
  EXPECT_THAT(std::string(allowed[http::field::access_control_expose_headers]),
              HasSubstr("x-request-id"));
  EXPECT_EQ(allowed[http::field::vary], "Origin");
  Response other =
      client.Send(http::verb::get, "/v1/parts/intro", "", {{"origin", "https://evil.example"}});
  EXPECT_EQ(other.result_int(), 200);
  EXPECT_TRUE(other[http::field::access_control_allow_origin].empty());
}

TEST_F(HttpFrontTest, KeepAliveServesTwoRequestsOnOneConnection) {
  dispatcher_.Respond([](const BackendCall& call) {
    training::Part part;
    training::GetPartRequest request;
    request.ParseFromString(call.request);
    part.set_name(request.name());
    return Ok(part);
  });
  Client client(front_->port());
  Response first = client.Send(http::verb::get, "/v1/parts/one");
  EXPECT_TRUE(first.keep_alive());
  Response second = client.Send(http::verb::get, "/v1/parts/two");
  EXPECT_EQ(first.body(), R"({"name":"parts/one"})");
  EXPECT_EQ(second.body(), R"({"name":"parts/two"})");
  EXPECT_EQ(dispatcher_.Calls().size(), 2u);

  Response closing = client.Send(http::verb::get, "/v1/parts/three", "", {{"connection", "close"}});
  EXPECT_EQ(closing.result_int(), 200);
  EXPECT_FALSE(closing.keep_alive());
  EXPECT_TRUE(client.Closed());
}

TEST_F(HttpFrontTest, PdfIsPassedThroughRaw) {
  const std::string pdf(
      "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n\x00\x01"
      "binary",
      23);
  dispatcher_.Respond([&](const BackendCall&) {
    training::RenderDiplomaPdfResponse response;
    response.set_content_type("application/pdf");
    response.set_data(pdf);
    return Ok(response);
  });
  Client client(front_->port());
  Response response = client.Send(http::verb::get, "/v1/learners/l1/diplomas/D1:pdf");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response[http::field::content_type], "application/pdf");
  EXPECT_EQ(response.body(), pdf);
  training::RenderDiplomaPdfRequest request;
  ASSERT_TRUE(request.ParseFromString(dispatcher_.Calls().at(0).request));
  EXPECT_EQ(request.name(), "learners/l1/diplomas/D1");
}

TEST_F(HttpFrontTest, ServesOpenApiAndHealth) {
  Client client(front_->port());
  Response openapi = client.Send(http::verb::get, "/openapi.json");
  EXPECT_EQ(openapi.result_int(), 200);
  google::protobuf::Struct doc = ParseJson(openapi.body());
  EXPECT_EQ(doc.fields().at("openapi").string_value(), "3.0.3");
  EXPECT_TRUE(doc.fields().at("paths").struct_value().fields().contains("/v1/parts/{part}"));
  Response health = client.Send(http::verb::get, "/healthz");
  EXPECT_EQ(health.result_int(), 200);
  EXPECT_TRUE(dispatcher_.Calls().empty());
}

TEST_F(HttpFrontTest, WaitingOnTheBackendBlocksNoIoThread) {
  HttpFrontOptions options;
  options.threads = 1;
  Start(std::move(options));
  dispatcher_.Hold(true);
  dispatcher_.Respond([](const BackendCall&) { return Ok(training::Part()); });

  Client slow(front_->port());
  std::optional<Response> slow_response;
  std::thread waiter([&] { slow_response = slow.Send(http::verb::get, "/v1/parts/slow"); });
  while (dispatcher_.HeldCount() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  // The only I/O thread is free while the first call waits.
  Client fast(front_->port());
  EXPECT_EQ(fast.Send(http::verb::get, "/healthz").result_int(), 200);

  // Completed from another thread, the answer goes out on the session's strand.
  dispatcher_.CompleteHeld();
  waiter.join();
  ASSERT_TRUE(slow_response.has_value());
  EXPECT_EQ(slow_response->result_int(), 200);
}

TEST_F(HttpFrontTest, StopWithACallInFlightAndALateCompletion) {
  dispatcher_.Hold(true);
  dispatcher_.Respond([](const BackendCall&) { return Ok(training::Part()); });
  auto client = std::make_unique<Client>(front_->port());
  client->WriteRaw("GET /v1/parts/x HTTP/1.1\r\nHost: x\r\n\r\n");
  while (dispatcher_.HeldCount() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  front_->Stop();
  EXPECT_TRUE(client->Closed());
  front_.reset();
  // The Dispatcher answers after the front is gone: nothing may touch freed memory.
  dispatcher_.CompleteHeld();
}

TEST_F(HttpFrontTest, ExpectContinueGetsAnInterimResponse) {
  dispatcher_.Respond([](const BackendCall&) { return Ok(training::Part()); });
  Client client(front_->port());
  client.WriteRaw(
      "POST /v1/parts?partId=x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(client.Read().result_int(), 100);
  client.WriteRaw("{}");
  EXPECT_EQ(client.Read().result_int(), 200);
  EXPECT_EQ(dispatcher_.Calls().size(), 1u);
}

TEST_F(HttpFrontTest, CountsRequestsByRouteAndStatus) {
  auto registry = std::make_shared<metrics::Metrics>();
  HttpFrontOptions options;
  options.metrics = registry;
  Start(std::move(options));
  dispatcher_.Respond([](const BackendCall&) { return Ok(training::Part()); });
  Client client(front_->port());
  client.Send(http::verb::get, "/v1/parts/intro");
  client.Send(http::verb::get, "/v1/parts/intro");
  client.Send(http::verb::get, "/v1/nowhere");
  const std::string text = registry->Serialize();
  EXPECT_THAT(text,
              HasSubstr(R"(gateway_http_requests_total{code="200",route="/v1/{name=parts/*}"} 2)"));
  EXPECT_THAT(text, HasSubstr(R"(gateway_http_requests_total{code="404",route="unmatched"} 1)"));
  EXPECT_THAT(text,
              HasSubstr(R"(gateway_http_request_seconds_count{route="/v1/{name=parts/*}"} 2)"));
}

TEST_F(HttpFrontTest, ShutdownFinishesRequestsInProgressAndClosesIdleConnections) {
  dispatcher_.Respond([](const BackendCall&) { return Ok(training::Part()); });
  Client idle(front_->port());
  ASSERT_EQ(idle.Send(http::verb::get, "/healthz").result_int(), 200);
  dispatcher_.Hold(true);
  Client busy(front_->port());
  busy.WriteRaw("GET /v1/parts/x HTTP/1.1\r\nHost: x\r\n\r\n");
  while (dispatcher_.HeldCount() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  const int port = front_->port();
  std::thread stopper([&] { front_->Shutdown(std::chrono::seconds(30)); });
  EXPECT_TRUE(idle.Closed()) << "a connection between requests is closed at once";
  // The listener is closed too.
  for (int i = 0; i < 100; ++i) {
    asio::io_context ioc;
    tcp::socket probe(ioc);
    beast::error_code ec;
    probe.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                static_cast<unsigned short>(port)),
                  ec);
    if (ec) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Shutdown posts every Drain before it waits; give the busy connection's a moment to run so
  // the answer below is the one of a draining connection.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  dispatcher_.CompleteHeld();
  Response response = busy.Read();
  EXPECT_EQ(response.result_int(), 200) << "the request in progress is answered";
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(busy.Closed());
  stopper.join();
}

TEST_F(HttpFrontTest, ServesTheWebApplicationOutsideV1AndTheApiInside) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("http-front-web-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "assets");
  std::ofstream(dir / "index.html") << "<!doctype html><html lang=\"sv\"></html>";
  std::ofstream(dir / "assets" / "app-0123456789.js") << "void 0";
  StaticSiteOptions web;
  web.directory = dir.string();
  web.oidc_authority = "http://127.0.0.1:8090";
  web.oidc_client_id = "kurs-web";
  auto site = StaticSite::Load(web);
  ASSERT_TRUE(site.ok()) << site.status();
  HttpFrontOptions options;
  options.site = *std::move(site);
  Start(std::move(options));
  dispatcher_.Respond([](const BackendCall&) { return Ok(training::Part()); });

  Client client(front_->port());
  Response page = client.Get("/delar/introduktion");
  EXPECT_EQ(page.result_int(), 200);
  EXPECT_THAT(page.body(), HasSubstr("lang=\"sv\""));
  EXPECT_EQ(page[http::field::cache_control], "no-cache");
  EXPECT_THAT(std::string(page["content-security-policy"]),
              HasSubstr("connect-src 'self' http://127.0.0.1:8090"));
  EXPECT_FALSE(page["x-request-id"].empty());
  Response asset = client.Get("/assets/app-0123456789.js");
  EXPECT_EQ(asset[http::field::cache_control], "public, max-age=31536000, immutable");
  EXPECT_EQ(client.Get("/", {{"if-none-match", std::string(page[http::field::etag])}})
                .result_int(),
            304);
  // The API keeps its paths, answers and no-store; unknown API paths stay JSON 404s.
  Response api = client.Get("/v1/parts/intro");
  EXPECT_EQ(api.result_int(), 200);
  EXPECT_EQ(api[http::field::content_type], "application/json");
  EXPECT_EQ(api[http::field::cache_control], "no-store");
  Response unknown = client.Get("/v1/okand");
  EXPECT_EQ(unknown.result_int(), 404);
  EXPECT_THAT(unknown.body(), HasSubstr("ROUTE_NOT_FOUND"));
  EXPECT_EQ(client.Get("/openapi.json").result_int(), 200);
  EXPECT_EQ(dispatcher_.Calls().size(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(HttpFrontStartTest, RefusesBadOptions) {
  FakeDispatcher dispatcher;
  HttpFrontOptions options;
  options.bind = "not-an-address";
  EXPECT_FALSE(HttpFront::Start(dispatcher, options).ok());
  options.bind = "127.0.0.1";
  options.cors_origins = {"*"};
  EXPECT_FALSE(HttpFront::Start(dispatcher, options).ok());
  options.cors_origins = {};
  options.tls.cert_file = "/nonexistent/cert.pem";
  options.tls.key_file = "/nonexistent/key.pem";
  auto tls = HttpFront::Start(dispatcher, options);
  ASSERT_FALSE(tls.ok());
  EXPECT_THAT(std::string(tls.status().message()), HasSubstr("/nonexistent/cert.pem"));

  options.tls = {};
  auto first = HttpFront::Start(dispatcher, options);
  ASSERT_TRUE(first.ok()) << first.status();
  options.port = (*first)->port();
  auto second = HttpFront::Start(dispatcher, options);
  EXPECT_FALSE(second.ok()) << "port in use";
}

}  // namespace
}  // namespace integration::gateway
