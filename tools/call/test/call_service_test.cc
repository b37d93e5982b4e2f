// Service tests of integration-call: a real EchoService in process, called through the command's
// library and through the built binary, checking what a user sees (stdout, stderr, exit code).
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/server_context.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "call_lib.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "lansstyrelsen/integration/echo/v1/echo.grpc.pb.h"

namespace integration::call {
namespace {

namespace echo = ::lansstyrelsen::integration::echo::v1;
using ::testing::HasSubstr;

constexpr char kEcho[] = "lansstyrelsen.integration.echo.v1.EchoService/Echo";

// Echoes, except for a few trigger messages that exercise the client's other paths.
class TestEchoService final : public echo::EchoService::Service {
 public:
  grpc::Status Echo(grpc::ServerContext* context, const echo::EchoRequest* request,
                    echo::EchoResponse* response) override {
    ++calls_;
    if (request->message() == "fail") return InvalidRequest();
    if (request->message() == "metadata") {
      response->set_message(
          absl::StrCat(Header(*context, "authorization"), "|", Header(*context, "x-request-id")));
      return grpc::Status::OK;
    }
    if (request->message() == "slow") {
      // Outlive the caller's deadline, but never hold up the server's shutdown for long.
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (!context->IsCancelled() && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      return grpc::Status(grpc::StatusCode::CANCELLED, "caller went away");
    }
    response->set_message(request->message());
    response->set_payload(request->payload());
    return grpc::Status::OK;
  }

  int calls() const { return calls_.load(); }

 private:
  static std::string Header(const grpc::ServerContext& context, const std::string& key) {
    const auto& metadata = context.client_metadata();
    const auto it = metadata.find(key);
    return it == metadata.end() ? "" : std::string(it->second.data(), it->second.size());
  }

  // What the suite's status mapper sends for a bad request, assembled by hand so this test
  // depends on nothing but the protos.
  static grpc::Status InvalidRequest() {
    google::rpc::Status details;
    details.set_code(static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
    details.set_message("the request has invalid fields");
    google::rpc::ErrorInfo info;
    info.set_reason("INVALID_FIELD");
    info.set_domain("echo.integration.lansstyrelsen.se");
    (*info.mutable_metadata())["max_length"] = "10";
    details.add_details()->PackFrom(info);
    google::rpc::BadRequest bad_request;
    auto* violation = bad_request.add_field_violations();
    violation->set_field("message");
    violation->set_description("must not be \"fail\"");
    violation = bad_request.add_field_violations();
    violation->set_field("payload");
    violation->set_description("must not be empty");
    details.add_details()->PackFrom(bad_request);
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the request has invalid fields",
                        details.SerializeAsString());
  }

  std::atomic<int> calls_{0};
};

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

echo::EchoResponse ParseResponse(const std::string& json) {
  echo::EchoResponse response;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &response);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return response;
}

class CallServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
    target_ = absl::StrCat("127.0.0.1:", port_);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  // Runs the command in process against the test server, as `integration-call --target … args`.
  Outcome Call(std::vector<std::string> args, const std::string& stdin_text = "",
               bool stdin_is_tty = false) {
    args.insert(args.begin(), {"--target", target_});
    absl::StatusOr<Options> options = ParseArgs(args, "");
    EXPECT_TRUE(options.ok()) << options.status();
    if (!options.ok()) return {};
    std::istringstream in(stdin_text);
    std::ostringstream out;
    std::ostringstream err;
    Io io{in, out, err, stdin_is_tty, /*stdout_is_tty=*/false};
    Outcome outcome;
    outcome.exit_code = call::Run(*options, io);
    outcome.out = out.str();
    outcome.err = err.str();
    return outcome;
  }

  // Runs the built binary through the shell as "<prefix><binary> <args>", stderr captured.
  Outcome RunBinary(const std::string& prefix, const std::string& args) {
    const std::string err_path =
        absl::StrCat(testing::TempDir(), "call_service_test_", getpid(), "_", ++runs_, ".err");
    const std::string line =
        absl::StrCat(prefix, "'", INTEGRATION_CALL_BINARY, "' ", args, " 2>'", err_path, "'");
    Outcome outcome;
    FILE* pipe = popen(line.c_str(), "r");
    EXPECT_NE(pipe, nullptr) << line;
    if (pipe == nullptr) return outcome;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) outcome.out.append(buffer, n);
    const int status = pclose(pipe);
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream err_file(err_path);
    outcome.err.assign(std::istreambuf_iterator<char>(err_file), std::istreambuf_iterator<char>());
    std::remove(err_path.c_str());
    return outcome;
  }

