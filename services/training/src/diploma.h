// Diplomas: verification codes, who is due which diploma, the canonical signed text and
// Ed25519 signing and verification.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "integration/crypto/keys.h"
#include "lansstyrelsen/integration/training/v1/resources.pb.h"
#include "lansstyrelsen/integration/training/v1/training_service.pb.h"

namespace integration::training {

namespace v1 = ::lansstyrelsen::integration::training::v1;

// ErrorInfo reasons of this file.
inline constexpr std::string_view kReasonDiplomaCodeInvalid = "DIPLOMA_CODE_INVALID";
inline constexpr std::string_view kReasonDiplomaContentInvalid = "DIPLOMA_CONTENT_INVALID";
inline constexpr std::string_view kReasonDiplomaKeyInvalid = "DIPLOMA_KEY_INVALID";
inline constexpr std::string_view kReasonDiplomaSignatureInvalid = "DIPLOMA_SIGNATURE_INVALID";

// ---------------------------------------------------------------------------------------------
// Verification codes

// 130 random bits written as 26 characters of Crockford base32 (0-9, A-Z without I, L, O, U).
inline constexpr int kDiplomaCodeLength = 26;

// A fresh code from the CSPRNG (crypto::RandomBytes); INTERNAL when the CSPRNG fails. The code
// is the only secret a public VerifyDiploma needs, so it must be unguessable, not just unique.
absl::StatusOr<std::string> NewDiplomaCode();

// The stored form of a code as a person may type it: case-insensitive, '-' and spaces
// ignored, O read as 0 and I and L as 1 (Crockford's rules for misread characters).
// INVALID_ARGUMENT, reason DIPLOMA_CODE_INVALID, violation on `field`, unless that leaves
// exactly 26 base32 characters.
absl::StatusOr<std::string> NormalizeCode(std::string_view text, std::string_view field = "code");

// "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-23": groups of four for reading aloud and typing.
std::string FormatCodeForDisplay(std::string_view code);

// ---------------------------------------------------------------------------------------------
// Eligibility

// One part of the course as eligibility sees it.
struct CoursePart {
  std::string name;   // "parts/introduktion"
  std::string title;  // "Introduktion"
  // Names of the part's published modules ("parts/introduktion/modules/mottagande").
  std::vector<std::string> published_modules;
};

// A diploma the learner should have.
struct DueDiploma {
  v1::DiplomaKind kind = v1::DIPLOMA_KIND_UNSPECIFIED;
  std::vector<std::string> parts;        // part names, in course order
  std::vector<std::string> part_titles;  // their titles, in the same order
  bool operator==(const DueDiploma&) const = default;
};

// Every published module of the part is passed. A part without published modules is never
// completed: a certificate for it would certify nothing.
bool PartCompleted(const CoursePart& part, const std::set<std::string>& passed_modules);

// The diplomas a learner is due, given the whole course (every part, in course order), the
// learner's enrolled part names and the names of the modules the learner has passed:
//  - a part certificate (DIPLOMA_KIND_PART) for each enrolled, completed part;
//  - the course diploma (DIPLOMA_KIND_COURSE, listing every part) when the enrolment covers
//    every part of the course and every part is completed.
// Course diploma first, then part certificates in course order. The caller issues those it
// has not issued yet (same kind and parts), which makes issuing idempotent.
std::vector<DueDiploma> DueDiplomas(const std::vector<CoursePart>& course,
                                    const std::vector<std::string>& enrolled_parts,
                                    const std::set<std::string>& passed_modules);

// ---------------------------------------------------------------------------------------------
// Canonical serialisation (what the signature covers; documented in services/training/README.md
// "Diploma signatures")
//
//   Bättre bemötande diploma v1\n
//   code: <26-character code>\n
//   kind: course|part\n
//   learner_name: <name>\n
//   parts: <title>; <title>; …\n          (course order)
//   issue_date: YYYY-MM-DD\n
//   issuer: <issuer>\n
//   key_id: <key id>\n
//
// UTF-8, exactly these lines in this order, each "key: value" ending in one "\n" (also the
// last). In values, '\' is written "\\", newline "\n", carriage return "\r", tab "\t", other
// control characters (U+0000-U+001F, U+007F) "\xHH" (two lower-case hex digits), and in a
// part title ';' is written "\;" so that the joined list can be split unambiguously. Thus
// different contents never give the same text.
inline constexpr std::string_view kCanonicalHeader = "Bättre bemötande diploma v1";

// INVALID_ARGUMENT, reason DIPLOMA_CONTENT_INVALID, with a violation per bad field
// ("content.learner_name", …) when the code is not a normalised code, the kind is unset, the
// learner name, a part title, the issuer or the key id is empty, no part is given, the date is
// not a real date or a value is not valid UTF-8.
absl::StatusOr<std::string> CanonicalText(const v1::DiplomaContent& content);

// ---------------------------------------------------------------------------------------------
// Signatures

// An Ed25519 public key that verifies diploma signatures. Copyable and thread-safe.
class DiplomaVerifyKey {
 public:
  // From a SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----") or 32 raw bytes.
  // INVALID_ARGUMENT, reason DIPLOMA_KEY_INVALID, saying what is wrong.
  static absl::StatusOr<DiplomaVerifyKey> FromPem(std::string_view public_key_pem);
  static absl::StatusOr<DiplomaVerifyKey> FromRaw(std::string_view raw_public_key);

