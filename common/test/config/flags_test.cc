// Tests of flag parsing: sources and precedence, types, validation, help and secrecy.
#include "integration/config/flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace integration::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

using Env = std::map<std::string, std::string>;

// Parses `args` (argv[0] is added) against `env`.
absl::Status ParseArgs(Flags& flags, std::vector<std::string> args, const Env& env = {},
                       std::vector<std::string>* positional = nullptr) {
  std::vector<const char*> argv = {"training-server"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::vector<std::string> ignored;
  return flags.Parse(static_cast<int>(argv.size()), argv.data(),
                     positional != nullptr ? positional : &ignored, &env);
}

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST(FlagsTest, DefaultsHoldBeforeAndAfterParse) {
  Flags flags("training-server", "TRAINING");
  std::string* host = flags.String("host", "127.0.0.1", "listen address");
  int64_t* port = flags.Int("port", 50051, "gRPC port", 1, 65535);
  bool* verbose = flags.Bool("verbose", false, "debug logging");
  std::chrono::milliseconds* timeout = flags.Duration("timeout", 5s, "default deadline");
  EXPECT_EQ(*host, "127.0.0.1");
  EXPECT_EQ(*port, 50051);
  ASSERT_TRUE(ParseArgs(flags, {}).ok());
  EXPECT_EQ(*host, "127.0.0.1");
  EXPECT_EQ(*port, 50051);
  EXPECT_FALSE(*verbose);
  EXPECT_EQ(*timeout, 5s);
}

TEST(FlagsTest, EnvironmentOverridesDefaultAndFlagWinsOverEnvironment) {
  Flags flags("training-server", "TRAINING");
  std::string* dsn = flags.String("pg-dsn", "", "PostgreSQL DSN");
  int64_t* port = flags.Int("port", 50051, "gRPC port", 1, 65535);
  EXPECT_EQ(flags.EnvName("pg-dsn"), "TRAINING_PG_DSN");
  Env env = {{"TRAINING_PG_DSN", "host=env"}, {"TRAINING_PORT", "6000"}};
  ASSERT_TRUE(ParseArgs(flags, {}, env).ok());
  EXPECT_EQ(*dsn, "host=env");
  EXPECT_EQ(*port, 6000);
  ASSERT_TRUE(ParseArgs(flags, {"--pg-dsn=host=flag", "--port", "7000"}, env).ok());
  EXPECT_EQ(*dsn, "host=flag");  // everything after the first '=' is the value
  EXPECT_EQ(*port, 7000);
}

TEST(FlagsTest, InvalidEnvironmentValueIsIgnoredWhenTheFlagIsGiven) {
  Flags flags("p", "P");
  int64_t* port = flags.Int("port", 1, "", 1, 65535);
  EXPECT_FALSE(ParseArgs(flags, {}, {{"P_PORT", "x"}}).ok());
  ASSERT_TRUE(ParseArgs(flags, {"--port=2"}, {{"P_PORT", "x"}}).ok());
  EXPECT_EQ(*port, 2);
}

TEST(FlagsTest, EmptyEnvironmentVariableCountsAsUnset) {
  Flags flags("p", "P");
  int64_t* port = flags.Int("port", 10, "", 1, 65535);
  ASSERT_TRUE(ParseArgs(flags, {}, {{"P_PORT", ""}}).ok());
  EXPECT_EQ(*port, 10);
}

TEST(FlagsTest, BothFlagSpellingsAndPositionals) {
  Flags flags("p", "P");
  std::string* a = flags.String("a", "", "");
  std::string* b = flags.String("b", "", "");
  std::vector<std::string> positional;
  ASSERT_TRUE(ParseArgs(flags, {"migrate", "--a=1", "--b", "two words", "extra", "--", "--a=9"}, {},
                        &positional)
                  .ok());
  EXPECT_EQ(*a, "1");
  EXPECT_EQ(*b, "two words");
  EXPECT_THAT(positional, ElementsAre("migrate", "extra", "--a=9"));
  ASSERT_TRUE(ParseArgs(flags, {"--a=", "--a=last"}).ok());
  EXPECT_EQ(*a, "last");  // the last occurrence wins
}

TEST(FlagsTest, MissingValueIsAnError) {
  Flags flags("p", "P");
  flags.String("a", "", "");
  flags.String("b", "", "");
  absl::Status s = ParseArgs(flags, {"--a"});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(s), HasSubstr("--a (env P_A): missing value"));
  EXPECT_FALSE(ParseArgs(flags, {"--a", "--b=1"}).ok());
}

