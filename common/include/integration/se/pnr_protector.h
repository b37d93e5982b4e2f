// Protection of personal identity numbers at rest: AES-256-GCM encryption and an HMAC-SHA256
// look-up key, both with keys from configuration.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "integration/se/lma_number.h"
#include "integration/se/personnummer.h"

// OpenSSL's opaque HMAC algorithm handle, kept out of this header's includes.
struct evp_mac_st;

namespace integration::se {

// The settings of every service that stores identity numbers: the files holding the suite's
// personal-number keys (Kubernetes: the pnr-keys Secret).
inline constexpr char kPnrEncryptionKeyFileFlag[] = "pnr-encryption-key-file";
inline constexpr char kPnrHmacKeyFileFlag[] = "pnr-hmac-key-file";

// Encrypts personnummer for storage and derives the deterministic key used to find a person
// again without decrypting. Thread-safe: all methods are const and share no mutable state.
//
// Encrypted format (version 1): base64 (standard alphabet, padded) of
//   0x01 | 12-byte random nonce | ciphertext | 16-byte GCM tag
// The version byte and the caller's associated data are authenticated (AAD = version byte +
// associated data), so any change to the token, a wrong key or different associated data makes
// Decrypt fail; it never returns unauthenticated plaintext.
//
// The look-up key is lowercase hex of HMAC-SHA256(lookup key, normalized 12-digit number), so
// the 10- and 12-digit spellings of one person give the same key.
class PnrProtector {
 public:
  static constexpr size_t kKeySize = 32;
  static constexpr uint8_t kFormatVersion = 1;
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  // Plaintexts are identifiers; the bound keeps sizes well inside OpenSSL's int lengths.
  static constexpr size_t kMaxPlaintextSize = 4096;

  // Each key is 32 bytes written as 64 hex digits or as base64 (surrounding whitespace, e.g. a
  // newline from a secret file, is ignored). The two keys must differ: one key per purpose.
  // Errors: INVALID_ARGUMENT, reason PNR_KEY_INVALID, naming the key but never its value.
  static absl::StatusOr<PnrProtector> Create(std::string_view encryption_key,
                                             std::string_view lookup_key);
  // Create from the whole of two key files (the values of kPnrEncryptionKeyFileFlag and
  // kPnrHmacKeyFileFlag). FAILED_PRECONDITION naming the setting (never the content) when a
  // path is empty or the file cannot be read; checked when a server starts rather than by the
  // flag parser, because `migrate` needs no keys.
  static absl::StatusOr<PnrProtector> FromKeyFiles(const std::string& encryption_key_file,
                                                   const std::string& lookup_key_file);

  // Encrypts pnr.normalized. `associated_data` (e.g. the owning row's id) is authenticated but
  // not stored: Decrypt must be given the same value.
  absl::StatusOr<std::string> Encrypt(const Personnummer& pnr,
                                      std::string_view associated_data = {}) const;
  // Encrypts any short text (e.g. a normalized LMA number). INVALID_ARGUMENT
  // (PNR_PLAINTEXT_TOO_LONG) above kMaxPlaintextSize bytes.
  absl::StatusOr<std::string> EncryptText(std::string_view plaintext,
                                          std::string_view associated_data = {}) const;
  // The plaintext of a token made by Encrypt/EncryptText with the same key and associated data.
  // INVALID_ARGUMENT with reason PNR_CIPHERTEXT_MALFORMED (not canonical base64 or too short),
  // PNR_CIPHERTEXT_UNSUPPORTED_VERSION or PNR_CIPHERTEXT_AUTHENTICATION_FAILED.
  absl::StatusOr<std::string> Decrypt(std::string_view token,
                                      std::string_view associated_data = {}) const;

  // 64 lowercase hex digits: HMAC-SHA256 over pnr.normalized.
  absl::StatusOr<std::string> LookupKey(const Personnummer& pnr) const;
  // HMAC-SHA256 over "lma:" + dossier number: the card serial is left out because a new card
  // for the same person gets a new serial. The prefix keeps it apart from personnummer keys.
  absl::StatusOr<std::string> LmaLookupKey(const LmaNumber& lma) const;

 private:
  // Key bytes, wiped from memory when destroyed.
  class Key {
   public:
    Key() = default;
    Key(const Key&) = default;
    Key& operator=(const Key&) = default;
    ~Key();
    std::array<unsigned char, kKeySize> bytes{};
  };

  PnrProtector(Key encryption_key, Key lookup_key, std::shared_ptr<evp_mac_st> hmac);

  static absl::StatusOr<Key> ParseKey(std::string_view text, std::string_view which);
  absl::StatusOr<std::string> Hmac(std::string_view message) const;

  Key encryption_key_;
  Key lookup_key_;
  std::shared_ptr<evp_mac_st> hmac_;  // fetched once; OpenSSL allows sharing it across threads
};

}  // namespace integration::se
