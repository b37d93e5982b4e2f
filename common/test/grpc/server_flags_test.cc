// ServerFlags: defaults, environment overrides and start-up errors naming the setting.
#include "integration/grpc/server_flags.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/grpc/upstream_flags.h"
#include "test_support.h"

namespace integration::grpc::testing {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<ServerOptions> Parse(std::vector<const char*> args,
                                    std::map<std::string, std::string> env = {}) {
  config::Flags flags("training-server", "TRAINING");
  ServerFlags server_flags(flags, 50051, 9090);
  args.insert(args.begin(), "training-server");
  std::vector<std::string> positional;
  absl::Status st = flags.Parse(static_cast<int>(args.size()), args.data(), &positional, &env);
  if (!st.ok()) return st;
  return server_flags.Options("training");
}

class ServerFlagsTest : public ::testing::Test {
 protected:
  ServerFlagsTest() : issuer_(dir_) {}
  TempDir dir_;
  TokenIssuer issuer_;
};

TEST_F(ServerFlagsTest, DefaultsAndOverrides) {
  const std::string jwks = "--jwks-file=" + issuer_.jwks_file();
  const std::string keys = "--subject-key-file=" + issuer_.subject_key_file();
  absl::StatusOr<ServerOptions> o = Parse({jwks.c_str(), keys.c_str()});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->service_name, "training");
  EXPECT_EQ(o->listen_address, "0.0.0.0:50051");
  EXPECT_EQ(o->admin_port, 9090);
  EXPECT_EQ(o->max_message_bytes, 4 * 1024 * 1024);
  EXPECT_EQ(o->default_deadline, std::chrono::seconds(10));
  EXPECT_EQ(o->max_deadline, std::chrono::seconds(60));
  EXPECT_FALSE(o->tls.enabled());
  EXPECT_NE(o->verifier, nullptr);

  o = Parse({jwks.c_str(), keys.c_str(), "--grpc-port=0", "--admin-port=0", "--executor-threads=3"},
            {{"TRAINING_LISTEN_HOST", "::1"}, {"TRAINING_DEFAULT_DEADLINE", "2s"}});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->listen_address, "[::1]:0");
  EXPECT_EQ(o->admin_port, -1);  // 0 turns the admin server off
  EXPECT_EQ(o->executor_threads, 3u);
  EXPECT_EQ(o->default_deadline, std::chrono::seconds(2));
}

TEST_F(ServerFlagsTest, ErrorsNameTheSetting) {
  absl::StatusOr<ServerOptions> o = Parse({});
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(std::string(o.status().message()), HasSubstr("--jwks-file (env TRAINING_JWKS_FILE)"));

  const std::string jwks = "--jwks-file=" + issuer_.jwks_file();
  o = Parse({jwks.c_str(), "--tls-cert-file=/etc/tls/tls.crt"});
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(std::string(o.status().message()), HasSubstr("--tls-key-file"));

  o = Parse({jwks.c_str(), "--tls-client-ca-file=/etc/tls/ca.crt"});
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(std::string(o.status().message()), HasSubstr("--tls-client-ca-file"));

  o = Parse({jwks.c_str(), "--default-deadline=90s"});
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(std::string(o.status().message()), HasSubstr("--max-deadline"));

  const std::string keys = "--subject-key-file=" + issuer_.subject_key_file();
  const std::string missing = "--jwks-file=" + dir_.path() + "/missing.json";
  o = Parse({missing.c_str(), keys.c_str()});
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(std::string(o.status().message()), HasSubstr("--jwks-file"));
}

// Without the subject keys a server would have to store raw subjects (personnummer): it does
// not start.
TEST_F(ServerFlagsTest, SubjectKeysAreRequiredAndChecked) {
  const std::string jwks = "--jwks-file=" + issuer_.jwks_file();
  absl::StatusOr<ServerOptions> o = Parse({jwks.c_str()});
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(std::string(o.status().message()),
              HasSubstr("--subject-key-file (env TRAINING_SUBJECT_KEY_FILE)"));

  const std::string short_key = "--subject-key-file=" + dir_.Write("short", "k1 abcd\n");
  o = Parse({jwks.c_str(), short_key.c_str()});
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(std::string(o.status().message()), HasSubstr("--subject-key-file"));
  EXPECT_THAT(std::string(o.status().message()), HasSubstr("hex digits"));
  EXPECT_THAT(std::string(o.status().message()), ::testing::Not(HasSubstr("abcd")));
}

TEST_F(ServerFlagsTest, MaxConnectionAgeDefaultsToFiveMinutesWithTheLongestDeadlineAsGrace) {
  const std::string jwks = "--jwks-file=" + issuer_.jwks_file();
  const std::string keys = "--subject-key-file=" + issuer_.subject_key_file();
  absl::StatusOr<ServerOptions> o = Parse({jwks.c_str(), keys.c_str(), "--max-deadline=30s"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->max_connection_age, std::chrono::minutes(5));
  EXPECT_EQ(o->max_connection_age_grace, std::chrono::seconds(30));
  absl::StatusOr<ServerOptions> never =
      Parse({jwks.c_str(), keys.c_str(), "--max-connection-age=0s"});
  ASSERT_TRUE(never.ok()) << never.status();
  EXPECT_EQ(never->max_connection_age, std::chrono::milliseconds::zero());
  absl::StatusOr<ServerOptions> bad =
      Parse({jwks.c_str(), keys.c_str(), "--max-connection-age=25h"});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr("--max-connection-age (env TRAINING_MAX_CONNECTION_AGE)"));
}

// A peer that requires mutual TLS: the client certificate comes with its key and a CA.
TEST(UpstreamFlagsTest, ClientCertificateForMutualTls) {
  auto parse = [](std::vector<const char*> args) {
    config::Flags flags("early-measures-server", "EARLY_MEASURES");
    UpstreamFlags upstream(flags, "grants", "the grants service");
    args.insert(args.begin(), "early-measures-server");
    std::vector<std::string> positional;
    std::map<std::string, std::string> env;
    absl::Status st = flags.Parse(static_cast<int>(args.size()), args.data(), &positional, &env);
    EXPECT_TRUE(st.ok()) << st;
    return upstream.Options("grants");
  };
  absl::StatusOr<UpstreamOptions> o =
      parse({"--grants-addr=dns:///grants-pods:50051", "--grants-tls-ca-file=/ca.crt",
             "--grants-tls-cert-file=/tls.crt", "--grants-tls-key-file=/tls.key"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->channel.tls.enabled);
  EXPECT_EQ(o->channel.tls.cert_file, "/tls.crt");
  EXPECT_EQ(o->channel.tls.key_file, "/tls.key");
  EXPECT_THAT(std::string(parse({"--grants-addr=x:1", "--grants-tls-ca-file=/ca.crt",
                                 "--grants-tls-cert-file=/tls.crt"})
                              .status()
                              .message()),
              HasSubstr("--grants-tls-key-file"));
  EXPECT_THAT(std::string(parse({"--grants-addr=x:1", "--grants-tls-cert-file=/tls.crt",
                                 "--grants-tls-key-file=/tls.key"})
                              .status()
                              .message()),
              HasSubstr("needs --grants-tls-ca-file"));
}

}  // namespace
}  // namespace integration::grpc::testing