TEST(FlagsTest, BoolFlags) {
  Flags flags("p", "P");
  bool* tls = flags.Bool("tls", true, "");
  bool* verbose = flags.Bool("verbose", false, "");
  std::vector<std::string> positional;
  ASSERT_TRUE(ParseArgs(flags, {"--verbose", "--tls=false"}, {}, &positional).ok());
  EXPECT_TRUE(*verbose);
  EXPECT_FALSE(*tls);
  EXPECT_TRUE(positional.empty());
  ASSERT_TRUE(ParseArgs(flags, {}, {{"P_VERBOSE", "yes"}, {"P_TLS", "0"}}).ok());
  EXPECT_TRUE(*verbose);
  EXPECT_FALSE(*tls);
  ASSERT_TRUE(ParseArgs(flags, {"--verbose=FALSE", "--tls=on"}).ok());
  EXPECT_FALSE(*verbose);
  EXPECT_TRUE(*tls);
  absl::Status s = ParseArgs(flags, {"--tls=maybe"});
  EXPECT_THAT(Message(s), HasSubstr("setting --tls (env P_TLS): \"maybe\" is not a boolean"));
}

TEST(FlagsTest, Durations) {
  Flags flags("p", "P");
  std::chrono::milliseconds* d = flags.Duration("drain", 30s, "");
  struct Case {
    std::string text;
    std::chrono::milliseconds want;
  };
  for (const Case& c : {Case{"250ms", 250ms}, Case{"5s", 5s}, Case{"2m", 2min}, Case{"1h", 1h},
                        Case{"1h30m", 90min}, Case{"0", 0ms}, Case{"1s500ms", 1500ms}}) {
    ASSERT_TRUE(ParseArgs(flags, {"--drain=" + c.text}).ok()) << c.text;
    EXPECT_EQ(*d, c.want) << c.text;
  }
  for (std::string bad : {"5", "s", "-1s", "1.5s", "5x", "ms250", "99999999999999999999h"}) {
    absl::Status s = ParseArgs(flags, {"--drain=" + bad});
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(Message(s), HasSubstr("setting --drain (env P_DRAIN)")) << bad;
    EXPECT_THAT(Message(s), HasSubstr("is not a duration")) << bad;
  }
  ASSERT_TRUE(ParseArgs(flags, {}, {{"P_DRAIN", "2m"}}).ok());
  EXPECT_EQ(*d, 2min);
}

TEST(FlagsTest, IntegersAreParsedAndRangeChecked) {
  Flags flags("training-server", "TRAINING");
  int64_t* port = flags.Int("port", 50051, "", 1, 65535);
  ASSERT_TRUE(ParseArgs(flags, {"--port=65535"}).ok());
  EXPECT_EQ(*port, 65535);
  absl::Status s = ParseArgs(flags, {"--port=x"});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(s), HasSubstr("setting --port (env TRAINING_PORT): \"x\" is not an integer"));
  s = ParseArgs(flags, {"--port=65536"});
  EXPECT_THAT(Message(s), HasSubstr("setting --port (env TRAINING_PORT): 65536 is out of range"));
  s = ParseArgs(flags, {}, {{"TRAINING_PORT", "0"}});
  EXPECT_THAT(Message(s), HasSubstr("--port (env TRAINING_PORT): 0 is out of range [1, 65535]"));
  EXPECT_FALSE(ParseArgs(flags, {"--port=12abc"}).ok());
  EXPECT_FALSE(ParseArgs(flags, {"--port=99999999999999999999"}).ok());
}

TEST(FlagsTest, RequiredSettings) {
  Flags flags("grants-server", "GRANTS");
  std::string* dsn = flags.String("pg-dsn", "", "PostgreSQL DSN", /*required=*/true);
  flags.Secret("pii-key", "AES key for personal numbers", /*required=*/true);
  absl::Status s = ParseArgs(flags, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  // Every missing setting is named, with its environment variable.
  EXPECT_THAT(Message(s), HasSubstr("setting --pg-dsn (env GRANTS_PG_DSN) is required"));
  EXPECT_THAT(Message(s), HasSubstr("setting --pii-key (env GRANTS_PII_KEY) is required"));
  ASSERT_TRUE(ParseArgs(flags, {"--pg-dsn=host=x"}, {{"GRANTS_PII_KEY", "k"}}).ok());
  EXPECT_EQ(*dsn, "host=x");
  EXPECT_FALSE(ParseArgs(flags, {"--pg-dsn="}, {{"GRANTS_PII_KEY", "k"}}).ok());
}

TEST(FlagsTest, UnknownFlagIsNamed) {
  Flags flags("p", "P");
  flags.String("pg-dsn", "", "");
  absl::Status s = ParseArgs(flags, {"--pg-dns=host=x"});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(s), HasSubstr("unknown flag --pg-dns"));
  EXPECT_THAT(Message(s), Not(HasSubstr("host=x")));
  EXPECT_THAT(Message(ParseArgs(flags, {"-v"})), HasSubstr("unknown flag -v"));
}

