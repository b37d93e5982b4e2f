// Fresh diploma codes, and the diplomas' keys on the suite's document signing
// (integration_document).
#include "diploma.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "integration/crypto/random.h"
#include "integration/status/status.h"

namespace integration::training {
namespace {

constexpr size_t kCodeRandomBytes = 17;  // 136 bits, of which the first 130 are used

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

// ---- keys -----------------------------------------------------------------------------------

const document::DocumentKind& DiplomaDocument() {
  static const document::DocumentKind kind{"diploma", std::string(kReasonDiplomaKeyInvalid),
                                           std::string(kReasonDiplomaSignatureInvalid)};
  return kind;
}

absl::StatusOr<DiplomaVerifyKey> DiplomaVerifyKey::FromPem(std::string_view public_key_pem) {
  absl::StatusOr<document::VerifyKey> key =
      document::VerifyKey::FromPem(public_key_pem, DiplomaDocument());
  if (!key.ok()) return key.status();
  return DiplomaVerifyKey(*std::move(key));
}

absl::StatusOr<DiplomaVerifyKey> DiplomaVerifyKey::FromRaw(std::string_view raw_public_key) {
  absl::StatusOr<document::VerifyKey> key =
      document::VerifyKey::FromRaw(raw_public_key, DiplomaDocument());
  if (!key.ok()) return key.status();
  return DiplomaVerifyKey(*std::move(key));
}

v1::DiplomaPublicKey DiplomaVerifyKey::ToProto() const {
  v1::DiplomaPublicKey proto;
  proto.set_key_id(key_id());
  proto.set_algorithm("Ed25519");
  proto.set_public_key_pem(PublicKeyPem());
  proto.set_public_key(RawPublicKey());
  return proto;
}

absl::Status DiplomaVerifyKey::VerifyContent(const v1::DiplomaContent& content,
                                             std::string_view signature) const {
  if (absl::Status st = key_.CheckKeyId(content.key_id()); !st.ok()) return st;
  absl::StatusOr<std::string> text = CanonicalText(content);
  if (!text.ok()) return text.status();
  return Verify(*text, signature);
}

absl::StatusOr<DiplomaSigner> DiplomaSigner::From(absl::StatusOr<document::Signer> signer) {
  if (!signer.ok()) return signer.status();
  return DiplomaSigner(*std::move(signer));
}

absl::StatusOr<DiplomaSigner> DiplomaSigner::FromPem(std::string_view private_key_pem) {
  return From(document::Signer::FromPem(private_key_pem, DiplomaDocument()));
}

absl::StatusOr<DiplomaSigner> DiplomaSigner::FromPemFile(const std::string& path) {
  return From(document::Signer::FromPemFile(path, DiplomaDocument()));
}

absl::StatusOr<DiplomaSigner> DiplomaSigner::Generate() {
  return From(document::Signer::Generate(DiplomaDocument()));
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
