// `serve` against a real PostgreSQL and Redis: an authenticated call whose outbox event reaches
// the service's stream, health and /readyz following PostgreSQL (not Redis), admin metrics,
// and the real binary stopping cleanly on SIGTERM.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <vector>

#include "../grpc/test_support.h"
#include "absl/strings/str_cat.h"
#include "echo_service.h"
#include "integration/grpc/client.h"
#include "integration/outbox/outbox.h"
#include "integration/pg/bootstrap.h"
#include "integration/redis/client.h"
#include "integration/service/service.h"
#include "integration/testing/environment.h"
#include "server_harness.h"

extern char** environ;

namespace integration::service {
namespace {

namespace echo = ::lansstyrelsen::integration::echo::v1;
using ::testing::HasSubstr;
using testing::HealthStatus;
using testing::InProcessServer;
using testing::kNotServing;
using testing::kServing;
using ::testing::Not;
using testing::WaitFor;

// A stream entry's fields, read back with XRANGE.
std::vector<std::map<std::string, std::string>> ReadStream(redis::Client& redis,
                                                           const std::string& stream) {
  std::vector<std::map<std::string, std::string>> out;
  absl::StatusOr<redis::Reply> r = redis.Command({"XRANGE", stream, "-", "+"});
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return out;
  for (const redis::Reply& item : r->elements()) {
    std::map<std::string, std::string> fields;
    const auto& kv = item.elements()[1].elements();
    for (size_t i = 0; i + 1 < kv.size(); i += 2) fields[kv[i].str()] = kv[i + 1].str();
    out.push_back(std::move(fields));
  }
  return out;
}

class ServeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_ = std::make_unique<integration::testing::TestDatabase>(); }
  static void TearDownTestSuite() { db_.reset(); }

  ServeTest() : issuer_(dir_) {
    redis::ClientOptions o;
    o.host = integration::testing::RedisHost();
    o.port = integration::testing::RedisPort();
    auto client = redis::Client::Create(o);
    EXPECT_TRUE(client.ok()) << client.status();
    if (client.ok()) redis_ = *std::move(client);
  }

  // Bootstraps schema and roles `name`, runs `migrate` as its migrator, empties its stream;
  // returns the runtime role's DSN.
  std::string Prepare(const std::string& name) {
    const std::string password = "pw-" + name;
    absl::Status st =
        pg::BootstrapService(db_->dsn(), name, {.runtime = password, .migrator = password + "-m"});
    EXPECT_TRUE(st.ok()) << st;
    const std::string dsn = db_->DsnAs(pg::ServiceRole(name), password);
    const std::string migrator_dsn = db_->DsnAs(pg::MigratorRole(name), password + "-m");
    const std::map<std::string, std::string> env;
    std::ostringstream out;
    std::ostringstream err;
    RunOptions options;
    options.environment = &env;
    options.out = &out;
    options.err = &err;
    EXPECT_EQ(
        service::Run(testing::EchoSpec(name), {"migrate", "--pg-dsn=" + migrator_dsn}, options),
              kExitOk)
        << err.str();
    EXPECT_TRUE(redis_->Command({"DEL", outbox::StreamName(name)}).ok());
    return dsn;
  }

  std::vector<std::string> ServeArgs(const std::string& dsn, int admin_port = 0,
                                     const std::string& redis_addr = "") const {
    return {
        "--pg-dsn=" + dsn,
        "--redis-addr=" + (redis_addr.empty() ? absl::StrCat(integration::testing::RedisHost(), ":",
                                                             integration::testing::RedisPort())
                                              : redis_addr),
        "--listen-host=127.0.0.1",
        "--grpc-port=0",
        absl::StrCat("--admin-port=", admin_port),
        "--shutdown-delay=0",
        "--drain-timeout=5s",
        "--jwks-file=" + issuer_.jwks_file(),
        "--subject-key-file=" + issuer_.subject_key_file(),
        absl::StrCat("--jwt-issuer=", grpc::testing::kIssuer),
        absl::StrCat("--jwt-audience=", grpc::testing::kAudience),
        "--outbox-poll-interval=50ms",
        "--log-level=warning"};
  }

  ::grpc::Status Echo(const std::string& target, const std::string& message,
                      const std::string& token, const std::string& request_id,
                      echo::EchoResponse* resp) {
    auto channel = grpc::MakeChannel(target, {});
    EXPECT_TRUE(channel.ok()) << channel.status();
    auto stub = echo::EchoService::NewStub(*channel);
    ::grpc::ClientContext ctx;
    grpc::testing::WithDeadline(ctx);
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    if (!request_id.empty()) ctx.AddMetadata("x-request-id", request_id);
    echo::EchoRequest req;
    req.set_message(message);
    return stub->Echo(&ctx, req, resp);
  }

