// Unit tests of the document keys: a signature verifies with its key only, over exactly its
// text, and every error carries the reasons of the document's kind.
#include "integration/document/signing.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/status/status.h"

namespace integration::document {
namespace {

const DocumentKind kKind{"certificate", "CERTIFICATE_KEY_INVALID", "CERTIFICATE_SIGNATURE_INVALID"};

std::string Reason(const absl::Status& st) {
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
  return info ? info->reason() : "";
}

TEST(SigningTest, SignaturesVerifyOverExactlyTheirTextWithTheirKey) {
  absl::StatusOr<Signer> signer = Signer::Generate(kKind);
  ASSERT_TRUE(signer.ok()) << signer.status();
  absl::StatusOr<std::string> signature = signer->Sign("name: Amal\n");
  ASSERT_TRUE(signature.ok());
  EXPECT_EQ(signature->size(), 64u);
  EXPECT_TRUE(signer->verify_key().Verify("name: Amal\n", *signature).ok());
  const absl::Status tampered = signer->verify_key().Verify("name: Amel\n", *signature);
  EXPECT_EQ(Reason(tampered), "CERTIFICATE_SIGNATURE_INVALID");
  EXPECT_THAT(std::string(tampered.message()), ::testing::StartsWith("certificate signature"));

  // The public key alone verifies it (PEM and raw), and names the same key id.
  absl::StatusOr<VerifyKey> from_pem =
      VerifyKey::FromPem(signer->verify_key().PublicKeyPem(), kKind);
  ASSERT_TRUE(from_pem.ok());
  EXPECT_EQ(from_pem->key_id(), signer->key_id());
  EXPECT_EQ(from_pem->key_id().size(), 16u);
  EXPECT_TRUE(from_pem->Verify("name: Amal\n", *signature).ok());
  absl::StatusOr<VerifyKey> from_raw =
      VerifyKey::FromRaw(signer->verify_key().RawPublicKey(), kKind);
  ASSERT_TRUE(from_raw.ok());
  EXPECT_TRUE(from_raw->CheckKeyId(signer->key_id()).ok());
  EXPECT_EQ(Reason(from_raw->CheckKeyId("0000000000000000")), "CERTIFICATE_SIGNATURE_INVALID");

  absl::StatusOr<Signer> other = Signer::Generate(kKind);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->verify_key().Verify("name: Amal\n", *signature).ok());
}

TEST(SigningTest, BadKeysAreRefusedWithTheKindsReason) {
  EXPECT_EQ(Reason(Signer::FromPem("not a key", kKind).status()), "CERTIFICATE_KEY_INVALID");
  EXPECT_EQ(Reason(VerifyKey::FromRaw("short", kKind).status()), "CERTIFICATE_KEY_INVALID");
  EXPECT_EQ(Reason(Signer::FromPemFile("/nonexistent/key.pem", kKind).status()),
            "CERTIFICATE_KEY_INVALID");
  absl::StatusOr<Signer> signer = Signer::Generate(kKind);
  ASSERT_TRUE(signer.ok());
  const absl::Status public_only =
      Signer::FromPem(signer->verify_key().PublicKeyPem(), kKind).status();
  EXPECT_THAT(std::string(public_only.message()), ::testing::HasSubstr("public key"));
}

}  // namespace
}  // namespace integration::document
