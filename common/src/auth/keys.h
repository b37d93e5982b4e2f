// Internal to integration_auth: JOSE algorithms over the keys of integration_crypto, JWKS
// parsing and JSON helpers shared by the verifier and the token issuer.
#pragma once

#include <google/protobuf/struct.pb.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "integration/crypto/keys.h"

namespace integration::auth::internal {

// The allow-list: every other "alg" is refused before any key is touched.
enum class Alg { kEdDSA, kES256 };

std::string_view AlgName(Alg alg);
std::optional<Alg> AlgFromName(std::string_view name);

// The algorithm of a key type: EdDSA for Ed25519, ES256 for P-256.
Alg AlgOf(crypto::KeyType type);

// crypto::PublicKey copies share the key, so a key set snapshot may outlive a reload while a
// verification still uses it.
struct PublicKey {
  std::string kid;  // may be empty when the set holds a single key
  Alg alg;          // the only algorithm this key may verify
  crypto::PublicKey key;
};

// Parses a JWKS {"keys":[...]}: OKP/Ed25519 (x) and EC/P-256 (x, y) keys. Keys of other types
// are skipped (an identity provider may publish RSA keys too); a malformed key of a supported
// type, private material ("d"), a duplicate kid, a missing kid among several keys, or no usable
// key at all is an error.
absl::StatusOr<std::vector<PublicKey>> ParseJwks(std::string_view json);

// A PEM private key (PKCS#8 or traditional) of a supported type, with its algorithm.
struct PrivateKey {
  Alg alg;
  crypto::PrivateKey key;
};
absl::StatusOr<PrivateKey> ReadPrivateKeyPem(std::string_view pem);

// The public JWK object of a key (kty, crv, x[, y], kid, alg, use).
absl::StatusOr<google::protobuf::Struct> PublicJwk(const PrivateKey& key, std::string_view kid);

// JWS signature (EdDSA: 64 bytes; ES256: raw r||s, 64 bytes) of the signing input.
absl::StatusOr<std::string> Sign(const PrivateKey& key, std::string_view signing_input);

// True when `signature` is a valid JWS signature of `signing_input` by `key`.
bool VerifySignature(const PublicKey& key, std::string_view signing_input,
                     std::string_view signature);

// Splits on every `sep` (empty pieces kept). Debian's Abseil has its own string_view type,
// so absl::StrSplit does not take or yield std::string_view.
std::vector<std::string_view> Split(std::string_view text, char sep);

// Parses a JSON object into a Struct; false on anything else (arrays, scalars, bad JSON).
bool ParseJsonObject(std::string_view json, google::protobuf::Struct* out);
// Compact JSON of a Struct.
absl::StatusOr<std::string> ToJson(const google::protobuf::Struct& object);

}  // namespace integration::auth::internal
