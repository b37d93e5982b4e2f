// AES-256-GCM encryption and HMAC-SHA256 look-up keys for personal identity numbers
// (OpenSSL 3 EVP APIs).
#include "integration/se/pnr_protector.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "integration/status/status.h"
#include "text.h"

namespace integration::se {
namespace {

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter>;

// Wipes a buffer that held plaintext before it is released.
class ScopedCleanse {
 public:
  explicit ScopedCleanse(std::string& buffer) : buffer_(buffer) {}
  ~ScopedCleanse() { OPENSSL_cleanse(buffer_.data(), buffer_.size()); }
  ScopedCleanse(const ScopedCleanse&) = delete;
  ScopedCleanse& operator=(const ScopedCleanse&) = delete;

 private:
  std::string& buffer_;
};

constexpr size_t kHeaderSize = 1 + PnrProtector::kNonceSize;

absl::Status CryptoFailure(std::string_view what) {
  // Only library failures end up here (allocation, a missing algorithm): not the caller's fault.
  return absl::InternalError(absl::StrCat("OpenSSL failure: ", internal::Av(what)));
}

absl::Status KeyError(std::string_view which, std::string_view problem) {
  return integration::status::Error(
      absl::StatusCode::kInvalidArgument, "PNR_KEY_INVALID",
      absl::StrCat("personal number ", internal::Av(which), " key ", internal::Av(problem),
                   "; expected 32 bytes written as 64 hex digits or base64"),
      {{"key", std::string(which)}});
}

absl::Status TokenError(std::string_view reason, std::string_view message) {
  return integration::status::Error(absl::StatusCode::kInvalidArgument, reason, message);
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* Bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// AAD = version byte followed by the caller's associated data; fed in two updates.
bool AddAad(EVP_CIPHER_CTX* ctx, bool encrypt, unsigned char version,
            std::string_view associated_data) {
  int out_len = 0;
  auto update = encrypt ? EVP_EncryptUpdate : EVP_DecryptUpdate;
  if (update(ctx, nullptr, &out_len, &version, 1) != 1) return false;
  if (!associated_data.empty() && update(ctx, nullptr, &out_len, Bytes(associated_data),
                                         static_cast<int>(associated_data.size())) != 1) {
    return false;
  }
  return true;
}

// The whole of a key file; the error names the setting, never the content.
absl::StatusOr<std::string> ReadKeyFile(const std::string& path, std::string_view flag) {
  if (path.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("--", std::string(flag), " is required to serve"));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    return absl::FailedPreconditionError(
        absl::StrCat("--", std::string(flag), ": cannot read \"", path, "\""));
  }
  return text.str();
}

}  // namespace

absl::StatusOr<PnrProtector> PnrProtector::FromKeyFiles(const std::string& encryption_key_file,
                                                        const std::string& lookup_key_file) {
  absl::StatusOr<std::string> encryption_key =
      ReadKeyFile(encryption_key_file, kPnrEncryptionKeyFileFlag);
  if (!encryption_key.ok()) return encryption_key.status();
  absl::StatusOr<std::string> lookup_key = ReadKeyFile(lookup_key_file, kPnrHmacKeyFileFlag);
  if (!lookup_key.ok()) return lookup_key.status();
  return Create(*encryption_key, *lookup_key);
}

PnrProtector::Key::~Key() { OPENSSL_cleanse(bytes.data(), bytes.size()); }

PnrProtector::PnrProtector(Key encryption_key, Key lookup_key, std::shared_ptr<evp_mac_st> hmac)
    : encryption_key_(std::move(encryption_key)),
      lookup_key_(std::move(lookup_key)),
      hmac_(std::move(hmac)) {}

absl::StatusOr<PnrProtector::Key> PnrProtector::ParseKey(std::string_view text,
                                                         std::string_view which) {
  text = internal::Trim(text);
  if (text.empty()) return KeyError(which, "is empty");
  std::string decoded;
  ScopedCleanse wipe(decoded);
  const bool hex_digits_only =
      text.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
  if (hex_digits_only && text.size() == 2 * kKeySize) {
    decoded = absl::HexStringToBytes(internal::Av(text));
  } else {
    const bool base64 = absl::Base64Unescape(internal::Av(text), &decoded);
    if (!base64 || decoded.size() != kKeySize) {
      // Name the most likely mistake without repeating any of the key.
      if (hex_digits_only) return KeyError(which, absl::StrCat("has ", text.size(), " hex digits"));
      if (!base64) return KeyError(which, "is neither 64 hex digits nor valid base64");
      return KeyError(which, absl::StrCat("decodes from base64 to ", decoded.size(), " bytes"));
    }
  }
  Key key;
  std::copy(decoded.begin(), decoded.end(), key.bytes.begin());
  return key;
}

absl::StatusOr<PnrProtector> PnrProtector::Create(std::string_view encryption_key,
                                                  std::string_view lookup_key) {
  absl::StatusOr<Key> enc = ParseKey(encryption_key, "encryption");
  if (!enc.ok()) return enc.status();
  absl::StatusOr<Key> look = ParseKey(lookup_key, "lookup");
  if (!look.ok()) return look.status();
  if (CRYPTO_memcmp(enc->bytes.data(), look->bytes.data(), kKeySize) == 0) {
    return integration::status::Error(
        absl::StatusCode::kInvalidArgument, "PNR_KEY_INVALID",
        "personal number encryption and lookup keys must differ (one key per purpose)");
  }
  std::shared_ptr<evp_mac_st> hmac(EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr),
                                   EVP_MAC_free);
  if (hmac == nullptr) return CryptoFailure("HMAC is not available");
  return PnrProtector(*std::move(enc), *std::move(look), std::move(hmac));
}

