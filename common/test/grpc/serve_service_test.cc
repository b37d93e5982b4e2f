// Serve() through a real server and a generated client: request ids, error details, auth,
// executor saturation, deadlines, trace context, access log and metrics.
#include <grpcpp/grpcpp.h>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <atomic>
#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "integration/metrics/metrics.h"
#include "integration/status/status.h"
#include "test_support.h"

namespace integration::grpc::testing {
namespace {

using ::testing::HasSubstr;

std::string InitialMetadata(const ::grpc::ClientContext& ctx, const std::string& key) {
  const auto& md = ctx.GetServerInitialMetadata();
  auto it = md.find(key);
  return it == md.end() ? "" : std::string(it->second.data(), it->second.size());
}

TEST(ServeTest, EchoesClientRequestIdAsInitialMetadata) {
  EchoServer server;
  auto stub = server.Stub();
  ::grpc::ClientContext ctx;
  server.Prepare(ctx);
  ctx.AddMetadata("x-request-id", "req-4711.a:b_c");
  echo::EchoRequest req;
  req.set_message("hej");
  req.set_payload(std::string("\0\1\2", 3));
  echo::EchoResponse resp;
  ::grpc::Status st = stub->Echo(&ctx, req, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.message(), "hej");
  EXPECT_EQ(resp.payload(), std::string("\0\1\2", 3));
  EXPECT_EQ(InitialMetadata(ctx, "x-request-id"), "req-4711.a:b_c");
}

TEST(ServeTest, GeneratesRequestIdWhenMissingOrInvalid) {
  std::atomic<int> seen_calls{0};
  std::string handler_request_id;
  absl::Mutex mu;
  EchoServer server(
      [&](const CallContext& call, const echo::EchoRequest& req, echo::EchoResponse* resp) {
        absl::MutexLock lock(&mu);
        handler_request_id = call.request_id();
        ++seen_calls;
        return PlainEcho(call, req, resp);
      });
  auto stub = server.Stub();
  const std::regex uuid_v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (const char* sent : {"", "has space", "quote\"inside"}) {
    ::grpc::ClientContext ctx;
    server.Prepare(ctx);
    if (*sent != '\0') ctx.AddMetadata("x-request-id", sent);
    echo::EchoResponse resp;
    ASSERT_TRUE(stub->Echo(&ctx, echo::EchoRequest(), &resp).ok());
    const std::string echoed = InitialMetadata(ctx, "x-request-id");
    EXPECT_TRUE(std::regex_match(echoed, uuid_v4)) << "sent '" << sent << "', got " << echoed;
    absl::MutexLock lock(&mu);
    EXPECT_EQ(handler_request_id, echoed);
  }
  EXPECT_EQ(seen_calls.load(), 3);
}

TEST(ServeTest, ErrorDetailsSurviveTheRoundTrip) {
  EchoServer server([](const CallContext&, const echo::EchoRequest&, echo::EchoResponse* resp) {
    resp->set_message("must not be sent");
    return status::Error(
        absl::StatusCode::kInvalidArgument, "MESSAGE_INVALID", "the request has 2 invalid fields",
        {{"limit", "10"}},
        {{"message", "longer than 10 characters"}, {"payload", "must not be empty"}});
  });
  auto stub = server.Stub();
  ::grpc::ClientContext ctx;
  server.Prepare(ctx);
  echo::EchoRequest req;
  req.set_message("far too long text");
  echo::EchoResponse resp;
  ::grpc::Status st = stub->Echo(&ctx, req, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "the request has 2 invalid fields");
  EXPECT_EQ(resp.message(), "");
  // Failures carry the request id in the trailers.
  auto trailer = ctx.GetServerTrailingMetadata().find("x-request-id");
  ASSERT_NE(trailer, ctx.GetServerTrailingMetadata().end());
  EXPECT_FALSE(trailer->second.empty());

  // As any gRPC client sees it: google.rpc.Status in the details trailer.
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(st.error_details()));
  EXPECT_EQ(rpc.code(), static_cast<int>(::grpc::StatusCode::INVALID_ARGUMENT));
  google::rpc::ErrorInfo info;
  google::rpc::BadRequest bad;
  bool has_info = false;
  bool has_bad = false;
  for (const auto& any : rpc.details()) {
    if (any.Is<google::rpc::ErrorInfo>()) has_info = any.UnpackTo(&info);
    if (any.Is<google::rpc::BadRequest>()) has_bad = any.UnpackTo(&bad);
  }
  ASSERT_TRUE(has_info);
  EXPECT_EQ(info.reason(), "MESSAGE_INVALID");
  EXPECT_EQ(info.domain(), "echo.integration.lansstyrelsen.se");
  EXPECT_EQ(info.metadata().at("limit"), "10");
  ASSERT_TRUE(has_bad);
  ASSERT_EQ(bad.field_violations_size(), 2);
  EXPECT_EQ(bad.field_violations(0).field(), "message");
  EXPECT_EQ(bad.field_violations(0).description(), "longer than 10 characters");
  EXPECT_EQ(bad.field_violations(1).field(), "payload");

