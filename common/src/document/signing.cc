// Ed25519 signing and verification of documents' canonical texts (integration_crypto).
#include "integration/document/signing.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "integration/crypto/hash.h"
#include "integration/status/status.h"

namespace integration::document {
namespace {

constexpr size_t kKeyIdHexDigits = 16;
constexpr size_t kMaxKeyFileBytes = 64 * 1024;
constexpr char kMakeKeyHint[] = "make one with: openssl genpkey -algorithm ed25519";

// The text of a status from integration_crypto (Abseil's string_view is not std's here).
std::string Message(const absl::Status& status) { return std::string(status.message()); }

absl::Status KeyError(const DocumentKind& kind, std::string_view origin, std::string_view problem) {
  std::string message = kind.noun + " signing key ";
  message.append(origin).append(": ").append(problem);
  return status::Error(absl::StatusCode::kInvalidArgument, kind.key_invalid_reason, message);
}

}  // namespace

// ---- verification key -----------------------------------------------------------------------

// Callers have checked that `key` is an Ed25519 key.
absl::StatusOr<VerifyKey> VerifyKey::FromKey(crypto::PublicKey key, DocumentKind kind) {
  VerifyKey out;
  out.kind_ = std::move(kind);
  out.raw_public_key_ = key.raw();
  absl::StatusOr<std::string> digest = crypto::Sha256(out.raw_public_key_);
  if (!digest.ok()) return status::Internal(Message(digest.status()));
  out.key_id_ = absl::BytesToHexString(*digest).substr(0, kKeyIdHexDigits);
  absl::StatusOr<std::string> pem = key.ToPem();
  if (!pem.ok()) {
    return status::Internal(absl::StrCat("cannot write the ", out.kind_.noun,
                                         " public key as PEM: ", pem.status().message()));
  }
  out.public_key_pem_ = *std::move(pem);
  out.key_ = std::move(key);
  return out;
}

absl::StatusOr<VerifyKey> VerifyKey::FromPem(std::string_view public_key_pem, DocumentKind kind) {
  absl::StatusOr<crypto::PublicKey> key = crypto::PublicKey::FromPem(public_key_pem);
  if (!key.ok()) return KeyError(kind, "(public key PEM)", Message(key.status()));
  if (key->type() != crypto::KeyType::kEd25519) {
    return KeyError(kind, "(public key PEM)",
                    absl::StrCat("is a ", crypto::KeyTypeName(key->type()), " key, not Ed25519"));
  }
  return FromKey(*std::move(key), std::move(kind));
}

absl::StatusOr<VerifyKey> VerifyKey::FromRaw(std::string_view raw_public_key, DocumentKind kind) {
  if (raw_public_key.size() != crypto::kEd25519PublicKeyBytes) {
    return KeyError(kind, "(raw public key)",
                    "must be 32 bytes, is " + std::to_string(raw_public_key.size()));
  }
  absl::StatusOr<crypto::PublicKey> key = crypto::PublicKey::Ed25519FromRaw(raw_public_key);
  if (!key.ok()) return KeyError(kind, "(raw public key)", Message(key.status()));
  return FromKey(*std::move(key), std::move(kind));
}

absl::Status VerifyKey::Verify(std::string_view text, std::string_view signature) const {
  auto invalid = [this](std::string_view why) {
    return status::Error(absl::StatusCode::kInvalidArgument, kind_.signature_invalid_reason,
                         absl::StrCat(kind_.noun, " signature is not valid: ", std::string(why)));
  };
  if (!key_.has_value()) return status::Internal(kind_.noun + " verify key is empty");
  if (signature.size() != crypto::kSignatureBytes) {
    return invalid("an Ed25519 signature is 64 bytes");
  }
  if (!key_->Verify(text, signature)) return invalid("it does not match the text and the key");
  return absl::OkStatus();
}

absl::Status VerifyKey::CheckKeyId(std::string_view key_id) const {
  if (key_id == key_id_) return absl::OkStatus();
  return status::Error(absl::StatusCode::kInvalidArgument, kind_.signature_invalid_reason,
                       absl::StrCat(kind_.noun, " is signed with key ", std::string(key_id),
                                    ", not with key ", key_id_));
}

// ---- signer ---------------------------------------------------------------------------------

absl::StatusOr<Signer> Signer::FromPrivateKey(crypto::PrivateKey key, std::string_view origin,
                                              DocumentKind kind) {
  if (key.type() != crypto::KeyType::kEd25519) {
    return KeyError(kind, origin,
                    absl::StrCat("is a ", crypto::KeyTypeName(key.type()), " key, not Ed25519 (",
                                 kMakeKeyHint, ")"));
  }
  absl::StatusOr<VerifyKey> verify_key = VerifyKey::FromKey(key.public_key(), std::move(kind));
  if (!verify_key.ok()) return verify_key.status();
  return Signer(std::move(key), *std::move(verify_key));
}

absl::StatusOr<Signer> Signer::FromPem(std::string_view private_key_pem, DocumentKind kind) {
  return FromPemText(private_key_pem, "(PEM text)", std::move(kind));
}

absl::StatusOr<Signer> Signer::FromPemText(std::string_view pem, std::string_view origin,
                                           DocumentKind kind) {
  if (pem.find("-----BEGIN") == std::string_view::npos) {
    return KeyError(kind, origin, "is not PEM (no \"-----BEGIN PRIVATE KEY-----\" line)");
  }
  if (pem.find("PUBLIC KEY-----") != std::string_view::npos &&
      pem.find("PRIVATE KEY-----") == std::string_view::npos) {
    return KeyError(kind, origin, "holds a public key; the service needs the private key");
  }
  if (pem.find("ENCRYPTED") != std::string_view::npos) {
    return KeyError(kind, origin,
                    "is encrypted; give the service an unencrypted PKCS#8 key (keep "
                    "the file itself secret)");
  }
  absl::StatusOr<crypto::PrivateKey> key = crypto::PrivateKey::FromPem(pem);
  if (!key.ok()) {
    return KeyError(kind, origin, absl::StrCat(key.status().message(), " (", kMakeKeyHint, ")"));
  }
  return FromPrivateKey(*std::move(key), origin, std::move(kind));
}

absl::StatusOr<Signer> Signer::FromPemFile(const std::string& path, DocumentKind kind) {
  const std::string origin = "file " + path;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (file == nullptr) {
    return KeyError(kind, origin, std::string("cannot be opened: ") + std::strerror(errno));
  }
  std::string pem;
  std::array<char, 4096> buffer{};
  size_t read = 0;
  while ((read = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0) {
    pem.append(buffer.data(), read);
    if (pem.size() > kMaxKeyFileBytes) return KeyError(kind, origin, "is too large for a key file");
  }
  if (std::ferror(file.get()) != 0) return KeyError(kind, origin, "cannot be read");
  if (pem.empty()) return KeyError(kind, origin, "is empty");
  absl::StatusOr<Signer> signer = FromPemText(pem, origin, std::move(kind));
  // The key text is secret: wipe our copy.
  crypto::Wipe(pem);
  return signer;
}

absl::StatusOr<Signer> Signer::Generate(DocumentKind kind) {
  absl::StatusOr<crypto::PrivateKey> key = crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
  if (!key.ok()) return status::Internal(Message(key.status()));
  return FromPrivateKey(*std::move(key), "(generated)", std::move(kind));
}

absl::StatusOr<std::string> Signer::Sign(std::string_view text) const {
  absl::StatusOr<std::string> signature = key_.Sign(text);
  if (!signature.ok()) {
    return status::Internal(
        absl::StrCat(verify_key_.kind().noun, " signing failed: ", signature.status().message()));
  }
  return signature;
}

}  // namespace integration::document
