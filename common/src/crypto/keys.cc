// Ed25519 and ECDSA P-256 keys over OpenSSL 3's EVP API.
#include "integration/crypto/keys.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "openssl_error.h"

namespace integration::crypto {
namespace {

using internal::OpenSslError;

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

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// A password callback that refuses: an encrypted key must fail, never prompt on a terminal.
int NoPassword(char*, int, int, void*) { return -1; }

bool IsP256(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC") != 1) return false;
  char name[80] = {};
  size_t length = 0;
  if (EVP_PKEY_get_group_name(key, name, sizeof(name), &length) != 1) {
    OpenSslError();
    return false;
  }
  return std::strcmp(name, SN_X9_62_prime256v1) == 0 || std::strcmp(name, "P-256") == 0;
}

absl::StatusOr<KeyType> TypeOf(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519") == 1) return KeyType::kEd25519;
  if (IsP256(key)) return KeyType::kP256;
  const char* name = EVP_PKEY_get0_type_name(key);
  return absl::InvalidArgumentError(
      absl::StrCat("is a ", name != nullptr ? name : "unknown", " key, not Ed25519 or P-256"));
}

// A P-256 coordinate as 32 big-endian bytes.
absl::StatusOr<std::string> Coordinate(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return absl::InternalError(OpenSslError());
  BnPtr bn(raw);
  std::string out(kP256CoordinateBytes, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()),
                   static_cast<int>(out.size())) < 0) {
    return absl::InternalError("EC coordinate larger than 32 bytes");
  }
  return out;
}

// The raw form PublicKey::raw() documents.
absl::StatusOr<std::string> RawPublicKey(EVP_PKEY* key, KeyType type) {
  if (type == KeyType::kEd25519) {
    std::string raw(kEd25519PublicKeyBytes, '\0');
    size_t length = raw.size();
    if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &length) !=
            1 ||
        length != kEd25519PublicKeyBytes) {
      return absl::InternalError(
          absl::StrCat("cannot read an Ed25519 public key: ", OpenSslError()));
    }
    return raw;
  }
  absl::StatusOr<std::string> x = Coordinate(key, OSSL_PKEY_PARAM_EC_PUB_X);
  if (!x.ok()) return x.status();
  absl::StatusOr<std::string> y = Coordinate(key, OSSL_PKEY_PARAM_EC_PUB_Y);
  if (!y.ok()) return y.status();
  return *x + *y;
}

// Whether an EC public key is a point on its curve (OpenSSL does not check on import from
// coordinates).
bool OnCurve(EVP_PKEY* key) {
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  return check != nullptr && EVP_PKEY_public_check(check.get()) == 1;
}

// JOSE's fixed-width r||s to the DER ECDSA-Sig-Value OpenSSL verifies; "" when impossible.
std::string P1363ToDer(std::string_view signature) {
  BnPtr r(BN_bin2bn(Bytes(signature), kP256CoordinateBytes, nullptr));
  BnPtr s(BN_bin2bn(Bytes(signature) + kP256CoordinateBytes, kP256CoordinateBytes, nullptr));
  EcdsaSigPtr ecdsa(ECDSA_SIG_new());
  if (!r || !s || !ecdsa || ECDSA_SIG_set0(ecdsa.get(), r.get(), s.get()) != 1) return "";
  // ECDSA_SIG now owns r and s.
  static_cast<void>(r.release());
  static_cast<void>(s.release());
  const int length = i2d_ECDSA_SIG(ecdsa.get(), nullptr);
  if (length <= 0) return "";
  std::string der(static_cast<size_t>(length), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(ecdsa.get(), &p) != length) return "";
  return der;
}

// OpenSSL's DER ECDSA-Sig-Value to fixed-width r||s (RFC 7518 §3.4).
absl::StatusOr<std::string> DerToP1363(std::string_view der) {
  const unsigned char* p = Bytes(der);
  EcdsaSigPtr ecdsa(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!ecdsa) return absl::InternalError(OpenSslError());
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(ecdsa.get(), &r, &s);
  std::string out(kSignatureBytes, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(r, dst, kP256CoordinateBytes) < 0 ||
      BN_bn2binpad(s, dst + kP256CoordinateBytes, kP256CoordinateBytes) < 0) {
    return absl::InternalError("ECDSA signature component larger than 32 bytes");
  }
  return out;
}

// Ed25519 hashes internally (no digest); ECDSA P-256 signs SHA-256.
const EVP_MD* DigestFor(KeyType type) { return type == KeyType::kEd25519 ? nullptr : EVP_sha256(); }

}  // namespace

const char* KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kEd25519:
      return "Ed25519";
    case KeyType::kP256:
      return "P-256";
  }
  return "";
}

// ---- PublicKey ------------------------------------------------------------------------------

PublicKey::PublicKey(std::shared_ptr<EVP_PKEY> key, KeyType type, std::string raw)
    : key_(std::move(key)), type_(type), raw_(std::move(raw)) {}

absl::StatusOr<PublicKey> PublicKey::FromKey(std::shared_ptr<EVP_PKEY> key) {
  absl::StatusOr<KeyType> type = TypeOf(key.get());
  if (!type.ok()) return type.status();
  if (*type == KeyType::kP256 && !OnCurve(key.get())) {
    return absl::InvalidArgumentError(absl::StrCat("not a P-256 point: ", OpenSslError()));
  }
  absl::StatusOr<std::string> raw = RawPublicKey(key.get(), *type);
  if (!raw.ok()) return raw.status();
  return PublicKey(std::move(key), *type, *std::move(raw));
}

