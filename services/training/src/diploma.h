// Diplomas: fresh verification codes and Ed25519 signing and verification of the canonical text
// (src/rules/diploma_rules.h has the codes' format, eligibility and that text).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "integration/crypto/keys.h"
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

// An Ed25519 public key that verifies diploma signatures. Copyable and thread-safe.
class DiplomaVerifyKey {
 public:
  // From a SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----") or 32 raw bytes.
  // INVALID_ARGUMENT, reason DIPLOMA_KEY_INVALID, saying what is wrong.
  static absl::StatusOr<DiplomaVerifyKey> FromPem(std::string_view public_key_pem);
  static absl::StatusOr<DiplomaVerifyKey> FromRaw(std::string_view raw_public_key);

  // First 16 lower-case hex characters of SHA-256 over the raw 32-byte public key.
  const std::string& key_id() const { return key_id_; }
  const std::string& PublicKeyPem() const { return public_key_pem_; }
  const std::string& RawPublicKey() const { return raw_public_key_; }
  // For GetDiplomaPublicKey: key_id, "Ed25519", PEM and raw key.
  v1::DiplomaPublicKey ToProto() const;

  // OK when `signature` is this key's Ed25519 signature of exactly `text`; otherwise
  // INVALID_ARGUMENT, reason DIPLOMA_SIGNATURE_INVALID.
  absl::Status Verify(std::string_view text, std::string_view signature) const;
  // Verify(CanonicalText(content)), and the content's key_id must be this key's.
  absl::Status VerifyContent(const v1::DiplomaContent& content, std::string_view signature) const;

 private:
  DiplomaVerifyKey() = default;
  static absl::StatusOr<DiplomaVerifyKey> FromKey(crypto::PublicKey key);
  friend class DiplomaSigner;

  std::optional<crypto::PublicKey> key_;  // always set outside the private constructor
  std::string key_id_;
  std::string public_key_pem_;
  std::string raw_public_key_;
};

// A diploma with its signature, ready to store.
struct SignedDiploma {
  v1::DiplomaContent content;  // as given, with key_id set to the signer's
  std::string signed_text;     // CanonicalText(content)
  std::string signature;       // 64 bytes of Ed25519
};

// Signs diplomas with an Ed25519 private key. Copyable and thread-safe.
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

  const std::string& key_id() const { return verify_key_.key_id(); }
  const std::string& PublicKeyPem() const { return verify_key_.PublicKeyPem(); }
  const std::string& RawPublicKey() const { return verify_key_.RawPublicKey(); }
  const DiplomaVerifyKey& verify_key() const { return verify_key_; }

  // The 64-byte Ed25519 signature of `text` (INTERNAL if signing fails).
  absl::StatusOr<std::string> Sign(std::string_view text) const;
  // Sets content.key_id to this key's id, serialises canonically and signs.
  absl::StatusOr<SignedDiploma> SignContent(v1::DiplomaContent content) const;

 private:
  DiplomaSigner(crypto::PrivateKey key, DiplomaVerifyKey verify_key)
      : key_(std::move(key)), verify_key_(std::move(verify_key)) {}
  static absl::StatusOr<DiplomaSigner> FromPrivateKey(crypto::PrivateKey key,
                                                      std::string_view origin);
  // `origin` names where the PEM came from, for the error message.
  static absl::StatusOr<DiplomaSigner> FromPemText(std::string_view pem, std::string_view origin);

  crypto::PrivateKey key_;
  DiplomaVerifyKey verify_key_;
};

}  // namespace integration::training
