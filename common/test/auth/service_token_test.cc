// Unit tests of the service's own token: the claims a callee sees after verifying it, reuse
// until a fifth of its life is left, and the errors of a bad configuration.
#include "integration/auth/service_token.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "integration/testing/service_harness.h"
#include "integration/testing/temp_dir.h"

namespace integration::auth {
namespace {

using Clock = std::chrono::system_clock;

class ServiceTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string public_pem;
    ASSERT_TRUE(integration::testing::NewEd25519Key(&key_pem_, &public_pem).ok());
    key_file_ = dir_.Write("key.pem", key_pem_);
    absl::StatusOr<std::string> jwks = JwksFromPrivateKey(key_pem_, "svc-1");
    ASSERT_TRUE(jwks.ok());
    VerifierOptions v;
    v.jwks_file = dir_.Write("jwks.json", *jwks);
    v.issuer = "https://issuer.test";
    v.audience = "suite";
    v.clock = [this] { return now_; };
    v.cache_size = 0;
    auto subjects = SubjectPseudonymiser::Create({{"k1", std::string(32, 's')}});
    ASSERT_TRUE(subjects.ok()) << subjects.status();
    v.subjects = *subjects;
    auto verifier = Verifier::Create(v);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = *std::move(verifier);
  }

  ServiceTokenOptions Options() {
    ServiceTokenOptions o;
    o.key_file = key_file_;
    o.kid = "svc-1";
    o.issuer = "https://issuer.test";
    o.audience = "suite";
    o.service = "early_measures";
    o.scopes = {"grants.funding.read"};
    o.ttl = std::chrono::seconds(300);
    o.clock = [this] { return now_; };
    return o;
  }

  integration::testing::TempDir dir_{"service_token_test_"};
  std::string key_pem_;
  std::string key_file_;
  std::unique_ptr<Verifier> verifier_;
  Clock::time_point now_ = Clock::now();
};

TEST_F(ServiceTokenTest, TheCalleeSeesTheServiceAsAnAgencyWithItsScopes) {
  auto source = ServiceTokenSource::Create(Options());
  ASSERT_TRUE(source.ok()) << source.status();
  absl::StatusOr<std::string> token = (*source)->Token();
  ASSERT_TRUE(token.ok());
  absl::StatusOr<Caller> caller = verifier_->Verify(*token);
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->role, "agency_system");
  EXPECT_EQ(caller->agency, "early_measures");
  EXPECT_EQ(caller->subject, "svc:early_measures");
  EXPECT_EQ(caller->scopes, std::vector<std::string>{"grants.funding.read"});
}

TEST_F(ServiceTokenTest, ReusedUntilAFifthOfItsLifeIsLeft) {
  auto source = ServiceTokenSource::Create(Options());
  ASSERT_TRUE(source.ok());
  const std::string first = *(*source)->Token();
  now_ += std::chrono::seconds(239);
  EXPECT_EQ(*(*source)->Token(), first);
  now_ += std::chrono::seconds(2);  // 241 s of 300: renewed
  const std::string second = *(*source)->Token();
  EXPECT_NE(second, first);
  // The renewed token is valid well past the first one's expiry.
  now_ += std::chrono::seconds(200);
  EXPECT_TRUE(verifier_->Verify(second).ok());
  EXPECT_FALSE(verifier_->Verify(first).ok());
}

TEST_F(ServiceTokenTest, BadSettingsAreRefusedAtCreation) {
  ServiceTokenOptions o = Options();
  o.kid.clear();
  EXPECT_EQ(ServiceTokenSource::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
  o = Options();
  o.key_file = dir_.path() + "/missing.pem";
  EXPECT_EQ(ServiceTokenSource::Create(o).status().code(),
            absl::StatusCode::kFailedPrecondition);
  o = Options();
  o.key_file = dir_.Write("not-a-key.pem", "hello");
  EXPECT_EQ(ServiceTokenSource::Create(o).status().code(),
            absl::StatusCode::kFailedPrecondition);
  o = Options();
  o.ttl = std::chrono::seconds(5);
  EXPECT_EQ(ServiceTokenSource::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace integration::auth