  // First 16 lower-case hex characters of SHA-256 over the raw 32-byte public key.
  const std::string& key_id() const { return key_id_; }
  const std::string& PublicKeyPem() const { return public_key_pem_; }
  const std::string& RawPublicKey() const { return raw_public_key_; }
  // For GetDiplomaPublicKey: key_id, "Ed25519", PEM and raw key.
  v1::DiplomaPublicKey ToProto() const;

  // OK when `signature` is this key's Ed25519 signature of exactly `text`; otherwise
  // INVALID_ARGUMENT, reason DIPLOMA_SIGNATURE_INVALID.
  absl::Status Verify(std::string_view text, std::string_view signature) const;
  // Verify(CanonicalText(content)), and the content's key_id must be this key's.
  absl::Status VerifyContent(const v1::DiplomaContent& content, std::string_view signature) const;

 private:
  DiplomaVerifyKey() = default;
  static absl::StatusOr<DiplomaVerifyKey> FromKey(crypto::PublicKey key);
  friend class DiplomaSigner;

  std::optional<crypto::PublicKey> key_;  // always set outside the private constructor
  std::string key_id_;
  std::string public_key_pem_;
  std::string raw_public_key_;
};

// A diploma with its signature, ready to store.
struct SignedDiploma {
  v1::DiplomaContent content;  // as given, with key_id set to the signer's
  std::string signed_text;     // CanonicalText(content)
  std::string signature;       // 64 bytes of Ed25519
};

// Signs diplomas with an Ed25519 private key. Copyable and thread-safe.
class DiplomaSigner {
 public:
  // Loads a PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----", as written by
  // `openssl genpkey -algorithm ed25519`). INVALID_ARGUMENT, reason DIPLOMA_KEY_INVALID, with
  // a message saying what is wrong (unreadable file, not PEM, encrypted, a public key, not
  // Ed25519): the service logs it and refuses to start.
  static absl::StatusOr<DiplomaSigner> FromPemFile(const std::string& path);
  static absl::StatusOr<DiplomaSigner> FromPem(std::string_view private_key_pem);
  // A new random key (tests and throw-away local runs).
  static absl::StatusOr<DiplomaSigner> Generate();

  const std::string& key_id() const { return verify_key_.key_id(); }
  const std::string& PublicKeyPem() const { return verify_key_.PublicKeyPem(); }
  const std::string& RawPublicKey() const { return verify_key_.RawPublicKey(); }
  const DiplomaVerifyKey& verify_key() const { return verify_key_; }

  // The 64-byte Ed25519 signature of `text` (INTERNAL if signing fails).
  absl::StatusOr<std::string> Sign(std::string_view text) const;
  // Sets content.key_id to this key's id, serialises canonically and signs.
  absl::StatusOr<SignedDiploma> SignContent(v1::DiplomaContent content) const;

 private:
  DiplomaSigner(crypto::PrivateKey key, DiplomaVerifyKey verify_key)
      : key_(std::move(key)), verify_key_(std::move(verify_key)) {}
  static absl::StatusOr<DiplomaSigner> FromPrivateKey(crypto::PrivateKey key,
                                                      std::string_view origin);
  // `origin` names where the PEM came from, for the error message.
  static absl::StatusOr<DiplomaSigner> FromPemText(std::string_view pem, std::string_view origin);

  crypto::PrivateKey key_;
  DiplomaVerifyKey verify_key_;
};

}  // namespace integration::training
