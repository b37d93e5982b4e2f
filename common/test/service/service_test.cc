// The service runtime without a database: migration list, flags, --help and the start-up
// refusals that name the bad or missing setting.
#include "integration/service/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "../grpc/test_support.h"
#include "echo_service.h"
#include "integration/outbox/outbox.h"
#include "integration/status/status.h"
#include "integration/store/store.h"

namespace integration::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs a command of `spec` with only `env` as the environment.
Result RunWith(const ServiceSpec& spec, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env = {}) {
  std::ostringstream out;
  std::ostringstream err;
  RunOptions options;
  options.environment = &env;
  options.out = &out;
  options.err = &err;
  options.on_started = [](const Running& running) {
    ADD_FAILURE() << "the server started on port " << running.grpc_port;
    running.request_shutdown();
  };
  Result r;
  r.code = Run(spec, args, options);
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST(EnvPrefixTest, UpperCasesTheStem) {
  EXPECT_EQ(EnvPrefix("training"), "TRAINING");
  EXPECT_EQ(EnvPrefix("early_measures"), "EARLY_MEASURES");
}

TEST(MigrationsTest, RuntimeMigrationHoldsOutboxThenRuntimeTables) {
  const pg::SqlFile runtime = RuntimeMigration();
  EXPECT_STREQ(runtime.name, "0000_runtime");
  const std::string text = runtime.text;
  const std::string outbox_sql(outbox::OutboxTableSql());
  const std::string store_sql(store::RuntimeTablesSql());
  EXPECT_EQ(text.find(outbox_sql), 0u);
  EXPECT_NE(text.find(store_sql, outbox_sql.size()), std::string::npos);
  EXPECT_THAT(text, HasSubstr("CREATE TABLE outbox"));
  EXPECT_THAT(text, HasSubstr("CREATE TABLE audit_log"));
  // The same text every time: it is checksummed once applied.
  EXPECT_EQ(RuntimeMigration().text, runtime.text);
}

TEST(MigrationsTest, ServiceMigrationsFollowTheRuntimeMigration) {
  absl::StatusOr<std::vector<pg::SqlFile>> all = AllMigrations(testing::TestMigrations());
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_STREQ((*all)[0].name, "0000_runtime");
  EXPECT_STREQ((*all)[1].name, "0001_test");
  EXPECT_THAT((*all)[1].text, HasSubstr("CREATE TABLE echoes"));
}

TEST(MigrationsTest, VersionZeroBelongsToTheRuntime) {
  const pg::SqlFile files[] = {{"0000_init", "CREATE TABLE x (id int)"}};
  absl::StatusOr<std::vector<pg::SqlFile>> all = AllMigrations(files);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(all.status().message(), HasSubstr("0000_init"));
  auto info = status::GetErrorInfo(all.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "MIGRATION_RESERVED_VERSION");
}

TEST(RunTest, HelpListsEverySettingWithItsEnvironmentVariable) {
  Result r = RunWith(testing::EchoSpec("training"), {"--help"});
  EXPECT_EQ(r.code, kExitOk);
  for (const char* flag : {"pg-dsn",
                           "pg-pool-size",
                           "pg-acquire-timeout",
                           "pg-password-file",
                           "pg-migrate-lock-timeout",
                           "redis-addr",
                           "redis-password-file",
                           "redis-user",
                           "max-connection-age",
                           "redis-pool-size",
                           "outbox-poll-interval",
                           "log-level",
                           "listen-host",
                           "grpc-port",
                           "admin-port",
                           "drain-timeout",
                           "shutdown-delay",
                           "jwks-file",
                           "jwt-issuer",
                           "jwt-audience",
                           "tls-cert-file",
                           "executor-threads",
                           "echo-prefix"}) {
    std::string env = std::string("TRAINING_") + flag;
    for (char& c : env) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
    EXPECT_THAT(r.out, HasSubstr(std::string("--") + flag + "=")) << flag;
    EXPECT_THAT(r.out, HasSubstr("env " + env)) << env;
  }
  EXPECT_THAT(r.out, HasSubstr("default 50099"));
  EXPECT_THAT(r.out, HasSubstr("migrate"));
  EXPECT_EQ(r.err, "");
}

TEST(RunTest, RedisPoolDefaultFollowsUsesRedis) {
  ServiceSpec spec = testing::EchoSpec("training");
  EXPECT_THAT(RunWith(spec, {"--help"}).out,
              HasSubstr("--redis-pool-size=INT  (env TRAINING_REDIS_POOL_SIZE, default 2,"));
  spec.uses_redis = true;
  EXPECT_THAT(RunWith(spec, {"--help"}).out,
              HasSubstr("--redis-pool-size=INT  (env TRAINING_REDIS_POOL_SIZE, default 8,"));
}

TEST(RunTest, MissingPgDsnNamesTheFlagAndItsVariable) {
  for (const char* command : {"serve", "migrate"}) {
    Result r = RunWith(testing::EchoSpec("training"), {command});
    EXPECT_EQ(r.code, kExitUsage) << command;
    EXPECT_THAT(r.err, HasSubstr("--pg-dsn")) << command;
    EXPECT_THAT(r.err, HasSubstr("TRAINING_PG_DSN")) << command;
  }
  Result r = RunWith(testing::EchoSpec("early_measures"), {});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("EARLY_MEASURES_PG_DSN"));
}

