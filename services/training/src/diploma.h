// Diplomas: fresh verification codes and Ed25519 signing and verification of the canonical text
// with the suite's document keys (integration/document/signing.h); src/rules/diploma_rules.h has
// the codes' format, eligibility and that text.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "integration/document/signing.h"
#include "lansstyrelsen/integration/training/v1/resources.pb.h"
#include "lansstyrelsen/integration/training/v1/training_service.pb.h"
#include "rules/diploma_rules.h"

namespace integration::training {

namespace v1 = ::lansstyrelsen::integration::training::v1;

// ErrorInfo reasons of this file.
inline constexpr std::string_view kReasonDiplomaKeyInvalid = "DIPLOMA_KEY_INVALID";
inline constexpr std::string_view kReasonDiplomaSignatureInvalid = "DIPLOMA_SIGNATURE_INVALID";

// ---------------------------------------------------------------------------------------------
// Verification codes

// A fresh code from the CSPRNG (crypto::RandomBytes); INTERNAL when the CSPRNG fails. The code
// is the only secret a public VerifyDiploma needs, so it must be unguessable, not just unique.
absl::StatusOr<std::string> NewDiplomaCode();

// ---------------------------------------------------------------------------------------------
// Signatures

// The kind of document diplomas are to integration/document/signing.h: their noun and reasons.
const document::DocumentKind& DiplomaDocument();

// An Ed25519 public key that verifies diploma signatures (document::VerifyKey with the
// diplomas' reasons). Copyable and thread-safe.
class DiplomaVerifyKey {
 public:
  // From a SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----") or 32 raw bytes.
  // INVALID_ARGUMENT, reason DIPLOMA_KEY_INVALID, saying what is wrong.
  static absl::StatusOr<DiplomaVerifyKey> FromPem(std::string_view public_key_pem);
  static absl::StatusOr<DiplomaVerifyKey> FromRaw(std::string_view raw_public_key);

  // First 16 lower-case hex characters of SHA-256 over the raw 32-byte public key.
  const std::string& key_id() const { return key_.key_id(); }
  const std::string& PublicKeyPem() const { return key_.PublicKeyPem(); }
  const std::string& RawPublicKey() const { return key_.RawPublicKey(); }
  // For GetDiplomaPublicKey: key_id, "Ed25519", PEM and raw key.
  v1::DiplomaPublicKey ToProto() const;

  // OK when `signature` is this key's Ed25519 signature of exactly `text`; otherwise
  // INVALID_ARGUMENT, reason DIPLOMA_SIGNATURE_INVALID.
  absl::Status Verify(std::string_view text, std::string_view signature) const {
    return key_.Verify(text, signature);
  }
  // Verify(CanonicalText(content)), and the content's key_id must be this key's.
  absl::Status VerifyContent(const v1::DiplomaContent& content, std::string_view signature) const;

 private:
  explicit DiplomaVerifyKey(document::VerifyKey key) : key_(std::move(key)) {}
  friend class DiplomaSigner;

  document::VerifyKey key_;
};

// A diploma with its signature, ready to store.
struct SignedDiploma {
  v1::DiplomaContent content;  // as given, with key_id set to the signer's
  std::string signed_text;     // CanonicalText(content)
  std::string signature;       // 64 bytes of Ed25519
};

// Signs diplomas with an Ed25519 private key (document::Signer with the diplomas' reasons).
// Copyable and thread-safe.
class DiplomaSigner {
 public:
  // Loads a PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----", as written by
  // `openssl genpkey -algorithm ed25519`). INVALID_ARGUMENT, reason DIPLOMA_KEY_INVALID, with
  // a message saying what is wrong (unreadable file, not PEM, encrypted, a public key, not
  // Ed25519): the service logs it and refuses to start.
  static absl::StatusOr<DiplomaSigner> FromPemFile(const std::string& path);
  static absl::StatusOr<DiplomaSigner> FromPem(std::string_view private_key_pem);
  // A new random key (tests and throw-away local runs).
  static absl::StatusOr<DiplomaSigner> Generate();

  const std::string& key_id() const { return signer_.key_id(); }
  const std::string& PublicKeyPem() const { return signer_.verify_key().PublicKeyPem(); }
  const std::string& RawPublicKey() const { return signer_.verify_key().RawPublicKey(); }
  const DiplomaVerifyKey& verify_key() const { return verify_key_; }

  // The 64-byte Ed25519 signature of `text` (INTERNAL if signing fails).
  absl::StatusOr<std::string> Sign(std::string_view text) const { return signer_.Sign(text); }
  // Sets content.key_id to this key's id, serialises canonically and signs.
  absl::StatusOr<SignedDiploma> SignContent(v1::DiplomaContent content) const;

 private:
  explicit DiplomaSigner(document::Signer signer)
      : signer_(signer), verify_key_(signer.verify_key()) {}
  static absl::StatusOr<DiplomaSigner> From(absl::StatusOr<document::Signer> signer);

  document::Signer signer_;
  DiplomaVerifyKey verify_key_;
};

}  // namespace integration::training