  // The server stays NOT_SERVING for more than a readiness interval, and /readyz (503) names
  // `check`; returns the /readyz body.
  static std::string ExpectStaysUnready(InProcessServer& server, int admin_port,
                                        const std::string& check) {
    EXPECT_TRUE(
        WaitFor([&] { return HealthStatus(server.target()) == kNotServing; }, absl::Seconds(10)));
    absl::SleepFor(absl::Milliseconds(1500));  // more than one readiness interval
    EXPECT_EQ(HealthStatus(server.target()), kNotServing);
    testing::HttpReply ready = testing::HttpGet(admin_port, "/readyz");
    EXPECT_EQ(ready.status, 503);
    EXPECT_THAT(ready.body, HasSubstr(check));
    return ready.body;
  }

  int64_t Count(const std::string& sql) {
    pqxx::connection conn(db_->dsn());
    pqxx::work tx(conn);
    return tx.exec1(sql)[0].as<int64_t>();
  }

  static std::unique_ptr<integration::testing::TestDatabase> db_;
  grpc::testing::TempDir dir_;
  grpc::testing::TokenIssuer issuer_;
  std::unique_ptr<redis::Client> redis_;
};

std::unique_ptr<integration::testing::TestDatabase> ServeTest::db_;

TEST_F(ServeTest, EchoCommitsRowAuditAndEventAndTheRelayPublishesIt) {
  const std::string dsn = Prepare("echo_calls");
  std::vector<std::string> args = ServeArgs(dsn);
  args.push_back("--echo-prefix=re: ");
  InProcessServer server(testing::EchoSpec("echo_calls"), args);
  ASSERT_TRUE(server.WaitStarted()) << server.err();
  ASSERT_TRUE(
      WaitFor([&] { return HealthStatus(server.target()) == kServing; }, absl::Seconds(10)));

  echo::EchoResponse resp;
  ::grpc::Status st = Echo(server.target(), "hej", issuer_.Token("county_officer", "officer-7"),
                           "req-echo-1", &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.message(), "re: hej");  // the service's own setting reached its factory

  // The event reaches integration.events.echo_calls through the relay.
  std::vector<std::map<std::string, std::string>> entries;
  ASSERT_TRUE(WaitFor(
      [&] {
        entries = ReadStream(*redis_, "integration.events.echo_calls");
        return !entries.empty();
      },
      absl::Seconds(10)));
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["type"], testing::kEchoedEvent);
  EXPECT_EQ(entries[0]["aggregate"], "echoes/1");
  EXPECT_EQ(entries[0]["request_id"], "req-echo-1");
  echo::EchoRequest payload;
  ASSERT_TRUE(payload.ParseFromString(entries[0]["payload"]));
  EXPECT_EQ(payload.message(), "hej");
  EXPECT_TRUE(WaitFor(
      [&] {
        return Count("SELECT count(*) FROM echo_calls.outbox WHERE published_at IS NOT NULL") == 1;
      },
      absl::Seconds(5)));

  {
    pqxx::connection conn(db_->dsn());
    pqxx::work tx(conn);
    pqxx::result audit =
        tx.exec("SELECT actor, role, action, resource, request_id FROM echo_calls.audit_log");
    ASSERT_EQ(audit.size(), 1u);
    EXPECT_EQ(audit[0][0].as<std::string>(), issuer_.Subject("officer-7"));
    EXPECT_EQ(audit[0][1].as<std::string>(), "county_officer");
    EXPECT_EQ(audit[0][2].as<std::string>(), "Echo");
    EXPECT_EQ(audit[0][3].as<std::string>(), "echoes/1");
    EXPECT_EQ(audit[0][4].as<std::string>(), "req-echo-1");
    EXPECT_EQ(tx.exec1("SELECT message FROM echo_calls.echoes")[0].as<std::string>(), "hej");
    // The pool's connections name the binary.
    EXPECT_GE(tx.exec_params1("SELECT count(*) FROM pg_stat_activity"
                              " WHERE application_name = 'echo-server' AND datname = $1",
                              db_->name())[0]
                  .as<int>(),
              1);
  }

  // Without a token the policy refuses the call before anything is written.
  ::grpc::Status anonymous = Echo(server.target(), "nope", "", "", &resp);
  EXPECT_EQ(anonymous.error_code(), ::grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Count("SELECT count(*) FROM echo_calls.echoes"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM echo_calls.outbox"), 1);

  EXPECT_EQ(server.Stop(), kExitOk) << server.err();
  EXPECT_EQ(server.err(), "");
  // After the shutdown nothing listens any more.
  EXPECT_EQ(HealthStatus(server.target()), -1);
}

TEST_F(ServeTest, ServingSoonAfterStartWithReadyzAndMetrics) {
  const std::string dsn = Prepare("echo_health");
  const int admin_port = testing::FreePort();
  InProcessServer server(testing::EchoSpec("echo_health"), ServeArgs(dsn, admin_port));
  ASSERT_TRUE(server.WaitStarted()) << server.err();
  ASSERT_TRUE(
      WaitFor([&] { return HealthStatus(server.target()) == kServing; }, absl::Seconds(10)));
  const absl::Duration to_serving = absl::Now() - server.run_started();
  // Start-up to SERVING is a pool ping away; a generous bound for a loaded sanitizer build.
  EXPECT_LT(to_serving, absl::Seconds(2));
  std::cerr << "start to SERVING: " << absl::FormatDuration(to_serving) << "\n";

  EXPECT_EQ(server.admin_port(), admin_port);
  testing::HttpReply ready = testing::HttpGet(admin_port, "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_THAT(ready.body, HasSubstr("postgres"));
  EXPECT_THAT(ready.body, Not(HasSubstr("redis")));
  testing::HttpReply metrics = testing::HttpGet(admin_port, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body,
              HasSubstr("integration_pg_pool_max_connections{service=\"echo_health\"} 8"));
  EXPECT_THAT(metrics.body, HasSubstr("integration_pg_pool_connections{"));
  EXPECT_THAT(metrics.body,
              HasSubstr("integration_outbox_unpublished_events{service=\"echo_health\"} 0"));
  EXPECT_THAT(metrics.body,
              HasSubstr("integration_outbox_relay_healthy{service=\"echo_health\"} 1"));
  EXPECT_EQ(server.Stop(), kExitOk) << server.err();
}

// New code on an old schema: the server stays NOT_SERVING, /readyz names the schema check and
// the versions, until the missing migration is recorded.
TEST_F(ServeTest, NotReadyOnASchemaOlderThanTheBuildNeeds) {
  const std::string dsn = Prepare("echo_oldschema");
  // As if the newest migration had not been applied yet.
  pqxx::connection admin(db_->dsn());
  pqxx::work tx(admin);
  pqxx::row newest = tx.exec1(
      "DELETE FROM echo_oldschema.schema_migrations WHERE version = "
      "(SELECT max(version) FROM echo_oldschema.schema_migrations) "
      "RETURNING version, name, checksum, applied_at");
  tx.commit();
  const int admin_port = testing::FreePort();
  InProcessServer server(testing::EchoSpec("echo_oldschema"), ServeArgs(dsn, admin_port));
  ASSERT_TRUE(server.WaitStarted()) << server.err();
  const std::string ready = ExpectStaysUnready(server, admin_port, "schema");
  EXPECT_THAT(ready, HasSubstr(absl::StrCat("is at version ", newest[0].as<int>() - 1,
                                            ", older than version ", newest[0].as<int>())));

  // Migrated (the row back): ready.
  pqxx::work put_back(admin);
  put_back.exec_params(
      "INSERT INTO echo_oldschema.schema_migrations (version, name, checksum, applied_at) "
      "VALUES ($1, $2, $3, $4)",
      newest[0].as<int>(), newest[1].as<std::string>(), newest[2].as<std::string>(),
      newest[3].as<std::string>());
  put_back.commit();
  EXPECT_TRUE(
      WaitFor([&] { return HealthStatus(server.target()) == kServing; }, absl::Seconds(10)));
  EXPECT_EQ(testing::HttpGet(admin_port, "/readyz").status, 200);
  EXPECT_EQ(server.Stop(), kExitOk) << server.err();
}

TEST_F(ServeTest, NotServingWhilePostgresIsUnreachable) {
  const int dead_port = testing::FreePort();
  const int admin_port = testing::FreePort();
  InProcessServer server(
      testing::EchoSpec("echo_nopg"),
      ServeArgs(absl::StrCat("host=127.0.0.1 port=", dead_port, " user=u dbname=d"), admin_port));
  ASSERT_TRUE(server.WaitStarted()) << server.err();
  // The listener is up (the process is alive and answers health checks), but not ready.
  ExpectStaysUnready(server, admin_port, "postgres");
  EXPECT_EQ(testing::HttpGet(admin_port, "/healthz").status, 200);
  // A call fails as unavailable instead of hanging.
  echo::EchoResponse resp;
  ::grpc::Status st = Echo(server.target(), "x", issuer_.Token("county_officer"), "", &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::UNAVAILABLE) << st.error_message();
  EXPECT_EQ(server.Stop(), kExitOk) << server.err();
}

TEST_F(ServeTest, RedisDownDoesNotGateServingAndEventsWaitInTheOutbox) {
  const std::string dsn = Prepare("echo_noredis");
  const int dead_redis = testing::FreePort();
  const int admin_port = testing::FreePort();
  InProcessServer server(testing::EchoSpec("echo_noredis"),
                         ServeArgs(dsn, admin_port, absl::StrCat("127.0.0.1:", dead_redis)));
  ASSERT_TRUE(server.WaitStarted()) << server.err();
  ASSERT_TRUE(
      WaitFor([&] { return HealthStatus(server.target()) == kServing; }, absl::Seconds(10)));
  EXPECT_EQ(testing::HttpGet(admin_port, "/readyz").status, 200);
  echo::EchoResponse resp;
  ::grpc::Status st = Echo(server.target(), "later", issuer_.Token("county_officer"), "", &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(Count("SELECT count(*) FROM echo_noredis.outbox WHERE published_at IS NULL"), 1);
  EXPECT_TRUE(WaitFor(
      [&] {
        return testing::HttpGet(admin_port, "/metrics")
                   .body.find("integration_outbox_relay_healthy{service=\"echo_noredis\"} 0") !=
               std::string::npos;
      },
      absl::Seconds(5)));
  EXPECT_THAT(testing::HttpGet(admin_port, "/metrics").body,
              HasSubstr("integration_outbox_unpublished_events{service=\"echo_noredis\"} 1"));
  EXPECT_EQ(server.Stop(), kExitOk) << server.err();
}

// The real binary (Main): settings from the environment, SIGTERM -> graceful exit 0, and no
// LeakSanitizer report in the sanitizer build.
TEST_F(ServeTest, RealProcessStopsCleanlyOnSigterm) {
  const std::string dsn = Prepare("echo_process");
  const int grpc_port = testing::FreePort();
  const int admin_port = testing::FreePort();
  const std::string log_file = dir_.path() + "/server.log";

  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!std::string_view(*e).starts_with("ECHO_PROCESS_")) env.emplace_back(*e);
  }
  const std::vector<std::string> settings = {
      "ECHO_PROCESS_PG_DSN=" + dsn,
      absl::StrCat("ECHO_PROCESS_REDIS_ADDR=", integration::testing::RedisHost(), ":",
                   integration::testing::RedisPort()),
      "ECHO_PROCESS_LISTEN_HOST=127.0.0.1",
      absl::StrCat("ECHO_PROCESS_GRPC_PORT=", grpc_port),
      absl::StrCat("ECHO_PROCESS_ADMIN_PORT=", admin_port),
      "ECHO_PROCESS_SHUTDOWN_DELAY=0",
      "ECHO_PROCESS_JWKS_FILE=" + issuer_.jwks_file(),
      "ECHO_PROCESS_SUBJECT_KEY_FILE=" + issuer_.subject_key_file(),
      absl::StrCat("ECHO_PROCESS_JWT_ISSUER=", grpc::testing::kIssuer),
      absl::StrCat("ECHO_PROCESS_JWT_AUDIENCE=", grpc::testing::kAudience),
      "ECHO_PROCESS_OUTBOX_POLL_INTERVAL=50ms"};
  env.insert(env.end(), settings.begin(), settings.end());
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string binary = INTEGRATION_SERVICE_ECHO_SERVER;
  std::vector<char*> argv = {binary.data(), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, binary.c_str(), &actions, &attr, argv.data(), envp.data()), 0)
      << binary;
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);

  const std::string target = absl::StrCat("127.0.0.1:", grpc_port);
  const bool serving = WaitFor([&] { return HealthStatus(target) == kServing; }, absl::Seconds(20));
  if (serving) {
    echo::EchoResponse resp;
    ::grpc::Status st = Echo(target, "from a process", issuer_.Token("county_officer"), "", &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_TRUE(
        WaitFor([&] { return ReadStream(*redis_, "integration.events.echo_process").size() == 1; },
                absl::Seconds(10)));
  }
  ::kill(pid, SIGTERM);
  int wait_status = 0;
  bool exited =
      WaitFor([&] { return ::waitpid(pid, &wait_status, WNOHANG) == pid; }, absl::Seconds(30));
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &wait_status, 0);
  }
  std::ifstream in(log_file);
  std::stringstream log;
  log << in.rdbuf();
  ASSERT_TRUE(serving) << log.str();
  ASSERT_TRUE(exited) << log.str();
  ASSERT_TRUE(WIFEXITED(wait_status)) << log.str();
  EXPECT_EQ(WEXITSTATUS(wait_status), 0) << log.str();
  EXPECT_THAT(log.str(), HasSubstr("\"event\":\"serving\""));
  EXPECT_THAT(log.str(), HasSubstr("\"event\":\"shutdown_finished\""));
  EXPECT_THAT(log.str(), HasSubstr("\"event\":\"postgres_pool_closed\""));
  EXPECT_THAT(log.str(), Not(HasSubstr("LeakSanitizer")));
}

}  // namespace
}  // namespace integration::service