TEST(RunTest, MalformedPgDsnIsRefusedWithoutEchoingIt) {
  Result r = RunWith(testing::EchoSpec("training"),
                     {"--pg-dsn", "password=hunter2 host=x bogus_keyword_without_value"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--pg-dsn (env TRAINING_PG_DSN)"));
  EXPECT_THAT(r.err, Not(HasSubstr("hunter2")));
}

TEST(RunTest, BadSettingsNameTheirFlag) {
  const ServiceSpec spec = testing::EchoSpec("training");
  const std::map<std::string, std::string> env = {{"TRAINING_PG_DSN", "host=127.0.0.1 port=1"}};
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{
           {{"--redis-addr=localhost"}, "--redis-addr (env TRAINING_REDIS_ADDR)"},
           {{"--redis-addr=localhost:0"}, "--redis-addr (env TRAINING_REDIS_ADDR)"},
           {{"--redis-addr=::1:6379"}, "--redis-addr (env TRAINING_REDIS_ADDR)"},
           {{"--redis-password-file=/nonexistent/pw"}, "--redis-password-file"},
           {{"--redis-user=cache"}, "--redis-user (env TRAINING_REDIS_USER): needs"},
           {{"--pg-password-file=/nonexistent/pw"},
            "--pg-password-file (env TRAINING_PG_PASSWORD_FILE)"},
           {{"--pg-migrate-lock-timeout=-1s"}, "--pg-migrate-lock-timeout"},
           {{"--max-connection-age=48h"}, "--max-connection-age (env TRAINING_MAX_CONNECTION_AGE)"},
           {{"--log-level=loud"}, "--log-level (env TRAINING_LOG_LEVEL)"},
           {{"--pg-pool-size=0"}, "--pg-pool-size (env TRAINING_PG_POOL_SIZE)"},
           {{"--pg-acquire-timeout=0"}, "--pg-acquire-timeout"},
           // No JWKS file: every service verifies tokens.
           {{"--redis-addr=[::1]:6379"}, "--jwks-file (env TRAINING_JWKS_FILE)"},
           {{"--no-such-flag=1"}, "unknown flag --no-such-flag"},
           {{"frobnicate"}, "unknown command \"frobnicate\""},
           {{"migrate", "serve"}, "at most one command"},
       }) {
    Result r = RunWith(spec, c.args, env);
    EXPECT_EQ(r.code, kExitUsage) << c.args.front();
    EXPECT_THAT(r.err, HasSubstr(c.expected)) << c.args.front();
  }
}

TEST(RunTest, FactoryFailureStopsStartUp) {
  grpc::testing::TempDir dir;
  grpc::testing::TokenIssuer issuer(dir);
  ServiceSpec spec = testing::EchoSpec("training");
  spec.factory = [](const Dependencies&) -> absl::StatusOr<std::unique_ptr<ServiceHandle>> {
    return absl::FailedPreconditionError("pnr key file unreadable");
  };
  // Start-up reaches the factory without PostgreSQL or Redis: both connect lazily.
  Result r =
      RunWith(spec, {"--pg-dsn=host=127.0.0.1 port=1", "--redis-addr=127.0.0.1:1",
                     "--jwks-file=" + issuer.jwks_file(),
                     "--subject-key-file=" + issuer.subject_key_file(), "--grpc-port=0",
                     "--admin-port=0"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_THAT(r.err, HasSubstr("cannot build the service: pnr key file unreadable"));
}

TEST(RunTest, PortInUseFailsWithExitOne) {
  grpc::testing::TempDir dir;
  grpc::testing::TokenIssuer issuer(dir);
  // Held without SO_REUSEPORT, so gRPC cannot share it.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);
  Result r = RunWith(testing::EchoSpec("training"),
                     {"--pg-dsn=host=127.0.0.1 port=1", "--redis-addr=127.0.0.1:1",
                      "--jwks-file=" + issuer.jwks_file(),
                      "--subject-key-file=" + issuer.subject_key_file(), "--listen-host=127.0.0.1",
                      "--grpc-port=" + std::to_string(port), "--admin-port=0"});
  ::close(fd);
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_THAT(r.err, HasSubstr("cannot start the server"));
  EXPECT_THAT(r.err, HasSubstr(std::to_string(port)));
}

TEST(RunTest, InvalidSpecIsAProgrammingError) {
  ServiceSpec spec = testing::EchoSpec("Training");
  Result r = RunWith(spec, {"--help"});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_THAT(r.err, HasSubstr("ServiceSpec.name"));
  spec = testing::EchoSpec("training");
  spec.factory = nullptr;
  EXPECT_EQ(RunWith(spec, {"--help"}).code, kExitFailure);
}

}  // namespace
}  // namespace integration::service