  TestEchoService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string target_;
  int runs_ = 0;
};

TEST_F(CallServiceTest, JsonRoundTripsThroughTheServer) {
  const Outcome outcome =
      Call({kEcho, R"({"message": "Hej Länsstyrelsen", "payload": "AAEC/w=="})"});
  ASSERT_EQ(outcome.exit_code, kExitOk) << outcome.err;
  EXPECT_EQ(outcome.err, "");
  EXPECT_EQ(outcome.out,
            "{\n \"message\": \"Hej Länsstyrelsen\",\n \"payload\": \"AAEC/w==\"\n}\n");
  const echo::EchoResponse response = ParseResponse(outcome.out);
  EXPECT_EQ(response.message(), "Hej Länsstyrelsen");
  EXPECT_EQ(response.payload(), std::string("\x00\x01\x02\xff", 4));
}

TEST_F(CallServiceTest, DefaultValuedFieldsAreStillPrinted) {
  const Outcome outcome = Call({kEcho, R"({"message": "bara text"})"});
  ASSERT_EQ(outcome.exit_code, kExitOk) << outcome.err;
  EXPECT_THAT(outcome.out, HasSubstr("\"payload\": \"\""));
}

TEST_F(CallServiceTest, ReadsTheRequestFromStdinAndAcceptsTheDottedName) {
  Outcome outcome =
      Call({"lansstyrelsen.integration.echo.v1.EchoService.Echo"}, R"({"message": "från stdin"})");
  ASSERT_EQ(outcome.exit_code, kExitOk) << outcome.err;
  EXPECT_EQ(ParseResponse(outcome.out).message(), "från stdin");

  outcome = Call({kEcho, "-"}, R"({"message": "dash"})", /*stdin_is_tty=*/true);
  ASSERT_EQ(outcome.exit_code, kExitOk) << outcome.err;
  EXPECT_EQ(ParseResponse(outcome.out).message(), "dash");

  // No JSON and a terminal on stdin: the empty request, rather than waiting for input.
  outcome = Call({kEcho}, R"({"message": "ignored"})", /*stdin_is_tty=*/true);
  ASSERT_EQ(outcome.exit_code, kExitOk) << outcome.err;
  EXPECT_EQ(ParseResponse(outcome.out).message(), "");
}

