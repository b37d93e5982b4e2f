// Runs the built integration-token: its tokens verify against its own JWKS, and bad arguments
// exit 2 with a message naming the flag.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "integration/auth/auth.h"
#include "integration/testing/temp_dir.h"

namespace {

struct ToolRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr
};

ToolRun Execute(const std::string& args) {
  const std::string command = std::string(INTEGRATION_TOKEN_BINARY) + " " + args + " 2>&1";
  ToolRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) run.out.append(buf.data(), n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

class TokenToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    ASSERT_NE(key, nullptr);
    FILE* f = std::fopen(dir_.File("key.pem").c_str(), "w");
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
    std::fclose(f);
    EVP_PKEY_free(key);
    key_args_ = "--key-file " + dir_.File("key.pem") + " --kid dev-1";
  }

  integration::testing::TempDir dir_{"token_tool_test_"};
  std::string key_args_;
};

TEST_F(TokenToolTest, TokenVerifiesAgainstItsJwks) {
  const ToolRun jwks = Execute("jwks " + key_args_);
  ASSERT_EQ(jwks.exit_code, 0) << jwks.out;
  dir_.Write("jwks.json", jwks.out);

  const ToolRun token =
      Execute(key_args_ +
              " --issuer https://dev.local --audience integration"
              " --role municipality_officer --kommun 0180 --scope 'a b' --ttl 30m");
  ASSERT_EQ(token.exit_code, 0) << token.out;

  integration::auth::VerifierOptions options;
  options.jwks_file = dir_.File("jwks.json");
  options.issuer = "https://dev.local";
  options.audience = "integration";
  auto subjects = integration::auth::SubjectPseudonymiser::Create({{"k1", std::string(32, 's')}});
  ASSERT_TRUE(subjects.ok()) << subjects.status();
  options.subjects = *subjects;
  auto verifier = integration::auth::Verifier::Create(options);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  auto caller = (*verifier)->Verify(Trimmed(token.out));
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->role, "municipality_officer");
  EXPECT_EQ(caller->kommun, "0180");
  // The verifier names the default subject by its pseudonym.
  EXPECT_EQ(caller->subject, *(*subjects)->Current("https://dev.local", "municipality_officer",
                                                   "dev-municipality_officer"));
  EXPECT_EQ(caller->scopes, (std::vector<std::string>{"a", "b"}));
  const auto ttl = caller->expires_at - std::chrono::system_clock::now();
  EXPECT_GT(ttl, std::chrono::minutes(28));
  EXPECT_LE(ttl, std::chrono::minutes(30));
}

TEST_F(TokenToolTest, BadArgumentsExitTwoNamingTheProblem) {
  const std::string base = key_args_ + " --issuer i --audience a ";
  const std::pair<std::string, std::string> cases[] = {
      {base + "--role superuser", "--role"},
      {base + "--role municipality_officer --kommun 180", "--kommun"},
      {base + "--role municipality_officer --kommun 01a0", "--kommun"},
      {base + "--role municipality_officer", "--kommun is required"},
      {base + "--role organisation_rep --orgnr 802456789", "--orgnr"},
      {base + "--role county_officer --lan 1", "--lan"},
      {base + "--role county_officer --lan 12 --kommun 0180", "--kommun does not apply"},
      {base + "--role learner", "--sub is required"},
      {key_args_ + " --audience a --role county_admin --lan 12", "--issuer"},
      {"--key-file /nonexistent/key.pem --kid k jwks", "--key-file"},
      {key_args_ + " publish", "sub-command"},
      {"jwks --kid k", "key-file"},
  };
  for (const auto& [args, expected] : cases) {
    const ToolRun run = Execute(args);
    EXPECT_EQ(run.exit_code, 2) << args << "\n" << run.out;
    EXPECT_NE(run.out.find(expected), std::string::npos) << args << "\n" << run.out;
  }
}

}  // namespace
