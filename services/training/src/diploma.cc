// Fresh diploma codes and Ed25519 signatures of the canonical text (OpenSSL 3).
#include "diploma.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "integration/status/status.h"

namespace integration::training {
namespace {

constexpr size_t kCodeRandomBytes = 17;  // 136 bits, of which the first 130 are used
constexpr size_t kEd25519KeyBytes = 32;
constexpr size_t kEd25519SignatureBytes = 64;
constexpr size_t kMaxKeyFileBytes = 64 * 1024;

// ---- OpenSSL helpers ------------------------------------------------------------------------

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

std::shared_ptr<EVP_PKEY> ShareKey(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

// The reason of the oldest queued OpenSSL error, and an empty queue afterwards so that a stale
// error never shows up in an unrelated later call on this thread.
std::string TakeOpenSslError() {
  unsigned long code = ERR_peek_error();
  std::string text;
  if (code != 0) {
    const char* reason = ERR_reason_error_string(code);
    text = reason != nullptr ? reason : "error " + std::to_string(code);
  }
  ERR_clear_error();
  return text;
}

absl::Status KeyError(std::string_view origin, std::string_view problem) {
  std::string message = "diploma signing key ";
  message.append(origin).append(": ").append(problem);
  return integration::status::Error(absl::StatusCode::kInvalidArgument, kReasonDiplomaKeyInvalid,
                                    message);
}

// A password callback that refuses: an encrypted key must fail, never prompt on a terminal.
int NoPassword(char*, int, int, void*) { return -1; }

bool IsEd25519(EVP_PKEY* key) { return EVP_PKEY_is_a(key, "ED25519") == 1; }

std::string Hex(const unsigned char* data, size_t size) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

}  // namespace

// ---- codes ----------------------------------------------------------------------------------

absl::StatusOr<std::string> NewDiplomaCode() {
  std::array<unsigned char, kCodeRandomBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    TakeOpenSslError();
    return integration::status::Internal("RAND_bytes failed while making a diploma code");
  }
  std::string code;
  code.reserve(kDiplomaCodeLength);
  for (int i = 0; i < kDiplomaCodeLength; ++i) {
    int value = 0;
    for (int bit = 5 * i; bit < 5 * i + 5; ++bit) {
      value = (value << 1) | ((bytes[bit / 8] >> (7 - bit % 8)) & 1);
    }
    code.push_back(kDiplomaCodeAlphabet[value]);
  }
  return code;
}

// ---- verification key -----------------------------------------------------------------------

absl::StatusOr<DiplomaVerifyKey> DiplomaVerifyKey::FromKey(std::shared_ptr<EVP_PKEY> key) {
  DiplomaVerifyKey out;
  std::array<unsigned char, kEd25519KeyBytes> raw{};
  size_t raw_size = raw.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), raw.data(), &raw_size) != 1 ||
      raw_size != kEd25519KeyBytes) {
    return KeyError("public part", "cannot be read: " + TakeOpenSslError());
  }
  out.raw_public_key_.assign(reinterpret_cast<const char*>(raw.data()), raw_size);

  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(raw.data(), raw_size, digest.data());
  out.key_id_ = Hex(digest.data(), digest.size()).substr(0, 16);

  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) {
    return integration::status::Internal("cannot write the diploma public key as PEM: " +
                                         TakeOpenSslError());
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  out.public_key_pem_.assign(data, static_cast<size_t>(size));
  out.key_ = std::move(key);
  return out;
}

absl::StatusOr<DiplomaVerifyKey> DiplomaVerifyKey::FromPem(std::string_view public_key_pem) {
  BioPtr bio(BIO_new_mem_buf(public_key_pem.data(), static_cast<int>(public_key_pem.size())));
  if (bio == nullptr) return integration::status::Internal("BIO_new_mem_buf failed");
  EVP_PKEY* raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassword, nullptr);
  if (raw == nullptr) {
    return KeyError("(public key PEM)",
                    "not a PEM public key (\"-----BEGIN PUBLIC KEY-----\"): " + TakeOpenSslError());
  }
  std::shared_ptr<EVP_PKEY> key = ShareKey(raw);
  if (!IsEd25519(key.get())) {
    return KeyError("(public key PEM)", std::string("is a ") + EVP_PKEY_get0_type_name(key.get()) +
                                            " key, not Ed25519");
  }
  return FromKey(std::move(key));
}

absl::StatusOr<DiplomaVerifyKey> DiplomaVerifyKey::FromRaw(std::string_view raw_public_key) {
  if (raw_public_key.size() != kEd25519KeyBytes) {
    return KeyError("(raw public key)",
                    "must be 32 bytes, is " + std::to_string(raw_public_key.size()));
  }
  EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw_public_key.data()),
      raw_public_key.size());
  if (raw == nullptr) {
    return KeyError("(raw public key)", "is not an Ed25519 key: " + TakeOpenSslError());
  }
  return FromKey(ShareKey(raw));
}

v1::DiplomaPublicKey DiplomaVerifyKey::ToProto() const {
  v1::DiplomaPublicKey proto;
  proto.set_key_id(key_id_);
  proto.set_algorithm("Ed25519");
  proto.set_public_key_pem(public_key_pem_);
  proto.set_public_key(raw_public_key_);
  return proto;
}

