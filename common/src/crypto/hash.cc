// SHA-256 over OpenSSL 3's EVP digest API.
#include "integration/crypto/hash.h"

#include <openssl/evp.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "openssl_error.h"

namespace integration::crypto {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// The algorithm is fetched from the provider once and each thread keeps one digest context:
// EVP_Digest with EVP_sha256() looks the implementation up and allocates a context on every
// call, which cost more than hashing a token (every authenticated call hashes its token for
// the verifier's cache).
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace

absl::StatusOr<std::string> Sha256(std::string_view data) {
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  const EVP_MD* md = Sha256Md();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (md == nullptr || ctx == nullptr || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1 || length != 32) {
    return absl::InternalError(absl::StrCat("SHA-256 failed: ", internal::OpenSslError()));
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace integration::crypto