  // As our own services read it back.
  absl::Status back = status::FromGrpc(st);
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  auto back_info = status::GetErrorInfo(back);
  ASSERT_TRUE(back_info.has_value());
  EXPECT_EQ(back_info->reason(), "MESSAGE_INVALID");
  auto back_bad = status::GetBadRequest(back);
  ASSERT_TRUE(back_bad.has_value());
  EXPECT_EQ(back_bad->field_violations_size(), 2);
}

TEST(ServeTest, ControlCharactersInTextAreRefusedBeforeTheHandler) {
  std::atomic<int> calls{0};
  EchoServer server([&](const CallContext& c, const echo::EchoRequest& r, echo::EchoResponse* o) {
    ++calls;
    return PlainEcho(c, r, o);
  });
  auto stub = server.Stub();
  echo::EchoRequest req;
  req.set_message(std::string("a\0b", 3));
  echo::EchoResponse resp;
  ::grpc::ClientContext ctx;
  server.Prepare(ctx);
  ::grpc::Status st = stub->Echo(&ctx, req, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  absl::Status back = status::FromGrpc(st);
  ASSERT_TRUE(status::GetBadRequest(back).has_value());
  EXPECT_EQ(status::GetBadRequest(back)->field_violations(0).field(), "message");
  EXPECT_EQ(status::GetErrorInfo(back)->reason(), "INVALID_FIELD");
  EXPECT_EQ(calls.load(), 0);

  // Line breaks pass in a multi-line field.
  req.set_message("one line");
  req.set_note("line 1\nline 2");
  ::grpc::ClientContext ok_ctx;
  server.Prepare(ok_ctx);
  EXPECT_TRUE(stub->Echo(&ok_ctx, req, &resp).ok());
  EXPECT_EQ(calls.load(), 1);
}

TEST(ServeTest, HandlerExceptionBecomesOpaqueInternal) {
  EchoServer server(
      [](const CallContext&, const echo::EchoRequest&, echo::EchoResponse*) -> absl::Status {
        throw std::runtime_error("connection to db-secret-host:5432 refused");
      });
  auto stub = server.Stub();
  ::grpc::ClientContext ctx;
  server.Prepare(ctx);
  echo::EchoResponse resp;
  ::grpc::Status st = stub->Echo(&ctx, echo::EchoRequest(), &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INTERNAL);
  EXPECT_EQ(st.error_message().find("db-secret-host"), std::string::npos) << st.error_message();
  // The server keeps serving.
  EchoServer ok_server;
  ::grpc::ClientContext ctx2;
  ok_server.Prepare(ctx2);
  EXPECT_TRUE(ok_server.Stub()->Echo(&ctx2, echo::EchoRequest(), &resp).ok());
}

class AuthTest : public ::testing::Test {
 protected:
  AuthTest() : issuer_(dir_) {}

  ServerOptions Options() const {
    ServerOptions o = TestOptions();
    o.verifier = issuer_.verifier();
    return o;
  }
  ::grpc::Status Call(EchoServer& server, const std::string& authorization) {
    ::grpc::ClientContext ctx;
    WithDeadline(ctx);
    if (!authorization.empty()) ctx.AddMetadata("authorization", authorization);
    echo::EchoRequest req;
    req.set_message("x");
    echo::EchoResponse resp;
    return server.Stub()->Echo(&ctx, req, &resp);
  }
  static std::string Reason(const ::grpc::Status& st) {
    auto info = status::GetErrorInfo(status::FromGrpc(st));
    return info.has_value() ? info->reason() : "";
  }

  TempDir dir_;
  TokenIssuer issuer_;
};

TEST_F(AuthTest, NoTokenIsUnauthenticated) {
  std::atomic<int> calls{0};
  EchoServer server(
      [&](const CallContext& c, const echo::EchoRequest& r, echo::EchoResponse* o) {
        ++calls;
        return PlainEcho(c, r, o);
      },
      Options());
  ::grpc::Status st = Call(server, "");
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Reason(st), "TOKEN_MISSING");
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(AuthTest, MalformedAndForgedTokensAreUnauthenticated) {
  EchoServer server(PlainEcho, Options());
  ::grpc::Status basic = Call(server, "Basic dXNlcjpwYXNz");
  EXPECT_EQ(basic.error_code(), ::grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Reason(basic), "TOKEN_MALFORMED");
  ::grpc::Status garbage = Call(server, "Bearer not.a.jwt");
  EXPECT_EQ(garbage.error_code(), ::grpc::StatusCode::UNAUTHENTICATED);
  // Signed by another key with the same kid.
  TempDir other_dir;
  TokenIssuer other(other_dir);
  ::grpc::Status forged = Call(server, "Bearer " + other.Token("county_officer"));
  EXPECT_EQ(forged.error_code(), ::grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Reason(forged), "TOKEN_SIGNATURE_INVALID");
}

TEST_F(AuthTest, RoleNotInPolicyIsPermissionDenied) {
  std::atomic<int> calls{0};
  EchoServer server(
      [&](const CallContext& c, const echo::EchoRequest& r, echo::EchoResponse* o) {
        ++calls;
        return PlainEcho(c, r, o);
      },
      Options());
  ::grpc::Status st = Call(server, "Bearer " + issuer_.Token("learner"));
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reason(st), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(AuthTest, AllowedRoleReachesHandlerWithCaller) {
  absl::Mutex mu;
  auth::Caller seen;
  EchoServer server(
      [&](const CallContext& c, const echo::EchoRequest& r, echo::EchoResponse* o) {
        absl::MutexLock lock(&mu);
        seen = c.caller();
        return PlainEcho(c, r, o);
      },
      Options());
  const std::string token = issuer_.Token("county_officer", "officer-7");
  LogCapture logs;
  ::grpc::Status st = Call(server, "Bearer " + token);
  ASSERT_TRUE(st.ok()) << st.error_message();
  absl::MutexLock lock(&mu);
  EXPECT_TRUE(seen.authenticated);
  EXPECT_EQ(seen.role, "county_officer");
  EXPECT_EQ(seen.subject, issuer_.Subject("officer-7", "county_officer"));
  EXPECT_EQ(seen.token, token);
  // The access line names the role, never the token or the subject.
  auto lines = logs.Matching({"\"event\":\"rpc\"", kEchoMethod});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("\"role\":\"county_officer\""));
  for (const std::string& line : logs.All()) {
    EXPECT_EQ(line.find(token), std::string::npos) << line;
    EXPECT_EQ(line.find("officer-7"), std::string::npos) << line;
  }
}

TEST(ServeTest, FullExecutorAnswersServerBusy) {
  ServerOptions options = TestOptions();
  options.executor_threads = 1;
  options.executor_queue = 1;
  absl::Notification entered;
  absl::Notification release;
  std::atomic<int> runs{0};
  EchoServer server(
      [&](const CallContext& c, const echo::EchoRequest& r, echo::EchoResponse* o) {
        if (runs.fetch_add(1) == 0) {
          entered.Notify();
          release.WaitForNotification();
        }
        return PlainEcho(c, r, o);
      },
      options);
  auto stub = server.Stub();
  auto call = [&stub, &server](::grpc::Status* out) {
    ::grpc::ClientContext ctx;
    server.Prepare(ctx, std::chrono::seconds(20));
    echo::EchoResponse resp;
    *out = stub->Echo(&ctx, echo::EchoRequest(), &resp);
  };
  ::grpc::Status first, second, third;
  std::thread t1(call, &first);
  ASSERT_TRUE(entered.WaitForNotificationWithTimeout(absl::Seconds(10)));
  std::thread t2(call, &second);
  const absl::Time until = absl::Now() + absl::Seconds(10);
  while (server.runtime().executor().queue_depth() < 1 && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_EQ(server.runtime().executor().queue_depth(), 1u);
  call(&third);
  EXPECT_EQ(third.error_code(), ::grpc::StatusCode::RESOURCE_EXHAUSTED);
  auto info = status::GetErrorInfo(status::FromGrpc(third));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "SERVER_BUSY");
  release.Notify();
  t1.join();
  t2.join();
  EXPECT_TRUE(first.ok()) << first.error_message();
  EXPECT_TRUE(second.ok()) << second.error_message();
  EXPECT_EQ(runs.load(), 2);
}

TEST(ServeTest, CallWhoseDeadlinePassedInTheQueueIsNotRun) {
  ServerOptions options = TestOptions();
  options.executor_threads = 1;
  absl::Notification entered;
  absl::Notification release;
  std::atomic<int> runs{0};
  EchoServer server(
      [&](const CallContext& c, const echo::EchoRequest& r, echo::EchoResponse* o) {
        if (runs.fetch_add(1) == 0) {
          entered.Notify();
          release.WaitForNotification();
        }
        return PlainEcho(c, r, o);
      },
      options);
  auto stub = server.Stub();
  ::grpc::Status first;
  std::thread blocker([&] {
    ::grpc::ClientContext ctx;
    server.Prepare(ctx, std::chrono::seconds(20));
    echo::EchoResponse resp;
    first = stub->Echo(&ctx, echo::EchoRequest(), &resp);
  });
  ASSERT_TRUE(entered.WaitForNotificationWithTimeout(absl::Seconds(10)));
  ::grpc::Status expired;
  std::thread short_call([&] {
    ::grpc::ClientContext ctx;
    server.Prepare(ctx, std::chrono::milliseconds(200));
    echo::EchoResponse resp;
    expired = stub->Echo(&ctx, echo::EchoRequest(), &resp);
  });
  // Once the call sits in the queue the server has received it, so its server-side deadline
  // (receipt + 200 ms) is at most 200 ms from now, whatever the transit time was.
  absl::Time until = absl::Now() + absl::Seconds(10);
  while (server.runtime().executor().queue_depth() < 1 && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_EQ(server.runtime().executor().queue_depth(), 1u);
  const absl::Time queued = absl::Now();
  short_call.join();
  EXPECT_EQ(expired.error_code(), ::grpc::StatusCode::DEADLINE_EXCEEDED);
  const absl::Duration left = queued + absl::Milliseconds(210) - absl::Now();
  if (left > absl::ZeroDuration()) absl::SleepFor(left);
  release.Notify();
  blocker.join();
  EXPECT_TRUE(first.ok());
  // Let the executor reach the expired call, then check its handler never ran.
  until = absl::Now() + absl::Seconds(5);
  while (server.runtime().executor().queue_depth() + server.runtime().executor().running() > 0 &&
         absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(runs.load(), 1);
}

TEST(ServeTest, DeadlineIsClientsCappedOrDefault) {
  ServerOptions options = TestOptions();
  options.default_deadline = std::chrono::seconds(3);
  options.max_deadline = std::chrono::seconds(5);
  absl::Mutex mu;
  absl::Duration remaining;
  EchoServer server(
      [&](const CallContext& c, const echo::EchoRequest& r, echo::EchoResponse* o) {
        absl::MutexLock lock(&mu);
        remaining = c.remaining();
        return PlainEcho(c, r, o);
      },
      options);
  auto stub = server.Stub();
  auto remaining_for = [&](std::optional<std::chrono::milliseconds> timeout) {
    ::grpc::ClientContext ctx;
    server.AddToken(ctx);
    if (timeout.has_value()) ctx.set_deadline(std::chrono::system_clock::now() + *timeout);
    echo::EchoResponse resp;
    EXPECT_TRUE(stub->Echo(&ctx, echo::EchoRequest(), &resp).ok());
    absl::MutexLock lock(&mu);
    return remaining;
  };
  absl::Duration r = remaining_for(std::chrono::milliseconds(2000));
  EXPECT_GT(r, absl::Milliseconds(1000));
  EXPECT_LE(r, absl::Milliseconds(2000));
  r = remaining_for(std::nullopt);  // the server default
  EXPECT_GT(r, absl::Milliseconds(2000));
  EXPECT_LE(r, absl::Seconds(3));
  r = remaining_for(std::chrono::hours(1));  // capped by the maximum
  EXPECT_GT(r, absl::Seconds(4));
  EXPECT_LE(r, absl::Seconds(5));
}

TEST(ServeTest, TraceparentContinuesTheClientsTrace) {
  absl::Mutex mu;
  TraceContext seen;
  EchoServer server([&](const CallContext& c, const echo::EchoRequest& r, echo::EchoResponse* o) {
    absl::MutexLock lock(&mu);
    seen = c.trace();
    log::Info("inside_handler");
    return PlainEcho(c, r, o);
  });
  auto stub = server.Stub();
  LogCapture logs;
  {
    ::grpc::ClientContext ctx;
    server.Prepare(ctx);
    ctx.AddMetadata("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    ctx.AddMetadata("x-request-id", "trace-test-1");
    echo::EchoResponse resp;
    ASSERT_TRUE(stub->Echo(&ctx, echo::EchoRequest(), &resp).ok());
  }
  {
    absl::MutexLock lock(&mu);
    EXPECT_EQ(seen.trace_id, "0af7651916cd43dd8448eb211c80319c");
    EXPECT_NE(seen.span_id, "b7ad6b7169203331");  // our span, child of the client's
    EXPECT_EQ(seen.flags, 1);
  }
  // Handler lines and the access line carry both ids.
  EXPECT_EQ(logs.Matching({"inside_handler", "\"request_id\":\"trace-test-1\"",
                           "\"trace_id\":\"0af7651916cd43dd8448eb211c80319c\""})
                .size(),
            1u);
  EXPECT_EQ(logs.Matching({"\"event\":\"rpc\"", "\"request_id\":\"trace-test-1\"",
                           "\"trace_id\":\"0af7651916cd43dd8448eb211c80319c\"", "\"code\":\"OK\"",
                           "\"role\":\"county_officer\"", "latency_ms"})
                .size(),
            1u);
  {
    ::grpc::ClientContext ctx;
    server.Prepare(ctx);
    ctx.AddMetadata("traceparent", "00-00000000000000000000000000000000-b7ad6b7169203331-01");
    echo::EchoResponse resp;
    ASSERT_TRUE(stub->Echo(&ctx, echo::EchoRequest(), &resp).ok());
  }
  absl::MutexLock lock(&mu);
  EXPECT_TRUE(std::regex_match(seen.trace_id, std::regex("^[0-9a-f]{32}$")));
  EXPECT_NE(seen.trace_id, "00000000000000000000000000000000");
}

TEST(ServeTest, RecordsRpcMetrics) {
  auto metrics = std::make_shared<metrics::Metrics>();
  ServerOptions options = TestOptions();
  options.metrics = metrics;
  EchoServer server(
      [](const CallContext& c, const echo::EchoRequest& r, echo::EchoResponse* o) {
        if (r.message() == "fail") return status::NotFound("ECHO_NOT_FOUND", "nothing to echo");
        return PlainEcho(c, r, o);
      },
      options);
  auto stub = server.Stub();
  for (const char* m : {"a", "b", "fail"}) {
    ::grpc::ClientContext ctx;
    server.Prepare(ctx);
    echo::EchoRequest req;
    req.set_message(m);
    echo::EchoResponse resp;
    stub->Echo(&ctx, req, &resp);
  }
  const std::string text = metrics->Serialize();
  const std::string method = std::string("grpc_method=\"/") + kEchoMethod + "\"";
  EXPECT_TRUE(std::regex_search(
      text, std::regex("grpc_server_handled_total\\{[^}]*grpc_code=\"OK\"[^}]*\\} 2")))
      << text;
  EXPECT_TRUE(std::regex_search(
      text, std::regex("grpc_server_handled_total\\{[^}]*grpc_code=\"NOT_FOUND\"[^}]*\\} 1")))
      << text;
  EXPECT_THAT(text, HasSubstr(method));
  EXPECT_THAT(text, HasSubstr("integration_executor_queue_depth{service=\"echo\"}"));
}

// A method of a service the runtime never registered, taking EchoRequest: built in a pool of
// its own, so no added service has its descriptor.
class ForeignMethod {
 public:
  ForeignMethod() : pool_(google::protobuf::DescriptorPool::generated_pool()) {
    google::protobuf::FileDescriptorProto file;
    file.set_name("foreign_test.proto");
    file.set_package("foreign.test");
    file.add_dependency(echo::EchoRequest::descriptor()->file()->name());
    file.set_syntax("proto3");
    google::protobuf::MethodDescriptorProto* m = file.add_service()->add_method();
    file.mutable_service(0)->set_name("ForeignService");
    m->set_name("Echo");
    m->set_input_type(".lansstyrelsen.integration.echo.v1.EchoRequest");
    m->set_output_type(".lansstyrelsen.integration.echo.v1.EchoResponse");
    const google::protobuf::FileDescriptor* built = pool_.BuildFile(file);
    method_ = built == nullptr ? nullptr : built->service(0)->method(0);
  }
  const google::protobuf::MethodDescriptor* get() const { return method_; }

 private:
  google::protobuf::DescriptorPool pool_;
  const google::protobuf::MethodDescriptor* method_ = nullptr;
};

// Serves Echo as if it were `method`: the wiring bug the generated adapter rules out.
class MiswiredEchoService final : public echo::EchoService::CallbackService {
 public:
  MiswiredEchoService(Runtime& rt, const google::protobuf::MethodDescriptor& method)
      : rt_(rt), method_(method) {}
  ::grpc::ServerUnaryReactor* Echo(::grpc::CallbackServerContext* ctx, const echo::EchoRequest* req,
                                   echo::EchoResponse* resp) override {
    return Serve(rt_, ctx, req, resp, method_,
                 [this](const CallContext&, const echo::EchoRequest&, echo::EchoResponse*) {
                   ++runs;
                   return absl::OkStatus();
                 });
  }
  std::atomic<int> runs{0};

 private:
  Runtime& rt_;
  const google::protobuf::MethodDescriptor& method_;
};

// Calls Echo on the server of `rt` and returns the status code.
::grpc::StatusCode CallEcho(Runtime& rt) {
  auto stub = echo::EchoService::NewStub(::grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(rt.port()), ::grpc::InsecureChannelCredentials()));
  ::grpc::ClientContext ctx;
  WithDeadline(ctx);
  echo::EchoResponse resp;
  return stub->Echo(&ctx, echo::EchoRequest(), &resp).error_code();
}

// A Serve() call of a method the runtime does not know is a wiring bug: INTERNAL, and the
// handler (which would run without an access policy) never runs.
TEST(ServeTest, UnregisteredMethodIsInternalAndNotRun) {
  ForeignMethod foreign;
  ASSERT_NE(foreign.get(), nullptr);
  Runtime rt(TestOptions());
  MiswiredEchoService service(rt, *foreign.get());
  ASSERT_TRUE(rt.AddService<echo::EchoService>(&service).ok());
  ASSERT_TRUE(rt.Start().ok());
  EXPECT_EQ(CallEcho(rt), ::grpc::StatusCode::INTERNAL);
  EXPECT_EQ(service.runs.load(), 0);
  rt.Shutdown(std::chrono::seconds(1));
}

// A registered method whose request type is not the call's: the same wiring bug.
TEST(ServeTest, MethodOfAnotherRequestTypeIsInternalAndNotRun) {
  // EchoService has one method; its descriptor with a request of the wrong type is simulated
  // by serving Echo under a method that takes EchoResponse.
  google::protobuf::DescriptorPool pool(google::protobuf::DescriptorPool::generated_pool());
  google::protobuf::FileDescriptorProto file;
  file.set_name("wrong_type_test.proto");
  file.set_package("wrong.test");
  file.add_dependency(echo::EchoRequest::descriptor()->file()->name());
  file.set_syntax("proto3");
  auto* svc = file.add_service();
  svc->set_name("WrongService");
  auto* m = svc->add_method();
  m->set_name("Echo");
  m->set_input_type(".lansstyrelsen.integration.echo.v1.EchoResponse");
  m->set_output_type(".lansstyrelsen.integration.echo.v1.EchoResponse");
  const google::protobuf::FileDescriptor* built = pool.BuildFile(file);
  ASSERT_NE(built, nullptr);
  Runtime rt(TestOptions());
  MiswiredEchoService service(rt, *built->service(0)->method(0));
  ASSERT_TRUE(rt.AddService<echo::EchoService>(&service).ok());
  ASSERT_TRUE(rt.Start().ok());
  EXPECT_EQ(CallEcho(rt), ::grpc::StatusCode::INTERNAL);
  EXPECT_EQ(service.runs.load(), 0);
  rt.Shutdown(std::chrono::seconds(1));
}

TEST(ServeTest, FindMethodByDescriptor) {
  Runtime rt(TestOptions());
  EchoServiceImpl service(rt, PlainEcho);
  ASSERT_TRUE(rt.AddService<echo::EchoService>(&service).ok());
  const google::protobuf::MethodDescriptor& echo_method =
      *echo::EchoRequest::descriptor()->file()->FindServiceByName("EchoService")->method(0);
  const MethodInfo* found = rt.FindMethod(echo_method);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->full_name, kEchoMethod);
  EXPECT_EQ(found->path, std::string("/") + kEchoMethod);
  ASSERT_NE(found->policy, nullptr);
  ForeignMethod foreign;
  ASSERT_NE(foreign.get(), nullptr);
  EXPECT_EQ(rt.FindMethod(*foreign.get()), nullptr);
  EXPECT_FALSE(rt.AddService(&service, "no.such.Service").ok());
  EXPECT_EQ(rt.AddService<echo::EchoService>(&service).code(), absl::StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace integration::grpc::testing