absl::StatusOr<std::string> PnrProtector::Encrypt(const Personnummer& pnr,
                                                  std::string_view associated_data) const {
  return EncryptText(pnr.normalized, associated_data);
}

absl::StatusOr<std::string> PnrProtector::EncryptText(std::string_view plaintext,
                                                      std::string_view associated_data) const {
  if (plaintext.size() > kMaxPlaintextSize) {
    return TokenError("PNR_PLAINTEXT_TOO_LONG",
                      absl::StrCat("plaintext to encrypt exceeds ", kMaxPlaintextSize, " bytes"));
  }
  if (associated_data.size() > kMaxPlaintextSize) {
    return TokenError("PNR_ASSOCIATED_DATA_TOO_LONG",
                      absl::StrCat("associated data exceeds ", kMaxPlaintextSize, " bytes"));
  }
  std::string sealed(kHeaderSize + plaintext.size() + kTagSize, '\0');
  unsigned char* out = Bytes(sealed);
  out[0] = kFormatVersion;
  unsigned char* nonce = out + 1;
  if (RAND_bytes(nonce, static_cast<int>(kNonceSize)) != 1) {
    return CryptoFailure("no random nonce");
  }

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return CryptoFailure("EVP_CIPHER_CTX_new");
  int len = 0;
  unsigned char* ciphertext = out + kHeaderSize;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceSize),
                          nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, encryption_key_.bytes.data(), nonce) != 1 ||
      !AddAad(ctx.get(), /*encrypt=*/true, kFormatVersion, associated_data) ||
      EVP_EncryptUpdate(ctx.get(), ciphertext, &len, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      static_cast<size_t>(len) != plaintext.size() ||
      EVP_EncryptFinal_ex(ctx.get(), ciphertext + len, &len) != 1 || len != 0 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                          ciphertext + plaintext.size()) != 1) {
    return CryptoFailure("AES-256-GCM encryption");
  }
  return absl::Base64Escape(sealed);
}

absl::StatusOr<std::string> PnrProtector::Decrypt(std::string_view token,
                                                  std::string_view associated_data) const {
  std::string sealed;
  // Only the canonical encoding is accepted, so every change to the token text is detected
  // (lenient decoders ignore e.g. the spare bits of the last character).
  if (!absl::Base64Unescape(internal::Av(token), &sealed) || absl::Base64Escape(sealed) != token) {
    return TokenError("PNR_CIPHERTEXT_MALFORMED", "encrypted personal number is not valid base64");
  }
  if (sealed.size() < kHeaderSize + kTagSize) {
    return TokenError("PNR_CIPHERTEXT_MALFORMED", "encrypted personal number is too short");
  }
  const unsigned char* in = Bytes(std::string_view(sealed));
  if (in[0] != kFormatVersion) {
    return TokenError("PNR_CIPHERTEXT_UNSUPPORTED_VERSION",
                      absl::StrCat("encrypted personal number has unknown format version ",
                                   static_cast<int>(in[0])));
  }
  if (associated_data.size() > kMaxPlaintextSize) {
    return TokenError("PNR_ASSOCIATED_DATA_TOO_LONG",
                      absl::StrCat("associated data exceeds ", kMaxPlaintextSize, " bytes"));
  }
  const unsigned char* nonce = in + 1;
  const unsigned char* ciphertext = in + kHeaderSize;
  const size_t ciphertext_size = sealed.size() - kHeaderSize - kTagSize;
  // The tag is passed to OpenSSL through a non-const pointer; copy it out.
  std::array<unsigned char, kTagSize> tag;
  std::copy(ciphertext + ciphertext_size, ciphertext + ciphertext_size + kTagSize, tag.begin());

  std::string plaintext(ciphertext_size, '\0');
  ScopedCleanse wipe(plaintext);  // wipes the unauthenticated bytes on failure
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return CryptoFailure("EVP_CIPHER_CTX_new");
  int len = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceSize),
                          nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, encryption_key_.bytes.data(), nonce) != 1 ||
      !AddAad(ctx.get(), /*encrypt=*/false, in[0], associated_data) ||
      EVP_DecryptUpdate(ctx.get(), Bytes(plaintext), &len, ciphertext,
                        static_cast<int>(ciphertext_size)) != 1 ||
      static_cast<size_t>(len) != ciphertext_size ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                          tag.data()) != 1) {
    return CryptoFailure("AES-256-GCM decryption");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), Bytes(plaintext) + len, &len) != 1) {
    return TokenError("PNR_CIPHERTEXT_AUTHENTICATION_FAILED",
                      "encrypted personal number failed authentication (wrong key, different "
                      "associated data or altered ciphertext)");
  }
  std::string result = plaintext;
  return result;
}

absl::StatusOr<std::string> PnrProtector::Hmac(std::string_view message) const {
  MacCtx ctx(EVP_MAC_CTX_new(hmac_.get()));
  if (ctx == nullptr) return CryptoFailure("EVP_MAC_CTX_new");
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  std::array<unsigned char, 32> mac;
  size_t mac_len = 0;
  if (EVP_MAC_init(ctx.get(), lookup_key_.bytes.data(), lookup_key_.bytes.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), Bytes(message), message.size()) != 1 ||
      EVP_MAC_final(ctx.get(), mac.data(), &mac_len, mac.size()) != 1 || mac_len != mac.size()) {
    return CryptoFailure("HMAC-SHA256");
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

absl::StatusOr<std::string> PnrProtector::LookupKey(const Personnummer& pnr) const {
  return Hmac(pnr.normalized);
}

absl::StatusOr<std::string> PnrProtector::LmaLookupKey(const LmaNumber& lma) const {
  return Hmac(absl::StrCat("lma:", lma.dossier_number));
}

}  // namespace integration::se
