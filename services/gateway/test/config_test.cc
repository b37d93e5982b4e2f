// The gateway's configuration and discovery: --backends, service stems from packages, the suite
// services compiled in, overview sections, and the flags with their environment overrides.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "backends.h"
#include "gateway_flags.h"
#include "grpc_front.h"
#include "gtest/gtest.h"
#include "integration/config/flags.h"
#include "integration/grpc/server_flags.h"
#include "overview.h"

namespace integration::gateway {
namespace {

TEST(ParseBackends, ReadsServiceTargetPairs) {
  absl::StatusOr<std::vector<BackendTarget>> b =
      ParseBackends(" training=127.0.0.1:50055, early_measures = dns:///em:50051 ,");
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->size(), 2u);
  EXPECT_EQ((*b)[0].service, "training");
  EXPECT_EQ((*b)[0].target, "127.0.0.1:50055");
  EXPECT_EQ((*b)[1].service, "early_measures");
  EXPECT_EQ((*b)[1].target, "dns:///em:50051");
  EXPECT_TRUE(ParseBackends("")->empty());
}

TEST(ParseBackends, RejectsBadItemsNamingThem) {
  for (const char* bad : {"training", "=x:1", "training=", "Training=x:1", "a=x:1,a=y:2",
                          "gateway=x:1", "tra ining=x:1"}) {
    absl::StatusOr<std::vector<BackendTarget>> b = ParseBackends(bad);
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(ParseBackends("a=x:1,a=y:2").status().message().find("\"a\""), absl::string_view::npos);
}

TEST(ServiceStem, IsTheSegmentAfterTheSuitePrefix) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  const auto* training =
      pool->FindServiceByName("lansstyrelsen.integration.training.v1.TrainingService");
  ASSERT_NE(training, nullptr);
  EXPECT_EQ(ServiceStem(*training), "training");
  const auto* gw = pool->FindServiceByName("lansstyrelsen.integration.gateway.v1.GatewayService");
  ASSERT_NE(gw, nullptr);
  EXPECT_EQ(ServiceStem(*gw), "gateway");
}

TEST(SuiteServices, ListsEveryLinkedServiceProto) {
  std::vector<std::string> names;
  for (const auto* s : SuiteServices()) names.push_back(s->full_name());
  for (const char* expected : {"lansstyrelsen.integration.training.v1.TrainingService",
                               "lansstyrelsen.integration.echo.v1.EchoService",
                               "lansstyrelsen.integration.gateway.v1.GatewayService"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

TEST(OverviewSections, AreTheRegionalOverviewMethods) {
  std::vector<OverviewSection> sections = OverviewSections(nullptr);
  ASSERT_FALSE(sections.empty());
  bool training_statistics = false;
  for (const OverviewSection& s : sections) {
    EXPECT_TRUE(auth::PolicyOf(*s.method)->regional_overview()) << s.method->full_name();
    EXPECT_NE(s.service, "gateway");
    if (s.method->full_name() ==
        "lansstyrelsen.integration.training.v1.TrainingService.GetStatistics") {
      training_statistics = true;
      EXPECT_EQ(s.service, "training");
    }
  }
  EXPECT_TRUE(training_statistics);
}

TEST(PeerAddress, DropsTransportAndPort) {
  EXPECT_EQ(PeerAddress("ipv4:10.1.2.3:5555"), "10.1.2.3");
  EXPECT_EQ(PeerAddress("ipv6:[::1]:5555"), "::1");
  EXPECT_EQ(PeerAddress("unix:/tmp/sock"), "unix:/tmp/sock");
}

struct ParsedFlags {
  absl::Status parse;
  absl::StatusOr<GatewaySettings> settings;
};

ParsedFlags Parse(const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& env = {}) {
  config::Flags flags("gateway", "GATEWAY");
  grpc::ServerFlags server_flags(flags, 50050, 9050);
  GatewayFlags gateway_flags(flags);
  std::vector<const char*> argv = {"gateway"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::vector<std::string> positional;
  ParsedFlags out{flags.Parse(static_cast<int>(argv.size()), argv.data(), &positional, &env),
                  absl::UnknownError("not parsed")};
  if (out.parse.ok()) out.settings = gateway_flags.Settings();
  return out;
}

TEST(GatewayFlags, DefaultsAreUsable) {
  ParsedFlags p = Parse({});
  ASSERT_TRUE(p.parse.ok()) << p.parse;
  ASSERT_TRUE(p.settings.ok()) << p.settings.status();
  EXPECT_TRUE(p.settings->backends.empty());
  EXPECT_EQ(p.settings->redis.host, "127.0.0.1");
  EXPECT_EQ(p.settings->redis.port, 6379);
  EXPECT_EQ(p.settings->redis.command_timeout, std::chrono::milliseconds(50));
  EXPECT_EQ(p.settings->limits.read.burst, 200);
  EXPECT_EQ(p.settings->cache_ttl, std::chrono::seconds(30));
  EXPECT_TRUE(p.settings->http_enabled);
  EXPECT_EQ(p.settings->http.port, 8080);
  EXPECT_EQ(p.settings->http.max_connections, 1024);
  EXPECT_EQ(p.settings->http.header_timeout, std::chrono::seconds(10));
  EXPECT_EQ(p.settings->http.body_timeout, std::chrono::seconds(30));
  EXPECT_EQ(p.settings->http.idle_timeout, std::chrono::seconds(60));
}

// Redis ACL: the gateway logs in as its own user (rate limits and cache), with the password
// from the mounted file; a user without a password is refused.
TEST(GatewayFlags, RedisAclUserWithItsPasswordFile) {
  const std::string file = ::testing::TempDir() + "/gateway-redis-password";
  {
    std::ofstream out(file, std::ios::trunc);
    out << "s3cret\n";
  }
  ParsedFlags p = Parse({"--redis-user=gateway", "--redis-password-file=" + file});
  ASSERT_TRUE(p.settings.ok()) << p.settings.status();
  EXPECT_EQ(p.settings->redis.username, "gateway");
  EXPECT_EQ(p.settings->redis.password, "s3cret");
  ParsedFlags alone = Parse({"--redis-user=gateway"});
  ASSERT_FALSE(alone.settings.ok());
  EXPECT_NE(alone.settings.status().message().find("--redis-user"), absl::string_view::npos);
  EXPECT_FALSE(Parse({}).settings->redis.username.has_value());
  std::remove(file.c_str());
}

TEST(GatewayFlags, HttpConnectionCapAndTimeouts) {
  ParsedFlags p = Parse({"--http-header-timeout=2s"}, {{"GATEWAY_HTTP_MAX_CONNECTIONS", "50"},
                                                        {"GATEWAY_HTTP_BODY_TIMEOUT", "5s"}});
  ASSERT_TRUE(p.parse.ok()) << p.parse;
  ASSERT_TRUE(p.settings.ok()) << p.settings.status();
  EXPECT_EQ(p.settings->http.max_connections, 50);
  EXPECT_EQ(p.settings->http.header_timeout, std::chrono::seconds(2));
  EXPECT_EQ(p.settings->http.body_timeout, std::chrono::seconds(5));
  ParsedFlags zero = Parse({"--http-header-timeout=0s"});
  ASSERT_TRUE(zero.parse.ok()) << zero.parse;
  ASSERT_FALSE(zero.settings.ok());
  EXPECT_NE(zero.settings.status().message().find("--http-header-timeout"), std::string::npos);
}

TEST(GatewayFlags, EnvironmentConfiguresAndFlagsWin) {
  ParsedFlags p = Parse({"--rate-write=5/s burst 1", "--http-port=0"},
                        {{"GATEWAY_BACKENDS", "training=127.0.0.1:50055"},
                         {"GATEWAY_RATE_WRITE", "1/s"},
                         {"GATEWAY_CACHE_TTL", "0s"},
                         {"GATEWAY_CORS_ORIGINS", "https://kurs.example.se, http://localhost:3000"},
                         {"GATEWAY_REDIS_ADDR", "redis.internal:6380"}});
  ASSERT_TRUE(p.parse.ok()) << p.parse;
  ASSERT_TRUE(p.settings.ok()) << p.settings.status();
  ASSERT_EQ(p.settings->backends.size(), 1u);
  EXPECT_EQ(p.settings->backends[0].service, "training");
  EXPECT_DOUBLE_EQ(p.settings->limits.write.per_second, 5);
  EXPECT_EQ(p.settings->limits.write.burst, 1);
  EXPECT_EQ(p.settings->cache_ttl, std::chrono::milliseconds(0));
  EXPECT_FALSE(p.settings->http_enabled);
  EXPECT_EQ(p.settings->http.cors_origins,
            (std::vector<std::string>{"https://kurs.example.se", "http://localhost:3000"}));
  EXPECT_EQ(p.settings->redis.host, "redis.internal");
  EXPECT_EQ(p.settings->redis.port, 6380);
}

TEST(GatewayFlags, TrustedProxiesAndTheAddressBudget) {
  ParsedFlags p = Parse({"--rate-address=10/s burst 5"},
                        {{"GATEWAY_TRUSTED_PROXIES", "10.244.0.0/16, fd00::/8"}});
  ASSERT_TRUE(p.parse.ok()) << p.parse;
  ASSERT_TRUE(p.settings.ok()) << p.settings.status();
  EXPECT_TRUE(p.settings->trusted_proxies.Contains(*IpAddress::Parse("10.244.1.2")));
  EXPECT_FALSE(p.settings->trusted_proxies.Contains(*IpAddress::Parse("10.245.1.2")));
  EXPECT_EQ(p.settings->limits.address.burst, 5);
  ParsedFlags defaults = Parse({});
  ASSERT_TRUE(defaults.settings.ok());
  EXPECT_TRUE(defaults.settings->trusted_proxies.empty()) << "no proxy is trusted by default";
  EXPECT_FALSE(defaults.settings->limits.address.unlimited);
}

TEST(GatewayFlags, WebApplicationFromTheEnvironment) {
  ParsedFlags p = Parse({}, {{"GATEWAY_WEB_DIR", "/usr/share/integration/web"},
                             {"GATEWAY_WEB_OIDC_AUTHORITY", "https://id.example.se/realms/kurs"},
                             {"GATEWAY_WEB_OIDC_CLIENT_ID", "kurs-web"}});
  ASSERT_TRUE(p.parse.ok()) << p.parse;
  ASSERT_TRUE(p.settings.ok()) << p.settings.status();
  EXPECT_EQ(p.settings->web.directory, "/usr/share/integration/web");
  EXPECT_EQ(p.settings->web.oidc_authority, "https://id.example.se/realms/kurs");
  EXPECT_EQ(p.settings->web.oidc_client_id, "kurs-web");
  ParsedFlags off = Parse({});
  ASSERT_TRUE(off.settings.ok());
  EXPECT_TRUE(off.settings->web.directory.empty()) << "no web application unless configured";
}

TEST(GatewayFlags, EventFeedRetentionHeartbeatAndQueue) {
  ParsedFlags defaults = Parse({});
  ASSERT_TRUE(defaults.settings.ok()) << defaults.settings.status();
  EXPECT_EQ(defaults.settings->events_retention, std::chrono::hours(24 * 7));
  EXPECT_EQ(defaults.settings->events_heartbeat, std::chrono::seconds(15));
  EXPECT_EQ(defaults.settings->events_max_pending, 1000);
  ParsedFlags p = Parse({"--events-heartbeat=5s"}, {{"GATEWAY_EVENTS_RETENTION", "48h"},
                                                    {"GATEWAY_EVENTS_MAX_PENDING", "50"}});
  ASSERT_TRUE(p.parse.ok()) << p.parse;
  ASSERT_TRUE(p.settings.ok()) << p.settings.status();
  EXPECT_EQ(p.settings->events_retention, std::chrono::hours(48));
  EXPECT_EQ(p.settings->events_heartbeat, std::chrono::seconds(5));
  EXPECT_EQ(p.settings->events_max_pending, 50);
  for (const char* bad : {"--events-retention=0s", "--events-heartbeat=0s"}) {
    ParsedFlags zero = Parse({bad});
    ASSERT_TRUE(zero.parse.ok()) << zero.parse;
    ASSERT_FALSE(zero.settings.ok()) << bad;
    EXPECT_NE(zero.settings.status().message().find(std::string(bad).substr(0, 16)),
              std::string::npos)
        << zero.settings.status();
  }
  EXPECT_FALSE(Parse({"--events-max-pending=1"}).parse.ok()) << "below its range";
}

TEST(GatewayFlags, ErrorsNameTheSettingAndItsVariable) {
  struct Case {
    std::vector<std::string> args;
    std::string setting;
  };
  for (const Case& c :
       std::vector<Case>{{{"--backends=training"}, "--backends (env GATEWAY_BACKENDS)"},
                         {{"--rate-read=lots"}, "--rate-read (env GATEWAY_RATE_READ)"},
                         {{"--redis-addr=nohost"}, "--redis-addr (env GATEWAY_REDIS_ADDR)"},
                         {{"--redis-password-file=/nonexistent/pw"}, "--redis-password-file"},
                         {{"--cors-origins=kurs.example.se"}, "--cors-origins"},
                         {{"--http-tls-key-file=/x.pem"}, "--http-tls-cert-file"},
                         {{"--backend-ca-file=/ca.pem"}, "--backend-tls"},
                         {{"--log-level=chatty"}, "--log-level"},
                         {{"--trusted-proxies=10.0.0.0/40"}, "--trusted-proxies"},
                         {{"--rate-address=many"}, "--rate-address"},
                         {{"--web-dir=/srv/web"}, "--web-oidc-authority"},
                         {{"--web-dir=/srv/web", "--web-oidc-authority=https://id.example.se"},
                          "--web-oidc-client-id"}}) {
    ParsedFlags p = Parse(c.args);
    ASSERT_TRUE(p.parse.ok()) << p.parse;
    ASSERT_FALSE(p.settings.ok()) << c.args[0];
    EXPECT_NE(p.settings.status().message().find(c.setting), absl::string_view::npos)
        << p.settings.status();
  }
}

}  // namespace
}  // namespace integration::gateway