TEST_F(CallServiceTest, UnknownJsonFieldIsAUsageErrorNamingItAndNothingIsSent) {
  const Outcome outcome = Call({kEcho, R"({"message": "x", "mesage": "typo"})"});
  EXPECT_EQ(outcome.exit_code, kExitUsage);
  EXPECT_THAT(outcome.err, HasSubstr("mesage"));
  EXPECT_THAT(outcome.err, HasSubstr("lansstyrelsen.integration.echo.v1.EchoRequest"));
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(CallServiceTest, UnknownMethodAndServiceAreUsageErrors) {
  Outcome outcome = Call({"lansstyrelsen.integration.echo.v1.EchoService/Shout", "{}"});
  EXPECT_EQ(outcome.exit_code, kExitUsage);
  EXPECT_THAT(outcome.err, HasSubstr("no method \"Shout\""));
  EXPECT_THAT(outcome.err, HasSubstr("it has: Echo"));

  outcome = Call({"lansstyrelsen.integration.grants.v0.GrantsService/GetGrant", "{}"});
  EXPECT_EQ(outcome.exit_code, kExitUsage);
  EXPECT_THAT(outcome.err,
              HasSubstr("unknown service \"lansstyrelsen.integration.grants.v0.GrantsService\""));
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(CallServiceTest, ErrorShowsCodeReasonAndEveryFieldViolation) {
  const Outcome outcome = Call({kEcho, R"({"message": "fail"})"});
  EXPECT_EQ(outcome.exit_code, kExitRpcError);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err,
            "INVALID_ARGUMENT: the request has invalid fields\n"
            "  reason: INVALID_FIELD\n"
            "  domain: echo.integration.lansstyrelsen.se\n"
            "  metadata:\n"
            "    max_length: 10\n"
            "  field violations:\n"
            "    message: must not be \"fail\"\n"
            "    payload: must not be empty\n");
}

TEST_F(CallServiceTest, SendsBearerTokenAndRequestId) {
  const Outcome outcome =
      Call({kEcho, R"({"message": "metadata"})", "--token", "ey.J.sig", "--request-id", "req-17"});
  ASSERT_EQ(outcome.exit_code, kExitOk) << outcome.err;
  EXPECT_EQ(ParseResponse(outcome.out).message(), "Bearer ey.J.sig|req-17");
}

TEST_F(CallServiceTest, DeadlineIsEnforced) {
  const auto started = std::chrono::steady_clock::now();
  const Outcome outcome = Call({kEcho, R"({"message": "slow"})", "--timeout", "200ms"});
  EXPECT_EQ(outcome.exit_code, kExitRpcError);
  EXPECT_THAT(outcome.err, testing::StartsWith("DEADLINE_EXCEEDED"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_F(CallServiceTest, UnreachableServerIsAnRpcError) {
  // A port that was just in use and is now closed.
  TestEchoService other_service;
  grpc::ServerBuilder builder;
  int closed_port = 0;
  builder.RegisterService(&other_service);
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &closed_port);
  std::unique_ptr<grpc::Server> gone = builder.BuildAndStart();
  ASSERT_NE(gone, nullptr);
  gone->Shutdown();
  gone.reset();

  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  Io io{in, out, err, false, false};
  absl::StatusOr<Options> options = ParseArgs(
      {kEcho, "{}", "--timeout", "5s", "--target", absl::StrCat("127.0.0.1:", closed_port)}, "");
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(call::Run(*options, io), kExitRpcError);
  EXPECT_THAT(err.str(), testing::StartsWith("UNAVAILABLE"));
}

TEST_F(CallServiceTest, OutputNeedsABytesDataFieldAndIsCheckedBeforeCalling) {
  const Outcome outcome = Call({kEcho, R"({"message": "x"})", "--output", "out.bin"});
  EXPECT_EQ(outcome.exit_code, kExitUsage);
  EXPECT_THAT(outcome.err, HasSubstr("bytes field \"data\""));
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(CallServiceTest, ListShowsTheEchoService) {
  const Outcome outcome = Call({"--list"});
  ASSERT_EQ(outcome.exit_code, kExitOk);
  EXPECT_THAT(outcome.out, HasSubstr("lansstyrelsen.integration.echo.v1.EchoService/Echo("));
}

TEST_F(CallServiceTest, BuiltBinaryCallsTheServer) {
  // Request on stdin, target from the environment.
  Outcome outcome = RunBinary(
      absl::StrCat("printf '%s' '{\"message\": \"hej från binären\", \"payload\": \"AQID\"}' | "
                   "INTEGRATION_TARGET=",
                   target_, " "),
      kEcho);
  ASSERT_EQ(outcome.exit_code, kExitOk) << outcome.err;
  EXPECT_EQ(outcome.err, "");
  EXPECT_EQ(outcome.out, "{\n \"message\": \"hej från binären\",\n \"payload\": \"AQID\"\n}\n");

  // A host name rather than an address goes through the DNS resolver; still a clean exit.
  outcome = RunBinary("", absl::StrCat("--target localhost:", port_, " ", kEcho,
                                       " '{\"message\": \"via localhost\"}' </dev/null"));
  ASSERT_EQ(outcome.exit_code, kExitOk) << outcome.err;
  EXPECT_EQ(outcome.err, "");
  EXPECT_THAT(outcome.out, HasSubstr("\"message\": \"via localhost\""));

  // A failing call: details on stderr, nothing on stdout, exit status 1.
  outcome = RunBinary(
      "", absl::StrCat("--target ", target_, " ", kEcho, " '{\"message\": \"fail\"}' </dev/null"));
  EXPECT_EQ(outcome.exit_code, kExitRpcError);
  EXPECT_EQ(outcome.out, "");
  EXPECT_THAT(outcome.err,
              testing::StartsWith("INVALID_ARGUMENT: the request has invalid fields\n"));
  EXPECT_THAT(outcome.err, HasSubstr("  reason: INVALID_FIELD\n"));
  EXPECT_THAT(outcome.err, HasSubstr("    message: must not be \"fail\"\n"));

  // A usage error: exit status 2 and the offending field named.
  outcome = RunBinary(
      "", absl::StrCat("--target ", target_, " ", kEcho, " '{\"mesage\": \"typo\"}' </dev/null"));
  EXPECT_EQ(outcome.exit_code, kExitUsage);
  EXPECT_THAT(outcome.err, HasSubstr("mesage"));
  EXPECT_EQ(service_.calls(), 3);
}

}  // namespace
}  // namespace integration::call
