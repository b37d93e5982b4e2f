// SubjectPseudonymiser: keyed-hash pseudonyms of token subjects and their key ring.
#include "integration/auth/subject_pseudonym.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "integration/config/secret_file.h"
#include "integration/crypto/keys.h"
#include "integration/status/status.h"

namespace integration::auth {
namespace {

constexpr std::string_view kReasonKeyInvalid = "SUBJECT_KEY_INVALID";
constexpr size_t kMinSecretBytes = 32;
constexpr size_t kMaxKeyIdChars = 12;
// 16 of SHA-256's 32 bytes: 128 bits, 26 base32 characters.
constexpr size_t kPseudonymBytes = 16;
constexpr std::string_view kServicePrefix = "svc:";

absl::Status KeyError(std::string_view message) {
  return status::Error(absl::StatusCode::kInvalidArgument, kReasonKeyInvalid,
                       absl::StrCat("subject pseudonym keys: ", std::string(message)));
}

bool ValidKeyId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxKeyIdChars &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return absl::ascii_islower(static_cast<unsigned char>(c)) ||
                  absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-';
         });
}

// The secret of a key ring line: 64 hex digits, or base64 of at least 32 bytes.
absl::StatusOr<std::string> DecodeSecret(std::string_view text, std::string_view id) {
  const bool hex =
      !text.empty() && text.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
  if (hex && text.size() == 2 * kMinSecretBytes) {
    return absl::HexStringToBytes(absl::string_view(text.data(), text.size()));
  }
  // Hex digits only but not 64 of them: a cut or padded hex key rather than base64.
  if (hex) {
    return KeyError(absl::StrCat("the secret of key \"", std::string(id), "\" has ", text.size(),
                                 " hex digits, 64 are needed"));
  }
  std::string decoded;
  if (!absl::Base64Unescape(absl::string_view(text.data(), text.size()), &decoded)) {
    return KeyError(absl::StrCat("the secret of key \"", std::string(id),
                                 "\" is neither 64 hex digits nor base64"));
  }
  return decoded;
}

// RFC 4648 base32 in lower case without padding: ids of resource names allow lower-case letters,
// digits and '-' only (e.g. training's learners/{learner}).
std::string Base32Lower(const unsigned char* data, size_t size) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out;
  out.reserve((size * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < size; ++i) {
    buffer = (buffer << 8) | data[i];
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

}  // namespace

SubjectPseudonymiser::SubjectPseudonymiser(std::vector<Key> keys) : keys_(std::move(keys)) {}

SubjectPseudonymiser::~SubjectPseudonymiser() {
  for (Key& key : keys_) crypto::Wipe(key.secret);
}

absl::StatusOr<std::shared_ptr<const SubjectPseudonymiser>> SubjectPseudonymiser::Create(
    std::vector<Key> keys) {
  if (keys.empty()) return KeyError("the key ring holds no key");
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!ValidKeyId(keys[i].id)) {
      return KeyError(absl::StrCat("key id \"", absl::CHexEscape(keys[i].id),
                                   "\" must be 1-12 characters of a-z, 0-9 and '-'"));
    }
    if (keys[i].secret.size() < kMinSecretBytes) {
      return KeyError(absl::StrCat("the secret of key \"", keys[i].id, "\" has ",
                                   keys[i].secret.size(), " bytes, at least ", kMinSecretBytes,
                                   " are needed"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (keys[j].id == keys[i].id) {
        return KeyError(absl::StrCat("key id \"", keys[i].id, "\" appears twice"));
      }
    }
  }
  return std::shared_ptr<const SubjectPseudonymiser>(new SubjectPseudonymiser(std::move(keys)));
}

absl::StatusOr<std::shared_ptr<const SubjectPseudonymiser>> SubjectPseudonymiser::Parse(
    std::string_view text) {
  std::vector<Key> keys;
  // absl's own string_view here: this Abseil build does not alias it to std::string_view.
  for (absl::string_view line : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() != 2) {
      return KeyError(
          absl::StrCat("line ", keys.size() + 1, " must be \"<key id> <secret>\" (two fields)"));
    }
    const std::string id(fields[0]);
    absl::StatusOr<std::string> secret =
        DecodeSecret(std::string_view(fields[1].data(), fields[1].size()), id);
    if (!secret.ok()) return secret.status();
    keys.push_back(Key{id, *std::move(secret)});
  }
  absl::StatusOr<std::shared_ptr<const SubjectPseudonymiser>> created = Create(keys);
  for (Key& key : keys) crypto::Wipe(key.secret);
  return created;
}

absl::StatusOr<std::shared_ptr<const SubjectPseudonymiser>> SubjectPseudonymiser::FromKeyFile(
    const std::string& path) {
  absl::StatusOr<std::string> text = config::ReadSettingFile(path, kSubjectKeyFileFlag);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::shared_ptr<const SubjectPseudonymiser>> parsed = Parse(*text);
  crypto::Wipe(*text);
  return parsed;
}

bool SubjectPseudonymiser::IsServiceSubject(std::string_view role, std::string_view subject) {
  if (role != "agency_system" || subject.size() <= kServicePrefix.size() ||
      subject.substr(0, kServicePrefix.size()) != kServicePrefix) {
    return false;
  }
  const std::string_view stem = subject.substr(kServicePrefix.size());
  return std::all_of(stem.begin(), stem.end(), [](char c) {
    return absl::ascii_islower(static_cast<unsigned char>(c)) || c == '_';
  });
}

absl::StatusOr<std::string> SubjectPseudonymiser::Under(const Key& key, std::string_view issuer,
                                                        std::string_view subject) const {
  std::string message;
  message.reserve(issuer.size() + 1 + subject.size());
  message.append(issuer);
  message.push_back('\0');
  message.append(subject);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  const bool ok = HMAC(EVP_sha256(), key.secret.data(), static_cast<int>(key.secret.size()),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       digest, &digest_size) != nullptr;
  OPENSSL_cleanse(message.data(), message.size());
  if (!ok || digest_size < kPseudonymBytes) {
    return absl::InternalError("subject pseudonym: HMAC-SHA256 failed in OpenSSL");
  }
  return absl::StrCat(key.id, "-", Base32Lower(digest, kPseudonymBytes));
}

absl::StatusOr<std::string> SubjectPseudonymiser::Current(std::string_view issuer,
                                                          std::string_view role,
                                                          std::string_view subject) const {
  if (IsServiceSubject(role, subject)) return std::string(subject);
  return Under(keys_.front(), issuer, subject);
}

absl::StatusOr<std::vector<std::string>> SubjectPseudonymiser::Former(
    std::string_view issuer, std::string_view role, std::string_view subject) const {
  std::vector<std::string> former;
  if (IsServiceSubject(role, subject)) return former;
  for (size_t i = 1; i < keys_.size(); ++i) {
    absl::StatusOr<std::string> pseudonym = Under(keys_[i], issuer, subject);
    if (!pseudonym.ok()) return pseudonym.status();
    former.push_back(*std::move(pseudonym));
  }
  return former;
}

const std::string& SubjectPseudonymiser::current_key_id() const { return keys_.front().id; }

}  // namespace integration::auth
