// Signature keys (Ed25519 and ECDSA P-256) over OpenSSL 3: loading from PEM, raw or JWK-style
// coordinates, generating, signing and verifying. The one place that touches OpenSSL's key API;
// JOSE (integration_auth) and diploma signatures (training) build on it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

// OpenSSL's key type, forward-declared so this header does not pull in OpenSSL.
struct evp_pkey_st;

namespace integration::crypto {

enum class KeyType {
  kEd25519,  // EdDSA on Curve25519 (RFC 8032)
  kP256,     // ECDSA on NIST P-256 with SHA-256
};

// "Ed25519" or "P-256" (a static string).
const char* KeyTypeName(KeyType type);

inline constexpr std::size_t kEd25519PublicKeyBytes = 32;
inline constexpr std::size_t kP256CoordinateBytes = 32;
// Both types sign with 64 bytes: Ed25519's R||S, and P-256's r||s as fixed-width big-endian
// integers (IEEE P1363, the form JOSE uses; not OpenSSL's DER).
inline constexpr std::size_t kSignatureBytes = 64;

// A public key. Copyable (copies share the immutable key) and safe to use from any thread.
class PublicKey {
 public:
  // 32 raw bytes (RFC 8032 encoding).
  static absl::StatusOr<PublicKey> Ed25519FromRaw(std::string_view raw);
  // The affine coordinates, 32 big-endian bytes each. A point that is not on the curve is
  // refused, so it can never be used for verification (invalid-curve attacks).
  static absl::StatusOr<PublicKey> P256FromCoordinates(std::string_view x, std::string_view y);
  // A SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----") of an Ed25519 or P-256 key.
  static absl::StatusOr<PublicKey> FromPem(std::string_view pem);

  KeyType type() const { return type_; }
  // Ed25519: the 32-byte key. P-256: x then y, 32 bytes each.
  const std::string& raw() const { return raw_; }
  // The key as SubjectPublicKeyInfo PEM.
  absl::StatusOr<std::string> ToPem() const;

  // Whether `signature` (kSignatureBytes, see above) is this key's signature of `message`.
  // Every failure, malformed signatures included, is just false.
  bool Verify(std::string_view message, std::string_view signature) const;

 private:
  PublicKey(std::shared_ptr<evp_pkey_st> key, KeyType type, std::string raw);
  static absl::StatusOr<PublicKey> FromKey(std::shared_ptr<evp_pkey_st> key);
  friend class PrivateKey;

  std::shared_ptr<evp_pkey_st> key_;
  KeyType type_;
  std::string raw_;
};

// A private key with its public key. Copyable (copies share the immutable key) and safe to use
// from any thread.
class PrivateKey {
 public:
  // A new random key.
  static absl::StatusOr<PrivateKey> Generate(KeyType type);
  // An unencrypted PEM private key, PKCS#8 ("-----BEGIN PRIVATE KEY-----") or the traditional
  // forms. INVALID_ARGUMENT when the text is not one (an encrypted key fails rather than
  // prompting for a password) or holds a key of another type.
  static absl::StatusOr<PrivateKey> FromPem(std::string_view pem);

  KeyType type() const { return public_key_.type(); }
  const PublicKey& public_key() const { return public_key_; }

  // The signature of `message` (kSignatureBytes). INTERNAL if OpenSSL fails.
  absl::StatusOr<std::string> Sign(std::string_view message) const;

 private:
  PrivateKey(std::shared_ptr<evp_pkey_st> key, PublicKey public_key)
      : key_(std::move(key)), public_key_(std::move(public_key)) {}
  static absl::StatusOr<PrivateKey> FromKey(std::shared_ptr<evp_pkey_st> key);

  std::shared_ptr<evp_pkey_st> key_;
  PublicKey public_key_;
};

// Overwrites `secret` (key text read from a file) with zeros in a way the compiler keeps.
void Wipe(std::string& secret);

}  // namespace integration::crypto