TEST(FlagsTest, HelpListsEverySettingAndIsCancelled) {
  Flags flags("training-server", "TRAINING", "Course content and learners.");
  flags.String("pg-dsn", "host=localhost", "PostgreSQL DSN", true);
  flags.Int("port", 50051, "gRPC port", 1, 65535);
  flags.Bool("verbose", false, "debug logging");
  flags.Duration("drain", 30s, "drain time on SIGTERM");
  flags.Secret("jwt-key", "signing key");
  absl::Status s = ParseArgs(flags, {"--port=1", "--help", "--unknown"});
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(Message(s), flags.Help());
  std::string help = flags.Help();
  EXPECT_THAT(help, HasSubstr("training-server"));
  EXPECT_THAT(help, HasSubstr("Course content and learners."));
  for (const char* text : {"--pg-dsn", "TRAINING_PG_DSN", "PostgreSQL DSN", "required", "--port",
                           "TRAINING_PORT", "50051", "65535", "--verbose", "--drain", "30s",
                           "drain time on SIGTERM", "--jwt-key", "TRAINING_JWT_KEY", "<secret>"}) {
    EXPECT_THAT(help, HasSubstr(text));
  }
}

TEST(FlagsTest, SecretsNeverShowInHelpOrErrors) {
  Flags flags("p", "P");
  std::string* key = flags.Secret("jwt-key", "signing key");
  int64_t* port = flags.Int("port", 1, "", 1, 10);
  ASSERT_TRUE(ParseArgs(flags, {"--jwt-key", "sup3r-s3cret"}).ok());
  EXPECT_EQ(*key, "sup3r-s3cret");
  EXPECT_THAT(flags.Help(), Not(HasSubstr("sup3r-s3cret")));
  absl::Status s =
      ParseArgs(flags, {"--jwt-key=sup3r-s3cret", "--port=99", "--jwt-kee=sup3r-s3cret"});
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(Message(s), Not(HasSubstr("sup3r-s3cret")));
  EXPECT_EQ(*port, 1);
  ASSERT_TRUE(ParseArgs(flags, {}, {{"P_JWT_KEY", "from-env"}}).ok());
  EXPECT_EQ(*key, "from-env");
  EXPECT_THAT(flags.Help(), Not(HasSubstr("from-env")));
}

TEST(FlagsTest, BadRegistrationsAreReported) {
  Flags dup("p", "P");
  dup.String("a", "", "");
  dup.String("a", "", "");
  EXPECT_THAT(Message(ParseArgs(dup, {})), HasSubstr("--a registered twice"));
  Flags range("p", "P");
  range.Int("n", 100, "", 1, 10);
  EXPECT_THAT(Message(ParseArgs(range, {})), HasSubstr("--n: default 100 outside [1, 10]"));
  Flags name("p", "P");
  name.Bool("Bad_Name", false, "");
  EXPECT_THAT(Message(ParseArgs(name, {})), HasSubstr("invalid setting name"));
}

TEST(FlagsTest, EnvNameWithoutPrefix) {
  Flags flags("p", "");
  EXPECT_EQ(flags.EnvName("redis-host"), "REDIS_HOST");
}

TEST(FlagsTest, ParseOrExitExitsWithUsageErrorCode) {
  Flags flags("p", "INTEGRATION_FLAGS_TEST_UNSET_PREFIX");
  flags.String("needed", "", "", /*required=*/true);
  const char* argv[] = {"p", nullptr};
  EXPECT_EXIT(ParseOrExit(flags, 1, const_cast<char**>(argv)), ::testing::ExitedWithCode(2),
              "setting --needed \\(env INTEGRATION_FLAGS_TEST_UNSET_PREFIX_NEEDED\\) is required");
  const char* help_argv[] = {"p", "--help", nullptr};
  EXPECT_EXIT(ParseOrExit(flags, 2, const_cast<char**>(help_argv)), ::testing::ExitedWithCode(0),
              "");
}

}  // namespace
}  // namespace integration::config
