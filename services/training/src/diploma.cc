// Fresh diploma codes and Ed25519 signatures of the canonical text (integration_crypto).
#include "diploma.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "integration/crypto/hash.h"
#include "integration/crypto/random.h"
#include "integration/status/status.h"

namespace integration::training {
namespace {

constexpr size_t kCodeRandomBytes = 17;  // 136 bits, of which the first 130 are used
constexpr size_t kKeyIdHexDigits = 16;
constexpr size_t kMaxKeyFileBytes = 64 * 1024;
constexpr char kMakeKeyHint[] = "make one with: openssl genpkey -algorithm ed25519";

// The text of a status from integration_crypto (Abseil's string_view is not std's here).
std::string Message(const absl::Status& status) { return std::string(status.message()); }

absl::Status KeyError(std::string_view origin, std::string_view problem) {
  std::string message = "diploma signing key ";
  message.append(origin).append(": ").append(problem);
  return integration::status::Error(absl::StatusCode::kInvalidArgument, kReasonDiplomaKeyInvalid,
                                    message);
}

}  // namespace

// ---- codes ----------------------------------------------------------------------------------

absl::StatusOr<std::string> NewDiplomaCode() {
  absl::StatusOr<std::string> random = crypto::RandomBytes(kCodeRandomBytes);
  if (!random.ok()) {
    return integration::status::Internal(
        absl::StrCat("no diploma code: ", random.status().message()));
  }
  const auto byte = [&random](int i) { return static_cast<unsigned char>((*random)[i]); };
  std::string code;
  code.reserve(kDiplomaCodeLength);
  for (int i = 0; i < kDiplomaCodeLength; ++i) {
    int value = 0;
    for (int bit = 5 * i; bit < 5 * i + 5; ++bit) {
      value = (value << 1) | ((byte(bit / 8) >> (7 - bit % 8)) & 1);
    }
    code.push_back(kDiplomaCodeAlphabet[value]);
  }
  return code;
}

// ---- verification key -----------------------------------------------------------------------

// Callers have checked that `key` is an Ed25519 key.
absl::StatusOr<DiplomaVerifyKey> DiplomaVerifyKey::FromKey(crypto::PublicKey key) {
  DiplomaVerifyKey out;
  out.raw_public_key_ = key.raw();
  absl::StatusOr<std::string> digest = crypto::Sha256(out.raw_public_key_);
  if (!digest.ok()) return integration::status::Internal(Message(digest.status()));
  out.key_id_ = absl::BytesToHexString(*digest).substr(0, kKeyIdHexDigits);
  absl::StatusOr<std::string> pem = key.ToPem();
  if (!pem.ok()) {
    return integration::status::Internal(
        absl::StrCat("cannot write the diploma public key as PEM: ", pem.status().message()));
  }
  out.public_key_pem_ = *std::move(pem);
  out.key_ = std::move(key);
  return out;
}

absl::StatusOr<DiplomaVerifyKey> DiplomaVerifyKey::FromPem(std::string_view public_key_pem) {
  absl::StatusOr<crypto::PublicKey> key = crypto::PublicKey::FromPem(public_key_pem);
  if (!key.ok()) return KeyError("(public key PEM)", Message(key.status()));
  if (key->type() != crypto::KeyType::kEd25519) {
    return KeyError("(public key PEM)",
                    absl::StrCat("is a ", crypto::KeyTypeName(key->type()), " key, not Ed25519"));
  }
  return FromKey(*std::move(key));
}

absl::StatusOr<DiplomaVerifyKey> DiplomaVerifyKey::FromRaw(std::string_view raw_public_key) {
  if (raw_public_key.size() != crypto::kEd25519PublicKeyBytes) {
    return KeyError("(raw public key)",
                    "must be 32 bytes, is " + std::to_string(raw_public_key.size()));
  }
  absl::StatusOr<crypto::PublicKey> key = crypto::PublicKey::Ed25519FromRaw(raw_public_key);
  if (!key.ok()) return KeyError("(raw public key)", Message(key.status()));
  return FromKey(*std::move(key));
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
  if (!key_.has_value()) return integration::status::Internal("diploma verify key is empty");
  if (signature.size() != crypto::kSignatureBytes) {
    return invalid("an Ed25519 signature is 64 bytes");
  }
  if (!key_->Verify(text, signature)) return invalid("it does not match the text and the key");
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

absl::StatusOr<DiplomaSigner> DiplomaSigner::FromPrivateKey(crypto::PrivateKey key,
                                                            std::string_view origin) {
  if (key.type() != crypto::KeyType::kEd25519) {
    return KeyError(origin, absl::StrCat("is a ", crypto::KeyTypeName(key.type()),
                                         " key, not Ed25519 (", kMakeKeyHint, ")"));
  }
  absl::StatusOr<DiplomaVerifyKey> verify_key = DiplomaVerifyKey::FromKey(key.public_key());
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
  absl::StatusOr<crypto::PrivateKey> key = crypto::PrivateKey::FromPem(pem);
  if (!key.ok()) {
    return KeyError(origin, absl::StrCat(key.status().message(), " (", kMakeKeyHint, ")"));
  }
  return FromPrivateKey(*std::move(key), origin);
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
  crypto::Wipe(pem);
  return signer;
}

absl::StatusOr<DiplomaSigner> DiplomaSigner::Generate() {
  absl::StatusOr<crypto::PrivateKey> key = crypto::PrivateKey::Generate(crypto::KeyType::kEd25519);
  if (!key.ok()) return integration::status::Internal(Message(key.status()));
  return FromPrivateKey(*std::move(key), "(generated)");
}

absl::StatusOr<std::string> DiplomaSigner::Sign(std::string_view text) const {
  absl::StatusOr<std::string> signature = key_.Sign(text);
  if (!signature.ok()) {
    return integration::status::Internal(
        absl::StrCat("diploma signing failed: ", signature.status().message()));
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
