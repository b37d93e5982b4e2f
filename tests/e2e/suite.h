// The suite for end-to-end tests: every real service of RealServices() in-process (a
// testing::ServiceHarness each: service::Run as its binary runs it) on its own schema and role
// of one fresh test database, a private redis-server the test may stop, and the gateway
// (RunGateway, as its binary runs it) in front, with tokens signed for all of them. Tests talk to the gateway only, over gRPC and HTTP/JSON.
#pragma once

#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>
#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core_test_support.h"
#include "gateway_process.h"
#include "google/protobuf/struct.pb.h"
#include "integration/service/service.h"
#include "integration/testing/environment.h"
#include "integration/testing/service_harness.h"

namespace integration::e2e {

// The län and kommun of the suite's learners and county tokens (Uppsala län, Uppsala kommun),
// and a län no learner belongs to (Skåne), for tenant isolation.
inline constexpr char kLan[] = "03";
inline constexpr char kKommun[] = "0380";
inline constexpr char kOtherLan[] = "12";

// One real service of the suite as the e2e tests run it.
struct SuiteService {
  service::ServiceSpec spec;
  // The service's own settings beyond those of every service (pg, Redis, ports, JWKS): files
  // written into its private directory (name -> content) and `serve` arguments, in which
  // "{dir}" stands for that directory (see testing::HarnessOptions).
  std::map<std::string, std::string> files;
  std::vector<std::string> args;
};

// The services of the suite the e2e tests run, in --backends order (suite_services.cc). Adding
// a service is one entry there plus its server library in tests/e2e/CMakeLists.txt.
std::vector<SuiteService> RealServices();

// A redis-server child process on a port of its own: stopping it harms no other test. Killed
// with the test process should that die first.
class RedisServer {
 public:
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start(const std::string& dir);
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // SIGTERM and wait for the exit. Idempotent.
  void Stop();
  // Starts it again on the same port (empty: no persistence) and waits until it answers PING.
  absl::Status Restart();
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  explicit RedisServer(std::string dir) : dir_(std::move(dir)) {}
  absl::Status Launch();

  std::string dir_;
  std::string binary_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// What the gateway in front is configured with. The defaults keep limits out of the way of
// functional tests; tests of limits start a gateway of their own (Suite::StartGateway).
struct GatewayConfig {
  std::string rate_read = "1000/s burst 1000";
  std::string rate_write = "1000/s burst 1000";
  std::string rate_public = "1000/s burst 1000";
  int64_t http_max_body_bytes = 64 * 1024;
  std::string cache_ttl = "30s";
};

class Suite {
  struct PassKey {};

 public:
  explicit Suite(PassKey) {}
  // Database, Redis, every service of `services` (migrated, serving), then the gateway.
  static absl::StatusOr<std::unique_ptr<Suite>> Start(std::vector<SuiteService> services,
                                                      const GatewayConfig& gateway = {});
  // Gateway first, then the services, Redis and the database.
  ~Suite();
  Suite(const Suite&) = delete;
  Suite& operator=(const Suite&) = delete;

  gateway::testing::InProcessGateway& gateway() { return *gateway_; }
  // Another gateway in front of the same services and Redis (e.g. with tiny rate limits).
  absl::StatusOr<std::unique_ptr<gateway::testing::InProcessGateway>> StartGateway(
      const GatewayConfig& config) const;
  // A service of the suite (Stop and Restart keep its address, which the gateway knows).
  integration::testing::ServiceHarness& service(std::string_view name);
  RedisServer& redis() { return *redis_; }

  // The events `service`'s outbox relay has published so far to its Redis stream
  // (integration.events.<service>), oldest first; an error while Redis is stopped.
  struct PublishedEvent {
    std::string type;       // e.g. "lansstyrelsen.integration.grants.v1.CallChangedEvent"
    std::string aggregate;  // the resource name
  };
  absl::StatusOr<std::vector<PublishedEvent>> PublishedEvents(const std::string& service) const;
  // Whether `service`'s outbox relay has published every committed event (none waits in its
  // outbox table). The gateway may still be about to consume the newest ones.
  bool OutboxDrained(const std::string& service);

  // "Bearer <token>" for `role` and `subject`; county roles carry `lan`, learners nothing else.
  std::string Bearer(const std::string& role, const std::string& subject,
                     const std::string& lan = kLan) const;
  // "Bearer <token>" with exactly these tenant claims (kommun, orgnr, agency, lan).
  std::string Bearer(const std::string& role, const std::string& subject,
                     const integration::testing::Claims& claims) const;

 private:
  std::vector<std::string> GatewayArgs(const GatewayConfig& config) const;

  std::string dir_;
  std::shared_ptr<integration::testing::TestDatabase> db_;
  std::unique_ptr<RedisServer> redis_;
  // Non-empty once started; the first one's key signs the tokens and its JWKS is the gateway's.
  std::vector<std::unique_ptr<integration::testing::ServiceHarness>> services_;
  std::unique_ptr<gateway::testing::InProcessGateway> gateway_;
};

// --- Calls through the gateway ------------------------------------------------------------

// What a gRPC call through a generated stub got back besides the response.
struct RpcResult {
  ::grpc::Status status;
  std::multimap<std::string, std::string> metadata;  // initial and trailing
  absl::Duration elapsed;

  bool ok() const { return status.ok(); }
  ::grpc::StatusCode code() const { return status.error_code(); }
  std::string Reason() const;               // ErrorInfo.reason, "" without one
  std::vector<std::string> Fields() const;  // BadRequest field violations
  std::string Header(const std::string& key) const;
  std::string Describe() const;  // for assertion messages
};

// One unary call: Invoke(stub, &Stub::GetLearner, bearer, request, &response).
template <class Stub, class Req, class Resp>
RpcResult Invoke(Stub& stub,
                 ::grpc::Status (Stub::*method)(::grpc::ClientContext*, const Req&, Resp*),
                 const std::string& bearer, const Req& request, Resp* response,
                 absl::Duration timeout = absl::Seconds(10)) {
  ::grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (!bearer.empty()) ctx.AddMetadata("authorization", bearer);
  RpcResult out;
  const absl::Time start = absl::Now();
  out.status = (stub.*method)(&ctx, request, response);
  out.elapsed = absl::Now() - start;
  for (const auto& [k, v] : ctx.GetServerInitialMetadata()) {
    out.metadata.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
  }
  for (const auto& [k, v] : ctx.GetServerTrailingMetadata()) {
    out.metadata.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
  }
  return out;
}

// What an HTTP call got back.
struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  absl::Duration elapsed;

  std::string Header(const std::string& name) const;
  google::protobuf::Struct Json() const;  // empty when the body is not a JSON object
  // Of a JSON google.rpc.Status error body: its code name ... and details.
  std::string Reason() const;
  std::vector<std::string> Fields() const;
  std::string Describe() const;
};

// One HTTP/1.1 request on a fresh connection to 127.0.0.1:`port`; `bearer` as authorization.
HttpResult Http(int port, const std::string& method, const std::string& target,
                const std::string& bearer = "", const std::string& body = "",
                const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace integration::e2e