absl::Status DiplomaVerifyKey::Verify(std::string_view text, std::string_view signature) const {
  auto invalid = [](std::string_view why) {
    return integration::status::Error(absl::StatusCode::kInvalidArgument,
                                      kReasonDiplomaSignatureInvalid,
                                      std::string("diploma signature is not valid: ").append(why));
  };
  if (key_ == nullptr) return integration::status::Internal("diploma verify key is empty");
  if (signature.size() != kEd25519SignatureBytes) {
    return invalid("an Ed25519 signature is 64 bytes");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
    return integration::status::Internal("EVP_DigestVerifyInit failed: " + TakeOpenSslError());
  }
  const int result = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(text.data()), text.size());
  TakeOpenSslError();  // a failed verification leaves an error on the queue
  if (result != 1) return invalid("it does not match the text and the key");
  return absl::OkStatus();
}

absl::Status DiplomaVerifyKey::VerifyContent(const v1::DiplomaContent& content,
                                             std::string_view signature) const {
  if (content.key_id() != key_id_) {
    return integration::status::Error(
        absl::StatusCode::kInvalidArgument, kReasonDiplomaSignatureInvalid,
        "diploma is signed with key " + content.key_id() + ", not with key " + key_id_);
  }
  absl::StatusOr<std::string> text = CanonicalText(content);
  if (!text.ok()) return text.status();
  return Verify(*text, signature);
}

// ---- signer ---------------------------------------------------------------------------------

absl::StatusOr<DiplomaSigner> DiplomaSigner::FromPrivateKey(std::shared_ptr<EVP_PKEY> key,
                                                            std::string_view origin) {
  if (!IsEd25519(key.get())) {
    return KeyError(origin, std::string("is a ") + EVP_PKEY_get0_type_name(key.get()) +
                                " key, not Ed25519 (make one with: openssl genpkey "
                                "-algorithm ed25519)");
  }
  absl::StatusOr<DiplomaVerifyKey> verify_key = DiplomaVerifyKey::FromKey(key);
  if (!verify_key.ok()) return verify_key.status();
  return DiplomaSigner(std::move(key), *std::move(verify_key));
}

absl::StatusOr<DiplomaSigner> DiplomaSigner::FromPem(std::string_view private_key_pem) {
  return FromPemText(private_key_pem, "(PEM text)");
}

absl::StatusOr<DiplomaSigner> DiplomaSigner::FromPemText(std::string_view pem,
                                                         std::string_view origin) {
  if (pem.find("-----BEGIN") == std::string_view::npos) {
    return KeyError(origin, "is not PEM (no \"-----BEGIN PRIVATE KEY-----\" line)");
  }
  if (pem.find("PUBLIC KEY-----") != std::string_view::npos &&
      pem.find("PRIVATE KEY-----") == std::string_view::npos) {
    return KeyError(origin, "holds a public key; the service needs the private key");
  }
  if (pem.find("ENCRYPTED") != std::string_view::npos) {
    return KeyError(origin,
                    "is encrypted; give the service an unencrypted PKCS#8 key (keep "
                    "the file itself secret)");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return integration::status::Internal("BIO_new_mem_buf failed");
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr);
  if (raw == nullptr) {
    return KeyError(origin, "is not a readable PEM private key: " + TakeOpenSslError());
  }
  return FromPrivateKey(ShareKey(raw), origin);
}

absl::StatusOr<DiplomaSigner> DiplomaSigner::FromPemFile(const std::string& path) {
  const std::string origin = "file " + path;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (file == nullptr) {
    return KeyError(origin, std::string("cannot be opened: ") + std::strerror(errno));
  }
  std::string pem;
  std::array<char, 4096> buffer{};
  size_t read = 0;
  while ((read = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0) {
    pem.append(buffer.data(), read);
    if (pem.size() > kMaxKeyFileBytes) return KeyError(origin, "is too large for a key file");
  }
  if (std::ferror(file.get()) != 0) return KeyError(origin, "cannot be read");
  if (pem.empty()) return KeyError(origin, "is empty");
  absl::StatusOr<DiplomaSigner> signer = FromPemText(pem, origin);
  // The key text is secret: wipe our copy.
  OPENSSL_cleanse(pem.data(), pem.size());
  return signer;
}

absl::StatusOr<DiplomaSigner> DiplomaSigner::Generate() {
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (raw == nullptr) {
    return integration::status::Internal("Ed25519 key generation failed: " + TakeOpenSslError());
  }
  return FromPrivateKey(ShareKey(raw), "(generated)");
}

absl::StatusOr<std::string> DiplomaSigner::Sign(std::string_view text) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
    return integration::status::Internal("EVP_DigestSignInit failed: " + TakeOpenSslError());
  }
  std::string signature(kEd25519SignatureBytes, '\0');
  size_t size = signature.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(text.data()), text.size()) != 1 ||
      size != kEd25519SignatureBytes) {
    return integration::status::Internal("EVP_DigestSign failed: " + TakeOpenSslError());
  }
  return signature;
}

absl::StatusOr<SignedDiploma> DiplomaSigner::SignContent(v1::DiplomaContent content) const {
  content.set_key_id(key_id());
  absl::StatusOr<std::string> text = CanonicalText(content);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::string> signature = Sign(*text);
  if (!signature.ok()) return signature.status();
  return SignedDiploma{std::move(content), *std::move(text), *std::move(signature)};
}

}  // namespace integration::training
