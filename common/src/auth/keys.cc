// JOSE EdDSA/ES256 on integration_crypto's keys: JWKS parsing, PEM private keys, signing and
// verification.
#include "keys.h"

#include <google/protobuf/util/json_util.h>

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "integration/auth/base64url.h"
#include "integration/log/log.h"

namespace integration::auth::internal {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// A string member of a JSON object: nullopt when absent, error when present but not a string.
absl::StatusOr<std::optional<std::string>> OptionalString(const Struct& object,
                                                          absl::string_view name,
                                                          absl::string_view what) {
  const auto it = object.fields().find(std::string(name));
  if (it == object.fields().end()) return std::optional<std::string>();
  if (it->second.kind_case() != Value::kStringValue) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": \"", name, "\" is not a string"));
  }
  return std::optional<std::string>(it->second.string_value());
}

absl::StatusOr<std::string> Coordinate(const Struct& jwk, absl::string_view name, size_t size,
                                       absl::string_view what) {
  auto value = OptionalString(jwk, name, what);
  if (!value.ok()) return value.status();
  if (!value->has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": \"", name, "\" is missing"));
  }
  std::optional<std::string> raw = Base64UrlDecode(**value);
  if (!raw || raw->size() != size) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": \"", name, "\" is not ", size, " bytes of base64url"));
  }
  return *std::move(raw);
}

Value StringValue(std::string_view s) {
  Value v;
  v.set_string_value(std::string(s));
  return v;
}

}  // namespace

std::string_view AlgName(Alg alg) {
  switch (alg) {
    case Alg::kEdDSA:
      return "EdDSA";
    case Alg::kES256:
      return "ES256";
  }
  return "";
}

Alg AlgOf(crypto::KeyType type) {
  return type == crypto::KeyType::kEd25519 ? Alg::kEdDSA : Alg::kES256;
}

std::optional<Alg> AlgFromName(std::string_view name) {
  // Exact, case-sensitive match (RFC 7515: alg values are case-sensitive).
  if (name == "EdDSA") return Alg::kEdDSA;
  if (name == "ES256") return Alg::kES256;
  return std::nullopt;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  for (size_t pos = text.find(sep); pos != std::string_view::npos; pos = text.find(sep, start)) {
    pieces.push_back(text.substr(start, pos - start));
    start = pos + 1;
  }
  pieces.push_back(text.substr(start));
  return pieces;
}

absl::StatusOr<std::string> ToJson(const Struct& object) {
  std::string out;
  const auto status = google::protobuf::util::MessageToJsonString(object, &out);
  if (!status.ok()) return absl::InternalError(status.ToString());
  return out;
}

