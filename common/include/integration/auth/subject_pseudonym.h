// Pseudonyms of token subjects: a keyed hash stands for a person's "sub" (often a personnummer
// from Swedish e-identification) in every record, event and log line, so no service ever stores
// or emits the raw subject.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace integration::auth {

// The setting every server has (ServerFlags, the gateway): the key ring file of the pseudonyms
// (Kubernetes: the integration-subject-keys Secret; ./dev up: .run/secrets/subject_keys).
inline constexpr char kSubjectKeyFileFlag[] = "subject-key-file";

// Turns a verified token's (issuer, subject) into "<kid>-<26 characters>": the first 16 bytes of
// HMAC-SHA256(key, issuer + "\0" + subject) under the key named kid, in lower-case base32
// (RFC 4648, no padding), so that a pseudonym is a valid resource id (1-40 characters of a-z,
// 0-9 and '-'; base32 has no '-', so the last '-' separates the key id). The issuer is
// part of the input so that one subject of two identity providers is two people. Without the
// key the pseudonym cannot be reversed or recomputed from a guessed personnummer (there are few
// enough of those to try all of them against an unkeyed hash); 128 bits keep collisions out of
// reach for any population. Thread-safe: immutable after creation.
//
// Rotation: the key ring lists the current key first, then older keys. New records are written
// under the current key's pseudonym; Former() gives the pseudonyms under the older keys, which
// a caller carries (Caller::former_subjects) so that records written before a rotation still
// belong to their person. An older key is dropped once no record names its pseudonyms.
//
// Service tokens (role agency_system, subject "svc:<service stem>", see service_token.h) keep
// their subject: it names one of the suite's own services, never a person, and audit rows are
// meant to show which service acted. The pattern (lower-case letters and '_' only) cannot
// carry an identity number.
class SubjectPseudonymiser {
 public:
  struct Key {
    std::string id;      // 1-12 characters of [a-z0-9-]; the pseudonyms' prefix
    std::string secret;  // at least 32 bytes
  };

  // `keys`: the current key first. INVALID_ARGUMENT (reason SUBJECT_KEY_INVALID) without keys,
  // with an ill-formed or repeated id, or with a short secret; the message names the key id,
  // never the secret.
  static absl::StatusOr<std::shared_ptr<const SubjectPseudonymiser>> Create(std::vector<Key> keys);
  // From a key ring text: one key per line, "<id> <secret>", the secret as 64 hex digits or
  // base64 of 32 bytes or more; blank lines and lines starting with '#' are skipped. The first
  // key is the current one.
  static absl::StatusOr<std::shared_ptr<const SubjectPseudonymiser>> Parse(std::string_view text);
  // Parse() of the file setting --subject-key-file names: FAILED_PRECONDITION naming the
  // setting when `path` is empty or unreadable (config::ReadSettingFile).
  static absl::StatusOr<std::shared_ptr<const SubjectPseudonymiser>> FromKeyFile(
      const std::string& path);

  ~SubjectPseudonymiser();
  SubjectPseudonymiser(const SubjectPseudonymiser&) = delete;
  SubjectPseudonymiser& operator=(const SubjectPseudonymiser&) = delete;

  // The pseudonym under the current key (service subjects unchanged, see above). INTERNAL
  // only should OpenSSL fail.
  absl::StatusOr<std::string> Current(std::string_view issuer, std::string_view role,
                                      std::string_view subject) const;
  // The pseudonyms under the older keys in key ring order (empty for service subjects).
  absl::StatusOr<std::vector<std::string>> Former(std::string_view issuer, std::string_view role,
                                                  std::string_view subject) const;
  const std::string& current_key_id() const;

  // Whether (role, subject) is one of the suite's service tokens, kept as it is.
  static bool IsServiceSubject(std::string_view role, std::string_view subject);

 private:
  explicit SubjectPseudonymiser(std::vector<Key> keys);
  absl::StatusOr<std::string> Under(const Key& key, std::string_view issuer,
                                    std::string_view subject) const;

  std::vector<Key> keys_;
};

}  // namespace integration::auth