absl::StatusOr<PublicKey> PublicKey::Ed25519FromRaw(std::string_view raw) {
  if (raw.size() != kEd25519PublicKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("an Ed25519 public key is 32 bytes, not ", raw.size()));
  }
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(raw), raw.size());
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("not an Ed25519 public key: ", OpenSslError()));
  }
  return PublicKey(Own(key), KeyType::kEd25519, std::string(raw));
}

absl::StatusOr<PublicKey> PublicKey::P256FromCoordinates(std::string_view x, std::string_view y) {
  if (x.size() != kP256CoordinateBytes || y.size() != kP256CoordinateBytes) {
    return absl::InvalidArgumentError("a P-256 coordinate is 32 bytes");
  }
  // Uncompressed SEC1 point: 0x04 || x || y.
  const std::string point = absl::StrCat("\x04", Av(x), Av(y));
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      SN_X9_62_prime256v1, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return absl::InternalError(OpenSslError());
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
  PkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1) {
    return absl::InternalError(OpenSslError());
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("not a P-256 point: ", OpenSslError()));
  }
  std::shared_ptr<EVP_PKEY> key = Own(raw);
  if (!OnCurve(key.get())) {
    return absl::InvalidArgumentError(absl::StrCat("not a P-256 point: ", OpenSslError()));
  }
  return PublicKey(std::move(key), KeyType::kP256, absl::StrCat(Av(x), Av(y)));
}

absl::StatusOr<PublicKey> PublicKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return absl::InternalError(OpenSslError());
  EVP_PKEY* raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassword, nullptr);
  if (raw == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a PEM public key (\"-----BEGIN PUBLIC KEY-----\"): ", OpenSslError()));
  }
  return FromKey(Own(raw));
}

absl::StatusOr<std::string> PublicKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    return absl::InternalError(absl::StrCat("cannot write a public key as PEM: ", OpenSslError()));
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

bool PublicKey::Verify(std::string_view message, std::string_view signature) const {
  if (key_ == nullptr || signature.size() != kSignatureBytes) return false;
  std::string der;
  if (type_ == KeyType::kP256) {
    der = P1363ToDer(signature);
    if (der.empty()) {
      OpenSslError();
      return false;
    }
    signature = der;
  }
  MdCtxPtr context(EVP_MD_CTX_new());
  const bool ok =
      context &&
      EVP_DigestVerifyInit(context.get(), nullptr, DigestFor(type_), nullptr, key_.get()) == 1 &&
      EVP_DigestVerify(context.get(), Bytes(signature), signature.size(), Bytes(message),
                       message.size()) == 1;
  // A failed verification leaves an error queued; it must not show up in an unrelated call.
  if (!ok) OpenSslError();
  return ok;
}

// ---- PrivateKey -----------------------------------------------------------------------------

absl::StatusOr<PrivateKey> PrivateKey::FromKey(std::shared_ptr<EVP_PKEY> key) {
  absl::StatusOr<KeyType> type = TypeOf(key.get());
  if (!type.ok()) return type.status();
  // The public half as a key of its own, so that a PublicKey never carries private material.
  absl::StatusOr<std::string> raw = RawPublicKey(key.get(), *type);
  if (!raw.ok()) return raw.status();
  absl::StatusOr<PublicKey> public_key =
      *type == KeyType::kEd25519
          ? PublicKey::Ed25519FromRaw(*raw)
          : PublicKey::P256FromCoordinates(std::string_view(*raw).substr(0, kP256CoordinateBytes),
                                           std::string_view(*raw).substr(kP256CoordinateBytes));
  if (!public_key.ok()) return public_key.status();
  return PrivateKey(std::move(key), *std::move(public_key));
}

absl::StatusOr<PrivateKey> PrivateKey::Generate(KeyType type) {
  EVP_PKEY* key = type == KeyType::kEd25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                                            : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (key == nullptr) {
    return absl::InternalError(
        absl::StrCat(KeyTypeName(type), " key generation failed: ", OpenSslError()));
  }
  return FromKey(Own(key));
}

absl::StatusOr<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return absl::InternalError(OpenSslError());
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr);
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "is not a readable PEM private key (unencrypted PKCS#8 or traditional): ", OpenSslError()));
  }
  return FromKey(Own(key));
}

absl::StatusOr<std::string> PrivateKey::Sign(std::string_view message) const {
  MdCtxPtr context(EVP_MD_CTX_new());
  if (!context ||
      EVP_DigestSignInit(context.get(), nullptr, DigestFor(type()), nullptr, key_.get()) != 1) {
    return absl::InternalError(absl::StrCat("cannot start signing: ", OpenSslError()));
  }
  size_t length = 0;
  if (EVP_DigestSign(context.get(), nullptr, &length, Bytes(message), message.size()) != 1) {
    return absl::InternalError(absl::StrCat("signing failed: ", OpenSslError()));
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     Bytes(message), message.size()) != 1) {
    return absl::InternalError(absl::StrCat("signing failed: ", OpenSslError()));
  }
  signature.resize(length);
  if (type() == KeyType::kEd25519) {
    if (signature.size() != kSignatureBytes) {
      return absl::InternalError("an Ed25519 signature that is not 64 bytes");
    }
    return signature;
  }
  return DerToP1363(signature);
}

void Wipe(std::string& secret) { OPENSSL_cleanse(secret.data(), secret.size()); }

}  // namespace integration::crypto
