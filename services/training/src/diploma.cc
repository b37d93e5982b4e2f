// Diploma codes, eligibility, canonical text and Ed25519 signatures (integration_crypto).
#include "diploma.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "integration/crypto/hash.h"
#include "integration/crypto/random.h"
#include "integration/status/status.h"
#include "integration/text/utf8.h"

namespace integration::training {
namespace {

using integration::status::FieldErrors;

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
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

// ---- canonical text helpers -----------------------------------------------------------------

void AppendEscaped(std::string& out, std::string_view value, bool escape_semicolon) {
  constexpr std::string_view kHex = "0123456789abcdef";
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case ';':
        out.append(escape_semicolon ? "\\;" : ";");
        break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          out.append("\\x");
          out.push_back(kHex[byte >> 4]);
          out.push_back(kHex[byte & 0x0f]);
        } else {
          out.push_back(c);
        }
    }
  }
}

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos;
}

void CheckValue(FieldErrors& errors, std::string_view field, std::string_view value) {
  if (IsBlank(value)) {
    errors.Add(field, "must not be empty");
  } else if (!integration::text::IsValidUtf8(value)) {
    errors.Add(field, "must be valid UTF-8");
  }
}

bool IsRealDate(const lansstyrelsen::integration::type::v1::Date& date) {
  if (date.year() < 1 || date.year() > 9999) return false;
  const absl::CivilDay day(date.year(), date.month(), date.day());
  return day.year() == date.year() && day.month() == date.month() && day.day() == date.day();
}

std::string IsoDate(const lansstyrelsen::integration::type::v1::Date& date) {
  std::array<char, 16> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%04d-%02d-%02d", date.year(), date.month(),
                date.day());
  return buffer.data();
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
    code.push_back(kCrockford[value]);
  }
  return code;
}

absl::StatusOr<std::string> NormalizeCode(std::string_view text, std::string_view field) {
  std::string code;
  bool ok = text.size() <= 4 * static_cast<size_t>(kDiplomaCodeLength);
  for (size_t i = 0; ok && i < text.size(); ++i) {
    char c = text[i];
    if (c == '-' || c == ' ') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    if (kCrockford.find(c) == std::string_view::npos) {
      ok = false;
    } else {
      code.push_back(c);
    }
  }
  if (!ok || code.size() != static_cast<size_t>(kDiplomaCodeLength)) {
    return integration::status::InvalidField(
        field,
        "must be the diploma's code: 26 characters 0-9 and A-Z except U (case, '-' and spaces "
        "do not matter)",
        kReasonDiplomaCodeInvalid);
  }
  return code;
}

std::string FormatCodeForDisplay(std::string_view code) {
  std::string out;
  for (size_t i = 0; i < code.size(); ++i) {
    if (i > 0 && i % 4 == 0) out.push_back('-');
    out.push_back(code[i]);
  }
  return out;
}

// ---- eligibility ----------------------------------------------------------------------------

bool PartCompleted(const CoursePart& part, const std::set<std::string>& passed_modules) {
  if (part.published_modules.empty()) return false;
  for (const std::string& module : part.published_modules) {
    if (!passed_modules.contains(module)) return false;
  }
  return true;
}

std::vector<DueDiploma> DueDiplomas(const std::vector<CoursePart>& course,
                                    const std::vector<std::string>& enrolled_parts,
                                    const std::set<std::string>& passed_modules) {
  const std::set<std::string> enrolled(enrolled_parts.begin(), enrolled_parts.end());
  std::vector<DueDiploma> certificates;
  bool whole_course = !course.empty();
  DueDiploma course_diploma{v1::DIPLOMA_KIND_COURSE, {}, {}};
  for (const CoursePart& part : course) {
    const bool completed = PartCompleted(part, passed_modules);
    const bool is_enrolled = enrolled.contains(part.name);
    if (!completed || !is_enrolled) whole_course = false;
    course_diploma.parts.push_back(part.name);
    course_diploma.part_titles.push_back(part.title);
    if (completed && is_enrolled) {
      certificates.push_back(DueDiploma{v1::DIPLOMA_KIND_PART, {part.name}, {part.title}});
    }
  }
  std::vector<DueDiploma> due;
  if (whole_course) due.push_back(std::move(course_diploma));
  for (DueDiploma& certificate : certificates) due.push_back(std::move(certificate));
  return due;
}

// ---- canonical text -------------------------------------------------------------------------

absl::StatusOr<std::string> CanonicalText(const v1::DiplomaContent& content) {
  FieldErrors errors;
  absl::StatusOr<std::string> code = NormalizeCode(content.code(), "content.code");
  if (!code.ok() || *code != content.code()) {
    errors.Add("content.code", "must be a normalised 26-character diploma code");
  }
  std::string_view kind;
  switch (content.kind()) {
    case v1::DIPLOMA_KIND_COURSE:
      kind = "course";
      break;
    case v1::DIPLOMA_KIND_PART:
      kind = "part";
      break;
    default:
      errors.Add("content.kind", "must be DIPLOMA_KIND_COURSE or DIPLOMA_KIND_PART");
  }
  CheckValue(errors, "content.learner_name", content.learner_name());
  if (content.part_titles().empty()) {
    errors.Add("content.part_titles", "must list at least one part");
  }
  for (int i = 0; i < content.part_titles_size(); ++i) {
    CheckValue(errors, "content.part_titles[" + std::to_string(i) + "]", content.part_titles(i));
  }
  if (!IsRealDate(content.issue_date())) {
    errors.Add("content.issue_date", "must be a real calendar date");
  }
  CheckValue(errors, "content.issuer", content.issuer());
  CheckValue(errors, "content.key_id", content.key_id());
  if (!errors.empty()) return errors.ToStatus(kReasonDiplomaContentInvalid);

  std::string text(kCanonicalHeader);
  text.append("\ncode: ").append(content.code());
  text.append("\nkind: ").append(kind);
  text.append("\nlearner_name: ");
  AppendEscaped(text, content.learner_name(), false);
  text.append("\nparts: ");
  for (int i = 0; i < content.part_titles_size(); ++i) {
    if (i > 0) text.append("; ");
    AppendEscaped(text, content.part_titles(i), true);
  }
  text.append("\nissue_date: ").append(IsoDate(content.issue_date()));
  text.append("\nissuer: ");
  AppendEscaped(text, content.issuer(), false);
  text.append("\nkey_id: ");
  AppendEscaped(text, content.key_id(), false);
  text.append("\n");
  return text;
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
