// JOSE EdDSA/ES256 over OpenSSL 3: JWKS parsing, PEM private keys, signing and verification.
#include "keys.h"

#include <google/protobuf/util/json_util.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <cstring>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "integration/auth/base64url.h"
#include "integration/log/log.h"

namespace integration::auth::internal {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// Raw sizes of the supported keys and signatures.
constexpr size_t kEd25519KeyBytes = 32;
constexpr size_t kP256CoordBytes = 32;
constexpr size_t kSignatureBytes = 64;

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;

Pkey Own(EVP_PKEY* pkey) { return Pkey(pkey, EVP_PKEY_free); }

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// The first queued OpenSSL error as text; clears the queue so failures do not leak into
// unrelated calls on the same thread.
std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  std::string text = "unknown OpenSSL error";
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    text = buf;
  }
  ERR_clear_error();
  return text;
}

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

absl::StatusOr<Pkey> Ed25519FromRaw(std::string_view x) {
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(x), x.size());
  if (pkey == nullptr) return absl::InvalidArgumentError(OpenSslError());
  return Own(pkey);
}

absl::StatusOr<Pkey> P256FromCoordinates(const std::string& x, const std::string& y) {
  // Uncompressed SEC1 point: 0x04 || x || y.
  std::string point = absl::StrCat("\x04", x, y);
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, SN_X9_62_prime256v1,
                                      0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return absl::InternalError(OpenSslError());
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return absl::InternalError(OpenSslError());
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("not a P-256 point: ", OpenSslError()));
  }
  Pkey pkey = Own(raw);
  // A point off the curve must never be used for verification (invalid-curve attacks).
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("not a P-256 point: ", OpenSslError()));
  }
  return pkey;
}

bool IsP256(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "EC") != 1) return false;
  char name[80] = {};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(pkey, name, sizeof(name), &len) != 1) {
    ERR_clear_error();
    return false;
  }
  return std::strcmp(name, SN_X9_62_prime256v1) == 0 || std::strcmp(name, "P-256") == 0;
}

absl::StatusOr<std::string> BnParam(EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) return absl::InternalError(OpenSslError());
  BnPtr bn(raw);
  std::string out(kP256CoordBytes, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()),
                   static_cast<int>(out.size())) < 0) {
    return absl::InternalError("EC coordinate larger than 32 bytes");
  }
  return out;
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
    PublicKey key{kid_text, *key_alg, nullptr};
    if (*key_alg == Alg::kEdDSA) {
      auto x = Coordinate(jwk, "x", kEd25519KeyBytes, what);
      if (!x.ok()) return x.status();
      auto pkey = Ed25519FromRaw(*x);
      if (!pkey.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(what, ": ", pkey.status().message()));
      }
      key.pkey = *std::move(pkey);
    } else {
      auto x = Coordinate(jwk, "x", kP256CoordBytes, what);
      if (!x.ok()) return x.status();
      auto y = Coordinate(jwk, "y", kP256CoordBytes, what);
      if (!y.ok()) return y.status();
      auto pkey = P256FromCoordinates(*x, *y);
      if (!pkey.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(what, ": ", pkey.status().message()));
      }
      key.pkey = *std::move(pkey);
    }
    if (!kids.insert(kid_text).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("JWKS has two keys with kid \"", kid_text, "\""));
    }
    keys.push_back(std::move(key));
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
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return absl::InternalError(OpenSslError());
  // No password callback: an encrypted key fails instead of prompting on the terminal.
  pem_password_cb* no_password = [](char*, int, int, void*) -> int { return 0; };
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr);
  if (raw == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an unencrypted PEM private key: ", OpenSslError()));
  }
  Pkey pkey = Own(raw);
  if (EVP_PKEY_is_a(pkey.get(), "ED25519") == 1) return PrivateKey{Alg::kEdDSA, std::move(pkey)};
  if (IsP256(pkey.get())) return PrivateKey{Alg::kES256, std::move(pkey)};
  return absl::InvalidArgumentError("private key is neither Ed25519 nor EC P-256");
}

