// Script: Lua source plus the SHA1 that Redis uses to name it in EVALSHA.
#include <openssl/evp.h>

#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "integration/redis/client.h"

namespace integration::redis {
namespace {

// Redis names a script by the lowercase hex SHA1 of its exact source bytes.
std::string Sha1Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha1(), nullptr) != 1) {
    // Only possible when OpenSSL cannot allocate; an empty SHA makes EVALSHA fail with
    // NOSCRIPT, after which EvalSha loads the script by source, so calls still work.
    return std::string();
  }
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace

Script::Script(std::string source) : source_(std::move(source)), sha1_(Sha1Hex(source_)) {}

}  // namespace integration::redis
