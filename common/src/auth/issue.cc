// Token issuing for the development token tool and tests: signs claims with a PEM private key.
#include <chrono>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "integration/auth/auth.h"
#include "integration/auth/base64url.h"
#include "keys.h"

namespace integration::auth {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

Value StringValue(std::string_view s) {
  Value v;
  v.set_string_value(std::string(s));
  return v;
}

Value DateValue(std::chrono::system_clock::time_point t) {
  Value v;
  // Whole seconds: NumericDate values other libraries read as integers.
  v.set_number_value(static_cast<double>(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count()));
  return v;
}

}  // namespace

struct TokenSigner::Key {
  internal::PrivateKey key;
  std::string kid;
};

absl::StatusOr<TokenSigner> TokenSigner::Create(std::string_view private_key_pem,
                                                std::string_view kid) {
  absl::StatusOr<internal::PrivateKey> key = internal::ReadPrivateKeyPem(private_key_pem);
  if (!key.ok()) return key.status();
  return TokenSigner(std::make_shared<const Key>(Key{*std::move(key), std::string(kid)}));
}

absl::StatusOr<std::string> SignToken(const TokenClaims& claims, std::string_view private_key_pem,
                                      std::string_view kid) {
  absl::StatusOr<TokenSigner> signer = TokenSigner::Create(private_key_pem, kid);
  if (!signer.ok()) return signer.status();
  return signer->Sign(claims);
}

absl::StatusOr<std::string> TokenSigner::Sign(const TokenClaims& claims) const {
  if (claims.issuer.empty() || claims.audience.empty()) {
    return absl::InvalidArgumentError("token needs an issuer and an audience");
  }
  if (claims.expires_at <= claims.not_before ||
      claims.expires_at <= std::chrono::system_clock::time_point()) {
    return absl::InvalidArgumentError("token expiry must be after its start");
  }
  const internal::PrivateKey* key = &key_->key;
  const std::string& kid = key_->kid;

  Struct header;
  (*header.mutable_fields())["alg"] = StringValue(internal::AlgName(key->alg));
  (*header.mutable_fields())["typ"] = StringValue("JWT");
  if (!kid.empty()) (*header.mutable_fields())["kid"] = StringValue(kid);

  Struct payload;
  auto& fields = *payload.mutable_fields();
  fields["iss"] = StringValue(claims.issuer);
  fields["aud"] = StringValue(claims.audience);
  fields["exp"] = DateValue(claims.expires_at);
  if (claims.not_before != std::chrono::system_clock::time_point()) {
    fields["nbf"] = DateValue(claims.not_before);
    fields["iat"] = DateValue(claims.not_before);
  }
  const std::pair<const char*, const std::string*> strings[] = {
      {"sub", &claims.subject},   {"role", &claims.role},   {"lan", &claims.lan},
      {"kommun", &claims.kommun}, {"orgnr", &claims.orgnr}, {"agency", &claims.agency}};
  for (const auto& [name, value] : strings) {
    if (!value->empty()) fields[name] = StringValue(*value);
  }
  if (!claims.scopes.empty()) fields["scope"] = StringValue(absl::StrJoin(claims.scopes, " "));

  absl::StatusOr<std::string> header_json = internal::ToJson(header);
  if (!header_json.ok()) return header_json.status();
  absl::StatusOr<std::string> payload_json = internal::ToJson(payload);
  if (!payload_json.ok()) return payload_json.status();
  const std::string signing_input =
      absl::StrCat(Base64UrlEncode(*header_json), ".", Base64UrlEncode(*payload_json));
  absl::StatusOr<std::string> signature = internal::Sign(*key, signing_input);
  if (!signature.ok()) return signature.status();
  return absl::StrCat(signing_input, ".", Base64UrlEncode(*signature));
}

absl::StatusOr<std::string> JwksFromPrivateKey(std::string_view private_key_pem,
                                               std::string_view kid) {
  absl::StatusOr<internal::PrivateKey> key = internal::ReadPrivateKeyPem(private_key_pem);
  if (!key.ok()) return key.status();
  absl::StatusOr<Struct> jwk = internal::PublicJwk(*key, kid);
  if (!jwk.ok()) return jwk.status();
  Struct jwks;
  *(*jwks.mutable_fields())["keys"].mutable_list_value()->add_values()->mutable_struct_value() =
      *std::move(jwk);
  return internal::ToJson(jwks);
}

}  // namespace integration::auth