absl::StatusOr<std::vector<PublicKey>> ParseJwks(std::string_view json) {
  Struct root;
  if (!ParseJsonObject(json, &root)) {
    return absl::InvalidArgumentError("JWKS is not a JSON object");
  }
  const auto keys_it = root.fields().find("keys");
  if (keys_it == root.fields().end() || keys_it->second.kind_case() != Value::kListValue) {
    return absl::InvalidArgumentError("JWKS has no \"keys\" array");
  }
  std::vector<PublicKey> keys;
  std::set<std::string> kids;
  int index = 0;
  for (const Value& entry : keys_it->second.list_value().values()) {
    const std::string what = absl::StrCat("JWKS key #", index++);
    if (entry.kind_case() != Value::kStructValue) {
      return absl::InvalidArgumentError(absl::StrCat(what, " is not an object"));
    }
    const Struct& jwk = entry.struct_value();
    if (jwk.fields().contains("d")) {
      // A published key set must never carry private keys: refuse rather than spread them.
      return absl::InvalidArgumentError(absl::StrCat(what, " holds private key material (\"d\")"));
    }
    auto kty = OptionalString(jwk, "kty", what);
    auto crv = OptionalString(jwk, "crv", what);
    auto kid = OptionalString(jwk, "kid", what);
    auto use = OptionalString(jwk, "use", what);
    auto alg = OptionalString(jwk, "alg", what);
    for (const auto* s : {&kty, &crv, &kid, &use, &alg}) {
      if (!s->ok()) return s->status();
    }
    if (!kty->has_value()) return absl::InvalidArgumentError(absl::StrCat(what, " has no kty"));
    const std::string kid_text = kid->value_or("");
    const std::string crv_text = crv->value_or("");
    std::optional<Alg> key_alg;
    if (**kty == "OKP" && crv_text == "Ed25519") {
      key_alg = Alg::kEdDSA;
    } else if (**kty == "EC" && crv_text == "P-256") {
      key_alg = Alg::kES256;
    }
    if (!key_alg || (use->has_value() && **use != "sig")) {
      // RSA keys or encryption keys published alongside ours are not an error, just unused.
      log::Warn("auth_jwks_key_skipped",
                {{"kid", kid_text}, {"kty", **kty}, {"crv", crv_text}, {"use", use->value_or("")}});
      continue;
    }
    if (alg->has_value() && **alg != AlgName(*key_alg)) {
      return absl::InvalidArgumentError(absl::StrCat(what, " (kid \"", kid_text, "\"): alg \"",
                                                     **alg, "\" does not fit a ", **kty, "/",
                                                     crv_text, " key"));
    }
    absl::StatusOr<crypto::PublicKey> key;
    if (*key_alg == Alg::kEdDSA) {
      auto x = Coordinate(jwk, "x", crypto::kEd25519PublicKeyBytes, what);
      if (!x.ok()) return x.status();
      key = crypto::PublicKey::Ed25519FromRaw(*x);
    } else {
      auto x = Coordinate(jwk, "x", crypto::kP256CoordinateBytes, what);
      if (!x.ok()) return x.status();
      auto y = Coordinate(jwk, "y", crypto::kP256CoordinateBytes, what);
      if (!y.ok()) return y.status();
      key = crypto::PublicKey::P256FromCoordinates(*x, *y);
    }
    if (!key.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": ", key.status().message()));
    }
    if (!kids.insert(kid_text).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("JWKS has two keys with kid \"", kid_text, "\""));
    }
    keys.push_back(PublicKey{kid_text, *key_alg, *std::move(key)});
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError("JWKS has no Ed25519 or P-256 signing key");
  }
  if (keys.size() > 1) {
    for (const PublicKey& key : keys) {
      if (key.kid.empty()) {
        return absl::InvalidArgumentError("JWKS has several keys and one of them has no kid");
      }
    }
  }
  return keys;
}

absl::StatusOr<PrivateKey> ReadPrivateKeyPem(std::string_view pem) {
  absl::StatusOr<crypto::PrivateKey> key = crypto::PrivateKey::FromPem(pem);
  if (!key.ok()) return key.status();
  return PrivateKey{AlgOf(key->type()), *std::move(key)};
}

absl::StatusOr<Struct> PublicJwk(const PrivateKey& key, std::string_view kid) {
  Struct jwk;
  auto& fields = *jwk.mutable_fields();
  const std::string& raw = key.key.public_key().raw();
  if (key.alg == Alg::kEdDSA) {
    fields["kty"] = StringValue("OKP");
    fields["crv"] = StringValue("Ed25519");
    fields["x"] = StringValue(Base64UrlEncode(raw));
  } else {
    // raw() of a P-256 key is x then y.
    const std::string_view coordinates = raw;
    fields["kty"] = StringValue("EC");
    fields["crv"] = StringValue("P-256");
    fields["x"] = StringValue(Base64UrlEncode(coordinates.substr(0, crypto::kP256CoordinateBytes)));
    fields["y"] = StringValue(Base64UrlEncode(coordinates.substr(crypto::kP256CoordinateBytes)));
  }
  if (!kid.empty()) fields["kid"] = StringValue(kid);
  fields["alg"] = StringValue(AlgName(key.alg));
  fields["use"] = StringValue("sig");
  return jwk;
}

absl::StatusOr<std::string> Sign(const PrivateKey& key, std::string_view signing_input) {
  // Both algorithms sign in the form JWS wants (RFC 7518 §3.4 for ES256: r||s, not DER).
  return key.key.Sign(signing_input);
}

bool VerifySignature(const PublicKey& key, std::string_view signing_input,
                     std::string_view signature) {
  return key.key.Verify(signing_input, signature);
}

}  // namespace integration::auth::internal