absl::StatusOr<Struct> PublicJwk(const PrivateKey& key, std::string_view kid) {
  Struct jwk;
  auto& fields = *jwk.mutable_fields();
  if (key.alg == Alg::kEdDSA) {
    std::string x(kEd25519KeyBytes, '\0');
    size_t len = x.size();
    if (EVP_PKEY_get_raw_public_key(key.pkey.get(), reinterpret_cast<unsigned char*>(x.data()),
                                    &len) != 1 ||
        len != kEd25519KeyBytes) {
      return absl::InternalError(OpenSslError());
    }
    fields["kty"] = StringValue("OKP");
    fields["crv"] = StringValue("Ed25519");
    fields["x"] = StringValue(Base64UrlEncode(x));
  } else {
    auto x = BnParam(key.pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X);
    if (!x.ok()) return x.status();
    auto y = BnParam(key.pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y);
    if (!y.ok()) return y.status();
    fields["kty"] = StringValue("EC");
    fields["crv"] = StringValue("P-256");
    fields["x"] = StringValue(Base64UrlEncode(*x));
    fields["y"] = StringValue(Base64UrlEncode(*y));
  }
  if (!kid.empty()) fields["kid"] = StringValue(kid);
  fields["alg"] = StringValue(AlgName(key.alg));
  fields["use"] = StringValue("sig");
  return jwk;
}

absl::StatusOr<std::string> Sign(const PrivateKey& key, std::string_view signing_input) {
  MdCtxPtr md(EVP_MD_CTX_new());
  // Ed25519 hashes internally (no digest); ES256 signs SHA-256.
  const EVP_MD* digest = key.alg == Alg::kEdDSA ? nullptr : EVP_sha256();
  if (!md || EVP_DigestSignInit(md.get(), nullptr, digest, nullptr, key.pkey.get()) != 1) {
    return absl::InternalError(OpenSslError());
  }
  size_t len = 0;
  if (EVP_DigestSign(md.get(), nullptr, &len, Bytes(signing_input), signing_input.size()) != 1) {
    return absl::InternalError(OpenSslError());
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     Bytes(signing_input), signing_input.size()) != 1) {
    return absl::InternalError(OpenSslError());
  }
  sig.resize(len);
  if (key.alg == Alg::kEdDSA) return sig;

  // OpenSSL yields DER ECDSA-Sig-Value; JWS wants fixed-width r||s (RFC 7518 §3.4).
  const unsigned char* p = Bytes(sig);
  EcdsaSigPtr ecdsa(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
  if (!ecdsa) return absl::InternalError(OpenSslError());
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(ecdsa.get(), &r, &s);
  std::string out(kSignatureBytes, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(r, dst, kP256CoordBytes) < 0 ||
      BN_bn2binpad(s, dst + kP256CoordBytes, kP256CoordBytes) < 0) {
    return absl::InternalError("ECDSA signature component larger than 32 bytes");
  }
  return out;
}

bool VerifySignature(const PublicKey& key, std::string_view signing_input,
                     std::string_view signature) {
  if (signature.size() != kSignatureBytes) return false;
  std::string der;
  std::string_view to_verify = signature;
  const EVP_MD* digest = nullptr;
  if (key.alg == Alg::kES256) {
    digest = EVP_sha256();
    BnPtr r(BN_bin2bn(Bytes(signature), kP256CoordBytes, nullptr));
    BnPtr s(BN_bin2bn(Bytes(signature) + kP256CoordBytes, kP256CoordBytes, nullptr));
    EcdsaSigPtr ecdsa(ECDSA_SIG_new());
    if (!r || !s || !ecdsa || ECDSA_SIG_set0(ecdsa.get(), r.get(), s.get()) != 1) {
      ERR_clear_error();
      return false;
    }
    // ECDSA_SIG now owns r and s.
    static_cast<void>(r.release());
    static_cast<void>(s.release());
    const int len = i2d_ECDSA_SIG(ecdsa.get(), nullptr);
    if (len <= 0) {
      ERR_clear_error();
      return false;
    }
    der.resize(static_cast<size_t>(len));
    auto* p = reinterpret_cast<unsigned char*>(der.data());
    if (i2d_ECDSA_SIG(ecdsa.get(), &p) != len) {
      ERR_clear_error();
      return false;
    }
    to_verify = der;
  }
  MdCtxPtr md(EVP_MD_CTX_new());
  const bool ok = md &&
                  EVP_DigestVerifyInit(md.get(), nullptr, digest, nullptr, key.pkey.get()) == 1 &&
                  EVP_DigestVerify(md.get(), Bytes(to_verify), to_verify.size(),
                                   Bytes(signing_input), signing_input.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

}  // namespace integration::auth::internal
