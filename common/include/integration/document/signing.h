// Signed documents (training's diplomas, orientation's certificates of completion): Ed25519 keys
// that sign a document's canonical text and verify it offline, with key ids and PEM forms. What
// a document is and how its text is made is the service's; the keys and their errors are here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "integration/crypto/keys.h"

namespace integration::document {

// How a kind of document names itself in errors, and the ErrorInfo reasons its clients know,
// e.g. {"diploma", "DIPLOMA_KEY_INVALID", "DIPLOMA_SIGNATURE_INVALID"}.
struct DocumentKind {
  std::string noun;
  std::string key_invalid_reason;
  std::string signature_invalid_reason;
};

// An Ed25519 public key that verifies a kind of document's signatures. Copyable and
// thread-safe.
class VerifyKey {
 public:
  // From a SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----") or 32 raw bytes.
  // INVALID_ARGUMENT with the kind's key_invalid_reason, saying what is wrong.
  static absl::StatusOr<VerifyKey> FromPem(std::string_view public_key_pem, DocumentKind kind);
  static absl::StatusOr<VerifyKey> FromRaw(std::string_view raw_public_key, DocumentKind kind);

  // First 16 lower-case hex characters of SHA-256 over the raw 32-byte public key.
  const std::string& key_id() const { return key_id_; }
  const std::string& PublicKeyPem() const { return public_key_pem_; }
  const std::string& RawPublicKey() const { return raw_public_key_; }
  const DocumentKind& kind() const { return kind_; }

  // OK when `signature` is this key's Ed25519 signature of exactly `text`; otherwise
  // INVALID_ARGUMENT with the kind's signature_invalid_reason.
  absl::Status Verify(std::string_view text, std::string_view signature) const;
  // INVALID_ARGUMENT (signature_invalid_reason) unless `key_id` is this key's: a document names
  // the key it was signed with.
  absl::Status CheckKeyId(std::string_view key_id) const;

 private:
  VerifyKey() = default;
  static absl::StatusOr<VerifyKey> FromKey(crypto::PublicKey key, DocumentKind kind);
  friend class Signer;

  std::optional<crypto::PublicKey> key_;  // always set outside the private constructor
  std::string key_id_;
  std::string public_key_pem_;
  std::string raw_public_key_;
  DocumentKind kind_;
};

// Signs a kind of document with an Ed25519 private key. Copyable and thread-safe.
class Signer {
 public:
  // Loads a PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----", as written by
  // `openssl genpkey -algorithm ed25519`). INVALID_ARGUMENT with the kind's key_invalid_reason
  // and a message saying what is wrong (unreadable file, not PEM, encrypted, a public key, not
  // Ed25519): a service logs it and refuses to start.
  static absl::StatusOr<Signer> FromPemFile(const std::string& path, DocumentKind kind);
  static absl::StatusOr<Signer> FromPem(std::string_view private_key_pem, DocumentKind kind);
  // A new random key (tests and throw-away local runs).
  static absl::StatusOr<Signer> Generate(DocumentKind kind);

  const std::string& key_id() const { return verify_key_.key_id(); }
  const VerifyKey& verify_key() const { return verify_key_; }

  // The 64-byte Ed25519 signature of `text` (INTERNAL if signing fails).
  absl::StatusOr<std::string> Sign(std::string_view text) const;

 private:
  Signer(crypto::PrivateKey key, VerifyKey verify_key)
      : key_(std::move(key)), verify_key_(std::move(verify_key)) {}
  static absl::StatusOr<Signer> FromPrivateKey(crypto::PrivateKey key, std::string_view origin,
                                               DocumentKind kind);
  // `origin` names where the PEM came from, for the error message.
  static absl::StatusOr<Signer> FromPemText(std::string_view pem, std::string_view origin,
                                            DocumentKind kind);

  crypto::PrivateKey key_;
  VerifyKey verify_key_;
};

}  // namespace integration::document
